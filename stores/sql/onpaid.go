package sqlstore

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/cauripay/cauri"
)

// OnPaid's work lives off the payments row (schema version 12). A move to
// paid that takes OnPaid's lease inserts the payment's row in
// <prefix>onpaid, in the move's statement on PostgreSQL and its
// transaction elsewhere, and writes the payment's fulfilled_at as
// workElsewhere. From then on the lease, its claims and releases, the
// record of OnPaid's success and OnRefunded's lease and success are
// written to that narrow row, and the payments row, with its many
// indexes, is written once per settled payment: by its move. Claims and
// completions of one payment take turns on the onpaid row's lock, as they
// did on the payments row's.
//
// A payment moved to paid before this version, or by an older release
// running beside this one, has no onpaid row: its lease and fulfilled_at
// stay on the payments row, and every method here falls back to the
// statements of before for it, which the older release runs too. An older
// release reads workElsewhere as done and never claims such a payment;
// nor does it list it as unfulfilled (fulfilled_at is not NULL).

// workElsewhere is the fulfilled_at of a payment whose OnPaid record is in
// the onpaid table.
var workElsewhere = time.Unix(0, 0).UTC()

// onpaidQueries are the statements of OnPaid's work.
type onpaidQueries struct {
	claim, complete, release          string // on the onpaid row
	countAttempt                      string // one more OnPaid attempt on the payments row
	completeBatch                     string // then the (id, owner) pairs, and ")"
	completeEvents                    string // PostgreSQL: completeWorkEventsQuery
	claimRefund, completeRefund       string
	refundHandled                     string // the payments row's refund_handled_at
	tracked                           string // whether a payment has an onpaid row
	lastSeq                           string // the number of a payment's last event
	insert                            string // the row of a payment just moved, on MySQL and SQLite
	listDue, listDueAfter             string // the onpaid rows not done, joined with their payments
	listLegacy, listLegacyAfter       string // the paid payments not done whose work is on their row
	unfulfilledUnion, unfulfilledNext string // ListUnfulfilled: the payments row's and the onpaid rows'
}

func buildOnPaidQueries(d Dialect, prefix string) onpaidQueries {
	t, w := prefix+"payments", prefix+"onpaid"
	after := " AND (o.created_at, o.payment_id) > (?, ?)"
	legacyAfter := " AND (created_at, id) > (?, ?)"
	if d == MySQL {
		after = " AND (o.created_at > ? OR (o.created_at = ? AND o.payment_id > ?))"
		legacyAfter = " AND (created_at > ? OR (created_at = ? AND id > ?))"
	}
	// The payments moved to paid before version 12, or by an older
	// release: their work is on the payments row, as ListUnfulfilled read
	// it before.
	legacy := "SELECT " + columns + ", " + doneColumn(prefix, t) + " FROM " + t +
		" WHERE status = 'paid' AND fulfilled_at IS NULL AND (lease_until IS NULL OR lease_until <= ?)"
	const legacyOrder = " ORDER BY created_at, id LIMIT ?"
	due := "SELECT " + qualified(columns, t) + ", o.done_at AS onpaid_done FROM " + w + " o JOIN " + t + " ON " + t + ".id = o.payment_id" +
		" WHERE o.done_at IS NULL AND (o.lease_until IS NULL OR o.lease_until <= ?) AND " + t + ".status = 'paid'"
	const dueOrder = " ORDER BY o.created_at, o.payment_id LIMIT ?"
	oq := onpaidQueries{
		claim: "UPDATE " + w + " SET lease_owner = ?, lease_until = ? " +
			"WHERE payment_id = ? AND done_at IS NULL AND (lease_until IS NULL OR lease_until <= ?) " +
			"AND EXISTS (SELECT 1 FROM " + t + " WHERE id = ? AND status = 'paid')",
		countAttempt: "UPDATE " + t + " SET onpaid_attempts = onpaid_attempts + 1 WHERE id = ?",
		complete: "UPDATE " + w + " SET done_at = ?, lease_owner = NULL, lease_until = NULL " +
			"WHERE payment_id = ? AND done_at IS NULL AND lease_owner = ?",
		completeBatch: "UPDATE " + w + " SET done_at = ?, lease_owner = NULL, lease_until = NULL " +
			"WHERE done_at IS NULL AND (",
		release: "UPDATE " + w + " SET lease_owner = NULL, lease_until = NULL WHERE payment_id = ? AND lease_owner = ?",
		claimRefund: "UPDATE " + w + " SET lease_owner = ?, lease_until = ? " +
			"WHERE payment_id = ? AND refund_done_at IS NULL AND (lease_until IS NULL OR lease_until <= ?) " +
			"AND EXISTS (SELECT 1 FROM " + t + " WHERE id = ? AND status = 'refunded')",
		completeRefund: "UPDATE " + w + " SET refund_done_at = ?, lease_owner = NULL, lease_until = NULL " +
			"WHERE payment_id = ? AND refund_done_at IS NULL AND lease_owner = ?",
		refundHandled: "UPDATE " + t + " SET refund_handled_at = ? WHERE id = ? AND refund_handled_at IS NULL",
		tracked:       "SELECT COUNT(*) FROM " + w + " WHERE payment_id = ?",
		lastSeq:       "SELECT " + nextSeq(d, prefix, t) + " FROM " + t + " WHERE id = ?",
		insert: "INSERT INTO " + w + " (payment_id, created_at, lease_owner, lease_until) " +
			"SELECT id, created_at, ?, ? FROM " + t + " WHERE id = ?",
		listDue:      due + dueOrder,
		listDueAfter: due + after + dueOrder,
	}
	// ListUnfulfilled reads both, each through its index, and keeps the
	// first of the two in their common order.
	union := func(legacy, work string) string {
		return "SELECT * FROM (" + legacy + ") a UNION ALL SELECT * FROM (" + work + ") b ORDER BY created_at, id LIMIT ?"
	}
	oq.listLegacy, oq.listLegacyAfter = legacy+legacyOrder, legacy+legacyAfter+legacyOrder
	oq.unfulfilledUnion = union(oq.listLegacy, oq.listDue)
	oq.unfulfilledNext = union(oq.listLegacyAfter, oq.listDueAfter)
	if d == Postgres {
		oq.completeEvents = completeWorkEventsQuery(prefix)
		// The claim and its count in one statement.
		oq.claim = "WITH c AS (" + oq.claim + " RETURNING payment_id) " +
			"UPDATE " + t + " SET onpaid_attempts = onpaid_attempts + 1 WHERE id IN (SELECT payment_id FROM c)"
		// The record of OnRefunded's success on both rows.
		oq.completeRefund = "WITH c AS (" + oq.completeRefund + " RETURNING payment_id) " +
			"UPDATE " + t + " SET refund_handled_at = ? WHERE id IN (SELECT payment_id FROM c)"
		for _, s := range []*string{
			&oq.claim, &oq.countAttempt, &oq.complete, &oq.release, &oq.claimRefund, &oq.completeRefund,
			&oq.refundHandled, &oq.tracked, &oq.lastSeq, &oq.insert, &oq.listDue, &oq.listDueAfter,
			&oq.listLegacy, &oq.listLegacyAfter,
			&oq.unfulfilledUnion, &oq.unfulfilledNext,
		} {
			*s = numbered(*s)
		}
	}
	return oq
}

// trackedWork reports whether payment id's OnPaid work is in the onpaid
// table.
func (s *Store) trackedWork(ctx context.Context, id string) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, s.oq.tracked, id).Scan(&n)
	return n > 0, err
}

// exec runs query and reports how many rows it changed.
func (s *Store) exec(ctx context.Context, ex execer, query string, args ...any) (int64, error) {
	res, err := ex.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// claimWork takes the onpaid row's lease of a paid payment and counts the
// attempt on the payments row: one statement on PostgreSQL, a
// transaction elsewhere. It reports whether it took it.
func (s *Store) claimWork(ctx context.Context, id, owner string, now time.Time, ttl time.Duration) (bool, error) {
	args := []any{owner, s.timeArg(now.Add(ttl)), id, s.timeArg(now), id}
	if s.dialect == Postgres {
		n, err := s.exec(ctx, s.db, s.oq.claim, args...)
		return n > 0, err
	}
	var took bool
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		n, err := s.exec(ctx, tx, s.oq.claim, args...)
		if took = n > 0; err != nil || !took {
			return err
		}
		_, err = tx.ExecContext(ctx, s.oq.countAttempt, id)
		return err
	})
	return took && err == nil, err
}

// completeWorkBatch records OnPaid's success on the onpaid rows of done
// whose owner holds the lease, in one UPDATE, and returns how many.
func (s *Store) completeWorkBatch(ctx context.Context, done []cauri.Completion, now time.Time) (int64, error) {
	return s.completeLeases(ctx, s.oq.completeBatch, "payment_id", done, now)
}

// completeLeases runs head, a batch completion's UPDATE up to its
// condition's open parenthesis, which takes now first, for the rows whose
// key column idColumn and lease owner are one of done's, and returns how
// many rows it changed.
func (s *Store) completeLeases(ctx context.Context, head, idColumn string, done []cauri.Completion, now time.Time) (int64, error) {
	var b strings.Builder
	b.Grow(len(head) + len(done)*(len(idColumn)+30))
	b.WriteString(head)
	args := make([]any, 0, 1+2*len(done))
	args = append(args, s.timeArg(now))
	for i, c := range done {
		if i > 0 {
			b.WriteString(" OR ")
		}
		b.WriteString("(" + idColumn + " = ? AND lease_owner = ?)")
		args = append(args, c.ID, c.Owner)
	}
	b.WriteByte(')')
	query := b.String()
	if s.dialect == Postgres {
		query = numbered(query)
	}
	return s.exec(ctx, s.db, query, args...)
}

// insertWork inserts, in tx, the onpaid row of payment id, just moved to
// paid, leased to owner until until (MySQL and SQLite; PostgreSQL does it
// in the move's statement).
func (s *Store) insertWork(ctx context.Context, tx *sql.Tx, id string, l cauri.Lease) error {
	_, err := tx.ExecContext(ctx, s.oq.insert, l.Owner, s.timeArg(l.Until), id)
	return err
}

// completeRefundWork records OnRefunded's success on the onpaid row, if
// owner holds its lease, and on the payments row's refund_handled_at,
// which ListUnrefunded reads: one statement on PostgreSQL, a transaction
// elsewhere. It reports whether it recorded it.
func (s *Store) completeRefundWork(ctx context.Context, id, owner string, now time.Time) (bool, error) {
	at := s.timeArg(now)
	if s.dialect == Postgres {
		n, err := s.exec(ctx, s.db, s.oq.completeRefund, at, id, owner, at)
		return n > 0, err
	}
	var recorded bool
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		n, err := s.exec(ctx, tx, s.oq.completeRefund, at, id, owner)
		if recorded = n > 0; err != nil || !recorded {
			return err
		}
		_, err = tx.ExecContext(ctx, s.oq.refundHandled, at, id)
		return err
	})
	return recorded && err == nil, err
}
