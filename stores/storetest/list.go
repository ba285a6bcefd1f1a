package storetest

import (
	"cmp"
	"fmt"
	"strings"
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
	zero := func(stored) cauri.Cursor { return cauri.Cursor{} }
	at := func(t time.Time) func(stored) cauri.Cursor {
		return func(stored) cauri.Cursor { return cauri.Cursor{CreatedAt: t} }
	}
	tests := []listCase[stored]{ // at: olderThan
		{"all before the cut-off", cutoff, zero, 100,
			func(s stored) []cauri.Payment { return []cauri.Payment{s.p0, s.p1, s.p2, s.p5} }},
		{"limit", cutoff, zero, 2,
			func(s stored) []cauri.Payment { return []cauri.Payment{s.p0, s.p1} }},
		{"limit of one", cutoff, zero, 1, // the zero cursor starts at the oldest
			func(s stored) []cauri.Payment { return []cauri.Payment{s.p0} }},
		{"later cut-off", minute(30), zero, 100,
			func(s stored) []cauri.Payment { return []cauri.Payment{s.p0, s.p1, s.p2, s.p5, s.cut, s.late} }},
		{"cut-off just after one", minute(1).Add(time.Microsecond), zero, 100,
			func(s stored) []cauri.Payment { return []cauri.Payment{s.p0, s.p1} }},
		{"early cut-off", base, zero, 100,
			func(s stored) []cauri.Payment { return nil }},
		{"after the oldest", cutoff, func(s stored) cauri.Cursor { return cauri.CursorOf(s.p0) }, 2,
			func(s stored) []cauri.Payment { return []cauri.Payment{s.p1, s.p2} }},
		{"after one, past payments no longer pending", cutoff, func(s stored) cauri.Cursor { return cauri.CursorOf(s.p2) }, 100,
			func(s stored) []cauri.Payment { return []cauri.Payment{s.p5} }},
		{"cursor between payments", cutoff, at(minute(1).Add(30 * time.Second)), 100,
			func(s stored) []cauri.Payment { return []cauri.Payment{s.p2, s.p5} }},
		{"cursor at a creation time, without an ID", cutoff, at(minute(1)), 100,
			func(s stored) []cauri.Payment { return []cauri.Payment{s.p1, s.p2, s.p5} }},
		{"cursor a microsecond after a creation time", cutoff, at(minute(1).Add(time.Microsecond)), 100,
			func(s stored) []cauri.Payment { return []cauri.Payment{s.p2, s.p5} }},
		{"cursor and a later cut-off", minute(30), func(s stored) cauri.Cursor { return cauri.CursorOf(s.p5) }, 100,
			func(s stored) []cauri.Payment { return []cauri.Payment{s.cut, s.late} }},
		{"after the last before the cut-off", cutoff, func(s stored) cauri.Cursor { return cauri.CursorOf(s.p5) }, 100,
			func(s stored) []cauri.Payment { return nil }},
		{"cursor past the end", afterAll().Add(time.Hour), at(afterAll()), 100,
			func(s stored) []cauri.Payment { return nil }},
	}
	runListCases(t, newStore, "ListPending", fill, func(s stored) map[string]bool { return s.all }, tests,
		func(f *fixture, olderThan time.Time, after cauri.Cursor, limit int) ([]cauri.Payment, error) {
			return f.s.ListPending(f.ctx, olderThan, after, limit)
		},
		func(p cauri.Payment, olderThan time.Time) bool {
			return p.Status == cauri.StatusPending && p.CreatedAt.Before(olderThan)
		})

	pending := func(olderThan time.Time) func(cauri.Payment) bool {
		return func(p cauri.Payment) bool { return p.Status == cauri.StatusPending && p.CreatedAt.Before(olderThan) }
	}
	t.Run("paging", func(t *testing.T) {
		f := setup(t, newStore)
		s := fill(f)
		want := []cauri.Payment{s.p0, s.p1, s.p2, s.p5}
		checkWalks(t, "ListPending", func(after cauri.Cursor, limit int) ([]cauri.Payment, error) {
			return f.s.ListPending(f.ctx, cutoff, after, limit)
		}, s.all, want, pending(cutoff))
	})
	t.Run("paging through equal creation times", func(t *testing.T) {
		f := setup(t, newStore)
		at := minute(2)
		tied := make([]cauri.Payment, 5)
		prefix := newID() + "_"
		for _, i := range []int{3, 0, 4, 1, 2} { // not in ID order
			tied[i] = f.pending(at, withID(tiedID(prefix, i)))
		}
		// Between tied[1] and tied[2] by ID, but no longer pending.
		failed := f.move(f.pending(at, withID(tiedID(prefix, 1)+"x")), cauri.StatusFailed)
		older, newer := f.pending(minute(1)), f.pending(minute(3))
		all := set(append(tied, failed, older, newer)...)
		want := append(append([]cauri.Payment{older}, tied...), newer)
		checkWalks(t, "ListPending", func(after cauri.Cursor, limit int) ([]cauri.Payment, error) {
			return f.s.ListPending(f.ctx, cutoff, after, limit)
		}, all, want, pending(cutoff))
		cur := cauri.Cursor{CreatedAt: at}
		got, err := f.s.ListPending(f.ctx, cutoff, cur, 100)
		f.must("ListPending", err)
		checkList(t, "ListPending at the tied time", got, 100, all, want[1:], func(p cauri.Payment) bool {
			return pending(cutoff)(p) && isAfter(p, cur)
		})
	})
	t.Run("cursor of a payment that left the list", func(t *testing.T) {
		f := setup(t, newStore)
		s := fill(f)
		first, err := f.s.ListPending(f.ctx, cutoff, cauri.Cursor{}, 2)
		f.must("ListPending", err)
		checkList(t, "ListPending, first page", first, 2, s.all, []cauri.Payment{s.p0, s.p1}, pending(cutoff))
		if len(first) != 2 {
			t.Fatalf("first page: %d payments, want 2", len(first))
		}
		last := first[1]
		f.move(last, cauri.StatusPaid)
		got, err := f.s.ListPending(f.ctx, cutoff, cauri.CursorOf(last), 100)
		f.must("ListPending", err)
		checkList(t, "ListPending, next page", got, 100, s.all, []cauri.Payment{s.p2, s.p5}, func(p cauri.Payment) bool {
			return pending(cutoff)(p) && isAfter(p, cauri.CursorOf(last))
		})
	})
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
	zero := func(stored) cauri.Cursor { return cauri.Cursor{} }
	tests := []listCase[stored]{ // at: now
		{"free or expired leases", at, zero, 100,
			func(s stored) []cauri.Payment {
				return []cauri.Payment{s.u0, s.free, s.expired, s.released, s.atExpiry}
			}},
		{"limit", at, zero, 3,
			func(s stored) []cauri.Payment { return []cauri.Payment{s.u0, s.free, s.expired} }},
		{"limit of one", at, zero, 1, // the zero cursor starts at the oldest
			func(s stored) []cauri.Payment { return []cauri.Payment{s.u0} }},
		{"once the held lease expired", at.Add(30 * time.Minute), zero, 100,
			func(s stored) []cauri.Payment {
				return []cauri.Payment{s.u0, s.free, s.held, s.expired, s.released, s.atExpiry}
			}},
		{"before the expired lease expired", at.Add(-time.Hour - time.Microsecond), zero, 100,
			func(s stored) []cauri.Payment { return []cauri.Payment{s.u0, s.free, s.released} }},
		{"after a cursor, past a held lease", at, func(s stored) cauri.Cursor { return cauri.CursorOf(s.free) }, 2,
			func(s stored) []cauri.Payment { return []cauri.Payment{s.expired, s.released} }},
		{"after a cursor, past a fulfilled payment", at, func(s stored) cauri.Cursor { return cauri.CursorOf(s.expired) }, 100,
			func(s stored) []cauri.Payment { return []cauri.Payment{s.released, s.atExpiry} }},
		{"cursor at a creation time, without an ID", at,
			func(stored) cauri.Cursor { return cauri.Cursor{CreatedAt: minute(3)} }, 100,
			func(s stored) []cauri.Payment { return []cauri.Payment{s.expired, s.released, s.atExpiry} }},
		{"cursor and the held lease expired", at.Add(30 * time.Minute), func(s stored) cauri.Cursor { return cauri.CursorOf(s.free) }, 1,
			func(s stored) []cauri.Payment { return []cauri.Payment{s.held} }},
		{"after the last", at, func(s stored) cauri.Cursor { return cauri.CursorOf(s.atExpiry) }, 100,
			func(s stored) []cauri.Payment { return nil }},
		{"cursor past the end", at,
			func(stored) cauri.Cursor { return cauri.Cursor{CreatedAt: afterAll()} }, 100,
			func(s stored) []cauri.Payment { return nil }},
	}
	runListCases(t, newStore, "ListUnfulfilled", fill, func(s stored) map[string]bool { return s.all }, tests,
		func(f *fixture, now time.Time, after cauri.Cursor, limit int) ([]cauri.Payment, error) {
			return f.s.ListUnfulfilled(f.ctx, now, after, limit)
		},
		func(p cauri.Payment, _ time.Time) bool { return p.Status == cauri.StatusPaid && !p.Fulfilled() })

	unfulfilled := func(p cauri.Payment) bool { return p.Status == cauri.StatusPaid && !p.Fulfilled() }
	t.Run("paging", func(t *testing.T) {
		f := setup(t, newStore)
		s := fill(f)
		want := []cauri.Payment{s.u0, s.free, s.expired, s.released, s.atExpiry}
		checkWalks(t, "ListUnfulfilled", func(after cauri.Cursor, limit int) ([]cauri.Payment, error) {
			return f.s.ListUnfulfilled(f.ctx, at, after, limit)
		}, s.all, want, unfulfilled)
	})
	t.Run("paging through equal creation times", func(t *testing.T) {
		f := setup(t, newStore)
		created := minute(2)
		tied := make([]cauri.Payment, 5)
		prefix := newID() + "_"
		for _, i := range []int{2, 4, 0, 3, 1} { // not in ID order
			tied[i] = f.paid(created, withID(tiedID(prefix, i)))
		}
		// Between tied ones by ID, but leased and fulfilled.
		held := f.paid(created, withID(tiedID(prefix, 1)+"x"))
		f.must("claim held", f.s.ClaimOnPaid(f.ctx, held.ID, "w-held", at, time.Hour))
		done := f.paid(created, withID(tiedID(prefix, 3)+"x"))
		f.must("claim done", f.s.ClaimOnPaid(f.ctx, done.ID, "w-done", at, time.Hour))
		f.must("complete done", f.s.CompleteOnPaid(f.ctx, done.ID, "w-done", at))
		older, newer := f.paid(minute(1)), f.paid(minute(3))
		all := set(append(tied, held, done, older, newer)...)
		want := append(append([]cauri.Payment{older}, tied...), newer)
		checkWalks(t, "ListUnfulfilled", func(after cauri.Cursor, limit int) ([]cauri.Payment, error) {
			return f.s.ListUnfulfilled(f.ctx, at, after, limit)
		}, all, want, unfulfilled)
	})
}

// listCase is a case of a list test: the list at time at (its olderThan,
// or its now), after the cursor after gives, limit payments at most, must
// return those want gives, of the payments a fill stored (S).
type listCase[S any] struct {
	name  string
	at    time.Time
	after func(S) cauri.Cursor
	limit int
	want  func(S) []cauri.Payment
}

// runListCases runs each case as a subtest on a new store that fill fills:
// what list returns is checked with checkList against the payments mine
// gives, each having to match at the case's time and come after its
// cursor.
func runListCases[S any](t *testing.T, newStore func(t *testing.T) cauri.Store, what string, fill func(*fixture) S, mine func(S) map[string]bool, cases []listCase[S],
	list func(f *fixture, at time.Time, after cauri.Cursor, limit int) ([]cauri.Payment, error), match func(p cauri.Payment, at time.Time) bool) {
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			f := setup(t, newStore)
			s := fill(f)
			after := tt.after(s)
			got, err := list(f, tt.at, after, tt.limit)
			f.must(what, err)
			checkList(t, what, got, tt.limit, mine(s), tt.want(s), func(p cauri.Payment) bool {
				return match(p, tt.at) && isAfter(p, after)
			})
		})
	}
}

// afterAll is a time after the creation of every payment the suite makes.
func afterAll() time.Time { return time.Date(2200, time.January, 1, 0, 0, 0, 0, time.UTC) }

// withID sets a payment's ID.
func withID(id string) func(*cauri.Payment) {
	return func(p *cauri.Payment) { p.ID = id }
}

// tiedID is the ID of the ith of payments created at the same time. Those
// of one prefix sort by i as text in any collation.
func tiedID(prefix string, i int) string { return fmt.Sprintf("%s%02d", prefix, i) }

// compareCursor orders positions by CreatedAt, then ID.
func compareCursor(a, b cauri.Cursor) int {
	return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.ID, b.ID))
}

// isAfter reports whether p comes after the cursor.
func isAfter(p cauri.Payment, after cauri.Cursor) bool {
	return compareCursor(cauri.CursorOf(p), after) > 0
}

// checkWalks does what checkWalk does with pages of 1, 2 and 3 payments.
func checkWalks(t *testing.T, what string, list func(after cauri.Cursor, limit int) ([]cauri.Payment, error), mine map[string]bool, want []cauri.Payment, match func(cauri.Payment) bool) {
	t.Helper()
	for _, size := range []int{1, 2, 3} {
		checkWalk(t, fmt.Sprintf("%s by %d", what, size), size, list, mine, want, match)
	}
}

// checkWalk pages through a list, size payments a page, starting from the
// zero cursor and going on from the Cursor of each page's last payment,
// until a page comes back empty. Every payment must match and come after
// the one before it, by CreatedAt then ID, so that none comes twice; among
// the payments this subtest made (mine), exactly want must come, in order
// and with the same contents. Payments other subtests left in a shared
// store are tolerated as long as they match.
func checkWalk(t *testing.T, what string, size int, list func(after cauri.Cursor, limit int) ([]cauri.Payment, error), mine map[string]bool, want []cauri.Payment, match func(cauri.Payment) bool) {
	t.Helper()
	var (
		after cauri.Cursor
		own   []cauri.Payment
		seen  = make(map[string]bool)
	)
	for page := 1; ; page++ {
		got, err := list(after, size)
		if err != nil {
			t.Fatalf("%s: page %d: %v", what, page, err)
		}
		if len(got) > size {
			t.Errorf("%s: page %d: %d payments, want at most %d", what, page, len(got), size)
		}
		if len(got) == 0 {
			break
		}
		for _, p := range got {
			if seen[p.ID] {
				t.Fatalf("%s: page %d: %s returned again", what, page, p.ID)
			}
			seen[p.ID] = true
			if !isAfter(p, after) {
				t.Errorf("%s: page %d: %s (%v) not after %q (%v)", what, page, p.ID, p.CreatedAt, after.ID, after.CreatedAt)
			}
			if !match(p) {
				t.Errorf("%s: page %d: returned %s (status %s, created %v), which does not match",
					what, page, p.ID, p.Status, p.CreatedAt)
			}
			if mine[p.ID] {
				own = append(own, p)
			}
			after = cauri.CursorOf(p)
		}
	}
	if len(own) != len(want) {
		t.Errorf("%s: got %v, want %v", what, ids(own), ids(want))
		return
	}
	for i := range own {
		if own[i].ID != want[i].ID {
			t.Errorf("%s: got %v, want %v", what, ids(own), ids(want))
			return
		}
		checkPayment(t, what, own[i], want[i])
	}
}
