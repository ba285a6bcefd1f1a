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

func final(status string) bool {
	switch status {
	case statusSuccess, statusFailed, statusCancelled, statusExpired:
		return true
	}
	return false
}

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

// linkData is get-link's transaction, as the seed shows it flat and the
// OpenAPI block under "transaction".
type linkData struct {
	Success               bool   `json:"success"`
	TransactionID         string `json:"transactionId"`
	PaymentURL            string `json:"PaymentUrl"`
	ExternalTransactionID string `json:"externalTransactionId"`
	Status                string `json:"Status"`
}

// linkObject is p as get-link answers it. The caller holds the lock.
func (s *Server) linkObject(p *Payment) linkData {
	return linkData{
		Success: true, TransactionID: p.TransactionID, PaymentURL: s.URL + "/process/" + p.TransactionID,
		ExternalTransactionID: p.ExternalTransactionID, Status: p.Status,
	}
}

// merchantObject is p as the merchant lookup answers it: the link, what it
// was created with, and the amount (shifted by delta). The caller holds the
// lock.
func (s *Server) merchantObject(p *Payment, delta int64) map[string]any {
	return map[string]any{
		"transactionId":         p.TransactionID,
		"externalTransactionId": p.ExternalTransactionID,
		"PaymentUrl":            s.URL + "/process/" + p.TransactionID,
		"Status":                p.Status,
		"ItemName":              p.ItemName,
		"ItemPrice":             p.ItemPrice,
		"Amount":                p.ItemPrice + delta,
		"customData":            p.CustomData,
		"Initiated_at":          p.CreatedAt.Format(time.RFC3339),
		"Completed_at":          timeOrNil(p.CompletedAt),
	}
}

// statusData is the get-transaction page's transaction, in its order.
type statusData struct {
	ServiceName any    `json:"ServiceName"`
	ServiceCode any    `json:"ServiceCode"`
	OperatorAPI any    `json:"OperatorApi"`
	Type        string `json:"Type"`
	Amount      int64  `json:"Amount"`
	Number      any    `json:"Number"`
	Status      string `json:"Status"`
	InitiatedAt string `json:"Initiated_at"`
	CompletedAt any    `json:"Completed_at"`
}

// statusObject is p as GET /transaction/{id} answers it, its amount
// shifted by delta. It states no externalTransactionId and no currency,
// as documented.
func statusObject(p *Payment, delta int64) statusData {
	return statusData{
		ServiceName: nilIfEmpty(p.ServiceName), ServiceCode: nilIfEmpty(p.ServiceCode),
		OperatorAPI: nilIfEmpty(p.OperatorAPI), Type: "PAYMENT",
		Amount: p.ItemPrice + delta, Number: nilIfEmpty(p.PhoneNumber), Status: p.Status,
		InitiatedAt: p.CreatedAt.Format(time.RFC3339), CompletedAt: timeOrNil(p.CompletedAt),
	}
}

// webhookData is the seed's notification, in its order.
type webhookData struct {
	ID                    string `json:"id"`
	ExternalTransactionID string `json:"externalTransactionId"`
	TransactionType       string `json:"transactionType"`
	Amount                int64  `json:"AMOUNT"`
	Fee                   int64  `json:"FEE"`
	PhoneNumber           any    `json:"PHONE_NUMBER"`
	Status                string `json:"STATUS"`
	CustomData            string `json:"CUSTOM_DATA"`
	CompletedAt           any    `json:"COMPLETED_AT"`
}

// webhookBody is the JSON of the notification about p, its amount shifted
// by delta.
func webhookBody(p *Payment, delta int64) []byte {
	b, _ := json.Marshal(webhookData{
		ID: p.TransactionID, ExternalTransactionID: p.ExternalTransactionID, TransactionType: "PAYMENT",
		Amount: p.ItemPrice + delta, Fee: p.Fee, PhoneNumber: nilIfEmpty(p.PhoneNumber), Status: p.Status,
		CustomData: p.CustomData, CompletedAt: timeOrNil(p.CompletedAt),
	})
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
