package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Obj is a JSON object whose keys keep the order they were given in: a
// provider's answer or notification declared as its documentation shows
// it, the payment's fields in place. Build one with [O].
type Obj []any

// O returns the object of the pairs kv: key, value, key, value... A key
// ending in ",omitempty" is left out when its value is empty as
// encoding/json's omitempty means it (nil, false, 0, "", an empty slice
// or map, a nil pointer).
func O(kv ...any) Obj { return Obj(kv) }

// MarshalJSON writes the object, its keys in order. Strings are escaped
// as the encoder writing the object escapes them (json.Marshal escapes
// HTML, an Encoder with SetEscapeHTML(false) does not).
func (o Obj) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	b.WriteByte('{')
	n := 0
	for i := 0; i+1 < len(o); i += 2 {
		k, ok := o[i].(string)
		if !ok {
			return nil, fmt.Errorf("emulator: key %d of an Obj is a %T", i/2, o[i])
		}
		if name, omit := strings.CutSuffix(k, ",omitempty"); omit {
			if empty(o[i+1]) {
				continue
			}
			k = name
		}
		if n > 0 {
			b.WriteByte(',')
		}
		n++
		for _, v := range []any{k, o[i+1]} {
			if err := enc.Encode(v); err != nil {
				return nil, err
			}
			b.Truncate(b.Len() - 1) // Encode's newline
			b.WriteByte(':')
		}
		b.Truncate(b.Len() - 1)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// empty reports whether omitempty leaves v out.
func empty(v any) bool {
	if v == nil {
		return true
	}
	r := reflect.ValueOf(v)
	switch r.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return r.Len() == 0
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Interface, reflect.Pointer:
		return r.IsZero()
	}
	return false
}

// PHPQuery writes v under prefix as PHP's http_build_query writes an
// array, the shape of form-encoded notifications: prefix[key][sub]=value
// for an [Obj], in order, every value as its text; a null or an empty
// object writes nothing.
func PHPQuery(prefix string, v any) []byte {
	var b bytes.Buffer
	var walk func(key string, v any)
	walk = func(key string, v any) {
		switch x := v.(type) {
		case nil:
		case Obj:
			for i := 0; i+1 < len(x); i += 2 {
				walk(key+"["+fmt.Sprint(x[i])+"]", x[i+1])
			}
		default:
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(url.QueryEscape(key) + "=" + url.QueryEscape(fmt.Sprint(x)))
		}
	}
	walk(prefix, v)
	return b.Bytes()
}

// MarshalJS is v as JavaScript's JSON.stringify writes it, for
// the values it takes: compact, "<", ">", "&" and non-ASCII characters as
// they are (encoding/json still escapes U+2028 and U+2029, which
// JSON.stringify does not).
func MarshalJS(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // an Obj of the emulator's values always encodes
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// EscapeAsPHP rewrites compact JSON as PHP's json_encode writes it by
// default, as some providers' documented samples are: inside strings, "/" as
// "\/" and each non-ASCII character as \u escapes (a pair of them beyond
// U+FFFF), lower-case.
func EscapeAsPHP(js []byte) []byte {
	out := make([]byte, 0, len(js)+len(js)/8)
	inString := false
	for i := 0; i < len(js); {
		c := js[i]
		switch {
		case !inString:
			inString = c == '"'
		case c == '\\':
			out = append(out, js[i], js[i+1])
			i += 2
			continue
		case c == '"':
			inString = false
		case c == '/':
			out = append(out, '\\', '/')
			i++
			continue
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRune(js[i:])
			for _, u := range utf16.Encode([]rune{r}) {
				out = fmt.Appendf(out, "\\u%04x", u)
			}
			i += size
			continue
		}
		out = append(out, c)
		i++
	}
	return out
}
