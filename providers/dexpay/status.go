package dexpay

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/internal/clientkit"
	"github.com/cauripay/cauri/providers/providerhttp"
)

// The currencies DEXPAY charges in, none of which has a subunit: CFA
// francs of the BCEAO (XOF) and of the BEAC (XAF), and Guinean francs
// (GNF).
var currencies = []string{"XOF", "XAF", "GNF"}

// supportedCurrency reports whether DEXPAY charges in code.
func supportedCurrency(code string) bool { return slices.Contains(currencies, code) }

// MapStatus maps a DEXPAY checkout session status, in any case, to the
// kit's:
//
//	INITIATED   StatusPending    the session is open
//	PENDING     StatusPending    waiting for the customer
//	PROCESSING  StatusPending    the operator is processing the payment
//	COMPLETED   StatusPaid
//	FAILED      StatusFailed
//	CANCELLED   StatusCancelled
//	REFUNDED    StatusRefunded   paid, then given back
//	EXPIRED     StatusExpired    not in DEXPAY's list; DEXCHANGE's payment links use it
//
// Any other value maps to StatusPending with known false: an undocumented
// status never settles a payment.
func MapStatus(raw string) (s cauri.Status, known bool) { return statuses.MapAnyCase(raw) }

// statuses are the words of MapStatus's table.
var statuses = clientkit.Statuses{
	cauri.StatusPending:   {"INITIATED", "PENDING", "PROCESSING"},
	cauri.StatusPaid:      {"COMPLETED"},
	cauri.StatusFailed:    {"FAILED"},
	cauri.StatusCancelled: {"CANCELLED"},
	cauri.StatusRefunded:  {"REFUNDED"},
	cauri.StatusExpired:   {"EXPIRED"},
}

// session is what this package reads of a DEXPAY checkout session, from
// an API answer or a notification's data.
type session struct {
	reference, status string
	// amount and currency are set together, when both are stated.
	amount   int64
	currency string
	hasMoney bool
	fee      int64
	// paymentURL and sandboxURL are the hosted pages.
	paymentURL, sandboxURL string
	// sandbox is the session's isSandbox, when sandboxKnown.
	sandbox, sandboxKnown bool
	method, failure       string
}

// sessionFields are the keys of a session. encoding/json matches them
// case-insensitively.
type sessionFields struct {
	Reference         json.RawMessage `json:"reference"`
	Amount            json.RawMessage `json:"amount"`
	Currency          json.RawMessage `json:"currency"`
	Status            json.RawMessage `json:"status"`
	PaymentURL        json.RawMessage `json:"payment_url"`
	CheckoutURL       json.RawMessage `json:"checkout_url"`
	SandboxPaymentURL json.RawMessage `json:"sandbox_payment_url"`
	IsSandbox         json.RawMessage `json:"isSandbox"`
	Fee               json.RawMessage `json:"fee"`
	Fees              json.RawMessage `json:"fees"`
	Operator          json.RawMessage `json:"operator"`
	PaymentMethod     json.RawMessage `json:"payment_method"`
	PaymentAttempt    json.RawMessage `json:"payment_attempt"`
	Error             json.RawMessage `json:"error"`
	ErrorCode         json.RawMessage `json:"error_code"`
	FailureReason     json.RawMessage `json:"failure_reason"`
}

// parseSession reads a session object leniently: every field may be
// missing or null, amounts may be numbers or strings. What is present must
// make sense, or the error wraps cauri.ErrMalformed.
func parseSession(raw json.RawMessage) (session, error) {
	var f sessionFields
	if err := clientkit.DecodeObject(raw, "session", &f); err != nil {
		return session{}, err
	}
	s := session{
		reference:  clientkit.Truncate(clientkit.Text(f.Reference), 128),
		status:     clientkit.Truncate(clientkit.Text(f.Status), 64),
		paymentURL: clientkit.Text(f.PaymentURL),
		sandboxURL: clientkit.Text(f.SandboxPaymentURL),
	}
	if s.paymentURL == "" {
		s.paymentURL = clientkit.Text(f.CheckoutURL)
	}
	s.sandbox, s.sandboxKnown = jsonBool(f.IsSandbox)

	cur, err := currencyCode(f.Currency)
	if err != nil {
		return session{}, err
	}
	if !clientkit.IsNull(f.Amount) {
		// Checked even without a currency: nonsense is nonsense.
		amount, err := providerhttp.ParseAmountJSON(f.Amount, cmp.Or(cur, "XOF"))
		if err != nil {
			return session{}, fmt.Errorf("session amount: %w", err)
		}
		if cur != "" {
			s.amount, s.currency, s.hasMoney = amount, cur, true
		}
	}
	if s.hasMoney {
		// A fee that cannot be read is left out: it is informative, and
		// must not keep a payment from settling.
		for _, raw := range []json.RawMessage{f.Fee, f.Fees} {
			if clientkit.IsNull(raw) {
				continue
			}
			if fee, err := providerhttp.ParseAmountJSON(raw, cur); err == nil {
				s.fee = fee
				break
			}
		}
	}

	method := clientkit.Text(f.Operator)
	if method == "" && clientkit.IsObject(f.PaymentAttempt) {
		var a struct {
			Operator json.RawMessage `json:"operator"`
		}
		if json.Unmarshal(f.PaymentAttempt, &a) == nil {
			method = clientkit.Text(a.Operator)
		}
	}
	if method == "" {
		method = clientkit.Text(f.PaymentMethod)
	}
	s.method = clientkit.Truncate(clientkit.OneLine(method), 64)

	s.failure = explanation(f.Error, f.FailureReason, f.ErrorCode)
	return s, nil
}

// currencyCode reads a session's currency: missing or null gives "";
// anything else must be an ISO 4217 code, in any case.
func currencyCode(raw json.RawMessage) (string, error) {
	code, err := clientkit.StringValue(raw, "currency")
	if err != nil {
		return "", err
	}
	return clientkit.CurrencyCode(code, "currency")
}

// wrongMode reports whether s says it belongs to the other mode.
func (p *Provider) wrongMode(s session) bool {
	return s.sandboxKnown && s.sandbox != (p.mode == Sandbox)
}

// update turns a session into the kit's Update, its status mapped from
// raw.
func (p *Provider) update(s session, raw string) cauri.Update {
	st, known := MapStatus(raw)
	raw, s.method, s.failure = p.clean(raw), p.clean(s.method), p.clean(s.failure)
	if !known {
		p.log.Warn("unknown dexpay session status, treated as pending", "status", raw, "payment_id", s.reference)
	}
	u := cauri.Update{
		PaymentID:     s.reference,
		ProviderRef:   s.reference,
		Status:        st,
		RawStatus:     raw,
		Method:        s.method,
		FailureReason: s.failure,
	}
	if s.hasMoney {
		u.Amount, u.Currency, u.Fee = s.amount, s.currency, s.fee
	}
	return u
}

// get asks DEXPAY, for op, about the resource at url, and returns its
// answer's data (see answerData) and HTTP status. A resource DEXPAY does
// not know (404) is an error wrapping cauri.ErrNotFound.
func (p *Provider) get(ctx context.Context, op, url string) (json.RawMessage, int, error) {
	resp, err := p.http.Do(ctx, providerhttp.Request{Op: op, Method: http.MethodGet, URL: url, Header: p.headers()})
	if err != nil {
		return nil, 0, clientkit.NotFound(err)
	}
	data, err := answerData(resp, op)
	return data, resp.StatusCode, err
}

// answerData returns the session object of an answer: its "data" (the
// {success, data} envelope both the SDK and the plugin read), or the
// answer itself when it has no "data" (the SDK types its lookups so). An
// answer with "success": false is an error wrapping ErrUnsuccessful.
func answerData(resp *providerhttp.Response, op string) (json.RawMessage, error) {
	perr := func(msg string, err error) error {
		return &cauri.ProviderError{Provider: Name, Op: op, StatusCode: resp.StatusCode, Message: msg, Err: err}
	}
	var top struct {
		Success json.RawMessage `json:"success"`
		Data    json.RawMessage `json:"data"`
		Message json.RawMessage `json:"message"`
	}
	if err := resp.DecodeJSON(&top); err != nil {
		return nil, perr("", err)
	}
	if !clientkit.IsObject(resp.Body) {
		return nil, perr("", fmt.Errorf("%w: answer is not a JSON object", cauri.ErrMalformed))
	}
	if ok, known := jsonBool(top.Success); known && !ok {
		return nil, perr(clientkit.MessageText(top.Message), ErrUnsuccessful)
	}
	switch {
	case clientkit.IsObject(top.Data):
		return top.Data, nil
	case clientkit.IsNull(top.Data):
		return resp.Body, nil
	}
	return nil, perr("", fmt.Errorf("%w: answer's data is not an object", cauri.ErrMalformed))
}

// FetchStatus asks DEXPAY for the checkout session created for the
// payment, GET {BaseURL}/checkout-sessions/reference/{reference}, where
// the reference is our payment ID (the ProviderRef, which is the same, when
// the query has no PaymentID). The answer's session may sit under "data"
// or at the top.
//
// An empty reference, or a session DEXPAY does not know (404), gives a
// permanent error wrapping cauri.ErrNotFound. An answer with "success":
// false, about another reference, of the other mode (ErrWrongMode),
// without a status, or COMPLETED without amount and currency, is a
// permanent error and changes nothing.
func (p *Provider) FetchStatus(ctx context.Context, q cauri.StatusQuery) (cauri.Update, error) {
	ref := cmp.Or(strings.TrimSpace(q.PaymentID), strings.TrimSpace(q.ProviderRef))
	if ref == "" {
		return cauri.Update{}, clientkit.NothingToLookUp(Name, "status", "no dexpay reference to look up")
	}
	u, err := p.lookup(ctx, ref)
	return u, p.scrub(err)
}

// lookup is FetchStatus's call about the session with reference ref.
func (p *Provider) lookup(ctx context.Context, ref string) (cauri.Update, error) {
	data, code, err := p.get(ctx, "status", providerhttp.JoinURL(p.base, "checkout-sessions", "reference", ref))
	if err != nil {
		return cauri.Update{}, err
	}
	ans := clientkit.Answer{Provider: Name, Op: "status", Status: code}
	s, err := parseSession(data)
	if err != nil {
		return cauri.Update{}, ans.Error("", err)
	}
	if s.status == "" {
		return cauri.Update{}, ans.Malformed("answer has no session status")
	}
	if s.reference, err = ans.About(s.reference, ref, "answer is about another reference"); err != nil {
		return cauri.Update{}, err
	}
	if p.wrongMode(s) {
		return cauri.Update{}, ans.Error("", ErrWrongMode)
	}
	return ans.Believed(p.update(s, s.status), s.hasMoney, "a completed session with no amount or currency")
}
