package novasend

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/internal/clientkit"
	"github.com/cauripay/cauri/providers/providerhttp"
)

// State is where NovaSend says a payin stands, in its three words.
type State struct {
	// Status is the session's: processing, processed (the customer
	// validated; not the final word) or expired.
	Status string
	// ConfirmationStatus is the customer's answer: none, pending,
	// accepted, declined or expired.
	ConfirmationStatus string
	// TransactionStatus is transaction.status, the settlement's final
	// truth: completed, failed or pending. It is "" while transaction is
	// null or {} (the customer has not confirmed yet).
	TransactionStatus string
}

// String returns the three words as "status/confirmationStatus/
// transactionStatus" ("processed/accepted/completed"), the form
// Update.RawStatus carries and MapStatus reads.
func (s State) String() string {
	return s.Status + "/" + s.ConfirmationStatus + "/" + s.TransactionStatus
}

// Map maps the three words to the kit's status. transaction.status decides
// whenever it is present:
//
//	transaction.status  confirmationStatus  status      kit status
//	completed           (any)               (any)       StatusPaid (amount and currency are then checked by the kit)
//	failed              (any)               (any)       StatusFailed
//	pending             (any)               (any)       StatusPending
//	other word          (any)               (any)       StatusPending, known false
//	"" (null or {})     declined            (any)       StatusFailed (the customer refused)
//	""                  expired             (any)       StatusExpired
//	""                  none/pending/accepted/""  expired  StatusExpired
//	""                  none/pending/accepted/""  processing/processed/""  StatusPending
//	""                  other word          (any)       StatusPending, known false
//	""                  (any)               other word  StatusPending, known false
//
// With all three empty the answer is StatusPending, known false. Words are
// compared without regard to case or surrounding space.
func (s State) Map() (st cauri.Status, known bool) {
	switch t := norm(s.TransactionStatus); t {
	case "":
	case "completed":
		return cauri.StatusPaid, true
	case "failed":
		return cauri.StatusFailed, true
	case "pending":
		return cauri.StatusPending, true
	default:
		return cauri.StatusPending, false
	}
	c, status := norm(s.ConfirmationStatus), norm(s.Status)
	switch c {
	case "declined":
		return cauri.StatusFailed, true
	case "expired":
		return cauri.StatusExpired, true
	case "", "none", "pending", "accepted":
	default:
		return cauri.StatusPending, false
	}
	switch status {
	case "expired":
		return cauri.StatusExpired, true
	case "processing", "processed":
		return cauri.StatusPending, true
	case "":
		return cauri.StatusPending, c != ""
	}
	return cauri.StatusPending, false
}

// MapStatus maps NovaSend's status to the kit's. raw is either the three
// words as Update.RawStatus carries them ("processed/accepted/completed";
// see [State.Map] for the table), or one word of any of the three fields:
//
//	completed                                      StatusPaid     (transaction.status)
//	failed                                         StatusFailed   (transaction.status)
//	declined                                       StatusFailed   (confirmationStatus: the customer refused)
//	expired                                        StatusExpired  (status or confirmationStatus)
//	processing, processed                          StatusPending  (status; processed is not final)
//	none, pending, accepted                        StatusPending  (confirmationStatus, transaction.status)
//
// Any other value, including another spelling, maps to StatusPending with
// known false: an undocumented status never settles a payment. Case and
// surrounding spaces are ignored.
func MapStatus(raw string) (s cauri.Status, known bool) {
	status, rest, words := strings.Cut(raw, "/")
	if !words {
		return oneWord.MapAnyCase(raw)
	}
	confirmation, transaction, ok := strings.Cut(rest, "/")
	if !ok || strings.Contains(transaction, "/") {
		return cauri.StatusPending, false // two words, or more than three
	}
	return State{Status: status, ConfirmationStatus: confirmation, TransactionStatus: transaction}.Map()
}

// oneWord are the words of MapStatus's table, for a status of one word.
var oneWord = clientkit.Statuses{
	cauri.StatusPaid:    {"completed"},
	cauri.StatusFailed:  {"failed", "declined"},
	cauri.StatusExpired: {"expired"},
	cauri.StatusPending: {"processing", "processed", "none", "pending", "accepted"},
}

func norm(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// payin is what this package reads of NovaSend's payin object, from the
// status endpoint or a webhook.
type payin struct {
	typ string
	// id, reference and customerReference are as given. Their meaning
	// depends on the shape: see merchantRef and systemRef.
	id, reference, customerReference string
	state                            State
	// amount and currency are set together, when the object states both.
	amount   int64
	currency string
	hasMoney bool
	// fee is the one stated for amount: it may be included in amount, when
	// the customer paid it (transaction.amount 306 with fees 6 for a payin
	// of 300).
	fee     int64
	failure string
}

// merchantRef is our reference: customerReference (the seed's shape), or
// reference when NovaSend's own is in id (the webhook's and the newer
// API's shape) or when it is alone.
func (d payin) merchantRef() string {
	if d.customerReference != "" {
		return d.customerReference
	}
	return d.reference
}

// systemRef is NovaSend's reference: reference next to a
// customerReference, else id.
func (d payin) systemRef() string {
	if d.customerReference != "" && d.reference != "" {
		return d.reference
	}
	return d.id
}

// mentions reports whether ref is one of the object's identifiers.
func (d payin) mentions(ref string) bool {
	return ref != "" && (ref == d.id || ref == d.reference || ref == d.customerReference)
}

func (d payin) identified() bool { return d.id != "" || d.reference != "" || d.customerReference != "" }

// parsePayin reads a payin object. Every field may be missing or null;
// identifiers may be strings or numbers; the statuses must be strings;
// transaction may be null, {} or an object; amounts may be numbers or
// strings in the currency's main unit ("153.00"). The money is
// transaction's when it states an amount, else, when topMoney, the
// object's own amount (never chargedAmount, which includes the fee).
// Anything present that makes no sense gives an error wrapping
// cauri.ErrMalformed.
func parsePayin(raw json.RawMessage, topMoney bool) (payin, error) {
	var d struct {
		ID                 json.RawMessage `json:"id"`
		Type               json.RawMessage `json:"type"`
		Reference          json.RawMessage `json:"reference"`
		CustomerReference  json.RawMessage `json:"customerReference"`
		Status             json.RawMessage `json:"status"`
		ConfirmationStatus json.RawMessage `json:"confirmationStatus"`
		Amount             json.RawMessage `json:"amount"`
		Currency           json.RawMessage `json:"currency"`
		Fee                json.RawMessage `json:"fee"`
		Fees               json.RawMessage `json:"fees"`
		Transaction        json.RawMessage `json:"transaction"`
		Failure            json.RawMessage `json:"failure"`
	}
	if err := clientkit.DecodeObject(raw, "payin", &d); err != nil {
		return payin{}, err
	}
	var p payin
	var err error
	for _, f := range []struct {
		dst  *string
		raw  json.RawMessage
		name string
		max  int
	}{
		{&p.typ, d.Type, "type", 20},
		{&p.state.Status, d.Status, "status", 64},
		{&p.state.ConfirmationStatus, d.ConfirmationStatus, "confirmationStatus", 64},
	} {
		if *f.dst, err = stringField(f.raw, f.name, f.max); err != nil {
			return payin{}, err
		}
	}
	for _, f := range []struct {
		dst  *string
		raw  json.RawMessage
		name string
	}{{&p.id, d.ID, "id"}, {&p.reference, d.Reference, "reference"}, {&p.customerReference, d.CustomerReference, "customerReference"}} {
		s, ok := jsonText(f.raw)
		if !ok {
			return payin{}, fmt.Errorf("%w: %s is neither a string nor a number", cauri.ErrMalformed, f.name)
		}
		*f.dst = clientkit.Truncate(s, 128)
	}

	var tx struct {
		Status   json.RawMessage `json:"status"`
		Amount   json.RawMessage `json:"amount"`
		Fees     json.RawMessage `json:"fees"`
		Currency json.RawMessage `json:"currency"`
	}
	switch t := strings.TrimSpace(string(d.Transaction)); {
	case clientkit.IsNull(d.Transaction), t == "[]":
		// Not confirmed yet (an empty array is how PHP writes {}).
	case json.Unmarshal(d.Transaction, &tx) != nil || t[0] != '{':
		return payin{}, fmt.Errorf("%w: transaction is not an object", cauri.ErrMalformed)
	default:
		if p.state.TransactionStatus, err = stringField(tx.Status, "transaction.status", 64); err != nil {
			return payin{}, err
		}
	}

	cur, err := currencyCode(tx.Currency, "transaction.currency")
	if err != nil {
		return payin{}, err
	}
	if cur == "" {
		if cur, err = currencyCode(d.Currency, "currency"); err != nil {
			return payin{}, err
		}
	}
	amount, where := tx.Amount, "transaction.amount"
	if clientkit.IsNull(amount) {
		amount, where = nil, ""
		if topMoney {
			amount, where = d.Amount, "amount"
		}
	}
	if cur != "" && !clientkit.IsNull(amount) {
		if p.amount, err = providerhttp.ParseAmountJSON(amount, cur); err != nil {
			return payin{}, fmt.Errorf("%s: %w", where, err)
		}
		p.currency, p.hasMoney = cur, true
	}
	if cur != "" {
		// The fee stated for the amount reported: the transaction's fees
		// with its amount, the payin's fee (fees in webhooks) with its
		// own; when that one is missing, unreadable or zero, the other's.
		// An unreadable fee is left out rather than holding up a payment.
		own, other := []json.RawMessage{d.Fee, d.Fees}, []json.RawMessage{tx.Fees}
		if !clientkit.IsNull(tx.Amount) {
			own, other = other, own
		}
		if p.fee = statedFee(own, cur); p.fee == 0 {
			p.fee = statedFee(other, cur)
		}
	}
	p.failure = failureText(d.Failure)
	return p, nil
}

// statedFee reads the first of fields present, as a fee in currency's
// smallest units; 0 when none is present or the first one is unreadable.
func statedFee(fields []json.RawMessage, currency string) int64 {
	for _, f := range fields {
		if clientkit.IsNull(f) {
			continue
		}
		if fee, err := providerhttp.ParseAmountJSON(f, currency); err == nil && fee > 0 {
			return fee
		}
		return 0
	}
	return 0
}

// stringField reads a JSON string (trimmed, cut to max characters); null
// or missing gives "". Any other type is an error wrapping
// cauri.ErrMalformed.
func stringField(raw json.RawMessage, name string, max int) (string, error) {
	s, err := clientkit.StringValue(raw, name)
	return clientkit.Truncate(strings.TrimSpace(s), max), err
}

// currencyCode reads an ISO 4217 code; null, missing or empty gives "".
func currencyCode(raw json.RawMessage, name string) (string, error) {
	code, err := stringField(raw, name, 8)
	if err != nil {
		return "", err
	}
	return clientkit.CurrencyCode(code, name)
}

// failureText reads failure: null, a string, or an object with a message
// and a code.
func failureText(raw json.RawMessage) string {
	if s, ok := jsonText(raw); ok {
		return clientkit.Truncate(s, 200)
	}
	var f struct {
		Code    json.RawMessage `json:"code"`
		Message json.RawMessage `json:"message"`
		Reason  json.RawMessage `json:"reason"`
	}
	if json.Unmarshal(raw, &f) != nil {
		return ""
	}
	code, _ := jsonText(f.Code)
	msg := cmp.Or(messageText(f.Message), messageText(f.Reason))
	switch {
	case code != "" && msg != "":
		return clientkit.Truncate(code+": "+msg, 200)
	case msg != "":
		return clientkit.Truncate(msg, 200)
	}
	return clientkit.Truncate(code, 200)
}

// update turns a payin into the kit's Update, with its status mapped.
func (p *Provider) update(d payin) cauri.Update {
	st, known := d.state.Map()
	if !known {
		p.log.Warn("unknown novasend payin status, treated as pending", "status", d.state.String(), "reference", d.systemRef())
	}
	u := cauri.Update{
		Status:    st,
		RawStatus: d.state.String(),
		Amount:    d.amount,
		Currency:  d.currency,
		Fee:       d.fee,
	}
	if st != cauri.StatusPaid {
		u.FailureReason = d.failure
	}
	return u
}

// FetchStatus asks NovaSend for a payin: GET {BaseURL}/payin/{reference}.
// The reference is the one CreateCheckout returned (NovaSend's); when
// NovaSend does not know it (404) our payment ID, which is the merchant
// reference we sent, is tried, since NovaSend's documents name both as the
// {reference}. A payin NovaSend knows under neither gives a permanent error
// wrapping cauri.ErrNotFound.
//
// The answer must be about the payment asked for (it echoes one of its
// references, or none), and a completed transaction must state its amount
// and currency; otherwise the error wraps cauri.ErrMalformed and nothing
// changes. The amount reported is transaction.amount when given, else the
// payin's amount, in smallest units.
func (p *Provider) FetchStatus(ctx context.Context, q cauri.StatusQuery) (cauri.Update, error) {
	var refs []string
	for _, r := range []string{q.ProviderRef, q.PaymentID} {
		if r = strings.TrimSpace(r); r != "" && !slices.Contains(refs, r) {
			refs = append(refs, r)
		}
	}
	if len(refs) == 0 {
		return cauri.Update{}, clientkit.NothingToLookUp(Name, "status", "no novasend reference to look up")
	}
	var err error
	for _, ref := range refs {
		var u cauri.Update
		if u, err = p.fetch(ctx, ref, q); err == nil || !notFound(err) {
			return u, err
		}
	}
	return cauri.Update{}, err
}

// fetch is one GET /payin/{ref}.
func (p *Provider) fetch(ctx context.Context, ref string, q cauri.StatusQuery) (cauri.Update, error) {
	resp, err := p.http.Do(ctx, providerhttp.Request{
		Op: "status", Method: http.MethodGet,
		URL:    providerhttp.JoinURL(p.base, "payin", ref),
		Header: p.headers(),
	})
	if err != nil {
		var pe *cauri.ProviderError
		if errors.As(err, &pe) && pe.StatusCode == http.StatusNotFound && pe.Err == nil {
			pe.Err = cauri.ErrNotFound
		}
		return cauri.Update{}, err
	}
	bad := func(err error) error {
		return &cauri.ProviderError{Provider: Name, Op: "status", StatusCode: resp.StatusCode, Err: err}
	}
	if pe := errorInBody(resp, "status"); pe != nil {
		return cauri.Update{}, pe
	}
	var raw json.RawMessage
	if err := resp.DecodeJSON(&raw); err != nil {
		return cauri.Update{}, bad(err)
	}
	d, err := parsePayin(raw, true)
	if err != nil {
		return cauri.Update{}, bad(err)
	}
	if d.typ != "" && !strings.EqualFold(d.typ, "payin") {
		return cauri.Update{}, bad(fmt.Errorf("%w: the answer is a %q, not a payin", cauri.ErrMalformed, d.typ))
	}
	if d.customerReference != "" && q.PaymentID != "" && d.customerReference != q.PaymentID ||
		d.identified() && !d.mentions(ref) && !d.mentions(q.PaymentID) && !d.mentions(q.ProviderRef) {
		return cauri.Update{}, bad(fmt.Errorf("%w: the answer is about another payin", cauri.ErrMalformed))
	}
	u := p.update(d)
	if u.Status == cauri.StatusPaid && !d.hasMoney {
		return cauri.Update{}, bad(fmt.Errorf("%w: a completed transaction with no amount or currency", cauri.ErrMalformed))
	}
	if d.mentions(q.PaymentID) {
		u.PaymentID = q.PaymentID
	}
	u.ProviderRef = q.ProviderRef
	if u.ProviderRef == "" {
		u.ProviderRef = d.systemRef()
	}
	u.Authenticated = true
	return u, nil
}
