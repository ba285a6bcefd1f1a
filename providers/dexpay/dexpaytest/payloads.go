package dexpaytest

import (
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

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

func final(status string) bool {
	switch status {
	case StatusCompleted, StatusFailed, StatusCancelled, StatusRefunded:
		return true
	}
	return false
}

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

// sessionFields are the fields POST /checkout-sessions takes: the SDK's
// and the plugin's is_one_shot_payment.
var sessionFields = []string{
	"reference", "item_name", "amount", "currency", "success_url", "failure_url", "webhook_url",
	"metadata", "expires_at", "client_support_fee", "is_one_shot_payment",
}

// payoutFields are the fields POST /payouts takes, as the SDK types them.
var payoutFields = []string{"amount", "currency", "destination_phone", "destination_details", "metadata"}

var e164 = regexp.MustCompile(`^\+[1-9][0-9]{7,14}$`)

// checker collects a NestJS-style API's validation messages.
type checker struct {
	in   map[string]any
	errs []string
}

func (c *checker) add(format string, args ...any) {
	c.errs = append(c.errs, fmt.Sprintf(format, args...))
}

// str reads a string field; max 0 means no length limit.
func (c *checker) str(field string, required bool, max int) string {
	switch v := c.in[field].(type) {
	case nil:
		if required {
			c.add("%s should not be empty", field)
			c.add("%s must be a string", field)
		}
	case string:
		if required && strings.TrimSpace(v) == "" {
			c.add("%s should not be empty", field)
		}
		if max > 0 && utf8.RuneCountInString(v) > max {
			c.add("%s must be shorter than or equal to %d characters", field, max)
		}
		return v
	default:
		c.add("%s must be a string", field)
	}
	return ""
}

// url reads a required absolute http(s) URL.
func (c *checker) url(field string) string {
	v := c.str(field, true, 2048)
	if v == "" {
		return ""
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		c.add("%s must be a URL address", field)
	}
	return v
}

// amount reads a positive whole amount, a JSON number or a numeric string
// as the SDK (number) and other clients (string) send it: XOF, XAF and GNF
// have no decimals, so 5000, 5000.0 and "5000" are alike and 50.5 is
// refused.
func (c *checker) amount(field string) int64 {
	var text string
	switch v := c.in[field].(type) {
	case json.Number:
		text = v.String()
	case string:
		text = strings.TrimSpace(v)
	case nil:
		c.add("%s should not be empty", field)
		return 0
	default:
		c.add("%s must be a number conforming to the specified constraints", field)
		return 0
	}
	f, err := strconv.ParseFloat(text, 64)
	switch {
	case err != nil || math.IsInf(f, 0) || math.IsNaN(f):
		c.add("%s must be a number conforming to the specified constraints", field)
	case f != math.Trunc(f):
		c.add("%s must be an integer: XOF, XAF and GNF have no decimals", field)
	case f <= 0:
		c.add("%s must be a positive number", field)
	case f > 1e12:
		c.add("%s must not be greater than 1000000000000", field)
	default:
		return int64(f)
	}
	return 0
}

func (c *checker) currency(field string) string {
	v, ok := c.in[field].(string)
	if !ok || !slices.Contains(currencies, v) {
		c.add("%s must be one of the following values: %s", field, strings.Join(currencies, ", "))
		return ""
	}
	return v
}

// object reads an optional JSON object.
func (c *checker) object(field string) map[string]any {
	switch v := c.in[field].(type) {
	case nil:
	case map[string]any:
		return v
	default:
		c.add("%s must be an object", field)
	}
	return nil
}

// boolean reads an optional boolean; nil when absent or null.
func (c *checker) boolean(field string) *bool {
	switch v := c.in[field].(type) {
	case nil:
	case bool:
		return &v
	default:
		c.add("%s must be a boolean value", field)
	}
	return nil
}

// whitelist refuses the fields not in known, as a NestJS API with
// forbidNonWhitelisted does.
func (c *checker) whitelist(known []string) {
	var unknown []string
	for k := range c.in {
		if !slices.Contains(known, k) {
			unknown = append(unknown, k)
		}
	}
	slices.Sort(unknown)
	for _, k := range unknown {
		c.add("property %s should not exist", k)
	}
}

// validateSession checks a POST /checkout-sessions body and returns the
// session it describes, or the messages.
func validateSession(in map[string]any, now time.Time) (*Session, []string) {
	c := &checker{in: in}
	s := &Session{}
	s.Reference = c.str("reference", true, 100)
	s.ItemName = c.str("item_name", true, 255)
	s.Amount = c.amount("amount")
	s.Currency = c.currency("currency")
	s.SuccessURL = c.url("success_url")
	s.FailureURL = c.url("failure_url")
	s.WebhookURL = c.url("webhook_url")
	s.Metadata = c.object("metadata")
	if v := c.str("expires_at", false, 64); v != "" {
		t, err := time.Parse(time.RFC3339Nano, v)
		switch {
		case err != nil:
			c.add("expires_at must be a valid ISO 8601 date string")
		case !t.After(now):
			c.add("expires_at must be in the future")
		default:
			s.ExpiresAt = t.UTC()
		}
	}
	s.ClientSupportFee = c.boolean("client_support_fee")
	if b := c.boolean("is_one_shot_payment"); b != nil {
		s.OneShot = *b
	}
	c.whitelist(sessionFields)
	return s, c.errs
}

// validatePayout checks a POST /payouts body and returns the payout it
// describes, or the messages.
func validatePayout(in map[string]any) (*Payout, []string) {
	c := &checker{in: in}
	p := &Payout{}
	p.Amount = c.amount("amount")
	p.Currency = c.currency("currency")
	if p.DestinationPhone = c.str("destination_phone", true, 16); p.DestinationPhone != "" && !e164.MatchString(p.DestinationPhone) {
		c.add("destination_phone must be a valid phone number in E.164 format")
	}
	switch d := in["destination_details"].(type) {
	case map[string]any:
		dc := &checker{in: d}
		p.Operator = dc.str("operator", true, 32)
		p.CountryISO = dc.str("countryISO", true, 0)
		p.RecipientName = dc.str("recipient_name", false, 100)
		countries, known := operatorCountries[p.Operator]
		switch {
		case p.Operator != "" && !known:
			dc.add("operator must be one of the following values: mtn, moov, orange_money, wave")
		case p.CountryISO != "" && !slices.Contains(payoutCountries, p.CountryISO):
			dc.add("countryISO must be one of the following values: %s", strings.Join(payoutCountries, ", "))
		case p.CountryISO != "" && !slices.Contains(countries, p.CountryISO):
			dc.add("operator %s is not available in %s", p.Operator, p.CountryISO)
		}
		dc.whitelist([]string{"operator", "countryISO", "recipient_name"})
		for _, e := range dc.errs {
			c.add("destination_details.%s", e)
		}
	case nil:
		c.add("destination_details should not be empty")
	default:
		c.add("destination_details must be an object")
	}
	p.Metadata = c.object("metadata")
	c.whitelist(payoutFields)
	return p, c.errs
}

// newSessionID returns a session ID, the path of its hosted page.
func newSessionID() string { return "cs_" + emulator.RandomHex(12) }

// newPayoutReference returns a payout reference as the SDK shows them:
// "PO_20251228_" and six upper-case letters and digits.
func newPayoutReference(now time.Time) string {
	return "PO_" + now.UTC().Format("20060102") + "_" + strings.ToUpper(emulator.RandomHex(3))
}

// sessionData is a session as the API answers it, in the SDK's order.
type sessionData struct {
	Reference         string       `json:"reference"`
	Amount            any          `json:"amount"`
	Currency          string       `json:"currency"`
	Status            string       `json:"status"`
	PaymentURL        string       `json:"payment_url"`
	SuccessURL        string       `json:"success_url"`
	FailureURL        string       `json:"failure_url"`
	WebhookURL        string       `json:"webhook_url"`
	ExpiresAt         any          `json:"expires_at"`
	IsSandbox         bool         `json:"isSandbox"`
	PaymentAttempt    *attemptData `json:"payment_attempt,omitempty"`
	SandboxPaymentURL string       `json:"sandbox_payment_url,omitempty"`
	ClientSupportFee  *bool        `json:"client_support_fee"`
	Metadata          any          `json:"metadata"`
	CreatedAt         string       `json:"createdAt"`
}

// attemptData is the customer's payment attempt on a session.
type attemptData struct {
	ID         string `json:"id"`
	Status     string `json:"status"`
	PaymentURL string `json:"payment_url"`
	Operator   string `json:"operator"`
}

// sessionObject is ss as the API answers it, its amount shifted by delta.
// The caller holds the lock.
func (s *Server) sessionObject(ss *Session, delta int64) sessionData {
	d := sessionData{
		Reference: ss.Reference, Amount: s.money(ss.Amount + delta), Currency: ss.Currency, Status: ss.Status,
		PaymentURL: s.pageURL(ss), SuccessURL: ss.SuccessURL, FailureURL: ss.FailureURL, WebhookURL: ss.WebhookURL,
		ExpiresAt: timeOrNil(ss.ExpiresAt), IsSandbox: ss.Sandbox, ClientSupportFee: ss.ClientSupportFee,
		Metadata: ss.Metadata, CreatedAt: ss.CreatedAt.Format(time.RFC3339),
	}
	if s.sandboxURL && ss.Sandbox {
		d.SandboxPaymentURL = s.URL + "/checkout/" + ss.ID
	}
	if ss.AttemptID != "" {
		d.PaymentAttempt = &attemptData{ID: ss.AttemptID, Status: ss.Status, PaymentURL: s.URL + "/checkout/" + ss.ID, Operator: ss.Operator}
	}
	return d
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

// webhookData is a notification's data, with the fields the plugin reads
// and the session's amount, currency and status.
type webhookData struct {
	Reference     string `json:"reference"`
	Status        string `json:"status"`
	Amount        any    `json:"amount"`
	Currency      string `json:"currency"`
	TransactionID any    `json:"transaction_id"`
	PaymentMethod any    `json:"payment_method"`
	Operator      any    `json:"operator"`
	Metadata      any    `json:"metadata"`
	IsSandbox     bool   `json:"isSandbox"`
	Error         string `json:"error,omitempty"`
	ErrorCode     string `json:"error_code,omitempty"`
	RefundAmount  any    `json:"refund_amount,omitempty"`
	RefundID      string `json:"refund_id,omitempty"`
	CompletedAt   any    `json:"completed_at"`
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
	d := webhookData{
		Reference: ss.Reference, Status: ss.Status, Amount: s.money(ss.Amount + delta), Currency: ss.Currency,
		TransactionID: nilIfEmpty(ss.TransactionID), PaymentMethod: nilIfEmpty(ss.PaymentMethod),
		Operator: nilIfEmpty(ss.Operator), Metadata: ss.Metadata, IsSandbox: ss.Sandbox,
		Error: ss.Error, ErrorCode: ss.ErrorCode, RefundID: ss.RefundID, CompletedAt: timeOrNil(ss.CompletedAt),
	}
	if ss.RefundID != "" {
		d.RefundAmount = s.money(ss.Amount)
	}
	return s.envelope(eventOf(ss.Status, s.sdkEvents), d, now)
}

// envelope wraps a notification's data with its event, as the plugin
// ("event") or the SDK's README ("type") reads it.
func (s *Server) envelope(event string, data any, now time.Time) []byte {
	at := now.UTC().Format(time.RFC3339)
	var v any = struct {
		Event     string `json:"event"`
		Data      any    `json:"data"`
		CreatedAt string `json:"created_at"`
	}{event, data, at}
	if s.sdkEvents {
		v = struct {
			Type      string `json:"type"`
			Data      any    `json:"data"`
			CreatedAt string `json:"created_at"`
		}{event, data, at}
	}
	b, _ := json.Marshal(v)
	return b
}

// payoutData is a payout as the API answers it, as the SDK types it.
type payoutData struct {
	ID                 string            `json:"id"`
	Reference          string            `json:"reference"`
	Amount             any               `json:"amount"`
	Currency           string            `json:"currency"`
	Fees               any               `json:"fees"`
	TotalAmount        any               `json:"total_amount"`
	Status             string            `json:"status"`
	DestinationPhone   string            `json:"destination_phone"`
	DestinationDetails map[string]string `json:"destination_details"`
	Metadata           any               `json:"metadata"`
	FailureReason      any               `json:"failure_reason"`
	CompletedAt        any               `json:"completed_at"`
	CreatedAt          string            `json:"createdAt"`
	UpdatedAt          string            `json:"updatedAt"`
}

// payoutObject is p as the API answers it. The caller holds the lock.
func (s *Server) payoutObject(p *Payout) payoutData {
	details := map[string]string{"operator": p.Operator, "countryISO": p.CountryISO}
	if p.RecipientName != "" {
		details["recipient_name"] = p.RecipientName
	}
	return payoutData{
		ID: p.ID, Reference: p.Reference, Amount: s.money(p.Amount), Currency: p.Currency,
		Fees: s.money(p.Fees), TotalAmount: s.money(p.Amount + p.Fees), Status: p.Status,
		DestinationPhone: p.DestinationPhone, DestinationDetails: details, Metadata: p.Metadata,
		FailureReason: nilIfEmpty(p.FailureReason), CompletedAt: timeOrNil(p.CompletedAt),
		CreatedAt: p.CreatedAt.Format(time.RFC3339), UpdatedAt: p.UpdatedAt.Format(time.RFC3339),
	}
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func timeOrNil(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(time.RFC3339)
}
