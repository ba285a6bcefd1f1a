package cauri_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/internal/emulator/emutest"
	"github.com/cauripay/cauri/internal/testmetrics"
	"github.com/cauripay/cauri/providers/dexchange"
	"github.com/cauripay/cauri/providers/dexchange/dexchangetest"
	"github.com/cauripay/cauri/providers/providertest"
	"github.com/cauripay/cauri/stores/memory"
)

// clockAt is a clock a test moves by hand, at first showing at.
func clockAt(at time.Time) *emutest.Clock {
	c := emutest.NewClock()
	c.Advance(at.Sub(c.Now()))
	return c
}

// shop is a kit mounted under /pay on a loopback server, for tests that
// bring their own provider.
type shop struct {
	t   *testing.T
	kit *cauri.Kit
	srv *httptest.Server
	reg *prometheus.Registry
	// clock, when set, is the kit's, moved on a few nanoseconds before
	// each poll: a payment's next turn is never the instant it was asked.
	clock *emutest.Clock
}

// clockedDexchange is DEXCHANGE's emulator on a fake clock, closed when t
// ends.
func clockedDexchange(t *testing.T) (*dexchangetest.Server, *emutest.Clock) {
	t.Helper()
	clk := emutest.NewClock()
	em := dexchangetest.New(providertest.WithClock(clk.Now))
	t.Cleanup(em.Close)
	return em, clk
}

// newShop starts a shop over p whose orders cost 5000 XOF, after edit.
func newShop(t *testing.T, p cauri.Provider, edit func(*cauri.Config)) *shop {
	t.Helper()
	s := &shop{t: t, reg: prometheus.NewRegistry()}
	var serve func(http.Handler)
	s.srv, serve = kitServer(t)
	s.kit = s.newKit(s.srv.URL+"/pay", p, edit)
	serve(s.kit)
	return s
}

// newShopInProcess is newShop with no server: checkout calls the kit's
// handler directly. With a provider that makes no network call either, it
// runs in a testing/synctest bubble, on the bubble's clock.
func newShopInProcess(t *testing.T, p cauri.Provider, edit func(*cauri.Config)) *shop {
	t.Helper()
	s := &shop{t: t, reg: prometheus.NewRegistry()}
	s.kit = s.newKit("http://shop.example/pay", p, edit)
	return s
}

func (s *shop) newKit(publicURL string, p cauri.Provider, edit func(*cauri.Config)) *cauri.Kit {
	s.t.Helper()
	cfg := cauri.Config{
		Store:     memory.New(),
		Providers: []cauri.Provider{p},
		PublicURL: publicURL,
		Secret:    kitSecret,
		Order: func(r *http.Request, _ string) (cauri.Order, error) {
			return cauri.Order{
				ID: r.FormValue("order"), Amount: orderAmount, Currency: "XOF", Description: "Order",
				Customer: cauri.Customer{FirstName: "Awa", LastName: "Diallo", Email: "awa@example.com"},
			}, nil
		},
		SuccessURL: "/shop/success", FailureURL: "/shop/failure", PendingURL: "/shop/pending",
		Registerer: s.reg,
		Retry:      cauri.RetryPolicy{InitialInterval: time.Millisecond, MaxInterval: 5 * time.Millisecond},
		// Every visit to the status endpoint asks the provider, as far as
		// the kit's rate allows.
		PollInterval:    time.Nanosecond,
		MaxPollInterval: time.Nanosecond,
	}
	if edit != nil {
		edit(&cfg)
	}
	k, err := cauri.New(cfg)
	if err != nil {
		s.t.Fatalf("cauri.New: %v", err)
	}
	return k
}

// checkout posts a checkout for order, asking for JSON, and returns the
// answer and the payment's ID.
func (s *shop) checkout(provider, order string) (*http.Response, string) {
	s.t.Helper()
	form := url.Values{"order": {order}}
	var resp *http.Response
	if s.srv == nil {
		req := httptest.NewRequest(http.MethodPost, "/checkout/"+provider, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept", "application/json")
		rec := httptest.NewRecorder()
		s.kit.ServeHTTP(rec, req)
		resp = rec.Result()
	} else {
		var err error
		if resp, err = http.DefaultClient.Do(checkoutRequest(s.t, s.srv.URL+"/pay/checkout/"+provider, form)); err != nil {
			s.t.Fatalf("checkout: %v", err)
		}
	}
	defer resp.Body.Close()
	var out struct {
		PaymentID string `json:"payment_id"`
	}
	body, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(body, &out)
	return resp, out.PaymentID
}

// mustCheckout opens a payment for order and returns its ID.
func (s *shop) mustCheckout(provider, order string) string {
	s.t.Helper()
	resp, id := s.checkout(provider, order)
	if resp.StatusCode != http.StatusOK || id == "" {
		s.t.Fatalf("checkout %s: HTTP %d, want 200 with a payment", order, resp.StatusCode)
	}
	return id
}

// poll asks the status endpoint about payment id, as a pending page does.
func (s *shop) poll(id string) {
	if s.clock != nil {
		s.clock.Advance(2 * time.Nanosecond)
	}
	s.t.Helper()
	resp, err := http.Get(s.kit.StatusURL(id))
	if err != nil {
		s.t.Fatalf("status: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		s.t.Fatalf("status: HTTP %d, want 200", resp.StatusCode)
	}
}

// metric sums a metric's samples with the given labels.
func (s *shop) metric(name string, labels ...string) float64 {
	s.t.Helper()
	return testmetrics.Sum(s.t, s.reg, name, labels...)
}

// busiest returns the most requests at times in any span of length per,
// both ends included.
func busiest(times []time.Time, per time.Duration) int {
	times = slices.SortedFunc(slices.Values(times), time.Time.Compare)
	most := 0
	for i, start := range times {
		n, _ := slices.BinarySearchFunc(times[i:], start.Add(per), func(t, end time.Time) int {
			if t.After(end) {
				return 1
			}
			return -1
		})
		most = max(most, n)
	}
	return most
}

// TestDexchangeRate runs checkouts and a storm of status polls against
// DEXCHANGE's emulator on a simulated clock: DEXCHANGE never sees more than
// its documented 100 requests in a minute, polls are refused when only the
// reserve is left, and checkouts go through all along.
func TestDexchangeRate(t *testing.T) {
	em, clk := clockedDexchange(t)
	s := newShop(t, em.Provider(), func(c *cauri.Config) { c.Now = clk.Now })
	s.clock = clk
	requests := func() int { return len(em.Requests()) }
	refused := func() float64 {
		return s.metric("cauri_provider_requests_total", "operation", "status", "outcome", "rate_limited")
	}

	// A fresh bucket holds 20 requests, of which polls leave 4 to
	// checkouts. Eight checkouts, then polls at the same instant until
	// one is refused: eight more requests.
	var ids []string
	for i := range 8 {
		ids = append(ids, s.mustCheckout("dexchange", "o-"+strconv.Itoa(i)))
	}
	before := requests()
	for i := 0; refused() == 0; i++ {
		if i == 50 {
			t.Fatal("50 polls at one instant and none refused")
		}
		s.poll(ids[i%len(ids)])
	}
	if got := requests() - before; got != 8 {
		t.Errorf("polls made %d requests before one was refused, want 8 (the bucket's 20, less 8 checkouts and the reserve of 4)", got)
	}
	// Only the reserve is left: a checkout takes it, a poll does not.
	before = requests()
	ids = append(ids, s.mustCheckout("dexchange", "o-reserve"))
	if got := requests() - before; got != 1 {
		t.Errorf("the checkout made %d requests, want 1", got)
	}
	before = requests()
	s.poll(ids[0])
	if got := requests() - before; got != 0 {
		t.Errorf("a poll with only the reserve left made %d requests, want none", got)
	}

	// Five simulated minutes of four polls a second, with a checkout
	// every ten seconds: more than twice what DEXCHANGE allows.
	refusedBefore := refused()
	for step := range 300 {
		clk.Advance(time.Second)
		if step%10 == 0 {
			ids = append(ids, s.mustCheckout("dexchange", "o-storm-"+strconv.Itoa(step)))
		}
		for i := range 4 {
			s.poll(ids[(step*4+i)%len(ids)])
		}
	}
	if refused() == refusedBefore {
		t.Error("no poll was refused in the storm")
	}
	var times []time.Time
	for _, r := range em.Requests() {
		times = append(times, r.At)
	}
	if got := busiest(times, time.Minute); got > 100 {
		t.Errorf("DEXCHANGE saw %d requests in one minute, want at most 100", got)
	}
	if got := len(times); got < 300 {
		t.Errorf("DEXCHANGE saw only %d requests in more than five minutes of demand", got)
	}
	if got := s.metric("cauri_checkouts_total", "outcome", "provider_unavailable"); got != 0 {
		t.Errorf("%v checkouts were refused", got)
	}
}

// statusRequests counts the status requests DEXCHANGE's emulator received.
func statusRequests(em *dexchangetest.Server) int {
	n := 0
	for _, r := range em.Requests() {
		if r.Method == http.MethodGet && strings.HasPrefix(r.Path, "/api/v1/transaction/") {
			n++
		}
	}
	return n
}

// TestProvider429 has DEXCHANGE answer 429 to every status request while
// the pending page polls: the breaker never opens, polls within the
// provider's Retry-After (or 30s when it gives none) make no request, and
// checkouts go on.
func TestProvider429(t *testing.T) {
	em, clk := clockedDexchange(t)
	s := newShop(t, em.Provider(), func(c *cauri.Config) {
		c.Now = clk.Now
		c.Breaker = cauri.BreakerPolicy{ConsecutiveFailures: 2}
		c.Reconcile = cauri.ReconcilePolicy{Grace: time.Nanosecond}
	})
	s.clock = clk
	id := s.mustCheckout("dexchange", "o-1")
	em.InjectFault(providertest.OpStatus, providertest.Fault{Kind: providertest.FaultStatus, Status: http.StatusTooManyRequests, RetryAfter: time.Minute, Times: 1000})

	// Ten minutes of a pending page polling every 2 seconds: one request
	// a minute, each answered 429.
	for range 300 {
		s.poll(id)
		clk.Advance(2 * time.Second)
	}
	if got := statusRequests(em); got != 10 {
		t.Errorf("DEXCHANGE got %d status requests in 10 minutes of polls, want 10: one per Retry-After of a minute", got)
	}
	if got := s.metric("cauri_circuit_breaker_state"); got != 0 {
		t.Errorf("breaker state = %v, want 0 (closed)", got)
	}
	if got := s.metric("cauri_provider_requests_total", "operation", "status", "outcome", "rate_limited"); got != 300 {
		t.Errorf("%v status calls counted rate_limited, want 300: ten 429s and 290 polls paused", got)
	}
	if got := s.metric("cauri_provider_requests_total", "outcome", "transient"); got != 0 {
		t.Errorf("%v calls counted transient, want none", got)
	}
	before := len(em.Requests())
	s.mustCheckout("dexchange", "o-2")
	if got := len(em.Requests()) - before; got != 1 {
		t.Errorf("the checkout made %d requests, want 1: a 429 to polls does not pause checkouts", got)
	}

	// A 429 with no Retry-After pauses polls for 30 seconds.
	clk.Advance(time.Minute)
	em.InjectFault(providertest.OpStatus, providertest.Fault{Times: -1})
	em.InjectFault(providertest.OpStatus, providertest.Fault{Kind: providertest.FaultStatus, Status: http.StatusTooManyRequests, Times: 1000})
	before = statusRequests(em)
	s.poll(id)
	clk.Advance(29 * time.Second)
	s.poll(id)
	if got := statusRequests(em) - before; got != 1 {
		t.Errorf("%d status requests within 30s of a 429 without Retry-After, want 1", got)
	}
	clk.Advance(time.Second)
	s.poll(id)
	if got := statusRequests(em) - before; got != 2 {
		t.Errorf("%d status requests once 30s passed, want 2", got)
	}
	if got := s.metric("cauri_circuit_breaker_state"); got != 0 {
		t.Errorf("breaker state = %v, want 0 (closed)", got)
	}

	// The reconciler is paused too, and skips rather than fails.
	before = statusRequests(em)
	rep, err := s.kit.Reconcile(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Skipped != 2 || rep.Checked != 0 || rep.Errors != 0 {
		t.Errorf("reconcile during the pause = %+v, want both payments skipped", rep)
	}
	if got := statusRequests(em) - before; got != 0 {
		t.Errorf("the reconciler made %d status requests during the pause, want none", got)
	}
}

// hangingAPI is a provider API that never answers: each request waits
// until its client hangs up or the test ends. arrived gets a value as each
// of the first requests arrives.
func hangingAPI(t *testing.T) (base string, requests *atomic.Int64, arrived <-chan struct{}) {
	t.Helper()
	requests = new(atomic.Int64)
	release := make(chan struct{})
	arrivals := make(chan struct{}, 16)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		select {
		case arrivals <- struct{}{}:
		default:
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) }) // runs first
	return srv.URL + "/api/v1", requests, arrivals
}

// TestCheckoutDeadline: a provider that hangs costs the first shopper one
// CheckoutTimeout, not ProviderTimeout: a 503 with Retry-After, and the
// breaker counts the cut call as a failure, so that the next shopper gets
// the 503 at once without a request.
//
// It runs in a synctest bubble, with the provider's API in process: the
// deadline passes on the bubble's clock once the call hangs, however slow
// the machine.
func TestCheckoutDeadline(t *testing.T) {
	synctest.Test(t, testCheckoutDeadline)
}

func testCheckoutDeadline(t *testing.T) {
	var requests atomic.Int64
	hanging := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		requests.Add(1)
		<-r.Context().Done()
		return nil, r.Context().Err()
	})
	prov, err := dexchange.New(dexchange.Config{
		APIKey: "sk.test.hang", BaseURL: "http://dexchange.example/api/v1",
		HTTPClient: &http.Client{Transport: hanging},
	})
	if err != nil {
		t.Fatal(err)
	}
	const checkoutTimeout = 200 * time.Millisecond
	s := newShopInProcess(t, prov, func(c *cauri.Config) {
		c.CheckoutTimeout = checkoutTimeout
		c.ProviderTimeout = time.Minute
		c.Breaker = cauri.BreakerPolicy{ConsecutiveFailures: 1, OpenTimeout: time.Minute}
	})

	start := time.Now()
	resp, _ := s.checkout("dexchange", "o-1")
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Errorf("checkout with the provider hanging: HTTP %d Retry-After %q, want 503 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if took := time.Since(start); took != checkoutTimeout {
		t.Errorf("the checkout took %v, want CheckoutTimeout (%v): not ProviderTimeout", took, checkoutTimeout)
	}
	if got := requests.Load(); got != 1 {
		t.Errorf("the provider got %d requests, want 1", got)
	}
	if got := s.metric("cauri_circuit_breaker_state"); got != 2 {
		t.Errorf("breaker state = %v, want 2 (open): a call cut by the checkout's deadline is a failure", got)
	}
	if got := s.metric("cauri_provider_requests_total", "operation", "create", "outcome", "transient"); got != 1 {
		t.Errorf("%v creations counted transient, want 1", got)
	}

	resp, _ = s.checkout("dexchange", "o-2")
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Errorf("checkout with the breaker open: HTTP %d Retry-After %q, want 503 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if got := requests.Load(); got != 1 {
		t.Errorf("the provider got %d requests, want still 1: the open breaker answers", got)
	}
}

// TestCheckoutHangUp: a customer who hangs up while the provider is slow
// says nothing of the provider: the breaker does not count it.
func TestCheckoutHangUp(t *testing.T) {
	base, requests, arrived := hangingAPI(t)
	prov, err := dexchange.New(dexchange.Config{APIKey: "sk.test.hang", BaseURL: base})
	if err != nil {
		t.Fatal(err)
	}
	s := newShop(t, prov, func(c *cauri.Config) {
		c.CheckoutTimeout = time.Minute
		c.ProviderTimeout = time.Minute
		c.Breaker = cauri.BreakerPolicy{ConsecutiveFailures: 1, OpenTimeout: time.Minute}
	})
	// The kit behind a server that says when it has answered the
	// checkout, to nobody.
	answered := make(chan struct{})
	srv := httptest.NewServer(http.StripPrefix("/pay", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer close(answered)
		s.kit.ServeHTTP(w, r)
	})))
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/pay/checkout/dexchange", strings.NewReader("order=o-1"))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	go func() {
		<-arrived
		cancel() // the customer closes the tab
	}()
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("the checkout answered HTTP %d before the customer hung up", resp.StatusCode)
	}
	select {
	case <-answered:
	case <-time.After(time.Minute):
		t.Fatal("the kit never saw the customer gone")
	}
	if got := s.metric("cauri_provider_requests_total", "operation", "create", "outcome", "canceled"); got != 1 {
		t.Errorf("%v creations counted canceled, want 1", got)
	}
	if got := requests.Load(); got != 1 {
		t.Errorf("the provider got %d requests, want 1: a customer gone is not retried", got)
	}
	if got := s.metric("cauri_circuit_breaker_state"); got != 0 {
		t.Errorf("breaker state = %v, want 0 (closed): a customer hanging up says nothing of the provider", got)
	}
}

// TestCheckoutWaitsForItsTurn: with DEXCHANGE's bucket empty, a checkout
// waits for the next request within its CheckoutTimeout; when the wait
// would pass it, the customer gets 503 at once with the wait as
// Retry-After, and DEXCHANGE no request.
func TestCheckoutWaitsForItsTurn(t *testing.T) {
	em, clk := clockedDexchange(t)

	// 100 a minute: a burst of 20, then one every 0.75s.
	s := newShop(t, em.Provider(), func(c *cauri.Config) {
		c.Now = clk.Now
		c.CheckoutTimeout = 10 * time.Second
	})
	for i := range 20 {
		s.mustCheckout("dexchange", "o-"+strconv.Itoa(i))
	}
	before := len(em.Requests())
	s.mustCheckout("dexchange", "o-waits")
	if got := len(em.Requests()) - before; got != 1 {
		t.Errorf("the checkout that waited made %d requests, want 1", got)
	}

	// An account limited to 10 requests in 10 minutes: a burst of 2, then
	// one every 75s, longer than any checkout waits.
	s = newShop(t, em.Provider(), func(c *cauri.Config) {
		c.Now = clk.Now
		c.RateLimits = map[string]cauri.RateLimit{"dexchange": {Requests: 10, Per: 10 * time.Minute}}
	})
	s.mustCheckout("dexchange", "p-1")
	s.mustCheckout("dexchange", "p-2")
	before = len(em.Requests())
	resp, _ := s.checkout("dexchange", "p-3")
	if ra, _ := strconv.Atoi(resp.Header.Get("Retry-After")); resp.StatusCode != http.StatusServiceUnavailable || ra < 75 {
		t.Errorf("checkout with the bucket empty for 75s: HTTP %d Retry-After %q, want 503 with Retry-After of at least 75", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if got := len(em.Requests()) - before; got != 0 {
		t.Errorf("the refused checkout made %d requests, want none", got)
	}
	if got := s.metric("cauri_provider_requests_total", "operation", "create", "outcome", "rate_limited"); got != 1 {
		t.Errorf("%v creations counted rate_limited, want 1", got)
	}
	if got := s.metric("cauri_circuit_breaker_state"); got != 0 {
		t.Errorf("breaker state = %v, want 0: the kit's own rate says nothing of the provider", got)
	}
}

// roundTripFunc is an http.RoundTripper in a function.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
