package cauri_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/moneroo"
	sqlstore "github.com/cauripay/cauri/stores/sql"
)

// countedStore counts how the kit records OnPaid successes in a real
// SQLite store.
type countedStore struct {
	cauri.Store
	batch            cauri.BatchCompleter
	singles, batches atomic.Int64 // writes of each kind
	batched          atomic.Int64 // successes offered to batch writes
	panics           atomic.Int64 // batch writes left to panic

	// hold, when set, keeps the first write waiting until it is closed.
	hold     chan struct{}
	first    atomic.Bool
	heldLong atomic.Bool // the hold was never released
}

// holdFirstWrite makes the first write recording an OnPaid success wait
// until n-1 others are queued behind it: what a write slower than the
// successes' arrival does, however many CPUs run them.
func (s *countedStore) holdFirstWrite(k *cauri.Kit, n int) {
	s.hold = make(chan struct{})
	var once sync.Once
	cauri.OnCompletionQueued(k, func(waiting int) {
		if waiting >= n-1 {
			once.Do(func() { close(s.hold) })
		}
	})
}

// waitIfFirst holds the first write, if asked to.
func (s *countedStore) waitIfFirst() {
	if s.hold == nil || !s.first.CompareAndSwap(false, true) {
		return
	}
	select {
	case <-s.hold:
	case <-time.After(time.Minute):
		s.heldLong.Store(true)
	}
}

func (s *countedStore) CompleteOnPaid(ctx context.Context, id, owner string, now time.Time) error {
	s.singles.Add(1)
	s.waitIfFirst()
	return s.Store.CompleteOnPaid(ctx, id, owner, now)
}

func (s *countedStore) CompleteOnPaidBatch(ctx context.Context, done []cauri.Completion, now time.Time) (int, error) {
	s.batches.Add(1)
	s.batched.Add(int64(len(done)))
	s.waitIfFirst()
	if s.panics.Add(-1) >= 0 {
		panic("store: connection pool corrupted")
	}
	return s.batch.CompleteOnPaidBatch(ctx, done, now)
}

func newSQLiteStore(t *testing.T) *sqlstore.Store {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "cauri.db")+"?_pragma=busy_timeout(30000)&_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s := sqlstore.New(db, sqlstore.SQLite)
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestGroupCommit: OnPaid successes that arrive while a write is under way
// are recorded in shared writes, and each webhook still answers after its own is durable,
// including when one of a batch can no longer be recorded.
func TestGroupCommit(t *testing.T) {
	const n = 48
	tests := []struct {
		name string
		// stolen: the payment (by order) whose lease another worker takes
		// while its OnPaid runs, or -1.
		stolen int
	}{
		{"all recorded", -1},
		{"one lease taken over", 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sq := newSQLiteStore(t)
			store := &countedStore{Store: sq, batch: sq}
			f := newFixture(t, withConfig(func(c *cauri.Config) { c.Store = store }))
			store.holdFirstWrite(f.kit, n)

			payments := make([]cauri.Payment, n)
			order := map[string]int{}
			for i := range payments {
				payments[i], _ = f.checkout(fmt.Sprintf("gc-%d", i), nil)
				order[payments[i].ID] = i
			}

			f.setOnPaid(func(ctx context.Context, p cauri.Payment) error {
				if order[p.ID] == tt.stolen {
					// Another worker, seeing the lease expired, takes it.
					if err := sq.ClaimOnPaid(ctx, p.ID, "thief", time.Now().Add(time.Hour), time.Hour); err != nil {
						return err
					}
				}
				return nil
			})

			codes := make([]int, n)
			var wg sync.WaitGroup
			for i, p := range payments {
				wg.Go(func() { codes[i] = f.signed(paidBody(p)) })
			}
			wg.Wait()

			for i, p := range payments {
				got := f.payment(p.ID)
				calls, _ := f.onPaidCalls(p.ID)
				if calls != 1 {
					t.Errorf("payment %d: OnPaid ran %d times, want 1", i, calls)
				}
				if i == tt.stolen {
					if codes[i] != http.StatusInternalServerError || got.Fulfilled() {
						t.Errorf("payment %d, lease taken over: HTTP %d, fulfilled %v; want 500 and not fulfilled (the new owner records it)",
							i, codes[i], got.Fulfilled())
					}
					continue
				}
				if codes[i] != http.StatusOK || got.Status != cauri.StatusPaid || !got.Fulfilled() {
					t.Errorf("payment %d: HTTP %d, %s, fulfilled %v; want 200, paid, fulfilled", i, codes[i], got.Status, got.Fulfilled())
				}
			}
			if store.heldLong.Load() {
				t.Errorf("the first write waited a minute for %d others to queue behind it", n-1)
			}
			writes := store.singles.Load() + store.batches.Load()
			t.Logf("%d successes recorded in %d single and %d batch writes (%d offered to batches)",
				n, store.singles.Load(), store.batches.Load(), store.batched.Load())
			switch {
			case store.batches.Load() == 0:
				t.Errorf("no batch write for %d OnPaid successes finishing together", n)
			case tt.stolen < 0 && writes >= n:
				// (A batch that cannot record one is redone one by one.)
				t.Errorf("%d writes for %d OnPaid successes finishing together: not grouped", writes, n)
			}
		})
	}
}

// TestGroupCommitSurvivesPanic: a shared write that panics fails the
// successes it carried (their webhooks get 5xx, or the panicking one's
// connection is dropped, and the provider redelivers) and leaves no caller
// waiting: later successes are recorded.
func TestGroupCommitSurvivesPanic(t *testing.T) {
	const n = 16
	sq := newSQLiteStore(t)
	store := &countedStore{Store: sq, batch: sq}
	store.panics.Store(1)
	f := newFixture(t, withConfig(func(c *cauri.Config) { c.Store = store }))
	store.holdFirstWrite(f.kit, n)
	f.client.Timeout = 30 * time.Second // a caller left waiting shows as a timeout

	payments := make([]cauri.Payment, n)
	for i := range payments {
		payments[i], _ = f.checkout(fmt.Sprintf("gp-%d", i), nil)
	}
	var wg sync.WaitGroup
	for _, p := range payments {
		wg.Go(func() {
			// The panicking request's connection is dropped: an error
			// here is expected, a hang is not.
			req, _ := http.NewRequest(http.MethodPost, f.webhookURL(), bytes.NewReader(paidBody(p)))
			req.Header.Set(moneroo.SignatureHeader, f.em.Sign(paidBody(p)))
			if resp, err := f.client.Do(req); err == nil {
				resp.Body.Close()
			} else if errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("a webhook was left waiting: %v", err)
			}
		})
	}
	wg.Wait()
	if store.batches.Load() == 0 {
		t.Fatal("no batch write ran: the test needs one to panic")
	}

	// Every payment is paid; those whose success was lost with the panic
	// are recorded on redelivery, with no caller stuck behind the panic.
	f.setOnPaid(nil)
	for i, p := range payments {
		if !f.payment(p.ID).Fulfilled() {
			if code := f.signed(paidBody(p)); code != http.StatusOK {
				t.Errorf("payment %d: redelivery HTTP %d", i, code)
			}
		}
	}
	for i, p := range payments {
		if got := f.payment(p.ID); got.Status != cauri.StatusPaid {
			t.Errorf("payment %d: %s, want paid", i, got.Status)
		}
	}
	next, _ := f.checkout("gp-after", nil)
	if code := f.signed(paidBody(next)); code != http.StatusOK || !f.payment(next.ID).Fulfilled() {
		t.Errorf("a later webhook: HTTP %d, fulfilled %v; want 200 and fulfilled", code, f.payment(next.ID).Fulfilled())
	}
}
