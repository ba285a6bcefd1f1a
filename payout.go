package cauri

import "context"

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
	// Account identifies the recipient as the provider expects: a phone
	// number in E.164 form, or an email address, for PayDunya's
	// account_alias.
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
