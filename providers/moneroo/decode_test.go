package moneroo

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/internal/clienttest/golden"
	"github.com/cauripay/cauri/providers/providerhttp"
)

// paymentObjects are payment objects of every shape parsePayment meets or
// might: repeated keys, keys in other cases, escapes, invalid UTF-8, white
// space, nulls and values of the wrong kind in each field.
var paymentObjects = []string{
	`{"id":"k4su1ii7abdz","amount":200,"currency":"XOF","status":"success","metadata":{"cauri_payment_id":"pay_01","order_id":"124"}}`,
	`{"id":"r9","amount":10.5,"currency":"USD","status":"failed","capture":{"failure_message":"Declined"}}`,
	`{"id":"r9","status":"initiated","amount":"5","currency":{"code":"XOF"},"metadata":[]}`,
	`{"id":"r9","amount":1e400,"currency":"XOF"}`,
	`{"id":12,"amount":-1,"currency":"xof","metadata":{"cauri_payment_id":7}}`,
	`{"id":"\u0000","capture":{"method":"x"}}`,
	` { "id" : " r9 " , "status" : " success " , "amount" : " 200.00 " , "currency" : " xof " } `,
	"{\"id\":\"r9\",\n\t\"amount\":\r\n200}",
	`{"id":"r9","id":"r10"}`,
	`{"id":"r9","id":null}`,
	`{"id":"r9","id":true}`,
	`{"ID":"r9","Status":"success","AMOUNT":200,"Currency":"XOF"}`,
	`{"id":"r\u0039","status":"succ\u0065ss"}`,
	`{"id":"r\"9","status":"a\\b"}`,
	"{\"id\":\"r\xff9\",\"status\":\"\xc3\xa9t\xc3\xa9\"}",
	`{"id":-0,"status":0.5e-3}`,
	`{"id":1E+2,"status":12}`,
	`{"id":{},"status":[]}`,
	`{"id":[1,2],"status":{"a":"b"}}`,
	`{"id":"r9","amount":null,"currency":"XOF","status":"success"}`,
	`{"id":"r9","amount":"2OO","currency":"XOF"}`,
	`{"id":"r9","amount":"","currency":"XOF"}`,
	`{"id":"r9","amount":true,"currency":"XOF"}`,
	`{"id":"r9","amount":{},"currency":"XOF"}`,
	`{"id":"r9","amount":{}}`,
	`{"id":"r9","amount":"\u0032\u0030","currency":"XOF"}`,
	`{"id":"r9","amount":" 20 ","currency":"XOF"}`,
	`{"id":"r9","amount":"1e2","currency":"XOF"}`,
	`{"id":"r9","amount":200,"amount":"x","currency":"XOF"}`,
	`{"id":"r9","amount":"x","amount":200,"currency":"XOF"}`,
	`{"id":"r9","amount":200,"currency":"XOFF"}`,
	`{"id":"r9","amount":200,"currency":"X1F"}`,
	`{"id":"r9","amount":200,"currency":""}`,
	`{"id":"r9","amount":200,"currency":"   "}`,
	`{"id":"r9","amount":200,"currency":7}`,
	`{"id":"r9","amount":200,"currency":[]}`,
	`{"id":"r9","amount":200,"currency":{}}`,
	`{"id":"r9","amount":200,"currency":{"code":null}}`,
	`{"id":"r9","amount":200,"currency":{"code":7}}`,
	`{"id":"r9","amount":200,"currency":{"CODE":"xof"}}`,
	`{"id":"r9","amount":200,"currency":{"code":"XOF","code":null}}`,
	`{"id":"r9","amount":200,"currency":{"code":"XOF","code":7}}`,
	`{"id":"r9","amount":200,"currency":"XOF","currency":null}`,
	`{"id":"r9","amount":200,"currency":"\u0058OF"}`,
	`{"id":"r9","metadata":null}`,
	`{"id":"r9","metadata":"pay_01"}`,
	`{"id":"r9","metadata":{}}`,
	`{"id":"r9","metadata":[{"cauri_payment_id":"pay_01"}]}`,
	`{"id":"r9","metadata":{"cauri_payment_id":null}}`,
	`{"id":"r9","metadata":{"cauri_payment_id":" pay_01 "}}`,
	`{"id":"r9","metadata":{"cauri_payment_id":"pay_01","cauri_payment_id":"pay_02"}}`,
	`{"id":"r9","metadata":{"cauri_payment_id":"pay_01","cauri_payment_id":7}}`,
	`{"id":"r9","metadata":{"cauri_payment_id":"pay_01","cauri_payment_id":null}}`,
	`{"id":"r9","metadata":{"CAURI_PAYMENT_ID":"pay_01"}}`,
	`{"id":"r9","metadata":{"cauri_payment_i\u0064":"pay_01"}}`,
	`{"id":"r9","metadata":{"cauri_payment_id":"pay_\u0030\u0031"}}`,
	`{"id":"r9","metadata":{"a":{"cauri_payment_id":"x"},"b":["}",{"c":"]"}],"cauri_payment_id":"pay_01","d":"\"}"}}`,
	`{"id":"r9","metadata":{ "x" : [ 1 , { "y" : null } ] , "cauri_payment_id" : "pay_01" , "z" : true }}`,
	`{"id":"r9","metadata":{"cauri_payment_id":"pay_01"},"metadata":[]}`,
	`{"id":"r9","metadata":{"cauri_payment_id":{"x":1}}}`,
	`{"id":"r9","capture":null}`,
	`{"id":"r9","capture":"x"}`,
	`{"id":"r9","capture":{"failure_message":7}}`,
	`{"id":"r9","capture":{"failure_message":"No","method":{"short_code":"wave_ci"}}}`,
	`{"id":"r9","capture":{"failure_message":"No","method":{"short_code":7}}}`,
	`{"id":"r9","capture":{"failure_message":"No","method":null}}`,
	`{"id":"r9","capture":{"method":{"short_code":"a"},"method":{}}}`,
	`{"id":"r9","capture":{"failure_message":"No","method":{"short_code":"a"}},"capture":"x"}`,
	`{"id":"r9","capture":{"failure_message":"No"},"capture":{"method":{"short_code":"a"}}}`,
	`{"id":"r9","capture":{"failure_message":"No"},"capture":null}`,
	`{"id":"r9","capture":{"FAILURE_MESSAGE":" No ","METHOD":{"SHORT_CODE":" orange_sn "}}}`,
	`{"id":"r9","capture":{"failure_message":"` + strings.Repeat("é", 300) + `"}}`,
	`{"id":"` + strings.Repeat("x", 100) + `","status":"` + strings.Repeat("é", 100) + `"}`,
	`{}`, `null`, ` null `, `[]`, `"r9"`, `7`, `true`, ``, `{`, `{"id":}`, `{"id":"r9"} x`,
}

// The differential tests hold the one-pass parsers to the answers of the
// decoders they replaced (several json.Unmarshal calls over
// json.RawMessage fields), error messages included, which testdata keeps
// by input. The signature check is still held to clientkit's, which it
// pooled.

// answerKinds are the errors a parser's answer is checked to wrap.
var answerKinds = []error{cauri.ErrMalformed, cauri.ErrIgnoredEvent, cauri.ErrUnauthenticated}

// TestParsePaymentMatchesReference holds parsePayment to the decoder it
// replaced.
func TestParsePaymentMatchesReference(t *testing.T) {
	t.Parallel()
	g := golden.Open(t, "testdata/parse_payment.golden")
	for _, raw := range paymentObjects {
		got, err := parsePayment([]byte(raw))
		g.Check(t, golden.Key("payment", []byte(raw)), golden.Outcome(got, err, answerKinds...))
	}
}

// verifyAnswer is FetchStatus's reading of a verify answer. The error
// messages of an answer that is not an object name the Go type decoded
// into, which has changed since: only the error's kind is kept of those.
func verifyAnswer(body []byte) string {
	var env struct {
		Data paymentField `json:"data"`
	}
	got, err := payment{}, providerhttp.DecodeJSON("application/json", body, &env)
	if err == nil {
		got, err = env.Data.payment()
	}
	var object struct {
		Data json.RawMessage `json:"data"`
	}
	if providerhttp.DecodeJSON("application/json", body, &object) != nil {
		return fmt.Sprintf("not an object: error %v, malformed %v", err != nil, errors.Is(err, cauri.ErrMalformed))
	}
	return golden.Outcome(got, err, answerKinds...)
}

// webhookBodies wraps each payment object in notifications of several
// events, and adds bodies whose outer shape is odd.
func webhookBodies() []string {
	bodies := []string{
		`{"event":["payment.success"],"data":null}`,
		`{"event":"payment.success","data":`,
		`{"event":"payment.success"}`,
		`{"event":"payout.success"}`,
		`{"event":"payout.success","data":"garbage"}`,
		`{"event":"customer.updated","data":[1,2]}`,
		`{"event":"payment.success","event":7,"data":{"id":"r9"}}`,
		`{"event":7,"event":"payment.success","data":{"id":"r9"}}`,
		`{"EVENT":"payment.success","DATA":{"id":"r9"}}`,
		`{"event":" payment.cancelled ","data":{"id":"r9"}}`,
		`{"event":"payment.success","data":{"id":"r9","amount":200,"currency":"XOF"},"data":{"id":"r10"}}`,
		`{"event":"payment.success","data":{"id":"r10"},"data":"x"}`,
		`{"event":"payment\u002esuccess","data":{"id":"r9","status":"success","amount":5,"currency":"XOF"}}`,
		`{"event":"` + strings.Repeat("payment.x", 20) + `","data":{"id":"r9"}}`,
		`{"event":"","data":{"id":"r9"}}`,
		`{"event":null,"data":{"id":"r9"}}`,
		`{}`, `null`, ` null `, `[]`, `"`, ``, `7`,
	}
	for _, d := range paymentObjects {
		for _, event := range []string{"payment.success", "payment.failed", "payment", "payout.success"} {
			bodies = append(bodies, `{"event":"`+event+`","data":`+d+`}`)
		}
	}
	return bodies
}

// webhookGolden is the file of TestParseWebhookMatchesReference.
const webhookGolden = "testdata/parse_webhook.golden"

// TestParseWebhookMatchesReference holds ParseWebhook, signed and not, and
// FetchStatus's reading of the same objects, to the parsers they replaced.
func TestParseWebhookMatchesReference(t *testing.T) {
	t.Parallel()
	g := golden.Open(t, webhookGolden)
	signed, open := referencePair(t)
	for _, body := range webhookBodies() {
		b := []byte(body)
		for _, sig := range []signature{signedNew, unsigned, badSignature} {
			checkWebhook(t, g.Check, signed, open, b, sig)
		}
		g.Check(t, golden.Key("verify", b), verifyAnswer(b))
		v := []byte(`{"success":true,"data":` + strings.TrimPrefix(body, `{"event":"payment.success","data":`))
		g.Check(t, golden.Key("verify success", v), verifyAnswer(v))
	}
}

func referencePair(t testing.TB) (signed, open *Provider) {
	t.Helper()
	signed, err := New(Config{SecretKey: "sk", WebhookSecrets: []string{"whsec_old", "whsec_new"}})
	if err != nil {
		t.Fatal(err)
	}
	open, err = New(Config{SecretKey: "sk"})
	if err != nil {
		t.Fatal(err)
	}
	return signed, open
}

// signature is the X-Moneroo-Signature a notification comes with.
type signature int

const (
	signedNew    signature = iota // a signature with the newer secret
	signedOld                     // a signature with the older one
	unsigned                      // none
	badSignature                  // sha256=00
	otherHeader                   // anything else
)

func (s signature) header(body []byte) string {
	switch s {
	case signedNew:
		return Sign("whsec_new", body)
	case signedOld:
		return Sign("whsec_old", body)
	case badSignature:
		return "sha256=00"
	}
	return ""
}

// checkWebhook checks the signed and the open clients' answers to body
// with sig. The open client reads the body the same whatever the header,
// and the signed one, when the signature does not verify, answers with
// the signature's error and the open one's reading, if it has one, for the
// kit to confirm. The answers to a body signed with either secret are
// held to check.
func checkWebhook(t *testing.T, check func(testing.TB, string, string), signed, open *Provider, body []byte, sig signature) {
	t.Helper()
	header := sig.header(body)
	r := httptest.NewRequest(http.MethodPost, "/", nil)
	r.Header.Set(SignatureHeader, header)
	u, err := open.ParseWebhook(r, body)
	base, baseErr := open.ParseWebhook(httptest.NewRequest(http.MethodPost, "/", nil), body)
	if u != base || fmt.Sprint(err) != fmt.Sprint(baseErr) {
		t.Errorf("open ParseWebhook(%q) with header %q: %+v, %v; without: %+v, %v", body, header, u, err, base, baseErr)
	}
	got, gotErr := signed.ParseWebhook(r, body)
	switch sig {
	case signedNew, signedOld:
		check(t, golden.Key("open", body), golden.Outcome(u, err, answerKinds...))
		check(t, golden.Key("signed", body), golden.Outcome(got, gotErr, answerKinds...))
	case unsigned, badSignature:
		want, wantErr := base, error(ErrNotSigned)
		if sig == badSignature {
			wantErr = ErrBadSignature
		}
		if baseErr != nil {
			want = cauri.Update{}
		}
		if got != want || gotErr != wantErr {
			t.Errorf("signed ParseWebhook(%q) with header %q\n got %+v, %v\nwant %+v, %v", body, header, got, gotErr, want, wantErr)
		}
	}
}

// TestVerifyMatchesReference holds the pooled signature check, and
// VerifySignature, to hmac.New per request and hex.DecodeString.
func TestVerifyMatchesReference(t *testing.T) {
	t.Parallel()
	p, _ := referencePair(t)
	secrets := [][]byte{[]byte("whsec_old"), []byte("whsec_new")}
	body := []byte(`{"event":"payment.success","data":{"id":"r9"}}`)
	good := Sign("whsec_new", body)
	for _, header := range []string{
		good, Sign("whsec_old", body), Sign("other", body), strings.ToUpper(good), " sha256=" + good + "\t",
		"SHA256=" + good, "sha256=sha256=" + good, "sha256= " + good, good[:63], good + "0", good[:62] + "zz",
		"g" + good[1:], good[:63] + " ", "", "   ", "sha256=", "sha256", "00", "sha256=" + strings.Repeat("0", 64),
	} {
		for _, b := range [][]byte{body, nil, []byte("x")} {
			err, want := verify(p.secrets, b, header), unpooledVerify(b, header, secrets)
			if err != want {
				t.Errorf("verify(%q, %q) = %v, want %v", b, header, err, want)
			}
			err = VerifySignature(b, header, "whsec_old", "whsec_new")
			if err != want {
				t.Errorf("VerifySignature(%q, %q) = %v, want %v", b, header, err, want)
			}
		}
	}
}

// unpooledVerify is the signature check before its MACs were pooled: the
// header read with hex.DecodeString, an HMAC made per secret per call.
func unpooledVerify(body []byte, header string, secrets [][]byte) error {
	s := strings.TrimSpace(header)
	if s == "" {
		return ErrNotSigned
	}
	if len(s) > 7 && strings.EqualFold(s[:7], "sha256=") {
		s = s[7:]
	}
	want, err := hex.DecodeString(s)
	if err != nil || len(want) != sha256.Size {
		return ErrBadSignature
	}
	ok := false
	for _, key := range secrets {
		mac := hmac.New(sha256.New, key)
		mac.Write(body)
		if hmac.Equal(mac.Sum(nil), want) {
			ok = true
		}
	}
	if !ok {
		return ErrBadSignature
	}
	return nil
}

// FuzzParseWebhookMatchesReference holds ParseWebhook, the signature
// check and FetchStatus's decoding to the answers of the code they
// replaced on the inputs testdata keeps them for, and on any input the
// open client to ignoring the signature header and the signature check to
// clientkit's.
func FuzzParseWebhookMatchesReference(f *testing.F) {
	for _, body := range webhookBodies() {
		f.Add([]byte(body), true, "")
	}
	f.Add([]byte(`{"event":"payment.success","data":{"id":"r9"}}`), false, "sha256=00")
	signed, open := referencePair(f)
	secrets := [][]byte{[]byte("whsec_old"), []byte("whsec_new")}
	webhooks := golden.Read(f, webhookGolden)
	payments := golden.Read(f, "testdata/parse_payment.golden")
	known := func(t testing.TB, key, got string) { webhooks.CheckKnown(t, key, got) }
	f.Fuzz(func(t *testing.T, body []byte, sign bool, header string) {
		sig := otherHeader
		switch {
		case sign:
			sig, header = signedOld, Sign("whsec_old", body)
		case header == "":
			sig = unsigned
		case header == "sha256=00":
			sig = badSignature
		}
		checkWebhook(t, known, signed, open, body, sig)
		got, err := parsePayment(body)
		payments.CheckKnown(t, golden.Key("payment", body), golden.Outcome(got, err, answerKinds...))
		webhooks.CheckKnown(t, golden.Key("verify", body), verifyAnswer(body))
		if err, want := VerifySignature(body, header, "whsec_old", "whsec_new"), unpooledVerify(body, header, secrets); err != want {
			t.Errorf("VerifySignature(%q, %q) = %v, want %v", body, header, err, want)
		}
	})
}

// TestMember checks the metadata walker against decoding into a map.
func TestMember(t *testing.T) {
	t.Parallel()
	for _, obj := range []string{
		`{}`, ` { } `, `{"a":1}`, `{"a":1,"a":2}`, `{"a":"}","b":{"a":3}}`, `{"b":[{"a":1}],"a":[1,{"x":"]"}]}`,
		`{"a":"\"}\\"}`, `{"a":true,"b":false,"c":null}`, ` { "a" : -1.5e3 , "b" : "x" } `, `{"A":1}`,
		`{"a\u0041":1}`, `{"\u0061":1}`,
	} {
		v, found, ok := member([]byte(obj), "a")
		var m map[string]json.RawMessage
		if err := json.Unmarshal([]byte(obj), &m); err != nil {
			t.Fatalf("%s: %v", obj, err)
		}
		want, wantFound := m["a"]
		if !ok {
			if !strings.Contains(obj, `\u`) {
				t.Errorf("member(%s) gave up", obj)
			}
			continue
		}
		if found != wantFound || string(v) != string(want) {
			t.Errorf("member(%s) = %s, %v; want %s, %v", obj, v, found, want, wantFound)
		}
	}
}

// TestFieldsDoNotKeepTheirInput checks the encoding/json rule that an
// UnmarshalJSON must not keep the slice it is given: after decoding, the
// input is overwritten and the result must not change.
func TestFieldsDoNotKeepTheirInput(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		`{"event":"payment.failed","data":{"id":"k4su1ii7abdz","amount":"10.50","currency":"USD","status":"failed",` +
			`"metadata":{"cauri_payment_id":"pay_01"},"capture":{"failure_message":"Declined","method":{"short_code":"card_usd"}}}}`,
		`{"event":"payment.success","data":{"id":12345,"amount":200,"currency":{"code":"XOF"},"status":"success","metadata":{"cauri_payment_i\u0064":"pay_01"}}}`,
	} {
		b := []byte(body)
		var n struct {
			Event stringField  `json:"event"`
			Data  paymentField `json:"data"`
		}
		if err := json.Unmarshal(b, &n); err != nil {
			t.Fatal(err)
		}
		event, d, err := string(n.Event), n.Data.p, n.Data.err
		want, wantErr := parsePayment([]byte(strings.TrimSuffix(strings.SplitN(body, `"data":`, 2)[1], "}")))
		for i := range b {
			b[i] = 'X'
		}
		if string(n.Event) != event || n.Data.p != d || d != want || fmt.Sprint(err) != fmt.Sprint(wantErr) {
			t.Errorf("after the input changed: %q %+v %v; want %+v %v", n.Event, n.Data.p, n.Data.err, want, wantErr)
		}
		if event == "" || d.id == "" || d.paymentID != "pay_01" {
			t.Errorf("decoded %q %+v", event, d)
		}
	}
}
