package emulator

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestBasic(t *testing.T) {
	refuse := func(status int) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(status) }
	}
	auth := Basic("pk_1", "sk_1", refuse(http.StatusUnauthorized), refuse(http.StatusForbidden))
	cases := map[string]struct {
		header string // Authorization; "basic" sets pk_1:sk_1's
		user   string
		pass   string
		want   int
	}{
		"right":        {header: "basic", user: "pk_1", pass: "sk_1", want: http.StatusOK},
		"none":         {want: http.StatusUnauthorized},
		"not basic":    {header: "Bearer pk_1", want: http.StatusUnauthorized},
		"wrong user":   {header: "basic", user: "pk_2", pass: "sk_1", want: http.StatusForbidden},
		"wrong secret": {header: "basic", user: "pk_1", pass: "sk_2", want: http.StatusForbidden},
		"both empty":   {header: "basic", want: http.StatusForbidden},
	}
	for name, c := range cases {
		r := httptest.NewRequest(http.MethodGet, "/v1/x", nil)
		switch c.header {
		case "basic":
			r.SetBasicAuth(c.user, c.pass)
		case "":
		default:
			r.Header.Set("Authorization", c.header)
		}
		w := httptest.NewRecorder()
		if ok := auth(w, r); ok != (c.want == http.StatusOK) || w.Code != c.want {
			t.Errorf("%s: Basic = %v, %d; want %d", name, ok, w.Code, c.want)
		}
	}
}
