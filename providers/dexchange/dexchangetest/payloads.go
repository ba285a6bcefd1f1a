package dexchangetest

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"math/big"
	"net/mail"
	"net/url"
	"sort"
	"strings"
	"time"
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

// linkFields are get-link's documented body fields, in order.
var linkFields = []string{
	"externalTransactionId", "ItemName", "ItemPrice", "customData", "callBackURL",
	"successUrl", "failureUrl", "ClientName", "ClientPhone", "Email",
}

// validateLink checks a get-link body as DEXCHANGE's API does (a NestJS
// API: class-validator messages, unknown properties refused) and returns
// the transaction it describes, or the messages.
func validateLink(in map[string]any) (*Payment, []string) {
	var errs []string
	add := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	p := &Payment{}

	str := func(field string, required bool) string {
		switch v := in[field].(type) {
		case nil:
			if required {
				add("%s should not be empty", field)
				add("%s must be a string", field)
			}
		case string:
			if required && strings.TrimSpace(v) == "" {
				add("%s should not be empty", field)
			}
			return v
		default:
			add("%s must be a string", field)
		}
		return ""
	}
	urlField := func(field string) string {
		v := str(field, true)
		if v == "" {
			return ""
		}
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			add("%s must be a URL address", field)
		}
		return v
	}

	p.ExternalTransactionID = str("externalTransactionId", true)
	p.ItemName = str("ItemName", true)
	switch v := in["ItemPrice"].(type) {
	case json.Number:
		if n, err := v.Int64(); err != nil {
			if _, ferr := v.Float64(); ferr == nil {
				add("ItemPrice must be an integer number")
			} else {
				add("ItemPrice must be a number conforming to the specified constraints")
			}
		} else if n < 100 {
			add("Montant minimum 100 FCFA")
		} else {
			p.ItemPrice = n
		}
	default:
		add("ItemPrice must be a number conforming to the specified constraints")
	}
	// Optional by the seed, required by the OpenAPI block: required here.
	if cd := str("customData", true); cd != "" && !json.Valid([]byte(cd)) {
		add("customData must be a json string")
	} else {
		p.CustomData = cd
	}
	p.CallBackURL = urlField("callBackURL")
	p.SuccessURL = urlField("successUrl")
	p.FailureURL = urlField("failureUrl")
	p.ClientName = str("ClientName", false)
	p.ClientPhone = str("ClientPhone", false)
	if e := str("Email", false); e != "" {
		if a, err := mail.ParseAddress(e); err != nil || a.Address != e {
			add("Email must be an email")
		}
		p.Email = e
	}

	known := make(map[string]bool, len(linkFields))
	for _, f := range linkFields {
		known[f] = true
	}
	var unknown []string
	for k := range in {
		if !known[k] {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		add("property %s should not exist", k)
	}
	return p, errs
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
