package clientkit_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/internal/clientkit"
	"github.com/cauripay/cauri/providers/providerhttp"
)

func TestNothingToLookUp(t *testing.T) {
	t.Parallel()
	err := clientkit.NothingToLookUp("acme", "status", "no acme token to look up")
	var pe *cauri.ProviderError
	if !errors.As(err, &pe) || pe.Provider != "acme" || pe.Op != "status" || pe.StatusCode != 0 || pe.Temporary ||
		!errors.Is(err, cauri.ErrNotFound) || !strings.Contains(err.Error(), "not found: no acme token to look up") {
		t.Errorf("NothingToLookUp = %v", err)
	}
}

// recorder is an http.RoundTripper that answers every call with
// {"ok":true} and records it as "METHOD path X-Key body".
type recorder []string

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	b, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, err
	}
	*r = append(*r, req.Method+" "+req.URL.Path+" "+req.Header.Get("X-Key")+" "+string(b))
	return &http.Response{
		StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(`{"ok":true}`)), Request: req,
	}, nil
}

func TestPost(t *testing.T) {
	t.Parallel()
	var calls recorder
	c := providerhttp.New("acme", &http.Client{Transport: &calls})
	build := func(amount int64) (map[string]int64, error) {
		if amount <= 0 {
			return nil, &cauri.ValidationError{What: "order"}
		}
		return map[string]int64{"amount": amount}, nil
	}
	call := providerhttp.Request{Op: "create", URL: "https://api.example/pay", Header: http.Header{"X-Key": {"k"}}}

	resp, err := clientkit.Post(context.Background(), c, call, build, 0)
	var ve *cauri.ValidationError
	if resp != nil || !errors.As(err, &ve) || len(calls) != 0 {
		t.Fatalf("a refused body: %v, %v, calls %q", resp, err, calls)
	}
	resp, err = clientkit.Post(context.Background(), c, call, build, 5)
	if err != nil || resp.StatusCode != http.StatusOK || string(resp.Body) != `{"ok":true}` {
		t.Fatalf("Post = %+v, %v", resp, err)
	}
	if want := []string{`POST /pay k {"amount":5}`}; !slices.Equal(calls, want) {
		t.Errorf("calls = %q, want %q", calls, want)
	}
}

func TestWholeUnits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		amount, want     int64
		currency, reason string
	}{
		{5000, 5000, "XOF", ""},
		{1000, 10, "USD", ""},
		{1050, 0, "USD", "must be a whole number of USD: acme takes no fractional amounts"},
		{0, 0, "XOF", "must be positive"},
		{-1, 0, "", "must be positive"},
		{100, 0, "", ""},
	}
	for _, tt := range tests {
		v := clientkit.Invalid{What: "order"}
		got := v.WholeUnits(tt.amount, tt.currency, ": acme takes no fractional amounts")
		var ve *cauri.ValidationError
		err := v.Err()
		switch {
		case got != tt.want:
			t.Errorf("WholeUnits(%d, %q) = %d, want %d", tt.amount, tt.currency, got, tt.want)
		case tt.reason == "" && err != nil:
			t.Errorf("WholeUnits(%d, %q): %v", tt.amount, tt.currency, err)
		case tt.reason != "" && (!errors.As(err, &ve) || len(ve.Fields) != 1 || ve.Fields[0].Field != "Amount" || ve.Fields[0].Reason != tt.reason):
			t.Errorf("WholeUnits(%d, %q): %v, want Amount %q", tt.amount, tt.currency, err, tt.reason)
		}
	}
}

func TestFieldNames(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want []string
	}{
		{nil, nil},
		{[]string{"b", "a", "b"}, []string{"a", "b"}},
		{[]string{strings.Repeat("x", 70)}, []string{strings.Repeat("x", 60)}},
		{strings.Split("l k j i h g f e d c b a", " "), strings.Split("a b c d e f g h i j ...", " ")},
	}
	for _, tt := range tests {
		if got := clientkit.FieldNames(slices.Clone(tt.in)); !slices.Equal(got, tt.want) {
			t.Errorf("FieldNames(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestStringValueAndCurrencyCode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw, value, code    string
		valueErr, codeError bool
	}{
		{raw: ``},
		{raw: `null`},
		{raw: `" xof "`, value: " xof ", code: "XOF"},
		{raw: `"\u0058AF"`, value: "XAF", code: "XAF"},
		{raw: `"  "`, value: "  "},
		{raw: `"FCFA"`, value: "FCFA", codeError: true},
		{raw: `"X1F"`, value: "X1F", codeError: true},
		{raw: `952`, valueErr: true},
		{raw: `{"code":"XOF"}`, valueErr: true},
	}
	for _, tt := range tests {
		v, err := clientkit.StringValue(json.RawMessage(tt.raw), "price.currency")
		if v != tt.value || (err != nil) != tt.valueErr {
			t.Errorf("StringValue(%s) = %q, %v", tt.raw, v, err)
		}
		if tt.valueErr && (!errors.Is(err, cauri.ErrMalformed) || !strings.Contains(err.Error(), "price.currency is not a string")) {
			t.Errorf("StringValue(%s): %v", tt.raw, err)
		}
		if err != nil {
			continue
		}
		code, err := clientkit.CurrencyCode(v, "price.currency")
		if code != tt.code || (err != nil) != tt.codeError {
			t.Errorf("CurrencyCode(%q) = %q, %v", v, code, err)
		}
		if tt.codeError && (!errors.Is(err, cauri.ErrMalformed) || !strings.Contains(err.Error(), "price.currency is not an ISO 4217 code")) {
			t.Errorf("CurrencyCode(%q): %v", v, err)
		}
	}
}

func TestDecodeString(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{``, ` null `, `"a b"`, ` "é\u00e9" `, `"\x"`, `"unterminated`, `12`, `true`, `{"a":"b"}`, `["a"]`} {
		var want string
		wantOK := json.Unmarshal([]byte(raw), &want) == nil
		if got, ok := clientkit.DecodeString([]byte(raw)); got != want || ok != wantOK {
			t.Errorf("DecodeString(%s) = %q, %v; json.Unmarshal gives %q, %v", raw, got, ok, want, wantOK)
		}
	}
}

func TestDecodeObject(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw  string
		want string
	}{
		{` {"a":"b"} `, "b"},
		{`{"a":1}`, ""},
		{`["a"]`, ""},
		{`null`, ""},
		{``, ""},
		{`{"a":`, ""},
	}
	for _, tt := range tests {
		var v struct{ A string }
		err := clientkit.DecodeObject([]byte(tt.raw), "the answer", &v)
		if tt.want != "" {
			if err != nil || v.A != tt.want {
				t.Errorf("DecodeObject(%s) = %+v, %v", tt.raw, v, err)
			}
			continue
		}
		if !errors.Is(err, cauri.ErrMalformed) || !strings.HasSuffix(err.Error(), ": the answer is not a JSON object") {
			t.Errorf("DecodeObject(%s) = %v, want ErrMalformed naming the answer", tt.raw, err)
		}
	}
}

func TestOneCurrency(t *testing.T) {
	t.Parallel()
	tests := []struct {
		amount   int64
		currency string
		fields   []string
	}{
		{5000, "XOF", nil},
		{0, "XOF", []string{"Amount"}},
		{5000, "XAF", []string{"Currency"}},
		{-5, "", []string{"Amount", "Currency"}},
	}
	for _, tt := range tests {
		v := clientkit.Invalid{What: "order"}
		v.OneCurrency(tt.amount, tt.currency, "XOF", "must be XOF")
		var fields []string
		var ve *cauri.ValidationError
		if errors.As(v.Err(), &ve) {
			for _, f := range ve.Fields {
				fields = append(fields, f.Field)
			}
		}
		if !slices.Equal(fields, tt.fields) {
			t.Errorf("OneCurrency(%d, %q) records %q, want %q", tt.amount, tt.currency, fields, tt.fields)
		}
	}
}

func TestAnswerAboutAndBelieved(t *testing.T) {
	t.Parallel()
	a := clientkit.Answer{Provider: "acme", Op: "status", Status: 200}
	malformed := func(err error, why string) bool {
		var pe *cauri.ProviderError
		return errors.As(err, &pe) && pe.Provider == "acme" && pe.Op == "status" && pe.StatusCode == 200 &&
			errors.Is(err, cauri.ErrMalformed) && strings.HasSuffix(err.Error(), why)
	}
	for _, tt := range []struct{ named, want string }{{"", "ref_1"}, {"ref_1", "ref_1"}, {"ref_2", ""}} {
		got, err := a.About(tt.named, "ref_1", "about another")
		if got != tt.want || (tt.want == "") != malformed(err, "about another") {
			t.Errorf("About(%q) = %q, %v", tt.named, got, err)
		}
	}
	tests := []struct {
		status   cauri.Status
		hasMoney bool
		refused  bool
	}{
		{cauri.StatusPaid, true, false},
		{cauri.StatusPaid, false, true},
		{cauri.StatusFailed, false, false},
		{cauri.StatusPending, false, false},
	}
	for _, tt := range tests {
		u, err := a.Believed(cauri.Update{PaymentID: "pay_1", Status: tt.status}, tt.hasMoney, "paid with no amount")
		switch {
		case tt.refused && (u != cauri.Update{} || !malformed(err, "paid with no amount")):
			t.Errorf("Believed(%s, %v) = %+v, %v", tt.status, tt.hasMoney, u, err)
		case !tt.refused && (err != nil || !u.Authenticated || u.PaymentID != "pay_1" || u.Status != tt.status):
			t.Errorf("Believed(%s, %v) = %+v, %v", tt.status, tt.hasMoney, u, err)
		}
	}
}

func TestSecretLookup(t *testing.T) {
	t.Parallel()
	var asked []string
	call := func(ref string) (cauri.Update, error) {
		asked = append(asked, ref)
		if ref == "tok/1" {
			return cauri.Update{}, &cauri.ProviderError{Provider: "acme", Op: "status", Message: "no invoice tok/1 (tok%2F1)"}
		}
		return cauri.Update{ProviderRef: ref}, nil
	}
	if _, err := clientkit.SecretLookup(cauri.StatusQuery{ProviderRef: " "}, "acme", "no acme token", call); !errors.Is(err, cauri.ErrNotFound) ||
		!strings.HasSuffix(err.Error(), "no acme token") || len(asked) != 0 {
		t.Errorf("a blank reference: %v, asked %q", err, asked)
	}
	if u, err := clientkit.SecretLookup(cauri.StatusQuery{ProviderRef: " tok "}, "acme", "no acme token", call); err != nil || u.ProviderRef != "tok" {
		t.Errorf("SecretLookup = %+v, %v", u, err)
	}
	_, err := clientkit.SecretLookup(cauri.StatusQuery{ProviderRef: "tok/1"}, "acme", "no acme token", call)
	var pe *cauri.ProviderError
	if !errors.As(err, &pe) || strings.Contains(err.Error(), "tok") || !strings.Contains(pe.Message, providerhttp.Redacted) {
		t.Errorf("an error about the reference: %v", err)
	}
	if want := []string{"tok", "tok/1"}; !slices.Equal(asked, want) {
		t.Errorf("asked %q, want %q", asked, want)
	}
}

// lengthReader reads a JSON string's length, refusing anything else.
type lengthReader struct{}

func (lengthReader) Read(raw []byte) (int, error) {
	s, ok := clientkit.DecodeString(raw)
	if !ok {
		return -1, cauri.ErrMalformed
	}
	return len(s), nil
}

func TestRead(t *testing.T) {
	t.Parallel()
	tests := []struct {
		body string
		want int
		err  error
	}{
		{`{"f":"abc"}`, 3, nil},
		{`{"f":null}`, 0, nil},
		{`{"f":12}`, -1, cauri.ErrMalformed},
		{`{"f":12,"f":"ab"}`, 2, nil},
		{`{}`, 0, nil},
	}
	for _, tt := range tests {
		var v struct {
			F clientkit.Read[int, lengthReader] `json:"f"`
		}
		if err := json.Unmarshal([]byte(tt.body), &v); err != nil {
			t.Fatalf("%s: %v", tt.body, err)
		}
		if v.F.Value != tt.want || v.F.Err != tt.err {
			t.Errorf("%s: Read = %d, %v; want %d, %v", tt.body, v.F.Value, v.F.Err, tt.want, tt.err)
		}
	}
}
