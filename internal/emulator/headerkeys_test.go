package emulator

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestHeaderKeys(t *testing.T) {
	auth := HeaderKeys(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusUnauthorized) },
		func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusForbidden) }, "x-api-key", "pk_1", "x-api-secret", "sk_1")
	for _, tt := range []struct {
		name, key, secret string
		ok                bool
		status            int
	}{
		{"both right", "pk_1", "sk_1", true, http.StatusOK},
		{"no secret", "pk_1", "", false, http.StatusUnauthorized},
		{"no key", "", "sk_1", false, http.StatusUnauthorized},
		{"wrong secret", "pk_1", "sk_2", false, http.StatusForbidden},
		{"wrong key", "pk_2", "sk_1", false, http.StatusForbidden},
	} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		if tt.key != "" {
			r.Header.Set("x-api-key", tt.key)
		}
		if tt.secret != "" {
			r.Header.Set("x-api-secret", tt.secret)
		}
		w := httptest.NewRecorder()
		if ok := auth(w, r); ok != tt.ok || w.Code != tt.status {
			t.Errorf("%s: auth = %v, %d; want %v, %d", tt.name, ok, w.Code, tt.ok, tt.status)
		}
	}
}
