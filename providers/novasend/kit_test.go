package novasend_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/internal/emulator/emutest"
	"github.com/cauripay/cauri/providers/novasend"
	"github.com/cauripay/cauri/providers/novasend/novasendtest"
	"github.com/cauripay/cauri/providers/providertest"
	"github.com/cauripay/cauri/stores/memory"
)

// kitShop is a kit serving NovaSend's emulator, which sends its webhooks
// to it.
type kitShop struct {
	kit  *cauri.Kit
	srv  *httptest.Server
	emu  *novasendtest.Server
	logs *strings.Builder
}

func newKitShop(t *testing.T, emu *novasendtest.Server, cfg novasend.Config) *kitShop {
	t.Helper()
	p, err := novasend.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ks := &kitShop{emu: emu, logs: new(strings.Builder)}
	ks.srv = httptest.NewServer(http.StripPrefix("/pay", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { ks.kit.ServeHTTP(w, r) })))
	t.Cleanup(ks.srv.Close)
	ks.kit, err = cauri.New(cauri.Config{
		Store: memory.New(), Providers: []cauri.Provider{p}, PublicURL: ks.srv.URL + "/pay",
		Secret: strings.Repeat("s", 32),
		Order: func(*http.Request, string) (cauri.Order, error) {
			return order(), nil
		},
		SuccessURL: "/ok", FailureURL: "/ko", PendingURL: "/wait",
		Logger:       slog.New(slog.NewTextHandler(ks.logs, nil)),
		PollInterval: time.Nanosecond, MaxPollInterval: time.Nanosecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	emu.SetWebhookURL(ks.srv.URL + "/pay/webhooks/novasend")
	return ks
}

// checkout opens a payment through the kit and returns its ID and
// NovaSend's page.
func (ks *kitShop) checkout(t *testing.T) (id, page string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, ks.srv.URL+"/pay/checkout/novasend", nil)
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		PaymentID   string `json:"payment_id"`
		CheckoutURL string `json:"checkout_url"`
	}
	if body, _ := io.ReadAll(resp.Body); resp.StatusCode != http.StatusOK || json.Unmarshal(body, &out) != nil || out.PaymentID == "" {
		t.Fatalf("checkout: HTTP %d %s", resp.StatusCode, body)
	}
	return out.PaymentID, out.CheckoutURL
}

// TestKitWebhookSignatures runs NovaSend's webhooks through the kit, signed
// in each form: one that verifies (over the raw bytes or over
// JSON.stringify's form) settles the payment on its own; one that
// verifies on neither is confirmed with a status call and settles it all
// the same. Every delivery gets 200.
func TestKitWebhookSignatures(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name     string
		opts     []novasendtest.Option
		secrets  func(emu *novasendtest.Server) []string
		believed bool // settled without a status call
	}{
		{name: "raw bytes", believed: true},
		{name: "escaped body signed raw", opts: []novasendtest.Option{novasendtest.WithEscapedWebhooks()}, believed: true},
		{name: "signed as JSON.stringify writes it", opts: []novasendtest.Option{novasendtest.WithStringifiedSignature()}, believed: true},
		{name: "escaped body signed as JSON.stringify writes it, as documented",
			opts: []novasendtest.Option{novasendtest.WithEscapedWebhooks(), novasendtest.WithStringifiedSignature()}, believed: true},
		{name: "rotated: the old secret and the new",
			opts:     []novasendtest.Option{novasendtest.WithEscapedWebhooks(), novasendtest.WithStringifiedSignature()},
			secrets:  func(emu *novasendtest.Server) []string { return []string{"whsec_old", emu.WebhookSecret} },
			believed: true},
		{name: "a secret that signs neither form",
			opts:    []novasendtest.Option{novasendtest.WithEscapedWebhooks(), novasendtest.WithStringifiedSignature()},
			secrets: func(*novasendtest.Server) []string { return []string{"whsec_not_the_portals"} }},
		{name: "no secret", secrets: func(*novasendtest.Server) []string { return nil }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			emu := emutest.Start(t, novasendtest.New, append(tt.opts, novasendtest.WithTransactionInWebhooks())...)
			cfg := emu.Config()
			if tt.secrets != nil {
				cfg.WebhookSecrets = tt.secrets(emu)
			}
			ks := newKitShop(t, emu, cfg)
			id, page := ks.checkout(t)
			emutest.Act(t, emu.Act, page, providertest.Pay)
			// The webhook was delivered and answered when Act returned.
			ds := emu.Deliveries()
			if len(ds) != 1 || ds[0].StatusCode != http.StatusOK {
				t.Fatalf("deliveries %+v", ds)
			}
			p, err := ks.kit.Payment(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			if p.Status != cauri.StatusPaid || p.Amount != 5000 {
				t.Errorf("payment %+v, want paid", p)
			}
			calls := mustPayin(t, emu, id).StatusCalls
			if tt.believed && len(calls) != 0 || !tt.believed && len(calls) != 1 {
				t.Errorf("%d status calls; believed %v", len(calls), tt.believed)
			}
			if strings.Contains(ks.logs.String(), emu.WebhookSecret) || strings.Contains(ks.logs.String(), ds[0].Header.Get(novasend.SignatureHeader)) {
				t.Error("a secret or a signature was logged")
			}
		})
	}
}

// TestKitForgedWebhook: a forgery is confirmed with NovaSend, which
// denies it; nothing changes.
func TestKitForgedWebhook(t *testing.T) {
	t.Parallel()
	emu := emutest.Start(t, novasendtest.New)
	ks := newKitShop(t, emu, emu.Config())
	id, _ := ks.checkout(t)
	p, _ := ks.kit.Payment(context.Background(), id)
	if err := emu.Forge(context.Background(), ks.srv.URL+"/pay/webhooks/novasend", p.ProviderRef); err != nil {
		t.Fatal(err)
	}
	ds := emu.Deliveries()
	if last := ds[len(ds)-1]; !last.Forged || last.StatusCode != http.StatusOK {
		t.Errorf("forged delivery answered %d", last.StatusCode)
	}
	if p, _ := ks.kit.Payment(context.Background(), id); p.Status != cauri.StatusPending {
		t.Errorf("after a forgery: %s", p.Status)
	}
	if calls := mustPayin(t, emu, id).StatusCalls; len(calls) != 1 {
		t.Errorf("%d status calls, want the one confirming the forgery", len(calls))
	}
}

// TestKitStatusWithoutTransaction: NovaSend answering status calls with no
// transaction object. Only transaction.status says a payin is paid, so a
// payin the customer accepted stays pending, however often it is asked
// about; a declined or expired one is settled by what the answer does say.
func TestKitStatusWithoutTransaction(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		act  func(ctx context.Context, emu *novasendtest.Server, page, ref string) error
		want cauri.Status
		raw  string
	}{
		{func(ctx context.Context, emu *novasendtest.Server, page, _ string) error {
			_, err := emu.Act(ctx, page, providertest.Pay)
			return err
		}, cauri.StatusPending, "processed/accepted/"},
		{func(ctx context.Context, emu *novasendtest.Server, page, _ string) error {
			_, err := emu.Act(ctx, page, providertest.Cancel)
			return err
		}, cauri.StatusFailed, "processing/declined/"},
		{func(ctx context.Context, emu *novasendtest.Server, _, ref string) error {
			return emu.Expire(ctx, ref)
		}, cauri.StatusExpired, "expired/expired/"},
	} {
		t.Run(string(tt.want), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			emu := emutest.Start(t, novasendtest.New, novasendtest.WithoutTransactionInStatus())
			ks := newKitShop(t, emu, emu.Config())
			id, page := ks.checkout(t)
			p, _ := ks.kit.Payment(ctx, id)
			if err := tt.act(ctx, emu, page, p.ProviderRef); err != nil {
				t.Fatal(err)
			}
			// The webhook (the documented body: no transaction either) was
			// confirmed with a status call, whose answer was settled.
			ds := emu.Deliveries()
			if len(ds) != 1 || ds[0].StatusCode != http.StatusOK {
				t.Fatalf("deliveries %+v", ds)
			}
			if calls := mustPayin(t, emu, id).StatusCalls; len(calls) != 1 {
				t.Errorf("%d status calls, want 1", len(calls))
			}
			p, err := ks.kit.Payment(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if p.Status != tt.want {
				t.Errorf("payment %s, want %s", p.Status, tt.want)
			}
			u, err := emu.Provider().FetchStatus(ctx, cauri.StatusQuery{PaymentID: id, ProviderRef: p.ProviderRef})
			if err != nil || u.RawStatus != tt.raw || u.Status != tt.want {
				t.Errorf("NovaSend's word: %+v, %v; want %s", u, err, tt.raw)
			}
		})
	}
}

// TestKitFeePaidByCustomer: NovaSend's documented webhook reports the
// amount charged with the fee the customer paid (5100 for a 5000 order,
// fee 100): through the kit it settles the payment as an ordinary one, no
// surplus to give back; a report of less than the order never settles.
func TestKitFeePaidByCustomer(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name       string
		delta      int64 // what the provider reports beyond what was charged
		want       cauri.Status
		wantCode   int
		wantAmount int64
	}{
		{"the order and the fee", 0, cauri.StatusPaid, http.StatusOK, 5100},
		{"less than the order", -200, cauri.StatusPending, http.StatusUnprocessableEntity, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			emu := emutest.Start(t, novasendtest.New, novasendtest.WithFeePaidByCustomer(), novasendtest.WithTransactionInWebhooks())
			emu.ReportAmountDelta(tt.delta)
			ks := newKitShop(t, emu, emu.Config())
			id, page := ks.checkout(t)
			emutest.Act(t, emu.Act, page, providertest.Pay)
			ds := emu.Deliveries()
			if len(ds) == 0 || ds[0].StatusCode != tt.wantCode {
				t.Fatalf("deliveries %+v, want the first answered %d", ds, tt.wantCode)
			}
			p, err := ks.kit.Payment(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if p.Status != tt.want || p.Received != tt.wantAmount || p.Surplus() != 0 {
				t.Errorf("payment %s, received %d, surplus %d; want %s, %d, 0", p.Status, p.Received, p.Surplus(), tt.want, tt.wantAmount)
			}
		})
	}
}
