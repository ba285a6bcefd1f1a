package sqlstore

import (
	"time"

	"github.com/cauripay/cauri"
)

// SupersedeQuery is Supersede's statement and its arguments, to explain.
func (s *Store) SupersedeQuery(orderID string, by cauri.Cursor) (string, []any) {
	return s.q.supersede, append([]any{by.ID, orderID}, s.cursorArgs(by)...)
}

// ListQuery is the statement and arguments of a reconcile listing, to
// explain: "pending" (ListPending), "unfulfilled" and "due" (the two
// halves of ListUnfulfilled: the payments whose OnPaid work is on their
// row, and the onpaid table's) or "payouts" (ListPendingPayouts), from
// the start for the zero cursor, else after it.
func (s *Store) ListQuery(list string, at time.Time, after cauri.Cursor, limit int) (string, []any) {
	forms := map[string][2]string{
		"pending":     {s.q.listPending, s.q.listPendingAfter},
		"unfulfilled": {s.oq.listLegacy, s.oq.listLegacyAfter},
		"due":         {s.oq.listDue, s.oq.listDueAfter},
		"payouts":     {s.q.listPendingPayouts, s.q.listPendingPayoutsAfter},
	}[list]
	query, args := forms[0], []any{s.timeArg(at), limit}
	if !after.CreatedAt.IsZero() || after.ID != "" {
		query = forms[1]
		args = append(append([]any{s.timeArg(at)}, s.cursorArgs(after)...), limit)
	}
	return query, args
}
