package cauri

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
)

// Token purposes: a token made for one cannot be used for another.
const (
	purposeAccess   = "access"   // return visits and the status endpoint
	purposeCallback = "callback" // per-payment webhook URLs
)

// tokenLen is the length of a token: base64url of a 256-bit HMAC.
const tokenLen = 43

// signer makes and checks the HMAC tokens the kit puts in the URLs it hands
// out. The first key signs; every key verifies, so secrets can be rotated.
type signer struct{ keys [][]byte }

func newSigner(secret string, previous []string) signer {
	keys := make([][]byte, 0, 1+len(previous))
	keys = append(keys, []byte(secret))
	for _, p := range previous {
		keys = append(keys, []byte(p))
	}
	return signer{keys: keys}
}

func mac(key []byte, purpose, id string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(purpose))
	h.Write([]byte{0})
	h.Write([]byte(id))
	return h.Sum(nil)
}

// sign returns the token for id and purpose under the current key.
func (s signer) sign(purpose, id string) string {
	return base64.RawURLEncoding.EncodeToString(mac(s.keys[0], purpose, id))
}

// verify reports whether tok is a token for id and purpose under any key,
// in time independent of where tok differs.
func (s signer) verify(purpose, id, tok string) bool {
	if len(tok) != tokenLen || id == "" {
		return false
	}
	got, err := base64.RawURLEncoding.Strict().DecodeString(tok)
	if err != nil {
		return false
	}
	ok := false
	for _, k := range s.keys {
		// Check every key: no early exit that would tell which one matched.
		if hmac.Equal(got, mac(k, purpose, id)) {
			ok = true
		}
	}
	return ok
}

var idEncoding = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

// newPaymentID returns "pay_" and 26 characters of 128 random bits.
func newPaymentID() string {
	var b [16]byte
	rand.Read(b[:]) // never fails since Go 1.24
	return "pay_" + idEncoding.EncodeToString(b[:])
}

// validPaymentID reports whether id has the shape newPaymentID gives, so
// that junk from a URL never reaches the store.
func validPaymentID(id string) bool {
	if len(id) != 30 || id[:4] != "pay_" {
		return false
	}
	for i := 4; i < len(id); i++ {
		c := id[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z') {
			return false
		}
	}
	return true
}
