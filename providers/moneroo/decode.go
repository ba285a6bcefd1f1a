package moneroo

import (
	"encoding/json"
	"strings"

	"github.com/cauripay/cauri/internal/jsonlex"
	"github.com/cauripay/cauri/providers/internal/clientkit"
)

// The lenient fields of Moneroo's payment object, read in the same
// decoding pass as the object that holds them. Each UnmarshalJSON
// converts what it is given at once, copying it, and never keeps the
// decoder's slice; it never fails, so that a field of an unexpected kind
// is judged as before by the caller, not by encoding/json; and it sets
// every part of its field, so that of a repeated key the last one counts,
// as with json.RawMessage.

// stringField is a JSON string's value; anything else is "".
type stringField string

// UnmarshalJSON implements json.Unmarshaler.
func (s *stringField) UnmarshalJSON(b []byte) error {
	v, _ := clientkit.DecodeString(b)
	*s = stringField(v)
	return nil
}

// currencyReader reads a currency field as currencyCode does.
type currencyReader struct{}

// Read implements clientkit.Reader.
func (currencyReader) Read(b []byte) (string, error) { return currencyCode(b) }

// metadataField is our payment ID from metadata.cauri_payment_id, as
// decoding metadata into a map[string]json.RawMessage and its
// cauri_payment_id into a string would give it: "" unless metadata is an
// object (PHP sends an empty one as []) whose cauri_payment_id is a string.
type metadataField struct {
	paymentID string
}

// UnmarshalJSON implements json.Unmarshaler.
func (m *metadataField) UnmarshalJSON(b []byte) error {
	m.paymentID = ""
	if b = jsonlex.TrimSpace(b); len(b) == 0 || b[0] != '{' {
		return nil // not an object: no map, no ID
	}
	v, found, ok := member(b, MetaPaymentID)
	if !ok {
		// A name with an escape, or a shape member does not walk:
		// encoding/json decides.
		var meta map[string]json.RawMessage
		if json.Unmarshal(b, &meta) != nil {
			return nil
		}
		v, found = meta[MetaPaymentID]
	}
	if !found {
		return nil
	}
	if s, ok := clientkit.DecodeString(v); ok {
		m.paymentID = strings.TrimSpace(s)
	}
	return nil
}

// captureField is what this package reads of capture: the failure message
// and the method's short code, both ignored unless capture decodes
// without error.
type captureField struct {
	failure, method string
}

// UnmarshalJSON implements json.Unmarshaler.
func (c *captureField) UnmarshalJSON(b []byte) error {
	*c = captureField{}
	var capture struct {
		FailureMessage *string `json:"failure_message"`
		Method         *struct {
			ShortCode *string `json:"short_code"`
		} `json:"method"`
	}
	if json.Unmarshal(b, &capture) != nil {
		return nil
	}
	if capture.FailureMessage != nil {
		c.failure = clientkit.Truncate(strings.TrimSpace(*capture.FailureMessage), 200)
	}
	if capture.Method != nil && capture.Method.ShortCode != nil {
		c.method = clientkit.Truncate(strings.TrimSpace(*capture.Method.ShortCode), 64)
	}
	return nil
}

// paymentField is a payment object read by parsePayment during the
// decoding of what holds it, its error kept for after the caller has
// looked at the rest (a webhook's event).
type paymentField struct {
	set bool
	p   payment
	err error
}

// UnmarshalJSON implements json.Unmarshaler.
func (f *paymentField) UnmarshalJSON(b []byte) error {
	f.set = true
	f.p, f.err = parsePayment(b)
	return nil
}

// payment returns the payment, or parsePayment's error; a missing field
// is not an object.
func (f *paymentField) payment() (payment, error) {
	if !f.set {
		return parsePayment(nil)
	}
	return f.p, f.err
}

// member finds in obj, a JSON object that encoding/json has already
// checked, the value of its last member called name, as decoding obj into
// a map[string]json.RawMessage would: names compare exactly, and of a
// repeated name the last one wins. found is false when there is none. ok
// is false when obj has a shape this walker leaves to encoding/json: a
// name with an escape in it, or anything unexpected.
func member(obj []byte, name string) (v []byte, found, ok bool) {
	i := skipSpace(obj, 0)
	if i == len(obj) || obj[i] != '{' {
		return nil, false, false
	}
	i = skipSpace(obj, i+1)
	if i < len(obj) && obj[i] == '}' {
		return nil, false, skipSpace(obj, i+1) == len(obj)
	}
	for {
		if i == len(obj) || obj[i] != '"' {
			return nil, false, false
		}
		j := i + 1
		for j < len(obj) && obj[j] != '"' {
			if obj[j] == '\\' {
				return nil, false, false
			}
			j++
		}
		if j == len(obj) {
			return nil, false, false
		}
		key := obj[i+1 : j]
		i = skipSpace(obj, j+1)
		if i == len(obj) || obj[i] != ':' {
			return nil, false, false
		}
		i = skipSpace(obj, i+1)
		end := skipValue(obj, i)
		if end < 0 {
			return nil, false, false
		}
		if string(key) == name {
			v, found = obj[i:end], true
		}
		i = skipSpace(obj, end)
		switch {
		case i == len(obj):
			return nil, false, false
		case obj[i] == ',':
			i = skipSpace(obj, i+1)
		case obj[i] == '}':
			if skipSpace(obj, i+1) != len(obj) {
				return nil, false, false
			}
			return v, found, true
		default:
			return nil, false, false
		}
	}
}

// soleObject reports whether obj, a JSON object, has exactly one member
// whose name encoding/json would match to a field called name (an ASCII
// name, matched regardless of case), and that member's value is an
// object. It is false also for anything it does not walk: a name with an
// escape or a non-ASCII byte, or a shape it does not expect.
func soleObject(obj []byte, name string) bool {
	i := skipSpace(obj, 0)
	if i == len(obj) || obj[i] != '{' {
		return false
	}
	i = skipSpace(obj, i+1)
	found := 0
	for i < len(obj) && obj[i] == '"' {
		j := i + 1
		for j < len(obj) && obj[j] != '"' {
			if obj[j] == '\\' || obj[j] >= 0x80 {
				return false
			}
			j++
		}
		if j == len(obj) {
			return false
		}
		key := obj[i+1 : j]
		i = skipSpace(obj, j+1)
		if i == len(obj) || obj[i] != ':' {
			return false
		}
		i = skipSpace(obj, i+1)
		end := skipValue(obj, i)
		if end < 0 {
			return false
		}
		if strings.EqualFold(string(key), name) {
			if obj[i] != '{' {
				return false
			}
			found++
		}
		i = skipSpace(obj, end)
		switch {
		case i == len(obj):
			return false
		case obj[i] == ',':
			i = skipSpace(obj, i+1)
		case obj[i] == '}':
			return found == 1 && skipSpace(obj, i+1) == len(obj)
		default:
			return false
		}
	}
	return false
}

// skipSpace returns the index of the first byte of b from i on that is
// not JSON white space.
func skipSpace(b []byte, i int) int {
	for i < len(b) && jsonlex.IsSpace(b[i]) {
		i++
	}
	return i
}

// skipValue returns the index just past the JSON value that starts at
// b[i], or -1 when there is none.
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				end := skipString(b, j)
				if end < 0 {
					return -1
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return -1
	}
	// A number, true, false or null.
	j := i
	for j < len(b) && !jsonlex.IsSpace(b[j]) && b[j] != ',' && b[j] != '}' && b[j] != ']' {
		j++
	}
	if j == i {
		return -1
	}
	return j
}

// skipString returns the index just past the JSON string that starts at
// b[i], or -1 when it does not end.
func skipString(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return -1
}
