package monerootest

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/internal/emulator"
)

// Moneroo's payment statuses.
const (
	statusInitiated = "initiated"
	statusSuccess   = "success"
	statusFailed    = "failed"
	statusCancelled = "cancelled"
)

// initShape is initialize's body as Moneroo's API (Laravel) checks it.
// amount is read as Laravel's "numeric" rule, which the Laravel SDK
// applies, reads it: a JSON number or a numeric string (the WooCommerce
// plugin sends the order total uncast, "5000.00"), decimals included,
// but none finer than the currency has (see initPayment).
var initShape = emulator.Shape{Trim: true, BlankIsNull: true, Fields: []emulator.Field{
	{Name: "currency", Required: true, Check: func(v any) (string, string) {
		if c := v.(string); len(c) != 3 || strings.Trim(c, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
			return emulator.RuleOneOf, ""
		}
		return "", ""
	}},
	{Name: "amount", Kind: emulator.Amount, Required: true, Check: func(v any) (string, string) {
		switch s := v.(string); {
		case !emulator.IsDecimal(s):
			return emulator.RuleType, ""
		case strings.HasPrefix(s, "-"):
			return emulator.RulePositive, ""
		}
		return "", ""
	}},
	{Name: "description", Required: true, Max: 155},
	{Name: "return_url", Required: true, Check: emulator.URL},
	{Name: "customer", Kind: emulator.Object, Required: true, Shape: &emulator.Shape{Trim: true, BlankIsNull: true, Fields: []emulator.Field{
		{Name: "email", Required: true, Max: 255, Check: emulator.Email},
		{Name: "first_name", Required: true, Max: 100},
		{Name: "last_name", Required: true, Max: 100},
		{Name: "phone", Kind: emulator.Text},
		{Name: "country", Max: 10},
	}}},
	{Name: "metadata", Kind: emulator.Object, Each: &emulator.Field{Max: 100}, Check: func(v any) (string, string) {
		if len(v.(map[string]any)) > 10 {
			return emulator.RuleMax, "10"
		}
		return "", ""
	}},
	{Name: "methods", Kind: emulator.List, Each: &emulator.Field{Required: true}},
}}

// initPayment checks an initialize body and returns the payment it
// describes, or the problems.
func initPayment(in map[string]any) (*Payment, []emulator.Problem) {
	v, problems := initShape.Decode(in)
	c, meta := v.Nested("customer"), v.Nested("metadata")
	p := &Payment{
		Currency: v.String("currency"), Description: v.String("description"), ReturnURL: v.String("return_url"), Metadata: map[string]string{},
		Customer: Customer{Email: c.String("email"), FirstName: c.String("first_name"), LastName: c.String("last_name"), Phone: c.String("phone"), Country: c.String("country")},
	}
	for k := range meta {
		if s := meta.String(k); s != "" {
			p.Metadata[k] = s
		}
	}
	for i := range v.List("methods") {
		if s := v.Nested("methods").String(strconv.Itoa(i)); s != "" {
			p.Methods = append(p.Methods, s)
		}
	}
	if a := v.String("amount"); a != "" && !slices.ContainsFunc(problems, func(p emulator.Problem) bool { return p.Field == "amount" }) {
		n, err := cauri.ParseAmount(strings.TrimPrefix(a, "+"), p.Currency)
		switch {
		case err != nil:
			problems = append(problems, emulator.Problem{Field: "amount", Rule: "decimals",
				Said: fmt.Sprintf("The amount field must not have more than %d decimal places.", cauri.CurrencyExponent(p.Currency))})
		case n == 0:
			problems = append(problems, emulator.Problem{Field: "amount", Rule: emulator.RulePositive, Kind: emulator.Amount})
		}
		p.Amount = n
	}
	return p, problems
}

// reported is the amount Moneroo reports for p, shifted by delta smallest
// units, in the main unit.
func reported(p *Payment, delta int64) json.Number {
	return json.Number(cauri.FormatAmount(p.Amount+delta, p.Currency))
}

// currencyObject is Moneroo's currency object. subunit_to_unit is 100
// whatever the currency, as Moneroo's own example shows for XOF.
func currencyObject(code string) map[string]any {
	names := map[string][2]string{
		"XOF": {"CFA Franc BCEAO", "CFA francs BCEAO"},
		"XAF": {"CFA Franc BEAC", "CFA francs BEAC"},
		"GNF": {"Guinean Franc", "Guinean francs"},
		"USD": {"US Dollar", "US dollars"},
		"NGN": {"Nigerian Naira", "Nigerian nairas"},
		"GHS": {"Ghanaian Cedi", "Ghanaian cedis"},
		"EUR": {"Euro", "euros"},
	}
	n, ok := names[code]
	if !ok {
		n = [2]string{code, code}
	}
	exp := cauri.CurrencyExponent(code)
	return map[string]any{
		"name": n[0], "symbol": code, "symbol_first": false, "decimals": exp,
		"decimal_mark": ",", "thousands_separator": ".", "subunit": "Centime",
		"subunit_to_unit": 100, "symbol_native": code, "decimal_digits": exp,
		"rounding": 0, "code": code, "name_plural": n[1],
		"icon_url": "https://assets.cdn.moneroo.io/currencies/" + code + ".svg",
	}
}

// verifyData is the data of a verify or get answer, in the documented
// shape. The caller holds the server's lock.
func (s *Server) verifyData(p *Payment, delta int64) any {
	amount := reported(p, delta)
	created := p.CreatedAt.Format(time.RFC3339Nano)
	var capture any
	if p.Status != statusInitiated {
		var errCode, errType string
		if p.FailureMessage != "" {
			errCode, errType = "insufficient_funds", "payment_failed"
		}
		capture = map[string]any{
			"identifier":         p.ID + "-capture",
			"rate":               nil,
			"rate_formatted":     nil,
			"correction_rate":    nil,
			"phone_number":       emulator.NullIfEmpty(cmp.Or(p.PaymentPhone, p.Customer.Phone)),
			"failure_message":    emulator.NullIfEmpty(p.FailureMessage),
			"failure_error_code": emulator.NullIfEmpty(errCode),
			"failure_error_type": emulator.NullIfEmpty(errType),
			"metadata": map[string]any{
				"network_transaction_id": nil, "amount_debited": nil, "commission": nil,
				"fees": nil, "selected_payment_method": emulator.NullIfEmpty(p.Method),
			},
			"amount":           amount,
			"amount_formatted": p.Currency + " " + amount.String(),
			"currency":         currencyObject(p.Currency),
			"method":           methodObject(p.Method),
			"gateway": map[string]any{
				"id": "6eip4udyt8o6", "account_name": s.merchant, "name": "Moneroo Test Payment Gateway",
				"short_code": "moneroo_test", "transaction_id": p.ID, "transaction_status": gatewayStatus(p.Status),
				"transaction_failure_message": emulator.NullIfEmpty(p.FailureMessage),
			},
			"context": map[string]any{"ip": "127.0.0.1", "local": "en"},
		}
	}
	meta := p.Metadata
	if meta == nil {
		meta = map[string]string{}
	}
	return map[string]any{
		"id":               p.ID,
		"status":           p.Status,
		"is_processed":     false,
		"processed_at":     nil,
		"amount":           amount,
		"amount_formatted": p.Currency + " " + amount.String(),
		"currency":         currencyObject(p.Currency),
		"description":      p.Description,
		"return_url":       emulator.WithQuery(p.ReturnURL, "paymentId", p.ID, "paymentStatus", p.Status),
		"environment":      "sandbox",
		"initiated_at":     created,
		"checkout_url":     s.URL + "/checkout/" + p.ID,
		"metadata":         meta,
		"app": map[string]any{
			"id": "01HHJYSA4VCBVK135N4KTYF76J", "name": s.merchant, "website_url": nil,
			"icon_url": nil, "created_at": created, "updated_at": created, "is_enabled": true,
		},
		"customer": map[string]any{
			"id": p.CustomerID, "first_name": p.Customer.FirstName, "last_name": p.Customer.LastName,
			"email": p.Customer.Email, "phone": emulator.NullIfEmpty(p.Customer.Phone), "address": nil,
			"city": nil, "state": nil, "country_code": emulator.NullIfEmpty(p.Customer.Country), "country": nil,
			"zip_code": nil, "created_at": created, "updated_at": created,
		},
		"capture":    capture,
		"created_at": created,
	}
}

func methodObject(code string) any {
	if code == "" {
		return nil
	}
	return map[string]any{"id": "m-" + code, "name": code, "short_code": code,
		"icon_url": "https://assets.cdn.moneroo.io/icons/circle/" + code + ".svg"}
}

func gatewayStatus(status string) string {
	switch status {
	case statusSuccess:
		return "COMPLETED"
	case statusFailed:
		return "FAILED"
	case statusCancelled:
		return "CANCELLED"
	}
	return "PENDING"
}

// webhookBody is the JSON of a payment.* webhook about p, in the documented
// shape: amount as a number in the main unit, currency as a code.
func webhookBody(p *Payment, delta int64) []byte {
	meta := p.Metadata
	if meta == nil {
		meta = map[string]string{}
	}
	b, _ := json.Marshal(emulator.O("event", "payment."+p.Status, "data", emulator.O(
		"id", p.ID, "amount", reported(p, delta), "currency", p.Currency, "status", p.Status, "metadata", meta,
		"customer", emulator.O("id", p.CustomerID, "email", p.Customer.Email, "firstName", p.Customer.FirstName,
			"lastName", p.Customer.LastName, "phone", emulator.NullIfEmpty(p.Customer.Phone)))))
	return b
}
