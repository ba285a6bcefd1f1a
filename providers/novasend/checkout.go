package novasend

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/internal/clientkit"
	"github.com/cauripay/cauri/providers/providerhttp"
)

// maxCustomerName is how much of the customer's name is sent.
const maxCustomerName = 100 // characters

// ErrAccountID is wrapped by CreateCheckout's error when NovaSend refuses
// the session's accountId: missing, or not an account it knows (its 404
// wallet_not_found, "verify the wallet identifier"). It is a configuration
// matter, permanent: Config.AccountID must be the merchant account NovaSend
// gave with the API credentials.
var ErrAccountID = errors.New("novasend: accountId refused: set Config.AccountID to the merchant account of the API credentials")

// sessionRequest is the body of POST /v1/payin/sessions, in the documented
// field order: the seed's fields, then the newer API's action.
type sessionRequest struct {
	Reference    string        `json:"reference"`
	AccountID    string        `json:"accountId"`
	Amount       int64         `json:"amount"`
	Msisdn       string        `json:"msisdn"`
	CustomerName string        `json:"customerName"`
	Country      string        `json:"country"`
	Action       sessionAction `json:"action"`
}

type sessionAction struct {
	SuccessURL string `json:"successUrl"`
	FailureURL string `json:"failureUrl"`
}

// sessionResponse is what CreateCheckout reads of the answer: the seed's
// shape (reference is NovaSend's, customerReference ours) or the newer one
// (id is NovaSend's, reference ours).
type sessionResponse struct {
	ID                json.RawMessage `json:"id"`
	Type              json.RawMessage `json:"type"`
	Reference         json.RawMessage `json:"reference"`
	CustomerReference json.RawMessage `json:"customerReference"`
	PaymentURL        json.RawMessage `json:"paymentUrl"`
}

// CreateCheckout opens a NovaSend payin session and returns its paymentUrl,
// the page where the customer confirms the payment. Our payment ID is the
// session's reference, and the X-Idempotency-Key is derived from it (see
// [IdempotencyKey]), so a retried creation opens nothing new.
//
// NovaSend needs the payer's phone number in E.164 form, a name, and a
// country whose currency is the order's (see [CurrencyOf]; the country is
// read from the phone number when the order has none), and takes whole
// currency units only. An order lacking any of these fails before any call
// with a *cauri.ValidationError naming every field.
func (p *Provider) CreateCheckout(ctx context.Context, req cauri.CheckoutRequest) (cauri.Checkout, error) {
	h := p.headers()
	h.Set(IdempotencyHeader, IdempotencyKey(req.PaymentID))
	resp, err := clientkit.Post(ctx, p.http, providerhttp.Request{
		Op: "create", URL: p.base + "/payin/sessions", Header: h,
	}, p.sessionBody, req)
	if err != nil {
		return cauri.Checkout{}, accountRefusal(resp, err)
	}
	bad := clientkit.Answer{Provider: Name, Op: "create", Status: resp.StatusCode}.Malformed
	if pe := errorInBody(resp, "create"); pe != nil {
		return cauri.Checkout{}, accountRefusal(resp, pe)
	}
	var sr sessionResponse
	if err := resp.DecodeJSON(&sr); err != nil {
		return cauri.Checkout{}, &cauri.ProviderError{Provider: Name, Op: "create", StatusCode: resp.StatusCode, Err: err}
	}
	if typ, _ := jsonText(sr.Type); typ != "" && !strings.EqualFold(typ, "payin") {
		return cauri.Checkout{}, bad("answer is a %q, not a payin", clientkit.Truncate(typ, 20))
	}
	ref, _ := jsonText(sr.Reference)
	id, _ := jsonText(sr.ID)
	if cref, _ := jsonText(sr.CustomerReference); cref != "" && cref != req.PaymentID {
		return cauri.Checkout{}, bad("answer is about another payment (customerReference)")
	}
	pageURL, _ := jsonText(sr.PaymentURL)
	if !clientkit.AbsoluteHTTP(pageURL) {
		return cauri.Checkout{}, bad("answer has no usable paymentUrl")
	}
	return cauri.Checkout{ProviderRef: providerRef(req.PaymentID, ref, id), RedirectURL: pageURL}, nil
}

// accountRefusal makes err, a refused creation, wrap ErrAccountID when
// NovaSend's answer is about the account: its wallet_not_found code, or a
// validation error naming accountId. Only a permanent refusal is looked
// at; any other error is returned as it is.
func accountRefusal(resp *providerhttp.Response, err error) error {
	var pe *cauri.ProviderError
	if resp == nil || !errors.As(err, &pe) || pe.Temporary || !aboutAccount(resp.Body) {
		return err
	}
	if pe.Err != nil {
		pe.Err = fmt.Errorf("%w: %w", ErrAccountID, pe.Err)
	} else {
		pe.Err = ErrAccountID
	}
	return err
}

// aboutAccount reports whether an error answer is about the session's
// accountId.
func aboutAccount(body []byte) bool {
	var e apiError
	if json.Unmarshal(body, &e) != nil {
		return false
	}
	code, _ := jsonText(e.Code)
	errCode, errMsg := errorField(e.Error)
	if strings.EqualFold(code, "wallet_not_found") || strings.EqualFold(errCode, "wallet_not_found") {
		return true
	}
	if slices.ContainsFunc(errorFields(e.Errors), func(f string) bool { return strings.EqualFold(f, "accountId") }) {
		return true
	}
	for _, m := range []string{messageText(e.Message), errMsg} {
		if strings.Contains(strings.ToLower(m), "accountid") {
			return true
		}
	}
	return false
}

// providerRef picks NovaSend's reference for a session from its answer:
// reference when it is NovaSend's own (the seed's answer), else id (the
// newer answer, whose reference echoes ours), else our payment ID, which
// the status endpoint also takes.
func providerRef(paymentID, reference, id string) string {
	switch {
	case reference != "" && reference != paymentID:
		return reference
	case id != "":
		return id
	}
	return paymentID
}

// sessionBody builds the session's body, or the *cauri.ValidationError
// naming everything NovaSend would refuse.
func (p *Provider) sessionBody(req cauri.CheckoutRequest) (*sessionRequest, error) {
	o := req.Order
	invalid := clientkit.Invalid{What: "order"}
	bad := invalid.Bad

	amount := invalid.WholeUnits(o.Amount, o.Currency, ": novasend takes no fractional amounts")

	c := o.Customer
	name := clientkit.Truncate(strings.TrimSpace(c.Name()), maxCustomerName)
	msisdn, phoneOK := normalizePhone(c.Phone)
	country := strings.ToUpper(strings.TrimSpace(c.Country))
	if country == "" && phoneOK {
		country = countryOfPhone(msisdn)
	}
	currency, countryOK := CurrencyOf(country)

	switch {
	case o.Currency == "":
		bad("Currency", "is required")
	case countryOK && !strings.EqualFold(o.Currency, currency):
		bad("Currency", fmt.Sprintf("must be %s: novasend charges a payer in %s in %s", currency, country, currency))
	}
	if name == "" {
		bad("Customer.FirstName", "or Customer.LastName is required by novasend (customerName)")
	}
	switch {
	case strings.TrimSpace(c.Phone) == "":
		bad("Customer.Phone", "is required by novasend (msisdn)")
	case !phoneOK:
		bad("Customer.Phone", "must be in E.164 form, like +2250701020304")
	}
	switch {
	case country == "" && strings.TrimSpace(c.Country) == "":
		bad("Customer.Country", "is required by novasend, or a phone number from a country it serves")
	case !countryOK:
		bad("Customer.Country", "must be a country novasend serves in XOF or XAF (CI, SN, TG, BJ, BF, ML, NE, GW, CM, GA, CG, TD, CF, GQ)")
	}
	if strings.TrimSpace(req.PaymentID) == "" {
		bad("PaymentID", "is required (novasend's reference)")
	}
	if !clientkit.AbsoluteHTTP(req.ReturnURL) {
		bad("ReturnURL", "must be an absolute http(s) URL (novasend's action.successUrl and failureUrl)")
	}
	if err := invalid.Err(); err != nil {
		return nil, err
	}

	return &sessionRequest{
		Reference:    req.PaymentID,
		AccountID:    p.accountID,
		Amount:       amount,
		Msisdn:       msisdn,
		CustomerName: name,
		Country:      country,
		Action:       sessionAction{SuccessURL: req.ReturnURL, FailureURL: req.ReturnURL},
	}, nil
}

// normalizePhone removes the spaces, dots, dashes and brackets people put
// in phone numbers and reports whether what is left is an E.164 number: a
// plus, a non-zero digit, and 7 to 14 more digits.
func normalizePhone(phone string) (string, bool) {
	var b strings.Builder
	for _, r := range strings.TrimSpace(phone) {
		switch r {
		case ' ', '.', '-', '(', ')':
			continue
		}
		b.WriteRune(r)
	}
	s := b.String()
	if len(s) < 9 || len(s) > 16 || s[0] != '+' || s[1] == '0' {
		return s, false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return s, false
		}
	}
	return s, true
}

// apiError is what this package reads of NovaSend's error answers. Their
// shape is not documented beyond the codes and messages of its error
// tables, so every usual field is read: statusCode, code, message (a string
// or a list), error (a string or an object with code and message), and
// errors (a list of objects with a field, or an object keyed by field).
type apiError struct {
	StatusCode json.RawMessage `json:"statusCode"`
	Success    json.RawMessage `json:"success"`
	Code       json.RawMessage `json:"code"`
	Message    json.RawMessage `json:"message"`
	Error      json.RawMessage `json:"error"`
	Errors     json.RawMessage `json:"errors"`
	// Fields whose presence says the answer is a payin, not an error.
	Status     json.RawMessage `json:"status"`
	Reference  json.RawMessage `json:"reference"`
	PaymentURL json.RawMessage `json:"paymentUrl"`
}

// describe extracts NovaSend's explanation from an error answer: its code,
// its message, and the names (never the values) of the fields it says are
// invalid.
func describe(_ int, _ http.Header, body []byte) string {
	var e apiError
	if json.Unmarshal(body, &e) != nil {
		return ""
	}
	return e.describe()
}

func (e apiError) describe() string {
	var parts []string
	code, _ := jsonText(e.Code)
	msg := messageText(e.Message)
	errCode, errMsg := errorField(e.Error)
	code, msg = cmp.Or(code, errCode), cmp.Or(msg, errMsg)
	if code != "" {
		parts = append(parts, clientkit.Truncate(code, 60))
	}
	if msg != "" && msg != code {
		parts = append(parts, clientkit.Truncate(msg, 200))
	}
	out := strings.Join(parts, ": ")
	if fields := errorFields(e.Errors); len(fields) > 0 {
		if out != "" {
			out += " "
		}
		out += "(invalid: " + strings.Join(fields, ", ") + ")"
	}
	return out
}

// messageText reads a message given as a string or as a list of strings
// (NestJS validation's shape).
func messageText(raw json.RawMessage) string {
	if s, ok := jsonText(raw); ok {
		return s
	}
	var list []string
	if json.Unmarshal(raw, &list) == nil {
		for i := range list {
			list[i] = strings.TrimSpace(list[i])
		}
		return strings.Join(slices.DeleteFunc(list, func(s string) bool { return s == "" }), "; ")
	}
	return ""
}

// errorField reads an "error" given as a string or as an object with a
// code and a message.
func errorField(raw json.RawMessage) (code, msg string) {
	if s, ok := jsonText(raw); ok {
		return "", s
	}
	var obj struct {
		Code    json.RawMessage `json:"code"`
		Message json.RawMessage `json:"message"`
	}
	if json.Unmarshal(raw, &obj) == nil {
		code, _ = jsonText(obj.Code)
		msg = messageText(obj.Message)
	}
	return code, msg
}

// errorFields lists the field names of a validation "errors" value: an
// array of objects with a "field" (or "property"), or an object keyed by
// field.
func errorFields(raw json.RawMessage) []string {
	var fields []string
	var list []struct {
		Field    string `json:"field"`
		Property string `json:"property"`
	}
	var byField map[string]json.RawMessage
	switch {
	case json.Unmarshal(raw, &list) == nil:
		for _, e := range list {
			if f := cmp.Or(e.Field, e.Property); f != "" {
				fields = append(fields, f)
			}
		}
	case json.Unmarshal(raw, &byField) == nil:
		for k := range byField {
			fields = append(fields, k)
		}
	}
	return clientkit.FieldNames(fields)
}

// errorInBody returns the error a 2xx answer carries in its body (NovaSend
// answering 200 with {"statusCode": 404, "message": ...}, or with
// "success": false, or with an "error" and nothing of a payin), or nil. A
// statusCode in the body is classified as an HTTP status would be; a 404
// wraps cauri.ErrNotFound.
func errorInBody(resp *providerhttp.Response, op string) *cauri.ProviderError {
	body := bytes.TrimSpace(resp.Body)
	if len(body) == 0 || body[0] != '{' {
		return nil
	}
	var e apiError
	if json.Unmarshal(body, &e) != nil {
		return nil
	}
	var status int
	_ = json.Unmarshal(e.StatusCode, &status)
	var success *bool
	_ = json.Unmarshal(e.Success, &success)
	isPayin := !clientkit.IsNull(e.Status) || !clientkit.IsNull(e.Reference) || !clientkit.IsNull(e.PaymentURL)
	errorSet := false
	if c, m := errorField(e.Error); c != "" || m != "" {
		errorSet = true
	}
	if status < 400 && (success == nil || *success) && (isPayin || !errorSet) {
		return nil
	}
	pe := &cauri.ProviderError{Provider: Name, Op: op, StatusCode: resp.StatusCode, Message: e.describe(),
		Temporary: status >= 400 && providerhttp.TemporaryStatus(status)}
	err := fmt.Errorf("HTTP %d with an error in its body", resp.StatusCode)
	if status != 0 {
		err = fmt.Errorf("HTTP %d with an error in its body (statusCode %d)", resp.StatusCode, status)
	}
	if status == http.StatusNotFound {
		err = fmt.Errorf("%w: %w", cauri.ErrNotFound, err)
	}
	pe.Err = err
	return pe
}

// jsonText returns a JSON string's trimmed value, or a JSON number's text,
// and whether raw was either. null and a missing value give "", true.
func jsonText(raw json.RawMessage) (string, bool) {
	if clientkit.IsNull(raw) {
		return "", true
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return strings.TrimSpace(s), true
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String(), true
	}
	return "", false
}

// notFound reports whether err is NovaSend saying it knows no such payin.
func notFound(err error) bool {
	var pe *cauri.ProviderError
	return errors.Is(err, cauri.ErrNotFound) && errors.As(err, &pe) && !pe.Temporary
}
