package sqlstore

import (
	"strconv"
	"strings"
)

// columns are the payments columns a cauri.Payment is read from, in the
// order scanPayment expects.
const columns = "id, provider, provider_ref, order_id, checkout_key, status, amount, currency, " +
	"fee, method, failure_reason, checkout_url, metadata, created_at, updated_at, " +
	"onpaid_attempts, fulfilled_at, next_poll_at, superseded_by, received, refund_handled_at"

// doneColumn is the column read after columns: when of OnPaid's work a
// row of <prefix>onpaid (schema version 12) keeps the record, the time it
// succeeded, NULL while it has not; ref names the payments table in the
// statement. scanPayment reads it for a payment whose fulfilled_at is
// workElsewhere.
func doneColumn(prefix, ref string) string {
	return "(SELECT o.done_at FROM " + prefix + "onpaid o WHERE o.payment_id = " + ref + ".id) AS onpaid_done"
}

// qualified returns list, a comma-separated list of column names, each
// qualified with ref.
func qualified(list, ref string) string {
	names := strings.Split(list, ", ")
	for i, n := range names {
		names[i] = ref + "." + n
	}
	return strings.Join(names, ", ")
}

// queries are a Store's statements, built once by New for its dialect and
// table prefix. Values always travel as arguments, never in the SQL.
type queries struct {
	create, get, getByRef, getPending, getLeased string
	attach, transition                           string
	claim, complete, release                     string
	takePoll, supersede                          string
	claimOrder, orderHolder                      string
	completeBatch                                string // then the (id, owner) pairs, and ")"
	listPending, listPendingAfter                string // from the start, after a cursor
	createPayout, getPayout, finishPayout        string
	listPendingPayouts, listPendingPayoutsAfter  string // from the start, after a cursor
	claimRefund, completeRefund                  string
	listUnrefunded, listUnrefundedAfter          string
}

func buildQueries(d Dialect, prefix string) queries {
	t, po, o := prefix+"payments", prefix+"payouts", prefix+"orders"
	cols := columns + ", " + doneColumn(prefix, t) // what scanPayment reads
	returning, returningPayout := " RETURNING "+cols, " RETURNING "+payoutColumns
	if d == MySQL {
		returning, returningPayout = "", "" // re-selected after the UPDATE
	}
	listPending := "SELECT " + cols + " FROM " + t + " WHERE status = 'pending' AND created_at < ?"
	// A payment whose OnPaid work is in the onpaid table has its lease
	// there (see onpaid.go).
	listUnrefunded := "SELECT " + cols + " FROM " + t +
		" WHERE status = 'refunded' AND refund_handled_at IS NULL AND (lease_until IS NULL OR lease_until <= ?)" +
		" AND NOT EXISTS (SELECT 1 FROM " + prefix + "onpaid o WHERE o.payment_id = " + t + ".id AND o.lease_until > ?)"
	const listOrder = " ORDER BY created_at, id LIMIT ?"
	// after is the keyset condition, whose arguments cursorArgs gives.
	// PostgreSQL and SQLite bound an index scan with a row-value
	// comparison; MariaDB and MySQL only with the expanded form, on the
	// (status, …, created_at, id) indexes.
	after, before := " AND (created_at, id) > (?, ?)", " AND (created_at, id) < (?, ?)"
	payoutAfter := " AND (created_at, payout_key) > (?, ?)"
	if d == MySQL {
		after = " AND (created_at > ? OR (created_at = ? AND id > ?))"
		before = " AND (created_at < ? OR (created_at = ? AND id < ?))"
		payoutAfter = " AND (created_at > ? OR (created_at = ? AND payout_key > ?))"
	}
	listPendingPayouts := "SELECT " + payoutColumns + " FROM " + po + " WHERE status = 'pending' AND created_at < ?"
	const payoutOrder = " ORDER BY created_at, payout_key LIMIT ?"
	q := queries{
		create: "INSERT INTO " + t + " (id, provider, provider_ref, order_id, checkout_key, pending_key, " +
			"status, amount, currency, fee, method, failure_reason, checkout_url, metadata, " +
			"created_at, updated_at, onpaid_attempts, fulfilled_at, next_poll_at, superseded_by) " +
			"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		get:        "SELECT " + cols + " FROM " + t + " WHERE id = ?",
		getByRef:   "SELECT " + cols + " FROM " + t + " WHERE provider = ? AND provider_ref = ?",
		getPending: "SELECT " + cols + " FROM " + t + " WHERE pending_key = ?",
		// The lease is the onpaid row's when there is one (see onpaid.go).
		getLeased: "SELECT " + cols + ", " +
			"COALESCE((SELECT o.lease_owner FROM " + prefix + "onpaid o WHERE o.payment_id = " + t + ".id), lease_owner), " +
			"COALESCE((SELECT o.lease_until FROM " + prefix + "onpaid o WHERE o.payment_id = " + t + ".id), lease_until) " +
			"FROM " + t + " WHERE id = ?",

		attach: "UPDATE " + t + " SET provider_ref = ?, checkout_url = ?, updated_at = ? " +
			"WHERE id = ? AND status = 'pending' AND provider_ref IS NULL",
		transition: transition(d, t, "") + returning,

		claim: "UPDATE " + t + " SET lease_owner = ?, lease_until = ?, onpaid_attempts = onpaid_attempts + 1 " +
			"WHERE id = ? AND status = 'paid' AND fulfilled_at IS NULL " +
			"AND (lease_until IS NULL OR lease_until <= ?)",
		complete: "UPDATE " + t + " SET fulfilled_at = ?, lease_owner = NULL, lease_until = NULL " +
			"WHERE id = ? AND fulfilled_at IS NULL AND lease_owner = ?",
		// Not numbered here: completeLeases numbers the whole.
		completeBatch: "UPDATE " + t + " SET fulfilled_at = ?, lease_owner = NULL, lease_until = NULL " +
			"WHERE fulfilled_at IS NULL AND (",
		release: "UPDATE " + t + " SET lease_owner = NULL, lease_until = NULL " +
			"WHERE id = ? AND lease_owner = ?",

		// The turn to poll: a compare-and-set on next_poll_at, NULL being
		// at once.
		takePoll: "UPDATE " + t + " SET next_poll_at = ? " +
			"WHERE id = ? AND status IN ('pending', 'paid') AND (next_poll_at IS NULL OR next_poll_at <= ?)",

		// OnRefunded's lease is OnPaid's: the two never run at once.
		claimRefund: "UPDATE " + t + " SET lease_owner = ?, lease_until = ? " +
			"WHERE id = ? AND status = 'refunded' AND refund_handled_at IS NULL " +
			"AND (lease_until IS NULL OR lease_until <= ?)",
		completeRefund: "UPDATE " + t + " SET refund_handled_at = ?, lease_owner = NULL, lease_until = NULL " +
			"WHERE id = ? AND refund_handled_at IS NULL AND lease_owner = ?",
		// The order's earlier pending payments, through the (order_id,
		// created_at, id) index, give up their checkout key. The status
		// is compared as an expression, status || '', which no index
		// predicate or key matches: given status = 'pending', PostgreSQL
		// and SQLite may read the pending payments' indexes instead and
		// filter them by order, when their statistics were taken while
		// few payments were pending, a cost that grows with the pending
		// payments and their entries not yet vacuumed. The order's index
		// reads the order's few payments whatever the statistics.
		supersede: "UPDATE " + t + " SET superseded_by = ?, pending_key = NULL " +
			"WHERE order_id = ? AND status || '' = 'pending' AND superseded_by IS NULL" + before,
		// The order's primary key decides who claims it first. The insert
		// returns the holder on PostgreSQL and SQLite when it claims the
		// order; on MySQL it fails with a duplicate key when it does not.
		claimOrder: "INSERT INTO " + o + " (order_id, payment_id, claimed_at) VALUES (?, ?, ?)" +
			" ON CONFLICT (order_id) DO NOTHING RETURNING payment_id",
		orderHolder: "SELECT payment_id FROM " + o + " WHERE order_id = ?",

		// The status literals match the partial indexes' predicates on
		// PostgreSQL and SQLite. Each list has two forms: from the start,
		// for the zero cursor, and after a cursor, keyset paging on
		// (created_at, id), which the indexes end with.
		listPending:         listPending + listOrder,
		listPendingAfter:    listPending + after + listOrder,
		listUnrefunded:      listUnrefunded + listOrder,
		listUnrefundedAfter: listUnrefunded + after + listOrder,

		createPayout: "INSERT INTO " + po + " (" + payoutColumns + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		getPayout:    "SELECT " + payoutColumns + " FROM " + po + " WHERE payout_key = ?",
		finishPayout: "UPDATE " + po + " SET status = ?, provider_ref = ?, message = ?, updated_at = ? " +
			"WHERE payout_key = ? AND status = 'pending'" + returningPayout,
		// Through the pending payouts' index (schema version 7), keyset
		// paging on (created_at, payout_key) as the payments' lists.
		listPendingPayouts:      listPendingPayouts + payoutOrder,
		listPendingPayoutsAfter: listPendingPayouts + payoutAfter + payoutOrder,
	}
	if d == MySQL {
		q.claimOrder = "INSERT INTO " + o + " (order_id, payment_id, claimed_at) VALUES (?, ?, ?)"
		// MySQL and MariaDB have no partial index, and several lead with
		// the status: left to choose, MariaDB may read the pending
		// payments through payments_unfulfilled_idx, (status,
		// fulfilled_at, …), and sort them, or read them all to find an
		// order's. The hints name the index that serves each (both there
		// since schema version 4).
		pendingIdx := " FORCE INDEX (" + prefix + "payments_pending_idx)"
		listPending = "SELECT " + cols + " FROM " + t + pendingIdx + " WHERE status = 'pending' AND created_at < ?"
		q.listPending, q.listPendingAfter = listPending+listOrder, listPending+after+listOrder
		// The status compared plainly: || is OR on MySQL, and the hint
		// does the expression's work.
		q.supersede = "UPDATE " + t + " FORCE INDEX (" + prefix + "payments_order_idx) SET superseded_by = ?, pending_key = NULL " +
			"WHERE order_id = ? AND status = 'pending' AND superseded_by IS NULL" + before
	}
	if d == Postgres {
		// One round trip whether the row moves or not: the payment as
		// the statement found it comes back when it did not move.
		q.transition = "WITH moved AS (" + transition(d, t, "") + returning + ") " +
			"SELECT " + columns + ", onpaid_done, TRUE FROM moved UNION ALL " +
			"SELECT " + cols + ", FALSE FROM " + t + " WHERE id = ? AND NOT EXISTS (SELECT 1 FROM moved)"
		// Likewise the holder of the order, claimed now or before. The
		// SELECT sees the statement's snapshot: a claim committed while
		// the INSERT waited on it is not in it, and ClaimOrder reads it
		// with orderHolder then.
		q.claimOrder = "WITH claimed AS (" + q.claimOrder + ") " +
			"SELECT payment_id FROM claimed UNION ALL " +
			"SELECT payment_id FROM " + o + " WHERE order_id = ? AND NOT EXISTS (SELECT 1 FROM claimed)"
		for _, s := range []*string{
			&q.create, &q.get, &q.getByRef, &q.getPending, &q.getLeased,
			&q.attach, &q.transition, &q.claim, &q.complete, &q.release,
			&q.takePoll, &q.supersede, &q.claimOrder, &q.orderHolder,
			&q.listPending, &q.listPendingAfter,
			&q.createPayout, &q.getPayout, &q.finishPayout,
			&q.listPendingPayouts, &q.listPendingPayoutsAfter,
			&q.claimRefund, &q.completeRefund, &q.listUnrefunded, &q.listUnrefundedAfter,
		} {
			*s = numbered(*s)
		}
	}
	return q
}

// transition is the conditional UPDATE of Store.Transition, whose arguments
// transitionArgs gives: the new status; whether it is pending, which keeps
// the checkout key reserved unless the payment was superseded (Supersede
// gave its key up for good); the change's fields, NULL when empty so that
// the stored values stay; the lease, NULL and 0 when none is taken; the
// time OnPaid is recorded done, NULL when it is not; the ID and the status
// to move from; then the expectations, each checked when not empty.
// set, when not empty, is more assignments, whose arguments come before
// the ID.
//
// The payment is found by its primary key: on PostgreSQL and SQLite the
// status is compared as an expression, which no index on status serves,
// so that the planner never reads it through the pending payments' index
// (whose dead entries grow with the table between vacuums) instead.
func transition(d Dialect, t, set string) string {
	status := "status || '' = ?"
	if d == MySQL {
		status = "status = ?" // || is OR there; MySQL finds it by the primary key
	}
	return "UPDATE " + t + " SET status = ?, " +
		"pending_key = CASE WHEN ? AND superseded_by IS NULL THEN NULLIF(checkout_key, '') END, " +
		"provider_ref = COALESCE(?, provider_ref), fee = COALESCE(?, fee), " +
		"method = COALESCE(?, method), failure_reason = COALESCE(?, failure_reason), " +
		"received = COALESCE(?, received), updated_at = COALESCE(?, updated_at), " +
		"lease_owner = COALESCE(?, lease_owner), lease_until = COALESCE(?, lease_until), " +
		"onpaid_attempts = onpaid_attempts + ?, fulfilled_at = COALESCE(fulfilled_at, ?)" + set + " " +
		"WHERE id = ? AND " + status + " " +
		"AND (? = '' OR provider = ?) " +
		"AND (? = '' OR provider_ref IS NULL OR provider_ref = ?) " +
		"AND (? = '' OR (currency = ? AND amount = ?))"
}

// numbered turns each ? placeholder into PostgreSQL's $1, $2, …. The
// statements it is given have no ? anywhere else.
func numbered(query string) string {
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] != '?' {
			b.WriteByte(query[i])
			continue
		}
		n++
		b.WriteByte('$')
		b.WriteString(strconv.Itoa(n))
	}
	return b.String()
}
