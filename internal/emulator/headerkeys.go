package emulator

import (
	"crypto/subtle"
	"net/http"
)

// HeaderKeys returns a [Spec.Auth] that takes the calls carrying each of
// the headers kv names with its value (name, value, ...), compared in
// constant time, all of them whatever the first gives. It answers a call
// missing one of the headers with missing, and one whose values differ
// with wrong: the provider's own refusals, given the request.
func HeaderKeys(missing, wrong http.HandlerFunc, kv ...string) func(w http.ResponseWriter, r *http.Request) bool {
	return func(w http.ResponseWriter, r *http.Request) bool {
		same := 1
		for i := 0; i+1 < len(kv); i += 2 {
			got := r.Header.Get(kv[i])
			if got == "" {
				missing(w, r)
				return false
			}
			same &= subtle.ConstantTimeCompare([]byte(got), []byte(kv[i+1]))
		}
		if same != 1 {
			wrong(w, r)
		}
		return same == 1
	}
}
