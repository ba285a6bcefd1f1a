package cauri

import (
	"strings"
	"testing"
)

func TestSignerVerify(t *testing.T) {
	cur := newSigner("current-secret-current-secret-current", []string{"old-secret-old-secret-old-secret-old"})
	old := newSigner("old-secret-old-secret-old-secret-old", nil)
	other := newSigner("other-secret-other-secret-other-secr", nil)
	id := newPaymentID()
	tok := cur.sign(purposeAccess, id)
	tests := []struct {
		name           string
		purpose, id, t string
		want           bool
	}{
		{"valid", purposeAccess, id, tok, true},
		{"signed with the previous secret", purposeAccess, id, old.sign(purposeAccess, id), true},
		{"another key", purposeAccess, id, other.sign(purposeAccess, id), false},
		{"another purpose", purposeCallback, id, tok, false},
		{"another payment", purposeAccess, newPaymentID(), tok, false},
		{"empty", purposeAccess, id, "", false},
		{"truncated", purposeAccess, id, tok[:tokenLen-1], false},
		{"not base64", purposeAccess, id, strings.Repeat("!", tokenLen), false},
		{"flipped", purposeAccess, id, flip(tok), false},
		{"empty id", purposeAccess, "", cur.sign(purposeAccess, ""), false},
	}
	for _, tt := range tests {
		if got := cur.verify(tt.purpose, tt.id, tt.t); got != tt.want {
			t.Errorf("%s: verify = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func flip(s string) string {
	b := []byte(s)
	if b[0] == 'A' {
		b[0] = 'B'
	} else {
		b[0] = 'A'
	}
	return string(b)
}

func TestPaymentID(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := newPaymentID()
		if !validPaymentID(id) {
			t.Fatalf("newPaymentID() = %q is not valid", id)
		}
		if seen[id] {
			t.Fatalf("duplicate ID %q", id)
		}
		seen[id] = true
	}
	for _, bad := range []string{"", "pay_", "pay_../../etc/passwd0000000000", "PAY_" + newPaymentID()[4:], newPaymentID() + "x", "pay_ABCDEFGHJKMNPQRSTVWXYZ01234"} {
		if validPaymentID(bad) {
			t.Errorf("validPaymentID(%q) = true", bad)
		}
	}
}

// FuzzVerifyToken: no token a client sends verifies unless it is the one
// the kit made, and checking never panics.
func FuzzVerifyToken(f *testing.F) {
	s := newSigner("fuzz-secret-fuzz-secret-fuzz-secret-", nil)
	id := "pay_0123456789abcdefghjkmnpqrs"
	good := s.sign(purposeAccess, id)
	f.Add(id, good)
	f.Add(id, "")
	f.Add("", good)
	f.Add(id, good[:20])
	f.Add("pay_x", strings.Repeat("A", tokenLen))
	f.Fuzz(func(t *testing.T, pid, tok string) {
		ok := s.verify(purposeAccess, pid, tok)
		want := pid != "" && tok == s.sign(purposeAccess, pid)
		if ok != want {
			t.Fatalf("verify(%q, %q) = %v, want %v", pid, tok, ok, want)
		}
	})
}
