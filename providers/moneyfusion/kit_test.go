package moneyfusion_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/moneyfusion"
	"github.com/cauripay/cauri/providers/moneyfusion/moneyfusiontest"
	"github.com/cauripay/cauri/providers/providertest"
	"github.com/cauripay/cauri/stores/memory"
)

// Shop pages the test kit redirects to.
const (
	successPath = "/shop/success"
	failurePath = "/shop/failure"
	pendingPath = "/shop/pending"
)

// shop is a kit over a memory store, mounted under /pay on a loopback
// server, with MoneyFusion's emulator; the kit, the provider and the
// emulator share one clock.
type shop struct {
	t      *testing.T
	em     *moneyfusiontest.Server
	kit    *cauri.Kit
	store  *memory.Store
	srv    *httptest.Server
	clock  *providertest.Clock
	client *http.Client

	mu   sync.Mutex
	paid map[string]int // payment ID → OnPaid calls
}

func newShop(t *testing.T, opts ...moneyfusiontest.Option) *shop {
	t.Helper()
	s := &shop{
		t: t, store: memory.New(), clock: &providertest.Clock{}, paid: make(map[string]int),
		client: &http.Client{
			Timeout:       10 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
	s.em = moneyfusiontest.New(append([]moneyfusiontest.Option{moneyfusiontest.WithClock(s.clock.Now)}, opts...)...)
	t.Cleanup(s.em.Close)
	p, err := moneyfusion.New(s.em.Config()) // the emulator's clock and session life
	if err != nil {
		t.Fatal(err)
	}
	var kit http.Handler
	mux := http.NewServeMux()
	mux.Handle("/pay/", http.StripPrefix("/pay", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { kit.ServeHTTP(w, r) })))
	s.srv = httptest.NewServer(mux)
	t.Cleanup(s.srv.Close)
	s.kit, err = cauri.New(cauri.Config{
		Store:     s.store,
		Providers: []cauri.Provider{p},
		PublicURL: s.srv.URL + "/pay",
		Secret:    "moneyfusion-test-secret-moneyfusion-test-secret",
		Order: func(r *http.Request, _ string) (cauri.Order, error) {
			return cauri.Order{
				ID: r.FormValue("order"), Amount: 5000, Currency: "XOF", Description: "Pagne wax",
				Customer: cauri.Customer{FirstName: "Awa", LastName: "Diallo", Phone: "+2250701020304", Country: "CI"},
			}, nil
		},
		OnPaid: func(_ context.Context, p cauri.Payment) error {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.paid[p.ID]++
			return nil
		},
		SuccessURL: successPath, FailureURL: failurePath, PendingURL: pendingPath,
		Now: s.clock.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	kit = s.kit
	return s
}

// checkout starts a payment for order as the shop's page would, and
// returns its ID, its MoneyFusion token and its payment page.
func (s *shop) checkout(order string) (id, token, page string) {
	s.t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.srv.URL+"/pay/checkout/"+moneyfusion.Name,
		strings.NewReader(url.Values{"order": {order}}.Encode()))
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		PaymentID   string `json:"payment_id"`
		CheckoutURL string `json:"checkout_url"`
	}
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&out) != nil || out.CheckoutURL == "" {
		s.t.Fatalf("checkout: HTTP %d %+v", resp.StatusCode, out)
	}
	return out.PaymentID, s.payment(out.PaymentID).ProviderRef, out.CheckoutURL
}

// act plays the customer on the payment page; the notifications it sends
// have been answered when it returns.
func (s *shop) act(page string, a providertest.Action) (returnURL string) {
	s.t.Helper()
	ret, err := s.em.Act(context.Background(), page, a)
	if err != nil {
		s.t.Fatalf("%s on the payment page: %v", a, err)
	}
	return ret
}

// comeBack follows MoneyFusion's redirect to the kit and returns the
// shop page the customer lands on.
func (s *shop) comeBack(returnURL string) string {
	s.t.Helper()
	resp, err := s.client.Get(returnURL)
	if err != nil {
		s.t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || err != nil {
		s.t.Fatalf("return: HTTP %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	return loc.Path
}

// notify posts a notification body to target, as anyone can, and returns
// the kit's HTTP status.
func (s *shop) notify(target string, body []byte) int {
	s.t.Helper()
	resp, err := s.client.Post(target, "application/json", bytes.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// cancellation is the payin.session.cancelled notification MoneyFusion
// would send about token.
func (s *shop) cancellation(token string) []byte {
	s.t.Helper()
	body, ok := s.em.Notification(token, moneyfusion.EventCancelled)
	if !ok {
		s.t.Fatalf("no payment %s at the emulator", token)
	}
	return body
}

func (s *shop) payment(id string) cauri.Payment {
	s.t.Helper()
	p, err := s.store.Get(context.Background(), id)
	if err != nil {
		s.t.Fatal(err)
	}
	return p
}

func (s *shop) onPaid(id string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.paid[id]
}

func (s *shop) reconcile() cauri.ReconcileReport {
	s.t.Helper()
	rep, err := s.kit.Reconcile(context.Background())
	if err != nil {
		s.t.Fatal(err)
	}
	return rep
}

// TestCancelledOnPageEndsCancelled is the story: the customer
// cancels on MoneyFusion's page, MoneyFusion sends
// payin.session.cancelled to the payment's callback URL and its status
// endpoint says "no paid". The payment is cancelled by the notification,
// the customer lands on the failure page, and reconcile passes leave it
// so.
func TestCancelledOnPageEndsCancelled(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	id, token, page := s.checkout("o-cancel")
	ret := s.act(page, providertest.Cancel)

	if st, ok := s.em.Payment(token); !ok || st.Status != moneyfusiontest.StatusNoPaid {
		t.Fatalf("the emulator's status of the cancelled page is %q, want %q", st.Status, moneyfusiontest.StatusNoPaid)
	}
	got := s.payment(id)
	if got.Status != cauri.StatusCancelled || !strings.Contains(got.FailureReason, "cancelled") {
		t.Errorf("after the cancellation notification: %s (%q), want cancelled", got.Status, got.FailureReason)
	}
	var answered []int
	for _, d := range s.em.Deliveries() {
		answered = append(answered, d.StatusCode)
	}
	if len(answered) != 1 || answered[0] != http.StatusOK {
		t.Errorf("notifications answered %v, want [200]", answered)
	}
	if landed := s.comeBack(ret); landed != failurePath {
		t.Errorf("the customer lands on %s, want %s", landed, failurePath)
	}

	s.clock.Later(time.Hour)
	s.reconcile()
	if got := s.payment(id); got.Status != cauri.StatusCancelled || s.onPaid(id) != 0 {
		t.Errorf("after a reconcile pass: %s, OnPaid %d; want cancelled, 0", got.Status, s.onPaid(id))
	}
}

// TestCancellationAskedLately: a cancellation that comes while the
// payment's turn to be asked about is spent (the customer's return asked
// a moment before) is answered 503 and changes nothing; MoneyFusion's
// redelivery once the turn has come cancels the payment. It is never
// answered by a question asked without it.
func TestCancellationAskedLately(t *testing.T) {
	t.Parallel()
	s := newShop(t, moneyfusiontest.WithWebhookRetries(-1, 0))
	s.em.SetWebhookPolicy(providertest.WebhookPolicy{Hold: true})
	id, token, page := s.checkout("o-late")
	ret := s.act(page, providertest.Cancel)
	if landed := s.comeBack(ret); landed != pendingPath {
		t.Errorf("back before the notification: lands on %s, want %s", landed, pendingPath)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.em.FlushWebhooks(ctx); err != nil {
		t.Fatal(err)
	}
	ds := s.em.Deliveries()
	if len(ds) != 1 || ds[0].StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("deliveries %+v, want one answered 503", ds)
	}
	if got := s.payment(id); got.Status != cauri.StatusPending {
		t.Fatalf("after an unconfirmed cancellation: %s, want pending", got.Status)
	}

	s.clock.Later(time.Minute)
	if code := s.notify(s.kit.CallbackURL(moneyfusion.Name, id), s.cancellation(token)); code != http.StatusOK {
		t.Errorf("redelivery: HTTP %d, want 200", code)
	}
	if got := s.payment(id); got.Status != cauri.StatusCancelled {
		t.Errorf("after the redelivery: %s, want cancelled", got.Status)
	}
}

// TestForgedCancellation: a payin.session.cancelled notification that
// MoneyFusion did not send, about a page nobody has paid yet (whose
// status says "no paid", as the real endpoint does), does not end the
// payment, and the customer's payment afterwards is settled paid and
// fulfilled once.
func TestForgedCancellation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		opts   []moneyfusiontest.Option
		target func(s *shop, id string) string
		code   int
	}{
		{"to the shared webhook URL", nil,
			func(s *shop, _ string) string { return s.srv.URL + "/pay/webhooks/" + moneyfusion.Name },
			http.StatusOK},
		{"to the callback URL with a wrong token", nil,
			func(s *shop, id string) string { return s.kit.CallbackURL(moneyfusion.Name, id) + "x" },
			http.StatusUnauthorized},
		{"to the callback URL, read from a status answer that shows it",
			[]moneyfusiontest.Option{moneyfusiontest.WithWebhookURLInStatus()},
			func(s *shop, id string) string { return s.kit.CallbackURL(moneyfusion.Name, id) },
			http.StatusOK},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newShop(t, tc.opts...)
			id, token, page := s.checkout("o-forged")
			if err := s.em.SetStatus(token, moneyfusiontest.StatusNoPaid); err != nil {
				t.Fatal(err)
			}
			if code := s.notify(tc.target(s, id), s.cancellation(token)); code != tc.code {
				t.Errorf("forged cancellation: HTTP %d, want %d", code, tc.code)
			}
			if got := s.payment(id); got.Status != cauri.StatusPending {
				t.Errorf("after the forged cancellation: %s, want pending", got.Status)
			}

			s.clock.Later(time.Minute) // the forgery spent the payment's turn
			ret := s.act(page, providertest.Pay)
			if got := s.payment(id); got.Status != cauri.StatusPaid || s.onPaid(id) != 1 {
				t.Errorf("paid after the forgery: %s, OnPaid %d; want paid, 1", got.Status, s.onPaid(id))
			}
			if landed := s.comeBack(ret); landed != successPath {
				t.Errorf("the customer lands on %s, want %s", landed, successPath)
			}
		})
	}
}

// TestNoPaidAgainstSessionLife: a page nobody paid, whose status says
// "no paid", stays pending within its session's life, and one reconcile
// pass after the life and margin have passed expires it, on MoneyFusion's
// word.
func TestNoPaidAgainstSessionLife(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		opts  []moneyfusiontest.Option
		after time.Duration
		want  cauri.Status
	}{
		{"within the page's life", nil, moneyfusion.DefaultSessionLife - time.Hour, cauri.StatusPending},
		{"within the margin", nil, moneyfusion.DefaultSessionLife + moneyfusion.SessionMargin - time.Minute, cauri.StatusPending},
		{"past the page's life", nil, moneyfusion.DefaultSessionLife + moneyfusion.SessionMargin + time.Minute, cauri.StatusExpired},
		{"past a shorter life the shop configured", []moneyfusiontest.Option{moneyfusiontest.WithSessionLife(time.Hour)},
			time.Hour + moneyfusion.SessionMargin + time.Minute, cauri.StatusExpired},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newShop(t, tc.opts...)
			id, token, _ := s.checkout("o-left")
			if err := s.em.SetStatus(token, moneyfusiontest.StatusNoPaid); err != nil {
				t.Fatal(err)
			}
			s.clock.Later(tc.after)
			rep := s.reconcile()
			got := s.payment(id)
			if got.Status != tc.want || rep.Checked != 1 || rep.Errors != 0 {
				t.Errorf("after one pass: %s, report %+v; want %s, 1 checked", got.Status, rep, tc.want)
			}
			if expired := tc.want == cauri.StatusExpired; expired != (rep.Settled == 1) ||
				expired != strings.Contains(got.FailureReason, "life") {
				t.Errorf("settled %d, reason %q", rep.Settled, got.FailureReason)
			}
			if s.onPaid(id) != 0 {
				t.Errorf("OnPaid ran for a payment nobody paid")
			}
		})
	}
}
