package clienttest

import "testing"

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
