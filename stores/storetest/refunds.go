package storetest

import (
	"testing"
	"time"

	"github.com/cauripay/cauri"
)

// runRefunds checks a Store that implements cauri.RefundStore: the move
// from paid to refunded, the lease OnRefunded shares with OnPaid, and the
// listing of refunded payments whose OnRefunded has not succeeded.
func runRefunds(t *testing.T, newStore func(t *testing.T) cauri.Store) {
	t.Run("MovePaidToRefunded", func(t *testing.T) {
		f, _ := setupAs[cauri.RefundStore](t, newStore)
		p := f.paid(now())
		f.must("ClaimOnPaid", f.s.ClaimOnPaid(f.ctx, p.ID, "w1", now(), ttl))
		f.must("CompleteOnPaid", f.s.CompleteOnPaid(f.ctx, p.ID, "w1", now()))
		p = f.get(p.ID)
		got := f.move(p, cauri.StatusRefunded)
		want := p
		want.Status, want.UpdatedAt = cauri.StatusRefunded, p.UpdatedAt.Add(time.Second)
		checkPayment(t, "returned by the move", got, want)
		f.check("after the move", want) // OnPaid's record kept
		_, err := f.s.Transition(f.ctx, p.ID, cauri.StatusPaid, cauri.Change{To: cauri.StatusRefunded, At: now()})
		checkErr(t, "a second move from paid", err, cauri.ErrConflict)
	})

	t.Run("Claim", func(t *testing.T) {
		at := now()
		tests := []struct {
			name string
			make func(f *fixture) cauri.Payment
			want error
		}{
			{"unknown", func(*fixture) cauri.Payment { return cauri.Payment{ID: newID()} }, cauri.ErrNotFound},
			{"pending", func(f *fixture) cauri.Payment { return f.pending(at) }, cauri.ErrConflict},
			{"paid", func(f *fixture) cauri.Payment { return f.paid(at) }, cauri.ErrConflict},
			{"refunded", func(f *fixture) cauri.Payment { return f.move(f.paid(at), cauri.StatusRefunded) }, nil},
			{"refunded while OnPaid runs", func(f *fixture) cauri.Payment {
				p := f.paid(at)
				f.must("ClaimOnPaid", f.s.ClaimOnPaid(f.ctx, p.ID, "onpaid", at, time.Hour))
				return f.move(f.get(p.ID), cauri.StatusRefunded)
			}, cauri.ErrLeaseHeld},
			{"refunded, OnPaid's lease expired", func(f *fixture) cauri.Payment {
				p := f.paid(at)
				f.must("ClaimOnPaid", f.s.ClaimOnPaid(f.ctx, p.ID, "onpaid", at.Add(-time.Hour), time.Minute))
				return f.move(f.get(p.ID), cauri.StatusRefunded)
			}, nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				f, rs := setupAs[cauri.RefundStore](t, newStore)
				p := tt.make(f)
				checkErr(t, "ClaimOnRefunded", rs.ClaimOnRefunded(f.ctx, p.ID, "w1", at, ttl), tt.want)
			})
		}
	})

	t.Run("LeaseSharedWithOnPaid", func(t *testing.T) {
		f, rs := setupAs[cauri.RefundStore](t, newStore)
		at := now()
		p := f.paid(at)
		f.must("ClaimOnPaid", f.s.ClaimOnPaid(f.ctx, p.ID, "onpaid", at, time.Hour))
		p = f.move(f.get(p.ID), cauri.StatusRefunded)
		checkErr(t, "ClaimOnRefunded while OnPaid runs", rs.ClaimOnRefunded(f.ctx, p.ID, "onrefunded", at, ttl), cauri.ErrLeaseHeld)
		// OnPaid, which ran, is recorded; its lease is then free.
		f.must("CompleteOnPaid after the refund", f.s.CompleteOnPaid(f.ctx, p.ID, "onpaid", at))
		f.must("ClaimOnRefunded", rs.ClaimOnRefunded(f.ctx, p.ID, "onrefunded", at, ttl))
		checkErr(t, "a second ClaimOnRefunded", rs.ClaimOnRefunded(f.ctx, p.ID, "other", at, ttl), cauri.ErrLeaseHeld)
		checkErr(t, "ClaimOnPaid of a refunded payment", f.s.ClaimOnPaid(f.ctx, p.ID, "other", at.Add(2*ttl), ttl), cauri.ErrFulfilled)
		checkErr(t, "CompleteOnRefunded by another", rs.CompleteOnRefunded(f.ctx, p.ID, "other", at), cauri.ErrLeaseHeld)
		f.must("CompleteOnRefunded", rs.CompleteOnRefunded(f.ctx, p.ID, "onrefunded", at.Add(time.Second)))
		want := f.get(p.ID)
		if !want.RefundHandledAt.Equal(at.Add(time.Second)) || want.FulfilledAt.IsZero() {
			t.Errorf("RefundHandledAt %v, FulfilledAt %v; want %v and OnPaid's", want.RefundHandledAt, want.FulfilledAt, at.Add(time.Second))
		}
		checkErr(t, "ClaimOnRefunded after success", rs.ClaimOnRefunded(f.ctx, p.ID, "w3", at.Add(2*ttl), ttl), cauri.ErrFulfilled)
		checkErr(t, "CompleteOnRefunded again", rs.CompleteOnRefunded(f.ctx, p.ID, "onrefunded", at), cauri.ErrFulfilled)
	})

	t.Run("ReleaseFreesIt", func(t *testing.T) {
		f, rs := setupAs[cauri.RefundStore](t, newStore)
		at := now()
		p := f.move(f.paid(at), cauri.StatusRefunded)
		f.must("ClaimOnRefunded", rs.ClaimOnRefunded(f.ctx, p.ID, "w1", at, time.Hour))
		f.must("ReleaseOnPaid", f.s.ReleaseOnPaid(f.ctx, p.ID, "w1"))
		f.must("ClaimOnRefunded after the release", rs.ClaimOnRefunded(f.ctx, p.ID, "w2", at, time.Hour))
	})

	t.Run("ListUnrefunded", func(t *testing.T) {
		f, rs := setupAs[cauri.RefundStore](t, newStore)
		at := now()
		minute := func(n int) time.Time { return epoch().Add(time.Duration(n) * time.Minute) }
		refunded := func(n int) cauri.Payment { return f.move(f.paid(minute(n)), cauri.StatusRefunded) }
		second, first := refunded(2), refunded(1)
		held := refunded(3)
		f.must("claim held", rs.ClaimOnRefunded(f.ctx, held.ID, "w-held", at, time.Hour))
		done := refunded(4)
		f.must("claim done", rs.ClaimOnRefunded(f.ctx, done.ID, "w-done", at, time.Hour))
		f.must("complete done", rs.CompleteOnRefunded(f.ctx, done.ID, "w-done", at))
		expired := refunded(5)
		f.must("claim expired", rs.ClaimOnRefunded(f.ctx, expired.ID, "w-expired", at.Add(-2*time.Hour), time.Hour))
		paid := f.paid(minute(0))
		mine := set(first, second, held, done, expired, paid)

		var got []string
		var after cauri.Cursor
		for {
			page, err := rs.ListUnrefunded(f.ctx, at, after, 2)
			f.must("ListUnrefunded", err)
			if len(page) == 0 {
				break
			}
			if len(page) > 2 {
				t.Fatalf("a page of %d, limit 2", len(page))
			}
			for _, p := range page {
				if p.Status != cauri.StatusRefunded || !p.RefundHandledAt.IsZero() {
					t.Errorf("listed %s: %s, refund handled at %v", p.ID, p.Status, p.RefundHandledAt)
				}
				if mine[p.ID] {
					got = append(got, p.ID)
				}
			}
			after = cauri.CursorOf(page[len(page)-1])
		}
		want := []string{first.ID, second.ID, expired.ID}
		if len(got) != len(want) {
			t.Fatalf("listed %v, want %v (first, second, expired)", got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("listed %v, want %v (first, second, expired)", got, want)
				break
			}
		}
	})
}
