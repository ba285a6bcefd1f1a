package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/cauripay/cauri"
)

// testCompleteBatch checks cauri.BatchCompleter, for stores that have it.
func testCompleteBatch(t *testing.T, newStore func(t *testing.T) cauri.Store) {
	if _, ok := setup(t, newStore).s.(cauri.BatchCompleter); !ok {
		t.Skip("the store is not a cauri.BatchCompleter")
	}

	t.Run("Empty", func(t *testing.T) {
		f := setup(t, newStore)
		n, err := f.s.(cauri.BatchCompleter).CompleteOnPaidBatch(f.ctx, nil, now())
		f.mustCount("CompleteOnPaidBatch of nothing", n, err, 0)
	})

	// Each payment of the batch is in another state; only those whose
	// owner holds the lease are recorded.
	t.Run("Mixed", func(t *testing.T) {
		f := setup(t, newStore)
		t0 := now()
		done := t0.Add(5 * time.Second)
		type entry struct {
			name     string
			owner    string                // in the batch
			prepare  func(p cauri.Payment) // after the payment is paid
			recorded bool
			attempts int
		}
		entries := []entry{
			{name: "held", owner: "w1", recorded: true, attempts: 1,
				prepare: func(p cauri.Payment) { f.must("claim", f.s.ClaimOnPaid(f.ctx, p.ID, "w1", t0, ttl)) }},
			{name: "held, expired", owner: "w2", recorded: true, attempts: 1,
				prepare: func(p cauri.Payment) { f.must("claim", f.s.ClaimOnPaid(f.ctx, p.ID, "w2", t0.Add(-2*ttl), ttl)) }},
			{name: "taken over", owner: "w3", attempts: 2,
				prepare: func(p cauri.Payment) {
					f.must("claim", f.s.ClaimOnPaid(f.ctx, p.ID, "w3", t0.Add(-2*ttl), ttl))
					f.must("takeover", f.s.ClaimOnPaid(f.ctx, p.ID, "w4", t0, ttl))
				}},
			{name: "released", owner: "w5", attempts: 1,
				prepare: func(p cauri.Payment) {
					f.must("claim", f.s.ClaimOnPaid(f.ctx, p.ID, "w5", t0, ttl))
					f.must("release", f.s.ReleaseOnPaid(f.ctx, p.ID, "w5"))
				}},
			{name: "already recorded", owner: "w6", attempts: 1,
				prepare: func(p cauri.Payment) {
					f.must("claim", f.s.ClaimOnPaid(f.ctx, p.ID, "w6", t0, ttl))
					f.must("complete", f.s.CompleteOnPaid(f.ctx, p.ID, "w6", t0))
				}},
			{name: "owner of another payment", owner: "w1", attempts: 1,
				prepare: func(p cauri.Payment) { f.must("claim", f.s.ClaimOnPaid(f.ctx, p.ID, "w7", t0, ttl)) }},
			{name: "never claimed", owner: "w8"},
		}
		var (
			batch []cauri.Completion
			paid  []cauri.Payment
		)
		for _, e := range entries {
			p := f.paid(t0)
			if e.prepare != nil {
				e.prepare(p)
			}
			batch = append(batch, cauri.Completion{ID: p.ID, Owner: e.owner})
			paid = append(paid, f.get(p.ID))
		}
		batch = append(batch, cauri.Completion{ID: newID(), Owner: "w9"}) // unknown

		n, err := f.s.(cauri.BatchCompleter).CompleteOnPaidBatch(f.ctx, batch, done)
		f.must("CompleteOnPaidBatch", err)
		want := 0
		for i, e := range entries {
			t.Run(e.name, func(t *testing.T) {
				w := paid[i]
				if w.OnPaidAttempts != e.attempts+f.moved {
					t.Fatalf("before the batch: OnPaidAttempts = %d, want %d", w.OnPaidAttempts, e.attempts+f.moved)
				}
				if e.recorded {
					w.FulfilledAt = done
				}
				checkPayment(t, "after CompleteOnPaidBatch", f.get(w.ID), w)
			})
			if e.recorded {
				want++
			}
		}
		if n != want {
			t.Errorf("CompleteOnPaidBatch recorded %d, want %d", n, want)
		}
		// A lease the batch recorded is free: nobody can claim it again.
		checkErr(t, "ClaimOnPaid after the batch", f.s.ClaimOnPaid(f.ctx, batch[0].ID, "w10", done, ttl), cauri.ErrFulfilled)
	})

	t.Run("Large", func(t *testing.T) {
		f := setup(t, newStore)
		t0 := now()
		var batch []cauri.Completion
		for i := range 100 {
			p := f.paid(t0)
			owner := fmt.Sprintf("w%d", i)
			f.must("claim", f.s.ClaimOnPaid(f.ctx, p.ID, owner, t0, ttl))
			batch = append(batch, cauri.Completion{ID: p.ID, Owner: owner})
		}
		n, err := f.s.(cauri.BatchCompleter).CompleteOnPaidBatch(f.ctx, batch, t0.Add(time.Second))
		f.mustCount("CompleteOnPaidBatch", n, err, len(batch))
		for _, c := range batch {
			if !f.get(c.ID).Fulfilled() {
				t.Fatalf("%s not fulfilled after CompleteOnPaidBatch", c.ID)
			}
		}
	})
}
