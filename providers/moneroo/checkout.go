package moneroo

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/internal/clientkit"
	"github.com/cauripay/cauri/providers/providerhttp"
)

// Limits Moneroo's initialize endpoint sets.
const (
	maxDescription   = 155 // characters
	maxMetadata      = 10  // entries
	maxMetadataValue = 100 // characters
)

// Metadata keys this package sets on every payment. They take precedence
// over an order's metadata of the same name.
const (
	MetaPaymentID = "cauri_payment_id"
	MetaOrderID   = "order_id"
)

// initRequest is the body of POST /payments/initialize, in the documented
// field order.
type initRequest struct {
	Amount      int64             `json:"amount"`
	Currency    string            `json:"currency"`
	Description string            `json:"description"`
	Customer    initCustomer      `json:"customer"`
	ReturnURL   string            `json:"return_url"`
	Metadata    map[string]string `json:"metadata"`
	Methods     []string          `json:"methods,omitempty"`
}

type initCustomer struct {
	Email     string `json:"email"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Phone     string `json:"phone,omitempty"`
	Country   string `json:"country,omitempty"`
}

// initResponse is initialize's answer.
type initResponse struct {
	Message string `json:"message"`
	Data    *struct {
		ID          json.RawMessage `json:"id"`
		CheckoutURL string          `json:"checkout_url"`
	} `json:"data"`
}

// CreateCheckout initializes a Moneroo payment and returns its hosted
// page. Moneroo requires the customer's email, first name and last name,
// and takes whole currency units only: an order lacking any of these, or
// whose amount has a fractional part, fails before any call with a
// *cauri.ValidationError. Initialize is not idempotent, so the kit never
// retries it.
func (p *Provider) CreateCheckout(ctx context.Context, req cauri.CheckoutRequest) (cauri.Checkout, error) {
	resp, err := clientkit.Post(ctx, p.http, providerhttp.Request{
		Op: "create", URL: p.base + "/payments/initialize", Header: p.headers(),
	}, p.initBody, req)
	if err != nil {
		return cauri.Checkout{}, err
	}
	bad := clientkit.Answer{Provider: Name, Op: "create", Status: resp.StatusCode}.Malformed
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusCreated {
		return cauri.Checkout{}, bad("unexpected HTTP %d to initialize", resp.StatusCode)
	}
	var ir initResponse
	if err := resp.DecodeJSON(&ir); err != nil {
		return cauri.Checkout{}, &cauri.ProviderError{Provider: Name, Op: "create", StatusCode: resp.StatusCode, Err: err}
	}
	if ir.Data == nil {
		return cauri.Checkout{}, bad("answer has no data")
	}
	id := clientkit.Text(ir.Data.ID)
	if id == "" {
		return cauri.Checkout{}, bad("answer has no data.id")
	}
	if !clientkit.AbsoluteHTTP(ir.Data.CheckoutURL) {
		return cauri.Checkout{}, bad("answer has no usable data.checkout_url")
	}
	return cauri.Checkout{ProviderRef: id, RedirectURL: ir.Data.CheckoutURL}, nil
}

// initBody builds initialize's body, or the *cauri.ValidationError naming
// everything Moneroo would refuse.
func (p *Provider) initBody(req cauri.CheckoutRequest) (*initRequest, error) {
	o := req.Order
	invalid := clientkit.Invalid{What: "order"}
	bad := invalid.Bad

	amount := invalid.WholeUnits(o.Amount, o.Currency, ": moneroo takes no fractional amounts")
	if o.Amount > 0 && o.Currency == "" {
		bad("Currency", "is required")
	}
	c := o.Customer
	if strings.TrimSpace(c.Email) == "" {
		bad("Customer.Email", "is required by moneroo")
	}
	if strings.TrimSpace(c.FirstName) == "" {
		bad("Customer.FirstName", "is required by moneroo")
	}
	if strings.TrimSpace(c.LastName) == "" {
		bad("Customer.LastName", "is required by moneroo")
	}
	if req.ReturnURL == "" {
		bad("ReturnURL", "is required by moneroo")
	}
	if err := invalid.Err(); err != nil {
		return nil, err
	}

	desc := strings.TrimSpace(o.Description)
	if desc == "" {
		desc = "Order " + o.ID
	}
	return &initRequest{
		Amount:      amount,
		Currency:    o.Currency,
		Description: clientkit.Truncate(desc, maxDescription),
		Customer: initCustomer{
			Email:     strings.TrimSpace(c.Email),
			FirstName: strings.TrimSpace(c.FirstName),
			LastName:  strings.TrimSpace(c.LastName),
			Phone:     digits(c.Phone),
			Country:   c.Country,
		},
		ReturnURL: req.ReturnURL,
		Metadata:  p.metadata(req),
		Methods:   slices.Clone(p.methods),
	}, nil
}

// metadata is the order's metadata with ours on top, cut to Moneroo's ten
// entries: ours first, then the order's in key order.
func (p *Provider) metadata(req cauri.CheckoutRequest) map[string]string {
	m := map[string]string{MetaPaymentID: req.PaymentID, MetaOrderID: req.Order.ID}
	keys := make([]string, 0, len(req.Order.Metadata))
	for k := range req.Order.Metadata {
		if _, ours := m[k]; !ours {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	dropped := 0
	for _, k := range keys {
		if len(m) >= maxMetadata {
			dropped++
			continue
		}
		m[k] = clientkit.Truncate(req.Order.Metadata[k], maxMetadataValue)
	}
	if dropped > 0 {
		p.log.Warn("order metadata cut to moneroo's limit", "payment_id", req.PaymentID, "dropped_entries", dropped)
	}
	return m
}

// digits keeps the digits of an E.164 phone number: "+225 07 01" becomes
// "2250701".
func digits(phone string) string {
	var b strings.Builder
	for _, r := range phone {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// describe extracts Moneroo's explanation from an error answer: its
// "message", and the names (never the values) of the fields its "errors"
// lists.
func describe(_ int, _ http.Header, body []byte) string {
	var env struct {
		Message json.RawMessage `json:"message"`
		Errors  json.RawMessage `json:"errors"`
	}
	if json.Unmarshal(body, &env) != nil {
		return ""
	}
	var msg string
	_ = json.Unmarshal(env.Message, &msg)
	msg = clientkit.Truncate(strings.TrimSpace(msg), 200)
	if fields := errorFields(env.Errors); len(fields) > 0 {
		if msg != "" {
			msg += " "
		}
		msg += "(invalid: " + strings.Join(fields, ", ") + ")"
	}
	return msg
}

// errorFields lists the field names of a validation "errors" value: an
// object keyed by field (Laravel's shape) or an array of objects with a
// "field".
func errorFields(raw json.RawMessage) []string {
	var fields []string
	var byField map[string]json.RawMessage
	if json.Unmarshal(raw, &byField) == nil {
		for k := range byField {
			fields = append(fields, k)
		}
	} else {
		var list []struct {
			Field string `json:"field"`
		}
		if json.Unmarshal(raw, &list) == nil {
			for _, e := range list {
				if e.Field != "" {
					fields = append(fields, e.Field)
				}
			}
		}
	}
	return clientkit.FieldNames(fields)
}

// ReturnParams reads the query parameters Moneroo appends to the return
// URL: the payment's ID and its status in Moneroo's words. Moneroo's
// English documentation and plugins say paymentId and paymentStatus, the
// French one monerooPaymentId and monerooPaymentStatus: both are read. The
// values are the customer's to forge: use them as a hint, and ask
// FetchStatus.
func ReturnParams(q url.Values) (providerRef, rawStatus string) {
	first := func(keys ...string) string {
		for _, k := range keys {
			if v := strings.TrimSpace(q.Get(k)); v != "" {
				return v
			}
		}
		return ""
	}
	return first("paymentId", "monerooPaymentId"), first("paymentStatus", "monerooPaymentStatus")
}
