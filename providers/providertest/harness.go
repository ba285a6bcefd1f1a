package providertest

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/stores/memory"
)

// Shop pages the harness's kit redirects to.
const (
	successPath = "/shop/success"
	failurePath = "/shop/failure"
	pendingPath = "/shop/pending"
)

// harness is one shop: a kit over a memory store, mounted under /pay on a
// loopback server, talking to one emulator.
type harness struct {
	t      *testing.T
	em     Emulator
	name   string
	kit    *cauri.Kit
	store  *memory.Store
	srv    *httptest.Server
	reg    *prometheus.Registry
	client *http.Client

	mu     sync.Mutex
	orders map[string]cauri.Order
	paid   map[string]int // payment ID → OnPaid successes
	clock  Clock          // the kit's
}

// breakerTimeout is how long the harness's breakers stay open.
const breakerTimeout = time.Second

func newHarness(t *testing.T, em Emulator) *harness {
	t.Helper()
	h := &harness{
		t: t, em: em, name: em.Provider().Name(), store: memory.New(), reg: prometheus.NewRegistry(),
		orders: make(map[string]cauri.Order), paid: make(map[string]int),
		client: &http.Client{
			Timeout:       10 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
	var kit http.Handler
	mux := http.NewServeMux()
	mux.Handle("/pay/", http.StripPrefix("/pay", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { kit.ServeHTTP(w, r) })))
	h.srv = httptest.NewServer(mux)
	t.Cleanup(h.srv.Close)
	t.Cleanup(em.Close)

	k, err := cauri.New(cauri.Config{
		Store:     h.store,
		Providers: []cauri.Provider{em.Provider()},
		PublicURL: h.srv.URL + "/pay",
		Secret:    "harness-secret-harness-secret-harness-secret",
		Order: func(r *http.Request, _ string) (cauri.Order, error) {
			h.mu.Lock()
			defer h.mu.Unlock()
			o, ok := h.orders[r.FormValue("order")]
			if !ok {
				return cauri.Order{}, cauri.ErrNotFound
			}
			return o, nil
		},
		OnPaid: func(_ context.Context, p cauri.Payment) error {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.paid[p.ID]++
			return nil
		},
		SuccessURL: successPath, FailureURL: failurePath, PendingURL: pendingPath,
		Registerer:      h.reg,
		Now:             h.clock.Now,
		ProviderTimeout: 2 * time.Second,
		Retry:           cauri.RetryPolicy{InitialInterval: 5 * time.Millisecond, MaxInterval: 20 * time.Millisecond},
		Breaker:         cauri.BreakerPolicy{ConsecutiveFailures: 3, OpenTimeout: breakerTimeout},
	})
	if err != nil {
		t.Fatalf("cauri.New: %v", err)
	}
	h.kit = k
	kit = k
	em.SetWebhookURL(h.srv.URL + "/pay/webhooks/" + h.name)
	return h
}

// order registers an order the shop's server knows and returns its ID.
func (h *harness) order(id string, amount int64) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.orders[id] = cauri.Order{
		ID: id, Amount: amount, Currency: "XOF", Description: "Order " + id,
		Customer: cauri.Customer{FirstName: "Awa", LastName: "Diallo", Email: "awa@example.com", Phone: "+2250701020304", Country: "CI"},
		Items:    []cauri.Item{{Name: "Pagne wax", Quantity: 1, UnitPrice: amount}},
	}
	return id
}

// checkout starts a payment as the shop's page would, asking for JSON.
func (h *harness) checkout(orderID string) (paymentID, checkoutURL string) {
	h.t.Helper()
	resp := h.post("/pay/checkout/"+h.name, url.Values{"order": {orderID}}, "application/json")
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		h.t.Fatalf("checkout: HTTP %d", resp.StatusCode)
	}
	var out struct {
		PaymentID   string `json:"payment_id"`
		CheckoutURL string `json:"checkout_url"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		h.t.Fatalf("checkout: %v", err)
	}
	if out.PaymentID == "" || out.CheckoutURL == "" {
		h.t.Fatalf("checkout: empty answer %+v", out)
	}
	return out.PaymentID, out.CheckoutURL
}

func (h *harness) post(path string, form url.Values, accept string) *http.Response {
	h.t.Helper()
	req, err := http.NewRequest(http.MethodPost, h.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := h.client.Do(req)
	if err != nil {
		h.t.Fatalf("POST %s: %v", path, err)
	}
	return resp
}

// act plays the customer on the provider's page.
func (h *harness) act(checkoutURL string, a Action) string {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ret, err := h.em.Act(ctx, checkoutURL, a)
	if err != nil {
		h.t.Fatalf("%s on the provider's page: %v", a, err)
	}
	return ret
}

// play opens the checkout of a new order orderID and plays a on the
// provider's page; it returns the payment's ID and where the provider sent
// the customer back ("" for nowhere).
func (h *harness) play(orderID string, a Action) (id, returnURL string) {
	id, co := h.checkout(h.order(orderID, amount))
	return id, h.act(co, a)
}

// wantBackAt checks that a customer the provider sent back to returnURL
// lands on the shop's page; a provider that sent them nowhere passes.
func (h *harness) wantBackAt(returnURL, page string) {
	h.t.Helper()
	if returnURL == "" {
		return
	}
	if got := h.comeBack(returnURL); got != page {
		h.t.Errorf("shop page = %q, want %q", got, page)
	}
}

// comeBack follows the provider's redirect to the kit's return handler and
// returns the shop page the kit sent the customer to. With no return URL
// (a provider that sends nobody back) it returns "".
func (h *harness) comeBack(returnURL string) string {
	h.t.Helper()
	if returnURL == "" {
		return ""
	}
	resp, err := h.client.Get(returnURL)
	if err != nil {
		h.t.Fatalf("return: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		h.t.Fatalf("return: HTTP %d, want 303", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		h.t.Fatalf("return: bad Location: %v", err)
	}
	if loc.Host != "" {
		h.t.Fatalf("return redirected off the shop: %s", loc.Redacted())
	}
	return loc.Path
}

// pollStatus asks the kit's status endpoint, as the shop's pending page does.
func (h *harness) pollStatus(paymentID string) cauri.Status {
	h.t.Helper()
	resp, err := h.client.Get(h.kit.StatusURL(paymentID))
	if err != nil {
		h.t.Fatalf("status: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		h.t.Fatalf("status: HTTP %d", resp.StatusCode)
	}
	var out struct {
		Status cauri.Status `json:"status"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		h.t.Fatalf("status: %v", err)
	}
	return out.Status
}

func (h *harness) payment(id string) cauri.Payment {
	h.t.Helper()
	p, err := h.store.Get(context.Background(), id)
	if err != nil {
		h.t.Fatalf("store: %v", err)
	}
	return p
}

func (h *harness) onPaidCalls(id string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.paid[id]
}

func (h *harness) wantStatus(id string, want ...cauri.Status) {
	h.t.Helper()
	got := h.payment(id).Status
	for _, w := range want {
		if got == w {
			return
		}
	}
	h.t.Errorf("payment status = %s, want %v", got, want)
}

func (h *harness) wantOnPaid(id string, n int) {
	h.t.Helper()
	if got := h.onPaidCalls(id); got != n {
		h.t.Errorf("OnPaid ran %d times, want %d", got, n)
	}
}

func (h *harness) counter(name string, labels ...string) float64 {
	h.t.Helper()
	v, err := MetricSum(h.reg, name, labels...)
	if err != nil {
		h.t.Fatal(err)
	}
	return v
}

// providerCalls counts the calls of one operation that reached the provider.
func (h *harness) providerCalls(op string) float64 {
	var n float64
	for _, outcome := range []string{"ok", "transient", "permanent", "canceled"} {
		n += h.counter("cauri_provider_requests_total", "provider", h.name, "operation", op, "outcome", outcome)
	}
	return n
}

// paidWithoutWebhook pays the checkout of a new order while the
// emulator's notifications follow policy, one that keeps them from the
// shop, and checks that the payment stays pending until the customer's
// way back settles it, paid once. It returns the payment's ID.
func (h *harness) paidWithoutWebhook(orderID string, policy WebhookPolicy) string {
	h.t.Helper()
	h.em.SetWebhookPolicy(policy)
	id, ret := h.play(orderID, Pay)
	h.wantStatus(id, cauri.StatusPending)
	h.settlesPaid(id, ret)
	h.wantStatus(id, cauri.StatusPaid)
	h.wantOnPaid(id, 1)
	return id
}

// settlesPaid checks that the customer's way back settles a payment whose
// notification did not come: the return visit when the provider sends the
// customer back (ret != ""), else the shop's pending page polling the
// status endpoint.
func (h *harness) settlesPaid(id, ret string) {
	h.t.Helper()
	if ret == "" {
		if s := h.pollStatus(id); s != cauri.StatusPaid {
			h.t.Errorf("status endpoint = %s, want paid", s)
		}
		return
	}
	if page := h.comeBack(ret); page != successPath {
		h.t.Errorf("shop page = %q, want %q (the return visit asks the provider)", page, successPath)
	}
}
