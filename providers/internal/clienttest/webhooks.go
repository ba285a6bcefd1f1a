package clienttest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/providertest"
)

// WebhookVariant is one way a provider's emulator notifies the shop (a
// configuration of it), and what each of the customer's actions makes it
// send. The webhook checks run every variant.
type WebhookVariant struct {
	// Name names the variant's subtest.
	Name string
	// New starts the emulator so configured.
	New func() Emulator
	// Actions are the customer's actions played, in order, each on a
	// checkout of its own.
	Actions []WebhookAction
	// ForgeryRefused is whether the client refuses a forged notification
	// (its error wraps cauri.ErrUnauthenticated); otherwise it reads it
	// as an unauthenticated claim that the payment was paid, which a
	// status lookup denies.
	ForgeryRefused bool
	// NoProviderRef is whether the notifications name the payment by the
	// shop's payment ID alone, with no cauri.Update.ProviderRef.
	NoProviderRef bool
	// MoneyIfAuthenticated is whether only the authenticated
	// notifications state the amount and currency.
	MoneyIfAuthenticated bool
	// Check checks what is particular to the provider in each
	// notification an action made; nil checks nothing more.
	Check func(t *testing.T, n WebhookStep)
	// After runs the provider's own cases once the actions are played;
	// nil runs none.
	After func(t *testing.T, h *WebhookHarness)
}

// WebhookAction is a customer's action on the hosted page and the
// notifications it makes the emulator send.
type WebhookAction struct {
	Action providertest.Action
	// Want are the statuses of the notifications, in order.
	Want []cauri.Status
	// Authenticated is whether the client believes them without a status
	// lookup.
	Authenticated bool
}

// WebhookStep is one notification a customer's action made, as the shop
// received it.
type WebhookStep struct {
	Notification
	// Action is the customer's action, and Index the notification's place
	// among those it made.
	Action providertest.Action
	Index  int
	// Request and Checkout are the checkout the customer acted on.
	Request  cauri.CheckoutRequest
	Checkout cauri.Checkout
	// Emulator is the emulator that sent it; its Provider is the client.
	Emulator Emulator
}

// WebhookHarness is what a variant's After hook works with: the emulator,
// the shop it notifies, and the checkouts the actions were played on.
type WebhookHarness struct {
	Emulator Emulator
	Shop     *Shop
	// Checkouts are the checkouts the actions were played on, by action.
	Checkouts map[providertest.Action]Opened
	facts     Facts
}

// Opened is a checkout opened by the webhook checks: the request and the
// provider's answer.
type Opened struct {
	Request  cauri.CheckoutRequest
	Checkout cauri.Checkout
}

// Open opens a checkout for paymentID whose notifications go to the shop,
// edited by edit first when it is not nil.
func (h *WebhookHarness) Open(t *testing.T, paymentID string, edit func(*cauri.CheckoutRequest)) Opened {
	t.Helper()
	req := h.facts.request(paymentID)
	req.CallbackURL = h.Shop.URL + "/pay/webhooks/" + h.facts.Name + "/" + paymentID + "/tok"
	if edit != nil {
		edit(&req)
	}
	co, err := h.Emulator.Provider().CreateCheckout(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	return Opened{Request: req, Checkout: co}
}

// Notification is one notification a Shop received: where it was posted,
// its headers and body, and what the provider's client made of it.
type Notification struct {
	Path   string
	Header http.Header
	Body   []byte
	Update cauri.Update
	Err    error
}

// Shop is a shop's webhook endpoint on loopback: it parses every
// notification with a provider's client, answers 401 to those the client
// refuses, and keeps them all.
type Shop struct {
	// URL is the endpoint's root; every path under it is served.
	URL string
	mu  sync.Mutex
	got []Notification
}

// NewShop starts a Shop parsing with p; it stops when the test ends.
func NewShop(t testing.TB, p cauri.Provider) *Shop {
	s := &Shop{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		u, err := p.ParseWebhook(r, body)
		s.mu.Lock()
		s.got = append(s.got, Notification{Path: r.URL.Path, Header: r.Header.Clone(), Body: body, Update: u, Err: err})
		s.mu.Unlock()
		if err != nil {
			w.WriteHeader(http.StatusUnauthorized)
		}
	}))
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// Notifications returns the notifications received so far, in order.
func (s *Shop) Notifications() []Notification {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Notification(nil), s.got...)
}

// Since returns the notifications received after the first n.
func (s *Shop) Since(n int) []Notification { return s.Notifications()[n:] }

// deliverer is an emulator that reports its deliveries: all of this
// module's do.
type deliverer interface {
	Deliveries() []providertest.Delivery
}

// checkWebhooks plays each of the provider's webhook variants: the
// customer's actions, whose notifications the client must read as the
// facts say, and a forgery.
func checkWebhooks(t *testing.T, f Facts) {
	if len(f.Webhooks) == 0 {
		t.Skip("no webhook facts")
	}
	for _, v := range f.Webhooks {
		t.Run(v.Name, func(t *testing.T) {
			t.Parallel()
			checkWebhookVariant(t, f, v)
		})
	}
}

func checkWebhookVariant(t *testing.T, f Facts, v WebhookVariant) {
	ctx := context.Background()
	em := v.New()
	defer em.Close()
	p := em.Provider()
	h := &WebhookHarness{Emulator: em, Shop: NewShop(t, p), Checkouts: map[providertest.Action]Opened{}, facts: f}
	// Providers configured in a dashboard notify there; the others at
	// each payment's callback URL.
	em.SetWebhookURL(h.Shop.URL + "/dashboard")

	for i, a := range v.Actions {
		o := h.Open(t, fmt.Sprintf("pay_wh_%d", i+1), nil)
		h.Checkouts[a.Action] = o
		n := len(h.Shop.Notifications())
		if _, err := em.Act(ctx, o.Checkout.RedirectURL, a.Action); err != nil {
			t.Fatal(err)
		}
		got := h.Shop.Since(n)
		if len(got) != len(a.Want) {
			t.Fatalf("%s: %d notifications, want %d", a.Action, len(got), len(a.Want))
		}
		ref := o.Checkout.ProviderRef
		if v.NoProviderRef {
			ref = ""
		}
		for j, nt := range got {
			u := nt.Update
			if nt.Err != nil {
				t.Errorf("%s #%d: %v\n%s", a.Action, j, nt.Err, nt.Body)
				continue
			}
			money := u.Amount == 5000 && u.Currency == "XOF"
			if v.MoneyIfAuthenticated && !u.Authenticated {
				money = true
			}
			if u.Status != a.Want[j] || u.Authenticated != a.Authenticated || u.PaymentID != o.Request.PaymentID ||
				u.ProviderRef != ref || !money {
				t.Errorf("%s #%d: %+v", a.Action, j, u)
			}
			if v.Check != nil {
				v.Check(t, WebhookStep{Notification: nt, Action: a.Action, Index: j, Request: o.Request, Checkout: o.Checkout, Emulator: em})
			}
		}
	}
	if v.After != nil {
		v.After(t, h)
	}
	checkForgery(t, h, v)
}

// checkForgery has the emulator forge a notification that a fresh
// checkout was paid, and checks that the client refuses it or reads it as
// a claim that a status lookup denies, as v says.
func checkForgery(t *testing.T, h *WebhookHarness, v WebhookVariant) {
	ctx := context.Background()
	o := h.Open(t, "pay_wh_forged", nil)
	n := len(h.Shop.Notifications())
	if err := h.Emulator.Forge(ctx, o.Request.CallbackURL, o.Checkout.ProviderRef); err != nil {
		t.Fatal(err)
	}
	got := h.Shop.Since(n)
	if len(got) != 1 {
		t.Fatalf("%d forged notifications, want 1", len(got))
	}
	nt := got[0]
	wantCode := http.StatusOK
	if v.ForgeryRefused {
		wantCode = http.StatusUnauthorized
		if !errors.Is(nt.Err, cauri.ErrUnauthenticated) {
			t.Errorf("forgery: %+v, %v; want refused", nt.Update, nt.Err)
		}
	} else {
		if nt.Err != nil || nt.Update.Authenticated || nt.Update.Status != cauri.StatusPaid {
			t.Errorf("forgery: %+v, %v; want an unauthenticated claim of a payment", nt.Update, nt.Err)
		}
		// The claim is what the kit checks with a status lookup: the
		// payment is still pending.
		u, err := h.Emulator.Provider().FetchStatus(ctx, cauri.StatusQuery{PaymentID: o.Request.PaymentID,
			ProviderRef: o.Checkout.ProviderRef, Amount: 5000, Currency: "XOF"})
		if err != nil || u.Status != cauri.StatusPending {
			t.Errorf("status after the forgery: %+v %v", u, err)
		}
	}
	if d, ok := h.Emulator.(deliverer); ok {
		ds := d.Deliveries()
		if last := ds[len(ds)-1]; !last.Forged || last.StatusCode != wantCode {
			t.Errorf("forged delivery: forged %v, answered %d; want forged, answered %d", last.Forged, last.StatusCode, wantCode)
		}
	}
}
