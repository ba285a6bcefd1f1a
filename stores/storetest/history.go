package storetest

import (
	"cmp"
	"crypto/rand"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cauripay/cauri"
)

// event returns the event numbered n (from 0) of a test, which its Detail
// names.
func event(n int, at time.Time) cauri.Event {
	e := cauri.Event{
		At: at.Add(time.Duration(n) * time.Millisecond), Kind: cauri.EventStatus, Source: cauri.SourceReconciler,
		Status: cauri.StatusPending, Detail: fmt.Sprintf("event %d", n),
	}
	if n%7 == 3 {
		e.Kind, e.Source, e.Status, e.Actor = cauri.EventRecheck, cauri.SourceAdmin, "", "ops@shop.example"
	}
	return e
}

// events returns the events numbered from to to-1.
func events(from, to int, at time.Time) []cauri.Event {
	out := make([]cauri.Event, 0, to-from)
	for n := from; n < to; n++ {
		out = append(out, event(n, at))
	}
	return out
}

// history reads payment id's history and fails the test if that fails.
func history(f *fixture, hs cauri.HistoryStore, id string) []cauri.Event {
	f.t.Helper()
	h, err := hs.History(f.ctx, id)
	if err != nil {
		f.t.Fatalf("History(%s): %v", id, err)
	}
	return h
}

// checkEvents compares a history with want, the events appended with
// their Seq filled in. Times are compared with time.Equal and must be in
// UTC.
func checkEvents(t *testing.T, what string, got, want []cauri.Event) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d events, want %d: got seqs %v, want %v", what, len(got), len(want), seqs(got), seqs(want))
		return
	}
	for i := range got {
		g, w := got[i], want[i]
		if !g.At.Equal(w.At) || g.At.Location() != time.UTC {
			t.Errorf("%s: event %d: At = %v, want %v in UTC", what, i, g.At, w.At)
		}
		g.At, w.At = time.Time{}, time.Time{}
		if g != w {
			t.Errorf("%s: event %d = %+v, want %+v", what, i, g, w)
		}
	}
}

func seqs(es []cauri.Event) []int64 {
	out := make([]int64, len(es))
	for i, e := range es {
		out[i] = e.Seq
	}
	return out
}

// numbered returns es with their Seq set from first on.
func numbered(es []cauri.Event, first int64) []cauri.Event {
	out := slices.Clone(es)
	for i := range out {
		out[i].Seq = first + int64(i)
	}
	return out
}

// runHistory checks a Store that implements cauri.HistoryStore.
func runHistory(t *testing.T, newStore func(t *testing.T) cauri.Store) {
	t.Run("Append", func(t *testing.T) {
		f, hs := setupAs[cauri.HistoryStore](t, newStore)
		p := f.pending(now())
		if h := history(f, hs, p.ID); len(h) != 0 {
			t.Errorf("history of a new payment = %+v, want none", h)
		}
		at := now()
		first, second := events(0, 3, at), events(3, 5, at)
		first[1].Attention = true
		first[2].Detail = "reported 4000 XOF; the order is 5000 XOF — “quoted” ünïcode"
		f.must("AppendEvents", hs.AppendEvents(f.ctx, p.ID, first...))
		f.must("AppendEvents", hs.AppendEvents(f.ctx, p.ID, second...))
		f.must("AppendEvents of none", hs.AppendEvents(f.ctx, p.ID))
		checkEvents(t, "history", history(f, hs, p.ID), numbered(append(first, second...), 1))
		f.check("the payment after its history grew", p)

		other := f.pending(now())
		f.must("AppendEvents", hs.AppendEvents(f.ctx, other.ID, second[0]))
		checkEvents(t, "another payment's history", history(f, hs, other.ID), numbered(second[:1], 1))
	})

	t.Run("Unknown", func(t *testing.T) {
		f, hs := setupAs[cauri.HistoryStore](t, newStore)
		id := newID()
		checkErr(t, "AppendEvents to an unknown payment", hs.AppendEvents(f.ctx, id, event(0, now())), cauri.ErrNotFound)
		checkErr(t, "AppendEvents of none to an unknown payment", hs.AppendEvents(f.ctx, id), nil)
		if h := history(f, hs, id); len(h) != 0 {
			t.Errorf("history of an unknown payment = %+v, want none", h)
		}
	})

	t.Run("Bound", func(t *testing.T) {
		tests := []struct {
			name    string
			batches []int // the sizes of the appends, in order
		}{
			{"within the limit", []int{cauri.HistoryLimit - 1, 1}},
			{"one at a time", slices.Repeat([]int{1}, cauri.HistoryLimit+30)},
			{"in tens", slices.Repeat([]int{10}, 25)},
			{"crossing the limit in one append", []int{cauri.HistoryLimit - 1, 3}},
			{"more than the limit in one append", []int{5, cauri.HistoryLimit + 60}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				f, hs := setupAs[cauri.HistoryStore](t, newStore)
				p := f.pending(now())
				at := now()
				n := 0
				for _, size := range tt.batches {
					f.must("AppendEvents", hs.AppendEvents(f.ctx, p.ID, events(n, n+size, at)...))
					n += size
				}
				all := numbered(events(0, n, at), 1)
				want := all
				if n > cauri.HistoryLimit {
					want = append(all[:cauri.HistoryHead:cauri.HistoryHead], all[n-(cauri.HistoryLimit-cauri.HistoryHead):]...)
				}
				checkEvents(t, fmt.Sprintf("history after %d events", n), history(f, hs, p.ID), want)
			})
		}
	})

	t.Run("Concurrent", func(t *testing.T) {
		tests := []struct {
			name         string
			workers, per int
		}{
			{"within the limit", 16, 5},
			{"past the limit", workers, 5},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				f, hs := setupAs[cauri.HistoryStore](t, newStore)
				p := f.pending(now())
				at := now()
				errs := raceN(tt.workers, func(i int) error {
					for j := range tt.per {
						e := event(i*tt.per+j, at)
						e.Actor = fmt.Sprintf("worker %d", i)
						if err := hs.AppendEvents(f.ctx, p.ID, e); err != nil {
							return err
						}
					}
					return nil
				})
				for i, err := range errs {
					if err != nil {
						t.Errorf("worker %d: %v", i, err)
					}
				}
				total := tt.workers * tt.per
				h := history(f, hs, p.ID)
				if want := min(total, cauri.HistoryLimit); len(h) != want {
					t.Fatalf("%d events appended at once: history has %d, want %d", total, len(h), want)
				}
				// The numbers are 1…total, the bound's gap aside, and
				// each worker's events come in its order.
				last := map[string]int{}
				for i, e := range h {
					want := int64(i + 1)
					if i >= cauri.HistoryHead {
						want = int64(total - len(h) + i + 1)
					}
					if e.Seq != want {
						t.Fatalf("event %d: Seq %d, want %d (seqs %v)", i, e.Seq, want, seqs(h))
					}
					var n int
					if _, err := fmt.Sscanf(e.Detail, "event %d", &n); err != nil {
						t.Fatalf("event %d: Detail %q: %v", i, e.Detail, err)
					}
					if prev, ok := last[e.Actor]; ok && prev >= n {
						t.Errorf("%s's events out of order: %d after %d", e.Actor, n, prev)
					}
					last[e.Actor] = n
				}
			})
		}
	})
}

// runFind checks a Store that implements cauri.PaymentFinder, and, when
// it is a cauri.HistoryStore too, that a payment with an event that needs
// attention is found as such.
func runFind(t *testing.T, newStore func(t *testing.T) cauri.Store) {
	// The payments of one subtest, pN created N minutes after base, of a
	// provider of their own (so that payments other subtests leave in a
	// shared store are not listed), but p5 and p6, of another provider,
	// created at the same time.
	type stored struct {
		provider, other, order string
		ps                     map[string]cauri.Payment // by name
		history                bool                     // p2 needs attention
	}
	base := epoch()
	minute := func(n int) time.Time { return base.Add(time.Duration(n) * time.Minute) }
	fill := func(f *fixture) stored {
		s := stored{
			provider: "find-" + strings.ToLower(rand.Text()[:10]), other: "find-" + strings.ToLower(rand.Text()[:10]),
			order: "order_" + rand.Text(), ps: map[string]cauri.Payment{},
		}
		of := func(provider string) func(*cauri.Payment) { return func(p *cauri.Payment) { p.Provider = provider } }
		s.ps["p0"] = f.pending(minute(0), of(s.provider))
		s.ps["p1"] = f.move(f.pending(minute(1), of(s.provider)), cauri.StatusPaid)
		s.ps["p2"] = f.pending(minute(2), of(s.provider))
		s.ps["p3"] = f.move(f.pending(minute(3), of(s.provider), func(p *cauri.Payment) { p.OrderID = s.order }), cauri.StatusFailed)
		s.ps["p4"] = f.pending(minute(4), of(s.provider), func(p *cauri.Payment) { p.OrderID = s.order })
		s.ps["p5"] = f.pending(minute(5), of(s.other))
		s.ps["p6"] = f.pending(minute(5), of(s.other))
		if hs, ok := f.s.(cauri.HistoryStore); ok {
			s.history = true
			e := cauri.Event{At: minute(2), Kind: cauri.EventRefused, Source: cauri.SourceWebhook, Status: cauri.StatusPaid,
				Detail: "reported 4000 XOF; the order is 5000 XOF", Attention: true}
			f.must("AppendEvents", hs.AppendEvents(f.ctx, s.ps["p2"].ID, event(0, minute(2)), e))
			f.must("AppendEvents", hs.AppendEvents(f.ctx, s.ps["p3"].ID, event(1, minute(3)))) // no attention
		}
		return s
	}
	// The two of the other provider, by ID: the later of the two comes
	// first when newest first.
	pair := func(s stored) (lo, hi string) {
		lo, hi = "p5", "p6"
		if s.ps[lo].ID > s.ps[hi].ID {
			lo, hi = hi, lo
		}
		return lo, hi
	}
	type query = cauri.PaymentQuery
	tests := []struct {
		name  string
		query func(s stored) query
		after string // the name of the payment to list after, or ""
		limit int
		want  func(s stored) []string
	}{
		{"newest first", func(s stored) query { return query{Provider: s.provider} }, "", 100,
			func(stored) []string { return []string{"p4", "p3", "p2", "p1", "p0"} }},
		{"oldest first", func(s stored) query { return query{Provider: s.provider, OldestFirst: true} }, "", 100,
			func(stored) []string { return []string{"p0", "p1", "p2", "p3", "p4"} }},
		{"limit", func(s stored) query { return query{Provider: s.provider} }, "", 2,
			func(stored) []string { return []string{"p4", "p3"} }},
		{"next page", func(s stored) query { return query{Provider: s.provider} }, "p3", 2,
			func(stored) []string { return []string{"p2", "p1"} }},
		{"last page", func(s stored) query { return query{Provider: s.provider} }, "p1", 2,
			func(stored) []string { return []string{"p0"} }},
		{"past the end", func(s stored) query { return query{Provider: s.provider} }, "p0", 2,
			func(stored) []string { return nil }},
		{"next page, oldest first", func(s stored) query { return query{Provider: s.provider, OldestFirst: true} }, "p1", 2,
			func(stored) []string { return []string{"p2", "p3"} }},
		{"no limit", func(s stored) query { return query{Provider: s.provider} }, "", 0,
			func(stored) []string { return nil }},
		{"status", func(s stored) query { return query{Provider: s.provider, Status: cauri.StatusPending} }, "", 100,
			func(stored) []string { return []string{"p4", "p2", "p0"} }},
		{"status, next page", func(s stored) query { return query{Provider: s.provider, Status: cauri.StatusPending} }, "p4", 1,
			func(stored) []string { return []string{"p2"} }},
		{"created since, before", func(s stored) query {
			return query{Provider: s.provider, CreatedSince: minute(1), CreatedBefore: minute(4)}
		}, "", 100, func(stored) []string { return []string{"p3", "p2", "p1"} }},
		{"created since, a microsecond late", func(s stored) query {
			return query{Provider: s.provider, CreatedSince: minute(1).Add(time.Microsecond)}
		}, "", 100, func(stored) []string { return []string{"p4", "p3", "p2"} }},
		{"same time, by ID", func(s stored) query { return query{Provider: s.other} }, "", 100,
			func(s stored) []string { lo, hi := pair(s); return []string{hi, lo} }},
		{"same time, after the first", func(s stored) query { return query{Provider: s.other} }, "hi", 100,
			func(s stored) []string { lo, _ := pair(s); return []string{lo} }},
		{"same time, oldest first", func(s stored) query { return query{Provider: s.other, OldestFirst: true} }, "", 100,
			func(s stored) []string { lo, hi := pair(s); return []string{lo, hi} }},
		{"search by ID", func(s stored) query { return query{Search: s.ps["p1"].ID} }, "", 100,
			func(stored) []string { return []string{"p1"} }},
		{"search by order", func(s stored) query { return query{Search: s.order} }, "", 100,
			func(stored) []string { return []string{"p4", "p3"} }},
		{"search by order, oldest first", func(s stored) query { return query{Search: s.order, OldestFirst: true} }, "", 100,
			func(stored) []string { return []string{"p3", "p4"} }},
		{"search by order, next page", func(s stored) query { return query{Search: s.order} }, "p4", 1,
			func(stored) []string { return []string{"p3"} }},
		{"search by order and status", func(s stored) query { return query{Search: s.order, Status: cauri.StatusFailed} }, "", 100,
			func(stored) []string { return []string{"p3"} }},
		{"search by provider reference", func(s stored) query { return query{Search: s.ps["p5"].ProviderRef} }, "", 100,
			func(stored) []string { return []string{"p5"} }},
		{"search by reference and another provider", func(s stored) query {
			return query{Search: s.ps["p5"].ProviderRef, Provider: s.provider}
		}, "", 100, func(stored) []string { return nil }},
		{"search for nothing known", func(s stored) query { return query{Search: newID()} }, "", 100,
			func(stored) []string { return nil }},
		{"search is exact", func(s stored) query { return query{Search: strings.ToLower(s.ps["p1"].ID)} }, "", 100,
			func(stored) []string { return nil }},
		{"search, needing attention", func(s stored) query { return query{Search: s.ps["p2"].ID, NeedsAttention: true} }, "", 100,
			func(s stored) []string {
				if s.history {
					return []string{"p2"}
				}
				return nil
			}},
		{"search, needing attention, of none that does", func(s stored) query { return query{Search: s.order, NeedsAttention: true} }, "", 100,
			func(stored) []string { return nil }},
		{"needs attention", func(s stored) query { return query{Provider: s.provider, NeedsAttention: true} }, "", 100,
			func(s stored) []string {
				if s.history {
					return []string{"p2"}
				}
				return nil
			}},
	}
	// The queries only read: they share one store.
	f, finder := setupAs[cauri.PaymentFinder](t, newStore)
	s := fill(f)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fixture{t: t, ctx: f.ctx, s: f.s}
			var after cauri.Cursor
			switch tt.after {
			case "":
			case "hi":
				_, hi := pair(s)
				after = cauri.CursorOf(s.ps[hi])
			default:
				after = cauri.CursorOf(s.ps[tt.after])
			}
			got, err := finder.FindPayments(f.ctx, tt.query(s), after, tt.limit)
			if err != nil {
				t.Fatalf("FindPayments: %v", err)
			}
			var want []cauri.Payment
			for _, name := range tt.want(s) {
				want = append(want, f.get(s.ps[name].ID))
			}
			if !slices.Equal(ids(got), ids(want)) {
				name := map[string]string{}
				for n, p := range s.ps {
					name[p.ID] = n
				}
				names := func(ps []cauri.Payment) []string {
					out := make([]string, len(ps))
					for i, p := range ps {
						out[i] = cmp.Or(name[p.ID], p.ID)
					}
					return out
				}
				t.Fatalf("FindPayments = %v, want %v", names(got), names(want))
			}
			for i := range got {
				checkPayment(t, "found", got[i], want[i])
			}
		})
	}

	t.Run("pages", func(t *testing.T) {
		f := &fixture{t: t, ctx: f.ctx, s: f.s}
		for _, oldest := range []bool{false, true} {
			q := cauri.PaymentQuery{Provider: s.provider, OldestFirst: oldest}
			all, err := finder.FindPayments(f.ctx, q, cauri.Cursor{}, 100)
			if err != nil {
				t.Fatal(err)
			}
			var paged []cauri.Payment
			var after cauri.Cursor
			for range 10 {
				page, err := finder.FindPayments(f.ctx, q, after, 2)
				if err != nil {
					t.Fatal(err)
				}
				paged = append(paged, page...)
				if len(page) < 2 {
					break
				}
				after = cauri.CursorOf(page[len(page)-1])
			}
			if len(all) != 5 || !slices.Equal(ids(paged), ids(all)) {
				t.Errorf("oldest first %v: pages of two = %v, all at once = %v", oldest, ids(paged), ids(all))
			}
		}
	})
}
