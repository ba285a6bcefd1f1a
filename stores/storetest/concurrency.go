package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/cauripay/cauri"
)

// workers is how many goroutines race in the concurrency subtests.
const workers = 64

// race calls fn(0) … fn(workers-1) in as many goroutines, released at once,
// and returns their errors by index.
func race(fn func(i int) error) []error { return raceN(workers, fn) }

// raceN calls fn(0) … fn(n-1) in as many goroutines, released at once, and
// returns their errors by index.
func raceN(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = fn(i)
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// oneWinner checks that exactly one call returned nil and every other an
// error wrapping lost, and returns the winner's index.
func oneWinner(t *testing.T, what string, errs []error, lost error) int {
	t.Helper()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Errorf("%s: calls %d and %d both succeeded", what, winner, i)
		case err == nil:
			winner = i
		case !errors.Is(err, lost):
			t.Errorf("%s: call %d: error = %v, want one wrapping %v", what, i, err, lost)
		}
	}
	if winner < 0 {
		t.Fatalf("%s: no call succeeded", what)
	}
	return winner
}

func testConcurrency(t *testing.T, newStore func(t *testing.T) cauri.Store) {
	t.Run("Transition", func(t *testing.T) {
		f := setup(t, newStore)
		p := f.pending(now())
		at := now().Add(time.Second)
		results := make([]cauri.Payment, workers)
		errs := race(func(i int) error {
			var err error
			results[i], err = f.s.Transition(f.ctx, p.ID, cauri.StatusPending, cauri.Change{
				To: cauri.StatusPaid, Method: fmt.Sprintf("method_%d", i), Fee: int64(i + 1), At: at,
			})
			return err
		})
		w := oneWinner(t, "Transition", errs, cauri.ErrConflict)
		want := p
		want.Status, want.Method, want.Fee, want.UpdatedAt = cauri.StatusPaid, fmt.Sprintf("method_%d", w), int64(w+1), at
		checkPayment(t, "winner's result", results[w], want)
		f.check("after the race", want)
	})

	t.Run("ClaimOnPaid", func(t *testing.T) {
		f := setup(t, newStore)
		p := f.paid(now())
		t0 := now()
		errs := race(func(i int) error {
			return f.s.ClaimOnPaid(f.ctx, p.ID, fmt.Sprintf("w%d", i), t0, time.Hour)
		})
		w := oneWinner(t, "ClaimOnPaid", errs, cauri.ErrLeaseHeld)
		f.checkOnPaid("after the race", p, 1, time.Time{})
		loser := fmt.Sprintf("w%d", (w+1)%workers)
		checkErr(t, "a loser's CompleteOnPaid", f.s.CompleteOnPaid(f.ctx, p.ID, loser, t0), cauri.ErrLeaseHeld)
		f.must("the winner's CompleteOnPaid", f.s.CompleteOnPaid(f.ctx, p.ID, fmt.Sprintf("w%d", w), t0))
	})

	t.Run("CompleteOnPaid", func(t *testing.T) {
		f := setup(t, newStore)
		p := f.paid(now())
		t0 := now()
		f.must("ClaimOnPaid", f.s.ClaimOnPaid(f.ctx, p.ID, "w1", t0, time.Hour))
		errs := race(func(i int) error {
			return f.s.CompleteOnPaid(f.ctx, p.ID, "w1", t0.Add(time.Duration(i)*time.Microsecond))
		})
		w := oneWinner(t, "CompleteOnPaid", errs, cauri.ErrFulfilled)
		f.checkOnPaid("after the race", p, 1, t0.Add(time.Duration(w)*time.Microsecond))
	})

	// Payments created at once with the same checkout key, or the same
	// provider reference: one is stored, the others refused and not.
	for _, tt := range []struct {
		name  string
		share func(p *cauri.Payment, v string)
		value func() string
		get   func(f *fixture, v string) (cauri.Payment, error)
	}{
		{"CreateSameCheckoutKey", func(p *cauri.Payment, v string) { p.CheckoutKey = v }, newKey,
			func(f *fixture, v string) (cauri.Payment, error) { return f.s.GetPendingByCheckoutKey(f.ctx, v) }},
		{"CreateSameProviderRef", func(p *cauri.Payment, v string) { p.ProviderRef = v }, newRef,
			func(f *fixture, v string) (cauri.Payment, error) { return f.s.GetByProviderRef(f.ctx, provider, v) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := setup(t, newStore)
			v, at := tt.value(), now()
			ps := make([]cauri.Payment, workers)
			for i := range ps {
				ps[i] = newPayment(at)
				tt.share(&ps[i], v)
			}
			errs := race(func(i int) error { return f.s.Create(f.ctx, ps[i]) })
			w := oneWinner(t, "Create", errs, cauri.ErrDuplicate)
			got, err := tt.get(f, v)
			f.must("Get by the shared value", err)
			checkPayment(t, "Get by the shared value", got, ps[w])
			for i, p := range ps {
				if i != w {
					if _, err := f.s.Get(f.ctx, p.ID); !errors.Is(err, cauri.ErrNotFound) {
						t.Errorf("Get of refused payment %d: error = %v, want ErrNotFound", i, err)
					}
				}
			}
		})
	}

	t.Run("AttachSameRef", func(t *testing.T) {
		f := setup(t, newStore)
		ref, at := newRef(), now()
		ps := make([]cauri.Payment, workers)
		for i := range ps {
			ps[i] = f.pending(at, withoutRef)
		}
		errs := race(func(i int) error {
			return f.s.Attach(f.ctx, ps[i].ID, ref, "https://checkout.example/race", at.Add(time.Second))
		})
		w := oneWinner(t, "Attach", errs, cauri.ErrDuplicate)
		got, err := f.s.GetByProviderRef(f.ctx, provider, ref)
		f.must("GetByProviderRef", err)
		if got.ID != ps[w].ID {
			t.Errorf("GetByProviderRef = %s, want the winner %s", got.ID, ps[w].ID)
		}
		for i, p := range ps {
			if got := f.get(p.ID); i != w && got.ProviderRef != "" {
				t.Errorf("refused payment %d has ProviderRef %q", i, got.ProviderRef)
			}
		}
	})
}
