package paydunyatest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/internal/emulator"
	"github.com/cauripay/cauri/internal/emulator/emutest"
	"github.com/cauripay/cauri/providers/paydunya"
	"github.com/cauripay/cauri/providers/paydunya/paydunyatest"
	"github.com/cauripay/cauri/providers/providertest"
	"github.com/cauripay/cauri/stores/memory"
)

const validInvoice = `{"invoice":{"items":{"item_0":{"name":"Pagne wax","quantity":2,"unit_price":"2500","total_price":"5000","description":""}},` +
	`"taxes":{"tax_0":{"name":"TVA (18%)","amount":0}},"total_amount":5000,"description":"Order 42"},"store":{"name":"Boutique Awa"},` +
	`"custom_data":{"cauri_payment_id":"pay_01","order_id":"42"},` +
	`"actions":{"cancel_url":"https://shop.example/back?x=1","return_url":"https://shop.example/back?x=1","callback_url":"%s"}}`

type reply struct {
	status int
	header http.Header
	raw    []byte
	body   map[string]any
}

func (r reply) code() string { s, _ := r.body["response_code"].(string); return s }
func (r reply) text() string { s, _ := r.body["response_text"].(string); return s }

// call sends one API request with the keys of mode (nil keys: none).
func call(t *testing.T, s *paydunyatest.Server, method, path string, keys *paydunyatest.Keys, master, body string) reply {
	t.Helper()
	header := []string{"PAYDUNYA-MASTER-KEY", master}
	if keys != nil {
		header = append(header, "PAYDUNYA-PRIVATE-KEY", keys.PrivateKey, "PAYDUNYA-TOKEN", keys.Token)
	}
	a := emutest.Call(t, method, s.URL+path, body, header...)
	r := reply{status: a.Status, header: a.Header, raw: a.Raw}
	d := json.NewDecoder(bytes.NewReader(r.raw))
	d.UseNumber()
	_ = d.Decode(&r.body)
	return r
}

func create(t *testing.T, s *paydunyatest.Server, callback string) (token, page string) {
	t.Helper()
	r := call(t, s, http.MethodPost, "/sandbox-api/v1/checkout-invoice/create", &s.Sandbox, s.MasterKey, strings.Replace(validInvoice, "%s", callback, 1))
	if r.status != 200 || r.code() != "00" {
		t.Fatalf("create: %d %s", r.status, r.raw)
	}
	token, _ = r.body["token"].(string)
	if !strings.HasPrefix(token, "test_") || r.text() != s.URL+"/sandbox-checkout/invoice/"+token || r.body["description"] != "Checkout Invoice Created" {
		t.Fatalf("create answer %s", r.raw)
	}
	return token, r.text()
}

func TestAuth(t *testing.T) {
	t.Parallel()
	s := emutest.Start(t, paydunyatest.New, paydunyatest.WithMasterKey("mk-fixed"), paydunyatest.WithSandboxKeys(paydunyatest.Keys{PrivateKey: "test_private_fixed", Token: "tok"}))
	if s.MasterKey != "mk-fixed" || s.Sandbox.Token != "tok" || !strings.HasPrefix(s.Live.PrivateKey, "live_private_") {
		t.Fatalf("keys %+v %+v", s.Sandbox, s.Live)
	}
	body := strings.Replace(validInvoice, "%s", "", 1)
	wrongPK := paydunyatest.Keys{PrivateKey: "test_private_fixedX", Token: "tok"}
	wrongTok := paydunyatest.Keys{PrivateKey: "test_private_fixed", Token: "to"}
	tests := []struct {
		path, master string
		keys         *paydunyatest.Keys
		text         string
	}{
		{"/sandbox-api/v1/checkout-invoice/create", "", &s.Sandbox, "Invalid Masterkey Specified"},
		{"/sandbox-api/v1/checkout-invoice/create", "mk-fixedX", &s.Sandbox, "Invalid Masterkey Specified"},
		{"/sandbox-api/v1/checkout-invoice/create", "mk-fixed", nil, "Invalid PrivateKey Specified"},
		{"/sandbox-api/v1/checkout-invoice/create", "mk-fixed", &wrongPK, "Invalid PrivateKey Specified"},
		{"/sandbox-api/v1/checkout-invoice/create", "mk-fixed", &wrongTok, "Invalid Token Specified"},
		{"/api/v1/checkout-invoice/create", "mk-fixed", &s.Sandbox, "Invalid PrivateKey Specified"},
		{"/sandbox-api/v1/checkout-invoice/create", "mk-fixed", &s.Live, "Invalid PrivateKey Specified"},
		{"/sandbox-api/v1/direct-pay/credit-account", "mk-fixed", &wrongTok, "Invalid Token Specified"},
	}
	for _, tt := range tests {
		r := call(t, s, http.MethodPost, tt.path, tt.keys, tt.master, body)
		if r.status != 200 || r.code() != "1001" || r.text() != tt.text {
			t.Errorf("%s %q %v: %d %s", tt.path, tt.master, tt.keys, r.status, r.raw)
		}
	}
	if r := call(t, s, http.MethodGet, "/sandbox-api/v1/checkout-invoice/confirm/x", nil, "", ""); r.code() != "1001" {
		t.Errorf("confirm without keys: %s", r.raw)
	}
	if r := call(t, s, http.MethodPost, "/api/v1/checkout-invoice/create", &s.Live, "mk-fixed", body); r.code() != "00" {
		t.Errorf("live keys on live: %s", r.raw)
	}
}

func TestValidation(t *testing.T) {
	t.Parallel()
	s := emutest.Start(t, paydunyatest.New)
	valid := strings.Replace(validInvoice, "%s", "https://shop.example/hook", 1)
	tests := []struct {
		name, body string
		want       []string
	}{
		{"empty", `{}`, []string{"invoice is required", "store is required"}},
		{"no total", strings.Replace(valid, `"total_amount":5000,`, ``, 1), []string{"invoice.total_amount is required"}},
		{"zero total", strings.Replace(valid, `"total_amount":5000`, `"total_amount":0`, 1), []string{"invoice.total_amount must be a positive"}},
		{"decimal total", strings.Replace(valid, `"total_amount":5000`, `"total_amount":50.5`, 1), []string{"invoice.total_amount must be a positive"}},
		{"decimal string total", strings.Replace(valid, `"total_amount":5000`, `"total_amount":"50.50"`, 1), []string{"invoice.total_amount must be a positive"}},
		{"negative string total", strings.Replace(valid, `"total_amount":5000`, `"total_amount":"-5000"`, 1), []string{"invoice.total_amount must be a positive"}},
		{"words total", strings.Replace(valid, `"total_amount":5000`, `"total_amount":"cinq mille"`, 1), []string{"invoice.total_amount must be a number"}},
		{"empty string total", strings.Replace(valid, `"total_amount":5000`, `"total_amount":""`, 1), []string{"invoice.total_amount must be a number"}},
		{"boolean total", strings.Replace(valid, `"total_amount":5000`, `"total_amount":true`, 1), []string{"invoice.total_amount must be a number"}},
		{"items not objects", strings.Replace(valid, `"items":{"item_0":{"name":"Pagne wax","quantity":2,"unit_price":"2500","total_price":"5000","description":""}}`,
			`"items":["Pagne wax"]`, 1), []string{"invoice.items[0] must be an object"}},
		{"items a string", strings.Replace(valid, `"items":{"item_0":{"name":"Pagne wax","quantity":2,"unit_price":"2500","total_price":"5000","description":""}}`,
			`"items":"Pagne wax"`, 1), []string{"invoice.items must be an object or an array"}},
		{"customer not an object", strings.Replace(valid, `"description":"Order 42"}`, `"description":"Order 42","customer":"Awa"}`, 1),
			[]string{"invoice.customer must be an object"}},
		{"customer name not a string", strings.Replace(valid, `"description":"Order 42"}`, `"description":"Order 42","customer":{"name":{"first":"Awa"}}}`, 1),
			[]string{"invoice.customer.name must be a string"}},
		{"taxes array", strings.Replace(valid, `"taxes":{"tax_0":{"name":"TVA (18%)","amount":0}}`, `"taxes":[{"name":"TVA"}]`, 1),
			[]string{"invoice.taxes must be an object"}},
		{"no store name", strings.Replace(valid, `"store":{"name":"Boutique Awa"}`, `"store":{"tagline":"x"}`, 1), []string{"store.name is required"}},
		{"bad return URL", strings.Replace(valid, `"return_url":"https://shop.example/back?x=1"`, `"return_url":"/back"`, 1),
			[]string{"actions.return_url must be an absolute URL"}},
		{"not an object", `[1]`, []string{"must be a JSON object"}},
		{"broken", `{"invoice":`, []string{"must be a JSON object"}},
	}
	for _, tt := range tests {
		r := call(t, s, http.MethodPost, "/sandbox-api/v1/checkout-invoice/create", &s.Sandbox, s.MasterKey, tt.body)
		if r.status != 200 || r.code() != paydunyatest.CodeInvalid {
			t.Errorf("%s: %d %s", tt.name, r.status, r.raw)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(r.text(), w) {
				t.Errorf("%s: %q lacks %q", tt.name, r.text(), w)
			}
		}
	}
	// PHP's empty arrays are accepted where objects are expected.
	empty := strings.Replace(strings.Replace(valid, `"taxes":{"tax_0":{"name":"TVA (18%)","amount":0}}`, `"taxes":[]`, 1),
		`"custom_data":{"cauri_payment_id":"pay_01","order_id":"42"}`, `"custom_data":[]`, 1)
	if r := call(t, s, http.MethodPost, "/sandbox-api/v1/checkout-invoice/create", &s.Sandbox, s.MasterKey, empty); r.code() != "00" {
		t.Errorf("empty arrays: %s", r.raw)
	}
	if r := call(t, s, http.MethodGet, "/sandbox-api/v1/nowhere", &s.Sandbox, s.MasterKey, ""); r.status != 404 {
		t.Errorf("unknown route: %d", r.status)
	}
}

func TestConfirm(t *testing.T) {
	t.Parallel()
	s := emutest.Start(t, paydunyatest.New)
	tok, page := create(t, s, "")
	path := "/sandbox-api/v1/checkout-invoice/confirm/" + tok
	r := call(t, s, http.MethodGet, path, &s.Sandbox, s.MasterKey, "")
	inv, _ := r.body["invoice"].(map[string]any)
	items, _ := inv["items"].(map[string]any)
	item0, _ := items["item_0"].(map[string]any)
	taxes, _ := inv["taxes"].(map[string]any)
	tax0, _ := taxes["tax_0"].(map[string]any)
	cd, _ := r.body["custom_data"].(map[string]any)
	if r.status != 200 || r.code() != "00" || r.text() != "Transaction Found" || r.body["hash"] != s.Hash() ||
		r.body["status"] != "pending" || r.body["mode"] != "test" || inv["token"] != tok || inv["total_amount"] != json.Number("5000") ||
		item0["quantity"] != json.Number("2") || item0["unit_price"] != "2500" || tax0["amount"] != json.Number("0") ||
		cd["cauri_payment_id"] != "pay_01" || r.body["customer"] != nil || r.body["receipt_url"] != nil {
		t.Errorf("pending confirm: %s", r.raw)
	}
	emutest.Act(t, s.Act, page, providertest.Pay)
	r = call(t, s, http.MethodGet, path, &s.Sandbox, s.MasterKey, "")
	cust, _ := r.body["customer"].(map[string]any)
	if r.body["status"] != "completed" || cust["name"] == nil || r.body["receipt_url"] != s.URL+"/sandbox-checkout/receipt/pdf/"+tok+".pdf" ||
		r.body["fail_reason"] != "" {
		t.Errorf("completed confirm: %s", r.raw)
	}
	for _, p := range []string{"/sandbox-api/v1/checkout-invoice/confirm/test_nope", "/api/v1/checkout-invoice/confirm/" + tok} {
		keys := &s.Sandbox
		if strings.HasPrefix(p, "/api/") {
			keys = &s.Live
		}
		if r := call(t, s, http.MethodGet, p, keys, s.MasterKey, ""); r.status != 404 || r.code() != "1002" || r.text() != "Invoice Not Found" {
			t.Errorf("%s: %d %s", p, r.status, r.raw)
		}
	}
}

func TestPageFlow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := emutest.Start(t, paydunyatest.New)
	sh := emutest.NewShop(t)
	tok, page := create(t, s, sh.URL+"/ipn/pay_01")

	html := emutest.Page(t, page)
	emutest.Shows(t, "page", html, "Boutique Awa", "5000 FCFA", "Order 42", `action="/sandbox-checkout/invoice/`+tok+`/pay"`, `/fail"`, `/cancel"`)

	back, err := s.Act(ctx, page, providertest.Pay)
	if err != nil {
		t.Fatal(err)
	}
	if back != "https://shop.example/back?x=1&token="+tok {
		t.Errorf("return URL %s", back)
	}
	if inv, _ := s.Payment(tok); inv.Status != "completed" || inv.Customer.Name == "" {
		t.Errorf("invoice %+v", inv)
	}

	// Delivered before Act returned, form-encoded, with the hash.
	if sh.Count() != 1 {
		t.Fatalf("%d IPNs", sh.Count())
	}
	r, body := sh.At(0)
	form, err := url.ParseQuery(string(body))
	if err != nil {
		t.Fatal(err)
	}
	if r.URL.Path != "/ipn/pay_01" || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" ||
		form.Get("data[hash]") != paydunya.Hash(s.MasterKey) || form.Get("data[status]") != "completed" ||
		form.Get("data[invoice][token]") != tok || form.Get("data[invoice][total_amount]") != "5000" ||
		form.Get("data[custom_data][cauri_payment_id]") != "pay_01" || form.Get("data[mode]") != "test" ||
		form.Get("data[invoice][items][item_0][unit_price]") != "2500" || form.Get("data[customer][name]") == "" ||
		form.Get("data[response_code]") != "00" {
		t.Errorf("IPN %s %v\n%s", r.URL.Path, r.Header, body)
	}
	if !strings.HasPrefix(string(body), "data%5Bresponse_code%5D=00&data%5Bresponse_text%5D=Transaction+Found&data%5Bhash%5D=") {
		t.Errorf("IPN order: %s", body)
	}
	u, err := s.Provider().ParseWebhook(r, body)
	if err != nil || u.Status != cauri.StatusPaid || u.PaymentID != "pay_01" || u.Amount != 5000 {
		t.Errorf("parsed %+v %v", u, err)
	}

	// A second action is refused.
	emutest.Refuses(t, s.Act, page, providertest.Cancel, "second action accepted")
	status, _, err := emulator.Press(ctx, nil, page, providertest.Cancel)
	if err != nil || status != http.StatusConflict {
		t.Errorf("second action: %d %v", status, err)
	}
	if inv, _ := s.Payment(tok); inv.Status != "completed" || sh.Count() != 1 {
		t.Errorf("second action changed things: %+v, %d IPNs", inv, sh.Count())
	}

	// Failing and cancelling both go to cancel_url as it is: the guide
	// documents no redirect after a failure, and the emulator chose
	// cancel_url.
	tok, page = create(t, s, sh.URL+"/ipn/pay_02")
	if back, err := s.Act(ctx, page, providertest.Fail); err != nil || back != "https://shop.example/back?x=1" {
		t.Errorf("fail: %q %v", back, err)
	}
	if _, body := sh.At(sh.Count() - 1); !strings.Contains(string(body), "data%5Bstatus%5D=failed") ||
		!strings.Contains(string(body), "data%5Bfail_reason%5D=Card+declined") {
		t.Errorf("fail IPN %s", body)
	}
	_, page = create(t, s, sh.URL+"/ipn/pay_03")
	if back, err := s.Act(ctx, page, providertest.Cancel); err != nil || back != "https://shop.example/back?x=1" {
		t.Errorf("cancel: %q %v", back, err)
	}
	if _, body := sh.At(sh.Count() - 1); !strings.Contains(string(body), "data%5Bstatus%5D=cancelled") {
		t.Errorf("cancel IPN %s", body)
	}
	if inv, _ := s.Payment(tok); inv.Status != "failed" || inv.FailReason == "" {
		t.Errorf("failed invoice %+v", inv)
	}
	emutest.Refuses(t, s.Act, s.URL+"/sandbox-checkout/invoice/test_nope", providertest.Pay, "unknown invoice accepted")

	// Live invoices live under /checkout/invoice/ and are not sandbox pages.
	co, err := s.LiveProvider().CreateCheckout(ctx, cauri.CheckoutRequest{PaymentID: "pay_04",
		Order: cauri.Order{ID: "o4", Amount: 100, Currency: "XOF"}, ReturnURL: "https://shop.example/r"})
	if err != nil || !strings.HasPrefix(co.RedirectURL, s.URL+"/checkout/invoice/") {
		t.Fatalf("live checkout %+v %v", co, err)
	}
	emutest.Refuses(t, s.Act, s.URL+"/sandbox-checkout/invoice/"+co.ProviderRef, providertest.Pay, "a live invoice was paid on a sandbox page")
	if back, err := s.Act(ctx, co.RedirectURL, providertest.Pay); err != nil || back != "https://shop.example/r?token="+co.ProviderRef {
		t.Errorf("live pay: %q %v", back, err)
	}
}

func TestFaultsAndDelta(t *testing.T) {
	t.Parallel()
	s := emutest.Start(t, paydunyatest.New)
	body := strings.Replace(validInvoice, "%s", "", 1)
	s.InjectFault(providertest.OpCreate, providertest.Fault{Kind: providertest.FaultStatus, Status: 503, RetryAfter: 2 * time.Second})
	r := call(t, s, http.MethodPost, "/sandbox-api/v1/checkout-invoice/create", &s.Sandbox, s.MasterKey, body)
	if r.status != 503 || r.header.Get("Retry-After") != "2" || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") ||
		!bytes.Contains(r.raw, []byte("503 Service Unavailable")) {
		t.Errorf("injected 503: %d %v %s", r.status, r.header, r.raw)
	}
	tok, _ := create(t, s, "")

	s.InjectFault(providertest.OpStatus, providertest.Fault{Kind: providertest.FaultStatus, Status: 429, Times: 2})
	for range 2 {
		if r := call(t, s, http.MethodGet, "/sandbox-api/v1/checkout-invoice/confirm/"+tok, &s.Sandbox, s.MasterKey, ""); r.status != 429 || r.code() != "429" {
			t.Errorf("injected 429: %d %s", r.status, r.raw)
		}
	}
	s.InjectFault(providertest.OpPayout, providertest.Fault{Kind: providertest.FaultStatus, Status: 502})
	if r := call(t, s, http.MethodPost, "/sandbox-api/v1/direct-pay/credit-account", &s.Sandbox, s.MasterKey, `{"account_alias":"771111111","amount":1}`); r.status != 502 {
		t.Errorf("injected payout 502: %d", r.status)
	}
	s.InjectFault(providertest.OpAny, providertest.Fault{Kind: providertest.FaultStatus, Status: 500})
	if r := call(t, s, http.MethodGet, "/api/v1/anything", &s.Live, s.MasterKey, ""); r.status != 500 {
		t.Errorf("OpAny: %d", r.status)
	}
	s.InjectFault(providertest.OpAny, providertest.Fault{Kind: providertest.FaultStatus, Status: 503, Times: 50})
	s.InjectFault(providertest.OpAny, providertest.Fault{Times: -1})
	if r := call(t, s, http.MethodGet, "/sandbox-api/v1/checkout-invoice/confirm/"+tok, &s.Sandbox, s.MasterKey, ""); r.status != 200 {
		t.Errorf("after clearing: %d", r.status)
	}

	s.ReportAmountDelta(-1)
	r = call(t, s, http.MethodGet, "/sandbox-api/v1/checkout-invoice/confirm/"+tok, &s.Sandbox, s.MasterKey, "")
	if inv, _ := r.body["invoice"].(map[string]any); inv["total_amount"] != json.Number("4999") {
		t.Errorf("delta: %s", r.raw)
	}
	if inv, _ := s.Payment(tok); inv.TotalAmount != 5000 {
		t.Errorf("delta changed the record: %d", inv.TotalAmount)
	}
	if n := len(s.Requests()); n != 8 {
		t.Errorf("%d requests recorded, want 8", n)
	}
}

func TestForge(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := emutest.Start(t, paydunyatest.New)
	sh := emutest.NewShop(t, 401)
	tok, _ := create(t, s, "")
	if err := s.Forge(ctx, sh.URL, tok); err != nil {
		t.Fatal(err)
	}
	_, body := sh.At(0)
	form, _ := url.ParseQuery(string(body))
	if paydunya.VerifyHash(form.Get("data[hash]"), s.MasterKey) == nil {
		t.Error("forged IPN has the right hash")
	}
	if form.Get("data[status]") != "completed" || form.Get("data[invoice][token]") != tok {
		t.Errorf("forged body %s", body)
	}
	if inv, _ := s.Payment(tok); inv.Status != "pending" {
		t.Errorf("Forge changed the record: %s", inv.Status)
	}

	replay, err := s.ClaimBody(tok, "completed", true)
	if err != nil {
		t.Fatal(err)
	}
	form, _ = url.ParseQuery(string(replay))
	if paydunya.VerifyHash(form.Get("data[hash]"), s.MasterKey) != nil || form.Get("data[status]") != "completed" {
		t.Errorf("claim %s", replay)
	}
	if _, err := s.ClaimBody("test_unknown", "completed", true); err == nil {
		t.Error("claim about an unknown invoice")
	}
	if err := s.SetStatus("test_unknown", "completed"); err == nil {
		t.Error("SetStatus of an unknown invoice")
	}
}

// TestRecordsByHand checks what a test sets or forges by hand: a status
// the confirm answer reports, a forged IPN about an invoice the server
// never made, and a quantity written as text answered as a string.
func TestRecordsByHand(t *testing.T) {
	t.Parallel()
	s := emutest.Start(t, paydunyatest.New)
	if s.LiveBaseURL() != s.URL+"/api/v1" {
		t.Errorf("LiveBaseURL %s", s.LiveBaseURL())
	}
	body := strings.Replace(strings.Replace(validInvoice, "%s", "", 1), `"quantity":2`, `"quantity":"2.5"`, 1)
	r := call(t, s, http.MethodPost, "/sandbox-api/v1/checkout-invoice/create", &s.Sandbox, s.MasterKey, body)
	tok, _ := r.body["token"].(string)
	if err := s.SetStatus(tok, "weird"); err != nil {
		t.Fatal(err)
	}
	r = call(t, s, http.MethodGet, "/sandbox-api/v1/checkout-invoice/confirm/"+tok, &s.Sandbox, s.MasterKey, "")
	if r.body["status"] != "weird" || !bytes.Contains(r.raw, []byte(`"quantity":"2.5"`)) {
		t.Errorf("confirm after SetStatus: %s", r.raw)
	}
	sh := emutest.NewShop(t)
	if err := s.Forge(context.Background(), sh.URL, "test_never"); err != nil {
		t.Fatal(err)
	}
	_, ipn := sh.At(0)
	form, _ := url.ParseQuery(string(ipn))
	if form.Get("data[invoice][token]") != "test_never" || form.Get("data[invoice][total_amount]") != "100" ||
		paydunya.VerifyHash(form.Get("data[hash]"), s.MasterKey) == nil {
		t.Errorf("forged IPN about an unknown invoice: %s", ipn)
	}
}

func TestCredit(t *testing.T) {
	t.Parallel()
	s := emutest.Start(t, paydunyatest.New)
	path := "/sandbox-api/v1/direct-pay/credit-account"
	r := call(t, s, http.MethodPost, path, &s.Sandbox, s.MasterKey, `{ "account_alias" : "771111111", "amount" : 4500 }`)
	if r.code() != "00" || r.text() != "Transaction completed successfully" || r.body["transaction_id"] != "TEST000001" ||
		!strings.HasPrefix(r.body["description"].(string), "Success! Amount of 4500 FCFA has been transfered to Sandbox Account") {
		t.Errorf("credit: %s", r.raw)
	}
	for body, want := range map[string]string{
		`{}`:                                     "account_alias is required; amount is required",
		`{"account_alias":"7","amount":0}`:       "amount must be a positive",
		`{"account_alias":"7","amount":1.5}`:     "amount must be a positive",
		`{"account_alias":"7","amount":-4500.0}`: "amount must be a positive",
		`{"account_alias":"7","amount":"1"}`:     "amount is required and must be a number",
		`{"account_alias":"7","amount":null}`:    "amount is required and must be a number",
		`nope`:                                   "must be a JSON object",
	} {
		if r := call(t, s, http.MethodPost, path, &s.Sandbox, s.MasterKey, body); r.code() != "1003" || !strings.Contains(r.text(), want) {
			t.Errorf("%s: %s", body, r.raw)
		}
	}
	// The Python SDK sends the amount as given, a float included
	// (paydunya-python-master paydunya/direct_payments.py DirectPay); the
	// PHP SDK too (paydunya-php paydunya/direct_pay.php creditAccount).
	r = call(t, s, http.MethodPost, path, &s.Sandbox, s.MasterKey, `{"account_alias": "771111111", "amount": 4500.0}`)
	if r.code() != "00" || !strings.HasPrefix(r.body["description"].(string), "Success! Amount of 4500 FCFA") {
		t.Errorf("float amount: %s", r.raw)
	}
	s.RefuseAccount("770000000", "Le compte n'existe pas")
	if r := call(t, s, http.MethodPost, path, &s.Sandbox, s.MasterKey, `{"account_alias":"770000000","amount":1}`); r.code() != "1004" || r.text() != "Le compte n'existe pas" {
		t.Errorf("refused: %s", r.raw)
	}
	if r := call(t, s, http.MethodPost, "/api/v1/direct-pay/credit-account", &s.Live, s.MasterKey, `{"account_alias":"771111111","amount":1}`); r.body["transaction_id"] != "TX000003" {
		t.Errorf("live: %s", r.raw)
	}
	pos := s.Payouts()
	if len(pos) != 4 || pos[0].Mode != paydunya.Sandbox || pos[1].Amount != 4500 || pos[2].ResponseCode != "1004" || pos[3].Mode != paydunya.Live {
		t.Errorf("payouts %+v", pos)
	}
}

// TestDisburse drives the API PUSH: get-invoice names a disbursement and
// sends nothing, submit-invoice sends it once, check-status looks it up.
func TestDisburse(t *testing.T) {
	t.Parallel()
	s := emutest.Start(t, paydunyatest.New)
	const pre = "/sandbox-api/v2/disburse/"
	post := func(op, body string) reply {
		t.Helper()
		return call(t, s, http.MethodPost, pre+op, &s.Sandbox, s.MasterKey, body)
	}
	check := func(tok string) reply {
		t.Helper()
		return post("check-status", `{"disburse_invoice":"`+tok+`"}`)
	}

	// The documentation's form, and the forms official and common clients
	// send: amount as a number, a float, a string; no withdraw_mode (a
	// PayDunya account); a callback_url.
	forms := []struct {
		body, mode string
		amount     int64
	}{
		{`{"account_alias":"771111111","amount":4500,"withdraw_mode":"orange-money-senegal","callback_url":"https://shop.example/cb"}`, "orange-money-senegal", 4500},
		{`{"account_alias":"771111111","amount":4500.0,"withdraw_mode":"wave-senegal"}`, "wave-senegal", 4500},
		{`{"account_alias":"0505420552","amount":"5000","withdraw_mode":"mtn-ci"}`, "mtn-ci", 5000},
		{`{"account_alias":771111111,"amount":100}`, "paydunya", 100},
		{`{"account_alias":"771111111","amount":100,"withdraw_mode":"paydunya"}`, "paydunya", 100},
	}
	var toks []string
	for _, f := range forms {
		r := post("get-invoice", f.body)
		tok, _ := r.body["disburse_token"].(string)
		if r.status != http.StatusOK || r.code() != "00" || tok == "" {
			t.Fatalf("get-invoice %s: %s", f.body, r.raw)
		}
		d, ok := s.Disbursement(tok)
		if !ok || d.Status != paydunyatest.DisburseCreated || d.WithdrawMode != f.mode || d.Amount != f.amount || d.Submissions != 0 {
			t.Errorf("%s: disbursement %+v", f.body, d)
		}
		if r := check(tok); r.code() != "00" || r.body["status"] != "created" || r.body["amount"] != json.Number(strconv.FormatInt(f.amount, 10)) {
			t.Errorf("%s: check-status before submit: %s", f.body, r.raw)
		}
		toks = append(toks, tok)
	}

	for body, want := range map[string]string{
		`{}`:                                 "account_alias is required; amount is required",
		`{"account_alias":"7","amount":0}`:   "amount is required and must be a positive",
		`{"account_alias":"7","amount":1.5}`: "must be a positive whole number",
		`{"account_alias":"7","amount":1,"withdraw_mode":"Orange"}`:      "withdraw_mode is not one of",
		`{"account_alias":"7","amount":1,"callback_url":"not a url"}`:    "callback_url must be a valid URL",
		`{"account_alias":"7","amount":1,"callback_url":"ftp://x.test"}`: "callback_url must be a valid URL",
		`nope`: "must be a JSON object",
	} {
		if r := post("get-invoice", body); r.code() != paydunyatest.CodeInvalid || !strings.Contains(r.text(), want) {
			t.Errorf("get-invoice %s: %s", body, r.raw)
		}
	}

	// A wallet: submitted, pending until the operator settles it.
	r := post("submit-invoice", `{"disburse_invoice":"`+toks[0]+`","disburse_id":"po-1"}`)
	if r.code() != "00" || r.body["status"] != "pending" || r.body["transaction_id"] == "" {
		t.Fatalf("submit wallet: %s", r.raw)
	}
	if r := check(toks[0]); r.body["status"] != "pending" || r.body["disburse_id"] != "po-1" || r.body["transaction_id"] == nil {
		t.Errorf("check-status pending: %s", r.raw)
	}
	// Sent once: a second submission is refused and sends nothing more.
	if r := post("submit-invoice", `{"disburse_invoice":"`+toks[0]+`"}`); r.code() != paydunyatest.CodeAlreadySubmitted {
		t.Errorf("second submit: %s", r.raw)
	}
	if d, _ := s.Disbursement(toks[0]); d.Submissions != 1 {
		t.Errorf("submissions %d, want 1", d.Submissions)
	}
	if err := s.SettleDisbursement(toks[0], paydunyatest.DisburseSuccess); err != nil {
		t.Fatal(err)
	}
	if r := check(toks[0]); r.body["status"] != "success" {
		t.Errorf("check-status settled: %s", r.raw)
	}
	if err := s.SettleDisbursement(toks[1], paydunyatest.DisburseFailed); err != nil {
		t.Fatal(err)
	}
	if r := check(toks[1]); r.body["status"] != "failed" || r.code() != "00" || r.text() == "" {
		t.Errorf("check-status failed: %s", r.raw)
	}
	if err := s.SettleDisbursement("nope", "success"); err == nil {
		t.Error("SettleDisbursement of an unknown token")
	}

	// A PayDunya account is credited at once.
	if r := post("submit-invoice", `{"disburse_invoice":"`+toks[3]+`"}`); r.body["status"] != "success" || r.text() != "Transaction completed successfully" {
		t.Errorf("submit account: %s", r.raw)
	}
	// A refused account: failed, nothing sent.
	s.RefuseAccount("770000001", "Solde insuffisant")
	r = post("get-invoice", `{"account_alias":"770000001","amount":100,"withdraw_mode":"wave-ci"}`)
	refusedTok, _ := r.body["disburse_token"].(string)
	if r := post("submit-invoice", `{"disburse_invoice":"`+refusedTok+`"}`); r.code() != paydunyatest.CodePayoutRefused || r.text() != "Solde insuffisant" {
		t.Errorf("refused submit: %s", r.raw)
	}
	if d, _ := s.Disbursement(refusedTok); d.Status != paydunyatest.DisburseFailed || d.Submissions != 0 || d.TransactionID != "" {
		t.Errorf("refused disbursement %+v", d)
	}

	// Unknown tokens, missing ones, and the other mode's.
	for _, op := range []string{"submit-invoice", "check-status"} {
		if r := post(op, `{"disburse_invoice":"nope"}`); r.status != http.StatusNotFound || r.code() != paydunyatest.CodeNotFound {
			t.Errorf("%s of an unknown token: %d %s", op, r.status, r.raw)
		}
		if r := post(op, `{}`); r.code() != paydunyatest.CodeInvalid {
			t.Errorf("%s without a token: %s", op, r.raw)
		}
		if r := call(t, s, http.MethodPost, "/api/v2/disburse/"+op, &s.Live, s.MasterKey, `{"disburse_invoice":"`+toks[2]+`"}`); r.status != http.StatusNotFound {
			t.Errorf("live %s of a sandbox token: %d %s", op, r.status, r.raw)
		}
	}
	// Live works the same, with its own keys.
	r = call(t, s, http.MethodPost, "/api/v2/disburse/get-invoice", &s.Live, s.MasterKey, `{"account_alias":"771111111","amount":100}`)
	if liveTok, _ := r.body["disburse_token"].(string); liveTok == "" {
		t.Errorf("live get-invoice: %s", r.raw)
	} else if d, _ := s.Disbursement(liveTok); d.Mode != paydunya.Live {
		t.Errorf("live disbursement %+v", d)
	}
	if r := call(t, s, http.MethodPost, pre+"check-status", &s.Live, s.MasterKey, `{"disburse_invoice":"`+toks[2]+`"}`); r.code() != paydunyatest.CodeUnauthenticated {
		t.Errorf("sandbox call with live keys: %s", r.raw)
	}
	if n := len(s.Disbursements()); n != len(forms)+2 {
		t.Errorf("%d disbursements, want %d", n, len(forms)+2)
	}

	// Faults: a lost answer to a submission that was sent.
	r = post("get-invoice", `{"account_alias":"771111111","amount":100}`)
	lostTok, _ := r.body["disburse_token"].(string)
	s.InjectFault(providertest.OpPayout, providertest.Fault{Kind: providertest.FaultLost})
	req, _ := http.NewRequest(http.MethodPost, s.URL+pre+"submit-invoice", strings.NewReader(`{"disburse_invoice":"`+lostTok+`"}`))
	req.Header = http.Header{"Paydunya-Master-Key": {s.MasterKey}, "Paydunya-Private-Key": {s.Sandbox.PrivateKey}, "Paydunya-Token": {s.Sandbox.Token}}
	if res, err := http.DefaultClient.Do(req); err == nil {
		res.Body.Close()
		t.Errorf("lost answer: got HTTP %d", res.StatusCode)
	}
	if d, _ := s.Disbursement(lostTok); d.Status != paydunyatest.DisburseSuccess || d.Submissions != 1 {
		t.Errorf("a submission whose answer was lost: %+v, want sent", d)
	}
	s.InjectFault(providertest.OpPayoutStatus, providertest.Fault{Kind: providertest.FaultStatus, Status: 502})
	if r := check(lostTok); r.status != http.StatusBadGateway {
		t.Errorf("check-status fault: %d", r.status)
	}
	s.InjectFault(providertest.OpPayoutPrepare, providertest.Fault{Kind: providertest.FaultStatus, Status: 503})
	if r := post("get-invoice", `{"account_alias":"771111111","amount":100}`); r.status != http.StatusServiceUnavailable {
		t.Errorf("get-invoice fault: %d", r.status)
	}
}

func TestConfig(t *testing.T) {
	t.Parallel()
	s := emutest.Start(t, paydunyatest.New, paydunyatest.WithStoreName("Boutique Awa"))
	cfg := s.Config()
	if s.Provider().Name() != "paydunya" || cfg.BaseURL != s.URL+"/sandbox-api/v1" || cfg.MasterKey != s.MasterKey || cfg.PrivateKey != s.Sandbox.PrivateKey ||
		cfg.Token != s.Sandbox.Token || cfg.Mode != paydunya.Sandbox || cfg.Store.Name != "Boutique Awa" {
		t.Errorf("provider %s, config %+v", s.Provider().Name(), cfg)
	}
	live := s.LiveConfig()
	if live.BaseURL != s.URL+"/api/v1" || live.PrivateKey != s.Live.PrivateKey || live.Mode != paydunya.Live {
		t.Errorf("live config %+v", live)
	}
	if s.LiveProvider().Mode() != paydunya.Live {
		t.Error("live provider")
	}
	k := paydunyatest.Keys{PrivateKey: "live_private_1", Token: "tok_1"}
	if s := emutest.Start(t, paydunyatest.New, paydunyatest.WithLiveKeys(k)); s.Live != k || s.LiveConfig().PrivateKey != "live_private_1" {
		t.Errorf("live keys %+v", s.Live)
	}
	if s.SetStatus("nope", "completed") == nil {
		t.Error("SetStatus of no invoice")
	}
}

// kitFor mounts a kit over a memory store with s's sandbox provider.
func kitFor(t *testing.T, s *paydunyatest.Server, o cauri.Order, edits ...func(*cauri.Config)) (*cauri.Kit, *httptest.Server, *memory.Store) {
	t.Helper()
	var kit http.Handler
	mux := http.NewServeMux()
	mux.Handle("/pay/", http.StripPrefix("/pay", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { kit.ServeHTTP(w, r) })))
	web := httptest.NewServer(mux)
	t.Cleanup(web.Close)
	store := memory.New()
	cfg := cauri.Config{
		Store: store, Providers: []cauri.Provider{s.Provider()}, PublicURL: web.URL + "/pay",
		Secret:     "paydunya-test-secret-paydunya-test-secret",
		Order:      func(*http.Request, string) (cauri.Order, error) { return o, nil },
		SuccessURL: "/ok", FailureURL: "/ko", PendingURL: "/wait",
	}
	for _, edit := range edits {
		edit(&cfg)
	}
	k, err := cauri.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	kit = k
	return k, web, store
}

// TestReplayedIPNDoesNotSettle: an IPN with the right hash, replayed with
// a false claim, changes nothing: the kit confirms it with PayDunya, once
// per turn of the payment; a replay before the next turn costs no call and
// is told to come back.
func TestReplayedIPNDoesNotSettle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := emutest.Start(t, paydunyatest.New)
	var clock providertest.Clock
	k, web, store := kitFor(t, s, cauri.Order{ID: "o-1", Amount: 5000, Currency: "XOF"}, func(c *cauri.Config) { c.Now = clock.Now })

	req, _ := http.NewRequest(http.MethodPost, web.URL+"/pay/checkout/paydunya", nil)
	req.Header.Set("Accept", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		PaymentID   string `json:"payment_id"`
		CheckoutURL string `json:"checkout_url"`
	}
	_ = json.NewDecoder(res.Body).Decode(&out)
	res.Body.Close()
	p, err := store.Get(ctx, out.PaymentID)
	if err != nil {
		t.Fatal(err)
	}

	claim, _ := s.ClaimBody(p.ProviderRef, "completed", true)
	for i, target := range []string{k.CallbackURL("paydunya", p.ID), web.URL + "/pay/webhooks/paydunya"} {
		res, err := http.Post(target, "application/x-www-form-urlencoded", bytes.NewReader(claim))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if want := []int{http.StatusOK, http.StatusServiceUnavailable}[i]; res.StatusCode != want {
			t.Errorf("replayed claim %d: HTTP %d, want %d", i, res.StatusCode, want)
		}
	}
	if p, _ := store.Get(ctx, p.ID); p.Status != cauri.StatusPending {
		t.Fatalf("a replayed IPN settled the payment: %s", p.Status)
	}
	clock.Later(time.Hour) // the payment's next turn
	emutest.Act(t, s.Act, out.CheckoutURL, providertest.Pay)
	if p, _ := store.Get(ctx, p.ID); p.Status != cauri.StatusPaid || p.Amount != 5000 {
		t.Errorf("the real IPN: %+v", p)
	}
}

// TestKitPayout drives Kit.Payout against the emulator.
func TestKitPayout(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := emutest.Start(t, paydunyatest.New)
	k, _, _ := kitFor(t, s, cauri.Order{})
	sent := func() int {
		n := 0
		for _, d := range s.Disbursements() {
			n += d.Submissions
		}
		return n
	}

	req := cauri.PayoutRequest{Key: "po-1", Account: "771111111", Amount: 4500, Currency: "XOF"}
	res, err := k.Payout(ctx, "paydunya", req)
	if d, _ := s.Disbursement(res.ProviderRef); err != nil || res.Status != cauri.PayoutSucceeded || d.Amount != 4500 {
		t.Fatalf("payout %+v %v, disbursement %+v", res, err, d)
	}
	if again, err := k.Payout(ctx, "paydunya", req); err != nil || again != res || sent() != 1 {
		t.Errorf("second payout with the same key: %+v %v, %d sent", again, err, sent())
	}

	s.RefuseAccount("770000000", "")
	res, err = k.Payout(ctx, "paydunya", cauri.PayoutRequest{Key: "po-2", Account: "770000000", Amount: 100, Currency: "XOF"})
	if err != nil || res.Status != cauri.PayoutFailed || !strings.Contains(res.Message, "Account not found") {
		t.Errorf("refused payout %+v %v", res, err)
	}

	s.InjectFault(providertest.OpPayout, providertest.Fault{Kind: providertest.FaultStatus, Status: 503})
	res, err = k.Payout(ctx, "paydunya", cauri.PayoutRequest{Key: "po-3", Account: "771111111", Amount: 100, Currency: "XOF"})
	if err == nil || res.Status != cauri.PayoutPending || res.ProviderRef == "" {
		t.Errorf("payout with PayDunya down: %+v %v", res, err)
	}
	// Nothing was sent: PayDunya says the disbursement was made, never
	// submitted, and it stays pending.
	if p, err := k.ResolvePayout(ctx, "po-3"); !errors.Is(err, cauri.ErrPayoutPending) || p.Status != cauri.PayoutPending {
		t.Errorf("ResolvePayout of a payout never submitted = %+v, %v; want pending", p, err)
	}
	if sent() != 1 {
		t.Errorf("%d sent, want 1", sent())
	}
}

// TestOfficialClientInvoices: create accepts the bodies PayDunya's own
// clients send, each built here as its source builds it, and records what
// they say.
func TestOfficialClientInvoices(t *testing.T) {
	t.Parallel()
	s := emutest.Start(t, paydunyatest.New)
	tests := []struct {
		name, body  string
		contentType string // "" sends none
		want        paydunyatest.Invoice
	}{
		{
			// npm paydunya@1.0.12 lib/invoice.js generateRequestBody and
			// lib/index.js Store: items and taxes keyed from item_1 and
			// tax_1, prices as numbers, the store's phone as phone_number,
			// the store's URLs repeated inside store, channels.
			name: "node SDK",
			body: `{"invoice":{"total_amount":5000,"description":"Order 42","channels":["orange-money-senegal"],` +
				`"items":{"item_1":{"name":"Pagne wax","quantity":2,"unit_price":2500,"total_price":5000,"description":"Wax"}},` +
				`"taxes":{"tax_1":{"name":"TVA (18%)","amount":0}}},` +
				`"store":{"name":"Boutique Awa","tagline":"Wax","phone_number":"338000000","postal_address":"Dakar",` +
				`"website_url":"https://shop.example","return_url":"https://shop.example/back","cancel_url":"https://shop.example/cancel"},` +
				`"actions":{"return_url":"https://shop.example/back","cancel_url":"https://shop.example/cancel"},"custom_data":{"order_id":"42"}}`,
			contentType: "application/json",
			want: paydunyatest.Invoice{
				TotalAmount: 5000, Description: "Order 42",
				Items:      []paydunyatest.Item{{Name: "Pagne wax", Quantity: "2", UnitPrice: "2500", TotalPrice: "5000", Description: "Wax"}},
				Taxes:      []paydunyatest.Tax{{Name: "TVA (18%)", Amount: "0"}},
				Store:      paydunyatest.Store{Name: "Boutique Awa", Tagline: "Wax", PostalAddress: "Dakar", Phone: "338000000", WebsiteURL: "https://shop.example"},
				Channels:   []string{"orange-money-senegal"},
				CustomData: map[string]string{"order_id": "42"},
				Actions:    paydunyatest.Actions{ReturnURL: "https://shop.example/back", CancelURL: "https://shop.example/cancel"},
			},
		},
		{
			// Python paydunya 1.0.7 (paydunyadev/paydunya-python-master)
			// paydunya/invoice.py _prepare_data with the README's example:
			// items a JSON array of InvoiceItem._asdict(), total_amount the
			// float sum of the items' total_price, nulls for what is unset,
			// the store's phone as phone_number.
			name: "Python SDK",
			body: `{"invoice": {"items": [{"name": "Clavier DELL", "quantity": 2, "unit_price": "3000", "total_price": "6000", ` +
				`"description": "Best Keyboard of the 2015 year"}, {"name": "Ordinateur Lenovo L440", "quantity": 1, "unit_price": "400000", ` +
				`"total_price": "400000", "description": "Powerful and slim"}], "taxes": {"tax_0": {"name": "Other TAX", "amount": 5000}, ` +
				`"tax_1": {"name": "TVA (18%)", "amount": 700}}, "total_amount": 406000.0, "description": null, "channels": []}, ` +
				`"store": {"name": "Magasin Chez Sandra", "tagline": null, "postal_address": null, "phone_number": "336530583", ` +
				`"website_url": null, "logo_url": null}, "custom_data": {"first_name": "Alioune", "cart_id": 97628}, ` +
				`"actions": {"cancel_url": null, "return_url": null, "callback_url": null}}`,
			contentType: "application/json",
			want: paydunyatest.Invoice{
				TotalAmount: 406000,
				Items: []paydunyatest.Item{
					{Name: "Clavier DELL", Quantity: "2", UnitPrice: "3000", TotalPrice: "6000", Description: "Best Keyboard of the 2015 year"},
					{Name: "Ordinateur Lenovo L440", Quantity: "1", UnitPrice: "400000", TotalPrice: "400000", Description: "Powerful and slim"},
				},
				Taxes:      []paydunyatest.Tax{{Name: "Other TAX", Amount: "5000"}, {Name: "TVA (18%)", Amount: "700"}},
				Store:      paydunyatest.Store{Name: "Magasin Chez Sandra", Phone: "336530583"},
				CustomData: map[string]string{"first_name": "Alioune", "cart_id": "97628"},
			},
		},
		{
			// WooCommerce plugin (paydunyadev/paydunya-woocommerce-gateway
			// @4c46d3d WC_Paydunya.php get_paydunya_args, post_to_url):
			// items a JSON array with float prices, invoice.customer to
			// pre-fill the page, total_amount the order total as WooCommerce
			// keeps it (a decimal string), custom_data.order_id an integer,
			// PHP's escaped slashes, and no Content-Type (curl's default).
			name: "WooCommerce plugin",
			body: `{"invoice":{"items":[{"name":"Pagne wax","quantity":2,"unit_price":2500.0,"total_price":5000.0,"description":""}],` +
				`"customer":{"name":"Awa Diallo","email":"awa@example.com","phone":"0701020304"},` +
				`"total_amount":"5000.00","description":"Paiement de 5000.00 FCFA pour article(s) achet\u00e9s sur Boutique Awa"},` +
				`"store":{"name":"Boutique Awa","website_url":"https:\/\/shop.example"},` +
				`"actions":{"cancel_url":"https:\/\/shop.example\/checkout\/","callback_url":"https:\/\/shop.example\/?wc-api=WC_Paydunya",` +
				`"return_url":"https:\/\/shop.example\/checkout\/"},"custom_data":{"order_id":42,"trans_id":"42_2612011","hash":"3f2a"}}`,
			want: paydunyatest.Invoice{
				TotalAmount: 5000, Description: "Paiement de 5000.00 FCFA pour article(s) achetés sur Boutique Awa",
				Items:      []paydunyatest.Item{{Name: "Pagne wax", Quantity: "2", UnitPrice: "2500.0", TotalPrice: "5000.0"}},
				Store:      paydunyatest.Store{Name: "Boutique Awa", WebsiteURL: "https://shop.example"},
				CustomData: map[string]string{"order_id": "42", "trans_id": "42_2612011", "hash": "3f2a"},
				Actions: paydunyatest.Actions{CancelURL: "https://shop.example/checkout/", ReturnURL: "https://shop.example/checkout/",
					CallbackURL: "https://shop.example/?wc-api=WC_Paydunya"},
				Prefill: paydunyatest.Customer{Name: "Awa Diallo", Email: "awa@example.com", Phone: "0701020304"},
			},
		},
		{
			// WooCommerce with a whole total: get_total() as "5000".
			name: "WooCommerce plugin, whole total",
			body: `{"invoice":{"items":[],"customer":{"name":" ","email":"","phone":""},"total_amount":"5000","description":"x"},` +
				`"store":{"name":"Boutique Awa"}}`,
			want: paydunyatest.Invoice{TotalAmount: 5000, Description: "x", Store: paydunyatest.Store{Name: "Boutique Awa"}},
		},
		{
			// PHP SDK (paydunyadev/paydunya-php @153e732
			// paydunya/checkout/checkout_invoice.php create, addItem):
			// total_amount and prices round(x, 2) floats, items keyed from
			// item_0, empty taxes, channels and custom_data as PHP's [],
			// unset store fields null, the store's phone as phone.
			name: "PHP SDK",
			body: `{"invoice":{"items":{"item_0":{"name":"Pagne wax","quantity":2,"unit_price":2500.0,"total_price":5000.0,"description":""}},` +
				`"taxes":[],"total_amount":5000.0,"description":"Order 42","channels":[]},` +
				`"store":{"name":"Boutique Awa","tagline":null,"postal_address":null,"phone":"338000000","logo_url":null,"website_url":null},` +
				`"custom_data":[],"actions":{"cancel_url":null,"return_url":"https:\/\/shop.example\/back","callback_url":null}}`,
			contentType: "application/json",
			want: paydunyatest.Invoice{
				TotalAmount: 5000, Description: "Order 42",
				Items:   []paydunyatest.Item{{Name: "Pagne wax", Quantity: "2", UnitPrice: "2500.0", TotalPrice: "5000.0"}},
				Store:   paydunyatest.Store{Name: "Boutique Awa", Phone: "338000000"},
				Actions: paydunyatest.Actions{ReturnURL: "https://shop.example/back"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, s.BaseURL()+"/checkout-invoice/create", strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			req.Header.Set("PAYDUNYA-MASTER-KEY", s.MasterKey)
			req.Header.Set("PAYDUNYA-PRIVATE-KEY", s.Sandbox.PrivateKey)
			req.Header.Set("PAYDUNYA-TOKEN", s.Sandbox.Token)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var out struct {
				Code  string `json:"response_code"`
				Text  string `json:"response_text"`
				Token string `json:"token"`
			}
			if err := json.NewDecoder(res.Body).Decode(&out); err != nil || res.StatusCode != 200 || out.Code != "00" {
				t.Fatalf("create: HTTP %d %+v %v", res.StatusCode, out, err)
			}
			got, ok := s.Payment(out.Token)
			if !ok {
				t.Fatalf("no invoice %q", out.Token)
			}
			want := tt.want
			want.Token, want.Mode, want.Status, want.CreatedAt = got.Token, paydunya.Sandbox, "pending", got.CreatedAt
			if want.CustomData == nil {
				want.CustomData = map[string]string{}
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("invoice\n got %+v\nwant %+v", got, want)
			}
		})
	}
}

// TestPrefilledPage: the hosted page shows the customer the shop sent in
// invoice.customer, as PayDunya pre-fills its form with it.
func TestPrefilledPage(t *testing.T) {
	t.Parallel()
	s := emutest.Start(t, paydunyatest.New)
	body := `{"invoice":{"customer":{"name":"Awa <Diallo>","email":"awa@example.com","phone":"+2250701020304"},"total_amount":5000},` +
		`"store":{"name":"Boutique Awa"}}`
	r := call(t, s, http.MethodPost, "/sandbox-api/v1/checkout-invoice/create", &s.Sandbox, s.MasterKey, body)
	if r.code() != "00" {
		t.Fatalf("create: %s", r.raw)
	}
	res, err := http.Get(r.text())
	if err != nil {
		t.Fatal(err)
	}
	html, _ := io.ReadAll(res.Body)
	res.Body.Close()
	for _, want := range []string{`value="Awa &lt;Diallo&gt;"`, `value="awa@example.com"`, `value="&#43;2250701020304"`} {
		if !bytes.Contains(html, []byte(want)) {
			t.Errorf("page lacks %s:\n%s", want, html)
		}
	}

	// Without a customer, no customer fields.
	tok, page := create(t, s, "")
	res, err = http.Get(page)
	if err != nil {
		t.Fatal(err)
	}
	html, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if bytes.Contains(html, []byte(`name="customer_name"`)) {
		t.Errorf("page of %s has customer fields:\n%s", tok, html)
	}
}

// TestConfirmByPost: the Python SDK's Invoice.confirm() on the object that
// created the invoice POSTs to confirm/{token}, its create body attached
// (paydunya-python-master paydunya/__init__.py Payment._process posts
// whenever it has data, and Invoice.confirm passes none, so self._data,
// the create body, is sent); a fresh object GETs. Both are answered.
func TestConfirmByPost(t *testing.T) {
	t.Parallel()
	s := emutest.Start(t, paydunyatest.New)
	tok, _ := create(t, s, "")
	path := "/sandbox-api/v1/checkout-invoice/confirm/" + tok
	for _, tt := range []struct{ method, body string }{
		{http.MethodGet, ""},
		{http.MethodPost, strings.Replace(validInvoice, "%s", "", 1)},
		{http.MethodPost, ""},
	} {
		r := call(t, s, tt.method, path, &s.Sandbox, s.MasterKey, tt.body)
		inv, _ := r.body["invoice"].(map[string]any)
		if r.status != 200 || r.code() != "00" || r.body["status"] != "pending" || inv["token"] != tok {
			t.Errorf("%s with %d bytes: %d %s", tt.method, len(tt.body), r.status, r.raw)
		}
	}
	if r := call(t, s, http.MethodPost, path, &s.Sandbox, "wrong", ""); r.code() != "1001" {
		t.Errorf("POST without the master key: %s", r.raw)
	}
	if r := call(t, s, http.MethodPost, "/sandbox-api/v1/checkout-invoice/confirm/test_nope", &s.Sandbox, s.MasterKey, ""); r.status != 404 || r.code() != "1002" {
		t.Errorf("POST about no invoice: %d %s", r.status, r.raw)
	}
}

// TestPageChoice: the page is PayDunya's, in French, and offers a
// Senegalese store's channels, or those invoice.channels named; the
// channel chosen is recorded, and the phone typed is the payer's.
func TestPageChoice(t *testing.T) {
	t.Parallel()
	s := emutest.Start(t, paydunyatest.New)
	tok, page := create(t, s, "")
	html := emutest.Page(t, page)
	emutest.Shows(t, "page", html,
		"<title>PayDunya checkout (emulator)</title>", `<html lang="fr">`, "Payer 5000 FCFA", "Annuler le paiement",
		`value="orange-money-senegal" checked> Orange Money`, `value="wave-senegal"> Wave`, `value="card"> Carte bancaire`,
		`formaction="/sandbox-checkout/invoice/`+tok+`/pay_later"`,
	)
	emutest.Choose(t, page, providertest.Pay, url.Values{"operator": {"wave-senegal"}, "customer_phone": {"771234567"}})
	if inv, _ := s.Payment(tok); inv.Channel != "wave-senegal" || inv.Customer.Phone != "771234567" {
		t.Errorf("invoice %+v", inv)
	}

	body := strings.Replace(validInvoice, `"total_amount":5000`, `"total_amount":5000,"channels":["wave-ci","mtn-ci"]`, 1)
	r := call(t, s, http.MethodPost, "/sandbox-api/v1/checkout-invoice/create", &s.Sandbox, s.MasterKey, strings.Replace(body, "%s", "", 1))
	html = emutest.Page(t, r.text())
	if !strings.Contains(html, `value="wave-ci" checked> Wave Côte d&#39;Ivoire`) || !strings.Contains(html, `value="mtn-ci">`) ||
		strings.Contains(html, `value="orange-money-senegal"`) {
		t.Errorf("page with channels:\n%s", html)
	}
}

// TestPayLater: the customer goes to return_url with ?token= while the
// invoice stays pending and no IPN is sent; ConfirmLater completes it and
// posts the IPN, once.
func TestPayLater(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := emutest.Start(t, paydunyatest.New)
	sh := emutest.NewShop(t)
	tok, page := create(t, s, sh.URL+"/ipn/pay_01")
	back, err := s.Act(ctx, page, providertest.PayLater)
	if err != nil || back != "https://shop.example/back?x=1&token="+tok {
		t.Fatalf("pay later: %q %v", back, err)
	}
	if inv, _ := s.Payment(tok); inv.Status != "pending" || !inv.Later || inv.Channel != "orange-money-senegal" || sh.Count() != 0 {
		t.Errorf("after pay later: %+v, %d IPNs", inv, sh.Count())
	}
	if r := call(t, s, http.MethodGet, "/sandbox-api/v1/checkout-invoice/confirm/"+tok, &s.Sandbox, s.MasterKey, ""); r.body["status"] != "pending" {
		t.Errorf("confirm: %s", r.raw)
	}
	emutest.Held(t, s.Act, page, "Confirmez sur votre téléphone", providertest.Cancel)

	if err := s.ConfirmLater(ctx, tok); err != nil {
		t.Fatal(err)
	}
	if sh.Count() != 1 {
		t.Fatalf("%d IPNs", sh.Count())
	}
	r, body := sh.At(0)
	u, err := s.Provider().ParseWebhook(r, body)
	if err != nil || u.Status != cauri.StatusPaid || u.PaymentID != "pay_01" {
		t.Errorf("IPN %+v %v", u, err)
	}
	emutest.NotWaiting(t, s.ConfirmLater, tok, sh, 1)
}

// TestFailWithoutCancelURL: a failure goes to cancel_url; an invoice
// without one keeps the customer on a page saying the payment failed.
func TestFailWithoutCancelURL(t *testing.T) {
	t.Parallel()
	s := emutest.Start(t, paydunyatest.New)
	body := strings.Replace(strings.Replace(validInvoice, `"cancel_url":"https://shop.example/back?x=1",`, "", 1), "%s", "", 1)
	r := call(t, s, http.MethodPost, "/sandbox-api/v1/checkout-invoice/create", &s.Sandbox, s.MasterKey, body)
	status, loc, err := emulator.Press(context.Background(), nil, r.text(), providertest.Fail)
	if err != nil || status != http.StatusOK || loc != "" {
		t.Errorf("fail without cancel_url: %d %q %v", status, loc, err)
	}
}
