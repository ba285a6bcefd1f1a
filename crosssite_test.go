package cauri_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cauripay/cauri"
)

// TestCheckoutRefusesCrossSitePosts: a browser's post from another site
// cannot start a payment; the shop's own pages, servers and clients that
// send neither Sec-Fetch-Site nor Origin can; and the switch lets every
// post through.
func TestCheckoutRefusesCrossSitePosts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		allow  bool   // Config.AllowCrossSiteCheckout
		public string // Config.PublicURL, when not the loopback server's
		site   string // Sec-Fetch-Site
		origin string // Origin; "PUBLIC" is the loopback server's
		host   string // Host, when not the loopback server's
		json   bool
		want   int
	}{
		{name: "cross-site", site: "cross-site", origin: "https://evil.example", want: 403},
		{name: "cross-site, JSON", site: "cross-site", origin: "https://evil.example", json: true, want: 403},
		{name: "same-site", site: "same-site", origin: "https://sub.evil.example", want: 403},
		{name: "cross-site without Origin", site: "cross-site", want: 403},
		{name: "same-origin", site: "same-origin", origin: "PUBLIC", want: 303},
		{name: "typed in the address bar", site: "none", want: 303},
		{name: "old browser, Origin of another site", origin: "https://evil.example", want: 403},
		{name: "old browser, Origin null", origin: "null", want: 403},
		{name: "old browser, Origin of the Host", origin: "http://internal.backend:8080", host: "internal.backend:8080", want: 303},
		{name: "behind a proxy, Origin of PublicURL", origin: "PUBLIC", host: "internal.backend:8080", want: 303},
		{name: "behind a proxy, Origin of PublicURL, same-site", site: "same-site", origin: "PUBLIC", host: "internal.backend:8080", want: 303},
		{name: "PublicURL with its default port", public: "https://Shop.Example:443/pay", origin: "https://shop.example", host: "internal.backend:8080", want: 303},
		{name: "PublicURL on another scheme", public: "https://shop.example/pay", origin: "http://shop.example", host: "internal.backend:8080", want: 403},
		{name: "absolute SuccessURL's origin", site: "same-site", origin: "https://www.shop.example", host: "internal.backend:8080", want: 303},
		{name: "neither header (a server, curl)", want: 303},
		{name: "neither header, JSON", json: true, want: 200},
		{name: "switch on, cross-site", allow: true, site: "cross-site", origin: "https://evil.example", want: 303},
		{name: "switch on, Origin of another site", allow: true, origin: "https://evil.example", json: true, want: 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, withConfig(func(c *cauri.Config) {
				c.AllowCrossSiteCheckout = tt.allow
				c.SuccessURL = "https://www.shop.example/thanks"
				if tt.public != "" {
					c.PublicURL = tt.public
				}
			}))
			req, err := http.NewRequest(http.MethodPost, f.srv.URL+"/pay/checkout/moneroo", strings.NewReader(url.Values{"order": {"o-1"}}.Encode()))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tt.site != "" {
				req.Header.Set("Sec-Fetch-Site", tt.site)
			}
			if tt.origin == "PUBLIC" {
				tt.origin = f.srv.URL
			}
			if tt.origin != "" {
				req.Header.Set("Origin", tt.origin)
			}
			if tt.host != "" {
				req.Host = tt.host
			}
			if tt.json {
				req.Header.Set("Accept", "application/json")
			}
			resp, err := f.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Fatalf("HTTP %d, want %d", resp.StatusCode, tt.want)
			}
			refused := f.counter("cauri_checkouts_total", "provider", "moneroo", "outcome", "cross_site")
			created := f.counter("cauri_checkouts_total", "provider", "moneroo", "outcome", "created")
			if tt.want == http.StatusForbidden {
				if refused != 1 || created != 0 {
					t.Errorf("cross_site %v, created %v; want 1, 0", refused, created)
				}
				if n := f.counter("cauri_provider_requests_total", "operation", "create"); n != 0 {
					t.Errorf("the provider was asked to open %v checkouts", n)
				}
				if tt.json {
					var body struct{ Error string }
					if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || body.Error == "" ||
						!strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
						t.Errorf("JSON error: %+v, %v, Content-Type %q", body, err, resp.Header.Get("Content-Type"))
					}
				}
				return
			}
			if refused != 0 || created != 1 {
				t.Errorf("cross_site %v, created %v; want 0, 1", refused, created)
			}
		})
	}
}
