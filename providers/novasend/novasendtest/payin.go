package novasendtest

import (
	"cmp"
	"embed"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/internal/emulator"
	"github.com/cauripay/cauri/providers/novasend"
	"github.com/cauripay/cauri/providers/providertest"
)

// Payin is the emulator's record of one payin session.
type Payin struct {
	// Reference is NovaSend's reference for the payin ("tr_" and 26
	// characters), the one GET /v1/payin/{reference} takes;
	// CustomerReference is the merchant's, sent as the session's reference,
	// which the status endpoint takes too.
	Reference         string `emulator:"-"`
	CustomerReference string `emulator:"reference"`
	// IdempotencyKey and AcceptLanguage are the creation's
	// X-Idempotency-Key and Accept-Language headers.
	IdempotencyKey, AcceptLanguage string
	// AccountID, Msisdn, CustomerName and Country are as sent.
	AccountID    string `emulator:"accountId"`
	Msisdn       string
	CustomerName string `emulator:"customerName"`
	Country      string
	// Amount is in whole units, as sent; Fee is NovaSend's, in whole
	// units: 2% of the amount.
	Amount, Fee int64
	// Currency is the country's.
	Currency string
	// FeePaidByCustomer is true when the customer pays Fee on top of
	// Amount (WithFeePaidByCustomer).
	FeePaidByCustomer bool
	// SuccessURL and FailureURL are action's, "" when left out; PaymentURL
	// is the page where the customer confirms.
	SuccessURL string `emulator:"action.successUrl"`
	FailureURL string `emulator:"action.failureUrl"`
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
	// CreatedAt is when the session was opened; StatusCalls are the times
	// of the status calls about the payin.
	CreatedAt   time.Time
	StatusCalls []time.Time

	lastServed time.Time // the last status call answered 200
}

// Transaction is a payin's settlement in NovaSend's core system.
type Transaction struct {
	// Reference is the core system's ("tr_" and 16 characters); Status is
	// completed, failed or pending (or whatever SetStatus set).
	Reference, Status string
	// ProcessedAt is when it was settled.
	ProcessedAt time.Time
}

// Failure is a payin's failure object.
type Failure struct{ Code, Message string }

// state names where the payin stands, for pages: paid, failed, declined,
// expired or, while it may still change, pending.
func (p *Payin) state() string {
	switch {
	case p.Transaction != nil && p.Transaction.Status == "completed":
		return "paid"
	case p.Transaction != nil && p.Transaction.Status == "failed":
		return "failed"
	case p.ConfirmationStatus == "declined":
		return "declined"
	case p.ConfirmationStatus == "expired" || p.Status == "expired":
		return "expired"
	}
	return "pending"
}

// final reports whether the payin can no longer change.
func (p *Payin) final() bool { return p.state() != "pending" }

// transact gives p a new transaction of status at now.
func (p *Payin) transact(status string, now time.Time) {
	p.Transaction = &Transaction{Reference: "tr_" + emulator.RandomFrom(lowerAlnum, 16), Status: status, ProcessedAt: now}
}

// outcome is what a customer's action, or the confirmation delay running
// out, makes of a payin (data/tables.json): its status (unchanged when
// empty) and confirmationStatus, a new transaction of status Transaction
// unless empty, and its failure. Pay accepts and the transaction
// completes; fail accepts and the transaction fails (an empty wallet);
// cancel declines, and no transaction is made; pay later accepts, and the
// transaction stays pending until the phone confirms.
type outcome struct {
	Status, Confirmation, Transaction string
	Failure                           *Failure
}

// apply makes o of p at now.
func (o outcome) apply(p *Payin, now time.Time) {
	p.Status, p.ConfirmationStatus = cmp.Or(o.Status, p.Status), o.Confirmation
	if o.Transaction != "" {
		p.transact(o.Transaction, now)
	}
	p.Failure = cmp.Or(o.Failure, p.Failure) // the table's, which nothing changes
}

// lowerAlnum is the alphabet of NovaSend's references.
const lowerAlnum = "abcdefghijklmnopqrstuvwxyz0123456789"

// upperAlnum is the alphabet of its payment links' codes.
const upperAlnum = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// files are NovaSend's documented bodies, as templates (answers/), the
// session body it takes (shapes/) and the emulator's tables (data/).
//
//go:embed answers/*.json data/*.json shapes/*.json
var files embed.FS

// view is a payin as an answer or a webhook shows it: its amounts shifted
// by Delta smallest units ([Server.ReportAmountDelta]), its transaction
// object shown when Tx.
type view struct {
	*Payin
	Delta int64
	Tx    bool
}

// Charged is the amount with the fee, in whole units.
func (v view) Charged() int64 { return v.Amount + v.Fee }

// Main is whole units plus the view's delta smallest units, as a JSON
// number in the main unit. The currency is one of NovaSend's countries',
// XOF or XAF, which have no subunit: whole units are smallest units.
func (v view) Main(whole int64) json.Number {
	return json.Number(cauri.FormatAmount(whole+v.Delta, v.Currency))
}

// webhookForms returns the body of a webhook about p as sent, and the
// bytes its signature is made over: the same bytes, unless the server
// signs JSON.stringify's form (WithStringifiedSignature).
func (s *Server) webhookForms(p *Payin, delta int64, withTx bool) (body, signed []byte) {
	return emulator.WireForms(s.api.Answers.Render("webhook.json", view{p, delta, withTx}), s.escapedWebhooks, s.stringifiedSig)
}

// notify is the webhook about p's current state to the portal's URL.
func (s *Server) notify(p *Payin, env emulator.Env) []emulator.Notification {
	body, signed := s.webhookForms(p, env.Delta, s.webhookTransaction)
	return env.To(http.Header{novasend.SignatureHeader: {s.Sign(signed)}}, body)
}

// operators are the wallets p's page offers (data/tables.json): its
// country's, or Côte d'Ivoire's (NovaSend's first documented country) for
// the others. NovaSend documents no choice of operator: a session names
// the customer's msisdn, and the page only asks them to confirm (its
// webhook sample's paymentUrl is a Wave link, pay.wave.com). The emulator
// offers the country's usual mobile-money wallets so that a person trying
// the demo sees where the money would come from; the choice is recorded
// (Payin.Operator) and reported nowhere, as NovaSend's answers name no
// operator.
func (s *Server) operators(p *Payin) []emulator.Operator {
	if ops, ok := s.t.Wallets[p.Country]; ok { // an upper-case code: the shape says so
		return ops
	}
	return s.t.Wallets["CI"]
}

// show is the paymentUrl page of p. Opening it moves the confirmation
// from none to pending.
func (s *Server) show(p *Payin, _ emulator.Env, r *http.Request) emulator.CheckoutPage {
	if p.ConfirmationStatus == "none" {
		p.ConfirmationStatus = "pending"
	}
	return emulator.CheckoutPage{Brand: s.t.Brand, Merchant: s.merchant, Amount: fmt.Sprintf("%d %s", p.Amount, p.Currency),
		Description: "Payment " + p.CustomerReference + " from " + p.Msisdn, ActionURL: "/link/" + r.PathValue("code"),
		Operators: s.operators(p), Customer: emulator.PageCustomer{Name: p.CustomerName, Phone: p.Msisdn}}
}

// press plays a button: the customer accepts (pay), accepts and the
// operator refuses (fail), declines (cancel) or accepts to confirm later on
// the phone; the webhook goes out and the customer to successUrl or
// failureUrl.
func (s *Server) press(p *Payin, a providertest.Action, c emulator.Choice, env emulator.Env) emulator.Outcome {
	s.t.Outcomes[a].apply(p, env.Now.UTC())
	if p.Later = a == providertest.PayLater; a != providertest.Cancel {
		p.Operator, p.Phone = c.From(s.operators(p)).Code, c.Phone
	}
	out := emulator.SentBack(a, p.Reference, p.SuccessURL, p.FailureURL, s.notify(p, env))
	out.Title = "Thank you"
	return out
}
