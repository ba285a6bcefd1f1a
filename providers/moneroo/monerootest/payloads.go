package monerootest

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/mail"
	"net/url"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

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

// fieldErrors are Laravel's validation errors: messages by dotted field.
type fieldErrors map[string][]string

func (e fieldErrors) add(field, msg string) { e[field] = append(e[field], msg) }

// message is Laravel's summary: the first error, and how many more.
func (e fieldErrors) message() string {
	keys := make([]string, 0, len(e))
	n := 0
	for k, msgs := range e {
		keys = append(keys, k)
		n += len(msgs)
	}
	sort.Strings(keys)
	msg := e[keys[0]][0]
	switch n {
	case 1:
	case 2:
		msg += " (and 1 more error)"
	default:
		msg += fmt.Sprintf(" (and %d more errors)", n-1)
	}
	return msg
}

// validateInit checks an initialize body as Moneroo's API does and returns
// the payment it describes, or the errors.
func validateInit(in map[string]any) (*Payment, fieldErrors) {
	errs := fieldErrors{}
	p := &Payment{Metadata: map[string]string{}}
	label := func(field string) string { return strings.NewReplacer("_", " ", ".", " ").Replace(field) }
	str := func(v any, field string, required bool, maxLen int) string {
		switch s := v.(type) {
		case nil:
			if required {
				errs.add(field, fmt.Sprintf("The %s field is required.", label(field)))
			}
		case string:
			s = strings.TrimSpace(s)
			switch {
			case s == "" && required:
				errs.add(field, fmt.Sprintf("The %s field is required.", label(field)))
			case maxLen > 0 && utf8.RuneCountInString(s) > maxLen:
				errs.add(field, fmt.Sprintf("The %s field must not be greater than %d characters.", label(field), maxLen))
			default:
				return s
			}
		default:
			errs.add(field, fmt.Sprintf("The %s field must be a string.", label(field)))
		}
		return ""
	}

	if c := str(in["currency"], "currency", true, 0); c != "" {
		if len(c) != 3 || strings.ToUpper(c) != c || strings.Trim(c, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
			errs.add("currency", "The selected currency is invalid.")
		}
		p.Currency = c
	}

	if n, problem := amountOf(in["amount"], p.Currency); problem != "" {
		errs.add("amount", problem)
	} else {
		p.Amount = n
	}
	p.Description = str(in["description"], "description", true, 155)
	if ru := str(in["return_url"], "return_url", true, 0); ru != "" {
		u, err := url.Parse(ru)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs.add("return_url", "The return url field must be a valid URL.")
		}
		p.ReturnURL = ru
	}

	switch c := in["customer"].(type) {
	case nil:
		errs.add("customer", "The customer field is required.")
	case map[string]any:
		if e := str(c["email"], "customer.email", true, 255); e != "" {
			if a, err := mail.ParseAddress(e); err != nil || a.Address != e {
				errs.add("customer.email", "The customer email field must be a valid email address.")
			}
			p.Customer.Email = e
		}
		p.Customer.FirstName = str(c["first_name"], "customer.first_name", true, 100)
		p.Customer.LastName = str(c["last_name"], "customer.last_name", true, 100)
		switch ph := c["phone"].(type) {
		case nil:
		case json.Number:
			p.Customer.Phone = ph.String()
		case string:
			p.Customer.Phone = ph
		default:
			errs.add("customer.phone", "The customer phone field must be a string.")
		}
		p.Customer.Country = str(c["country"], "customer.country", false, 10)
	default:
		errs.add("customer", "The customer field must be an array.")
	}

	switch m := in["metadata"].(type) {
	case nil:
	case map[string]any:
		if len(m) > 10 {
			errs.add("metadata", "The metadata field must not have more than 10 items.")
		}
		for k, v := range m {
			if s := str(v, "metadata."+k, false, 100); s != "" {
				p.Metadata[k] = s
			}
		}
	default:
		errs.add("metadata", "The metadata field must be an array.")
	}

	switch ms := in["methods"].(type) {
	case nil:
	case []any:
		for i, m := range ms {
			if s := str(m, fmt.Sprintf("methods.%d", i), true, 0); s != "" {
				p.Methods = append(p.Methods, s)
			}
		}
	default:
		errs.add("methods", "The methods field must be an array.")
	}
	return p, errs
}

// amountOf reads initialize's amount as Laravel's "numeric" rule, which
// the Laravel SDK applies, reads it: a JSON number or a numeric string
// (the WooCommerce plugin sends the order total uncast, "5000.00"),
// decimals included, but none finer than the currency has: a fraction of
// a franc is refused. It returns the amount in the currency's smallest
// unit, or the validation message.
func amountOf(v any, currency string) (int64, string) {
	const required, notNumber, notPositive = "The amount field is required.",
		"The amount field must be a number.", "The amount field must be greater than 0."
	var s string
	switch a := v.(type) {
	case nil:
		return 0, required
	case json.Number:
		s = a.String()
	case string:
		s = strings.TrimSpace(a)
		switch {
		case s == "": // Laravel reads an empty string as null
			return 0, required
		case !numeric(s):
			return 0, notNumber
		}
	default:
		return 0, notNumber
	}
	if strings.HasPrefix(s, "-") {
		return 0, notPositive
	}
	n, err := cauri.ParseAmount(strings.TrimPrefix(s, "+"), currency)
	switch {
	case err != nil:
		return 0, fmt.Sprintf("The amount field must not have more than %d decimal places.", cauri.CurrencyExponent(currency))
	case n == 0:
		return 0, notPositive
	}
	return n, ""
}

// numeric reports whether s is a decimal number: an optional sign,
// digits, and an optional fraction.
func numeric(s string) bool {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "-"), "+")
	whole, frac, _ := strings.Cut(s, ".")
	digits := func(d string) bool { return strings.Trim(d, "0123456789") == "" }
	return whole != "" && digits(whole) && digits(frac)
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
			"phone_number":       nilIfEmpty(cmp.Or(p.PaymentPhone, p.Customer.Phone)),
			"failure_message":    nilIfEmpty(p.FailureMessage),
			"failure_error_code": nilIfEmpty(errCode),
			"failure_error_type": nilIfEmpty(errType),
			"metadata": map[string]any{
				"network_transaction_id": nil, "amount_debited": nil, "commission": nil,
				"fees": nil, "selected_payment_method": nilIfEmpty(p.Method),
			},
			"amount":           amount,
			"amount_formatted": p.Currency + " " + amount.String(),
			"currency":         currencyObject(p.Currency),
			"method":           methodObject(p.Method),
			"gateway": map[string]any{
				"id": "6eip4udyt8o6", "account_name": s.merchant, "name": "Moneroo Test Payment Gateway",
				"short_code": "moneroo_test", "transaction_id": p.ID, "transaction_status": gatewayStatus(p.Status),
				"transaction_failure_message": nilIfEmpty(p.FailureMessage),
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
			"email": p.Customer.Email, "phone": nilIfEmpty(p.Customer.Phone), "address": nil,
			"city": nil, "state": nil, "country_code": nilIfEmpty(p.Customer.Country), "country": nil,
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

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// webhookBody is the JSON of a payment.* webhook about p, in the documented
// shape: amount as a number in the main unit, currency as a code.
func webhookBody(p *Payment, delta int64) []byte {
	type customer struct {
		ID        string `json:"id"`
		Email     string `json:"email"`
		FirstName string `json:"firstName"`
		LastName  string `json:"lastName"`
		Phone     any    `json:"phone"`
	}
	type data struct {
		ID       string            `json:"id"`
		Amount   json.Number       `json:"amount"`
		Currency string            `json:"currency"`
		Status   string            `json:"status"`
		Metadata map[string]string `json:"metadata"`
		Customer customer          `json:"customer"`
	}
	meta := p.Metadata
	if meta == nil {
		meta = map[string]string{}
	}
	b, _ := json.Marshal(struct {
		Event string `json:"event"`
		Data  data   `json:"data"`
	}{
		Event: "payment." + p.Status,
		Data: data{
			ID: p.ID, Amount: reported(p, delta), Currency: p.Currency, Status: p.Status, Metadata: meta,
			Customer: customer{ID: p.CustomerID, Email: p.Customer.Email, FirstName: p.Customer.FirstName,
				LastName: p.Customer.LastName, Phone: nilIfEmpty(p.Customer.Phone)},
		},
	})
	return b
}
