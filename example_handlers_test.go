package cauri_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/moneroo"
	"github.com/cauripay/cauri/providers/moneroo/monerootest"
	"github.com/cauripay/cauri/providers/paydunya/paydunyatest"
	"github.com/cauripay/cauri/providers/providertest"
)

// Each handler mounts alone, on a route of the shop's own router. The
// checkout handler takes the provider from the {provider} path value (or,
// under routers that set none, the path segment after "checkout"). A page
// that asks for JSON gets the payment's ID, the provider's page and the
// status URL instead of a redirect.
func ExampleKit_CheckoutHandler() {
	emu := monerootest.New() // stands in for api.moneroo.io
	defer emu.Close()

	cfg := exampleConfig(emu.Provider()) // a memory store, the kit at https://shop.example/pay
	cfg.Order = func(r *http.Request, provider string) (cauri.Order, error) {
		// From the shop's records: the form names the order, never its
		// amount.
		if r.PostFormValue("order") != "order-42" {
			return cauri.Order{}, cauri.ErrNotFound
		}
		return order42(r, provider)
	}
	kit := mustNew(cfg)
	mux := http.NewServeMux()
	mux.Handle("POST /pay/checkout/{provider}", kit.CheckoutHandler())
	post := func(path, order, accept string) *httptest.ResponseRecorder {
		return postOrder(mux, path, order, accept)
	}

	// A buy form: 303 to the provider's hosted page.
	rec := post("/pay/checkout/moneroo", "order-42", "text/html")
	page := rec.Header().Get("Location")
	fmt.Println("form:", rec.Code, strings.HasPrefix(page, emu.URL+"/checkout/"))

	// A script: JSON. Pressing "Pay" twice opens no second payment.
	rec = post("/pay/checkout/moneroo", "order-42", "application/json")
	var out cauri.CheckoutResponse
	if err := json.NewDecoder(rec.Body).Decode(&out); err != nil {
		log.Fatal(err)
	}
	fmt.Println("json:", rec.Code, out.CheckoutURL == page, strings.HasPrefix(out.StatusURL, "https://shop.example/pay/payments/"+out.PaymentID+"?token="))

	fmt.Println("unknown order:", post("/pay/checkout/moneroo", "order-7", "text/html").Code)
	fmt.Println("unknown provider:", post("/pay/checkout/stripe", "order-42", "text/html").Code)
	// Output:
	// form: 303 true
	// json: 200 true true
	// unknown order: 404
	// unknown provider: 404
}

// A client that asks for JSON (a script on the shop's page, an app)
// decodes the checkout's answer as a CheckoutResponse, and sends the
// customer to CheckoutURL, or to SuccessURL for an order paid already. A
// refusal is {"error": "..."}, with the HTTP status a browser would get.
func ExampleCheckoutResponse() {
	emu := monerootest.New() // stands in for api.moneroo.io
	defer emu.Close()

	cfg := exampleConfig(emu.Provider())
	cfg.Order = func(r *http.Request, provider string) (cauri.Order, error) {
		if r.PostFormValue("order") != "order-42" {
			return cauri.Order{}, cauri.ErrNotFound
		}
		return order42(r, provider)
	}
	mux := http.NewServeMux()
	mux.Handle("/pay/", http.StripPrefix("/pay", mustNew(cfg)))
	checkout := func(order string) *httptest.ResponseRecorder {
		return postOrder(mux, "/pay/checkout/moneroo", order, "application/json")
	}

	rec := checkout("order-42")
	var co cauri.CheckoutResponse
	if err := json.NewDecoder(rec.Body).Decode(&co); err != nil {
		log.Fatal(err)
	}
	fmt.Println(rec.Code, co.Status)
	switch co.Status {
	case cauri.StatusPending:
		fmt.Println("to the provider's page:", strings.HasPrefix(co.CheckoutURL, emu.URL+"/checkout/"))
	case cauri.StatusPaid:
		fmt.Println("to the shop's success page:", co.SuccessURL)
	}
	fmt.Println("the pending page polls:", strings.HasPrefix(co.StatusURL, "https://shop.example/pay/payments/"+co.PaymentID+"?token="))

	rec = checkout("order-7")
	var refusal struct {
		Error string `json:"error"`
	}
	if err := json.NewDecoder(rec.Body).Decode(&refusal); err != nil {
		log.Fatal(err)
	}
	fmt.Println(rec.Code, refusal.Error)
	// Output:
	// 200 pending
	// to the provider's page: true
	// the pending page polls: true
	// 404 order not found
}

// The return handler takes the customer back from the provider's page. It
// believes nothing in the query the provider appended: it checks the
// token in the path, asks the provider, and sends the customer to one of
// the shop's configured pages.
func ExampleKit_ReturnHandler() {
	emu := monerootest.New()
	defer emu.Close()

	kit := mustNew(exampleConfig(emu.Provider())) // order-42, 5000 XOF; the kit at https://shop.example/pay
	mux := http.NewServeMux()
	mux.Handle("POST /pay/checkout/{provider}", kit.CheckoutHandler())
	mux.Handle("GET /pay/return/{provider}/{id}/{token}", kit.ReturnHandler())
	do := func(req *http.Request) *httptest.ResponseRecorder { return serve(mux, req) }
	shopPage := func(rec *httptest.ResponseRecorder) string {
		u, _ := url.Parse(rec.Header().Get("Location"))
		return fmt.Sprint(rec.Code, " ", u.Path, " payment_id=", u.Query().Has("payment_id"), " token=", u.Query().Has("token"))
	}

	checkoutURL := do(httptest.NewRequest(http.MethodPost, "/pay/checkout/moneroo", nil)).Header().Get("Location")
	ctx := context.Background()
	p, _ := emu.Payment(lastSegment(checkoutURL))
	returnURL := p.ReturnURL // the kit's: https://shop.example/pay/return/moneroo/{id}/{token}

	// A return URL whose token was tampered with.
	fmt.Println("tampered:", do(httptest.NewRequest(http.MethodGet, returnURL+"x", nil)).Code)

	// The customer pays, and Moneroo sends them back: the kit asks
	// Moneroo, which says success.
	back, err := emu.Act(ctx, checkoutURL, providertest.Pay)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("paid:", shopPage(do(httptest.NewRequest(http.MethodGet, back, nil))))

	// The status in the query is never believed: the stored one stands.
	fmt.Println("claimed failed:", shopPage(do(httptest.NewRequest(http.MethodGet, returnURL+"?paymentStatus=failed", nil))))
	// Output:
	// tampered: 403
	// paid: 303 /thanks payment_id=true token=true
	// claimed failed: 303 /thanks payment_id=true token=true
}

// The webhook handler receives the notifications a provider's dashboard
// points at it. It verifies each on its raw body, and moves the payment
// once however many copies arrive; OnPaid runs once. A notification whose
// signature is wrong gets 401 and changes nothing.
func ExampleKit_WebhookHandler() {
	emu := monerootest.New()
	defer emu.Close()

	var onPaid atomic.Int32
	cfg := exampleConfig(emu.Provider()) // the provider has the webhook secret
	cfg.OnPaid = func(ctx context.Context, p cauri.Payment) error {
		onPaid.Add(1)
		return nil
	}
	kit := mustNew(cfg)
	mux := http.NewServeMux()
	mux.Handle("POST /pay/checkout/{provider}", kit.CheckoutHandler())
	mux.Handle("POST /pay/webhooks/{provider}", kit.WebhookHandler())
	shop := httptest.NewServer(mux) // the shop, on loopback
	defer shop.Close()

	// What the webhook set up in Moneroo's dashboard says; the emulator
	// sends each notification three times at once.
	emu.SetWebhookURL(shop.URL + "/pay/webhooks/moneroo")
	emu.SetWebhookPolicy(providertest.WebhookPolicy{Copies: 3})

	rec := serve(mux, httptest.NewRequest(http.MethodPost, "/pay/checkout/moneroo", nil))
	ctx := context.Background()
	if _, err := emu.Act(ctx, rec.Header().Get("Location"), providertest.Pay); err != nil {
		log.Fatal(err)
	}
	var codes []int
	for _, d := range emu.Deliveries() {
		codes = append(codes, d.StatusCode)
	}
	fmt.Println("answers:", codes, "OnPaid calls:", onPaid.Load())

	// A notification signed with another key.
	ref := strings.TrimPrefix(rec.Header().Get("Location"), emu.URL+"/checkout/") // Moneroo's payment ID
	if err := emu.Forge(ctx, shop.URL+"/pay/webhooks/moneroo", ref); err != nil {
		log.Fatal(err)
	}
	d := emu.Deliveries()
	fmt.Println("forged:", d[len(d)-1].StatusCode, "OnPaid calls:", onPaid.Load())
	// Output:
	// answers: [200 200 200] OnPaid calls: 1
	// forged: 401 OnPaid calls: 1
}

// The status handler answers the shop's pending page with the payment's
// status as JSON. It needs the token the kit appended to the shop's page;
// while the payment is pending, it asks the provider, so that a payment
// whose webhook never comes still settles.
func ExampleKit_StatusHandler() {
	emu := monerootest.New() // no webhook URL: notifications are lost
	defer emu.Close()

	kit := mustNew(exampleConfig(emu.Provider())) // order-42, 5000 XOF; the kit at https://shop.example/pay
	mux := http.NewServeMux()
	mux.Handle("POST /pay/checkout/{provider}", kit.CheckoutHandler())
	mux.Handle("GET /pay/payments/{id}", kit.StatusHandler())
	do := func(req *http.Request) *httptest.ResponseRecorder { return serve(mux, req) }

	req := httptest.NewRequest(http.MethodPost, "/pay/checkout/moneroo", nil)
	req.Header.Set("Accept", "application/json")
	var co cauri.CheckoutResponse // co.StatusURL is what the pending page polls
	if err := json.NewDecoder(do(req).Body).Decode(&co); err != nil {
		log.Fatal(err)
	}
	// The customer pays, closes the tab, and the webhook is lost.
	if _, err := emu.Act(context.Background(), co.CheckoutURL, providertest.Pay); err != nil {
		log.Fatal(err)
	}

	rec := do(httptest.NewRequest(http.MethodGet, co.StatusURL, nil))
	var st cauri.StatusResponse
	if err := json.NewDecoder(rec.Body).Decode(&st); err != nil {
		log.Fatal(err)
	}
	fmt.Println(rec.Code, st.PaymentID == co.PaymentID, st.OrderID, st.Status, st.Final, st.Amount, st.Currency)
	fmt.Println("without the token:", do(httptest.NewRequest(http.MethodGet, "/pay/payments/"+co.PaymentID, nil)).Code)
	// Output:
	// 200 true order-42 paid true 5000 XOF
	// without the token: 403
}

// OnPaid is the shop's fulfilment. The kit calls it until it returns nil,
// never twice at the same time, and never again after it succeeded; a
// failure is retried by the next webhook, return visit or reconcile pass.
// The one case it cannot rule out is OnPaid succeeding and the kit failing
// to record it (a crash, a database outage just then), so OnPaid keys its
// work on Payment.ID: a second call for the same payment does nothing.
func ExampleConfig_onPaid() {
	// The shop's shipments, by payment ID. In SQL, in the transaction that
	// marks the order paid:
	//	INSERT INTO shipments (payment_id, order_id) VALUES ($1, $2)
	//	ON CONFLICT (payment_id) DO NOTHING
	var (
		mu            sync.Mutex
		shipments     = map[string]string{}
		warehouseDown = true
	)
	onPaid := func(ctx context.Context, p cauri.Payment) error {
		mu.Lock()
		defer mu.Unlock()
		if _, done := shipments[p.ID]; done {
			return nil // already shipped: this is a repeat
		}
		if warehouseDown {
			return errors.New("warehouse unreachable") // the kit retries later
		}
		shipments[p.ID] = p.OrderID
		fmt.Println("ship", p.OrderID)
		return nil
	}

	emu := monerootest.New()
	defer emu.Close()
	cfg := exampleConfig(emu.Provider())
	cfg.OnPaid = onPaid
	kit := mustNew(cfg)
	mux := http.NewServeMux()
	mux.Handle("/pay/", http.StripPrefix("/pay", kit))
	rec := serve(mux, httptest.NewRequest(http.MethodPost, "/pay/checkout/moneroo", nil))
	back, err := emu.Act(context.Background(), rec.Header().Get("Location"), providertest.Pay)
	if err != nil {
		log.Fatal(err)
	}

	// The customer comes back three times (a reload, the back button);
	// the warehouse comes back after the first.
	for visit := range 3 {
		rec := serve(mux, httptest.NewRequest(http.MethodGet, back, nil))
		loc, _ := url.Parse(rec.Header().Get("Location"))
		p, _ := kit.Payment(context.Background(), loc.Query().Get("payment_id"))
		fmt.Printf("visit %d: %s, %s, OnPaid attempts %d, fulfilled %t\n", visit+1, loc.Path, p.Status, p.OnPaidAttempts, p.Fulfilled())
		mu.Lock()
		warehouseDown = false
		mu.Unlock()
	}
	// Output:
	// visit 1: /thanks, paid, OnPaid attempts 1, fulfilled false
	// ship order-42
	// visit 2: /thanks, paid, OnPaid attempts 2, fulfilled true
	// visit 3: /thanks, paid, OnPaid attempts 2, fulfilled true
}

// Reconcile settles the payments whose webhook never came and whose
// customer never came back: it asks their provider once they are older
// than ReconcilePolicy.Grace. In production, RunReconciler calls it every
// minute or so; several replicas may run it at once.
func ExampleKit_Reconcile() {
	emu := monerootest.New() // no webhook URL: notifications are lost
	defer emu.Close()

	// A clock the example moves forward; nil Config.Now is time.Now.
	start := time.Date(2025, time.March, 14, 9, 0, 0, 0, time.UTC)
	var elapsed atomic.Int64
	now := func() time.Time { return start.Add(time.Duration(elapsed.Load())) }

	var onPaid atomic.Int32
	cfg := exampleConfig(emu.Provider())
	cfg.Order = func(r *http.Request, provider string) (cauri.Order, error) {
		o, err := order42(r, provider)
		o.ID = r.PostFormValue("order") // one order per checkout below
		return o, err
	}
	cfg.OnPaid = func(ctx context.Context, p cauri.Payment) error {
		onPaid.Add(1)
		return nil
	}
	cfg.Reconcile = cauri.ReconcilePolicy{Grace: 2 * time.Minute, MaxAge: 48 * time.Hour}
	cfg.Now = now
	kit := mustNew(cfg)
	checkout := func(order string) string {
		return postOrder(kit, "/checkout/moneroo", order, "text/html").Header().Get("Location")
	}
	ctx := context.Background()
	// One customer pays and closes the tab; another cancels; a third has
	// not decided yet.
	for order, action := range map[string]providertest.Action{"order-1": providertest.Pay, "order-2": providertest.Cancel} {
		if _, err := emu.Act(ctx, checkout(order), action); err != nil {
			log.Fatal(err)
		}
	}
	checkout("order-3")

	rep, err := kit.Reconcile(ctx)
	fmt.Printf("at once:  %+v %v\n", rep, err) // all within the grace period

	elapsed.Store(int64(5 * time.Minute))
	rep, err = kit.Reconcile(ctx)
	fmt.Printf("later:    %+v %v\n", rep, err)
	fmt.Println("OnPaid calls:", onPaid.Load())
	// Output:
	// at once:  {Checked:0 Settled:0 Expired:0 Skipped:0 Errors:0 Fulfilled:0 Refunded:0 PayoutsChecked:0 PayoutsResolved:0 PayoutsSkipped:0 PayoutsUnresolvable:0} <nil>
	// later:    {Checked:3 Settled:2 Expired:0 Skipped:0 Errors:0 Fulfilled:0 Refunded:0 PayoutsChecked:0 PayoutsResolved:0 PayoutsSkipped:0 PayoutsUnresolvable:0} <nil>
	// OnPaid calls: 1
}

// Payout sends money out through a provider that offers it, PayDunya
// here. It is idempotent on the request's Key: the same call again, after
// a timeout say, returns the first result and pays nothing more.
func ExampleKit_Payout() {
	emu := paydunyatest.New() // stands in for PayDunya's sandbox
	defer emu.Close()

	kit := mustNew(exampleConfig(emu.Provider())) // a memory store: it keeps payouts too (a cauri.PayoutStore)
	ctx := context.Background()
	refund := cauri.PayoutRequest{
		Key:     "refund-order-42", // one key per payout the shop means to make
		Account: "771111111", Amount: 2500, Currency: "XOF",
		Description: "Refund of order 42",
	}
	for range 2 {
		res, err := kit.Payout(ctx, "paydunya", refund)
		fmt.Println(res.Status, err)
	}
	sent := 0
	for _, d := range emu.Disbursements() {
		sent += d.Submissions
	}
	fmt.Println("sent by PayDunya:", sent)

	refund.Amount = 3000 // the same key for another payout
	_, err := kit.Payout(ctx, "paydunya", refund)
	fmt.Println(errors.Is(err, cauri.ErrPayoutKeyReused))

	_, err = kit.Payout(ctx, "moneroo", refund)
	fmt.Println(errors.Is(err, cauri.ErrUnknownProvider))
	// Output:
	// succeeded <nil>
	// succeeded <nil>
	// sent by PayDunya: 1
	// true
	// true
}

// ResolvePayout settles a payout left pending: here a payout to a mobile
// money wallet, which PayDunya's operator settles after answering
// "pending". The reconciler (Kit.RunReconciler) does the same for every
// payout pending past ReconcilePolicy.PayoutGrace.
func ExampleKit_ResolvePayout() {
	emu := paydunyatest.New() // stands in for PayDunya's sandbox
	defer emu.Close()

	kit := mustNew(exampleConfig(emu.Provider()))
	ctx := context.Background()
	res, err := kit.Payout(ctx, "paydunya", cauri.PayoutRequest{
		Key: "refund-order-43", Account: "771111111", Amount: 2500, Currency: "XOF",
		Method: "orange-money-senegal", // PayDunya's withdraw_mode
	})
	fmt.Println(res.Status, err)

	_, err = kit.ResolvePayout(ctx, "refund-order-43")
	fmt.Println(errors.Is(err, cauri.ErrPayoutPending)) // the operator has not paid yet

	_ = emu.SettleDisbursement(res.ProviderRef, paydunyatest.DisburseSuccess) // now it has
	p, err := kit.ResolvePayout(ctx, "refund-order-43")
	fmt.Println(p.Status, err)

	_, err = kit.ResolvePayout(ctx, "refund-order-44")
	fmt.Println(errors.Is(err, cauri.ErrPayoutNotFound))
	// Output:
	// pending <nil>
	// true
	// succeeded <nil>
	// true
}

// A provider is configured in its own package and handed to the kit.
// Each takes an *http.Client of the shop's (the kit never touches
// http.DefaultClient) and a BaseURL, here the emulator's; the defaults are
// a client of the package's own and the provider's real API.
func ExampleProvider() {
	emu := monerootest.New()
	defer emu.Close()

	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = 16
	prov, err := moneroo.New(moneroo.Config{
		SecretKey:      emu.SecretKey,               // os.Getenv("MONEROO_SECRET_KEY")
		WebhookSecrets: []string{emu.WebhookSecret}, // the dashboard's; list two while rotating
		BaseURL:        emu.BaseURL(),               // empty: moneroo.DefaultBaseURL
		HTTPClient:     &http.Client{Timeout: 20 * time.Second, Transport: transport},
		Methods:        []string{"wave_ci", "orange_ci", "mtn_ci"}, // empty: every method of the account
	})
	if err != nil {
		log.Fatal(err)
	}
	kit := mustNew(exampleConfig(prov))
	rec := serve(kit, httptest.NewRequest(http.MethodPost, "/checkout/moneroo", nil))
	p, _ := emu.Payment(lastSegment(rec.Header().Get("Location")))
	fmt.Println(kit.Providers(), rec.Code, p.Amount, p.Currency, slices.Equal(p.Methods, []string{"wave_ci", "orange_ci", "mtn_ci"}))

	// A wrong configuration names every bad field, and never a secret.
	// A blank webhook secret (an unset variable) is left out, not an error.
	_, err = moneroo.New(moneroo.Config{WebhookSecrets: []string{""}, BaseURL: "api.moneroo.io", Methods: []string{" "}})
	fmt.Println(err)
	// Output:
	// [moneroo] 303 5000 XOF true
	// cauri: invalid config: SecretKey is required; BaseURL must be an absolute http(s) URL with no query, fragment or user info; Methods[0] is empty
}
