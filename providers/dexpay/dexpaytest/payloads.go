package dexpaytest

import (
	"time"

	"github.com/cauripay/cauri/internal/emulator"
)

// DEXPAY's checkout session statuses, as its SDK lists them.
const (
	StatusInitiated  = "INITIATED"
	StatusPending    = "PENDING"
	StatusProcessing = "PROCESSING"
	StatusCompleted  = "COMPLETED"
	StatusFailed     = "FAILED"
	StatusCancelled  = "CANCELLED"
	StatusRefunded   = "REFUNDED"
)

// finals are the statuses a session ends with.
var finals = []string{StatusCompleted, StatusFailed, StatusCancelled, StatusRefunded}

// Session is the emulator's record of one checkout session.
type Session struct {
	// Reference is the merchant's (the kit's payment ID); ID is DEXPAY's,
	// the path of the hosted page.
	Reference, ID string
	// ItemName, Amount (whole francs), Currency, SuccessURL, FailureURL,
	// WebhookURL, Metadata, ExpiresAt, ClientSupportFee and OneShot are as
	// sent to POST /checkout-sessions.
	ItemName, Currency, SuccessURL, FailureURL, WebhookURL string
	Amount                                                 int64
	Metadata                                               map[string]any
	ExpiresAt                                              time.Time
	ClientSupportFee                                       *bool
	OneShot                                                bool `emulator:"is_one_shot_payment"`
	// Status is DEXPAY's word: PENDING, then COMPLETED, FAILED or
	// CANCELLED, REFUNDED after a refund, or PROCESSING while a pay-later
	// customer's phone has not confirmed (or whatever SetStatus set).
	Status string
	// Later is true while the customer who chose "pay later on my phone"
	// has not confirmed on their phone; Sandbox is the session's
	// isSandbox.
	Later, Sandbox bool
	// Phone is the number the customer typed on the page, if any;
	// AttemptID, Operator, PaymentMethod and TransactionID describe the
	// customer's payment attempt; Error and ErrorCode why it failed;
	// RefundID its refund.
	Phone, AttemptID, Operator, PaymentMethod, TransactionID string
	Error, ErrorCode, RefundID                               string
	// CreatedAt is when the session was opened; CompletedAt when it
	// reached a final status.
	CreatedAt, CompletedAt time.Time
}

// Payout is the emulator's record of one payout.
type Payout struct {
	// ID is DEXPAY's ("po_..."), Reference its "PO_YYYYMMDD_XXXXXX".
	ID, Reference string
	// Amount, Currency, DestinationPhone, Operator, CountryISO,
	// RecipientName and Metadata are as sent to POST /payouts; Fees are
	// DEXPAY's, 1% of the amount.
	Amount, Fees               int64
	Currency, DestinationPhone string
	Operator                   string `emulator:"destination_details.operator"`
	CountryISO                 string `emulator:"destination_details.countryISO"`
	RecipientName              string `emulator:"destination_details.recipient_name"`
	Metadata                   map[string]any
	// Status is PENDING, PROCESSING, COMPLETED, FAILED or CANCELLED;
	// FailureReason says why it failed or was cancelled.
	Status, FailureReason string
	// CreatedAt, UpdatedAt and CompletedAt are when it was made, last
	// changed and settled.
	CreatedAt, UpdatedAt, CompletedAt time.Time
}

// tables are DEXPAY's static tables, data/tables.json.
type tables struct {
	// Brand is how the checkout looks, in French as DEXPAY's is. The
	// colours are the emulator's, not DEXPAY's official palette.
	Brand emulator.Brand
	// Operators are the mobile-money operators the checkout offers, by the
	// word notifications and payment attempts report as operator: the
	// Node SDK's (README: payouts' destination_details.operator and a
	// payment attempt's operator). Wave comes first: the one a customer
	// who chooses nothing pays with.
	Operators []emulator.Operator
	// OperatorCountries is the SDK README's table of payout operators and
	// the countries each serves.
	OperatorCountries map[string][]string
	// Refusals are DEXPAY's code and message for an injected error
	// status.
	Refusals emulator.Refusals
	// API is how DEXPAY answers, a NestJS API: {success, data} and
	// {success: false, statusCode, message, code}, as its SDK reads them.
	API emulator.Envelope
	// Refused are DEXPAY's refusals, by name.
	Refused map[string]emulator.Refused
}
