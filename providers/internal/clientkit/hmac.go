package clientkit

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"strings"
	"sync"
)

// Sign returns the lower-case hex HMAC-SHA256 of body's exact bytes under
// secret.
func Sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return hex.EncodeToString(mac.Sum(nil))
}

// Keys returns secrets as HMAC keys, every one.
func Keys(secrets []string) [][]byte {
	keys := make([][]byte, len(secrets))
	for i, s := range secrets {
		keys[i] = []byte(s)
	}
	return keys
}

// NonBlank returns the secrets that are not blank, as HMAC keys. A blank
// secret is most likely an unset environment variable
// (WebhookSecrets: []string{os.Getenv(...)}): it is left out, never a key
// that anyone could sign with; Logger logs that it was.
func NonBlank(secrets []string) [][]byte {
	keys := make([][]byte, 0, len(secrets))
	for _, s := range secrets {
		if strings.TrimSpace(s) != "" {
			keys = append(keys, []byte(s))
		}
	}
	return keys
}

// SignatureErrors are a provider's errors of signature verification.
type SignatureErrors struct {
	// NotSigned is returned for an empty signature.
	NotSigned error
	// Bad is returned for a signature that is unreadable or made with
	// none of the secrets.
	Bad error
}

// Parse reads a signature header's value: 64 hex digits of either case,
// with surrounding spaces and a "sha256=" prefix allowed. It returns the
// signature's bytes, e.NotSigned or e.Bad, and allocates nothing.
func (e SignatureErrors) Parse(header string) (sig [sha256.Size]byte, err error) {
	s := strings.TrimSpace(header)
	if s == "" {
		return sig, e.NotSigned
	}
	if len(s) > 7 && strings.EqualFold(s[:7], "sha256=") {
		s = s[7:]
	}
	if len(s) != hex.EncodedLen(len(sig)) {
		return sig, e.Bad
	}
	if _, err := hex.Decode(sig[:], []byte(s)); err != nil {
		return sig, e.Bad
	}
	return sig, nil
}

// Verify checks header, a signature as Parse reads it, against body under
// each of secrets, in constant time. It returns nil, e.NotSigned or e.Bad.
func (e SignatureErrors) Verify(body []byte, header string, secrets Secrets) error {
	sig, err := e.Parse(header)
	if err != nil {
		return err
	}
	if !secrets.Matches(body, sig[:]) {
		return e.Bad
	}
	return nil
}

// Secrets are a provider's webhook secrets as HMAC-SHA256 states keyed
// with them. hmac.New costs allocations and the key's schedule, so each
// secret keeps a pool of states, reset before each use. The zero value
// has no secret; a Provider makes its Secrets once, in New.
type Secrets struct{ pools []sync.Pool }

// keyedMAC is an HMAC-SHA256 state keyed with one secret, and room for its
// sum.
type keyedMAC struct {
	h   hash.Hash
	sum [sha256.Size]byte
}

// NewSecrets returns keys as Secrets, every one.
func NewSecrets(keys [][]byte) Secrets {
	pools := make([]sync.Pool, len(keys))
	for i, key := range keys {
		pools[i].New = func() any { return &keyedMAC{h: hmac.New(sha256.New, key)} }
	}
	return Secrets{pools: pools}
}

// Len is the number of secrets.
func (s Secrets) Len() int { return len(s.pools) }

// Matches reports whether sig is the HMAC-SHA256 of msg under one of the
// secrets. Every secret is tried, so timing says nothing of which matched.
func (s Secrets) Matches(msg, sig []byte) bool {
	ok := false
	for i := range s.pools {
		m := s.pools[i].Get().(*keyedMAC)
		m.h.Reset()
		m.h.Write(msg)
		if hmac.Equal(m.h.Sum(m.sum[:0]), sig) {
			ok = true
		}
		s.pools[i].Put(m)
	}
	return ok
}
