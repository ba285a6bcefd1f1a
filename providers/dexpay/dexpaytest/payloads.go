package dexpaytest

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
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

// currencies are those DEXPAY charges and pays out in.
var currencies = []string{"XOF", "XAF", "GNF"}

// operatorCountries is the SDK README's table of payout operators and the
// countries each serves.
var operatorCountries = map[string][]string{
	"wave":         {"SN", "CI", "ML", "BF"},
	"orange_money": {"SN", "CI", "ML", "BF", "GN"},
	"mtn":          {"CI", "BF"},
	"moov":         {"CI", "BF"},
}

// payoutCountries are the countries the SDK's README documents payouts
// to.
var payoutCountries = []string{"BF", "CI", "GN", "ML", "SN"}

// amountField is an amount as DEXPAY's API (NestJS: class-validator
// messages) takes it: a JSON number or a numeric string, as the SDK
// (number) and other clients (string) send it; XOF, XAF and GNF have no
// decimals, so 5000, 5000.0 and "5000" are alike and 50.5 is refused.
var amountField = emulator.Field{Name: "amount", Kind: emulator.Amount, Required: true, Check: emulator.Whole(1, 1e12),
	Say: map[string]string{emulator.RuleInteger: "amount must be an integer: XOF, XAF and GNF have no decimals"}}

// currencyField is a currency DEXPAY charges and pays out in.
var currencyField = emulator.Field{Name: "currency", Kind: emulator.Any, Required: true, Check: emulator.OneOf(currencies...),
	Say: map[string]string{emulator.RuleRequired: "currency must be one of the following values: " + strings.Join(currencies, ", ")}}

// sessionShape is the body POST /checkout-sessions takes: the SDK's
// fields and the plugin's is_one_shot_payment. expires_at must be after
// now.
func sessionShape(now time.Time) *emulator.Shape {
	return &emulator.Shape{Strict: true, Dialect: emulator.NestJS, Fields: []emulator.Field{
		{Name: "reference", Required: true, Max: 100},
		{Name: "item_name", Required: true, Max: 255},
		amountField,
		currencyField,
		{Name: "success_url", Required: true, Max: 2048, Check: emulator.URL},
		{Name: "failure_url", Required: true, Max: 2048, Check: emulator.URL},
		{Name: "webhook_url", Required: true, Max: 2048, Check: emulator.URL},
		{Name: "metadata", Kind: emulator.Object},
		{Name: "expires_at", Max: 64, Check: func(v any) (string, string) {
			t, err := time.Parse(time.RFC3339Nano, v.(string))
			switch {
			case v == "":
			case err != nil:
				return "date", ""
			case !t.After(now):
				return "future", ""
			}
			return "", ""
		}, Say: map[string]string{"date": "expires_at must be a valid ISO 8601 date string", "future": "expires_at must be in the future"}},
		{Name: "client_support_fee", Kind: emulator.Bool},
		{Name: "is_one_shot_payment", Kind: emulator.Bool},
	}}
}

// validateSession checks a POST /checkout-sessions body and returns the
// session it describes, or the messages.
func validateSession(in map[string]any, now time.Time) (*Session, []string) {
	v, errs := sessionShape(now).Validate(in)
	s := &Session{
		Reference: v.String("reference"), ItemName: v.String("item_name"), Amount: v.Int("amount"), Currency: v.String("currency"),
		SuccessURL: v.String("success_url"), FailureURL: v.String("failure_url"), WebhookURL: v.String("webhook_url"),
		Metadata: v.Object("metadata"), ClientSupportFee: v.Bool("client_support_fee"),
	}
	if t, err := time.Parse(time.RFC3339Nano, v.String("expires_at")); err == nil {
		s.ExpiresAt = t.UTC()
	}
	if b := v.Bool("is_one_shot_payment"); b != nil {
		s.OneShot = *b
	}
	return s, errs
}

// payoutShape is the body POST /payouts takes, as the SDK types it.
var payoutShape = emulator.Shape{Strict: true, Dialect: emulator.NestJS, Fields: []emulator.Field{
	amountField,
	currencyField,
	{Name: "destination_phone", Required: true, Max: 16, Check: emulator.E164,
		Say: map[string]string{emulator.RuleE164: "destination_phone must be a valid phone number in E.164 format"}},
	{Name: "destination_details", Kind: emulator.Object, Required: true, Shape: &emulator.Shape{Strict: true, Fields: []emulator.Field{
		{Name: "operator", Required: true, Max: 32, Check: emulator.OneOf("mtn", "moov", "orange_money", "wave")},
		{Name: "countryISO", Required: true, Check: emulator.OneOf(payoutCountries...)},
		{Name: "recipient_name", Max: 100},
	}}},
	{Name: "metadata", Kind: emulator.Object},
}}

// cancelShape is the body of POST /payouts/{id}/cancel.
var cancelShape = emulator.Shape{Strict: true, Dialect: emulator.NestJS, Fields: []emulator.Field{{Name: "reason", Max: 255}}}

// validatePayout checks a POST /payouts body and returns the payout it
// describes, or the messages.
func validatePayout(in map[string]any) (*Payout, []string) {
	v, errs := payoutShape.Validate(in)
	d := v.Nested("destination_details")
	p := &Payout{
		Amount: v.Int("amount"), Currency: v.String("currency"), DestinationPhone: v.String("destination_phone"),
		Operator: d.String("operator"), CountryISO: d.String("countryISO"), RecipientName: d.String("recipient_name"),
		Metadata: v.Object("metadata"),
	}
	if countries, ok := operatorCountries[p.Operator]; ok && slices.Contains(payoutCountries, p.CountryISO) && !slices.Contains(countries, p.CountryISO) {
		errs = append(errs, fmt.Sprintf("destination_details.operator %s is not available in %s", p.Operator, p.CountryISO))
	}
	return p, errs
}

// newSessionID returns a session ID, the path of its hosted page.
func newSessionID() string { return "cs_" + emulator.RandomHex(12) }

// newPayoutReference returns a payout reference as the SDK shows them:
// "PO_20251228_" and six upper-case letters and digits.
func newPayoutReference(now time.Time) string {
	return "PO_" + now.UTC().Format("20060102") + "_" + strings.ToUpper(emulator.RandomHex(3))
}

// sessionObject is ss as the API answers it, in the SDK's order, its
// amount shifted by delta: with the customer's payment attempt once there
// is one. The caller holds the lock.
func (s *Server) sessionObject(ss *Session, delta int64) emulator.Obj {
	var sandboxURL string
	if s.sandboxURL && ss.Sandbox {
		sandboxURL = s.URL + "/checkout/" + ss.ID
	}
	var attempt emulator.Obj
	if ss.AttemptID != "" {
		attempt = emulator.O("id", ss.AttemptID, "status", ss.Status, "payment_url", s.URL+"/checkout/"+ss.ID, "operator", ss.Operator)
	}
	return emulator.O("reference", ss.Reference, "amount", s.money(ss.Amount+delta), "currency", ss.Currency, "status", ss.Status,
		"payment_url", s.pageURL(ss), "success_url", ss.SuccessURL, "failure_url", ss.FailureURL, "webhook_url", ss.WebhookURL,
		"expires_at", emulator.NullTime(ss.ExpiresAt, time.RFC3339), "isSandbox", ss.Sandbox, "payment_attempt,omitempty", attempt,
		"sandbox_payment_url,omitempty", sandboxURL, "client_support_fee", ss.ClientSupportFee, "metadata", ss.Metadata,
		"createdAt", ss.CreatedAt.Format(time.RFC3339))
}

// pageURL is the session's payment_url: the hosted page, or with
// WithSandboxPaymentURL a sandbox session's live page, which refuses it.
func (s *Server) pageURL(ss *Session) string {
	if s.sandboxURL && ss.Sandbox {
		return s.URL + "/live/" + ss.ID
	}
	return s.URL + "/checkout/" + ss.ID
}

// money is an amount as the server writes it: a JSON number, or with
// WithStringAmounts a string.
func (s *Server) money(n int64) any {
	if s.stringAmounts {
		return strconv.FormatInt(n, 10)
	}
	return n
}

// eventOf is the event a session's status is notified with, in the
// plugin's spelling or, with sdk, the SDK README's.
func eventOf(status string, sdk bool) string {
	e := "CHECKOUT_" + status
	if sdk {
		return strings.ToLower(strings.Replace(e, "_", ".", 1))
	}
	return e
}

// webhookBody is the JSON of the notification about ss, its amount shifted
// by delta. The caller holds the lock.
func (s *Server) webhookBody(ss *Session, delta int64, now time.Time) []byte {
	var refund any
	if ss.RefundID != "" {
		refund = s.money(ss.Amount)
	}
	return s.envelope(eventOf(ss.Status, s.sdkEvents), emulator.O("reference", ss.Reference, "status", ss.Status,
		"amount", s.money(ss.Amount+delta), "currency", ss.Currency, "transaction_id", emulator.NullIfEmpty(ss.TransactionID),
		"payment_method", emulator.NullIfEmpty(ss.PaymentMethod), "operator", emulator.NullIfEmpty(ss.Operator),
		"metadata", ss.Metadata, "isSandbox", ss.Sandbox, "error,omitempty", ss.Error, "error_code,omitempty", ss.ErrorCode,
		"refund_amount,omitempty", refund, "refund_id,omitempty", ss.RefundID,
		"completed_at", emulator.NullTime(ss.CompletedAt, time.RFC3339)), now)
}

// envelope wraps a notification's data with its event, as the plugin
// ("event") or the SDK's README ("type") reads it.
func (s *Server) envelope(event string, data any, now time.Time) []byte {
	key := "event"
	if s.sdkEvents {
		key = "type"
	}
	b, _ := json.Marshal(emulator.O(key, event, "data", data, "created_at", now.UTC().Format(time.RFC3339)))
	return b
}

// payoutObject is p as the API answers it, as the SDK types it. The caller holds the lock.
func (s *Server) payoutObject(p *Payout) emulator.Obj {
	details := map[string]string{"operator": p.Operator, "countryISO": p.CountryISO}
	if p.RecipientName != "" {
		details["recipient_name"] = p.RecipientName
	}
	return emulator.O("id", p.ID, "reference", p.Reference, "amount", s.money(p.Amount), "currency", p.Currency,
		"fees", s.money(p.Fees), "total_amount", s.money(p.Amount+p.Fees), "status", p.Status,
		"destination_phone", p.DestinationPhone, "destination_details", details, "metadata", p.Metadata,
		"failure_reason", emulator.NullIfEmpty(p.FailureReason), "completed_at", emulator.NullTime(p.CompletedAt, time.RFC3339),
		"createdAt", p.CreatedAt.Format(time.RFC3339), "updatedAt", p.UpdatedAt.Format(time.RFC3339))
}
