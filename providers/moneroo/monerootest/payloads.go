package monerootest

import (
	"cmp"
	"embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/internal/emulator"
)

// files are Moneroo's answers and webhook as its reference prints them
// (answers/), the request body it checks (shapes/) and its tables
// (data/).
//
//go:embed answers/*.json data/*.json shapes/*.json
var files embed.FS

// Moneroo's payment statuses.
const (
	statusInitiated = "initiated"
	statusSuccess   = "success"
	statusFailed    = "failed"
	statusCancelled = "cancelled"
	// statusPending is Moneroo's word for a payment the customer made and
	// the operator has not confirmed: a pay-later payment's status until
	// its phone confirms.
	statusPending = "pending"
)

// initChecks are the checks of initialize's body (shapes/initialize.json)
// that are Moneroo's own. amount is read as Laravel's "numeric" rule,
// which the Laravel SDK applies: a JSON number or a numeric string (the
// WooCommerce plugin sends the order total uncast, "5000.00"), decimals
// included, but none finer than the currency has (see initPayment).
var initChecks = map[string]func(v any) (rule, arg string){
	"currency": func(v any) (string, string) {
		if c := v.(string); len(c) != 3 || strings.Trim(c, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
			return emulator.RuleOneOf, ""
		}
		return "", ""
	},
	"amount": func(v any) (string, string) {
		switch s := v.(string); {
		case !emulator.IsDecimal(s):
			return emulator.RuleType, ""
		case strings.HasPrefix(s, "-"):
			return emulator.RulePositive, ""
		}
		return "", ""
	},
	"tenEntries": func(v any) (string, string) {
		if len(v.(map[string]any)) > 10 {
			return emulator.RuleMax, "10"
		}
		return "", ""
	},
}

// initPayment checks an initialize body and returns the payment it
// describes, or the problems.
func (s *Server) initPayment(in map[string]any) (*Payment, []emulator.Problem) {
	v, problems := s.shapes["initialize.json"].Decode(in)
	c, meta := v.Nested("customer"), v.Nested("metadata")
	p := &Payment{
		Currency: v.String("currency"), Description: v.String("description"), ReturnURL: v.String("return_url"), Metadata: map[string]string{},
		Customer: Customer{Email: c.String("email"), FirstName: c.String("first_name"), LastName: c.String("last_name"), Phone: c.String("phone"), Country: c.String("country")},
	}
	for k := range meta {
		p.Metadata[k] = meta.String(k) // blank values were read as null, and left out
	}
	for _, k := range v.Keys("methods") {
		p.Methods = append(p.Methods, v.Nested("methods").String(k))
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

// view is a payment as Moneroo's answers and webhooks show it: the record,
// under the Env (the server's URL, the delta added to the amounts
// reported), for the merchant.
type view struct {
	*Payment
	emulator.Env
	Merchant   string
	currencies map[string]currency
}

// Reported is the amount reported, in the main unit, as a JSON number:
// 5000, 10.50.
func (v view) Reported() json.Number {
	return json.Number(cauri.FormatAmount(v.Amount+v.Delta, v.Currency))
}

// Created is when the payment was initialized, as Moneroo writes times.
func (v view) Created() string { return v.CreatedAt.Format(time.RFC3339Nano) }

// CheckoutURL is the payment's hosted page.
func (v view) CheckoutURL() string { return v.URL + "/checkout/" + v.ID }

// Back is where the customer is sent back: return_url with paymentId and
// paymentStatus.
func (v view) Back() string {
	return emulator.WithQuery(v.ReturnURL, "paymentId", v.ID, "paymentStatus", v.Status)
}

// currency is what Moneroo's currency object says of a currency besides
// its code. subunit_to_unit is 100 whatever the currency, as Moneroo's own
// example shows for XOF.
type currency struct {
	Code, Name, Plural string
	Decimals           int
}

// Money is the payment's currency, for its currency object.
func (v view) Money() currency {
	c := v.currencies[v.Currency]
	c.Code, c.Decimals = v.Currency, cauri.CurrencyExponent(v.Currency)
	c.Name, c.Plural = cmp.Or(c.Name, c.Code), cmp.Or(c.Plural, c.Code)
	return c
}
