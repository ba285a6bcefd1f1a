package providertest

import (
	"context"
	"net/http"
	"time"

	"github.com/cauripay/cauri"
)

// Emulator is a provider's HTTP API emulated on loopback, as the scenario
// suite drives it. Each provider package ships one under
// providers/<name>/<name>test.
type Emulator interface {
	// Provider returns the provider client configured against this
	// emulator, with the credentials and webhook secrets it expects.
	Provider() cauri.Provider

	// SetWebhookURL tells the emulator where to deliver notifications for
	// providers configured in a dashboard rather than per payment. Callback
	// URLs sent per payment take precedence.
	SetWebhookURL(url string)

	// Act plays the customer on the hosted page at checkoutURL, over HTTP:
	// pay, fail, cancel or pay later. It returns the URL the provider sends
	// the customer back to, with the provider's query parameters, or ""
	// when the provider sends nobody back for that action. Notifications
	// are sent as the current WebhookPolicy says; those not held are
	// delivered, and answered, before Act returns.
	Act(ctx context.Context, checkoutURL string, a Action) (returnURL string, err error)

	// ConfirmLater plays the customer's phone confirming a payment whose
	// customer chose PayLater on the hosted page: the payment, pending
	// until then, is paid, and the provider notifies the shop as it does
	// after Pay. providerRef is the payment's ref at the provider
	// (cauri.Payment.ProviderRef). Notifications not held by the
	// WebhookPolicy are delivered, and answered, before it returns. It
	// fails for a payment that is not waiting for its customer's phone.
	ConfirmLater(ctx context.Context, providerRef string) error

	// SetWebhookPolicy changes how later notifications are delivered.
	SetWebhookPolicy(p WebhookPolicy)

	// FlushWebhooks delivers the notifications held by WebhookPolicy.Hold,
	// in order, and waits until each was answered (or failed).
	FlushWebhooks(ctx context.Context) error

	// InjectFault makes the next f.Times calls to operation op fail as f
	// says. op is one of the Op constants.
	InjectFault(op Op, f Fault)

	// ReportAmountDelta makes every later status answer and notification
	// report the charged amount plus delta (in smallest units): a tampered
	// or partial payment.
	ReportAmountDelta(delta int64)

	// Forge sends a notification claiming that the payment with this
	// provider ref was paid, to url, signed with a wrong key (or with no
	// proof at all where the provider signs nothing). The emulator's own
	// records are unchanged: the provider would deny it.
	Forge(ctx context.Context, url, providerRef string) error

	// Close stops the emulator's server and its deliveries.
	Close()
}

// Action is what the customer does on a hosted page.
type Action string

// The customer's actions.
const (
	Pay    Action = "pay"
	Fail   Action = "fail"
	Cancel Action = "cancel"
	// PayLater is the customer choosing to confirm the payment on their
	// phone later (a mobile-money push they answer after leaving the
	// page): the provider sends them back to the shop while the payment
	// is still pending, and settles it, and notifies the shop, once the
	// phone confirms (Emulator.ConfirmLater, or an emulator's own delay).
	PayLater Action = "pay_later"
)

// Op names an emulated operation for fault injection.
type Op string

// The operations faults can be injected into.
const (
	OpCreate Op = "create" // opening a checkout
	OpStatus Op = "status" // the status or verify endpoint
	OpPayout Op = "payout" // sending a disbursement, where offered
	// OpPayoutPrepare is registering a disbursement before it is sent,
	// where the provider takes two calls (PayDunya's disburse/get-invoice).
	OpPayoutPrepare Op = "payout_prepare"
	// OpPayoutStatus is looking a disbursement up, where offered.
	OpPayoutStatus Op = "payout_status"
	OpAny          Op = "*" // every API call
)

// FaultKind is how an injected fault fails.
type FaultKind int

// The kinds of fault.
const (
	// FaultStatus answers with Fault.Status (500, 502, 503, 429...) and the
	// provider's error body.
	FaultStatus FaultKind = iota + 1
	// FaultSlow waits Fault.Delay before answering normally, or until the
	// client gives up.
	FaultSlow
	// FaultDrop closes the connection without an answer.
	FaultDrop
	// FaultLost handles the call as usual, then closes the connection
	// without sending the answer: the provider did what was asked, and the
	// client cannot know it. Where nothing handles the call it is
	// FaultDrop.
	FaultLost
)

// Fault is one injected failure.
type Fault struct {
	Kind   FaultKind
	Status int           // for FaultStatus
	Delay  time.Duration // for FaultSlow
	// RetryAfter, when set with FaultStatus, is sent as Retry-After.
	RetryAfter time.Duration
	// Times is how many calls fail; 0 means 1. A negative Times clears
	// every fault queued for the operation instead.
	Times int
}

// WebhookPolicy is how an emulator delivers notifications.
type WebhookPolicy struct {
	// Copies is how many times each notification is sent (duplicates); 0
	// means 1. Copies are sent concurrently.
	Copies int
	// Hold keeps notifications until FlushWebhooks: a late delivery.
	Hold bool
	// Lost drops notifications entirely.
	Lost bool
}

// Delivery records one attempt of an emulator to deliver a notification,
// or its loss, as the emulators' Deliveries methods return them. Every
// emulator under providers/ records its notifications as Deliveries of
// this one type.
type Delivery struct {
	// URL, Header and Body are the notification's: where it was sent, its
	// headers (the signature among them) and its body, as sent.
	URL    string
	Header http.Header
	Body   []byte
	// Copy numbers the duplicates of one notification from 1 (see
	// WebhookPolicy.Copies); Attempt numbers the tries of one copy from 1
	// (2 and more are retries).
	Copy, Attempt int
	// StatusCode is the receiver's answer, 0 when none came.
	StatusCode int
	// Err says why no answer came.
	Err error
	// Lost marks a notification dropped by WebhookPolicy.Lost: it was never
	// sent.
	Lost bool
	// Forged marks a notification the emulator's Forge sent, outside the
	// policy, once and with no retry: an attacker's.
	Forged bool
	// At is when the attempt started.
	At time.Time
}

// OK reports whether the receiver acknowledged the delivery with a 2xx.
func (d Delivery) OK() bool { return d.StatusCode >= 200 && d.StatusCode < 300 }

// Request is one API call an emulator received, as its Requests method
// returns them: for tests of what a client sent.
type Request struct {
	// Method and Path are the call's; Path has no query.
	Method, Path string
	// Header and Body are as received.
	Header http.Header
	Body   []byte
	// At is when the call came, on the emulator's clock.
	At time.Time
}
