package moneroo

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/internal/jsonlex"
	"github.com/cauripay/cauri/providers/internal/clientkit"
	"github.com/cauripay/cauri/providers/providerhttp"
)

// MapStatus maps a Moneroo payment status to the kit's:
//
//	initiated  StatusPending    waiting for the customer on the checkout page
//	pending    StatusPending    the customer paid; the operator has not confirmed
//	success    StatusPaid
//	failed     StatusFailed
//	cancelled  StatusCancelled  the customer gave up, or left it 10 minutes
//
// Any other value, including another spelling or case, maps to
// StatusPending with known false: an undocumented status never settles a
// payment.
func MapStatus(raw string) (s cauri.Status, known bool) { return statuses.Map(raw) }

// statuses are the words of MapStatus's table.
var statuses = clientkit.Statuses{
	cauri.StatusPending:   {"initiated", "pending"},
	cauri.StatusPaid:      {"success"},
	cauri.StatusFailed:    {"failed"},
	cauri.StatusCancelled: {"cancelled"},
}

// payment is what this package reads of Moneroo's payment object, from the
// verify endpoint or a webhook's data.
type payment struct {
	id, status string
	// amount and currency are set together, when the object states both.
	amount   int64
	currency string
	hasMoney bool
	// paymentID is ours, from metadata.cauri_payment_id.
	paymentID, method, failure string
}

// parsePayment reads a payment object leniently: every field may be
// missing or null, the currency may be a code or an object with a "code",
// the amount a number or a string in the currency's main unit, metadata
// an object or (as PHP encodes an empty one) an array. What is present
// must make sense, or the error wraps cauri.ErrMalformed. The object is
// decoded once: its fields convert themselves as they are read.
func parsePayment(raw []byte) (payment, error) {
	var d paymentObject
	if err := json.Unmarshal(raw, &d); err != nil || jsonlex.IsNull(raw) {
		return payment{}, fmt.Errorf("%w: payment data is not an object", cauri.ErrMalformed)
	}
	return d.payment()
}

// paymentObject is a payment object as decoded, its fields converted as
// they are read.
type paymentObject struct {
	ID       clientkit.TextField                    `json:"id"`
	Status   clientkit.TextField                    `json:"status"`
	Amount   clientkit.AmountField                  `json:"amount"`
	Currency clientkit.Read[string, currencyReader] `json:"currency"`
	Metadata metadataField                          `json:"metadata"`
	Capture  captureField                           `json:"capture"`
}

// payment is what parsePayment returns of a decoded object.
func (d *paymentObject) payment() (payment, error) {
	p := payment{id: string(d.ID), status: clientkit.Truncate(string(d.Status), 64)}

	cur, err := d.Currency.Value, d.Currency.Err
	if err != nil {
		return payment{}, err
	}
	if cur != "" && d.Amount.Set {
		if p.amount, err = d.Amount.Amount(cur); err != nil {
			return payment{}, fmt.Errorf("payment amount: %w", err)
		}
		p.currency, p.hasMoney = cur, true
	}
	p.paymentID = d.Metadata.paymentID
	p.failure, p.method = d.Capture.failure, d.Capture.method
	return p, nil
}

// currencyCode reads a currency given as a code ("XOF") or as Moneroo's
// currency object ({"code": "XOF", ...}). Missing or null gives "".
func currencyCode(raw []byte) (string, error) {
	if jsonlex.IsNull(raw) {
		return "", nil
	}
	code, ok := clientkit.DecodeString(raw)
	if !ok {
		var obj struct {
			Code string `json:"code"`
		}
		if json.Unmarshal(raw, &obj) != nil {
			return "", fmt.Errorf("%w: currency is neither a code nor an object with one", cauri.ErrMalformed)
		}
		code = obj.Code
	}
	return clientkit.CurrencyCode(code, "currency")
}

// update turns a payment into the kit's Update, with its status mapped
// from rawStatus.
func (p *Provider) update(d payment, rawStatus string) cauri.Update {
	st, known := MapStatus(rawStatus)
	if !known {
		// Not the payment's ID: it is the path of the checkout page.
		p.log.Warn("unknown moneroo payment status, treated as pending", "status", rawStatus, "payment_id", d.paymentID)
	}
	return cauri.Update{
		PaymentID:     d.paymentID,
		ProviderRef:   d.id,
		Status:        st,
		RawStatus:     rawStatus,
		Amount:        d.amount,
		Currency:      d.currency,
		Method:        d.method,
		FailureReason: d.failure,
	}
}

// FetchStatus asks Moneroo's verify endpoint,
// GET {BaseURL}/payments/{ProviderRef}/verify, for the payment's status. An
// empty ProviderRef, or a payment Moneroo does not know (404), gives a
// permanent error wrapping cauri.ErrNotFound.
//
// The payment's ID is the path of its checkout page, where anyone may pay:
// errors name the call "payments/<id>/verify" and never hold it, even when
// Moneroo's answer quotes it.
func (p *Provider) FetchStatus(ctx context.Context, q cauri.StatusQuery) (cauri.Update, error) {
	return clientkit.SecretLookup(q, Name, "no moneroo payment ID to verify", func(ref string) (cauri.Update, error) {
		return p.verify(ctx, q, ref)
	})
}

// verify is FetchStatus's call about the payment ref, whose errors may
// hold ref.
func (p *Provider) verify(ctx context.Context, q cauri.StatusQuery, ref string) (cauri.Update, error) {
	resp, err := p.http.Do(ctx, providerhttp.Request{
		Op: "status", Method: http.MethodGet,
		URL:      providerhttp.JoinURL(p.base, "payments", ref, "verify"),
		Endpoint: "payments/<id>/verify",
		Header:   p.headers(),
	})
	if err != nil {
		return cauri.Update{}, clientkit.NotFound(err)
	}
	ans := clientkit.Answer{Provider: Name, Op: "status", Status: resp.StatusCode}
	var env struct {
		Data paymentField `json:"data"`
	}
	if err := resp.DecodeJSON(&env); err != nil {
		return cauri.Update{}, ans.Error("", err)
	}
	d, err := env.Data.payment()
	if err != nil {
		return cauri.Update{}, ans.Error("", err)
	}
	if d.id, err = ans.About(d.id, ref, "verify answered about another payment"); err != nil {
		return cauri.Update{}, err
	}
	return ans.Believed(p.update(d, d.status), d.hasMoney, "a successful payment with no amount or currency")
}
