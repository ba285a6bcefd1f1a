package dexchange_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/internal/emulator/emutest"
	"github.com/cauripay/cauri/providers/dexchange"
	"github.com/cauripay/cauri/providers/dexchange/dexchangetest"
	"github.com/cauripay/cauri/providers/internal/clienttest"
	"github.com/cauripay/cauri/providers/providertest"
)

func TestNew(t *testing.T) {
	t.Parallel()
	_, err := dexchange.New(dexchange.Config{BaseURL: "ftp://x", WebhookSecrets: []string{"a", " "}})
	var ve *cauri.ValidationError
	if !errors.As(err, &ve) || ve.What != "config" {
		t.Fatalf("err = %v", err)
	}
	if got := clienttest.FieldNames(ve); got != "APIKey,BaseURL" {
		t.Errorf("fields %s", got)
	}
	for _, base := range []string{"https://api.dexchange.sn/api/v1?x=1", "//api.dexchange.sn", "https://user:pw@api.dexchange.sn", "api.dexchange.sn/api/v1"} {
		_, err := dexchange.New(dexchange.Config{APIKey: "sk", BaseURL: base})
		if !errors.As(err, &ve) || clienttest.FieldNames(ve) != "BaseURL" {
			t.Errorf("BaseURL %q: %v", base, err)
		}
	}
	if _, err := dexchange.New(dexchange.Config{APIKey: "sk 1"}); !errors.As(err, &ve) || clienttest.FieldNames(ve) != "APIKey" {
		t.Errorf("key with a space: %v", err)
	}

	p, err := dexchange.New(dexchange.Config{APIKey: "sk"})
	if err != nil || p.Name() != "dexchange" {
		t.Fatalf("New = %v, %v", p, err)
	}
	var ic cauri.IdempotentCreator = p
	if !ic.IdempotentCreate() {
		t.Error("get-link with a unique externalTransactionId is idempotent")
	}
}

func order() cauri.Order { return clienttest.Order() }

var (
	returnURL   = clienttest.ReturnURL(dexchange.Name, "pay_01", "tok-return")
	callbackURL = clienttest.CallbackURL(dexchange.Name, "pay_01", "tok-callback")
)

func request(o cauri.Order) cauri.CheckoutRequest {
	return clienttest.Request("pay_01", o, returnURL, callbackURL)
}

// answer is one answer of a fake API.
type answer = clienttest.Answer

// newFake is an API that answers each request with the next of answers
// (the last one repeating) and records what it got.
func newFake(t *testing.T, answers ...answer) *clienttest.FakeAPI {
	return clienttest.NewFakeAPI(t, answers...)
}

func provider(t *testing.T, cfg dexchange.Config) *dexchange.Provider {
	return clienttest.Build(t, dexchange.New, cfg)
}

func fakeProvider(t *testing.T, f *clienttest.FakeAPI) *dexchange.Provider {
	return provider(t, dexchange.Config{APIKey: "sk.test.1", BaseURL: f.URL + "/api/v1/"})
}

func providerError(t *testing.T, err error, status int, temporary bool) *cauri.ProviderError {
	t.Helper()
	return clienttest.ProviderError(t, "dexchange", err, status, temporary)
}

// TestCreateCheckoutRequest checks the exact request the emulator
// received: path, headers and body, field names and casing as documented.
func TestCreateCheckoutRequest(t *testing.T) {
	t.Parallel()
	srv := emutest.Start(t, dexchangetest.New, dexchangetest.WithAPIKey("sk.test.abc"))
	p := srv.Provider()

	co := clienttest.Drive(t, p).Open(request(order()))
	tx, ok := srv.PaymentByExternalID("pay_01")
	if !ok || co.ProviderRef != tx.TransactionID || co.RedirectURL != srv.URL+"/process/"+tx.TransactionID {
		t.Errorf("checkout %+v, emulator %+v", co, tx)
	}
	r := clienttest.OnlyCall(t, srv.Requests(), http.MethodPost, "/api/v1/transaction/merchant/get-link")
	clienttest.CheckHeaders(t, r.Header, map[string]string{
		"Authorization": "Bearer sk.test.abc", "Content-Type": "application/json", "Accept": "application/json",
	})
	want := `{"externalTransactionId":"pay_01","ItemName":"Two baskets","ItemPrice":5000,` +
		`"customData":"{\"cauri_payment_id\":\"pay_01\",\"order_id\":\"ord-42\",\"metadata\":{\"cart\":\"c-9\"}}",` +
		`"callBackURL":"` + callbackURL + `","successUrl":"` + returnURL + `","failureUrl":"` + returnURL + `",` +
		`"ClientName":"Awa Diallo","ClientPhone":"2250701020304","Email":"awa@example.com"}`
	if string(r.Body) != want {
		t.Errorf("body\n got %s\nwant %s", r.Body, want)
	}
}

func TestCreateCheckoutDefaults(t *testing.T) {
	t.Parallel()
	f := newFake(t, answer{Status: 201, Body: `{"success":true,"transactionId":"MID1","PaymentUrl":"https://pay.dexchange.sn/process/MID1","externalTransactionId":"pay_01","Status":"PENDING"}`})
	p := fakeProvider(t, f)
	tests := []struct {
		name string
		edit func(*cauri.Order)
		want string
	}{
		{"bare order", func(o *cauri.Order) {
			o.Description, o.Items, o.Metadata, o.Customer = "", nil, nil, cauri.Customer{}
		}, `{"externalTransactionId":"pay_01","ItemName":"Order ord-42","ItemPrice":5000,` +
			`"customData":"{\"cauri_payment_id\":\"pay_01\",\"order_id\":\"ord-42\"}",` +
			`"callBackURL":"` + callbackURL + `","successUrl":"` + returnURL + `","failureUrl":"` + returnURL + `"}`},
		{"one item, Senegalese phone, first name only", func(o *cauri.Order) {
			o.Description, o.Metadata = " ", nil
			o.Items = []cauri.Item{{Name: "Pagne wax", Quantity: 1, UnitPrice: 5000}}
			o.Customer = cauri.Customer{FirstName: "Moussa", Phone: "+221771234567"}
		}, `{"externalTransactionId":"pay_01","ItemName":"Pagne wax","ItemPrice":5000,` +
			`"customData":"{\"cauri_payment_id\":\"pay_01\",\"order_id\":\"ord-42\"}",` +
			`"callBackURL":"` + callbackURL + `","successUrl":"` + returnURL + `","failureUrl":"` + returnURL + `",` +
			`"ClientName":"Moussa","ClientPhone":"771234567"}`},
		{"minimum", func(o *cauri.Order) {
			o.Amount, o.Metadata, o.Customer = 100, nil, cauri.Customer{}
		}, `{"externalTransactionId":"pay_01","ItemName":"Two baskets","ItemPrice":100,` +
			`"customData":"{\"cauri_payment_id\":\"pay_01\",\"order_id\":\"ord-42\"}",` +
			`"callBackURL":"` + callbackURL + `","successUrl":"` + returnURL + `","failureUrl":"` + returnURL + `"}`},
	}
	for _, tt := range tests {
		o := order()
		tt.edit(&o)
		if _, err := p.CreateCheckout(context.Background(), request(o)); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		reqs := f.Requests()
		if got := string(reqs[len(reqs)-1].Body); got != tt.want {
			t.Errorf("%s: body\n got %s\nwant %s", tt.name, got, tt.want)
		}
		if reqs[len(reqs)-1].URL.Path != "/api/v1/transaction/merchant/get-link" {
			t.Errorf("%s: path %s", tt.name, reqs[len(reqs)-1].URL.Path)
		}
	}
}

func TestCreateCheckoutValidation(t *testing.T) {
	t.Parallel()
	f := newFake(t, answer{Status: 201, Body: `{}`})
	p := fakeProvider(t, f)
	tests := []clienttest.ValidationCase{
		{Name: "under the minimum", Edit: func(r *cauri.CheckoutRequest) { r.Order.Amount = 99 }, Fields: "Amount"},
		{Name: "zero", Edit: func(r *cauri.CheckoutRequest) { r.Order.Amount = 0 }, Fields: "Amount"},
		{Name: "negative", Edit: func(r *cauri.CheckoutRequest) { r.Order.Amount = -5000 }, Fields: "Amount"},
		{Name: "XAF", Edit: func(r *cauri.CheckoutRequest) { r.Order.Currency = "XAF" }, Fields: "Currency"},
		{Name: "USD", Edit: func(r *cauri.CheckoutRequest) { r.Order.Amount, r.Order.Currency = 50, "USD" }, Fields: "Currency"},
		{Name: "lower-case xof", Edit: func(r *cauri.CheckoutRequest) { r.Order.Currency = "xof" }, Fields: "Currency"},
		{Name: "no currency", Edit: func(r *cauri.CheckoutRequest) { r.Order.Currency = "" }, Fields: "Currency"},
		{Name: "no payment ID", Edit: func(r *cauri.CheckoutRequest) { r.PaymentID = " " }, Fields: "PaymentID"},
		{Name: "no return URL", Edit: func(r *cauri.CheckoutRequest) { r.ReturnURL = "" }, Fields: "ReturnURL"},
		{Name: "relative callback", Edit: func(r *cauri.CheckoutRequest) { r.CallbackURL = "/pay/webhooks/dexchange" }, Fields: "CallbackURL"},
		{Name: "everything", Edit: func(r *cauri.CheckoutRequest) {
			*r = cauri.CheckoutRequest{Order: cauri.Order{Amount: 0, Currency: "EUR"}, ReturnURL: "javascript:alert(1)"}
		}, Fields: "PaymentID,Amount,Currency,ReturnURL,CallbackURL"},
	}
	clienttest.CheckValidation(t, p, func() cauri.CheckoutRequest { return request(order()) }, tests, f.Calls)
}

func TestCreateCheckoutShapes(t *testing.T) {
	t.Parallel()
	const url = "https://pay.dexchange.sn/process/MID123456789"
	ok := []struct{ name, body string }{
		{"flat (seed)", `{"success":true,"transactionId":"MID123456789","PaymentUrl":"` + url + `","externalTransactionId":"pay_01","Status":"PENDING"}`},
		{"nested (OpenAPI)", `{"message":"Transaction initiated","transaction":{"success":true,"transactionId":"MID123456789","PaymentUrl":"` + url + `","externalTransactionId":"pay_01","Status":"PENDING"}}`},
		{"generic data envelope", `{"message":"ok","success":true,"data":{"transactionId":"MID123456789","PaymentUrl":"` + url + `"}}`},
		{"other casing, no echo", `{"TransactionId":"MID123456789","paymentUrl":"` + url + `","status":"PENDING"}`},
		{"numeric id", `{"transactionId":123456789,"PaymentUrl":"https://pay.dexchange.sn/process/MID123456789"}`},
	}
	for _, tt := range ok {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t, answer{Status: 201, Body: tt.body})
			co, err := fakeProvider(t, f).CreateCheckout(context.Background(), request(order()))
			if err != nil {
				t.Fatal(err)
			}
			if (co.ProviderRef != "MID123456789" && co.ProviderRef != "123456789") || co.RedirectURL != url {
				t.Errorf("%+v", co)
			}
		})
	}
	t.Run("200 accepted", func(t *testing.T) {
		t.Parallel()
		f := newFake(t, answer{Status: 200, Body: ok[0].body})
		if _, err := fakeProvider(t, f).CreateCheckout(context.Background(), request(order())); err != nil {
			t.Fatal(err)
		}
	})

	bad := []struct {
		name   string
		status int
		ctype  string
		body   string
		err    error
		msg    string
	}{
		{name: "200 with an error body", status: 200, body: `{"message":["Montant minimum 100 FCFA"],"success":false}`, err: dexchange.ErrUnsuccessful, msg: "Montant minimum 100 FCFA"},
		{name: "201 with success false nested", status: 201, body: `{"message":"nope","transaction":{"success":false}}`, err: dexchange.ErrUnsuccessful, msg: "nope"},
		{name: "success as a string", status: 201, body: `{"success":"false","message":"no"}`, err: dexchange.ErrUnsuccessful, msg: "no"},
		{name: "no transactionId", status: 201, body: `{"success":true,"PaymentUrl":"` + url + `"}`, err: cauri.ErrMalformed},
		{name: "no PaymentUrl", status: 201, body: `{"success":true,"transactionId":"MID1"}`, err: cauri.ErrMalformed},
		{name: "javascript PaymentUrl", status: 201, body: `{"transactionId":"MID1","PaymentUrl":"javascript:alert(1)"}`, err: cauri.ErrMalformed},
		{name: "another payment", status: 201, body: `{"transactionId":"MID1","PaymentUrl":"` + url + `","externalTransactionId":"pay_02"}`, err: cauri.ErrMalformed},
		{name: "wrong types", status: 201, body: `{"transactionId":{"a":1},"PaymentUrl":["` + url + `"]}`, err: cauri.ErrMalformed},
		{name: "array", status: 201, body: `[{"transactionId":"MID1"}]`, err: cauri.ErrMalformed},
		{name: "html", status: 200, ctype: "text/html", body: `<html><body>Maintenance</body></html>`, err: cauri.ErrMalformed, msg: ""},
		{name: "empty", status: 201, body: ``, err: cauri.ErrMalformed},
		{name: "202", status: 202, body: ok[0].body, err: cauri.ErrMalformed},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t, answer{Status: tt.status, Type: tt.ctype, Body: tt.body})
			_, err := fakeProvider(t, f).CreateCheckout(context.Background(), request(order()))
			pe := providerError(t, err, tt.status, false)
			if !errors.Is(err, tt.err) {
				t.Errorf("err %v, want %v", err, tt.err)
			}
			if pe.Message != tt.msg {
				t.Errorf("message %q, want %q", pe.Message, tt.msg)
			}
			if tt.name == "html" && !strings.Contains(err.Error(), "expected JSON, got text/html") {
				t.Errorf("err %v", err)
			}
		})
	}
}

func TestCreateCheckoutErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := emutest.Start(t, dexchangetest.New) // after the parallel subtests

	t.Run("400 message array", func(t *testing.T) {
		t.Parallel()
		o := order()
		o.Customer.Email = "awa-at-example" // the kit would refuse it; the API does too
		req := request(o)
		req.PaymentID = "pay_400"
		_, err := srv.Provider().CreateCheckout(ctx, req)
		pe := providerError(t, err, 400, false)
		if pe.Message != "Email must be an email" || strings.Contains(err.Error(), "awa-at-example") {
			t.Errorf("error %v", err)
		}
	})
	t.Run("401 message string", func(t *testing.T) {
		t.Parallel()
		f := newFake(t, answer{Status: 401, Body: `{"message":"Unauthorized","statusCode":401}`})
		_, err := fakeProvider(t, f).CreateCheckout(ctx, request(order()))
		if pe := providerError(t, err, 401, false); pe.Message != "Unauthorized" {
			t.Errorf("message %q", pe.Message)
		}
	})
	t.Run("403 maintenance", func(t *testing.T) {
		s := emutest.Start(t, dexchangetest.New)
		s.InjectFault(providertest.OpCreate, providertest.Fault{Kind: providertest.FaultStatus, Status: 403})
		_, err := s.Provider().CreateCheckout(ctx, request(order()))
		if pe := providerError(t, err, 403, false); pe.Message != "API under maintenance" {
			t.Errorf("message %q", pe.Message)
		}
	})
	t.Run("rate limit", func(t *testing.T) {
		s := emutest.Start(t, dexchangetest.New, dexchangetest.WithRateLimit(2, time.Minute))
		p := s.Provider()
		for i := range 2 {
			req := request(order())
			req.PaymentID = fmt.Sprint("pay_rl", i)
			if _, err := p.CreateCheckout(ctx, req); err != nil {
				t.Fatal(err)
			}
		}
		_, err := p.CreateCheckout(ctx, request(order()))
		pe := providerError(t, err, 429, true)
		if pe.RetryAfter < 55*time.Second || pe.RetryAfter > time.Minute || !strings.Contains(pe.Message, "Too Many Requests") {
			t.Errorf("%+v", pe)
		}
	})
}

// TestCreateCheckoutIdempotent: a creation repeated after its answer was
// lost gets DEXCHANGE's 409 and returns the link created the first time.
func TestCreateCheckoutIdempotent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv, p, logs := clienttest.StartLogging(t, dexchangetest.New, provider)

	first, err := p.CreateCheckout(ctx, request(order()))
	if err != nil {
		t.Fatal(err)
	}
	again, err := p.CreateCheckout(ctx, request(order()))
	if err != nil {
		t.Fatal(err)
	}
	if again != first {
		t.Errorf("second creation %+v, first %+v", again, first)
	}
	var calls []string
	for _, r := range srv.Requests() {
		calls = append(calls, r.Method+" "+r.Path)
	}
	want := "POST /api/v1/transaction/merchant/get-link,POST /api/v1/transaction/merchant/get-link,GET /api/v1/transaction/merchant/pay_01"
	if strings.Join(calls, ",") != want {
		t.Errorf("calls %v", calls)
	}
	if !strings.Contains(logs.String(), "recovered") || strings.Contains(logs.String(), srv.APIKey) {
		t.Errorf("logs %s", logs.String())
	}
	// Recovered even once paid: the customer is not told to pay again,
	// and the kit learns the status from DEXCHANGE.
	emutest.Act(t, srv.Act, first.RedirectURL, providertest.Pay)
	if again, err := p.CreateCheckout(ctx, request(order())); err != nil || again != first {
		t.Errorf("after paying: %+v, %v", again, err)
	}
}

// TestCreateCheckoutAnswerLost: the first attempt times out on our side
// but DEXCHANGE created the link; the retry gets that link, not a second
// one.
func TestCreateCheckoutAnswerLost(t *testing.T) {
	t.Parallel()
	srv := emutest.Start(t, dexchangetest.New)
	p := srv.Provider()
	// DEXCHANGE goes on with the request it held, to nobody.
	clienttest.LoseCreateAnswer(t, srv, func(ctx context.Context) error {
		_, err := p.CreateCheckout(ctx, request(order()))
		return err
	})
	tx, ok := srv.PaymentByExternalID("pay_01")
	if !ok {
		t.Fatal("the emulator never created the link")
	}
	co := clienttest.Drive(t, p).Open(request(order()))
	if co.ProviderRef != tx.TransactionID || co.RedirectURL != srv.URL+"/process/"+tx.TransactionID {
		t.Errorf("retry %+v, created %+v", co, tx)
	}
}

func TestCreateCheckoutConflict(t *testing.T) {
	t.Parallel()
	const conflict = `{"message":["External transaction ID already exists"],"success":false}`
	const link = `{"message":"Transaction fetched successfully","transaction":{"transactionId":"MID7","externalTransactionId":"pay_01","PaymentUrl":"https://pay.dexchange.sn/process/MID7","Status":"PENDING"}}`
	ctx := context.Background()

	t.Run("link in the 409", func(t *testing.T) {
		t.Parallel()
		f := newFake(t, answer{Status: 409, Body: `{"success":true,"transactionId":"MID7","PaymentUrl":"https://pay.dexchange.sn/process/MID7","externalTransactionId":"pay_01"}`})
		co, err := fakeProvider(t, f).CreateCheckout(ctx, request(order()))
		if err != nil || co.ProviderRef != "MID7" || f.Calls() != 1 {
			t.Errorf("%+v %v, %d calls", co, err, f.Calls())
		}
	})
	t.Run("looked up", func(t *testing.T) {
		t.Parallel()
		f := newFake(t, answer{Status: 409, Body: conflict}, answer{Status: 200, Body: link})
		co, err := fakeProvider(t, f).CreateCheckout(ctx, request(order()))
		if err != nil || co.ProviderRef != "MID7" || co.RedirectURL != "https://pay.dexchange.sn/process/MID7" {
			t.Fatalf("%+v %v", co, err)
		}
		r := f.Requests()[1]
		if r.Method != http.MethodGet || r.URL.Path != "/api/v1/transaction/merchant/pay_01" || r.Header.Get("Authorization") != "Bearer sk.test.1" {
			t.Errorf("lookup %s %s %v", r.Method, r.URL.Path, r.Header)
		}
	})
	for _, tt := range []struct {
		name   string
		lookup answer
	}{
		{"not found", answer{Status: 404, Body: `{"message":["No transaction found"],"success":false}`}},
		{"another payment", answer{Status: 200, Body: strings.Replace(link, "pay_01", "pay_02", 1)}},
		{"no echo", answer{Status: 200, Body: strings.Replace(link, `"externalTransactionId":"pay_01",`, "", 1)}},
		{"no link", answer{Status: 200, Body: strings.Replace(link, `"PaymentUrl":"https://pay.dexchange.sn/process/MID7",`, "", 1)}},
		{"200 error body", answer{Status: 200, Body: `{"message":["No transaction found"],"success":false}`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t, answer{Status: 409, Body: conflict}, tt.lookup)
			_, err := fakeProvider(t, f).CreateCheckout(ctx, request(order()))
			pe := providerError(t, err, 409, false)
			if !errors.Is(err, dexchange.ErrLinkNotRecovered) || pe.Message != "External transaction ID already exists" {
				t.Errorf("err %v", err)
			}
		})
	}
	t.Run("lookup unavailable", func(t *testing.T) {
		t.Parallel()
		f := newFake(t, answer{Status: 409, Body: conflict}, answer{Status: 503, Body: `{"message":["Service Unavailable"],"success":false}`, Header: map[string]string{"Retry-After": "2"}})
		_, err := fakeProvider(t, f).CreateCheckout(ctx, request(order()))
		if pe := providerError(t, err, 503, true); pe.RetryAfter != 2*time.Second {
			t.Errorf("%+v", pe)
		}
	})
}

func TestFetchStatus(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv, p, logs := clienttest.StartLogging(t, dexchangetest.New, provider)

	c := clienttest.Drive(t, p)
	fetch := func(ref string) cauri.Update {
		return c.Fetch(cauri.StatusQuery{PaymentID: "pay_x", ProviderRef: ref, Amount: 5000, Currency: "XOF"})
	}

	co := c.Open(request(order()))
	u := fetch(co.ProviderRef)
	want := cauri.Update{ProviderRef: co.ProviderRef, Status: cauri.StatusPending, RawStatus: "PENDING",
		Amount: 5000, Currency: "XOF", Authenticated: true}
	if u != want {
		t.Errorf("pending:\n got %+v\nwant %+v", u, want)
	}
	r := srv.Requests()[1]
	if r.Method != http.MethodGet || r.Path != "/api/v1/transaction/"+co.ProviderRef || r.Header.Get("Authorization") != "Bearer "+srv.APIKey {
		t.Errorf("request %s %s", r.Method, r.Path)
	}

	_ = srv.SetStatus(co.ProviderRef, "PROCESSING")
	if u := fetch(co.ProviderRef); u.Status != cauri.StatusPending || u.RawStatus != "PROCESSING" {
		t.Errorf("processing: %+v", u)
	}
	_ = srv.SetStatus(co.ProviderRef, "REVERSED")
	clienttest.CheckUnknownStatus(t, fetch(co.ProviderRef), "REVERSED", "REVERSED", logs.String())
	_ = srv.SetStatus(co.ProviderRef, "PENDING")

	// The customer's actions on the page are the conformance checks'
	// Outcomes; an expired link is not one of them.
	if err := srv.Expire(ctx, co.ProviderRef); err != nil {
		t.Fatal(err)
	}
	if u := fetch(co.ProviderRef); u.Status != cauri.StatusExpired || u.RawStatus != "EXPIRED" {
		t.Errorf("expired: %+v", u)
	}
	if strings.Contains(logs.String(), srv.APIKey) {
		t.Error("the API key was logged")
	}
}

func TestFetchStatusShapes(t *testing.T) {
	t.Parallel()
	paid := cauri.Update{ProviderRef: "MID1", Status: cauri.StatusPaid, RawStatus: "SUCCESS", Amount: 5000, Currency: "XOF", Authenticated: true}
	with := func(edit func(*cauri.Update)) cauri.Update {
		u := paid
		edit(&u)
		return u
	}
	clienttest.StatusAnswers{
		Provider: "dexchange",
		At: func(t *testing.T, base string) cauri.Provider {
			return provider(t, dexchange.Config{APIKey: "sk.test.1", BaseURL: base + "/api/v1/"})
		},
		Query: cauri.StatusQuery{PaymentID: "pay_01", ProviderRef: "MID1"},
		Request: func(t *testing.T, _ cauri.StatusQuery, r clienttest.Got) {
			if r.URL.Path != "/api/v1/transaction/MID1" || r.Header.Get("Authorization") != "Bearer sk.test.1" {
				t.Errorf("request %s %v", r.URL.Path, r.Header)
			}
		},
		EmptyMessages: true,
		Answers: []clienttest.StatusAnswer{
			{Name: "documented", Answer: clienttest.Answer{Body: `{"message":"Transaction fetched successfully","transaction":{"ServiceName":"Orange Money Senegal","ServiceCode":"OM_SN_CASHOUT","OperatorApi":"OM789012345","Type":"CASHOUT","Amount":5000,"Number":"771234567","Status":"SUCCESS","Initiated_at":"2024-03-20T10:30:00Z","Completed_at":"2024-03-20T10:35:00Z"}}`},
				Want: with(func(u *cauri.Update) { u.Method = "OM_SN_CASHOUT" })},
			{Name: "generic data envelope, string amount", Answer: clienttest.Answer{Body: `{"message":"ok","success":true,"data":{"Amount":"5000.00","Status":"success"}}`},
				Want: with(func(u *cauri.Update) { u.RawStatus = "success" })},
			{Name: "flat, echoes and fee", Answer: clienttest.Answer{Body: `{"transactionId":"MID1","externalTransactionId":"pay_01","amount":5000,"fee":50,"currency":"FCFA","status":"SUCCESS"}`},
				Want: with(func(u *cauri.Update) { u.PaymentID, u.Fee = "pay_01", 50 })},
			{Name: "unreadable fee ignored", Answer: clienttest.Answer{Body: `{"transaction":{"Amount":5000,"Fee":"n/a","Status":"SUCCESS"}}`}, Want: paid},
			{Name: "another currency is reported as it is", Answer: clienttest.Answer{Body: `{"transaction":{"Amount":50,"Currency":"usd","Status":"SUCCESS"}}`},
				Want: with(func(u *cauri.Update) { u.Amount, u.Currency = 5000, "USD" })},
			{Name: "pending without amount", Answer: clienttest.Answer{Body: `{"transaction":{"Status":"PENDING","Amount":null}}`},
				Want: cauri.Update{ProviderRef: "MID1", Status: cauri.StatusPending, RawStatus: "PENDING", Authenticated: true}},
			{Name: "200 with an error body", Answer: clienttest.Answer{Body: `{"message":["No transaction found"],"success":false}`}, Err: dexchange.ErrUnsuccessful, Message: "No transaction found"},
			{Name: "another transaction", Answer: clienttest.Answer{Body: `{"transaction":{"transactionId":"MID2","Amount":5000,"Status":"SUCCESS"}}`}, Err: cauri.ErrMalformed},
			{Name: "another payment", Answer: clienttest.Answer{Body: `{"transaction":{"externalTransactionId":"pay_02","Amount":5000,"Status":"SUCCESS"}}`}, Err: cauri.ErrMalformed},
			{Name: "paid without amount", Answer: clienttest.Answer{Body: `{"transaction":{"Status":"SUCCESS"}}`}, Err: cauri.ErrMalformed},
			{Name: "no status", Answer: clienttest.Answer{Body: `{"transaction":{"Amount":5000}}`}, Err: cauri.ErrMalformed},
			{Name: "no transaction", Answer: clienttest.Answer{Body: `{"message":"Transaction fetched successfully"}`}, Err: cauri.ErrMalformed},
			{Name: "transaction not an object", Answer: clienttest.Answer{Body: `{"transaction":"MID1"}`}, Err: cauri.ErrMalformed},
			{Name: "bad amount", Answer: clienttest.Answer{Body: `{"transaction":{"Amount":"5 000","Status":"SUCCESS"}}`}, Err: cauri.ErrMalformed},
			{Name: "negative amount", Answer: clienttest.Answer{Body: `{"transaction":{"Amount":-5000,"Status":"SUCCESS"}}`}, Err: cauri.ErrMalformed},
			{Name: "fractional francs", Answer: clienttest.Answer{Body: `{"transaction":{"Amount":5000.5,"Status":"SUCCESS"}}`}, Err: cauri.ErrMalformed},
			{Name: "amount as bool", Answer: clienttest.Answer{Body: `{"transaction":{"Amount":true,"Status":"SUCCESS"}}`}, Err: cauri.ErrMalformed},
			{Name: "bad currency", Answer: clienttest.Answer{Body: `{"transaction":{"Amount":5000,"Currency":"francs","Status":"SUCCESS"}}`}, Err: cauri.ErrMalformed},
			{Name: "two ids", Answer: clienttest.Answer{Body: `{"transaction":{"id":"MID1","transactionId":"MID2","Amount":5000,"Status":"SUCCESS"}}`}, Err: cauri.ErrMalformed},
			{Name: "array", Answer: clienttest.Answer{Body: `[]`}, Err: cauri.ErrMalformed},
			{Name: "html", Answer: clienttest.Answer{Type: "text/html", Body: `<!DOCTYPE html><html><body>login</body></html>`}, Err: cauri.ErrMalformed},
		},
	}.Check(t)
}

func TestFetchStatusEscapesRef(t *testing.T) {
	t.Parallel()
	f := newFake(t, answer{Status: 404, Body: `{"message":["No transaction found"],"success":false}`})
	_, err := fakeProvider(t, f).FetchStatus(context.Background(), cauri.StatusQuery{ProviderRef: "../balance?x=1"})
	if !errors.Is(err, cauri.ErrNotFound) {
		t.Errorf("err %v", err)
	}
	if r := f.Requests()[0]; r.URL.Path != "/api/v1/transaction/../balance?x=1" {
		t.Errorf("path %q", r.URL.Path)
	}
}
