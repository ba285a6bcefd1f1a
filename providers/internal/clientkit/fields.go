package clientkit

import (
	"encoding/json"

	"github.com/cauripay/cauri/internal/jsonlex"
	"github.com/cauripay/cauri/providers/providerhttp"
)

// The lenient fields of an answer or a notification read in one decoding
// pass with the object that holds them. Each UnmarshalJSON converts what
// it is given at once, copying it, and never keeps the decoder's slice; it
// never fails, so that a field of an unexpected kind is judged by the
// caller, not by encoding/json; and it sets every part of its field, so
// that of a repeated key the last one counts, as with json.RawMessage.

// DecodeString decodes raw as json.Unmarshal into a string would, without
// it where the string is plain: ok is false when it would fail, and null
// gives "".
func DecodeString(raw []byte) (string, bool) {
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

// Reader reads the JSON value of a field into a T, or says what is wrong
// with it. Its zero value is ready to use.
type Reader[T any] interface {
	Read(raw []byte) (T, error)
}

// Read is a field that R reads in the decoding pass of the object that
// holds it: its Value, and R's Err for the caller to judge.
type Read[T any, R Reader[T]] struct {
	Value T
	Err   error
}

// UnmarshalJSON implements json.Unmarshaler.
func (f *Read[T, R]) UnmarshalJSON(b []byte) error {
	var r R
	f.Value, f.Err = r.Read(b)
	return nil
}

// TextField is Text of a value.
type TextField string

// UnmarshalJSON implements json.Unmarshaler.
func (t *TextField) UnmarshalJSON(b []byte) error {
	*t = TextField(Text(b))
	return nil
}

// AmountField is an amount in its currency's main unit, a JSON number or
// string, kept as its decimal text until the currency is known.
type AmountField struct {
	// Set is whether the amount is present and not null.
	Set  bool
	text string // the number's text
	err  error  // the value is neither a number nor a string
}

// UnmarshalJSON implements json.Unmarshaler.
func (a *AmountField) UnmarshalJSON(b []byte) error {
	*a = AmountField{Set: !jsonlex.IsNull(b)}
	if !a.Set {
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

// Amount is providerhttp.ParseAmountJSON of the field, in currency.
func (a AmountField) Amount(currency string) (int64, error) {
	if a.err != nil {
		return 0, a.err
	}
	return providerhttp.Number(a.text).Amount(currency)
}
