package memory

import (
	"context"
	"fmt"
	"time"

	"github.com/cauripay/cauri"
)

// ClaimOnRefunded takes the lease of a refunded payment for owner until
// now+ttl (the lease OnPaid takes: the two never run at once), as
// ClaimOnPaid does for a paid one. See [cauri.RefundStore].
func (s *Store) ClaimOnRefunded(ctx context.Context, id, owner string, now time.Time, ttl time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if owner == "" {
		return fmt.Errorf("memory: claim refund %s: empty lease owner", id)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.byID[id]
	switch {
	case !ok:
		return fmt.Errorf("memory: claim refund %s: %w", id, cauri.ErrNotFound)
	case !r.p.RefundHandledAt.IsZero():
		return fmt.Errorf("memory: claim refund %s: %w", id, cauri.ErrFulfilled)
	case r.p.Status != cauri.StatusRefunded:
		return fmt.Errorf("memory: claim refund %s: payment is %s: %w", id, r.p.Status, cauri.ErrConflict)
	case r.leased(now):
		return fmt.Errorf("memory: claim refund %s: %w", id, cauri.ErrLeaseHeld)
	}
	r.leaseOwner = owner
	r.leaseUntil = now.Add(ttl).UTC()
	return nil
}

// CompleteOnRefunded records that OnRefunded succeeded, setting
// RefundHandledAt to now, if owner still holds the lease, and frees it. See
// [cauri.RefundStore].
func (s *Store) CompleteOnRefunded(ctx context.Context, id, owner string, now time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.byID[id]
	switch {
	case !ok:
		return fmt.Errorf("memory: complete refund %s: %w", id, cauri.ErrNotFound)
	case !r.p.RefundHandledAt.IsZero():
		return fmt.Errorf("memory: complete refund %s: %w", id, cauri.ErrFulfilled)
	case r.leaseOwner == "" || r.leaseOwner != owner:
		return fmt.Errorf("memory: complete refund %s: lease not held by this owner: %w", id, cauri.ErrLeaseHeld)
	}
	r.p.RefundHandledAt = now.UTC()
	r.leaseOwner, r.leaseUntil = "", time.Time{}
	return nil
}

// ListUnrefunded returns up to limit refunded payments whose OnRefunded
// has not succeeded and whose lease is free or expired at now, oldest
// first, after the cursor. It scans every payment.
func (s *Store) ListUnrefunded(ctx context.Context, now time.Time, after cauri.Cursor, limit int) ([]cauri.Payment, error) {
	return s.list(ctx, after, limit, func(r *record) bool {
		return r.p.Status == cauri.StatusRefunded && r.p.RefundHandledAt.IsZero() && !r.leased(now)
	})
}
