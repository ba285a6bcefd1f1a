package storetest

import (
	"testing"
	"time"

	"github.com/cauripay/cauri"
)

// ttl is the lease duration the lease subtests use.
const ttl = time.Minute

func testLease(t *testing.T, newStore func(t *testing.T) cauri.Store) {
	t.Run("ClaimUnknownID", func(t *testing.T) {
		f := setup(t, newStore)
		checkErr(t, "ClaimOnPaid", f.s.ClaimOnPaid(f.ctx, newID(), "w1", now(), ttl), cauri.ErrNotFound)
	})

	t.Run("ClaimNotPaid", func(t *testing.T) {
		for _, st := range []cauri.Status{cauri.StatusPending, cauri.StatusFailed, cauri.StatusCancelled, cauri.StatusExpired} {
			t.Run(string(st), func(t *testing.T) {
				f := setup(t, newStore)
				p := f.stored(now(), st)
				checkErr(t, "ClaimOnPaid", f.s.ClaimOnPaid(f.ctx, p.ID, "w1", now(), ttl), cauri.ErrConflict)
				f.check("after a refused claim", p) // no attempt counted
			})
		}
	})

	t.Run("ClaimCountsAttempt", func(t *testing.T) {
		f := setup(t, newStore)
		p := f.paid(now())
		f.must("ClaimOnPaid", f.s.ClaimOnPaid(f.ctx, p.ID, "w1", now(), ttl))
		f.checkOnPaid("after ClaimOnPaid", p, 1, time.Time{})
	})

	t.Run("ClaimHeld", func(t *testing.T) {
		tests := []struct {
			name  string
			after time.Duration // since the first claim
			owner string
			want  error
		}{
			{"by another owner, at once", 0, "w2", cauri.ErrLeaseHeld},
			{"by another owner, just before expiry", ttl - time.Microsecond, "w2", cauri.ErrLeaseHeld},
			{"by another owner, at expiry", ttl, "w2", nil},
			{"by another owner, after expiry", 2 * ttl, "w2", nil},
			{"by the same owner after expiry", 2 * ttl, "w1", nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				f := setup(t, newStore)
				t0 := now()
				p := f.claimed("w1", t0, ttl)
				err := f.s.ClaimOnPaid(f.ctx, p.ID, tt.owner, t0.Add(tt.after), ttl)
				checkErr(t, "second ClaimOnPaid", err, tt.want)
				want := p
				want.OnPaidAttempts = 1 + f.moved
				if tt.want == nil {
					want.OnPaidAttempts = 2 + f.moved
				}
				f.check("after the second claim", want)
			})
		}
	})

	// The owner of an expired lease may still complete, as long as nobody
	// took the lease since.
	for _, tt := range []struct {
		name  string
		after time.Duration // since the claim
	}{
		{"Complete", 3 * time.Second},
		{"CompleteAfterExpiry", 10 * ttl},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := setup(t, newStore)
			t0 := now()
			p := f.claimed("w1", t0, ttl)
			done := t0.Add(tt.after)
			f.must("CompleteOnPaid", f.s.CompleteOnPaid(f.ctx, p.ID, "w1", done))
			want := p
			want.OnPaidAttempts, want.FulfilledAt = 1+f.moved, done
			got := f.get(p.ID)
			checkPayment(t, "after CompleteOnPaid", got, want)
			if !got.Fulfilled() {
				t.Error("Fulfilled() = false after CompleteOnPaid")
			}
		})
	}

	t.Run("CompleteAfterTakeover", func(t *testing.T) {
		f := setup(t, newStore)
		t0 := now()
		p := f.claimed("w1", t0, ttl)
		f.must("w2 ClaimOnPaid after expiry", f.s.ClaimOnPaid(f.ctx, p.ID, "w2", t0.Add(ttl+time.Second), ttl))
		checkErr(t, "w1 CompleteOnPaid", f.s.CompleteOnPaid(f.ctx, p.ID, "w1", t0.Add(ttl+2*time.Second)), cauri.ErrLeaseHeld)
		f.checkOnPaid("after w1's refused completion", p, 2, time.Time{})

		done := t0.Add(ttl + 3*time.Second)
		f.must("w2 CompleteOnPaid", f.s.CompleteOnPaid(f.ctx, p.ID, "w2", done))
		f.checkOnPaid("after w2's completion", p, 2, done)
	})

	t.Run("CompleteTwice", func(t *testing.T) {
		f := setup(t, newStore)
		t0 := now()
		p := f.claimed("w1", t0, ttl)
		f.must("CompleteOnPaid", f.s.CompleteOnPaid(f.ctx, p.ID, "w1", t0.Add(time.Second)))
		checkErr(t, "second CompleteOnPaid", f.s.CompleteOnPaid(f.ctx, p.ID, "w1", t0.Add(2*time.Second)), cauri.ErrFulfilled)
		f.checkOnPaid("after the second completion", p, 1, t0.Add(time.Second)) // FulfilledAt kept
	})

	t.Run("ClaimAfterDone", func(t *testing.T) {
		tests := []struct {
			name  string
			after time.Duration
			owner string
		}{
			{"same owner", time.Second, "w1"},
			{"other owner", time.Second, "w2"},
			{"other owner after expiry", 5 * ttl, "w2"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				f := setup(t, newStore)
				t0 := now()
				p := f.claimed("w1", t0, ttl)
				f.must("CompleteOnPaid", f.s.CompleteOnPaid(f.ctx, p.ID, "w1", t0))
				checkErr(t, "ClaimOnPaid after completion", f.s.ClaimOnPaid(f.ctx, p.ID, tt.owner, t0.Add(tt.after), ttl), cauri.ErrFulfilled)
				f.checkOnPaid("after the refused claim", p, 1, t0)
			})
		}
	})

	t.Run("Release", func(t *testing.T) {
		f := setup(t, newStore)
		t0 := now()
		p := f.claimed("w1", t0, time.Hour)
		f.must("w1 ReleaseOnPaid", f.s.ReleaseOnPaid(f.ctx, p.ID, "w1"))
		f.must("w2 ClaimOnPaid right after the release", f.s.ClaimOnPaid(f.ctx, p.ID, "w2", t0.Add(time.Second), time.Hour))
		checkErr(t, "w1 CompleteOnPaid after giving the lease up", f.s.CompleteOnPaid(f.ctx, p.ID, "w1", t0.Add(2*time.Second)), cauri.ErrLeaseHeld)
		f.must("w2 CompleteOnPaid", f.s.CompleteOnPaid(f.ctx, p.ID, "w2", t0.Add(3*time.Second)))
		f.checkOnPaid("after the retry", p, 2, t0.Add(3*time.Second))
	})

	t.Run("ReleaseByNonOwner", func(t *testing.T) {
		f := setup(t, newStore)
		t0 := now()
		p := f.claimed("w1", t0, time.Hour)
		checkErr(t, "w2 ReleaseOnPaid", f.s.ReleaseOnPaid(f.ctx, p.ID, "w2"), nil)
		checkErr(t, "w3 ClaimOnPaid", f.s.ClaimOnPaid(f.ctx, p.ID, "w3", t0.Add(time.Second), time.Hour), cauri.ErrLeaseHeld)
		f.must("w1 CompleteOnPaid", f.s.CompleteOnPaid(f.ctx, p.ID, "w1", t0.Add(2*time.Second)))
		f.checkOnPaid("after w1's completion", p, 1, t0.Add(2*time.Second))
	})

	t.Run("ReleaseWithoutLease", func(t *testing.T) {
		f := setup(t, newStore)
		p := f.paid(now())
		checkErr(t, "ReleaseOnPaid of a free lease", f.s.ReleaseOnPaid(f.ctx, p.ID, "w1"), nil)
		f.check("after the no-op release", p)
	})

	t.Run("AttemptsCounted", func(t *testing.T) {
		f := setup(t, newStore)
		p := f.paid(now())
		t0 := now()
		steps := []struct {
			what     string
			do       func() error
			want     error
			attempts int
		}{
			{"w1 claims", func() error { return f.s.ClaimOnPaid(f.ctx, p.ID, "w1", t0, ttl) }, nil, 1},
			{"w2 is refused", func() error { return f.s.ClaimOnPaid(f.ctx, p.ID, "w2", t0, ttl) }, cauri.ErrLeaseHeld, 1},
			{"w1 releases", func() error { return f.s.ReleaseOnPaid(f.ctx, p.ID, "w1") }, nil, 1},
			{"w2 claims", func() error { return f.s.ClaimOnPaid(f.ctx, p.ID, "w2", t0.Add(time.Second), ttl) }, nil, 2},
			{"w3 is refused", func() error { return f.s.ClaimOnPaid(f.ctx, p.ID, "w3", t0.Add(2*time.Second), ttl) }, cauri.ErrLeaseHeld, 2},
			{"w3 claims after expiry", func() error { return f.s.ClaimOnPaid(f.ctx, p.ID, "w3", t0.Add(time.Second+ttl), ttl) }, nil, 3},
			{"w3 completes", func() error { return f.s.CompleteOnPaid(f.ctx, p.ID, "w3", t0.Add(3*ttl)) }, nil, 3},
			{"w1 is refused", func() error { return f.s.ClaimOnPaid(f.ctx, p.ID, "w1", t0.Add(4*ttl), ttl) }, cauri.ErrFulfilled, 3},
		}
		for _, s := range steps {
			checkErr(t, s.what, s.do(), s.want)
			if got := f.get(p.ID).OnPaidAttempts; got != s.attempts+f.moved {
				t.Errorf("after %q: OnPaidAttempts = %d, want %d", s.what, got, s.attempts+f.moved)
			}
		}
	})
}
