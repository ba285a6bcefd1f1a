package storetest

import (
	"context"
	"crypto/rand"
	"errors"
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
