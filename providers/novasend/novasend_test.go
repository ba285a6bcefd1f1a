package novasend_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/internal/emulator/emutest"
	"github.com/cauripay/cauri/providers/internal/clienttest"
	"github.com/cauripay/cauri/providers/novasend"
	"github.com/cauripay/cauri/providers/novasend/novasendtest"
	"github.com/cauripay/cauri/providers/providertest"
)

func TestMapStatus(t *testing.T) {
	t.Parallel()
	// One word, of any of the three fields, is in the facts of the
	// conformance checks (clienttest.Providers).

	// status/confirmationStatus/transaction.status: the transaction decides.
	clienttest.CheckStatusWords(t, novasend.MapStatus, map[cauri.Status][]string{
		cauri.StatusPending: {"processed/accepted/pending", "expired/expired/pending"},
		cauri.StatusPaid:    {"processed/accepted/completed", "processed/none/completed", "expired/declined/completed", "weird/weird/completed", "Processed/Accepted/Completed"},
		cauri.StatusFailed:  {"processed/accepted/failed"},
	}, "processed/accepted/reversed", "processed/accepted/success")

	// No transaction yet (null or {}).
	clienttest.CheckStatusWords(t, novasend.MapStatus, map[cauri.Status][]string{
		cauri.StatusPending: {"processing/none/", "processing/pending/", "processed/accepted/", "processed/none/", "processing//", "/none/"},
		cauri.StatusFailed:  {"processing/declined/", "processed/declined/", "/declined/", "weird/declined/"},
		cauri.StatusExpired: {"processing/expired/", "expired/none/", "expired/accepted/", "expired//"},
	}, "//", "completed//", "processing/completed/", "processing/weird/", "weird/none/")

	// Neither one word nor three.
	clienttest.CheckStatusWords(t, novasend.MapStatus, nil, "processed/accepted", "a/b/c/d")
}

func TestNew(t *testing.T) {
	t.Parallel()
	_, err := novasend.New(novasend.Config{APIKey: "pk:1", WebhookSecrets: []string{"a", ""}, AccountID: " ", Language: "de", BaseURL: "ftp://x"})
	var ve *cauri.ValidationError
	if !errors.As(err, &ve) || ve.What != "config" {
		t.Fatalf("err = %v", err)
	}
	var names []string
	for _, f := range ve.Fields {
		names = append(names, f.Field)
	}
	if got := strings.Join(names, ","); got != "APIKey,APIClient,AccountID,Language,BaseURL" {
		t.Errorf("fields %s", got)
	}
	if _, err := novasend.New(novasend.Config{APIClient: "sk"}); err == nil || !strings.Contains(err.Error(), "APIKey is required") {
		t.Errorf("no key: %v", err)
	}
	if _, err := novasend.New(novasend.Config{APIKey: "pk", APIClient: "sk", AccountID: "merchant_1", BaseURL: "https://u:p@business.novasend.app/v1"}); err == nil {
		t.Error("credentials in BaseURL accepted")
	}

	// The account to credit is required: a session without it is refused
	// by an API that follows the payin documentation.
	_, err = novasend.New(novasend.Config{APIKey: "pk", APIClient: "sk"})
	if !errors.As(err, &ve) || len(ve.Fields) != 1 || ve.Fields[0].Field != "AccountID" ||
		!strings.Contains(err.Error(), "AccountID is required") || !strings.Contains(err.Error(), "accountId") || cauri.IsTemporary(err) {
		t.Errorf("no account: %v", err)
	}

	p, err := novasend.New(novasend.Config{APIKey: "pk", APIClient: "sk", AccountID: "merchant_1", Language: "fr"})
	if err != nil || p.Name() != "novasend" {
		t.Fatalf("New = %v, %v", p, err)
	}
	ic, ok := any(p).(cauri.IdempotentCreator)
	if !ok || !ic.IdempotentCreate() {
		t.Error("session creation is idempotent: the provider should say so")
	}
	if novasend.MinPollInterval != 5*time.Second {
		t.Errorf("MinPollInterval = %v", novasend.MinPollInterval)
	}
}

func TestIdempotencyKey(t *testing.T) {
	t.Parallel()
	// Fixed vectors: a change would make retries across a deploy send a
	// different key and open a second session.
	for id, want := range map[string]string{
		"pay_01":                         "5f8eed5d-c206-45b2-9bf0-92d45061c2b6",
		"pay_0123456789abcdefghijklmnop": "2e3a4448-5d65-40ee-b7c2-3b34b653dd3d",
	} {
		if got := novasend.IdempotencyKey(id); got != want {
			t.Errorf("IdempotencyKey(%q) = %s, want %s", id, got, want)
		}
	}
	seen := map[string]bool{}
	for i := range 1000 {
		k := novasend.IdempotencyKey(fmt.Sprintf("pay_%026d", i))
		if len(k) != 36 || k[14] != '4' || !strings.ContainsRune("89ab", rune(k[19])) || strings.Count(k, "-") != 4 {
			t.Fatalf("not a version 4 UUID: %s", k)
		}
		if seen[k] {
			t.Fatalf("collision at %d", i)
		}
		seen[k] = true
	}
	if got := novasend.BasicAuth("pk_test", "sk_test"); got != "Basic cGtfdGVzdDpza190ZXN0" {
		t.Errorf("BasicAuth = %s", got)
	}
}

func TestCurrencyOf(t *testing.T) {
	t.Parallel()
	for country, want := range map[string]string{"CI": "XOF", "SN": "XOF", "TG": "XOF", "ci": "XOF", "CM": "XAF", "GA": "XAF"} {
		if got, ok := novasend.CurrencyOf(country); !ok || got != want {
			t.Errorf("CurrencyOf(%s) = %s %v", country, got, ok)
		}
	}
	for _, country := range []string{"", "GH", "NG", "FR", "CIV"} {
		if _, ok := novasend.CurrencyOf(country); ok {
			t.Errorf("CurrencyOf(%q) known", country)
		}
	}
}

const paymentID = "pay_0123456789abcdefghijklmnop"

// order has neither lines nor metadata.
func order() cauri.Order { return clienttest.Order(clienttest.Items(), clienttest.Metadata()) }

func request(o cauri.Order) cauri.CheckoutRequest {
	return clienttest.Request(paymentID, o, clienttest.ReturnURL(novasend.Name, paymentID, "tok"),
		clienttest.CallbackURL(novasend.Name, paymentID, "tok2"))
}

// reply is one answer of a fake API.
type reply = clienttest.Answer

// newCapture is a fake API that records the requests and answers with the
// next of its answers (the last one repeated).
func newCapture(t *testing.T, answers ...reply) *clienttest.FakeAPI {
	return clienttest.NewFakeAPI(t, answers...)
}

func jsonReply(status int, body string) reply { return reply{Status: status, Body: body} }

// last returns the last request c received, and its body.
func last(t *testing.T, c *clienttest.FakeAPI) (clienttest.Got, []byte) {
	g := c.Last(t)
	return g, g.Body
}

// paths returns the method and path of each request c received.
func paths(c *clienttest.FakeAPI) []string {
	var out []string
	for _, r := range c.Requests() {
		out = append(out, r.Method+" "+r.URL.Path)
	}
	return out
}

func provider(t *testing.T, cfg novasend.Config) *novasend.Provider {
	t.Helper()
	if cfg.APIKey == "" {
		cfg.APIKey, cfg.APIClient = "pk_test", "sk_test"
	}
	if cfg.AccountID == "" {
		cfg.AccountID = "merchant_9923lkdz"
	}
	return clienttest.Build(t, novasend.New, cfg)
}

// seedAnswer is the seed's answer to a session creation.
const seedAnswer = `{"type":"payin","fee":100,"reference":"tr_fhchi842jyimwiugjgszcxvb8n","phoneNumber":"+2250701020304",` +
	`"amount":5000,"chargedAmount":5100,"status":"processing","currency":"XOF","customerReference":"` + paymentID + `",` +
	`"confirmationRequired":true,"confirmationStatus":"none","paymentUrl":"https://link.novasend.app/link/QGRD4D","createdAt":"2025-08-22T01:34:48.189Z"}`

func TestCreateCheckoutRequest(t *testing.T) {
	t.Parallel()
	c := newCapture(t, jsonReply(http.StatusCreated, seedAnswer))
	p := provider(t, novasend.Config{APIKey: "pk_test", APIClient: "sk_test", AccountID: "merchant_9923lkdz",
		Language: "fr", BaseURL: c.URL + "/v1/"})

	co := clienttest.Drive(t, p).Open(request(order()))
	if co.ProviderRef != "tr_fhchi842jyimwiugjgszcxvb8n" || co.RedirectURL != "https://link.novasend.app/link/QGRD4D" {
		t.Errorf("checkout %+v", co)
	}
	r, body := last(t, c)
	if r.Method != http.MethodPost || r.URL.Path != "/v1/payin/sessions" || r.URL.RawQuery != "" {
		t.Errorf("%s %s", r.Method, r.URL)
	}
	clienttest.CheckHeaders(t, r.Header, map[string]string{
		"Authorization":     "Basic cGtfdGVzdDpza190ZXN0", // base64("pk_test:sk_test")
		"X-Idempotency-Key": novasend.IdempotencyKey(paymentID),
		"Accept":            "application/json",
		"Content-Type":      "application/json",
		"Accept-Language":   "fr",
	})
	want := `{"reference":"` + paymentID + `","accountId":"merchant_9923lkdz","amount":5000,"msisdn":"+2250701020304",` +
		`"customerName":"Awa Diallo","country":"CI",` +
		`"action":{"successUrl":"https://shop.example/pay/return/novasend/` + paymentID + `/tok",` +
		`"failureUrl":"https://shop.example/pay/return/novasend/` + paymentID + `/tok"}}`
	if string(body) != want {
		t.Errorf("body\n got %s\nwant %s", body, want)
	}

	// The same payment again sends the same key and body.
	if _, err := p.CreateCheckout(context.Background(), request(order())); err != nil {
		t.Fatal(err)
	}
	r2, body2 := last(t, c)
	if r2.Header.Get("X-Idempotency-Key") != r.Header.Get("X-Idempotency-Key") || !bytes.Equal(body, body2) {
		t.Error("a repeated creation differs from the first")
	}
}

func TestCreateCheckoutDefaults(t *testing.T) {
	t.Parallel()
	// Newer API answer: id is NovaSend's, reference ours.
	c := newCapture(t, jsonReply(http.StatusOK, `{"id":"pr_bakvkozbmqcmte1d8izelffjlz","type":"payin","reference":"`+paymentID+`",`+
		`"status":"processing","confirmationRequired":true,"confirmationStatus":"none","paymentUrl":"https://business.novasend.app/link/QGRD4D",`+
		`"customer":{"name":"Awa","phoneNumber":"+237690000000"},"isDirect":false,"payFee":false,"amount":2500,"fee":7,"chargedAmount":2507,"currency":"XAF","failure":null}`))
	p := provider(t, novasend.Config{BaseURL: c.URL})
	o := order()
	o.Amount, o.Currency = 2500, "XAF"
	o.Customer = cauri.Customer{LastName: " Mbarga ", Phone: "+237 6 90 00 00 00"} // no country: from the phone
	co := clienttest.Drive(t, p).Open(request(o))
	if co.ProviderRef != "pr_bakvkozbmqcmte1d8izelffjlz" || co.RedirectURL != "https://business.novasend.app/link/QGRD4D" {
		t.Errorf("checkout %+v", co)
	}
	r, body := last(t, c)
	want := `{"reference":"` + paymentID + `","accountId":"merchant_9923lkdz","amount":2500,"msisdn":"+237690000000","customerName":"Mbarga","country":"CM",` +
		`"action":{"successUrl":"https://shop.example/pay/return/novasend/` + paymentID + `/tok",` +
		`"failureUrl":"https://shop.example/pay/return/novasend/` + paymentID + `/tok"}}`
	if string(body) != want {
		t.Errorf("body\n got %s\nwant %s", body, want)
	}
	if r.URL.Path != "/payin/sessions" || r.Header.Get("Accept-Language") != "" {
		t.Errorf("%s %v", r.URL.Path, r.Header)
	}

	// An answer naming no reference of NovaSend's: ours is looked up.
	c = newCapture(t, jsonReply(http.StatusCreated, `{"paymentUrl":"https://link.novasend.app/link/X"}`))
	co, err := provider(t, novasend.Config{BaseURL: c.URL}).CreateCheckout(context.Background(), request(order()))
	if err != nil || co.ProviderRef != paymentID {
		t.Errorf("no reference: %+v %v", co, err)
	}
}

func TestCreateCheckoutValidation(t *testing.T) {
	t.Parallel()
	c := newCapture(t, jsonReply(http.StatusCreated, seedAnswer))
	p := provider(t, novasend.Config{BaseURL: c.URL})
	tests := []clienttest.ValidationCase{
		{Name: "no customer", Edit: func(r *cauri.CheckoutRequest) { r.Order.Customer = cauri.Customer{} },
			Fields: "Customer.FirstName,Customer.Phone,Customer.Country"},
		{Name: "no name", Edit: func(r *cauri.CheckoutRequest) { r.Order.Customer.FirstName, r.Order.Customer.LastName = " ", "" }, Fields: "Customer.FirstName"},
		{Name: "local phone", Edit: func(r *cauri.CheckoutRequest) { r.Order.Customer.Phone = "0701020304" }, Fields: "Customer.Phone"},
		{Name: "phone with letters", Edit: func(r *cauri.CheckoutRequest) { r.Order.Customer.Phone = "+225070102030x" }, Fields: "Customer.Phone"},
		{Name: "short phone", Edit: func(r *cauri.CheckoutRequest) { r.Order.Customer.Phone = "+2250" }, Fields: "Customer.Phone"},
		{Name: "no phone, no country", Edit: func(r *cauri.CheckoutRequest) { r.Order.Customer.Phone, r.Order.Customer.Country = "", "" },
			Fields: "Customer.Phone,Customer.Country"},
		{Name: "phone of an unserved country", Edit: func(r *cauri.CheckoutRequest) { r.Order.Customer.Phone, r.Order.Customer.Country = "+233201234567", "" },
			Fields: "Customer.Country"},
		{Name: "unserved country", Edit: func(r *cauri.CheckoutRequest) { r.Order.Customer.Country = "GH" }, Fields: "Customer.Country"},
		{Name: "currency of another country", Edit: func(r *cauri.CheckoutRequest) { r.Order.Customer.Country = "CM" }, Fields: "Currency"},
		{Name: "USD", Edit: func(r *cauri.CheckoutRequest) { r.Order.Amount, r.Order.Currency = 1000, "USD" }, Fields: "Currency"},
		{Name: "fractional", Edit: func(r *cauri.CheckoutRequest) { r.Order.Amount, r.Order.Currency = 1050, "EUR" }, Fields: "Amount,Currency"},
		{Name: "zero", Edit: func(r *cauri.CheckoutRequest) { r.Order.Amount = 0 }, Fields: "Amount"},
		{Name: "no currency", Edit: func(r *cauri.CheckoutRequest) { r.Order.Currency = "" }, Fields: "Currency"},
		{Name: "no payment ID", Edit: func(r *cauri.CheckoutRequest) { r.PaymentID = "" }, Fields: "PaymentID"},
		{Name: "no return URL", Edit: func(r *cauri.CheckoutRequest) { r.ReturnURL = "" }, Fields: "ReturnURL"},
		{Name: "relative return URL", Edit: func(r *cauri.CheckoutRequest) { r.ReturnURL = "/pay/return" }, Fields: "ReturnURL"},
	}
	clienttest.CheckValidation(t, p, func() cauri.CheckoutRequest { return request(order()) }, tests, c.Calls)
}

func providerError(t *testing.T, err error, status int, temporary bool) *cauri.ProviderError {
	t.Helper()
	return clienttest.ProviderError(t, "novasend", err, status, temporary)
}

func TestCreateCheckoutErrors(t *testing.T) {
	t.Parallel()
	srv := emutest.Start(t, novasendtest.New) // after the parallel subtests
	ctx := context.Background()

	t.Run("400 from the API", func(t *testing.T) {
		t.Parallel()
		o := order()
		o.Amount = novasendtest.MaxAmount + 1
		_, err := srv.Provider().CreateCheckout(ctx, request(o))
		pe := providerError(t, err, 400, false)
		if pe.Message != "invalid_amount: Invalid amount (invalid: amount)" {
			t.Errorf("message %q", pe.Message)
		}
	})
	t.Run("400 in French", func(t *testing.T) {
		t.Parallel()
		cfg := srv.Config()
		cfg.Language = "fr"
		o := order()
		o.Amount = novasendtest.MaxAmount + 1
		_, err := provider(t, cfg).CreateCheckout(ctx, request(o))
		if pe := providerError(t, err, 400, false); pe.Message != "invalid_amount: Montant invalide (invalid: amount)" {
			t.Errorf("message %q", pe.Message)
		}
	})
	t.Run("404 wallet", func(t *testing.T) {
		t.Parallel()
		cfg := srv.Config()
		cfg.AccountID = "merchant_other"
		_, err := provider(t, cfg).CreateCheckout(ctx, request(order()))
		if pe := providerError(t, err, 404, false); pe.Message != "wallet_not_found: Wallet not found" {
			t.Errorf("message %q", pe.Message)
		}
		// A configuration matter, said so: the error names the setting.
		if !errors.Is(err, novasend.ErrAccountID) || !strings.Contains(err.Error(), "Config.AccountID") || cauri.IsTemporary(err) {
			t.Errorf("err %v: want a permanent error wrapping ErrAccountID", err)
		}
	})
	for _, code := range []int{429, 503} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			s := emutest.Start(t, novasendtest.New)
			s.InjectFault(providertest.OpCreate, providertest.Fault{Kind: providertest.FaultStatus, Status: code, RetryAfter: 3 * time.Second})
			_, err := s.Provider().CreateCheckout(ctx, request(order()))
			pe := providerError(t, err, code, true)
			if pe.RetryAfter != 3*time.Second || pe.Message == "" {
				t.Errorf("%+v", pe)
			}
			if len(s.Payins()) != 0 {
				t.Error("a refused creation opened a session")
			}
		})
	}
	for name, tt := range map[string]struct {
		status  int
		body    string
		account bool
	}{
		"400 naming accountId in errors":  {400, `{"statusCode":400,"code":"validation_error","message":"accountId is required","errors":[{"field":"accountId","code":"validation_error"}]}`, true},
		"400 naming accountId in message": {400, `{"statusCode":400,"message":["accountId should not be empty"],"error":"Bad Request"}`, true},
		"404 wallet in an error object":   {404, `{"error":{"code":"WALLET_NOT_FOUND","message":"Wallet not found"}}`, true},
		"200 with wallet_not_found":       {200, `{"statusCode":404,"code":"wallet_not_found","message":"Wallet not found"}`, true},
		"400 about the amount":            {400, `{"statusCode":400,"code":"invalid_amount","message":"Invalid amount"}`, false},
		"404 country":                     {404, `{"statusCode":404,"code":"country_not_found","message":"Country not found"}`, false},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c := newCapture(t, jsonReply(tt.status, tt.body))
			_, err := provider(t, novasend.Config{BaseURL: c.URL}).CreateCheckout(ctx, request(order()))
			providerError(t, err, tt.status, false)
			if errors.Is(err, novasend.ErrAccountID) != tt.account {
				t.Errorf("err %v: about the account %v, want %v", err, !tt.account, tt.account)
			}
		})
	}
	t.Run("503 is not about the account", func(t *testing.T) {
		t.Parallel()
		c := newCapture(t, jsonReply(503, `{"statusCode":503,"code":"wallet_not_found","message":"accountId"}`))
		_, err := provider(t, novasend.Config{BaseURL: c.URL}).CreateCheckout(ctx, request(order()))
		providerError(t, err, 503, true)
		if errors.Is(err, novasend.ErrAccountID) {
			t.Errorf("a temporary failure reported as a configuration error: %v", err)
		}
	})
	for name, tt := range map[string]struct {
		body      string
		temporary bool
		message   string
	}{
		"200 with statusCode 400":   {body: `{"statusCode":400,"message":["msisdn must be a valid phone number"],"error":"Bad Request"}`, message: "msisdn must be a valid phone number"},
		"200 with statusCode 503":   {body: `{"statusCode":503,"code":"service_unavailable","message":"Try later"}`, temporary: true, message: "service_unavailable: Try later"},
		"200 with success false":    {body: `{"success":false,"message":"Transaction error","code":"transaction_error"}`, message: "transaction_error: Transaction error"},
		"200 with an error object":  {body: `{"error":{"code":"client_kyc_not_approved","message":"Client KYC not approved"}}`, message: "client_kyc_not_approved: Client KYC not approved"},
		"200 with an error message": {body: `{"error":"Unauthorized"}`, message: "Unauthorized"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c := newCapture(t, jsonReply(http.StatusOK, tt.body))
			_, err := provider(t, novasend.Config{BaseURL: c.URL}).CreateCheckout(ctx, request(order()))
			if pe := providerError(t, err, 200, tt.temporary); pe.Message != tt.message {
				t.Errorf("message %q", pe.Message)
			}
		})
	}
	for name, body := range map[string]string{
		"no paymentUrl":     `{"type":"payin","reference":"tr_1","status":"processing"}`,
		"bad paymentUrl":    `{"reference":"tr_1","paymentUrl":"javascript:alert(1)"}`,
		"paymentUrl number": `{"reference":"tr_1","paymentUrl":12}`,
		"another payment":   `{"reference":"tr_1","customerReference":"pay_other","paymentUrl":"https://link.novasend.app/link/X"}`,
		"a payout":          `{"type":"payout","reference":"tr_1","paymentUrl":"https://link.novasend.app/link/X"}`,
		"empty":             ``,
		"array":             `[]`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c := newCapture(t, jsonReply(http.StatusCreated, body))
			_, err := provider(t, novasend.Config{BaseURL: c.URL}).CreateCheckout(ctx, request(order()))
			providerError(t, err, http.StatusCreated, false)
			if !errors.Is(err, cauri.ErrMalformed) {
				t.Errorf("err %v does not wrap ErrMalformed", err)
			}
		})
	}
}

// TestCreateCheckoutRetrySafe: a creation whose answer was lost is
// repeated with the same key, and NovaSend opens one session.
func TestCreateCheckoutRetrySafe(t *testing.T) {
	t.Parallel()
	s := emutest.Start(t, novasendtest.New)
	p := s.Provider()
	// The slow call completes at NovaSend, to nobody.
	clienttest.LoseCreateAnswer(t, s, func(ctx context.Context) error {
		_, err := p.CreateCheckout(ctx, request(order()))
		return err
	})
	var refs []string
	for range 3 {
		co := clienttest.Drive(t, p).Open(request(order()))
		refs = append(refs, co.ProviderRef+" "+co.RedirectURL)
	}
	if refs[0] != refs[1] || refs[1] != refs[2] {
		t.Errorf("replays differ: %v", refs)
	}
	ps := s.Payins()
	if len(ps) != 1 || ps[0].IdempotencyKey != novasend.IdempotencyKey(paymentID) || ps[0].CustomerReference != paymentID {
		t.Errorf("payins %+v", ps)
	}
}

// TestCreateCheckoutReceived checks what the emulator received.
func TestCreateCheckoutReceived(t *testing.T) {
	t.Parallel()
	s := emutest.Start(t, novasendtest.New)
	cfg := s.Config()
	cfg.Language = "en"
	co, err := provider(t, cfg).CreateCheckout(context.Background(), request(order()))
	if err != nil {
		t.Fatal(err)
	}
	got, ok := s.Payment(co.ProviderRef)
	if !ok || !strings.HasPrefix(co.RedirectURL, s.URL+"/link/") || got.PaymentURL != co.RedirectURL {
		t.Fatalf("checkout %+v, payin %+v", co, got)
	}
	want := novasendtest.Payin{
		Reference: co.ProviderRef, CustomerReference: paymentID, IdempotencyKey: novasend.IdempotencyKey(paymentID),
		AccountID: s.AccountID, Amount: 5000, Currency: "XOF", Fee: 100, Msisdn: "+2250701020304",
		CustomerName: "Awa Diallo", Country: "CI", SuccessURL: request(order()).ReturnURL, FailureURL: request(order()).ReturnURL,
		AcceptLanguage: "en", PaymentURL: co.RedirectURL, Status: "processing", ConfirmationStatus: "none", CreatedAt: got.CreatedAt,
	}
	if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
		t.Errorf("payin\n got %+v\nwant %+v", got, want)
	}
}

func TestFetchStatus(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv, p, logs := clienttest.StartLogging(t, novasendtest.New, provider)

	c := clienttest.Drive(t, p)
	n := 0
	open := func(o cauri.Order) (cauri.CheckoutRequest, cauri.Checkout) {
		n++
		req := request(o)
		req.PaymentID = fmt.Sprintf("pay_%026d", n)
		return req, c.Open(req)
	}
	fetch := func(req cauri.CheckoutRequest, ref string) cauri.Update {
		return c.Fetch(cauri.StatusQuery{PaymentID: req.PaymentID, ProviderRef: ref, Amount: 5000, Currency: "XOF"})
	}

	req, co := open(order())
	u := fetch(req, co.ProviderRef)
	want := cauri.Update{PaymentID: req.PaymentID, ProviderRef: co.ProviderRef, Status: cauri.StatusPending,
		RawStatus: "processing/none/", Amount: 5000, Currency: "XOF", Fee: 100, Authenticated: true}
	if u != want {
		t.Errorf("new session:\n got %+v\nwant %+v", u, want)
	}
	// The customer opens the page: the confirmation is pending.
	res, err := http.Get(co.RedirectURL)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if u := fetch(req, co.ProviderRef); u.RawStatus != "processing/pending/" || u.Status != cauri.StatusPending {
		t.Errorf("page opened: %+v", u)
	}

	_ = srv.SetStatus(co.ProviderRef, "processed", "accepted", "reversed")
	clienttest.CheckUnknownStatus(t, fetch(req, co.ProviderRef), "processed/accepted/reversed", "reversed", logs.String())
	_ = srv.SetStatus(co.ProviderRef, "processed", "accepted", "pending")
	if u := fetch(req, co.ProviderRef); u.Status != cauri.StatusPending {
		t.Errorf("transaction pending: %+v", u)
	}
	_ = srv.SetStatus(co.ProviderRef, "processing", "pending", "")

	emutest.Act(t, srv.Act, co.RedirectURL, providertest.Pay)
	want = cauri.Update{PaymentID: req.PaymentID, ProviderRef: co.ProviderRef, Status: cauri.StatusPaid,
		RawStatus: "processed/accepted/completed", Amount: 5000, Currency: "XOF", Fee: 100, Authenticated: true}
	if u := fetch(req, co.ProviderRef); u != want {
		t.Errorf("paid:\n got %+v\nwant %+v", u, want)
	}
	// By our reference alone, as the newer documentation reads {reference}.
	want.ProviderRef = co.ProviderRef
	if u := fetch(req, ""); u != want {
		t.Errorf("by our reference:\n got %+v\nwant %+v", u, want)
	}
	// A reference NovaSend does not know: ours is tried next.
	want.ProviderRef = "tr_unknown"
	if u := fetch(req, "tr_unknown"); u != want {
		t.Errorf("fallback:\n got %+v\nwant %+v", u, want)
	}

	// Failing and declining on the page are the conformance checks'
	// Outcomes.
	req, co = open(order())
	if err := srv.Expire(ctx, co.ProviderRef); err != nil {
		t.Fatal(err)
	}
	if u := fetch(req, co.ProviderRef); u.Status != cauri.StatusExpired || u.RawStatus != "expired/expired/" {
		t.Errorf("expired: %+v", u)
	}

	srv.ReportAmountDelta(-1000)
	if u := fetch(req, co.ProviderRef); u.Amount != 4000 {
		t.Errorf("delta, no transaction: %d", u.Amount)
	}
	req, co = open(order())
	_, _ = srv.Act(ctx, co.RedirectURL, providertest.Pay)
	if u := fetch(req, co.ProviderRef); u.Amount != 4000 || u.Status != cauri.StatusPaid {
		t.Errorf("delta on the transaction: %+v", u)
	}
	if strings.Contains(logs.String(), srv.APIClient) || strings.Contains(logs.String(), "+225") {
		t.Error("a secret or the customer's phone was logged")
	}
	if calls := mustPayin(t, srv, co.ProviderRef).StatusCalls; len(calls) != 1 {
		t.Errorf("status calls recorded: %v", calls)
	}
}

func mustPayin(t *testing.T, s *novasendtest.Server, ref string) novasendtest.Payin {
	t.Helper()
	p, ok := s.Payment(ref)
	if !ok {
		t.Fatalf("no payin %s", ref)
	}
	return p
}

func TestFetchStatusErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := emutest.Start(t, novasendtest.New, novasendtest.WithPollLimit(time.Minute))
	p := srv.Provider()

	_, err := p.FetchStatus(ctx, cauri.StatusQuery{})
	if !errors.Is(err, cauri.ErrNotFound) || cauri.IsTemporary(err) {
		t.Errorf("no reference: %v", err)
	}
	_, err = p.FetchStatus(ctx, cauri.StatusQuery{ProviderRef: "tr_nope", PaymentID: "pay_nope"})
	if !errors.Is(err, cauri.ErrNotFound) {
		t.Errorf("unknown: %v", err)
	}
	if pe := providerError(t, err, 404, false); pe.Message != "transaction_does_not_exist: Payment not found" {
		t.Errorf("message %q", pe.Message)
	}

	srv.InjectFault(providertest.OpStatus, providertest.Fault{Kind: providertest.FaultStatus, Status: 503})
	_, err = p.FetchStatus(ctx, cauri.StatusQuery{ProviderRef: "tr_nope", PaymentID: "pay_nope"})
	providerError(t, err, 503, true)

	// NovaSend's polling guidance, enforced.
	co := clienttest.Drive(t, p).Open(request(order()))
	q := cauri.StatusQuery{ProviderRef: co.ProviderRef, PaymentID: paymentID}
	if _, err := p.FetchStatus(ctx, q); err != nil {
		t.Fatal(err)
	}
	_, err = p.FetchStatus(ctx, q)
	if pe := providerError(t, err, 429, true); pe.RetryAfter < 59*time.Second {
		t.Errorf("Retry-After %v", pe.RetryAfter)
	}
	if calls := mustPayin(t, srv, co.ProviderRef).StatusCalls; len(calls) != 2 || !calls[1].After(calls[0]) {
		t.Errorf("status calls %v", calls)
	}
}

func TestFetchStatusShapes(t *testing.T) {
	t.Parallel()
	const seedStatus = `{"type":"payin","fee":6,"reference":"mtr_fhscgaywizujwjyymlge1hncaq","phoneNumber":"+2250749929598",` +
		`"customerName":"Habib","amount":300,"chargedAmount":306,"status":"processed","currency":"XOF",` +
		`"customerReference":"` + paymentID + `","confirmationRequired":true,"confirmationStatus":"none",` +
		`"createdAt":"2025-08-22T02:00:16.026Z","transaction":{"reference":"tr_dkjd5ljficphlqmt","status":"completed",` +
		`"customerName":"dd soûl","processedAt":"2025-11-05T16:12:42.096Z","phoneNumber":"+2250153013761",` +
		`"amount":"300.00","fees":"0.00","chargedAmount":"300.00","currency":"XOF"},"failure":null}`
	paid := cauri.Update{PaymentID: paymentID, ProviderRef: "r1", Status: cauri.StatusPaid, RawStatus: "processed/none/completed",
		Amount: 300, Currency: "XOF", Fee: 6, Authenticated: true}
	clienttest.StatusAnswers{
		Provider: "novasend",
		At: func(t *testing.T, base string) cauri.Provider {
			return provider(t, novasend.Config{BaseURL: base})
		},
		Query: cauri.StatusQuery{PaymentID: paymentID, ProviderRef: "r1"},
		Request: func(t *testing.T, _ cauri.StatusQuery, r clienttest.Got) {
			if r.URL.Path != "/payin/r1" || r.Header.Get("Authorization") != "Basic cGtfdGVzdDpza190ZXN0" || r.Method != http.MethodGet {
				t.Errorf("request %s %s %v", r.Method, r.URL.Path, r.Header)
			}
		},
		Answers: []clienttest.StatusAnswer{
			{Name: "seed's example", Answer: clienttest.Answer{Body: seedStatus}, Want: paid},
			{Name: "newer shape", Answer: clienttest.Answer{Body: `{"id":"r1","type":"payin","reference":"` + paymentID + `","status":"processed","confirmationStatus":"accepted",` +
				`"amount":300,"fee":7,"chargedAmount":307,"currency":"XOF","transaction":{"status":"completed","amount":300,"currency":"XOF"}}`},
				Want: cauri.Update{PaymentID: paymentID, ProviderRef: "r1", Status: cauri.StatusPaid, RawStatus: "processed/accepted/completed",
					Amount: 300, Currency: "XOF", Fee: 7, Authenticated: true}},
			{Name: "transaction {}", Answer: clienttest.Answer{Body: `{"reference":"r1","status":"processed","confirmationStatus":"accepted","amount":"300","currency":"xof","transaction":{}}`},
				Want: cauri.Update{ProviderRef: "r1", Status: cauri.StatusPending, RawStatus: "processed/accepted/", Amount: 300, Currency: "XOF", Authenticated: true}},
			{Name: "transaction []", Answer: clienttest.Answer{Body: `{"status":"processing","confirmationStatus":"none","transaction":[]}`},
				Want: cauri.Update{ProviderRef: "r1", Status: cauri.StatusPending, RawStatus: "processing/none/", Authenticated: true}},
			{Name: "declined with a failure", Answer: clienttest.Answer{Body: `{"reference":"r1","status":"processing","confirmationStatus":"declined","failure":{"code":"payment_declined","message":"Declined"}}`},
				Want: cauri.Update{ProviderRef: "r1", Status: cauri.StatusFailed, RawStatus: "processing/declined/", FailureReason: "payment_declined: Declined", Authenticated: true}},
			{Name: "failure as a string", Answer: clienttest.Answer{Body: `{"reference":"r1","status":"processed","confirmationStatus":"accepted","transaction":{"status":"failed"},"failure":"Insufficient funds"}`},
				Want: cauri.Update{ProviderRef: "r1", Status: cauri.StatusFailed, RawStatus: "processed/accepted/failed", FailureReason: "Insufficient funds", Authenticated: true}},
			{Name: "transaction amount wins", Answer: clienttest.Answer{Body: `{"reference":"r1","amount":5000,"currency":"XOF","transaction":{"status":"completed","amount":"4000.00"}}`},
				Want: cauri.Update{ProviderRef: "r1", Status: cauri.StatusPaid, RawStatus: "//completed", Amount: 4000, Currency: "XOF", Authenticated: true}},
			{Name: "unreadable fee ignored", Answer: clienttest.Answer{Body: `{"reference":"r1","fee":"n/a","status":"processing","amount":5,"currency":"XAF"}`},
				Want: cauri.Update{ProviderRef: "r1", Status: cauri.StatusPending, RawStatus: "processing//", Amount: 5, Currency: "XAF", Authenticated: true}},
			{Name: "another payment", Answer: clienttest.Answer{Body: strings.Replace(seedStatus, paymentID, "pay_other", 1)}, Err: cauri.ErrMalformed},
			{Name: "another reference", Answer: clienttest.Answer{Body: `{"reference":"r2","status":"processing"}`}, Err: cauri.ErrMalformed},
			{Name: "completed without amount", Answer: clienttest.Answer{Body: `{"reference":"r1","currency":"XOF","transaction":{"status":"completed"}}`}, Err: cauri.ErrMalformed},
			{Name: "completed without currency", Answer: clienttest.Answer{Body: `{"reference":"r1","amount":300,"transaction":{"status":"completed","amount":"300.00"}}`}, Err: cauri.ErrMalformed},
			{Name: "bad amount", Answer: clienttest.Answer{Body: `{"reference":"r1","currency":"XOF","transaction":{"status":"completed","amount":"3OO"}}`}, Err: cauri.ErrMalformed},
			{Name: "decimals in XOF", Answer: clienttest.Answer{Body: `{"reference":"r1","currency":"XOF","transaction":{"status":"completed","amount":"300.50"}}`}, Err: cauri.ErrMalformed},
			{Name: "bad currency", Answer: clienttest.Answer{Body: `{"reference":"r1","currency":"francs","amount":300}`}, Err: cauri.ErrMalformed},
			{Name: "status not a string", Answer: clienttest.Answer{Body: `{"reference":"r1","status":2}`}, Err: cauri.ErrMalformed},
			{Name: "transaction.status not a string", Answer: clienttest.Answer{Body: `{"reference":"r1","transaction":{"status":true}}`}, Err: cauri.ErrMalformed},
			{Name: "transaction not an object", Answer: clienttest.Answer{Body: `{"reference":"r1","transaction":"completed"}`}, Err: cauri.ErrMalformed},
			{Name: "reference an object", Answer: clienttest.Answer{Body: `{"reference":{"id":"r1"}}`}, Err: cauri.ErrMalformed},
			{Name: "a payout", Answer: clienttest.Answer{Body: `{"type":"payout","reference":"r1","transaction":{"status":"completed","amount":1,"currency":"XOF"}}`}, Err: cauri.ErrMalformed},
			{Name: "null", Answer: clienttest.Answer{Body: `null`}, Err: cauri.ErrMalformed},
			{Name: "array", Answer: clienttest.Answer{Body: `[{"reference":"r1"}]`}, Err: cauri.ErrMalformed},
			{Name: "html", Answer: clienttest.Answer{Body: `<html></html>`}, Err: cauri.ErrMalformed},
			{Name: "statusCode 404 in a 200", Answer: clienttest.Answer{Body: `{"statusCode":404,"code":"transaction_does_not_exist","message":"Payment not found"}`}, Err: cauri.ErrNotFound},
		},
	}.Check(t)
}

// TestFetchStatusFallback: NovaSend's reference unknown (404), ours is
// tried; a second 404 is the answer.
func TestFetchStatusFallback(t *testing.T) {
	t.Parallel()
	c := newCapture(t, jsonReply(http.StatusNotFound, `{"statusCode":404,"message":"Payment not found"}`),
		jsonReply(http.StatusOK, `{"id":"pr_1","reference":"`+paymentID+`","status":"processing","confirmationStatus":"none"}`))
	p := provider(t, novasend.Config{BaseURL: c.URL})
	u, err := p.FetchStatus(context.Background(), cauri.StatusQuery{PaymentID: paymentID, ProviderRef: "tr/1"})
	if err != nil {
		t.Fatal(err)
	}
	if u.ProviderRef != "tr/1" || u.PaymentID != paymentID || u.Status != cauri.StatusPending {
		t.Errorf("update %+v", u)
	}
	if got := strings.Join(paths(c), ","); got != "GET /payin/tr/1,GET /payin/"+paymentID {
		t.Errorf("calls %s", got)
	}
	if r := c.Requests()[0]; r.URL.RawPath != "/payin/tr%2F1" {
		t.Errorf("reference not escaped: %q", r.URL.RawPath)
	}

	c = newCapture(t, jsonReply(http.StatusNotFound, `{"statusCode":404,"message":"Payment not found"}`))
	_, err = provider(t, novasend.Config{BaseURL: c.URL}).FetchStatus(context.Background(), cauri.StatusQuery{PaymentID: paymentID, ProviderRef: "tr_1"})
	if !errors.Is(err, cauri.ErrNotFound) || c.Calls() != 2 {
		t.Errorf("err %v after %d calls", err, c.Calls())
	}
	// A transient failure is not a 404: no fallback, the kit retries.
	c = newCapture(t, jsonReply(http.StatusBadGateway, `{}`))
	_, err = provider(t, novasend.Config{BaseURL: c.URL}).FetchStatus(context.Background(), cauri.StatusQuery{PaymentID: paymentID, ProviderRef: "tr_1"})
	if !cauri.IsTemporary(err) || c.Calls() != 1 {
		t.Errorf("err %v after %d calls", err, c.Calls())
	}
}

// TestFetchStatusWithoutTransaction: status answers with no transaction
// object, or one without a status. The seed says a null or {} transaction
// means the customer has not confirmed yet, and that transaction.status is
// the final truth; some client code treats processed, or a top-level
// success, as paid when the answer has no transaction. No such answer is
// paid here: a customer who accepted is pending, a declined or expired
// payin is settled by what the answer says.
func TestFetchStatusWithoutTransaction(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body string
		want       cauri.Status
		known      bool
	}{
		{"accepted, no transaction key", `{"reference":"r1","status":"processed","confirmationStatus":"accepted","amount":300,"fee":6,"chargedAmount":306,"currency":"XOF","failure":null}`, cauri.StatusPending, true},
		{"accepted, transaction null", `{"reference":"r1","status":"processed","confirmationStatus":"accepted","transaction":null}`, cauri.StatusPending, true},
		{"accepted, transaction {}", `{"reference":"r1","status":"processed","confirmationStatus":"accepted","transaction":{}}`, cauri.StatusPending, true},
		{"accepted, transaction without status", `{"reference":"r1","status":"processed","confirmationStatus":"accepted","transaction":{"reference":"tr_1","amount":"300.00","currency":"XOF"}}`, cauri.StatusPending, true},
		{"accepted, transaction status null", `{"reference":"r1","status":"processed","confirmationStatus":"accepted","transaction":{"status":null}}`, cauri.StatusPending, true},
		{"processed alone", `{"reference":"r1","status":"processed"}`, cauri.StatusPending, true},
		{"top-level success", `{"reference":"r1","status":"success","amount":300,"currency":"XOF"}`, cauri.StatusPending, false},
		{"top-level SUCCESSFUL", `{"reference":"r1","status":"SUCCESSFUL","confirmationStatus":"accepted"}`, cauri.StatusPending, false},
		{"top-level completed", `{"reference":"r1","status":"completed","amount":300,"currency":"XOF"}`, cauri.StatusPending, false},
		{"confirmation completed", `{"reference":"r1","status":"processed","confirmationStatus":"completed"}`, cauri.StatusPending, false},
		{"declined", `{"reference":"r1","status":"processed","confirmationStatus":"declined"}`, cauri.StatusFailed, true},
		{"confirmation expired", `{"reference":"r1","status":"processing","confirmationStatus":"expired"}`, cauri.StatusExpired, true},
		{"session expired", `{"reference":"r1","status":"expired","confirmationStatus":"none"}`, cauri.StatusExpired, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newCapture(t, jsonReply(http.StatusOK, tt.body))
			u, err := provider(t, novasend.Config{BaseURL: c.URL}).
				FetchStatus(context.Background(), cauri.StatusQuery{PaymentID: paymentID, ProviderRef: "r1"})
			if err != nil {
				t.Fatal(err)
			}
			if u.Status != tt.want || !u.Authenticated {
				t.Errorf("status %s (authenticated %v), want %s", u.Status, u.Authenticated, tt.want)
			}
			if _, known := novasend.MapStatus(u.RawStatus); known != tt.known {
				t.Errorf("RawStatus %q known %v, want %v", u.RawStatus, known, tt.known)
			}
		})
	}
}
