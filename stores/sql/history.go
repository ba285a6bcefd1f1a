package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/cauripay/cauri"
)

var (
	_ cauri.HistoryStore  = (*Store)(nil)
	_ cauri.PaymentFinder = (*Store)(nil)
)

// eventColumns are the payment_events columns an event is written to, in
// order; history reads them but payment_id.
const eventColumns = "payment_id, seq, occurred_at, kind, source, status, detail, attention, actor"

// maxAppend is the most events one statement appends: longer appends are
// made in turns, each within the part of the history the bound keeps.
const maxAppend = 100

// AppendEvents adds events to the end of payment paymentID's history in
// <prefix>payment_events, numbered after those appended before, and keeps
// at most [cauri.HistoryLimit] of them: the first [cauri.HistoryHead] and
// the latest. An event with Attention marks the payment for
// [cauri.PaymentQuery.NeedsAttention]. It returns an error wrapping
// [cauri.ErrNotFound] for an unknown payment. See [cauri.HistoryStore].
//
// The payment's row counts its events (history_seq): the UPDATE that
// takes the numbers also makes concurrent appends to one payment take
// turns. On PostgreSQL that UPDATE and the INSERT are one statement; on
// MySQL and SQLite they are a transaction of two. Once a payment's history
// is full, each append also deletes what the bound drops, through the
// primary key (payment_id, seq): one more statement.
func (s *Store) AppendEvents(ctx context.Context, paymentID string, events ...cauri.Event) error {
	for len(events) > 0 {
		n := min(len(events), maxAppend)
		if err := s.appendEvents(ctx, paymentID, events[:n]); err != nil {
			return fmt.Errorf("sqlstore: append events to %s: %w", paymentID, err)
		}
		events = events[n:]
	}
	return nil
}

// appendEvents appends at most maxAppend events.
func (s *Store) appendEvents(ctx context.Context, id string, events []cauri.Event) error {
	attention := anyAttention(events)
	n := int64(len(events))
	if s.dialect == Postgres {
		args := append(make([]any, 0, 3+8*len(events)), id, n, attention)
		for i, e := range events {
			args = append(args, int64(i+1), s.timeArg(e.At), string(e.Kind), e.Source, string(e.Status), e.Detail, e.Attention, e.Actor)
		}
		var last int64
		if err := s.db.QueryRowContext(ctx, s.appendQuery(len(events)), args...).Scan(&last); err != nil {
			return notFound(err)
		}
		return s.trimHistory(ctx, s.db, id, last)
	}

	return s.inTx(ctx, func(tx *sql.Tx) error {
		var (
			last int64
			err  error
		)
		if s.dialect == SQLite {
			err = tx.QueryRowContext(ctx, s.hq.count, n, attention, id).Scan(&last)
		} else {
			last, err = countMySQL(ctx, tx, s.hq.count, n, attention, id)
		}
		if err != nil {
			return notFound(err)
		}
		return s.insertEvents(ctx, tx, id, last, events)
	})
}

// countMySQL runs the UPDATE that takes a payment's next numbers, which
// hands the last of them back through LAST_INSERT_ID, MySQL having no
// UPDATE … RETURNING.
func countMySQL(ctx context.Context, tx *sql.Tx, query string, args ...any) (int64, error) {
	res, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	if n, err := res.RowsAffected(); err != nil {
		return 0, err
	} else if n == 0 {
		return 0, sql.ErrNoRows
	}
	return res.LastInsertId()
}

// trimHistory deletes the events of payment id the bound drops, now that
// last is its last event's number: none while the history is not full.
func (s *Store) trimHistory(ctx context.Context, ex execer, id string, last int64) error {
	keep := int64(cauri.HistoryLimit - cauri.HistoryHead) // the latest kept
	if last <= cauri.HistoryLimit {
		return nil
	}
	_, err := ex.ExecContext(ctx, s.hq.trim, id, int64(cauri.HistoryHead), last-keep)
	return err
}

// appendQuery is the statement that appends n events. On PostgreSQL it
// also takes their numbers, and returns the last; elsewhere it takes the
// numbers as arguments.
func (s *Store) appendQuery(n int) string {
	var b strings.Builder
	if s.dialect != Postgres {
		b.WriteString("INSERT INTO " + s.prefix + "payment_events (" + eventColumns + ") VALUES ")
		for i := range n {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?)")
		}
		return b.String()
	}
	b.WriteString(s.hq.appendPostgres)
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		p := 4 + 8*i
		b.WriteString("($" + strconv.Itoa(p) + "::bigint, $" + strconv.Itoa(p+1) + "::timestamptz, $" +
			strconv.Itoa(p+2) + "::varchar, $" + strconv.Itoa(p+3) + "::varchar, $" + strconv.Itoa(p+4) + "::varchar, $" +
			strconv.Itoa(p+5) + "::text, $" + strconv.Itoa(p+6) + "::boolean, $" + strconv.Itoa(p+7) + "::varchar)")
	}
	b.WriteString(") AS v (k, occurred, kind, source, status, detail, attention, actor)) SELECT history_seq FROM c")
	return b.String()
}

// History returns payment paymentID's history, by seq, through the primary
// key of <prefix>payment_events. An unknown payment has none. See
// [cauri.HistoryStore].
func (s *Store) History(ctx context.Context, paymentID string) ([]cauri.Event, error) {
	out, err := queryAll(ctx, s.db, scanEvent, s.hq.history, paymentID)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: history of %s: %w", paymentID, err)
	}
	return out, nil
}

// scanEvent reads an event's columns, from seq to actor, from sc.
func scanEvent(sc scanner) (cauri.Event, error) {
	var e cauri.Event
	err := sc.Scan(&e.Seq, timeDest{&e.At}, (*string)(&e.Kind), &e.Source, (*string)(&e.Status),
		&e.Detail, &e.Attention, &e.Actor)
	return e, err
}

// FindPayments returns up to limit payments that meet q, by CreatedAt then
// ID, newest first unless q.OldestFirst, after the cursor in that order.
// See [cauri.PaymentFinder].
//
// A search reads the payment with that ID, the order's payments and the
// reference's through their indexes (the primary key, (order_id,
// created_at, id) and (provider_ref)), and orders the few it finds. Other
// pages are a range scan of an index that ends with (created_at, id): by
// status, by provider, of the payments that need attention, or of them
// all.
func (s *Store) FindPayments(ctx context.Context, q cauri.PaymentQuery, after cauri.Cursor, limit int) ([]cauri.Payment, error) {
	if limit <= 0 {
		return nil, ctx.Err()
	}
	query, args := s.findQuery(q, after, limit)
	out, err := queryAll(ctx, s.db, scanListed, query, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: find payments: %w", err)
	}
	return out, nil
}

// findQuery is FindPayments's statement and its arguments.
func (s *Store) findQuery(q cauri.PaymentQuery, after cauri.Cursor, limit int) (string, []any) {
	t := s.prefix + "payments"
	var (
		b    strings.Builder
		args []any
	)
	if q.Search != "" {
		// Each branch through its index, and none repeats another's.
		cols := columns + ", " + doneColumn(s.prefix, t) + ", attention"
		b.WriteString("SELECT " + columns + ", onpaid_done FROM " +
			"(SELECT " + cols + " FROM " + t + " WHERE id = ?" +
			" UNION ALL SELECT " + cols + " FROM " + t + " WHERE order_id = ? AND id <> ?" +
			" UNION ALL SELECT " + cols + " FROM " + t + " WHERE provider_ref = ? AND id <> ? AND order_id <> ?) f")
		args = append(args, q.Search, q.Search, q.Search, q.Search, q.Search, q.Search)
	} else {
		b.WriteString("SELECT " + columns + ", " + doneColumn(s.prefix, t) + " FROM " + t)
	}
	b.WriteString(" WHERE 1 = 1")
	if q.Status != "" {
		b.WriteString(" AND status = ?")
		args = append(args, string(q.Status))
	}
	if q.Provider != "" {
		b.WriteString(" AND provider = ?")
		args = append(args, q.Provider)
	}
	if !q.CreatedSince.IsZero() {
		b.WriteString(" AND created_at >= ?")
		args = append(args, s.timeArg(q.CreatedSince))
	}
	if !q.CreatedBefore.IsZero() {
		b.WriteString(" AND created_at < ?")
		args = append(args, s.timeArg(q.CreatedBefore))
	}
	if q.NeedsAttention {
		// As the partial indexes' predicates read, on PostgreSQL and SQLite.
		if s.dialect == Postgres {
			b.WriteString(" AND attention")
		} else {
			b.WriteString(" AND attention = 1")
		}
	}
	op, dir := ">", ""
	if !q.OldestFirst {
		op, dir = "<", " DESC"
	}
	if after != (cauri.Cursor{}) {
		if s.dialect == MySQL {
			b.WriteString(" AND (created_at " + op + " ? OR (created_at = ? AND id " + op + " ?))")
		} else {
			b.WriteString(" AND (created_at, id) " + op + " (?, ?)")
		}
		args = append(args, s.cursorArgs(after)...)
	}
	b.WriteString(" ORDER BY created_at" + dir + ", id" + dir + " LIMIT ?")
	args = append(args, limit)
	query := b.String()
	if s.dialect == Postgres {
		query = numbered(query)
	}
	return query, args
}

// historyQueries are the statements of a Store's histories.
type historyQueries struct {
	// count takes the next numbers of a payment's events, n of them, and
	// marks it when one needs attention; on SQLite it returns the last,
	// on MySQL it sets LAST_INSERT_ID to it.
	count string
	// appendPostgres counts and inserts in one statement, up to the
	// events' VALUES list (see Store.appendQuery).
	appendPostgres string
	// trim deletes the events between the head and the latest kept.
	trim    string
	history string
}

func buildHistoryQueries(d Dialect, prefix string) historyQueries {
	t, e := prefix+"payments", prefix+"payment_events"
	q := historyQueries{
		count: "UPDATE " + t + " SET history_seq = " + nextSeq(d, prefix, t) + " + ?, " +
			"attention = CASE WHEN ? THEN 1 ELSE attention END WHERE id = ? RETURNING history_seq",
		trim:    "DELETE FROM " + e + " WHERE payment_id = ? AND seq > ? AND seq <= ?",
		history: "SELECT seq, occurred_at, kind, source, status, detail, attention, actor FROM " + e + " WHERE payment_id = ? ORDER BY seq",
	}
	switch d {
	case MySQL:
		q.count = "UPDATE " + t + " SET history_seq = LAST_INSERT_ID(" + nextSeq(d, prefix, t) + " + ?), " +
			"attention = CASE WHEN ? THEN 1 ELSE attention END WHERE id = ?"
	case Postgres:
		q.count = ""
		q.appendPostgres = "WITH c AS (UPDATE " + t + " SET history_seq = " + nextSeq(d, prefix, t) + " + $2::bigint, " +
			"attention = CASE WHEN $3::boolean THEN TRUE ELSE attention END WHERE id = $1 RETURNING history_seq), " +
			"ins AS (INSERT INTO " + e + " (" + eventColumns + ") " +
			"SELECT $1, c.history_seq - $2::bigint + v.k, v.occurred, v.kind, v.source, v.status, v.detail, v.attention, v.actor " +
			"FROM c, (VALUES "
		q.trim, q.history = numbered(q.trim), numbered(q.history)
	}
	return q
}
