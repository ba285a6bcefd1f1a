package moneyfusion_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/internal/emulator/emutest"
	"github.com/cauripay/cauri/providers/internal/clienttest"
	"github.com/cauripay/cauri/providers/moneyfusion"
	"github.com/cauripay/cauri/providers/moneyfusion/moneyfusiontest"
	"github.com/cauripay/cauri/providers/providertest"
)

func TestCharged(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                     string
		montant, frais, expected int64
		want                     int64
	}{
		{"gross: status example", 200, 5, 200, 200},
		{"net: webhook example", 194, 6, 200, 200},
		{"net: python example", 475, 25, 500, 500},
		{"no fee", 5000, 0, 5000, 5000},
		{"short", 4000, 0, 5000, 4000},
		{"short net", 3850, 150, 5000, 4000},
		{"over", 5100, 0, 5000, 5100},
		{"expected unknown", 194, 6, 0, 200},
	}
	for _, tt := range tests {
		if got := moneyfusion.Charged(tt.montant, tt.frais, tt.expected); got != tt.want {
			t.Errorf("%s: Charged(%d, %d, %d) = %d, want %d", tt.name, tt.montant, tt.frais, tt.expected, got, tt.want)
		}
	}
}

const secretPath = "/Shop/5f3a9c0e1d2b4a67/pay/"

func TestNew(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		cfg    moneyfusion.Config
		fields string
	}{
		{moneyfusion.Config{}, "APIURL"},
		{moneyfusion.Config{APIURL: " "}, "APIURL"},
		{moneyfusion.Config{APIURL: "ftp://pay.moneyfusion.net" + secretPath, StatusURL: "pay.moneyfusion.net"}, "APIURL,StatusURL"},
		{moneyfusion.Config{APIURL: secretPath}, "APIURL"},
		{moneyfusion.Config{APIURL: "https://pay.moneyfusion.net" + secretPath + "#x", StatusURL: "https://x/?a=b"}, "APIURL,StatusURL"},
		{moneyfusion.Config{APIURL: "https://pay.moneyfusion.net" + secretPath, SessionLife: -1}, "SessionLife"},
	} {
		_, err := moneyfusion.New(tt.cfg)
		var ve *cauri.ValidationError
		if !errors.As(err, &ve) || ve.What != "config" {
			t.Fatalf("%+v: err = %v", tt.cfg, err)
		}
		if got := clienttest.FieldNames(ve); got != tt.fields {
			t.Errorf("%+v: fields %s, want %s", tt.cfg, got, tt.fields)
		}
		if strings.Contains(err.Error(), "5f3a9c0e1d2b4a67") {
			t.Errorf("the error quotes the API URL: %v", err)
		}
	}
	p, err := moneyfusion.New(moneyfusion.Config{APIURL: "https://www.pay.moneyfusion.net" + secretPath, StatusURL: "https://pay.moneyfusion.net/"})
	if err != nil || p.Name() != "moneyfusion" {
		t.Fatalf("New = %v, %v", p, err)
	}
	if _, ok := any(p).(cauri.IdempotentCreator); ok {
		t.Error("moneyfusion's payment request is not idempotent")
	}
}

func TestNationalNumber(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"+2250701020304": "0701020304",
		"+221771234567":  "771234567",
		"+22670123456":   "70123456",
		"+33612345678":   "33612345678",
		"0574801791":     "0574801791",
		" 01010101 ":     "01010101",
		"+225":           "225",
		"":               "",
		"+":              "",
	} {
		if got := moneyfusion.NationalNumber(in); got != want {
			t.Errorf("NationalNumber(%q) = %q, want %q", in, got, want)
		}
	}
}

// order has two lines, and metadata of the keys the client's own
// personal_Info uses.
func order() cauri.Order {
	return clienttest.Order(
		clienttest.Items(cauri.Item{Name: "Pagne wax", Quantity: 1, UnitPrice: 3000}, cauri.Item{Name: "Sac", Quantity: 2, UnitPrice: 1000}),
		clienttest.Metadata("orderId", "theirs", "cauri_payment_id", "theirs"))
}

func request(o cauri.Order) cauri.CheckoutRequest {
	return clienttest.Request("pay_01", o, clienttest.ReturnURL(moneyfusion.Name, "pay_01", "tok"),
		clienttest.CallbackURL(moneyfusion.Name, "pay_01", "cbtok"))
}

// quiet drops req's callback URL, so that the emulator sends its
// webhooks nowhere (shop.example is not ours to call).
func quiet(req cauri.CheckoutRequest) cauri.CheckoutRequest {
	req.CallbackURL = ""
	return req
}

// newCapture is a fake API that answers every request with status and
// body.
func newCapture(t *testing.T, status int, ctype, body string) *clienttest.FakeAPI {
	return clienttest.NewFakeAPI(t, clienttest.Answer{Status: status, Type: ctype, Body: body})
}

// fakeConfig points a Config at a fake API: both the API URL and the
// status endpoint.
func fakeConfig(c *clienttest.FakeAPI) moneyfusion.Config {
	return moneyfusion.Config{APIURL: c.URL + secretPath, StatusURL: c.URL}
}

func provider(t *testing.T, cfg moneyfusion.Config) *moneyfusion.Provider {
	return clienttest.Build(t, moneyfusion.New, cfg)
}

func TestCreateCheckoutRequest(t *testing.T) {
	t.Parallel()
	srv := emutest.Start(t, moneyfusiontest.New, moneyfusiontest.WithApp("Boutique", "5f3a9c0e1d2b4a67"))
	co := clienttest.Drive(t, srv.Provider()).Open(request(order()))
	got, ok := srv.Payment(co.ProviderRef)
	if !ok {
		t.Fatalf("the emulator has no payment %q", co.ProviderRef)
	}
	if co.RedirectURL != srv.URL+"/payment/"+co.ProviderRef+"/Test%20Shop" {
		t.Errorf("checkout %+v", co)
	}
	want := `{"totalPrice":5000,"article":[{"Pagne wax":3000},{"Sac x2":2000}],` +
		`"personal_Info":[{"cart":"c-9","cauri_payment_id":"pay_01","orderId":"ord-42"}],` +
		`"numeroSend":"0701020304","nomclient":"Awa Diallo",` +
		`"return_url":"https://shop.example/pay/return/moneyfusion/pay_01/tok",` +
		`"webhook_url":"https://shop.example/pay/webhooks/moneyfusion/pay_01/cbtok"}`
	if string(got.RequestBody) != want {
		t.Errorf("body\n got %s\nwant %s", got.RequestBody, want)
	}
	h := got.RequestHeader
	if h.Get("Content-Type") != "application/json" || h.Get("Authorization") != "" || !strings.HasPrefix(h.Get("User-Agent"), "cauri") {
		t.Errorf("headers %v", h)
	}
	for k := range h {
		switch k {
		case "Content-Type", "User-Agent", "Content-Length", "Accept-Encoding":
		default:
			t.Errorf("unexpected header %s", k)
		}
	}
	if got.NumeroSend != "0701020304" || got.NomClient != "Awa Diallo" || got.TotalPrice != 5000 || got.Status != "pending" {
		t.Errorf("payment %+v", got)
	}
}

func TestCreateCheckoutArticles(t *testing.T) {
	t.Parallel()
	c := newCapture(t, http.StatusOK, "application/json", `{"statut":true,"token":"t1","message":"paiement en cours","url":"https://payin.moneyfusion.net/payment/t1/Shop"}`)
	p := provider(t, fakeConfig(c))
	tests := []struct {
		name string
		edit func(*cauri.CheckoutRequest)
		want string
	}{
		{"lines add up", func(*cauri.CheckoutRequest) {}, `"article":[{"Pagne wax":3000},{"Sac x2":2000}]`},
		{"shipping on top", func(r *cauri.CheckoutRequest) { r.Order.Amount = 6500 }, `"article":[{"Two baskets":6500}]`},
		{"no lines, no description", func(r *cauri.CheckoutRequest) { r.Order.Items, r.Order.Description = nil, " " },
			`"article":[{"Order ord-42":5000}]`},
		{"same names", func(r *cauri.CheckoutRequest) {
			r.Order.Items = []cauri.Item{{Name: "Sac", Quantity: 1, UnitPrice: 2500}, {Name: "Sac", Quantity: 1, UnitPrice: 2500}}
		}, `"article":[{"Sac":2500},{"Sac":2500}]`},
		{"no metadata, one name, no URLs", func(r *cauri.CheckoutRequest) {
			r.Order.Metadata, r.Order.Customer.FirstName, r.ReturnURL, r.CallbackURL = nil, "", "", ""
		}, `"personal_Info":[{"cauri_payment_id":"pay_01","orderId":"ord-42"}],"numeroSend":"0701020304","nomclient":"Diallo"}`},
	}
	for _, tt := range tests {
		req := request(order())
		tt.edit(&req)
		co, err := p.CreateCheckout(context.Background(), req)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if co.ProviderRef != "t1" || co.RedirectURL != "https://payin.moneyfusion.net/payment/t1/Shop" {
			t.Errorf("%s: %+v", tt.name, co)
		}
		if !strings.Contains(string(c.Last(t).Body), tt.want) {
			t.Errorf("%s: body %s lacks %s", tt.name, c.Last(t).Body, tt.want)
		}
		if c.Last(t).Method != http.MethodPost || c.Last(t).URL.Path != secretPath {
			t.Errorf("%s: %s %s", tt.name, c.Last(t).Method, c.Last(t).URL.Path)
		}
	}
}

func TestCreateCheckoutValidation(t *testing.T) {
	t.Parallel()
	c := newCapture(t, http.StatusOK, "application/json", `{}`)
	p := provider(t, fakeConfig(c))
	tests := []clienttest.ValidationCase{
		{Name: "no customer", Edit: func(r *cauri.CheckoutRequest) { r.Order.Customer = cauri.Customer{} }, Fields: "Customer.Phone,Customer.FirstName"},
		{Name: "blank names", Edit: func(r *cauri.CheckoutRequest) { r.Order.Customer.FirstName, r.Order.Customer.LastName = " ", "\t" }, Fields: "Customer.FirstName"},
		{Name: "phone without digits", Edit: func(r *cauri.CheckoutRequest) { r.Order.Customer.Phone = "+" }, Fields: "Customer.Phone"},
		{Name: "USD", Edit: func(r *cauri.CheckoutRequest) { r.Order.Amount, r.Order.Currency = 1050, "USD" }, Fields: "Currency"},
		{Name: "XAF", Edit: func(r *cauri.CheckoutRequest) { r.Order.Currency = "XAF" }, Fields: "Currency"},
		{Name: "zero", Edit: func(r *cauri.CheckoutRequest) { r.Order.Amount = 0 }, Fields: "Amount"},
		{Name: "everything", Edit: func(r *cauri.CheckoutRequest) {
			r.Order.Amount, r.Order.Currency, r.Order.Customer = -1, "", cauri.Customer{}
		}, Fields: "Amount,Currency,Customer.Phone,Customer.FirstName"},
	}
	clienttest.CheckValidation(t, p, func() cauri.CheckoutRequest { return request(order()) }, tests, c.Calls)
}

func providerError(t *testing.T, err error, status int, temporary bool) *cauri.ProviderError {
	t.Helper()
	return clienttest.ProviderError(t, "moneyfusion", err, status, temporary)
}

// noSecret fails when err's text holds the API URL's key.
func noSecret(t *testing.T, err error, key string) {
	t.Helper()
	if strings.Contains(err.Error(), key) {
		t.Errorf("the error reveals the API URL: %v", err)
	}
}

func TestCreateCheckoutErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("400 statut false", func(t *testing.T) {
		t.Parallel()
		c := newCapture(t, http.StatusBadRequest, "application/json", `{"statut":false,"message":"Tous les champs sont requis."}`)
		_, err := provider(t, fakeConfig(c)).CreateCheckout(ctx, request(order()))
		pe := providerError(t, err, 400, false)
		if pe.Message != "Tous les champs sont requis." || !errors.Is(err, moneyfusion.ErrRefused) {
			t.Errorf("error %v", err)
		}
	})
	t.Run("200 statut false", func(t *testing.T) {
		t.Parallel()
		c := newCapture(t, http.StatusOK, "application/json", `{"statut":false,"message":"Montant invalide"}`)
		_, err := provider(t, fakeConfig(c)).CreateCheckout(ctx, request(order()))
		pe := providerError(t, err, 200, false)
		if pe.Message != "Montant invalide" || !errors.Is(err, moneyfusion.ErrRefused) || errors.Is(err, cauri.ErrMalformed) {
			t.Errorf("error %v", err)
		}
	})
	for name, body := range map[string]string{
		"html 200":       "<html>login</html>",
		"empty":          ``,
		"no statut":      `{"token":"t1","url":"https://payin.moneyfusion.net/payment/t1/x"}`,
		"string statut":  `{"statut":"true","token":"t1","url":"https://payin.moneyfusion.net/payment/t1/x"}`,
		"no token":       `{"statut":true,"url":"https://payin.moneyfusion.net/payment/t1/x"}`,
		"object token":   `{"statut":true,"token":{"a":1},"url":"https://payin.moneyfusion.net/payment/t1/x"}`,
		"token w/ space": `{"statut":true,"token":"a b","url":"https://payin.moneyfusion.net/payment/t1/x"}`,
		"no url":         `{"statut":true,"token":"t1"}`,
		"bad url":        `{"statut":true,"token":"t1","url":"javascript:alert(1)"}`,
		"relative url":   `{"statut":true,"token":"t1","url":"/payment/t1"}`,
		"array":          `[]`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctype := "application/json"
			if strings.HasPrefix(body, "<") {
				ctype = "text/html"
			}
			c := newCapture(t, http.StatusOK, ctype, body)
			_, err := provider(t, fakeConfig(c)).CreateCheckout(ctx, request(order()))
			providerError(t, err, 200, false)
			if !errors.Is(err, cauri.ErrMalformed) {
				t.Errorf("err %v does not wrap ErrMalformed", err)
			}
		})
	}
	t.Run("dropped", func(t *testing.T) {
		s := emutest.Start(t, moneyfusiontest.New)
		s.InjectFault(providertest.OpAny, providertest.Fault{Kind: providertest.FaultDrop})
		_, err := s.Provider().CreateCheckout(ctx, request(order()))
		providerError(t, err, 0, true)
		noSecret(t, err, s.Key)
		if !strings.Contains(err.Error(), "POST <the merchant's API URL>") {
			t.Errorf("err %v", err)
		}
	})
}

func TestFetchStatus(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv, p, logs := clienttest.StartLogging(t, moneyfusiontest.New, provider)

	c := clienttest.Drive(t, p)
	open := func() cauri.Checkout {
		return c.Open(quiet(request(order())))
	}
	fetch := func(ref string, amount int64) cauri.Update {
		return c.Fetch(cauri.StatusQuery{PaymentID: "pay_01", ProviderRef: ref, Amount: amount, Currency: "XOF"})
	}

	co := open()
	u := fetch(co.ProviderRef, 5000)
	want := cauri.Update{PaymentID: "pay_01", ProviderRef: co.ProviderRef, Status: cauri.StatusPending, RawStatus: "pending",
		Amount: 5000, Currency: "XOF", Fee: 150, Authenticated: true}
	if u != want {
		t.Errorf("pending:\n got %+v\nwant %+v", u, want)
	}
	for raw, st := range map[string]cauri.Status{"no paid": cauri.StatusPending, "failed": cauri.StatusFailed, "weird": cauri.StatusPending} {
		if err := srv.SetStatus(co.ProviderRef, raw); err != nil {
			t.Fatal(err)
		}
		if u := fetch(co.ProviderRef, 5000); u.Status != st || u.RawStatus != raw {
			t.Errorf("%s: %+v", raw, u)
		}
	}
	if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), "status=weird") {
		t.Errorf("no warning for an unknown status: %s", logs.String())
	}
	_ = srv.SetStatus(co.ProviderRef, "pending")

	// What the customer's actions on the page give, the amount known, is
	// the conformance checks' Outcomes. Without it, the amount charged is
	// Montant plus frais, as Charged says.
	emutest.Act(t, srv.Act, co.RedirectURL, providertest.Pay)
	if u := fetch(co.ProviderRef, 0); u.Amount != 5000 || u.Status != cauri.StatusPaid {
		t.Errorf("amount unknown: %+v", u)
	}

	co = open()
	_, _ = srv.Act(ctx, co.RedirectURL, providertest.Cancel)
	// The word some integrations report for a cancelled page, which the
	// emulator's "no paid" does not tell.
	if err := srv.SetStatus(co.ProviderRef, "cancelled"); err != nil {
		t.Fatal(err)
	}
	if u := fetch(co.ProviderRef, 5000); u.Status != cauri.StatusCancelled {
		t.Errorf("cancelled: %+v", u)
	}

	srv.ReportAmountDelta(-1000)
	if u := fetch(co.ProviderRef, 5000); u.Status != cauri.StatusCancelled || u.Amount != 0 || u.Currency != "" {
		t.Errorf("cancelled with another amount keeps it: %+v", u)
	}
	co = open()
	_, _ = srv.Act(ctx, co.RedirectURL, providertest.Pay)
	if u := fetch(co.ProviderRef, 5000); u.Status != cauri.StatusPaid || u.Amount != 4000 || u.Currency != "XOF" {
		t.Errorf("tampered: %+v", u)
	}
	srv.ReportAmountDelta(50)
	if u := fetch(co.ProviderRef, 5000); u.Amount != 5050 {
		t.Errorf("delta +50: %+v", u)
	}
	if strings.Contains(logs.String(), srv.Key) || strings.Contains(logs.String(), "Awa") || strings.Contains(logs.String(), co.ProviderRef) {
		t.Errorf("logs hold secrets or customer data: %s", logs.String())
	}
}

// TestFetchStatusGross reads the documentation's other example, where
// Montant is the whole order and frais comes beside it.
func TestFetchStatusGross(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := emutest.Start(t, moneyfusiontest.New, moneyfusiontest.WithGrossMontant(), moneyfusiontest.WithFeePercent(5))
	p := srv.Provider()
	co := clienttest.Drive(t, p).Open(quiet(request(order())))
	_, _ = srv.Act(ctx, co.RedirectURL, providertest.Pay)
	u, err := p.FetchStatus(ctx, cauri.StatusQuery{ProviderRef: co.ProviderRef, Amount: 5000, Currency: "XOF"})
	if err != nil || u.Status != cauri.StatusPaid || u.Amount != 5000 || u.Fee != 250 {
		t.Errorf("gross: %+v %v", u, err)
	}
	srv.ReportAmountDelta(-1000)
	if u, _ := p.FetchStatus(ctx, cauri.StatusQuery{ProviderRef: co.ProviderRef, Amount: 5000, Currency: "XOF"}); u.Amount == 5000 {
		t.Errorf("tampered gross: %+v", u)
	}
}

func TestFetchStatusShapes(t *testing.T) {
	t.Parallel()
	data := func(fields string) string {
		return `{"statut":true,"data":{"_id":"65df163b11ab882694573060","tokenPay":"r1","numeroSend":"01010101","nomclient":"John Doe",` +
			fields + `,"return_url":"https://your-domain.com/callback","createdAt":"2024-02-28T11:17:15.285Z"},"message":"details paiement"}`
	}
	ours := `"personal_Info":[{"cauri_payment_id":"pay_01","orderId":"123"}]`
	clienttest.StatusAnswers{
		Provider: "moneyfusion",
		At: func(t *testing.T, base string) cauri.Provider {
			return provider(t, moneyfusion.Config{APIURL: base + secretPath, StatusURL: base})
		},
		Query: cauri.StatusQuery{ProviderRef: "r1", Amount: 200, Currency: "XOF"},
		Request: func(t *testing.T, _ cauri.StatusQuery, r clienttest.Got) {
			if r.Method != http.MethodGet || r.URL.Path != "/paiementNotif/r1" || r.Header.Get("Authorization") != "" {
				t.Errorf("request %s %s %v", r.Method, r.URL.Path, r.Header)
			}
		},
		Answers: []clienttest.StatusAnswer{
			{Name: "documented example (gross)", Answer: clienttest.Answer{Body: data(`"personal_Info":[{"userId":1,"orderId":123}],"numeroTransaction":"0708889205","Montant":200,"frais":5,"statut":"paid","moyen":"orange"`)},
				Want: cauri.Update{ProviderRef: "r1", Status: cauri.StatusPaid, RawStatus: "paid", Amount: 200, Currency: "XOF", Fee: 5, Method: "orange", Authenticated: true}},
			{Name: "net of fees", Answer: clienttest.Answer{Body: data(ours + `,"Montant":194,"frais":6,"statut":"paid","moyen":"wave"`)},
				Want: cauri.Update{PaymentID: "pay_01", ProviderRef: "r1", Status: cauri.StatusPaid, RawStatus: "paid", Amount: 200, Currency: "XOF", Fee: 6, Method: "wave", Authenticated: true}},
			{Name: "strings, no frais, object personal_Info", Answer: clienttest.Answer{Body: data(`"personal_Info":{"cauri_payment_id":"pay_01"},"Montant":"200","frais":null,"statut":"paid","moyen":null`)},
				Want: cauri.Update{PaymentID: "pay_01", ProviderRef: "r1", Status: cauri.StatusPaid, RawStatus: "paid", Amount: 200, Currency: "XOF", Authenticated: true}},
			{Name: "SDK's failed", Answer: clienttest.Answer{Body: data(ours + `,"Montant":200,"frais":0,"statut":"failed","moyen":"card"`)},
				Want: cauri.Update{PaymentID: "pay_01", ProviderRef: "r1", Status: cauri.StatusFailed, RawStatus: "failed", Amount: 200, Currency: "XOF", Method: "card", Authenticated: true}},
			{Name: "failure with another amount", Answer: clienttest.Answer{Body: data(ours + `,"Montant":0,"frais":0,"statut":"failure"`)},
				Want: cauri.Update{PaymentID: "pay_01", ProviderRef: "r1", Status: cauri.StatusFailed, RawStatus: "failure", Authenticated: true}},
			{Name: "no paid, no Montant", Answer: clienttest.Answer{Body: data(ours + `,"statut":"no paid"`)},
				Want: cauri.Update{PaymentID: "pay_01", ProviderRef: "r1", Status: cauri.StatusPending, RawStatus: "no paid", Authenticated: true}},
			{Name: "no tokenPay", Answer: clienttest.Answer{Body: `{"statut":true,"data":{"statut":"pending"}}`},
				Want: cauri.Update{ProviderRef: "r1", Status: cauri.StatusPending, RawStatus: "pending", Authenticated: true}},
			{Name: "paid short", Answer: clienttest.Answer{Body: data(ours + `,"Montant":150,"frais":6,"statut":"paid"`)},
				Want: cauri.Update{PaymentID: "pay_01", ProviderRef: "r1", Status: cauri.StatusPaid, RawStatus: "paid", Amount: 156, Currency: "XOF", Fee: 6, Authenticated: true}},
			{Name: "200 statut false", Answer: clienttest.Answer{Body: `{"statut":false,"message":"Paiement introuvable"}`}, Err: moneyfusion.ErrRefused},
			{Name: "400 statut false", Answer: clienttest.Answer{Status: 400, Body: `{"statut":false,"message":"token invalide"}`}, Err: moneyfusion.ErrRefused},
			{Name: "html", Answer: clienttest.Answer{Type: "text/html; charset=utf-8", Body: `<!DOCTYPE html><html><body>Maintenance</body></html>`}, Err: cauri.ErrMalformed},
			{Name: "no statut", Answer: clienttest.Answer{Body: `{"data":{"tokenPay":"r1","statut":"paid","Montant":200}}`}, Err: cauri.ErrMalformed},
			{Name: "null data", Answer: clienttest.Answer{Body: `{"statut":true,"data":null}`}, Err: cauri.ErrMalformed},
			{Name: "data string", Answer: clienttest.Answer{Body: `{"statut":true,"data":"paid"}`}, Err: cauri.ErrMalformed},
			{Name: "another payment", Answer: clienttest.Answer{Body: `{"statut":true,"data":{"tokenPay":"r2","statut":"paid","Montant":200}}`}, Err: cauri.ErrMalformed},
			{Name: "paid without Montant", Answer: clienttest.Answer{Body: data(ours + `,"statut":"paid"`)}, Err: cauri.ErrMalformed},
			{Name: "no data statut", Answer: clienttest.Answer{Body: data(ours + `,"Montant":200`)}, Err: cauri.ErrMalformed},
			{Name: "statut number", Answer: clienttest.Answer{Body: data(ours + `,"Montant":200,"statut":1`)}, Err: cauri.ErrMalformed},
			{Name: "decimal francs", Answer: clienttest.Answer{Body: data(ours + `,"Montant":199.5,"statut":"paid"`)}, Err: cauri.ErrMalformed},
			{Name: "negative", Answer: clienttest.Answer{Body: data(ours + `,"Montant":-200,"statut":"paid"`)}, Err: cauri.ErrMalformed},
			{Name: "Montant bool", Answer: clienttest.Answer{Body: data(ours + `,"Montant":true,"statut":"paid"`)}, Err: cauri.ErrMalformed},
			{Name: "frais words", Answer: clienttest.Answer{Body: data(ours + `,"Montant":200,"frais":"cinq","statut":"paid"`)}, Err: cauri.ErrMalformed},
			{Name: "two payments", Answer: clienttest.Answer{Body: data(`"personal_Info":[{"cauri_payment_id":"pay_01"},{"cauri_payment_id":"pay_02"}],"Montant":200,"statut":"paid"`)}, Err: cauri.ErrMalformed},
		},
	}.Check(t)
}

func TestFetchStatusEscapesToken(t *testing.T) {
	t.Parallel()
	c := newCapture(t, http.StatusOK, "application/json", `{"statut":true,"data":{"statut":"pending"}}`)
	_, err := provider(t, fakeConfig(c)).FetchStatus(context.Background(), cauri.StatusQuery{ProviderRef: "a/../b?c"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Last(t).URL.EscapedPath() != "/paiementNotif/a%2F..%2Fb%3Fc" || c.Last(t).URL.RawQuery != "" {
		t.Errorf("path %s query %q", c.Last(t).URL.EscapedPath(), c.Last(t).URL.RawQuery)
	}
}

func TestReturnParams(t *testing.T) {
	t.Parallel()
	u, _ := url.Parse("https://shop.example/pay/return/moneyfusion/pay_01/tok?token=Le4Cnmm1Ac9yTgZMKQbz&statut=paid")
	token, st := moneyfusion.ReturnParams(u.Query())
	if token != "Le4Cnmm1Ac9yTgZMKQbz" || st != "paid" {
		t.Errorf("%q %q", token, st)
	}
}
