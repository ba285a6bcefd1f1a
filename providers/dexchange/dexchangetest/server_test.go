package dexchangetest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cauripay/cauri/internal/emulator/emutest"
	"github.com/cauripay/cauri/providers/dexchange"
	"github.com/cauripay/cauri/providers/providertest"
)

const validLink = `{"externalTransactionId":"pay_01","ItemName":"T-shirt Premium","ItemPrice":5000,"customData":"{}",` +
	`"callBackURL":"https://shop.example/callback","successUrl":"https://shop.example/success","failureUrl":"https://shop.example/failure",` +
	`"ClientName":"Awa Diallo","ClientPhone":"771234567","Email":"awa@example.com"}`

// reply is an API answer with its top-level object read.
type reply struct {
	emutest.Answer
	obj map[string]json.RawMessage
}

func (r reply) messages() []string {
	var m []string
	_ = json.Unmarshal(r.obj["message"], &m)
	return m
}

func call(t *testing.T, s *Server, method, path, key, body string) reply {
	t.Helper()
	r := reply{Answer: emutest.Call(t, method, s.URL+path, body, "Authorization", emutest.Bearer(key))}
	_ = json.Unmarshal(r.Raw, &r.obj)
	return r
}

// transactions counts the server's transactions.
func (s *Server) transactions() int {
	return s.c.Len()
}

// linkData is get-link's transaction as the documentation shows it.
type linkData struct {
	Success               bool   `json:"success"`
	TransactionID         string `json:"transactionId"`
	PaymentURL            string `json:"PaymentUrl"`
	ExternalTransactionID string `json:"externalTransactionId"`
	Status                string `json:"Status"`
}

func getLink(t *testing.T, s *Server, body string) (id, paymentURL string) {
	t.Helper()
	r := call(t, s, http.MethodPost, "/api/v1/transaction/merchant/get-link", s.APIKey, body)
	if r.Status != http.StatusCreated {
		t.Fatalf("get-link: %d %s", r.Status, r.Raw)
	}
	var d linkData
	if err := json.Unmarshal(r.Raw, &d); err != nil || !d.Success || d.TransactionID == "" || d.Status != "PENDING" ||
		d.PaymentURL != s.URL+"/process/"+d.TransactionID || emutest.Keys(t, r.Raw) != "success,transactionId,PaymentUrl,externalTransactionId,Status" {
		t.Fatalf("get-link answer %s", r.Raw)
	}
	return d.TransactionID, d.PaymentURL
}

func TestAuth(t *testing.T) {
	t.Parallel()
	s := emutest.Start(t, New, WithAPIKey("sk.test.fixed"))
	id, _ := getLink(t, s, validLink)
	for _, key := range []string{"", "sk.test.wrong", "sk.test.fixedX", "sk.test.fixe", "SK.TEST.FIXED"} {
		for _, c := range []struct{ method, path, body string }{
			{http.MethodPost, "/api/v1/transaction/merchant/get-link", validLink},
			{http.MethodGet, "/api/v1/transaction/" + id, ""},
			{http.MethodGet, "/api/v1/transaction/merchant/" + id, ""},
		} {
			r := call(t, s, c.method, c.path, key, c.body)
			if r.Status != http.StatusUnauthorized || string(r.Raw) != `{"message":["Invalid API key"],"success":false}` ||
				r.Header.Get("Content-Type") != "application/json; charset=utf-8" {
				t.Errorf("%s %s with key %q: %d %s", c.method, c.path, key, r.Status, r.Raw)
			}
		}
	}
	if len(s.Requests()) != 1+5*3 {
		t.Errorf("%d requests recorded", len(s.Requests()))
	}
}

func TestValidation(t *testing.T) {
	t.Parallel()
	s := emutest.Start(t, New)
	rep := func(old, new string) string { return strings.Replace(validLink, old, new, 1) }
	tests := []struct {
		name string
		body string
		want []string
	}{
		{"empty", `{}`, []string{
			"externalTransactionId should not be empty", "externalTransactionId must be a string",
			"ItemName should not be empty", "ItemName must be a string",
			"ItemPrice must be a number conforming to the specified constraints",
			"customData should not be empty", "customData must be a string",
			"callBackURL should not be empty", "callBackURL must be a string",
			"successUrl should not be empty", "successUrl must be a string",
			"failureUrl should not be empty", "failureUrl must be a string",
		}},
		{"under the minimum", rep(`"ItemPrice":5000`, `"ItemPrice":99`), []string{"Montant minimum 100 FCFA"}},
		{"string price", rep(`"ItemPrice":5000`, `"ItemPrice":"5000"`), []string{"ItemPrice must be a number conforming to the specified constraints"}},
		{"decimal price", rep(`"ItemPrice":5000`, `"ItemPrice":5000.5`), []string{"ItemPrice must be an integer number"}},
		{"no customData (OpenAPI: required)", rep(`"customData":"{}",`, ``), []string{"customData should not be empty", "customData must be a string"}},
		{"customData not JSON", rep(`"customData":"{}"`, `"customData":"pay_01"`), []string{"customData must be a json string"}},
		{"customData object", rep(`"customData":"{}"`, `"customData":{}`), []string{"customData must be a string"}},
		{"relative callback", rep(`https://shop.example/callback`, `/callback`), []string{"callBackURL must be a URL address"}},
		{"bad email", rep(`awa@example.com`, `awa-at-example`), []string{"Email must be an email"}},
		{"phone as number", rep(`"ClientPhone":"771234567"`, `"ClientPhone":771234567`), []string{"ClientPhone must be a string"}},
		{"wrong casing", rep(`"callBackURL"`, `"callbackUrl"`), []string{
			"callBackURL should not be empty", "callBackURL must be a string", "property callbackUrl should not exist"}},
		{"unknown field", rep(`"ItemName"`, `"currency":"XOF","ItemName"`), []string{"property currency should not exist"}},
	}
	for _, tt := range tests {
		r := call(t, s, http.MethodPost, "/api/v1/transaction/merchant/get-link", s.APIKey, tt.body)
		if r.Status != http.StatusBadRequest || string(r.obj["success"]) != "false" {
			t.Errorf("%s: %d %s", tt.name, r.Status, r.Raw)
			continue
		}
		if got := r.messages(); !slices.Equal(got, tt.want) {
			t.Errorf("%s: messages\n got %q\nwant %q", tt.name, got, tt.want)
		}
	}
	for _, body := range []string{`{"ItemPrice":`, `[]`, `null`, ``} {
		if r := call(t, s, http.MethodPost, "/api/v1/transaction/merchant/get-link", s.APIKey, body); r.Status != http.StatusBadRequest {
			t.Errorf("body %q: %d", body, r.Status)
		}
	}
	if n := s.transactions(); n != 0 {
		t.Errorf("%d transactions created by invalid bodies", n)
	}
}

func TestGetLink(t *testing.T) {
	t.Parallel()
	s := emutest.Start(t, New)
	id, _ := getLink(t, s, validLink)
	if !strings.HasPrefix(id, "MID") || len(id) != 12 {
		t.Errorf("transactionId %q", id)
	}
	p, ok := s.Payment(id)
	if !ok || p.ExternalTransactionID != "pay_01" || p.ItemName != "T-shirt Premium" || p.ItemPrice != 5000 ||
		p.CustomData != "{}" || p.CallBackURL != "https://shop.example/callback" || p.SuccessURL != "https://shop.example/success" ||
		p.FailureURL != "https://shop.example/failure" || p.ClientName != "Awa Diallo" || p.ClientPhone != "771234567" ||
		p.Email != "awa@example.com" || p.Status != "PENDING" || p.CreatedAt.IsZero() {
		t.Errorf("record %+v", p)
	}
	if q, ok := s.PaymentByExternalID("pay_01"); !ok || q.TransactionID != id {
		t.Errorf("by external ID: %+v", q)
	}

	r := call(t, s, http.MethodPost, "/api/v1/transaction/merchant/get-link", s.APIKey, validLink)
	if r.Status != http.StatusConflict || string(r.Raw) != `{"message":["External transaction ID already exists"],"success":false}` {
		t.Errorf("duplicate: %d %s", r.Status, r.Raw)
	}
	if n := s.transactions(); n != 1 {
		t.Errorf("%d transactions", n)
	}

	nested := emutest.Start(t, New, WithNestedLinkResponse())
	r = call(t, nested, http.MethodPost, "/api/v1/transaction/merchant/get-link", nested.APIKey, validLink)
	var env struct {
		Message     string   `json:"message"`
		Transaction linkData `json:"transaction"`
	}
	if r.Status != http.StatusCreated || json.Unmarshal(r.Raw, &env) != nil || env.Message == "" ||
		!env.Transaction.Success || env.Transaction.ExternalTransactionID != "pay_01" || env.Transaction.PaymentURL == "" ||
		emutest.Keys(t, r.Raw) != "message,transaction" || emutest.Keys(t, r.obj["transaction"]) != "success,transactionId,PaymentUrl,externalTransactionId,Status" {
		t.Errorf("nested: %d %s", r.Status, r.Raw)
	}
}

func TestLookups(t *testing.T) {
	t.Parallel()
	s := emutest.Start(t, New)
	id, _ := getLink(t, s, validLink)

	r := call(t, s, http.MethodGet, "/api/v1/transaction/"+id, s.APIKey, "")
	if r.Status != http.StatusOK || string(r.obj["message"]) != `"Transaction fetched successfully"` ||
		r.Header.Get("Content-Type") != "application/json; charset=utf-8" {
		t.Fatalf("transaction: %d %s", r.Status, r.Raw)
	}
	var tx map[string]json.RawMessage
	_ = json.Unmarshal(r.obj["transaction"], &tx)
	// The keys in the get-transaction page's order.
	if keys := emutest.Keys(t, r.obj["transaction"]); keys != "ServiceName,ServiceCode,OperatorApi,Type,Amount,Number,Status,Initiated_at,Completed_at" {
		t.Errorf("transaction keys %v", keys)
	}
	if string(tx["Amount"]) != "5000" || string(tx["Status"]) != `"PENDING"` || string(tx["Completed_at"]) != "null" {
		t.Errorf("transaction %s", r.obj["transaction"])
	}

	for _, by := range []string{id, "pay_01"} {
		r := call(t, s, http.MethodGet, "/api/v1/transaction/merchant/"+by, s.APIKey, "")
		var m map[string]any
		_ = json.Unmarshal(r.obj["transaction"], &m)
		if r.Status != http.StatusOK || m["transactionId"] != id || m["externalTransactionId"] != "pay_01" ||
			m["PaymentUrl"] != s.URL+"/process/"+id || m["Status"] != "PENDING" || m["ItemName"] != "T-shirt Premium" ||
			m["ItemPrice"] != 5000.0 || m["Amount"] != 5000.0 || m["customData"] != "{}" || m["Completed_at"] != nil {
			t.Errorf("merchant by %s: %d %s", by, r.Status, r.Raw)
		}
		if keys := emutest.Keys(t, r.obj["transaction"]); keys != "transactionId,externalTransactionId,PaymentUrl,Status,"+
			"ItemName,ItemPrice,Amount,customData,Initiated_at,Completed_at" {
			t.Errorf("merchant keys %s", keys)
		}
	}

	for _, path := range []string{"/api/v1/transaction/MID000000000", "/api/v1/transaction/merchant/pay_02"} {
		r := call(t, s, http.MethodGet, path, s.APIKey, "")
		if r.Status != http.StatusNotFound || string(r.Raw) != `{"message":["No transaction found"],"success":false}` {
			t.Errorf("%s: %d %s", path, r.Status, r.Raw)
		}
	}
	if r := call(t, s, http.MethodGet, "/api/v1/api-services/balance", s.APIKey, ""); r.Status != http.StatusNotFound || len(r.messages()) != 1 {
		t.Errorf("unknown route: %d %s", r.Status, r.Raw)
	}
}

// linkTo is validLink with its externalTransactionId and callBackURL
// replaced.
func linkTo(external, callback string) string {
	b := strings.Replace(validLink, `"pay_01"`, `"`+external+`"`, 1)
	return strings.Replace(b, "https://shop.example/callback", callback, 1)
}

func TestPageFlow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := emutest.Start(t, New, providertest.WithMerchant("Boutique Awa"))
	sh := emutest.NewShop(t)
	dashboard := emutest.NewShop(t)
	s.SetWebhookURL(dashboard.URL)

	id, page := getLink(t, s, linkTo("pay_01", sh.URL+"/hooks/pay_01"))
	html := emutest.Page(t, page)
	emutest.Shows(t, "page", html, "Boutique Awa", "5000 FCFA", "T-shirt Premium", `action="/process/`+id+`/pay"`, `/fail"`, `/cancel"`)

	back, err := s.Act(ctx, page, providertest.Pay)
	if err != nil {
		t.Fatal(err)
	}
	if back != "https://shop.example/success" {
		t.Errorf("return URL %s", back)
	}
	p, _ := s.Payment(id)
	if p.Status != "SUCCESS" || p.Fee != 50 || p.ServiceCode != "OM_SN_CASHOUT" || p.PhoneNumber != "771234567" || p.CompletedAt.IsZero() {
		t.Errorf("record %+v", p)
	}

	// Delivered to callBackURL before Act returned, unsigned.
	if sh.Count() != 1 || dashboard.Count() != 0 {
		t.Fatalf("%d notifications, %d to the dashboard URL", sh.Count(), dashboard.Count())
	}
	r, body := sh.At(0)
	if r.URL.Path != "/hooks/pay_01" || r.Header.Get("Content-Type") != "application/json" ||
		r.Header.Get(dexchange.SignatureHeader) != "" || r.Header.Get(dexchange.LegacySignatureHeader) != "" {
		t.Errorf("notification %s %v", r.URL.Path, r.Header)
	}
	want := fmt.Sprintf(`{"id":%q,"externalTransactionId":"pay_01","transactionType":"PAYMENT","AMOUNT":5000,"FEE":50,`+
		`"PHONE_NUMBER":"771234567","STATUS":"SUCCESS","CUSTOM_DATA":"{}","COMPLETED_AT":%q}`, id, p.CompletedAt.Format(time.RFC3339))
	if string(body) != want {
		t.Errorf("notification\n got %s\nwant %s", body, want)
	}

	// A second action is refused.
	emutest.Refuses(t, s.Act, page, providertest.Cancel, "second action accepted")
	if code := emutest.Post(t, page+"/cancel"); code != http.StatusConflict {
		t.Errorf("second action: %d", code)
	}
	if p, _ := s.Payment(id); p.Status != "SUCCESS" || sh.Count() != 1 {
		t.Errorf("second action changed things: %+v, %d notifications", p, sh.Count())
	}
	res, _ := http.Get(page)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("closed page: %d", res.StatusCode)
	}

	for i, c := range []struct {
		a    providertest.Action
		want string
	}{{providertest.Fail, "FAILED"}, {providertest.Cancel, "CANCELLED"}} {
		ext := fmt.Sprint("pay_f", i)
		_, page := getLink(t, s, linkTo(ext, sh.URL+"/hooks/"+ext))
		back, err := s.Act(ctx, page, c.a)
		if err != nil || back != "https://shop.example/failure" {
			t.Errorf("%s: %q %v", c.a, back, err)
		}
		_, body := sh.At(sh.Count() - 1)
		if !bytes.Contains(body, []byte(`"STATUS":"`+c.want+`"`)) || !bytes.Contains(body, []byte(`"FEE":0`)) {
			t.Errorf("%s: notification %s", c.a, body)
		}
	}
	emutest.Refuses(t, s.Act, s.URL+"/process/MID000000000", providertest.Pay, "unknown transaction accepted")
	if res, _ := http.Get(s.URL + "/process/MID000000000"); res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown page: %d", res.StatusCode)
	}
}

func TestSignedWebhooks(t *testing.T) {
	t.Parallel()
	s := emutest.Start(t, New, WithWebhookSecret("whsec_1"))
	sh := emutest.NewShop(t)
	_, page := getLink(t, s, linkTo("pay_01", sh.URL))
	emutest.Act(t, s.Act, page, providertest.Pay)
	r, body := sh.At(0)
	if err := dexchange.VerifySignature(body, r.Header.Get(dexchange.SignatureHeader), "whsec_1"); err != nil {
		t.Errorf("signature: %v", err)
	}
	if r.Header.Get(dexchange.SignatureHeader) != dexchange.Sign("whsec_1", body) {
		t.Errorf("header %v", r.Header)
	}
	if cfg := s.Config(); len(cfg.WebhookSecrets) != 1 || cfg.WebhookSecrets[0] != "whsec_1" {
		t.Errorf("config %+v", cfg)
	}
}

func TestFaultsAndDelta(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := emutest.Start(t, New)
	sh := emutest.NewShop(t)
	s.InjectFault(providertest.OpCreate, providertest.Fault{Kind: providertest.FaultStatus, Status: 503, RetryAfter: 2 * time.Second})
	r := call(t, s, http.MethodPost, "/api/v1/transaction/merchant/get-link", s.APIKey, validLink)
	if r.Status != 503 || r.Header.Get("Retry-After") != "2" || string(r.Raw) != `{"message":["Service Unavailable"],"success":false}` {
		t.Errorf("injected 503: %d %v %s", r.Status, r.Header, r.Raw)
	}
	if s.transactions() != 0 {
		t.Error("a failed get-link created a transaction")
	}
	id, page := getLink(t, s, linkTo("pay_01", sh.URL))

	s.InjectFault(providertest.OpStatus, providertest.Fault{Kind: providertest.FaultStatus, Status: 429, Times: 2})
	for _, path := range []string{"/api/v1/transaction/" + id, "/api/v1/transaction/merchant/" + id} {
		if r := call(t, s, http.MethodGet, path, s.APIKey, ""); r.Status != 429 || r.messages()[0] != "ThrottlerException: Too Many Requests" {
			t.Errorf("injected 429 on %s: %d %s", path, r.Status, r.Raw)
		}
	}
	s.InjectFault(providertest.OpAny, providertest.Fault{Kind: providertest.FaultStatus, Status: 403, Times: 5})
	if r := call(t, s, http.MethodGet, "/api/v1/transaction/"+id, s.APIKey, ""); r.Status != 403 || r.messages()[0] != "API under maintenance" {
		t.Errorf("OpAny: %d %s", r.Status, r.Raw)
	}
	s.InjectFault(providertest.OpAny, providertest.Fault{Times: -1})
	if r := call(t, s, http.MethodGet, "/api/v1/transaction/"+id, s.APIKey, ""); r.Status != 200 {
		t.Errorf("after clearing: %d", r.Status)
	}

	s.ReportAmountDelta(-1000)
	r = call(t, s, http.MethodGet, "/api/v1/transaction/"+id, s.APIKey, "")
	if !bytes.Contains(r.obj["transaction"], []byte(`"Amount":4000`)) {
		t.Errorf("delta: %s", r.obj["transaction"])
	}
	_, _ = s.Act(ctx, page, providertest.Pay)
	if _, body := sh.At(0); !bytes.Contains(body, []byte(`"AMOUNT":4000`)) {
		t.Errorf("delta in the notification: %s", body)
	}
	if p, _ := s.Payment(id); p.ItemPrice != 5000 {
		t.Errorf("delta changed the record: %d", p.ItemPrice)
	}
}

func TestRateLimit(t *testing.T) {
	t.Parallel()
	clk := emutest.NewClock()
	s := emutest.Start(t, New, WithRateLimit(3, 300*time.Millisecond), providertest.WithClock(clk.Now))
	for i := range 3 {
		if r := call(t, s, http.MethodGet, "/api/v1/transaction/x", s.APIKey, ""); r.Status != 404 {
			t.Fatalf("call %d: %d", i, r.Status)
		}
	}
	r := call(t, s, http.MethodGet, "/api/v1/transaction/x", s.APIKey, "")
	if r.Status != 429 || r.Header.Get("Retry-After") != "1" || string(r.Raw) != `{"message":["ThrottlerException: Too Many Requests"],"success":false}` {
		t.Errorf("over the limit: %d %v %s", r.Status, r.Header, r.Raw)
	}
	// Even a call without the key counts.
	if r := call(t, s, http.MethodGet, "/api/v1/transaction/x", "", ""); r.Status != 429 {
		t.Errorf("unauthenticated over the limit: %d", r.Status)
	}
	clk.Advance(299 * time.Millisecond)
	if r := call(t, s, http.MethodGet, "/api/v1/transaction/x", s.APIKey, ""); r.Status != 429 {
		t.Errorf("just inside the window: %d", r.Status)
	}
	clk.Advance(time.Millisecond)
	if r := call(t, s, http.MethodGet, "/api/v1/transaction/x", s.APIKey, ""); r.Status != 404 {
		t.Errorf("after the window: %d", r.Status)
	}

	def := emutest.Start(t, New)
	for i := range DefaultRateLimit {
		if r := call(t, def, http.MethodGet, "/api/v1/transaction/x", def.APIKey, ""); r.Status != 404 {
			t.Fatalf("call %d: %d", i, r.Status)
		}
	}
	r = call(t, def, http.MethodGet, "/api/v1/transaction/x", def.APIKey, "")
	if r.Status != 429 || r.Header.Get("Retry-After") == "" {
		t.Errorf("call 101: %d %v", r.Status, r.Header)
	}

	off := emutest.Start(t, New, WithRateLimit(0, 0))
	for i := range DefaultRateLimit + 20 {
		if r := call(t, off, http.MethodGet, "/api/v1/transaction/x", off.APIKey, ""); r.Status != 404 {
			t.Fatalf("unlimited call %d: %d", i, r.Status)
		}
	}
}

func TestForge(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, secret := range []string{"", "whsec_1"} {
		s := New(WithWebhookSecret(secret))
		sh := emutest.NewShop(t, 401)
		id, _ := getLink(t, s, validLink)
		if err := s.Forge(ctx, sh.URL, id); err != nil {
			t.Fatal(err)
		}
		r, body := sh.At(0)
		got := r.Header.Get(dexchange.SignatureHeader)
		switch {
		case secret == "" && got != "":
			t.Errorf("unsigned emulator signed a forgery: %q", got)
		case secret != "" && dexchange.VerifySignature(body, got, secret) == nil:
			t.Error("forged notification verifies")
		}
		if !bytes.Contains(body, []byte(`"STATUS":"SUCCESS"`)) || !bytes.Contains(body, []byte(`"id":"`+id+`"`)) ||
			!bytes.Contains(body, []byte(`"externalTransactionId":"pay_01"`)) {
			t.Errorf("forged body %s", body)
		}
		if p, _ := s.Payment(id); p.Status != "PENDING" {
			t.Errorf("Forge changed the record: %s", p.Status)
		}
		if ds := s.Deliveries(); len(ds) != 1 || !ds[0].Forged || ds[0].StatusCode != 401 {
			t.Errorf("deliveries %+v", ds)
		}
		s.Close()
	}
}

func TestExpireAndSetStatus(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := emutest.Start(t, New)
	sh := emutest.NewShop(t)
	id, page := getLink(t, s, linkTo("pay_01", sh.URL))
	if err := s.SetStatus(id, "PROCESSING"); err != nil {
		t.Fatal(err)
	}
	if p, _ := s.Payment(id); p.Status != "PROCESSING" || sh.Count() != 0 {
		t.Errorf("SetStatus: %+v", p)
	}
	if err := s.Expire(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, body := sh.At(0); !bytes.Contains(body, []byte(`"STATUS":"EXPIRED"`)) || !bytes.Contains(body, []byte(`"PHONE_NUMBER":null`)) {
		t.Errorf("expiry notification %s", body)
	}
	emutest.Refuses(t, s.Act, page, providertest.Pay, "paid an expired link")
	if err := s.Expire(ctx, id); err == nil {
		t.Error("expired twice")
	}
	if err := s.Expire(ctx, "MID-unknown"); err == nil {
		t.Error("expired an unknown transaction")
	}
	if err := s.SetStatus("MID-unknown", "SUCCESS"); err == nil {
		t.Error("SetStatus on an unknown transaction")
	}
}

func TestRequests(t *testing.T) {
	t.Parallel()
	s := emutest.Start(t, New)
	getLink(t, s, validLink)
	reqs := s.Requests()
	if len(reqs) != 1 || reqs[0].Method != http.MethodPost || reqs[0].Path != "/api/v1/transaction/merchant/get-link" ||
		string(reqs[0].Body) != validLink || reqs[0].Header.Get("Authorization") != "Bearer "+s.APIKey {
		t.Errorf("requests %+v", reqs)
	}
	reqs[0].Body[0] = 'X'
	if s.Requests()[0].Body[0] != '{' {
		t.Error("Requests shares its buffers")
	}
}

func TestProvider(t *testing.T) {
	t.Parallel()
	s := emutest.Start(t, New)
	cfg := s.Config()
	if s.Provider().Name() != "dexchange" || cfg.BaseURL != s.URL+"/api/v1" || cfg.APIKey != s.APIKey || len(cfg.WebhookSecrets) != 0 || !strings.HasPrefix(s.APIKey, "sk.test.") {
		t.Errorf("provider %s, config %+v", s.Provider().Name(), cfg)
	}
}

// TestPageChoice: the page is DEXCHANGE's, in French, with Senegal's
// collection services and the customer's details; the service chosen and
// the number typed are the transaction's.
func TestPageChoice(t *testing.T) {
	t.Parallel()
	s := emutest.Start(t, New)
	id, page := getLink(t, s, validLink)
	html := emutest.Page(t, page)
	emutest.Shows(t, "page", html,
		"<title>DEXCHANGE checkout (emulator)</title>", `<html lang="fr">`, "Payer 5000 FCFA", "T-shirt Premium",
		`value="OM_SN_CASHOUT" checked> Orange Money`, `value="WAVE_SN_CASHOUT"> Wave`, `value="FM_SN_CASHOUT"> Free Money`,
		`value="WIZALL_SN_CASHOUT"> Wizall Money`, `name="customer_email" type="email" value="awa@example.com"`,
		`name="customer_phone" type="tel" autocomplete="tel" value="771234567"`,
	)
	emutest.Choose(t, page, providertest.Pay, url.Values{"operator": {"WAVE_SN_CASHOUT"}, "customer_phone": {"781112233"}})
	r := call(t, s, http.MethodGet, "/api/v1/transaction/"+id, s.APIKey, "")
	for _, want := range []string{`"ServiceCode":"WAVE_SN_CASHOUT"`, `"ServiceName":"Wave Senegal"`, `"Number":"781112233"`, `"Status":"SUCCESS"`} {
		if !strings.Contains(string(r.Raw), want) {
			t.Errorf("lookup lacks %s: %s", want, r.Raw)
		}
	}
}

// TestPayLater: the transaction becomes PROCESSING, its callBackURL is
// notified, and the customer goes to successUrl; ConfirmLater makes it
// SUCCESS and notifies again, once.
func TestPayLater(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := emutest.Start(t, New)
	sh := emutest.NewShop(t)
	id, page := getLink(t, s, linkTo("pay_01", sh.URL+"/hooks"))
	back, err := s.Act(ctx, page, providertest.PayLater)
	if err != nil || back != "https://shop.example/success" {
		t.Fatalf("pay later: %q %v", back, err)
	}
	if p, _ := s.Payment(id); p.Status != "PROCESSING" || !p.Later || sh.Count() != 1 {
		t.Errorf("after pay later: %+v, %d notifications", p, sh.Count())
	}
	if _, body := sh.At(0); !strings.Contains(string(body), `"STATUS":"PROCESSING"`) {
		t.Errorf("notification %s", body)
	}
	emutest.Held(t, s.Act, page, "Confirmez sur votre téléphone", providertest.Fail)
	if err := s.ConfirmLater(ctx, id); err != nil {
		t.Fatal(err)
	}
	if p, _ := s.Payment(id); p.Status != "SUCCESS" || p.Later || p.Fee != 50 || sh.Count() != 2 {
		t.Errorf("after ConfirmLater: %+v, %d notifications", p, sh.Count())
	}
	if _, body := sh.At(1); !strings.Contains(string(body), `"STATUS":"SUCCESS"`) {
		t.Errorf("notification %s", body)
	}
	emutest.NotWaiting(t, s.ConfirmLater, id, sh, 2)
}
