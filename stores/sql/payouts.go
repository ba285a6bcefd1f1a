package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/cauripay/cauri"
)

var (
	_ cauri.PayoutStore  = (*Store)(nil)
	_ cauri.PayoutLister = (*Store)(nil)
)

// payoutColumns are the payouts columns a cauri.Payout is read from, in the
// order scanPayout expects.
const payoutColumns = "payout_key, provider, account, amount, currency, status, provider_ref, message, created_at, updated_at"

// CreatePayout records a new payout. It returns an error wrapping
// [cauri.ErrDuplicate] when the key is taken.
func (s *Store) CreatePayout(ctx context.Context, p cauri.Payout) error {
	_, err := s.db.ExecContext(ctx, s.q.createPayout,
		p.Key, p.Provider, p.Account, p.Amount, p.Currency, string(p.Status), p.ProviderRef, p.Message,
		s.timeArg(p.CreatedAt), s.timeArg(p.UpdatedAt))
	if err != nil {
		return s.writeFailed(fmt.Sprintf("create payout %q", p.Key), err)
	}
	return nil
}

// GetPayout returns the payout with that key, or an error wrapping
// [cauri.ErrNotFound].
func (s *Store) GetPayout(ctx context.Context, key string) (cauri.Payout, error) {
	p, err := scanPayout(s.db.QueryRowContext(ctx, s.q.getPayout, key))
	if err != nil {
		return cauri.Payout{}, fmt.Errorf("sqlstore: get payout %q: %w", key, notFound(err))
	}
	return p, nil
}

// FinishPayout records a pending payout's result and sets its UpdatedAt to
// now, in one conditional UPDATE, and returns the payout as stored. It
// returns an error wrapping [cauri.ErrConflict], with the payout as stored,
// when the payout is no longer pending, and [cauri.ErrNotFound] for an
// unknown key.
func (s *Store) FinishPayout(ctx context.Context, key string, r cauri.PayoutResult, now time.Time) (cauri.Payout, error) {
	args := []any{string(r.Status), r.ProviderRef, r.Message, s.timeArg(now), key}
	if s.dialect != MySQL { // UPDATE … RETURNING: one round trip
		p, err := scanPayout(s.db.QueryRowContext(ctx, s.q.finishPayout, args...))
		switch {
		case err == nil:
			return p, nil
		case errors.Is(err, sql.ErrNoRows):
			return s.finishLost(ctx, key, r, now)
		}
		return cauri.Payout{}, fmt.Errorf("sqlstore: finish payout %q: %w", key, err)
	}

	n, err := s.exec(ctx, s.db, s.q.finishPayout, args...)
	if err != nil {
		return cauri.Payout{}, fmt.Errorf("sqlstore: finish payout %q: %w", key, err)
	}
	if n == 0 {
		return s.finishLost(ctx, key, r, now)
	}
	return s.GetPayout(ctx, key)
}

// finishLost explains a FinishPayout whose UPDATE changed no row.
func (s *Store) finishLost(ctx context.Context, key string, r cauri.PayoutResult, now time.Time) (cauri.Payout, error) {
	p, err := s.GetPayout(ctx, key)
	switch {
	case err != nil:
		return cauri.Payout{}, fmt.Errorf("sqlstore: finish payout %q: %w", key, err)
	case p.Status == cauri.PayoutPending && r.Status == cauri.PayoutPending &&
		p.ProviderRef == r.ProviderRef && p.Message == r.Message && p.UpdatedAt.Equal(truncate(now)):
		// MySQL counts changed rows, not matched ones: the update
		// matched and changed nothing.
		return p, nil
	}
	return p, fmt.Errorf("sqlstore: finish payout %q: payout is %s: %w", key, p.Status, cauri.ErrConflict)
}

// ListPendingPayouts returns up to limit pending payouts created before
// olderThan, oldest first (by CreatedAt, then Key), starting after the
// cursor, whose ID is a payout's Key: keyset paging through the pending
// payouts' index.
func (s *Store) ListPendingPayouts(ctx context.Context, olderThan time.Time, after cauri.Cursor, limit int) ([]cauri.Payout, error) {
	if limit <= 0 {
		return nil, ctx.Err()
	}
	query, args := s.q.listPendingPayouts, []any{s.timeArg(olderThan), limit}
	if !after.CreatedAt.IsZero() || after.ID != "" {
		query = s.q.listPendingPayoutsAfter
		args = append(append([]any{s.timeArg(olderThan)}, s.cursorArgs(after)...), limit)
	}
	out, err := queryAll(ctx, s.db, scanPayout, query, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: list pending payouts: %w", err)
	}
	return out, nil
}

// scanPayout reads the payout columns from sc.
func scanPayout(sc scanner) (cauri.Payout, error) {
	var p cauri.Payout
	err := sc.Scan(&p.Key, &p.Provider, &p.Account, &p.Amount, &p.Currency, (*string)(&p.Status),
		&p.ProviderRef, &p.Message, timeDest{&p.CreatedAt}, timeDest{&p.UpdatedAt})
	if err != nil {
		return cauri.Payout{}, err
	}
	return p, nil
}
