package cauri_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/internal/emulator/emutest"
	"github.com/cauripay/cauri/providers/paydunya/paydunyatest"
	"github.com/cauripay/cauri/providers/providertest"
	"github.com/cauripay/cauri/stores/memory"
)

// flakyPayouts is the memory store whose FinishPayout refuses writes as
// told, as a database that fails now and then would, and counts the
// writes that settled a payout.
type flakyPayouts struct {
	*memory.Store
	mu sync.Mutex
	// failFinal is how many writes of a final result (succeeded, failed)
	// to refuse; failAny how many writes of any result, first.
	failFinal, failAny int
	finished           atomic.Int32 // writes that moved a payout to a final status
}

func (s *flakyPayouts) FinishPayout(ctx context.Context, key string, r cauri.PayoutResult, now time.Time) (cauri.Payout, error) {
	s.mu.Lock()
	fail := false
	switch {
	case s.failAny > 0:
		s.failAny--
		fail = true
	case s.failFinal > 0 && r.Status != cauri.PayoutPending:
		s.failFinal--
		fail = true
	}
	s.mu.Unlock()
	if fail {
		return cauri.Payout{}, errors.New("flaky store: write refused")
	}
	p, err := s.Store.FinishPayout(ctx, key, r, now)
	if err == nil && r.Status != cauri.PayoutPending {
		s.finished.Add(1)
	}
	return p, err
}

// payoutKitWith is a kit over PayDunya's emulator and store, on clock.
func payoutKitWith(t *testing.T, pd *paydunyatest.Server, store cauri.Store, clock func() time.Time, edits ...func(*cauri.Config)) (*cauri.Kit, *prometheus.Registry) {
	t.Helper()
	reg := prometheus.NewRegistry()
	cfg := cauri.Config{
		Store:      store,
		Providers:  []cauri.Provider{pd.Provider()},
		PublicURL:  "https://shop.example/pay",
		Secret:     kitSecret,
		Order:      func(*http.Request, string) (cauri.Order, error) { return cauri.Order{}, cauri.ErrNotFound },
		SuccessURL: "/ok", FailureURL: "/ko", PendingURL: "/wait",
		Registerer: reg, ProviderTimeout: 2 * time.Second, Now: clock,
	}
	for _, edit := range edits {
		edit(&cfg)
	}
	k, err := cauri.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return k, reg
}

// TestReconcileSettlesUnrecordedPayout: the provider sent the money, and
// the write that records it failed. A reconcile pass later finds the
// payout pending, asks the provider and records it succeeded, without
// sending anything again. (Before the reconciler looked at payouts, such
// a payout stayed pending for good.)
func TestReconcileSettlesUnrecordedPayout(t *testing.T) {
	ctx := context.Background()
	pd := payDunya(t)
	store := &flakyPayouts{Store: memory.New(), failFinal: 1}
	clock := emutest.NewClock()
	k, _ := payoutKitWith(t, pd, store, clock.Now)

	req := cauri.PayoutRequest{Key: "supplier-7", Account: "771111111", Amount: 4500, Currency: "XOF"}
	res, err := k.Payout(ctx, "paydunya", req)
	if err != nil || res.Status != cauri.PayoutSucceeded {
		t.Fatalf("Payout = %+v, %v; want succeeded", res, err)
	}
	if p, err := store.GetPayout(ctx, req.Key); err != nil || p.Status != cauri.PayoutPending {
		t.Fatalf("stored after the failed write: %+v, %v; want pending", p, err)
	}

	clock.Advance(10 * time.Minute)
	if _, err := k.Reconcile(ctx); err != nil {
		t.Fatal(err)
	}
	p, err := store.GetPayout(ctx, req.Key)
	if err != nil || p.Status != cauri.PayoutSucceeded {
		t.Errorf("after a reconcile pass: %+v, %v; want succeeded", p, err)
	}
	if again, err := k.Payout(ctx, "paydunya", req); err != nil || again.Status != cauri.PayoutSucceeded {
		t.Errorf("the same payout again = %+v, %v; want succeeded, nothing sent", again, err)
	}
}

// TestReconcilePayouts: a pass asks about every payout pending past
// PayoutGrace, a page at a time, records what the provider says, leaves
// young ones alone, reports those nobody can look up, and keeps within the
// provider's rate.
func TestReconcilePayouts(t *testing.T) {
	ctx := context.Background()
	pd := payDunya(t)
	store := &flakyPayouts{Store: memory.New()}
	clock := emutest.NewClock()
	k, reg := payoutKitWith(t, pd, store, clock.Now, func(c *cauri.Config) {
		c.Reconcile = cauri.ReconcilePolicy{Batch: 2, Concurrency: 2}
	})

	pending := func(key string) string {
		t.Helper()
		res, err := k.Payout(ctx, "paydunya", walletPayout(key))
		if err != nil || res.Status != cauri.PayoutPending {
			t.Fatalf("Payout %s = %+v, %v; want pending", key, res, err)
		}
		return res.ProviderRef
	}
	paid, refused := pending("po-paid"), pending("po-refused")
	pending("po-waiting")
	pending("po-waiting-2")
	store.mu.Lock()
	store.failAny = 2 // its reference, then its failure, are not recorded
	store.mu.Unlock()
	if res, err := k.Payout(ctx, "paydunya", walletPayout("po-noref")); err == nil || res.Status != cauri.PayoutFailed {
		t.Fatalf("Payout po-noref = %+v, %v; want failed", res, err)
	}
	if err := pd.SettleDisbursement(paid, paydunyatest.DisburseSuccess); err != nil {
		t.Fatal(err)
	}
	if err := pd.SettleDisbursement(refused, paydunyatest.DisburseFailed); err != nil {
		t.Fatal(err)
	}

	// Within the grace period: nobody is asked.
	clock.Advance(time.Minute)
	rep, err := k.Reconcile(ctx)
	if err != nil || rep.PayoutsChecked != 0 || rep.PayoutsUnresolvable != 0 || requestsTo(pd, "/check-status") != 0 {
		t.Fatalf("pass within the grace period = %+v, %v; want no payout asked about", rep, err)
	}

	clock.Advance(10 * time.Minute)
	young := pending("po-young") // created now: its turn comes later
	if err := pd.SettleDisbursement(young, paydunyatest.DisburseSuccess); err != nil {
		t.Fatal(err)
	}
	rep, err = k.Reconcile(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.PayoutsChecked != 4 || rep.PayoutsResolved != 2 || rep.PayoutsUnresolvable != 1 || rep.PayoutsSkipped != 0 || rep.Errors != 0 {
		t.Errorf("report = %+v; want 4 checked, 2 resolved, 1 unresolvable", rep)
	}
	want := map[string]cauri.PayoutStatus{
		"po-paid": cauri.PayoutSucceeded, "po-refused": cauri.PayoutFailed, "po-waiting": cauri.PayoutPending,
		"po-waiting-2": cauri.PayoutPending, "po-noref": cauri.PayoutPending, "po-young": cauri.PayoutPending,
	}
	for key, status := range want {
		if p, err := store.GetPayout(ctx, key); err != nil || p.Status != status {
			t.Errorf("%s: %+v, %v; want %s", key, p, err, status)
		}
	}
	if got, _ := providertest.MetricSum(reg, "cauri_reconcile_payouts_pending", "provider", "paydunya"); got != 3 {
		t.Errorf("payouts pending after the pass = %v, want 3", got)
	}
	if n := sent(pd); n != 5 {
		t.Errorf("%d sent, want 5: nothing sent again", n)
	}

	// Another kit on the same store, held to one request an hour: one
	// question a pass, the others wait for the next.
	slow, _ := payoutKitWith(t, pd, store, clock.Now, func(c *cauri.Config) {
		c.RateLimits = map[string]cauri.RateLimit{"paydunya": {Requests: 1, Per: time.Hour}}
	})
	asked := requestsTo(pd, "/check-status")
	rep, err = slow.Reconcile(ctx)
	if err != nil || rep.PayoutsChecked != 1 || rep.PayoutsSkipped != 1 || rep.PayoutsUnresolvable != 1 {
		t.Errorf("rate-limited pass = %+v, %v; want 1 checked, 1 skipped, 1 unresolvable", rep, err)
	}
	if n := requestsTo(pd, "/check-status") - asked; n != 1 {
		t.Errorf("the rate-limited pass asked %d times, want 1", n)
	}
}
