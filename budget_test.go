package cauri_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/internal/testmetrics"
	"github.com/cauripay/cauri/internal/testorder"
	"github.com/cauripay/cauri/providers/dexchange"
	"github.com/cauripay/cauri/providers/dexchange/dexchangetest"
	"github.com/cauripay/cauri/providers/moneroo"
	"github.com/cauripay/cauri/providers/moneroo/monerootest"
	"github.com/cauripay/cauri/providers/moneyfusion"
	"github.com/cauripay/cauri/providers/moneyfusion/moneyfusiontest"
	"github.com/cauripay/cauri/providers/novasend"
	"github.com/cauripay/cauri/providers/novasend/novasendtest"
	"github.com/cauripay/cauri/providers/providertest"
	"github.com/cauripay/cauri/stores/memory"
	sqlstore "github.com/cauripay/cauri/stores/sql"

	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"
)

// apiCounter is the provider client's transport: it counts the API calls
// the kit makes, with the kit's clock at each.
type apiCounter struct {
	base http.RoundTripper
	now  func() time.Time

	mu    sync.Mutex
	calls []apiCall
}

type apiCall struct {
	method, path string
	at           time.Time
}

func newAPICounter(now func() time.Time) *apiCounter {
	return &apiCounter{base: http.DefaultTransport.(*http.Transport).Clone(), now: now}
}

func (c *apiCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	c.mu.Lock()
	c.calls = append(c.calls, apiCall{r.Method, r.URL.Path, c.now()})
	c.mu.Unlock()
	return c.base.RoundTrip(r)
}

func (c *apiCounter) client() *http.Client { return &http.Client{Transport: c} }

// statusCalls counts the calls that are not checkout creations: the
// questions about a payment.
func (c *apiCounter) statusCalls() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, call := range c.calls {
		if call.method == http.MethodGet {
			n++
		}
	}
	return n
}

// busiestWindow returns the most calls made within any window of length d.
func (c *apiCounter) busiestWindow(d time.Duration) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	most, lo := 0, 0
	for hi := range c.calls {
		for c.calls[hi].at.Sub(c.calls[lo].at) >= d {
			lo++
		}
		most = max(most, hi-lo+1)
	}
	return most
}

// budgetProvider is one provider whose notifications the kit must confirm,
// built against its emulator with a counting client.
type budgetProvider struct {
	name string
	new  func(t testing.TB, hc *http.Client) (providertest.Emulator, cauri.Provider)
}

// unsignedProviders are the providers whose notifications, as configured,
// prove nothing: each one would cost a status call if nothing budgeted them.
var unsignedProviders = []budgetProvider{
	{"dexchange", func(t testing.TB, hc *http.Client) (providertest.Emulator, cauri.Provider) {
		em := dexchangetest.New()
		return emulated(t, em, em.Config(), dexchange.New, func(c *dexchange.Config) { c.HTTPClient = hc })
	}},
	{"moneyfusion", func(t testing.TB, hc *http.Client) (providertest.Emulator, cauri.Provider) {
		em := moneyfusiontest.New()
		return emulated(t, em, em.Config(), moneyfusion.New, func(c *moneyfusion.Config) { c.HTTPClient = hc })
	}},
	{"moneroo", func(t testing.TB, hc *http.Client) (providertest.Emulator, cauri.Provider) {
		em := monerootest.New()
		return emulated(t, em, em.Config(), moneroo.New, func(c *moneroo.Config) { c.WebhookSecrets, c.HTTPClient = nil, hc })
	}},
	{"novasend", func(t testing.TB, hc *http.Client) (providertest.Emulator, cauri.Provider) {
		em := novasendtest.New()
		return emulated(t, em, em.Config(), novasend.New, func(c *novasend.Config) { c.WebhookSecrets, c.HTTPClient = nil, hc })
	}},
}

// signedNovaSend is NovaSend with its webhook secret: its documented
// notifications verify but carry no transaction, so the kit still
// confirms them.
func signedNovaSend(t testing.TB, hc *http.Client) (providertest.Emulator, cauri.Provider) {
	em := novasendtest.New()
	return emulated(t, em, em.Config(), novasend.New, func(c *novasend.Config) { c.HTTPClient = hc })
}

// dexchangeSimulatedTime is DEXCHANGE whose emulator enforces no limit of
// its own: it would count on the real clock a day the kit lives on a
// simulated one. The test measures the limit on the kit's clock instead.
func dexchangeSimulatedTime(t testing.TB, hc *http.Client) (providertest.Emulator, cauri.Provider) {
	em := dexchangetest.New(dexchangetest.WithRateLimit(0, 0))
	return emulated(t, em, em.Config(), dexchange.New, func(c *dexchange.Config) { c.HTTPClient = hc })
}

// emulated returns em and the provider newP makes of c as edit changes
// it, and fails t when newP fails.
func emulated[C any, P cauri.Provider](t testing.TB, em providertest.Emulator, c C, newP func(C) (P, error), edit func(*C)) (providertest.Emulator, cauri.Provider) {
	t.Helper()
	edit(&c)
	p, err := newP(c)
	must(t, err)
	return em, p
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// budgetShop is a shop on one provider: the kit mounted under /pay on a
// loopback server, orders the shop's server prices, and a record of what
// OnPaid was handed.
type budgetShop struct {
	t      testing.TB
	name   string
	em     providertest.Emulator
	api    *apiCounter
	kit    *cauri.Kit
	cfg    cauri.Config
	store  cauri.Store
	srv    *httptest.Server
	reg    *prometheus.Registry
	client *http.Client

	mu     sync.Mutex
	prices map[string]int64         // order ID → amount; 5000 unless set
	handed map[string]cauri.Payment // OnPaid's payments by ID
}

func newBudgetShop(t testing.TB, bp budgetProvider, store cauri.Store, edit func(*cauri.Config)) *budgetShop {
	t.Helper()
	s := &budgetShop{
		t: t, name: bp.name, store: store, reg: prometheus.NewRegistry(),
		prices: map[string]int64{}, handed: map[string]cauri.Payment{},
		client: &http.Client{
			Timeout:       30 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
	cfg := cauri.Config{
		Store:  store,
		Secret: kitSecret,
		Order: func(r *http.Request, _ string) (cauri.Order, error) {
			id := r.FormValue("order")
			s.mu.Lock()
			amount := s.prices[id]
			s.mu.Unlock()
			if amount == 0 {
				amount = orderAmount
			}
			return testorder.New(id, amount), nil
		},
		OnPaid: func(_ context.Context, p cauri.Payment) error {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.handed[p.ID] = p
			return nil
		},
		SuccessURL: "/shop/success", FailureURL: "/shop/failure", PendingURL: "/shop/pending",
		Registerer:   s.reg,
		PollInterval: time.Hour, // one question per payment in any test
		Retry:        cauri.RetryPolicy{InitialInterval: time.Millisecond, MaxInterval: 5 * time.Millisecond},
	}
	if edit != nil {
		edit(&cfg)
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	s.api = newAPICounter(now)
	var prov cauri.Provider
	s.em, prov = bp.new(t, s.api.client())
	t.Cleanup(s.em.Close)
	cfg.Providers = []cauri.Provider{prov}

	var serve func(http.Handler)
	s.srv, serve = kitServer(t)
	cfg.PublicURL = s.srv.URL + "/pay"
	k, err := cauri.New(cfg)
	must(t, err)
	s.kit, s.cfg = k, cfg
	serve(k)
	s.em.SetWebhookURL(s.srv.URL + "/pay/webhooks/" + s.name)
	return s
}

func (s *budgetShop) setPrice(order string, amount int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.prices[order] = amount
}

// checkout opens a payment for order through the handler, asking for JSON,
// and returns the stored payment and the provider's page.
func (s *budgetShop) checkout(order string) (cauri.Payment, string) {
	s.t.Helper()
	code, p, page := s.tryCheckout(order)
	if code != http.StatusOK {
		s.t.Fatalf("checkout of %s: HTTP %d", order, code)
	}
	return p, page
}

func (s *budgetShop) tryCheckout(order string) (int, cauri.Payment, string) {
	s.t.Helper()
	resp, err := s.client.Do(checkoutRequest(s.t, s.srv.URL+"/pay/checkout/"+s.name, url.Values{"order": {order}}))
	must(s.t, err)
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode, cauri.Payment{}, ""
	}
	out := checkoutAnswer(s.t, resp)
	return resp.StatusCode, s.payment(out.PaymentID), out.CheckoutURL
}

func (s *budgetShop) payment(id string) cauri.Payment {
	s.t.Helper()
	return mustGet(s.t, s.store.Get, id)
}

func (s *budgetShop) get(u string) (int, string) {
	s.t.Helper()
	resp, err := s.client.Get(u)
	must(s.t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Location")
}

func (s *budgetShop) metric(name string, labels ...string) float64 {
	s.t.Helper()
	return testmetrics.Sum(s.t, s.reg, name, labels...)
}

func (s *budgetShop) handedOnPaid(id string) (cauri.Payment, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.handed[id]
	return p, ok
}

// TestForgedWebhookFloodCostsOneCall: a burst of forged notifications
// about one pending payment, which the kit must confirm, costs one
// question to the provider; the breaker stays closed and the next
// customer's checkout goes through.
func TestForgedWebhookFloodCostsOneCall(t *testing.T) {
	for _, bp := range unsignedProviders {
		t.Run(bp.name, func(t *testing.T) {
			s := newBudgetShop(t, bp, memory.New(), nil)
			p, _ := s.checkout("o-flood")
			before := s.api.statusCalls()

			var wg sync.WaitGroup
			for range 110 {
				wg.Go(func() {
					if err := s.em.Forge(context.Background(), s.srv.URL+"/pay/webhooks/"+bp.name, p.ProviderRef); err != nil {
						t.Error(err)
					}
				})
			}
			wg.Wait()

			if got := s.api.statusCalls() - before; got > 1 {
				t.Errorf("110 forged notifications made %d status calls, want at most 1", got)
			}
			if got := s.payment(p.ID).Status; got != cauri.StatusPending {
				t.Errorf("payment is %s after forgeries, want pending", got)
			}
			if got := s.metric("cauri_circuit_breaker_state", "provider", bp.name); got != 0 {
				t.Errorf("breaker state = %v, want 0 (closed)", got)
			}
			// Confirmed: asked, or joined the one question asked; throttled:
			// answered from the store. How many of each depends on how the
			// burst falls against the one question; their sum does not.
			confirmed := s.metric("cauri_webhooks_total", "provider", bp.name, "outcome", "confirmed")
			throttled := s.metric("cauri_webhooks_total", "provider", bp.name, "outcome", "throttled")
			if confirmed+throttled != 110 {
				t.Errorf("confirmed = %v, throttled = %v; want 110 in all", confirmed, throttled)
			}
			if got := s.metric("cauri_webhooks_total", "provider", bp.name, "outcome", "accepted"); got != 0 {
				t.Errorf("forgeries counted accepted: %v", got)
			}
			if code, _, _ := s.tryCheckout("o-next-customer"); code != http.StatusOK {
				t.Errorf("next customer's checkout: HTTP %d, want 200", code)
			}
		})
	}
}

// TestReturnVisitsShareOneQuestion: concurrent and repeated visits of one
// pending payment's return link make one question per interval; the
// customer goes to the pending page between questions.
func TestReturnVisitsShareOneQuestion(t *testing.T) {
	s := newBudgetShop(t, unsignedProviders[2], memory.New(), nil)
	p, _ := s.checkout("o-reload")
	ret := s.kit.ReturnURL(s.name, p.ID)
	before := s.api.statusCalls()
	for round := range 2 {
		var wg sync.WaitGroup
		for range 10 {
			wg.Go(func() {
				if code, loc := s.get(ret); code != http.StatusSeeOther || !strings.HasPrefix(loc, "/shop/pending") {
					t.Errorf("round %d: return visit: %d %s, want 303 to the pending page", round, code, loc)
				}
			})
		}
		wg.Wait()
	}
	if got := s.api.statusCalls() - before; got != 1 {
		t.Errorf("20 return visits made %d status calls, want 1", got)
	}
	// The status endpoint the pending page polls draws on the same budget.
	for range 5 {
		if code, _ := s.get(s.kit.StatusURL(p.ID)); code != http.StatusOK {
			t.Errorf("status endpoint: HTTP %d", code)
		}
	}
	if got := s.api.statusCalls() - before; got != 1 {
		t.Errorf("return visits and status polls made %d status calls, want 1", got)
	}
}

// TestDuplicateDeliveriesShareOneQuestion: NovaSend delivering one genuine
// notification five times at once (each one a signal the kit confirms)
// costs one question, and the payment is paid once.
func TestDuplicateDeliveriesShareOneQuestion(t *testing.T) {
	s := newBudgetShop(t, budgetProvider{"novasend", signedNovaSend}, memory.New(), nil)
	s.em.SetWebhookPolicy(providertest.WebhookPolicy{Copies: 5, Hold: true})
	p, page := s.checkout("o-dup")
	before := s.api.statusCalls()
	if _, err := s.em.Act(context.Background(), page, providertest.Pay); err != nil {
		t.Fatal(err)
	}
	must(t, s.em.FlushWebhooks(context.Background()))
	if got := s.api.statusCalls() - before; got != 1 {
		t.Errorf("5 copies of one notification made %d status calls, want 1", got)
	}
	if got := s.payment(p.ID); got.Status != cauri.StatusPaid || !got.Fulfilled() {
		t.Errorf("payment is %s (fulfilled %v), want paid and fulfilled", got.Status, got.Fulfilled())
	}
}

// sharedStores are the stores two kits can share: memory (in one
// process), SQLite in a file, and PostgreSQL when
// CAURI_TEST_POSTGRES_DSN names one.
func sharedStores(t *testing.T) map[string]func(t *testing.T) cauri.Store {
	stores := map[string]func(t *testing.T) cauri.Store{
		"memory": func(*testing.T) cauri.Store { return memory.New() },
		"sqlite": func(t *testing.T) cauri.Store {
			return openSQLStore(t, "sqlite", "file:"+filepath.Join(t.TempDir(), "shop.db")+"?_pragma=busy_timeout(30000)&_pragma=journal_mode(WAL)", sqlstore.SQLite)
		},
	}
	switch dsn := os.Getenv("CAURI_TEST_POSTGRES_DSN"); {
	case testing.Short():
		t.Log("-short: the PostgreSQL case runs in the full suite")
	case dsn != "":
		stores["postgres"] = func(t *testing.T) cauri.Store { return openSQLStore(t, "pgx", dsn, sqlstore.Postgres) }
	default:
		t.Log("CAURI_TEST_POSTGRES_DSN not set: the PostgreSQL case is skipped")
	}
	return stores
}

// openSQLStore opens a migrated Store under tables no other test uses, and
// drops them when the test ends.
func openSQLStore(t *testing.T, driver, dsn string, d sqlstore.Dialect) cauri.Store {
	t.Helper()
	db, err := sql.Open(driver, dsn)
	must(t, err)
	prefix := "t" + strings.ToLower(rand.Text()[:12]) + "_"
	t.Cleanup(func() {
		for _, table := range []string{"payments", "payment_events", "payouts", "orders", "schema_migrations"} {
			_, _ = db.Exec("DROP TABLE IF EXISTS " + prefix + table)
		}
		db.Close()
	})
	s := sqlstore.New(db, d, sqlstore.WithTablePrefix(prefix))
	must(t, s.Migrate(context.Background()))
	return s
}

// TestReplicasShareOneBudget: two kits sharing one store (two replicas of
// a shop) make one question per interval about a payment between them,
// however the customer's visits and the provider's signals fall.
func TestReplicasShareOneBudget(t *testing.T) {
	for name, open := range sharedStores(t) {
		t.Run(name, func(t *testing.T) {
			store := open(t)
			a := newBudgetShop(t, unsignedProviders[2], store, nil)
			b := a.replica()
			p, _ := a.checkout("o-replicas")
			before := a.api.statusCalls()
			var wg sync.WaitGroup
			for i := range 16 {
				s := a
				if i%2 == 1 {
					s = b
				}
				wg.Go(func() {
					if code, loc := s.get(s.kit.ReturnURL(s.name, p.ID)); code != http.StatusSeeOther || !strings.HasPrefix(loc, "/shop/pending") {
						t.Errorf("return visit: %d %s", code, loc)
					}
				})
				wg.Go(func() {
					if err := s.em.Forge(context.Background(), s.srv.URL+"/pay/webhooks/"+s.name, p.ProviderRef); err != nil {
						t.Error(err)
					}
				})
			}
			wg.Wait()
			if got := a.api.statusCalls() - before; got != 1 {
				t.Errorf("two replicas made %d status calls about one payment, want 1", got)
			}
		})
	}
}

// replica returns a second kit over the same store, provider and emulator,
// on a server of its own, as another process of the shop would be. Its
// orders and OnPaid are s's.
func (s *budgetShop) replica() *budgetShop {
	s.t.Helper()
	r := &budgetShop{t: s.t, name: s.name, em: s.em, api: s.api, store: s.store, reg: prometheus.NewRegistry(), client: s.client}
	cfg := s.cfg
	cfg.Registerer = r.reg
	var serve func(http.Handler)
	r.srv, serve = kitServer(s.t)
	cfg.PublicURL = r.srv.URL + "/pay"
	k, err := cauri.New(cfg)
	must(s.t, err)
	r.kit = k
	serve(k)
	return r
}

// TestReconcilerDayOfAbandonedCheckouts: sixty checkouts nobody pays, under
// the reconciler every 30 seconds of a simulated day, are asked about less
// and less often: DEXCHANGE's limit (100 requests a minute) is never
// approached, and checkouts go through all day.
func TestReconcilerDayOfAbandonedCheckouts(t *testing.T) {
	clock := clockAt(time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC))
	s := newBudgetShop(t, budgetProvider{"dexchange", dexchangeSimulatedTime}, memory.New(), func(c *cauri.Config) {
		c.Now = clock.Now
		c.PollInterval = 0 // the defaults: 10s doubling to 30 minutes
	})
	for i := range 60 { // one a second: within DEXCHANGE's rate
		s.checkout(fmt.Sprintf("o-abandoned-%d", i))
		clock.Advance(time.Second)
	}
	ctx := context.Background()
	const pass = 30 * time.Second
	// The first hours are the busiest: the questions' interval doubles.
	day := 24 * time.Hour
	if testing.Short() {
		day = 4 * time.Hour
	}
	for step := 1; step <= int(day/pass); step++ {
		clock.Advance(pass)
		if _, err := s.kit.Reconcile(ctx); err != nil {
			t.Fatalf("pass %d: %v", step, err)
		}
		if step%240 == 0 { // every two hours, a customer checks out
			if code, _, _ := s.tryCheckout(fmt.Sprintf("o-customer-%d", step)); code != http.StatusOK {
				t.Errorf("checkout after %v: HTTP %d", time.Duration(step)*pass, code)
			}
		}
	}
	if got := s.api.busiestWindow(time.Minute); got > 100 {
		t.Errorf("busiest minute: %d requests, over DEXCHANGE's 100", got)
	}
	// Asked at every pass, 60 payments would cost 172,800 questions; with
	// the interval doubling to 30 minutes, each is asked some 60 times.
	calls := s.api.statusCalls()
	if calls > 60*80 {
		t.Errorf("a day of reconciling made %d status calls, want at most %d", calls, 60*80)
	}
	t.Logf("%v simulated: %d status calls about 60 abandoned checkouts, busiest minute %d", day, calls, s.api.busiestWindow(time.Minute))
	if got := s.metric("cauri_circuit_breaker_state", "provider", s.name); got != 0 {
		t.Errorf("breaker state = %v, want closed", got)
	}
}

// TestSupersededPaymentReachesOnPaidMarked: a changed basket opens a new
// payment that supersedes the first; the first can no longer be returned
// to, nor reused, and if it is paid all the same it is recorded and handed
// to OnPaid marked superseded, counted and logged.
func TestSupersededPaymentReachesOnPaidMarked(t *testing.T) {
	s := newBudgetShop(t, budgetProvider{"moneroo", signedMoneroo}, memory.New(), nil)
	old, oldPage := s.checkout("o-basket")
	s.setPrice("o-basket", 7500)
	cur, _ := s.checkout("o-basket")
	if got := s.payment(old.ID).SupersededBy; got != cur.ID {
		t.Fatalf("old payment SupersededBy = %q, want %q", got, cur.ID)
	}
	if code, loc := s.get(s.kit.ReturnURL(s.name, old.ID)); code != http.StatusSeeOther || !strings.HasPrefix(loc, "/shop/failure") {
		t.Errorf("return to the superseded payment: %d %s, want 303 to the failure page", code, loc)
	}
	// Back to the old basket: a new payment, not the superseded one.
	s.setPrice("o-basket", orderAmount)
	again, _ := s.checkout("o-basket")
	if again.ID == old.ID || again.Amount != orderAmount {
		t.Errorf("checkout of the old basket reused %s (amount %d)", again.ID, again.Amount)
	}

	// The customer pays the old page anyway.
	if _, err := s.em.Act(context.Background(), oldPage, providertest.Pay); err != nil {
		t.Fatal(err)
	}
	must(t, s.em.FlushWebhooks(context.Background()))
	if got := s.payment(old.ID).Status; got != cauri.StatusPaid {
		t.Fatalf("superseded payment paid at the provider is %s, want paid (money moved)", got)
	}
	handed, ok := s.handedOnPaid(old.ID)
	if !ok || handed.Anomaly != cauri.AnomalySuperseded || handed.Amount != orderAmount {
		t.Errorf("OnPaid got %+v (called %v), want the old payment marked superseded", handed.Anomaly, ok)
	}
	if got := s.metric("cauri_payment_anomalies_total", "provider", s.name, "anomaly", "superseded"); got != 1 {
		t.Errorf("anomalies counted = %v, want 1", got)
	}
}

// TestSecondPaidPaymentReachesOnPaidMarked: an order paid once and paid
// again through another payment: the second is recorded and handed to
// OnPaid marked paid_twice; the first is not.
func TestSecondPaidPaymentReachesOnPaidMarked(t *testing.T) {
	s := newBudgetShop(t, budgetProvider{"moneroo", signedMoneroo}, memory.New(), nil)
	s.em.SetWebhookPolicy(providertest.WebhookPolicy{Hold: true})
	first, firstPage := s.checkout("o-twice")
	if _, err := s.em.Act(context.Background(), firstPage, providertest.Pay); err != nil {
		t.Fatal(err)
	}
	must(t, s.em.FlushWebhooks(context.Background()))
	// The shop did not notice (a slow OnPaid, a stale tab) and a second
	// payment of the same order, at another amount, is paid too.
	s.setPrice("o-twice", 6000)
	second, secondPage := s.checkout("o-twice")
	if _, err := s.em.Act(context.Background(), secondPage, providertest.Pay); err != nil {
		t.Fatal(err)
	}
	must(t, s.em.FlushWebhooks(context.Background()))

	for _, c := range []struct {
		id   string
		want cauri.Anomaly
	}{{first.ID, ""}, {second.ID, cauri.AnomalyPaidTwice}} {
		if got := s.payment(c.id).Status; got != cauri.StatusPaid {
			t.Errorf("%s is %s, want paid", c.id, got)
		}
		handed, ok := s.handedOnPaid(c.id)
		if !ok || handed.Anomaly != c.want {
			t.Errorf("OnPaid got %s with anomaly %q (called %v), want %q", c.id, handed.Anomaly, ok, c.want)
		}
	}
	if got := s.metric("cauri_payment_anomalies_total", "provider", s.name, "anomaly", "paid_twice"); got != 1 {
		t.Errorf("paid_twice counted = %v, want 1", got)
	}
}

// signedMoneroo is Moneroo with its webhook secret: notifications are
// believed as signed.
func signedMoneroo(t testing.TB, hc *http.Client) (providertest.Emulator, cauri.Provider) {
	em := monerootest.New()
	return emulated(t, em, em.Config(), moneroo.New, func(c *moneroo.Config) { c.HTTPClient = hc })
}

// TestJoinedAskDoesNotWaitForOnPaid: a return visit that joins a question
// under way about its payment is answered once the answer moved the
// payment, not once the OnPaid the move started ends: OnPaid here runs
// until that visit has its answer, which it never would if it waited.
func TestJoinedAskDoesNotWaitForOnPaid(t *testing.T) {
	var (
		moving, secondRead, secondAnswered = make(chan struct{}), make(chan struct{}), make(chan struct{})
		startMove, seeRead                 sync.Once
	)
	st := newHookedStore()
	// The move to paid waits until another visit has read the payment
	// pending: that visit then joins the question under way.
	st.transition = func(ctx context.Context, id string, from cauri.Status, c cauri.Change) (cauri.Payment, error) {
		if c.To == cauri.StatusPaid {
			startMove.Do(func() { close(moving) })
			select {
			case <-secondRead:
			case <-ctx.Done():
				return cauri.Payment{}, ctx.Err()
			}
		}
		return st.Store.Transition(ctx, id, from, c)
	}
	st.get = func(ctx context.Context, id string) (cauri.Payment, error) {
		p, err := st.Store.Get(ctx, id)
		select {
		case <-moving:
			if err == nil && p.Status == cauri.StatusPending {
				seeRead.Do(func() { close(secondRead) })
			}
		default:
		}
		return p, err
	}
	f := newFixture(t, withConfig(func(c *cauri.Config) { c.Store = st }))
	f.setOnPaid(func(ctx context.Context, _ cauri.Payment) error {
		select {
		case <-secondAnswered:
		case <-ctx.Done():
			t.Error("OnPaid ran out of time: the visit that joined the question waited for it")
		}
		return nil
	})
	f.em.SetWebhookPolicy(providertest.WebhookPolicy{Hold: true})
	p, co := f.checkout("o-join", nil)
	ret := f.act(co, providertest.Pay)

	codes, locs := make([]int, 2), make([]string, 2)
	var wg sync.WaitGroup
	wg.Go(func() { codes[0], locs[0] = f.visitReturn(ret) })
	<-moving
	wg.Go(func() {
		defer close(secondAnswered)
		codes[1], locs[1] = f.visitReturn(ret)
	})
	wg.Wait()
	for i := range codes {
		if codes[i] != http.StatusSeeOther || !strings.HasPrefix(locs[i], "/shop/success") {
			t.Errorf("visit %d: %d %s, want 303 to the success page", i, codes[i], locs[i])
		}
	}
	if calls, ok := f.onPaidCalls(p.ID); calls != 1 || ok != 1 {
		t.Errorf("OnPaid calls = %d, successes = %d; want 1, 1", calls, ok)
	}
	if !f.payment(p.ID).Fulfilled() {
		t.Error("payment not marked fulfilled once the visit that asked was answered")
	}
}
