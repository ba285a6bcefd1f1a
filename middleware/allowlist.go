package middleware

import (
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"strings"
)

// AllowOption configures [AllowIPs]. Options are checked when AllowIPs is
// called; a bad one makes AllowIPs return an error.
type AllowOption func(*allowConfig) error

// allowConfig is what the options set.
type allowConfig struct {
	header       string     // canonical header name; "" trusts no header
	forwardedFor bool       // header is X-Forwarded-For, read as a list
	proxies      prefixList // immediate peers whose header is believed
}

// TrustForwardedFor makes [AllowIPs] take the client address from
// X-Forwarded-For, but only when the immediate peer (r.RemoteAddr) is one
// of proxies (CIDRs or bare IPs, parsed as for AllowIPs).
//
// The address used is the right-most one in X-Forwarded-For that is not
// itself a trusted proxy: each proxy appends the address it received the
// request from, so entries to the right of the first untrusted hop were
// written by infrastructure you control, while anything to its left was
// supplied by the client and may be forged. Every X-Forwarded-For header
// line is read, in order, as one list. The request is denied when the peer
// is a trusted proxy but the header is missing, holds only trusted proxies,
// or has an entry that is not an IP address (entries with a port, as some
// load balancers write, are accepted).
//
// List every proxy hop between the Internet and this server, and make sure
// the outermost one appends to (or overwrites) X-Forwarded-For.
func TrustForwardedFor(proxies ...string) AllowOption {
	return func(c *allowConfig) error {
		return c.trust("X-Forwarded-For", true, proxies)
	}
}

// TrustHeader makes [AllowIPs] take the client address from the
// single-address header name (X-Real-IP, CF-Connecting-IP, True-Client-IP,
// Fly-Client-IP, ...), but only when the immediate peer (r.RemoteAddr) is one
// of proxies (CIDRs or bare IPs, parsed as for AllowIPs). From any other
// peer the header is ignored, so a client cannot choose its own address.
//
// The proxy must set the header itself, overwriting any value the client
// sent. The request is denied when the peer is a trusted proxy and the
// header is missing, repeated, or not an IP address.
//
// Use [TrustForwardedFor] for X-Forwarded-For, which is a list; TrustHeader
// returns an error for it. The structured Forwarded header (RFC 7239) is not
// supported.
func TrustHeader(name string, proxies ...string) AllowOption {
	return func(c *allowConfig) error {
		canon := http.CanonicalHeaderKey(strings.TrimSpace(name))
		switch canon {
		case "":
			return errors.New("TrustHeader: empty header name")
		case "X-Forwarded-For":
			return errors.New("TrustHeader: X-Forwarded-For is a list; use TrustForwardedFor")
		case "Forwarded":
			return errors.New("TrustHeader: the Forwarded header is not supported")
		}
		return c.trust(canon, false, proxies)
	}
}

func (c *allowConfig) trust(header string, list bool, proxies []string) error {
	if c.header != "" {
		return fmt.Errorf("trusting %s: already trusting %s; only one header may be trusted", header, c.header)
	}
	if len(proxies) == 0 {
		return fmt.Errorf("trusting %s: no trusted proxies given", header)
	}
	p, err := parsePrefixes(proxies)
	if err != nil {
		return fmt.Errorf("trusted proxies: %w", err)
	}
	c.header, c.forwardedFor, c.proxies = header, list, p
	return nil
}

// AllowIPs returns middleware that lets through only requests from the
// given addresses, for providers that publish the IPs their webhooks come
// from. Others are answered 403 Forbidden and next is not called.
//
// Each entry of cidrs is a CIDR prefix ("196.201.214.0/24", "2001:db8::/32")
// or a bare IP ("41.215.168.12", a /32 or /128). Entries are parsed with
// net/netip when AllowIPs is called; the error for a bad entry names it. An
// empty list is an error too, since it would deny everything. Host bits
// beyond the prefix length are ignored ("10.1.2.3/8" is 10.0.0.0/8).
//
// By default the client address is the immediate peer, r.RemoteAddr; a
// header such as X-Forwarded-For is believed only with [TrustForwardedFor]
// or [TrustHeader], and then only from the listed proxies. IPv4-mapped IPv6
// addresses (::ffff:a.b.c.d), in entries as in requests, are treated as
// the IPv4 address they carry, so a dual-stack listener matches IPv4
// entries. IPv6 zones are ignored on requests and rejected in entries. A
// request whose address cannot be parsed (a Unix socket peer, say) is
// denied.
func AllowIPs(cidrs []string, opts ...AllowOption) (func(http.Handler) http.Handler, error) {
	if len(cidrs) == 0 {
		return nil, errors.New("middleware: AllowIPs: empty allow-list")
	}
	allowed, err := parsePrefixes(cidrs)
	if err != nil {
		return nil, fmt.Errorf("middleware: AllowIPs: %w", err)
	}
	var c allowConfig
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(&c); err != nil {
			return nil, fmt.Errorf("middleware: AllowIPs: %w", err)
		}
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			addr, ok := c.clientAddr(r)
			if !ok || !allowed.contains(addr) {
				http.Error(w, "forbidden", http.StatusForbidden)
				return
			}
			next.ServeHTTP(w, r)
		})
	}, nil
}

// clientAddr finds the address to check: the peer's, or when the peer is a
// trusted proxy, the one from the trusted header. ok is false when there is
// no address to believe.
func (c *allowConfig) clientAddr(r *http.Request) (addr netip.Addr, ok bool) {
	peer, ok := parseAddr(r.RemoteAddr)
	if !ok {
		return netip.Addr{}, false
	}
	if c.header == "" || !c.proxies.contains(peer) {
		return peer, true
	}
	values := r.Header.Values(c.header)
	if !c.forwardedFor {
		if len(values) != 1 {
			return netip.Addr{}, false
		}
		return parseAddr(values[0])
	}
	// Right to left over all lines: the last line was added last.
	for i := len(values) - 1; i >= 0; i-- {
		hops := strings.Split(values[i], ",")
		for j := len(hops) - 1; j >= 0; j-- {
			a, ok := parseAddr(hops[j])
			if !ok {
				return netip.Addr{}, false
			}
			if !c.proxies.contains(a) {
				return a, true
			}
		}
	}
	return netip.Addr{}, false
}

// parseAddr reads an address as found in RemoteAddr or a forwarding header:
// "ip", "ip:port", "[ipv6]:port" or "[ipv6]", with surrounding spaces. The
// result is unmapped and has no zone.
func parseAddr(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	a, err := netip.ParseAddr(s)
	if err != nil {
		ap, err2 := netip.ParseAddrPort(s)
		switch {
		case err2 == nil:
			a = ap.Addr()
		case len(s) > 2 && s[0] == '[' && s[len(s)-1] == ']':
			if a, err = netip.ParseAddr(s[1 : len(s)-1]); err != nil || !a.Is6() {
				return netip.Addr{}, false
			}
		default:
			return netip.Addr{}, false
		}
	}
	return a.WithZone("").Unmap(), true
}

// prefixList is a set of prefixes, all with unmapped addresses and masked.
type prefixList []netip.Prefix

func (l prefixList) contains(a netip.Addr) bool {
	for _, p := range l {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// parsePrefixes parses CIDRs and bare IPs. An IPv4-mapped IPv6 prefix of
// length 96 or more becomes the IPv4 prefix it covers.
func parsePrefixes(entries []string) (prefixList, error) {
	l := make(prefixList, 0, len(entries))
	for _, e := range entries {
		p, err := parsePrefix(strings.TrimSpace(e))
		if err != nil {
			return nil, fmt.Errorf("bad entry %q: %w", e, err)
		}
		l = append(l, p)
	}
	return l, nil
}

func parsePrefix(s string) (netip.Prefix, error) {
	if s == "" {
		return netip.Prefix{}, errors.New("empty")
	}
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, err
		}
		if a := p.Addr(); a.Is4In6() {
			if p.Bits() < 96 {
				return netip.Prefix{}, errors.New("IPv4-mapped prefix shorter than /96")
			}
			p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	if a.Zone() != "" {
		return netip.Prefix{}, errors.New("IPv6 zone not allowed")
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}
