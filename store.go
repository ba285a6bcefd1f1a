package cauri

import (
	"context"
	"time"
)

// Store keeps payments. Implementations must be safe for concurrent use, and
// their compare-and-set operations must hold across processes sharing one
// database: that is what makes duplicate webhooks harmless and OnPaid run
// once. stores/memory and stores/sql ship with the kit; stores/storetest is
// the conformance suite every Store must pass.
//
// Times passed in are in UTC; a Store returns them in UTC.
//
// The kit looks for optional interfaces on a Store ([BatchCompleter],
// [HistoryWriter], [OrderMover], [RefundStore] …) and, when it finds one,
// calls its methods instead of some of Store's. A Store that wraps another
// by embedding it promotes the wrapped one's: a wrapper that changes
// Transition must define TransitionClaimingOrder too, and one that changes
// CompleteOnPaid must define CompleteOnPaidBatch and CompleteOnPaidEvents,
// or the kit goes around it.
type Store interface {
	// Create stores a new payment. It returns an error wrapping
	// [ErrDuplicate] when the ID is taken, when (Provider, ProviderRef) is
	// taken and ProviderRef is not empty, or when another payment with the
	// same non-empty CheckoutKey is still pending.
	Create(ctx context.Context, p Payment) error

	// Get returns the payment with that ID, or an error wrapping
	// [ErrNotFound].
	Get(ctx context.Context, id string) (Payment, error)

	// GetByProviderRef returns the payment a provider knows by ref, or an
	// error wrapping [ErrNotFound].
	GetByProviderRef(ctx context.Context, provider, ref string) (Payment, error)

	// GetPendingByCheckoutKey returns the pending payment with that
	// CheckoutKey, or an error wrapping [ErrNotFound].
	GetPendingByCheckoutKey(ctx context.Context, key string) (Payment, error)

	// Attach records the provider's reference and checkout URL on a pending
	// payment that has none yet. It returns an error wrapping [ErrNotFound]
	// for an unknown ID, [ErrDuplicate] when another payment of the same
	// provider has that ref, and [ErrConflict] when the payment already has
	// a different ref.
	Attach(ctx context.Context, id, providerRef, checkoutURL string, now time.Time) error

	// Transition moves a payment from one status to another if, and only
	// if, it is in status from and meets c.Expect: a compare-and-set. It
	// copies the change's non-empty details, takes the OnPaid lease when
	// c.Lease names an owner, and returns the payment as stored after the
	// move. It returns an error wrapping [ErrConflict] when the payment is
	// not in status from (someone else moved it first) or does not meet
	// c.Expect, together with the payment as stored then, and
	// [ErrNotFound] for an unknown ID. The caller checks the state
	// machine; the Store does not.
	Transition(ctx context.Context, id string, from Status, c Change) (Payment, error)

	// ClaimOnPaid takes the OnPaid lease of a paid payment for owner until
	// now+ttl and counts one attempt. It succeeds when no lease is held or
	// the held one expired at or before now. It returns an error wrapping
	// [ErrLeaseHeld] when another unexpired lease is held, [ErrFulfilled]
	// when OnPaid already succeeded, [ErrConflict] when the payment is not
	// paid, and [ErrNotFound] for an unknown ID.
	ClaimOnPaid(ctx context.Context, id, owner string, now time.Time, ttl time.Duration) error

	// CompleteOnPaid records that OnPaid succeeded, if owner still holds
	// the lease (expired or not, as long as nobody took it since). It
	// returns an error wrapping [ErrLeaseHeld] when another owner has the
	// lease now, and [ErrFulfilled] when it was already recorded.
	CompleteOnPaid(ctx context.Context, id, owner string, now time.Time) error

	// ReleaseOnPaid gives up owner's lease after OnPaid failed, so that the
	// next webhook, return visit or reconcile pass can retry at once. It is
	// a no-op when owner does not hold the lease.
	ReleaseOnPaid(ctx context.Context, id, owner string) error

	// TakePoll takes payment id's next turn to be asked about at its
	// provider: when the payment is pending, or paid (a refund the kit is
	// told of is confirmed too), and its NextPollAt is zero or at or
	// before now, it sets NextPollAt to next and reports true. It reports
	// false, with no error, when the payment is in another status, when
	// its turn is after now, or when the ID is unknown. It is a
	// compare-and-set: of several kits sharing the store and asking at
	// once, one gets the turn. This is the budget every question the kit
	// asks a provider about a payment draws on.
	TakePoll(ctx context.Context, id string, now, next time.Time) (bool, error)

	// Supersede marks the pending payments of order orderID created before
	// by (by CreatedAt, then ID) that are not superseded yet as superseded
	// by the payment at by (SupersededBy = by.ID), and frees their
	// CheckoutKey, so that a checkout of the same snapshot opens a new
	// payment instead of reusing one of them. It returns how many it
	// marked.
	Supersede(ctx context.Context, orderID string, by Cursor) (int, error)

	// ClaimOrder records payment id as the one that pays order orderID,
	// unless another payment already does, and returns the ID of the
	// payment that does: id itself when it is the first to ask (or asks
	// again), another ID when the order was claimed before. It holds
	// across processes sharing the store.
	ClaimOrder(ctx context.Context, orderID, id string) (string, error)

	// ListPending returns up to limit pending payments created before
	// olderThan, oldest first (by CreatedAt, then ID), starting after the
	// cursor: the zero Cursor starts from the oldest, and the Cursor of the
	// last payment returned gets the next page.
	ListPending(ctx context.Context, olderThan time.Time, after Cursor, limit int) ([]Payment, error)

	// ListUnfulfilled returns up to limit paid payments whose OnPaid has not
	// succeeded and whose lease is free or expired at now, oldest first (by
	// CreatedAt, then ID), starting after the cursor.
	ListUnfulfilled(ctx context.Context, now time.Time, after Cursor, limit int) ([]Payment, error)
}

// Cursor is a position in a list of payments ordered by creation time,
// then ID. The zero Cursor is before the first.
type Cursor struct {
	CreatedAt time.Time
	ID        string
}

// CursorOf returns the position of p, to list the payments after it.
func CursorOf(p Payment) Cursor { return Cursor{CreatedAt: p.CreatedAt, ID: p.ID} }

// Change is what a [Store.Transition] writes.
type Change struct {
	To Status
	// The fields below are written when not empty (non-zero).
	ProviderRef   string
	Fee           int64
	Method        string
	FailureReason string
	Received      int64     // see Payment.Received
	At            time.Time // becomes UpdatedAt

	// Lease, on a move to StatusPaid when its Owner is not empty, also
	// takes the OnPaid lease for Owner until Until and counts one OnPaid
	// attempt, as ClaimOnPaid would: the move to paid and the claim of
	// its OnPaid in one write. It is ignored on other moves.
	Lease Lease
	// FulfilledAt, on a move to StatusPaid when not zero, records OnPaid
	// as done at that time in the same write (a kit with no OnPaid has
	// nothing to run); Lease is then not taken.
	FulfilledAt time.Time
	// Expect, when not zero, makes the move conditional on the stored
	// payment meeting it too.
	Expect Expect
	// Events, for a Store that is a [HistoryWriter], are appended to the
	// payment's history in the same write as the move, as AppendEvents
	// would append them, and only if the payment moves. The kit leaves
	// them empty for other Stores.
	Events []Event
}

// Lease is an OnPaid lease taken by a [Change].
type Lease struct {
	Owner string
	Until time.Time
}

// Expect is what a [Change] requires of the stored payment besides its
// status, so that a move can be made without reading the payment first.
// Each field is checked when not empty.
type Expect struct {
	Provider string // the payment's Provider is this
	// ProviderRef: the payment has no ProviderRef yet, or this one.
	ProviderRef string
	// Currency: the payment's Currency is this, and its Amount is Amount.
	Currency string
	Amount   int64
}

// Meets reports whether p meets e.
func (e Expect) Meets(p Payment) bool {
	return (e.Provider == "" || p.Provider == e.Provider) &&
		(e.ProviderRef == "" || p.ProviderRef == "" || p.ProviderRef == e.ProviderRef) &&
		(e.Currency == "" || p.Currency == e.Currency && p.Amount == e.Amount)
}

// BatchCompleter is implemented by a Store that can record many OnPaid
// successes in one write. The kit then records together the successes of
// OnPaid calls that finish while another is being recorded (a group
// commit): each webhook still waits for its own to be durable before it
// answers, but a busy database sees one write for many. stores/sql has it.
type BatchCompleter interface {
	// CompleteOnPaidBatch does what CompleteOnPaid does for each of done,
	// at now, in one write, and returns how many it recorded. Those it did
	// not record (already recorded, or no longer leased by their owner)
	// are left as they are. It ignores their Events.
	CompleteOnPaidBatch(ctx context.Context, done []Completion, now time.Time) (int, error)
}

// Completion is a success of OnPaid to record: the payment, the lease
// owner that ran it, and the events to append to the payment's history
// with the record ([HistoryWriter.CompleteOnPaidEvents]).
type Completion struct {
	ID     string
	Owner  string
	Events []Event
}

// OrderMover is implemented by a Store that claims a payment's order, as
// [Store.ClaimOrder] does, in the write that moves the payment to paid:
// a settling payment then costs the store one write less. stores/memory
// and stores/sql are.
type OrderMover interface {
	// TransitionClaimingOrder does what Transition does and, when it
	// moves the payment to paid and the payment is not superseded, what
	// ClaimOrder does for the payment's order, at best in the same write.
	// holder is what ClaimOrder would have returned: the ID of the
	// payment that pays the order. It is empty when no claim was made
	// (the payment did not move to paid, or is superseded), or when its
	// outcome is not known yet (a claim committed by another process
	// while this write waited on it): the kit then calls ClaimOrder.
	TransitionClaimingOrder(ctx context.Context, id string, from Status, c Change) (p Payment, holder string, err error)
}

// RefundStore is implemented by a Store that keeps the outcome of
// [Config.OnRefunded], which the kit calls once per refunded payment as it
// calls OnPaid once per paid one: under the same lease (so that OnPaid and
// OnRefunded never run at once for a payment either), recorded done when
// it returned nil. A Config with OnRefunded needs one; stores/memory and
// stores/sql are.
type RefundStore interface {
	// ClaimOnRefunded takes the lease of a refunded payment for owner
	// until now+ttl, as ClaimOnPaid does for a paid one. It returns an
	// error wrapping [ErrLeaseHeld] when another unexpired lease is held
	// (OnPaid may still be running), [ErrFulfilled] when OnRefunded already
	// succeeded, [ErrConflict] when the payment is not refunded, and
	// [ErrNotFound] for an unknown ID.
	ClaimOnRefunded(ctx context.Context, id, owner string, now time.Time, ttl time.Duration) error
	// CompleteOnRefunded records that OnRefunded succeeded, setting
	// RefundHandledAt, if owner still holds the lease, and frees it; the
	// errors are CompleteOnPaid's. ReleaseOnPaid gives up a lease taken
	// by ClaimOnRefunded too.
	CompleteOnRefunded(ctx context.Context, id, owner string, now time.Time) error
	// ListUnrefunded returns up to limit refunded payments whose
	// OnRefunded has not succeeded and whose lease is free or expired at
	// now, oldest first, after the cursor, as ListUnfulfilled does.
	ListUnrefunded(ctx context.Context, now time.Time, after Cursor, limit int) ([]Payment, error)
}
