package cauri

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Sentinel errors, checkable with [errors.Is].
var (
	// ErrNotFound: no such payment (or order, from Config.Order).
	ErrNotFound = errors.New("cauri: not found")
	// ErrDuplicate: a payment with the same ID, provider reference, or
	// pending checkout key already exists.
	ErrDuplicate = errors.New("cauri: duplicate")
	// ErrConflict: a compare-and-set lost: the payment was not in the
	// expected status.
	ErrConflict = errors.New("cauri: conflict")
	// ErrLeaseHeld: another worker holds the OnPaid lease and it has not
	// expired.
	ErrLeaseHeld = errors.New("cauri: OnPaid lease held by another worker")
	// ErrFulfilled: OnPaid already succeeded for the payment.
	ErrFulfilled = errors.New("cauri: OnPaid already done")
	// ErrUnsupported: the provider does not offer this operation.
	ErrUnsupported = errors.New("cauri: unsupported by provider")
	// ErrUnauthenticated: a notification's signature, hash or token did not
	// verify.
	ErrUnauthenticated = errors.New("cauri: unauthenticated")
	// ErrMalformed: input from outside could not be read.
	ErrMalformed = errors.New("cauri: malformed input")
	// ErrIgnoredEvent: a notification that carries no payment status (a
	// payout event, a test ping).
	ErrIgnoredEvent = errors.New("cauri: event ignored")
	// ErrUnknownProvider: no provider of that name is configured.
	ErrUnknownProvider = errors.New("cauri: unknown provider")
	// ErrProviderUnavailable: the provider's circuit breaker is open.
	ErrProviderUnavailable = errors.New("cauri: provider unavailable")
	// ErrRateLimited: the kit did not call the provider, to keep within its
	// rate limit (see [RateLimit]) or because it answered 429 and asked for
	// a pause. It comes wrapped in a *ProviderError whose RetryAfter says
	// when to try again.
	ErrRateLimited = errors.New("cauri: rate limited")
	// ErrAmountMismatch: an update reports paid for less than the stored
	// payment's amount, or in another currency.
	ErrAmountMismatch = errors.New("cauri: amount or currency mismatch")
)

// ProviderError is an error from a provider's API, or from reaching it.
type ProviderError struct {
	Provider string // the provider's name
	Op       string // "create", "status", "payout", ...
	// StatusCode is the HTTP status, 0 when no response came.
	StatusCode int
	// Message is the provider's explanation, if it gave one. Never a secret.
	Message string
	// Temporary marks failures worth retrying: network errors, 5xx, 429.
	Temporary bool
	// RetryAfter is the provider's Retry-After, when it sent one.
	RetryAfter time.Duration
	// Err is the underlying error, if any.
	Err error
}

func (e *ProviderError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", e.Provider, e.Op)
	if e.StatusCode != 0 {
		fmt.Fprintf(&b, ": HTTP %d", e.StatusCode)
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	return b.String()
}

func (e *ProviderError) Unwrap() error { return e.Err }

// IsTemporary reports whether err is worth retrying: a [*ProviderError]
// marked Temporary anywhere in its chain.
func IsTemporary(err error) bool {
	var pe *ProviderError
	return errors.As(err, &pe) && pe.Temporary
}

// ValidationError lists every field of an order, a configuration or a
// request that is wrong, so that one error names them all.
type ValidationError struct {
	What   string       // "order", "config", "payout"
	Fields []FieldError // every bad field, in declaration order
}

// FieldError is one bad field.
type FieldError struct {
	Field  string // dotted path: "Customer.Email"
	Reason string // "must be a valid email"
}

func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString("cauri: invalid ")
	b.WriteString(e.What)
	for i, f := range e.Fields {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(f.Field)
		b.WriteString(" ")
		b.WriteString(f.Reason)
	}
	return b.String()
}
