package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

// MarshalJS is v as JavaScript's JSON.stringify writes it, for
// the values it takes: compact, "<", ">", "&" and non-ASCII characters as
// they are (encoding/json still escapes U+2028 and U+2029, which
// JSON.stringify does not).
func MarshalJS(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // the emulator's own values always encode
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
