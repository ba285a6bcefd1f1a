package reliability_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/providertest"
)

// faultCase is one way a provider's API fails.
type faultCase struct {
	name  string
	fault providertest.Fault
	// long marks a fault left to the full suite: -short skips it (a slow
	// answer costs each call the whole providerTimeout).
	long bool
}

// providerFaults are the failures injected into each provider's API. Each
// stays until cleared: a provider that is down stays down.
func providerFaults() []faultCase {
	return []faultCase{
		{"5xx", providertest.Fault{Kind: providertest.FaultStatus, Status: http.StatusServiceUnavailable, Times: 100}, false},
		{"429", providertest.Fault{Kind: providertest.FaultStatus, Status: http.StatusTooManyRequests, RetryAfter: 2 * time.Second, Times: 100}, false},
		{"timeout", providertest.Fault{Kind: providertest.FaultSlow, Delay: slowFault, Times: 100}, true},
		{"reset", providertest.Fault{Kind: providertest.FaultDrop, Times: 100}, true},
	}
}

// deliveriesAbout returns the deliveries about payment p: to its callback
// URL, or naming it or its provider reference in the body.
func deliveriesAbout(e *emu, p cauri.Payment) []providertest.Delivery {
	var out []providertest.Delivery
	for _, d := range e.em.Deliveries() {
		if strings.Contains(d.URL, p.ID) || bytes.Contains(d.Body, []byte(p.ID)) ||
			p.ProviderRef != "" && bytes.Contains(d.Body, []byte(p.ProviderRef)) {
			out = append(out, d)
		}
	}
	return out
}

// wantRedelivered checks that the provider was told to retry (a 5xx, or no
// answer in time) and that its last delivery was acknowledged.
func wantRedelivered(t *testing.T, e *emu, p cauri.Payment) {
	t.Helper()
	ds := deliveriesAbout(e, p)
	refused := 0
	for _, d := range ds {
		if d.StatusCode >= 500 || d.StatusCode == 0 && d.Err != nil {
			refused++
		}
	}
	switch {
	case len(ds) == 0:
		t.Error("no notification was delivered")
	case refused == 0:
		t.Errorf("no delivery was refused: the fault did not bite (%d deliveries)", len(ds))
	case !ds[len(ds)-1].OK():
		t.Errorf("the last delivery got HTTP %d (%v), want a 2xx once the fault cleared", ds[len(ds)-1].StatusCode, ds[len(ds)-1].Err)
	}
}

// tally adds up what a test did, for RELIABILITY.md: payments made, faults
// that bit, OnPaid calls, payments lost (paid at the provider, not paid and
// fulfilled in the kit) and paid twice (OnPaid succeeded more than once
// where the kit could record it), and forgeries believed.
type tally struct {
	mu                                                     sync.Mutex
	payments, faults, onPaid, lost, double, forgedAccepted int
}

func (c *tally) add(f func(c *tally)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f(c)
}

func (c *tally) log(t *testing.T) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t.Logf("figures %s: payments=%d faults=%d onpaid_calls=%d lost=%d double=%d forged_accepted=%d",
		t.Name(), c.payments, c.faults, c.onPaid, c.lost, c.double, c.forgedAccepted)
}

// audit checks every payment this emulator created against the provider's
// own word, once faults have cleared: a payment the provider says is paid
// is paid in the kit and OnPaid succeeded for it; no other payment is paid;
// the provider created at most one checkout per payment of ours. It adds
// what it saw to c.
func audit(t *testing.T, sh *shop, e *emu, c *tally) {
	t.Helper()
	created := e.proxy.creations()
	var lost, double, calls int
	for id, n := range created {
		if n > 1 {
			t.Errorf("%s created %d checkouts for payment %s", e.name, n, id)
			double++
		}
		p, err := sh.stores[0].Get(context.Background(), id)
		if err != nil {
			t.Errorf("payment %s the provider created is not in the store: %v", id, err)
			continue
		}
		n, ok := sh.calls(id)
		calls += n
		if ok > 1 {
			double++
			t.Errorf("OnPaid succeeded %d times for %s", ok, id)
		}
		if p.ProviderRef == "" {
			// Its checkout never opened: the customer never saw a page
			// to pay on, and the kit closed it.
			if p.Status != cauri.StatusFailed {
				t.Errorf("payment %s whose checkout never opened is %s, want failed", id, p.Status)
			}
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		truth, err := e.provider.FetchStatus(ctx, cauri.StatusQuery{PaymentID: p.ID, ProviderRef: p.ProviderRef, Amount: p.Amount, Currency: p.Currency})
		cancel()
		if err != nil {
			t.Errorf("asking %s about %s: %v", e.name, id, err)
			continue
		}
		switch {
		case truth.Status == cauri.StatusPaid && (p.Status != cauri.StatusPaid || !p.Fulfilled() || ok == 0):
			lost++
			t.Errorf("payment %s is paid at %s but %s in the kit (fulfilled %v, OnPaid successes %d)", id, e.name, p.Status, p.Fulfilled(), ok)
		case truth.Status != cauri.StatusPaid && p.Status == cauri.StatusPaid:
			double++
			t.Errorf("payment %s is paid in the kit but %s at %s", id, truth.Status, e.name)
		case truth.Status.Final() && p.Status == cauri.StatusPending:
			lost++
			t.Errorf("payment %s is %s at %s but still pending in the kit", id, truth.Status, e.name)
		}
	}
	c.add(func(c *tally) {
		c.payments += len(created)
		c.onPaid += calls
		c.lost += lost
		c.double += double
		c.faults += int(sh.metric("cauri_provider_requests_total", "provider", e.name, "outcome", "transient") +
			sh.metric("cauri_provider_requests_total", "provider", e.name, "outcome", "breaker_open") +
			sh.metric("cauri_provider_requests_total", "provider", e.name, "outcome", "rate_limited"))
	})
}

// retryAfter returns an answer's Retry-After in seconds, or -1.
func retryAfter(resp *http.Response) int {
	n, err := strconv.Atoi(resp.Header.Get("Retry-After"))
	if err != nil {
		return -1
	}
	return n
}

// watchBreaker samples a provider's breaker gauge until stop is called,
// and returns the highest value seen. onOpen, if not nil, runs the first
// time the breaker is seen open.
func watchBreaker(sh *shop, provider string, onOpen func()) (stop func() float64) {
	done := make(chan struct{})
	var highest atomic.Int64
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			if v, err := providertest.MetricSum(sh.reg, "cauri_circuit_breaker_state", "provider", provider); err == nil && int64(v) > highest.Load() {
				highest.Store(int64(v))
				if v == 2 && onOpen != nil {
					onOpen()
					onOpen = nil
				}
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	})
	return func() float64 {
		close(done)
		wg.Wait()
		return float64(highest.Load())
	}
}

// waitBreakerTimeout waits out an open breaker's timeout, so that the next
// call is its trial.
func waitBreakerTimeout() { time.Sleep(breakerOpen + 100*time.Millisecond) }

// wantNoCallWhileOpen checks that no provider call was made since before,
// while the breaker, open since no earlier than openedAt, should still be
// open. A machine so loaded that the breaker's timeout may have run out
// meanwhile proves nothing, and says so.
func wantNoCallWhileOpen(t *testing.T, sh *shop, provider, op string, before float64, openedAt time.Time) {
	t.Helper()
	got := sh.providerCalls(provider, op)
	switch {
	case got == before:
	case time.Since(openedAt) < breakerOpen:
		t.Errorf("the open breaker let %v calls through", got-before)
	default:
		t.Logf("inconclusive: %v passed, more than the breaker's open timeout", time.Since(openedAt))
	}
}

// TestProviderFaults injects each kind of failure into each provider's
// create, status and webhook-confirmation calls, over each store: the
// customer gets a 503 with Retry-After or the pending page at once, the
// breaker opens and closes again, nothing is created twice at the
// provider, and every payment ends in its true state once it recovers.
func TestProviderFaults(t *testing.T) {
	shortParallel(t)
	ops := []struct {
		name string
		run  func(*testing.T, *shop, *emu, faultCase)
	}{{"create", createFault}, {"status", statusFault}, {"webhook", webhookFault}}
	var c tally
	each(t, backends(), backendName, func(t *testing.T, b backend) {
		b.require(t)
		each(t, specs(), specName, func(t *testing.T, sp spec) {
			for _, fc := range providerFaults() {
				for _, op := range ops {
					t.Run(op.name+"/"+fc.name, func(t *testing.T) {
						if fc.long && testing.Short() {
							t.Skipf("-short: the %s fault runs in the full suite", fc.name)
						}
						e := sp.start(t, emuOptions{retries: 100, retryDelay: 25 * time.Millisecond, unsigned: true})
						sh := newShop(t, b.open(t), []*emu{e}, shopOptions{
							reconcile:        cauri.ReconcilePolicy{Grace: time.Nanosecond},
							honourRetryAfter: true,
						})
						op.run(t, sh, e, fc)
						audit(t, sh, e, &c)
					})
				}
			}
		})
	})
	c.log(t)
}

// throttled reports whether fc is the provider answering 429: it asks for
// fewer calls and is up, so its breaker stays closed.
func throttled(fc faultCase) bool { return fc.fault.Status == http.StatusTooManyRequests }

// createFault: the provider fails while checkouts are opened.
func createFault(t *testing.T, sh *shop, e *emu, fc faultCase) {
	sh = sh.in(t)
	if throttled(fc) {
		createThrottled(t, sh, e, fc)
		return
	}
	order := "o-create-" + fc.name
	e.em.InjectFault(providertest.OpCreate, fc.fault)
	opened, openedAt := false, time.Now()
	for i := 0; i < 8 && !opened; i++ {
		openedAt = time.Now() // no later than the breaker opened, if this call opens it
		resp, _, _ := sh.checkout(e.name, order, false)
		if resp.StatusCode != http.StatusServiceUnavailable || retryAfter(resp) < 1 {
			t.Fatalf("checkout %d with the provider failing: HTTP %d Retry-After %q, want 503 with Retry-After", i, resp.StatusCode, resp.Header.Get("Retry-After"))
		}
		if fc.fault.RetryAfter > 0 && i == 0 && retryAfter(resp) < int(fc.fault.RetryAfter/time.Second) {
			t.Errorf("Retry-After %d, want at least the provider's %v", retryAfter(resp), fc.fault.RetryAfter)
		}
		opened = sh.breaker(e.name) == 2
	}
	if !opened {
		t.Fatal("the breaker never opened")
	}
	calls := sh.providerCalls(e.name, "create")
	resp, _, _ := sh.checkout(e.name, order, false)
	if resp.StatusCode != http.StatusServiceUnavailable || retryAfter(resp) < 1 {
		t.Errorf("checkout with the breaker open: HTTP %d Retry-After %q, want 503 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	wantNoCallWhileOpen(t, sh, e.name, "create", calls, openedAt)

	// The provider recovers: after the open timeout, the next checkout is
	// the trial call and closes the breaker.
	e.em.InjectFault(providertest.OpCreate, providertest.Fault{Times: -1})
	waitBreakerTimeout()
	p, co := sh.open(e.name, order)
	if got := sh.breaker(e.name); got != 0 {
		t.Errorf("breaker = %v after a good call, want 0 (closed)", got)
	}
	wantCheckoutPaid(t, sh, e, p, co)
}

// createThrottled: the provider answers 429 while checkouts are opened.
// Each checkout asks it, answers 503 with at least its Retry-After, and
// the breaker stays closed; once it stops, the next checkout opens.
func createThrottled(t *testing.T, sh *shop, e *emu, fc faultCase) {
	order := "o-create-" + fc.name
	e.em.InjectFault(providertest.OpCreate, fc.fault)
	for i := range 6 {
		before := e.proxy.requests()
		resp, _, _ := sh.checkout(e.name, order, false)
		if resp.StatusCode != http.StatusServiceUnavailable || retryAfter(resp) < int(fc.fault.RetryAfter/time.Second) {
			t.Fatalf("checkout %d with the provider answering 429: HTTP %d Retry-After %q, want 503 with the provider's %v", i, resp.StatusCode, resp.Header.Get("Retry-After"), fc.fault.RetryAfter)
		}
		if e.proxy.requests() == before {
			t.Errorf("checkout %d did not ask the provider: a 429 pauses polls, not checkouts", i)
		}
	}
	if got := sh.breaker(e.name); got != 0 {
		t.Errorf("breaker = %v after 429s, want 0 (closed): the provider is up", got)
	}
	e.em.InjectFault(providertest.OpCreate, providertest.Fault{Times: -1})
	p, co := sh.open(e.name, order)
	wantCheckoutPaid(t, sh, e, p, co)
}

// wantCheckoutPaid has the customer pay checkout co of p: the return lands
// on the success page, and the payment is paid with OnPaid done once.
func wantCheckoutPaid(t *testing.T, sh *shop, e *emu, p cauri.Payment, co string) {
	t.Helper()
	if ret := sh.act(e, co, providertest.Pay); ret != "" {
		code, loc := sh.visit(ret)
		if code != http.StatusSeeOther {
			t.Errorf("return: HTTP %d", code)
		}
		wantPath(t, "return", loc, successPath)
	}
	sh.wantPaidOnce(t, p.ID)
}

// statusFault: the provider's status endpoint fails while the customer
// comes back and the pending page polls; the webhook was lost. Each visit
// and poll comes at the payment's next turn, so that the provider is asked
// each time, and only the breaker keeps it from being asked.
func statusFault(t *testing.T, sh *shop, e *emu, fc faultCase) {
	sh = sh.in(t)
	if throttled(fc) {
		statusThrottled(t, sh, e, fc)
		return
	}
	e.em.SetWebhookPolicy(providertest.WebhookPolicy{Lost: true})
	defer e.em.SetWebhookPolicy(providertest.WebhookPolicy{})
	p, ret := sh.paid(e, "o-status-"+fc.name)
	e.em.InjectFault(providertest.OpStatus, fc.fault)
	opened, openedAt := false, time.Now()
	for i := 0; i < 8 && !opened; i++ {
		sh.nextTurn(p.ID)
		openedAt = time.Now() // no later than the breaker opened, if this call opens it
		code, loc := sh.visit(ret)
		if code != http.StatusSeeOther {
			t.Fatalf("return %d with the provider failing: HTTP %d, want 303", i, code)
		}
		wantPath(t, "return with the provider failing", loc, pendingPath)
		opened = sh.breaker(e.name) == 2
	}
	if !opened {
		t.Fatal("the breaker never opened")
	}
	calls := sh.providerCalls(e.name, "status")
	sh.nextTurn(p.ID)
	code, loc := sh.visit(ret)
	if code != http.StatusSeeOther {
		t.Errorf("return with the breaker open: HTTP %d", code)
	}
	wantPath(t, "return with the breaker open", loc, pendingPath)
	sh.nextTurn(p.ID)
	if code, st := sh.pollStatus(p.ID); code != http.StatusOK || st != cauri.StatusPending {
		t.Errorf("status endpoint with the breaker open: HTTP %d %s, want 200 pending", code, st)
	}
	wantNoCallWhileOpen(t, sh, e.name, "status", calls, openedAt)

	// The provider recovers. At the payment's next turn, the reconciler
	// settles it. A provider that asks not to be polled so soon after the
	// customer's visits (NovaSend) is left alone until then; at that
	// turn, the customer's next visit settles it.
	e.em.InjectFault(providertest.OpStatus, providertest.Fault{Times: -1})
	waitBreakerTimeout()
	wantSettledOnceRecovered(t, sh, e, p, ret)
}

// statusThrottled: the provider answers 429 to status calls while the
// customer comes back and the pending page polls; the webhook was lost.
// The first 429 pauses polls for its Retry-After: no other status request
// is made meanwhile, the breaker stays closed, and once the provider stops
// and the pause ends the payment settles.
func statusThrottled(t *testing.T, sh *shop, e *emu, fc faultCase) {
	e.em.SetWebhookPolicy(providertest.WebhookPolicy{Lost: true})
	defer e.em.SetWebhookPolicy(providertest.WebhookPolicy{})
	p, ret := sh.paid(e, "o-status-"+fc.name)
	e.em.InjectFault(providertest.OpStatus, fc.fault)
	start, before := time.Now(), e.proxy.requests()
	for i := range 8 {
		code, loc := sh.visit(ret)
		if code != http.StatusSeeOther {
			t.Fatalf("return %d with the provider answering 429: HTTP %d, want 303", i, code)
		}
		wantPath(t, "return with the provider answering 429", loc, pendingPath)
		if code, st := sh.pollStatus(p.ID); code != http.StatusOK || st != cauri.StatusPending {
			t.Errorf("status endpoint with the provider answering 429: HTTP %d %s, want 200 pending", code, st)
		}
	}
	switch got := e.proxy.requests() - before; {
	case got == 1:
	case time.Since(start) < fc.fault.RetryAfter:
		t.Errorf("%d status requests within the provider's Retry-After, want 1", got)
	default:
		t.Logf("inconclusive: %v passed, more than the provider's Retry-After", time.Since(start))
	}
	if got := sh.breaker(e.name); got != 0 {
		t.Errorf("breaker = %v after 429s, want 0 (closed): the provider is up", got)
	}
	// The provider stops throttling, and the pause its 429 asked for
	// passes on the kits' clock.
	e.em.InjectFault(providertest.OpStatus, providertest.Fault{Times: -1})
	sh.later(fc.fault.RetryAfter + time.Millisecond)
	wantSettledOnceRecovered(t, sh, e, p, ret)
}

// wantSettledOnceRecovered checks that, the provider back, the payment p
// the customer paid (returning to ret) settles paid with OnPaid done once,
// and the breaker is closed.
func wantSettledOnceRecovered(t *testing.T, sh *shop, e *emu, p cauri.Payment, ret string) {
	t.Helper()
	if e.guidance > 0 {
		turn := sh.payment(p.ID).NextPollAt
		rep, err := sh.kit().Reconcile(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case rep.Checked == 0 && rep.Skipped == 1:
		case !sh.now().Before(turn):
			// The kits' clock runs with the real one: a machine this
			// slow brought the payment's turn before the pass.
			t.Logf("inconclusive: the payment's turn (%v after its last poll) came before the reconcile pass ended", e.guidance)
		default:
			t.Errorf("reconcile = %+v, want the payment skipped: polled less than %v ago", rep, e.guidance)
		}
		sh.nextTurn(p.ID)
		code, loc := sh.visit(ret)
		if code != http.StatusSeeOther {
			t.Errorf("return: HTTP %d", code)
		}
		wantPath(t, "return once the provider recovered", loc, successPath)
	} else {
		sh.nextTurn(p.ID)
		rep, err := sh.kit().Reconcile(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if rep.Checked != 1 || rep.Settled != 1 || rep.Errors != 0 {
			t.Errorf("reconcile = %+v, want 1 checked and settled", rep)
		}
	}
	if got := sh.breaker(e.name); got != 0 {
		t.Errorf("breaker = %v after a good call, want 0 (closed)", got)
	}
	sh.wantPaidOnce(t, p.ID)
	if code, loc := sh.visit(ret); code != http.StatusSeeOther || !strings.HasPrefix(loc, successPath) {
		t.Errorf("a later return: HTTP %d %q, want the success page", code, loc)
	}
}

// webhookFault: the status endpoint the kit confirms notifications with
// fails while the provider notifies, until the kit's breaker opens; the kit
// answers 5xx, the provider redelivers, the breaker closes again after its
// timeout, and the payment settles once. A redelivery before the
// payment's next turn gets 503 with Retry-After, which the provider waits
// out (shopOptions.honourRetryAfter): each redelivery after it is
// confirmed with the provider, or refused by the open breaker.
func webhookFault(t *testing.T, sh *shop, e *emu, fc faultCase) {
	sh = sh.in(t)
	if throttled(fc) {
		webhookThrottled(t, sh, e, fc)
		return
	}
	p, co := sh.open(e.name, "o-webhook-"+fc.name)
	e.em.InjectFault(providertest.OpStatus, fc.fault)
	refusedBefore := sh.metric("cauri_provider_requests_total", "provider", e.name, "outcome", "breaker_open")
	var seenOpen time.Time
	stop := watchBreaker(sh, e.name, func() {
		seenOpen = time.Now()
		// The provider recovers while the breaker is open, and its next
		// redelivery comes at the payment's next turn (the question that
		// failed spent this one): the breaker, not the budget, is what
		// refuses it.
		e.em.InjectFault(providertest.OpStatus, providertest.Fault{Times: -1})
		if p, err := sh.stores[0].Get(context.Background(), p.ID); err == nil {
			sh.until(p.NextPollAt)
		}
	})
	ret := sh.act(e, co, providertest.Pay)
	if highest := stop(); highest != 2 {
		t.Errorf("breaker never seen open (highest state %v)", highest)
	}
	if sh.metric("cauri_provider_requests_total", "provider", e.name, "outcome", "breaker_open") == refusedBefore {
		wantRefusedWhileOpen(t, deliveriesAbout(e, p), seenOpen)
	}
	wantWebhookSettled(t, sh, e, p, ret)
}

// wantRefusedWhileOpen fails t for a breaker that refused no redelivery,
// unless the machine was so slow that it may have closed again first: the
// breaker opened after the first delivery started and was seen open at
// seenOpen; the first redelivery after that ended before the next one
// started (or now). Only when all that fits in the breaker's open timeout
// must the redelivery have met it open.
func wantRefusedWhileOpen(t *testing.T, ds []providertest.Delivery, seenOpen time.Time) {
	t.Helper()
	if len(ds) == 0 || seenOpen.IsZero() {
		t.Error("no call was refused by an open breaker")
		return
	}
	end := time.Now()
	for i, d := range ds {
		if d.At.Before(seenOpen) {
			continue
		}
		if i+1 < len(ds) {
			end = ds[i+1].At
		}
		break
	}
	if took := end.Sub(ds[0].At); took >= breakerOpen {
		t.Logf("inconclusive: no call was refused, but the deliveries took %v, more than the breaker's open timeout", took)
		return
	}
	t.Error("no call was refused by an open breaker")
}

// webhookThrottled: the status endpoint the kit confirms notifications
// with answers 429. The kit answers 5xx and pauses its status calls for
// the provider's Retry-After, answering the redeliveries 5xx without
// asking; the provider stops throttling, the pause ends, a redelivery is
// confirmed and the payment settles once. The breaker never opens.
func webhookThrottled(t *testing.T, sh *shop, e *emu, fc faultCase) {
	p, co := sh.open(e.name, "o-webhook-"+fc.name)
	e.em.InjectFault(providertest.OpStatus, fc.fault)
	throttledNow := func() float64 {
		return sh.metric("cauri_provider_requests_total", "provider", e.name, "operation", "status", "outcome", "rate_limited")
	}
	before := throttledNow()
	stopBreaker := watchBreaker(sh, e.name, nil)
	// The provider stops throttling once the kit held back a call.
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for throttledNow() < before+2 { // one 429, one call held back
			select {
			case <-done:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
		e.em.InjectFault(providertest.OpStatus, providertest.Fault{Times: -1})
	})
	ret := sh.act(e, co, providertest.Pay) // returns once delivered
	close(done)
	wg.Wait()
	if highest := stopBreaker(); highest != 0 {
		t.Errorf("breaker seen in state %v, want 0 (closed) all along: the provider is up", highest)
	}
	if throttledNow() < before+2 {
		t.Error("the kit never held a status call back after the 429")
	}
	e.em.InjectFault(providertest.OpStatus, providertest.Fault{Times: -1})
	wantWebhookSettled(t, sh, e, p, ret)
}

// wantWebhookSettled checks that p, paid through checkout and notified,
// was redelivered until acknowledged, settled paid with OnPaid done once,
// and that the breaker is closed.
func wantWebhookSettled(t *testing.T, sh *shop, e *emu, p cauri.Payment, ret string) {
	t.Helper()
	wantRedelivered(t, e, p)
	sh.wantPaidOnce(t, p.ID)
	if got := sh.breaker(e.name); got != 0 {
		t.Errorf("breaker = %v after the provider recovered, want 0 (closed)", got)
	}
	if ret != "" {
		if code, loc := sh.visit(ret); code != http.StatusSeeOther || !strings.HasPrefix(loc, successPath) {
			t.Errorf("return: HTTP %d %q, want the success page", code, loc)
		}
	}
}

// errStoreDown is the failure a faultyStore injects.
var errStoreDown = errors.New("reliability: injected store failure")

// faultyStore is a real store whose Transition, ClaimOnPaid and
// CompleteOnPaid fail, lose their answer, or answer late, a given number of
// times. A late
// answer honours its context, as database drivers do.
type faultyStore struct {
	cauri.Store
	mu    sync.Mutex
	fail  map[string]int // method → calls left to fail
	slow  map[string]int // method → calls left to answer late; -1: every call
	delay time.Duration
	fired atomic.Int64 // faults played so far
}

func newFaultyStore(st cauri.Store) *faultyStore {
	return &faultyStore{Store: st, fail: map[string]int{}, slow: map[string]int{}}
}

// inject makes the next fails calls of method fail, and the next slow calls
// (every call when slow is negative) take d first.
func (s *faultyStore) inject(method string, fails, slow int, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail[method], s.slow[method], s.delay = fails, slow, d
}

func (s *faultyStore) trip(ctx context.Context, method string) error {
	s.mu.Lock()
	fail, slow, d := s.fail[method] > 0, s.slow[method] != 0, s.delay
	if fail {
		s.fail[method]--
	}
	if s.slow[method] > 0 {
		s.slow[method]--
	}
	s.mu.Unlock()
	if slow {
		s.fired.Add(1)
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
		case <-t.C:
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("%s: %w", method, err)
		}
	}
	if fail {
		s.fired.Add(1)
		return fmt.Errorf("%s: %w", method, errStoreDown)
	}
	return nil
}

// Transition can also lose its answer: "TransitionAnswer" faults fail a
// call after the move was written, as a connection dropping before the
// database's reply would.
func (s *faultyStore) Transition(ctx context.Context, id string, from cauri.Status, c cauri.Change) (cauri.Payment, error) {
	if err := s.trip(ctx, "Transition"); err != nil {
		return cauri.Payment{}, err
	}
	p, err := s.Store.Transition(ctx, id, from, c)
	if err == nil {
		if err := s.trip(ctx, "TransitionAnswer"); err != nil {
			return cauri.Payment{}, err
		}
	}
	return p, err
}

// TransitionClaimingOrder hides the wrapped store's [cauri.OrderMover],
// so that every move goes through Transition above; the kit then claims
// the order itself.
func (s *faultyStore) TransitionClaimingOrder(ctx context.Context, id string, from cauri.Status, c cauri.Change) (cauri.Payment, string, error) {
	p, err := s.Transition(ctx, id, from, c)
	return p, "", err
}

func (s *faultyStore) ClaimOnPaid(ctx context.Context, id, owner string, now time.Time, ttl time.Duration) error {
	if err := s.trip(ctx, "ClaimOnPaid"); err != nil {
		return err
	}
	return s.Store.ClaimOnPaid(ctx, id, owner, now, ttl)
}

func (s *faultyStore) CompleteOnPaid(ctx context.Context, id, owner string, now time.Time) error {
	if err := s.trip(ctx, "CompleteOnPaid"); err != nil {
		return err
	}
	return s.Store.CompleteOnPaid(ctx, id, owner, now)
}

// TestStoreFaults makes the store fail or crawl while notifications
// arrive, over each store and provider: the kit answers 5xx, the provider
// redelivers (a notification the kit confirms with the provider, at the
// payment's next turn: it waits out the Retry-After of a 503 before), and
// the payment ends paid with OnPaid done once.
func TestStoreFaults(t *testing.T) {
	shortParallel(t)
	const (
		// lease is the OnPaid lease: no store a test does not slow down
		// takes half of it to move a payment, however loaded the machine;
		// the tests move the kits' clock past it to see it run out.
		lease = time.Minute
		// slowLease is the lease where the store is slow: its answer
		// (delay) takes more than half of it, or not, as the machine goes.
		slowLease = 5 * time.Second
		delay     = 3 * time.Second // the store's answer when slow
		// wait is how long the provider waits for an answer then: less
		// than delay, more than a sound answer takes on a loaded one-CPU
		// machine running -race.
		wait = time.Second
	)
	cases := []struct {
		name, method string
		fails, slow  int
		// also fails alsoFails calls of another method.
		also      string
		alsoFails int
		// calls is how many times OnPaid runs: twice when its success could
		// not be recorded, as Config.OnPaid documents.
		calls int
		// afterLease: OnPaid runs only once the lease taken with the lost
		// move runs out, when the reconciler takes it.
		afterLease bool
		// unacked is true when no delivery can be acknowledged: the store
		// stays slower than the provider waits. The kit finishes the
		// write after the provider hangs up.
		unacked bool
	}{
		{name: "transition fails", method: "Transition", fails: 2, calls: 1},
		{name: "transition's answer lost, then claims fail", method: "TransitionAnswer", fails: 1,
			also: "ClaimOnPaid", alsoFails: 2, calls: 1, afterLease: true},
		{name: "complete fails", method: "CompleteOnPaid", fails: 1, calls: 2},
		{name: "transition slower than the provider waits", method: "Transition", slow: 3, calls: 1},
		{name: "transition always slower than the provider waits", method: "Transition", slow: -1, calls: 1, unacked: true},
	}
	var c tally
	each(t, backends(), backendName, func(t *testing.T, b backend) {
		b.require(t)
		each(t, specs(), specName, func(t *testing.T, sp spec) {
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					if tc.slow != 0 && testing.Short() {
						t.Skip("-short: the slow store runs in the full suite")
					}
					o := emuOptions{retries: 60, retryDelay: 20 * time.Millisecond}
					if tc.slow != 0 {
						o.webhookTimeout = wait
					}
					if tc.unacked {
						o.retries = 2
					}
					e := sp.start(t, o)
					var fs *faultyStore
					l := lease
					if tc.slow != 0 {
						l = slowLease
					}
					sh := newShop(t, b.open(t), []*emu{e}, shopOptions{
						lease:            l,
						reconcile:        cauri.ReconcilePolicy{Grace: time.Nanosecond},
						storeWrap:        func(st cauri.Store) cauri.Store { fs = newFaultyStore(st); return fs },
						honourRetryAfter: true,
					})
					p, co := sh.open(e.name, "o-store")
					fs.inject(tc.method, tc.fails, tc.slow, delay)
					if tc.also != "" {
						fs.inject(tc.also, tc.alsoFails, 0, delay)
					}
					ret := sh.act(e, co, providertest.Pay)
					switch {
					case tc.unacked:
						// A redelivery that finds the write landed is
						// acknowledged; the first cannot be.
						if ds := deliveriesAbout(e, p); len(ds) == 0 || ds[0].OK() {
							t.Errorf("the first delivery was acknowledged while the store could not keep up")
						}
						// The provider hung up on every delivery, but the
						// kit went on: the write lands with no reconciler
						// and no return visit. (Its lease mostly spent,
						// OnPaid waits for the reconciler, below.)
						ok := eventually(30*time.Second, func() bool { return sh.payment(p.ID).Status == cauri.StatusPaid })
						if !ok {
							t.Fatalf("payment = %s: the write was abandoned when the provider hung up", sh.payment(p.ID).Status)
						}
					default:
						wantRedelivered(t, e, p)
					}
					if tc.calls > 1 || tc.afterLease || tc.slow != 0 {
						// OnPaid succeeded but the store could not record it,
						// or a lost or slow move left its lease unused: the
						// lease holds the payment until it runs out, then
						// the reconciler runs OnPaid.
						sh.later(l)
						ok := eventually(10*time.Second, func() bool {
							if _, err := sh.kit().Reconcile(context.Background()); err != nil {
								t.Fatal(err)
							}
							return sh.payment(p.ID).Fulfilled()
						})
						if !ok {
							t.Fatal("the reconciler never completed OnPaid")
						}
					}
					fs.inject(tc.method, 0, 0, 0)
					if ret != "" {
						if code, loc := sh.visit(ret); code != http.StatusSeeOther || !strings.HasPrefix(loc, successPath) {
							t.Errorf("return: HTTP %d %q, want the success page", code, loc)
						}
					}
					got := sh.payment(p.ID)
					if got.Status != cauri.StatusPaid || !got.Fulfilled() {
						t.Errorf("payment = %s fulfilled %v, want paid and fulfilled", got.Status, got.Fulfilled())
					}
					calls, ok := sh.calls(p.ID)
					// Leases taken but not used count as attempts: the one
					// taken with a lost move, and one taken with a move so
					// slow that the lease ran out first (the store answers
					// after 3s, more than half the slow cases' 5s lease).
					minAttempts, maxAttempts := tc.calls, tc.calls
					if tc.afterLease {
						minAttempts, maxAttempts = tc.calls+1, tc.calls+1
					}
					if tc.slow != 0 {
						maxAttempts++
					}
					if calls != tc.calls || ok != tc.calls || got.OnPaidAttempts < minAttempts || got.OnPaidAttempts > maxAttempts {
						t.Errorf("OnPaid calls = %d, successes = %d, attempts recorded = %d; want %d, %d, %d to %d",
							calls, ok, got.OnPaidAttempts, tc.calls, tc.calls, minAttempts, maxAttempts)
					}
					if shipped, atOnce := sh.shipped(p.ID); shipped != 1 || atOnce != 1 {
						t.Errorf("the shop shipped %d orders for the payment; OnPaid ran %d at once", shipped, atOnce)
					}
					switch n := sh.metric("cauri_payment_transitions_total", "provider", e.name); {
					case n == 0 && tc.afterLease:
						// The kit never learnt the move it made.
					case n == 0 && tc.slow != 0:
						// The write committed as the provider hung up, and the
						// driver reported the cancellation: the kit answered
						// 5xx and did not count the move it made. The
						// redelivery found the payment paid.
						t.Log("a transition committed under a cancelled context went uncounted")
					case n != 1:
						t.Errorf("transitions = %v, want 1", n)
					}
					if want := int64(tc.fails + tc.alsoFails); want > 0 && fs.fired.Load() != want {
						t.Errorf("%d store failures fired, want %d", fs.fired.Load(), want)
					}
					c.add(func(c *tally) {
						c.faults += int(fs.fired.Load())
						c.payments++
						c.onPaid += calls
					})
				})
			}
		})
	})
	c.log(t)
}

// TestCrashBetweenPaidAndOnPaid: replica A settles a payment, takes the
// OnPaid lease and dies inside OnPaid. The provider's redelivery lands on
// replica B while A's lease holds: it is acknowledged and OnPaid does not
// run twice at once. Once the lease runs out, B's reconciler completes
// OnPaid, once.
func TestCrashBetweenPaidAndOnPaid(t *testing.T) {
	shortParallel(t)
	// A's lease outlasts any loaded machine's redelivery; the test then
	// moves the kits' clock past it.
	const lease = time.Minute
	var c tally
	each(t, backends(), backendName, func(t *testing.T, b backend) {
		b.require(t)
		each(t, specs(), specName, func(t *testing.T, sp spec) {
			// The provider waits a second for an answer: A never gives one.
			e := sp.start(t, emuOptions{retries: 5, retryDelay: 20 * time.Millisecond, webhookTimeout: time.Second})
			started := make(chan struct{}, 1)
			dead := make(chan struct{})
			sh := newShop(t, b.open(t), []*emu{e}, shopOptions{
				kits:      2,
				lease:     lease,
				reconcile: cauri.ReconcilePolicy{Grace: time.Hour},
				onPaidHook: func(_ context.Context, kit int, _ cauri.Payment) error {
					if kit != 0 {
						return nil
					}
					// Replica A hangs here: its process is gone.
					select {
					case started <- struct{}{}:
					default:
					}
					<-dead
					return errors.New("the process died")
				},
			})
			t.Cleanup(func() { close(dead) }) // before the front closes
			sh.route.Store(0)
			p, co := sh.open(e.name, "o-crash")

			acted := make(chan string, 1)
			go func() {
				ret, err := e.em.Act(context.Background(), co, providertest.Pay)
				if err != nil {
					t.Error(err)
				}
				acted <- ret
			}()
			select {
			case <-started:
			case <-time.After(30 * time.Second):
				t.Fatal("OnPaid never started on replica A")
			}
			claimed := time.Now() // A's lease runs until after claimed+lease
			sh.route.Store(1)     // A is gone: the load balancer sends everything to B
			<-acted

			got := sh.payment(p.ID)
			if got.Status != cauri.StatusPaid {
				t.Fatalf("payment = %s, want paid", got.Status)
			}
			if ds := deliveriesAbout(e, p); len(ds) == 0 || !ds[len(ds)-1].OK() {
				t.Errorf("the provider's redelivery to B was not acknowledged: %d deliveries", len(ds))
			}
			rep, err := sh.kits[1].Reconcile(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			sh.mu.Lock()
			byB := sh.byKit[1]
			sh.mu.Unlock()
			switch {
			case time.Since(claimed) >= lease:
				t.Logf("inconclusive: %v passed, more than A's lease", time.Since(claimed))
			case got.Fulfilled() || rep.Fulfilled != 0 || byB != 0:
				t.Fatalf("under A's lease: fulfilled %v, reconcile %+v, B's OnPaid calls %d; want nothing done", got.Fulfilled(), rep, byB)
			}

			// A's lease runs out.
			sh.later(lease)
			fulfilled := rep.Fulfilled
			ok := eventually(15*time.Second, func() bool {
				rep, err := sh.kits[1].Reconcile(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				fulfilled += rep.Fulfilled
				return sh.payment(p.ID).Fulfilled()
			})
			if !ok {
				t.Fatal("B's reconciler never completed OnPaid")
			}
			if fulfilled != 1 {
				t.Errorf("reconcile passes fulfilled %d, want 1", fulfilled)
			}
			if rep, _ := sh.kits[1].Reconcile(context.Background()); rep.Fulfilled != 0 {
				t.Errorf("a later pass fulfilled %d again", rep.Fulfilled)
			}
			calls, succeeded := sh.calls(p.ID)
			got = sh.payment(p.ID)
			if calls != 2 || succeeded != 1 || got.OnPaidAttempts != 2 {
				t.Errorf("OnPaid calls = %d (A's and B's), successes = %d, attempts = %d; want 2, 1, 2", calls, succeeded, got.OnPaidAttempts)
			}
			// A late duplicate changes nothing.
			n := e.craft(sh, got, cauri.StatusPaid, got.Amount, got.Currency)
			if code := sh.post(n); code != http.StatusOK {
				t.Errorf("late duplicate: HTTP %d", code)
			}
			if calls2, _ := sh.calls(p.ID); calls2 != calls {
				t.Errorf("a late duplicate ran OnPaid again")
			}
			c.add(func(c *tally) { c.payments++; c.faults++; c.onPaid += calls })
		})
	})
	c.log(t)
}

// TestReconcileSettlesLostWebhooks: many payments across every provider
// whose notifications are all lost and whose customers never come back.
// One reconcile pass asks each provider once about each, and settles every
// one to its true state; a second pass, once the other open payments' next
// turn has come, respects NovaSend's polling guidance; a third, at
// NovaSend's turn, asks about them all again. A MoneyFusion page the
// customer cancelled is the exception: with its notification lost, its
// status endpoint's "no paid" is the word of a page nobody has paid yet,
// and it stays pending (until the page's life ends, which these passes do
// not reach).
func TestReconcileSettlesLostWebhooks(t *testing.T) {
	shortParallel(t)
	actions := []providertest.Action{providertest.Pay, providertest.Fail, providertest.Cancel, providertest.Pay, providertest.Fail, providertest.Pay, providertest.Pay}
	var c tally
	each(t, backends(), backendName, func(t *testing.T, b backend) {
		b.require(t)
		var emus []*emu
		for _, sp := range specs() {
			emus = append(emus, sp.start(t, emuOptions{}))
		}
		sh := newShop(t, b.open(t), emus, shopOptions{
			reconcile:  cauri.ReconcilePolicy{Grace: time.Nanosecond, Batch: 7, Concurrency: 4},
			rateLimits: map[string]cauri.RateLimit{"dexchange": {Requests: 1000, Per: time.Minute}},
		})
		type made struct {
			e    *emu
			id   string
			want []cauri.Status
		}
		var (
			all     []made
			open    = map[string]string{} // provider → its payment still open
			unknown int                   // payments no provider's word can settle yet
			waiting []string              // those payments
		)
		for _, e := range emus {
			e.em.SetWebhookPolicy(providertest.WebhookPolicy{Lost: true})
			for i, a := range actions {
				p, co := sh.open(e.name, fmt.Sprintf("o-lost-%d", i))
				sh.act(e, co, a) // and the customer closes the tab
				want := settledAs(a)
				if e.name == "moneyfusion" && a == providertest.Cancel {
					want = []cauri.Status{cauri.StatusPending}
					unknown++
					waiting = append(waiting, p.ID)
				}
				all = append(all, made{e, p.ID, want})
			}
			p, _ := sh.open(e.name, "o-lost-open") // still on the provider's page
			all = append(all, made{e, p.ID, []cauri.Status{cauri.StatusPending}})
			open[e.name] = p.ID
		}

		rep, err := sh.kit().Reconcile(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		n := len(emus) * len(actions)
		if rep.Checked != n+len(emus) || rep.Settled != n-unknown || rep.Errors != 0 || rep.Skipped != 0 {
			t.Errorf("report = %+v, want %d checked, %d settled", rep, n+len(emus), n-unknown)
		}
		for _, m := range all {
			p := sh.payment(m.id)
			if !isOneOf(p.Status, m.want) {
				t.Errorf("%s payment %s is %s, want %v", m.e.name, m.id, p.Status, m.want)
			}
			want := 0
			if p.Status == cauri.StatusPaid {
				want = 1
			}
			if calls, ok := sh.calls(m.id); calls != want || ok != want {
				t.Errorf("%s payment %s: OnPaid calls = %d, successes = %d; want %d", m.e.name, m.id, calls, ok, want)
			}
		}

		// Only the open payments are pending. Once the others' next turn
		// has come, they are asked about again; NovaSend's, asked about
		// less than 5 seconds ago, is not.
		var guided []string
		for _, e := range emus {
			if e.guidance == 0 {
				sh.nextTurn(open[e.name])
			} else {
				guided = append(guided, open[e.name])
			}
		}
		// And the payments no word could settle: their turns, jittered,
		// may come a little after the open ones'.
		for _, id := range waiting {
			sh.nextTurn(id)
		}
		for _, id := range guided {
			if p := sh.payment(id); !p.NextPollAt.After(sh.now()) {
				t.Fatalf("the other payments' turns came after %s's (%v)", id, p.NextPollAt)
			}
		}
		rep, err = sh.kit().Reconcile(context.Background())
		if err != nil || rep.Checked != len(emus)-len(guided)+unknown || rep.Skipped != len(guided) || rep.Settled != 0 {
			t.Errorf("second pass = %+v, %v; want %d checked and NovaSend's skipped", rep, err, len(emus)-len(guided)+unknown)
		}
		// At NovaSend's next turn, every open payment is asked about.
		for _, id := range open {
			sh.nextTurn(id)
		}
		rep, err = sh.kit().Reconcile(context.Background())
		if err != nil || rep.Checked != len(emus)+unknown || rep.Skipped != 0 || rep.Settled != 0 {
			t.Errorf("third pass = %+v, %v; want %d checked", rep, err, len(emus)+unknown)
		}
		for _, e := range emus {
			audit(t, sh, e, &c)
		}
		c.add(func(c *tally) {
			for _, e := range emus {
				for _, d := range e.em.Deliveries() {
					if d.Lost {
						c.faults++
					}
				}
			}
		})
	})
	c.log(t)
}

// TestLateNotificationsChangeNothing: notifications arriving out of order
// (a pending or failed one after the payment was paid, a paid one after it
// failed), authentic each, even when the provider's own status moved
// since, change nothing and are acknowledged as duplicates.
func TestLateNotificationsChangeNothing(t *testing.T) {
	shortParallel(t)
	var c tally
	each(t, backends(), backendName, func(t *testing.T, b backend) {
		b.require(t)
		each(t, specs(), specName, func(t *testing.T, sp spec) {
			e := sp.start(t, emuOptions{})
			sh := newShop(t, b.open(t), []*emu{e}, shopOptions{})
			paid, co := sh.open(e.name, "o-late-paid")
			ret := sh.act(e, co, providertest.Pay)
			failed, co2 := sh.open(e.name, "o-late-failed")
			sh.act(e, co2, providertest.Fail)
			paid, failed = sh.payment(paid.ID), sh.payment(failed.ID)
			if paid.Status != cauri.StatusPaid || failed.Status != cauri.StatusFailed {
				t.Fatalf("payments are %s and %s, want paid and failed", paid.Status, failed.Status)
			}
			transitions := sh.metric("cauri_payment_transitions_total")

			late := []struct {
				name   string
				p      cauri.Payment
				status cauri.Status
				// moved is the status the provider's own records
				// move to before the notification (SetStatus), or "".
				moved cauri.Status
			}{
				{"pending after paid", paid, cauri.StatusPending, ""},
				{"failed after paid", paid, cauri.StatusFailed, ""},
				{"cancelled after paid", paid, cauri.StatusCancelled, ""},
				{"failed after paid, provider says failed", paid, cauri.StatusFailed, cauri.StatusFailed},
				{"pending after paid, provider says pending", paid, cauri.StatusPending, cauri.StatusPending},
				{"paid after failed", failed, cauri.StatusPaid, ""},
				{"paid after failed, provider says paid", failed, cauri.StatusPaid, cauri.StatusPaid},
			}
			for _, tc := range late {
				if tc.moved != "" {
					if err := e.setStatus(tc.p.ProviderRef, tc.moved); err != nil {
						t.Fatal(err)
					}
				}
				code, outcome := sh.postCounted(e.craft(sh, tc.p, tc.status, tc.p.Amount, tc.p.Currency))
				if code != http.StatusOK || outcome != "duplicate" {
					t.Errorf("%s: HTTP %d outcome %q, want 200 duplicate", tc.name, code, outcome)
				}
				if got := sh.payment(tc.p.ID).Status; got != tc.p.Status {
					t.Errorf("%s: payment moved to %s", tc.name, got)
				}
			}
			if got := sh.metric("cauri_payment_transitions_total"); got != transitions {
				t.Errorf("late notifications made %v transitions", got-transitions)
			}
			if calls, ok := sh.calls(paid.ID); calls != 1 || ok != 1 {
				t.Errorf("paid: OnPaid calls = %d, successes = %d; want 1, 1", calls, ok)
			}
			if calls, _ := sh.calls(failed.ID); calls != 0 {
				t.Errorf("failed: OnPaid ran %d times", calls)
			}
			if ret != "" {
				if code, loc := sh.visit(ret); code != http.StatusSeeOther || !strings.HasPrefix(loc, successPath) {
					t.Errorf("return after the late notifications: HTTP %d %q, want the success page", code, loc)
				}
			}
			c.add(func(c *tally) { c.payments += 2; c.faults += len(late); c.onPaid++ })
		})
	})
	c.log(t)
}
