package cauri

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Payouter is implemented by providers that can send money out in one
// call. The kit calls it through [Kit.Payout], which validates the
// request, guards it with the provider's breaker and rate, and makes it
// idempotent on PayoutRequest.Key. A provider that can also name a payout
// before sending it implements [PayoutPreparer], which the kit prefers.
type Payouter interface {
	// Payout sends req.Amount to req.Account. It is never retried by the
	// kit after an answer of unknown outcome: a provider without an
	// idempotency key of its own could pay twice.
	Payout(ctx context.Context, req PayoutRequest) (PayoutResult, error)
}

// PayoutPreparer is implemented by providers whose payouts take two calls:
// one that registers the payout with the provider and names it, moving no
// money, and one that sends it. [Kit.Payout] prefers it to [Payouter]: it
// records the provider's reference before any money can move, so that a
// payout whose answer is lost can still be looked up ([PayoutChecker]) and
// settled ([Kit.ResolvePayout]) instead of staying pending for good.
type PayoutPreparer interface {
	// PreparePayout registers req with the provider without sending
	// anything and returns the provider's reference for it. Whatever it
	// returns, no money has moved; the kit may retry it after a transient
	// failure (a payout prepared twice is only ever sent once).
	PreparePayout(ctx context.Context, req PayoutRequest) (ref string, err error)
	// SubmitPayout sends the payout PreparePayout named ref. It is never
	// retried by the kit. Its PayoutResult.ProviderRef may be empty: the
	// kit keeps ref.
	SubmitPayout(ctx context.Context, ref string, req PayoutRequest) (PayoutResult, error)
}

// PayoutChecker is implemented by providers that can look a payout up:
// [Kit.ResolvePayout] and the reconciler ask it about payouts still
// pending, and record what it says.
type PayoutChecker interface {
	// CheckPayout returns the provider's word on the payout it knows by
	// ref, the ProviderRef the kit recorded: PayoutSucceeded or
	// PayoutFailed once it is settled, PayoutPending while it is not (or
	// when the provider's word is one the package does not know). It sends
	// nothing. An error wrapping [ErrNotFound] means the provider does not
	// know ref; the kit then leaves the payout pending.
	CheckPayout(ctx context.Context, ref string) (PayoutResult, error)
}

// PayoutRequest asks a provider to send money to one account.
type PayoutRequest struct {
	// Key is the caller's idempotency key: a second Payout with the same
	// key returns the first one's result instead of paying again.
	Key string `validate:"required,max=64,printascii"`
	// Account identifies the recipient as their account at the provider
	// knows them: for PayDunya's account_alias, a phone number (E.164 or
	// national digits) or an email address. It is sent as given.
	Account string `validate:"required,max=254"`
	// Amount is in the currency's smallest unit, like Order.Amount.
	Amount int64 `validate:"gt=0,lte=100000000000"`
	// Currency is an ISO 4217 code.
	Currency string `validate:"required,iso4217"`
	// Description is shown to the recipient where the provider allows it.
	Description string `validate:"max=155"`
	// Method is the provider's channel for the payout, in its own words:
	// for PayDunya, the withdraw_mode ("orange-money-senegal", "wave-ci",
	// "paydunya" for a PayDunya account). Empty means the provider's
	// default. It is not stored, and a second call with the same Key is not
	// compared on it.
	Method string `validate:"omitempty,max=64,printascii"`
}

// PayoutStatus is where a payout stands.
type PayoutStatus string

// The statuses of a payout.
const (
	PayoutPending   PayoutStatus = "pending"   // accepted, not yet settled
	PayoutSucceeded PayoutStatus = "succeeded" // the money was sent
	PayoutFailed    PayoutStatus = "failed"    // refused; nothing was sent
)

// PayoutResult is a provider's answer to a payout.
type PayoutResult struct {
	// ProviderRef is the provider's identifier for the payout.
	ProviderRef string
	Status      PayoutStatus
	// Message is the provider's explanation, if any.
	Message string
}

// PayoutStore keeps payouts so that [Kit.Payout] is idempotent on
// PayoutRequest.Key, across processes sharing a database. A Store that also
// implements PayoutStore enables Kit.Payout; stores/memory and stores/sql
// do.
type PayoutStore interface {
	// CreatePayout records a new payout. It returns an error wrapping
	// [ErrDuplicate] when the key is taken.
	CreatePayout(ctx context.Context, p Payout) error
	// GetPayout returns the payout with that key, or an error wrapping
	// [ErrNotFound].
	GetPayout(ctx context.Context, key string) (Payout, error)
	// FinishPayout records a pending payout's result: its status,
	// provider reference and message, and UpdatedAt = now. A result whose
	// status is PayoutPending keeps the payout pending (the kit records the
	// provider's reference so before sending). It is a compare-and-set on
	// the payout being pending: it returns an error wrapping
	// [ErrConflict], with the payout as stored, when it is no longer
	// pending, and [ErrNotFound] for an unknown key.
	FinishPayout(ctx context.Context, key string, r PayoutResult, now time.Time) (Payout, error)
}

// PayoutLister is implemented by a [PayoutStore] that can list the payouts
// still pending, so that the reconciler ([Kit.Reconcile]) asks their
// providers about them. stores/memory and stores/sql implement it; with a
// PayoutStore that does not, pending payouts are settled only by
// [Kit.ResolvePayout].
type PayoutLister interface {
	// ListPendingPayouts returns up to limit pending payouts created
	// before olderThan, oldest first (by CreatedAt, then Key), starting
	// after the cursor: the zero Cursor starts from the oldest, and
	// PayoutCursor of the last payout returned gets the next page.
	ListPendingPayouts(ctx context.Context, olderThan time.Time, after Cursor, limit int) ([]Payout, error)
}

// PayoutCursor returns the position of p in a list of payouts, to list the
// payouts after it: Cursor.ID holds the payout's Key.
func PayoutCursor(p Payout) Cursor { return Cursor{CreatedAt: p.CreatedAt, ID: p.Key} }

// Payout is a payout as the kit stores it.
type Payout struct {
	Key         string
	Provider    string
	Account     string
	Amount      int64
	Currency    string
	Status      PayoutStatus
	ProviderRef string
	Message     string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Result returns the payout's result as Kit.Payout reports it.
func (p Payout) Result() PayoutResult {
	return PayoutResult{ProviderRef: p.ProviderRef, Status: p.Status, Message: p.Message}
}

// Payout errors, checkable with [errors.Is].
var (
	// ErrPayoutKeyReused: a payout key was used again for a different
	// payout (another account, amount, currency or provider).
	ErrPayoutKeyReused = errors.New("cauri: payout key reused for a different payout")
	// ErrPayoutNotFound: no payout has that key. It comes with the store's
	// error, which wraps [ErrNotFound].
	ErrPayoutNotFound = errors.New("cauri: no payout with that key")
	// ErrPayoutNotCheckable: the kit cannot ask the provider about a
	// pending payout: the provider has no way to look payouts up (no
	// [PayoutChecker]; the error then wraps [ErrUnsupported] too), or the
	// payout has no provider reference to look it up by, its provider's
	// answer having been lost before it named the payout. The payout stays
	// pending and is never sent again: a person must settle it with the
	// provider.
	ErrPayoutNotCheckable = errors.New("cauri: the provider cannot be asked about this payout")
	// ErrPayoutPending: the provider says the payout is not settled yet.
	// It stays pending; ask again later.
	ErrPayoutPending = errors.New("cauri: payout still pending at the provider")
)

// Payout sends money out through a provider that offers it (see
// [Payouter] and [PayoutPreparer]). It validates req, and is idempotent on
// req.Key: a second call with the same key returns the first call's
// result, or its pending state, and never pays again. A key reused for a
// different payout fails with [ErrPayoutKeyReused]. The calls go through
// the provider's breaker and rate; the one that sends money is never
// retried.
//
// A payout whose outcome is unknown (no answer, a timeout, a write of its
// result that failed) stays pending, and is never sent again: the
// reconciler ([Kit.Reconcile]) or [Kit.ResolvePayout] asks its provider
// and records what it says. With a [PayoutPreparer], whose reference the
// kit records before any money can move, every such payout can be looked
// up; with a plain [Payouter] only those whose provider answered with a
// reference can, and the others are left to a person
// ([ErrPayoutNotCheckable]).
func (k *Kit) Payout(ctx context.Context, provider string, req PayoutRequest) (PayoutResult, error) {
	if err := validateStruct(k.validate, "payout", req); err != nil {
		return PayoutResult{}, err
	}
	gp, ok := k.providers[provider]
	if !ok {
		return PayoutResult{}, fmt.Errorf("%w: %q", ErrUnknownProvider, provider)
	}
	payer, oneStep := gp.Provider.(Payouter)
	stager, twoStep := gp.Provider.(PayoutPreparer)
	if !oneStep && !twoStep {
		return PayoutResult{}, fmt.Errorf("%w: %s has no payouts", ErrUnsupported, provider)
	}
	ps, ok := k.store.(PayoutStore)
	if !ok {
		return PayoutResult{}, fmt.Errorf("%w: the Store does not keep payouts (it does not implement PayoutStore)", ErrUnsupported)
	}
	count := func(outcome string) { k.metrics.payouts.WithLabelValues(provider, outcome).Inc() }
	if gp.breakerOpen() {
		count("provider_unavailable")
		return PayoutResult{}, fmt.Errorf("%w: %s", ErrProviderUnavailable, provider)
	}

	// Bounded, when the caller set no deadline: a hung store or provider
	// must not hold the caller for good.
	ctx, cancel := bounded(ctx, storeTimeout)
	defer cancel()
	now := k.now()
	rec := Payout{Key: req.Key, Provider: provider, Account: req.Account, Amount: req.Amount, Currency: req.Currency,
		Status: PayoutPending, CreatedAt: now, UpdatedAt: now}
	if err := ps.CreatePayout(ctx, rec); err != nil {
		if !errors.Is(err, ErrDuplicate) {
			count("error")
			return PayoutResult{}, fmt.Errorf("cauri: storing payout: %w", err)
		}
		prev, err := ps.GetPayout(ctx, req.Key)
		if err != nil {
			count("error")
			return PayoutResult{}, fmt.Errorf("cauri: loading payout: %w", err)
		}
		if prev.Provider != provider || prev.Account != req.Account || prev.Amount != req.Amount || prev.Currency != req.Currency {
			count("key_reused")
			return PayoutResult{}, ErrPayoutKeyReused
		}
		count("duplicate")
		return prev.Result(), nil
	}
	// finish records the payout's result; a failed write leaves it
	// pending, for the reconciler or ResolvePayout to settle.
	finish := func(res PayoutResult) {
		ctx, cancel := detach(ctx, storeTimeout)
		defer cancel()
		if _, err := ps.FinishPayout(ctx, req.Key, res, k.now()); err != nil {
			k.log.Error("recording payout result; left pending", "provider", provider, "status", string(res.Status), "err", err)
		}
	}

	var ref string
	send := func(ctx context.Context) (PayoutResult, error) { return payer.Payout(ctx, req) }
	if twoStep {
		var err error
		ref, err = call(ctx, k, gp, "payout_prepare", true, func(ctx context.Context) (string, error) {
			return stager.PreparePayout(ctx, req)
		})
		if err == nil && ref == "" {
			err = &ProviderError{Provider: provider, Op: "payout_prepare", Err: fmt.Errorf("%w: the payout was not named", ErrMalformed)}
		}
		if err == nil {
			// The reference, before any money can move: a payout whose
			// answer is lost can then be looked up.
			_, err = ps.FinishPayout(ctx, req.Key, PayoutResult{Status: PayoutPending, ProviderRef: ref}, k.now())
			if err != nil {
				err = fmt.Errorf("cauri: recording the payout's reference: %w", err)
			}
		}
		if err != nil {
			// Nothing was sent, and nothing will be.
			res := PayoutResult{Status: PayoutFailed, Message: err.Error()}
			finish(res)
			count(string(PayoutFailed))
			return res, err
		}
		send = func(ctx context.Context) (PayoutResult, error) { return stager.SubmitPayout(ctx, ref, req) }
	}

	res, err := call(ctx, k, gp, "payout", false, send)
	switch {
	case err == nil:
	case nothingSent(err):
		res = PayoutResult{Status: PayoutFailed, Message: err.Error()}
	default:
		// Unknown outcome: leave it pending, so that a retry pays nothing.
		count("unknown")
		k.log.Error("payout outcome unknown; left pending", "provider", provider, "err", err)
		return PayoutResult{ProviderRef: ref, Status: PayoutPending}, err
	}
	if res.Status == "" {
		res.Status = PayoutPending
	}
	if res.ProviderRef == "" {
		res.ProviderRef = ref
	}
	finish(res)
	count(string(res.Status))
	if err != nil {
		return res, err
	}
	return res, nil
}

// nothingSent reports whether a payout error proves that no money moved:
// the provider refused the request before calling its API (a validation
// error), the breaker or the provider's rate kept the call from being
// made, or the provider answered with a permanent refusal. A call that got
// no answer (a timeout, a cancellation, a dropped connection) proves
// nothing.
func nothingSent(err error) bool {
	var ve *ValidationError
	if errors.As(err, &ve) || errors.Is(err, ErrProviderUnavailable) || errors.Is(err, ErrRateLimited) {
		return true
	}
	var pe *ProviderError
	return errors.As(err, &pe) && !pe.Temporary && pe.StatusCode != 0
}
