package emulator

import (
	"bytes"
	"encoding/json"
)

// HTMLSafe is compact JSON js as json.Marshal writes it: "<", ">" and "&"
// inside strings as \u003c, \u003e and \u0026, and U+2028 and U+2029 as
// \u2028 and \u2029. An answer rendered from [Answers], written as
// JavaScript writes JSON, is so sent as a Go API's json.Marshal would
// send it.
func HTMLSafe(js []byte) []byte {
	var b bytes.Buffer
	json.HTMLEscape(&b, js)
	return b.Bytes()
}
