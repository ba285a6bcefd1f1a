package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/examples/internal/demo"
	"github.com/cauripay/cauri/examples/internal/demotest"
	"github.com/cauripay/cauri/internal/secretcheck"
	"github.com/cauripay/cauri/internal/testmetrics"
	"github.com/cauripay/cauri/providers/providertest"
)

// mountHandlers mounts each of the kit's handlers on its own echo route,
// as examples/echo's doc shows: the alternative to mountKit.
func mountHandlers(e *echo.Echo, kit *cauri.Kit) {
	e.POST("/pay/checkout/:provider", echo.WrapHandler(kit.CheckoutHandler()))
	e.GET("/pay/return/:provider/:id/:token", echo.WrapHandler(kit.ReturnHandler()))
	e.POST("/pay/return/:provider/:id/:token", echo.WrapHandler(kit.ReturnHandler()))
	e.POST("/pay/webhooks/:provider", echo.WrapHandler(kit.WebhookHandler()))
	e.POST("/pay/webhooks/:provider/:id/:token", echo.WrapHandler(kit.WebhookHandler()))
	e.GET("/pay/payments/:id", echo.WrapHandler(kit.StatusHandler()))
}

// mounts are the two ways of putting the kit in echo; every flow test runs
// through both.
var mounts = []struct {
	name  string
	mount func(*echo.Echo, *cauri.Kit)
}{
	{"kit", mountKit},
	{"handlers", mountHandlers},
}

// testShop is the shop on the emulator, served through echo by an
// httptest server whose URL is the shop's PUBLIC_URL.
type testShop struct {
	*shop
	srv  *httptest.Server
	echo *echo.Echo
	logs *secretcheck.Logs // everything the shop, echo and the kit logged
}

func newTestShop(t *testing.T, mount func(*echo.Echo, *cauri.Kit)) *testShop {
	t.Helper()
	log, logs := demotest.Logger(t)
	ts := &testShop{logs: logs}
	ts.srv = demotest.Serve(t, func(publicURL string) (http.Handler, error) {
		s, err := newShop(config{Env: demo.Env{PublicURL: publicURL}, Logger: log})
		if err != nil {
			return nil, err
		}
		t.Cleanup(s.Close) // after the server: the emulator may still be delivering
		ts.shop, ts.echo = s, s.routes(mount)
		return ts.echo, nil
	})
	if ts.emu == nil {
		t.Fatal("no emulator without MONEROO_SECRET_KEY")
	}
	return ts
}

// do sends a request to the shop (rawURL starting with /) or anywhere
// else, and returns the answer.
func (ts *testShop) do(t *testing.T, method, rawURL string, form url.Values) demotest.Answer {
	t.Helper()
	return demotest.Do(t, ts.srv.URL, method, rawURL, form)
}

func (ts *testShop) get(t *testing.T, rawURL string) demotest.Answer {
	t.Helper()
	return ts.do(t, http.MethodGet, rawURL, nil)
}

var orderField = regexp.MustCompile(`<input type="hidden" name="order" value="([^"]+)">`)

// openOrder loads the home page and returns the order reference of its buy
// form.
func (ts *testShop) openOrder(t *testing.T) string {
	t.Helper()
	a := ts.get(t, "/")
	if a.Code != http.StatusOK || !strings.Contains(a.Body, "Pagne wax, 5000 XOF") || !strings.Contains(a.Body, `action="/pay/checkout/moneroo"`) {
		t.Fatalf("GET /: %d\n%s", a.Code, a.Body)
	}
	m := orderField.FindStringSubmatch(a.Body)
	if m == nil {
		t.Fatalf("GET /: no order reference in the form\n%s", a.Body)
	}
	return m[1]
}

// checkout posts the buy form for order ref and returns the emulator's
// checkout page URL.
func (ts *testShop) checkout(t *testing.T, ref string) string {
	t.Helper()
	a := ts.do(t, http.MethodPost, "/pay/checkout/moneroo", url.Values{"order": {ref}, "amount": {"1"}})
	if a.Code != http.StatusSeeOther || !strings.HasPrefix(a.Location, ts.emu.URL+"/checkout/") {
		t.Fatalf("checkout: %d to %q, want 303 to the emulator\n%s", a.Code, a.Location, a.Body)
	}
	// Echo's middleware ran around the kit.
	if a.Header.Get(echo.HeaderXRequestID) == "" || a.Header.Get("Referrer-Policy") != "same-origin" {
		t.Errorf("checkout answer without echo's request ID or secure headers: %v", a.Header)
	}
	return a.Location
}

// act plays the customer on the emulator's page and returns where Moneroo
// sends them back: the kit's return URL on the shop.
func (ts *testShop) act(t *testing.T, checkoutURL string, a providertest.Action) string {
	t.Helper()
	back, err := ts.emu.Act(t.Context(), checkoutURL, a)
	if err != nil {
		t.Fatalf("%s on the emulator: %v", a, err)
	}
	if !strings.HasPrefix(back, ts.srv.URL+"/pay/return/moneroo/") {
		t.Fatalf("the emulator sent the customer to %q", back)
	}
	return back
}

// comeBack follows the return URL and returns the shop page the kit sent
// the customer to.
func (ts *testShop) comeBack(t *testing.T, returnURL string) string {
	t.Helper()
	a := ts.get(t, returnURL)
	if a.Code != http.StatusSeeOther {
		t.Fatalf("return: %d, want 303\n%s", a.Code, a.Body)
	}
	return a.Location
}

// paymentOf returns the payment_id of a shop page URL.
func paymentOf(t *testing.T, page string) string {
	t.Helper()
	u, err := url.Parse(page)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get("payment_id")
}

// wantOrder checks an order's OnPaid calls and the payment it was paid by.
func (ts *testShop) wantOrder(t *testing.T, ref string, onPaidCalls int, paidBy string) {
	t.Helper()
	o, ok := ts.Order(ref)
	if !ok {
		t.Fatalf("order %s unknown", ref)
	}
	if o.OnPaidCalls != onPaidCalls || o.PaidBy != paidBy {
		t.Errorf("order %s: OnPaid ran %d times, paid by %q; want %d, %q", ref, o.OnPaidCalls, o.PaidBy, onPaidCalls, paidBy)
	}
}

// counter sums a kit metric on the shop's registry.
func (ts *testShop) counter(t *testing.T, name string, labels ...string) float64 {
	t.Helper()
	return testmetrics.Sum(t, ts.Registry, name, labels...)
}

func TestPayFlow(t *testing.T) {
	for _, m := range mounts {
		t.Run(m.name, func(t *testing.T) {
			ts := newTestShop(t, m.mount)
			ref := ts.openOrder(t)
			checkoutURL := ts.checkout(t, ref)
			emuPay, ok := ts.emu.Payment(path.Base(checkoutURL))
			if !ok || emuPay.Amount != demo.ProductPrice || emuPay.Currency != demo.ProductCurrency {
				t.Errorf("the emulator was asked for %+v, want %d %s", emuPay, demo.ProductPrice, demo.ProductCurrency)
			}

			back := ts.act(t, checkoutURL, providertest.Pay)
			page := ts.comeBack(t, back)
			if !strings.HasPrefix(page, "/thanks?") {
				t.Fatalf("after paying, sent to %q, want /thanks?...", page)
			}
			id := paymentOf(t, page)
			a := ts.get(t, page)
			if a.Code != http.StatusOK || !strings.Contains(a.Body, "Thank you") || !strings.Contains(a.Body, `<strong class="status">paid</strong>`) || !strings.Contains(a.Body, ref) {
				t.Fatalf("GET %s: %d\n%s", page, a.Code, a.Body)
			}
			ts.wantOrder(t, ref, 1, id)

			// The other payment pages send a paid payment on to /thanks.
			q := strings.TrimPrefix(page, "/thanks?")
			for _, p := range []string{"/waiting?", "/sorry?"} {
				if a := ts.get(t, p+q); a.Code != http.StatusSeeOther || a.Location != page {
					t.Errorf("GET %s: %d to %q, want 303 to %s", p, a.Code, a.Location, page)
				}
			}
			// The return link again changes nothing; a paid order cannot
			// be paid again.
			if again := ts.comeBack(t, back); again != page {
				t.Errorf("second return: %q, want %q", again, page)
			}
			if a := ts.do(t, http.MethodPost, "/pay/checkout/moneroo", url.Values{"order": {ref}}); a.Code != http.StatusUnprocessableEntity {
				t.Errorf("checkout of a paid order: %d, want 422\n%s", a.Code, a.Body)
			}
			if a := ts.do(t, http.MethodPost, "/pay/checkout/moneroo", url.Values{"order": {"ord_nope"}}); a.Code != http.StatusNotFound {
				t.Errorf("checkout of an unknown order: %d, want 404\n%s", a.Code, a.Body)
			}
			ts.wantOrder(t, ref, 1, id)

			// The kit's status endpoint through echo.
			pq, err := url.ParseQuery(q)
			if err != nil {
				t.Fatal(err)
			}
			statusPath := "/pay/payments/" + id + "?" + url.Values{"token": {pq.Get("token")}}.Encode()
			if a := ts.get(t, statusPath); a.Code != http.StatusOK || !strings.Contains(a.Body, `"status":"paid"`) {
				t.Errorf("GET %s: %d %s", statusPath, a.Code, a.Body)
			}

			// The request log names routes, never the tokens in the URLs.
			logs := ts.logs.String()
			tok := path.Base(strings.SplitN(back, "?", 2)[0])
			if strings.Contains(logs, tok) || strings.Contains(logs, ts.emu.SecretKey) || strings.Contains(logs, ts.emu.WebhookSecret) {
				t.Errorf("a token or secret is in the logs:\n%s", logs)
			}
			wantRoute := map[string]string{"kit": "route=/pay/*", "handlers": "route=/pay/return/:provider/:id/:token"}[m.name]
			if !strings.Contains(logs, wantRoute) || !strings.Contains(logs, "request_id=") {
				t.Errorf("no request log with %s and a request ID:\n%s", wantRoute, logs)
			}
		})
	}
}

func TestFailFlow(t *testing.T) {
	for _, action := range []providertest.Action{providertest.Fail, providertest.Cancel} {
		t.Run(string(action), func(t *testing.T) {
			ts := newTestShop(t, mountKit)
			ref := ts.openOrder(t)
			page := ts.comeBack(t, ts.act(t, ts.checkout(t, ref), action))
			if !strings.HasPrefix(page, "/sorry?") {
				t.Fatalf("after %s, sent to %q, want /sorry?...", action, page)
			}
			a := ts.get(t, page)
			if a.Code != http.StatusOK || !strings.Contains(a.Body, "Try again") || !strings.Contains(a.Body, ref) {
				t.Fatalf("GET %s: %d\n%s", page, a.Code, a.Body)
			}
			ts.wantOrder(t, ref, 0, "")
			// Trying again opens a new payment for the same order.
			if next := ts.checkout(t, ref); path.Base(next) == "" {
				t.Errorf("no second checkout")
			}
		})
	}
}

// TestWebhooks sends Moneroo's notifications through echo: duplicates,
// late ones, forged ones.
func TestWebhooks(t *testing.T) {
	for _, m := range mounts {
		t.Run(m.name+"/duplicates", func(t *testing.T) {
			ts := newTestShop(t, m.mount)
			const copies = 5
			ts.emu.SetWebhookPolicy(providertest.WebhookPolicy{Copies: copies})
			ref := ts.openOrder(t)
			checkoutURL := ts.checkout(t, ref)
			back := ts.act(t, checkoutURL, providertest.Pay)

			ds := ts.emu.Deliveries()
			if len(ds) != copies {
				t.Fatalf("%d deliveries, want %d", len(ds), copies)
			}
			for _, d := range ds {
				if !d.OK() || !strings.HasPrefix(d.URL, ts.srv.URL+"/pay/webhooks/moneroo") {
					t.Errorf("delivery %d to %s: %d %v", d.Copy, d.URL, d.StatusCode, d.Err)
				}
			}
			for outcome, want := range map[string]float64{"accepted": 1, "duplicate": copies - 1, "error": 0, "unauthenticated": 0} {
				if got := ts.counter(t, "cauri_webhooks_total", "provider", "moneroo", "outcome", outcome); got != want {
					t.Errorf("webhooks %s = %v, want %v", outcome, got, want)
				}
			}
			// Settled by the webhooks before the customer is back.
			id := paymentOf(t, ts.comeBack(t, back))
			ts.wantOrder(t, ref, 1, id)

			// A notification signed with another key: 401, nothing moves.
			if err := ts.emu.Forge(t.Context(), ts.srv.URL+"/pay/webhooks/moneroo", path.Base(checkoutURL)); err != nil {
				t.Fatal(err)
			}
			ds = ts.emu.Deliveries()
			if last := ds[len(ds)-1]; last.StatusCode != http.StatusUnauthorized {
				t.Errorf("forged webhook: %d, want 401", last.StatusCode)
			}
			ts.wantOrder(t, ref, 1, id)
		})

		t.Run(m.name+"/after-return", func(t *testing.T) {
			ts := newTestShop(t, m.mount)
			ts.emu.SetWebhookPolicy(providertest.WebhookPolicy{Hold: true, Copies: 2})
			ref := ts.openOrder(t)
			page := ts.comeBack(t, ts.act(t, ts.checkout(t, ref), providertest.Pay))
			if !strings.HasPrefix(page, "/thanks?") {
				t.Fatalf("return before the webhook: sent to %q, want /thanks (the kit asks Moneroo)", page)
			}
			id := paymentOf(t, page)
			ts.wantOrder(t, ref, 1, id)

			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			if err := ts.emu.FlushWebhooks(ctx); err != nil {
				t.Fatal(err)
			}
			for _, d := range ts.emu.Deliveries() {
				if !d.OK() {
					t.Errorf("late delivery %d: %d %v", d.Copy, d.StatusCode, d.Err)
				}
			}
			ts.wantOrder(t, ref, 1, id)
			if got := ts.counter(t, "cauri_payment_transitions_total", "provider", "moneroo"); got != 1 {
				t.Errorf("transitions = %v, want 1", got)
			}
		})
	}
}

func TestWaitingPage(t *testing.T) {
	ts := newTestShop(t, mountKit)
	ts.emu.SetWebhookPolicy(providertest.WebhookPolicy{Hold: true})
	ref := ts.openOrder(t)
	checkoutURL := ts.checkout(t, ref)
	emuPay, ok := ts.emu.Payment(path.Base(checkoutURL))
	if !ok {
		t.Fatal("no payment at the emulator")
	}
	// Back before paying, with a claim of success in the query.
	page := ts.comeBack(t, emuPay.ReturnURL+"?paymentStatus=success")
	if !strings.HasPrefix(page, "/waiting?") {
		t.Fatalf("return while pending: sent to %q, want /waiting?...", page)
	}
	a := ts.get(t, page)
	if a.Code != http.StatusOK || !strings.Contains(a.Body, `<meta http-equiv="refresh" content="3">`) || !strings.Contains(a.Body, `<strong class="status">pending</strong>`) {
		t.Fatalf("GET %s: %d\n%s", page, a.Code, a.Body)
	}
	ts.wantOrder(t, ref, 0, "")

	// The customer pays in another tab; Moneroo's notification comes
	// late, and the waiting page's next reload moves on.
	ts.act(t, checkoutURL, providertest.Pay)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if err := ts.emu.FlushWebhooks(ctx); err != nil {
		t.Fatal(err)
	}
	thanks := "/thanks?" + strings.TrimPrefix(page, "/waiting?")
	if a := ts.get(t, page); a.Code != http.StatusSeeOther || a.Location != thanks {
		t.Fatalf("GET %s once paid: %d to %q, want 303 to %s", page, a.Code, a.Location, thanks)
	}
	ts.wantOrder(t, ref, 1, paymentOf(t, page))
}

func TestPaymentPagesNeedTheToken(t *testing.T) {
	ts := newTestShop(t, mountKit)
	page := ts.comeBack(t, ts.act(t, ts.checkout(t, ts.openOrder(t)), providertest.Pay))
	id := paymentOf(t, page)
	for _, p := range []string{
		"/thanks?payment_id=" + id,
		"/thanks?payment_id=" + id + "&token=forged",
		"/waiting?payment_id=pay_x&token=forged",
		"/sorry",
	} {
		if a := ts.get(t, p); a.Code != http.StatusNotFound || !strings.Contains(a.Body, "not valid") {
			t.Errorf("GET %s: %d, want 404\n%s", p, a.Code, a.Body)
		}
	}
}

func TestMetricsAndRecover(t *testing.T) {
	ts := newTestShop(t, mountKit)
	ts.checkout(t, ts.openOrder(t))
	a := ts.get(t, "/metrics")
	if a.Code != http.StatusOK || !strings.Contains(a.Body, `cauri_checkouts_total{outcome="created",provider="moneroo"} 1`) {
		t.Errorf("GET /metrics: %d\n%.3000s", a.Code, a.Body)
	}

	// Echo's Recover, as the shop configures it, turns a panic into a 500
	// and a log line.
	ts.echo.GET("/boom", func(echo.Context) error { panic("boom") })
	if a := ts.get(t, "/boom"); a.Code != http.StatusInternalServerError {
		t.Errorf("GET /boom: %d, want 500", a.Code)
	}
	if logs := ts.logs.String(); !strings.Contains(logs, `msg=panic route=/boom`) || !strings.Contains(logs, "err=boom") {
		t.Errorf("no panic log:\n%s", logs)
	}
	if a := ts.get(t, "/"); a.Code != http.StatusOK {
		t.Errorf("GET / after a panic: %d", a.Code)
	}
}

func TestLoadConfig(t *testing.T) {
	secret := strings.Repeat("s", 32)
	for _, tc := range []struct {
		name    string
		env     map[string]string
		want    config
		wantErr string
	}{
		{name: "defaults", env: nil, want: config{Env: demo.Env{Addr: "127.0.0.1:8081"}}},
		{name: "public URL", env: map[string]string{"ADDR": ":0", "PUBLIC_URL": "https://shop.example/"}, want: config{Env: demo.Env{Addr: ":0", PublicURL: "https://shop.example"}}},
		{name: "public URL with a path", env: map[string]string{"PUBLIC_URL": "https://shop.example/shop"}, wantErr: "PUBLIC_URL"},
		{name: "live", env: map[string]string{"MONEROO_SECRET_KEY": "sk", "CAURI_SECRET": secret}, want: config{Env: demo.Env{Addr: "127.0.0.1:8081", Secret: secret}, MonerooSecretKey: "sk"}},
		{name: "live without a secret", env: map[string]string{"MONEROO_SECRET_KEY": "sk"}, wantErr: "CAURI_SECRET is required"},
		{name: "short secret", env: map[string]string{"CAURI_SECRET": "short"}, wantErr: "CAURI_SECRET is too short"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := loadConfig(func(k string) string { return tc.env[k] })
			switch {
			case tc.wantErr != "":
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("error %v, want one with %q", err, tc.wantErr)
				}
			case err != nil:
				t.Errorf("error %v", err)
			case got != tc.want:
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestRunStartsAndStops(t *testing.T) {
	demotest.RunStartsAndStops(t, run,
		regexp.MustCompile(`^cauri echo shop: open (http://127\.0\.0\.1:\d+)/ \(offline: payments on the Moneroo emulator at http://127\.0\.0\.1:\d+\)\n$`),
		"/")
}
