package cauri_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// TestHandlersCheckMethods: each handler, mounted alone or in the kit,
// answers a method it does not take with 405 and an Allow header naming
// those it takes (JSON to a JSON client, never cached), and serves those.
func TestHandlersCheckMethods(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	p, _ := f.checkout("o-methods", nil)
	path := func(u string) string {
		pu, err := url.Parse(u)
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimPrefix(pu.RequestURI(), "/pay")
	}
	checkout, ret, callback, status := "/checkout/moneroo", path(f.kit.ReturnURL("moneroo", p.ID)),
		path(f.kit.CallbackURL("moneroo", p.ID)), path(f.kit.StatusURL(p.ID))

	tests := []struct {
		name    string
		handler http.Handler // the handler mounted alone
		method  string
		target  string // relative to the kit's mount
		want    int
		allow   string // the Allow header of a 405
	}{
		{name: "checkout GET", handler: f.kit.CheckoutHandler(), method: http.MethodGet, target: checkout, want: 405, allow: "POST"},
		{name: "checkout HEAD", handler: f.kit.CheckoutHandler(), method: http.MethodHead, target: checkout, want: 405, allow: "POST"},
		{name: "checkout PUT", handler: f.kit.CheckoutHandler(), method: http.MethodPut, target: checkout, want: 405, allow: "POST"},
		{name: "return PUT", handler: f.kit.ReturnHandler(), method: http.MethodPut, target: ret, want: 405, allow: "GET, HEAD, POST"},
		{name: "return DELETE", handler: f.kit.ReturnHandler(), method: http.MethodDelete, target: ret, want: 405, allow: "GET, HEAD, POST"},
		{name: "return OPTIONS", handler: f.kit.ReturnHandler(), method: http.MethodOptions, target: ret, want: 405, allow: "GET, HEAD, POST"},
		{name: "return GET", handler: f.kit.ReturnHandler(), method: http.MethodGet, target: ret, want: 303},
		{name: "return HEAD", handler: f.kit.ReturnHandler(), method: http.MethodHead, target: ret, want: 303},
		{name: "return POST", handler: f.kit.ReturnHandler(), method: http.MethodPost, target: ret, want: 303},
		{name: "status POST", handler: f.kit.StatusHandler(), method: http.MethodPost, target: status, want: 405, allow: "GET, HEAD"},
		{name: "status DELETE", handler: f.kit.StatusHandler(), method: http.MethodDelete, target: status, want: 405, allow: "GET, HEAD"},
		{name: "status GET", handler: f.kit.StatusHandler(), method: http.MethodGet, target: status, want: 200},
		{name: "status HEAD", handler: f.kit.StatusHandler(), method: http.MethodHead, target: status, want: 200},
		{name: "webhook GET", handler: f.kit.WebhookHandler(), method: http.MethodGet, target: "/webhooks/moneroo", want: 405, allow: "POST"},
		{name: "webhook PUT", handler: f.kit.WebhookHandler(), method: http.MethodPut, target: "/webhooks/moneroo", want: 405, allow: "POST"},
		{name: "callback GET", handler: f.kit.WebhookHandler(), method: http.MethodGet, target: callback, want: 405, allow: "POST"},
	}
	for _, tt := range tests {
		for _, mount := range []string{"alone", "in the kit"} {
			for _, jsonClient := range []bool{false, true} {
				name := tt.name + ", " + mount
				if jsonClient {
					name += ", JSON"
				}
				t.Run(name, func(t *testing.T) {
					h := http.Header{}
					if jsonClient {
						h.Set("Accept", "application/json")
					}
					var (
						code   int
						header http.Header
						body   []byte
					)
					if mount == "alone" {
						req := httptest.NewRequest(tt.method, "/shop"+tt.target, nil)
						req.Header = h
						rec := httptest.NewRecorder()
						tt.handler.ServeHTTP(rec, req)
						code, header, body = rec.Code, rec.Header(), rec.Body.Bytes()
					} else {
						resp := f.do(tt.method, "/pay"+tt.target, "", nil, h)
						body, _ = io.ReadAll(resp.Body)
						resp.Body.Close()
						code, header = resp.StatusCode, resp.Header
					}
					if code != tt.want {
						t.Fatalf("HTTP %d, want %d: %s", code, tt.want, body)
					}
					if tt.want != http.StatusMethodNotAllowed {
						return
					}
					if got := header.Get("Allow"); got != tt.allow {
						t.Errorf("Allow %q, want %q", got, tt.allow)
					}
					if got := header.Get("Cache-Control"); got != "no-store" {
						t.Errorf("Cache-Control %q, want no-store", got)
					}
					if !jsonClient {
						return
					}
					if ct := header.Get("Content-Type"); ct != "application/json" {
						t.Errorf("Content-Type %q, want application/json", ct)
					}
					if tt.method == http.MethodHead && mount != "alone" {
						return // no body comes back
					}
					var msg struct{ Error string }
					if err := json.Unmarshal(body, &msg); err != nil || msg.Error == "" {
						t.Errorf("body %s, want {\"error\": ...}", body)
					}
				})
			}
		}
	}
}
