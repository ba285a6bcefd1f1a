package moneroo_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/internal/emulator/emutest"
	"github.com/cauripay/cauri/providers/internal/clienttest"
	"github.com/cauripay/cauri/providers/moneroo"
	"github.com/cauripay/cauri/providers/moneroo/monerootest"
	"github.com/cauripay/cauri/providers/providertest"
)

func TestNew(t *testing.T) {
	t.Parallel()
	_, err := moneroo.New(moneroo.Config{BaseURL: "ftp://x", WebhookSecrets: []string{"a", ""}, Methods: []string{" "}})
	var ve *cauri.ValidationError
	if !errors.As(err, &ve) || ve.What != "config" {
		t.Fatalf("err = %v", err)
	}
	if got := clienttest.FieldNames(ve); got != "SecretKey,BaseURL,Methods[0]" {
		t.Errorf("fields %s", got)
	}
	p, err := moneroo.New(moneroo.Config{SecretKey: "sk"})
	if err != nil || p.Name() != "moneroo" {
		t.Fatalf("New = %v, %v", p, err)
	}
	if _, ok := any(p).(cauri.IdempotentCreator); ok {
		t.Error("moneroo's initialize is not idempotent")
	}
}

// order has no lines, and metadata of a key Moneroo's own metadata uses.
func order() cauri.Order {
	return clienttest.Order(clienttest.Items(), clienttest.Metadata("order_id", "theirs"))
}

// request's URLs carry the payment and token in their query, which the
// request body must keep.
func request(o cauri.Order) cauri.CheckoutRequest {
	return clienttest.Request("pay_01", o, "https://shop.example/pay/return/moneroo?payment_id=pay_01&token=t",
		"https://shop.example/pay/webhooks/moneroo?payment_id=pay_01&token=t")
}

// newCapture is a fake API that answers every request with status and
// body.
func newCapture(t *testing.T, status int, ctype, body string) *clienttest.FakeAPI {
	return clienttest.NewFakeAPI(t, clienttest.Answer{Status: status, Type: ctype, Body: body})
}

func provider(t *testing.T, cfg moneroo.Config) *moneroo.Provider {
	return clienttest.Build(t, moneroo.New, cfg)
}

func TestCreateCheckoutRequest(t *testing.T) {
	t.Parallel()
	c := newCapture(t, http.StatusCreated, "application/json",
		`{"message":"Transaction initialized successfully","data":{"id":"5f7b1b2c","checkout_url":"https://checkout.moneroo.io/5f7b1b2c"},"errors":null}`)
	p := provider(t, moneroo.Config{SecretKey: "sk_test_1", BaseURL: c.URL + "/v1/", Methods: []string{"wave_ci", "orange_ci"}})

	co := clienttest.Drive(t, p).Open(request(order()))
	if co.ProviderRef != "5f7b1b2c" || co.RedirectURL != "https://checkout.moneroo.io/5f7b1b2c" {
		t.Errorf("checkout %+v", co)
	}
	r := c.Last(t)
	if r.Method != http.MethodPost || r.URL.Path != "/v1/payments/initialize" {
		t.Errorf("%s %s", r.Method, r.URL.Path)
	}
	clienttest.CheckHeaders(t, r.Header, map[string]string{
		"Authorization": "Bearer sk_test_1", "Accept": "application/json", "Content-Type": "application/json",
	})
	want := `{"amount":5000,"currency":"XOF","description":"Two baskets",` +
		`"customer":{"email":"awa@example.com","first_name":"Awa","last_name":"Diallo","phone":"2250701020304","country":"CI"},` +
		`"return_url":"https://shop.example/pay/return/moneroo?payment_id=pay_01\u0026token=t",` +
		`"metadata":{"cart":"c-9","cauri_payment_id":"pay_01","order_id":"ord-42"},` +
		`"methods":["wave_ci","orange_ci"]}`
	if string(c.Last(t).Body) != want {
		t.Errorf("body\n got %s\nwant %s", c.Last(t).Body, want)
	}
}

func TestCreateCheckoutDefaultsAndLimits(t *testing.T) {
	t.Parallel()
	c := newCapture(t, http.StatusOK, "application/json", `{"data":{"id":7,"checkout_url":"https://checkout.moneroo.io/7"}}`)
	p, logs := clienttest.Logging(t, provider, moneroo.Config{SecretKey: "sk", BaseURL: c.URL})
	o := order()
	o.Amount, o.Currency = 2500, "USD" // $25.00: whole units
	o.Description = ""
	o.Customer.Phone, o.Customer.Country = "", ""
	o.Metadata = map[string]string{}
	for _, k := range []string{"k01", "k02", "k03", "k04", "k05", "k06", "k07", "k08", "k09", "k10"} {
		o.Metadata[k] = "v-" + k
	}
	co := clienttest.Drive(t, p).Open(request(o))
	if co.ProviderRef != "7" {
		t.Errorf("numeric id read as %q", co.ProviderRef)
	}
	want := `{"amount":25,"currency":"USD","description":"Order ord-42",` +
		`"customer":{"email":"awa@example.com","first_name":"Awa","last_name":"Diallo"},` +
		`"return_url":"https://shop.example/pay/return/moneroo?payment_id=pay_01\u0026token=t",` +
		`"metadata":{"cauri_payment_id":"pay_01","k01":"v-k01","k02":"v-k02","k03":"v-k03","k04":"v-k04",` +
		`"k05":"v-k05","k06":"v-k06","k07":"v-k07","k08":"v-k08","order_id":"ord-42"}}`
	if string(c.Last(t).Body) != want {
		t.Errorf("body\n got %s\nwant %s", c.Last(t).Body, want)
	}
	if !strings.Contains(logs.String(), "dropped_entries=2") || strings.Contains(logs.String(), "v-k10") {
		t.Errorf("log: %s", logs.String())
	}
}

func TestCreateCheckoutValidation(t *testing.T) {
	t.Parallel()
	c := newCapture(t, http.StatusCreated, "application/json", `{}`)
	p := provider(t, moneroo.Config{SecretKey: "sk", BaseURL: c.URL})
	tests := []clienttest.ValidationCase{
		{Name: "no customer", Edit: func(r *cauri.CheckoutRequest) { r.Order.Customer = cauri.Customer{} },
			Fields: "Customer.Email,Customer.FirstName,Customer.LastName"},
		{Name: "no last name", Edit: func(r *cauri.CheckoutRequest) { r.Order.Customer.LastName = " " }, Fields: "Customer.LastName"},
		{Name: "fractional", Edit: func(r *cauri.CheckoutRequest) { r.Order.Amount, r.Order.Currency = 1050, "USD" }, Fields: "Amount"},
		{Name: "zero", Edit: func(r *cauri.CheckoutRequest) { r.Order.Amount = 0 }, Fields: "Amount"},
		{Name: "no currency", Edit: func(r *cauri.CheckoutRequest) { r.Order.Currency = "" }, Fields: "Currency"},
		{Name: "no return URL", Edit: func(r *cauri.CheckoutRequest) { r.ReturnURL = "" }, Fields: "ReturnURL"},
	}
	clienttest.CheckValidation(t, p, func() cauri.CheckoutRequest { return request(order()) }, tests, c.Calls)
}

func TestCreateCheckoutErrors(t *testing.T) {
	t.Parallel()
	srv := emutest.Start(t, monerootest.New) // after the parallel subtests
	ctx := context.Background()

	t.Run("422", func(t *testing.T) {
		t.Parallel()
		o := order()
		o.Customer.Email = "awa-at-example"
		_, err := srv.Provider().CreateCheckout(ctx, request(o))
		pe := providerError(t, err, 422, false)
		if !strings.Contains(pe.Message, "(invalid: customer.email)") || strings.Contains(err.Error(), "awa-at-example") {
			t.Errorf("message %q", pe.Message)
		}
	})
	t.Run("422, errors as a list", func(t *testing.T) {
		t.Parallel()
		var list []string
		for _, f := range []string{"k", "j", "i", "h", "g", "f", "e", "d", "c", "b", "a", "a", ""} {
			list = append(list, `{"field":"`+f+`","message":"secret value"}`)
		}
		c := newCapture(t, http.StatusUnprocessableEntity, "application/json", `{"message":"Invalid data.","errors":[`+strings.Join(list, ",")+`]}`)
		_, err := provider(t, moneroo.Config{SecretKey: "sk", BaseURL: c.URL}).CreateCheckout(ctx, request(order()))
		pe := providerError(t, err, 422, false)
		if want := "Invalid data. (invalid: a, b, c, d, e, f, g, h, i, j, ...)"; pe.Message != want || strings.Contains(err.Error(), "secret value") {
			t.Errorf("message %q, want %q", pe.Message, want)
		}
	})
	for name, body := range map[string]string{
		"no id":         `{"data":{"checkout_url":"https://checkout.moneroo.io/x"}}`,
		"no data":       `{"message":"ok","data":null}`,
		"bad url":       `{"data":{"id":"x","checkout_url":"javascript:alert(1)"}}`,
		"missing url":   `{"data":{"id":"x"}}`,
		"wrong status":  ``,
		"wrong shape":   `{"data":"x"}`,
		"empty on 201 ": ``,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			status := http.StatusCreated
			if name == "wrong status" {
				status = http.StatusAccepted
			}
			c := newCapture(t, status, "application/json", body)
			_, err := provider(t, moneroo.Config{SecretKey: "sk", BaseURL: c.URL}).CreateCheckout(ctx, request(order()))
			providerError(t, err, status, false)
			if !errors.Is(err, cauri.ErrMalformed) {
				t.Errorf("err %v does not wrap ErrMalformed", err)
			}
		})
	}
}

func providerError(t *testing.T, err error, status int, temporary bool) *cauri.ProviderError {
	t.Helper()
	return clienttest.ProviderError(t, "moneroo", err, status, temporary)
}

func TestFetchStatus(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv, p, logs := clienttest.StartLogging(t, monerootest.New, provider)

	c := clienttest.Drive(t, p)
	open := func(o cauri.Order) cauri.Checkout {
		return c.Open(request(o))
	}
	fetch := func(ref string) cauri.Update {
		return c.Fetch(cauri.StatusQuery{PaymentID: "pay_01", ProviderRef: ref})
	}

	co := open(order())
	u := fetch(co.ProviderRef)
	want := cauri.Update{PaymentID: "pay_01", ProviderRef: co.ProviderRef, Status: cauri.StatusPending, RawStatus: "initiated",
		Amount: 5000, Currency: "XOF", Authenticated: true}
	if u != want {
		t.Errorf("initiated:\n got %+v\nwant %+v", u, want)
	}

	if err := srv.SetStatus(co.ProviderRef, "pending"); err != nil {
		t.Fatal(err)
	}
	if u := fetch(co.ProviderRef); u.Status != cauri.StatusPending || u.RawStatus != "pending" {
		t.Errorf("pending: %+v", u)
	}
	_ = srv.SetStatus(co.ProviderRef, "reversed")
	clienttest.CheckUnknownStatus(t, fetch(co.ProviderRef), "reversed", "reversed", logs.String())
	_ = srv.SetStatus(co.ProviderRef, "initiated")

	// The customer's actions on an XOF order are the conformance checks'
	// Outcomes; here, one in dollars, which have cents.
	usd := order()
	usd.Amount, usd.Currency = 10000, "USD"
	co = open(usd)
	_, _ = srv.Act(ctx, co.RedirectURL, providertest.Fail)
	u = fetch(co.ProviderRef)
	if u.Status != cauri.StatusFailed || u.Amount != 10000 || u.Currency != "USD" || u.FailureReason == "" {
		t.Errorf("failed: %+v", u)
	}

	srv.ReportAmountDelta(50)
	if u := fetch(co.ProviderRef); u.Amount != 10050 {
		t.Errorf("delta on USD: %d", u.Amount)
	}
	if strings.Contains(logs.String(), srv.SecretKey) {
		t.Error("the secret key was logged")
	}
}

func TestFetchStatusShapes(t *testing.T) {
	t.Parallel()
	clienttest.StatusAnswers{
		Provider: "moneroo",
		At: func(t *testing.T, base string) cauri.Provider {
			return provider(t, moneroo.Config{SecretKey: "sk", BaseURL: base})
		},
		Query: cauri.StatusQuery{ProviderRef: "r1"},
		Request: func(t *testing.T, _ cauri.StatusQuery, r clienttest.Got) {
			if r.URL.Path != "/payments/r1/verify" || r.Header.Get("Authorization") != "Bearer sk" {
				t.Errorf("request %s %v", r.URL.Path, r.Header)
			}
		},
		Answers: []clienttest.StatusAnswer{
			{Name: "currency string, amount string",
				Answer: clienttest.Answer{Body: `{"data":{"id":"r1","status":"success","amount":"200","currency":"XOF","metadata":{"cauri_payment_id":"pay_01"}}}`},
				Want:   cauri.Update{PaymentID: "pay_01", ProviderRef: "r1", Status: cauri.StatusPaid, RawStatus: "success", Amount: 200, Currency: "XOF", Authenticated: true}},
			{Name: "decimal amount in USD",
				Answer: clienttest.Answer{Body: `{"data":{"id":"r1","status":"success","amount":10.5,"currency":{"code":"usd"},"metadata":[],"capture":{"method":{"short_code":"card_usd"},"failure_message":null}}}`},
				Want:   cauri.Update{ProviderRef: "r1", Status: cauri.StatusPaid, RawStatus: "success", Amount: 1050, Currency: "USD", Method: "card_usd", Authenticated: true}},
			{Name: "no id in data",
				Answer: clienttest.Answer{Body: `{"data":{"status":"pending"}}`},
				Want:   cauri.Update{ProviderRef: "r1", Status: cauri.StatusPending, RawStatus: "pending", Authenticated: true}},
			{Name: "another payment", Answer: clienttest.Answer{Body: `{"data":{"id":"r2","status":"success","amount":1,"currency":"XOF"}}`}, Err: cauri.ErrMalformed},
			{Name: "paid without amount", Answer: clienttest.Answer{Body: `{"data":{"id":"r1","status":"success","currency":"XOF"}}`}, Err: cauri.ErrMalformed},
			{Name: "bad amount", Answer: clienttest.Answer{Body: `{"data":{"id":"r1","status":"success","amount":"lots","currency":"XOF"}}`}, Err: cauri.ErrMalformed},
			{Name: "bad currency", Answer: clienttest.Answer{Body: `{"data":{"id":"r1","status":"success","amount":1,"currency":{"code":"francs"}}}`}, Err: cauri.ErrMalformed},
			{Name: "null data", Answer: clienttest.Answer{Body: `{"data":null}`}, Err: cauri.ErrMalformed},
			{Name: "html", Answer: clienttest.Answer{Body: `<html></html>`}, Err: cauri.ErrMalformed},
		},
	}.Check(t)
}

func TestReturnParams(t *testing.T) {
	t.Parallel()
	for _, q := range []string{"paymentId=r1&paymentStatus=success", "monerooPaymentId=r1&monerooPaymentStatus=success"} {
		r := httptest.NewRequest(http.MethodGet, "/return?payment_id=pay_01&"+q, nil)
		ref, st := moneroo.ReturnParams(r.URL.Query())
		if ref != "r1" || st != "success" {
			t.Errorf("%s: %q %q", q, ref, st)
		}
	}
}
