package clientkit_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/cauripay/cauri/providers/internal/clientkit"
)

// FuzzText: Text, StringValue and MessageText read a value as decoding it
// with encoding/json does, though they skip it for plain values.
func FuzzText(f *testing.F) {
	for _, s := range []string{`" a b "`, `12.5`, `-0`, `1e5`, `01`, `"\u0041"`, ``, ` null `, `true`,
		`{"a":1}`, `["x", " ", "y\nz", 1]`, `"unterminated`, `"bad \x escape"`, "\"\xc3\"", `"a" "b"`, `[`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var s string
		stringErr := json.Unmarshal(raw, &s)
		var n json.Number
		want := ""
		switch {
		case stringErr == nil:
			want = strings.TrimSpace(s)
		case json.Unmarshal(raw, &n) == nil:
			want = n.String()
		}
		if got := clientkit.Text(raw); got != want {
			t.Fatalf("Text(%q) = %q; encoding/json reads %q", raw, got, want)
		}
		got, err := clientkit.StringValue(raw, "v")
		if null := clientkit.IsNull(raw); (err == nil) != (stringErr == nil || null) || (stringErr == nil && got != s) || (null && got != "") {
			t.Fatalf("StringValue(%q) = %q, %v; encoding/json: %q, %v", raw, got, err, s, stringErr)
		}
		var list []json.RawMessage
		if msg := clientkit.MessageText(raw); stringErr != nil && json.Unmarshal(raw, &list) != nil && msg != "" {
			t.Fatalf("MessageText(%q) = %q of what is neither a string nor a list", raw, msg)
		} else if stringErr == nil && msg != clientkit.Truncate(clientkit.OneLine(s), 200) {
			t.Fatalf("MessageText(%q) = %q, want %q", raw, msg, s)
		}
	})
}
