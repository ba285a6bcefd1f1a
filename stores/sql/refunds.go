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
	// The onpaid row's lease, which OnPaid's work holds too, else the
	// payments row's (see onpaid.go).
	n, err := s.exec(ctx, s.db, s.oq.claimRefund, owner, s.timeArg(now.Add(ttl)), id, s.timeArg(now), id)
	if err == nil && n == 0 {
		var tracked bool
		if tracked, err = s.trackedWork(ctx, id); err == nil && !tracked {
			n, err = s.exec(ctx, s.db, s.q.claimRefund, owner, s.timeArg(now.Add(ttl)), id, s.timeArg(now))
		}
	}
	if err != nil {
		return fmt.Errorf("sqlstore: claim refund %s: %w", id, err)
	} else if n > 0 {
		return nil
	}
	return s.leaseRefused(ctx, "claim refund", id, refundHandled, cauri.StatusRefunded)
}

// CompleteOnRefunded records that OnRefunded succeeded, setting
// RefundHandledAt to now, if owner still holds the lease, and frees it, in
// one conditional UPDATE. See [cauri.RefundStore].
func (s *Store) CompleteOnRefunded(ctx context.Context, id, owner string, now time.Time) error {
	done, err := s.completeRefundWork(ctx, id, owner, now)
	if err == nil && !done {
		var n int64
		n, err = s.exec(ctx, s.db, s.q.completeRefund, s.timeArg(now), id, owner)
		done = n > 0
	}
	if err != nil {
		return fmt.Errorf("sqlstore: complete refund %s: %w", id, err)
	} else if done {
		return nil
	}
	return s.leaseRefused(ctx, "complete refund", id, refundHandled, "")
}

// refundHandled reports whether p's OnRefunded succeeded.
func refundHandled(p cauri.Payment) bool { return !p.RefundHandledAt.IsZero() }

// ListUnrefunded returns up to limit refunded payments whose OnRefunded has
// not succeeded and whose lease is free or expired at now, oldest first (by
// CreatedAt, then ID), after the cursor, through the index of schema
// version 9.
func (s *Store) ListUnrefunded(ctx context.Context, now time.Time, after cauri.Cursor, limit int) ([]cauri.Payment, error) {
	return s.list(ctx, "list unrefunded", s.q.listUnrefunded, s.q.listUnrefundedAfter, s.timeArg(now), after, limit, s.timeArg(now))
}
