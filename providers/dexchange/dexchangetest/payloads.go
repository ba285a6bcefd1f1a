package dexchangetest

import (
	"crypto/rand"
	"embed"
	"fmt"
	"math/big"
	"time"

	"github.com/cauripay/cauri/internal/emulator"
)

// files are DEXCHANGE's answers and notification as its documentation
// prints them (answers/), and its services (data/).
//
//go:embed answers/*.json data/*.json
var files embed.FS

// DEXCHANGE's transaction statuses.
const (
	statusPending = "PENDING"
	// statusProcessing is a pay-later transaction's, until the phone
	// confirms: "the operator is processing it".
	statusProcessing = "PROCESSING"
	statusSuccess    = "SUCCESS"
	statusFailed     = "FAILED"
	statusCancelled  = "CANCELLED"
	statusExpired    = "EXPIRED"
)

// finals are the statuses a transaction ends with.
var finals = []string{statusSuccess, statusFailed, statusCancelled, statusExpired}

// linkShape is get-link's body as DEXCHANGE's API checks it (a NestJS
// API: class-validator messages, unknown properties refused).
// customData is optional by the seed, required by the OpenAPI block:
// required here.
var linkShape = emulator.Shape{Strict: true, Dialect: emulator.NestJS, Fields: []emulator.Field{
	{Name: "externalTransactionId", Required: true},
	{Name: "ItemName", Required: true},
	{Name: "ItemPrice", Kind: emulator.Number, Required: true, Check: emulator.Whole(100, 0), Say: map[string]string{
		emulator.RuleRequired: "ItemPrice must be a number conforming to the specified constraints", emulator.RuleMin: "Montant minimum 100 FCFA",
	}},
	{Name: "customData", Required: true, Check: emulator.JSONText},
	{Name: "callBackURL", Required: true, Check: emulator.URL},
	{Name: "successUrl", Required: true, Check: emulator.URL},
	{Name: "failureUrl", Required: true, Check: emulator.URL},
	{Name: "ClientName"},
	{Name: "ClientPhone"},
	{Name: "Email", Check: emulator.Email},
}}

// linkPayment is the transaction a valid get-link body describes.
func linkPayment(v emulator.Values) *Payment {
	return &Payment{
		ExternalTransactionID: v.String("externalTransactionId"), ItemName: v.String("ItemName"), ItemPrice: v.Int("ItemPrice"),
		CustomData: v.String("customData"), CallBackURL: v.String("callBackURL"), SuccessURL: v.String("successUrl"),
		FailureURL: v.String("failureUrl"), ClientName: v.String("ClientName"), ClientPhone: v.String("ClientPhone"), Email: v.String("Email"),
	}
}

// newTransactionID returns a DEXCHANGE-like merchant transaction ID: "MID"
// and nine digits.
func newTransactionID() string {
	n, _ := rand.Int(rand.Reader, big.NewInt(1_000_000_000))
	return fmt.Sprintf("MID%09d", n)
}

// view is a transaction as DEXCHANGE's answers and notifications show
// it: the record, under the Env (the server's URL, the delta added to the
// amounts reported).
type view struct {
	*Payment
	emulator.Env
}

// PaymentURL is the transaction's payment page.
func (v view) PaymentURL() string { return v.URL + "/process/" + v.TransactionID }

// Reported is the amount reported, in FCFA.
func (v view) Reported() int64 { return v.ItemPrice + v.Delta }

// Initiated is when the link was created, as DEXCHANGE writes times.
func (v view) Initiated() string { return v.CreatedAt.Format(time.RFC3339) }

// Completed is when the transaction reached a final status, or null.
func (v view) Completed() any { return emulator.NullTime(v.CompletedAt, time.RFC3339) }
