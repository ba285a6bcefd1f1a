package sqlstore_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/stores/storetest"
)

// TestConcurrentFirstEventsSettle moves many payments that have no
// history yet (as a store's pending payments are when it is upgraded to
// the history's schema) to paid at once, each with its events and
// OnPaid's lease, as the kit's webhooks do. On MySQL and MariaDB, the
// count of two such payments' events reads the same gap of the events'
// index, and their inserts deadlock: a deadlocked move must be made
// again, not lost.
func TestConcurrentFirstEventsSettle(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx, _, s := b.start(t)
		const payments, workers = 96, 12
		at := time.Now().UTC().Truncate(time.Microsecond)
		ids := make([]string, payments)
		for i := range ids {
			ids[i] = fmt.Sprintf("pay_first_%04d", i) // neighbours in every index
			if err := s.Create(ctx, storetest.Payment(ids[i], at.Add(time.Duration(i)*time.Millisecond))); err != nil {
				t.Fatal(err)
			}
		}
		next := make(chan string)
		go func() {
			defer close(next)
			for _, id := range ids {
				next <- id
			}
		}()
		var (
			wg   sync.WaitGroup
			mu   sync.Mutex
			errs []error
		)
		for w := range workers {
			wg.Go(func() {
				for id := range next {
					_, _, err := s.TransitionClaimingOrder(ctx, id, cauri.StatusPending, cauri.Change{
						To: cauri.StatusPaid, At: at,
						Lease: cauri.Lease{Owner: fmt.Sprintf("worker-%d", w), Until: at.Add(time.Minute)},
						Events: []cauri.Event{
							{At: at, Kind: cauri.EventNotification, Source: "moneroo", Status: cauri.StatusPaid, Detail: "webhook"},
							{At: at, Kind: cauri.EventMoved, Status: cauri.StatusPaid, Detail: "pending → paid"},
						},
					})
					if err != nil {
						mu.Lock()
						errs = append(errs, fmt.Errorf("%s: %w", id, err))
						mu.Unlock()
					}
				}
			})
		}
		wg.Wait()
		for _, err := range errs {
			t.Error(err)
		}
		for _, id := range ids {
			p, err := s.Get(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if p.Status != cauri.StatusPaid {
				t.Errorf("%s is %s, want paid", id, p.Status)
			}
			h, err := s.History(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if len(h) != 2 || h[0].Seq != 1 || h[1].Seq != 2 {
				t.Errorf("%s's history: %+v, want its two events numbered 1 and 2", id, h)
			}
		}
	})
}
