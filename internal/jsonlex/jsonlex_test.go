package jsonlex

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestValues(t *testing.T) {
	tests := []struct {
		in       string
		text     string
		textOK   bool
		number   bool
		null     bool
		plainStr bool
	}{
		{in: `"abc"`, text: "abc", textOK: true, plainStr: true},
		{in: ` " abc " `, text: "abc", textOK: true, plainStr: true},
		{in: `"a\"b"`},
		{in: `"café"`, text: "café", textOK: true, plainStr: true},
		{in: "\"\xff\""},
		{in: `12.50`, text: "12.50", textOK: true, number: true},
		{in: `-0`, text: "-0", textOK: true, number: true},
		{in: `1e+3`, text: "1e+3", textOK: true, number: true},
		{in: `01`},
		{in: `1.`},
		{in: `-`},
		{in: `null`, null: true},
		{in: `  `, null: true},
		{in: ``, null: true},
		{in: `{}`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			b := []byte(tt.in)
			if text, ok := PlainText(b); text != tt.text || ok != tt.textOK {
				t.Errorf("PlainText = %q, %v; want %q, %v", text, ok, tt.text, tt.textOK)
			}
			if got := IsNumber(TrimSpace(b)); got != tt.number {
				t.Errorf("IsNumber = %v, want %v", got, tt.number)
			}
			if got := IsNull(b); got != tt.null {
				t.Errorf("IsNull = %v, want %v", got, tt.null)
			}
			if _, ok := PlainString(TrimSpace(b)); ok != tt.plainStr {
				t.Errorf("PlainString ok = %v, want %v", ok, tt.plainStr)
			}
		})
	}
}

// FuzzAgainstEncodingJSON: whatever these read, encoding/json reads the
// same way.
func FuzzAgainstEncodingJSON(f *testing.F) {
	for _, s := range []string{`"abc"`, `12.5`, `-0.1e-7`, `null`, `"a\u00e9"`, "\"\xc3\"", `01`, ` 7 `} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		trimmed := TrimSpace(b)
		if s, ok := PlainString(trimmed); ok {
			var want string
			if err := json.Unmarshal(trimmed, &want); err != nil || want != s {
				t.Fatalf("PlainString(%q) = %q; encoding/json: %q, %v", trimmed, s, want, err)
			}
		}
		var n json.Number
		isNum := len(trimmed) > 0 && trimmed[0] != '"' && string(trimmed) != "null" && json.Unmarshal(trimmed, &n) == nil
		if IsNumber(trimmed) != isNum {
			t.Fatalf("IsNumber(%q) = %v; encoding/json reads a number: %v", trimmed, !isNum, isNum)
		}
		if got, want := IsNull(b), len(bytes.TrimSpace(b)) == 0 || string(bytes.TrimSpace(b)) == "null"; got != want {
			t.Fatalf("IsNull(%q) = %v, want %v", b, got, want)
		}
	})
}
