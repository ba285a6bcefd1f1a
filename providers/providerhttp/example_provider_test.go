package providerhttp_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/providerhttp"
	"github.com/cauripay/cauri/stores/memory"
)

// acme is a provider written outside this module, against exported
// packages only: cauri for the contract, providerhttp for the calls.
// Its API opens a checkout with POST /v1/checkouts and tells a
// checkout's status at GET /v1/checkouts/{id}.
type acme struct {
	base string // the API's root
	key  string // the merchant's API key
	http *providerhttp.Client
}

func newAcme(base, key string) *acme {
	c := providerhttp.New("acme", nil)
	// Acme's error answers say what went wrong in a "message" field.
	c.Describe = func(_ int, _ http.Header, body []byte) string {
		var e struct{ Message string }
		_ = json.Unmarshal(body, &e)
		return e.Message
	}
	return &acme{base: base, key: key, http: c}
}

func (a *acme) Name() string { return "acme" }

// acmeCheckout is Acme's view of one checkout.
type acmeCheckout struct {
	ID        string `json:"id"`
	Reference string `json:"reference"`
	URL       string `json:"url,omitempty"`
	Status    string `json:"status"`
	Amount    int64  `json:"amount"`
	Currency  string `json:"currency"`
	ReturnURL string `json:"return_url,omitempty"`
}

// call sends one request. Every failure (no answer, a 5xx or 429 the kit
// may retry, a 4xx it must not) comes back as a *cauri.ProviderError.
func (a *acme) call(ctx context.Context, op, method string, in any, path ...string) (acmeCheckout, error) {
	res, err := a.http.Do(ctx, providerhttp.Request{
		Op: op, Method: method, URL: providerhttp.JoinURL(a.base, path...),
		Header: http.Header{"Authorization": {"Bearer " + a.key}},
		JSON:   in,
	})
	if err != nil {
		return acmeCheckout{}, err
	}
	var out acmeCheckout
	if err := res.DecodeJSON(&out); err != nil {
		return acmeCheckout{}, &cauri.ProviderError{Provider: a.Name(), Op: op, StatusCode: res.StatusCode, Err: err}
	}
	return out, nil
}

func (a *acme) CreateCheckout(ctx context.Context, req cauri.CheckoutRequest) (cauri.Checkout, error) {
	c, err := a.call(ctx, "create", http.MethodPost, acmeCheckout{
		Reference: req.PaymentID, Amount: req.Order.Amount, Currency: req.Order.Currency, ReturnURL: req.ReturnURL,
	}, "v1", "checkouts")
	if err != nil {
		return cauri.Checkout{}, err
	}
	return cauri.Checkout{ProviderRef: c.ID, RedirectURL: c.URL}, nil
}

func (a *acme) FetchStatus(ctx context.Context, q cauri.StatusQuery) (cauri.Update, error) {
	c, err := a.call(ctx, "status", http.MethodGet, nil, "v1", "checkouts", q.ProviderRef)
	if err != nil {
		return cauri.Update{}, err
	}
	u := a.update(c)
	u.Authenticated = true // the API's own answer
	return u, nil
}

// ParseWebhook reads an unsigned notification: the kit confirms it with
// FetchStatus before it counts.
func (a *acme) ParseWebhook(_ *http.Request, body []byte) (cauri.Update, error) {
	var c acmeCheckout
	if err := json.Unmarshal(body, &c); err != nil || c.ID == "" {
		return cauri.Update{}, fmt.Errorf("acme notification: %w", cauri.ErrMalformed)
	}
	return a.update(c), nil
}

func (a *acme) update(c acmeCheckout) cauri.Update {
	status := cauri.StatusPending // a status it does not know is never final
	switch c.Status {
	case "paid":
		status = cauri.StatusPaid
	case "failed":
		status = cauri.StatusFailed
	}
	return cauri.Update{
		PaymentID: c.Reference, ProviderRef: c.ID, Status: status, RawStatus: c.Status,
		Amount: c.Amount, Currency: c.Currency, EventID: c.ID + "/" + c.Status,
	}
}

// acmeAPI is a stand-in for Acme's API: its checkouts, by ID, and the
// status code it answers everything with when fail is set.
type acmeAPI struct {
	mu        sync.Mutex
	checkouts map[string]*acmeCheckout
	fail      int
}

func (api *acmeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	api.mu.Lock()
	defer api.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if api.fail != 0 {
		w.Header().Set("Retry-After", "7")
		w.WriteHeader(api.fail)
		_, _ = w.Write([]byte(`{"message":"try later"}`))
		return
	}
	if r.Header.Get("Authorization") != "Bearer sk_test" {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"message":"bad key"}`))
		return
	}
	var c *acmeCheckout
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/v1/checkouts":
		c = &acmeCheckout{}
		if err := json.NewDecoder(r.Body).Decode(c); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		c.ID = fmt.Sprintf("chk_%d", len(api.checkouts)+1)
		c.URL, c.Status = "https://pay.acme.example/"+c.ID, "open"
		api.checkouts[c.ID] = c
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/v1/checkouts/"):
		c = api.checkouts[strings.TrimPrefix(r.URL.Path, "/v1/checkouts/")]
	}
	if c == nil {
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"message":"no such checkout"}`))
		return
	}
	_ = json.NewEncoder(w).Encode(c)
}

// pay plays the customer paying checkout id on Acme's page, and returns
// where Acme sends them back.
func (api *acmeAPI) pay(id string) string {
	api.mu.Lock()
	defer api.mu.Unlock()
	c := api.checkouts[id]
	c.Status = "paid"
	return c.ReturnURL
}

// acmeKit is a shop's kit with acme, on the API at base, as its one
// provider, and one order: order-42, 5000 XOF.
func acmeKit(base string, onPaid func(context.Context, cauri.Payment) error) (*cauri.Kit, error) {
	return cauri.New(cauri.Config{
		Store:     memory.New(),
		Providers: []cauri.Provider{newAcme(base, "sk_test")},
		PublicURL: "https://shop.example/pay",
		Secret:    "use-32-or-more-random-bytes-here-please",
		Order: func(*http.Request, string) (cauri.Order, error) {
			return cauri.Order{ID: "order-42", Amount: 5000, Currency: "XOF"}, nil
		},
		OnPaid:     onPaid,
		SuccessURL: "/thanks", FailureURL: "/sorry", PendingURL: "/waiting",
	})
}

// A provider outside this module: it implements cauri.Provider with
// providerhttp's client, which turns each failed call into the
// *cauri.ProviderError the kit retries or not. Here it runs a payment
// through a kit, from checkout to OnPaid.
func Example() {
	api := &acmeAPI{checkouts: map[string]*acmeCheckout{}}
	srv := httptest.NewServer(api)
	defer srv.Close()

	kit, err := acmeKit(srv.URL, func(_ context.Context, p cauri.Payment) error {
		fmt.Println("OnPaid:", p.OrderID, p.Status, p.Amount, p.Currency)
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}

	rec := httptest.NewRecorder()
	kit.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/checkout/acme", nil))
	page := rec.Header().Get("Location")
	fmt.Println("checkout:", rec.Code, page)

	back := api.pay(strings.TrimPrefix(page, "https://pay.acme.example/"))
	rec = httptest.NewRecorder()
	kit.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, strings.TrimPrefix(back, "https://shop.example/pay"), nil))
	fmt.Println("return:", rec.Code, strings.SplitN(rec.Header().Get("Location"), "?", 2)[0])

	// A failing API: the error says whether the kit may retry.
	api.fail = http.StatusServiceUnavailable
	_, err = newAcme(srv.URL, "sk_test").FetchStatus(context.Background(), cauri.StatusQuery{ProviderRef: "chk_1"})
	var pe *cauri.ProviderError
	if errors.As(err, &pe) {
		fmt.Println("status:", pe.StatusCode, pe.Message, "temporary:", pe.Temporary, "retry after:", pe.RetryAfter)
	}
	// Output:
	// checkout: 303 https://pay.acme.example/chk_1
	// OnPaid: order-42 paid 5000 XOF
	// return: 303 /thanks
	// status: 503 try later temporary: true retry after: 7s
}
