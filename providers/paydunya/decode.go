package paydunya

import (
	"encoding/json"
	"strings"

	"github.com/cauripay/cauri/internal/jsonlex"
	"github.com/cauripay/cauri/providers/providerhttp"
)

// The fields of confirm's answer, read in the same decoding pass as the
// answer. Each UnmarshalJSON converts what it is given at once, copying
// it, and never keeps the decoder's slice; it never fails, so that a
// field of an unexpected kind is judged as before by FetchStatus, not by
// encoding/json; and it sets every part of its field, so that of a
// repeated key the last one counts, as with json.RawMessage.

// textField is jsonText of a value.
type textField string

// UnmarshalJSON implements json.Unmarshaler.
func (t *textField) UnmarshalJSON(b []byte) error {
	*t = textField(jsonText(b))
	return nil
}

// stringField is jsonString of a value: a JSON string's value, "" for
// anything else.
type stringField string

// UnmarshalJSON implements json.Unmarshaler.
func (f *stringField) UnmarshalJSON(b []byte) error {
	*f = stringField(jsonString(b))
	return nil
}

// amountField is an amount in the main unit, a JSON number or string,
// kept as its decimal text.
type amountField struct {
	set  bool   // present and not null
	text string // the number's text
	err  error  // the value is neither a number nor a string
}

// UnmarshalJSON implements json.Unmarshaler.
func (a *amountField) UnmarshalJSON(b []byte) error {
	*a = amountField{set: !jsonlex.IsNull(b)}
	if !a.set {
		return nil
	}
	if s, ok := jsonlex.PlainText(b); ok {
		a.text = s
		return nil
	}
	var n providerhttp.Number
	a.err = n.UnmarshalJSON(b)
	a.text = string(n)
	return nil
}

// amount is providerhttp.ParseAmountJSON of the field.
func (a amountField) amount(currency string) (int64, error) {
	if a.err != nil {
		return 0, a.err
	}
	return providerhttp.Number(a.text).Amount(currency)
}

// invoiceField is what FetchStatus reads of the invoice: missing or null
// is an empty invoice, anything but an object is bad.
type invoiceField struct {
	bad   bool
	token string
	total amountField
}

// UnmarshalJSON implements json.Unmarshaler.
func (f *invoiceField) UnmarshalJSON(b []byte) error {
	*f = invoiceField{}
	if jsonlex.IsNull(b) {
		return nil
	}
	var inv struct {
		Token       textField   `json:"token"`
		TotalAmount amountField `json:"total_amount"`
	}
	if json.Unmarshal(b, &inv) != nil {
		f.bad = true
		return nil
	}
	f.token, f.total = string(inv.Token), inv.TotalAmount
	return nil
}

// customDataField is custom_data's cauri_payment_id, as customPaymentID
// reads it.
type customDataField struct {
	paymentID string
	err       error
}

// UnmarshalJSON implements json.Unmarshaler.
func (f *customDataField) UnmarshalJSON(b []byte) error {
	f.paymentID, f.err = customPaymentID(b)
	return nil
}

// jsonString returns a JSON string's value, "" for anything else.
func jsonString(raw []byte) string {
	s, _ := decodeString(raw)
	return s
}

// decodeString decodes raw as json.Unmarshal into a string would: ok is
// false when it would fail, and null gives "".
func decodeString(raw []byte) (string, bool) {
	b := jsonlex.TrimSpace(raw)
	if s, ok := jsonlex.PlainString(b); ok {
		return s, true
	}
	if string(b) == "null" {
		return "", true
	}
	if len(b) == 0 || b[0] != '"' {
		return "", false
	}
	var s string // escapes to the heap, on this path only
	err := json.Unmarshal(raw, &s)
	return s, err == nil
}

// jsonText returns a JSON string's value, trimmed, or a JSON number's
// text, and "" for anything else: what decoding raw into a string, or
// failing that into a json.Number, gives.
func jsonText(raw []byte) string {
	if s, ok := jsonlex.PlainText(raw); ok {
		return s
	}
	if b := jsonlex.TrimSpace(raw); len(b) == 0 || b[0] != '"' {
		// Not a string; and not a number, or plainText would have taken
		// it: null, true, false, an object, an array, or not JSON.
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return strings.TrimSpace(s)
	}
	return ""
}
