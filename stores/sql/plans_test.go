package sqlstore_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cauripay/cauri"
	sqlstore "github.com/cauripay/cauri/stores/sql"
	"github.com/cauripay/cauri/stores/storetest"
)

// TestReconcileStatementsUseIndexes explains the statements whose cost
// must not grow with the payments table or its pending payments:
// Supersede, which every checkout runs, reads the order's payments
// through the order's index, not the pending payments' index filtered by
// order, even when the statistics say no payment is pending; and each
// reconcile listing's page is a range of its index, in its order. The
// table holds mostly settled payments, a few pending, as a shop's does.
func TestReconcileStatementsUseIndexes(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		db := b.open(t, b.dsn(t))
		s := b.migrated(t, db)
		prefix := s.TablePrefix()
		at := time.Now().UTC().Truncate(time.Microsecond).Add(-time.Hour)
		base := "pay_" + rand.Text()[:10] + "_"
		// 600 payments of 200 orders, settled: 4 paid whose OnPaid has
		// not succeeded, the others paid and fulfilled. The statistics
		// are taken then, with no payment pending, as a quiet night's
		// may be; then 40 orders get a pending payment, 30 of which
		// are paid at once, their entries in the pending payments'
		// index left for VACUUM.
		create := func(i int, status cauri.Status, fulfilled bool) {
			t.Helper()
			created := at.Add(time.Duration(i) * time.Second)
			p := storetest.Payment(base+strconv.Itoa(i), created)
			p.OrderID = "order_" + strconv.Itoa(i%200)
			p.Status = status
			if fulfilled {
				p.FulfilledAt = created
			}
			if err := s.Create(ctx, p); err != nil {
				t.Fatal(err)
			}
		}
		for i := range 600 {
			create(i, cauri.StatusPaid, i%150 != 1)
		}
		analyze(ctx, t, db, b.dialect, prefix)
		for i := 600; i < 640; i++ {
			create(i, cauri.StatusPending, false)
			if i < 630 {
				if _, err := s.Transition(ctx, base+strconv.Itoa(i), cauri.StatusPending, cauri.Change{To: cauri.StatusPaid, At: at}); err != nil {
					t.Fatal(err)
				}
			}
		}
		conn, err := db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()

		// ListPending's and ListUnfulfilled's: their partial indexes,
		// or (on SQLite and MySQL) the status's, which both start with
		// the status and end with (created_at, id).
		pending := []string{"payments_pending_idx", "payments_status_idx"}
		unfulfilled := []string{"payments_unfulfilled_idx"}
		if b.dialect == sqlstore.SQLite {
			unfulfilled = append(unfulfilled, "payments_status_idx")
		}
		cursor := cauri.Cursor{CreatedAt: at.Add(100 * time.Second), ID: base + "100"}
		now := at.Add(time.Hour)
		tests := []struct {
			name  string
			query string
			want  []string // one of the indexes the plan may use, without the prefix
			pages []cauri.Cursor
		}{
			// Supersede always has a cursor: the new payment's.
			{"Supersede", "", []string{"payments_order_idx"}, []cauri.Cursor{cursor}},
			{"ListPending", "pending", pending, []cauri.Cursor{{}, cursor}},
			{"ListUnfulfilled", "unfulfilled", unfulfilled, []cauri.Cursor{{}, cursor}},
			{"ListUnfulfilled, the onpaid table's", "due", []string{"onpaid_due_idx"}, []cauri.Cursor{{}, cursor}},
			{"ListPendingPayouts", "payouts", []string{"payouts_pending_idx"}, []cauri.Cursor{{}, cursor}},
		}
		for _, tt := range tests {
			for _, after := range tt.pages {
				name := tt.name + ", first page"
				if after != (cauri.Cursor{}) {
					name = tt.name + ", after a cursor"
				}
				t.Run(name, func(t *testing.T) {
					var query string
					var args []any
					if tt.query == "" {
						query, args = s.SupersedeQuery("order_35", cauri.Cursor{CreatedAt: at.Add(20 * time.Minute), ID: base + "700"})
					} else {
						query, args = s.ListQuery(tt.query, now, after, 200)
					}
					plan := explain(ctx, t, conn, b.dialect, query, args)
					if !slices.ContainsFunc(tt.want, func(idx string) bool { return usesIndex(plan, b.dialect, prefix+idx) }) {
						t.Errorf("the plan uses none of %v:\n%s\n%s", tt.want, query, plan)
					}
					// In the index's order: no sort of the rows found.
					for _, sort := range []string{"Sort", "Using filesort", "USE TEMP B-TREE"} {
						if strings.Contains(plan, sort) {
							t.Errorf("the plan sorts (%s):\n%s", sort, plan)
						}
					}
					if b.dialect == sqlstore.SQLite && strings.Contains(plan, "SCAN "+prefix+"payments\n") {
						t.Errorf("the plan reads the whole table:\n%s", plan)
					}
				})
			}
		}
	})
}

// analyze has the database take the payments table's statistics.
func analyze(ctx context.Context, t *testing.T, db *sql.DB, d sqlstore.Dialect, prefix string) {
	t.Helper()
	stmt := map[sqlstore.Dialect]string{
		sqlstore.Postgres: "ANALYZE " + prefix + "payments",
		sqlstore.MySQL:    "ANALYZE TABLE " + prefix + "payments",
		sqlstore.SQLite:   "ANALYZE",
	}[d]
	if _, err := db.ExecContext(ctx, stmt); err != nil {
		t.Fatal(err)
	}
}

// usesIndex reports whether plan, explained on dialect d, reads through
// the index idx: on MySQL, the key chosen, not a possible one.
func usesIndex(plan string, d sqlstore.Dialect, idx string) bool {
	switch d {
	case sqlstore.MySQL:
		return strings.Contains(plan, "key="+idx+" ")
	case sqlstore.Postgres:
		return strings.Contains(plan, " using "+idx+" ") || strings.Contains(plan, " on "+idx+" ")
	}
	return strings.Contains(plan, "INDEX "+idx+" ")
}
