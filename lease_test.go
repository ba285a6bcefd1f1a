package cauri_test

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/stores/memory"
)

// steppedClock is the wall clock, stepped by offset: what an NTP
// correction or an operator does to a server's clock.
type steppedClock struct{ offset atomic.Int64 }

func (c *steppedClock) Now() time.Time { return time.Now().Add(time.Duration(c.offset.Load())) }

// stepOnPaidMove is a store whose clock is stepped by step right after
// the write that moves a payment to paid and takes its OnPaid lease.
type stepOnPaidMove struct {
	*memory.Store
	clock *steppedClock
	step  time.Duration
}

func (s *stepOnPaidMove) Transition(ctx context.Context, id string, from cauri.Status, c cauri.Change) (cauri.Payment, error) {
	p, err := s.Store.Transition(ctx, id, from, c)
	if err == nil && c.To == cauri.StatusPaid {
		s.clock.offset.Add(int64(s.step))
	}
	return p, err
}

// TransitionClaimingOrder hides the wrapped store's [cauri.OrderMover],
// so that every move goes through Transition above; the kit then claims
// the order itself.
func (s *stepOnPaidMove) TransitionClaimingOrder(ctx context.Context, id string, from cauri.Status, c cauri.Change) (cauri.Payment, string, error) {
	p, err := s.Transition(ctx, id, from, c)
	return p, "", err
}

// TestOnPaidLeaseSurvivesClockSteps: the time OnPaid gets is measured on
// the monotonic clock from when its lease was taken, and ends a tenth of
// the lease before it, whatever the wall clock does meanwhile: stepped
// back, OnPaid never gets more than its lease; stepped forward past the
// lease (which other workers now see as run out), OnPaid is not called
// under it, and the next pass runs it once.
func TestOnPaidLeaseSurvivesClockSteps(t *testing.T) {
	const lease = 10 * time.Second
	tests := []struct {
		name     string
		step     time.Duration
		deferred bool // OnPaid waits for the next pass
	}{
		{"not stepped", 0, false},
		{"stepped back an hour", -time.Hour, false},
		{"stepped back half a lease", -lease / 2, false},
		{"stepped forward half a lease", lease / 2, true},
		{"stepped forward past the lease", 2 * lease, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := &steppedClock{}
			store := &stepOnPaidMove{Store: memory.New(), clock: clock, step: tt.step}
			f := newFixture(t, withConfig(func(c *cauri.Config) {
				c.Store = store
				c.Now = clock.Now
				c.OnPaidLease = lease
			}))
			var (
				mu        sync.Mutex
				deadlines []time.Time
			)
			f.setOnPaid(func(ctx context.Context, p cauri.Payment) error {
				d, ok := ctx.Deadline()
				if !ok {
					t.Error("OnPaid's context has no deadline")
				}
				mu.Lock()
				deadlines = append(deadlines, d)
				mu.Unlock()
				return nil
			})
			p, _ := f.checkout("lease-step", nil)

			sent := time.Now()
			code := f.signed(paidBody(p))
			answered := time.Now()
			if code != http.StatusOK {
				t.Fatalf("paid notification: HTTP %d, want 200", code)
			}
			mu.Lock()
			calls := len(deadlines)
			mu.Unlock()
			switch {
			case tt.deferred && calls != 0:
				t.Fatalf("OnPaid ran %d times under a lease the stepped clock says is (nearly) over; want it deferred", calls)
			case !tt.deferred && calls != 1:
				t.Fatalf("OnPaid ran %d times, want 1", calls)
			case !tt.deferred:
				// The lease was taken between sent and answered.
				if limit := answered.Add(lease - lease/10); deadlines[0].After(limit) {
					t.Errorf("OnPaid's deadline is %v after the lease was taken, want at most %v (nine tenths of the lease)",
						deadlines[0].Sub(sent).Round(time.Millisecond), lease-lease/10)
				}
				return
			}

			// Deferred: the next pass finds the lease run out, by the clock
			// as it now is, and runs OnPaid once, inside a new lease.
			clock.offset.Add(int64(lease))
			before := time.Now()
			if _, err := f.kit.Reconcile(context.Background()); err != nil {
				t.Fatal(err)
			}
			after := time.Now()
			mu.Lock()
			defer mu.Unlock()
			if len(deadlines) != 1 {
				t.Fatalf("after a reconcile pass OnPaid ran %d times, want 1", len(deadlines))
			}
			if d := deadlines[0]; d.Before(before) || d.After(after.Add(lease-lease/10)) {
				t.Errorf("OnPaid's deadline %v after the pass began, want within nine tenths of the lease", d.Sub(before))
			}
			if !f.payment(p.ID).Fulfilled() {
				t.Error("payment not fulfilled after the pass")
			}
		})
	}
}
