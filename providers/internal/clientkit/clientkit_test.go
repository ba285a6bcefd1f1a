package clientkit_test

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/internal/clientkit"
)

var (
	errNotSigned = errors.New("not signed")
	errBad       = errors.New("bad signature")
)

func TestSignatures(t *testing.T) {
	t.Parallel()
	body := []byte(`{"id":"1"}`)
	sig := clientkit.Sign("s2", body)
	if len(sig) != 64 || strings.ToLower(sig) != sig {
		t.Fatalf("Sign = %q, want 64 lower-case hex digits", sig)
	}
	e := clientkit.SignatureErrors{NotSigned: errNotSigned, Bad: errBad}
	keys := clientkit.NewSecrets(clientkit.Keys([]string{"s1", "s2"}))
	tests := []struct {
		name    string
		header  string
		secrets clientkit.Secrets
		want    error
	}{
		{"second secret", sig, keys, nil},
		{"spaces, upper case, prefix", " SHA256=" + strings.ToUpper(sig) + " ", keys, nil},
		{"empty", " ", keys, errNotSigned},
		{"not hex", "zz", keys, errBad},
		{"64 digits, not all hex", "g" + sig[1:], keys, errBad},
		{"too short", sig[:62], keys, errBad},
		{"no secret matches", sig, clientkit.NewSecrets(clientkit.Keys([]string{"s1"})), errBad},
		{"no secrets", sig, clientkit.Secrets{}, errBad},
		{"prefix only", "sha256=", keys, errBad},
	}
	for _, tt := range tests {
		if err := e.Verify(body, tt.header, tt.secrets); err != tt.want {
			t.Errorf("%s: Verify = %v, want %v", tt.name, err, tt.want)
		}
	}
	if keys.Matches([]byte("other"), mustParse(t, e, sig)) {
		t.Error("Matches another body")
	}
	if keys.Len() != 2 || (clientkit.Secrets{}).Len() != 0 {
		t.Errorf("Len = %d", keys.Len())
	}
}

// TestSecretsReused: the pooled HMAC states give every caller its own
// state, reset, however many calls share them at once.
func TestSecretsReused(t *testing.T) {
	t.Parallel()
	names := []string{"s1", "s2", "s3"}
	secrets := clientkit.NewSecrets(clientkit.Keys(names))
	sign := func(secret string, body []byte) []byte {
		sig, _ := hex.DecodeString(clientkit.Sign(secret, body))
		return sig
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 200 {
				body := []byte(fmt.Sprintf(`{"g":%d,"i":%d}`, g, i))
				sig := sign(names[i%len(names)], body)
				if !secrets.Matches(body, sig) {
					t.Errorf("goroutine %d, call %d: its own signature does not match", g, i)
				}
				if secrets.Matches(append(body, ' '), sig) || secrets.Matches(body, sign("other", body)) {
					t.Errorf("goroutine %d, call %d: a wrong body or secret matches", g, i)
				}
			}
		})
	}
	wg.Wait()
}

// TestParseAllocates checks that reading a signature allocates nothing:
// Moneroo's webhook verifies over pooled HMAC states to the same end.
func TestParseAllocates(t *testing.T) {
	e := clientkit.SignatureErrors{NotSigned: errNotSigned, Bad: errBad}
	header := "sha256=" + clientkit.Sign("s", []byte("body"))
	if n := testing.AllocsPerRun(100, func() {
		if _, err := e.Parse(header); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("Parse allocates %v times, want none", n)
	}
}

func mustParse(t *testing.T, e clientkit.SignatureErrors, header string) []byte {
	t.Helper()
	sig, err := e.Parse(header)
	if err != nil {
		t.Fatal(err)
	}
	return sig[:]
}

func TestSecretsAndLogger(t *testing.T) {
	t.Parallel()
	secrets := []string{"a", " ", "", "\tb\n"}
	keys := clientkit.NonBlank(secrets)
	if len(keys) != 2 || string(keys[0]) != "a" || string(keys[1]) != "\tb\n" {
		t.Fatalf("NonBlank = %q", keys)
	}
	var logs bytes.Buffer
	log := clientkit.Logger(slog.New(slog.NewTextHandler(&logs, nil)), "acme", len(secrets), len(keys))
	log.Info("x")
	if out := logs.String(); !strings.Contains(out, "blank webhook secrets ignored") || !strings.Contains(out, "blank=2") ||
		strings.Count(out, "provider=acme") != 2 {
		t.Errorf("logs:\n%s", out)
	}
	clientkit.Logger(nil, "acme", 1, 0).Warn("discarded") // no logger: no panic
}

func TestURLs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw            string
		root, absolute bool
	}{
		{"https://api.example/v1", true, true},
		{"http://127.0.0.1:8080", true, true},
		{"https://api.example/v1?x=1", false, true},
		{"https://api.example/v1?", false, true},
		{"https://api.example/v1#f", false, true},
		{"https://user:pw@api.example", false, true},
		{"ftp://api.example", false, false},
		{"//api.example", false, false},
		{"api.example/v1", false, false},
		{"https://", false, false},
		{"%zz", false, false},
	}
	for _, tt := range tests {
		if got := clientkit.APIRoot(tt.raw); got != tt.root {
			t.Errorf("APIRoot(%q) = %v", tt.raw, got)
		}
		if got := clientkit.AbsoluteHTTP(tt.raw); got != tt.absolute {
			t.Errorf("AbsoluteHTTP(%q) = %v", tt.raw, got)
		}
	}
}

func TestInvalid(t *testing.T) {
	t.Parallel()
	v := clientkit.Invalid{What: "config"}
	if err := v.Err(); err != nil {
		t.Fatalf("Err with no field = %v", err)
	}
	if base := v.APIRoot("BaseURL", " https://api.example/v1/ ", "https://default"); base != "https://api.example/v1" {
		t.Errorf("APIRoot = %q", base)
	}
	if base := v.APIRoot("BaseURL", "", "https://default"); base != "https://default" {
		t.Errorf("APIRoot of nothing = %q", base)
	}
	v.Bad("APIKey", "is required")
	v.APIRoot("BaseURL", "ftp://x", "https://default")
	var ve *cauri.ValidationError
	if err := v.Err(); !errors.As(err, &ve) || ve.What != "config" || len(ve.Fields) != 2 ||
		ve.Fields[0].Field != "APIKey" || ve.Fields[1].Field != "BaseURL" {
		t.Errorf("Err = %v", err)
	}
}

func TestShopURLs(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name          string
		ret, callback string
		want          []string
	}{
		{"both", "https://shop.example/r", "http://shop.example/w", nil},
		{"none", "", "", []string{"ReturnURL", "CallbackURL"}},
		{"relative callback", "https://shop.example/r", "/w", []string{"CallbackURL"}},
		{"javascript return", "javascript:alert(1)", "https://shop.example/w", []string{"ReturnURL"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			v := clientkit.Invalid{What: "order"}
			v.ShopURLs("acme", cauri.CheckoutRequest{ReturnURL: tt.ret, CallbackURL: tt.callback})
			var got []string
			var ve *cauri.ValidationError
			if errors.As(v.Err(), &ve) {
				for _, f := range ve.Fields {
					got = append(got, f.Field)
					if f.Reason != "is required by acme and must be an absolute http(s) URL" {
						t.Errorf("%s: reason %q", f.Field, f.Reason)
					}
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("fields %v, want %v", got, tt.want)
			}
		})
	}
}

func TestAnswerErrors(t *testing.T) {
	t.Parallel()
	a := clientkit.Answer{Provider: "acme", Op: "status", Status: 200}
	var pe *cauri.ProviderError
	err := a.Malformed("answer has %d ids", 2)
	if !errors.As(err, &pe) || pe.Provider != "acme" || pe.Op != "status" || pe.StatusCode != 200 ||
		!errors.Is(err, cauri.ErrMalformed) || !strings.Contains(err.Error(), "answer has 2 ids") {
		t.Errorf("Malformed = %v", err)
	}
	if err := a.Error("nope", cauri.ErrNotFound); !errors.As(err, &pe) || pe.Message != "nope" || !errors.Is(err, cauri.ErrNotFound) {
		t.Errorf("Error = %v", err)
	}

	tests := []struct {
		name     string
		err      error
		notFound bool
	}{
		{"404", &cauri.ProviderError{Provider: "acme", StatusCode: http.StatusNotFound}, true},
		{"404 with a cause", &cauri.ProviderError{Provider: "acme", StatusCode: http.StatusNotFound, Err: cauri.ErrMalformed}, false},
		{"500", &cauri.ProviderError{Provider: "acme", StatusCode: http.StatusInternalServerError}, false},
		{"other", errors.New("x"), false},
	}
	for _, tt := range tests {
		if got := errors.Is(clientkit.NotFound(tt.err), cauri.ErrNotFound); got != tt.notFound {
			t.Errorf("%s: NotFound wraps cauri.ErrNotFound: %v", tt.name, got)
		}
	}
}

func TestParseSigned(t *testing.T) {
	t.Parallel()
	parse := func(body []byte, verified bool) (cauri.Update, error) {
		if string(body) == "bad" {
			return cauri.Update{}, cauri.ErrMalformed
		}
		return cauri.Update{PaymentID: string(body), Authenticated: verified}, nil
	}
	tests := []struct {
		name     string
		body     string
		verified bool
		sigErr   error
		want     cauri.Update
		err      error
	}{
		{"verified", "pay_1", true, nil, cauri.Update{PaymentID: "pay_1", Authenticated: true}, nil},
		{"unsigned", "pay_1", false, nil, cauri.Update{PaymentID: "pay_1"}, nil},
		{"bad signature: the claim, unauthenticated", "pay_1", true, errBad, cauri.Update{PaymentID: "pay_1"}, errBad},
		{"bad signature, unreadable body", "bad", false, errBad, cauri.Update{}, errBad},
		{"unreadable body", "bad", true, nil, cauri.Update{}, cauri.ErrMalformed},
	}
	for _, tt := range tests {
		u, err := clientkit.ParseSigned([]byte(tt.body), tt.verified, tt.sigErr, parse)
		if u != tt.want || !errors.Is(err, tt.err) || (tt.err == nil && err != nil) {
			t.Errorf("%s: %+v, %v; want %+v, %v", tt.name, u, err, tt.want, tt.err)
		}
	}
}

func TestJSONReaders(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw                 string
		text                string
		null, object        bool
		message             string
		amount              int64
		amountSet, amountOK bool
	}{
		{raw: `" a b "`, text: "a b", message: "a b", amountSet: true},
		{raw: `12.5`, text: "12.5", amount: 1250, amountSet: true, amountOK: true},
		{raw: `"5000"`, text: "5000", message: "5000", amount: 500000, amountSet: true, amountOK: true},
		{raw: `"\u0041"`, text: "A", message: "A", amountSet: true},
		{raw: ``, null: true},
		{raw: ` null `, null: true},
		{raw: ` {"a":1}`, object: true, amountSet: true},
		{raw: `true`, amountSet: true},
		{raw: `["x", " ", "y\nz", 1]`, message: "x; y z", amountSet: true},
	}
	for _, tt := range tests {
		raw := json.RawMessage(tt.raw)
		if got := clientkit.Text(raw); got != tt.text {
			t.Errorf("Text(%s) = %q, want %q", tt.raw, got, tt.text)
		}
		if got := clientkit.IsNull(raw); got != tt.null {
			t.Errorf("IsNull(%s) = %v", tt.raw, got)
		}
		if got := clientkit.IsObject(raw); got != tt.object {
			t.Errorf("IsObject(%s) = %v", tt.raw, got)
		}
		if got := clientkit.MessageText(raw); got != tt.message {
			t.Errorf("MessageText(%s) = %q, want %q", tt.raw, got, tt.message)
		}
		var f struct {
			Text   clientkit.TextField   `json:"text"`
			Amount clientkit.AmountField `json:"amount"`
		}
		if tt.raw != "" {
			if err := json.Unmarshal([]byte(`{"text":`+tt.raw+`,"amount":`+tt.raw+`}`), &f); err != nil {
				t.Fatalf("%s: %v", tt.raw, err)
			}
		}
		if string(f.Text) != tt.text || f.Amount.Set != tt.amountSet {
			t.Errorf("fields of %s: %q, set %v", tt.raw, f.Text, f.Amount.Set)
		}
		if n, err := f.Amount.Amount("USD"); tt.amountOK && (err != nil || n != tt.amount) {
			t.Errorf("Amount of %s in USD = %d, %v", tt.raw, n, err)
		}
	}
	for _, raw := range []string{`"unterminated`, `"bad \x escape"`} {
		if got := clientkit.Text([]byte(raw)); got != "" {
			t.Errorf("Text(%s) = %q", raw, got)
		}
	}
	var xof clientkit.AmountField
	if err := json.Unmarshal([]byte(`"5000"`), &xof); err != nil {
		t.Fatal(err)
	}
	if n, err := xof.Amount("XOF"); err != nil || n != 5000 {
		t.Errorf("Amount of \"5000\" in XOF = %d, %v", n, err)
	}
	var bad clientkit.AmountField
	if err := json.Unmarshal([]byte(`{"x":1}`), &bad); err != nil || !bad.Set {
		t.Fatalf("object amount: %v, set %v", err, bad.Set)
	}
	if _, err := bad.Amount("XOF"); err == nil {
		t.Error("an object is an amount")
	}
	long := `["` + strings.Repeat("é", 150) + `","` + strings.Repeat("b", 150) + `","c","d","e","f"]`
	if got := clientkit.MessageText(json.RawMessage(long)); len([]rune(got)) != 200 {
		t.Errorf("MessageText of a long list has %d characters", len([]rune(got)))
	}
}

func TestText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, oneLine, cut string
		iso              bool
	}{
		{in: " a\tb\r\nc ", oneLine: "a b c", cut: " a\tb"},
		{in: "XOF", oneLine: "XOF", cut: "XOF", iso: true},
		{in: "xof", oneLine: "xof", cut: "xof"},
		{in: "ÉCU", oneLine: "ÉCU", cut: "ÉCU"},
		{in: "XOFX", oneLine: "XOFX", cut: "XOFX"},
		{in: "éèêëà", oneLine: "éèêëà", cut: "éèêë"},
	}
	for _, tt := range tests {
		if got := clientkit.OneLine(tt.in); got != tt.oneLine {
			t.Errorf("OneLine(%q) = %q", tt.in, got)
		}
		if got := clientkit.Truncate(tt.in, 4); got != tt.cut {
			t.Errorf("Truncate(%q, 4) = %q, want %q", tt.in, got, tt.cut)
		}
		if got := clientkit.ISOCode(tt.in); got != tt.iso {
			t.Errorf("ISOCode(%q) = %v", tt.in, got)
		}
	}
}

func TestHTTP(t *testing.T) {
	t.Parallel()
	describe := func(int, http.Header, []byte) string { return "d" }
	c := clientkit.HTTP("acme", nil, describe)
	if c == nil || c.Describe == nil || c.Describe(0, nil, nil) != "d" {
		t.Errorf("HTTP = %+v", c)
	}
}
