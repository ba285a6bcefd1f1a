package memory

import (
	"context"
	"time"

	"github.com/cauripay/cauri"
)

// ClaimOnRefunded takes the lease of a refunded payment for owner until
// now+ttl (the lease OnPaid takes: the two never run at once), as
// ClaimOnPaid does for a paid one. See [cauri.RefundStore].
func (s *Store) ClaimOnRefunded(ctx context.Context, id, owner string, now time.Time, ttl time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, err := s.claim(ctx, onRefunded, id, owner, now, ttl)
	return err
}

// CompleteOnRefunded records that OnRefunded succeeded, setting
// RefundHandledAt to now, if owner still holds the lease, and frees it. See
// [cauri.RefundStore].
func (s *Store) CompleteOnRefunded(ctx context.Context, id, owner string, now time.Time) error {
	return s.complete(ctx, onRefunded, id, owner, now)
}

// ListUnrefunded returns up to limit refunded payments whose OnRefunded
// has not succeeded and whose lease is free or expired at now, oldest
// first, after the cursor. It scans every payment.
func (s *Store) ListUnrefunded(ctx context.Context, now time.Time, after cauri.Cursor, limit int) ([]cauri.Payment, error) {
	return s.list(ctx, after, limit, func(r *record) bool {
		return r.p.Status == cauri.StatusRefunded && r.p.RefundHandledAt.IsZero() && !r.leased(now)
	})
}
