package monerootest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cauripay/cauri/internal/emulator/emutest"
	"github.com/cauripay/cauri/providers/moneroo"
	"github.com/cauripay/cauri/providers/providertest"
)

const validInit = `{"amount":5000,"currency":"XOF","description":"Order 42",` +
	`"customer":{"email":"awa@example.com","first_name":"Awa","last_name":"Diallo","phone":"2250701020304"},` +
	`"return_url":"https://shop.example/back?payment_id=pay_01&token=t",` +
	`"metadata":{"cauri_payment_id":"pay_01","order_id":"42"}}`

// answer is an API answer with Moneroo's envelope read.
type answer struct {
	emutest.Answer
	env struct {
		Message string          `json:"message"`
		Data    json.RawMessage `json:"data"`
		Errors  json.RawMessage `json:"errors"`
	}
}

func call(t *testing.T, s *Server, method, path, key, body string) answer {
	t.Helper()
	a := answer{Answer: emutest.Call(t, method, s.URL+path, body, "Authorization", emutest.Bearer(key))}
	_ = json.Unmarshal(a.Raw, &a.env)
	return a
}

func initialize(t *testing.T, s *Server) (id, checkoutURL string) {
	t.Helper()
	a := call(t, s, http.MethodPost, "/v1/payments/initialize", s.SecretKey, validInit)
	if a.Status != http.StatusCreated {
		t.Fatalf("initialize: %d %s", a.Status, a.Raw)
	}
	var d struct {
		ID          string `json:"id"`
		CheckoutURL string `json:"checkout_url"`
	}
	_ = json.Unmarshal(a.env.Data, &d)
	if a.env.Message != "Transaction initialized successfully" || d.ID == "" || d.CheckoutURL != s.URL+"/checkout/"+d.ID ||
		emutest.Keys(t, a.Raw) != "message,data,errors" || emutest.Keys(t, a.env.Data) != "id,checkout_url" {
		t.Fatalf("initialize answer %s", a.Raw)
	}
	return d.ID, d.CheckoutURL
}

func TestAuth(t *testing.T) {
	t.Parallel()
	s := emutest.Start(t, New, WithSecretKey("sk_test_fixed"))
	for _, key := range []string{"", "sk_test_wrong", "sk_test_fixedX", "sk_test_fixe"} {
		a := call(t, s, http.MethodPost, "/v1/payments/initialize", key, validInit)
		if a.Status != http.StatusUnauthorized || string(bytes.TrimSpace(a.Raw)) != `{"message":"Unauthenticated.","data":null,"errors":null}` ||
			a.Header.Get("Content-Type") != "application/json" {
			t.Errorf("key %q: %d %s", key, a.Status, a.Raw)
		}
		if a := call(t, s, http.MethodGet, "/v1/payments/x/verify", key, ""); a.Status != http.StatusUnauthorized {
			t.Errorf("verify with key %q: %d", key, a.Status)
		}
	}
	if s.SecretKey != "sk_test_fixed" {
		t.Error("WithSecretKey ignored")
	}
}

func TestValidation(t *testing.T) {
	t.Parallel()
	s := emutest.Start(t, New)
	tests := []struct {
		name   string
		body   string
		fields []string
	}{
		{"empty", `{}`, []string{"amount", "currency", "customer", "description", "return_url"}},
		{"fraction of a franc", strings.Replace(validInit, `"amount":5000`, `"amount":50.5`, 1), []string{"amount"}},
		{"fraction of a franc as text", strings.Replace(validInit, `"amount":5000`, `"amount":"50.50"`, 1), []string{"amount"}},
		{"fraction of a cent", strings.Replace(strings.Replace(validInit, `"amount":5000`, `"amount":10.505`, 1), `"XOF"`, `"USD"`, 1), []string{"amount"}},
		{"words amount", strings.Replace(validInit, `"amount":5000`, `"amount":"cinq mille"`, 1), []string{"amount"}},
		{"boolean amount", strings.Replace(validInit, `"amount":5000`, `"amount":true`, 1), []string{"amount"}},
		{"empty amount", strings.Replace(validInit, `"amount":5000`, `"amount":""`, 1), []string{"amount"}},
		{"zero amount", strings.Replace(validInit, `"amount":5000`, `"amount":"0.00"`, 1), []string{"amount"}},
		{"negative amount", strings.Replace(validInit, `"amount":5000`, `"amount":-5`, 1), []string{"amount"}},
		{"negative amount as text", strings.Replace(validInit, `"amount":5000`, `"amount":"-5"`, 1), []string{"amount"}},
		{"bad currency", strings.Replace(validInit, `"XOF"`, `"francs"`, 1), []string{"currency"}},
		{"long description", strings.Replace(validInit, `"Order 42"`, `"`+strings.Repeat("é", 156)+`"`, 1), []string{"description"}},
		{"bad return url", strings.Replace(validInit, `https://shop.example/back`, `/back`, 1), []string{"return_url"}},
		{"customer fields", strings.Replace(validInit, `"email":"awa@example.com","first_name":"Awa","last_name":"Diallo"`, `"email":"nope"`, 1),
			[]string{"customer.email", "customer.first_name", "customer.last_name"}},
		{"metadata not strings", strings.Replace(validInit, `"order_id":"42"`, `"order_id":42`, 1), []string{"metadata.order_id"}},
		{"too much metadata", strings.Replace(validInit, `"order_id":"42"`, `"a":"1","b":"1","c":"1","d":"1","e":"1","f":"1","g":"1","h":"1","i":"1","j":"1"`, 1), []string{"metadata"}},
		{"methods", strings.Replace(validInit, `"metadata"`, `"methods":"wave_ci","metadata"`, 1), []string{"methods"}},
	}
	for _, tt := range tests {
		a := call(t, s, http.MethodPost, "/v1/payments/initialize", s.SecretKey, tt.body)
		if a.Status != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d %s", tt.name, a.Status, a.Raw)
			continue
		}
		var errs map[string][]string
		if err := json.Unmarshal(a.env.Errors, &errs); err != nil {
			t.Errorf("%s: errors %s", tt.name, a.env.Errors)
			continue
		}
		var got []string
		for k := range errs {
			got = append(got, k)
		}
		if strings.Join(sorted(got), ",") != strings.Join(tt.fields, ",") {
			t.Errorf("%s: fields %v, want %v", tt.name, sorted(got), tt.fields)
		}
		if a.env.Message == "" || string(a.env.Data) != "null" {
			t.Errorf("%s: envelope %s", tt.name, a.Raw)
		}
	}
	if a := call(t, s, http.MethodPost, "/v1/payments/initialize", s.SecretKey, `{"amount":`); a.Status != http.StatusBadRequest {
		t.Errorf("broken JSON: %d", a.Status)
	}
}

func sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}

func TestVerify(t *testing.T) {
	t.Parallel()
	s := emutest.Start(t, New)
	id, _ := initialize(t, s)
	for _, path := range []string{"/v1/payments/" + id + "/verify", "/v1/payments/" + id} {
		a := call(t, s, http.MethodGet, path, s.SecretKey, "")
		if a.Status != http.StatusOK {
			t.Fatalf("%s: %d", path, a.Status)
		}
		var d struct {
			ID       string            `json:"id"`
			Status   string            `json:"status"`
			Amount   json.Number       `json:"amount"`
			Currency map[string]any    `json:"currency"`
			Metadata map[string]string `json:"metadata"`
			Capture  json.RawMessage   `json:"capture"`
			Customer map[string]any    `json:"customer"`
		}
		if err := json.Unmarshal(a.env.Data, &d); err != nil {
			t.Fatalf("%s: %v in %s", path, err, a.env.Data)
		}
		if d.ID != id || d.Status != "initiated" || d.Amount != "5000" || d.Currency["code"] != "XOF" ||
			d.Metadata["cauri_payment_id"] != "pay_01" || string(d.Capture) != "null" || d.Customer["email"] != "awa@example.com" {
			t.Errorf("%s: %s", path, a.env.Data)
		}
		// The keys in the reference's order (its example, and its table for
		// checkout_url).
		if got, want := emutest.Keys(t, a.env.Data), "id,status,is_processed,processed_at,amount,amount_formatted,currency,"+
			"description,return_url,environment,initiated_at,checkout_url,metadata,app,customer,capture,created_at"; got != want {
			t.Errorf("%s: keys %s, want %s", path, got, want)
		}
		var raw struct{ Currency json.RawMessage }
		_ = json.Unmarshal(a.env.Data, &raw)
		if got, want := emutest.Keys(t, raw.Currency), "name,symbol,symbol_first,decimals,decimal_mark,thousands_separator,subunit,"+
			"subunit_to_unit,symbol_native,decimal_digits,rounding,code,name_plural,icon_url"; got != want {
			t.Errorf("%s: currency keys %s, want %s", path, got, want)
		}
	}
	if a := call(t, s, http.MethodGet, "/v1/payments/nope/verify", s.SecretKey, ""); a.Status != http.StatusNotFound {
		t.Errorf("unknown id: %d", a.Status)
	}
	if a := call(t, s, http.MethodGet, "/v1/payouts/x", s.SecretKey, ""); a.Status != http.StatusNotFound {
		t.Errorf("unknown route: %d", a.Status)
	}
}

func TestPageFlow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, sh := emutest.StartNotifying(t, "/hooks", New, providertest.WithMerchant("Boutique Awa"))

	id, checkout := initialize(t, s)
	page := emutest.Page(t, checkout)
	emutest.Shows(t, "page", page, "Boutique Awa", "5000 XOF", "Order 42", `action="/checkout/`+id+`/pay"`, `/fail"`, `/cancel"`)

	back, err := s.Act(ctx, checkout, providertest.Pay)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(back)
	q := u.Query()
	if u.Host != "shop.example" || q.Get("payment_id") != "pay_01" || q.Get("token") != "t" || q.Get("paymentId") != id || q.Get("paymentStatus") != "success" {
		t.Errorf("return URL %s", back)
	}
	if p, _ := s.Payment(id); p.Status != "success" || p.Method != "wave_ci" {
		t.Errorf("payment %+v", p)
	}

	// Delivered before Act returned, and signed.
	if sh.Count() != 1 {
		t.Fatalf("%d webhooks", sh.Count())
	}
	r, body := sh.At(0)
	if err := moneroo.VerifySignature(body, r.Header.Get(moneroo.SignatureHeader), s.WebhookSecret); err != nil {
		t.Errorf("signature: %v", err)
	}
	if r.Header.Get(moneroo.SignatureHeader) != moneroo.Sign(s.WebhookSecret, body) || r.URL.Path != "/hooks" {
		t.Errorf("header %v path %s", r.Header, r.URL.Path)
	}
	var n struct {
		Event string `json:"event"`
		Data  struct {
			ID       string            `json:"id"`
			Amount   json.Number       `json:"amount"`
			Currency string            `json:"currency"`
			Status   string            `json:"status"`
			Metadata map[string]string `json:"metadata"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &n); err != nil {
		t.Fatal(err)
	}
	if n.Event != "payment.success" || n.Data.ID != id || n.Data.Amount != "5000" || n.Data.Currency != "XOF" ||
		n.Data.Status != "success" || n.Data.Metadata["cauri_payment_id"] != "pay_01" {
		t.Errorf("webhook %s", body)
	}
	var raw struct{ Data json.RawMessage }
	_ = json.Unmarshal(body, &raw)
	if emutest.Keys(t, body) != "event,data" || emutest.Keys(t, raw.Data) != "id,amount,currency,status,metadata,customer" {
		t.Errorf("webhook keys %s", body)
	}

	// A second action is refused.
	emutest.Refuses(t, s.Act, checkout, providertest.Cancel, "second action accepted")
	if code := emutest.Post(t, checkout+"/cancel"); code != http.StatusConflict {
		t.Errorf("second action: %d", code)
	}
	if p, _ := s.Payment(id); p.Status != "success" || sh.Count() != 1 {
		t.Errorf("second action changed things: %+v, %d webhooks", p, sh.Count())
	}

	// Fail and cancel.
	for a, want := range map[providertest.Action]string{providertest.Fail: "failed", providertest.Cancel: "cancelled"} {
		id, checkout := initialize(t, s)
		back, err := s.Act(ctx, checkout, a)
		if err != nil || !strings.HasSuffix(back, "&paymentId="+id+"&paymentStatus="+want) {
			t.Errorf("%s: %q %v", a, back, err)
		}
		_, lastBody := sh.At(sh.Count() - 1)
		last := string(lastBody)
		if !strings.Contains(last, `"event":"payment.`+want+`"`) {
			t.Errorf("%s: webhook %s", a, last)
		}
	}
	emutest.Refuses(t, s.Act, s.URL+"/checkout/nope", providertest.Pay, "unknown payment accepted")
}

func TestFaultsAndDelta(t *testing.T) {
	t.Parallel()
	s := emutest.Start(t, New)
	s.InjectFault(providertest.OpCreate, providertest.Fault{Kind: providertest.FaultStatus, Status: 503, RetryAfter: 2 * time.Second})
	a := call(t, s, http.MethodPost, "/v1/payments/initialize", s.SecretKey, validInit)
	if a.Status != 503 || a.Header.Get("Retry-After") != "2" || !strings.Contains(a.env.Message, "Service Unavailable") {
		t.Errorf("injected 503: %d %v %s", a.Status, a.Header, a.Raw)
	}
	id, _ := initialize(t, s)

	s.InjectFault(providertest.OpStatus, providertest.Fault{Kind: providertest.FaultStatus, Status: 429, Times: 2})
	for range 2 {
		if a := call(t, s, http.MethodGet, "/v1/payments/"+id+"/verify", s.SecretKey, ""); a.Status != 429 {
			t.Errorf("injected 429: %d", a.Status)
		}
	}
	s.InjectFault(providertest.OpAny, providertest.Fault{Kind: providertest.FaultStatus, Status: 500})
	if a := call(t, s, http.MethodGet, "/v1/payments/"+id, s.SecretKey, ""); a.Status != 500 {
		t.Errorf("OpAny: %d", a.Status)
	}

	s.ReportAmountDelta(-1)
	a = call(t, s, http.MethodGet, "/v1/payments/"+id+"/verify", s.SecretKey, "")
	if !strings.Contains(string(a.env.Data), `"amount":4999`) {
		t.Errorf("delta: %s", a.env.Data)
	}
	if p, _ := s.Payment(id); p.Amount != 5000 {
		t.Errorf("delta changed the record: %d", p.Amount)
	}
}

func TestForge(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := emutest.Start(t, New)
	sh := emutest.NewShop(t, 401)
	id, _ := initialize(t, s)
	if err := s.Forge(ctx, sh.URL, id); err != nil {
		t.Fatal(err)
	}
	r, body := sh.At(0)
	if err := moneroo.VerifySignature(body, r.Header.Get(moneroo.SignatureHeader), s.WebhookSecret); err == nil {
		t.Error("forged webhook verifies")
	}
	if !bytes.Contains(body, []byte(`"event":"payment.success"`)) || !bytes.Contains(body, []byte(id)) {
		t.Errorf("forged body %s", body)
	}
	if p, _ := s.Payment(id); p.Status != "initiated" {
		t.Errorf("Forge changed the record: %s", p.Status)
	}
}

func TestProvider(t *testing.T) {
	t.Parallel()
	s := emutest.Start(t, New)
	cfg := s.Config()
	if s.Provider().Name() != "moneroo" || cfg.BaseURL != s.URL+"/v1" || cfg.SecretKey != s.SecretKey || cfg.WebhookSecrets[0] != s.WebhookSecret {
		t.Errorf("provider %s, config %+v", s.Provider().Name(), cfg)
	}
	if s := emutest.Start(t, New, WithWebhookSecret("whsec_1")); s.WebhookSecret != "whsec_1" || s.Config().WebhookSecrets[0] != "whsec_1" {
		t.Errorf("webhook secret %q", s.WebhookSecret)
	}
	id, _ := initialize(t, s)
	if err := s.SetStatus(id, "weird"); err != nil {
		t.Fatal(err)
	}
	if p, _ := s.Payment(id); p.Status != "weird" || s.SetStatus("nope", "success") == nil {
		t.Errorf("SetStatus: %+v", p)
	}
}

// TestOfficialClientInitialize: initialize takes the bodies Moneroo's own
// clients send, each built as its source builds it, and keeps the amount
// exactly, in the currency's smallest unit.
func TestOfficialClientInitialize(t *testing.T) {
	t.Parallel()
	s := emutest.Start(t, New, providertest.WithMerchant("Boutique Awa"))
	tests := []struct {
		name, body string
		amount     int64 // smallest unit
		currency   string
		reported   string // verify's amount, with the currency's decimals
		page       string // the hosted page's amount
	}{
		{
			// The documentation's example (docs.moneroo.io standard
			// integration, the seed): an integer amount in the main unit.
			name: "documentation",
			body: `{"amount":100,"currency":"USD","description":"Payment for order #123",` +
				`"customer":{"email":"john@example.com","first_name":"John","last_name":"Doe"},` +
				`"return_url":"https://example.com/payments/thank-you","metadata":{"order_id":"123","customer_id":"123"},` +
				`"methods":["qr_ngn","bank_transfer_ngn"]}`,
			amount: 10000, currency: "USD", reported: "100.00", page: "100.00 USD",
		},
		{
			// WooCommerce plugin (MonerooHQ/moneroo-woocommerce @1525c4b
			// src/Moneroo_WC_Gateway.php process_payment): amount the order
			// total uncast, WooCommerce's decimal string; customer.phone cast
			// to an integer, blank address fields null; PHP's escaped
			// slashes.
			name: "WooCommerce plugin, XOF",
			body: `{"amount":"5000.00","currency":"XOF","description":"Order #42",` +
				`"return_url":"https:\/\/shop.example\/?wc-api=moneroo_wc_payment&order_id=42",` +
				`"customer":{"email":"awa@example.com","first_name":"Awa","last_name":"Diallo","phone":2250701020304,` +
				`"address":null,"city":"Abidjan","state":null,"country":"CI","zip":null},` +
				`"metadata":{"order_id":"42","customer_id":"7","shop_name":"Boutique Awa","shop_url":"https:\/\/shop.example",` +
				`"via":"woocommerce_integration"}}`,
			amount: 5000, currency: "XOF", reported: "5000", page: "5000 XOF",
		},
		{
			// The same plugin in a shop selling in dollars.
			name: "WooCommerce plugin, USD",
			body: `{"amount":"10.50","currency":"USD","description":"Order #43","return_url":"https:\/\/shop.example\/r",` +
				`"customer":{"email":"awa@example.com","first_name":"Awa","last_name":"Diallo","phone":null},` +
				`"metadata":{"order_id":"43","via":"woocommerce_integration"}}`,
			amount: 1050, currency: "USD", reported: "10.50", page: "10.50 USD",
		},
		{
			// Laravel SDK (MonerooHQ/moneroo-laravel src/Payment.php):
			// amount validated "required|numeric|gt:0" and sent as given, a
			// float included.
			name: "Laravel SDK, float",
			body: `{"amount":25.5,"currency":"USD","description":"Order 44","return_url":"https://shop.example/r",` +
				`"customer":{"email":"awa@example.com","first_name":"Awa","last_name":"Diallo"}}`,
			amount: 2550, currency: "USD", reported: "25.50", page: "25.50 USD",
		},
		{
			// Flutter SDK (MonerooHQ/moneroo_flutter @baf115c): metadata
			// and methods null when unset.
			name: "Flutter SDK",
			body: `{"amount":5000,"currency":"XOF","description":"Order 45","return_url":"https://shop.example/r",` +
				`"customer":{"email":"awa@example.com","first_name":"Awa","last_name":"Diallo"},"metadata":null,"methods":null}`,
			amount: 5000, currency: "XOF", reported: "5000", page: "5000 XOF",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := call(t, s, http.MethodPost, "/v1/payments/initialize", s.SecretKey, tt.body)
			var d struct {
				ID          string `json:"id"`
				CheckoutURL string `json:"checkout_url"`
			}
			if err := json.Unmarshal(a.env.Data, &d); a.Status != http.StatusCreated || err != nil || d.ID == "" {
				t.Fatalf("initialize: %d %s", a.Status, a.Raw)
			}
			if p, ok := s.Payment(d.ID); !ok || p.Amount != tt.amount || p.Currency != tt.currency {
				t.Errorf("payment: %d %s, want %d %s", p.Amount, p.Currency, tt.amount, tt.currency)
			}
			v := call(t, s, http.MethodGet, "/v1/payments/"+d.ID+"/verify", s.SecretKey, "")
			var data struct {
				Amount          json.Number `json:"amount"`
				AmountFormatted string      `json:"amount_formatted"`
			}
			if err := json.Unmarshal(v.env.Data, &data); err != nil || data.Amount.String() != tt.reported ||
				data.AmountFormatted != tt.currency+" "+tt.reported {
				t.Errorf("verify: %s", v.Raw)
			}
			res, err := http.Get(d.CheckoutURL)
			if err != nil {
				t.Fatal(err)
			}
			html, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if !strings.Contains(string(html), `<p class="amount">`+tt.page+`</p>`) {
				t.Errorf("page lacks %q:\n%s", tt.page, html)
			}
		})
	}
}

// TestPageChoice: the page shows Moneroo's look, the currency's methods
// (or those initialize named) and the customer's phone; the method and
// phone chosen are the capture's.
func TestPageChoice(t *testing.T) {
	t.Parallel()
	s := emutest.Start(t, New)
	id, checkout := initialize(t, s)
	page := emutest.Page(t, checkout)
	emutest.Shows(t, "page", page,
		"<title>Moneroo checkout (emulator)</title>", `<span class="logo">moneroo</span>`,
		`value="wave_ci" checked> Wave Côte d&#39;Ivoire`, `value="orange_sn"> Orange Money Sénégal`, `value="card_xof">`,
		`name="customer_name" value="Awa Diallo"`, `name="customer_phone" type="tel" autocomplete="tel" value="2250701020304"`,
		`formaction="/checkout/`+id+`/pay_later"`,
	)

	emutest.Choose(t, checkout, providertest.Pay, url.Values{"operator": {"orange_sn"}, "customer_phone": {"+221 77 123 45 67"}})
	var d struct {
		Capture struct {
			PhoneNumber string `json:"phone_number"`
			Method      struct {
				ShortCode string `json:"short_code"`
			} `json:"method"`
		} `json:"capture"`
	}
	a := call(t, s, http.MethodGet, "/v1/payments/"+id+"/verify", s.SecretKey, "")
	if err := json.Unmarshal(a.env.Data, &d); err != nil || d.Capture.Method.ShortCode != "orange_sn" || d.Capture.PhoneNumber != "+221 77 123 45 67" {
		t.Errorf("verify %s", a.Raw)
	}
	var capture struct{ Capture json.RawMessage }
	_ = json.Unmarshal(a.env.Data, &capture)
	if got, want := emutest.Keys(t, capture.Capture), "identifier,rate,rate_formatted,correction_rate,phone_number,failure_message,"+
		"failure_error_code,failure_error_type,metadata,amount,amount_formatted,currency,method,gateway,context"; got != want {
		t.Errorf("capture keys %s, want %s", got, want)
	}

	// initialize's methods restrict the page.
	body := strings.Replace(validInit, `"metadata"`, `"methods":["mtn_ci","moov_ci"],"metadata"`, 1)
	a = call(t, s, http.MethodPost, "/v1/payments/initialize", s.SecretKey, body)
	var created struct {
		CheckoutURL string `json:"checkout_url"`
	}
	_ = json.Unmarshal(a.env.Data, &created)
	page = emutest.Page(t, created.CheckoutURL)
	if !strings.Contains(page, `value="mtn_ci" checked> MTN MoMo Côte d&#39;Ivoire`) || !strings.Contains(page, `value="moov_ci">`) ||
		strings.Contains(page, `value="wave_ci"`) {
		t.Errorf("page with methods:\n%s", page)
	}
}

// TestPayLater: the customer goes back to return_url with paymentStatus
// pending, no webhook is sent, the page says to confirm on the phone and
// takes no other action; ConfirmLater makes it a success and sends
// payment.success, once.
func TestPayLater(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, sh := emutest.StartNotifying(t, "/hooks", New)

	id, checkout := initialize(t, s)
	emutest.NotWaiting(t, s.ConfirmLater, id, sh, 0)
	back, err := s.Act(ctx, checkout, providertest.PayLater)
	if err != nil || !strings.HasSuffix(back, "&paymentId="+id+"&paymentStatus=pending") {
		t.Fatalf("pay later: %q %v", back, err)
	}
	if p, _ := s.Payment(id); p.Status != "pending" || !p.Later || p.Method != "wave_ci" || sh.Count() != 0 {
		t.Errorf("after pay later: %+v, %d webhooks", p, sh.Count())
	}
	if a := call(t, s, http.MethodGet, "/v1/payments/"+id+"/verify", s.SecretKey, ""); !strings.Contains(string(a.Raw), `"status":"pending"`) {
		t.Errorf("verify: %s", a.Raw)
	}
	emutest.Held(t, s.Act, checkout, "Confirm on your phone", providertest.Pay)

	if err := s.ConfirmLater(ctx, id); err != nil {
		t.Fatal(err)
	}
	if p, _ := s.Payment(id); p.Status != "success" || p.Later {
		t.Errorf("after ConfirmLater: %+v", p)
	}
	if sh.Count() != 1 {
		t.Fatalf("%d webhooks", sh.Count())
	}
	if _, body := sh.At(0); !strings.Contains(string(body), `"event":"payment.success"`) {
		t.Errorf("webhook %s", body)
	}
	emutest.NotWaiting(t, s.ConfirmLater, id, sh, 1)
	if err := s.ConfirmLater(ctx, "nope"); err == nil {
		t.Error("ConfirmLater of no payment succeeded")
	}
}

// TestPayLaterDelay: with WithPayLaterDelay the phone confirms by itself.
func TestPayLaterDelay(t *testing.T) {
	t.Parallel()
	s := emutest.Start(t, New, providertest.WithPayLaterDelay(time.Millisecond))
	got := make(chan []byte, 1)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- b
	}))
	defer hook.Close()
	s.SetWebhookURL(hook.URL)
	id, checkout := initialize(t, s)
	emutest.Act(t, s.Act, checkout, providertest.PayLater)
	select {
	case b := <-got:
		if !strings.Contains(string(b), `"event":"payment.success"`) {
			t.Errorf("webhook %s", b)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the phone never confirmed")
	}
	if p, _ := s.Payment(id); p.Status != "success" {
		t.Errorf("payment %+v", p)
	}
}

// TestInitializeForm: Laravel reads a form as it reads JSON, nested
// fields in brackets, every value a string.
func TestInitializeForm(t *testing.T) {
	t.Parallel()
	s := emutest.Start(t, New)
	form := url.Values{
		"amount": {"5000"}, "currency": {"XOF"}, "description": {"Commande 42"}, "return_url": {"https://shop.example/back"},
		"customer[email]": {"awa@example.com"}, "customer[first_name]": {"Awa"}, "customer[last_name]": {"Diallo"},
		"metadata[order]": {"42"}, "metadata[blank]": {" "}, "methods[]": {"wave", "orange_ci"},
	}
	req, _ := http.NewRequest(http.MethodPost, s.BaseURL()+"/payments/initialize", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer "+s.SecretKey)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct {
		Data struct{ ID string } `json:"data"`
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil || res.StatusCode != http.StatusCreated {
		t.Fatalf("initialize: %d %v", res.StatusCode, err)
	}
	p, ok := s.Payment(out.Data.ID)
	if !ok || p.Amount != 5000 || p.Customer.FirstName != "Awa" || len(p.Metadata) != 1 || p.Metadata["order"] != "42" ||
		!slices.Equal(p.Methods, []string{"wave", "orange_ci"}) {
		t.Errorf("payment %+v", p)
	}
}
