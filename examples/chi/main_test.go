package main

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/cauripay/cauri/examples/internal/demotest"
	"github.com/cauripay/cauri/internal/secretcheck"
	"github.com/cauripay/cauri/providers/providertest"
)

// testShop is the command's shop behind its chi router, served by an
// httptest server whose URL is the shop's PUBLIC_URL.
type testShop struct {
	*shop
	srv  *httptest.Server
	logs *secretcheck.Logs
}

func newTestShop(t *testing.T) *testShop {
	t.Helper()
	log, logs := demotest.Logger(t)
	ts := &testShop{logs: logs}
	ts.srv = demotest.Serve(t, func(publicURL string) (http.Handler, error) {
		s, err := newShop(publicURL, "", log)
		if err != nil {
			return nil, err
		}
		t.Cleanup(s.Close) // after the server: an emulator may still be delivering
		ts.shop = s
		return s.router(), nil
	})
	return ts
}

// do sends a request to the shop and returns the status, Location and
// body of its answer.
func (ts *testShop) do(t *testing.T, method, path string, form url.Values) (int, string, string) {
	t.Helper()
	a := demotest.Do(t, ts.srv.URL, method, path, form)
	return a.Code, a.Location, a.Body
}

var orderField = regexp.MustCompile(`<input type="hidden" name="order" value="([^"]+)">`)

// TestShopPays buys through each provider's button: the kit under chi
// sends the customer to the emulator and back, and the shop's pages say
// what happened; a failed payment lands on the sorry page.
func TestShopPays(t *testing.T) {
	for _, name := range []string{"moneroo", "dexchange"} {
		for _, tc := range []struct {
			act   providertest.Action
			page  string
			title string
			paid  bool
		}{
			{providertest.Pay, "/thanks", "Thank you!", true},
			{providertest.Fail, "/sorry", "Payment not completed", false},
		} {
			t.Run(name+"/"+string(tc.act), func(t *testing.T) {
				ts := newTestShop(t)
				code, _, body := ts.do(t, http.MethodGet, "/", nil)
				if code != http.StatusOK || !strings.Contains(body, "Pagne wax, 5000 XOF") ||
					!strings.Contains(body, `action="/pay/checkout/moneroo"`) || !strings.Contains(body, `action="/pay/checkout/dexchange"`) {
					t.Fatalf("GET /: %d\n%s", code, body)
				}
				m := orderField.FindStringSubmatch(body)
				if m == nil {
					t.Fatalf("GET /: no order reference\n%s", body)
				}
				ref := m[1]

				em := ts.emus[name]
				code, checkoutURL, body := ts.do(t, http.MethodPost, "/pay/checkout/"+name, url.Values{"order": {ref}, "amount": {"1"}})
				if code != http.StatusSeeOther || !strings.HasPrefix(checkoutURL, "http://127.0.0.1:") || strings.HasPrefix(checkoutURL, ts.srv.URL) {
					t.Fatalf("checkout: %d to %q, want 303 to the emulator\n%s", code, checkoutURL, body)
				}
				back, err := em.Act(t.Context(), checkoutURL, tc.act)
				if err != nil {
					t.Fatal(err)
				}
				if !strings.HasPrefix(back, ts.srv.URL+"/pay/return/"+name+"/") {
					t.Fatalf("the emulator sent the customer to %q", back)
				}
				code, page, body := ts.do(t, http.MethodGet, strings.TrimPrefix(back, ts.srv.URL), nil)
				if code != http.StatusSeeOther || !strings.HasPrefix(page, tc.page+"?") {
					t.Fatalf("return: %d to %q, want 303 to %s\n%s", code, page, tc.page, body)
				}
				code, _, body = ts.do(t, http.MethodGet, page, nil)
				if code != http.StatusOK || !strings.Contains(body, tc.title) {
					t.Errorf("GET %s: %d\n%s", tc.page, code, body)
				}
				o, _ := ts.Order(ref)
				paidBy := o.PaidBy
				if paid := paidBy != ""; paid != tc.paid {
					t.Errorf("order paid by %q, want paid %v", paidBy, tc.paid)
				}

				// A payment page without its token shows nothing.
				u, _ := url.Parse(page)
				if code, _, _ := ts.do(t, http.MethodGet, tc.page+"?payment_id="+u.Query().Get("payment_id"), nil); code != http.StatusNotFound {
					t.Errorf("payment page without the token: %d, want 404", code)
				}

				// The requests are logged by route, never by URL: the
				// return URL and the payment pages carry tokens.
				logs := ts.logs.String()
				if !strings.Contains(logs, `route=/pay/*`) || !strings.Contains(logs, `route=/thanks`) && !strings.Contains(logs, `route=/sorry`) {
					t.Errorf("no request logged by route:\n%s", logs)
				}
				if token := u.Query().Get("token"); token == "" || strings.Contains(logs, token) {
					t.Errorf("token %q empty or in the logs", token)
				}
			})
		}
	}
}

func TestRunStartsAndStops(t *testing.T) {
	demotest.RunStartsAndStops(t, run,
		regexp.MustCompile(`^cauri chi shop: open (http://127\.0\.0\.1:\d+)/ \(offline: payments on the Moneroo and DEXCHANGE emulators\)\n$`),
		"/", "/metrics")
}
