package main

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/providertest"
)

// testShop is the shop on the emulator, served by an httptest server whose
// URL is the shop's PUBLIC_URL.
type testShop struct {
	*shop
	ts     *httptest.Server
	client *http.Client // does not follow redirects
}

func newTestShop(t *testing.T) *testShop {
	t.Helper()
	// The listener comes first: its address is the PublicURL the shop,
	// the kit and the emulator's webhooks need.
	ts := httptest.NewUnstartedServer(nil)
	s, err := newShop(config{
		PublicURL: "http://" + ts.Listener.Addr().String(),
		Logger:    slog.New(slog.NewTextHandler(t.Output(), nil)),
	})
	if err != nil {
		ts.Close()
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	ts.Config.Handler = s.handler()
	ts.Start()
	t.Cleanup(ts.Close)
	if s.emu == nil {
		t.Fatal("no emulator without MONEROO_SECRET_KEY")
	}
	return &testShop{shop: s, ts: ts, client: &http.Client{
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// do sends a request and returns the answer's status, Location and body.
func (ts *testShop) do(t *testing.T, method, rawURL string, form url.Values) (int, string, string) {
	t.Helper()
	if strings.HasPrefix(rawURL, "/") {
		rawURL = ts.ts.URL + rawURL
	}
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(t.Context(), method, rawURL, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := ts.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, res.Header.Get("Location"), string(b)
}

func (ts *testShop) get(t *testing.T, rawURL string) (int, string, string) {
	t.Helper()
	return ts.do(t, http.MethodGet, rawURL, nil)
}

var orderField = regexp.MustCompile(`<input type="hidden" name="order" value="([^"]+)">`)

// openOrder loads the home page and returns the order reference of its buy
// form.
func (ts *testShop) openOrder(t *testing.T) string {
	t.Helper()
	code, _, body := ts.get(t, "/")
	if code != http.StatusOK {
		t.Fatalf("GET /: %d\n%s", code, body)
	}
	if !strings.Contains(body, "Pagne wax, 5\u00a0000\u00a0FCFA") {
		t.Errorf("GET /: no product and price in\n%s", body)
	}
	m := orderField.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("GET /: no order reference in the form\n%s", body)
	}
	return m[1]
}

// checkout posts the buy form and returns the emulator's checkout page URL.
func (ts *testShop) checkout(t *testing.T, form url.Values) string {
	t.Helper()
	code, loc, body := ts.do(t, http.MethodPost, "/pay/checkout/moneroo", form)
	if code != http.StatusSeeOther || !strings.HasPrefix(loc, ts.emu.URL+"/checkout/") {
		t.Fatalf("checkout: %d to %q, want 303 to the emulator\n%s", code, loc, body)
	}
	return loc
}

// payAs opens an order, checks out, plays the customer on the emulator's
// page, and follows the return URL. It returns the order reference and the
// shop page the kit sent the customer to.
func (ts *testShop) payAs(t *testing.T, a providertest.Action) (ref, page string) {
	t.Helper()
	ref = ts.openOrder(t)
	checkoutURL := ts.checkout(t, url.Values{"order": {ref}})

	code, _, body := ts.get(t, checkoutURL)
	if code != http.StatusOK || !strings.Contains(body, "5000 XOF") {
		t.Fatalf("emulator page: %d\n%s", code, body)
	}
	back, err := ts.emu.Act(t.Context(), checkoutURL, a)
	if err != nil {
		t.Fatalf("%s on the emulator: %v", a, err)
	}
	if !strings.HasPrefix(back, ts.ts.URL+"/pay/return/moneroo") {
		t.Fatalf("emulator sent the customer to %q", back)
	}
	code, page, body = ts.get(t, back)
	if code != http.StatusSeeOther {
		t.Fatalf("return: %d, want 303\n%s", code, body)
	}
	return ref, page
}

// orderRow returns the /orders row of order ref.
func (ts *testShop) orderRow(t *testing.T, ref string) string {
	t.Helper()
	code, _, body := ts.get(t, "/orders")
	if code != http.StatusOK {
		t.Fatalf("GET /orders: %d\n%s", code, body)
	}
	m := regexp.MustCompile(`<tr data-order="` + regexp.QuoteMeta(ref) + `">(.*?)</tr>`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("GET /orders: no row for %s\n%s", ref, body)
	}
	return m[1]
}

func TestPayFlow(t *testing.T) {
	ts := newTestShop(t)
	ref, page := ts.payAs(t, providertest.Pay)
	if !strings.HasPrefix(page, "/thanks?") {
		t.Fatalf("after paying, sent to %q, want /thanks?...", page)
	}
	code, _, body := ts.get(t, page)
	if code != http.StatusOK || !strings.Contains(body, "Thank you") || !strings.Contains(body, `<strong class="status">paid</strong>`) || !strings.Contains(body, ref) {
		t.Fatalf("GET %s: %d\n%s", page, code, body)
	}

	row := ts.orderRow(t, ref)
	if !strings.Contains(row, `<td class="status">paid</td>`) || !strings.Contains(row, `<td class="onpaid">1</td>`) {
		t.Errorf("/orders row: want paid with 1 OnPaid call, got\n%s", row)
	}

	// The pending and failure pages send a paid payment on to /thanks.
	q := strings.TrimPrefix(page, "/thanks?")
	for _, p := range []string{"/waiting?", "/sorry?"} {
		if code, loc, _ := ts.get(t, p+q); code != http.StatusSeeOther || loc != page {
			t.Errorf("GET %s: %d to %q, want 303 to %s", p, code, loc, page)
		}
	}
	// The return link visited again changes nothing.
	if code, _, _ := ts.get(t, page); code != http.StatusOK {
		t.Errorf("GET %s again: %d", page, code)
	}

	// A paid order cannot be paid again; an unknown one not at all.
	if code, _, body := ts.do(t, http.MethodPost, "/pay/checkout/moneroo", url.Values{"order": {ref}}); code != http.StatusUnprocessableEntity {
		t.Errorf("checkout of a paid order: %d, want 422\n%s", code, body)
	}
	if code, _, body := ts.do(t, http.MethodPost, "/pay/checkout/moneroo", url.Values{"order": {"ord_nope"}}); code != http.StatusNotFound {
		t.Errorf("checkout of an unknown order: %d, want 404\n%s", code, body)
	}
	if row := ts.orderRow(t, ref); !strings.Contains(row, `<td class="onpaid">1</td>`) {
		t.Errorf("/orders row after all that: want 1 OnPaid call, got\n%s", row)
	}

	code, _, body = ts.get(t, "/metrics")
	if code != http.StatusOK || !strings.Contains(body, "cauri_checkouts_total") || !strings.Contains(body, "cauri_onpaid_total") {
		t.Errorf("GET /metrics: %d, no cauri metrics\n%.2000s", code, body)
	}
}

func TestFailFlow(t *testing.T) {
	ts := newTestShop(t)
	ref, page := ts.payAs(t, providertest.Fail)
	if !strings.HasPrefix(page, "/sorry?") {
		t.Fatalf("after failing, sent to %q, want /sorry?...", page)
	}
	code, _, body := ts.get(t, page)
	if code != http.StatusOK || !strings.Contains(body, `<strong class="status">failed</strong>`) || !strings.Contains(body, "Try again") {
		t.Fatalf("GET %s: %d\n%s", page, code, body)
	}
	if code, loc, _ := ts.get(t, "/thanks?"+strings.TrimPrefix(page, "/sorry?")); code != http.StatusSeeOther || loc != page {
		t.Errorf("GET /thanks of a failed payment: %d to %q, want 303 to %s", code, loc, page)
	}
	row := ts.orderRow(t, ref)
	if !strings.Contains(row, `<td class="status">failed</td>`) || !strings.Contains(row, `<td class="onpaid">0</td>`) {
		t.Errorf("/orders row: want failed with no OnPaid call, got\n%s", row)
	}

	// Trying again opens a new payment for the same order.
	ts.checkout(t, url.Values{"order": {ref}})
	if row := ts.orderRow(t, ref); !strings.Contains(row, `<td class="status">pending</td>`) || !strings.Contains(row, "(2 attempts)") {
		t.Errorf("/orders row after trying again: want a second, pending payment, got\n%s", row)
	}
}

func TestWaitingPage(t *testing.T) {
	ts := newTestShop(t)
	ref := ts.openOrder(t)
	checkoutURL := ts.checkout(t, url.Values{"order": {ref}})
	// Moneroo still says pending when the customer comes back.
	if err := ts.emu.SetStatus(path.Base(checkoutURL), "pending"); err != nil {
		t.Fatal(err)
	}
	ts.mu.Lock()
	id := ts.orders[ref].Payments[0]
	ts.mu.Unlock()
	code, page, body := ts.get(t, ts.kit.ReturnURL("moneroo", id))
	if code != http.StatusSeeOther || !strings.HasPrefix(page, "/waiting?") {
		t.Fatalf("return while pending: %d to %q, want 303 to /waiting?...\n%s", code, page, body)
	}
	code, _, body = ts.get(t, page)
	if code != http.StatusOK || !strings.Contains(body, `<strong class="status" id="status">pending</strong>`) || !strings.Contains(body, "setTimeout(poll, 2000)") {
		t.Fatalf("GET %s: %d\n%s", page, code, body)
	}
	u, err := url.Parse(page)
	if err != nil {
		t.Fatal(err)
	}
	statusURL := "/pay/payments/" + id + "?" + url.Values{"token": {u.Query().Get("token")}}.Encode()
	if js := strings.ReplaceAll(statusURL, "/", `\/`); !strings.Contains(body, `"`+statusURL+`"`) && !strings.Contains(body, `"`+js+`"`) {
		t.Errorf("the waiting page does not poll %s\n%s", statusURL, body)
	}

	// The customer pays after all; the webhook settles the payment.
	if _, err := ts.emu.Act(t.Context(), checkoutURL, providertest.Pay); err != nil {
		t.Fatal(err)
	}
	code, _, body = ts.get(t, statusURL)
	if code != http.StatusOK || !strings.Contains(body, `"status":"paid"`) || !strings.Contains(body, `"final":true`) {
		t.Errorf("GET %s: %d %s", statusURL, code, body)
	}
	thanks := "/thanks?" + u.RawQuery
	if code, loc, _ := ts.get(t, page); code != http.StatusSeeOther || loc != thanks {
		t.Errorf("GET %s once paid: %d to %q, want 303 to %s", page, code, loc, thanks)
	}
}

func TestAmountCannotBeTampered(t *testing.T) {
	ts := newTestShop(t)
	ref := ts.openOrder(t)
	checkoutURL := ts.checkout(t, url.Values{"order": {ref}, "amount": {"1"}, "currency": {"XOF"}, "price": {"1"}})

	emuPay, ok := ts.emu.Payment(path.Base(checkoutURL))
	if !ok {
		t.Fatalf("the emulator has no payment for %s", checkoutURL)
	}
	if emuPay.Amount != 5000 || emuPay.Currency != "XOF" {
		t.Errorf("the emulator was asked for %d %s, want 5000 XOF", emuPay.Amount, emuPay.Currency)
	}

	ts.mu.Lock()
	ids := append([]string(nil), ts.orders[ref].Payments...)
	ts.mu.Unlock()
	if len(ids) != 1 {
		t.Fatalf("order %s has payments %v, want one", ref, ids)
	}
	p, err := ts.kit.Payment(t.Context(), ids[0])
	if err != nil {
		t.Fatal(err)
	}
	if p.Amount != 5000 || p.Currency != "XOF" || p.OrderID != ref || p.Status != cauri.StatusPending {
		t.Errorf("stored payment: %d %s for %s, %s; want 5000 XOF for %s, pending", p.Amount, p.Currency, p.OrderID, p.Status, ref)
	}
}

func TestPaymentPagesNeedTheToken(t *testing.T) {
	ts := newTestShop(t)
	_, page := ts.payAs(t, providertest.Pay)
	u, err := url.Parse(page)
	if err != nil {
		t.Fatal(err)
	}
	id := u.Query().Get("payment_id")
	for _, q := range []string{"", "payment_id=" + id, "payment_id=" + id + "&token=forged", "payment_id=pay_nope&token=x"} {
		if code, _, body := ts.get(t, "/thanks?"+q); code != http.StatusNotFound || strings.Contains(body, "Thank you") {
			t.Errorf("GET /thanks?%s: %d, want 404\n%s", q, code, body)
		}
	}
}

func TestRunNeedsSecretInLiveMode(t *testing.T) {
	env := map[string]string{"MONEROO_SECRET_KEY": "sk_live_x", "ADDR": "127.0.0.1:0"}
	err := run(t.Context(), func(k string) string { return env[k] }, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "CAURI_SECRET") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("run in live mode without CAURI_SECRET: %v, want one line about CAURI_SECRET", err)
	}
}

func TestLoadConfig(t *testing.T) {
	for _, tc := range []struct {
		env     map[string]string
		want    config
		wantErr string
	}{
		{env: nil, want: config{Addr: "127.0.0.1:8080"}},
		{env: map[string]string{"ADDR": ":9000", "PUBLIC_URL": "https://shop.example/"}, want: config{Addr: ":9000", PublicURL: "https://shop.example"}},
		{env: map[string]string{"PUBLIC_URL": "https://shop.example/shop"}, wantErr: "PUBLIC_URL"},
		{env: map[string]string{"PUBLIC_URL": "shop.example"}, wantErr: "PUBLIC_URL"},
		{env: map[string]string{"CAURI_SECRET": "short"}, wantErr: "CAURI_SECRET"},
		{env: map[string]string{"MONEROO_SECRET_KEY": "sk"}, wantErr: "CAURI_SECRET"},
	} {
		got, err := loadConfig(func(k string) string { return tc.env[k] })
		switch {
		case tc.wantErr != "":
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%v: error %v, want one about %s", tc.env, err, tc.wantErr)
			}
		case err != nil:
			t.Errorf("%v: %v", tc.env, err)
		case got != tc.want:
			t.Errorf("%v: %+v, want %+v", tc.env, got, tc.want)
		}
	}
}

func TestRunStartsAndStops(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	env := map[string]string{"ADDR": "127.0.0.1:0"}
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, func(k string) string { return env[k] }, pw)
		_ = pw.Close()
	}()

	lines := bufio.NewReader(pr)
	line, err := lines.ReadString('\n')
	if err != nil {
		t.Fatalf("reading run's first line: %v (run: %v)", err, <-done)
	}
	go func() { _, _ = io.Copy(io.Discard, lines) }()
	m := regexp.MustCompile(`^cauri demo shop: open (http://127\.0\.0\.1:\d+)/ \(offline: payments on the Moneroo emulator at http://127\.0\.0\.1:\d+\)\n$`).FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("first line %q", line)
	}

	res, err := http.Get(m[1] + "/")
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("GET /: %d", res.StatusCode)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run after cancel: %v", err)
		}
	case <-time.After(shutdownTimeout + 5*time.Second):
		t.Fatal("run did not return after its context was cancelled")
	}
	if _, err := http.Get(m[1] + "/"); err == nil {
		t.Error("the server still answers after run returned")
	}
}

func TestDisplayPrice(t *testing.T) {
	for _, tc := range []struct {
		amount   int64
		currency string
		want     string
	}{
		{5000, "XOF", "5\u00a0000\u00a0FCFA"},
		{500, "XAF", "500\u00a0FCFA"},
		{1234567, "GNF", "1\u00a0234\u00a0567\u00a0GNF"},
		{123456, "USD", "1\u00a0234.56\u00a0USD"},
	} {
		if got := displayPrice(tc.amount, tc.currency); got != tc.want {
			t.Errorf("displayPrice(%d, %s) = %q, want %q", tc.amount, tc.currency, got, tc.want)
		}
	}
}
