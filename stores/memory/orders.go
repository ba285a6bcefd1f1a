package memory

import (
	"context"
	"fmt"
	"time"

	"github.com/cauripay/cauri"
)

// TakePoll takes payment id's next turn to be asked about at its provider:
// when the payment is pending or paid and its NextPollAt is zero or at or
// before now, it sets NextPollAt to next and reports true. It reports false
// when the payment is in another status, its turn is after now, or the ID
// is unknown.
func (s *Store) TakePoll(ctx context.Context, id string, now, next time.Time) (bool, error) {
	if err := s.lock(ctx); err != nil {
		return false, err
	}
	defer s.mu.Unlock()
	r, ok := s.byID[id]
	if !ok || r.p.Status != cauri.StatusPending && r.p.Status != cauri.StatusPaid || r.p.NextPollAt.After(now) {
		return false, nil
	}
	r.p.NextPollAt = next.UTC()
	return true, nil
}

// Supersede marks the pending payments of order orderID created before by
// (by CreatedAt, then ID) that are not superseded yet as superseded by
// by.ID, frees their CheckoutKey, and returns how many it marked.
func (s *Store) Supersede(ctx context.Context, orderID string, by cauri.Cursor) (int, error) {
	if err := s.lock(ctx); err != nil {
		return 0, err
	}
	defer s.mu.Unlock()
	n := 0
	for _, id := range s.byOrder[orderID] {
		r := s.byID[id]
		if id == by.ID || r.p.Status != cauri.StatusPending || r.p.SupersededBy != "" || compareCursor(cauri.CursorOf(r.p), by) >= 0 {
			continue
		}
		r.p.SupersededBy = by.ID
		if r.p.CheckoutKey != "" && s.pending[r.p.CheckoutKey] == id {
			delete(s.pending, r.p.CheckoutKey)
		}
		n++
	}
	return n, nil
}

// ClaimOrder records payment id as the one that pays order orderID unless
// another payment already does, and returns the ID of the payment that
// does.
func (s *Store) ClaimOrder(ctx context.Context, orderID, id string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if orderID == "" || id == "" {
		return "", fmt.Errorf("memory: claim order %q for %q: empty order or payment ID", orderID, id)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if holder, ok := s.orders[orderID]; ok {
		return holder, nil
	}
	s.orders[orderID] = id
	return id, nil
}

// TransitionClaimingOrder does what Transition does and, when that moves
// the payment to paid and it is not superseded, what ClaimOrder does. See
// [cauri.OrderMover].
func (s *Store) TransitionClaimingOrder(ctx context.Context, id string, from cauri.Status, c cauri.Change) (cauri.Payment, string, error) {
	p, err := s.Transition(ctx, id, from, c)
	if err != nil || p.Status != cauri.StatusPaid || p.SupersededBy != "" || c.To != cauri.StatusPaid {
		return p, "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if holder, ok := s.orders[p.OrderID]; ok {
		return p, holder, nil
	}
	s.orders[p.OrderID] = p.ID
	return p, p.ID, nil
}
