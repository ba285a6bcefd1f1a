// Package providertest drives a payment provider through the real kit
// against its emulator: every provider of cauri passes the same scenarios.
//
// A provider package's test calls Run with a function that starts a fresh
// emulator:
//
//	func TestScenarios(t *testing.T) {
//		providertest.Run(t, func(t *testing.T) providertest.Emulator { return monerootest.New() })
//	}
package providertest

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/cauripay/cauri"
)

// Scenario is one end-to-end story through the kit.
type Scenario struct {
	Name string
	Run  func(h *harness)
}

// Scenarios returns the suite, in order. Each runs against a fresh
// emulator and a fresh kit.
func Scenarios() []Scenario {
	return []Scenario{
		{"Pay", scenarioPay},
		{"Fail", scenarioFail},
		{"Cancel", scenarioCancel},
		{"PayLater", scenarioPayLater},
		{"CheckoutRedirects", scenarioCheckoutRedirects},
		{"DoubleSubmitReusesCheckout", scenarioDoubleSubmit},
		{"DuplicateWebhooks", scenarioDuplicateWebhooks},
		{"WebhookBeforeReturn", scenarioWebhookBeforeReturn},
		{"ReturnBeforeWebhook", scenarioReturnBeforeWebhook},
		{"WebhookLostReturnSettles", scenarioWebhookLost},
		{"WebhookLostNoReturnStatusPollSettles", scenarioWebhookLostNoReturn},
		{"ForgedWebhook", scenarioForged},
		{"TamperedAmount", scenarioTamperedAmount},
		{"ProviderDown", scenarioProviderDown},
		{"StatusEndpointTransientFault", scenarioStatusFault},
	}
}

// Run runs every scenario as a subtest, each with an emulator from
// newEmulator. Scenarios run in parallel.
func Run(t *testing.T, newEmulator func(t *testing.T) Emulator) {
	for _, sc := range Scenarios() {
		t.Run(sc.Name, func(t *testing.T) {
			t.Parallel()
			sc.Run(newHarness(t, newEmulator(t)))
		})
	}
}

const amount = 5000 // XOF

func scenarioPay(h *harness) {
	id, ret := h.play("o-pay", Pay)
	h.wantStatus(id, cauri.StatusPaid)
	h.wantBackAt(ret, successPath)
	p := h.payment(id)
	if p.Amount != amount || p.Currency != "XOF" || !p.Fulfilled() {
		h.t.Errorf("stored payment = %+v", p)
	}
	h.wantOnPaid(id, 1)
	if got := h.counter("cauri_payment_transitions_total", "provider", h.name, "to", "paid"); got != 1 {
		h.t.Errorf("paid transitions = %v, want 1", got)
	}
}

func scenarioFail(h *harness) {
	id, ret := h.play("o-fail", Fail)
	h.wantStatus(id, cauri.StatusFailed)
	h.wantBackAt(ret, failurePath)
	h.wantOnPaid(id, 0)
}

func scenarioCancel(h *harness) {
	id, ret := h.play("o-cancel", Cancel)
	// Providers without a distinct cancelled status report a failure.
	h.wantStatus(id, cauri.StatusCancelled, cauri.StatusFailed)
	h.wantBackAt(ret, failurePath)
	h.wantOnPaid(id, 0)
}

// scenarioPayLater: the customer chooses to confirm on their phone later.
// The provider sends them back to the shop, whose pending page they see
// while the payment stays pending; their phone confirms, the provider
// notifies, and the pending page's next poll finds it paid.
func scenarioPayLater(h *harness) {
	id, ret := h.play("o-later", PayLater)
	if ret == "" {
		h.t.Fatal("pay later sent nobody back to the shop")
	}
	h.wantBackAt(ret, pendingPath)
	h.wantStatus(id, cauri.StatusPending)
	if s := h.pollStatus(id); s != cauri.StatusPending {
		h.t.Errorf("status endpoint = %s, want pending", s)
	}
	h.wantOnPaid(id, 0)

	// Some time passes before the customer picks up their phone: enough
	// for the payment's next turn to be asked about, which a notification
	// the kit must confirm with the provider needs (the return visit
	// spent the last).
	h.clock.Later(time.Hour)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.em.ConfirmLater(ctx, h.payment(id).ProviderRef); err != nil {
		h.t.Fatalf("ConfirmLater: %v", err)
	}
	h.wantStatus(id, cauri.StatusPaid)
	h.wantOnPaid(id, 1)
	if s := h.pollStatus(id); s != cauri.StatusPaid {
		h.t.Errorf("status endpoint = %s, want paid", s)
	}
	// The phone answers once.
	if err := h.em.ConfirmLater(ctx, h.payment(id).ProviderRef); err == nil {
		h.t.Error("a second ConfirmLater succeeded")
	}
	h.wantOnPaid(id, 1)
}

// scenarioCheckoutRedirects: a plain form post gets 303 to the provider.
func scenarioCheckoutRedirects(h *harness) {
	resp := h.post("/pay/checkout/"+h.name, url.Values{"order": {h.order("o-form", amount)}}, "")
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		h.t.Fatalf("checkout: HTTP %d, want 303", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || loc.Scheme != "http" || loc.Host == "" {
		h.t.Fatalf("checkout Location %q is not the provider's page", resp.Header.Get("Location"))
	}
	h.wantBackAt(h.act(loc.String(), Pay), successPath)
}

// scenarioDoubleSubmit: the same order checked out several times at once
// while pending opens one payment.
func scenarioDoubleSubmit(h *harness) {
	order := h.order("o-double", amount)
	const n = 5
	ids := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { ids[i], _ = h.checkout(order) })
	}
	wg.Wait()
	for _, id := range ids[1:] {
		if id != ids[0] {
			h.t.Fatalf("double submit opened several payments: %v", ids)
		}
	}
	// A changed basket is a new payment.
	h.mu.Lock()
	o := h.orders[order]
	o.Amount += 100
	h.orders[order] = o
	h.mu.Unlock()
	if id, _ := h.checkout(order); id == ids[0] {
		h.t.Errorf("a different amount reused the old payment")
	}
}

func scenarioDuplicateWebhooks(h *harness) {
	h.em.SetWebhookPolicy(WebhookPolicy{Copies: 5})
	id, ret := h.play("o-dup", Pay)
	h.wantStatus(id, cauri.StatusPaid)
	h.comeBack(ret)
	h.wantOnPaid(id, 1)
	if got := h.counter("cauri_payment_transitions_total", "provider", h.name); got != 1 {
		h.t.Errorf("transitions = %v, want 1", got)
	}
	if got := h.counter("cauri_webhooks_total", "provider", h.name, "outcome", "error"); got != 0 {
		h.t.Errorf("webhook errors = %v, want 0", got)
	}
}

func scenarioWebhookBeforeReturn(h *harness) {
	id, ret := h.play("o-wbr", Pay)
	// The notification came with the payment, before the customer is back.
	h.wantStatus(id, cauri.StatusPaid)
	h.wantOnPaid(id, 1)
	h.wantBackAt(ret, successPath)
	h.wantOnPaid(id, 1)
}

func scenarioReturnBeforeWebhook(h *harness) {
	id := h.paidWithoutWebhook("o-rbw", WebhookPolicy{Hold: true})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.em.FlushWebhooks(ctx); err != nil {
		h.t.Fatal(err)
	}
	h.wantOnPaid(id, 1)
	if got := h.counter("cauri_payment_transitions_total", "provider", h.name); got != 1 {
		h.t.Errorf("transitions = %v, want 1", got)
	}
}

func scenarioWebhookLost(h *harness) {
	h.paidWithoutWebhook("o-lost", WebhookPolicy{Lost: true})
}

// scenarioWebhookLostNoReturn: the customer closed the tab on the
// provider's page and the notification was lost; the shop's pending page
// polling the status endpoint settles it.
func scenarioWebhookLostNoReturn(h *harness) {
	h.em.SetWebhookPolicy(WebhookPolicy{Lost: true})
	id, co := h.checkout(h.order("o-lost2", amount))
	h.act(co, Pay)
	if s := h.pollStatus(id); s != cauri.StatusPaid {
		h.t.Errorf("status endpoint = %s, want paid", s)
	}
	h.wantOnPaid(id, 1)
	// A second poll within the refresh interval does not call the provider.
	before := h.providerCalls("status")
	h.pollStatus(id)
	if after := h.providerCalls("status"); after != before {
		h.t.Errorf("a poll of a settled payment called the provider")
	}
}

func scenarioForged(h *harness) {
	id, co := h.checkout(h.order("o-forged", amount))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ref := h.payment(id).ProviderRef
	for _, target := range []string{h.srv.URL + "/pay/webhooks/" + h.name, h.kit.CallbackURL(h.name, id) + "x"} {
		if err := h.em.Forge(ctx, target, ref); err != nil {
			h.t.Fatal(err)
		}
	}
	h.wantStatus(id, cauri.StatusPending)
	h.wantOnPaid(id, 0)
	// The real payment still goes through afterwards, once the payment's
	// turn to be asked about comes again: the forgery spent the last.
	h.clock.Later(time.Hour)
	h.comeBack(h.act(co, Pay))
	h.wantStatus(id, cauri.StatusPaid)
	h.wantOnPaid(id, 1)
}

func scenarioTamperedAmount(h *harness) {
	h.em.ReportAmountDelta(-1000)
	id, ret := h.play("o-tamper", Pay)
	h.wantBackAt(ret, pendingPath)
	h.wantStatus(id, cauri.StatusPending)
	h.wantOnPaid(id, 0)
	if got := h.counter("cauri_webhooks_total", "provider", h.name, "outcome", "amount_mismatch"); got == 0 && ret == "" {
		h.t.Errorf("no amount_mismatch counted")
	}
}

// scenarioProviderDown: the provider fails; the breaker opens and checkout
// answers 503 at once; after the open timeout one trial call goes through
// and closes it.
func scenarioProviderDown(h *harness) {
	order := h.order("o-down", amount)
	h.em.InjectFault(OpAny, Fault{Kind: FaultStatus, Status: http.StatusServiceUnavailable, Times: 50})
	opened := false
	var sent time.Time // the start of the checkout that opened the breaker
	for i := 0; i < 10 && !opened; i++ {
		sent = time.Now()
		resp := h.post("/pay/checkout/"+h.name, url.Values{"order": {order}}, "application/json")
		resp.Body.Close()
		if resp.StatusCode != http.StatusServiceUnavailable {
			h.t.Fatalf("checkout with the provider down: HTTP %d, want 503", resp.StatusCode)
		}
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || s < 1 {
			h.t.Errorf("Retry-After = %q", resp.Header.Get("Retry-After"))
		}
		opened = h.counter("cauri_circuit_breaker_state", "provider", h.name) == 2
	}
	if !opened {
		h.t.Fatal("breaker never opened")
	}
	before := h.providerCalls("create")
	resp := h.post("/pay/checkout/"+h.name, url.Values{"order": {order}}, "application/json")
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		h.t.Fatalf("checkout with the breaker open: HTTP %d, want 503 with Retry-After", resp.StatusCode)
	}
	// The breaker opened after sent: unless its open timeout has run
	// since (a slow machine), it was open for the whole checkout.
	if after := h.providerCalls("create"); after != before {
		if open := time.Since(sent); open < breakerTimeout {
			h.t.Errorf("an open breaker still called the provider")
		} else {
			h.t.Logf("the breaker's open timeout ran out during the check (%v since it opened): its trial call is allowed", open)
		}
	}

	// The provider recovers.
	h.em.InjectFault(OpAny, Fault{Kind: FaultStatus, Status: http.StatusServiceUnavailable, Times: -1})
	time.Sleep(breakerTimeout + 50*time.Millisecond)
	id, co := h.checkout(order)
	if got := h.counter("cauri_circuit_breaker_state", "provider", h.name); got != 0 {
		h.t.Errorf("breaker state = %v after a good trial call, want 0 (closed)", got)
	}
	h.comeBack(h.act(co, Pay))
	h.wantStatus(id, cauri.StatusPaid)
	h.wantOnPaid(id, 1)
}

// scenarioStatusFault: the status endpoint fails once while the customer
// comes back; the kit retries it (an idempotent call) and settles.
func scenarioStatusFault(h *harness) {
	h.em.SetWebhookPolicy(WebhookPolicy{Lost: true})
	id, ret := h.play("o-statusfault", Pay)
	h.em.InjectFault(OpStatus, Fault{Kind: FaultStatus, Status: http.StatusBadGateway, Times: 1})
	h.settlesPaid(id, ret)
	h.wantStatus(id, cauri.StatusPaid)
	if got := h.counter("cauri_provider_retries_total", "provider", h.name, "operation", "status"); got < 1 {
		h.t.Errorf("retries = %v, want at least 1", got)
	}
}
