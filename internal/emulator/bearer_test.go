package emulator

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestBearer(t *testing.T) {
	auth := Bearer("sk_1", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusUnauthorized) })
	tests := []struct {
		header string
		ok     bool
	}{
		{"Bearer sk_1", true},
		{"", false},
		{"sk_1", false},
		{"Bearer sk_", false},
		{"Bearer sk_12", false},
		{"bearer sk_1", false},
		{"Basic sk_1", false},
	}
	for _, tt := range tests {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		if tt.header != "" {
			r.Header.Set("Authorization", tt.header)
		}
		w := httptest.NewRecorder()
		if ok := auth(w, r); ok != tt.ok {
			t.Errorf("%q: %v, want %v", tt.header, ok, tt.ok)
		}
		if want := map[bool]int{true: http.StatusOK, false: http.StatusUnauthorized}[tt.ok]; w.Code != want {
			t.Errorf("%q: answered %d, want %d", tt.header, w.Code, want)
		}
	}
}
