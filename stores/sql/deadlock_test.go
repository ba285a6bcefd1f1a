package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/cauripay/cauri"
	sqlstore "github.com/cauripay/cauri/stores/sql"
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

// TestTransactionsRetriedAfterDeadlock runs transactions that end as
// InnoDB's deadlock victims end: on MySQL and MariaDB they are run again,
// each attempt from scratch, until one commits or the attempts run out;
// elsewhere, and for any other error, the first error is the answer.
func TestTransactionsRetriedAfterDeadlock(t *testing.T) {
	deadlock := errors.New("Error 1213 (40001): Deadlock found when trying to get lock; try restarting transaction")
	other := errors.New("Error 1062 (23000): Duplicate entry 'a' for key 'PRIMARY'")
	eachBackend(t, func(t *testing.T, b backend) {
		ctx, _, s := b.start(t)
		retries := b.dialect == sqlstore.MySQL
		tests := []struct {
			name      string
			failing   int   // attempts that fail before one succeeds
			err       error // how they fail
			wantCalls int
			wantErr   error
		}{
			{"succeeds at once", 0, nil, 1, nil},
			{"two deadlocks, then commits", 2, deadlock, map[bool]int{true: 3, false: 1}[retries], map[bool]error{true: nil, false: deadlock}[retries]},
			{"deadlocked every time", 100, deadlock, map[bool]int{true: 8, false: 1}[retries], deadlock},
			{"another error", 100, other, 1, other},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				calls := 0
				err := s.InTx(ctx, func(tx *sql.Tx) error {
					calls++
					var one int
					if err := tx.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
						return err
					}
					if calls <= tt.failing {
						return tt.err
					}
					return nil
				})
				if calls != tt.wantCalls || !errors.Is(err, tt.wantErr) {
					t.Errorf("%d calls, error %v; want %d and %v", calls, err, tt.wantCalls, tt.wantErr)
				}
			})
		}
		if retries {
			cancelled, cancel := context.WithCancel(ctx)
			calls := 0
			err := s.InTx(cancelled, func(*sql.Tx) error {
				calls++
				cancel() // the pause before the next attempt sees it
				return deadlock
			})
			if calls != 1 || !errors.Is(err, deadlock) {
				t.Errorf("cancelled during the pause: %d calls, error %v; want 1 and the deadlock", calls, err)
			}
		}
	})
}
