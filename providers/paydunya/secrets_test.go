package paydunya_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/internal/emulator/emutest"
	"github.com/cauripay/cauri/internal/secretcheck"
	"github.com/cauripay/cauri/providers/internal/clienttest"
	"github.com/cauripay/cauri/providers/paydunya"
	"github.com/cauripay/cauri/providers/paydunya/paydunyatest"
	"github.com/cauripay/cauri/providers/providertest"
	"github.com/cauripay/cauri/stores/memory"
)

// noToken fails the test when the invoice token is in text.
func noToken(t *testing.T, where, text, token string) {
	t.Helper()
	secretcheck.Absent(t, where, text, token)
}

// TestUnknownStatusKeepsTokenSecret: the warning about a status this
// package does not know names the payment, not the invoice token.
func TestUnknownStatusKeepsTokenSecret(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv, p, logs := clienttest.StartLogging(t, paydunyatest.New, provider)
	co := clienttest.Drive(t, p).Open(request(order()))
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
	_, err := provider(t, config(c.URL)).CreateCheckout(context.Background(), request(order()))
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
	srv := emutest.Start(t, paydunyatest.New)
	var logs secretcheck.Logs
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
		Retry:        cauri.RetryPolicy{MaxRetries: -1},
		PollInterval: time.Nanosecond, MaxPollInterval: time.Nanosecond,
		Reconcile: cauri.ReconcilePolicy{Grace: time.Nanosecond},
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
