package dexchange

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/internal/clientkit"
	"github.com/cauripay/cauri/providers/providerhttp"
)

// MapStatus maps a DEXCHANGE transaction status, in any case, to the
// kit's:
//
//	PENDING     StatusPending    waiting for the customer (link created)
//	INITIATED   StatusPending    started at the operator (community SDKs)
//	PROCESSING  StatusPending    the operator is processing it
//	SUCCESS     StatusPaid
//	FAILED      StatusFailed
//	CANCELLED   StatusCancelled
//	EXPIRED     StatusExpired    the link expired unpaid
//
// Any other value maps to StatusPending with known false: an undocumented
// status never settles a payment.
func MapStatus(raw string) (s cauri.Status, known bool) { return statuses.MapAnyCase(raw) }

// statuses are the words of MapStatus's table.
var statuses = clientkit.Statuses{
	cauri.StatusPending:   {"PENDING", "INITIATED", "PROCESSING"},
	cauri.StatusPaid:      {"SUCCESS"},
	cauri.StatusFailed:    {"FAILED"},
	cauri.StatusCancelled: {"CANCELLED"},
	cauri.StatusExpired:   {"EXPIRED"},
}

// transaction is what this package reads of a DEXCHANGE transaction, from
// the status endpoint or a notification.
type transaction struct {
	// id is DEXCHANGE's transactionId; external is our payment ID.
	id, external string
	status       string
	kind         string // Type or transactionType, upper case
	method       string
	// amount and currency are set together, when an amount is stated.
	amount   int64
	currency string
	hasMoney bool
	fee      int64
}

// txFields are the keys of a transaction. encoding/json matches them
// case-insensitively, so the status endpoint's "Amount" and "Status" and
// the notification's "AMOUNT" and "STATUS" are read alike.
type txFields struct {
	ID                    json.RawMessage `json:"id"`
	TransactionID         json.RawMessage `json:"transactionId"`
	ExternalTransactionID json.RawMessage `json:"externalTransactionId"`
	Status                json.RawMessage `json:"Status"`
	Amount                json.RawMessage `json:"Amount"`
	Fee                   json.RawMessage `json:"Fee"`
	Currency              json.RawMessage `json:"Currency"`
	ServiceCode           json.RawMessage `json:"ServiceCode"`
	Type                  json.RawMessage `json:"Type"`
	TransactionType       json.RawMessage `json:"transactionType"`
}

// parseTransaction reads a transaction object leniently: every field may
// be missing or null, amounts may be numbers or strings. What is present
// must make sense, or the error wraps cauri.ErrMalformed.
func parseTransaction(raw json.RawMessage) (transaction, error) {
	var f txFields
	if err := clientkit.DecodeObject(raw, "transaction", &f); err != nil {
		return transaction{}, err
	}
	t := transaction{
		external: clientkit.Truncate(clientkit.Text(f.ExternalTransactionID), 128),
		status:   clientkit.Truncate(clientkit.Text(f.Status), 64),
		method:   clientkit.Truncate(clientkit.Text(f.ServiceCode), 64),
	}
	id, txID := clientkit.Truncate(clientkit.Text(f.ID), 128), clientkit.Truncate(clientkit.Text(f.TransactionID), 128)
	switch {
	case id != "" && txID != "" && id != txID:
		return transaction{}, fmt.Errorf("%w: transaction has two different IDs", cauri.ErrMalformed)
	case id != "":
		t.id = id
	default:
		t.id = txID
	}
	t.kind = strings.ToUpper(clientkit.Truncate(clientkit.Text(f.TransactionType), 64))
	if t.kind == "" {
		t.kind = strings.ToUpper(clientkit.Truncate(clientkit.Text(f.Type), 64))
	}

	if !clientkit.IsNull(f.Amount) {
		cur, err := currencyCode(f.Currency)
		if err != nil {
			return transaction{}, err
		}
		if t.amount, err = providerhttp.ParseAmountJSON(f.Amount, cur); err != nil {
			return transaction{}, fmt.Errorf("transaction amount: %w", err)
		}
		t.currency, t.hasMoney = cur, true
		if !clientkit.IsNull(f.Fee) {
			// A fee that cannot be read is left out: it is informative,
			// and must not keep a payment from settling.
			if fee, err := providerhttp.ParseAmountJSON(f.Fee, cur); err == nil {
				t.fee = fee
			}
		}
	}
	return t, nil
}

// currencyCode reads a transaction's currency. DEXCHANGE's documents give
// none (every amount is in FCFA), so a missing one is XOF; "FCFA" and
// "CFA" are read as XOF too. Anything else must be an ISO 4217 code.
func currencyCode(raw json.RawMessage) (string, error) {
	code, err := clientkit.StringValue(raw, "currency")
	if err != nil {
		return "", err
	}
	switch strings.ToUpper(strings.TrimSpace(code)) {
	case "", "FCFA", "CFA", "F CFA":
		return Currency, nil
	}
	return clientkit.CurrencyCode(code, "currency")
}

// update turns a transaction into the kit's Update, its status mapped.
func (p *Provider) update(t transaction) cauri.Update {
	st, known := MapStatus(t.status)
	if !known {
		// Not the transactionId: it is the path of the payment page.
		p.log.Warn("unknown dexchange transaction status, treated as pending", "status", t.status, "payment_id", t.external)
	}
	u := cauri.Update{
		PaymentID:   t.external,
		ProviderRef: t.id,
		Status:      st,
		RawStatus:   t.status,
		Method:      t.method,
	}
	if t.hasMoney {
		u.Amount, u.Currency, u.Fee = t.amount, t.currency, t.fee
	}
	return u
}

// FetchStatus asks DEXCHANGE for the transaction's status,
// GET {BaseURL}/transaction/{ProviderRef}. The answer's transaction may sit
// under "transaction" (the endpoint's page), "data" (the API reference's
// generic format) or at the top. Its Amount is in FCFA, and is reported as
// XOF.
//
// An empty ProviderRef, or a transaction DEXCHANGE does not know (404),
// gives a permanent error wrapping cauri.ErrNotFound. An answer with
// "success": false, or one about another transaction, or one without a
// status, or a success without an amount, is a permanent error and changes
// nothing.
//
// The transactionId is the path of the payment page (/process/{id}), where
// anyone may pay: errors name the call "transaction/<transactionId>" and
// never hold it, even when DEXCHANGE's answer quotes it.
func (p *Provider) FetchStatus(ctx context.Context, q cauri.StatusQuery) (cauri.Update, error) {
	return clientkit.SecretLookup(q, Name, "no dexchange transactionId to look up", func(ref string) (cauri.Update, error) {
		return p.fetchStatus(ctx, q, ref)
	})
}

// fetchStatus is FetchStatus's call about the transaction ref, whose
// errors may hold ref.
func (p *Provider) fetchStatus(ctx context.Context, q cauri.StatusQuery, ref string) (cauri.Update, error) {
	resp, err := p.http.Do(ctx, providerhttp.Request{
		Op: "status", Method: http.MethodGet,
		URL:      providerhttp.JoinURL(p.base, "transaction", ref),
		Endpoint: "transaction/<transactionId>",
		Header:   p.headers(),
	})
	if err != nil {
		return cauri.Update{}, clientkit.NotFound(err)
	}
	ans := clientkit.Answer{Provider: Name, Op: "status", Status: resp.StatusCode}
	perr, bad := ans.Error, ans.Malformed
	top, err := readEnvelope(resp, ans)
	if err != nil {
		return cauri.Update{}, err
	}
	if successFalse(top.Success) {
		return cauri.Update{}, top.unsuccessful(ans)
	}
	var inner json.RawMessage
	switch {
	case clientkit.IsObject(top.Transaction):
		inner = top.Transaction
	case clientkit.IsObject(top.Data):
		inner = top.Data
	case clientkit.IsNull(top.Transaction) && clientkit.IsNull(top.Data):
		inner = resp.Body
	default:
		return cauri.Update{}, bad("answer's transaction is not an object")
	}
	t, err := parseTransaction(inner)
	if err != nil {
		return cauri.Update{}, perr("", err)
	}
	if t.status == "" {
		return cauri.Update{}, bad("answer has no transaction Status")
	}
	if t.id, err = ans.About(t.id, ref, "answer is about another transaction"); err != nil {
		return cauri.Update{}, err
	}
	if t.external != "" && q.PaymentID != "" && t.external != q.PaymentID {
		return cauri.Update{}, bad("answer is about another externalTransactionId")
	}
	return ans.Believed(p.update(t), t.hasMoney, "a successful transaction with no Amount")
}
