package cauri_test

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/providertest"
)

// quickReconcile sets a reconciler that looks at every pending payment at
// once, and polls each at most once a minute.
func quickReconcile(c *cauri.Config) {
	c.Reconcile = cauri.ReconcilePolicy{Grace: time.Nanosecond, Batch: 3, Concurrency: 2}
	c.PollInterval = time.Minute
}

func TestReconcileSettlesLostWebhooks(t *testing.T) {
	f := newFixture(t, withConfig(quickReconcile))
	f.em.SetWebhookPolicy(providertest.WebhookPolicy{Lost: true})
	actions := []providertest.Action{providertest.Pay, providertest.Fail, providertest.Cancel, providertest.Pay, providertest.Pay, providertest.Pay, providertest.Fail}
	want := map[providertest.Action]cauri.Status{providertest.Pay: cauri.StatusPaid, providertest.Fail: cauri.StatusFailed, providertest.Cancel: cauri.StatusCancelled}
	var ids []string
	for i, a := range actions {
		p, co := f.checkout("o-rec-"+string(rune('a'+i)), nil)
		f.act(co, a) // the customer pays, fails or gives up, and closes the tab
		ids = append(ids, p.ID)
	}
	untouched, _ := f.checkout("o-rec-open", nil) // still on the provider's page

	rep, err := f.kit.Reconcile(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Checked != len(actions)+1 || rep.Settled != len(actions) || rep.Errors != 0 {
		t.Errorf("report = %+v, want %d checked, %d settled", rep, len(actions)+1, len(actions))
	}
	for i, id := range ids {
		f.wantStatus(id, want[actions[i]])
		wantCalls := 0
		if actions[i] == providertest.Pay {
			wantCalls = 1
		}
		if calls, _ := f.onPaidCalls(id); calls != wantCalls {
			t.Errorf("payment %d: OnPaid ran %d times, want %d", i, calls, wantCalls)
		}
	}
	f.wantStatus(untouched.ID, cauri.StatusPending)

	// At once again: every payment was polled too recently.
	rep, err = f.kit.Reconcile(context.Background())
	if err != nil || rep.Checked != 0 || rep.Skipped != 1 {
		t.Errorf("second pass = %+v, %v; want the open payment skipped and nothing asked", rep, err)
	}
}

func TestReconcileExpires(t *testing.T) {
	var offset atomic.Int64 // the kit's clock runs ahead by this much
	f := newFixture(t, withConfig(func(c *cauri.Config) {
		quickReconcile(c)
		c.Reconcile.MaxAge = time.Hour
		c.Now = func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	}))
	ctx := context.Background()
	old, _ := f.checkout("o-old", nil) // the customer never paid

	// A payment the provider does not know.
	now := time.Now().UTC()
	ghost := cauri.Payment{ID: "pay_0000000000000000000000ghst", Provider: "moneroo", OrderID: "o-ghost",
		Status: cauri.StatusPending, Amount: orderAmount, Currency: "XOF", CreatedAt: now, UpdatedAt: now}
	if err := f.store.Create(ctx, ghost); err != nil {
		t.Fatal(err)
	}
	if err := f.store.Attach(ctx, ghost.ID, "00000000-dead-beef-0000-000000000000", "https://checkout.example/x", now); err != nil {
		t.Fatal(err)
	}

	// Two hours on, the provider still says initiated about the old one
	// and knows nothing of the ghost: both expire.
	offset.Store(int64(2 * time.Hour))
	rep, err := f.kit.Reconcile(ctx)
	if err != nil || rep.Expired != 2 || rep.Checked != 2 {
		t.Fatalf("report = %+v, %v; want 2 checked, 2 expired", rep, err)
	}
	f.wantStatus(ghost.ID, cauri.StatusExpired)
	f.wantStatus(old.ID, cauri.StatusExpired)
	if p := f.payment(old.ID); p.FailureReason != "pending past the maximum age" {
		t.Errorf("reason = %q", p.FailureReason)
	}
}

func TestReconcileWaitsWithinMaxAge(t *testing.T) {
	f := newFixture(t, withConfig(func(c *cauri.Config) { quickReconcile(c); c.Reconcile.MaxAge = time.Hour }))
	p, _ := f.checkout("o-young", nil)
	rep, err := f.kit.Reconcile(context.Background())
	if err != nil || rep.Checked != 1 || rep.Expired != 0 {
		t.Fatalf("report = %+v, %v", rep, err)
	}
	f.wantStatus(p.ID, cauri.StatusPending)
}

func TestReconcileNeverOverrulesAnUnreachableProvider(t *testing.T) {
	f := newFixture(t, withConfig(func(c *cauri.Config) {
		quickReconcile(c)
		c.Reconcile.MaxAge = time.Nanosecond
		c.Now = func() time.Time { return time.Now().Add(time.Hour) }
	}))
	p, _ := f.checkout("o-unreachable", nil)
	f.em.InjectFault(providertest.OpStatus, providertest.Fault{Kind: providertest.FaultStatus, Status: http.StatusServiceUnavailable, Times: 10})
	rep, err := f.kit.Reconcile(context.Background())
	if err != nil || rep.Errors != 1 || rep.Expired != 0 {
		t.Fatalf("report = %+v, %v; want 1 error and nothing expired", rep, err)
	}
	f.wantStatus(p.ID, cauri.StatusPending)
}

func TestReconcileFinishesCrashedOnPaid(t *testing.T) {
	f := newFixture(t, withConfig(quickReconcile))
	ctx := context.Background()
	p, _ := f.checkout("o-crash", nil)
	now := time.Now().UTC()
	if _, err := f.store.Transition(ctx, p.ID, cauri.StatusPending, cauri.Change{To: cauri.StatusPaid, At: now}); err != nil {
		t.Fatal(err)
	}
	// A process took the lease and died; its lease ran out a moment ago.
	if err := f.store.ClaimOnPaid(ctx, p.ID, "dead-process", now.Add(-time.Minute), time.Second); err != nil {
		t.Fatal(err)
	}
	rep, err := f.kit.Reconcile(ctx)
	if err != nil || rep.Fulfilled != 1 {
		t.Fatalf("report = %+v, %v; want 1 fulfilled", rep, err)
	}
	if calls, ok := f.onPaidCalls(p.ID); calls != 1 || ok != 1 {
		t.Errorf("OnPaid calls = %d, successes = %d", calls, ok)
	}
	if rep, _ := f.kit.Reconcile(ctx); rep.Fulfilled != 0 {
		t.Errorf("second pass fulfilled %d again", rep.Fulfilled)
	}
}

// Several replicas reconciling one store at once settle each payment once.
func TestReconcileReplicas(t *testing.T) {
	f := newFixture(t, withConfig(quickReconcile))
	other, err := cauri.New(cauri.Config{
		Store: f.store, Providers: []cauri.Provider{f.em.Provider()}, PublicURL: f.srv.URL + "/pay", Secret: kitSecret,
		Order:      func(*http.Request, string) (cauri.Order, error) { return cauri.Order{}, cauri.ErrNotFound },
		OnPaid:     f.runOnPaid,
		SuccessURL: "/s", FailureURL: "/f", PendingURL: "/p",
		Reconcile:    cauri.ReconcilePolicy{Grace: time.Nanosecond},
		PollInterval: time.Minute,
	})
	if err != nil {
		t.Fatal(err)
	}
	f.em.SetWebhookPolicy(providertest.WebhookPolicy{Lost: true})
	var ids []string
	for i := range 12 {
		p, co := f.checkout("o-rep-"+string(rune('a'+i)), nil)
		f.act(co, providertest.Pay)
		ids = append(ids, p.ID)
	}
	var wg sync.WaitGroup
	for _, k := range []*cauri.Kit{f.kit, other, f.kit, other} {
		wg.Go(func() {
			if _, err := k.Reconcile(context.Background()); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	for _, id := range ids {
		f.wantStatus(id, cauri.StatusPaid)
		if calls, ok := f.onPaidCalls(id); calls != 1 || ok != 1 {
			t.Errorf("%s: OnPaid calls = %d, successes = %d", id, calls, ok)
		}
	}
}

func TestRunReconciler(t *testing.T) {
	f := newFixture(t, withConfig(quickReconcile))
	f.em.SetWebhookPolicy(providertest.WebhookPolicy{Lost: true})
	// OnPaid runs once the reconciler has settled the payment.
	settled := make(chan struct{})
	var once sync.Once
	f.setOnPaid(func(context.Context, cauri.Payment) error {
		once.Do(func() { close(settled) })
		return nil
	})
	p, co := f.checkout("o-run", nil)
	f.act(co, providertest.Pay)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.kit.RunReconciler(ctx, 10*time.Millisecond) }()
	select {
	case <-settled:
	case <-time.After(time.Minute):
		t.Error("the reconciler never settled the payment")
	}
	cancel()
	if err := <-done; err != context.Canceled {
		t.Errorf("RunReconciler returned %v, want context.Canceled", err)
	}
	f.wantStatus(p.ID, cauri.StatusPaid)
	if err := f.kit.RunReconciler(context.Background(), 0); err == nil {
		t.Error("a zero interval was accepted")
	}
}

// A payment whose checkout is still being opened (no provider reference
// yet) is left alone until it is stale, then expired.
func TestReconcileLeavesOpeningCheckoutsAlone(t *testing.T) {
	var offset atomic.Int64
	f := newFixture(t, withConfig(func(c *cauri.Config) {
		quickReconcile(c)
		c.StaleCheckout = time.Hour
		c.Now = func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	}))
	ctx := context.Background()
	now := time.Now().UTC()
	opening := cauri.Payment{ID: "pay_0000000000000000000000open", Provider: "moneroo", OrderID: "o-opening",
		Status: cauri.StatusPending, Amount: orderAmount, Currency: "XOF", CreatedAt: now, UpdatedAt: now}
	if err := f.store.Create(ctx, opening); err != nil {
		t.Fatal(err)
	}
	if rep, err := f.kit.Reconcile(ctx); err != nil || rep.Expired != 0 {
		t.Fatalf("report = %+v, %v; want nothing expired", rep, err)
	}
	f.wantStatus(opening.ID, cauri.StatusPending)
	if err := f.store.Attach(ctx, opening.ID, "ref-opening", "https://checkout.example/x", now); err != nil {
		t.Fatalf("the checkout could not be recorded after a pass: %v", err)
	}

	stale := opening
	stale.ID, stale.OrderID = "pay_000000000000000000000stale", "o-stale"
	if err := f.store.Create(ctx, stale); err != nil {
		t.Fatal(err)
	}
	offset.Store(int64(2 * time.Hour))
	if _, err := f.kit.Reconcile(ctx); err != nil {
		t.Fatal(err)
	}
	f.wantStatus(stale.ID, cauri.StatusExpired)
}
