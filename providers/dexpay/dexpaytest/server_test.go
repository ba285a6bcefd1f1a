package dexpaytest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cauripay/cauri/internal/emulator"
	"github.com/cauripay/cauri/internal/emulator/emutest"
	"github.com/cauripay/cauri/providers/dexpay"
	"github.com/cauripay/cauri/providers/providertest"
)

// validSession is the SDK README's body, with the kit's URLs.
const validSession = `{"reference":"pay_01","item_name":"Abonnement Premium","amount":10000,"currency":"XOF",` +
	`"success_url":"https://shop.example/success","failure_url":"https://shop.example/cancel","webhook_url":"https://shop.example/webhook"}`

type reply struct {
	status int
	header http.Header
	raw    []byte
	obj    map[string]json.RawMessage
}

// messages returns the error answer's message as a list, whether a string
// or an array.

// The API's answers and notifications as the SDK types them, to read
// them back.

// sessionData is a session as the API answers it, in the SDK's order.
type sessionData struct {
	Reference         string       `json:"reference"`
	Amount            any          `json:"amount"`
	Currency          string       `json:"currency"`
	Status            string       `json:"status"`
	PaymentURL        string       `json:"payment_url"`
	SuccessURL        string       `json:"success_url"`
	FailureURL        string       `json:"failure_url"`
	WebhookURL        string       `json:"webhook_url"`
	ExpiresAt         any          `json:"expires_at"`
	IsSandbox         bool         `json:"isSandbox"`
	PaymentAttempt    *attemptData `json:"payment_attempt,omitempty"`
	SandboxPaymentURL string       `json:"sandbox_payment_url,omitempty"`
	ClientSupportFee  *bool        `json:"client_support_fee"`
	Metadata          any          `json:"metadata"`
	CreatedAt         string       `json:"createdAt"`
}

// attemptData is the customer's payment attempt on a session.
type attemptData struct {
	ID         string `json:"id"`
	Status     string `json:"status"`
	PaymentURL string `json:"payment_url"`
	Operator   string `json:"operator"`
}

// webhookData is a notification's data, with the fields the plugin reads
// and the session's amount, currency and status.
type webhookData struct {
	Reference     string `json:"reference"`
	Status        string `json:"status"`
	Amount        any    `json:"amount"`
	Currency      string `json:"currency"`
	TransactionID any    `json:"transaction_id"`
	PaymentMethod any    `json:"payment_method"`
	Operator      any    `json:"operator"`
	Metadata      any    `json:"metadata"`
	IsSandbox     bool   `json:"isSandbox"`
	Error         string `json:"error,omitempty"`
	ErrorCode     string `json:"error_code,omitempty"`
	RefundAmount  any    `json:"refund_amount,omitempty"`
	RefundID      string `json:"refund_id,omitempty"`
	CompletedAt   any    `json:"completed_at"`
}

// payoutData is a payout as the API answers it, as the SDK types it.
type payoutData struct {
	ID                 string            `json:"id"`
	Reference          string            `json:"reference"`
	Amount             any               `json:"amount"`
	Currency           string            `json:"currency"`
	Fees               any               `json:"fees"`
	TotalAmount        any               `json:"total_amount"`
	Status             string            `json:"status"`
	DestinationPhone   string            `json:"destination_phone"`
	DestinationDetails map[string]string `json:"destination_details"`
	Metadata           any               `json:"metadata"`
	FailureReason      any               `json:"failure_reason"`
	CompletedAt        any               `json:"completed_at"`
	CreatedAt          string            `json:"createdAt"`
	UpdatedAt          string            `json:"updatedAt"`
}

func (r reply) messages() []string {
	var m []string
	if json.Unmarshal(r.obj["message"], &m) == nil {
		return m
	}
	var s string
	_ = json.Unmarshal(r.obj["message"], &s)
	return []string{s}
}

// data decodes the answer's data into v.
func (r reply) data(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.obj["data"], v); err != nil {
		t.Fatalf("data of %s: %v", r.raw, err)
	}
}

func call(t *testing.T, s *Server, method, path string, headers map[string]string, body string) reply {
	t.Helper()
	var pairs []string
	for k, v := range headers {
		pairs = append(pairs, k, v)
	}
	a := emutest.Call(t, method, s.URL+path, body, pairs...)
	r := reply{status: a.Status, header: a.Header, raw: a.Raw}
	_ = json.Unmarshal(r.raw, &r.obj)
	return r
}

func keys(s *Server) map[string]string {
	return map[string]string{"x-api-key": s.APIKey, "x-api-secret": s.APISecret}
}

func create(t *testing.T, s *Server, body string) sessionData {
	t.Helper()
	r := call(t, s, http.MethodPost, "/api/v1/checkout-sessions", keys(s), body)
	if r.status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.status, r.raw)
	}
	var d sessionData
	r.data(t, &d)
	return d
}

func TestAuth(t *testing.T) {
	t.Parallel()
	s := emutest.Start(t, New)
	tests := []struct {
		name    string
		headers map[string]string
		status  int
		message string
	}{
		{"none", nil, 401, "Missing API credentials: x-api-key and x-api-secret are required"},
		{"key only", map[string]string{"x-api-key": s.APIKey}, 401, "Missing API credentials: x-api-key and x-api-secret are required"},
		{"bearer", map[string]string{"Authorization": "Bearer " + s.APISecret}, 401, "Missing API credentials: x-api-key and x-api-secret are required"},
		{"wrong secret", map[string]string{"x-api-key": s.APIKey, "x-api-secret": s.APISecret + "x"}, 401, "Invalid API credentials"},
		{"keys swapped", map[string]string{"x-api-key": s.APISecret, "x-api-secret": s.APIKey}, 401, "Invalid API credentials"},
		{"right", keys(s), 201, ""},
	}
	for _, tt := range tests {
		r := call(t, s, http.MethodPost, "/api/v1/checkout-sessions", tt.headers, strings.Replace(validSession, "pay_01", "pay_"+strings.ReplaceAll(tt.name, " ", "_"), 1))
		if r.status != tt.status {
			t.Errorf("%s: HTTP %d %s", tt.name, r.status, r.raw)
			continue
		}
		if tt.message != "" {
			if m := r.messages(); len(m) != 1 || m[0] != tt.message || string(r.obj["success"]) != "false" || string(r.obj["code"]) != `"UNAUTHORIZED"` {
				t.Errorf("%s: %s", tt.name, r.raw)
			}
		}
	}
	if !strings.HasPrefix(s.APIKey, "pk_test_") || !strings.HasPrefix(s.APISecret, "sk_test_") || !strings.HasPrefix(s.WebhookSecret, "whsec_") {
		t.Errorf("sandbox keys %q %q %q", s.APIKey, s.APISecret, s.WebhookSecret)
	}
	live := emutest.Start(t, New, WithMode(dexpay.Live))
	if !strings.HasPrefix(live.APIKey, "pk_live_") || !strings.HasPrefix(live.APISecret, "sk_live_") || live.Config().Mode != dexpay.Live {
		t.Errorf("live keys %q %q", live.APIKey, live.APISecret)
	}
}

// TestCreateValidation: what the SDK and the plugin send is taken; what a
// NestJS API with these rules refuses is refused.
func TestCreateValidation(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	s := emutest.Start(t, New, providertest.WithClock(func() time.Time { return now }))
	// set returns validSession with fields set (or deleted, for ""):
	// field, value, field, value...
	set := func(fv ...string) string {
		var m map[string]json.RawMessage
		_ = json.Unmarshal([]byte(validSession), &m)
		for i := 0; i+1 < len(fv); i += 2 {
			if fv[i+1] == "" {
				delete(m, fv[i])
			} else {
				m[fv[i]] = json.RawMessage(fv[i+1])
			}
		}
		b, _ := json.Marshal(m)
		return string(b)
	}
	plugin := `{"reference":"WC_42_1764000000_1234","item_name":"Pagne, Boubou","amount":15000,"currency":"XOF",` +
		`"success_url":"https://shop.example/checkout/order-received/42/","failure_url":"https://shop.example/checkout/",` +
		`"webhook_url":"https://shop.example/wc-api/dexpay_webhook/","is_one_shot_payment":true,"client_support_fee":false,` +
		`"metadata":{"order_id":42,"order_key":"wc_order_x","customer_id":0,"source":"woocommerce","plugin_version":"1.1.1"}}`
	tests := []struct {
		name   string
		body   string
		amount int64
		errs   []string // nil: accepted
	}{
		{"SDK README", validSession, 10000, nil},
		{"plugin", plugin, 15000, nil},
		{"SDK options", set("expires_at", `"2026-12-31T23:59:59Z"`, "client_support_fee", `true`, "metadata", `{"plan":"premium"}`), 10000, nil},
		{"amount as a string", set("amount", `"5000"`), 5000, nil},
		{"amount with zero decimals", set("amount", `5000.0`), 5000, nil},
		{"amount string with zero decimals", set("amount", `"5000.00"`), 5000, nil},
		{"null options", set("metadata", `null`), 10000, nil},
		{"GNF", set("currency", `"GNF"`), 10000, nil},
		{"fractional amount", set("amount", `50.5`), 0, []string{"amount must be an integer: XOF, XAF and GNF have no decimals"}},
		{"zero", set("amount", `0`), 0, []string{"amount must be a positive number"}},
		{"negative string", set("amount", `"-10"`), 0, []string{"amount must be a positive number"}},
		{"word", set("amount", `"cinq mille"`), 0, []string{"amount must be a number conforming to the specified constraints"}},
		{"boolean amount", set("amount", `true`), 0, []string{"amount must be a number conforming to the specified constraints"}},
		{"no amount", set("amount", ""), 0, []string{"amount should not be empty"}},
		{"lower-case currency", set("currency", `"xof"`), 0, []string{"currency must be one of the following values: XOF, XAF, GNF"}},
		{"USD", set("currency", `"USD"`), 0, []string{"currency must be one of the following values: XOF, XAF, GNF"}},
		{"no reference", set("reference", ""), 0, []string{"reference should not be empty", "reference must be a string"}},
		{"blank item", set("item_name", `"  "`), 0, []string{"item_name should not be empty"}},
		{"numeric reference", set("reference", `42`), 0, []string{"reference must be a string"}},
		{"long reference", set("reference", `"`+strings.Repeat("r", 101)+`"`), 0, []string{"reference must be shorter than or equal to 100 characters"}},
		{"relative URL", set("success_url", `"/thanks"`), 0, []string{"success_url must be a URL address"}},
		{"no webhook_url", set("webhook_url", ""), 0, []string{"webhook_url should not be empty", "webhook_url must be a string"}},
		{"past expiry", set("expires_at", `"2026-12-01T11:00:00Z"`), 0, []string{"expires_at must be in the future"}},
		{"bad expiry", set("expires_at", `"tomorrow"`), 0, []string{"expires_at must be a valid ISO 8601 date string"}},
		{"metadata array", set("metadata", `[]`), 0, []string{"metadata must be an object"}},
		{"fee flag as a word", set("client_support_fee", `"yes"`), 0, []string{"client_support_fee must be a boolean value"}},
		{"unknown fields", set("cancel_url", `"https://x.example"`, "customer", `{}`), 0,
			[]string{"property cancel_url should not exist", "property customer should not exist"}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := strings.Replace(tt.body, `"pay_01"`, `"pay_`+string(rune('a'+i))+`"`, 1)
			r := call(t, s, http.MethodPost, "/api/v1/checkout-sessions", keys(s), body)
			if tt.errs == nil {
				if r.status != http.StatusCreated || string(r.obj["success"]) != "true" {
					t.Fatalf("HTTP %d %s", r.status, r.raw)
				}
				var d sessionData
				r.data(t, &d)
				if d.Status != StatusPending || d.Amount != float64(tt.amount) || !d.IsSandbox || !strings.HasPrefix(d.PaymentURL, s.URL+"/checkout/cs_") {
					t.Errorf("session %+v", d)
				}
				return
			}
			if r.status != http.StatusBadRequest || !slices.Equal(r.messages(), tt.errs) || string(r.obj["code"]) != `"VALIDATION_ERROR"` {
				t.Errorf("HTTP %d %s, want 400 %q", r.status, r.raw, tt.errs)
			}
		})
	}

	for _, body := range []string{`not json`, `[]`, `null`} {
		if r := call(t, s, http.MethodPost, "/api/v1/checkout-sessions", keys(s), body); r.status != http.StatusBadRequest {
			t.Errorf("%s: HTTP %d", body, r.status)
		}
	}
}

func TestDuplicateReference(t *testing.T) {
	t.Parallel()
	s := emutest.Start(t, New)
	create(t, s, validSession)
	r := call(t, s, http.MethodPost, "/api/v1/checkout-sessions", keys(s), validSession)
	if r.status != http.StatusConflict || r.messages()[0] != "A checkout session with this reference already exists" {
		t.Errorf("HTTP %d %s", r.status, r.raw)
	}
}

func TestLookups(t *testing.T) {
	t.Parallel()
	s := emutest.Start(t, New)
	d := create(t, s, validSession)
	ss, _ := s.Session("pay_01")
	for _, path := range []string{"/api/v1/checkout-sessions/reference/pay_01", "/api/v1/checkout-sessions/pay_01", "/api/v1/checkout-sessions/" + ss.ID} {
		r := call(t, s, http.MethodGet, path, keys(s), "")
		var got sessionData
		r.data(t, &got)
		if r.status != http.StatusOK || got.Reference != "pay_01" || got.PaymentURL != d.PaymentURL || got.Status != StatusPending {
			t.Errorf("%s: HTTP %d %s", path, r.status, r.raw)
		}
	}
	for _, path := range []string{"/api/v1/checkout-sessions/reference/pay_02", "/api/v1/checkout-sessions/cs_nope"} {
		if r := call(t, s, http.MethodGet, path, keys(s), ""); r.status != http.StatusNotFound || r.messages()[0] != "Checkout session not found" {
			t.Errorf("%s: HTTP %d %s", path, r.status, r.raw)
		}
	}
	if r := call(t, s, http.MethodGet, "/api/v1/elsewhere", keys(s), ""); r.status != http.StatusNotFound {
		t.Errorf("unknown path: HTTP %d", r.status)
	}

	flat := emutest.Start(t, New, WithFlatAnswers(), WithStringAmounts())
	if r := call(t, flat, http.MethodPost, "/api/v1/checkout-sessions", keys(flat), validSession); r.status != http.StatusCreated {
		t.Fatalf("create: HTTP %d", r.status)
	}
	r := call(t, flat, http.MethodGet, "/api/v1/checkout-sessions/reference/pay_01", keys(flat), "")
	if r.status != http.StatusOK || string(r.obj["reference"]) != `"pay_01"` || string(r.obj["amount"]) != `"10000"` || r.obj["data"] != nil {
		t.Errorf("flat lookup %s", r.raw)
	}
}

// TestCreateFlat: with WithFlatAnswers the creation answers the session
// itself.
func TestProvider(t *testing.T) {
	t.Parallel()
	s := emutest.Start(t, New, WithKeys("pk_test_a", "sk_test_b"))
	if s.APIKey != "pk_test_a" || s.APISecret != "sk_test_b" || s.Provider().Name() != "dexpay" {
		t.Errorf("keys %q %q, provider %s", s.APIKey, s.APISecret, s.Provider().Name())
	}
	if _, ok := s.Payout("po_nope"); ok || s.SetStatus("pay_nope", StatusCompleted) == nil {
		t.Error("an unknown payout or session found")
	}
}

func TestCreateFlat(t *testing.T) {
	t.Parallel()
	s := emutest.Start(t, New, WithFlatAnswers())
	r := call(t, s, http.MethodPost, "/api/v1/checkout-sessions", keys(s), validSession)
	if r.status != http.StatusCreated || string(r.obj["reference"]) != `"pay_01"` || r.obj["success"] != nil {
		t.Errorf("HTTP %d %s", r.status, r.raw)
	}
}

func TestList(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	s := emutest.Start(t, New, providertest.WithClock(func() time.Time { mu.Lock(); defer mu.Unlock(); now = now.Add(time.Second); return now }))
	for _, ref := range []string{"pay_a", "pay_b", "pay_c"} {
		create(t, s, strings.Replace(validSession, "pay_01", ref, 1))
	}
	r := call(t, s, http.MethodGet, "/api/v1/checkout-sessions?page=1&limit=2", keys(s), "")
	var page []sessionData
	r.data(t, &page)
	if len(page) != 2 || page[0].Reference != "pay_c" || page[1].Reference != "pay_b" || string(r.obj["pagination"]) != `{"hasNextPage":true,"limit":2,"page":1,"total":3}` {
		t.Errorf("page 1: %s", r.raw)
	}
	r = call(t, s, http.MethodGet, "/api/v1/checkout-sessions?page=2&limit=2", keys(s), "")
	r.data(t, &page)
	if len(page) != 1 || page[0].Reference != "pay_a" {
		t.Errorf("page 2: %s", r.raw)
	}
	if r := call(t, s, http.MethodGet, "/api/v1/checkout-sessions?limit=500", keys(s), ""); r.status != http.StatusBadRequest {
		t.Errorf("limit 500: HTTP %d", r.status)
	}
}

// hook is the shop's webhook endpoint, the webhook_url of its sessions.
type hook struct{ *emutest.Shop }

func newHook(t *testing.T) hook { return hook{emutest.NewShop(t)} }

func (h hook) session(reference string) string {
	return strings.NewReplacer(`"pay_01"`, `"`+reference+`"`, "https://shop.example/webhook", h.URL+"/webhook").Replace(validSession)
}

// TestPage: the hosted page's buttons, the redirects, and a closed or
// expired session.
func TestPage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	h := newHook(t)
	s := emutest.Start(t, New, providertest.WithClock(clock), providertest.WithMerchant("Boutique Awa"))

	for _, tt := range []struct {
		action providertest.Action
		back   string
		status string
	}{
		{providertest.Pay, "https://shop.example/success", StatusCompleted},
		{providertest.Fail, "https://shop.example/cancel", StatusFailed},
		{providertest.Cancel, "https://shop.example/cancel", StatusCancelled},
	} {
		ref := "pay_" + string(tt.action)
		d := create(t, s, h.session(ref))
		res, err := emulator.NoRedirectClient(time.Minute).Get(d.PaymentURL)
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || !strings.Contains(string(page), "Boutique Awa") || !strings.Contains(string(page), "10000 XOF") {
			t.Errorf("page: %d %s", res.StatusCode, page)
		}
		back, err := s.Act(ctx, d.PaymentURL, tt.action)
		if err != nil || back != tt.back {
			t.Errorf("%s: back at %q, %v", tt.action, back, err)
		}
		if ss, _ := s.Session(ref); ss.Status != tt.status {
			t.Errorf("%s: session %s", tt.action, ss.Status)
		}
		if _, err := s.Act(ctx, d.PaymentURL, providertest.Pay); err == nil {
			t.Errorf("%s: a closed session took another action", tt.action)
		}
	}

	// A session past its expires_at takes no payment.
	d := create(t, s, strings.Replace(h.session("pay_exp"), `"currency"`, `"expires_at":"2026-12-01T12:30:00Z","currency"`, 1))
	mu.Lock()
	now = now.Add(time.Hour)
	mu.Unlock()
	if status, _, err := emulatorPress(ctx, s, d.PaymentURL, providertest.Pay); err != nil || status != http.StatusGone {
		t.Errorf("expired session: HTTP %d, %v", status, err)
	}
	if status, _, _ := emulatorPress(ctx, s, s.URL+"/checkout/cs_nope", providertest.Pay); status != http.StatusNotFound {
		t.Errorf("unknown session: HTTP %d", status)
	}

	got := h.All()
	if len(got) != 3 {
		t.Fatalf("%d notifications, want 3", len(got))
	}
	for i, want := range []string{"CHECKOUT_COMPLETED", "CHECKOUT_FAILED", "CHECKOUT_CANCELLED"} {
		var n struct {
			Event string      `json:"event"`
			Data  webhookData `json:"data"`
		}
		if err := json.Unmarshal(got[i].Body, &n); err != nil || n.Event != want || n.Data.Amount != float64(10000) || n.Data.Currency != "XOF" {
			t.Errorf("notification %d: %s", i, got[i].Body)
		}
		if err := dexpay.VerifySignature(got[i].Body, got[i].Header.Get(dexpay.SignatureHeader), s.WebhookSecret); err != nil {
			t.Errorf("notification %d: %v", i, err)
		}
	}
	if !strings.Contains(string(got[1].Body), `"error":"Solde insuffisant","error_code":"INSUFFICIENT_BALANCE"`) {
		t.Errorf("failure notification %s", got[1].Body)
	}
}

func emulatorPress(ctx context.Context, s *Server, page string, a providertest.Action) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, page+"/"+string(a), nil)
	if err != nil {
		return 0, "", err
	}
	res, err := emulator.NoRedirectClient(time.Minute).Do(req)
	if err != nil {
		return 0, "", err
	}
	res.Body.Close()
	return res.StatusCode, res.Header.Get("Location"), nil
}

// TestSandboxPaymentURL: the live page refuses a sandbox session; the
// sandbox page takes it.
func TestSandboxPaymentURL(t *testing.T) {
	t.Parallel()
	s := emutest.Start(t, New, WithSandboxPaymentURL())
	d := create(t, s, validSession)
	if d.SandboxPaymentURL == "" || d.SandboxPaymentURL == d.PaymentURL || !strings.HasPrefix(d.PaymentURL, s.URL+"/live/") {
		t.Fatalf("session %+v", d)
	}
	if status, _, _ := emulatorPress(context.Background(), s, d.PaymentURL, providertest.Pay); status != http.StatusForbidden {
		t.Errorf("live page: HTTP %d", status)
	}
	if back, err := s.Act(context.Background(), d.SandboxPaymentURL, providertest.Pay); err != nil || back != "https://shop.example/success" {
		t.Errorf("sandbox page: %q %v", back, err)
	}

	live := emutest.Start(t, New, WithSandboxPaymentURL(), WithMode(dexpay.Live))
	if d := create(t, live, validSession); d.SandboxPaymentURL != "" || d.IsSandbox || !strings.HasPrefix(d.PaymentURL, live.URL+"/checkout/") {
		t.Errorf("live session %+v", d)
	}
}

// TestNotificationSpellings: the plugin's and the SDK's event spellings,
// both signature headers, unsigned, and amounts as strings.
func TestNotificationSpellings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		opts       []Option
		key, event string
		header     string
		amount     string
	}{
		{"plugin", nil, "event", "CHECKOUT_COMPLETED", dexpay.SignatureHeader, `10000`},
		{"SDK", []Option{WithSDKEvents(), WithStringAmounts()}, "type", "checkout.completed", dexpay.SignatureHeader, `"10000"`},
		{"legacy header", []Option{WithLegacySignatureHeader(), WithWebhookSecret("whsec_fixed")}, "event", "CHECKOUT_COMPLETED", dexpay.LegacySignatureHeader, `10000`},
		{"unsigned", []Option{WithoutWebhookSignature()}, "event", "CHECKOUT_COMPLETED", "", `10000`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHook(t)
			s := emutest.Start(t, New, tt.opts...)
			d := create(t, s, h.session("pay_01"))
			emutest.Act(t, s.Act, d.PaymentURL, providertest.Pay)
			got := h.All()
			if len(got) != 1 {
				t.Fatalf("%d notifications", len(got))
			}
			var n map[string]json.RawMessage
			_ = json.Unmarshal(got[0].Body, &n)
			var data map[string]json.RawMessage
			_ = json.Unmarshal(n["data"], &data)
			if string(n[tt.key]) != `"`+tt.event+`"` || string(data["amount"]) != tt.amount || string(data["reference"]) != `"pay_01"` {
				t.Errorf("body %s", got[0].Body)
			}
			for _, name := range []string{dexpay.SignatureHeader, dexpay.LegacySignatureHeader} {
				v := got[0].Header.Get(name)
				switch {
				case name == tt.header && dexpay.VerifySignature(got[0].Body, v, s.WebhookSecret) != nil:
					t.Errorf("%s %q does not verify", name, v)
				case name != tt.header && v != "":
					t.Errorf("unexpected %s", name)
				}
			}
			if tt.header == "" && s.WebhookSecret != "" {
				t.Error("an unsigning server has a secret")
			}
		})
	}
}

func TestFaults(t *testing.T) {
	t.Parallel()
	s := emutest.Start(t, New)
	s.InjectFault(providertest.OpCreate, providertest.Fault{Kind: providertest.FaultStatus, Status: 503, RetryAfter: 1500 * time.Millisecond})
	r := call(t, s, http.MethodPost, "/api/v1/checkout-sessions", keys(s), validSession)
	if r.status != 503 || r.header.Get("Retry-After") != "2" || r.messages()[0] != "Service temporarily unavailable" || string(r.obj["success"]) != "false" {
		t.Errorf("HTTP %d %v %s", r.status, r.header, r.raw)
	}
	if _, ok := s.Session("pay_01"); ok {
		t.Error("a faulted creation was recorded")
	}
	create(t, s, validSession)

	s.InjectFault(providertest.OpAny, providertest.Fault{Kind: providertest.FaultStatus, Status: 500, Times: 2})
	for _, path := range []string{"/api/v1/checkout-sessions/reference/pay_01", "/api/v1/payouts/po_x"} {
		if r := call(t, s, http.MethodGet, path, keys(s), ""); r.status != 500 {
			t.Errorf("%s: HTTP %d", path, r.status)
		}
	}
	if r := call(t, s, http.MethodGet, "/api/v1/checkout-sessions/reference/pay_01", keys(s), ""); r.status != 200 {
		t.Errorf("after the faults: HTTP %d", r.status)
	}
}

func TestReportAmountDelta(t *testing.T) {
	t.Parallel()
	h := newHook(t)
	s := emutest.Start(t, New)
	d := create(t, s, h.session("pay_01"))
	s.ReportAmountDelta(-1000)
	emutest.Act(t, s.Act, d.PaymentURL, providertest.Pay)
	r := call(t, s, http.MethodGet, "/api/v1/checkout-sessions/reference/pay_01", keys(s), "")
	var got sessionData
	r.data(t, &got)
	if got.Amount != float64(9000) || !strings.Contains(string(h.All()[0].Body), `"amount":9000`) {
		t.Errorf("lookup %s, notification %s", r.raw, h.All()[0].Body)
	}
	if ss, _ := s.Session("pay_01"); ss.Amount != 10000 {
		t.Errorf("the record changed: %d", ss.Amount)
	}
}

func TestForge(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, opts := range [][]Option{nil, {WithoutWebhookSignature()}} {
		h := newHook(t)
		s := New(opts...)
		create(t, s, h.session("pay_01"))
		if err := s.Forge(ctx, h.URL, "pay_01"); err != nil {
			t.Fatal(err)
		}
		got := h.All()
		if len(got) != 1 || !strings.Contains(string(got[0].Body), `"CHECKOUT_COMPLETED"`) {
			t.Fatalf("forged %v", got)
		}
		sig := got[0].Header.Get(dexpay.SignatureHeader)
		switch {
		case s.WebhookSecret != "" && (sig == "" || dexpay.VerifySignature(got[0].Body, sig, s.WebhookSecret) == nil):
			t.Errorf("a forgery verifies: %q", sig)
		case s.WebhookSecret == "" && sig != "":
			t.Errorf("an unsigning server signed a forgery")
		}
		if ss, _ := s.Session("pay_01"); ss.Status != StatusPending {
			t.Errorf("a forgery changed the session: %s", ss.Status)
		}
		if dl := s.Deliveries(); len(dl) != 1 || !dl[0].Forged {
			t.Errorf("deliveries %+v", dl)
		}
		s.Close()
	}
}

func TestCancelSession(t *testing.T) {
	t.Parallel()
	h := newHook(t)
	s := emutest.Start(t, New, WithSDKEvents())
	create(t, s, h.session("pay_01"))
	r := call(t, s, http.MethodDelete, "/api/v1/checkout-sessions/pay_01", keys(s), "")
	var d sessionData
	r.data(t, &d)
	if r.status != 200 || d.Status != StatusCancelled {
		t.Errorf("HTTP %d %s", r.status, r.raw)
	}
	if got := h.All(); len(got) != 1 || !strings.Contains(string(got[0].Body), `"type":"checkout.cancelled"`) {
		t.Errorf("notifications %v", got)
	}
	if r := call(t, s, http.MethodDelete, "/api/v1/checkout-sessions/pay_01", keys(s), ""); r.status != 400 {
		t.Errorf("cancelling again: HTTP %d", r.status)
	}
	if r := call(t, s, http.MethodDelete, "/api/v1/checkout-sessions/pay_02", keys(s), ""); r.status != 404 {
		t.Errorf("unknown: HTTP %d", r.status)
	}
}

func TestRefundAndNotify(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := newHook(t)
	s := emutest.Start(t, New)
	d := create(t, s, h.session("pay_01"))
	if err := s.Refund(ctx, "pay_01"); err == nil {
		t.Error("a pending session was refunded")
	}
	emutest.Act(t, s.Act, d.PaymentURL, providertest.Pay)
	if err := s.Refund(ctx, "pay_01"); err != nil {
		t.Fatal(err)
	}
	if err := s.Notify(ctx, "pay_01"); err != nil {
		t.Fatal(err)
	}
	got := h.All()
	if len(got) != 3 || !strings.Contains(string(got[1].Body), `"event":"CHECKOUT_REFUNDED"`) ||
		!strings.Contains(string(got[1].Body), `"refund_amount":10000`) || !strings.HasPrefix(string(got[2].Body), `{"event":"CHECKOUT_REFUNDED","data":{"reference":"pay_01","status":"REFUNDED"`) {
		t.Errorf("notifications %q", got)
	}
	if err := s.SetStatus("pay_02", "PENDING"); err == nil {
		t.Error("SetStatus of an unknown session")
	}
}

const validPayout = `{"amount":10000,"currency":"XOF","destination_phone":"+221771234567",` +
	`"destination_details":{"operator":"wave","countryISO":"SN","recipient_name":"Jean Dupont"},"metadata":{"invoice_id":"INV_123"}}`

func TestPayouts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := emutest.Start(t, New)

	r := call(t, s, http.MethodPost, "/api/v1/payouts", keys(s), validPayout)
	var d payoutData
	r.data(t, &d)
	if r.status != http.StatusCreated || d.Status != StatusPending || !strings.HasPrefix(d.ID, "po_") || !strings.HasPrefix(d.Reference, "PO_") ||
		d.Amount != float64(10000) || d.Fees != float64(100) || d.TotalAmount != float64(10100) || d.DestinationDetails["recipient_name"] != "Jean Dupont" {
		t.Fatalf("HTTP %d %s", r.status, r.raw)
	}
	for _, id := range []string{d.ID, d.Reference} {
		if r := call(t, s, http.MethodGet, "/api/v1/payouts/"+id, keys(s), ""); r.status != http.StatusOK {
			t.Errorf("GET %s: HTTP %d", id, r.status)
		}
	}
	if r := call(t, s, http.MethodGet, "/api/v1/payouts/po_nope", keys(s), ""); r.status != http.StatusNotFound {
		t.Errorf("unknown payout: HTTP %d", r.status)
	}
	r = call(t, s, http.MethodPost, "/api/v1/payouts/"+d.ID+"/cancel", keys(s), `{"reason":"Demande client"}`)
	var c payoutData
	r.data(t, &c)
	if r.status != http.StatusOK || c.Status != StatusCancelled || c.FailureReason != "Demande client" {
		t.Errorf("cancel: HTTP %d %s", r.status, r.raw)
	}
	if r := call(t, s, http.MethodPost, "/api/v1/payouts/"+d.ID+"/cancel", keys(s), `{}`); r.status != http.StatusBadRequest {
		t.Errorf("cancel again: HTTP %d", r.status)
	}
	if err := s.SettlePayout(ctx, d.ID, StatusCompleted); err == nil {
		t.Error("a cancelled payout settled")
	}
	if err := s.SettlePayout(ctx, d.ID, "PAID"); err == nil {
		t.Error("a payout settled as PAID")
	}

	set := func(old, new string) string { return strings.Replace(validPayout, old, new, 1) }
	for _, tt := range []struct {
		body string
		errs []string
	}{
		{set(`"amount":10000`, `"amount":"2500"`), nil},
		{set(`"operator":"wave","countryISO":"SN"`, `"operator":"orange_money","countryISO":"GN"`), nil},
		{set(`"amount":10000`, `"amount":10.5`), []string{"amount must be an integer: XOF, XAF and GNF have no decimals"}},
		{set(`"+221771234567"`, `"771234567"`), []string{"destination_phone must be a valid phone number in E.164 format"}},
		{set(`"operator":"wave"`, `"operator":"free_money"`), []string{"destination_details.operator must be one of the following values: mtn, moov, orange_money, wave"}},
		{set(`"operator":"wave","countryISO":"SN"`, `"operator":"mtn","countryISO":"SN"`), []string{"destination_details.operator mtn is not available in SN"}},
		{set(`"countryISO":"SN"`, `"countryISO":"SEN"`), []string{"destination_details.countryISO must be one of the following values: BF, CI, GN, ML, SN"}},
		{set(`,"recipient_name":"Jean Dupont"`, `,"bank":"x"`), []string{"destination_details.property bank should not exist"}},
		{`{"amount":1,"currency":"XOF","destination_phone":"+221771234567"}`, []string{"destination_details should not be empty"}},
		{set(`"currency":"XOF"`, `"currency":"XOF","recipient_phone":"+221771234567"`), []string{"property recipient_phone should not exist"}},
	} {
		r := call(t, s, http.MethodPost, "/api/v1/payouts", keys(s), tt.body)
		switch {
		case tt.errs == nil && r.status != http.StatusCreated:
			t.Errorf("%s: HTTP %d %s", tt.body, r.status, r.raw)
		case tt.errs != nil && (r.status != http.StatusBadRequest || !slices.Equal(r.messages(), tt.errs)):
			t.Errorf("%s: HTTP %d %s, want %q", tt.body, r.status, r.raw, tt.errs)
		}
	}
}

func TestRequestsRecorded(t *testing.T) {
	t.Parallel()
	s := emutest.Start(t, New)
	create(t, s, validSession)
	call(t, s, http.MethodGet, "/api/v1/checkout-sessions/reference/pay_01", nil, "")
	reqs := s.Requests()
	if len(reqs) != 2 || reqs[0].Method != http.MethodPost || string(reqs[0].Body) != validSession ||
		reqs[0].Header.Get("x-api-key") != s.APIKey || reqs[1].Path != "/api/v1/checkout-sessions/reference/pay_01" {
		t.Errorf("requests %+v", reqs)
	}
}

// TestPageChoice: the page is DEXPAY's, in French, with the SDK's
// operators; the operator chosen is the notification's and the payment
// attempt's.
func TestPageChoice(t *testing.T) {
	t.Parallel()
	h := newHook(t)
	s := emutest.Start(t, New)
	d := create(t, s, h.session("pay_01"))
	html := emutest.Page(t, d.PaymentURL)
	emutest.Shows(t, "page", html,
		"<title>DEXPAY checkout (emulator)</title>", `<html lang="fr">`, "Payer 10000 XOF", "Abonnement Premium",
		`value="wave" checked> Wave`, `value="orange_money"> Orange Money`, `value="mtn"> MTN MoMo`, `value="moov"> Moov Money`,
		`name="customer_phone"`,
	)
	emutest.Choose(t, d.PaymentURL, providertest.Pay, url.Values{"operator": {"orange_money"}, "customer_phone": {"+221771234567"}})
	if ss, _ := s.Session("pay_01"); ss.Operator != "orange_money" || ss.Phone != "+221771234567" {
		t.Errorf("session %+v", ss)
	}
	if got := h.All(); len(got) != 1 || !strings.Contains(string(got[0].Body), `"operator":"orange_money"`) {
		t.Errorf("notifications %d", len(got))
	}
}

// TestPayLater: the session becomes PROCESSING with no notification and
// the customer goes to success_url; ConfirmLater completes it and sends
// CHECKOUT_COMPLETED, once.
func TestPayLater(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := newHook(t)
	s := emutest.Start(t, New)
	d := create(t, s, h.session("pay_01"))
	back, err := s.Act(ctx, d.PaymentURL, providertest.PayLater)
	if err != nil || back != "https://shop.example/success" {
		t.Fatalf("pay later: %q %v", back, err)
	}
	if ss, _ := s.Session("pay_01"); ss.Status != StatusProcessing || !ss.Later || ss.Operator != "wave" || len(h.All()) != 0 {
		t.Errorf("after pay later: %+v, %d notifications", ss, len(h.All()))
	}
	var got sessionData
	call(t, s, http.MethodGet, "/api/v1/checkout-sessions/reference/pay_01", keys(s), "").data(t, &got)
	if got.Status != StatusProcessing || got.PaymentAttempt == nil || got.PaymentAttempt.Operator != "wave" {
		t.Errorf("lookup %+v", got)
	}
	emutest.Refuses(t, s.Act, d.PaymentURL, providertest.Cancel, "cancel while waiting accepted")
	if err := s.ConfirmLater(ctx, "pay_01"); err != nil {
		t.Fatal(err)
	}
	ns := h.All()
	if ss, _ := s.Session("pay_01"); ss.Status != StatusCompleted || ss.Later || len(ns) != 1 ||
		!strings.Contains(string(ns[0].Body), `"event":"CHECKOUT_COMPLETED"`) {
		t.Errorf("after ConfirmLater: %+v, %d notifications", ss, len(ns))
	}
	emutest.NotWaiting(t, s.ConfirmLater, "pay_01", h.Shop, 1)
}
