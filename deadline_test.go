package cauri_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/paydunya/paydunyatest"
	"github.com/cauripay/cauri/providers/providertest"
	sqlstore "github.com/cauripay/cauri/stores/sql"
)

// deadlineStore is a real store that notes every call the kit makes with
// a context that has no deadline: a call a hung database could pin for
// good.
type deadlineStore struct {
	*sqlstore.Store

	mu      sync.Mutex
	calls   map[string]int // calls by method
	unbound map[string]int // of those, with no deadline
}

func (s *deadlineStore) check(ctx context.Context, method string) {
	_, ok := ctx.Deadline()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[method]++
	if !ok {
		s.unbound[method]++
	}
}

func (s *deadlineStore) Create(ctx context.Context, p cauri.Payment) error {
	s.check(ctx, "Create")
	return s.Store.Create(ctx, p)
}

func (s *deadlineStore) Get(ctx context.Context, id string) (cauri.Payment, error) {
	s.check(ctx, "Get")
	return s.Store.Get(ctx, id)
}

func (s *deadlineStore) GetByProviderRef(ctx context.Context, provider, ref string) (cauri.Payment, error) {
	s.check(ctx, "GetByProviderRef")
	return s.Store.GetByProviderRef(ctx, provider, ref)
}

func (s *deadlineStore) GetPendingByCheckoutKey(ctx context.Context, key string) (cauri.Payment, error) {
	s.check(ctx, "GetPendingByCheckoutKey")
	return s.Store.GetPendingByCheckoutKey(ctx, key)
}

func (s *deadlineStore) Attach(ctx context.Context, id, ref, checkoutURL string, now time.Time) error {
	s.check(ctx, "Attach")
	return s.Store.Attach(ctx, id, ref, checkoutURL, now)
}

func (s *deadlineStore) Transition(ctx context.Context, id string, from cauri.Status, c cauri.Change) (cauri.Payment, error) {
	s.check(ctx, "Transition")
	return s.Store.Transition(ctx, id, from, c)
}

// TransitionClaimingOrder hides the wrapped store's [cauri.OrderMover],
// so that every move goes through Transition above; the kit then claims
// the order itself.
func (s *deadlineStore) TransitionClaimingOrder(ctx context.Context, id string, from cauri.Status, c cauri.Change) (cauri.Payment, string, error) {
	p, err := s.Transition(ctx, id, from, c)
	return p, "", err
}

func (s *deadlineStore) ClaimOnPaid(ctx context.Context, id, owner string, now time.Time, ttl time.Duration) error {
	s.check(ctx, "ClaimOnPaid")
	return s.Store.ClaimOnPaid(ctx, id, owner, now, ttl)
}

func (s *deadlineStore) CompleteOnPaid(ctx context.Context, id, owner string, now time.Time) error {
	s.check(ctx, "CompleteOnPaid")
	return s.Store.CompleteOnPaid(ctx, id, owner, now)
}

func (s *deadlineStore) CompleteOnPaidBatch(ctx context.Context, done []cauri.Completion, now time.Time) (int, error) {
	s.check(ctx, "CompleteOnPaidBatch")
	return s.Store.CompleteOnPaidBatch(ctx, done, now)
}

func (s *deadlineStore) CompleteOnPaidEvents(ctx context.Context, done []cauri.Completion, now time.Time) ([]bool, error) {
	s.check(ctx, "CompleteOnPaidEvents")
	return s.Store.CompleteOnPaidEvents(ctx, done, now)
}

func (s *deadlineStore) ReleaseOnPaid(ctx context.Context, id, owner string) error {
	s.check(ctx, "ReleaseOnPaid")
	return s.Store.ReleaseOnPaid(ctx, id, owner)
}

func (s *deadlineStore) TakePoll(ctx context.Context, id string, now, next time.Time) (bool, error) {
	s.check(ctx, "TakePoll")
	return s.Store.TakePoll(ctx, id, now, next)
}

func (s *deadlineStore) Supersede(ctx context.Context, orderID string, by cauri.Cursor) (int, error) {
	s.check(ctx, "Supersede")
	return s.Store.Supersede(ctx, orderID, by)
}

func (s *deadlineStore) ClaimOrder(ctx context.Context, orderID, id string) (string, error) {
	s.check(ctx, "ClaimOrder")
	return s.Store.ClaimOrder(ctx, orderID, id)
}

func (s *deadlineStore) ListPending(ctx context.Context, olderThan time.Time, after cauri.Cursor, limit int) ([]cauri.Payment, error) {
	s.check(ctx, "ListPending")
	return s.Store.ListPending(ctx, olderThan, after, limit)
}

func (s *deadlineStore) ListUnfulfilled(ctx context.Context, now time.Time, after cauri.Cursor, limit int) ([]cauri.Payment, error) {
	s.check(ctx, "ListUnfulfilled")
	return s.Store.ListUnfulfilled(ctx, now, after, limit)
}

func (s *deadlineStore) AppendEvents(ctx context.Context, id string, events ...cauri.Event) error {
	s.check(ctx, "AppendEvents")
	return s.Store.AppendEvents(ctx, id, events...)
}

func (s *deadlineStore) History(ctx context.Context, id string) ([]cauri.Event, error) {
	s.check(ctx, "History")
	return s.Store.History(ctx, id)
}

func (s *deadlineStore) FindPayments(ctx context.Context, q cauri.PaymentQuery, after cauri.Cursor, limit int) ([]cauri.Payment, error) {
	s.check(ctx, "FindPayments")
	return s.Store.FindPayments(ctx, q, after, limit)
}

func (s *deadlineStore) CreatePayout(ctx context.Context, p cauri.Payout) error {
	s.check(ctx, "CreatePayout")
	return s.Store.CreatePayout(ctx, p)
}

func (s *deadlineStore) GetPayout(ctx context.Context, key string) (cauri.Payout, error) {
	s.check(ctx, "GetPayout")
	return s.Store.GetPayout(ctx, key)
}

func (s *deadlineStore) ListPendingPayouts(ctx context.Context, olderThan time.Time, after cauri.Cursor, limit int) ([]cauri.Payout, error) {
	s.check(ctx, "ListPendingPayouts")
	return s.Store.ListPendingPayouts(ctx, olderThan, after, limit)
}

func (s *deadlineStore) FinishPayout(ctx context.Context, key string, r cauri.PayoutResult, now time.Time) (cauri.Payout, error) {
	s.check(ctx, "FinishPayout")
	return s.Store.FinishPayout(ctx, key, r, now)
}

// TestEveryStoreCallHasADeadline: whichever way a payment goes (checkout,
// reuse, signed and unsigned notifications, duplicates, OnPaid failing
// and retried, return visits, the status endpoint, a reconcile pass, the
// Payment, History and FindPayments accessors, a checkout superseding
// another, and the history each records), no store call is made with a
// context that has no deadline, though neither the requests' contexts nor
// the ones given to Reconcile and the accessors have one.
func TestEveryStoreCallHasADeadline(t *testing.T) {
	tests := []struct {
		name     string
		unsigned bool
	}{
		{"signed notifications", false},
		{"unsigned notifications, confirmed with the provider", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := &deadlineStore{Store: newSQLiteStore(t), calls: map[string]int{}, unbound: map[string]int{}}
			var amount atomic.Int64 // of every order
			amount.Store(orderAmount)
			opts := []fixtureOption{withConfig(func(c *cauri.Config) {
				c.Store = store
				c.PollInterval = time.Nanosecond // every visit may ask the provider
				c.MaxPollInterval = time.Nanosecond
				c.Reconcile = cauri.ReconcilePolicy{Grace: time.Nanosecond}
				order := c.Order
				c.Order = func(r *http.Request, provider string) (cauri.Order, error) {
					o, err := order(r, provider)
					o.Amount = amount.Load()
					return o, err
				}
			})}
			if tt.unsigned {
				opts = append(opts, unsignedWebhooks())
			}
			f := newFixture(t, opts...)
			f.store = store.Store // the test's own reads are not the kit's
			failOnce := errors.New("the shop's database is down")
			var failed sync.Once
			f.setOnPaid(func(context.Context, cauri.Payment) error {
				var err error
				failed.Do(func() { err = failOnce })
				return err
			})

			paid, payURL := f.checkout("dl-paid", nil)
			f.checkout("dl-paid", nil) // the same checkout again: reused
			open, _ := f.checkout("dl-open", nil)
			failing, failURL := f.checkout("dl-failed", nil)

			if code, _ := f.visitReturn(f.kit.ReturnURL("moneroo", open.ID)); code != http.StatusSeeOther {
				t.Errorf("return visit of a pending payment: HTTP %d, want 303", code)
			}
			if code, _ := f.visitReturn(f.kit.StatusURL(open.ID)); code != http.StatusOK {
				t.Errorf("status of a pending payment: HTTP %d, want 200", code)
			}
			// Paid at the provider; the emulator notifies the kit, whose
			// first OnPaid fails: the notification is answered 5xx and
			// the emulator delivers it again.
			f.act(payURL, providertest.Pay)
			f.act(failURL, providertest.Fail)
			if tt.unsigned {
				f.wantStatus(failing.ID, cauri.StatusFailed)
			}
			if code := f.signed(paidBody(paid)); code != http.StatusOK {
				t.Errorf("a copy of the paid notification: HTTP %d, want 200", code)
			}
			if code, _ := f.visitReturn(f.kit.ReturnURL("moneroo", paid.ID)); code != http.StatusSeeOther {
				t.Errorf("return visit of a paid payment: HTTP %d, want 303", code)
			}
			if _, err := f.kit.Reconcile(context.Background()); err != nil {
				t.Errorf("Reconcile: %v", err)
			}
			if p, err := f.kit.Payment(context.Background(), paid.ID); err != nil || p.Status != cauri.StatusPaid || !p.Fulfilled() {
				t.Errorf("Payment: %s, fulfilled %v, %v; want paid and fulfilled", p.Status, p.Fulfilled(), err)
			}
			if h, err := f.kit.History(context.Background(), paid.ID); err != nil || len(h) == 0 {
				t.Errorf("History: %d events, %v; want some", len(h), err)
			}
			if ps, err := f.kit.FindPayments(context.Background(), cauri.PaymentQuery{Search: "dl-open"}, cauri.Cursor{}, 10); err != nil || len(ps) != 1 {
				t.Errorf("FindPayments of an order: %d payments, %v; want 1", len(ps), err)
			}
			// A checkout of another amount of an open order supersedes its
			// payment, which the history of that payment records.
			amount.Store(orderAmount + 1)
			f.checkout("dl-open", nil)

			store.mu.Lock()
			defer store.mu.Unlock()
			var methods []string
			for m := range store.calls {
				methods = append(methods, m)
			}
			sort.Strings(methods)
			for _, m := range methods {
				if n := store.unbound[m]; n > 0 {
					t.Errorf("%s: %d of %d calls with no deadline", m, n, store.calls[m])
				}
			}
			// The scenario reaches the writes that outlive their request.
			for _, m := range []string{"Create", "Attach", "Supersede", "Transition", "ClaimOrder", "ReleaseOnPaid", "ClaimOnPaid", "TakePoll", "ListPending", "ListUnfulfilled", "AppendEvents", "History", "FindPayments"} {
				if store.calls[m] == 0 {
					t.Errorf("%s was never called: the scenario misses it", m)
				}
			}
			if store.calls["CompleteOnPaid"]+store.calls["CompleteOnPaidBatch"]+store.calls["CompleteOnPaidEvents"] == 0 {
				t.Error("OnPaid's success was never recorded: the scenario misses it")
			}
			t.Log(fmt.Sprint(store.calls))
		})
	}
}

// unbound reports the store's calls made with no deadline.
func (s *deadlineStore) report(t *testing.T, want ...string) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	for m, n := range s.unbound {
		t.Errorf("%s: %d of %d calls with no deadline", m, n, s.calls[m])
	}
	for _, m := range want {
		if s.calls[m] == 0 {
			t.Errorf("%s was never called: the scenario misses it", m)
		}
	}
}

// TestEveryPayoutStoreCallHasADeadline: payouts sent, their answers lost,
// looked up by ResolvePayout and by a reconcile pass, with contexts that
// have no deadline: no store call goes without one.
func TestEveryPayoutStoreCallHasADeadline(t *testing.T) {
	ctx := context.Background()
	pd := paydunyatest.New()
	t.Cleanup(pd.Close)
	store := &deadlineStore{Store: newSQLiteStore(t), calls: map[string]int{}, unbound: map[string]int{}}
	k, _ := payoutKitWith(t, pd, store, nil, func(c *cauri.Config) {
		c.Reconcile = cauri.ReconcilePolicy{PayoutGrace: time.Nanosecond}
	})
	if res, err := k.Payout(ctx, "paydunya", walletPayout("dl-sent")); err != nil || res.Status == cauri.PayoutFailed {
		t.Fatalf("Payout = %+v, %v", res, err)
	}
	k.Payout(ctx, "paydunya", walletPayout("dl-sent")) // a duplicate
	for _, key := range []string{"dl-lost", "dl-lost-reconciled"} {
		pd.InjectFault(providertest.OpPayout, providertest.Fault{Kind: providertest.FaultLost})
		req := cauri.PayoutRequest{Key: key, Account: "771111111", Amount: 1200, Currency: "XOF"} // account to account: settled at once
		if res, err := k.Payout(ctx, "paydunya", req); err == nil || res.Status != cauri.PayoutPending {
			t.Fatalf("Payout with its answer lost = %+v, %v; want pending and an error", res, err)
		}
	}
	if p, err := k.ResolvePayout(ctx, "dl-lost"); err != nil || p.Status != cauri.PayoutSucceeded {
		t.Errorf("ResolvePayout = %+v, %v; want succeeded", p, err)
	}
	if rep, err := k.Reconcile(ctx); err != nil || rep.PayoutsResolved != 1 {
		t.Errorf("Reconcile = %+v, %v; want one payout resolved", rep, err)
	}
	store.report(t, "CreatePayout", "GetPayout", "FinishPayout", "ListPendingPayouts")
}
