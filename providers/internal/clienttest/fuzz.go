package clienttest

import (
	"slices"
	"testing"

	"github.com/cauripay/cauri"
)

// FuzzSigned fuzzes notifications signed with an HMAC, as sign makes
// them. It seeds f with each of seeds three times: signed with secret,
// with a signature that does not verify ("sha256=00"), and unsigned. It
// calls check with each body the fuzzer makes up and the signature
// header it came with; signed is true when that header is sign's
// signature of the body under secret.
func FuzzSigned(f *testing.F, seeds []string, sign func(secret string, body []byte) string, secret string,
	check func(t *testing.T, body []byte, header string, signed bool)) {
	for _, s := range seeds {
		f.Add([]byte(s), true, "")
		f.Add([]byte(s), false, "sha256=00")
		f.Add([]byte(s), false, "")
	}
	f.Fuzz(func(t *testing.T, body []byte, signed bool, header string) {
		if signed {
			header = sign(secret, body)
		}
		check(t, body, header, signed)
	})
}

// CheckFuzzed fails t when u, what a client parsed of a fuzzed
// notification, is not an update the kit may use: its status invalid
// (but for the extra statuses allowed), money negative, or Authenticated
// when it may not be: by a client without secrets (secrets false), with
// no signature that verifies (verified false), or paid without its
// amount and currency.
func CheckFuzzed(t *testing.T, u cauri.Update, secrets, verified bool, allowed ...cauri.Status) {
	t.Helper()
	switch {
	case !u.Status.Valid() && !slices.Contains(allowed, u.Status):
		t.Fatalf("invalid status %q", u.Status)
	case u.Amount < 0 || u.Fee < 0:
		t.Fatalf("negative money: %+v", u)
	case !u.Authenticated:
	case !secrets:
		t.Fatalf("authenticated without secrets: %+v", u)
	case !verified:
		t.Fatalf("authenticated without a valid signature: %+v", u)
	case u.Status == cauri.StatusPaid && (u.Amount <= 0 || u.Currency == ""):
		t.Fatalf("a paid update believed without its money: %+v", u)
	}
}
