package memory

import (
	"context"
	"fmt"
	"slices"

	"github.com/cauripay/cauri"
)

// AppendEvents adds events to the end of payment paymentID's history,
// numbered after those appended before, and keeps at most
// [cauri.HistoryLimit] of them: the first [cauri.HistoryHead] and the
// latest. An event with Attention marks the payment for
// [cauri.PaymentQuery.NeedsAttention]. It returns an error wrapping
// [cauri.ErrNotFound] for an unknown payment. See [cauri.HistoryStore].
func (s *Store) AppendEvents(ctx context.Context, paymentID string, events ...cauri.Event) error {
	if err := ctx.Err(); err != nil || len(events) == 0 {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.byID[paymentID]
	if !ok {
		return fmt.Errorf("memory: append events to %s: %w", paymentID, cauri.ErrNotFound)
	}
	r.appendEvents(events)
	return nil
}

// appendEvents numbers events after r's and appends them, keeping the
// bound. The caller holds the store's lock.
func (r *record) appendEvents(events []cauri.Event) {
	for _, e := range events {
		r.seq++
		e.Seq, e.At = r.seq, e.At.UTC()
		r.events = append(r.events, e)
		r.attention = r.attention || e.Attention
	}
	if extra := len(r.events) - cauri.HistoryLimit; extra > 0 {
		r.events = slices.Delete(r.events, cauri.HistoryHead, cauri.HistoryHead+extra)
	}
}

// History returns payment paymentID's history, by Seq; an unknown payment
// has none. See [cauri.HistoryStore].
func (s *Store) History(ctx context.Context, paymentID string) ([]cauri.Event, error) {
	if err := s.rlock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	r, ok := s.byID[paymentID]
	if !ok {
		return nil, nil
	}
	return slices.Clone(r.events), nil
}

// FindPayments returns up to limit payments that meet q, by CreatedAt then
// ID, newest first unless q.OldestFirst, after the cursor in that order.
// It scans every payment, or with q.Search only those it names. See
// [cauri.PaymentFinder].
func (s *Store) FindPayments(ctx context.Context, q cauri.PaymentQuery, after cauri.Cursor, limit int) ([]cauri.Payment, error) {
	if limit <= 0 {
		return nil, ctx.Err()
	}
	if err := s.rlock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	var candidates []*record
	if q.Search != "" {
		seen := map[string]bool{}
		add := func(id string) {
			if r, ok := s.byID[id]; ok && !seen[id] {
				seen[id] = true
				candidates = append(candidates, r)
			}
		}
		add(q.Search)
		for _, id := range s.byOrder[q.Search] {
			add(id)
		}
		for k, id := range s.byRef {
			if k.ref == q.Search {
				add(id)
			}
		}
	} else {
		candidates = make([]*record, 0, len(s.byID))
		for _, r := range s.byID {
			candidates = append(candidates, r)
		}
	}
	// order compares two positions in the listing's order.
	order := compareCursor
	if !q.OldestFirst {
		order = func(a, b cauri.Cursor) int { return compareCursor(b, a) }
	}
	zero := after == cauri.Cursor{}
	var out []*record
	for _, r := range candidates {
		p := &r.p
		switch {
		case !zero && order(cauri.CursorOf(*p), after) <= 0,
			q.Status != "" && p.Status != q.Status,
			q.Provider != "" && p.Provider != q.Provider,
			!q.CreatedSince.IsZero() && p.CreatedAt.Before(q.CreatedSince),
			!q.CreatedBefore.IsZero() && !p.CreatedAt.Before(q.CreatedBefore),
			q.NeedsAttention && !r.attention:
			continue
		}
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b *record) int { return order(cauri.CursorOf(a.p), cauri.CursorOf(b.p)) })
	out = out[:min(limit, len(out))]
	ps := make([]cauri.Payment, len(out))
	for i, r := range out {
		ps[i] = clone(r.p)
	}
	return ps, nil
}
