// Package memory is an in-memory [cauri.Store], for tests, demos and
// single-process deployments that can afford to lose their payments on
// restart.
//
// A [Store] is safe for concurrent use. Its compare-and-set operations hold
// within one process only: several processes need a shared store such as
// stores/sql. Every payment it returns is a copy, so callers cannot change
// what it holds except through its methods.
package memory

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/cauripay/cauri"
)

// Store is an in-memory [cauri.Store]. Create one with [New]; the zero value
// is not usable.
type Store struct {
	mu sync.RWMutex
	// byID holds every payment.
	byID map[string]*record
	// byRef maps (Provider, ProviderRef) to a payment ID, for non-empty refs.
	byRef map[refKey]string
	// pending maps a non-empty CheckoutKey to the ID of the pending payment
	// that has it.
	pending map[string]string
	// payouts holds payouts by key.
	payouts map[string]cauri.Payout
	// byOrder lists the IDs of each order's payments.
	byOrder map[string][]string
	// orders maps an order ID to the payment that claimed it.
	orders map[string]string
}

// record is a stored payment and its OnPaid lease, which Payment does not
// carry.
type record struct {
	p          cauri.Payment
	leaseOwner string    // empty when no lease is held
	leaseUntil time.Time // when leaseOwner's lease expires

	events    []cauri.Event // the payment's history, bounded
	seq       int64         // the Seq of the last event appended
	attention bool          // an event with Attention was appended
}

// leased reports whether a lease is held and unexpired at now.
func (r *record) leased(now time.Time) bool {
	return r.leaseOwner != "" && r.leaseUntil.After(now)
}

type refKey struct{ provider, ref string }

// The interfaces the Store implements.
var (
	_ cauri.Store         = (*Store)(nil)
	_ cauri.RefundStore   = (*Store)(nil)
	_ cauri.OrderMover    = (*Store)(nil)
	_ cauri.PayoutStore   = (*Store)(nil)
	_ cauri.PayoutLister  = (*Store)(nil)
	_ cauri.HistoryStore  = (*Store)(nil)
	_ cauri.HistoryWriter = (*Store)(nil)
	_ cauri.PaymentFinder = (*Store)(nil)
)

// New returns an empty Store.
func New() *Store {
	return &Store{
		byID:    make(map[string]*record),
		byRef:   make(map[refKey]string),
		pending: make(map[string]string),
		payouts: make(map[string]cauri.Payout),
		byOrder: make(map[string][]string),
		orders:  make(map[string]string),
	}
}

// Create stores a copy of p. It returns an error wrapping
// [cauri.ErrDuplicate] when the ID is taken, when (Provider, ProviderRef) is
// taken and ProviderRef is not empty, or when another payment with the same
// non-empty CheckoutKey is still pending.
func (s *Store) Create(ctx context.Context, p cauri.Payment) error {
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	if _, ok := s.byID[p.ID]; ok {
		return fmt.Errorf("memory: create %s: id taken: %w", p.ID, cauri.ErrDuplicate)
	}
	if p.ProviderRef != "" {
		if other, ok := s.byRef[refKey{p.Provider, p.ProviderRef}]; ok {
			return fmt.Errorf("memory: create %s: %s ref %q taken by %s: %w",
				p.ID, p.Provider, p.ProviderRef, other, cauri.ErrDuplicate)
		}
	}
	if p.CheckoutKey != "" {
		if other, ok := s.pending[p.CheckoutKey]; ok {
			return fmt.Errorf("memory: create %s: checkout key pending in %s: %w",
				p.ID, other, cauri.ErrDuplicate)
		}
	}
	p = clone(p)
	p.CreatedAt = p.CreatedAt.UTC()
	p.UpdatedAt = p.UpdatedAt.UTC()
	p.FulfilledAt = p.FulfilledAt.UTC()
	p.NextPollAt = p.NextPollAt.UTC()
	p.Anomaly = "" // worked out by the kit, never stored
	s.byID[p.ID] = &record{p: p}
	s.byOrder[p.OrderID] = append(s.byOrder[p.OrderID], p.ID)
	if p.ProviderRef != "" {
		s.byRef[refKey{p.Provider, p.ProviderRef}] = p.ID
	}
	if p.CheckoutKey != "" && p.Status == cauri.StatusPending && p.SupersededBy == "" {
		s.pending[p.CheckoutKey] = p.ID
	}
	return nil
}

// Get returns the payment with that ID, or an error wrapping
// [cauri.ErrNotFound].
func (s *Store) Get(ctx context.Context, id string) (cauri.Payment, error) {
	if err := s.rlock(ctx); err != nil {
		return cauri.Payment{}, err
	}
	defer s.mu.RUnlock()
	r, ok := s.byID[id]
	if !ok {
		return cauri.Payment{}, fmt.Errorf("memory: get %s: %w", id, cauri.ErrNotFound)
	}
	return clone(r.p), nil
}

// GetByProviderRef returns the payment a provider knows by ref, or an error
// wrapping [cauri.ErrNotFound].
func (s *Store) GetByProviderRef(ctx context.Context, provider, ref string) (cauri.Payment, error) {
	if err := s.rlock(ctx); err != nil {
		return cauri.Payment{}, err
	}
	defer s.mu.RUnlock()
	if ref != "" {
		if id, ok := s.byRef[refKey{provider, ref}]; ok {
			return clone(s.byID[id].p), nil
		}
	}
	return cauri.Payment{}, fmt.Errorf("memory: get %s ref %q: %w", provider, ref, cauri.ErrNotFound)
}

// GetPendingByCheckoutKey returns the pending payment with that CheckoutKey,
// or an error wrapping [cauri.ErrNotFound].
func (s *Store) GetPendingByCheckoutKey(ctx context.Context, key string) (cauri.Payment, error) {
	if err := s.rlock(ctx); err != nil {
		return cauri.Payment{}, err
	}
	defer s.mu.RUnlock()
	if key != "" {
		if id, ok := s.pending[key]; ok {
			return clone(s.byID[id].p), nil
		}
	}
	return cauri.Payment{}, fmt.Errorf("memory: get pending by checkout key: %w", cauri.ErrNotFound)
}

// Attach records the provider's reference and checkout URL on a pending
// payment that has none yet, and sets its UpdatedAt to now. Attaching the ref
// the payment already has is a no-op. It returns an error wrapping
// [cauri.ErrNotFound] for an unknown ID, [cauri.ErrDuplicate] when another
// payment of the same provider has that ref, and [cauri.ErrConflict] when the
// payment already has a different ref or is no longer pending.
func (s *Store) Attach(ctx context.Context, id, providerRef, checkoutURL string, now time.Time) error {
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	r, ok := s.byID[id]
	if !ok {
		return fmt.Errorf("memory: attach %s: %w", id, cauri.ErrNotFound)
	}
	switch {
	case r.p.ProviderRef == providerRef && providerRef != "":
		return nil
	case r.p.ProviderRef != "":
		return fmt.Errorf("memory: attach %s: has ref %q already: %w", id, r.p.ProviderRef, cauri.ErrConflict)
	case r.p.Status != cauri.StatusPending:
		return fmt.Errorf("memory: attach %s: payment is %s: %w", id, r.p.Status, cauri.ErrConflict)
	}
	if providerRef != "" {
		k := refKey{r.p.Provider, providerRef}
		if other, ok := s.byRef[k]; ok {
			return fmt.Errorf("memory: attach %s: %s ref %q taken by %s: %w",
				id, r.p.Provider, providerRef, other, cauri.ErrDuplicate)
		}
		s.byRef[k] = id
	}
	r.p.ProviderRef = providerRef
	r.p.CheckoutURL = checkoutURL
	r.p.UpdatedAt = now.UTC()
	return nil
}

// Transition moves a payment from status from to c.To if, and only if, it is
// in status from and meets c.Expect, copies c's non-empty fields, sets
// UpdatedAt to c.At when that is not zero, on a move to paid records
// c.FulfilledAt or else takes the OnPaid lease c.Lease names, and returns
// the payment as stored after the move.
// It returns an error wrapping [cauri.ErrConflict], with the payment as
// stored, when the payment is not in status from or does not meet c.Expect,
// [cauri.ErrNotFound] for an unknown ID, and
// [cauri.ErrDuplicate] when c.ProviderRef belongs to another payment of the
// same provider or when the move would make two payments with the same
// CheckoutKey pending. The caller checks the state machine; the Store does
// not.
func (s *Store) Transition(ctx context.Context, id string, from cauri.Status, c cauri.Change) (cauri.Payment, error) {
	if err := s.lock(ctx); err != nil {
		return cauri.Payment{}, err
	}
	defer s.mu.Unlock()
	r, ok := s.byID[id]
	if !ok {
		return cauri.Payment{}, fmt.Errorf("memory: transition %s: %w", id, cauri.ErrNotFound)
	}
	if r.p.Status != from {
		return clone(r.p), fmt.Errorf("memory: transition %s from %s to %s: payment is %s: %w",
			id, from, c.To, r.p.Status, cauri.ErrConflict)
	}
	if !c.Expect.Meets(r.p) {
		return clone(r.p), fmt.Errorf("memory: transition %s from %s to %s: payment is not as expected: %w",
			id, from, c.To, cauri.ErrConflict)
	}
	p := &r.p
	newRef := c.ProviderRef != "" && c.ProviderRef != p.ProviderRef
	if newRef {
		if other, ok := s.byRef[refKey{p.Provider, c.ProviderRef}]; ok {
			return cauri.Payment{}, fmt.Errorf("memory: transition %s: %s ref %q taken by %s: %w",
				id, p.Provider, c.ProviderRef, other, cauri.ErrDuplicate)
		}
	}
	wasPending, isPending := p.Status == cauri.StatusPending, c.To == cauri.StatusPending
	if !wasPending && isPending && p.CheckoutKey != "" {
		if other, ok := s.pending[p.CheckoutKey]; ok {
			return cauri.Payment{}, fmt.Errorf("memory: transition %s: checkout key pending in %s: %w",
				id, other, cauri.ErrDuplicate)
		}
	}

	if newRef {
		if p.ProviderRef != "" {
			delete(s.byRef, refKey{p.Provider, p.ProviderRef})
		}
		s.byRef[refKey{p.Provider, c.ProviderRef}] = id
		p.ProviderRef = c.ProviderRef
	}
	if p.CheckoutKey != "" {
		switch {
		case wasPending && !isPending:
			if s.pending[p.CheckoutKey] == id { // not freed by Supersede
				delete(s.pending, p.CheckoutKey)
			}
		case !wasPending && isPending && p.SupersededBy == "":
			s.pending[p.CheckoutKey] = id
		}
	}
	p.Status = c.To
	if c.Fee != 0 {
		p.Fee = c.Fee
	}
	if c.Method != "" {
		p.Method = c.Method
	}
	if c.FailureReason != "" {
		p.FailureReason = c.FailureReason
	}
	if c.Received != 0 {
		p.Received = c.Received
	}
	if !c.At.IsZero() {
		p.UpdatedAt = c.At.UTC()
	}
	switch {
	case c.To != cauri.StatusPaid || p.Fulfilled():
	case !c.FulfilledAt.IsZero():
		p.FulfilledAt = c.FulfilledAt.UTC()
	case c.Lease.Owner != "":
		r.leaseOwner, r.leaseUntil = c.Lease.Owner, c.Lease.Until.UTC()
		p.OnPaidAttempts++
	}
	r.appendEvents(c.Events)
	return clone(*p), nil
}

// ClaimOnPaid takes the OnPaid lease of a paid payment for owner until
// now+ttl and counts one attempt in OnPaidAttempts. It succeeds when no lease
// is held or the held one expired at or before now; an unexpired lease
// blocks even its own owner, so that one owner never runs OnPaid twice at
// once. owner must not be empty. It returns an error wrapping
// [cauri.ErrLeaseHeld] when an unexpired lease is held, [cauri.ErrFulfilled]
// when OnPaid already succeeded, [cauri.ErrConflict] when the payment is not
// paid, and [cauri.ErrNotFound] for an unknown ID.
func (s *Store) ClaimOnPaid(ctx context.Context, id, owner string, now time.Time, ttl time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.claim(ctx, onPaid, id, owner, now, ttl)
	if err != nil {
		return err
	}
	r.p.OnPaidAttempts++
	return nil
}

// hook is a payment hook a lease guards.
type hook int

const (
	onPaid     hook = iota // OnPaid, for a paid payment
	onRefunded             // OnRefunded, for a refunded one
)

// status is the payment status h runs in.
func (h hook) status() cauri.Status {
	if h == onRefunded {
		return cauri.StatusRefunded
	}
	return cauri.StatusPaid
}

// doneAt is p's field that records when h succeeded.
func (h hook) doneAt(p *cauri.Payment) *time.Time {
	if h == onRefunded {
		return &p.RefundHandledAt
	}
	return &p.FulfilledAt
}

// step names an operation on h for errors: "claim", "claim refund".
func (h hook) step(op string) string {
	if h == onRefunded {
		return op + " refund"
	}
	return op
}

// claim takes payment id's lease for h, for owner until now+ttl, as
// ClaimOnPaid says, and returns the payment's record. The caller holds the
// store's lock.
func (s *Store) claim(ctx context.Context, h hook, id, owner string, now time.Time, ttl time.Duration) (*record, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	step := h.step("claim")
	if owner == "" {
		return nil, fmt.Errorf("memory: %s %s: empty lease owner", step, id)
	}
	r, ok := s.byID[id]
	switch {
	case !ok:
		return nil, fmt.Errorf("memory: %s %s: %w", step, id, cauri.ErrNotFound)
	case !h.doneAt(&r.p).IsZero():
		return nil, fmt.Errorf("memory: %s %s: %w", step, id, cauri.ErrFulfilled)
	case r.p.Status != h.status():
		return nil, fmt.Errorf("memory: %s %s: payment is %s: %w", step, id, r.p.Status, cauri.ErrConflict)
	case r.leased(now):
		return nil, fmt.Errorf("memory: %s %s: %w", step, id, cauri.ErrLeaseHeld)
	}
	r.leaseOwner = owner
	r.leaseUntil = now.Add(ttl).UTC()
	return r, nil
}

// complete records that h succeeded for payment id at now, if owner
// still holds its lease, and frees the lease, as CompleteOnPaid says.
func (s *Store) complete(ctx context.Context, h hook, id, owner string, now time.Time) error {
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	step := h.step("complete")
	r, ok := s.byID[id]
	switch {
	case !ok:
		return fmt.Errorf("memory: %s %s: %w", step, id, cauri.ErrNotFound)
	case !h.doneAt(&r.p).IsZero():
		return fmt.Errorf("memory: %s %s: %w", step, id, cauri.ErrFulfilled)
	case r.leaseOwner == "" || r.leaseOwner != owner:
		return fmt.Errorf("memory: %s %s: lease not held by this owner: %w", step, id, cauri.ErrLeaseHeld)
	}
	*h.doneAt(&r.p) = now.UTC()
	r.leaseOwner, r.leaseUntil = "", time.Time{}
	return nil
}

// CompleteOnPaid records that OnPaid succeeded, setting FulfilledAt to now,
// if owner still holds the lease (expired or not, as long as nobody took it
// since), and frees the lease. It returns an error wrapping
// [cauri.ErrFulfilled] when that was already recorded, [cauri.ErrLeaseHeld]
// when owner does not hold the lease (another owner took it, or it was
// released), and [cauri.ErrNotFound] for an unknown ID.
func (s *Store) CompleteOnPaid(ctx context.Context, id, owner string, now time.Time) error {
	return s.complete(ctx, onPaid, id, owner, now)
}

// CompleteOnPaidEvents does what CompleteOnPaid does for each of done,
// and appends the events of each it records to its history. See
// [cauri.HistoryWriter].
func (s *Store) CompleteOnPaidEvents(ctx context.Context, done []cauri.Completion, now time.Time) ([]bool, error) {
	if err := s.lock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	recorded := make([]bool, len(done))
	for i, c := range done {
		r, ok := s.byID[c.ID]
		if !ok || r.p.Fulfilled() || r.leaseOwner == "" || r.leaseOwner != c.Owner {
			continue
		}
		r.p.FulfilledAt = now.UTC()
		r.leaseOwner, r.leaseUntil = "", time.Time{}
		r.appendEvents(c.Events)
		recorded[i] = true
	}
	return recorded, nil
}

// ReleaseOnPaid gives up owner's lease after OnPaid failed, so that the next
// attempt can claim it at once. It is a no-op when owner does not hold the
// lease or the ID is unknown.
func (s *Store) ReleaseOnPaid(ctx context.Context, id, owner string) error {
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	if r, ok := s.byID[id]; ok && r.leaseOwner != "" && r.leaseOwner == owner {
		r.leaseOwner, r.leaseUntil = "", time.Time{}
	}
	return nil
}

// ListPending returns up to limit pending payments created before olderThan,
// oldest first (by CreatedAt, then ID), starting after the cursor: the zero
// Cursor starts from the oldest, and the Cursor of the last payment returned
// gets the next page. It scans every payment.
func (s *Store) ListPending(ctx context.Context, olderThan time.Time, after cauri.Cursor, limit int) ([]cauri.Payment, error) {
	return s.list(ctx, after, limit, func(r *record) bool {
		return r.p.Status == cauri.StatusPending && r.p.CreatedAt.Before(olderThan)
	})
}

// ListUnfulfilled returns up to limit paid payments whose OnPaid has not
// succeeded and whose lease is free or expired at now, oldest first (by
// CreatedAt, then ID), starting after the cursor. It scans every payment.
func (s *Store) ListUnfulfilled(ctx context.Context, now time.Time, after cauri.Cursor, limit int) ([]cauri.Payment, error) {
	return s.list(ctx, after, limit, func(r *record) bool {
		return r.p.Status == cauri.StatusPaid && !r.p.Fulfilled() && !r.leased(now)
	})
}

// lock takes the store's write lock, unless ctx is done: then it returns
// ctx's error and holds nothing. The caller unlocks s.mu.
func (s *Store) lock(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	return nil
}

// rlock takes the store's read lock, unless ctx is done: then it returns
// ctx's error and holds nothing. The caller read-unlocks s.mu.
func (s *Store) rlock(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.RLock()
	return nil
}

// list returns copies of up to limit payments that match and come after the
// cursor, by CreatedAt then ID.
func (s *Store) list(ctx context.Context, after cauri.Cursor, limit int, match func(*record) bool) ([]cauri.Payment, error) {
	if limit <= 0 {
		return nil, ctx.Err()
	}
	if err := s.rlock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	// Keep only the first `limit` matches, sorted, as pointers: no copy of
	// every match and no sort of them all on each page.
	best := make([]*record, 0, min(limit, 256))
	less := func(a, b *record) bool { return compareCursor(cauri.CursorOf(a.p), cauri.CursorOf(b.p)) < 0 }
	for _, r := range s.byID {
		if compareCursor(cauri.CursorOf(r.p), after) <= 0 || !match(r) {
			continue
		}
		if len(best) == limit && !less(r, best[len(best)-1]) {
			continue
		}
		i, _ := slices.BinarySearchFunc(best, r, func(a, b *record) int {
			return compareCursor(cauri.CursorOf(a.p), cauri.CursorOf(b.p))
		})
		if len(best) == limit {
			best = best[:limit-1]
		}
		best = slices.Insert(best, i, r)
	}
	out := make([]cauri.Payment, len(best))
	for i, r := range best {
		out[i] = clone(r.p)
	}
	return out, nil
}

// compareCursor orders positions by CreatedAt, then ID. The zero Cursor
// comes before every payment's.
func compareCursor(a, b cauri.Cursor) int {
	return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
}

// clone returns p with a metadata map of its own.
func clone(p cauri.Payment) cauri.Payment {
	p.Metadata = maps.Clone(p.Metadata)
	return p
}
