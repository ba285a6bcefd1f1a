package moneyfusiontest

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cauripay/cauri/internal/emulator/emutest"
	"github.com/cauripay/cauri/providers/moneyfusion"
	"github.com/cauripay/cauri/providers/providertest"
)

const validPay = `{"totalPrice":5000,"article":[{"Pagne wax":5000}],` +
	`"personal_Info":[{"cauri_payment_id":"pay_01","orderId":"42"}],"numeroSend":"0701020304","nomclient":"Awa Diallo",` +
	`"return_url":"https://shop.example/back/pay_01/t?x=1","webhook_url":"%s"}`

type reply struct {
	status int
	header http.Header
	body   struct {
		Statut  *bool           `json:"statut"`
		Token   string          `json:"token"`
		Message string          `json:"message"`
		URL     string          `json:"url"`
		Data    json.RawMessage `json:"data"`
	}
	raw []byte
}

func call(t *testing.T, method, u, body string) reply {
	t.Helper()
	a := emutest.Call(t, method, u, body)
	r := reply{status: a.Status, header: a.Header, raw: a.Raw}
	_ = json.Unmarshal(r.raw, &r.body)
	return r
}

func payBody(webhookURL string) string { return strings.Replace(validPay, "%s", webhookURL, 1) }

func create(t *testing.T, s *Server, webhookURL string) (token, page string) {
	t.Helper()
	r := call(t, http.MethodPost, s.APIURL, payBody(webhookURL))
	if r.status != http.StatusOK || r.body.Statut == nil || !*r.body.Statut || r.body.Message != "paiement en cours" {
		t.Fatalf("pay: %d %s", r.status, r.raw)
	}
	if r.body.Token == "" || r.body.URL != s.URL+"/payment/"+r.body.Token+"/"+url.PathEscape(s.merchant) ||
		emutest.Keys(t, r.raw) != "statut,token,message,url" {
		t.Fatalf("pay answer %s", r.raw)
	}
	return r.body.Token, r.body.URL
}

func TestPayRequest(t *testing.T) {
	t.Parallel()
	s := emutest.Start(t, New, WithApp("MyShop", "0123456789abcdef"))
	if s.APIURL != s.URL+"/MyShop/0123456789abcdef/pay/" {
		t.Fatalf("APIURL %s", s.APIURL)
	}
	token, _ := create(t, s, "https://shop.example/hook")
	p, ok := s.Payment(token)
	if !ok || p.TotalPrice != 5000 || p.NumeroSend != "0701020304" || p.NomClient != "Awa Diallo" || p.Status != "pending" ||
		p.WebhookURL != "https://shop.example/hook" || len(p.ID) != 24 || len(p.Token) != 20 ||
		p.PersonalInfo[0]["cauri_payment_id"] != "pay_01" || string(p.RequestBody) != payBody("https://shop.example/hook") {
		t.Errorf("payment %+v", p)
	}
	// Without the trailing slash too, and with the Python SDK's string amount.
	if r := call(t, http.MethodPost, strings.TrimSuffix(s.APIURL, "/"), strings.Replace(payBody(""), `5000,`, `"5000",`, 1)); r.status != http.StatusOK {
		t.Errorf("no slash, string amount: %d %s", r.status, r.raw)
	}

	// The URL is the credential.
	for _, path := range []string{"/MyShop/0123456789abcdee/pay/", "/Other/0123456789abcdef/pay/", "/MyShop/0123456789abcdef/pay/x"} {
		r := call(t, http.MethodPost, s.URL+path, payBody(""))
		if r.status != http.StatusNotFound || r.body.Statut == nil || *r.body.Statut || r.body.Message == "" {
			t.Errorf("%s: %d %s", path, r.status, r.raw)
		}
	}
	if r := call(t, http.MethodGet, s.APIURL, ""); r.status != http.StatusNotFound {
		t.Errorf("GET: %d", r.status)
	}

	tests := []struct {
		name, body, fields string
	}{
		{"empty", `{}`, "totalPrice, article, numeroSend, nomclient"},
		{"zero", strings.Replace(payBody(""), `"totalPrice":5000`, `"totalPrice":0`, 1), "totalPrice"},
		{"decimal", strings.Replace(payBody(""), `"totalPrice":5000`, `"totalPrice":50.5`, 1), "totalPrice"},
		{"words", strings.Replace(payBody(""), `"totalPrice":5000`, `"totalPrice":"cinq"`, 1), "totalPrice"},
		{"article object", strings.Replace(payBody(""), `[{"Pagne wax":5000}]`, `{"Pagne wax":5000}`, 1), "article"},
		{"article empty", strings.Replace(payBody(""), `[{"Pagne wax":5000}]`, `[]`, 1), "article"},
		{"article price", strings.Replace(payBody(""), `[{"Pagne wax":5000}]`, `[{"Pagne wax":"beaucoup"}]`, 1), "article"},
		{"numeroSend number", strings.Replace(payBody(""), `"0701020304"`, `701020304`, 1), "numeroSend"},
		{"blank nomclient", strings.Replace(payBody(""), `"Awa Diallo"`, `"  "`, 1), "nomclient"},
		{"personal_Info", strings.Replace(payBody(""), `[{"cauri_payment_id":"pay_01","orderId":"42"}]`, `"pay_01"`, 1), "personal_Info"},
		{"return_url", strings.Replace(payBody(""), `https://shop.example/back/pay_01/t?x=1`, `/back`, 1), "return_url"},
		{"webhook_url", strings.Replace(payBody(""), `"webhook_url":""`, `"webhook_url":7`, 1), "webhook_url"},
	}
	for _, tt := range tests {
		r := call(t, http.MethodPost, s.APIURL, tt.body)
		if r.status != http.StatusBadRequest || r.body.Statut == nil || *r.body.Statut ||
			r.body.Message != "Champs manquants ou invalides : "+tt.fields {
			t.Errorf("%s: %d %s", tt.name, r.status, r.raw)
		}
	}
	for _, body := range []string{`{"totalPrice":`, `[]`, `null`} {
		if r := call(t, http.MethodPost, s.APIURL, body); r.status != http.StatusBadRequest {
			t.Errorf("%s: %d", body, r.status)
		}
	}
}

func TestStatusEndpoint(t *testing.T) {
	t.Parallel()
	s := emutest.Start(t, New)
	token, _ := create(t, s, "")
	r := call(t, http.MethodGet, s.URL+"/paiementNotif/"+token, "")
	if r.status != http.StatusOK || r.body.Statut == nil || !*r.body.Statut || r.body.Message != "details paiement" {
		t.Fatalf("%d %s", r.status, r.raw)
	}
	want := "_id,tokenPay,numeroSend,nomclient,personal_Info,numeroTransaction,Montant,frais,statut,moyen,return_url,createdAt"
	if keys := emutest.Keys(t, r.body.Data); keys != want {
		t.Errorf("fields %s", keys)
	}
	var d struct {
		TokenPay     string           `json:"tokenPay"`
		Montant      json.Number      `json:"Montant"`
		Frais        json.Number      `json:"frais"`
		Statut       string           `json:"statut"`
		PersonalInfo []map[string]any `json:"personal_Info"`
		CreatedAt    string           `json:"createdAt"`
	}
	if err := json.Unmarshal(r.body.Data, &d); err != nil {
		t.Fatal(err)
	}
	if d.TokenPay != token || d.Montant != "4850" || d.Frais != "150" || d.Statut != "pending" ||
		d.PersonalInfo[0]["orderId"] != "42" || len(d.CreatedAt) != len("2024-02-28T11:17:15.285Z") {
		t.Errorf("data %s", r.body.Data)
	}
	if r := call(t, http.MethodGet, s.URL+"/paiementNotif/nope", ""); r.status != http.StatusNotFound || r.body.Message != "Paiement introuvable" {
		t.Errorf("unknown token: %d %s", r.status, r.raw)
	}
}

// statutOf asks the status endpoint about token and returns its data's
// statut and webhook_url.
func statutOf(t *testing.T, s *Server, token string) (statut, hook string) {
	t.Helper()
	r := call(t, http.MethodGet, s.URL+"/paiementNotif/"+token, "")
	var d struct {
		Statut     string `json:"statut"`
		WebhookURL string `json:"webhook_url"`
	}
	if r.status != http.StatusOK || json.Unmarshal(r.body.Data, &d) != nil {
		t.Fatalf("status: %d %s", r.status, r.raw)
	}
	return d.Statut, d.WebhookURL
}

// TestSessionLife: on the server's clock, a page is payable for its
// session's life; after it, its buttons answer 410, nothing is sent, and
// the status endpoint answers "no paid", as it does for a cancelled page.
func TestSessionLife(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var clock providertest.Clock
	s := emutest.Start(t, New, WithClock(clock.Now), WithSessionLife(time.Hour))
	if cfg := s.Config(); cfg.SessionLife != time.Hour || cfg.Now == nil {
		t.Errorf("Config does not pass the session life and clock on: %+v", cfg)
	}
	sh := emutest.NewShop(t)
	tokens := map[string]string{}
	pages := map[string]string{}
	for _, name := range []string{"open", "late", "cancelled", "paid"} {
		tokens[name], pages[name] = create(t, s, sh.URL+"/hooks/"+name)
	}
	emutest.Act(t, s.Act, pages["cancelled"], providertest.Cancel)
	emutest.Act(t, s.Act, pages["paid"], providertest.Pay)

	clock.Later(time.Hour - time.Minute)
	for name, want := range map[string]string{"open": "pending", "cancelled": "no paid", "paid": "paid"} {
		if got, _ := statutOf(t, s, tokens[name]); got != want {
			t.Errorf("%s within its life: statut %q, want %q", name, got, want)
		}
	}
	if _, err := s.Act(ctx, pages["open"], providertest.Pay); err != nil {
		t.Errorf("pay within the life: %v", err)
	}

	clock.Later(2 * time.Minute)
	n := sh.Count()
	for name, want := range map[string]string{"open": "paid", "late": "no paid", "cancelled": "no paid", "paid": "paid"} {
		if got, _ := statutOf(t, s, tokens[name]); got != want {
			t.Errorf("%s past its life: statut %q, want %q", name, got, want)
		}
	}
	emutest.Refuses(t, s.Act, pages["late"], providertest.Pay, "a page past its life was paid")
	if got := emutest.Call(t, http.MethodGet, pages["late"], "").Status; got != http.StatusGone || sh.Count() != n {
		t.Errorf("page past its life: HTTP %d, %d webhooks sent", got, sh.Count()-n)
	}
	if p, _ := s.Payment(tokens["late"]); p.Status != StatusPending || p.Cancelled {
		t.Errorf("the record of a page past its life: %+v", p)
	}
}

// TestWebhookURLInStatus: status answers show webhook_url only when asked
// to, as the documented example does not.
func TestWebhookURLInStatus(t *testing.T) {
	t.Parallel()
	const documented = "_id,tokenPay,numeroSend,nomclient,personal_Info,numeroTransaction,Montant,frais,statut,moyen,return_url,createdAt"
	for _, tc := range []struct {
		name       string
		opts       []Option
		want, keys string
	}{
		{"documented", nil, "", documented},
		{"shown", []Option{WithWebhookURLInStatus()}, "https://shop.example/hooks/pay_01", strings.Replace(documented, "return_url,", "return_url,webhook_url,", 1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := emutest.Start(t, New, tc.opts...)
			token, _ := create(t, s, "https://shop.example/hooks/pay_01")
			if _, hook := statutOf(t, s, token); hook != tc.want {
				t.Errorf("webhook_url %q, want %q", hook, tc.want)
			}
			if keys := emutest.Keys(t, call(t, http.MethodGet, s.URL+"/paiementNotif/"+token, "").body.Data); keys != tc.keys {
				t.Errorf("fields %s", keys)
			}
		})
	}
}

type hook struct {
	Event        string              `json:"event"`
	PersonalInfo []map[string]string `json:"personal_Info"`
	TokenPay     string              `json:"tokenPay"`
	Montant      json.Number         `json:"Montant"`
	Frais        json.Number         `json:"frais"`
	WebhookURL   string              `json:"webhook_url"`
}

func TestPageFlow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := emutest.Start(t, New, providertest.WithMerchant("Boutique Awa"))
	sh := emutest.NewShop(t)
	s.SetWebhookURL("http://127.0.0.1:1/never") // the payment's own webhook_url wins

	token, page := create(t, s, sh.URL+"/hooks/pay_01")
	if page != s.URL+"/payment/"+token+"/Boutique%20Awa" {
		t.Fatalf("page %s", page)
	}
	html := emutest.Page(t, page)
	emutest.Shows(t, "page", html, "Boutique Awa", "5000 FCFA", "Pagne wax", `action="/payment/`+token+`/Boutique%20Awa/pay"`, `/fail"`, `/cancel"`)

	back, err := s.Act(ctx, page, providertest.Pay)
	if err != nil {
		t.Fatal(err)
	}
	if back != "https://shop.example/back/pay_01/t?x=1&token="+token {
		t.Errorf("return URL %s", back)
	}
	if p, _ := s.Payment(token); p.Status != "paid" || p.Moyen != "orange" || len(p.NumeroTransaction) != 10 {
		t.Errorf("payment %+v", p)
	}

	// Delivered before Act returned: pending, then completed.
	if sh.Count() != 2 {
		t.Fatalf("%d webhooks", sh.Count())
	}
	for i, event := range []string{moneyfusion.EventPending, moneyfusion.EventCompleted} {
		r, body := sh.At(i)
		var h hook
		if err := json.Unmarshal(body, &h); err != nil {
			t.Fatal(err)
		}
		if r.URL.Path != "/hooks/pay_01" || r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" ||
			h.Event != event || h.TokenPay != token || h.Montant != "4850" || h.Frais != "150" ||
			h.PersonalInfo[0]["cauri_payment_id"] != "pay_01" || h.WebhookURL != sh.URL+"/hooks/pay_01" {
			t.Errorf("webhook %d: %s %v %s", i, r.URL.Path, r.Header, body)
		}
		const order = "event,personal_Info,tokenPay,numeroSend,nomclient,numeroTransaction,Montant,frais,return_url,webhook_url,createdAt"
		if !bytes.HasPrefix(body, []byte(`{"event":`)) || emutest.Keys(t, body) != order {
			t.Errorf("field order: %s", body)
		}
	}
	if b, ok := s.Notification(token, moneyfusion.EventCompleted); !ok || !bytes.Equal(b, func() []byte { _, b := sh.At(1); return b }()) {
		t.Errorf("Notification %s", b)
	}

	// A second action is refused.
	emutest.Refuses(t, s.Act, page, providertest.Cancel, "second action accepted")
	if p, _ := s.Payment(token); p.Status != "paid" || sh.Count() != 2 {
		t.Errorf("second action changed things: %+v, %d webhooks", p, sh.Count())
	}

	// Fail and cancel.
	for a, want := range map[providertest.Action]string{providertest.Fail: "failure", providertest.Cancel: "no paid"} {
		token, page := create(t, s, sh.URL+"/hooks/x")
		n := sh.Count()
		back, err := s.Act(ctx, page, a)
		if err != nil || !strings.HasSuffix(back, "&token="+token) {
			t.Errorf("%s: %q %v", a, back, err)
		}
		if p, _ := s.Payment(token); p.Status != want || p.Cancelled != (a == providertest.Cancel) {
			t.Errorf("%s: status %s, cancelled %v", a, p.Status, p.Cancelled)
		}
		if _, err := s.Act(ctx, page, providertest.Pay); err == nil {
			t.Errorf("%s: paid afterwards", a)
		}
		_, last := sh.At(sh.Count() - 1)
		if !bytes.Contains(last, []byte(`"event":"payin.session.cancelled"`)) {
			t.Errorf("%s: webhook %s", a, last)
		}
		if wantN := map[providertest.Action]int{providertest.Fail: 2, providertest.Cancel: 1}[a]; sh.Count()-n != wantN {
			t.Errorf("%s: %d webhooks, want %d", a, sh.Count()-n, wantN)
		}
	}
	emutest.Refuses(t, s.Act, s.URL+"/payment/nope/x", providertest.Pay, "unknown payment accepted")
}

func TestNoReturnURLNoWebhookURL(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, sh := emutest.StartNotifying(t, "/dashboard", New)
	body := `{"totalPrice":200,"article":[{"sac":100,"chaussure":100}],"numeroSend":" 01010101 ","nomclient":" John Doe "}`
	r := call(t, http.MethodPost, s.APIURL, body)
	if r.status != http.StatusOK {
		t.Fatalf("%d %s", r.status, r.raw)
	}
	back, err := s.Act(ctx, r.body.URL, providertest.Pay)
	if err != nil || back != "" {
		t.Errorf("no return_url: %q %v", back, err)
	}
	if sh.Count() != 2 {
		t.Fatalf("%d webhooks", sh.Count())
	}
	req, b := sh.At(1)
	if req.URL.Path != "/dashboard" || !bytes.Contains(b, []byte(`"personal_Info":[]`)) || !bytes.Contains(b, []byte(`"numeroSend":"01010101"`)) {
		t.Errorf("webhook %s %s", req.URL.Path, b)
	}
}

func TestFaultsAndDelta(t *testing.T) {
	t.Parallel()
	s := emutest.Start(t, New)
	s.InjectFault(providertest.OpCreate, providertest.Fault{Kind: providertest.FaultStatus, Status: 503, RetryAfter: 2 * time.Second})
	r := call(t, http.MethodPost, s.APIURL, payBody(""))
	if r.status != 503 || r.header.Get("Retry-After") != "2" || r.body.Statut == nil || *r.body.Statut || r.body.Message == "" {
		t.Errorf("injected 503: %d %v %s", r.status, r.header, r.raw)
	}
	token, _ := create(t, s, "")
	notif := s.URL + "/paiementNotif/" + token

	s.InjectFault(providertest.OpStatus, providertest.Fault{Kind: providertest.FaultStatus, Status: 429, Times: 2})
	for range 2 {
		if r := call(t, http.MethodGet, notif, ""); r.status != 429 {
			t.Errorf("injected 429: %d", r.status)
		}
	}
	if r := call(t, http.MethodGet, notif, ""); r.status != 200 {
		t.Errorf("after the faults: %d", r.status)
	}
	s.InjectFault(providertest.OpAny, providertest.Fault{Kind: providertest.FaultStatus, Status: 500, Times: 5})
	if r := call(t, http.MethodGet, notif, ""); r.status != 500 {
		t.Errorf("OpAny on status: %d", r.status)
	}
	if r := call(t, http.MethodPost, s.APIURL, payBody("")); r.status != 500 {
		t.Errorf("OpAny on create: %d", r.status)
	}
	s.InjectFault(providertest.OpAny, providertest.Fault{Times: -1})
	if r := call(t, http.MethodGet, notif, ""); r.status != 200 {
		t.Errorf("cleared: %d", r.status)
	}

	s.ReportAmountDelta(-1000)
	r = call(t, http.MethodGet, notif, "")
	if !bytes.Contains(r.body.Data, []byte(`"Montant":3850,"frais":150`)) {
		t.Errorf("delta: %s", r.body.Data)
	}
	if p, _ := s.Payment(token); p.TotalPrice != 5000 {
		t.Errorf("delta changed the record: %d", p.TotalPrice)
	}

	g := emutest.Start(t, New, WithGrossMontant(), WithFeePercent(5))
	token, _ = create(t, g, "")
	r = call(t, http.MethodGet, g.URL+"/paiementNotif/"+token, "")
	if !bytes.Contains(r.body.Data, []byte(`"Montant":5000,"frais":250`)) {
		t.Errorf("gross: %s", r.body.Data)
	}
}

func TestForge(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := emutest.Start(t, New)
	sh := emutest.NewShop(t, 200)
	token, _ := create(t, s, "")
	if err := s.Forge(ctx, sh.URL+"/x", token); err != nil {
		t.Fatal(err)
	}
	_, body := sh.At(0)
	var h hook
	if err := json.Unmarshal(body, &h); err != nil || h.Event != moneyfusion.EventCompleted || h.TokenPay != token {
		t.Errorf("forged body %s", body)
	}
	if p, _ := s.Payment(token); p.Status != "pending" {
		t.Errorf("Forge changed the record: %s", p.Status)
	}
}

func TestProvider(t *testing.T) {
	t.Parallel()
	s := emutest.Start(t, New)
	cfg := s.Config()
	if s.Provider().Name() != "moneyfusion" || cfg.APIURL != s.APIURL || cfg.StatusURL != s.URL {
		t.Errorf("provider %s, config %+v", s.Provider().Name(), cfg)
	}
	if u, _ := url.Parse(s.APIURL); !slices.Contains(strings.Split(u.Path, "/"), s.Key) {
		t.Errorf("APIURL %s lacks the key", s.APIURL)
	}
	if err := s.SetStatus("nope", "paid"); err == nil {
		t.Error("SetStatus of an unknown payment")
	}
	if _, ok := s.Notification("nope", moneyfusion.EventCompleted); ok {
		t.Error("Notification of an unknown payment")
	}
}

// TestOfficialClientRequests: the payment request takes the bodies
// MoneyFusion's clients send, each built as its source builds it.
func TestOfficialClientRequests(t *testing.T) {
	t.Parallel()
	s := emutest.Start(t, New, providertest.WithMerchant("Boutique Awa"))
	tests := []struct {
		name, body string
		total      int64
		article    []map[string]any
		page       string // in the hosted page's description
	}{
		{
			// The documentation's example (docs.moneyfusion.net
			// content/docs/fr/webapi.mdx, the seed): one object, article
			// names as keys and prices as values.
			name: "documentation",
			body: `{"totalPrice":200,"article":[{"sac":100,"chaussure":100}],"personal_Info":[{"userId":1,"orderId":123}],` +
				`"numeroSend":"01010101","nomclient":"John Doe","return_url":"https://your-domain.com/callback",` +
				`"webhook_url":"https://your-domain.com/my-webhook-url"}`,
			total:   200,
			article: []map[string]any{{"sac": json.Number("100"), "chaussure": json.Number("100")}},
			page:    "chaussure, sac",
		},
		{
			// npm fusionpay@0.0.7 dist/FusionPay.js: paymentData starts as
			// {article: [], personal_Info: []}; addArticle(name, value)
			// pushes {[name]: value}; totalPrice a number.
			name: "fusionpay",
			body: `{"article":[{"Pagne wax":3000},{"Panier":2000}],"personal_Info":[{"orderId":"42"}],"totalPrice":5000,` +
				`"nomclient":"Awa Diallo","numeroSend":"0701020304","returnUrl":"ignored","return_url":"https://shop.example/back",` +
				`"webhook_url":"https://shop.example/hook"}`,
			total:   5000,
			article: []map[string]any{{"Pagne wax": json.Number("3000")}, {"Panier": json.Number("2000")}},
			page:    "Pagne wax, Panier",
		},
		{
			// PyPI apiMoneyFusion 0.1.0 PaymentClient.create_payment, as
			// docs.moneyfusion.net content/docs/en/python.mdx calls it:
			// totalPrice a string, article [{"name", "price" (a string),
			// "quantity"}], personal_Info [{"userId", "orderId"}], no
			// webhook_url; requests' json= separators.
			name: "apiMoneyFusion (Python)",
			body: `{"totalPrice": "10000", "article": [{"name": "Article 1", "price": "5000", "quantity": 1}, ` +
				`{"name": "Article 2", "price": 5000, "quantity": "1"}], "numeroSend": "0101010101", ` +
				`"nomclient": "assemienDev", "personal_Info": [{"userId": 1, "orderId": 123}], ` +
				`"return_url": "https://votre-domaine.com/callback"}`,
			total: 10000,
			article: []map[string]any{
				{"name": "Article 1", "price": "5000", "quantity": json.Number("1")},
				{"name": "Article 2", "price": json.Number("5000"), "quantity": "1"},
			},
			page: "Article 1, Article 2",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := call(t, http.MethodPost, s.APIURL, tt.body)
			if r.status != http.StatusOK || r.body.Statut == nil || !*r.body.Statut || r.body.Token == "" {
				t.Fatalf("pay: %d %s", r.status, r.raw)
			}
			p, ok := s.Payment(r.body.Token)
			if !ok || p.TotalPrice != tt.total || !reflect.DeepEqual(p.Article, tt.article) || p.Status != StatusPending {
				t.Errorf("payment %d %#v", p.TotalPrice, p.Article)
			}
			emutest.Shows(t, "page", emutest.Page(t, r.body.URL), `<p class="description">`+tt.page+`</p>`)
		})
	}

	// The structured shape keeps its rules: a name, a price in francs, a
	// quantity of at least one.
	python := `{"totalPrice":"10000","article":[%s],"numeroSend":"0101010101","nomclient":"assemienDev"}`
	for _, article := range []string{
		`{"name":"","price":"5000","quantity":1}`,
		`{"name":"Article 1","quantity":1}`,
		`{"name":"Article 1","price":"cinq mille","quantity":1}`,
		`{"name":"Article 1","price":"-5000","quantity":1}`,
		`{"name":"Article 1","price":"50.5","quantity":1}`,
		`{"name":"Article 1","price":"5000","quantity":0}`,
		`{"name":"Article 1","price":"5000","quantity":"un"}`,
		`{"name":"Article 1","price":"5000","quantity":1.5}`,
		`{"name":"Article 1","price":true}`,
	} {
		r := call(t, http.MethodPost, s.APIURL, strings.Replace(python, "%s", article, 1))
		if r.status != http.StatusBadRequest || r.body.Message != "Champs manquants ou invalides : article" {
			t.Errorf("%s: %d %s", article, r.status, r.raw)
		}
	}
}

// TestPageChoice: the page is MoneyFusion's, in French, with its
// operators and the customer's name and number; the operator chosen is
// the moyen reported.
func TestPageChoice(t *testing.T) {
	t.Parallel()
	s := emutest.Start(t, New)
	token, page := create(t, s, "")
	html := emutest.Page(t, page)
	emutest.Shows(t, "page", html,
		"<title>MoneyFusion checkout (emulator)</title>", `<html lang="fr">`, "Payer 5000 FCFA",
		`value="orange" checked> Orange Money`, `value="mtn"> MTN MoMo`, `value="moov"> Moov Money`, `value="wave"> Wave`,
		`name="customer_name" value="Awa Diallo"`, `name="customer_phone" type="tel" autocomplete="tel" value="0701020304"`,
	)
	emutest.Choose(t, page, providertest.Pay, url.Values{"operator": {"wave"}})
	r := call(t, http.MethodGet, s.URL+"/paiementNotif/"+token, "")
	if !strings.Contains(string(r.body.Data), `"moyen":"wave"`) || !strings.Contains(string(r.body.Data), `"statut":"paid"`) {
		t.Errorf("status %s", r.raw)
	}
}

// TestPayLater: payin.session.pending is sent and the customer goes back
// to return_url while the payment stays pending, past its page's life too;
// ConfirmLater makes it paid and sends payin.session.completed, once.
func TestPayLater(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var clock providertest.Clock
	s := emutest.Start(t, New, WithClock(clock.Now), WithSessionLife(time.Hour))
	sh := emutest.NewShop(t)
	token, page := create(t, s, sh.URL+"/hooks")
	back, err := s.Act(ctx, page, providertest.PayLater)
	if err != nil || back != "https://shop.example/back/pay_01/t?x=1&token="+token {
		t.Fatalf("pay later: %q %v", back, err)
	}
	if sh.Count() != 1 {
		t.Fatalf("%d webhooks", sh.Count())
	}
	var h hook
	if _, body := sh.At(0); json.Unmarshal(body, &h) != nil || h.Event != moneyfusion.EventPending {
		t.Errorf("webhook %s", body)
	}
	clock.Later(2 * time.Hour) // the phone answers after the page's life
	if got, _ := statutOf(t, s, token); got != StatusPending {
		t.Errorf("statut while waiting: %q", got)
	}
	emutest.Held(t, s.Act, page, "Confirmez sur votre téléphone", providertest.Pay)

	if err := s.ConfirmLater(ctx, token); err != nil {
		t.Fatal(err)
	}
	if got, _ := statutOf(t, s, token); got != StatusPaid || sh.Count() != 2 {
		t.Errorf("after ConfirmLater: statut %q, %d webhooks", got, sh.Count())
	}
	if _, body := sh.At(1); json.Unmarshal(body, &h) != nil || h.Event != moneyfusion.EventCompleted || h.TokenPay != token {
		t.Errorf("webhook %s", body)
	}
	emutest.NotWaiting(t, s.ConfirmLater, token, sh, 2)
}

// TestHeldEventsKeepTheirOrder: the two webhooks of one payment, held,
// are flushed in the order they were sent, completed last.
func TestHeldEventsKeepTheirOrder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := emutest.Start(t, New)
	sh := emutest.NewShop(t)
	s.SetWebhookPolicy(providertest.WebhookPolicy{Hold: true})
	_, page := create(t, s, sh.URL)
	_, _ = s.Act(ctx, page, providertest.Pay)
	if err := s.FlushWebhooks(ctx); err != nil {
		t.Fatal(err)
	}
	var first, last hook
	_, b0 := sh.At(0)
	_, b1 := sh.At(1)
	_ = json.Unmarshal(b0, &first)
	_ = json.Unmarshal(b1, &last)
	if first.Event != moneyfusion.EventPending || last.Event != moneyfusion.EventCompleted {
		t.Errorf("flushed out of order: %s then %s", b0, b1)
	}
}
