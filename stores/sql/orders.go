package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/cauripay/cauri"
)

// TakePoll takes payment id's next turn to be asked about at its provider,
// in one conditional UPDATE: when the payment is pending and its NextPollAt
// is zero or at or before now, it sets NextPollAt to next and reports true.
// It reports false, with no error, when the payment is not pending, its
// turn is after now, or the ID is unknown. Of several processes asking at
// once, the database lets one have the turn.
func (s *Store) TakePoll(ctx context.Context, id string, now, next time.Time) (bool, error) {
	n, err := s.exec(ctx, s.db, s.q.takePoll, s.timeArg(next), id, s.timeArg(now))
	if err != nil {
		return false, fmt.Errorf("sqlstore: take poll %s: %w", id, err)
	}
	if n > 0 || s.dialect != MySQL || truncate(next).After(truncate(now)) {
		return n > 0, nil
	}
	// MySQL counts changed rows, not matched ones: a turn taken again
	// with a next at or before now, equal to the stored one, changes
	// nothing. The row matched if it is still so.
	p, err := s.Get(ctx, id)
	switch {
	case errors.Is(err, cauri.ErrNotFound):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("sqlstore: take poll %s: %w", id, err)
	}
	return p.Status == cauri.StatusPending && p.NextPollAt.Equal(truncate(next)), nil
}

// Supersede marks the pending payments of order orderID created before by
// (by CreatedAt, then ID) that are not superseded yet as superseded by
// by.ID, and frees their CheckoutKey (their pending_key becomes NULL), in
// one UPDATE through the payments' order index. It returns how many it
// marked. by.ID must not be empty.
func (s *Store) Supersede(ctx context.Context, orderID string, by cauri.Cursor) (int, error) {
	if by.ID == "" {
		return 0, fmt.Errorf("sqlstore: supersede payments of order %q: empty payment ID", orderID)
	}
	args := append([]any{by.ID, orderID}, s.cursorArgs(by)...)
	n, err := s.exec(ctx, s.db, s.q.supersede, args...)
	if err != nil {
		return 0, fmt.Errorf("sqlstore: supersede payments of order %q: %w", orderID, err)
	}
	return int(n), nil
}

// ClaimOrder records payment id as the one that pays order orderID unless
// another payment already does, and returns the ID of the payment that
// does. The orders table's primary key decides between processes claiming
// at once. On PostgreSQL the claim and the read of an earlier claim are
// one statement; on SQLite and MySQL an order claimed before costs a
// second one, to read its holder. Neither ID may be empty.
func (s *Store) ClaimOrder(ctx context.Context, orderID, id string) (string, error) {
	if orderID == "" || id == "" {
		return "", fmt.Errorf("sqlstore: claim order %q for %s: empty order or payment ID", orderID, id)
	}
	at := s.timeArg(time.Now())
	var holder string
	switch s.dialect {
	case Postgres:
		err := s.db.QueryRowContext(ctx, s.q.claimOrder, orderID, id, at, orderID).Scan(&holder)
		if err == nil {
			return holder, nil
		}
		// No row: the holder committed its claim while the statement
		// waited on it, after the statement's snapshot.
		if !errors.Is(err, sql.ErrNoRows) {
			return "", fmt.Errorf("sqlstore: claim order %q for %s: %w", orderID, id, err)
		}
	case SQLite:
		err := s.db.QueryRowContext(ctx, s.q.claimOrder, orderID, id, at).Scan(&holder)
		if err == nil {
			return holder, nil
		}
		// No row: the order was claimed before.
		if !errors.Is(err, sql.ErrNoRows) {
			return "", fmt.Errorf("sqlstore: claim order %q for %s: %w", orderID, id, err)
		}
	default:
		_, err := s.db.ExecContext(ctx, s.q.claimOrder, orderID, id, at)
		if err == nil {
			return id, nil
		}
		if !s.isUniqueViolation(err) {
			return "", fmt.Errorf("sqlstore: claim order %q for %s: %w", orderID, id, err)
		}
	}
	if err := s.db.QueryRowContext(ctx, s.q.orderHolder, orderID).Scan(&holder); err != nil {
		return "", fmt.Errorf("sqlstore: claim order %q for %s: reading its holder: %w", orderID, id, err)
	}
	return holder, nil
}

// TransitionClaimingOrder does what Transition does and, when that moves
// the payment to paid and it is not superseded, what ClaimOrder does: on
// PostgreSQL in the move's statement, elsewhere right after it. See
// [cauri.OrderMover].
func (s *Store) TransitionClaimingOrder(ctx context.Context, id string, from cauri.Status, c cauri.Change) (cauri.Payment, string, error) {
	if s.dialect == Postgres && c.To == cauri.StatusPaid {
		args, work := s.transitionArgs(id, from, c)
		return s.transitionWith(ctx, id, from, c, work, true, args)
	}
	p, err := s.Transition(ctx, id, from, c)
	if err != nil || c.To != cauri.StatusPaid || p.SupersededBy != "" {
		return p, "", err
	}
	holder, err := s.ClaimOrder(ctx, p.OrderID, p.ID)
	if err != nil {
		// The move stands; the kit asks ClaimOrder itself.
		return p, "", nil //nolint:nilerr // see above
	}
	return p, holder, nil
}

var _ cauri.OrderMover = (*Store)(nil)
