package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/cauripay/cauri"
)

// runHistoryWriter checks a Store that implements cauri.HistoryWriter: a
// move's events appended by the move, and only when it moves; OnPaid's
// outcome appended by the record of its success, and only for those it
// records.
func runHistoryWriter(t *testing.T, newStore func(t *testing.T) cauri.Store) {
	t.Run("Transition", func(t *testing.T) {
		tests := []struct {
			name      string
			before    int  // events appended before the move
			moves     bool // the move's status and expectations hold
			attention bool // one of the move's events needs a person
			lease     bool // the move to paid takes OnPaid's lease
		}{
			{"first events, with the move", 0, true, false, false},
			{"after others, taking the lease", 3, true, false, true},
			{"one needing attention", 2, true, true, false},
			{"a move that loses", 2, false, false, false},
			{"crossing the bound", cauri.HistoryLimit - 1, true, false, false},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				f, hw := setupAs[cauri.HistoryWriter](t, newStore)
				p := f.pending(now())
				at := now()
				before := events(0, tt.before, at)
				f.must("AppendEvents", hw.AppendEvents(f.ctx, p.ID, before...))
				mine := events(tt.before, tt.before+3, at)
				mine[1].Attention = tt.attention
				c := cauri.Change{To: cauri.StatusPaid, At: at, Received: p.Amount, Events: mine}
				if tt.lease {
					c.Lease = cauri.Lease{Owner: "worker-1", Until: at.Add(time.Minute)}
				}
				from := cauri.StatusPending
				if !tt.moves {
					c.Expect = cauri.Expect{Currency: p.Currency, Amount: p.Amount + 1}
				}
				got, err := f.s.Transition(f.ctx, p.ID, from, c)
				want := before
				if tt.moves {
					f.must("Transition with events", err)
					if got.Status != cauri.StatusPaid || tt.lease && got.OnPaidAttempts != 1 {
						t.Errorf("Transition = %s, %d OnPaid attempts; want paid, %d", got.Status, got.OnPaidAttempts, map[bool]int{true: 1}[tt.lease])
					}
					want = append(slices.Clone(before), mine...)
				} else {
					checkErr(t, "Transition that loses", err, cauri.ErrConflict)
				}
				h := history(f, hw, p.ID)
				wantSeq := numbered(want, 1)
				if len(want) > cauri.HistoryLimit {
					drop := len(want) - cauri.HistoryLimit
					wantSeq = slices.Delete(wantSeq, cauri.HistoryHead, cauri.HistoryHead+drop)
				}
				checkEvents(t, "history", h, wantSeq)
				found, err := hw.(cauri.PaymentFinder).FindPayments(f.ctx, cauri.PaymentQuery{Search: p.ID, NeedsAttention: true}, cauri.Cursor{}, 10)
				f.must("FindPayments", err)
				if marked := len(found) == 1; marked != (tt.attention && tt.moves) {
					t.Errorf("needs attention: %v, want %v", marked, tt.attention && tt.moves)
				}
			})
		}
	})

	t.Run("CompleteOnPaidEvents", func(t *testing.T) {
		f, hw := setupAs[cauri.HistoryWriter](t, newStore)
		at := now()
		lease := func(p cauri.Payment, owner string) {
			f.t.Helper()
			f.must("ClaimOnPaid", f.s.ClaimOnPaid(f.ctx, p.ID, owner, at, time.Minute))
		}
		held, lost, done, bare, unknown := f.paid(at), f.paid(at), f.paid(at), f.paid(at), newID()
		lease(held, "a")
		lease(lost, "b")
		lease(done, "c")
		lease(bare, "d")
		f.must("CompleteOnPaid", f.s.CompleteOnPaid(f.ctx, done.ID, "c", at))
		f.must("AppendEvents", hw.AppendEvents(f.ctx, held.ID, events(0, 2, at)...))
		outcome := events(2, 4, at)
		outcome[0].Attention = true
		batch := []cauri.Completion{
			{ID: held.ID, Owner: "a", Events: outcome},
			{ID: lost.ID, Owner: "not-b", Events: outcome[:1]},
			{ID: done.ID, Owner: "c", Events: outcome[:1]},
			{ID: bare.ID, Owner: "d"},
			{ID: unknown, Owner: "e", Events: outcome[:1]},
		}
		recorded, err := hw.CompleteOnPaidEvents(f.ctx, batch, at.Add(time.Second))
		f.must("CompleteOnPaidEvents", err)
		if want := []bool{true, false, false, true, false}; !slices.Equal(recorded, want) {
			t.Errorf("recorded = %v, want %v", recorded, want)
		}
		checkEvents(t, "the recorded payment's history", history(f, hw, held.ID), numbered(append(events(0, 2, at), outcome...), 1))
		for _, p := range []cauri.Payment{lost, done, bare} {
			if h := history(f, hw, p.ID); len(h) != 0 {
				t.Errorf("history of %s = %+v, want none", p.ID, h)
			}
		}
		if p := f.get(held.ID); !p.FulfilledAt.Equal(at.Add(time.Second)) {
			t.Errorf("FulfilledAt = %v, want %v", p.FulfilledAt, at.Add(time.Second))
		}
		if p := f.get(lost.ID); p.Fulfilled() {
			t.Errorf("a payment leased by another owner was recorded fulfilled")
		}
		checkErr(t, "CompleteOnPaid after CompleteOnPaidEvents", f.s.CompleteOnPaid(f.ctx, held.ID, "a", at), cauri.ErrFulfilled)
		if recorded, err := hw.CompleteOnPaidEvents(f.ctx, nil, at); err != nil || len(recorded) != 0 {
			t.Errorf("CompleteOnPaidEvents of none = %v, %v; want none", recorded, err)
		}
	})
}
