package emulator

import (
	"crypto/subtle"
	"net/http"
)

// Basic returns a [Spec.Auth] that takes the calls whose HTTP Basic
// credentials are user and password, both compared in constant time
// whatever the first gives. It answers a call without Basic credentials
// with missing, and one with other credentials with wrong: the provider's
// own refusals, given the request so that they may speak its language.
func Basic(user, password string, missing, wrong http.HandlerFunc) func(w http.ResponseWriter, r *http.Request) bool {
	return func(w http.ResponseWriter, r *http.Request) bool {
		u, p, ok := r.BasicAuth()
		switch {
		case !ok:
			missing(w, r)
		case subtle.ConstantTimeCompare([]byte(u), []byte(user))&subtle.ConstantTimeCompare([]byte(p), []byte(password)) != 1:
			wrong(w, r)
		default:
			return true
		}
		return false
	}
}
