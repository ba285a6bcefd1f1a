package dexchangetest

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"math/big"
	"time"

	"github.com/cauripay/cauri/internal/emulator"
)

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

// linkObject is p as get-link answers it, as the seed shows it flat and
// the OpenAPI block under "transaction". The caller holds the lock.
func (s *Server) linkObject(p *Payment) emulator.Obj {
	return emulator.O("success", true, "transactionId", p.TransactionID, "PaymentUrl", s.URL+"/process/"+p.TransactionID,
		"externalTransactionId", p.ExternalTransactionID, "Status", p.Status)
}

// merchantObject is p as the merchant lookup answers it: the link, what it
// was created with, and the amount (shifted by delta). The caller holds the
// lock.
func (s *Server) merchantObject(p *Payment, delta int64) map[string]any {
	return map[string]any{
		"transactionId": p.TransactionID, "externalTransactionId": p.ExternalTransactionID, "PaymentUrl": s.URL + "/process/" + p.TransactionID,
		"Status": p.Status, "ItemName": p.ItemName, "ItemPrice": p.ItemPrice, "Amount": p.ItemPrice + delta, "customData": p.CustomData,
		"Initiated_at": p.CreatedAt.Format(time.RFC3339), "Completed_at": emulator.NullTime(p.CompletedAt, time.RFC3339),
	}
}

// statusObject is p as GET /transaction/{id} answers it, in the
// get-transaction page's order, its amount shifted by delta. It states no
// externalTransactionId and no currency, as documented.
func statusObject(p *Payment, delta int64) emulator.Obj {
	return emulator.O("ServiceName", emulator.NullIfEmpty(p.ServiceName), "ServiceCode", emulator.NullIfEmpty(p.ServiceCode),
		"OperatorApi", emulator.NullIfEmpty(p.OperatorAPI), "Type", "PAYMENT", "Amount", p.ItemPrice+delta,
		"Number", emulator.NullIfEmpty(p.PhoneNumber), "Status", p.Status, "Initiated_at", p.CreatedAt.Format(time.RFC3339),
		"Completed_at", emulator.NullTime(p.CompletedAt, time.RFC3339))
}

// webhookBody is the JSON of the seed's notification about p, in its
// order, its amount shifted by delta.
func webhookBody(p *Payment, delta int64) []byte {
	b, _ := json.Marshal(emulator.O("id", p.TransactionID, "externalTransactionId", p.ExternalTransactionID, "transactionType", "PAYMENT",
		"AMOUNT", p.ItemPrice+delta, "FEE", p.Fee, "PHONE_NUMBER", emulator.NullIfEmpty(p.PhoneNumber), "STATUS", p.Status,
		"CUSTOM_DATA", p.CustomData, "COMPLETED_AT", emulator.NullTime(p.CompletedAt, time.RFC3339)))
	return b
}

// phoneOf is the number the emulated customer paid with: the one the link
// was created with, else a Senegalese test number.
func phoneOf(p *Payment) string {
	if p.ClientPhone != "" {
		return p.ClientPhone
	}
	return "771234567"
}
