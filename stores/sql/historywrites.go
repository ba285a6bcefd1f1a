package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cauripay/cauri"
)

var _ cauri.HistoryWriter = (*Store)(nil)

// transitionWith is Transition for a change with events, or one that
// takes OnPaid's lease (work): the move, the count of the payment's events
// and their insert, and the insert of its onpaid row, in one statement on
// PostgreSQL, in one transaction elsewhere. args are Transition's.
//
// With claim set (PostgreSQL only), a move to paid of a payment not
// superseded also claims its order, as ClaimOrder does, and holder is the
// order's holder when the statement knows it.
func (s *Store) transitionWith(ctx context.Context, id string, from cauri.Status, c cauri.Change, work, claim bool, args []any) (p cauri.Payment, holder string, err error) {
	fail := func(err error) (cauri.Payment, string, error) {
		return cauri.Payment{}, "", s.writeFailed(fmt.Sprintf("transition %s from %s to %s", id, from, c.To), err)
	}
	lost := func() (cauri.Payment, string, error) {
		p, err := s.transitionLost(ctx, id, from, c)
		return p, "", err
	}
	if len(c.Events) > maxAppend {
		return fail(fmt.Errorf("%d events, more than %d", len(c.Events), maxAppend))
	}
	n := int64(len(c.Events))
	// The count's arguments go before the ID, as its assignments go
	// before the WHERE clause.
	counted := make([]any, 0, len(args)+2+1+9*len(c.Events)+3)
	counted = append(counted, args[:12]...)
	if n > 0 {
		counted = append(counted, n, anyAttention(c.Events))
	}
	counted = append(counted, args[12:]...)
	query := s.transitionWithQuery(len(c.Events), work, claim)

	if s.dialect == Postgres {
		if n > 0 {
			counted = append(counted, n)
			for i, e := range c.Events {
				counted = append(counted, int64(i+1), s.timeArg(e.At), string(e.Kind), e.Source, string(e.Status), e.Detail, e.Attention, e.Actor)
			}
		}
		if work {
			counted = append(counted, c.Lease.Owner, s.timeArg(c.Lease.Until))
		}
		if claim {
			counted = append(counted, s.timeArg(time.Now()))
		}
		counted = append(counted, id)
		var (
			moved bool
			last  int64
		)
		p, err := scanPayment(s.db.QueryRowContext(ctx, query, counted...), &moved, &last, &holder)
		switch {
		case err == nil && moved && n > 0:
			return p, holder, s.trimHistory(ctx, s.db, id, last)
		case err == nil && moved:
			return p, holder, nil
		}
		p, err = s.transitionUnmoved(ctx, id, from, c, p, err)
		return p, "", err
	}

	err = s.inTx(ctx, func(tx *sql.Tx) error {
		var (
			last int64
			err  error
		)
		switch {
		case s.dialect == SQLite:
			p, err = scanPayment(tx.QueryRowContext(ctx, query, counted...), &last)
		case n > 0:
			last, err = countMySQL(ctx, tx, query, counted...)
		default:
			var changed int64
			if changed, err = s.exec(ctx, tx, query, counted...); err == nil && changed == 0 {
				err = sql.ErrNoRows
			}
		}
		if err != nil {
			return err
		}
		if n > 0 {
			if err := s.insertEvents(ctx, tx, id, last, c.Events); err != nil {
				return err
			}
		}
		if work {
			return s.insertWork(ctx, tx, id, c.Lease)
		}
		return nil
	})
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return lost()
	case err != nil:
		return fail(err)
	}
	if s.dialect == MySQL {
		if p, err = scanPayment(s.db.QueryRowContext(ctx, s.q.get, id)); err != nil {
			return fail(notFound(err))
		}
	}
	if work && p.FulfilledAt.Equal(workElsewhere) {
		p.FulfilledAt = time.Time{} // read before the onpaid row was
	}
	return p, "", nil
}

// anyAttention reports whether one of events needs attention.
func anyAttention(events []cauri.Event) bool {
	return slices.ContainsFunc(events, func(e cauri.Event) bool { return e.Attention })
}

// nextSeq is the expression of the number of payment ref's last event,
// whichever counted it: the payment's history_seq, or the events table,
// where OnPaid's success appends without writing the payments row.
func nextSeq(d Dialect, prefix, ref string) string {
	greatest := "GREATEST"
	if d == SQLite {
		greatest = "MAX"
	}
	return greatest + "(COALESCE(" + ref + ".history_seq, 0), COALESCE((SELECT MAX(x.seq) FROM " + prefix +
		"payment_events x WHERE x.payment_id = " + ref + ".id), 0))"
}

// transitionWithQuery is transitionWith's statement for n events and,
// when work is set, the payment's onpaid row: on PostgreSQL the move, the
// inserts and the payment as stored when it did not move; elsewhere the
// move counting the events, whose last number SQLite returns and MySQL
// sets LAST_INSERT_ID to.
func (s *Store) transitionWithQuery(n int, work, claim bool) string {
	t := s.prefix + "payments"
	var count string
	if n > 0 {
		switch s.dialect {
		case MySQL:
			count = ", history_seq = LAST_INSERT_ID(" + nextSeq(s.dialect, s.prefix, t) + " + ?), attention = CASE WHEN ? THEN 1 ELSE attention END"
		case SQLite:
			count = ", history_seq = " + nextSeq(s.dialect, s.prefix, t) + " + ?, attention = CASE WHEN ? THEN 1 ELSE attention END"
		default:
			count = ", history_seq = " + nextSeq(s.dialect, s.prefix, t) + " + ?::bigint, attention = CASE WHEN ?::boolean THEN TRUE ELSE attention END"
		}
	}
	switch s.dialect {
	case MySQL:
		return transition(s.dialect, t, count)
	case SQLite:
		return transition(s.dialect, t, count) + " RETURNING " + columns + ", " + doneColumn(s.prefix, t) + ", COALESCE(history_seq, 0)"
	}
	var b strings.Builder
	b.WriteString("WITH moved AS (")
	b.WriteString(transition(s.dialect, t, count))
	b.WriteString(" RETURNING " + columns + ", " + doneColumn(s.prefix, t) + ", history_seq)")
	if n > 0 {
		b.WriteString(", ins AS (INSERT INTO " + s.prefix + "payment_events (" + eventColumns + ") " +
			"SELECT m.id, m.history_seq - ?::bigint + v.k, v.occurred, v.kind, v.source, v.status, v.detail, v.attention, v.actor " +
			"FROM moved m, (VALUES ")
		writeEventValues(&b, n, false)
		b.WriteString(") AS v (k, occurred, kind, source, status, detail, attention, actor))")
	}
	if work {
		b.WriteString(", work AS (INSERT INTO " + s.prefix + "onpaid (payment_id, created_at, lease_owner, lease_until) " +
			"SELECT id, created_at, ?::varchar, ?::timestamptz FROM moved)")
	}
	holder := "''"
	if claim {
		// The claim, or the holder the statement's snapshot shows: a claim
		// committed while the INSERT waited on it is in neither, and the
		// holder is then empty, for the kit to ask ClaimOrder.
		o := s.prefix + "orders"
		b.WriteString(", claim AS (INSERT INTO " + o + " (order_id, payment_id, claimed_at) " +
			"SELECT order_id, id, ?::timestamptz FROM moved WHERE status = 'paid' AND superseded_by IS NULL " +
			"ON CONFLICT (order_id) DO NOTHING RETURNING payment_id)")
		holder = "COALESCE((SELECT payment_id FROM claim), (SELECT h.payment_id FROM " + o + " h " +
			"WHERE h.order_id = moved.order_id AND moved.status = 'paid' AND moved.superseded_by IS NULL), '')"
	}
	b.WriteString(" SELECT " + columns + ", onpaid_done, TRUE, COALESCE(history_seq, 0), " + holder + " FROM moved UNION ALL " +
		"SELECT " + columns + ", " + doneColumn(s.prefix, t) + ", FALSE, COALESCE(history_seq, 0), '' FROM " + t +
		" WHERE id = ? AND NOT EXISTS (SELECT 1 FROM moved)")
	return numbered(b.String())
}

// writeEventValues writes n rows of a PostgreSQL VALUES list of events,
// typed: (k, occurred, kind, source, status, detail, attention, actor),
// led by the payment's ID when withID is set.
func writeEventValues(b *strings.Builder, n int, withID bool) {
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		if withID {
			b.WriteString("?::varchar, ")
		}
		b.WriteString("?::bigint, ?::timestamptz, ?::varchar, ?::varchar, ?::varchar, ?::text, ?::boolean, ?::varchar)")
	}
}

// insertEvents inserts events of payment id, the last of which is
// numbered last, in tx, and deletes what the bound drops.
func (s *Store) insertEvents(ctx context.Context, tx *sql.Tx, id string, last int64, events []cauri.Event) error {
	n := int64(len(events))
	args := make([]any, 0, 9*len(events))
	for i, e := range events {
		args = append(args, id, last-n+int64(i+1), s.timeArg(e.At), string(e.Kind), e.Source, string(e.Status), e.Detail, e.Attention, e.Actor)
	}
	if _, err := tx.ExecContext(ctx, s.appendQuery(len(events)), args...); err != nil {
		return err
	}
	return s.trimHistory(ctx, tx, id, last)
}

// CompleteOnPaidEvents records, for each of done whose owner still holds
// its lease, that OnPaid succeeded, as CompleteOnPaid does, and appends
// its Events to the payment's history: on PostgreSQL all in one
// statement, elsewhere in one transaction. See [cauri.HistoryWriter].
func (s *Store) CompleteOnPaidEvents(ctx context.Context, done []cauri.Completion, now time.Time) ([]bool, error) {
	recorded := make([]bool, len(done))
	if len(done) == 0 {
		return recorded, nil
	}
	for _, c := range done {
		if len(c.Events) > maxAppend {
			return nil, fmt.Errorf("sqlstore: complete %s: %d events, more than %d", c.ID, len(c.Events), maxAppend)
		}
	}
	var err error
	if s.dialect == Postgres {
		err = s.completeWorkEventsPostgres(ctx, done, now, recorded)
		if err == nil && slices.Contains(recorded, false) {
			// Payments whose work is on the payments row.
			var rest []cauri.Completion
			var at []int
			for i, c := range done {
				if !recorded[i] {
					rest, at = append(rest, c), append(at, i)
				}
			}
			legacy := make([]bool, len(rest))
			err = s.completeEventsPostgres(ctx, rest, now, legacy)
			for j, i := range at {
				recorded[i] = legacy[j]
			}
		}
	} else {
		err = s.completeEventsTx(ctx, done, now, recorded)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlstore: complete %d payments: %w", len(done), err)
	}
	return recorded, nil
}

// completeWorkEventsPostgres records, in one statement, OnPaid's success
// on the onpaid rows of done whose owner holds the lease, and appends
// their events, numbered after the payment's last without writing the
// payments row (but to mark one that needs attention).
//
// The completions and their events travel as two JSON arguments, so that
// the statement's text is the same for every batch: PostgreSQL prepares
// and plans it once per connection, not once per batch size (a text per
// size was planned at nearly every call, as long as it ran).
func (s *Store) completeWorkEventsPostgres(ctx context.Context, done []cauri.Completion, now time.Time, recorded []bool) error {
	type (
		completion struct {
			ID        string `json:"id"`
			Owner     string `json:"owner"`
			Attention bool   `json:"att"`
		}
		event struct {
			ID        string `json:"id"`
			K         int64  `json:"k"`
			Occurred  string `json:"occurred"`
			Kind      string `json:"kind"`
			Source    string `json:"source"`
			Status    string `json:"status"`
			Detail    string `json:"detail"`
			Attention bool   `json:"attention"`
			Actor     string `json:"actor"`
		}
	)
	cs := make([]completion, len(done))
	var es []event
	for i, c := range done {
		cs[i] = completion{ID: c.ID, Owner: c.Owner, Attention: anyAttention(c.Events)}
		for k, e := range c.Events {
			es = append(es, event{ID: c.ID, K: int64(k + 1), Occurred: truncate(e.At).Format(jsonTime),
				Kind: string(e.Kind), Source: e.Source, Status: string(e.Status), Detail: e.Detail, Attention: e.Attention, Actor: e.Actor})
		}
	}
	if es == nil {
		es = []event{}
	}
	completions, err := json.Marshal(cs)
	if err != nil {
		return err
	}
	events, err := json.Marshal(es)
	if err != nil {
		return err
	}
	return s.recordCompletions(ctx, s.oq.completeEvents, []any{string(completions), s.timeArg(now), string(events)}, done, recorded, true)
}

// jsonTime is how a time travels in a JSON argument to PostgreSQL, which
// reads it as a timestamptz: RFC 3339 in UTC, to the microsecond.
const jsonTime = "2006-01-02T15:04:05.999999Z07:00"

// completeWorkEventsQuery is completeWorkEventsPostgres's statement. Its
// arguments: the completions, a JSON array of {id, owner, att}; the time
// of the success; their events, a JSON array of {id, k, occurred, kind,
// source, status, detail, attention, actor}, k numbering each
// completion's events from 1.
func completeWorkEventsQuery(prefix string) string {
	t, w := prefix+"payments", prefix+"onpaid"
	return numbered("WITH v AS (SELECT * FROM json_to_recordset(?::json) AS x (id varchar, owner varchar, att boolean)), " +
		"done AS (UPDATE " + w + " o SET done_at = ?::timestamptz, lease_owner = NULL, lease_until = NULL " +
		"FROM v WHERE o.payment_id = v.id AND o.lease_owner = v.owner AND o.done_at IS NULL RETURNING o.payment_id, v.att), " +
		"base AS (SELECT d.payment_id, " + nextSeq(Postgres, prefix, "p") + " AS seq FROM done d JOIN " + t + " p ON p.id = d.payment_id), " +
		"ins AS (INSERT INTO " + prefix + "payment_events (" + eventColumns + ") " +
		"SELECT b.payment_id, b.seq + e.k, e.occurred, e.kind, e.source, e.status, e.detail, e.attention, e.actor " +
		"FROM base b JOIN json_to_recordset(?::json) AS e (id varchar, k bigint, occurred timestamptz, kind varchar, " +
		"source varchar, status varchar, detail text, attention boolean, actor varchar) ON e.id = b.payment_id), " +
		"att AS (UPDATE " + t + " SET attention = TRUE WHERE id IN (SELECT payment_id FROM done WHERE att)) " +
		"SELECT payment_id, seq FROM base")
}

// completeEventsPostgres is CompleteOnPaidEvents in one statement.
func (s *Store) completeEventsPostgres(ctx context.Context, done []cauri.Completion, now time.Time, recorded []bool) error {
	var (
		b      strings.Builder
		events int
	)
	args := make([]any, 0, 4*len(done)+1)
	b.WriteString("WITH v (id, owner, n, att) AS (VALUES ")
	for i, c := range done {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(?::varchar, ?::varchar, ?::bigint, ?::boolean)")
		attention := anyAttention(c.Events)
		args = append(args, c.ID, c.Owner, int64(len(c.Events)), attention)
		events += len(c.Events)
	}
	t := s.prefix + "payments"
	b.WriteString("), done AS (UPDATE " + t + " p SET fulfilled_at = ?::timestamptz, lease_owner = NULL, lease_until = NULL, " +
		"history_seq = " + nextSeq(s.dialect, s.prefix, "p") + " + v.n, attention = CASE WHEN v.att THEN TRUE ELSE p.attention END " +
		"FROM v WHERE p.id = v.id AND p.lease_owner = v.owner AND p.fulfilled_at IS NULL " +
		"RETURNING p.id, p.history_seq, v.n)")
	args = append(args, s.timeArg(now))
	if events > 0 {
		args = s.writeCompletionInsert(&b, args, done, "done d", "d.id", "d.history_seq - d.n")
	}
	b.WriteString(" SELECT id, history_seq FROM done")
	return s.recordCompletions(ctx, numbered(b.String()), args, done, recorded, false)
}

// writeCompletionInsert writes the ins step of a PostgreSQL completion
// of done: the insert of their events, each joined by its payment's ID to
// the row of from (as "done d") whose payment ID is id, and numbered seq,
// an expression of that row, plus its place in its completion, from 1. It
// returns args with the events' arguments appended.
func (s *Store) writeCompletionInsert(b *strings.Builder, args []any, done []cauri.Completion, from, id, seq string) []any {
	b.WriteString(", ins AS (INSERT INTO " + s.prefix + "payment_events (" + eventColumns + ") " +
		"SELECT " + id + ", " + seq + " + e.k, e.occurred, e.kind, e.source, e.status, e.detail, e.attention, e.actor " +
		"FROM " + from + " JOIN (VALUES ")
	first := true
	for _, c := range done {
		for i, e := range c.Events {
			if !first {
				b.WriteString(", ")
			}
			first = false
			writeEventValues(b, 1, true)
			args = append(args, c.ID, int64(i+1), s.timeArg(e.At), string(e.Kind), e.Source, string(e.Status), e.Detail, e.Attention, e.Actor)
		}
	}
	b.WriteString(") AS e (id, k, occurred, kind, source, status, detail, attention, actor) ON e.id = " + id + ")")
	return args
}

// recordCompletions runs query, a PostgreSQL completion of done that
// returns a (payment ID, number) row for each completion it recorded,
// marks those in recorded, and trims the history of each payment whose
// last event is past the bound. The number is that of the payment's last
// event before done's were appended when before is set, else that of the
// last appended.
func (s *Store) recordCompletions(ctx context.Context, query string, args []any, done []cauri.Completion, recorded []bool, before bool) error {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	index := make(map[string]int, len(done))
	for i, c := range done {
		index[c.ID] = i
	}
	type outgrown struct {
		id   string
		last int64
	}
	var trims []outgrown // the payments whose history outgrew the bound
	for rows.Next() {
		var (
			id   string
			last int64
		)
		if err := rows.Scan(&id, &last); err != nil {
			return err
		}
		i, ok := index[id]
		if !ok {
			continue // not one of done's: the statement names only theirs
		}
		recorded[i] = true
		if before {
			last += int64(len(done[i].Events))
		}
		if last > cauri.HistoryLimit {
			trims = append(trims, outgrown{id, last})
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, tr := range trims {
		if err := s.trimHistory(ctx, s.db, tr.id, tr.last); err != nil {
			return err
		}
	}
	return nil
}

// completeEventsTx is CompleteOnPaidEvents as a transaction: for each
// completion, the conditional UPDATE, then the count of its events and
// their insert.
func (s *Store) completeEventsTx(ctx context.Context, done []cauri.Completion, now time.Time, recorded []bool) error {
	at := s.timeArg(now)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		clear(recorded)
		for i, c := range done {
			// The onpaid row, else the payments row.
			n, err := s.exec(ctx, tx, s.oq.complete, at, c.ID, c.Owner)
			work := n > 0
			if err == nil && !work {
				n, err = s.exec(ctx, tx, s.q.complete, at, c.ID, c.Owner)
			}
			if err != nil {
				return err
			}
			if n == 0 {
				continue
			}
			recorded[i] = true
			if len(c.Events) == 0 {
				continue
			}
			attention := anyAttention(c.Events)
			var last int64
			switch {
			case work && !attention:
				// Numbered after the last, leaving the payments row be.
				err = tx.QueryRowContext(ctx, s.oq.lastSeq, c.ID).Scan(&last)
				last += int64(len(c.Events))
			case s.dialect == SQLite:
				err = tx.QueryRowContext(ctx, s.hq.count, int64(len(c.Events)), attention, c.ID).Scan(&last)
			default:
				last, err = countMySQL(ctx, tx, s.hq.count, int64(len(c.Events)), attention, c.ID)
			}
			if err != nil {
				return err
			}
			if err := s.insertEvents(ctx, tx, c.ID, last, c.Events); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		clear(recorded)
	}
	return err
}
