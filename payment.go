package cauri

import "time"

// Status is where a payment stands. A payment starts [StatusPending] and
// moves at most once, to one of the final statuses; a final status never
// changes again, except paid, which the provider's word may move forward
// to refunded.
type Status string

// The statuses a payment can have.
const (
	StatusPending   Status = "pending"   // created, waiting for the customer or the provider
	StatusPaid      Status = "paid"      // the provider confirmed the full amount
	StatusFailed    Status = "failed"    // the provider refused or the payment errored
	StatusCancelled Status = "cancelled" // the customer gave up
	StatusExpired   Status = "expired"   // the checkout timed out at the provider
	StatusRefunded  Status = "refunded"  // paid, then given back by the provider
)

// Valid reports whether s is one of the six statuses.
func (s Status) Valid() bool {
	switch s {
	case StatusPending, StatusPaid, StatusFailed, StatusCancelled, StatusExpired, StatusRefunded:
		return true
	}
	return false
}

// Final reports whether s is settled: no longer pending. Of the final
// statuses, only paid may still move, to refunded.
func (s Status) Final() bool { return s.Valid() && s != StatusPending }

// canMoveTo reports whether the state machine allows s → to: from pending
// to a final status other than refunded, and from paid to refunded; never
// backwards. The kit's apply is the one place that consults it.
func (s Status) canMoveTo(to Status) bool {
	switch s {
	case StatusPending:
		return to.Final() && to != StatusRefunded
	case StatusPaid:
		return to == StatusRefunded
	}
	return false
}

// Order is what the shop's server says is being bought. It is built by
// [Config.Order] from the shop's own records, never from what the browser
// sent, and it is validated before any provider is called.
type Order struct {
	// ID is the shop's order reference, echoed to the provider.
	ID string `validate:"required,max=64,printascii"`
	// Amount is the total to charge, in the currency's smallest unit as ISO
	// 4217 defines it: 5000 XOF is 5000 francs (XOF has no subunit), 1050
	// USD is $10.50. See [CurrencyExponent].
	Amount int64 `validate:"gt=0,lte=100000000000"`
	// Currency is an ISO 4217 code, upper case ("XOF", "XAF", "GNF", "USD").
	Currency string `validate:"required,iso4217"`
	// Description is shown on the provider's page.
	Description string `validate:"max=155"`
	// Customer describes the payer where the shop knows them.
	Customer Customer
	// Items are the order lines, for providers that display them. Their sum is
	// not checked against Amount: taxes, shipping and discounts are the
	// shop's business.
	Items []Item `validate:"max=100,dive"`
	// Metadata is sent to providers that keep it. At most 10 entries.
	Metadata map[string]string `validate:"max=10,dive,keys,max=40,endkeys,max=100"`
}

// Customer describes the payer. Every field is optional; providers that
// require one say so when the checkout is created.
type Customer struct {
	FirstName string `validate:"max=100"`
	LastName  string `validate:"max=100"`
	Email     string `validate:"omitempty,email,max=254"`
	// Phone is in E.164 form: "+2250701020304".
	Phone string `validate:"omitempty,e164"`
	// Country is an ISO 3166-1 alpha-2 code ("CI", "SN").
	Country string `validate:"omitempty,iso3166_1_alpha2"`
}

// Name returns "First Last", trimmed.
func (c Customer) Name() string {
	switch {
	case c.FirstName == "":
		return c.LastName
	case c.LastName == "":
		return c.FirstName
	}
	return c.FirstName + " " + c.LastName
}

// Item is one order line.
type Item struct {
	Name string `validate:"required,max=100"`
	// Quantity is at least 1.
	Quantity int `validate:"gte=1,lte=100000"`
	// UnitPrice is in the currency's smallest unit, like [Order.Amount].
	UnitPrice int64 `validate:"gte=0,lte=100000000000"`
}

// Payment is one attempt to collect an order's amount through one provider,
// as the kit stores it. Payment.ID is ours, unique, and is the idempotency key
// a shop can rely on in [Config.OnPaid].
type Payment struct {
	ID       string // ours: "pay_" and 26 random characters
	Provider string // the provider's Name()
	// ProviderRef is the provider's own identifier, known once the checkout
	// was created there. Empty before.
	ProviderRef string
	OrderID     string
	// CheckoutKey names the order snapshot (provider, order, amount,
	// currency) this payment was made for. While a payment is pending, no
	// other pending payment has the same key: a double-submitted checkout
	// reuses the first instead of opening a second.
	CheckoutKey string
	Status      Status
	Amount      int64  // as in Order.Amount, from the shop's server
	Currency    string // as in Order.Currency
	// Fee is the provider's fee when it reports one, in the same units.
	Fee int64
	// Received is what the provider reported the customer was charged
	// when it moved the payment to paid, fee included where the provider
	// counts it so; zero when it reported nothing or before. See Surplus.
	Received int64
	// Method is the payment method the provider reports ("wave_ci", "orange_sn").
	Method string
	// FailureReason is the provider's explanation for a failed payment.
	FailureReason string
	// CheckoutURL is the provider's hosted payment page.
	CheckoutURL string
	Metadata    map[string]string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	// OnPaidAttempts counts the OnPaid leases taken for this payment: the
	// calls made to [Config.OnPaid], and the rare lease that ran out before
	// its call could start (a store write slower than half the lease).
	OnPaidAttempts int
	// FulfilledAt is when [Config.OnPaid] returned nil; zero until then.
	FulfilledAt time.Time
	// RefundHandledAt is when [Config.OnRefunded] returned nil for a
	// refunded payment; zero until then.
	RefundHandledAt time.Time
	// NextPollAt is the earliest time the kit may ask the provider about
	// this payment again, whoever asks (the status endpoint, a return
	// visit, an unsigned webhook to confirm, the reconciler); zero means
	// at once. It lengthens as the payment ages.
	NextPollAt time.Time
	// SupersededBy is the ID of a newer payment of the same order (another
	// amount, or another provider) that replaced this one while it was
	// pending. A superseded payment is never offered to the customer
	// again; if it is paid all the same, OnPaid gets it with
	// Anomaly set to [AnomalySuperseded].
	SupersededBy string
	// Anomaly is set on the paid payment handed to [Config.OnPaid] when it
	// must not be fulfilled as an ordinary one: money moved, but the order
	// was paid by another payment first, or this payment had been
	// superseded (the shop refunds it, or ships the difference, rather than
	// ship twice or at an old price); or the order is paid but the customer
	// was charged more than it (the shop fulfils it and gives back
	// [Payment.Surplus]). It is not stored: the kit works it out before
	// each OnPaid call.
	Anomaly Anomaly
}

// Anomaly says why a paid payment is not an ordinary one.
type Anomaly string

// The anomalies of a paid payment.
const (
	// AnomalySuperseded: a newer checkout of the same order replaced this
	// payment while it was pending (a changed basket, another provider),
	// and the customer paid it all the same, perhaps at an old amount.
	AnomalySuperseded Anomaly = "superseded"
	// AnomalyPaidTwice: another payment of the same order was paid first.
	AnomalyPaidTwice Anomaly = "paid_twice"
	// AnomalyOverpaid: the order is paid in full, and the provider
	// reported the customer charged more than its amount, beyond the fee
	// it stated: [Payment.Surplus] is owed back.
	AnomalyOverpaid Anomaly = "overpaid"
)

// Surplus returns how much more than Amount, and than the fee it stated
// (a fee the customer paid), the provider reported the customer charged:
// zero for an ordinary payment.
func (p Payment) Surplus() int64 {
	return max(0, p.Received-p.Amount-max(0, p.Fee))
}

// Fulfilled reports whether OnPaid has succeeded for p.
func (p Payment) Fulfilled() bool { return !p.FulfilledAt.IsZero() }
