package cauri

import (
	"context"
	"net/http"
	"time"
)

// Provider is one payment aggregator's API. A provider package knows its API
// and nothing of stores, breakers or metrics: the kit wraps every call with a
// circuit breaker, retries, timeouts and metrics.
//
// Errors a provider returns should be [*ProviderError] values (or wrap one)
// so the kit can tell transient failures, which it retries where safe, from
// permanent ones, which it never retries. Package providers/providerhttp
// sends a provider's JSON and form calls and classifies every way they can
// fail into such errors; a provider outside this module can use it too.
type Provider interface {
	// Name is the provider's short lower-case name ("moneroo"). It appears
	// in URL paths and as a metrics label.
	Name() string

	// CreateCheckout opens a hosted checkout for one payment and returns
	// where to send the customer.
	CreateCheckout(ctx context.Context, req CheckoutRequest) (Checkout, error)

	// FetchStatus asks the provider for its word on one payment. The
	// returned Update counts as authenticated: it came from the provider's
	// API over an authenticated channel. Providers with no status endpoint
	// return an error wrapping [ErrUnsupported].
	FetchStatus(ctx context.Context, q StatusQuery) (Update, error)

	// ParseWebhook reads one notification. body is the raw request body,
	// already read and size-limited by the kit; r gives the headers and URL.
	// It does no I/O. A notification that is not about a payment's status
	// returns [ErrIgnoredEvent]; a signature that does not verify returns
	// an error wrapping [ErrUnauthenticated], with the update the body
	// claims (not Authenticated) where it can be read, which the kit then
	// confirms with FetchStatus like any unsigned notification; unreadable
	// input returns an error wrapping [ErrMalformed].
	ParseWebhook(r *http.Request, body []byte) (Update, error)
}

// IdempotentCreator is implemented by providers whose CreateCheckout is safe
// to repeat for the same payment ID (the provider deduplicates it, e.g. by an
// idempotency key). The kit retries such creations on transient errors and
// never retries the others.
type IdempotentCreator interface {
	IdempotentCreate() bool
}

// CheckoutRequest is what the kit asks a provider to open.
type CheckoutRequest struct {
	// PaymentID is ours. Providers echo it in metadata or as their merchant
	// reference so that notifications can be matched.
	PaymentID string
	// Order is the validated order, from the shop's server.
	Order Order
	// ReturnURL is where the provider should send the customer back. It
	// carries our payment ID and a token; providers append their own query
	// parameters to it.
	ReturnURL string
	// CallbackURL is where the provider should post notifications, for
	// providers that take one per payment. It carries our payment ID and a
	// token of its own.
	CallbackURL string
}

// Checkout is a provider's answer to [Provider.CreateCheckout]. What the
// checkout handler answers a JSON client is a [CheckoutResponse].
type Checkout struct {
	// ProviderRef is the provider's identifier for the payment.
	ProviderRef string
	// RedirectURL is the hosted page to send the customer to.
	RedirectURL string
}

// StatusQuery names one payment for [Provider.FetchStatus]. Providers look
// it up by whichever identifier their API takes.
type StatusQuery struct {
	PaymentID   string
	ProviderRef string
	// Amount and Currency are the stored ones, for providers whose API needs
	// them to look a payment up.
	Amount   int64
	Currency string
	// CreatedAt is when the kit created the payment (by Config.Now), just
	// before it asked the provider to open the checkout: for providers
	// whose hosted sessions end a known time after they open. Zero when
	// unknown.
	CreatedAt time.Time
}

// Confirmer is implemented by providers whose status endpoint cannot say
// on its own all that a notification can. MoneyFusion's answers "no paid"
// both before the customer pays and after the customer cancelled: only
// its cancellation notification tells the two apart.
//
// To confirm an unauthenticated notification (see [Kit.WebhookHandler]),
// the kit calls Confirm instead of FetchStatus, with what the
// notification claimed. The call draws on the payment's budget of
// questions and goes through the breaker and the retries, as FetchStatus
// does; every other question (return visits, the status endpoint, the
// reconciler) still calls FetchStatus. A Confirm under way is shared only
// with the asks confirming a claim of the same Status and Callback, never
// with a plain question: a claim is never answered without being read.
//
// The Update returned counts as the provider's word, as FetchStatus's
// does, so Confirm must keep to it where money moves: paid (or refunded)
// only when the provider's API says so, whatever the claim. What it may
// do is settle, in the light of the claim, a status its API leaves
// ambiguous to a final one in which no money moved (cancelled, failed,
// expired), where the provider's documents make that safe. Such a move is
// for good: a payment the provider later calls paid stays as it is (the
// kit logs the contradiction), so a provider must not accept a claim
// that anyone but itself could have made.
type Confirmer interface {
	Confirm(ctx context.Context, claim Claim, q StatusQuery) (Update, error)
}

// Claim is what an unauthenticated notification says, as the kit hands it
// to a [Confirmer].
type Claim struct {
	// Update is the notification as ParseWebhook read it, not
	// Authenticated. Its PaymentID is ours or empty.
	Update Update
	// Callback is true when the notification came to the payment's own
	// callback URL ([Kit.CallbackURL], the CheckoutRequest's CallbackURL)
	// and its token verified: whoever sent it knew that URL, which the
	// kit gives to the provider alone. (Whether the provider shows it to
	// others is for the provider to know.) False for a notification to
	// the shared webhook URL.
	Callback bool
}

// Update is what a provider says about one payment, from a webhook or from
// its status endpoint.
type Update struct {
	// PaymentID is ours, when the provider echoed it.
	PaymentID string
	// ProviderRef is the provider's identifier. For some providers it is
	// also the path of their hosted payment page, a bearer secret: the kit
	// never logs it, and provider packages keep it out of errors and logs.
	ProviderRef string
	// Status is the provider's status mapped to ours. A provider status the
	// mapping does not know maps to StatusPending, never to a final one.
	Status Status
	// RawStatus is the provider's own word, for logs.
	RawStatus string
	// Amount and Currency are what the provider says was charged, in the
	// units of [Order.Amount], fee included where the provider counts it
	// so. A move to paid is refused in another currency or for less than
	// the stored amount; more settles, flagged (see [Payment.Surplus]).
	// A provider whose docs state the fee the customer paid reports it in
	// Fee: Amount equal to the order plus Fee is an ordinary payment.
	Amount   int64
	Currency string
	// Fee, Method and FailureReason are copied to the payment when known.
	Fee           int64
	Method        string
	FailureReason string
	// EventID identifies the notification for deduplication. It may hold
	// the ProviderRef, and is never logged.
	EventID string
	// Authenticated is true only when the provider proved the update: a
	// verified signature or hash, or an authenticated API response. An
	// unauthenticated webhook is confirmed with FetchStatus before it counts.
	Authenticated bool
}

// PollGuidance is implemented by providers that say how often one payment
// may be asked about (NovaSend: at most once every 5 to 10 seconds). The
// kit's reconciler and status endpoint never ask sooner.
type PollGuidance interface {
	MinPollInterval() time.Duration
}

// RateGuidance is implemented by providers that document a limit on API
// requests per account (DEXCHANGE: 100 a minute). The kit keeps all its
// calls to the provider within it; Config.RateLimits overrides it.
type RateGuidance interface {
	RateLimit() RateLimit
}

// RateLimit is a provider's documented limit on API requests per account:
// at most Requests requests in any span of time of length Per.
type RateLimit struct {
	Requests int
	Per      time.Duration
}
