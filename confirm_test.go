package cauri_test

import (
	"bytes"
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/moneyfusion"
	"github.com/cauripay/cauri/providers/moneyfusion/moneyfusiontest"
	"github.com/cauripay/cauri/providers/providertest"
	"github.com/cauripay/cauri/stores/memory"
)

// confirmRecorder is MoneyFusion's provider, a Confirmer, recording what
// the kit asks of it before asking its emulator.
type confirmRecorder struct {
	*moneyfusion.Provider

	mu      sync.Mutex
	claims  []cauri.Claim
	confirm []cauri.StatusQuery // Confirm's queries
	fetch   []cauri.StatusQuery // FetchStatus's
}

func (r *confirmRecorder) Confirm(ctx context.Context, c cauri.Claim, q cauri.StatusQuery) (cauri.Update, error) {
	r.mu.Lock()
	r.claims, r.confirm = append(r.claims, c), append(r.confirm, q)
	r.mu.Unlock()
	return r.Provider.Confirm(ctx, c, q)
}

func (r *confirmRecorder) FetchStatus(ctx context.Context, q cauri.StatusQuery) (cauri.Update, error) {
	r.mu.Lock()
	r.fetch = append(r.fetch, q)
	r.mu.Unlock()
	return r.Provider.FetchStatus(ctx, q)
}

func (r *confirmRecorder) counts() (claims []cauri.Claim, confirms, fetches []cauri.StatusQuery) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]cauri.Claim(nil), r.claims...), append([]cauri.StatusQuery(nil), r.confirm...), append([]cauri.StatusQuery(nil), r.fetch...)
}

// heldStatus is a provider client's transport that, once armed, holds the
// next status call (a GET): it says so on started and waits for release.
type heldStatus struct {
	base    http.RoundTripper
	armed   atomic.Bool
	started chan struct{}
	release chan struct{}
}

func (h *heldStatus) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodGet && h.armed.CompareAndSwap(true, false) {
		h.started <- struct{}{}
		<-h.release
	}
	return h.base.RoundTrip(r)
}

// confirmShop is a budget shop on MoneyFusion whose provider records the
// kit's questions and whose status calls can be held.
func confirmShop(t *testing.T, clock *providertest.Clock) (*budgetShop, *confirmRecorder, *heldStatus) {
	rec := &confirmRecorder{}
	held := &heldStatus{started: make(chan struct{}, 1), release: make(chan struct{})}
	bp := budgetProvider{"moneyfusion", func(t testing.TB, hc *http.Client) (providertest.Emulator, cauri.Provider) {
		em := moneyfusiontest.New(providertest.WithClock(clock.Now))
		c := em.Config()
		held.base = hc.Transport
		c.HTTPClient = &http.Client{Transport: held}
		p, err := moneyfusion.New(c)
		must(t, err)
		rec.Provider = p
		return em, rec
	}}
	s := newBudgetShop(t, bp, memory.New(), func(c *cauri.Config) { c.Now = clock.Now })
	return s, rec, held
}

// post sends a notification body to target and returns the kit's answer.
func (s *budgetShop) post(target string, body []byte) int {
	s.t.Helper()
	resp, err := s.client.Post(target, "application/json", bytes.NewReader(body))
	must(s.t, err)
	resp.Body.Close()
	return resp.StatusCode
}

// TestConfirmerGetsTheClaim: an unsigned notification is confirmed with
// Confirm, handed what it claimed and whether it came to the payment's
// callback URL; the reconciler and return visits still ask FetchStatus.
// Every query carries the payment's CreatedAt.
func TestConfirmerGetsTheClaim(t *testing.T) {
	t.Parallel()
	var clock providertest.Clock
	s, rec, _ := confirmShop(t, &clock)
	em := s.em.(*moneyfusiontest.Server)
	p, _ := s.checkout("o-claim")
	body, ok := em.Notification(p.ProviderRef, moneyfusion.EventCancelled)
	if !ok {
		t.Fatal("no notification from the emulator")
	}

	targets := []struct {
		url      string
		callback bool
	}{
		{s.srv.URL + "/pay/webhooks/moneyfusion", false},
		{s.kit.CallbackURL("moneyfusion", p.ID), true},
	}
	for i, tc := range targets {
		clock.Later(2 * time.Hour) // the payment's next turn
		if code := s.post(tc.url, body); code != http.StatusOK {
			t.Errorf("notification %d: HTTP %d", i, code)
		}
		claims, confirms, fetches := rec.counts()
		if len(claims) != i+1 || len(fetches) != 0 {
			t.Fatalf("after notification %d: %d claims, %d status fetches; want %d, 0", i, len(claims), len(fetches), i+1)
		}
		c := claims[i]
		if c.Callback != tc.callback || c.Update.Status != cauri.StatusCancelled || c.Update.Authenticated ||
			c.Update.ProviderRef != p.ProviderRef || c.Update.PaymentID != p.ID {
			t.Errorf("claim %d: %+v, callback %v; want a cancellation, callback %v", i, c.Update, c.Callback, tc.callback)
		}
		if q := confirms[i]; q.PaymentID != p.ID || q.ProviderRef != p.ProviderRef || !q.CreatedAt.Equal(p.CreatedAt) {
			t.Errorf("Confirm's query %d: %+v, want the payment's, created %v", i, q, p.CreatedAt)
		}
	}
	// The emulator's page is open, its status "pending": nothing moved.
	if got := s.payment(p.ID); got.Status != cauri.StatusPending {
		t.Errorf("after unconfirmed claims: %s", got.Status)
	}

	clock.Later(2 * time.Hour)
	if _, err := s.kit.Reconcile(context.Background()); err != nil {
		t.Fatal(err)
	}
	claims, _, fetches := rec.counts()
	if len(claims) != 2 || len(fetches) != 1 || !fetches[0].CreatedAt.Equal(p.CreatedAt) {
		t.Errorf("the reconciler: %d claims, fetches %+v; want 2, one FetchStatus with CreatedAt %v", len(claims), fetches, p.CreatedAt)
	}
}

// TestClaimNotAnsweredByPlainAsk: a notification that comes while a
// question without its claim is under way (the customer's return) is not
// answered by that question, which cannot read it: it is answered 503, to
// be delivered again, and its redelivery cancels the payment.
func TestClaimNotAnsweredByPlainAsk(t *testing.T) {
	t.Parallel()
	var clock providertest.Clock
	s, rec, held := confirmShop(t, &clock)
	em := s.em.(*moneyfusiontest.Server)
	em.SetWebhookPolicy(providertest.WebhookPolicy{Lost: true})
	p, page := s.checkout("o-held")
	ret, err := em.Act(context.Background(), page, providertest.Cancel)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := em.Notification(p.ProviderRef, moneyfusion.EventCancelled)

	held.armed.Store(true)
	var wg sync.WaitGroup
	wg.Go(func() { s.get(ret) }) // the customer's return asks, held
	<-held.started
	code := make(chan int, 1)
	wg.Go(func() { code <- s.post(s.kit.CallbackURL("moneyfusion", p.ID), body) })
	// The notification's answer does not wait for the return's question;
	// the timer only bounds a failure.
	var got int
	select {
	case got = <-code:
	case <-time.After(10 * time.Second):
		t.Error("the notification waited for the return's question")
	}
	close(held.release)
	if got == 0 {
		got = <-code
	}
	wg.Wait()
	if got != http.StatusServiceUnavailable {
		t.Errorf("notification during a return's question: HTTP %d, want 503", got)
	}
	if st := s.payment(p.ID).Status; st != cauri.StatusPending {
		t.Errorf("after the return's question: %s, want pending (its status says no paid)", st)
	}

	clock.Later(2 * time.Hour)
	if code := s.post(s.kit.CallbackURL("moneyfusion", p.ID), body); code != http.StatusOK {
		t.Errorf("redelivery: HTTP %d", code)
	}
	if st := s.payment(p.ID).Status; st != cauri.StatusCancelled {
		t.Errorf("after the redelivery: %s, want cancelled", st)
	}
	if claims, _, _ := rec.counts(); len(claims) != 1 || !claims[0].Callback {
		t.Errorf("claims %+v, want the redelivery's alone", claims)
	}
}
