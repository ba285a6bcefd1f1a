package novasendtest

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/internal/emulator"
	"github.com/cauripay/cauri/providers/providertest"
)

// NovaSend's words for a payin's state.
const (
	statusProcessing = "processing"
	statusProcessed  = "processed"
	statusExpired    = "expired"

	confirmationNone     = "none"
	confirmationPending  = "pending"
	confirmationAccepted = "accepted"
	confirmationDeclined = "declined"
	confirmationExpired  = "expired"

	transactionCompleted = "completed"
	transactionFailed    = "failed"
	transactionPending   = "pending"
)

// Payin is the emulator's record of one payin session.
type Payin struct {
	// Reference is NovaSend's reference for the payin ("tr_" and 26
	// characters), the one GET /v1/payin/{reference} takes.
	Reference string
	// CustomerReference is the merchant's reference, as sent in the
	// session's reference field. The status endpoint takes it too.
	CustomerReference string
	// IdempotencyKey is the X-Idempotency-Key of the creation.
	IdempotencyKey string
	// AccountID is as sent.
	AccountID string
	// Amount is in whole units, as sent; Currency is the country's.
	Amount   int64
	Currency string
	// Fee is NovaSend's, in whole units: 2% of the amount.
	Fee int64
	// FeePaidByCustomer is true when the customer pays Fee on top of
	// Amount (WithFeePaidByCustomer).
	FeePaidByCustomer bool
	// Msisdn, CustomerName and Country are as sent.
	Msisdn, CustomerName, Country string
	// SuccessURL and FailureURL are action's, "" when left out.
	SuccessURL, FailureURL string
	// AcceptLanguage is the creation's Accept-Language header.
	AcceptLanguage string
	// PaymentURL is the page where the customer confirms.
	PaymentURL string
	// Status is processing, processed or expired; ConfirmationStatus is
	// none, pending (the page was opened), accepted, declined or expired
	// (or whatever SetStatus set).
	Status, ConfirmationStatus string
	// Transaction is the settlement, nil until the customer accepted.
	Transaction *Transaction
	// Operator is the wallet the customer chose on the page, and Phone the
	// number they typed there, if any; NovaSend reports neither.
	Operator, Phone string
	// Later is true while the customer who chose "pay later on my phone"
	// has not confirmed on their phone: the payin is processed and
	// accepted, its transaction pending.
	Later bool
	// Failure explains a failed, declined or expired payin.
	Failure *Failure
	// CreatedAt is when the session was opened.
	CreatedAt time.Time
	// StatusCalls are the times of the status calls about the payin.
	StatusCalls []time.Time

	lastServed time.Time // the last status call answered 200
}

// Transaction is a payin's settlement in NovaSend's core system.
type Transaction struct {
	// Reference is the core system's ("tr_" and 16 characters).
	Reference string
	// Status is completed, failed or pending (or whatever SetStatus set).
	Status string
	// ProcessedAt is when it was settled.
	ProcessedAt time.Time
}

// Failure is a payin's failure object.
type Failure struct {
	Code, Message string
}

// final reports whether the payin can no longer change.
func (p *Payin) final() bool {
	if p.Transaction != nil && (p.Transaction.Status == transactionCompleted || p.Transaction.Status == transactionFailed) {
		return true
	}
	return p.ConfirmationStatus == confirmationDeclined || p.ConfirmationStatus == confirmationExpired || p.Status == statusExpired
}

// state names where the payin stands, for pages.
func (p *Payin) state() string {
	switch {
	case p.Transaction != nil && p.Transaction.Status == transactionCompleted:
		return "paid"
	case p.Transaction != nil && p.Transaction.Status == transactionFailed:
		return "failed"
	case p.ConfirmationStatus == confirmationDeclined:
		return "declined"
	case p.ConfirmationStatus == confirmationExpired || p.Status == statusExpired:
		return "expired"
	}
	return "pending"
}

// settle applies the customer's action to a payin: pay accepts and the
// transaction completes; fail accepts and the transaction fails (an empty
// wallet); cancel declines, and no transaction is made; pay later accepts,
// and the transaction stays pending until the phone confirms.
func settle(p *Payin, a providertest.Action, now time.Time) {
	switch a {
	case providertest.PayLater:
		p.Status, p.ConfirmationStatus, p.Later = statusProcessed, confirmationAccepted, true
		p.Transaction = &Transaction{Reference: "tr_" + emulator.RandomFrom(lowerAlnum, 16), Status: transactionPending, ProcessedAt: now}
	case providertest.Pay, providertest.Fail:
		p.Status, p.ConfirmationStatus = statusProcessed, confirmationAccepted
		p.Transaction = &Transaction{Reference: "tr_" + emulator.RandomFrom(lowerAlnum, 16), Status: transactionCompleted, ProcessedAt: now}
		if a == providertest.Fail {
			p.Transaction.Status = transactionFailed
			p.Failure = &Failure{Code: "client_not_enough_cash", Message: "Insufficient client balance"}
		}
	case providertest.Cancel:
		p.ConfirmationStatus = confirmationDeclined
		p.Failure = &Failure{Code: "payment_declined", Message: "The customer declined the payment"}
	}
}

// sessionShape is a session body as the emulated API checks it; the
// country and the account are checked after it.
var sessionShape = emulator.Shape{Trim: true, Fields: []emulator.Field{
	{Name: "reference", Required: true, Max: 100},
	{Name: "accountId", Max: 100},
	{Name: "amount", Kind: emulator.Number, Required: true, Check: func(v any) (string, string) {
		n, err := strconv.ParseInt(v.(string), 10, 64)
		switch {
		case err != nil:
			return emulator.RuleInteger, ""
		case n <= 0:
			return emulator.RulePositive, ""
		case n > MaxAmount:
			return emulator.RuleMax, ""
		}
		return "", ""
	}},
	{Name: "msisdn", Required: true, Max: 16, Check: emulator.E164},
	{Name: "customerName", Required: true, Max: 100},
	{Name: "country", Required: true, Max: 2, Check: func(v any) (string, string) {
		if c := v.(string); len(c) != 2 || strings.ToUpper(c) != c {
			return "iso", ""
		}
		return "", ""
	}},
	{Name: "action", Kind: emulator.Object, Shape: &emulator.Shape{Fields: []emulator.Field{
		{Name: "successUrl", Required: true, Check: emulator.URL},
		{Name: "failureUrl", Required: true, Check: emulator.URL},
	}}},
}}

// validateSession checks a session body and returns the payin it
// describes, or the errors, in the request's language (French when fr).
// An action URL missing or not a string is "not a URL".
func validateSession(in map[string]any, fr bool) (*Payin, []fieldError) {
	v, problems := sessionShape.Decode(in)
	a := v.Nested("action")
	p := &Payin{
		CustomerReference: v.String("reference"), AccountID: v.String("accountId"), Amount: v.Int("amount"), Msisdn: v.String("msisdn"),
		CustomerName: v.String("customerName"), Country: v.String("country"), SuccessURL: a.String("successUrl"), FailureURL: a.String("failureUrl"),
	}
	var errs []fieldError
	for _, pr := range problems {
		f, rule := pr.Path(), pr.Rule
		switch {
		case pr.Parent == "action.":
			rule = emulator.RuleURL
		case rule == emulator.RuleType:
			rule += map[emulator.Kind]string{emulator.Number: " number", emulator.Object: " object"}[pr.Kind]
		}
		w := map[string][3]string{
			emulator.RuleRequired: {"validation_error", f + " is required", f + " est obligatoire"},
			emulator.RuleBlank:    {"validation_error", f + " is required", f + " est obligatoire"},
			emulator.RuleLength:   {"validation_error", f + " must be at most " + pr.Arg + " characters", f + " doit contenir au plus " + pr.Arg + " caractères"},
			emulator.RuleType:     {"validation_error", f + " must be a string", f + " doit être une chaîne"},
			"type number":         {"validation_error", f + " must be a number", f + " doit être un nombre"},
			"type object":         {"validation_error", f + " must be an object", f + " doit être un objet"},
			emulator.RuleInteger:  {"validation_error", f + " must be a whole number, without decimals", f + " doit être un nombre entier, sans décimales"},
			emulator.RulePositive: {"transaction_greater_than_zero", "Amount must be greater than zero", "Le montant doit être supérieur à zéro"},
			emulator.RuleMax:      {"invalid_amount", "Invalid amount", "Montant invalide"},
			emulator.RuleE164:     {"validation_error", f + " must be a phone number in E.164 format", f + " doit être un numéro de téléphone au format E.164"},
			"iso":                 {"validation_error", f + " must be an ISO 3166-1 alpha-2 code", f + " doit être un code ISO 3166-1 alpha-2"},
			emulator.RuleURL:      {"validation_error", f + " must be a URL", f + " doit être une URL"},
		}[rule]
		msg := w[1]
		if fr {
			msg = w[2]
		}
		errs = append(errs, fieldError{Field: f, Code: w[0], Message: msg})
	}
	return p, errs
}

const (
	lowerAlnum = "abcdefghijklmnopqrstuvwxyz0123456789"
	upperAlnum = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
)

// mainUnits is whole units plus delta smallest units, as a JSON number in
// the main unit.
func mainUnits(whole int64, currency string, delta int64) json.Number {
	smallest, err := cauri.ParseAmount(strconv.FormatInt(whole, 10), currency)
	if err != nil {
		return json.Number(strconv.FormatInt(whole, 10))
	}
	return json.Number(cauri.FormatAmount(smallest+delta, currency))
}

// decimalText is an amount as the transaction object writes it: a string
// with two decimals, even for currencies without a subunit ("153.00").
func decimalText(n json.Number, currency string) string {
	if cauri.CurrencyExponent(currency) == 0 {
		return n.String() + ".00"
	}
	return n.String()
}

func failureOf(p *Payin) any {
	if p.Failure == nil {
		return nil
	}
	return emulator.O("code", p.Failure.Code, "message", p.Failure.Message)
}

// sessionAnswer is the answer to POST /v1/payin/sessions, in the seed's
// shape and field order.
func sessionAnswer(p *Payin) any {
	return emulator.O("type", "payin", "fee", p.Fee, "reference", p.Reference, "phoneNumber", p.Msisdn, "amount", p.Amount,
		"chargedAmount", p.Amount+p.Fee, "status", p.Status, "currency", p.Currency, "customerReference", p.CustomerReference,
		"confirmationRequired", true, "confirmationStatus", p.ConfirmationStatus, "paymentUrl", p.PaymentURL,
		"createdAt", emulator.ISOTime(p.CreatedAt), "failure", failureOf(p))
}

// transactionOf is p's transaction object, nil while there is none: the
// amount processed (with the fee when the customer pays it), and that fee.
func transactionOf(p *Payin, delta int64) any {
	if p.Transaction == nil {
		return nil
	}
	processed, fees := p.Amount, int64(0)
	if p.FeePaidByCustomer {
		processed, fees = p.Amount+p.Fee, p.Fee
	}
	amount := decimalText(mainUnits(processed, p.Currency, delta), p.Currency)
	return emulator.O("reference", p.Transaction.Reference, "status", p.Transaction.Status, "customerName", p.CustomerName,
		"processedAt", emulator.ISOTime(p.Transaction.ProcessedAt), "phoneNumber", p.Msisdn, "amount", amount,
		"fees", decimalText(json.Number(strconv.FormatInt(fees, 10)), p.Currency), "chargedAmount", amount, "currency", p.Currency)
}

// statusAnswer is the answer to GET /v1/payin/{reference}, in the seed's
// shape and field order, its amounts shifted by delta smallest units, and
// without the transaction key at all unless withTx (null while there is
// none). The caller holds the lock.
func statusAnswer(p *Payin, delta int64, withTx bool) any {
	txKey, tx := "transaction,omitempty", any(nil)
	if withTx {
		txKey, tx = "transaction", transactionOf(p, delta)
	}
	return emulator.O("type", "payin", "fee", p.Fee, "reference", p.Reference, "phoneNumber", p.Msisdn, "customerName", p.CustomerName,
		"amount", mainUnits(p.Amount, p.Currency, delta), "chargedAmount", mainUnits(p.Amount+p.Fee, p.Currency, delta),
		"status", p.Status, "currency", p.Currency, "customerReference", p.CustomerReference, "confirmationRequired", true,
		"confirmationStatus", p.ConfirmationStatus, "createdAt", emulator.ISOTime(p.CreatedAt),
		txKey, tx, "failure", failureOf(p))
}

// webhookValue is a webhook about p, in the documented shape: the payin
// object with NovaSend's reference as id and the merchant's as reference,
// and transaction when withTx. Its amounts are shifted by delta smallest
// units.
func webhookValue(p *Payin, delta int64, withTx bool) any {
	var tx any
	if withTx {
		tx = transactionOf(p, delta)
	}
	// The documentation's sample: amount 306, fees 0, chargedAmount 306,
	// where the seed's payin of 300 has a fee of 6.
	amount, fees := p.Amount, p.Fee
	if p.FeePaidByCustomer {
		amount, fees = p.Amount+p.Fee, 0
	}
	return emulator.O("id", p.Reference, "fees", fees, "type", "payin", "amount", mainUnits(amount, p.Currency, delta),
		"status", p.Status, "failure", failureOf(p), "currency", p.Currency,
		"customer", emulator.O("name", p.CustomerName, "phoneNumber", p.Msisdn), "createdAt", emulator.ISOTime(p.CreatedAt),
		"reference", p.CustomerReference, "paymentUrl", p.PaymentURL, "chargedAmount", mainUnits(p.Amount+p.Fee, p.Currency, delta),
		"confirmationStatus", p.ConfirmationStatus, "confirmationRequired", true, "transaction,omitempty", tx)
}
