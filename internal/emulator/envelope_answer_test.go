package emulator

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestEnvelopeAnswer(t *testing.T) {
	e := testEnvelope("ok.json")
	for _, tt := range []struct {
		name   string
		err    error
		status int
		want   string
	}{
		{"answered", nil, http.StatusOK, `{"success":true,"data":{"name":"x"}}`},
		{"refused", Refused{Status: 429, Code: "SLOW_DOWN", Message: "later"}, 429,
			`{"success":false,"statusCode":429,"message":"later","code":"SLOW_DOWN"}`},
	} {
		w := httptest.NewRecorder()
		w.Header().Set("Retry-After", "5")
		e.Answer(w, httptest.NewRequest(http.MethodGet, "/", nil), http.StatusOK, []byte(`{"name":"x"}`), tt.err)
		if w.Code != tt.status || w.Body.String() != tt.want || w.Header().Get("Retry-After") != "5" {
			t.Errorf("%s: %d %s %v; want %d %s", tt.name, w.Code, w.Body, w.Header(), tt.status, tt.want)
		}
	}
}
