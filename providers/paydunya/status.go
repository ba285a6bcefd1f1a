package paydunya

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/internal/jsonlex"
	"github.com/cauripay/cauri/providers/internal/clientkit"
	"github.com/cauripay/cauri/providers/providerhttp"
)

// The statuses of a PayDunya checkout invoice.
const (
	StatusPending   = "pending"
	StatusCompleted = "completed"
	StatusCancelled = "cancelled"
	StatusFailed    = "failed"
)

// MapStatus maps a PayDunya invoice status to the kit's:
//
//	pending    StatusPending    the customer has not paid (yet)
//	completed  StatusPaid
//	cancelled  StatusCancelled  the customer pressed "Annuler le paiement"
//	failed     StatusFailed
//
// Surrounding spaces are ignored. Any other value, including another
// spelling or case ("canceled", "COMPLETED"), maps to StatusPending with
// known false: an undocumented status never settles a payment.
func MapStatus(raw string) (s cauri.Status, known bool) { return statuses.Map(raw) }

// statuses are the words of MapStatus's table.
var statuses = clientkit.Statuses{
	cauri.StatusPending:   {StatusPending},
	cauri.StatusPaid:      {StatusCompleted},
	cauri.StatusCancelled: {StatusCancelled},
	cauri.StatusFailed:    {StatusFailed},
}

// mapStatus is MapStatus with a warning for an unknown status. The
// warning names the payment, when known, never the invoice token: that
// token is the path of the invoice's page, a bearer secret.
func (p *Provider) mapStatus(raw, paymentID string) cauri.Status {
	st, known := MapStatus(raw)
	if !known {
		attrs := []any{"status", clientkit.Truncate(raw, 64)}
		if paymentID != "" {
			attrs = append(attrs, "payment_id", clientkit.Truncate(paymentID, 64))
		}
		p.log.Warn("unknown paydunya invoice status, treated as pending", attrs...)
	}
	return st
}

// confirmResponse is what this package reads of confirm's answer.
// Its fields are read in the decoding pass of the answer.
type confirmResponse struct {
	envelope
	Status     stringField                              `json:"status"`
	Mode       stringField                              `json:"mode"`
	FailReason clientkit.TextField                      `json:"fail_reason"`
	Invoice    invoiceField                             `json:"invoice"`
	CustomData clientkit.Read[string, customDataReader] `json:"custom_data"`
}

// FetchStatus asks PayDunya for an invoice's status,
// GET {BaseURL}/checkout-invoice/confirm/{ProviderRef}. The update is
// Authenticated: it is PayDunya's answer to a call made with the
// application's keys. Amount and Currency come from invoice.total_amount
// (a number or a string of whole FCFA) and are always XOF; PaymentID from
// custom_data.cauri_payment_id; FailureReason from fail_reason.
//
// An answer that is not a usable "00" answer is an error and changes
// nothing: a response_code other than "00" (even with HTTP 200) is a
// permanent *cauri.ProviderError with PayDunya's response_text; HTML, a
// missing or non-string status, an unreadable amount, a "completed"
// invoice without total_amount, an answer about another invoice or
// payment, or an answer from the other mode (a sandbox invoice in live
// mode, or the reverse) is an error wrapping cauri.ErrMalformed. An empty
// ProviderRef, or an invoice PayDunya does not know (HTTP 404), gives a
// permanent error wrapping cauri.ErrNotFound.
//
// The invoice token is the path of the invoice's page, where anyone may
// pay or cancel it: no error and no log line holds it. Errors name the
// call "checkout-invoice/confirm/<token>", and the token is taken out of
// whatever PayDunya's answer says (see providerhttp.Scrub).
func (p *Provider) FetchStatus(ctx context.Context, q cauri.StatusQuery) (cauri.Update, error) {
	return clientkit.SecretLookup(q, Name, "no paydunya invoice token to confirm", func(ref string) (cauri.Update, error) {
		resp, err := p.http.Do(ctx, providerhttp.Request{
			Op: "status", Method: http.MethodGet,
			URL:      providerhttp.JoinURL(p.base, "checkout-invoice", "confirm", ref),
			Endpoint: confirmEndpoint,
			Header:   p.headers(),
		})
		if err != nil {
			return cauri.Update{}, clientkit.NotFound(err)
		}
		return p.confirmed(q, ref, resp.StatusCode, resp.Header.Get("Content-Type"), resp.Body)
	})
}

// confirmEndpoint names the confirm call in errors, without the token.
const confirmEndpoint = "checkout-invoice/confirm/<token>"

// confirmed reads confirm's answer about ref, which came with HTTP
// status and Content-Type ctype, for FetchStatus.
func (p *Provider) confirmed(q cauri.StatusQuery, ref string, status int, ctype string, body []byte) (cauri.Update, error) {
	var cr confirmResponse
	if err := providerhttp.DecodeJSON(ctype, body, &cr); err != nil {
		return cauri.Update{}, &cauri.ProviderError{Provider: Name, Op: "status", StatusCode: status, Err: err}
	}
	if !cr.ok() {
		return cauri.Update{}, refusal("status", status, cr.envelope)
	}
	bad := func(format string, args ...any) error { return malformed("status", status, format, args...) }

	raw := strings.TrimSpace(string(cr.Status))
	if raw == "" {
		return cauri.Update{}, bad("answer has no status")
	}
	raw = clientkit.Truncate(raw, 64)
	if m := string(cr.Mode); m != "" && !p.sameMode(m) {
		p.log.Warn("paydunya answered about an invoice of the other mode", "mode", clientkit.Truncate(m, 16), "configured", string(p.mode))
		return cauri.Update{}, bad("answer is about a %s-mode invoice, the provider is in %s mode", clientkit.Truncate(m, 16), p.mode)
	}

	inv := cr.Invoice
	if inv.bad {
		return cauri.Update{}, bad("invoice is not an object")
	}
	paymentID, err := cr.CustomData.Value, cr.CustomData.Err
	if err != nil {
		return cauri.Update{}, bad("%v", err)
	}
	if q.PaymentID != "" && paymentID != "" && paymentID != q.PaymentID {
		return cauri.Update{}, bad("answer is about another payment")
	}
	// The token PayDunya echoes must be the one asked for, unless our own
	// payment ID in custom_data proves the answer is about our payment.
	if tok := inv.token; tok != "" && tok != ref && (q.PaymentID == "" || paymentID != q.PaymentID) {
		return cauri.Update{}, bad("answer is about another invoice")
	}

	u := cauri.Update{
		PaymentID:     paymentID,
		ProviderRef:   ref,
		Status:        p.mapStatus(raw, cmp.Or(q.PaymentID, paymentID)),
		RawStatus:     raw,
		FailureReason: clientkit.Truncate(string(cr.FailReason), 200),
		Authenticated: true,
	}
	if inv.total.Set {
		if u.Amount, err = inv.total.Amount(Currency); err != nil {
			return cauri.Update{}, &cauri.ProviderError{Provider: Name, Op: "status", StatusCode: status, Err: err}
		}
		u.Currency = Currency
	}
	if u.Status == cauri.StatusPaid && u.Currency == "" {
		return cauri.Update{}, bad("a completed invoice with no total_amount")
	}
	return u, nil
}

// sameMode reports whether an answer's "mode" ("test" or "live") is the
// provider's. An unknown word is not held against the answer.
func (p *Provider) sameMode(m string) bool {
	switch strings.ToLower(strings.TrimSpace(m)) {
	case "test", "sandbox":
		return p.mode == Sandbox
	case "live":
		return p.mode == Live
	}
	return true
}

// customPaymentID reads custom_data.cauri_payment_id: custom_data may be
// missing, null, an object, or (as PHP encodes an empty one) an array.
func customPaymentID(raw []byte) (string, error) {
	if jsonlex.IsNull(raw) {
		return "", nil
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil {
		var list []json.RawMessage
		if json.Unmarshal(raw, &list) == nil && len(list) == 0 {
			return "", nil
		}
		return "", errors.New("custom_data is not an object")
	}
	v, ok := obj[DataPaymentID]
	if !ok || jsonlex.IsNull(v) {
		return "", nil
	}
	id := clientkit.Text(v)
	if id == "" {
		return "", errors.New("custom_data." + DataPaymentID + " is not a string")
	}
	return clientkit.Truncate(id, 64), nil
}

// ReturnToken reads the invoice token PayDunya appends to return_url
// (?token=...). The kit does not need it: its return URL carries the
// payment's ID and token in its path. The value is the customer's to
// forge: use it as a hint, and ask FetchStatus.
func ReturnToken(q url.Values) string { return strings.TrimSpace(q.Get("token")) }
