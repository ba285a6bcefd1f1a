package middleware

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// allowed is the allow-list the request tests use: an IPv4 range, a bare
// IPv4, an IPv6 range, an IPv4-mapped range and a link-local range.
var allowed = []string{
	"196.201.214.0/24",
	" 41.215.168.12 ",
	"2001:db8::/32",
	"::ffff:203.0.113.0/120",
	"fe80::/10",
}

type allowCase struct {
	name       string
	remoteAddr string
	header     map[string][]string
	want       int
}

func runAllowCases(t *testing.T, opts []AllowOption, tests []allowCase) {
	t.Helper()
	mw, err := AllowIPs(allowed, opts...)
	if err != nil {
		t.Fatal(err)
	}
	h := mw(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/webhook", nil)
			r.RemoteAddr = tt.remoteAddr
			for k, vs := range tt.header {
				for _, v := range vs {
					r.Header.Add(k, v)
				}
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tt.want {
				t.Errorf("RemoteAddr %q, header %v: code = %d, want %d", tt.remoteAddr, tt.header, w.Code, tt.want)
			}
			if tt.want == http.StatusForbidden && w.Body.String() != "forbidden\n" {
				t.Errorf("body = %q, want \"forbidden\\n\"", w.Body.String())
			}
		})
	}
}

// Wanted codes: next's 204, or AllowIPs' 403.
const (
	ok   = http.StatusNoContent
	deny = http.StatusForbidden
)

func xff(v ...string) map[string][]string { return map[string][]string{"X-Forwarded-For": v} }

func TestAllowIPsRemoteAddr(t *testing.T) {
	runAllowCases(t, nil, []allowCase{
		{"ipv4 in range", "196.201.214.7:443", nil, ok},
		{"ipv4 range edges", "196.201.214.255:1", nil, ok},
		{"ipv4 outside range", "196.201.215.7:443", nil, deny},
		{"bare ip entry", "41.215.168.12:5000", nil, ok},
		{"bare ip neighbour", "41.215.168.13:5000", nil, deny},
		{"ipv6 in range", "[2001:db8::5]:443", nil, ok},
		{"ipv6 outside range", "[2001:db9::5]:443", nil, deny},
		{"ipv4-mapped peer matches ipv4 entry", "[::ffff:196.201.214.7]:443", nil, ok},
		{"ipv4-mapped peer outside", "[::ffff:196.201.215.7]:443", nil, deny},
		{"ipv4-mapped entry matches ipv4 peer", "203.0.113.9:80", nil, ok},
		{"ipv4-mapped entry matches mapped peer", "[::ffff:203.0.113.9]:80", nil, ok},
		{"ipv6 zone ignored", "[fe80::1%eth0]:80", nil, ok},
		{"no port", "196.201.214.7", nil, ok},
		{"empty RemoteAddr", "", nil, deny},
		{"unix socket peer", "@", nil, deny},
		{"garbage", "example.com:80", nil, deny},
		{"header ignored without a trust option", "6.6.6.6:1", xff("196.201.214.7"), deny},
		{"X-Real-IP ignored without a trust option", "6.6.6.6:1", map[string][]string{"X-Real-Ip": {"196.201.214.7"}}, deny},
	})
}

func TestAllowIPsTrustForwardedFor(t *testing.T) {
	opts := []AllowOption{TrustForwardedFor("10.0.0.0/8", "2001:db8:ffff::1")}
	runAllowCases(t, opts, []allowCase{
		{"client from trusted proxy", "10.0.0.1:1", xff("196.201.214.7"), ok},
		{"denied client from trusted proxy", "10.0.0.1:1", xff("6.6.6.6"), deny},
		{"spoofed left entry ignored", "10.0.0.1:1", xff("6.6.6.6, 196.201.214.7"), ok},
		{"allowed ip spoofed on the left", "10.0.0.1:1", xff("196.201.214.7, 6.6.6.6"), deny},
		{"trusted hops skipped", "10.0.0.1:1", xff("196.201.214.7, 10.9.9.9, 10.0.0.2"), ok},
		{"all lines read, last is right-most", "10.0.0.1:1", xff("6.6.6.6", "196.201.214.7"), ok},
		{"spoofed first line ignored", "10.0.0.1:1", xff("196.201.214.7", "6.6.6.6"), deny},
		{"no header from trusted proxy", "10.0.0.1:1", nil, deny},
		{"only proxies in header", "10.0.0.1:1", xff("10.0.0.2, 10.0.0.3"), deny},
		{"garbage to the right", "10.0.0.1:1", xff("196.201.214.7, garbage"), deny},
		{"empty element", "10.0.0.1:1", xff("196.201.214.7,"), deny},
		{"garbage left of the client is never read", "10.0.0.1:1", xff("garbage, 196.201.214.7"), ok},
		{"entry with port", "10.0.0.1:1", xff("196.201.214.7:5555"), ok},
		{"ipv6 entry with port", "10.0.0.1:1", xff("[2001:db8::5]:5555"), ok},
		{"bracketed ipv6 entry", "10.0.0.1:1", xff("[2001:db8::5]"), ok},
		{"mapped entry", "10.0.0.1:1", xff("::ffff:196.201.214.7"), ok},
		{"ipv6 proxy", "[2001:db8:ffff::1]:1", xff("196.201.214.7"), ok},
		{"mapped proxy address", "[::ffff:10.0.0.1]:1", xff("196.201.214.7"), ok},
		{"spoofed header from untrusted peer", "6.6.6.6:1", xff("196.201.214.7"), deny},
		{"allowed untrusted peer, header ignored", "196.201.214.7:1", xff("6.6.6.6"), ok},
	})
}

func TestAllowIPsTrustForwardedForFailsClosed(t *testing.T) {
	// The proxies are inside the allow-list: a request from a proxy that
	// lost the header must still not get in on the proxy's own address.
	mw, err := AllowIPs([]string{"10.0.0.0/8"}, TrustForwardedFor("10.0.0.0/8"))
	if err != nil {
		t.Fatal(err)
	}
	h := mw(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	for _, header := range [][]string{nil, {""}, {"10.0.0.5"}} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = "10.0.0.1:1"
		for _, v := range header {
			r.Header.Add("X-Forwarded-For", v)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusForbidden {
			t.Errorf("X-Forwarded-For %q from a trusted proxy: code = %d, want 403", header, w.Code)
		}
	}
}

func TestAllowIPsTrustHeader(t *testing.T) {
	realIP := func(v ...string) map[string][]string { return map[string][]string{"X-Real-Ip": v} }
	opts := []AllowOption{TrustHeader("x-real-ip", "10.0.0.1")}
	runAllowCases(t, opts, []allowCase{
		{"client from trusted proxy", "10.0.0.1:1", realIP("196.201.214.7"), ok},
		{"ipv6 client", "10.0.0.1:1", realIP("2001:db8::5"), ok},
		{"denied client", "10.0.0.1:1", realIP("6.6.6.6"), deny},
		{"missing header", "10.0.0.1:1", nil, deny},
		{"repeated header", "10.0.0.1:1", realIP("196.201.214.7", "196.201.214.8"), deny},
		{"list in header", "10.0.0.1:1", realIP("196.201.214.7, 6.6.6.6"), deny},
		{"spoofed from untrusted peer", "10.0.0.2:1", realIP("196.201.214.7"), deny},
		{"X-Forwarded-For not read", "10.0.0.1:1", xff("196.201.214.7"), deny},
	})
}

func TestAllowIPsErrors(t *testing.T) {
	tests := []struct {
		name    string
		cidrs   []string
		opts    []AllowOption
		wantErr string
	}{
		{"nil list", nil, nil, "empty allow-list"},
		{"not an ip", []string{"10.0.0.0/8", "not-an-ip"}, nil, `"not-an-ip"`},
		{"bad prefix length", []string{"10.0.0.0/33"}, nil, `"10.0.0.0/33"`},
		{"ipv6 bad prefix length", []string{"2001:db8::/129"}, nil, `"2001:db8::/129"`},
		{"hostname", []string{"api.provider.example"}, nil, `"api.provider.example"`},
		{"empty entry", []string{"10.0.0.1", ""}, nil, `bad entry ""`},
		{"zone", []string{"fe80::1%eth0"}, nil, "zone"},
		{"short mapped prefix", []string{"::ffff:0:0/95"}, nil, "shorter than /96"},
		{"bad proxy", []string{"10.0.0.1"}, []AllowOption{TrustForwardedFor("10.0.0.0/8", "proxy.local")}, `trusted proxies: bad entry "proxy.local"`},
		{"no proxies", []string{"10.0.0.1"}, []AllowOption{TrustForwardedFor()}, "no trusted proxies"},
		{"TrustHeader on X-Forwarded-For", []string{"10.0.0.1"}, []AllowOption{TrustHeader("x-forwarded-for", "10.0.0.1")}, "use TrustForwardedFor"},
		{"TrustHeader on Forwarded", []string{"10.0.0.1"}, []AllowOption{TrustHeader("Forwarded", "10.0.0.1")}, "not supported"},
		{"TrustHeader empty name", []string{"10.0.0.1"}, []AllowOption{TrustHeader(" ", "10.0.0.1")}, "empty header name"},
		{"two trusted headers", []string{"10.0.0.1"}, []AllowOption{TrustForwardedFor("10.0.0.1"), TrustHeader("X-Real-IP", "10.0.0.1")}, "only one header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mw, err := AllowIPs(tt.cidrs, tt.opts...)
			if err == nil {
				t.Fatal("AllowIPs succeeded, want an error")
			}
			if mw != nil {
				t.Error("AllowIPs returned middleware with an error")
			}
			if !strings.Contains(err.Error(), tt.wantErr) || !strings.HasPrefix(err.Error(), "middleware: AllowIPs: ") {
				t.Errorf("error = %q, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestParsePrefix(t *testing.T) {
	tests := []struct{ in, want string }{
		{"10.1.2.3/8", "10.0.0.0/8"},
		{"41.215.168.12", "41.215.168.12/32"},
		{"2001:db8::1", "2001:db8::1/128"},
		{"::ffff:41.215.168.12", "41.215.168.12/32"},
		{"::ffff:203.0.113.0/120", "203.0.113.0/24"},
		{"::ffff:0.0.0.0/96", "0.0.0.0/0"},
	}
	for _, tt := range tests {
		p, err := parsePrefix(tt.in)
		if err != nil || p.String() != tt.want {
			t.Errorf("parsePrefix(%q) = %v, %v; want %s", tt.in, p, err, tt.want)
		}
	}
}
