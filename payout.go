package cauri

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Payouter is implemented by providers that can send money out (PayDunya's
// redistribution). The kit calls it through [Kit.Payout], which validates
// the request, guards it with the provider's breaker and makes it
// idempotent on PayoutRequest.Key.
type Payouter interface {
	// Payout sends req.Amount to req.Account. It is never retried by the
	// kit after an answer of unknown outcome: a provider without an
	// idempotency key of its own could pay twice.
	Payout(ctx context.Context, req PayoutRequest) (PayoutResult, error)
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
	// FinishPayout records a pending payout's result. It returns an error
	// wrapping [ErrConflict] when the payout is no longer pending.
	FinishPayout(ctx context.Context, key string, r PayoutResult, now time.Time) (Payout, error)
}

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

// ErrPayoutKeyReused: a payout key was used again for a different payout
// (another account, amount, currency or provider).
var ErrPayoutKeyReused = errors.New("cauri: payout key reused for a different payout")

// Payout sends money out through a provider that offers it (see
// [Payouter]). It validates req, and is idempotent on req.Key: a second call
// with the same key returns the first call's result, or its pending state,
// and never pays again, even when the first call's outcome was lost to a
// timeout (the payout then stays pending until someone checks it with the
// provider). A key reused for a different payout fails with
// [ErrPayoutKeyReused]. The call goes through the provider's breaker and is
// never retried.
func (k *Kit) Payout(ctx context.Context, provider string, req PayoutRequest) (PayoutResult, error) {
	if err := validateStruct(k.validate, "payout", req); err != nil {
		return PayoutResult{}, err
	}
	gp, ok := k.providers[provider]
	if !ok {
		return PayoutResult{}, fmt.Errorf("%w: %q", ErrUnknownProvider, provider)
	}
	payer, ok := gp.Provider.(Payouter)
	if !ok {
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

	res, err := call(ctx, k, gp, "payout", false, func(ctx context.Context) (PayoutResult, error) {
		return payer.Payout(ctx, req)
	})
	switch {
	case err == nil:
	case nothingSent(err):
		res = PayoutResult{Status: PayoutFailed, Message: err.Error()}
	default:
		// Unknown outcome: leave it pending, so that a retry pays nothing.
		count("unknown")
		k.log.Error("payout outcome unknown; left pending", "provider", provider, "err", err)
		return PayoutResult{Status: PayoutPending}, err
	}
	if res.Status == "" {
		res.Status = PayoutPending
	}
	if _, ferr := ps.FinishPayout(context.WithoutCancel(ctx), req.Key, res, k.now()); ferr != nil {
		k.log.Error("recording payout result", "provider", provider, "err", ferr)
	}
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
