package paydunya_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/internal/emulator/emutest"
	"github.com/cauripay/cauri/providers/internal/clienttest"
	"github.com/cauripay/cauri/providers/paydunya"
	"github.com/cauripay/cauri/providers/paydunya/paydunyatest"
	"github.com/cauripay/cauri/providers/providertest"
)

const (
	masterKey  = "wQzk9ZwR-Qq9m-0hD0-zpud-je5coGC3FHKW"
	privateKey = "test_private_rMIdJM3PLLhLjyArx9tF3VURAF5"
	token      = "IivOiOxGJuWhc5znlIiK"
)

func fieldNames(err error, what string) (string, error) {
	var ve *cauri.ValidationError
	if !errors.As(err, &ve) || ve.What != what {
		return "", fmt.Errorf("err = %v (%T), want a *cauri.ValidationError about %s", err, err, what)
	}
	var names []string
	for _, f := range ve.Fields {
		names = append(names, f.Field)
	}
	return strings.Join(names, ","), nil
}

func TestNew(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		cfg    paydunya.Config
		fields string
	}{
		{"empty", paydunya.Config{}, "MasterKey,PrivateKey,Token,Store.Name"},
		{"bad everything", paydunya.Config{MasterKey: " mk", PrivateKey: "pk ", Token: "\tt", Mode: "prod",
			Store: paydunya.Store{Name: " ", LogoURL: "/logo.png", WebsiteURL: "ftp://x"}, BaseURL: "app.paydunya.com"},
			"MasterKey,PrivateKey,Token,Mode,Store.Name,Store.LogoURL,Store.WebsiteURL,BaseURL"},
		{"test key live", paydunya.Config{MasterKey: masterKey, PrivateKey: privateKey, Token: token, Mode: paydunya.Live,
			Store: paydunya.Store{Name: "S"}}, "PrivateKey"},
		{"live key in the sandbox", paydunya.Config{MasterKey: masterKey, PrivateKey: "live_private_x", Token: token,
			Store: paydunya.Store{Name: "S"}}, "PrivateKey"},
		{"base URL with a query", paydunya.Config{MasterKey: masterKey, PrivateKey: privateKey, Token: token,
			Store: paydunya.Store{Name: "S"}, BaseURL: "https://app.paydunya.com/api/v1?x=1"}, "BaseURL"},
		{"bad payout URLs", paydunya.Config{MasterKey: masterKey, PrivateKey: privateKey, Token: token,
			Store: paydunya.Store{Name: "S"}, DisburseBaseURL: "app.paydunya.com/api/v2", PayoutCallbackURL: "/payouts"}, "DisburseBaseURL,PayoutCallbackURL"},
	}
	for _, tt := range tests {
		_, err := paydunya.New(tt.cfg)
		got, verr := fieldNames(err, "config")
		if verr != nil {
			t.Errorf("%s: %v", tt.name, verr)
			continue
		}
		if got != tt.fields {
			t.Errorf("%s: fields %s, want %s", tt.name, got, tt.fields)
		}
		for _, secret := range []string{masterKey, privateKey, token} {
			if strings.Contains(err.Error(), secret) {
				t.Errorf("%s: the error shows a key: %v", tt.name, err)
			}
		}
	}

	p, err := paydunya.New(paydunya.Config{MasterKey: masterKey, PrivateKey: privateKey, Token: token, Store: paydunya.Store{Name: "S"}})
	if err != nil || p.Name() != "paydunya" || p.Mode() != paydunya.Sandbox {
		t.Fatalf("New = %v, %v", p, err)
	}
	if _, ok := any(p).(cauri.IdempotentCreator); ok {
		t.Error("paydunya's create is not idempotent")
	}
	p, err = paydunya.New(paydunya.Config{MasterKey: masterKey, PrivateKey: "live_private_x", Token: token, Mode: "live", Store: paydunya.Store{Name: "S"}})
	if err != nil || p.Mode() != paydunya.Live {
		t.Fatalf("live: %v, %v", p, err)
	}
	if p, err := paydunya.New(paydunya.Config{MasterKey: masterKey, PrivateKey: privateKey, Token: token, Mode: "sandbox", Store: paydunya.Store{Name: "S"}}); err != nil || p.Mode() != paydunya.Sandbox {
		t.Fatalf(`"sandbox": %v, %v`, p, err)
	}
}

// TestDefaultBaseURLs checks that each mode talks to its documented root.
func TestDefaultBaseURLs(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var got []string
	hc := &http.Client{Transport: roundTrip(func(r *http.Request) (*http.Response, error) {
		mu.Lock()
		got = append(got, r.URL.String())
		mu.Unlock()
		return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(strings.NewReader(`{"response_code":"00","response_text":"Transaction Found","status":"pending"}`))}, nil
	})}
	for _, cfg := range []paydunya.Config{
		{MasterKey: masterKey, PrivateKey: privateKey, Token: token, Store: paydunya.Store{Name: "S"}, HTTPClient: hc},
		{MasterKey: masterKey, PrivateKey: "live_private_x", Token: token, Mode: paydunya.Live, Store: paydunya.Store{Name: "S"}, HTTPClient: hc},
	} {
		p, err := paydunya.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.FetchStatus(context.Background(), cauri.StatusQuery{ProviderRef: "test_abc"}); err != nil {
			t.Fatal(err)
		}
		if _, err := p.CheckPayout(context.Background(), "dt_abc"); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{
		"https://app.paydunya.com/sandbox-api/v1/checkout-invoice/confirm/test_abc",
		"https://app.paydunya.com/sandbox-api/v2/disburse/check-status",
		"https://app.paydunya.com/api/v1/checkout-invoice/confirm/test_abc",
		"https://app.paydunya.com/api/v2/disburse/check-status",
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("URLs %v, want %v", got, want)
	}
}

type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// order has one line, and metadata of a key PayDunya's custom_data uses.
func order() cauri.Order {
	return clienttest.Order(clienttest.Items(cauri.Item{Name: "Pagne wax", Quantity: 2, UnitPrice: 2500}),
		clienttest.Metadata("order_id", "theirs"))
}

var (
	returnURL   = clienttest.ReturnURL(paydunya.Name, "pay_01", "acc3ss")
	callbackURL = clienttest.CallbackURL(paydunya.Name, "pay_01", "c4llb4ck")
)

func request(o cauri.Order) cauri.CheckoutRequest {
	return clienttest.Request("pay_01", o, returnURL, callbackURL)
}

// newCapture is a fake API that answers every request with status and
// body, and a Retry-After of 7 seconds with a 429.
func newCapture(t *testing.T, status int, ctype, body string) *clienttest.FakeAPI {
	a := clienttest.Answer{Status: status, Type: ctype, Body: body}
	if status == http.StatusTooManyRequests {
		a.Header = map[string]string{"Retry-After": "7"}
	}
	return clienttest.NewFakeAPI(t, a)
}

// last returns the last request c received, and its body.
func last(t *testing.T, c *clienttest.FakeAPI) (clienttest.Got, []byte) {
	g := c.Last(t)
	return g, g.Body
}

func config(base string) paydunya.Config {
	return paydunya.Config{MasterKey: masterKey, PrivateKey: privateKey, Token: token,
		Store: paydunya.Store{Name: "Boutique Awa"}, BaseURL: base}
}

func provider(t *testing.T, cfg paydunya.Config) *paydunya.Provider {
	return clienttest.Build(t, paydunya.New, cfg)
}

const createdBody = `{"response_code":"00","response_text":"https://app.paydunya.com/sandbox-checkout/invoice/test_RHICF0HboN",` +
	`"description":"Checkout Invoice Created","token":"test_RHICF0HboN"}`

func TestCreateCheckoutRequest(t *testing.T) {
	t.Parallel()
	c := newCapture(t, http.StatusOK, "application/json", createdBody)
	cfg := config(c.URL + "/sandbox-api/v1/")
	cfg.Store = paydunya.Store{Name: "Boutique Awa", Tagline: "Wax", PostalAddress: "Dakar", Phone: "338000000",
		LogoURL: "https://shop.example/logo.png", WebsiteURL: "https://shop.example"}
	p := provider(t, cfg)

	co := clienttest.Drive(t, p).Open(request(order()))
	if co.ProviderRef != "test_RHICF0HboN" || co.RedirectURL != "https://app.paydunya.com/sandbox-checkout/invoice/test_RHICF0HboN" {
		t.Errorf("checkout %+v", co)
	}
	r, body := last(t, c)
	if r.Method != http.MethodPost || r.URL.Path != "/sandbox-api/v1/checkout-invoice/create" {
		t.Errorf("%s %s", r.Method, r.URL.Path)
	}
	clienttest.CheckHeaders(t, r.Header, map[string]string{
		"PAYDUNYA-MASTER-KEY": masterKey, "PAYDUNYA-PRIVATE-KEY": privateKey, "PAYDUNYA-TOKEN": token,
		"Content-Type":  "application/json",
		"Authorization": "", "Paydunya-Public-Key": "", "Paydunya-Mode": "",
	})
	want := `{"invoice":{"items":{"item_0":{"name":"Pagne wax","quantity":2,"unit_price":"2500","total_price":"5000","description":""}},` +
		`"taxes":{},"total_amount":5000,"description":"Two baskets",` +
		`"customer":{"name":"Awa Diallo","email":"awa@example.com","phone":"+2250701020304"}},` +
		`"store":{"name":"Boutique Awa","tagline":"Wax","postal_address":"Dakar","phone_number":"338000000","logo_url":"https://shop.example/logo.png","website_url":"https://shop.example"},` +
		`"custom_data":{"cart":"c-9","cauri_payment_id":"pay_01","order_id":"ord-42"},` +
		`"actions":{"cancel_url":"` + returnURL + `","return_url":"` + returnURL + `","callback_url":"` + callbackURL + `"}}`
	if string(body) != want {
		t.Errorf("body\n got %s\nwant %s", body, want)
	}
}

func TestCreateCheckoutDefaults(t *testing.T) {
	t.Parallel()
	c := newCapture(t, http.StatusOK, "application/json", createdBody)
	p, logs := clienttest.Logging(t, provider, config(c.URL))
	o := order()
	o.Description = ""
	o.Items = nil
	o.Metadata = map[string]string{"a[b]": "x", "z": "y"}
	for i := range 12 {
		o.Items = append(o.Items, cauri.Item{Name: fmt.Sprint("n", i), Quantity: 1, UnitPrice: int64(i)})
	}
	req := request(o)
	req.CallbackURL = ""
	if _, err := p.CreateCheckout(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	_, body := last(t, c)
	s := string(body)
	for _, want := range []string{
		`"description":"Order ord-42","customer":{`,
		`"custom_data":{"cauri_payment_id":"pay_01","order_id":"ord-42","z":"y"}`,
		`"actions":{"cancel_url":"` + returnURL + `","return_url":"` + returnURL + `"}}`,
		`"store":{"name":"Boutique Awa"}`,
		`"item_9":{"name":"n9","quantity":1,"unit_price":"9","total_price":"9","description":""},"item_10":`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("body lacks %s:\n%s", want, s)
		}
	}
	if !strings.HasPrefix(s, `{"invoice":{"items":{"item_0":`) {
		t.Errorf("items: %s", s)
	}
	if !strings.Contains(logs.String(), "dropped_entries=1") || strings.Contains(logs.String(), "a[b]") {
		t.Errorf("log: %s", logs.String())
	}

	o.Items = nil
	if _, err := p.CreateCheckout(context.Background(), request(o)); err != nil {
		t.Fatal(err)
	}
	if _, body := last(t, c); !strings.HasPrefix(string(body), `{"invoice":{"items":{},"taxes":{},"total_amount":5000,`) {
		t.Errorf("no items: %s", body)
	}
}

// TestCreateCheckoutCustomer: the order's customer goes in
// invoice.customer as the WooCommerce plugin sends it (name, email,
// phone), to pre-fill PayDunya's page; blank fields are left out, and the
// object when all are.
func TestCreateCheckoutCustomer(t *testing.T) {
	t.Parallel()
	c := newCapture(t, http.StatusOK, "application/json", createdBody)
	p := provider(t, config(c.URL))
	tests := []struct {
		name     string
		customer cauri.Customer
		want     string // "" for no customer object
	}{
		{"full", cauri.Customer{FirstName: "Awa", LastName: "Diallo", Email: "awa@example.com", Phone: "+2250701020304", Country: "CI"},
			`"customer":{"name":"Awa Diallo","email":"awa@example.com","phone":"+2250701020304"}}`},
		{"last name only", cauri.Customer{LastName: "Diallo"}, `"customer":{"name":"Diallo"}}`},
		{"email only", cauri.Customer{Email: "awa@example.com"}, `"customer":{"email":"awa@example.com"}}`},
		{"phone only", cauri.Customer{Phone: "+221771234567"}, `"customer":{"phone":"+221771234567"}}`},
		{"country only", cauri.Customer{Country: "SN"}, ""},
		{"none", cauri.Customer{}, ""},
	}
	for _, tt := range tests {
		o := order()
		o.Customer = tt.customer
		if _, err := p.CreateCheckout(context.Background(), request(o)); err != nil {
			t.Fatal(err)
		}
		_, body := last(t, c)
		switch got := string(body); {
		case tt.want == "" && strings.Contains(got, `"customer"`):
			t.Errorf("%s: a customer object sent: %s", tt.name, got)
		case tt.want != "" && !strings.Contains(got, `"description":"Two baskets",`+tt.want):
			t.Errorf("%s: body lacks %s: %s", tt.name, tt.want, got)
		}
	}
}

// TestCreateCheckoutPrefillsPage: against the emulator, the customer sent
// is the one PayDunya's page shows.
func TestCreateCheckoutPrefillsPage(t *testing.T) {
	t.Parallel()
	srv := emutest.Start(t, paydunyatest.New)
	cfg := srv.Config()
	cfg.Store.Phone = "338000000"
	p := provider(t, cfg)
	co := clienttest.Drive(t, p).Open(request(order()))
	inv, ok := srv.Payment(co.ProviderRef)
	if want := (paydunyatest.Customer{Name: "Awa Diallo", Email: "awa@example.com", Phone: "+2250701020304"}); !ok || inv.Prefill != want {
		t.Errorf("prefill %+v, want %+v", inv.Prefill, want)
	}
	if inv.Store.Phone != "338000000" {
		t.Errorf("store phone %q", inv.Store.Phone)
	}
	reqs := srv.Requests()
	if len(reqs) != 1 || !bytes.Contains(reqs[0].Body, []byte(`"phone_number":"338000000"`)) || bytes.Contains(reqs[0].Body, []byte(`"phone":"338000000"`)) {
		t.Errorf("store phone not sent as phone_number: %s", reqs[0].Body)
	}
}

func TestCreateCheckoutValidation(t *testing.T) {
	t.Parallel()
	c := newCapture(t, http.StatusOK, "application/json", createdBody)
	p := provider(t, config(c.URL))
	tests := []clienttest.ValidationCase{
		{Name: "USD", Edit: func(r *cauri.CheckoutRequest) { r.Order.Amount, r.Order.Currency = 1050, "USD" }, Fields: "Currency"},
		{Name: "XAF", Edit: func(r *cauri.CheckoutRequest) { r.Order.Currency = "XAF" }, Fields: "Currency"},
		{Name: "zero", Edit: func(r *cauri.CheckoutRequest) { r.Order.Amount = 0 }, Fields: "Amount"},
		{Name: "no currency", Edit: func(r *cauri.CheckoutRequest) { r.Order.Currency = "" }, Fields: "Currency"},
		{Name: "no return URL", Edit: func(r *cauri.CheckoutRequest) { r.ReturnURL = "" }, Fields: "ReturnURL"},
		{Name: "bad items", Edit: func(r *cauri.CheckoutRequest) {
			r.Order.Items = []cauri.Item{{Name: "a", Quantity: 0}, {Name: "b", Quantity: 1, UnitPrice: -1}}
		}, Fields: "Items[0].Quantity,Items[1].UnitPrice"},
		{Name: "everything", Edit: func(r *cauri.CheckoutRequest) {
			r.Order.Amount, r.Order.Currency, r.ReturnURL = -5, "EUR", ""
		}, Fields: "Amount,Currency,ReturnURL"},
	}
	clienttest.CheckValidation(t, p, func() cauri.CheckoutRequest { return request(order()) }, tests, c.Calls)
}

func providerError(t *testing.T, err error, status int, temporary bool) *cauri.ProviderError {
	t.Helper()
	return clienttest.ProviderError(t, "paydunya", err, status, temporary)
}

func TestCreateCheckoutErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("200 with an error body", func(t *testing.T) {
		t.Parallel()
		c := newCapture(t, http.StatusOK, "application/json", `{"response_code":"1001","response_text":"Invalid Masterkey Specified"}`)
		_, err := provider(t, config(c.URL)).CreateCheckout(ctx, request(order()))
		pe := providerError(t, err, 200, false)
		if pe.Message != "Invalid Masterkey Specified (response_code 1001)" || !cauri.IsProviderRejection(err) {
			t.Errorf("message %q", pe.Message)
		}
	})
	t.Run("200 with code 0 as a number", func(t *testing.T) {
		t.Parallel()
		c := newCapture(t, http.StatusOK, "application/json", `{"response_code":0,"response_text":"https://x.example/i","token":"t"}`)
		_, err := provider(t, config(c.URL)).CreateCheckout(ctx, request(order()))
		providerError(t, err, 200, false)
	})
	t.Run("emulator: wrong keys", func(t *testing.T) {
		t.Parallel()
		srv := emutest.Start(t, paydunyatest.New)
		for field, edit := range map[string]func(*paydunya.Config){
			"Invalid Masterkey Specified":  func(c *paydunya.Config) { c.MasterKey = "wrong" },
			"Invalid PrivateKey Specified": func(c *paydunya.Config) { c.PrivateKey = "test_private_wrong" },
			"Invalid Token Specified":      func(c *paydunya.Config) { c.Token = "wrong" },
		} {
			cfg := srv.Config()
			edit(&cfg)
			_, err := provider(t, cfg).CreateCheckout(ctx, request(order()))
			pe := providerError(t, err, 200, false)
			if pe.Message != field+" (response_code 1001)" {
				t.Errorf("message %q", pe.Message)
			}
		}
	})
	t.Run("emulator: sandbox keys on the live API", func(t *testing.T) {
		t.Parallel()
		srv := emutest.Start(t, paydunyatest.New)
		cfg := srv.Config()
		cfg.BaseURL = srv.LiveBaseURL()
		_, err := provider(t, cfg).CreateCheckout(ctx, request(order()))
		if pe := providerError(t, err, 200, false); !strings.Contains(pe.Message, "Invalid PrivateKey") {
			t.Errorf("message %q", pe.Message)
		}
	})
	t.Run("400 JSON", func(t *testing.T) {
		t.Parallel()
		c := newCapture(t, http.StatusBadRequest, "application/json", `{"response_code":"1003","response_text":"store.name is required"}`)
		_, err := provider(t, config(c.URL)).CreateCheckout(ctx, request(order()))
		if pe := providerError(t, err, 400, false); pe.Message != "store.name is required (response_code 1003)" {
			t.Errorf("message %q", pe.Message)
		}
	})
	t.Run("429 with Retry-After", func(t *testing.T) {
		t.Parallel()
		c := newCapture(t, http.StatusTooManyRequests, "application/json", `{"response_code":"429","response_text":"Too Many Requests"}`)
		_, err := provider(t, config(c.URL)).CreateCheckout(ctx, request(order()))
		if pe := providerError(t, err, 429, true); pe.RetryAfter != 7*time.Second {
			t.Errorf("%+v", pe)
		}
	})
	for name, body := range map[string]string{
		"no token":         `{"response_code":"00","response_text":"https://app.paydunya.com/sandbox-checkout/invoice/x"}`,
		"token a number":   `{"response_code":"00","response_text":"https://app.paydunya.com/sandbox-checkout/invoice/x","token":12}`,
		"token with space": `{"response_code":"00","response_text":"https://app.paydunya.com/sandbox-checkout/invoice/x","token":" x"}`,
		"no URL":           `{"response_code":"00","response_text":"Checkout Invoice Created","token":"x"}`,
		"javascript URL":   `{"response_code":"00","response_text":"javascript:alert(1)","token":"x"}`,
		"wrong shape":      `{"response_code":"00","token":{"a":1}}`,
		"empty":            ``,
		"array":            `[]`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c := newCapture(t, http.StatusOK, "application/json", body)
			_, err := provider(t, config(c.URL)).CreateCheckout(ctx, request(order()))
			providerError(t, err, 200, false)
			if !errors.Is(err, cauri.ErrMalformed) {
				t.Errorf("err %v does not wrap ErrMalformed", err)
			}
		})
	}
}

// TestCreateCheckoutEmulatorRecords checks what the emulator received from
// the client, headers included.
func TestCreateCheckoutEmulatorRecords(t *testing.T) {
	t.Parallel()
	s := emutest.Start(t, paydunyatest.New, paydunyatest.WithStoreName("Boutique Awa"))
	co := clienttest.Drive(t, s.Provider()).Open(request(order()))
	if !strings.HasPrefix(co.ProviderRef, "test_") || co.RedirectURL != s.URL+"/sandbox-checkout/invoice/"+co.ProviderRef {
		t.Errorf("checkout %+v", co)
	}
	r := clienttest.OnlyCall(t, s.Requests(), http.MethodPost, "/sandbox-api/v1/checkout-invoice/create")
	clienttest.CheckHeaders(t, r.Header, map[string]string{
		"PAYDUNYA-MASTER-KEY": s.MasterKey, "PAYDUNYA-PRIVATE-KEY": s.Sandbox.PrivateKey, "PAYDUNYA-TOKEN": s.Sandbox.Token,
		"Content-Type": "application/json",
	})
	want := `{"invoice":{"items":{"item_0":{"name":"Pagne wax","quantity":2,"unit_price":"2500","total_price":"5000","description":""}},` +
		`"taxes":{},"total_amount":5000,"description":"Two baskets",` +
		`"customer":{"name":"Awa Diallo","email":"awa@example.com","phone":"+2250701020304"}},"store":{"name":"Boutique Awa"},` +
		`"custom_data":{"cart":"c-9","cauri_payment_id":"pay_01","order_id":"ord-42"},` +
		`"actions":{"cancel_url":"` + returnURL + `","return_url":"` + returnURL + `","callback_url":"` + callbackURL + `"}}`
	if string(r.Body) != want {
		t.Errorf("body\n got %s\nwant %s", r.Body, want)
	}
	inv, ok := s.Payment(co.ProviderRef)
	if !ok || inv.TotalAmount != 5000 || inv.Status != "pending" || inv.Store.Name != "Boutique Awa" ||
		inv.CustomData["cauri_payment_id"] != "pay_01" || inv.Actions.CallbackURL != callbackURL || len(inv.Items) != 1 {
		t.Errorf("invoice %+v", inv)
	}
}

func TestFetchStatus(t *testing.T) {
	t.Parallel()
	srv, p, logs := clienttest.StartLogging(t, paydunyatest.New, provider)

	// What the customer's actions on the page give is the conformance
	// checks' Outcomes; here, a status PayDunya does not document.
	c := clienttest.Drive(t, p)
	co := c.Open(request(order()))
	_ = srv.SetStatus(co.ProviderRef, "reversed")
	u := c.Fetch(cauri.StatusQuery{PaymentID: "pay_01", ProviderRef: co.ProviderRef, Amount: 5000, Currency: "XOF"})
	clienttest.CheckUnknownStatus(t, u, "reversed", "reversed", logs.String())
	for _, secret := range []string{srv.MasterKey, srv.Sandbox.PrivateKey, srv.Sandbox.Token} {
		if strings.Contains(logs.String(), secret) {
			t.Error("a key was logged")
		}
	}
}

func TestFetchStatusModes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := emutest.Start(t, paydunyatest.New)
	live := srv.LiveProvider()
	co := clienttest.Drive(t, live).Open(request(order()))
	if strings.HasPrefix(co.ProviderRef, "test_") || !strings.HasPrefix(co.RedirectURL, srv.URL+"/checkout/invoice/") {
		t.Errorf("live checkout %+v", co)
	}
	emutest.Act(t, srv.Act, co.RedirectURL, providertest.Pay)
	if u, err := live.FetchStatus(ctx, cauri.StatusQuery{ProviderRef: co.ProviderRef}); err != nil || u.Status != cauri.StatusPaid {
		t.Errorf("live: %+v %v", u, err)
	}
	// The sandbox does not know live invoices.
	_, err := srv.Provider().FetchStatus(ctx, cauri.StatusQuery{ProviderRef: co.ProviderRef})
	if !errors.Is(err, cauri.ErrNotFound) {
		t.Errorf("live invoice in the sandbox: %v", err)
	}
	providerError(t, err, 404, false)
}

const confirmed = `{"response_code":"00","response_text":"Transaction Found",` +
	`"hash":"85c6564b0e29c7955633594bc8aca0d007dc1fce3f67bd3accb00ae4e9d39ae528574be9a6ea8bde81fcbb0bc0fae3e56eb1bbedcd4d119a7fd24b0d44ab3770",` +
	`"invoice":{"items":{"item_0":{"name":"Chaussures Croco","quantity":3,"unit_price":"10000","total_price":"30000","description":""}},` +
	`"taxes":{"tax_0":{"name":"TVA (18%)","amount":6300}},"token":"test_Jh2T8skw1j","total_amount":42300,"description":"Paiement de 42300 FCFA"},` +
	`"custom_data":{"categorie":"Jeu concours","numero_gagnant":5,"cauri_payment_id":"pay_01"},` +
	`"actions":{"cancel_url":"http://magasin-le-choco.com/cancel_url.aspx","callback_url":"http://magasin-le-choco.com/callback_url.aspx","return_url":"http://magasin-le-choco.com/return_url.aspx"},` +
	`"mode":"test","status":"completed","fail_reason":"",` +
	`"customer":{"name":"Alioune Faye","phone":"774563209","email":"aliounefaye@gmail.com"},` +
	`"receipt_url":"https://paydunya.com/sandbox-checkout/receipt/pdf/test_Jh2T8skw1j.pdf"}`

func TestFetchStatusShapes(t *testing.T) {
	t.Parallel()
	paid := cauri.Update{PaymentID: "pay_01", ProviderRef: "test_Jh2T8skw1j", Status: cauri.StatusPaid, RawStatus: "completed",
		Amount: 42300, Currency: "XOF", Authenticated: true}
	edit := func(old, new string) string {
		if !strings.Contains(confirmed, old) {
			panic("no " + old)
		}
		return strings.Replace(confirmed, old, new, 1)
	}
	clienttest.StatusAnswers{
		Provider: "paydunya",
		At: func(t *testing.T, base string) cauri.Provider {
			return provider(t, config(base))
		},
		Query: cauri.StatusQuery{PaymentID: "pay_01", ProviderRef: "test_Jh2T8skw1j"},
		Request: func(t *testing.T, q cauri.StatusQuery, r clienttest.Got) {
			if r.Method != http.MethodGet || r.URL.Path != "/checkout-invoice/confirm/"+q.ProviderRef || r.Header.Get("PAYDUNYA-TOKEN") != token {
				t.Errorf("request %s %s %v", r.Method, r.URL.Path, r.Header)
			}
		},
		Answers: []clienttest.StatusAnswer{
			{Name: "the guide's example", Answer: clienttest.Answer{Body: confirmed}, Want: paid},
			{Name: "without our payment ID in the query", Query: func(q *cauri.StatusQuery) { q.PaymentID = "" }, Answer: clienttest.Answer{Body: confirmed},
				Want: paid},
			{Name: "amount as a string with zero decimals", Answer: clienttest.Answer{Body: edit(`"total_amount":42300`, `"total_amount":"42300.00"`)}, Want: paid},
			{Name: "cancelled with a reason",
				Answer: clienttest.Answer{Body: edit(`"status":"completed","fail_reason":""`, `"status":"cancelled","fail_reason":"Payment cancelled by customer"`)},
				Want: cauri.Update{PaymentID: "pay_01", ProviderRef: "test_Jh2T8skw1j", Status: cauri.StatusCancelled, RawStatus: "cancelled",
					Amount: 42300, Currency: "XOF", FailureReason: "Payment cancelled by customer", Authenticated: true}},
			{Name: "pending without invoice", Answer: clienttest.Answer{Body: `{"response_code":"00","response_text":"Transaction Found","status":"pending","custom_data":[]}`},
				Want: cauri.Update{ProviderRef: "test_Jh2T8skw1j", Status: cauri.StatusPending, RawStatus: "pending", Authenticated: true}},
			{Name: "another token, proven ours by custom_data", Query: func(q *cauri.StatusQuery) { q.ProviderRef = "test_P8FaseSVLd" }, Answer: clienttest.Answer{Body: confirmed},
				Want: cauri.Update{PaymentID: "pay_01", ProviderRef: "test_P8FaseSVLd", Status: cauri.StatusPaid, RawStatus: "completed",
					Amount: 42300, Currency: "XOF", Authenticated: true}},
			{Name: "another token, nothing to prove it ours", Query: func(q *cauri.StatusQuery) { q.ProviderRef = "test_P8FaseSVLd" },
				Answer: clienttest.Answer{Body: edit(`,"cauri_payment_id":"pay_01"`, ``)}, Err: cauri.ErrMalformed},
			{Name: "another payment", Query: func(q *cauri.StatusQuery) { q.PaymentID = "pay_02" }, Answer: clienttest.Answer{Body: confirmed}, Err: cauri.ErrMalformed},
			{Name: "live answer to the sandbox", Answer: clienttest.Answer{Body: edit(`"mode":"test"`, `"mode":"live"`)}, Err: cauri.ErrMalformed},
			{Name: "completed without amount", Answer: clienttest.Answer{Body: edit(`"total_amount":42300,`, ``)}, Err: cauri.ErrMalformed},
			{Name: "null amount", Answer: clienttest.Answer{Body: edit(`"total_amount":42300`, `"total_amount":null`)}, Err: cauri.ErrMalformed},
			{Name: "decimal amount", Answer: clienttest.Answer{Body: edit(`"total_amount":42300`, `"total_amount":42300.5`)}, Err: cauri.ErrMalformed},
			{Name: "amount not a number", Answer: clienttest.Answer{Body: edit(`"total_amount":42300`, `"total_amount":"lots"`)}, Err: cauri.ErrMalformed},
			{Name: "amount an object", Answer: clienttest.Answer{Body: edit(`"total_amount":42300`, `"total_amount":{"v":1}`)}, Err: cauri.ErrMalformed},
			{Name: "no status", Answer: clienttest.Answer{Body: edit(`"status":"completed",`, ``)}, Err: cauri.ErrMalformed},
			{Name: "status a number", Answer: clienttest.Answer{Body: edit(`"status":"completed"`, `"status":1`)}, Err: cauri.ErrMalformed},
			{Name: "invoice a string", Answer: clienttest.Answer{Body: edit(`"invoice":{`, `"invoice":"x","i":{`)}, Err: cauri.ErrMalformed},
			{Name: "custom_data a string", Answer: clienttest.Answer{Body: edit(`"custom_data":{`, `"custom_data":"x","c":{`)}, Err: cauri.ErrMalformed},
			{Name: "html", Answer: clienttest.Answer{Body: `<html><body>Maintenance</body></html>`}, Err: cauri.ErrMalformed},
			{Name: "200 with an error code", Answer: clienttest.Answer{Body: `{"response_code":"1002","response_text":"Invoice Not Found"}`},
				Message: "Invoice Not Found (response_code 1002)"},
			{Name: "200 without a code", Answer: clienttest.Answer{Body: `{"status":"completed","invoice":{"total_amount":42300}}`},
				Message: "no response_code in the answer"},
		},
	}.Check(t)
}

func TestReturnToken(t *testing.T) {
	t.Parallel()
	u, _ := url.Parse(returnURL + "?token=test_RHICF0HboN")
	if got := paydunya.ReturnToken(u.Query()); got != "test_RHICF0HboN" {
		t.Errorf("ReturnToken = %q", got)
	}
}
