// Package demo is what the example shops share: running until a signal
// comes ([Main]), reading ADDR, PUBLIC_URL and CAURI_SECRET, serving until
// then ([Serve]), and, for examples/echo and examples/chi, the one-product
// shop itself ([Shop]), so that those two show only how the kit mounts in
// their router.
//
// It is part of the examples, to read, not to import.
package demo

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// Env is the configuration every example shop reads from the
// environment.
type Env struct {
	// Addr is where the shop listens: ADDR.
	Addr string
	// PublicURL is the shop's root as browsers and providers reach it,
	// without a trailing slash: PUBLIC_URL. Empty means http:// and the
	// address listened on. The kit is at PublicURL + "/pay".
	PublicURL string
	// Secret is the kit's token secret: CAURI_SECRET.
	Secret string
}

// LoadEnv reads ADDR (defaultAddr when unset), PUBLIC_URL and
// CAURI_SECRET with getenv, trimmed, and checks them: PUBLIC_URL as
// [CheckPublicURL] does, and CAURI_SECRET's length when it is set.
func LoadEnv(getenv func(string) string, defaultAddr string) (Env, error) {
	get := func(key string) string { return strings.TrimSpace(getenv(key)) }
	e := Env{Addr: get("ADDR"), Secret: get("CAURI_SECRET")}
	if e.Addr == "" {
		e.Addr = defaultAddr
	}
	if raw := get("PUBLIC_URL"); raw != "" {
		u, err := CheckPublicURL(raw)
		if err != nil {
			return Env{}, err
		}
		e.PublicURL = u
	}
	if err := CheckSecret(e.Secret); err != nil {
		return Env{}, err
	}
	return e, nil
}

// CheckSecret requires CAURI_SECRET when a provider is live (live names
// them), and a long one whenever it is set.
func CheckSecret(secret string, live ...string) error {
	switch {
	case secret == "" && len(live) > 0:
		return fmt.Errorf("CAURI_SECRET is required with a real provider (%s): set it to 32 or more random characters (openssl rand -hex 32)", strings.Join(live, ", "))
	case secret != "" && len(secret) < 32:
		return errors.New("CAURI_SECRET is too short: use 32 or more random characters (openssl rand -hex 32)")
	}
	return nil
}

// CheckPublicURL accepts scheme://host[:port], with no path: the shop's
// pages and the kit are at the root of the host. It returns the URL
// without a trailing slash.
func CheckPublicURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		strings.Trim(u.Path, "/") != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", fmt.Errorf("PUBLIC_URL %q: want scheme://host[:port] with no path, such as https://shop.example", raw)
	}
	return u.Scheme + "://" + u.Host, nil
}

// DefaultPublicURL is http:// and the address listened on, with loopback
// for an unspecified host (":8080", "0.0.0.0:8080").
func DefaultPublicURL(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "http://" + addr.String()
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// RandomHex returns n random bytes in hex.
func RandomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}
