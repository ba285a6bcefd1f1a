package novasend

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os/exec"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// stringifyTests are bodies and what Node.js's
// JSON.stringify(JSON.parse(body)) makes of them (checked against node
// 20 by TestStringifyMatchesNode); want "" means JSON.parse throws.
var stringifyTests = []struct{ in, want string }{
	// The documentation's webhook sample: spaces, new lines and "\/" go.
	{"{\n  \"id\": \"tr_bbodj27lqhckrc7yomyjlo\",\n  \"fees\": 0,\n  \"amount\": 306,\n  \"failure\": null,\n" +
		"  \"customer\": {\n      \"name\": \"Souleymane Diomande\"\n  },\n" +
		"  \"paymentUrl\": \"https:\\/\\/pay.wave.com\\/c\\/cos-22rs5qhyr2ej6?a=306&c=XOF&m=NOVASEND%20CI%20%2A%20Conn\",\n" +
		"  \"confirmationRequired\": false\n \n}\n \n ",
		`{"id":"tr_bbodj27lqhckrc7yomyjlo","fees":0,"amount":306,"failure":null,"customer":{"name":"Souleymane Diomande"},` +
			`"paymentUrl":"https://pay.wave.com/c/cos-22rs5qhyr2ej6?a=306&c=XOF&m=NOVASEND%20CI%20%2A%20Conn","confirmationRequired":false}`},
	// Strings.
	{`"caf\u00e9 \u00C9t\u00e9"`, `"café Été"`},
	{`"dd soûl"`, `"dd soûl"`},
	{`"\u0026\u003c\u003e\u2028\u2029"`, "\"&<>\u2028\u2029\""},
	{`"\"\\\/\b\f\n\r\t"`, `"\"\\/\b\f\n\r\t"`},
	{`"\u0000\u001f\u007f\u0080"`, "\"\\u0000\\u001f\x7f\u0080\""},
	{`"\ud83d\ude00 \uD83D\uDE00 😀"`, `"😀 😀 😀"`},
	{`"\ud800"`, `"\ud800"`},
	{`"\udc00\ud800x\uDBFF"`, `"\udc00\ud800x\udbff"`},
	{`"\ude00\ud83d"`, `"\ude00\ud83d"`},
	{"\"a\xffb\"", "\"a\uFFFDb\""},
	{"\"\xe2\x82\"", "\"\uFFFD\""},                 // a cut sequence: one U+FFFD
	{"\"\xed\xa0\x80\"", "\"\uFFFD\uFFFD\uFFFD\""}, // an encoded surrogate: three
	{"\"\xf4\x90\x80\x80\"", "\"\uFFFD\uFFFD\uFFFD\uFFFD\""},
	{"\"\xc0\xaf\"", "\"\uFFFD\uFFFD\""},
	{"\"\xf0\x9f\x98\"", "\"\uFFFD\""},
	// Numbers.
	{`[0,-0,1,-1,1.0,1.50,100,1e2,1E+2,1e-2,0.1,0.000001,0.0000001,1e21,1e20,123456789012345678901234]`,
		`[0,0,1,-1,1,1.5,100,100,100,0.01,0.1,0.000001,1e-7,1e+21,100000000000000000000,1.2345678901234569e+23]`},
	{`[1e400,-1e400,1e-400,5e-324,1.7976931348623157e308,0.1e1,9007199254740993]`,
		`[null,null,0,5e-324,1.7976931348623157e+308,1,9007199254740992]`},
	{`[306.00,"306.00",2.5e-7,-1.5e-7,123e-20]`, `[306,"306.00",2.5e-7,-1.5e-7,1.23e-18]`},
	// Objects: array indices first, repeated keys.
	{`{"b":1,"a":2,"10":3,"2":4,"01":5,"-1":6,"4294967294":7,"4294967295":8,"1.5":9}`,
		`{"2":4,"10":3,"4294967294":7,"b":1,"a":2,"01":5,"-1":6,"4294967295":8,"1.5":9}`},
	{`{"a":1,"b":2,"a":{"x":[1]}}`, `{"a":{"x":[1]},"b":2}`},
	{`{"__proto__":1,"constructor":2}`, `{"__proto__":1,"constructor":2}`},
	{`{"\u0061":1,"a":2}`, `{"a":2}`},
	{`{"\ud800":1,"\ud800":2}`, `{"\ud800":2}`},
	{`{ }`, `{}`},
	{`[ ]`, `[]`},
	{` [ true , false , null , { } , [ [ ] ] ] `, `[true,false,null,{},[[]]]`},
	{"\uFEFF{\"a\":1}", `{"a":1}`}, // body-parser drops the byte order mark
	// JSON.parse refuses these.
	{``, ``},
	{` `, ``},
	{`{`, ``},
	{`{"a":1,}`, ``},
	{`[1,]`, ``},
	{`{'a':1}`, ``},
	{`{a:1}`, ``},
	{`01`, ``},
	{`1.`, ``},
	{`.5`, ``},
	{`+1`, ``},
	{`-`, ``},
	{`1e`, ``},
	{`0x10`, ``},
	{`NaN`, ``},
	{`Infinity`, ``},
	{`"\x"`, ``},
	{`"\u12"`, ``},
	{`"\u12G4"`, ``},
	{"\"a\tb\"", ``},
	{`"abc`, ``},
	{`tru`, ``},
	{`nul`, ``},
	{`{"a":1} {}`, ``},
	{`{"a" 1}`, ``},
	{`[1 2]`, ``},
	{"\v1", ``},
	{"\u00a01", ``},
}

func TestStringify(t *testing.T) {
	t.Parallel()
	for _, tt := range stringifyTests {
		got, ok := stringify([]byte(tt.in))
		if ok != (tt.want != "") || string(got) != tt.want {
			t.Errorf("stringify(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
	// Nesting: NovaSend's bodies nest three levels; a body nesting deeper
	// than the limit is left to the raw bytes.
	deep := strings.Repeat("[", maxStringifyDepth) + strings.Repeat("]", maxStringifyDepth)
	if got, ok := stringify([]byte(deep)); !ok || string(got) != deep {
		t.Errorf("%d levels: %q, %v", maxStringifyDepth, got, ok)
	}
	if _, ok := stringify([]byte("[" + deep + "]")); ok {
		t.Errorf("%d levels re-serialised", maxStringifyDepth+1)
	}
	if _, ok := stringify([]byte(strings.Repeat(`{"a":`, 100000))); ok {
		t.Error("unterminated nesting re-serialised")
	}
}

// TestStringifyMatchesNode runs the table and the fuzz seeds through
// Node.js, when it is installed, and compares.
func TestStringifyMatchesNode(t *testing.T) {
	t.Parallel()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed")
	}
	var inputs [][]byte
	for _, tt := range stringifyTests {
		inputs = append(inputs, []byte(tt.in))
	}
	inputs = append(inputs, stringifySeeds()...)
	encoded := make([]string, len(inputs))
	for i, in := range inputs {
		encoded[i] = base64.StdEncoding.EncodeToString(in)
	}
	stdin, _ := json.Marshal(encoded)
	// As body-parser reads a body (UTF-8, byte order mark dropped), and as
	// the documentation's check then serialises it; "!" when parse throws.
	const script = `
let input = ''
process.stdin.on('data', d => input += d)
process.stdin.on('end', () => {
  const out = JSON.parse(input).map(b64 => {
    let text = Buffer.from(b64, 'base64').toString('utf8')
    if (text.charCodeAt(0) === 0xFEFF) text = text.slice(1)
    try { return Buffer.from(JSON.stringify(JSON.parse(text)), 'utf8').toString('base64') } catch (e) { return '!' }
  })
  process.stdout.write(JSON.stringify(out))
})`
	cmd := exec.CommandContext(t.Context(), node, "-e", script)
	cmd.Stdin = bytes.NewReader(stdin)
	stdout, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("node: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("node: %v", err)
	}
	var outputs []string
	if err := json.Unmarshal(stdout, &outputs); err != nil || len(outputs) != len(inputs) {
		t.Fatalf("node's answer: %v (%d for %d)", err, len(outputs), len(inputs))
	}
	for i, in := range inputs {
		got, ok := stringify(in)
		if !ok && nesting(in) > maxStringifyDepth {
			continue // left to the raw bytes on purpose
		}
		want, wantOK := []byte(nil), outputs[i] != "!"
		if wantOK {
			want, _ = base64.StdEncoding.DecodeString(outputs[i])
		}
		if ok != wantOK || !bytes.Equal(got, want) {
			t.Errorf("stringify(%q) = %q, %v; node gives %q, %v", in, got, ok, want, wantOK)
		}
	}
}

// nesting is the deepest nesting of arrays and objects in b, by a scan
// that skips strings.
func nesting(b []byte) int {
	depth, deepest, inString := 0, 0, false
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case inString && c == '\\':
			i++
		case c == '"':
			inString = !inString
		case inString:
		case c == '[' || c == '{':
			depth++
			deepest = max(deepest, depth)
		case c == ']' || c == '}':
			depth--
		}
	}
	return deepest
}

// surrogateEscape reports whether b holds a \u escape of a surrogate.
func surrogateEscape(b []byte) bool {
	for i := 0; i+3 < len(b); i++ {
		if b[i] == '\\' && b[i+1] == 'u' && (b[i+2]|0x20) == 'd' && strings.IndexByte("89abAB", b[i+3]) >= 0 {
			return true
		}
	}
	return false
}

func stringifySeeds() [][]byte {
	var seeds [][]byte
	for _, s := range []string{
		`{"id":"tr_1","fees":6,"type":"payin","amount":306,"status":"processed","failure":null,"currency":"XOF",` +
			`"customer":{"name":"Aïssata N'Guessan","phoneNumber":"+2250153013761"},"reference":"pay_x",` +
			`"paymentUrl":"https:\/\/pay.wave.com\/c\/cos-1?a=306&c=XOF","chargedAmount":306,` +
			`"transaction":{"status":"completed","amount":"306.00","fees":"6.00","currency":"XOF"}}`,
		`{"event":"payin.confirmed","data":{"id":"tr_1","reference":"pay_x","amount":1.5e3}}`,
		`{"a":[1,{"b":[2,{"c":"\u00e9\/"}]}],"1":"one","0":"zero"}`,
		`[1e22,1e-6,1.1e-6,123456.789e3,-0.0,5e-7,0.00000123]`,
		`{"k":"\u2603\uFE0F","\u00e9":"é","e\u0301":1}`,
		"{\"x\":\"\xf0\x9f\x98\x80\xff\xfe\"}",
		`"\\u"`,
	} {
		seeds = append(seeds, []byte(s))
	}
	return seeds
}

// FuzzStringify checks the re-serialisation against encoding/json: it
// reads what encoding/json reads (up to the nesting limit), means the
// same values, and is its own fixed point.
func FuzzStringify(f *testing.F) {
	for _, tt := range stringifyTests {
		f.Add([]byte(tt.in))
	}
	for _, s := range stringifySeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		out, ok := stringify(in)
		text := bytes.TrimPrefix(in, []byte("\xef\xbb\xbf"))
		if valid := json.Valid(text); ok != valid && !(valid && nesting(text) > maxStringifyDepth) {
			t.Fatalf("stringify(%q) ok = %v, encoding/json says valid %v", in, ok, valid)
		}
		if !ok {
			return
		}
		if !json.Valid(out) || !utf8.Valid(out) {
			t.Fatalf("stringify(%q) = %q: not valid JSON in UTF-8", in, out)
		}
		if again, ok := stringify(out); !ok || !bytes.Equal(again, out) {
			t.Fatalf("stringify(%q) = %q, then %q: not a fixed point", in, out, again)
		}
		if bytes.ContainsAny(out, "\n\r\t") {
			t.Fatalf("stringify(%q) = %q: white space left", in, out)
		}
		for i := 0; i < len(out); i++ {
			if out[i] == '\\' {
				if i++; strings.IndexByte(`"\bfnrtu`, out[i]) < 0 {
					t.Fatalf("stringify(%q) = %q: escape \\%c", in, out, out[i])
				}
			}
		}
		if !utf8.Valid(text) || surrogateEscape(text) {
			// encoding/json replaces invalid bytes one by one (WHATWG by
			// subsequence), and every lone surrogate with U+FFFD, so that
			// keys distinct in JavaScript may be one key to it.
			return
		}
		var want, got any
		if err := json.Unmarshal(text, &want); err != nil {
			return // a number out of a double's range: JavaScript's Infinity, null here
		}
		if err := json.Unmarshal(out, &got); err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("stringify(%q) = %q means %#v; encoding/json reads %#v (%v)", in, out, got, want, err)
		}
	})
}
