package cauri_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/internal/secretcheck"
	"github.com/cauripay/cauri/internal/testmetrics"
	"github.com/cauripay/cauri/internal/testorder"
	"github.com/cauripay/cauri/providers/moneroo"
	"github.com/cauripay/cauri/providers/moneroo/monerootest"
	"github.com/cauripay/cauri/providers/providertest"
	"github.com/cauripay/cauri/stores/memory"
)

const (
	kitSecret   = "kit-secret-kit-secret-kit-secret-kit-secret"
	orderAmount = 5000
)

// fixture is a shop: the kit over a store, mounted under /pay on a
// loopback server, with Moneroo's emulator as its provider.
type fixture struct {
	t      testing.TB
	em     *monerootest.Server
	kit    *cauri.Kit
	store  cauri.Store
	srv    *httptest.Server
	reg    *prometheus.Registry
	client *http.Client

	logs secretcheck.Logs

	mu       sync.Mutex
	onPaid   func(context.Context, cauri.Payment) error // nil: succeed
	calls    map[string]int                             // OnPaid calls by payment ID
	ok       map[string]int                             // OnPaid successes by payment ID
	running  int
	maxAtOnc int
}

// fixtureOption edits the fixture's setup.
type fixtureOption func(*fixtureSetup)

type fixtureSetup struct {
	cfg      cauri.Config
	unsigned bool // configure Moneroo with no webhook secret
}

func unsignedWebhooks() fixtureOption { return func(s *fixtureSetup) { s.unsigned = true } }

func withConfig(edit func(*cauri.Config)) fixtureOption {
	return func(s *fixtureSetup) { edit(&s.cfg) }
}

// kitServer starts a loopback server, closed when t ends, that serves
// under /pay the kit handed to serve: a kit is built once the server's
// URL, its PublicURL's root, is known, and handed over before any request.
func kitServer(t testing.TB) (srv *httptest.Server, serve func(http.Handler)) {
	t.Helper()
	var kit http.Handler
	mux := http.NewServeMux()
	mux.Handle("/pay/", http.StripPrefix("/pay", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { kit.ServeHTTP(w, r) })))
	srv = httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, func(h http.Handler) { kit = h }
}

// checkoutRequest is a shop's form starting a checkout at target, asking
// for the JSON answer.
func checkoutRequest(t testing.TB, target string, form url.Values) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	return req
}

// checkoutAnswer reads and closes a checkout's JSON answer, failing t
// unless it is a 200.
func checkoutAnswer(t testing.TB, resp *http.Response) cauri.CheckoutResponse {
	t.Helper()
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("checkout: %v", err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("checkout: HTTP %d: %s", resp.StatusCode, body)
	}
	var out cauri.CheckoutResponse
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatalf("checkout: %v: %s", err, body)
	}
	return out
}

func newFixture(t testing.TB, opts ...fixtureOption) *fixture {
	t.Helper()
	f := &fixture{
		t: t, em: monerootest.New(), reg: prometheus.NewRegistry(),
		calls: map[string]int{}, ok: map[string]int{},
		client: &http.Client{
			Timeout:       10 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
	t.Cleanup(f.em.Close)
	var serve func(http.Handler)
	f.srv, serve = kitServer(t)

	mcfg := f.em.Config()
	setup := fixtureSetup{cfg: cauri.Config{
		Store:      memory.New(),
		PublicURL:  f.srv.URL + "/pay",
		Secret:     kitSecret,
		Order:      testorder.FromForm(orderAmount),
		OnPaid:     f.runOnPaid,
		SuccessURL: "/shop/success", FailureURL: "/shop/failure", PendingURL: "/shop/pending",
		Registerer: f.reg,
		Logger:     slog.New(slog.NewJSONHandler(&f.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Retry:      cauri.RetryPolicy{InitialInterval: time.Millisecond, MaxInterval: 5 * time.Millisecond},
		Breaker:    cauri.BreakerPolicy{ConsecutiveFailures: 3, OpenTimeout: 200 * time.Millisecond},
	}}
	for _, o := range opts {
		o(&setup)
	}
	if setup.unsigned {
		mcfg.WebhookSecrets = nil
	}
	mcfg.Logger = setup.cfg.Logger
	prov, err := moneroo.New(mcfg)
	if err != nil {
		t.Fatal(err)
	}
	setup.cfg.Providers = []cauri.Provider{prov}
	k, err := cauri.New(setup.cfg)
	if err != nil {
		t.Fatalf("cauri.New: %v", err)
	}
	f.kit, f.store = k, setup.cfg.Store
	serve(k)
	f.em.SetWebhookURL(f.webhookURL())
	return f
}

func (f *fixture) runOnPaid(ctx context.Context, p cauri.Payment) error {
	f.mu.Lock()
	f.calls[p.ID]++
	f.running++
	f.maxAtOnc = max(f.maxAtOnc, f.running)
	hook := f.onPaid
	f.mu.Unlock()
	var err error
	if hook != nil {
		err = hook(ctx, p)
	}
	f.mu.Lock()
	f.running--
	if err == nil {
		f.ok[p.ID]++
	}
	f.mu.Unlock()
	return err
}

func (f *fixture) setOnPaid(h func(context.Context, cauri.Payment) error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.onPaid = h
}

func (f *fixture) onPaidCalls(id string) (calls, successes int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[id], f.ok[id]
}

func (f *fixture) webhookURL() string { return f.srv.URL + "/pay/webhooks/moneroo" }

// checkout opens a payment for order through the handler, asking for JSON.
func (f *fixture) checkout(order string, extra url.Values) (cauri.Payment, string) {
	f.t.Helper()
	form := url.Values{"order": {order}}
	for k, v := range extra {
		form[k] = v
	}
	resp, err := f.client.Do(checkoutRequest(f.t, f.srv.URL+"/pay/checkout/moneroo", form))
	if err != nil {
		f.t.Fatalf("checkout: %v", err)
	}
	out := checkoutAnswer(f.t, resp)
	return f.payment(out.PaymentID), out.CheckoutURL
}

func (f *fixture) do(method, path, ctype string, body io.Reader, h http.Header) *http.Response {
	f.t.Helper()
	target := path
	if !strings.HasPrefix(path, "http") {
		target = f.srv.URL + path
	}
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		f.t.Fatal(err)
	}
	for k, v := range h {
		req.Header[k] = v
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := f.client.Do(req)
	if err != nil {
		f.t.Fatalf("%s %s: %v", method, path, err)
	}
	return resp
}

// mustGet is the payment get returns for id, failing t if it returns an
// error.
func mustGet(t testing.TB, get func(context.Context, string) (cauri.Payment, error), id string) cauri.Payment {
	t.Helper()
	p, err := get(context.Background(), id)
	if err != nil {
		t.Fatalf("payment %s: %v", id, err)
	}
	return p
}

// payment is the payment as stored.
func (f *fixture) payment(id string) cauri.Payment {
	f.t.Helper()
	return mustGet(f.t, f.store.Get, id)
}

// historyLines is the payment's history, one line an event that line
// keeps (its second result), in order.
func (f *fixture) historyLines(id string, line func(cauri.Event) (string, bool)) []string {
	f.t.Helper()
	h, err := f.kit.History(context.Background(), id)
	if err != nil {
		f.t.Fatalf("History: %v", err)
	}
	var lines []string
	for _, e := range h {
		if l, keep := line(e); keep {
			lines = append(lines, l)
		}
	}
	return lines
}

// webhookBody is a Moneroo notification about p.
func webhookBody(p cauri.Payment, event, status string, amount int64, currency string) []byte {
	b, _ := json.Marshal(map[string]any{
		"event": event,
		"data": map[string]any{
			"id": p.ProviderRef, "status": status, "amount": amount, "currency": currency,
			"metadata": map[string]string{moneroo.MetaPaymentID: p.ID},
		},
	})
	return b
}

// paidBody is a correct payment.success notification about p.
func paidBody(p cauri.Payment) []byte {
	return webhookBody(p, "payment.success", "success", p.Amount, p.Currency)
}

// sendWebhook posts body to the kit's webhook route with signature sig
// ("" for none) and returns the HTTP status.
func (f *fixture) sendWebhook(target string, body []byte, sig string) int {
	f.t.Helper()
	h := http.Header{}
	if sig != "" {
		h.Set(moneroo.SignatureHeader, sig)
	}
	resp := f.do(http.MethodPost, target, "application/json", bytes.NewReader(body), h)
	resp.Body.Close()
	return resp.StatusCode
}

// signed sends body signed with the emulator's webhook secret.
func (f *fixture) signed(body []byte) int {
	f.t.Helper()
	return f.sendWebhook(f.webhookURL(), body, f.em.Sign(body))
}

// visitReturn follows a return URL and returns the status and Location.
func (f *fixture) visitReturn(u string) (int, string) {
	f.t.Helper()
	resp := f.do(http.MethodGet, u, "", nil, nil)
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Location")
}

func (f *fixture) act(checkoutURL string, a providertest.Action) string {
	f.t.Helper()
	ret, err := f.em.Act(context.Background(), checkoutURL, a)
	if err != nil {
		f.t.Fatal(err)
	}
	return ret
}

// counter sums the samples of a metric family with the given labels.
func (f *fixture) counter(name string, labels ...string) float64 {
	f.t.Helper()
	return testmetrics.Sum(f.t, f.reg, name, labels...)
}

func (f *fixture) wantStatus(id string, want cauri.Status) {
	f.t.Helper()
	if got := f.payment(id).Status; got != want {
		f.t.Errorf("payment status = %s, want %s", got, want)
	}
}

func (f *fixture) logText() string { return f.logs.String() }

func (f *fixture) metricsText() string {
	f.t.Helper()
	rec := httptest.NewRecorder()
	promhttp.HandlerFor(f.reg, promhttp.HandlerOpts{}).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	return rec.Body.String()
}
