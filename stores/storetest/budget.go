package storetest

import (
	"crypto/rand"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/cauripay/cauri"
)

// takers is how many goroutines race for one turn to poll, or one order.
const takers = 16

func testTakePoll(t *testing.T, newStore func(t *testing.T) cauri.Store) {
	// One payment's turns, in order: each step asks at now for a turn
	// until next, and leaves NextPollAt at stored.
	t.Run("Turns", func(t *testing.T) {
		f := setup(t, newStore)
		at := now()
		p := f.pending(at)
		steps := []struct {
			name      string
			now, next time.Time
			want      bool
			stored    time.Time
		}{
			{"first take", at, at.Add(time.Minute), true, at.Add(time.Minute)},
			{"again at the same now", at, at.Add(2 * time.Minute), false, at.Add(time.Minute)},
			{"a microsecond before the turn", at.Add(time.Minute - time.Microsecond), at.Add(2 * time.Minute), false, at.Add(time.Minute)},
			{"at the turn", at.Add(time.Minute), at.Add(5 * time.Minute), true, at.Add(5 * time.Minute)},
			{"after the turn", at.Add(time.Hour), at.Add(2 * time.Hour), true, at.Add(2 * time.Hour)},
			{"next at now", at.Add(2 * time.Hour), at.Add(2 * time.Hour), true, at.Add(2 * time.Hour)},
			{"next at now, again", at.Add(2 * time.Hour), at.Add(2 * time.Hour), true, at.Add(2 * time.Hour)},
			{"next after now", at.Add(2 * time.Hour), at.Add(3 * time.Hour), true, at.Add(3 * time.Hour)},
			{"next after now, again", at.Add(2 * time.Hour), at.Add(4 * time.Hour), false, at.Add(3 * time.Hour)},
		}
		for _, st := range steps {
			got, err := f.s.TakePoll(f.ctx, p.ID, st.now, st.next)
			f.must("TakePoll, "+st.name, err)
			if got != st.want {
				t.Errorf("TakePoll, %s = %v, want %v", st.name, got, st.want)
			}
			want := p
			want.NextPollAt = st.stored
			f.check("after TakePoll, "+st.name, want)
		}
	})

	// A turn asked for at now, until next, by a payment as stored.
	t.Run("Stored", func(t *testing.T) {
		at := now()
		next := at.Add(time.Minute)
		tests := []struct {
			name string
			edit func(*cauri.Payment) // the payment as stored
			want bool
		}{
			{"turn passed", func(p *cauri.Payment) { p.NextPollAt = at.Add(-time.Hour) }, true},
			{"turn now", func(p *cauri.Payment) { p.NextPollAt = at }, true},
			{"turn later", func(p *cauri.Payment) { p.NextPollAt = at.Add(time.Microsecond) }, false},
			{"superseded, still pending", superseded, true},
			{"paid (a refund to confirm)", func(p *cauri.Payment) { p.Status = cauri.StatusPaid }, true},
			{"paid, turn later", func(p *cauri.Payment) { p.Status, p.NextPollAt = cauri.StatusPaid, at.Add(time.Minute) }, false},
			{"refunded", func(p *cauri.Payment) { p.Status = cauri.StatusRefunded }, false},
			{"failed", func(p *cauri.Payment) { p.Status = cauri.StatusFailed }, false},
			{"cancelled", func(p *cauri.Payment) { p.Status = cauri.StatusCancelled }, false},
			{"expired, turn passed", func(p *cauri.Payment) {
				p.Status, p.NextPollAt = cauri.StatusExpired, at.Add(-time.Hour)
			}, false},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				f := setup(t, newStore)
				p := f.pending(at.Add(-time.Hour), tt.edit)
				got, err := f.s.TakePoll(f.ctx, p.ID, at, next)
				f.must("TakePoll", err)
				if got != tt.want {
					t.Errorf("TakePoll = %v, want %v", got, tt.want)
				}
				if got {
					p.NextPollAt = next
				}
				f.check("after TakePoll", p)
			})
		}
	})

	t.Run("UnknownID", func(t *testing.T) {
		f := setup(t, newStore)
		got, err := f.s.TakePoll(f.ctx, newID(), now(), now().Add(time.Minute))
		if got || err != nil {
			t.Errorf("TakePoll of an unknown ID = %v, %v; want false, no error", got, err)
		}
	})

	// Of many asking at once for the same turn, one gets it.
	t.Run("Concurrent", func(t *testing.T) {
		at := now()
		for _, turn := range []struct {
			name   string
			stored time.Time
		}{{"first turn", time.Time{}}, {"turn passed", at.Add(-time.Second)}} {
			t.Run(turn.name, func(t *testing.T) {
				f := setup(t, newStore)
				p := f.pending(at.Add(-time.Hour), func(p *cauri.Payment) { p.NextPollAt = turn.stored })
				next := at.Add(time.Minute)
				took := make([]bool, takers)
				errs := raceN(takers, func(i int) error {
					var err error
					took[i], err = f.s.TakePoll(f.ctx, p.ID, at, next)
					return err
				})
				for i, err := range errs {
					f.must(fmt.Sprintf("TakePoll %d", i), err)
				}
				if n := countTrue(took); n != 1 {
					t.Errorf("%d of %d TakePoll calls got the turn, want 1", n, takers)
				}
				p.NextPollAt = next
				f.check("after the race", p)
			})
		}
	})
}

func testSupersede(t *testing.T, newStore func(t *testing.T) cauri.Store) {
	// The payments of an order, and of another, around the superseding
	// one: only the order's earlier pending ones not superseded yet are
	// marked.
	t.Run("Marks", func(t *testing.T) {
		f := setup(t, newStore)
		at := now()
		order, base := "order_"+rand.Text(), newID()
		ofOrder := func(p *cauri.Payment) { p.OrderID = order }
		withID := func(id string) func(*cauri.Payment) { return func(p *cauri.Payment) { p.ID = id } }
		newer := f.pending(at, ofOrder, withID(base+"_m"))
		by := cauri.CursorOf(newer)
		older := newID()

		tests := []struct {
			name   string
			p      cauri.Payment
			marked bool
		}{
			{"earlier", f.pending(at.Add(-time.Hour), ofOrder), true},
			{"a microsecond earlier", f.pending(at.Add(-time.Microsecond), ofOrder), true},
			{"same time, lower ID", f.pending(at, ofOrder, withID(base+"_a")), true},
			{"earlier, without checkout key", f.pending(at.Add(-time.Minute), ofOrder,
				func(p *cauri.Payment) { p.CheckoutKey = "" }), true},
			{"earlier, superseded already", f.pending(at.Add(-2*time.Hour), ofOrder,
				func(p *cauri.Payment) { p.SupersededBy = older }), false},
			{"earlier, paid", f.paid(at.Add(-time.Hour), ofOrder), false},
			{"earlier, failed", f.move(f.pending(at.Add(-time.Hour), ofOrder), cauri.StatusFailed), false},
			{"same time, higher ID", f.pending(at, ofOrder, withID(base+"_z")), false},
			{"a microsecond later", f.pending(at.Add(time.Microsecond), ofOrder), false},
			{"earlier, of another order", f.pending(at.Add(-time.Hour)), false},
			{"the superseding payment", newer, false},
		}
		wantN := 0
		for _, tt := range tests {
			if tt.marked {
				wantN++
			}
		}

		n, err := f.s.Supersede(f.ctx, order, by)
		f.mustCount("Supersede", n, err, wantN)
		for _, tt := range tests {
			want := tt.p
			if tt.marked {
				want.SupersededBy = by.ID
			}
			f.check(tt.name, want)
			if want.Status != cauri.StatusPending || want.CheckoutKey == "" {
				continue
			}
			got, err := f.s.GetPendingByCheckoutKey(f.ctx, want.CheckoutKey)
			switch {
			case want.SupersededBy != "":
				checkErr(t, tt.name+": GetPendingByCheckoutKey", err, cauri.ErrNotFound)
			case err != nil:
				t.Errorf("%s: GetPendingByCheckoutKey: %v", tt.name, err)
			default:
				checkPayment(t, tt.name+": GetPendingByCheckoutKey", got, want)
			}
		}

		n, err = f.s.Supersede(f.ctx, order, by)
		f.mustCount("Supersede again", n, err, 0)
		n, err = f.s.Supersede(f.ctx, "order_"+rand.Text(), by)
		f.mustCount("Supersede of an order with no payment", n, err, 0)
	})

	// A superseded payment's checkout key goes to a new checkout of the
	// same snapshot for good: the superseded payment keeps moving, and
	// can be paid, without taking it back.
	t.Run("FreesCheckoutKey", func(t *testing.T) {
		f := setup(t, newStore)
		at := now()
		old := f.pending(at.Add(-time.Minute))
		newer := f.pending(at, func(p *cauri.Payment) { p.OrderID = old.OrderID; p.Amount = 6000 })
		n, err := f.s.Supersede(f.ctx, old.OrderID, cauri.CursorOf(newer))
		f.must("Supersede", err)
		if n != 1 {
			t.Fatalf("Supersede = %d, want 1", n)
		}
		_, err = f.s.GetPendingByCheckoutKey(f.ctx, old.CheckoutKey)
		checkErr(t, "GetPendingByCheckoutKey of the superseded key", err, cauri.ErrNotFound)

		again := f.pending(at.Add(time.Minute), func(p *cauri.Payment) {
			p.OrderID, p.CheckoutKey = old.OrderID, old.CheckoutKey
		})
		holds := func(what string) {
			t.Helper()
			got, err := f.s.GetPendingByCheckoutKey(f.ctx, old.CheckoutKey)
			f.must(what+": GetPendingByCheckoutKey", err)
			checkPayment(t, what+": GetPendingByCheckoutKey", got, again)
		}
		holds("after Create with the freed key")

		moved, err := f.s.Transition(f.ctx, old.ID, cauri.StatusPending,
			cauri.Change{To: cauri.StatusPending, Method: "wave_ci", At: at.Add(2 * time.Minute)})
		f.must("Transition of the superseded payment within pending", err)
		want := old
		want.SupersededBy, want.Method, want.UpdatedAt = newer.ID, "wave_ci", at.Add(2*time.Minute)
		checkPayment(t, "Transition within pending", moved, want)
		holds("after the superseded payment moved within pending")

		paid, err := f.s.Transition(f.ctx, old.ID, cauri.StatusPending,
			cauri.Change{To: cauri.StatusPaid, At: at.Add(3 * time.Minute)})
		f.must("Transition of the superseded payment to paid", err)
		want.Status, want.UpdatedAt = cauri.StatusPaid, at.Add(3*time.Minute)
		checkPayment(t, "Transition to paid", paid, want)
		f.check("superseded payment, paid", want)
		holds("after the superseded payment was paid")

		third := newPayment(at.Add(4 * time.Minute))
		third.OrderID, third.CheckoutKey = old.OrderID, old.CheckoutKey
		checkErr(t, "Create with the key held", f.s.Create(f.ctx, third), cauri.ErrDuplicate)
		f.check("the superseding payment", newer)
	})

	// A payment stored superseded does not hold its checkout key.
	t.Run("CreateSuperseded", func(t *testing.T) {
		f := setup(t, newStore)
		at := now()
		p := f.pending(at, superseded)
		_, err := f.s.GetPendingByCheckoutKey(f.ctx, p.CheckoutKey)
		checkErr(t, "GetPendingByCheckoutKey", err, cauri.ErrNotFound)
		q := f.pending(at.Add(time.Second), func(q *cauri.Payment) { q.CheckoutKey = p.CheckoutKey })
		got, err := f.s.GetPendingByCheckoutKey(f.ctx, p.CheckoutKey)
		f.must("GetPendingByCheckoutKey", err)
		checkPayment(t, "GetPendingByCheckoutKey", got, q)
		f.check("superseded payment", p)
	})
}

func testClaimOrder(t *testing.T, newStore func(t *testing.T) cauri.Store) {
	t.Run("FirstHolds", func(t *testing.T) {
		f := setup(t, newStore)
		order, other := "order_"+rand.Text(), "order_"+rand.Text()
		first, second := newID(), newID()
		steps := []struct {
			name, order, id, want string
		}{
			{"first claim", order, first, first},
			{"another payment", order, second, first},
			{"the holder again", order, first, first},
			{"the other payment again", order, second, first},
			{"another order", other, second, second},
			{"the first payment, for the other order", other, first, second},
		}
		for _, st := range steps {
			got, err := f.s.ClaimOrder(f.ctx, st.order, st.id)
			f.must("ClaimOrder, "+st.name, err)
			if got != st.want {
				t.Errorf("ClaimOrder, %s = %q, want %q", st.name, got, st.want)
			}
		}
	})

	// Of many payments claiming an order at once, one holds it, and every
	// one is told which.
	t.Run("Concurrent", func(t *testing.T) {
		f := setup(t, newStore)
		order := "order_" + rand.Text()
		claimers := make([]string, takers)
		for i := range claimers {
			claimers[i] = newID()
		}
		holders := make([]string, takers)
		errs := raceN(takers, func(i int) error {
			var err error
			holders[i], err = f.s.ClaimOrder(f.ctx, order, claimers[i])
			return err
		})
		for i, err := range errs {
			f.must(fmt.Sprintf("ClaimOrder %d", i), err)
		}
		holder := holders[0]
		if !slices.Contains(claimers, holder) {
			t.Fatalf("ClaimOrder returned %q, which did not claim the order", holder)
		}
		for i, h := range holders {
			if h != holder {
				t.Errorf("ClaimOrder %d = %q, ClaimOrder 0 = %q: want the same holder", i, h, holder)
			}
		}
		got, err := f.s.ClaimOrder(f.ctx, order, newID())
		f.must("ClaimOrder after the race", err)
		if got != holder {
			t.Errorf("ClaimOrder after the race = %q, want %q", got, holder)
		}
	})
}

// countTrue returns how many of bs are true.
func countTrue(bs []bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}
