package paydunya

import (
	"encoding/json"

	"github.com/cauripay/cauri/internal/jsonlex"
	"github.com/cauripay/cauri/providers/internal/clientkit"
)

// The fields of confirm's answer, read in the same decoding pass as the
// answer. Each UnmarshalJSON converts what it is given at once, copying
// it, and never keeps the decoder's slice; it never fails, so that a
// field of an unexpected kind is judged as before by FetchStatus, not by
// encoding/json; and it sets every part of its field, so that of a
// repeated key the last one counts, as with json.RawMessage.

// stringField is jsonString of a value: a JSON string's value, "" for
// anything else.
type stringField string

// UnmarshalJSON implements json.Unmarshaler.
func (f *stringField) UnmarshalJSON(b []byte) error {
	*f = stringField(jsonString(b))
	return nil
}

// invoiceField is what FetchStatus reads of the invoice: missing or null
// is an empty invoice, anything but an object is bad.
type invoiceField struct {
	bad   bool
	token string
	total clientkit.AmountField
}

// UnmarshalJSON implements json.Unmarshaler.
func (f *invoiceField) UnmarshalJSON(b []byte) error {
	*f = invoiceField{}
	if jsonlex.IsNull(b) {
		return nil
	}
	var inv struct {
		Token       clientkit.TextField   `json:"token"`
		TotalAmount clientkit.AmountField `json:"total_amount"`
	}
	if json.Unmarshal(b, &inv) != nil {
		f.bad = true
		return nil
	}
	f.token, f.total = string(inv.Token), inv.TotalAmount
	return nil
}

// customDataReader reads custom_data's cauri_payment_id as
// customPaymentID does.
type customDataReader struct{}

// Read implements clientkit.Reader.
func (customDataReader) Read(b []byte) (string, error) { return customPaymentID(b) }

// jsonString returns a JSON string's value, "" for anything else.
func jsonString(raw []byte) string {
	s, _ := clientkit.DecodeString(raw)
	return s
}
