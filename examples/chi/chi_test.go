package main_test

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

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/examples/internal/demotest"
	"github.com/cauripay/cauri/internal/testmetrics"
	"github.com/cauripay/cauri/internal/testorder"
	"github.com/cauripay/cauri/providers/dexchange/dexchangetest"
	"github.com/cauripay/cauri/providers/moneroo/monerootest"
	"github.com/cauripay/cauri/providers/providertest"
	"github.com/cauripay/cauri/stores/memory"
)

// emulator is a provider's emulator that records its notifications.
type emulator interface {
	providertest.Emulator
	Deliveries() []providertest.Delivery
}

// emulators are the providers the flows run on: Moneroo's notifications
// go to the URL set in its dashboard, DEXCHANGE's to the per-payment
// callback URL the kit builds (/webhooks/{provider}/{id}/{token}).
var emulators = []struct {
	name string
	new  func() emulator
}{
	{"moneroo", func() emulator { return monerootest.New() }},
	{"dexchange", func() emulator { return dexchangetest.New() }},
}

// routings are the ways of putting the kit in a chi router.
var routings = []struct {
	name  string
	route func(r chi.Router, kit *cauri.Kit)
}{
	{"Mount with StripPrefix", func(r chi.Router, kit *cauri.Kit) {
		r.Mount("/pay", http.StripPrefix("/pay", kit))
	}},
	{"one route per handler", routeEach}, // as Example_routes
	// No {provider}, {id} or {token} path values: the handlers read the
	// path's segments.
	{"routes with other parameter names", func(r chi.Router, kit *cauri.Kit) {
		r.Post("/pay/checkout/{p}", kit.CheckoutHandler().ServeHTTP)
		r.Get("/pay/return/{p}/{payment}/{sig}", kit.ReturnHandler().ServeHTTP)
		r.Post("/pay/webhooks/{p}", kit.WebhookHandler().ServeHTTP)
		r.Post("/pay/webhooks/{p}/*", kit.WebhookHandler().ServeHTTP)
		r.Get("/pay/payments/{payment}", kit.StatusHandler().ServeHTTP)
	}},
}

// Shop pages the kit redirects to.
const (
	successPath = "/shop/thanks"
	failurePath = "/shop/sorry"
	pendingPath = "/shop/waiting"
)

// shop is a kit over a memory store, in a chi router served on loopback,
// talking to one emulator.
type shop struct {
	em    emulator
	name  string
	kit   *cauri.Kit
	store *memory.Store
	reg   *prometheus.Registry
	srv   *httptest.Server

	mu     sync.Mutex
	onPaid map[string]int // payment ID → OnPaid calls
	clock  providertest.Clock
}

func newShop(t *testing.T, em emulator, route func(chi.Router, *cauri.Kit)) *shop {
	t.Helper()
	t.Cleanup(em.Close)
	s := &shop{
		em: em, name: em.Provider().Name(), store: memory.New(), reg: prometheus.NewRegistry(),
		onPaid: make(map[string]int),
	}
	// The listener comes first: its address is the kit's PublicURL.
	s.srv = httptest.NewUnstartedServer(nil)
	t.Cleanup(s.srv.Close)
	kit, err := cauri.New(cauri.Config{
		Store:     s.store,
		Providers: []cauri.Provider{em.Provider()},
		PublicURL: "http://" + s.srv.Listener.Addr().String() + "/pay",
		Secret:    "chi-example-secret-chi-example-secret-0123",
		Order: func(r *http.Request, _ string) (cauri.Order, error) {
			id := r.PostFormValue("order")
			if !strings.HasPrefix(id, "order-") {
				return cauri.Order{}, cauri.ErrNotFound
			}
			return testorder.New(id, 5000), nil
		},
		OnPaid: func(_ context.Context, p cauri.Payment) error {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.onPaid[p.ID]++
			return nil
		},
		SuccessURL: successPath, FailureURL: failurePath, PendingURL: pendingPath,
		Registerer:      s.reg,
		Now:             s.clock.Now,
		ProviderTimeout: 5 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	s.kit = kit

	r := chi.NewRouter()
	r.Use(middleware.RequestID, middleware.Recoverer)
	route(r, kit)
	s.srv.Config.Handler = r
	s.srv.Start()
	em.SetWebhookURL(s.srv.URL + "/pay/webhooks/" + s.name)
	return s
}

// post sends a form to the shop and returns the answer's status, Location
// and body.
func (s *shop) post(t *testing.T, path string, form url.Values, accept string) (int, string, string) {
	t.Helper()
	req := demotest.Request(t, s.srv.URL, http.MethodPost, path, form)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	return s.do(t, req)
}

// get fetches rawURL and returns the answer's status, Location and body.
func (s *shop) get(t *testing.T, rawURL string) (int, string, string) {
	t.Helper()
	return s.do(t, demotest.Request(t, "", http.MethodGet, rawURL, nil))
}

// do sends req, without following redirects, and returns the answer's
// status, Location and body.
func (s *shop) do(t *testing.T, req *http.Request) (int, string, string) {
	t.Helper()
	a := demotest.Fetch(t, req)
	return a.Code, a.Location, a.Body
}

// checkout starts a payment for order as a script would, asking for JSON.
func (s *shop) checkout(t *testing.T, order string) (paymentID, checkoutURL, statusURL string) {
	t.Helper()
	code, _, body := s.post(t, "/pay/checkout/"+s.name, url.Values{"order": {order}}, "application/json")
	if code != http.StatusOK {
		t.Fatalf("checkout: %d\n%s", code, body)
	}
	var out struct {
		PaymentID   string `json:"payment_id"`
		CheckoutURL string `json:"checkout_url"`
		StatusURL   string `json:"status_url"`
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatalf("checkout: %v\n%s", err, body)
	}
	return out.PaymentID, out.CheckoutURL, out.StatusURL
}

// act plays the customer on the provider's page and returns the kit's
// return URL the provider sends them back to.
func (s *shop) act(t *testing.T, checkoutURL string, a providertest.Action) string {
	t.Helper()
	back, err := s.em.Act(t.Context(), checkoutURL, a)
	if err != nil {
		t.Fatalf("%s on the provider's page: %v", a, err)
	}
	if !strings.HasPrefix(back, s.srv.URL+"/pay/return/"+s.name+"/") {
		t.Fatalf("the provider sent the customer to %q, want the kit's return URL", back)
	}
	return back
}

// comeBack follows a return URL and returns the path of the shop page the
// kit sent the customer to.
func (s *shop) comeBack(t *testing.T, returnURL string) string {
	t.Helper()
	code, loc, body := s.get(t, returnURL)
	if code != http.StatusSeeOther {
		t.Fatalf("return: %d, want 303\n%s", code, body)
	}
	u, err := url.Parse(loc)
	if err != nil || u.Host != "" || u.Query().Get("payment_id") == "" || u.Query().Get("token") == "" {
		t.Fatalf("return: redirected to %q", loc)
	}
	return u.Path
}

func (s *shop) onPaidCalls(id string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.onPaid[id]
}

func (s *shop) status(t *testing.T, id string) cauri.Status {
	t.Helper()
	p, err := s.store.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return p.Status
}

func (s *shop) counter(t *testing.T, name string, labels ...string) float64 {
	t.Helper()
	return testmetrics.Sum(t, s.reg, name, labels...)
}

// TestPayFlow pays through chi with each routing and provider: checkout,
// the provider's page, duplicate notifications through chi, the return,
// the status endpoint; then a forged notification and a failed payment.
func TestPayFlow(t *testing.T) {
	for _, rt := range routings {
		for _, em := range emulators {
			t.Run(rt.name+"/"+em.name, func(t *testing.T) {
				s := newShop(t, em.new(), rt.route)

				// A buy form: 303 to the provider's page.
				code, loc, body := s.post(t, "/pay/checkout/"+s.name, url.Values{"order": {"order-1"}}, "")
				if code != http.StatusSeeOther || !strings.HasPrefix(loc, "http://127.0.0.1:") || strings.HasPrefix(loc, s.srv.URL) {
					t.Fatalf("checkout: %d to %q, want 303 to the provider\n%s", code, loc, body)
				}
				// The same order again, as a script: the same payment.
				id, checkoutURL, statusURL := s.checkout(t, "order-1")
				if checkoutURL != loc {
					t.Errorf("second checkout opened %q, want the first one's %q", checkoutURL, loc)
				}

				const copies = 3
				s.em.SetWebhookPolicy(providertest.WebhookPolicy{Copies: copies})
				back := s.act(t, checkoutURL, providertest.Pay)
				ds := s.em.Deliveries()
				if len(ds) != copies {
					for _, d := range ds {
						t.Logf("delivery %+v", d)
					}
					t.Fatalf("%d deliveries, want %d", len(ds), copies)
				}
				for _, d := range ds {
					if !d.OK() || !strings.HasPrefix(d.URL, s.srv.URL+"/pay/webhooks/"+s.name) {
						t.Errorf("delivery %d to %s: %d %v", d.Copy, d.URL, d.StatusCode, d.Err)
					}
				}
				// Believed as signed (accepted), or as confirmed with the
				// provider (confirmed): once, and the copies change nothing.
				settled := s.counter(t, "cauri_webhooks_total", "provider", s.name, "outcome", "accepted") +
					s.counter(t, "cauri_webhooks_total", "provider", s.name, "outcome", "confirmed")
				dups := s.counter(t, "cauri_webhooks_total", "provider", s.name, "outcome", "duplicate")
				if settled < 1 || settled+dups != copies {
					t.Errorf("webhooks settled = %v and duplicate = %v, want 1 or more of %d, the rest duplicates", settled, dups, copies)
				}
				if st := s.status(t, id); st != cauri.StatusPaid {
					t.Errorf("after the notifications: %s, want paid", st)
				}
				if n := s.onPaidCalls(id); n != 1 {
					t.Errorf("OnPaid ran %d times, want 1", n)
				}

				for range 2 { // a reload changes nothing
					if page := s.comeBack(t, back); page != successPath {
						t.Errorf("return: %s, want %s", page, successPath)
					}
				}
				code, _, body = s.get(t, statusURL)
				if code != http.StatusOK || !strings.Contains(body, `"status":"paid"`) || !strings.Contains(body, `"order_id":"order-1"`) {
					t.Errorf("status: %d %s", code, body)
				}
				if code, _, _ := s.get(t, strings.Split(statusURL, "?")[0]); code != http.StatusForbidden {
					t.Errorf("status without the token: %d, want 403", code)
				}
				if n := s.onPaidCalls(id); n != 1 {
					t.Errorf("OnPaid ran %d times after the return, want 1", n)
				}

				// A second order: a forged notification does not move it,
				// then the customer fails to pay.
				id2, checkoutURL2, _ := s.checkout(t, "order-2")
				ref2 := providerRef(t, s, id2)
				if err := s.em.Forge(t.Context(), s.srv.URL+"/pay/webhooks/"+s.name, ref2); err != nil {
					t.Fatal(err)
				}
				if st := s.status(t, id2); st != cauri.StatusPending {
					t.Errorf("after a forged notification: %s, want pending", st)
				}
				// The forgery spent the payment's turn to be asked about;
				// the customer pays at the next.
				s.clock.Later(time.Hour)
				if page := s.comeBack(t, s.act(t, checkoutURL2, providertest.Fail)); page != failurePath {
					t.Errorf("return after failing: %s, want %s", page, failurePath)
				}
				if st := s.status(t, id2); st != cauri.StatusFailed {
					t.Errorf("after failing: %s, want failed", st)
				}
				if n := s.onPaidCalls(id2); n != 0 {
					t.Errorf("OnPaid ran %d times for a failed payment", n)
				}

				// What the kit does not serve is chi's 404 or the kit's.
				if code, _, _ := s.post(t, "/pay/checkout/stripe", url.Values{"order": {"order-3"}}, ""); code != http.StatusNotFound {
					t.Errorf("unknown provider: %d, want 404", code)
				}
				if code, _, _ := s.post(t, "/pay/checkout/"+s.name, url.Values{"order": {"nope"}}, ""); code != http.StatusNotFound {
					t.Errorf("unknown order: %d, want 404", code)
				}
			})
		}
	}
}

// providerRef returns the provider's reference of a stored payment.
func providerRef(t *testing.T, s *shop, id string) string {
	t.Helper()
	p, err := s.store.Get(context.Background(), id)
	if err != nil || p.ProviderRef == "" {
		t.Fatalf("payment %s: %+v %v", id, p, err)
	}
	return p.ProviderRef
}

// TestMountWithoutStripPrefix records what chi's Mount does with a plain
// http.Handler: the path reaches the kit unstripped, and the kit's own
// ServeMux matches none of its routes.
func TestMountWithoutStripPrefix(t *testing.T) {
	s := newShop(t, monerootest.New(), func(r chi.Router, kit *cauri.Kit) { r.Mount("/pay", kit) })
	code, loc, body := s.post(t, "/pay/checkout/moneroo", url.Values{"order": {"order-1"}}, "")
	if code != http.StatusNotFound || loc != "" {
		t.Errorf("checkout through Mount without StripPrefix: %d to %q, want 404\n%s", code, loc, body)
	}
	if got := s.counter(t, "cauri_checkouts_total"); got != 0 {
		t.Errorf("checkouts counted: %v, want none: the kit's checkout handler is never reached", got)
	}
}
