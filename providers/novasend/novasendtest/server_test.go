package novasendtest

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cauripay/cauri/internal/emulator/emutest"
	"github.com/cauripay/cauri/providers/novasend"
	"github.com/cauripay/cauri/providers/providertest"
)

const (
	ourRef      = "pay_0123456789abcdefghijklmnop"
	testAccount = "merchant_9923lkdz"
	validBody   = `{"reference":"` + ourRef + `","accountId":"` + testAccount + `","amount":5000,"msisdn":"+2250701020304","customerName":"Awa Diallo","country":"CI",` +
		`"action":{"successUrl":"https://shop.example/back/ok?x=1","failureUrl":"https://shop.example/back/ko"}}`
	key1 = "5f8eed5d-c206-45b2-9bf0-92d45061c2b6"
	key2 = "2e3a4448-5d65-40ee-b7c2-3b34b653dd3d"
)

// newServer is New with the account of validBody.
func newServer(opts ...Option) *Server {
	return New(append([]Option{WithAccountID(testAccount)}, opts...)...)
}

type answer struct {
	status int
	header http.Header
	raw    []byte
	err    struct {
		StatusCode int          `json:"statusCode"`
		Code       string       `json:"code"`
		Message    string       `json:"message"`
		Errors     []fieldError `json:"errors"`
	}
}

type call struct {
	method, path, body string
	auth               string // the Authorization header; "ok" for the server's
	key, lang          string
}

func (c call) do(t *testing.T, s *Server) answer {
	t.Helper()
	auth := c.auth
	if auth == "ok" {
		auth = novasend.BasicAuth(s.APIKey, s.APIClient)
	}
	r := emutest.Call(t, c.method, s.URL+c.path, c.body,
		"Authorization", auth, novasend.IdempotencyHeader, c.key, "Accept-Language", c.lang)
	a := answer{status: r.Status, header: r.Header, raw: r.Raw}
	_ = json.Unmarshal(a.raw, &a.err)
	return a
}

func create(body, key string) call {
	return call{method: http.MethodPost, path: "/v1/payin/sessions", body: body, auth: "ok", key: key}
}

func status(ref string) call {
	return call{method: http.MethodGet, path: "/v1/payin/" + ref, auth: "ok"}
}

// session is the creation answer.
type session struct {
	Type, Reference, PhoneNumber, Status, Currency, CustomerReference, ConfirmationStatus, PaymentURL, CreatedAt string
	Fee, Amount, ChargedAmount                                                                                   int64
	ConfirmationRequired                                                                                         bool
}

func open(t *testing.T, s *Server, body, key string) session {
	t.Helper()
	a := create(body, key).do(t, s)
	if a.status != http.StatusCreated || a.header.Get("Content-Type") != "application/json" {
		t.Fatalf("create: %d %s", a.status, a.raw)
	}
	var out session
	if err := json.Unmarshal(a.raw, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestAuth(t *testing.T) {
	t.Parallel()
	s := emutest.Start(t, newServer, WithCredentials("pk_fixed", "sk_fixed"))
	basic := func(u string) string { return "Basic " + base64.StdEncoding.EncodeToString([]byte(u)) }
	for _, tt := range []struct {
		auth   string
		status int
		body   string
	}{
		{"", 401, `{"statusCode":401,"code":"unauthorized","message":"Unauthorized"}`},
		{"Bearer sk_fixed", 401, `{"statusCode":401,"code":"unauthorized","message":"Unauthorized"}`},
		{"Basic !!!", 401, `{"statusCode":401,"code":"unauthorized","message":"Unauthorized"}`},
		{basic("pk_fixed"), 401, `{"statusCode":401,"code":"unauthorized","message":"Unauthorized"}`},
		{basic("pk_fixed:sk_wrong"), 403, `{"statusCode":403,"code":"api_token_invalid","message":"Invalid API credentials"}`},
		{basic("pk_wrong:sk_fixed"), 403, `{"statusCode":403,"code":"api_token_invalid","message":"Invalid API credentials"}`},
		{basic("sk_fixed:pk_fixed"), 403, `{"statusCode":403,"code":"api_token_invalid","message":"Invalid API credentials"}`},
		{basic("pk_fixed:sk_fixedX"), 403, `{"statusCode":403,"code":"api_token_invalid","message":"Invalid API credentials"}`},
	} {
		c := create(validBody, key1)
		c.auth = tt.auth
		if a := c.do(t, s); a.status != tt.status || string(bytes.TrimSpace(a.raw)) != tt.body {
			t.Errorf("auth %q: %d %s", tt.auth, a.status, a.raw)
		}
		c = status("x")
		c.auth = tt.auth
		if a := c.do(t, s); a.status != tt.status {
			t.Errorf("status with auth %q: %d", tt.auth, a.status)
		}
	}
	c := create(validBody, key1)
	c.auth, c.lang = basic("pk_fixed:nope"), "fr-CI,fr;q=0.9"
	if a := c.do(t, s); a.err.Message != "Identifiants API invalides" {
		t.Errorf("French: %s", a.raw)
	}
	if a := (call{method: http.MethodGet, path: "/v1/payout/x", auth: "ok"}).do(t, s); a.status != 404 || a.err.Code != "not_found" {
		t.Errorf("unknown route: %d %s", a.status, a.raw)
	}
	if a := (call{method: http.MethodGet, path: "/v1/payout/x"}).do(t, s); a.status != 401 {
		t.Errorf("unknown route without credentials: %d", a.status)
	}
	if a := (call{method: http.MethodGet, path: "/health"}).do(t, s); a.status != 200 || !bytes.Contains(a.raw, []byte(`"ok"`)) {
		t.Errorf("health: %d %s", a.status, a.raw)
	}
	if s.APIKey != "pk_fixed" || s.APIClient != "sk_fixed" || len(s.Payins()) != 0 {
		t.Error("WithCredentials ignored, or a refused call created a payin")
	}
}

func TestIdempotency(t *testing.T) {
	t.Parallel()
	s := emutest.Start(t, newServer)

	if a := create(validBody, "").do(t, s); a.status != 400 || a.err.Code != "idempotency_key_required" {
		t.Errorf("no key: %d %s", a.status, a.raw)
	}
	if a := create(validBody, "pay_01").do(t, s); a.status != 400 || a.err.Code != "idempotency_key_invalid" {
		t.Errorf("not a UUID: %d %s", a.status, a.raw)
	}

	first := create(validBody, key1).do(t, s)
	if first.status != http.StatusCreated || first.header.Get("Idempotent-Replayed") != "" {
		t.Fatalf("create: %d %s", first.status, first.raw)
	}
	// Replays, at once and concurrently: the same answer, nothing created.
	var wg sync.WaitGroup
	for range 5 {
		wg.Go(func() {
			a := create(validBody, key1).do(t, s)
			if a.status != http.StatusCreated || !bytes.Equal(a.raw, first.raw) || a.header.Get("Idempotent-Replayed") != "true" {
				t.Errorf("replay: %d %s", a.status, a.raw)
			}
		})
	}
	wg.Wait()
	if n := len(s.Payins()); n != 1 {
		t.Errorf("%d payins after replays", n)
	}
	// The same key for another request, another key for the same reference.
	if a := create(strings.Replace(validBody, "5000", "5001", 1), key1).do(t, s); a.status != 409 || a.err.Code != "idempotency_key_reused" {
		t.Errorf("key reused: %d %s", a.status, a.raw)
	}
	if a := create(validBody, key2).do(t, s); a.status != 409 || a.err.Code != "reference_already_used" {
		t.Errorf("reference reused: %d %s", a.status, a.raw)
	}
	// A refused request does not burn its key: the corrected one opens.
	bad := strings.Replace(validBody, `"country":"CI"`, `"country":"GH"`, 1)
	bad = strings.Replace(bad, ourRef, "pay_other", 1)
	if a := create(bad, key2).do(t, s); a.status != 404 || a.err.Code != "country_not_found" {
		t.Errorf("country: %d %s", a.status, a.raw)
	}
	good := strings.Replace(validBody, ourRef, "pay_other", 1)
	if a := create(good, key2).do(t, s); a.status != http.StatusCreated {
		t.Errorf("the key of a refused request: %d %s", a.status, a.raw)
	}
}

func TestValidation(t *testing.T) {
	t.Parallel()
	s := emutest.Start(t, newServer)
	tests := []struct {
		name   string
		body   string
		code   string
		fields []string
	}{
		{"empty", `{}`, "validation_error", []string{"amount", "country", "customerName", "msisdn", "reference"}},
		{"decimal amount", strings.Replace(validBody, `"amount":5000`, `"amount":50.5`, 1), "validation_error", []string{"amount"}},
		{"string amount", strings.Replace(validBody, `"amount":5000`, `"amount":"5000"`, 1), "validation_error", []string{"amount"}},
		{"zero amount", strings.Replace(validBody, `"amount":5000`, `"amount":0`, 1), "transaction_greater_than_zero", []string{"amount"}},
		{"too much", strings.Replace(validBody, `"amount":5000`, `"amount":2000001`, 1), "invalid_amount", []string{"amount"}},
		{"local msisdn", strings.Replace(validBody, `+2250701020304`, `0701020304`, 1), "validation_error", []string{"msisdn"}},
		{"msisdn number", strings.Replace(validBody, `"+2250701020304"`, `2250701020304`, 1), "validation_error", []string{"msisdn"}},
		{"no name", strings.Replace(validBody, `"Awa Diallo"`, `" "`, 1), "validation_error", []string{"customerName"}},
		{"country name", strings.Replace(validBody, `"CI"`, `"Côte d'Ivoire"`, 1), "validation_error", []string{"country"}},
		{"lower-case country", strings.Replace(validBody, `"CI"`, `"ci"`, 1), "validation_error", []string{"country"}},
		{"bad action", strings.Replace(validBody, `https://shop.example/back/ko`, `/back/ko`, 1), "validation_error", []string{"action.failureUrl"}},
		{"action not an object", strings.Replace(validBody, `"action":{`, `"action":"x","y":{`, 1), "validation_error", []string{"action"}},
		{"accountId not a string", strings.Replace(validBody, `"amount"`, `"accountId":7,"amount"`, 1), "validation_error", []string{"accountId"}},
	}
	for _, tt := range tests {
		a := create(tt.body, key1).do(t, s)
		if a.status != http.StatusBadRequest || a.err.StatusCode != 400 || a.err.Code != tt.code || a.err.Message == "" {
			t.Errorf("%s: %d %s", tt.name, a.status, a.raw)
			continue
		}
		var got []string
		for _, e := range a.err.Errors {
			got = append(got, e.Field)
		}
		slices.Sort(got)
		if strings.Join(got, ",") != strings.Join(tt.fields, ",") {
			t.Errorf("%s: fields %v, want %v", tt.name, got, tt.fields)
		}
	}
	c := create(`{}`, key1)
	c.lang = "fr"
	if a := c.do(t, s); !strings.Contains(a.err.Message, "obligatoire") {
		t.Errorf("French: %s", a.raw)
	}
	if a := create(`{"amount":`, key1).do(t, s); a.status != 400 || a.err.Code != "invalid_json" {
		t.Errorf("broken JSON: %d %s", a.status, a.raw)
	}
	// The account to credit: required, and the merchant's.
	for name, body := range map[string]string{
		"another account": strings.Replace(validBody, testAccount, "merchant_other", 1),
		"no accountId":    strings.Replace(validBody, `"accountId":"`+testAccount+`",`, "", 1),
		"empty accountId": strings.Replace(validBody, testAccount, " ", 1),
		"null accountId":  strings.Replace(validBody, `"`+testAccount+`"`, "null", 1),
	} {
		if a := create(body, key1).do(t, s); a.status != 404 || a.err.StatusCode != 404 || a.err.Code != "wallet_not_found" || a.err.Message != "Wallet not found" {
			t.Errorf("%s: %d %s", name, a.status, a.raw)
		}
	}
	if n := len(s.Payins()); n != 0 {
		t.Errorf("%d payins opened without the merchant's account", n)
	}
	// The seed's body: accountId, no action.
	seed := `{"reference":"` + ourRef + `","accountId":"merchant_9923lkdz","amount":300,"msisdn":"+2250702968786","customerName":"John Doe","country":"CI"}`
	got := open(t, s, seed, key1)
	if got.Amount != 300 || got.Fee != 6 || got.ChargedAmount != 306 || got.Currency != "XOF" || got.CustomerReference != ourRef ||
		!strings.HasPrefix(got.Reference, "tr_") || len(got.Reference) != 29 || got.Status != "processing" ||
		got.ConfirmationStatus != "none" || !got.ConfirmationRequired || got.Type != "payin" || got.PhoneNumber != "+2250702968786" ||
		!strings.HasPrefix(got.PaymentURL, s.URL+"/link/") {
		t.Errorf("answer %+v", got)
	}
	if p, _ := s.Payment(ourRef); p.AccountID != "merchant_9923lkdz" || p.SuccessURL != "" {
		t.Errorf("payin %+v", p)
	}
	// XAF in Cameroon.
	cm := strings.NewReplacer(`"CI"`, `"CM"`, `+2250701020304`, `+237690000000`, ourRef, "pay_cm").Replace(validBody)
	if got := open(t, s, cm, key2); got.Currency != "XAF" {
		t.Errorf("Cameroon: %+v", got)
	}
}

func TestStatus(t *testing.T) {
	t.Parallel()
	s := emutest.Start(t, newServer)
	sess := open(t, s, validBody, key1)
	for _, ref := range []string{sess.Reference, ourRef} {
		a := status(ref).do(t, s)
		if a.status != http.StatusOK {
			t.Fatalf("%s: %d %s", ref, a.status, a.raw)
		}
		var d map[string]any
		if err := json.Unmarshal(a.raw, &d); err != nil {
			t.Fatal(err)
		}
		if d["reference"] != sess.Reference || d["customerReference"] != ourRef || d["status"] != "processing" ||
			d["confirmationStatus"] != "none" || d["transaction"] != nil || d["failure"] != nil || d["amount"] != 5000.0 ||
			d["customerName"] != "Awa Diallo" || d["currency"] != "XOF" || d["fee"] != 100.0 || d["chargedAmount"] != 5100.0 {
			t.Errorf("%s: %s", ref, a.raw)
		}
	}
	// The seed's field order.
	a := status(sess.Reference).do(t, s)
	if got := emutest.Keys(t, a.raw); got != "type,fee,reference,phoneNumber,customerName,amount,chargedAmount,status,currency,"+
		"customerReference,confirmationRequired,confirmationStatus,createdAt,transaction,failure" {
		t.Errorf("fields %s", got)
	}
	if a := status("tr_nope").do(t, s); a.status != 404 || a.err.Code != "transaction_does_not_exist" || a.err.Message != "Payment not found" {
		t.Errorf("unknown: %d %s", a.status, a.raw)
	}
	if p, _ := s.Payment(sess.Reference); len(p.StatusCalls) != 3 {
		t.Errorf("status calls %v", p.StatusCalls)
	}
}

func TestPollLimit(t *testing.T) {
	t.Parallel()
	clk := emutest.NewClock()
	s := emutest.Start(t, newServer, WithPollLimit(200*time.Millisecond), providertest.WithClock(clk.Now))
	sess := open(t, s, validBody, key1)
	if a := status(sess.Reference).do(t, s); a.status != 200 {
		t.Fatalf("first: %d", a.status)
	}
	a := status(ourRef).do(t, s)
	if a.status != 429 || a.header.Get("Retry-After") != "1" || a.err.Code != "too_many_requests" {
		t.Errorf("too fast: %d %v %s", a.status, a.header, a.raw)
	}
	clk.Advance(199 * time.Millisecond)
	if a := status(sess.Reference).do(t, s); a.status != 429 {
		t.Errorf("just inside the interval: %d", a.status)
	}
	clk.Advance(time.Millisecond)
	if a := status(sess.Reference).do(t, s); a.status != 200 {
		t.Errorf("after the interval: %d", a.status)
	}
	if p, _ := s.Payment(ourRef); len(p.StatusCalls) != 4 {
		t.Errorf("status calls %v", p.StatusCalls)
	}
}

// TestStatusWithoutTransaction: with WithoutTransactionInStatus, status
// answers never have the transaction key, before or after the customer
// paid; by default it is null, then the settlement.
func TestStatusWithoutTransaction(t *testing.T) {
	t.Parallel()
	for _, omit := range []bool{false, true} {
		var opts []Option
		if omit {
			opts = append(opts, WithoutTransactionInStatus())
		}
		s := emutest.Start(t, newServer, opts...)
		sess := open(t, s, validBody, key1)
		transaction := func() (json.RawMessage, bool) {
			t.Helper()
			var d map[string]json.RawMessage
			a := status(sess.Reference).do(t, s)
			if err := json.Unmarshal(a.raw, &d); err != nil || a.status != http.StatusOK {
				t.Fatalf("%d %s", a.status, a.raw)
			}
			tx, ok := d["transaction"]
			return tx, ok
		}
		if tx, ok := transaction(); ok == omit || ok && string(tx) != "null" {
			t.Errorf("omit %v, before paying: transaction %s, present %v", omit, tx, ok)
		}
		emutest.Act(t, s.Act, sess.PaymentURL, providertest.Pay)
		if tx, ok := transaction(); ok == omit || ok && !bytes.Contains(tx, []byte(`"status":"completed"`)) {
			t.Errorf("omit %v, paid: transaction %s, present %v", omit, tx, ok)
		}
		if p, _ := s.Payment(ourRef); p.Transaction == nil || p.Transaction.Status != "completed" {
			t.Errorf("omit %v: the payin itself is settled: %+v", omit, p)
		}
	}
}

type hook struct {
	ID, Type, Status, Currency, CreatedAt, Reference, PaymentURL, ConfirmationStatus string
	Fees                                                                             int64
	Amount, ChargedAmount                                                            json.Number
	Failure                                                                          *Failure
	Customer                                                                         struct{ Name, PhoneNumber string }
	ConfirmationRequired                                                             bool
	Transaction                                                                      *struct{ Reference, Status, Amount, Currency string }
}

func TestPageFlow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, sh := emutest.StartNotifying(t, "/hooks", newServer, providertest.WithMerchant("Boutique Awa"))

	sess := open(t, s, validBody, key1)
	code := strings.TrimPrefix(sess.PaymentURL, s.URL+"/link/")
	emutest.Shows(t, "page", emutest.Page(t, sess.PaymentURL), "Boutique Awa", "5000 XOF", ourRef, `action="/link/`+code+`/pay"`, `/fail"`, `/cancel"`)
	if p, _ := s.Payment(ourRef); p.ConfirmationStatus != "pending" {
		t.Errorf("opening the page: confirmation %q", p.ConfirmationStatus)
	}

	back, err := s.Act(ctx, sess.PaymentURL, providertest.Pay)
	if err != nil || back != "https://shop.example/back/ok?x=1" {
		t.Errorf("return %q %v", back, err)
	}
	p, _ := s.Payment(sess.Reference)
	if p.Status != "processed" || p.ConfirmationStatus != "accepted" || p.Transaction == nil || p.Transaction.Status != "completed" ||
		!strings.HasPrefix(p.Transaction.Reference, "tr_") || p.Failure != nil {
		t.Errorf("payin %+v", p)
	}

	// Delivered before Act returned, signed, in the documented shape.
	if sh.Count() != 1 {
		t.Fatalf("%d webhooks", sh.Count())
	}
	r, body := sh.At(0)
	if err := novasend.VerifySignature(body, r.Header.Get(novasend.SignatureHeader), s.WebhookSecret); err != nil {
		t.Errorf("signature: %v", err)
	}
	if r.Header.Get("X-Signature-Value") != novasend.Sign(s.WebhookSecret, body) || r.URL.Path != "/hooks" || r.Header.Get("Content-Type") != "application/json" {
		t.Errorf("header %v path %s", r.Header, r.URL.Path)
	}
	var h hook
	if err := json.Unmarshal(body, &h); err != nil {
		t.Fatal(err)
	}
	if h.ID != sess.Reference || h.Type != "payin" || h.Reference != ourRef || h.Status != "processed" || h.ConfirmationStatus != "accepted" ||
		h.Amount != "5000" || h.ChargedAmount != "5100" || h.Fees != 100 || h.Currency != "XOF" || h.Customer.Name != "Awa Diallo" ||
		h.PaymentURL != sess.PaymentURL || h.Failure != nil || h.Transaction != nil || !h.ConfirmationRequired {
		t.Errorf("webhook %s", body)
	}
	if !bytes.HasPrefix(body, []byte(`{"id":`)) || !bytes.Contains(body, []byte(`"failure":null`)) {
		t.Errorf("not the documented shape: %s", body)
	}

	// A second action is refused.
	emutest.Refuses(t, s.Act, sess.PaymentURL, providertest.Cancel, "second action accepted")
	if p, _ := s.Payment(ourRef); p.Transaction.Status != "completed" || sh.Count() != 1 {
		t.Errorf("second action changed things: %+v, %d webhooks", p, sh.Count())
	}
	if page := emutest.Page(t, sess.PaymentURL); !strings.Contains(page, "This payment is paid.") {
		t.Errorf("settled page: %s", page)
	}

	// Fail and decline go back to failureUrl.
	for i, tt := range []struct {
		a                     providertest.Action
		status, confirm, txSt string
	}{
		{providertest.Fail, "processed", "accepted", "failed"},
		{providertest.Cancel, "processing", "declined", ""},
	} {
		ref := "pay_flow" + string(rune('a'+i))
		sess := open(t, s, strings.Replace(validBody, ourRef, ref, 1), []string{key2, "11111111-2222-4333-8444-555555555555"}[i])
		back, err := s.Act(ctx, sess.PaymentURL, tt.a)
		if err != nil || back != "https://shop.example/back/ko" {
			t.Errorf("%s: %q %v", tt.a, back, err)
		}
		p, _ := s.Payment(ref)
		txSt := ""
		if p.Transaction != nil {
			txSt = p.Transaction.Status
		}
		if p.Status != tt.status || p.ConfirmationStatus != tt.confirm || txSt != tt.txSt || p.Failure == nil {
			t.Errorf("%s: %+v", tt.a, p)
		}
		_, body := sh.At(sh.Count() - 1)
		if !bytes.Contains(body, []byte(`"confirmationStatus":"`+tt.confirm+`"`)) || !bytes.Contains(body, []byte(`"failure":{"code":`)) {
			t.Errorf("%s: webhook %s", tt.a, body)
		}
	}
	emutest.Refuses(t, s.Act, s.URL+"/link/NOPE", providertest.Pay, "unknown payment accepted")
}

// TestWebhookForms: the bytes sent and the bytes signed, as the options
// choose them.
func TestWebhookForms(t *testing.T) {
	t.Parallel()
	// A name with characters PHP and encoding/json escape.
	body := strings.Replace(validBody, `"Awa Diallo"`, `"Aïssata & Koné 😀"`, 1)
	for _, tt := range []struct {
		name        string
		opts        []Option
		sent        []string // in the body sent
		notSent     []string
		stringified bool // signed over JSON.stringify's form, not the bytes sent
	}{
		{name: "default", sent: []string{`"http://127.0.0.1:`, `"Aïssata \u0026 Koné 😀"`}, notSent: []string{`\/`}},
		{name: "escaped", opts: []Option{WithEscapedWebhooks()},
			sent: []string{`"http:\/\/127.0.0.1:`, `"A\u00efssata & Kon\u00e9 \ud83d\ude00"`}},
		{name: "stringified", opts: []Option{WithStringifiedSignature()},
			sent: []string{`"http://127.0.0.1:`, `"Aïssata \u0026 Koné 😀"`}, stringified: true},
		{name: "escaped and stringified, as the documentation", opts: []Option{WithEscapedWebhooks(), WithStringifiedSignature()},
			sent: []string{`"http:\/\/127.0.0.1:`, `"A\u00efssata & Kon\u00e9 \ud83d\ude00"`}, stringified: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, sh := emutest.StartNotifying(t, "", newServer, append(tt.opts, WithTransactionInWebhooks())...)
			sess := open(t, s, body, key1)
			emutest.Act(t, s.Act, sess.PaymentURL, providertest.Pay)
			r, got := sh.At(0)
			for _, want := range tt.sent {
				if !bytes.Contains(got, []byte(want)) {
					t.Errorf("body lacks %s: %s", want, got)
				}
			}
			for _, unwanted := range tt.notSent {
				if bytes.Contains(got, []byte(unwanted)) {
					t.Errorf("body has %s: %s", unwanted, got)
				}
			}
			var h hook
			if err := json.Unmarshal(got, &h); err != nil || h.Customer.Name != "Aïssata & Koné 😀" || h.PaymentURL != sess.PaymentURL ||
				h.Transaction == nil || h.Transaction.Status != "completed" {
				t.Errorf("webhook %s: %v", got, err)
			}
			// JSON.stringify's form, written out: nothing escaped but what
			// it escapes.
			js := strings.NewReplacer(`\/`, `/`, `\u00ef`, `ï`, `\u00e9`, `é`, `\ud83d\ude00`, `😀`, `\u0026`, `&`).Replace(string(got))
			if js == string(got) {
				t.Fatalf("the body sent is already JSON.stringify's form: %s", got)
			}
			sig := r.Header.Get(novasend.SignatureHeader)
			overRaw, overJS := sig == novasend.Sign(s.WebhookSecret, got), sig == novasend.Sign(s.WebhookSecret, []byte(js))
			if overRaw == tt.stringified || overJS != tt.stringified {
				t.Errorf("signed over the raw bytes %v, over JSON.stringify's form %v; want the latter %v", overRaw, overJS, tt.stringified)
			}
			if err := novasend.VerifySignature(got, sig, s.WebhookSecret); err != nil {
				t.Errorf("the provider does not verify it: %v", err)
			}
		})
	}
}

// TestNoAction: a session opened in the seed's shape, without action, sends
// nobody back.
func TestNoAction(t *testing.T) {
	t.Parallel()
	s, sh := emutest.StartNotifying(t, "", newServer, WithTransactionInWebhooks())
	body := `{"reference":"` + ourRef + `","accountId":"` + testAccount + `","amount":300,"msisdn":"+2250702968786","customerName":"John Doe","country":"CI"}`
	sess := open(t, s, body, key1)
	back, err := s.Act(context.Background(), sess.PaymentURL, providertest.Pay)
	if err != nil || back != "" {
		t.Errorf("Act = %q, %v", back, err)
	}
	if sh.Count() != 1 {
		t.Fatalf("%d webhooks", sh.Count())
	}
	_, hb := sh.At(0)
	var h hook
	_ = json.Unmarshal(hb, &h)
	if h.Transaction == nil || h.Transaction.Status != "completed" || h.Transaction.Amount != "300.00" || h.Transaction.Currency != "XOF" {
		t.Errorf("webhook with transaction: %s", hb)
	}
}

func TestFaultsAndDelta(t *testing.T) {
	t.Parallel()
	s := emutest.Start(t, newServer)
	s.InjectFault(providertest.OpCreate, providertest.Fault{Kind: providertest.FaultStatus, Status: 503, RetryAfter: 2 * time.Second})
	a := create(validBody, key1).do(t, s)
	if a.status != 503 || a.header.Get("Retry-After") != "2" || a.err.StatusCode != 503 || a.err.Code != "service_unavailable" {
		t.Errorf("injected 503: %d %v %s", a.status, a.header, a.raw)
	}
	if len(s.Payins()) != 0 {
		t.Error("a failed creation created")
	}
	sess := open(t, s, validBody, key1)

	s.InjectFault(providertest.OpStatus, providertest.Fault{Kind: providertest.FaultStatus, Status: 429, Times: 2})
	for range 2 {
		if a := status(sess.Reference).do(t, s); a.status != 429 {
			t.Errorf("injected 429: %d", a.status)
		}
	}
	s.InjectFault(providertest.OpAny, providertest.Fault{Kind: providertest.FaultStatus, Status: 500, Times: 50})
	if a := status(sess.Reference).do(t, s); a.status != 500 {
		t.Errorf("OpAny: %d", a.status)
	}
	if a := create(validBody, key1).do(t, s); a.status != 500 {
		t.Errorf("OpAny on create: %d", a.status)
	}
	s.InjectFault(providertest.OpAny, providertest.Fault{Times: -1})
	if a := status(sess.Reference).do(t, s); a.status != 200 {
		t.Errorf("after clearing: %d", a.status)
	}

	sh := emutest.NewShop(t)
	s.SetWebhookURL(sh.URL)
	s.ReportAmountDelta(-1000)
	_, _ = s.Act(context.Background(), sess.PaymentURL, providertest.Pay)
	a = status(sess.Reference).do(t, s)
	if !bytes.Contains(a.raw, []byte(`"amount":4000,"chargedAmount":4100`)) || !bytes.Contains(a.raw, []byte(`"amount":"4000.00"`)) {
		t.Errorf("delta: %s", a.raw)
	}
	if _, body := sh.At(0); !bytes.Contains(body, []byte(`"amount":4000`)) {
		t.Errorf("delta in the webhook: %s", body)
	}
	if p, _ := s.Payment(sess.Reference); p.Amount != 5000 {
		t.Errorf("delta changed the record: %d", p.Amount)
	}
}

func TestForge(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := emutest.Start(t, newServer)
	sh := emutest.NewShop(t, 401)
	sess := open(t, s, validBody, key1)
	if err := s.Forge(ctx, sh.URL, sess.Reference); err != nil {
		t.Fatal(err)
	}
	r, body := sh.At(0)
	if err := novasend.VerifySignature(body, r.Header.Get(novasend.SignatureHeader), s.WebhookSecret); err == nil {
		t.Error("forged webhook verifies")
	}
	var h hook
	_ = json.Unmarshal(body, &h)
	if h.ID != sess.Reference || h.Reference != ourRef || h.Transaction == nil || h.Transaction.Status != "completed" || h.Amount != "5000" {
		t.Errorf("forged body %s", body)
	}
	if p, _ := s.Payment(sess.Reference); p.Transaction != nil || p.ConfirmationStatus != "none" {
		t.Errorf("Forge changed the record: %+v", p)
	}
}

func TestExpireAndSetStatus(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, sh := emutest.StartNotifying(t, "", newServer)
	sess := open(t, s, validBody, key1)
	if err := s.Expire(ctx, ourRef); err != nil {
		t.Fatal(err)
	}
	if _, body := sh.At(0); !bytes.Contains(body, []byte(`"status":"expired"`)) || !bytes.Contains(body, []byte(`"confirmationStatus":"expired"`)) {
		t.Errorf("webhook %s", body)
	}
	emutest.Refuses(t, s.Act, sess.PaymentURL, providertest.Pay, "an expired payin was paid")
	if err := s.Expire(ctx, ourRef); err == nil {
		t.Error("expired twice")
	}
	if err := s.Expire(ctx, "nope"); err == nil {
		t.Error("unknown payin expired")
	}

	if err := s.SetStatus(sess.Reference, "processed", "accepted", "completed"); err != nil {
		t.Fatal(err)
	}
	if p, _ := s.Payment(ourRef); p.Transaction == nil || p.Transaction.Status != "completed" || p.Status != "processed" {
		t.Errorf("SetStatus: %+v", p)
	}
	_ = s.SetStatus(ourRef, "processing", "none", "")
	if p, _ := s.Payment(ourRef); p.Transaction != nil {
		t.Errorf("SetStatus without transaction: %+v", p)
	}
	if err := s.SetStatus("nope", "", "", ""); err == nil {
		t.Error("unknown payin set")
	}
	if sh.Count() != 1 {
		t.Errorf("SetStatus sent webhooks")
	}
}

func TestProvider(t *testing.T) {
	t.Parallel()
	s := emutest.Start(t, New, WithAccountID("acc_1"), WithWebhookSecret("whsec_1"))
	cfg := s.Config()
	if s.Provider().Name() != "novasend" || cfg.BaseURL != s.URL+"/v1" || cfg.APIKey != s.APIKey || cfg.APIClient != s.APIClient ||
		cfg.WebhookSecrets[0] != "whsec_1" || cfg.AccountID != "acc_1" || s.Sign([]byte("x")) != novasend.Sign("whsec_1", []byte("x")) {
		t.Errorf("provider %s, config %+v", s.Provider().Name(), cfg)
	}
	fees := emutest.Start(t, newServer, WithFeePaidByCustomer())
	if p, _ := fees.Payment(open(t, fees, validBody, key1).Reference); !p.FeePaidByCustomer {
		t.Errorf("WithFeePaidByCustomer: %+v", p)
	}
}

// TestPageChoice: the page is NovaSend's, with the wallets of the payin's
// country and the customer's name and number; the wallet chosen is
// recorded.
func TestPageChoice(t *testing.T) {
	t.Parallel()
	s := emutest.Start(t, newServer)
	sess := open(t, s, validBody, key1)
	html := emutest.Page(t, sess.PaymentURL)
	emutest.Shows(t, "page", html,
		"<title>NovaSend checkout (emulator)</title>", "Pay 5000 XOF", "Pay later on my phone",
		`value="wave" checked> Wave`, `value="orange"> Orange Money`, `value="mtn"> MTN MoMo`, `value="moov"> Moov Money`,
		`name="customer_name" value="Awa Diallo"`, `name="customer_phone" type="tel" autocomplete="tel" value="&#43;2250701020304"`,
	)
	emutest.Choose(t, sess.PaymentURL, providertest.Pay, url.Values{"operator": {"mtn"}})
	if p, _ := s.Payment(ourRef); p.Operator != "mtn" || p.Transaction == nil || p.Transaction.Status != "completed" {
		t.Errorf("payin %+v", p)
	}

	sn := strings.NewReplacer(`"country":"CI"`, `"country":"SN"`, `"+2250701020304"`, `"+221771234567"`, ourRef, "pay_sn").Replace(validBody)
	html = emutest.Page(t, open(t, s, sn, key2).PaymentURL)
	if !strings.Contains(html, `value="free"> Free Money`) || strings.Contains(html, `value="mtn"`) {
		t.Errorf("Senegal's page:\n%s", html)
	}
}

// TestPayLater: the payin is processed and accepted with a pending
// transaction, a webhook says so, and the customer goes to successUrl;
// ConfirmLater completes the transaction and sends a webhook, once.
func TestPayLater(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, sh := emutest.StartNotifying(t, "/hooks", newServer)
	sess := open(t, s, validBody, key1)
	back, err := s.Act(ctx, sess.PaymentURL, providertest.PayLater)
	if err != nil || back != "https://shop.example/back/ok?x=1" {
		t.Fatalf("pay later: %q %v", back, err)
	}
	p, _ := s.Payment(ourRef)
	if p.Status != "processed" || p.ConfirmationStatus != "accepted" || p.Transaction == nil || p.Transaction.Status != "pending" || !p.Later {
		t.Errorf("after pay later: %+v", p)
	}
	var h hook
	if _, body := sh.At(0); sh.Count() != 1 || json.Unmarshal(body, &h) != nil || h.Status != "processed" || h.ConfirmationStatus != "accepted" {
		t.Errorf("webhook %d %+v", sh.Count(), h)
	}
	txStatus := func() string {
		var st struct{ Transaction *struct{ Status string } }
		a := status(ourRef).do(t, s)
		if err := json.Unmarshal(a.raw, &st); err != nil || st.Transaction == nil {
			t.Fatalf("status: %s", a.raw)
		}
		return st.Transaction.Status
	}
	if got := txStatus(); got != "pending" {
		t.Errorf("status: transaction %s", got)
	}
	emutest.Held(t, s.Act, sess.PaymentURL, "Confirm on your phone", providertest.Cancel)

	if err := s.ConfirmLater(ctx, ourRef); err != nil {
		t.Fatal(err)
	}
	if p, _ := s.Payment(ourRef); p.Transaction.Status != "completed" || p.Later || sh.Count() != 2 {
		t.Errorf("after ConfirmLater: %+v, %d webhooks", p, sh.Count())
	}
	if got := txStatus(); got != "completed" {
		t.Errorf("status after ConfirmLater: transaction %s", got)
	}
	emutest.NotWaiting(t, s.ConfirmLater, sess.Reference, sh, 2)
}
