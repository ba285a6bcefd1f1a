package memory

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/cauripay/cauri"
)

// CreatePayout records a new payout. It returns an error wrapping
// [cauri.ErrDuplicate] when the key is taken.
func (s *Store) CreatePayout(ctx context.Context, p cauri.Payout) error {
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	if _, ok := s.payouts[p.Key]; ok {
		return fmt.Errorf("memory: payout %q: %w", p.Key, cauri.ErrDuplicate)
	}
	s.payouts[p.Key] = p
	return nil
}

// GetPayout returns the payout with that key, or an error wrapping
// [cauri.ErrNotFound].
func (s *Store) GetPayout(ctx context.Context, key string) (cauri.Payout, error) {
	if err := s.rlock(ctx); err != nil {
		return cauri.Payout{}, err
	}
	defer s.mu.RUnlock()
	p, ok := s.payouts[key]
	if !ok {
		return cauri.Payout{}, fmt.Errorf("memory: payout %q: %w", key, cauri.ErrNotFound)
	}
	return p, nil
}

// FinishPayout records a pending payout's result. It returns an error
// wrapping [cauri.ErrConflict] when the payout is no longer pending, and
// [cauri.ErrNotFound] for an unknown key.
func (s *Store) FinishPayout(ctx context.Context, key string, r cauri.PayoutResult, now time.Time) (cauri.Payout, error) {
	if err := s.lock(ctx); err != nil {
		return cauri.Payout{}, err
	}
	defer s.mu.Unlock()
	p, ok := s.payouts[key]
	switch {
	case !ok:
		return cauri.Payout{}, fmt.Errorf("memory: payout %q: %w", key, cauri.ErrNotFound)
	case p.Status != cauri.PayoutPending:
		return p, fmt.Errorf("memory: payout %q is %s: %w", key, p.Status, cauri.ErrConflict)
	}
	p.Status, p.ProviderRef, p.Message, p.UpdatedAt = r.Status, r.ProviderRef, r.Message, now.UTC()
	s.payouts[key] = p
	return p, nil
}

// ListPendingPayouts returns up to limit pending payouts created before
// olderThan, oldest first (by CreatedAt, then Key), starting after the
// cursor, whose ID is a payout's Key. It scans every payout.
func (s *Store) ListPendingPayouts(ctx context.Context, olderThan time.Time, after cauri.Cursor, limit int) ([]cauri.Payout, error) {
	if limit <= 0 {
		return nil, ctx.Err()
	}
	if err := s.rlock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	var out []cauri.Payout
	for _, p := range s.payouts {
		if p.Status == cauri.PayoutPending && p.CreatedAt.Before(olderThan) && compareCursor(cauri.PayoutCursor(p), after) > 0 {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b cauri.Payout) int { return compareCursor(cauri.PayoutCursor(a), cauri.PayoutCursor(b)) })
	return out[:min(len(out), limit)], nil
}
