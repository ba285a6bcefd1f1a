package storetest

import (
	"testing"
	"time"

	"github.com/cauripay/cauri"
)

func testListPending(t *testing.T, newStore func(t *testing.T) cauri.Store) {
	// Payments are created out of order; pN is created N minutes after
	// base. The cut-off is base+10m.
	type stored struct {
		p0, p1, p2, p5, cut, late cauri.Payment
		all                       map[string]bool
	}
	base := epoch()
	minute := func(n int) time.Time { return base.Add(time.Duration(n) * time.Minute) }
	cutoff := minute(10)
	fill := func(f *fixture) stored {
		var s stored
		s.p2 = f.pending(minute(2))
		s.p1 = f.pending(minute(1), withoutRef)
		failed := f.move(f.pending(minute(3)), cauri.StatusFailed)
		paid := f.move(f.pending(minute(4)), cauri.StatusPaid)
		s.late = f.pending(minute(20))
		s.cut = f.pending(cutoff) // not before the cut-off
		s.p5 = f.pending(minute(5), func(p *cauri.Payment) { p.CheckoutKey = "" })
		expired := f.move(f.pending(minute(6)), cauri.StatusExpired)
		s.p0 = f.pending(minute(0))
		s.all = set(s.p0, s.p1, s.p2, failed, paid, s.p5, expired, s.cut, s.late)
		return s
	}
	tests := []struct {
		name      string
		olderThan time.Time
		limit     int
		want      func(s stored) []cauri.Payment
	}{
		{"all before the cut-off", cutoff, 100,
			func(s stored) []cauri.Payment { return []cauri.Payment{s.p0, s.p1, s.p2, s.p5} }},
		{"limit", cutoff, 2,
			func(s stored) []cauri.Payment { return []cauri.Payment{s.p0, s.p1} }},
		{"limit of one", cutoff, 1,
			func(s stored) []cauri.Payment { return []cauri.Payment{s.p0} }},
		{"later cut-off", minute(30), 100,
			func(s stored) []cauri.Payment { return []cauri.Payment{s.p0, s.p1, s.p2, s.p5, s.cut, s.late} }},
		{"cut-off just after one", minute(1).Add(time.Microsecond), 100,
			func(s stored) []cauri.Payment { return []cauri.Payment{s.p0, s.p1} }},
		{"early cut-off", base, 100,
			func(s stored) []cauri.Payment { return nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := setup(t, newStore)
			s := fill(f)
			got, err := f.s.ListPending(f.ctx, tt.olderThan, tt.limit)
			f.must("ListPending", err)
			checkList(t, "ListPending", got, tt.limit, s.all, tt.want(s), func(p cauri.Payment) bool {
				return p.Status == cauri.StatusPending && p.CreatedAt.Before(tt.olderThan)
			})
		})
	}
}

func testListUnfulfilled(t *testing.T, newStore func(t *testing.T) cauri.Store) {
	// Every payment is paid except where said; uN is created N minutes
	// after base, out of order. Leases are taken relative to at.
	type stored struct {
		u0, free, expired, released, atExpiry, held cauri.Payment
		all                                         map[string]bool
	}
	base := epoch()
	minute := func(n int) time.Time { return base.Add(time.Duration(n) * time.Minute) }
	at := now()
	fill := func(f *fixture) stored {
		var s stored
		s.free = f.paid(minute(1))
		s.held = f.paid(minute(2))
		f.must("claim held", f.s.ClaimOnPaid(f.ctx, s.held.ID, "w-held", at.Add(-30*time.Minute), time.Hour))
		s.expired = f.paid(minute(3))
		f.must("claim expired", f.s.ClaimOnPaid(f.ctx, s.expired.ID, "w-expired", at.Add(-2*time.Hour), time.Hour))
		done := f.paid(minute(4))
		f.must("claim done", f.s.ClaimOnPaid(f.ctx, done.ID, "w-done", at.Add(-time.Hour), time.Minute))
		f.must("complete done", f.s.CompleteOnPaid(f.ctx, done.ID, "w-done", at.Add(-time.Hour)))
		s.released = f.paid(minute(5))
		f.must("claim released", f.s.ClaimOnPaid(f.ctx, s.released.ID, "w-released", at, time.Hour))
		f.must("release released", f.s.ReleaseOnPaid(f.ctx, s.released.ID, "w-released"))
		pending := f.pending(minute(6))
		failed := f.move(f.pending(minute(7)), cauri.StatusFailed)
		s.atExpiry = f.paid(minute(8))
		f.must("claim atExpiry", f.s.ClaimOnPaid(f.ctx, s.atExpiry.ID, "w-at-expiry", at.Add(-time.Hour), time.Hour))
		s.u0 = f.paid(minute(0))
		s.all = set(s.u0, s.free, s.held, s.expired, done, s.released, pending, failed, s.atExpiry)
		for _, p := range []*cauri.Payment{&s.u0, &s.free, &s.expired, &s.released, &s.atExpiry, &s.held} {
			*p = f.get(p.ID) // with their attempts counted
		}
		return s
	}
	tests := []struct {
		name  string
		now   time.Time
		limit int
		want  func(s stored) []cauri.Payment
	}{
		{"free or expired leases", at, 100,
			func(s stored) []cauri.Payment {
				return []cauri.Payment{s.u0, s.free, s.expired, s.released, s.atExpiry}
			}},
		{"limit", at, 3,
			func(s stored) []cauri.Payment { return []cauri.Payment{s.u0, s.free, s.expired} }},
		{"once the held lease expired", at.Add(30 * time.Minute), 100,
			func(s stored) []cauri.Payment {
				return []cauri.Payment{s.u0, s.free, s.held, s.expired, s.released, s.atExpiry}
			}},
		{"before the expired lease expired", at.Add(-time.Hour - time.Microsecond), 100,
			func(s stored) []cauri.Payment { return []cauri.Payment{s.u0, s.free, s.released} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := setup(t, newStore)
			s := fill(f)
			got, err := f.s.ListUnfulfilled(f.ctx, tt.now, tt.limit)
			f.must("ListUnfulfilled", err)
			checkList(t, "ListUnfulfilled", got, tt.limit, s.all, tt.want(s), func(p cauri.Payment) bool {
				return p.Status == cauri.StatusPaid && !p.Fulfilled()
			})
		})
	}
}
