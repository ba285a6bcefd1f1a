package sqlstore_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cauripay/cauri"
	sqlstore "github.com/cauripay/cauri/stores/sql"
	"github.com/cauripay/cauri/stores/storetest"
)

// explain returns the plan of query, every row and column of it as text.
// On PostgreSQL sequential scans are turned off first, on conn alone: on
// tables this small the planner would rather read them whole, and the
// test asks whether an index can serve the query, as it does once the
// table is large.
func explain(ctx context.Context, t *testing.T, conn *sql.Conn, d sqlstore.Dialect, query string, args []any) string {
	t.Helper()
	prefix := "EXPLAIN "
	switch d {
	case sqlstore.SQLite:
		prefix = "EXPLAIN QUERY PLAN "
	case sqlstore.Postgres:
		if _, err := conn.ExecContext(ctx, "SET enable_seqscan = off"); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := conn.QueryContext(ctx, prefix+query, args...)
	if err != nil {
		t.Fatalf("%s%s: %v", prefix, query, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		dest := make([]any, len(cols))
		for i := range vals {
			dest[i] = &vals[i]
		}
		if err := rows.Scan(dest...); err != nil {
			t.Fatal(err)
		}
		for i, v := range vals {
			fmt.Fprintf(&b, "%s=%s ", cols[i], v.String)
		}
		b.WriteByte('\n')
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestFindPaymentsUsesIndexes explains FindPayments's statements: a search
// reads the order's payments and the reference's through their indexes,
// and each filter's page is a range of the index that serves it.
func TestFindPaymentsUsesIndexes(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx, db, s := b.start(t)
		prefix := s.TablePrefix()
		at := time.Now().UTC().Truncate(time.Microsecond)
		base := "pay_" + rand.Text()[:10] + "_"
		for i := range 300 {
			p := storetest.Payment(base+strconv.Itoa(i), at.Add(time.Duration(i)*time.Second))
			p.OrderID = "order_" + strconv.Itoa(i%100)
			p.Provider = []string{"moneroo", "paydunya", "dexpay"}[i%3]
			if i%4 == 0 {
				p.Status = cauri.StatusPaid
			}
			if err := s.Create(ctx, p); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.AppendEvents(ctx, base+"7", cauri.Event{At: at, Kind: cauri.EventOnPaid, Source: cauri.SourceWebhook,
			Detail: "failed: the shop's database is down", Attention: true}); err != nil {
			t.Fatal(err)
		}
		analyze(ctx, t, db, b.dialect, prefix)
		conn, err := db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()

		statusIdx := "payments_status_idx"
		if b.dialect == sqlstore.MySQL {
			statusIdx = "payments_pending_idx" // (status, created_at, id)
		}
		cursor := cauri.Cursor{CreatedAt: at.Add(time.Minute), ID: base + "60"}
		tests := []struct {
			name  string
			q     cauri.PaymentQuery
			after cauri.Cursor
			want  []string // the indexes the plan names, without the prefix
		}{
			{"search", cauri.PaymentQuery{Search: "order_42"}, cauri.Cursor{}, []string{"payments_order_idx", "payments_ref_idx"}},
			{"search, a status and a page", cauri.PaymentQuery{Search: "ref_" + base + "42", Status: cauri.StatusPending},
				cursor, []string{"payments_order_idx", "payments_ref_idx"}},
			{"needs attention", cauri.PaymentQuery{NeedsAttention: true}, cauri.Cursor{}, []string{"payments_attention_idx"}},
			{"provider", cauri.PaymentQuery{Provider: "paydunya"}, cursor, []string{"payments_provider_idx"}},
			{"status", cauri.PaymentQuery{Status: cauri.StatusPaid, OldestFirst: true}, cursor, []string{statusIdx}},
			{"the latest payments", cauri.PaymentQuery{CreatedSince: at.Add(290 * time.Second)}, cauri.Cursor{}, []string{"payments_created_idx"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				query, args := s.FindQuery(tt.q, tt.after, 50)
				plan := explain(ctx, t, conn, b.dialect, query, args)
				for _, idx := range tt.want {
					used := prefix + idx
					if b.dialect == sqlstore.MySQL {
						used = "key=" + used + " " // the index chosen, not a possible one
					}
					if !strings.Contains(plan, used) {
						t.Errorf("the plan does not use %s%s:\n%s\n%s", prefix, idx, query, plan)
					}
				}
				if b.dialect == sqlstore.SQLite && strings.Contains(plan, "SCAN "+prefix+"payments\n") {
					t.Errorf("the plan reads the whole table:\n%s", plan)
				}
			})
		}
	})
}

// TestHistoryOfOlderRows: a payment stored by the previous release (no
// history_seq, no attention) has an empty history, takes events, and is
// found among the payments that need attention once one does; AppendEvents
// to it and History honour their context.
func TestHistoryOfOlderRows(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx, db, s := b.start(t)
		at := time.Now().UTC().Truncate(time.Microsecond)
		p := storetest.Payment("pay_"+rand.Text(), at)
		p.Provider = "old-" + strings.ToLower(rand.Text()[:8])
		if err := s.Create(ctx, p); err != nil {
			t.Fatal(err)
		}
		// As the previous release leaves it.
		if _, err := db.ExecContext(ctx, rebind(b.dialect, "UPDATE "+s.TablePrefix()+"payments SET history_seq = NULL, attention = NULL WHERE id = ?"), p.ID); err != nil {
			t.Fatal(err)
		}
		if h, err := s.History(ctx, p.ID); err != nil || len(h) != 0 {
			t.Fatalf("History = %v, %v; want none", h, err)
		}
		q := cauri.PaymentQuery{Provider: p.Provider, NeedsAttention: true}
		if got, err := s.FindPayments(ctx, q, cauri.Cursor{}, 10); err != nil || len(got) != 0 {
			t.Fatalf("FindPayments needing attention = %v, %v; want none", got, err)
		}
		e := cauri.Event{At: at, Kind: cauri.EventRefused, Source: cauri.SourceWebhook, Status: cauri.StatusPaid,
			Detail: "reported 4000 XOF; the order is 5000 XOF", Attention: true}
		if err := s.AppendEvents(ctx, p.ID, e); err != nil {
			t.Fatal(err)
		}
		h, err := s.History(ctx, p.ID)
		if err != nil || len(h) != 1 || h[0].Seq != 1 || !h[0].Attention || h[0].Detail != e.Detail {
			t.Fatalf("History = %+v, %v; want the event, numbered 1", h, err)
		}
		if got, err := s.FindPayments(ctx, q, cauri.Cursor{}, 10); err != nil || len(got) != 1 || got[0].ID != p.ID {
			t.Fatalf("FindPayments needing attention = %v, %v; want %s", got, err, p.ID)
		}

		cancelled, stop := context.WithCancel(ctx)
		stop()
		if err := s.AppendEvents(cancelled, p.ID, e); !errors.Is(err, context.Canceled) {
			t.Errorf("AppendEvents with a cancelled context: %v, want context.Canceled", err)
		}
		if _, err := s.History(cancelled, p.ID); !errors.Is(err, context.Canceled) {
			t.Errorf("History with a cancelled context: %v, want context.Canceled", err)
		}
		if _, err := s.FindPayments(cancelled, q, cauri.Cursor{}, 10); !errors.Is(err, context.Canceled) {
			t.Errorf("FindPayments with a cancelled context: %v, want context.Canceled", err)
		}
	})
}

// rebind numbers a statement's placeholders for PostgreSQL.
func rebind(d sqlstore.Dialect, query string) string {
	if d == sqlstore.Postgres {
		return sqlstore.Numbered(query)
	}
	return query
}
