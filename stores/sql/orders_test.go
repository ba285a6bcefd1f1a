package sqlstore_test

import (
	"crypto/rand"
	"testing"
	"time"

	sqlstore "github.com/cauripay/cauri/stores/sql"
)

// TestClaimOrderWhileClaimed claims an order while another transaction
// holds an uncommitted claim of it: ClaimOrder waits for that claim and
// returns its holder once it commits. On PostgreSQL the claim's statement
// finds the order taken by a transaction that committed after its
// snapshot, which it cannot read: ClaimOrder reads the holder again.
func TestClaimOrderWhileClaimed(t *testing.T) {
	for _, b := range backends() {
		if b.dialect == sqlstore.SQLite {
			continue // one writer at a time: no claim waits on another's row
		}
		t.Run(b.name, func(t *testing.T) {
			ctx, db, s := b.start(t)
			prefix := s.TablePrefix()

			order, first, second := "order_"+rand.Text(), "pay_"+rand.Text(), "pay_"+rand.Text()
			tx, err := db.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback() //nolint:errcheck // a no-op after Commit
			insert := "INSERT INTO " + prefix + "orders (order_id, payment_id, claimed_at) VALUES (?, ?, ?)"
			if b.dialect == sqlstore.Postgres {
				insert = sqlstore.Numbered(insert)
			}
			if _, err := tx.ExecContext(ctx, insert, order, first, time.Now().UTC()); err != nil {
				t.Fatal(err)
			}

			type result struct {
				holder string
				err    error
			}
			done := make(chan result, 1)
			go func() {
				h, err := s.ClaimOrder(ctx, order, second)
				done <- result{h, err}
			}()

			// Wait until the claim waits on the transaction's row.
			waiting, pattern := "SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE $1", "%"+prefix+"orders%"
			if b.dialect == sqlstore.MySQL {
				// The claim's INSERT, running in another session.
				waiting = "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() AND INFO LIKE ?"
				pattern = "INSERT INTO " + prefix + "orders%"
			}
			for {
				var n int
				if err := db.QueryRowContext(ctx, waiting, pattern).Scan(&n); err != nil {
					t.Fatalf("looking for the waiting claim: %v", err)
				}
				if n > 0 {
					break
				}
				select {
				case r := <-done:
					t.Fatalf("ClaimOrder returned %q, %v before the other claim committed", r.holder, r.err)
				default:
				}
			}
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
			if r := <-done; r.err != nil || r.holder != first {
				t.Errorf("ClaimOrder = %q, %v; want %q", r.holder, r.err, first)
			}
		})
	}
}
