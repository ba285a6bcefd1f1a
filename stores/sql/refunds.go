package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/cauripay/cauri"
)

var _ cauri.RefundStore = (*Store)(nil)

// ClaimOnRefunded takes the lease of a refunded payment for owner until
// now+ttl, in one conditional UPDATE, as ClaimOnPaid does for a paid one:
// the lease is OnPaid's, so the two hooks never run at once. See
// [cauri.RefundStore].
func (s *Store) ClaimOnRefunded(ctx context.Context, id, owner string, now time.Time, ttl time.Duration) error {
	if owner == "" {
		return fmt.Errorf("sqlstore: claim refund %s: empty lease owner", id)
	}
	res, err := s.db.ExecContext(ctx, s.q.claimRefund, owner, s.timeArg(now.Add(ttl)), id, s.timeArg(now))
	if err != nil {
		return fmt.Errorf("sqlstore: claim refund %s: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sqlstore: claim refund %s: %w", id, err)
	} else if n > 0 {
		return nil
	}
	r, err := s.getLeased(ctx, id)
	switch {
	case err != nil:
		return fmt.Errorf("sqlstore: claim refund %s: %w", id, notFound(err))
	case !r.p.RefundHandledAt.IsZero():
		return fmt.Errorf("sqlstore: claim refund %s: %w", id, cauri.ErrFulfilled)
	case r.p.Status != cauri.StatusRefunded:
		return fmt.Errorf("sqlstore: claim refund %s: payment is %s: %w", id, r.p.Status, cauri.ErrConflict)
	}
	return fmt.Errorf("sqlstore: claim refund %s: %w", id, cauri.ErrLeaseHeld)
}

// CompleteOnRefunded records that OnRefunded succeeded, setting
// RefundHandledAt to now, if owner still holds the lease, and frees it, in
// one conditional UPDATE. See [cauri.RefundStore].
func (s *Store) CompleteOnRefunded(ctx context.Context, id, owner string, now time.Time) error {
	res, err := s.db.ExecContext(ctx, s.q.completeRefund, s.timeArg(now), id, owner)
	if err != nil {
		return fmt.Errorf("sqlstore: complete refund %s: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sqlstore: complete refund %s: %w", id, err)
	} else if n > 0 {
		return nil
	}
	r, err := s.getLeased(ctx, id)
	switch {
	case err != nil:
		return fmt.Errorf("sqlstore: complete refund %s: %w", id, notFound(err))
	case !r.p.RefundHandledAt.IsZero():
		return fmt.Errorf("sqlstore: complete refund %s: %w", id, cauri.ErrFulfilled)
	}
	return fmt.Errorf("sqlstore: complete refund %s: lease not held by this owner: %w", id, cauri.ErrLeaseHeld)
}

// ListUnrefunded returns up to limit refunded payments whose OnRefunded has
// not succeeded and whose lease is free or expired at now, oldest first (by
// CreatedAt, then ID), after the cursor, through the index of schema
// version 9.
func (s *Store) ListUnrefunded(ctx context.Context, now time.Time, after cauri.Cursor, limit int) ([]cauri.Payment, error) {
	return s.list(ctx, "list unrefunded", s.q.listUnrefunded, s.q.listUnrefundedAfter, s.timeArg(now), after, limit)
}
