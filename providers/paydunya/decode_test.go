package paydunya

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/internal/jsonlex"
	"github.com/cauripay/cauri/providers/internal/clientkit"
	"github.com/cauripay/cauri/providers/internal/clienttest/golden"
)

const testMasterKey = "wQzk9ZwR-Qq9m-0hD0-zpud-je5coGC3FHKW"

// testIPN is an IPN as PHP's http_build_query writes it, brackets
// escaped or not, with extra pairs appended as given.
func testIPN(escape bool, extra ...string) string {
	pairs := [][2]string{
		{"data[response_code]", "00"},
		{"data[hash]", Hash(testMasterKey)},
		{"data[invoice][token]", "test_jkEdPY8SuG"},
		{"data[invoice][items][item_0][name]", "Chaussures Croco"},
		{"data[invoice][total_amount]", "42300"},
		{"data[invoice][description]", "Paiement de 42300 FCFA pour article(s) achetés"},
		{"data[custom_data][cauri_payment_id]", "pay_01"},
		{"data[mode]", "test"},
		{"data[status]", "completed"},
		{"data[fail_reason]", ""},
	}
	var parts []string
	for _, p := range pairs {
		if escape {
			parts = append(parts, url.QueryEscape(p[0])+"="+url.QueryEscape(p[1]))
		} else {
			parts = append(parts, p[0]+"="+p[1])
		}
	}
	return strings.Join(append(parts, extra...), "&")
}

// ipnBodies are IPNs of every shape the form reader meets or might: each
// read key repeated, made an object, emptied, escaped oddly; bad escapes,
// bad keys, odd separators.
func ipnBodies() []string {
	h := Hash(testMasterKey)
	bodies := []string{"", "&", "&&", "=", "==", "a", "a=", "=a", "data", "data=", "data[hash]", "data[hash]=" + h,
		"data%5Bhash%5D=" + h + "&data%5Bstatus%5D=completed&data%5Binvoice%5D%5Btoken%5D=t1",
		"data[hash]=" + h + "&data[status]=pending&data[invoice][token]=t1",
		"data[hash]=" + h + "&data[status]=+completed+&data[invoice][token]=%20t1%20",
		"data[hash]=" + h + "&data[status]=completed&data[invoice][token]=t%001",
		"data[hash]=" + h + "&data[status]=completed&data[invoice][token]=t1&data=x",
		"data=x&data[hash]=" + h + "&data[status]=completed&data[invoice][token]=t1",
		"data[hash]=" + h + "&data[status]=completed&data[invoice]=t1",
		"data[hash]=" + h + "&data[status]=completed&data[invoice][token]=t1&data[invoice][token][]=t2",
		"data[hash]=" + strings.ToUpper(h) + "&data[status]=completed&data[invoice][token]=t1",
		"data[hash]=+" + h + "+&data[status]=completed&data[invoice][token]=t1",
		"data[hash]=" + h + "&data[hash]=" + h + "&data[status]=completed&data[invoice][token]=t1",
		"data[hash]=" + h + "&data[hash]=" + strings.ToUpper(h) + "&data[status]=completed&data[invoice][token]=t1",
		"data[hash][]=" + h + "&data[status]=completed&data[invoice][token]=t1",
		"data[hash]=" + h + "&data[hash][x]=1&data[status]=completed&data[invoice][token]=t1",
		"DATA[hash]=" + h + "&data[status]=completed&data[invoice][token]=t1",
		"data[HASH]=" + h,
		"hash=" + h + "&status=completed&token=t1",
		`{"data":{"hash":"` + h + `","status":"completed"}}`,
		"data[hash]=" + h + "&data[status]=completed&data[invoice][token]=" + strings.Repeat("t", 129),
		"data[hash]=" + h + "&data[status]=" + strings.Repeat("é", 70) + "&data[invoice][token]=t1",
		"data[hash]=" + h + "&data[status]=completed&data[invoice][token]=t1&data[fail_reason]=" + strings.Repeat("x", 300),
		"data[hash]=" + h + "&data[status]=completed&data[invoice][token]=t1&data[mode]=live",
		"data[hash]=" + h + "&data[status]=completed&data[invoice][token]=t1&data[mode]=LIVE",
		"data[hash]=" + h + "&data[status]=completed&data[invoice][token]=t1&data[mode]=sandbox",
		"data[hash]=" + h + "&data[status]=completed&data[invoice][token]=t1&data[mode]=weird",
		"data[hash]=" + h + "&data[status]=completed&data[invoice][token]=t1&data[mode][]=live",
		"data[hash]=" + h + "&data[status]=completed&data[invoice][token]=t1&data[invoice][total_amount]=42+300",
		"data[hash]=" + h + "&data[status]=completed&data[invoice][token]=t1&data[invoice][total_amount]=-1",
		"data[hash]=" + h + "&data[status]=completed&data[invoice][token]=t1&data[invoice][total_amount]=",
		"data[hash]=" + h + "&data[status]=completed&data[invoice][token]=t1&data[invoice][total_amount]=1&data[invoice][total_amount]=2",
		"data[hash]=" + h + "&data[status]=completed&data[invoice][token]=t1&data[custom_data]=x",
		"data[hash]=" + h + "&data[status]=completed&data[invoice][token]=t1&data[custom_data][cauri_payment_id][a]=x",
		"data[hash]=" + h + "&data[status]=completed&data[invoice][token]=t1&data[custom_data][cauri_payment_id]=%70ay_01",
		"data[hash]=" + h + "&data[status]=completed&data[invoice][token]=t1&data%5Bcustom_data%5D%5Bcauri_payment_id%5D=pay_01",
		"data[hash]=" + h + "&data[status]=completed&data[invoice][token]=t1&data[status]=failed",
		"data[hash]=" + h + "&data[status]=completed&data[invoice][token]=t1&data[status]=completed",
		"data[hash]=" + h + "&data[status]=completed&data[invoice][token]=t1&data[]=x&data[]=y",
		"data[hash]=" + h + "&data[status]=completed&data[invoice][token]=t1&data[a]=%",
		"data[hash]=" + h + "&data[status]=completed&data[invoice][token]=t1&data[a]=%4",
		"data[hash]=" + h + "&data[status]=completed&data[invoice][token]=t1&data[a]=%4g",
		"data[hash]=" + h + "&data[status]=completed&data[invoice][token]=t1&data[a%zz]=1",
		"data[hash]=" + h + "&data[status]=completed&data[invoice][token]=t1;x=1",
		"data[hash]=" + h + "&data[status]=completed&data[invoice][token]=t1&x=1;",
		"data[hash]=" + h + "&data[status]=completed&data[invoice][token]=t1&data[x]=\xff",
		"data[hash]=" + h + "&data[status]=completed&data[invoice][token]=t1&data[x]=%ff",
		"data[hash]=" + h + "&data[status]=completed&data[invoice][token]=t1&data[status=1",
		"data[hash]=" + h + "&data[status]=completed&data[invoice][token]=t1&data[status]x=1",
		"data[hash]=" + h + "&data[status]=completed&data[invoice][token]=t1&[status]=1",
		"data[hash]=" + h + "&data[status]=completed&data[invoice][token]=t1&data" + strings.Repeat("[a]", 7) + "=1",
		"data[hash]=" + h + "&data[status]=completed&data[invoice][token]=t1&data" + strings.Repeat("[a]", 8) + "=1",
		"data[hash]=" + h + "&data[status]=completed&data[invoice][token]=t1&data[[status]]=1",
		"data[hash]=" + h + "&data[status]=completed&data[invoice][token]=t1&data[a]b[c]=1",
		"data[hash]=" + h + "&data[status]=completed&data[invoice][token]=t1&data[a]]=1",
		"data[hash]=" + h + "&data[status]=completed&data[invoice][token]=t1&data[status]=completed=x",
		"data[hash]=" + h + "&data[status]=completed=x&data[invoice][token]=t1",
		"data[hash]=" + h + "&data[status]=completed&data[invoice][token]=t1&" + strings.Repeat("&", 1000),
		"data[hash]=" + h + "&data[status]=completed&data[invoice][token]=t1" + strings.Repeat("&data[x]=1", 1000),
		"data[hash]=" + h + "&data[status]=completed&data[invoice][token]=t1" + strings.Repeat("&data[x]=1", 1001),
	}
	var many strings.Builder
	for i := range 1001 {
		fmt.Fprintf(&many, "&data[k%d]=v", i)
	}
	bodies = append(bodies, "data[hash]="+h+"&data[status]=completed&data[invoice][token]=t1"+many.String())
	for _, escape := range []bool{true, false} {
		bodies = append(bodies, testIPN(escape), testIPN(escape, "data%5Bstatus%5D=failed"), testIPN(escape, "data[status][x]=1"))
	}
	return bodies
}

// The differential tests hold the parsers made cheaper to the answers of
// the ones they replaced (the IPN read into a tree of maps, the confirm
// answer decoded into json.RawMessage fields and each decoded again),
// error messages included, which testdata keeps by input.

// The golden files of the differential tests.
const (
	ipnGolden     = "testdata/parse_webhook.golden"
	confirmGolden = "testdata/confirmed.golden"
)

// ipnKinds are the errors ParseWebhook's answer is checked to wrap.
var ipnKinds = []error{cauri.ErrMalformed, cauri.ErrIgnoredEvent, ErrNoHash, ErrBadHash}

// TestParseWebhookMatchesReference holds ParseWebhook to the form parser
// it replaced.
func TestParseWebhookMatchesReference(t *testing.T) {
	checkGolden(t, ipnGolden, ipnBodies(), checkIPN)
}

// checkGolden checks, against the golden file at path, the answers of a
// sandbox and a live client to each input, as check reads them.
func checkGolden(t *testing.T, path string, inputs []string, check func(*testing.T, func(testing.TB, string, string), *Provider, []byte)) {
	t.Parallel()
	g := golden.Open(t, path)
	for _, p := range referenceProviders(t) {
		for _, in := range inputs {
			check(t, g.Check, p, []byte(in))
		}
	}
}

// referenceProviders are a sandbox and a live client.
func referenceProviders(t testing.TB) []*Provider {
	t.Helper()
	var ps []*Provider
	for _, mode := range []Mode{Sandbox, Live} {
		p, err := New(Config{MasterKey: testMasterKey, PrivateKey: "k", Token: "t", Mode: mode, Store: Store{Name: "Boutique"}})
		if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	return ps
}

// checkIPN checks ParseWebhook's answer to body.
func checkIPN(t *testing.T, check func(testing.TB, string, string), p *Provider, body []byte) {
	t.Helper()
	u, err := p.ParseWebhook(nil, body)
	check(t, golden.Key(string(p.mode)+" ipn", body), golden.Outcome(u, err, ipnKinds...))
}

// confirmAnswer is confirm's answer about a completed invoice.
const confirmAnswer = `{"response_code":"00","response_text":"Transaction Found","hash":"85c6",` +
	`"invoice":{"items":{"item_0":{"name":"Chaussures Croco","quantity":3,"unit_price":"10000"}},` +
	`"token":"test_Jh2T8skw1j","total_amount":42300,"description":"Paiement"},` +
	`"custom_data":{"categorie":"Jeu concours","numero_gagnant":5,"cauri_payment_id":"pay_01"},` +
	`"mode":"test","status":"completed","fail_reason":"",` +
	`"customer":{"name":"Alioune Faye","phone":"774563209","email":"aliounefaye@gmail.com"}}`

// confirmAnswers are confirm answers of every shape: each read field
// missing, null, repeated, of another kind, escaped.
func confirmAnswers() []string {
	edits := [][2]string{
		{`"status":"completed"`, `"status":" completed "`},
		{`"status":"completed"`, `"status":"failed"`},
		{`"status":"completed"`, `"status":"pending"`},
		{`"status":"completed"`, `"status":"c\u006fmpleted"`},
		{`"status":"completed"`, `"status":null`},
		{`"status":"completed"`, `"status":7`},
		{`"status":"completed"`, `"status":""`},
		{`"status":"completed"`, `"status":"completed","status":"failed"`},
		{`"status":"completed"`, `"status":"completed","status":1`},
		{`"status":"completed"`, `"STATUS":"completed"`},
		{`"status":"completed"`, `"status":"` + strings.Repeat("é", 80) + `"`},
		{`"mode":"test"`, `"mode":"live"`},
		{`"mode":"test"`, `"mode":"LIVE "`},
		{`"mode":"test"`, `"mode":7`},
		{`"mode":"test"`, `"mode":null`},
		{`"mode":"test"`, `"mode":"l\u0069ve"`},
		{`"mode":"test"`, `"mode":"` + strings.Repeat("x", 40) + `"`},
		{`"fail_reason":""`, `"fail_reason":" Fonds insuffisants "`},
		{`"fail_reason":""`, `"fail_reason":12`},
		{`"fail_reason":""`, `"fail_reason":{}`},
		{`"fail_reason":""`, `"fail_reason":"` + strings.Repeat("é", 300) + `"`},
		{`"token":"test_Jh2T8skw1j"`, `"token":"test_other"`},
		{`"token":"test_Jh2T8skw1j"`, `"token":null`},
		{`"token":"test_Jh2T8skw1j"`, `"token":12`},
		{`"token":"test_Jh2T8skw1j"`, `"token":" test_Jh2T8skw1j "`},
		{`"token":"test_Jh2T8skw1j"`, `"token":"test_other","token":"test_Jh2T8skw1j"`},
		{`"total_amount":42300`, `"total_amount":"42300"`},
		{`"total_amount":42300`, `"total_amount":"42300.00"`},
		{`"total_amount":42300`, `"total_amount":42300.5`},
		{`"total_amount":42300`, `"total_amount":null`},
		{`"total_amount":42300`, `"total_amount":true`},
		{`"total_amount":42300`, `"total_amount":"x"`},
		{`"total_amount":42300`, `"total_amount":"\u0034\u0032"`},
		{`"total_amount":42300`, `"total_amount":1,"total_amount":2`},
		{`"total_amount":42300`, `"TOTAL_AMOUNT":42300`},
		{`"invoice":{`, `"invoice":null,"x":{`},
		{`"invoice":{`, `"invoice":[],"x":{`},
		{`"invoice":{`, `"invoice":"x","x":{`},
		{`"invoice":{`, `"invoice":{"token":"a"},"invoice":{`},
		{`"invoice":{`, `"x":{`},
		{`"invoice":{`, `"invoice":{"total_amount":1,"token":"test_other"},"invoice":null,"x":{`},
		{`"invoice":{`, `"invoice":{"total_amount":1},"invoice":"bad","x":{`},
		{`"custom_data":{`, `"custom_data":7,"custom_data":{`},
		{`"custom_data":{`, `"custom_data":[],"x":{`},
		{`"custom_data":{`, `"custom_data":[1],"x":{`},
		{`"custom_data":{`, `"custom_data":null,"x":{`},
		{`"custom_data":{`, `"custom_data":"x","x":{`},
		{`"cauri_payment_id":"pay_01"`, `"cauri_payment_id":"pay_02"`},
		{`"cauri_payment_id":"pay_01"`, `"cauri_payment_id":7`},
		{`"cauri_payment_id":"pay_01"`, `"cauri_payment_id":""`},
		{`"cauri_payment_id":"pay_01"`, `"cauri_payment_id":null`},
		{`"cauri_payment_id":"pay_01"`, `"cauri_payment_id":{}`},
		{`"cauri_payment_id":"pay_01"`, `"CAURI_PAYMENT_ID":"pay_02"`},
		{`"response_code":"00"`, `"response_code":"01"`},
		{`"response_code":"00"`, `"response_code":0`},
		{`"response_code":"00"`, `"response_code":"00","response_code":"1001"`},
	}
	answers := []string{confirmAnswer, `{}`, `null`, `[]`, `"x"`, ``, `{`, `<html>`, `{"response_code":"00"}`,
		`{"response_code":"00","status":"completed"}`, `{"response_code":"00","status":"pending"}`}
	for _, e := range edits {
		if !strings.Contains(confirmAnswer, e[0]) {
			panic("no " + e[0])
		}
		answers = append(answers, strings.Replace(confirmAnswer, e[0], e[1], 1))
	}
	return answers
}

// TestConfirmedMatchesReference holds the one-pass reading of confirm's
// answer to the decoding it replaced.
func TestConfirmedMatchesReference(t *testing.T) {
	checkGolden(t, confirmGolden, confirmAnswers(), checkConfirmed)
}

// checkConfirmed checks the reading of confirm's answer body to queries
// of the invoice it names and of another.
func checkConfirmed(t *testing.T, check func(testing.TB, string, string), p *Provider, body []byte) {
	t.Helper()
	for _, q := range []cauri.StatusQuery{{ProviderRef: "test_Jh2T8skw1j"}, {ProviderRef: "test_Jh2T8skw1j", PaymentID: "pay_01"},
		{ProviderRef: "test_other", PaymentID: "pay_01"}, {ProviderRef: "test_other", PaymentID: "pay_02"}} {
		u, err := p.confirmed(q, q.ProviderRef, 200, "application/json", body)
		what := fmt.Sprintf("%s confirmed %s %s", p.mode, q.ProviderRef, q.PaymentID)
		check(t, golden.Key(what, body), golden.Outcome(u, err, cauri.ErrMalformed))
	}
}

// TestJSONHelpersMatchReference holds jsonText and jsonString to
// json.Unmarshal.
func TestJSONHelpersMatchReference(t *testing.T) {
	t.Parallel()
	for _, raw := range jsonValues {
		checkJSONHelpers(t, []byte(raw))
	}
}

var jsonValues = []string{
	`"x"`, `" x "`, `""`, `"\u0041"`, `"a\"b"`, `"a\\b"`, "\"\xff\"", "\"\xc3\xa9\"", "\"a\tb\"", `"`, `"a`, `a"`,
	`0`, `-0`, `12`, `-12.5e+3`, `1E2`, `01`, `-`, `1.`, `.5`, `1e`, `1e+`, `+1`, `0x1`, `1 2`, ` 12 `, "\n\"x\"\r",
	`null`, ` null `, `nul`, `nullx`, `true`, `false`, `{}`, `[]`, `{"a":1}`, ``, ` `, "\v\"x\"", `"x" "y"`, `"x"y`,
}

func checkJSONHelpers(t *testing.T, raw []byte) {
	t.Helper()
	if got, want := clientkit.Text(raw), clientkit.Text(raw); got != want {
		t.Errorf("clientkit.Text(%q) = %q, want %q", raw, got, want)
	}
	if got, want := jsonString(raw), unmarshalString(raw); got != want {
		t.Errorf("jsonString(%q) = %q, want %q", raw, got, want)
	}
	if got, want := jsonlex.IsNull(raw), clientkit.IsNull(raw); got != want {
		t.Errorf("jsonlex.IsNull(%q) = %v, want %v", raw, got, want)
	}
}

// unmarshalString is what jsonString replaced: a JSON string's value, ""
// for anything else.
func unmarshalString(raw []byte) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return ""
}

// FuzzParseWebhookMatchesReference holds ParseWebhook and the reading of
// confirm's answer to the answers of the code they replaced, on the inputs
// testdata keeps them for, and the JSON helpers to the code they replaced
// on any input.
func FuzzParseWebhookMatchesReference(f *testing.F) {
	for _, b := range ipnBodies() {
		if len(b) < 4096 {
			f.Add([]byte(b))
		}
	}
	for _, b := range confirmAnswers() {
		f.Add([]byte(b))
	}
	for _, b := range jsonValues {
		f.Add([]byte(b))
	}
	ps := referenceProviders(f)
	ipns, confirms := golden.Read(f, ipnGolden), golden.Read(f, confirmGolden)
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, p := range ps {
			checkIPN(t, func(t testing.TB, key, got string) { ipns.CheckKnown(t, key, got) }, p, body)
			checkConfirmed(t, func(t testing.TB, key, got string) { confirms.CheckKnown(t, key, got) }, p, body)
		}
		checkJSONHelpers(t, body)
	})
}
