package storetest

import (
	"context"
	"crypto/rand"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cauripay/cauri"
)

// runPayouts checks cauri.PayoutStore, for stores that implement it.
func runPayouts(t *testing.T, newStore func(t *testing.T) cauri.Store) {
	payoutStore := func(t *testing.T) cauri.PayoutStore {
		ps, ok := newStore(t).(cauri.PayoutStore)
		if !ok {
			t.Skip("the store does not implement cauri.PayoutStore")
		}
		return ps
	}
	at := time.Date(2001, 2, 3, 4, 5, 6, 7000, time.UTC)
	newPayout := func(key string) cauri.Payout {
		return cauri.Payout{Key: key, Provider: "paydunya", Account: "+221770000000", Amount: 2500, Currency: "XOF",
			Status: cauri.PayoutPending, CreatedAt: at, UpdatedAt: at}
	}

	t.Run("CreateGetFinish", func(t *testing.T) {
		ps := payoutStore(t)
		ctx := context.Background()
		key := "po_" + rand.Text()
		want := newPayout(key)
		if err := ps.CreatePayout(ctx, want); err != nil {
			t.Fatal(err)
		}
		got, err := ps.GetPayout(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		if got.Key != want.Key || got.Provider != want.Provider || got.Account != want.Account || got.Amount != want.Amount ||
			got.Currency != want.Currency || got.Status != cauri.PayoutPending || !got.CreatedAt.Equal(at) {
			t.Fatalf("GetPayout = %+v, want %+v", got, want)
		}
		later := at.Add(time.Minute)
		done, err := ps.FinishPayout(ctx, key, cauri.PayoutResult{ProviderRef: "ref-1", Status: cauri.PayoutSucceeded, Message: "ok"}, later)
		if err != nil {
			t.Fatal(err)
		}
		if done.Status != cauri.PayoutSucceeded || done.ProviderRef != "ref-1" || done.Message != "ok" || !done.UpdatedAt.Equal(later) {
			t.Fatalf("FinishPayout = %+v", done)
		}
		if got, _ := ps.GetPayout(ctx, key); got.Status != cauri.PayoutSucceeded || got.ProviderRef != "ref-1" {
			t.Fatalf("after finish GetPayout = %+v", got)
		}
		if _, err := ps.FinishPayout(ctx, key, cauri.PayoutResult{Status: cauri.PayoutFailed}, later); !errors.Is(err, cauri.ErrConflict) {
			t.Fatalf("second FinishPayout: %v, want ErrConflict", err)
		}
	})

	t.Run("NotFound", func(t *testing.T) {
		ps := payoutStore(t)
		ctx := context.Background()
		if _, err := ps.GetPayout(ctx, "po_"+rand.Text()); !errors.Is(err, cauri.ErrNotFound) {
			t.Errorf("GetPayout: %v, want ErrNotFound", err)
		}
		if _, err := ps.FinishPayout(ctx, "po_"+rand.Text(), cauri.PayoutResult{Status: cauri.PayoutFailed}, at); !errors.Is(err, cauri.ErrNotFound) {
			t.Errorf("FinishPayout: %v, want ErrNotFound", err)
		}
	})

	t.Run("ListPendingPayouts", func(t *testing.T) {
		ps := payoutStore(t)
		lister, ok := ps.(cauri.PayoutLister)
		if !ok {
			t.Skip("the store does not implement cauri.PayoutLister")
		}
		ctx := context.Background()
		base := "po_" + rand.Text()
		mk := func(suffix string, created time.Time) cauri.Payout {
			p := newPayout(base + suffix)
			p.CreatedAt, p.UpdatedAt = created, created
			if err := ps.CreatePayout(ctx, p); err != nil {
				t.Fatal(err)
			}
			return p
		}
		// Ties on CreatedAt are ordered by key; a pending payout whose
		// reference was recorded is still pending; settled ones and those
		// created at or after the bound are not listed.
		mk("_c", at.Add(2*time.Second))
		mk("_b", at)
		mk("_a", at)
		mk("_d", at.Add(3*time.Second))
		mk("_late", at.Add(time.Minute))
		mk("_at_bound", at.Add(10*time.Second))
		mk("_done", at.Add(time.Second))
		if _, err := ps.FinishPayout(ctx, base+"_done", cauri.PayoutResult{Status: cauri.PayoutSucceeded, ProviderRef: "r"}, at); err != nil {
			t.Fatal(err)
		}
		mk("_failed", at.Add(time.Second))
		if _, err := ps.FinishPayout(ctx, base+"_failed", cauri.PayoutResult{Status: cauri.PayoutFailed}, at); err != nil {
			t.Fatal(err)
		}
		if _, err := ps.FinishPayout(ctx, base+"_d", cauri.PayoutResult{Status: cauri.PayoutPending, ProviderRef: "ref-d"}, at); err != nil {
			t.Fatal(err)
		}

		bound := at.Add(10 * time.Second)
		want := []string{base + "_a", base + "_b", base + "_c", base + "_d"}
		tests := []struct {
			name  string
			limit int
		}{{"one page", 10}, {"exact pages", 2}, {"uneven pages", 3}, {"one at a time", 1}}
		for _, tt := range tests {
			var got []string
			var after cauri.Cursor
			for range len(want) + 2 {
				page, err := lister.ListPendingPayouts(ctx, bound, after, tt.limit)
				if err != nil {
					t.Fatalf("%s: %v", tt.name, err)
				}
				if len(page) > tt.limit {
					t.Fatalf("%s: page of %d, limit %d", tt.name, len(page), tt.limit)
				}
				for _, p := range page {
					if p.Status != cauri.PayoutPending || !p.CreatedAt.Before(bound) {
						t.Errorf("%s: listed %+v", tt.name, p)
					}
					got = append(got, p.Key)
				}
				if len(page) < tt.limit {
					break
				}
				after = cauri.PayoutCursor(page[len(page)-1])
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s: listed %v, want %v", tt.name, got, want)
			}
		}
		page, err := lister.ListPendingPayouts(ctx, bound, cauri.Cursor{}, 10)
		if err != nil || len(page) != 4 || page[3].ProviderRef != "ref-d" || page[0].Amount != 2500 || page[0].Currency != "XOF" {
			t.Errorf("listed %+v, %v; want the payouts as stored", page, err)
		}
		if page, err := lister.ListPendingPayouts(ctx, at, cauri.Cursor{}, 10); err != nil || len(page) != 0 {
			t.Errorf("pending before the oldest: %+v, %v; want none", page, err)
		}
		if page, err := lister.ListPendingPayouts(ctx, bound, cauri.Cursor{}, 0); err != nil || len(page) != 0 {
			t.Errorf("limit 0: %+v, %v; want none", page, err)
		}
	})

	t.Run("ConcurrentCreateOneWins", func(t *testing.T) {
		ps := payoutStore(t)
		key := "po_" + rand.Text()
		var wins, dups atomic.Int32
		var wg sync.WaitGroup
		start := make(chan struct{})
		for range 64 {
			wg.Go(func() {
				<-start
				err := ps.CreatePayout(context.Background(), newPayout(key))
				switch {
				case err == nil:
					wins.Add(1)
				case errors.Is(err, cauri.ErrDuplicate):
					dups.Add(1)
				default:
					t.Errorf("CreatePayout: %v", err)
				}
			})
		}
		close(start)
		wg.Wait()
		if wins.Load() != 1 || dups.Load() != 63 {
			t.Errorf("wins = %d, duplicates = %d; want 1, 63", wins.Load(), dups.Load())
		}
	})
}
