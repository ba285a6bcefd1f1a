package cauri_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/providertest"
	"github.com/cauripay/cauri/stores/memory"
)

// Property 1: amounts come from the server.
func TestPropertyAmountsComeFromTheServer(t *testing.T) {
	f := newFixture(t)
	p, _ := f.checkout("o-1", url.Values{"amount": {"1"}, "currency": {"USD"}})
	if p.Amount != orderAmount || p.Currency != "XOF" {
		t.Fatalf("stored %d %s, want the order's %d XOF", p.Amount, p.Currency, orderAmount)
	}
	if mp, ok := f.em.Payment(p.ProviderRef); !ok || mp.Amount != orderAmount || mp.Currency != "XOF" {
		t.Fatalf("provider was asked for %+v, want %d XOF", mp, orderAmount)
	}

	tests := []struct {
		name     string
		amount   int64
		currency string
	}{
		{"less", orderAmount - 1000, "XOF"},
		{"one franc less", orderAmount - 1, "XOF"},
		{"other currency", orderAmount, "USD"},
		{"zero", 0, "XOF"},
	}
	for _, tt := range tests {
		code := f.signed(webhookBody(p, "payment.success", "success", tt.amount, tt.currency))
		if code != http.StatusUnprocessableEntity {
			t.Errorf("%s: HTTP %d, want 422", tt.name, code)
		}
		f.wantStatus(p.ID, cauri.StatusPending)
	}
	if got := f.counter("cauri_webhooks_total", "outcome", "amount_mismatch"); got < 3 {
		t.Errorf("amount_mismatch counted %v times, want at least 3", got)
	}
	if calls, _ := f.onPaidCalls(p.ID); calls != 0 {
		t.Errorf("OnPaid ran %d times", calls)
	}
	// The right amount goes through.
	if code := f.signed(paidBody(p)); code != http.StatusOK {
		t.Fatalf("correct webhook: HTTP %d", code)
	}
	f.wantStatus(p.ID, cauri.StatusPaid)
}

// TestOverpaidSettlesFlagged: a believed report of more than the order
// settles it (the customer paid it in full, and it must not stay pending),
// and OnPaid gets the payment flagged overpaid with the surplus to give
// back, counted; a report of the order's amount is an ordinary payment.
func TestOverpaidSettlesFlagged(t *testing.T) {
	tests := []struct {
		name        string
		reported    int64
		wantAnomaly cauri.Anomaly
		wantSurplus int64
	}{
		{"the order's amount", orderAmount, "", 0},
		{"a franc more", orderAmount + 1, cauri.AnomalyOverpaid, 1},
		{"twice the order", 2 * orderAmount, cauri.AnomalyOverpaid, orderAmount},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			var got []cauri.Payment
			var mu sync.Mutex
			f.setOnPaid(func(_ context.Context, p cauri.Payment) error {
				mu.Lock()
				got = append(got, p)
				mu.Unlock()
				return nil
			})
			p, _ := f.checkout("o-over", nil)
			if code := f.signed(webhookBody(p, "payment.success", "success", tt.reported, "XOF")); code != http.StatusOK {
				t.Fatalf("HTTP %d, want 200", code)
			}
			stored := f.payment(p.ID)
			if stored.Status != cauri.StatusPaid || stored.Received != tt.reported || stored.Amount != orderAmount {
				t.Errorf("stored %s, amount %d, received %d; want paid, %d, %d", stored.Status, stored.Amount, stored.Received, orderAmount, tt.reported)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(got) != 1 {
				t.Fatalf("OnPaid ran %d times, want 1", len(got))
			}
			if got[0].Anomaly != tt.wantAnomaly || got[0].Surplus() != tt.wantSurplus {
				t.Errorf("OnPaid got anomaly %q, surplus %d; want %q, %d", got[0].Anomaly, got[0].Surplus(), tt.wantAnomaly, tt.wantSurplus)
			}
			wantCount := 0.0
			if tt.wantAnomaly != "" {
				wantCount = 1
			}
			if n := f.counter("cauri_payment_anomalies_total", "anomaly", "overpaid"); n != wantCount {
				t.Errorf("overpaid anomalies counted %v, want %v", n, wantCount)
			}
		})
	}
}

// Property 2: no unauthenticated update changes state.
func TestPropertyNoUnauthenticatedUpdate(t *testing.T) {
	t.Run("signed provider", func(t *testing.T) {
		f := newFixture(t)
		p, _ := f.checkout("o-2", nil)
		body := paidBody(p)
		for _, tt := range []struct{ name, sig string }{
			{"no signature", ""},
			{"wrong signature", strings.Repeat("ab", 32)},
			{"signature of another body", f.em.Sign([]byte(`{}`))},
			{"garbage", "not-hex"},
		} {
			if code := f.sendWebhook(f.webhookURL(), body, tt.sig); code != http.StatusUnauthorized {
				t.Errorf("%s: HTTP %d, want 401", tt.name, code)
			}
		}
		f.wantStatus(p.ID, cauri.StatusPending)
		if got := f.counter("cauri_webhooks_total", "outcome", "unauthenticated"); got != 4 {
			t.Errorf("unauthenticated = %v, want 4", got)
		}
	})

	t.Run("unsigned webhooks are confirmed with the provider", func(t *testing.T) {
		clock := clockAt(time.Now())
		f := newFixture(t, unsignedWebhooks(), withConfig(func(c *cauri.Config) { c.Now = clock.Now }))
		p, _ := f.checkout("o-3", nil)
		// The provider says initiated: the claim is not believed.
		if code := f.sendWebhook(f.webhookURL(), paidBody(p), ""); code != http.StatusOK {
			t.Errorf("HTTP %d, want 200", code)
		}
		f.wantStatus(p.ID, cauri.StatusPending)
		if got := f.counter("cauri_provider_requests_total", "operation", "status", "outcome", "ok"); got != 1 {
			t.Errorf("status calls = %v, want 1", got)
		}
		// Once the provider says success, the same claim settles it, at
		// the payment's next turn to be asked about: before it, the claim
		// costs no call and is asked to come back.
		if err := f.em.SetStatus(p.ProviderRef, "success"); err != nil {
			t.Fatal(err)
		}
		claim := webhookBody(p, "payment.success", "success", 1, "XOF")
		if code := f.sendWebhook(f.webhookURL(), claim, ""); code != http.StatusServiceUnavailable {
			t.Errorf("claim before the payment's turn: HTTP %d, want 503", code)
		}
		if got := f.counter("cauri_provider_requests_total", "operation", "status", "outcome", "ok"); got != 1 {
			t.Errorf("status calls = %v, want 1", got)
		}
		clock.Advance(time.Minute)
		if code := f.sendWebhook(f.webhookURL(), claim, ""); code != http.StatusOK {
			t.Errorf("HTTP %d, want 200", code)
		}
		// The provider's amount counts, not the body's.
		f.wantStatus(p.ID, cauri.StatusPaid)
	})

	t.Run("callback token", func(t *testing.T) {
		f := newFixture(t)
		p, _ := f.checkout("o-4", nil)
		other, _ := f.checkout("o-5", nil)
		good := f.kit.CallbackURL("moneroo", p.ID)
		tok := good[strings.LastIndexByte(good, '/')+1:]
		for _, target := range []string{
			good + "x",                                                 // altered token
			good[:len(good)-1],                                         // truncated token
			strings.Replace(good, p.ID, other.ID, 1),                   // token of another payment
			f.webhookURL() + "/" + p.ID,                                // no token
			f.webhookURL() + "/" + p.ID + "/" + tok + "/x",             // extra segment
			f.webhookURL() + "/" + p.ID + "/" + f.em.Sign(paidBody(p)), // a signature is no token
			strings.Replace(good, "/webhooks/", "/return/", 1),         // a callback token is no return token
		} {
			code := f.sendWebhook(target, paidBody(p), f.em.Sign(paidBody(p)))
			if code < 400 || code >= 500 {
				t.Errorf("%s: HTTP %d, want 4xx", target, code)
			}
		}
		f.wantStatus(p.ID, cauri.StatusPending)
	})
}

// Property 3: status only moves forward, once.
func TestPropertyStatusOnlyMovesForward(t *testing.T) {
	f := newFixture(t)
	paid, _ := f.checkout("o-6", nil)
	failed, _ := f.checkout("o-7", nil)
	if code := f.signed(paidBody(paid)); code != http.StatusOK {
		t.Fatalf("HTTP %d", code)
	}
	if code := f.signed(webhookBody(failed, "payment.failed", "failed", orderAmount, "XOF")); code != http.StatusOK {
		t.Fatalf("HTTP %d", code)
	}
	late := []struct {
		p      cauri.Payment
		event  string
		status string
		want   cauri.Status
	}{
		{paid, "payment.failed", "failed", cauri.StatusPaid},
		{paid, "payment.initiated", "initiated", cauri.StatusPaid},
		{paid, "payment.cancelled", "cancelled", cauri.StatusPaid},
		{failed, "payment.success", "success", cauri.StatusFailed},
		{failed, "payment.initiated", "pending", cauri.StatusFailed},
	}
	for _, tt := range late {
		if code := f.signed(webhookBody(tt.p, tt.event, tt.status, orderAmount, "XOF")); code != http.StatusOK {
			t.Errorf("late %s: HTTP %d, want 200", tt.event, code)
		}
		f.wantStatus(tt.p.ID, tt.want)
	}

	// 64 concurrent notifications: one transition.
	p, _ := f.checkout("o-8", nil)
	before := f.counter("cauri_payment_transitions_total")
	var wg sync.WaitGroup
	codes := make([]int, 64)
	for i := range codes {
		wg.Go(func() { codes[i] = f.signed(paidBody(p)) })
	}
	wg.Wait()
	for i, c := range codes {
		if c != http.StatusOK {
			t.Errorf("webhook %d: HTTP %d", i, c)
		}
	}
	if got := f.counter("cauri_payment_transitions_total") - before; got != 1 {
		t.Errorf("transitions = %v, want 1", got)
	}
}

// Property 4: OnPaid once, never twice at a time, never lost.
func TestPropertyOnPaidOnce(t *testing.T) {
	t.Run("racing webhooks and return visits", func(t *testing.T) {
		const webhooks, returns = 48, 16
		f := newFixture(t)
		// OnPaid runs until every other racer has been answered, so that
		// each of them meets it running, however the racers are scheduled.
		others := make(chan struct{})
		var answered atomic.Int32
		racerDone := func() {
			if answered.Add(1) == webhooks+returns-1 {
				close(others)
			}
		}
		f.setOnPaid(func(context.Context, cauri.Payment) error {
			select {
			case <-others:
			case <-time.After(time.Minute):
				t.Error("the other racers were not answered while OnPaid ran")
			}
			return nil
		})
		f.em.SetWebhookPolicy(providertest.WebhookPolicy{Hold: true})
		p, co := f.checkout("o-9", nil)
		ret := f.act(co, providertest.Pay)
		var wg sync.WaitGroup
		for range webhooks {
			wg.Go(func() {
				defer racerDone()
				f.signed(paidBody(p))
			})
		}
		for range returns {
			wg.Go(func() {
				defer racerDone()
				if code, loc := f.visitReturn(ret); code != http.StatusSeeOther || !strings.HasPrefix(loc, "/shop/success") {
					t.Errorf("return: %d %s", code, loc)
				}
			})
		}
		wg.Wait()
		if calls, ok := f.onPaidCalls(p.ID); calls != 1 || ok != 1 {
			t.Errorf("OnPaid calls = %d, successes = %d; want 1, 1", calls, ok)
		}
		if f.maxAtOnc != 1 {
			t.Errorf("OnPaid ran %d at once", f.maxAtOnc)
		}
		if !f.payment(p.ID).Fulfilled() {
			t.Error("payment not marked fulfilled")
		}
	})

	t.Run("failing OnPaid is retried until it succeeds once", func(t *testing.T) {
		f := newFixture(t)
		failures := 2
		f.setOnPaid(func(context.Context, cauri.Payment) error {
			if failures > 0 {
				failures--
				return errors.New("warehouse down")
			}
			return nil
		})
		p, _ := f.checkout("o-10", nil)
		for i, want := range []int{500, 500, 200, 200, 200} {
			if code := f.signed(paidBody(p)); code != want {
				t.Errorf("delivery %d: HTTP %d, want %d", i, code, want)
			}
		}
		if calls, ok := f.onPaidCalls(p.ID); calls != 3 || ok != 1 {
			t.Errorf("OnPaid calls = %d, successes = %d; want 3, 1", calls, ok)
		}
		if got := f.payment(p.ID).OnPaidAttempts; got != 3 {
			t.Errorf("OnPaidAttempts = %d, want 3", got)
		}
	})

	t.Run("a panicking OnPaid is a failure, retried", func(t *testing.T) {
		f := newFixture(t)
		panicked := false
		f.setOnPaid(func(context.Context, cauri.Payment) error {
			if !panicked {
				panicked = true
				panic("boom")
			}
			return nil
		})
		p, _ := f.checkout("o-11", nil)
		if code := f.signed(paidBody(p)); code != http.StatusInternalServerError {
			t.Errorf("HTTP %d, want 500", code)
		}
		if code := f.signed(paidBody(p)); code != http.StatusOK {
			t.Errorf("HTTP %d, want 200", code)
		}
		if _, ok := f.onPaidCalls(p.ID); ok != 1 {
			t.Errorf("OnPaid successes = %d, want 1", ok)
		}
	})
}

// failingStore fails Transition while down is set.
type failingStore struct {
	*memory.Store
	mu   sync.Mutex
	down bool
}

func (s *failingStore) Transition(ctx context.Context, id string, from cauri.Status, c cauri.Change) (cauri.Payment, error) {
	s.mu.Lock()
	down := s.down
	s.mu.Unlock()
	if down {
		return cauri.Payment{}, errors.New("database is gone")
	}
	return s.Store.Transition(ctx, id, from, c)
}

// TransitionClaimingOrder hides the wrapped store's [cauri.OrderMover],
// so that every move goes through Transition above; the kit then claims
// the order itself.
func (s *failingStore) TransitionClaimingOrder(ctx context.Context, id string, from cauri.Status, c cauri.Change) (cauri.Payment, string, error) {
	p, err := s.Transition(ctx, id, from, c)
	return p, "", err
}

// Property 5: acknowledge honestly.
func TestPropertyHonestAcknowledgement(t *testing.T) {
	st := &failingStore{Store: memory.New()}
	f := newFixture(t, withConfig(func(c *cauri.Config) { c.Store = st }))
	p, _ := f.checkout("o-12", nil)
	st.mu.Lock()
	st.down = true
	st.mu.Unlock()
	if code := f.signed(paidBody(p)); code < 500 {
		t.Errorf("store down: HTTP %d, want 5xx", code)
	}
	f.wantStatus(p.ID, cauri.StatusPending)
	st.mu.Lock()
	st.down = false
	st.mu.Unlock()
	if code := f.signed(paidBody(p)); code != http.StatusOK {
		t.Errorf("store back: HTTP %d, want 200", code)
	}
	f.wantStatus(p.ID, cauri.StatusPaid)
	if code := f.signed(paidBody(p)); code != http.StatusOK {
		t.Errorf("duplicate: HTTP %d, want 200", code)
	}
	if got := f.counter("cauri_webhooks_total", "outcome", "duplicate"); got != 1 {
		t.Errorf("duplicates = %v, want 1", got)
	}

	// A provider echoing something that is not one of our IDs is matched by
	// its reference.
	p2, _ := f.checkout("o-12b", nil)
	body := webhookBody(p2, "payment.success", "success", p2.Amount, p2.Currency)
	body = []byte(strings.Replace(string(body), p2.ID, "TRX-2024-0001", 1))
	if code := f.signed(body); code != http.StatusOK {
		t.Errorf("echoed foreign ID: HTTP %d, want 200", code)
	}
	f.wantStatus(p2.ID, cauri.StatusPaid)

	// Unknown payments and events get 2xx, and create nothing.
	ghost := cauri.Payment{ID: "pay_00000000000000000000000000", ProviderRef: "no-such-ref", Amount: orderAmount, Currency: "XOF"}
	if code := f.signed(paidBody(ghost)); code != http.StatusOK {
		t.Errorf("unknown payment: HTTP %d, want 200", code)
	}
	if _, err := f.store.Get(context.Background(), ghost.ID); !errors.Is(err, cauri.ErrNotFound) {
		t.Errorf("unknown payment was stored: %v", err)
	}
	if code := f.signed([]byte(`{"event":"payout.success","data":{"id":"x"}}`)); code != http.StatusOK {
		t.Errorf("payout event: HTTP %d, want 200", code)
	}
	if got := f.counter("cauri_webhooks_total", "outcome", "unknown_payment"); got != 1 {
		t.Errorf("unknown_payment = %v, want 1", got)
	}
}

// Property 6: fail fast; only idempotent calls are retried.
func TestPropertyFailFast(t *testing.T) {
	f := newFixture(t)
	// Moneroo's initialize is not idempotent: a 503 is not retried.
	f.em.InjectFault(providertest.OpCreate, providertest.Fault{Kind: providertest.FaultStatus, Status: 503})
	resp := f.do(http.MethodPost, "/pay/checkout/moneroo", "application/x-www-form-urlencoded", strings.NewReader("order=o-13"), nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Errorf("HTTP %d Retry-After %q, want 503 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if got := f.counter("cauri_provider_requests_total", "operation", "create"); got != 1 {
		t.Errorf("create attempts = %v, want 1", got)
	}
	// The order can be tried again at once.
	if p, _ := f.checkout("o-13", nil); p.Status != cauri.StatusPending {
		t.Errorf("retry: %+v", p)
	}

	// Open the breaker, then measure nothing: just see no call is made.
	f.em.InjectFault(providertest.OpAny, providertest.Fault{Kind: providertest.FaultDrop, Times: 100})
	for i := range 3 {
		resp := f.do(http.MethodPost, "/pay/checkout/moneroo", "application/x-www-form-urlencoded", strings.NewReader("order=o-down-"+string(rune('a'+i))), nil)
		resp.Body.Close()
	}
	calls := f.counter("cauri_provider_requests_total", "operation", "create")
	resp = f.do(http.MethodPost, "/pay/checkout/moneroo", "application/x-www-form-urlencoded", strings.NewReader("order=o-14"), nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("breaker open: HTTP %d, want 503", resp.StatusCode)
	}
	if got := f.counter("cauri_provider_requests_total", "operation", "create"); got != calls {
		t.Errorf("the open breaker let a call through")
	}
	if got := f.counter("cauri_circuit_breaker_state"); got != 2 {
		t.Errorf("breaker state = %v, want 2", got)
	}
}

// Property 7: redirects only to what the shop configured.
func TestPropertyRedirectsOnlyToConfiguredPages(t *testing.T) {
	f := newFixture(t)
	p, co := f.checkout("o-15", nil)
	ret := f.act(co, providertest.Pay)
	other, _ := f.checkout("o-16", nil)
	u, _ := url.Parse(ret)
	tests := []struct {
		name     string
		target   string
		code     int
		location string
	}{
		{"open redirect attempts are ignored", ret + "&next=https://evil.example/&redirect_uri=//evil.example&return_url=https://evil.example", 303, "/shop/success?"},
		{"query params a provider appends are ignored", ret + "&token=abc&payment_id=" + other.ID, 303, "/shop/success?"},
		{"token of another payment", strings.Replace(ret, p.ID, other.ID, 1), 403, ""},
		{"altered token", strings.Replace(ret, "?", "x?", 1), 403, ""},
		{"no token", strings.Replace(u.Path, "/"+u.Path[strings.LastIndexByte(u.Path, '/')+1:], "", 1), 404, ""},
		{"callback token on the return route", strings.Replace(f.kit.CallbackURL("moneroo", p.ID), "/webhooks/", "/return/", 1), 403, ""},
		{"unknown provider", strings.Replace(ret, "/return/moneroo", "/return/paypal", 1), 404, ""},
		{"path traversal in provider", strings.Replace(ret, "/return/moneroo", "/return/..%2f..%2fetc", 1), 404, ""},
	}
	for _, tt := range tests {
		code, loc := f.visitReturn(tt.target)
		if code != tt.code || !strings.HasPrefix(loc, tt.location) {
			t.Errorf("%s: %d %q, want %d %q...", tt.name, code, loc, tt.code, tt.location)
		}
	}

	// A status in the query is never believed.
	f2 := newFixture(t)
	f2.em.SetWebhookPolicy(providertest.WebhookPolicy{Lost: true})
	p2, _ := f2.checkout("o-17", nil)
	lie := f2.kit.ReturnURL("moneroo", p2.ID) + "?paymentId=" + p2.ProviderRef + "&paymentStatus=success&status=paid"
	if code, loc := f2.visitReturn(lie); code != 303 || !strings.HasPrefix(loc, "/shop/pending?") {
		t.Errorf("lying query: %d %q, want the pending page", code, loc)
	}
	f2.wantStatus(p2.ID, cauri.StatusPending)
}

// Property 8: secrets stay secret.
func TestPropertySecretsStaySecret(t *testing.T) {
	f := newFixture(t)
	f.setOnPaid(func(context.Context, cauri.Payment) error { return errors.New("transient") })
	p, co := f.checkout("o-18", nil)
	f.em.InjectFault(providertest.OpStatus, providertest.Fault{Kind: providertest.FaultStatus, Status: 500, Times: 3})
	ret := f.act(co, providertest.Pay)
	f.visitReturn(ret)
	f.sendWebhook(f.webhookURL(), paidBody(p), "deadbeef")
	f.sendWebhook(f.kit.CallbackURL("moneroo", p.ID)+"0", paidBody(p), "")
	f.visitReturn(f.kit.ReturnURL("moneroo", p.ID) + "x")
	f.signed([]byte(`{"event":"payment.success","data":{"id":"` + p.ProviderRef + `","status":"success","amount":1,"currency":"XOF"}}`))

	logs, metrics := f.logText(), f.metricsText()
	if !strings.Contains(logs, "OnPaid failed") {
		t.Fatalf("the flow did not log what it should have; logs:\n%s", logs)
	}
	retURL, _ := url.Parse(ret)
	secrets := map[string]string{
		"kit secret":        kitSecret,
		"API key":           f.em.SecretKey,
		"webhook secret":    f.em.WebhookSecret,
		"return token":      lastSegment(retURL.Path),
		"callback token":    lastSegment(f.kit.CallbackURL("moneroo", p.ID)),
		"webhook signature": f.em.Sign(paidBody(p)),
	}
	for what, s := range secrets {
		if s == "" {
			t.Fatalf("%s is empty", what)
		}
		if strings.Contains(logs, s) {
			t.Errorf("logs contain the %s", what)
		}
		if strings.Contains(metrics, s) {
			t.Errorf("metrics contain the %s", what)
		}
	}
	for _, id := range []string{p.ID, p.ProviderRef} {
		if strings.Contains(metrics, id) {
			t.Errorf("metrics contain the ID %s", id)
		}
	}
}

func lastSegment(u string) string { return u[strings.LastIndexByte(u, '/')+1:] }
