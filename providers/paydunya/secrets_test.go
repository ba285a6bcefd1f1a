package paydunya_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/paydunya"
	"github.com/cauripay/cauri/providers/paydunya/paydunyatest"
	"github.com/cauripay/cauri/providers/providertest"
	"github.com/cauripay/cauri/stores/memory"
)

// syncBuffer is a bytes.Buffer for loggers written from several
// goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// noToken fails the test when the invoice token is in text.
func noToken(t *testing.T, where, text, token string) {
	t.Helper()
	if token == "" {
		t.Fatal("no token to look for")
	}
	if strings.Contains(text, token) {
		t.Errorf("the invoice token %q is in the %s: %s", token, where, text)
	}
}

// TestFetchStatusKeepsTokenSecret: the invoice token is the path of the
// invoice's page; however confirm fails, it is in neither the error nor
// the logs.
func TestFetchStatusKeepsTokenSecret(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := paydunyatest.New()
	defer srv.Close()
	var logs syncBuffer
	cfg := srv.Config()
	cfg.Logger = slog.New(slog.NewJSONHandler(&logs, nil))
	p := provider(t, cfg)
	co, err := p.CreateCheckout(ctx, request(order()))
	if err != nil {
		t.Fatal(err)
	}
	tok := co.ProviderRef

	// A fake PayDunya answering every confirm with answer(w, token).
	fake := func(answer func(w http.ResponseWriter, token string)) *paydunya.Provider {
		t.Helper()
		s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			answer(w, r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:])
		}))
		t.Cleanup(s.Close)
		c := config(s.URL)
		c.Logger = cfg.Logger
		return provider(t, c)
	}
	echo := func(status int, ctype, format string) *paydunya.Provider {
		return fake(func(w http.ResponseWriter, token string) {
			w.Header().Set("Content-Type", ctype)
			w.WriteHeader(status)
			_, _ = io.WriteString(w, strings.ReplaceAll(format, "TOKEN", token))
		})
	}
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()

	tests := []struct {
		name  string
		p     *paydunya.Provider
		fault *providertest.Fault
		ref   string
		ctx   func() (context.Context, context.CancelFunc)
	}{
		{name: "500", p: p, fault: &providertest.Fault{Kind: providertest.FaultStatus, Status: 500}},
		{name: "503 with Retry-After", p: p, fault: &providertest.Fault{Kind: providertest.FaultStatus, Status: 503, RetryAfter: time.Second}},
		{name: "404 unknown invoice", p: p, ref: tok + "x"},
		{name: "dropped connection", p: p, fault: &providertest.Fault{Kind: providertest.FaultDrop, Times: 3}},
		{name: "timeout", p: p, fault: &providertest.Fault{Kind: providertest.FaultSlow, Delay: 5 * time.Second},
			ctx: func() (context.Context, context.CancelFunc) { return context.WithTimeout(ctx, 50*time.Millisecond) }},
		{name: "cancelled", p: p, ctx: func() (context.Context, context.CancelFunc) {
			c, cancel := context.WithCancel(ctx)
			cancel()
			return c, cancel
		}},
		{name: "connection refused", p: provider(t, config(closed.URL))},
		{name: "404 echoing the token", p: echo(404, "application/json", `{"response_code":"1002","response_text":"Invoice TOKEN Not Found"}`)},
		{name: "500 echoing the token", p: echo(500, "application/json", `{"response_code":"500","response_text":"confirm/TOKEN failed"}`)},
		{name: "garbage", p: echo(200, "text/html", `<html><body>Invoice TOKEN</body></html>`)},
		{name: "garbage claiming JSON", p: echo(200, "application/json", `{"response_code":"00","status":TOKEN}`)},
		{name: "refusal echoing the token", p: echo(200, "application/json", `{"response_code":"1001","response_text":"TOKEN: invalid"}`)},
		{name: "other mode", p: echo(200, "application/json", `{"response_code":"00","status":"completed","mode":"live","invoice":{"token":"TOKEN"}}`)},
		{name: "another invoice", p: echo(200, "application/json", `{"response_code":"00","status":"completed","invoice":{"token":"TOKENx"}}`)},
		{name: "bad amount", p: echo(200, "application/json", `{"response_code":"00","status":"completed","invoice":{"token":"TOKEN","total_amount":"TOKEN"}}`)},
		{name: "answer too long", p: echo(200, "application/json", `{"response_code":"00","pad":"`+strings.Repeat("x", 1<<20)+`"}`)},
		{name: "bad redirect", p: fake(func(w http.ResponseWriter, token string) {
			w.Header().Set("Location", "/checkout-invoice/confirm/"+token+"/%zz")
			w.WriteHeader(http.StatusFound)
		})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ref := tt.ref
			if ref == "" {
				ref = tok
			}
			if tt.fault != nil {
				srv.InjectFault(providertest.OpStatus, *tt.fault)
				defer srv.InjectFault(providertest.OpStatus, providertest.Fault{Times: -1})
			}
			c, cancel := context.WithCancel(ctx)
			if tt.ctx != nil {
				c, cancel = tt.ctx()
			}
			defer cancel()
			_, err := tt.p.FetchStatus(c, cauri.StatusQuery{PaymentID: "pay_01", ProviderRef: ref, Amount: 5000, Currency: "XOF"})
			if err == nil {
				t.Fatal("no error")
			}
			noToken(t, "error", err.Error(), tok)
			noToken(t, "error", err.Error(), ref)
		})
	}
	noToken(t, "logs", logs.String(), tok)
}

// TestUnknownStatusKeepsTokenSecret: the warning about a status this
// package does not know names the payment, not the invoice token.
func TestUnknownStatusKeepsTokenSecret(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := paydunyatest.New()
	defer srv.Close()
	var logs syncBuffer
	cfg := srv.Config()
	cfg.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	p := provider(t, cfg)
	co, err := p.CreateCheckout(ctx, request(order()))
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.SetStatus(co.ProviderRef, "reversed"); err != nil {
		t.Fatal(err)
	}
	u, err := p.FetchStatus(ctx, cauri.StatusQuery{PaymentID: "pay_01", ProviderRef: co.ProviderRef})
	if err != nil || u.Status != cauri.StatusPending {
		t.Fatalf("FetchStatus = %+v, %v", u, err)
	}
	body, err := srv.ClaimBody(co.ProviderRef, "reversed", true)
	if err != nil {
		t.Fatal(err)
	}
	if u, err := p.ParseWebhook(ipnRequest(string(body)), body); err != nil || u.Status != cauri.StatusPending {
		t.Fatalf("ParseWebhook = %+v, %v", u, err)
	}
	out := logs.String()
	if strings.Count(out, "unknown paydunya invoice status") != 2 || !strings.Contains(out, "payment_id=pay_01") {
		t.Errorf("want two warnings naming pay_01:\n%s", out)
	}
	noToken(t, "logs", out, co.ProviderRef)
}

// TestCreateCheckoutRefusalKeepsTokenSecret: a token that came with a
// refusal stays out of its error.
func TestCreateCheckoutRefusalKeepsTokenSecret(t *testing.T) {
	t.Parallel()
	const tok = "test_S3cr3tT0k3n"
	c := newCapture(t, 200, "application/json", `{"response_code":"1001","response_text":"invoice `+tok+` refused","token":"`+tok+`"}`)
	_, err := provider(t, config(c.srv.URL)).CreateCheckout(context.Background(), request(order()))
	if err == nil || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("err = %v", err)
	}
	noToken(t, "error", err.Error(), tok)
}

// TestKitKeepsTokenSecret runs a kit over the emulator: a notification it
// cannot confirm, a status endpoint and a reconcile pass that fail, and an
// unknown status leave the invoice token out of every log line.
func TestKitKeepsTokenSecret(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := paydunyatest.New()
	defer srv.Close()
	var logs syncBuffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cfg := srv.Config()
	cfg.Logger = log
	p := provider(t, cfg)

	var kit *cauri.Kit
	shop := httptest.NewServer(http.StripPrefix("/pay", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { kit.ServeHTTP(w, r) })))
	defer shop.Close()
	store := memory.New()
	kit, err := cauri.New(cauri.Config{
		Store: store, Providers: []cauri.Provider{p}, PublicURL: shop.URL + "/pay",
		Secret: strings.Repeat("s", 32),
		Order: func(*http.Request, string) (cauri.Order, error) {
			return cauri.Order{ID: "ord-1", Amount: 5000, Currency: "XOF"}, nil
		},
		SuccessURL: "/ok", FailureURL: "/ko", PendingURL: "/wait",
		Logger: log, ProviderTimeout: 200 * time.Millisecond,
		Retry:                 cauri.RetryPolicy{MaxRetries: -1},
		StatusRefreshInterval: time.Nanosecond,
		Reconcile:             cauri.ReconcilePolicy{Grace: time.Nanosecond, MinPollInterval: time.Nanosecond},
	})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, shop.URL+"/pay/checkout/paydunya", nil)
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		PaymentID string `json:"payment_id"`
	}
	err = json.NewDecoder(resp.Body).Decode(&out)
	_ = resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	pay, err := kit.Payment(ctx, out.PaymentID)
	if err != nil || pay.ProviderRef == "" {
		t.Fatalf("payment %+v, %v", pay, err)
	}
	tok := pay.ProviderRef

	// A notification the kit cannot confirm: 503, then dropped calls
	// (net/http sends a GET again once on a fresh connection).
	body, err := srv.ClaimBody(tok, paydunya.StatusCompleted, true)
	if err != nil {
		t.Fatal(err)
	}
	notify := func() int {
		t.Helper()
		resp, err := http.Post(kit.CallbackURL("paydunya", pay.ID), "application/x-www-form-urlencoded", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		return resp.StatusCode
	}
	for _, f := range []providertest.Fault{{Kind: providertest.FaultStatus, Status: 503}, {Kind: providertest.FaultDrop, Times: 3}} {
		srv.InjectFault(providertest.OpStatus, f)
		if code := notify(); code != http.StatusServiceUnavailable {
			t.Errorf("unconfirmed notification: HTTP %d", code)
		}
		srv.InjectFault(providertest.OpStatus, providertest.Fault{Times: -1})
	}
	// A status nobody knows.
	if err := srv.SetStatus(tok, "reversed"); err != nil {
		t.Fatal(err)
	}
	if code := notify(); code != http.StatusOK {
		t.Errorf("notification of an unknown status: HTTP %d", code)
	}
	// The status endpoint and the reconciler meet a garbage answer, then
	// an invoice PayDunya does not know.
	srv.InjectFault(providertest.OpStatus, providertest.Fault{Kind: providertest.FaultStatus, Status: 502})
	if resp, err := http.Get(kit.StatusURL(pay.ID)); err == nil {
		_ = resp.Body.Close()
	}
	srv.InjectFault(providertest.OpStatus, providertest.Fault{Kind: providertest.FaultStatus, Status: 404})
	_, _ = kit.Reconcile(ctx)

	text := logs.String()
	for _, want := range []string{"could not confirm", "unknown paydunya invoice status", "HTTP 502", "payment expired"} {
		if !strings.Contains(text, want) {
			t.Errorf("no %q in the logs:\n%s", want, text)
		}
	}
	noToken(t, "logs", text, tok)
}
