package clientkit

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/internal/jsonlex"
)

// Text returns a JSON string's value, trimmed, or a JSON number's text,
// and "" for anything else. A plain value (a string without escapes, a
// number) is read from its bytes; only a string with escapes goes through
// encoding/json, whose reading Text keeps (FuzzText holds it to it).
func Text(raw json.RawMessage) string {
	if s, ok := jsonlex.PlainText(raw); ok {
		return s
	}
	if b := jsonlex.TrimSpace(raw); len(b) == 0 || b[0] != '"' {
		// Not a string; and not a number, or PlainText would have taken
		// it: null, true, false, an object, an array, or not JSON.
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return strings.TrimSpace(s)
	}
	return ""
}

// StringValue returns the value of raw, a JSON string: that of what an
// answer or a notification calls name. Missing or null gives ""; any other
// kind of value, an error wrapping cauri.ErrMalformed.
func StringValue(raw json.RawMessage, name string) (string, error) {
	s, ok := DecodeString(raw)
	switch {
	case ok:
		return s, nil
	case IsNull(raw):
		return "", nil
	}
	return "", fmt.Errorf("%w: %s is not a string", cauri.ErrMalformed, name)
}

// CurrencyCode reads code, the currency an answer or a notification
// states in what it calls name: trimmed and in upper case, "" when empty,
// or an error wrapping cauri.ErrMalformed when it is not an ISO 4217 code.
func CurrencyCode(code, name string) (string, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	if code != "" && !ISOCode(code) {
		return "", fmt.Errorf("%w: %s is not an ISO 4217 code", cauri.ErrMalformed, name)
	}
	return code, nil
}

// DecodeObject decodes raw, which must be a JSON object, into v: what an
// answer or a notification calls name. Anything else gives an error
// wrapping cauri.ErrMalformed.
func DecodeObject(raw json.RawMessage, name string, v any) error {
	if !IsObject(raw) || json.Unmarshal(raw, v) != nil {
		return fmt.Errorf("%w: %s is not a JSON object", cauri.ErrMalformed, name)
	}
	return nil
}

// IsNull reports whether raw is missing or JSON null.
func IsNull(raw json.RawMessage) bool { return jsonlex.IsNull(raw) }

// IsObject reports whether raw is a JSON object.
func IsObject(raw json.RawMessage) bool {
	b := jsonlex.TrimSpace(raw)
	return len(b) > 0 && b[0] == '{'
}

// OneLine trims s and folds its line breaks and tabs into spaces.
func OneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// Truncate cuts s to at most n characters.
func Truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n])
}

// MessageText reads a message written as a string or as an array of
// strings, the first five of which it joins with "; ", each on one line,
// cut to 200 characters. Anything else gives "".
func MessageText(raw json.RawMessage) string {
	if s, ok := DecodeString(raw); ok {
		return Truncate(OneLine(s), 200)
	}
	if b := jsonlex.TrimSpace(raw); len(b) == 0 || b[0] != '[' {
		return ""
	}
	var s string
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) != nil {
		return ""
	}
	parts := make([]string, 0, min(len(list), 5))
	for _, item := range list {
		if json.Unmarshal(item, &s) == nil && strings.TrimSpace(s) != "" {
			parts = append(parts, OneLine(s))
		}
		if len(parts) == 5 {
			break
		}
	}
	return Truncate(strings.Join(parts, "; "), 200)
}

// ISOCode reports whether code is written as an ISO 4217 code: three
// upper-case letters.
func ISOCode(code string) bool {
	return len(code) == 3 && strings.Trim(code, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == ""
}

// FieldNames lists, for a message, the names of the fields an error
// answer says are invalid: sorted, each once and cut to 60 characters, the
// first ten then "..." when there are more.
func FieldNames(names []string) []string {
	slices.Sort(names)
	names = slices.Compact(names)
	for i, f := range names {
		names[i] = Truncate(f, 60)
	}
	if len(names) > 10 {
		names = append(names[:10], "...")
	}
	return names
}
