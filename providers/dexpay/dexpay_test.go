package dexpay_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/internal/emulator/emutest"
	"github.com/cauripay/cauri/providers/dexpay"
	"github.com/cauripay/cauri/providers/dexpay/dexpaytest"
	"github.com/cauripay/cauri/providers/internal/clienttest"
	"github.com/cauripay/cauri/providers/providertest"
)

func TestNew(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		cfg    dexpay.Config
		fields string // "" means valid
	}{
		{"nothing", dexpay.Config{}, "APIKey,APISecret"},
		{"sandbox keys", dexpay.Config{APIKey: "pk_test_1", APISecret: "sk_test_1"}, ""},
		{"live keys live", dexpay.Config{APIKey: "pk_live_1", APISecret: "sk_live_1", Mode: dexpay.Live}, ""},
		{"keys of no known shape", dexpay.Config{APIKey: "key", APISecret: "secret", Mode: dexpay.Live}, ""},
		{"mode in other words", dexpay.Config{APIKey: "pk_test_1", APISecret: "sk_test_1", Mode: "TEST"}, ""},
		{"live keys in the sandbox", dexpay.Config{APIKey: "pk_live_1", APISecret: "sk_live_1"}, "APIKey,APISecret"},
		{"sandbox keys live", dexpay.Config{APIKey: "pk_test_1", APISecret: "sk_test_1", Mode: dexpay.Live}, "APIKey,APISecret"},
		{"keys swapped", dexpay.Config{APIKey: "sk_test_1", APISecret: "pk_test_1"}, "APIKey,APISecret"},
		{"key with a space", dexpay.Config{APIKey: "pk_test_1 ", APISecret: "sk_test_1"}, "APIKey"},
		{"unknown mode", dexpay.Config{APIKey: "pk_test_1", APISecret: "sk_test_1", Mode: "prod"}, "Mode"},
		{"blank webhook secret: left out", dexpay.Config{APIKey: "pk_test_1", APISecret: "sk_test_1", WebhookSecrets: []string{"a", " "}}, ""},
		{"base URL with a query", dexpay.Config{APIKey: "k", APISecret: "s", BaseURL: "https://api.dexpay.africa/api/v1?x=1"}, "BaseURL"},
		{"base URL without a scheme", dexpay.Config{APIKey: "k", APISecret: "s", BaseURL: "api.dexpay.africa/api/v1"}, "BaseURL"},
		{"base URL with user info", dexpay.Config{APIKey: "k", APISecret: "s", BaseURL: "https://u:p@api.dexpay.africa"}, "BaseURL"},
		{"base URL not http", dexpay.Config{APIKey: "k", APISecret: "s", BaseURL: "ftp://api.dexpay.africa"}, "BaseURL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := dexpay.New(tt.cfg)
			if tt.fields == "" {
				if err != nil || p.Name() != "dexpay" {
					t.Fatalf("New = %v, %v", p, err)
				}
				return
			}
			var ve *cauri.ValidationError
			if !errors.As(err, &ve) || ve.What != "config" {
				t.Fatalf("err = %v, want a config *cauri.ValidationError", err)
			}
			if got := clienttest.FieldNames(ve); got != tt.fields {
				t.Errorf("fields %s, want %s", got, tt.fields)
			}
		})
	}
}

// TestNewBaseURL: each mode's host, and BaseURL over both, as the requests
// go out.
func TestNewBaseURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		cfg  dexpay.Config
		want string
	}{
		{dexpay.Config{APIKey: "pk_test_1", APISecret: "sk_test_1"}, "https://api-sandbox.dexpay.africa/api/v1/checkout-sessions/reference/pay_01"},
		{dexpay.Config{APIKey: "pk_live_1", APISecret: "sk_live_1", Mode: dexpay.Live}, "https://api.dexpay.africa/api/v1/checkout-sessions/reference/pay_01"},
		{dexpay.Config{APIKey: "pk_live_1", APISecret: "sk_live_1", Mode: dexpay.Live, BaseURL: "https://proxy.example/dexpay/api/v1/"},
			"https://proxy.example/dexpay/api/v1/checkout-sessions/reference/pay_01"},
	}
	for _, tt := range tests {
		var rt urlRecorder
		tt.cfg.HTTPClient = &http.Client{Transport: &rt}
		p := provider(t, tt.cfg)
		if _, err := p.FetchStatus(context.Background(), cauri.StatusQuery{PaymentID: "pay_01"}); !cauri.IsTemporary(err) {
			t.Errorf("FetchStatus without a network: %v, want a temporary error", err)
		}
		if got := rt.last(); got != tt.want {
			t.Errorf("mode %q: request to %s, want %s", tt.cfg.Mode, got, tt.want)
		}
		if got := p.Mode(); got != cmpMode(tt.cfg.Mode) {
			t.Errorf("Mode() = %q", got)
		}
		if got := p.BaseURL(); !strings.HasPrefix(tt.want, got+"/checkout-sessions/") {
			t.Errorf("BaseURL() = %q", got)
		}
	}
}

func cmpMode(m dexpay.Mode) dexpay.Mode {
	if m == "" {
		return dexpay.Sandbox
	}
	return m
}

// urlRecorder is a transport that records the URL it is asked for and
// fails: no request leaves the test.
type urlRecorder struct {
	mu  sync.Mutex
	url string
}

func (u *urlRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.url = r.URL.String()
	return nil, errors.New("no network in this test")
}

func (u *urlRecorder) last() string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.url
}

// order is an order of a Senegalese customer: DEXPAY serves Senegal.
func order() cauri.Order { return clienttest.Order(clienttest.Phone("+221771234567", "SN")) }

var (
	returnURL   = clienttest.ReturnURL(dexpay.Name, "pay_01", "tok-return")
	callbackURL = clienttest.CallbackURL(dexpay.Name, "pay_01", "tok-callback")
)

func request(o cauri.Order) cauri.CheckoutRequest {
	return clienttest.Request("pay_01", o, returnURL, callbackURL)
}

func provider(t testing.TB, cfg dexpay.Config) *dexpay.Provider {
	return clienttest.Build(t, dexpay.New, cfg)
}

// answer is one answer of a fake API.
type answer = clienttest.Answer

// newFake is an API that answers each request with the next of answers
// (the last one repeating) and records what it got.
func newFake(t *testing.T, answers ...answer) *clienttest.FakeAPI {
	return clienttest.NewFakeAPI(t, answers...)
}

// fakeProvider is a Provider in mode m against f.
func fakeProvider(t *testing.T, f *clienttest.FakeAPI, m dexpay.Mode) *dexpay.Provider {
	env := "test"
	if m == dexpay.Live {
		env = "live"
	}
	return provider(t, dexpay.Config{APIKey: "pk_" + env + "_1", APISecret: "sk_" + env + "_1", Mode: m, BaseURL: f.URL + "/api/v1"})
}

func providerError(t *testing.T, err error, status int, temporary bool) *cauri.ProviderError {
	t.Helper()
	return clienttest.ProviderError(t, "dexpay", err, status, temporary)
}

// TestCreateCheckoutRequest checks the exact request the emulator
// received: path, headers and body, with the SDK's field names.
func TestCreateCheckoutRequest(t *testing.T) {
	t.Parallel()
	srv := emutest.Start(t, dexpaytest.New, dexpaytest.WithKeys("pk_test_abc", "sk_test_def"))
	p := srv.Provider()

	co := clienttest.Drive(t, p).Open(request(order()))
	ss, ok := srv.Session("pay_01")
	if !ok || co.ProviderRef != "pay_01" || co.RedirectURL != srv.URL+"/checkout/"+ss.ID {
		t.Errorf("checkout %+v, emulator %+v", co, ss)
	}
	if ss.Status != "PENDING" || ss.Amount != 5000 || ss.Currency != "XOF" || !ss.OneShot || !ss.Sandbox || ss.WebhookURL != callbackURL {
		t.Errorf("session %+v", ss)
	}
	r := clienttest.OnlyCall(t, srv.Requests(), http.MethodPost, "/api/v1/checkout-sessions")
	clienttest.CheckHeaders(t, r.Header, map[string]string{
		"x-api-key": "pk_test_abc", "x-api-secret": "sk_test_def", "Content-Type": "application/json",
		"Accept": "application/json", "Authorization": "",
	})
	want := `{"reference":"pay_01","item_name":"Two baskets","amount":5000,"currency":"XOF",` +
		`"success_url":"` + returnURL + `","failure_url":"` + returnURL + `","webhook_url":"` + callbackURL + `",` +
		`"metadata":{"cart":"c-9","cauri_payment_id":"pay_01","order_id":"ord-42"},"is_one_shot_payment":true}`
	if string(r.Body) != want {
		t.Errorf("body\n got %s\nwant %s", r.Body, want)
	}
}

func TestCreateCheckoutItemName(t *testing.T) {
	t.Parallel()
	items := func(names ...string) []cauri.Item {
		var its []cauri.Item
		for _, n := range names {
			its = append(its, cauri.Item{Name: n, Quantity: 1, UnitPrice: 100})
		}
		return its
	}
	tests := []struct {
		desc  string
		items []cauri.Item
		want  string
	}{
		{"  Pagne\twax  ", items("a"), "Pagne wax"},
		{"", items("Pagne"), "Pagne"},
		{"", items("Pagne", "Boubou", "Sac"), "Pagne, Boubou, Sac"},
		{"", items("Pagne", "Boubou", "Sac", "Foulard"), "Pagne and 3 other items"},
		{"", nil, "Order ord-42"},
	}
	srv := emutest.Start(t, dexpaytest.New)
	p := srv.Provider()
	for i, tt := range tests {
		o := order()
		o.Description, o.Items = tt.desc, tt.items
		req := request(o)
		req.PaymentID = "pay_item_" + string(rune('a'+i))
		if _, err := p.CreateCheckout(context.Background(), req); err != nil {
			t.Fatal(err)
		}
		if ss, _ := srv.Session(req.PaymentID); ss.ItemName != tt.want {
			t.Errorf("item_name %q, want %q", ss.ItemName, tt.want)
		}
	}
}

func TestCreateCheckoutCurrencies(t *testing.T) {
	t.Parallel()
	srv := emutest.Start(t, dexpaytest.New)
	p := srv.Provider()
	for _, cur := range []string{"XOF", "XAF", "GNF"} {
		o := order()
		o.Currency, o.Amount = cur, 250000
		req := request(o)
		req.PaymentID = "pay_" + cur
		if _, err := p.CreateCheckout(context.Background(), req); err != nil {
			t.Fatalf("%s: %v", cur, err)
		}
		if ss, _ := srv.Session(req.PaymentID); ss.Amount != 250000 || ss.Currency != cur {
			t.Errorf("%s: session %d %s", cur, ss.Amount, ss.Currency)
		}
	}
}

func TestCreateCheckoutValidation(t *testing.T) {
	t.Parallel()
	f := newFake(t, answer{Status: 500})
	p := fakeProvider(t, f, dexpay.Sandbox)
	tests := []clienttest.ValidationCase{
		{Name: "USD", Edit: func(r *cauri.CheckoutRequest) { r.Order.Currency = "USD" }, Fields: "Currency"},
		{Name: "lower-case currency", Edit: func(r *cauri.CheckoutRequest) { r.Order.Currency = "xof" }, Fields: "Currency"},
		{Name: "zero amount", Edit: func(r *cauri.CheckoutRequest) { r.Order.Amount = 0 }, Fields: "Amount"},
		{Name: "negative amount", Edit: func(r *cauri.CheckoutRequest) { r.Order.Amount = -5 }, Fields: "Amount"},
		{Name: "no payment ID", Edit: func(r *cauri.CheckoutRequest) { r.PaymentID = " " }, Fields: "PaymentID"},
		{Name: "no URLs", Edit: func(r *cauri.CheckoutRequest) { r.ReturnURL, r.CallbackURL = "", "/relative" }, Fields: "ReturnURL,CallbackURL"},
	}
	clienttest.CheckValidation(t, p, func() cauri.CheckoutRequest { return request(order()) }, tests, func() int { return len(f.Requests()) })
}

// TestCreateCheckoutShapes: every answer shape the SDK and the plugin
// read.
func TestCreateCheckoutShapes(t *testing.T) {
	t.Parallel()
	const page = "https://checkout.dexpay.africa/cs_1"
	tests := []struct {
		name string
		mode dexpay.Mode
		a    answer
		want string
	}{
		{"envelope", dexpay.Sandbox, answer{Status: 201, Body: `{"success":true,"data":{"reference":"pay_01","amount":5000,"currency":"XOF","status":"PENDING","payment_url":"` + page + `","isSandbox":true}}`}, page},
		{"flat, as the SDK's README reads it", dexpay.Sandbox, answer{Status: 201, Body: `{"reference":"pay_01","status":"PENDING","payment_url":"` + page + `"}`}, page},
		{"checkout_url, as the SDK's tests mock it", dexpay.Sandbox, answer{Status: 201, Body: `{"id":"cs_123","reference":"pay_01","amount":5000,"currency":"XOF","status":"PENDING","checkout_url":"` + page + `"}`}, page},
		{"200", dexpay.Sandbox, answer{Status: 200, Body: `{"success":true,"data":{"payment_url":"` + page + `"}}`}, page},
		{"string amount", dexpay.Sandbox, answer{Status: 201, Body: `{"success":true,"data":{"reference":"pay_01","amount":"5000.00","currency":"XOF","payment_url":"` + page + `"}}`}, page},
		{"sandbox page first in the sandbox", dexpay.Sandbox, answer{Status: 201, Body: `{"success":true,"data":{"payment_url":"https://live.example/x","sandbox_payment_url":"` + page + `","isSandbox":true}}`}, page},
		{"sandbox page not taken live", dexpay.Live, answer{Status: 201, Body: `{"success":true,"data":{"payment_url":"` + page + `","sandbox_payment_url":"https://sandbox.example/x","isSandbox":false}}`}, page},
		{"unusable sandbox page", dexpay.Sandbox, answer{Status: 201, Body: `{"success":true,"data":{"payment_url":"` + page + `","sandbox_payment_url":"/relative"}}`}, page},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, tt.a)
			co, err := fakeProvider(t, f, tt.mode).CreateCheckout(context.Background(), request(order()))
			if err != nil {
				t.Fatal(err)
			}
			if co.ProviderRef != "pay_01" || co.RedirectURL != tt.want {
				t.Errorf("checkout %+v, want page %s", co, tt.want)
			}
		})
	}
}

// refusal is an answer of the fake API and how the client must report
// it.
type refusal struct {
	name      string
	mode      dexpay.Mode
	a         answer
	status    int
	temporary bool
	is        error  // the error it wraps, when set
	message   string // the provider's message, when set
}

// check checks that err is the refusal r describes, and returns it.
func (r refusal) check(t *testing.T, err error) *cauri.ProviderError {
	t.Helper()
	pe := providerError(t, err, r.status, r.temporary)
	if r.is != nil && !errors.Is(err, r.is) {
		t.Errorf("err = %v, want %v", err, r.is)
	}
	if r.message != "" && pe.Message != r.message {
		t.Errorf("message %q, want %q", pe.Message, r.message)
	}
	return pe
}

func TestCreateCheckoutErrors(t *testing.T) {
	t.Parallel()
	const page = `"payment_url":"https://checkout.dexpay.africa/cs_1"`
	tests := []refusal{
		{name: "validation", a: answer{Status: 400, Body: `{"statusCode":400,"message":["amount must be a positive number","currency must be one of the following values: XOF, XAF, GNF"],"error":"Bad Request"}`},
			status: 400, message: "amount must be a positive number; currency must be one of the following values: XOF, XAF, GNF"},
		{name: "SDK's error body", a: answer{Status: 400, Body: `{"message":"Invalid amount","code":"INVALID_AMOUNT"}`}, status: 400, message: "Invalid amount (INVALID_AMOUNT)"},
		{name: "error only", a: answer{Status: 403, Body: `{"error":"Forbidden"}`}, status: 403, message: "Forbidden"},
		{name: "bad keys", a: answer{Status: 401, Body: `{"success":false,"message":"Invalid API credentials","code":"UNAUTHORIZED"}`}, status: 401, message: "Invalid API credentials (UNAUTHORIZED)"},
		{name: "reference reused", a: answer{Status: 409, Body: `{"success":false,"message":"A checkout session with this reference already exists"}`}, status: 409},
		{name: "server error", a: answer{Status: 500, Body: `{"message":"Internal server error"}`}, status: 500, temporary: true},
		{name: "rate limited", a: answer{Status: 429, Body: `{}`, Header: map[string]string{"Retry-After": "7"}}, status: 429, temporary: true},
		{name: "HTML", a: answer{Status: 502, Type: "text/html", Body: `<html>Bad gateway</html>`}, status: 502, temporary: true, message: "expected JSON, got text/html"},
		{name: "success false", a: answer{Status: 200, Body: `{"success":false,"message":"Merchant not activated"}`}, status: 200, is: dexpay.ErrUnsuccessful, message: "Merchant not activated"},
		{name: "another reference", a: answer{Status: 201, Body: `{"success":true,"data":{"reference":"pay_02",` + page + `}}`}, status: 201, is: cauri.ErrMalformed},
		{name: "another amount", a: answer{Status: 201, Body: `{"success":true,"data":{"reference":"pay_01","amount":500000,"currency":"XOF",` + page + `}}`}, status: 201, is: cauri.ErrMalformed},
		{name: "another currency", a: answer{Status: 201, Body: `{"success":true,"data":{"amount":5000,"currency":"XAF",` + page + `}}`}, status: 201, is: cauri.ErrMalformed},
		{name: "live session in the sandbox", a: answer{Status: 201, Body: `{"success":true,"data":{"isSandbox":false,` + page + `}}`}, status: 201, is: dexpay.ErrWrongMode},
		{name: "sandbox session live", mode: dexpay.Live, a: answer{Status: 201, Body: `{"success":true,"data":{"isSandbox":true,` + page + `}}`}, status: 201, is: dexpay.ErrWrongMode},
		{name: "no page", a: answer{Status: 201, Body: `{"success":true,"data":{"reference":"pay_01"}}`}, status: 201, is: cauri.ErrMalformed},
		{name: "relative page", a: answer{Status: 201, Body: `{"success":true,"data":{"payment_url":"/cs_1"}}`}, status: 201, is: cauri.ErrMalformed},
		{name: "data not an object", a: answer{Status: 201, Body: `{"success":true,"data":[1]}`}, status: 201, is: cauri.ErrMalformed},
		{name: "fractional franc", a: answer{Status: 201, Body: `{"success":true,"data":{"amount":5000.5,"currency":"XOF",` + page + `}}`}, status: 201, is: cauri.ErrMalformed},
		{name: "not JSON", a: answer{Status: 201, Type: "text/plain", Body: `created`}, status: 201, is: cauri.ErrMalformed},
		{name: "202", a: answer{Status: 202, Body: `{}`}, status: 202, is: cauri.ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, tt.a)
			_, err := fakeProvider(t, f, cmpMode(tt.mode)).CreateCheckout(context.Background(), request(order()))
			pe := tt.check(t, err)
			if tt.status == 429 && pe.RetryAfter != 7*time.Second {
				t.Errorf("RetryAfter %v", pe.RetryAfter)
			}
			if n := len(f.Requests()); n != 1 {
				t.Errorf("%d requests, want 1: creation is never repeated here", n)
			}
		})
	}
}

// TestCreateCheckoutNotIdempotent: DEXPAY takes no idempotency key, so the
// kit must never repeat a creation.
func TestCreateCheckoutNotIdempotent(t *testing.T) {
	t.Parallel()
	var p cauri.Provider = provider(t, dexpay.Config{APIKey: "pk_test_1", APISecret: "sk_test_1"})
	if _, ok := p.(cauri.IdempotentCreator); ok {
		t.Error("dexpay documents no idempotency key: it must not implement IdempotentCreator")
	}
	if _, ok := p.(cauri.RateGuidance); ok {
		t.Error("dexpay documents no rate limit")
	}
	if _, ok := p.(cauri.PollGuidance); ok {
		t.Error("dexpay documents no poll interval")
	}

	srv := emutest.Start(t, dexpaytest.New)
	sp := srv.Provider()
	if _, err := sp.CreateCheckout(context.Background(), request(order())); err != nil {
		t.Fatal(err)
	}
	_, err := sp.CreateCheckout(context.Background(), request(order()))
	pe := providerError(t, err, http.StatusConflict, false)
	if !strings.Contains(pe.Message, "reference already exists") {
		t.Errorf("message %q", pe.Message)
	}
}

func TestCreateCheckoutEmulatorOptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts []dexpaytest.Option
		page func(srv *dexpaytest.Server, ss dexpaytest.Session) string
	}{
		{"default", nil, func(srv *dexpaytest.Server, ss dexpaytest.Session) string { return srv.URL + "/checkout/" + ss.ID }},
		{"flat", []dexpaytest.Option{dexpaytest.WithFlatAnswers()}, func(srv *dexpaytest.Server, ss dexpaytest.Session) string { return srv.URL + "/checkout/" + ss.ID }},
		{"sandbox URL", []dexpaytest.Option{dexpaytest.WithSandboxPaymentURL()}, func(srv *dexpaytest.Server, ss dexpaytest.Session) string { return srv.URL + "/checkout/" + ss.ID }},
		{"live", []dexpaytest.Option{dexpaytest.WithMode(dexpay.Live), dexpaytest.WithSandboxPaymentURL()}, func(srv *dexpaytest.Server, ss dexpaytest.Session) string { return srv.URL + "/checkout/" + ss.ID }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := emutest.Start(t, dexpaytest.New, tt.opts...)
			ctx := context.Background()
			p := srv.Provider()
			co := clienttest.Drive(t, p).Open(request(order()))
			ss, _ := srv.Session("pay_01")
			if want := tt.page(srv, ss); co.RedirectURL != want {
				t.Errorf("page %s, want %s", co.RedirectURL, want)
			}
			if back, err := srv.Act(ctx, co.RedirectURL, providertest.Pay); err != nil || back != returnURL {
				t.Fatalf("Act = %q, %v", back, err)
			}
			u, err := p.FetchStatus(ctx, cauri.StatusQuery{PaymentID: "pay_01", ProviderRef: co.ProviderRef})
			if err != nil || u.Status != cauri.StatusPaid || u.Amount != 5000 || u.Currency != "XOF" {
				t.Errorf("FetchStatus = %+v, %v", u, err)
			}
		})
	}
}

// TestFetchStatus: a paid session reads the same whichever form the
// emulator answers in, and is looked up by its reference with both keys.
// The emulator's default form, after each of the customer's actions, is
// the conformance checks' Outcomes.
func TestFetchStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts []dexpaytest.Option
	}{
		{"default", nil},
		{"string amounts", []dexpaytest.Option{dexpaytest.WithStringAmounts()}},
		{"flat answers", []dexpaytest.Option{dexpaytest.WithFlatAnswers()}},
		{"live", []dexpaytest.Option{dexpaytest.WithMode(dexpay.Live)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			srv := emutest.Start(t, dexpaytest.New, tt.opts...)
			p := srv.Provider()
			co := clienttest.Drive(t, p).Open(request(order()))
			emutest.Act(t, srv.Act, co.RedirectURL, providertest.Pay)
			u, err := p.FetchStatus(ctx, cauri.StatusQuery{PaymentID: "pay_01", ProviderRef: co.ProviderRef, Amount: 5000, Currency: "XOF"})
			if err != nil {
				t.Fatal(err)
			}
			want := cauri.Update{PaymentID: "pay_01", ProviderRef: "pay_01", Status: cauri.StatusPaid, RawStatus: "COMPLETED",
				Amount: 5000, Currency: "XOF", Method: "wave", Authenticated: true}
			if u != want {
				t.Errorf("update\n got %+v\nwant %+v", u, want)
			}
			reqs := srv.Requests()
			if r := reqs[len(reqs)-1]; r.Method != http.MethodGet || r.Path != "/api/v1/checkout-sessions/reference/pay_01" ||
				r.Header.Get("x-api-key") != srv.APIKey || r.Header.Get("x-api-secret") != srv.APISecret {
				t.Errorf("lookup %s %s", r.Method, r.Path)
			}
		})
	}
}

// TestFetchStatusRefunded: a refunded session is cauri.StatusRefunded
// from the status lookup.
func TestFetchStatusRefunded(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := emutest.Start(t, dexpaytest.New)
	p := srv.Provider()
	co := clienttest.Drive(t, p).Open(request(order()))
	emutest.Act(t, srv.Act, co.RedirectURL, providertest.Pay)
	if err := srv.Refund(ctx, "pay_01"); err != nil {
		t.Fatal(err)
	}
	u, err := p.FetchStatus(ctx, cauri.StatusQuery{PaymentID: "pay_01", ProviderRef: co.ProviderRef})
	if err != nil || u.Status != cauri.StatusRefunded || u.RawStatus != "REFUNDED" || !u.Authenticated || u.Amount != 5000 {
		t.Errorf("FetchStatus = %+v, %v", u, err)
	}
}

// TestFetchStatusWords: every documented status, and some that are not,
// as the lookup reports them.
func TestFetchStatusWords(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := emutest.Start(t, dexpaytest.New)
	p := srv.Provider()
	if _, err := p.CreateCheckout(ctx, request(order())); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		raw  string
		want cauri.Status
	}{
		{"INITIATED", cauri.StatusPending}, {"PENDING", cauri.StatusPending}, {"PROCESSING", cauri.StatusPending},
		{"COMPLETED", cauri.StatusPaid}, {"FAILED", cauri.StatusFailed}, {"CANCELLED", cauri.StatusCancelled},
		{"REFUNDED", cauri.StatusRefunded}, {"EXPIRED", cauri.StatusExpired}, {"REVERSED", cauri.StatusPending},
	} {
		if err := srv.SetStatus("pay_01", tt.raw); err != nil {
			t.Fatal(err)
		}
		u, err := p.FetchStatus(ctx, cauri.StatusQuery{ProviderRef: "pay_01"})
		if err != nil || u.Status != tt.want || u.RawStatus != tt.raw || u.PaymentID != "pay_01" {
			t.Errorf("%s: %+v, %v", tt.raw, u, err)
		}
	}
}

func TestFetchStatusErrors(t *testing.T) {
	t.Parallel()
	tests := []refusal{
		{name: "unknown session", a: answer{Status: 404, Body: `{"success":false,"message":"Checkout session not found"}`}, status: 404, is: cauri.ErrNotFound},
		{name: "server error", a: answer{Status: 503, Body: `{}`}, status: 503, temporary: true},
		{name: "success false", a: answer{Status: 200, Body: `{"success":false,"message":"nope"}`}, status: 200, is: dexpay.ErrUnsuccessful},
		{name: "another reference", a: answer{Status: 200, Body: `{"success":true,"data":{"reference":"pay_02","status":"COMPLETED","amount":5000,"currency":"XOF"}}`}, status: 200, is: cauri.ErrMalformed},
		{name: "no status", a: answer{Status: 200, Body: `{"success":true,"data":{"reference":"pay_01","amount":5000,"currency":"XOF"}}`}, status: 200, is: cauri.ErrMalformed},
		{name: "completed without amount", a: answer{Status: 200, Body: `{"success":true,"data":{"reference":"pay_01","status":"COMPLETED","currency":"XOF"}}`}, status: 200, is: cauri.ErrMalformed},
		{name: "completed without currency", a: answer{Status: 200, Body: `{"success":true,"data":{"reference":"pay_01","status":"COMPLETED","amount":5000}}`}, status: 200, is: cauri.ErrMalformed},
		{name: "live session in the sandbox", a: answer{Status: 200, Body: `{"success":true,"data":{"reference":"pay_01","status":"COMPLETED","amount":5000,"currency":"XOF","isSandbox":false}}`}, status: 200, is: dexpay.ErrWrongMode},
		{name: "sandbox session live", mode: dexpay.Live, a: answer{Status: 200, Body: `{"success":true,"data":{"reference":"pay_01","status":"COMPLETED","amount":5000,"currency":"XOF","isSandbox":true}}`}, status: 200, is: dexpay.ErrWrongMode},
		{name: "bad amount", a: answer{Status: 200, Body: `{"success":true,"data":{"reference":"pay_01","status":"PENDING","amount":"5 000","currency":"XOF"}}`}, status: 200, is: cauri.ErrMalformed},
		{name: "bad currency", a: answer{Status: 200, Body: `{"success":true,"data":{"reference":"pay_01","status":"PENDING","amount":5000,"currency":"FCFA"}}`}, status: 200, is: cauri.ErrMalformed},
		{name: "array", a: answer{Status: 200, Body: `[]`}, status: 200, is: cauri.ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, tt.a)
			_, err := fakeProvider(t, f, cmpMode(tt.mode)).FetchStatus(context.Background(), cauri.StatusQuery{PaymentID: "pay_01", ProviderRef: "pay_01"})
			tt.check(t, err)
		})
	}

	f := newFake(t, answer{Status: 200, Body: `{}`})
	_, err := fakeProvider(t, f, dexpay.Sandbox).FetchStatus(context.Background(), cauri.StatusQuery{})
	if !errors.Is(err, cauri.ErrNotFound) || len(f.Requests()) != 0 {
		t.Errorf("no reference: %v, %d requests", err, len(f.Requests()))
	}
}

// TestFetchStatusShapes: a flat session, a missing reference (taken as the
// one asked about), a fee, and the failure and method fields.
func TestFetchStatusShapes(t *testing.T) {
	t.Parallel()
	session := func(u cauri.Update) cauri.Update {
		u.PaymentID, u.ProviderRef, u.Authenticated = "pay_01", "pay_01", true
		return u
	}
	clienttest.StatusAnswers{
		Provider: "dexpay",
		At: func(t *testing.T, base string) cauri.Provider {
			return provider(t, dexpay.Config{APIKey: "pk_test_1", APISecret: "sk_test_1", Mode: dexpay.Sandbox, BaseURL: base + "/api/v1"})
		},
		Query: cauri.StatusQuery{PaymentID: "pay_01"},
		Answers: []clienttest.StatusAnswer{
			{Name: "flat", Answer: clienttest.Answer{Body: `{"reference":"pay_01","status":"COMPLETED","amount":5000,"currency":"XOF","isSandbox":true}`},
				Want: session(cauri.Update{Status: cauri.StatusPaid, RawStatus: "COMPLETED", Amount: 5000, Currency: "XOF"})},
			{Name: "no reference", Answer: clienttest.Answer{Body: `{"success":true,"data":{"status":"COMPLETED","amount":"5000","currency":"xof"}}`},
				Want: session(cauri.Update{Status: cauri.StatusPaid, RawStatus: "COMPLETED", Amount: 5000, Currency: "XOF"})},
			{Name: "fee and attempt", Answer: clienttest.Answer{Body: `{"success":true,"data":{"status":"COMPLETED","amount":5000,"currency":"XOF","fees":"50","payment_attempt":{"id":"pa_1","operator":"orange_money"}}}`},
				Want: session(cauri.Update{Status: cauri.StatusPaid, RawStatus: "COMPLETED", Amount: 5000, Currency: "XOF", Fee: 50, Method: "orange_money"})},
			{Name: "failure", Answer: clienttest.Answer{Body: `{"success":true,"data":{"status":"FAILED","amount":5000,"currency":"XOF","payment_method":"MOBILE_MONEY","failure_reason":"Timeout"}}`},
				Want: session(cauri.Update{Status: cauri.StatusFailed, RawStatus: "FAILED", Amount: 5000, Currency: "XOF", Method: "MOBILE_MONEY", FailureReason: "Timeout"})},
			{Name: "pending without amount", Answer: clienttest.Answer{Body: `{"success":true,"data":{"status":"INITIATED"}}`},
				Want: session(cauri.Update{Status: cauri.StatusPending, RawStatus: "INITIATED"})},
			{Name: "GNF", Answer: clienttest.Answer{Body: `{"success":true,"data":{"status":"COMPLETED","amount":250000,"currency":"GNF"}}`},
				Want: session(cauri.Update{Status: cauri.StatusPaid, RawStatus: "COMPLETED", Amount: 250000, Currency: "GNF"})},
		},
	}.Check(t)
}

func TestFetchStatusEscapesRef(t *testing.T) {
	t.Parallel()
	f := newFake(t, answer{Status: 404, Body: `{}`})
	_, _ = fakeProvider(t, f, dexpay.Sandbox).FetchStatus(context.Background(), cauri.StatusQuery{ProviderRef: "a/b?c#d"})
	reqs := f.Requests()
	if len(reqs) != 1 || reqs[0].URL.EscapedPath() != "/api/v1/checkout-sessions/reference/a%2Fb%3Fc%23d" {
		t.Errorf("requests %+v", reqs)
	}
}
