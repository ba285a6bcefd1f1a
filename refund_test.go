package cauri_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/internal/testmetrics"
	"github.com/cauripay/cauri/providers/dexpay/dexpaytest"
	"github.com/cauripay/cauri/providers/providertest"
	"github.com/cauripay/cauri/stores/memory"
)

// refundShop is a shop on DEXPAY, which reports refunds, that records its
// OnPaid and OnRefunded calls.
type refundShop struct {
	t   *testing.T
	em  *dexpaytest.Server
	kit *cauri.Kit
	srv *httptest.Server
	reg *prometheus.Registry

	mu         sync.Mutex
	paid       map[string]int
	refunded   map[string]int
	running    map[string]bool // a hook runs for the payment
	overlap    bool            // two hooks ran at once for one payment
	refundFail int             // OnRefunded calls left to fail
}

func newRefundShop(t *testing.T, opts ...dexpaytest.Option) *refundShop {
	t.Helper()
	s := &refundShop{t: t, em: dexpaytest.New(opts...), reg: prometheus.NewRegistry(),
		paid: map[string]int{}, refunded: map[string]int{}, running: map[string]bool{}}
	t.Cleanup(s.em.Close)
	var serve func(http.Handler)
	s.srv, serve = kitServer(t)
	k, err := cauri.New(cauri.Config{
		Store:     memory.New(),
		Providers: []cauri.Provider{s.em.Provider()},
		PublicURL: s.srv.URL + "/pay",
		Secret:    kitSecret,
		Order: func(r *http.Request, _ string) (cauri.Order, error) {
			return cauri.Order{ID: r.FormValue("order"), Amount: 5000, Currency: "XOF", Description: "Order"}, nil
		},
		OnPaid:     func(ctx context.Context, p cauri.Payment) error { return s.hook(s.paid, p, false) },
		OnRefunded: func(ctx context.Context, p cauri.Payment) error { return s.hook(s.refunded, p, true) },
		SuccessURL: "/ok", FailureURL: "/ko", PendingURL: "/wait",
		Registerer: s.reg,
		// Every notification may be confirmed at once: a refund comes
		// days after the payment's last question, not milliseconds.
		PollInterval: 1, MaxPollInterval: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	s.kit = k
	serve(k)
	return s
}

func (s *refundShop) hook(calls map[string]int, p cauri.Payment, refund bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.running[p.ID] {
		s.overlap = true
	}
	calls[p.ID]++
	if refund && s.refundFail > 0 {
		s.refundFail--
		return errors.New("the shop's ledger is down")
	}
	return nil
}

func (s *refundShop) calls(id string) (paid, refunded int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.paid[id], s.refunded[id]
}

// checkout opens a checkout of order and returns the payment and its page.
func (s *refundShop) checkout(order string) (cauri.Payment, string) {
	s.t.Helper()
	resp, err := http.DefaultClient.Do(checkoutRequest(s.t, s.srv.URL+"/pay/checkout/dexpay", url.Values{"order": {order}}))
	if err != nil {
		s.t.Fatal(err)
	}
	out := checkoutAnswer(s.t, resp)
	return s.payment(out.PaymentID), out.CheckoutURL
}

func (s *refundShop) payment(id string) cauri.Payment {
	s.t.Helper()
	return mustGet(s.t, s.kit.Payment, id)
}

// TestRefunds: DEXPAY's word that a paid payment was refunded moves it
// forward to refunded, once, and OnRefunded runs once (after OnPaid,
// never with it), however many copies come, signed or confirmed by the
// reference lookup; a refund claimed for a payment not paid changes
// nothing; a failing OnRefunded is retried by the reconciler.
func TestRefunds(t *testing.T) {
	tests := []struct {
		name string
		opts []dexpaytest.Option
	}{
		{"signed notifications", nil},
		{"unsigned, confirmed by the lookup", []dexpaytest.Option{dexpaytest.WithoutWebhookSignature()}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			s := newRefundShop(t, tt.opts...)
			s.mu.Lock()
			s.refundFail = 1
			s.mu.Unlock()

			p, page := s.checkout("o-refund")
			if _, err := s.em.Act(ctx, page, providertest.Pay); err != nil {
				t.Fatal(err)
			}
			if got := s.payment(p.ID); got.Status != cauri.StatusPaid || !got.Fulfilled() {
				t.Fatalf("after paying: %s, fulfilled %v; want paid and fulfilled", got.Status, got.Fulfilled())
			}
			// The refund's notification: OnRefunded fails once, the kit
			// answers 5xx, and the emulator's retries or the reconciler
			// see it through.
			_ = s.em.Refund(ctx, p.ProviderRef)
			if got := s.payment(p.ID); got.Status != cauri.StatusRefunded {
				t.Fatalf("after the refund: %s, want refunded", got.Status)
			}
			rep, err := s.kit.Reconcile(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for range 3 { // copies, late
				_ = s.em.Notify(ctx, p.ProviderRef)
			}
			got := s.payment(p.ID)
			if got.Status != cauri.StatusRefunded || got.RefundHandledAt.IsZero() || !got.Fulfilled() {
				t.Errorf("in the end: %s, refund handled at %v, fulfilled %v; want refunded, handled, fulfilled", got.Status, got.RefundHandledAt, got.Fulfilled())
			}
			paid, refunded := s.calls(p.ID)
			if paid != 1 || refunded != 2 {
				t.Errorf("OnPaid ran %d times, OnRefunded %d (one failure); want 1 and 2", paid, refunded)
			}
			if rep.Refunded+int(s.metric("cauri_onrefunded_total", "outcome", "ok")) < 1 {
				t.Errorf("reconcile report %+v", rep)
			}
			if n := s.metric("cauri_payment_transitions_total", "to", "refunded"); n != 1 {
				t.Errorf("transitions to refunded counted %v, want 1", n)
			}
			if n := s.metric("cauri_onrefunded_total", "outcome", "ok"); n != 1 {
				t.Errorf("OnRefunded successes counted %v, want 1", n)
			}

			// A refund claimed for a payment still pending changes nothing.
			q, _ := s.checkout("o-refund-pending")
			if err := s.em.SetStatus(q.ProviderRef, dexpaytest.StatusRefunded); err != nil {
				t.Fatal(err)
			}
			_ = s.em.Notify(ctx, q.ProviderRef)
			if got := s.payment(q.ID); got.Status != cauri.StatusPending {
				t.Errorf("a refund claimed for a pending payment moved it to %s", got.Status)
			}
			if _, refunded := s.calls(q.ID); refunded != 0 {
				t.Errorf("OnRefunded ran %d times for a payment never paid", refunded)
			}
			s.mu.Lock()
			defer s.mu.Unlock()
			if s.overlap {
				t.Error("two hooks ran at once for one payment")
			}
		})
	}
}

func (s *refundShop) metric(name string, labels ...string) float64 {
	s.t.Helper()
	return testmetrics.Sum(s.t, s.reg, name, labels...)
}

// TestOnRefundedNeedsARefundStore: a Config with OnRefunded over a Store
// that cannot keep its outcome is refused at New.
func TestOnRefundedNeedsARefundStore(t *testing.T) {
	em := dexpaytest.New()
	defer em.Close()
	_, err := cauri.New(cauri.Config{
		Store:      struct{ cauri.Store }{memory.New()}, // hides RefundStore
		Providers:  []cauri.Provider{em.Provider()},
		PublicURL:  "https://shop.example/pay",
		Secret:     kitSecret,
		Order:      func(*http.Request, string) (cauri.Order, error) { return cauri.Order{}, cauri.ErrNotFound },
		OnRefunded: func(context.Context, cauri.Payment) error { return nil },
		SuccessURL: "/ok", FailureURL: "/ko", PendingURL: "/wait",
	})
	var ve *cauri.ValidationError
	if !errors.As(err, &ve) || !strings.Contains(err.Error(), "OnRefunded") {
		t.Errorf("New = %v, want a ValidationError naming OnRefunded", err)
	}
}
