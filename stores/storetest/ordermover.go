package storetest

import (
	"testing"
	"time"

	"github.com/cauripay/cauri"
)

// testOrderMover checks cauri.OrderMover, for stores that have it: the move
// to paid claims the order for the first payment, names the first to a
// later one, and claims nothing for a superseded payment, a move elsewhere
// or a move that loses.
func testOrderMover(t *testing.T, newStore func(t *testing.T) cauri.Store) {
	mover := func(t *testing.T) (*fixture, cauri.OrderMover) {
		t.Helper()
		f := setup(t, newStore)
		om, ok := f.s.(cauri.OrderMover)
		if !ok {
			t.Skip("the store does not implement cauri.OrderMover")
		}
		return f, om
	}
	toPaid := func(f *fixture, p cauri.Payment) cauri.Change {
		return cauri.Change{To: cauri.StatusPaid, At: p.UpdatedAt.Add(time.Second), Received: p.Amount,
			Lease: cauri.Lease{Owner: "w-" + p.ID, Until: p.UpdatedAt.Add(time.Minute)}}
	}

	t.Run("FirstThenSecond", func(t *testing.T) {
		f, om := mover(t)
		first := f.pending(now())
		second := f.pending(now(), func(p *cauri.Payment) { p.OrderID = first.OrderID })
		got, holder, err := om.TransitionClaimingOrder(f.ctx, first.ID, cauri.StatusPending, toPaid(f, first))
		f.must("TransitionClaimingOrder", err)
		if got.Status != cauri.StatusPaid || holder != first.ID {
			t.Errorf("first: %s, holder %q; want paid, %s", got.Status, holder, first.ID)
		}
		got, holder, err = om.TransitionClaimingOrder(f.ctx, second.ID, cauri.StatusPending, toPaid(f, second))
		f.must("TransitionClaimingOrder", err)
		if got.Status != cauri.StatusPaid || holder != "" && holder != first.ID {
			t.Errorf("second: %s, holder %q; want paid, %s (or empty)", got.Status, holder, first.ID)
		}
		if h, err := f.s.ClaimOrder(f.ctx, first.OrderID, second.ID); err != nil || h != first.ID {
			t.Errorf("ClaimOrder after both = %q, %v; want %s", h, err, first.ID)
		}
	})

	t.Run("NoClaim", func(t *testing.T) {
		tests := []struct {
			name string
			move func(f *fixture, om cauri.OrderMover, p cauri.Payment) (cauri.Payment, string, error)
			want error
		}{
			{"a move to failed", func(f *fixture, om cauri.OrderMover, p cauri.Payment) (cauri.Payment, string, error) {
				return om.TransitionClaimingOrder(f.ctx, p.ID, cauri.StatusPending, cauri.Change{To: cauri.StatusFailed, At: p.UpdatedAt})
			}, nil},
			{"a move that loses", func(f *fixture, om cauri.OrderMover, p cauri.Payment) (cauri.Payment, string, error) {
				c := toPaid(f, p)
				c.Expect = cauri.Expect{Currency: p.Currency, Amount: p.Amount + 1}
				return om.TransitionClaimingOrder(f.ctx, p.ID, cauri.StatusPending, c)
			}, cauri.ErrConflict},
			{"a superseded payment", func(f *fixture, om cauri.OrderMover, p cauri.Payment) (cauri.Payment, string, error) {
				newer := f.pending(p.CreatedAt.Add(time.Second), func(n *cauri.Payment) { n.OrderID = p.OrderID })
				if n, err := f.s.Supersede(f.ctx, p.OrderID, cauri.CursorOf(newer)); err != nil || n != 1 {
					f.t.Fatalf("Supersede = %d, %v; want 1", n, err)
				}
				return om.TransitionClaimingOrder(f.ctx, p.ID, cauri.StatusPending, toPaid(f, p))
			}, nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				f, om := mover(t)
				p := f.pending(now())
				_, holder, err := tt.move(f, om, p)
				checkErr(t, "TransitionClaimingOrder", err, tt.want)
				if holder != "" {
					t.Errorf("holder = %q, want none", holder)
				}
				other := newID()
				if h, err := f.s.ClaimOrder(f.ctx, p.OrderID, other); err != nil || h != other {
					t.Errorf("ClaimOrder by another afterwards = %q, %v; want %s: the order was claimed", h, err, other)
				}
			})
		}
	})
}
