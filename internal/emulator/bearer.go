package emulator

import (
	"crypto/subtle"
	"net/http"
)

// Bearer returns a [Spec.Auth] that takes the calls whose Authorization
// header is "Bearer " and key, compared in constant time, and answers the
// others with refuse: the provider's own refusal, given the request.
func Bearer(key string, refuse http.HandlerFunc) func(w http.ResponseWriter, r *http.Request) bool {
	want := []byte("Bearer " + key)
	return func(w http.ResponseWriter, r *http.Request) bool {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			refuse(w, r)
			return false
		}
		return true
	}
}
