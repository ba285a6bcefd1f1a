package providers_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/internal/emulator"
	"github.com/cauripay/cauri/internal/emulator/emutest"
	"github.com/cauripay/cauri/providers/emulators"
	"github.com/cauripay/cauri/providers/providertest"
)

// emulatorUnderTest is what every emulator offers besides
// providertest.Emulator.
type emulatorUnderTest interface {
	providertest.Emulator
	Deliveries() []providertest.Delivery
	AwaitSlowHeld(ctx context.Context, n int) error
}

// emulatorFacts are what the shared emulator tests need to know of one
// provider's emulator.
type emulatorFacts struct {
	name string
	// statusPath is an API path answered to a GET (a status lookup).
	statusPath string
	// perPay is how many notifications a payment paid on the page sends.
	perPay int
}

// emulatorTable is the facts of every provider of emulators.All, in its
// order. It fails t for a listed provider it has no facts about.
func emulatorTable(t *testing.T) []emulatorFacts {
	t.Helper()
	facts := map[string]emulatorFacts{
		"moneroo":   {statusPath: "/v1/payments/x", perPay: 1},
		"dexchange": {statusPath: "/api/v1/transaction/x", perPay: 1},
		"dexpay":    {statusPath: "/api/v1/checkout-sessions/x", perPay: 1},
		// The page's pay sends payin.session.pending, then completed.
		"moneyfusion": {statusPath: "/paiementNotif/x", perPay: 2},
		"novasend":    {statusPath: "/v1/payin/x", perPay: 1},
		"paydunya":    {statusPath: "/sandbox-api/v1/checkout-invoice/confirm/x", perPay: 1},
	}
	var out []emulatorFacts
	for _, p := range emulators.All() {
		f, ok := facts[p.Name]
		if !ok {
			t.Fatalf("no emulator facts for %s", p.Name)
		}
		f.name = p.Name
		out = append(out, f)
	}
	return out
}

// start starts f's emulator with notifications retried twice, 1ms apart,
// and returns it and its root URL.
func (f emulatorFacts) start(t *testing.T) (emulatorUnderTest, string) {
	t.Helper()
	p, _ := emulators.Named(f.name)
	s := p.Start(providertest.WithWebhookRetries(2, time.Millisecond))
	em, ok := s.Emulator.(emulatorUnderTest)
	if !ok {
		s.Close()
		t.Fatalf("%s's emulator has no AwaitSlowHeld", f.name)
	}
	return em, s.URL
}

// eachEmulator runs check in a parallel subtest for each emulator of the
// table, started for it and closed after.
func eachEmulator(t *testing.T, check func(t *testing.T, f emulatorFacts, em emulatorUnderTest)) {
	t.Helper()
	for _, f := range emulatorTable(t) {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			em, _ := f.start(t)
			defer em.Close()
			check(t, f, em)
		})
	}
}

// open opens a checkout of 5000 XOF through the provider's own client,
// notifications to hook.
func open(t *testing.T, em emulatorUnderTest, id, hook string) cauri.Checkout {
	t.Helper()
	ck, err := em.Provider().CreateCheckout(context.Background(), cauri.CheckoutRequest{
		PaymentID: id,
		Order: cauri.Order{
			ID: "order_" + id, Amount: 5000, Currency: "XOF", Description: "Order " + id,
			Customer: cauri.Customer{FirstName: "Awa", LastName: "Diallo", Email: "awa@example.com", Phone: "+2250701020304", Country: "CI"},
			Items:    []cauri.Item{{Name: "Pagne wax", Quantity: 1, UnitPrice: 5000}},
		},
		ReturnURL:   "https://shop.example/return?payment_id=" + id,
		CallbackURL: hook,
	})
	if err != nil {
		t.Fatalf("CreateCheckout: %v", err)
	}
	return ck
}

// TestEmulatorsWebhookPolicies: a notification the shop does not
// acknowledge is retried, until the retries run out; duplicates come in
// their copies; held ones wait for FlushWebhooks; lost ones are recorded
// and never sent.
func TestEmulatorsWebhookPolicies(t *testing.T) {
	t.Parallel()
	eachEmulator(t, func(t *testing.T, f emulatorFacts, em emulatorUnderTest) {
		ctx := context.Background()
		var first []int // each notification's first try fails, its retry succeeds
		for range f.perPay {
			first = append(first, http.StatusInternalServerError, http.StatusOK)
		}
		shop := emutest.NewShop(t, first...)
		em.SetWebhookURL(shop.URL)
		pay := func(id string) {
			t.Helper()
			emutest.Act(t, em.Act, open(t, em, id, shop.URL).RedirectURL, providertest.Pay)
		}

		pay("pay_retry")
		ds := em.Deliveries()
		if len(ds) != 2*f.perPay {
			t.Fatalf("retry: %d deliveries, want %d: %+v", len(ds), 2*f.perPay, ds)
		}
		for i := 0; i < len(ds); i += 2 {
			if ds[i].StatusCode != 500 || ds[i].Attempt != 1 || ds[i+1].StatusCode != 200 || ds[i+1].Attempt != 2 {
				t.Errorf("retry %d: %+v then %+v", i/2, ds[i], ds[i+1])
			}
		}
		want := 2 * f.perPay

		em.SetWebhookPolicy(providertest.WebhookPolicy{Copies: 3})
		pay("pay_dup")
		if want += 3 * f.perPay; shop.Count() != want {
			t.Errorf("duplicates: %d requests, want %d", shop.Count(), want)
		}

		em.SetWebhookPolicy(providertest.WebhookPolicy{Hold: true, Copies: 2})
		pay("pay_held")
		if shop.Count() != want {
			t.Errorf("held notifications delivered: %d requests", shop.Count())
		}
		if err := em.FlushWebhooks(ctx); err != nil {
			t.Fatal(err)
		}
		if want += 2 * f.perPay; shop.Count() != want {
			t.Errorf("after flush: %d requests, want %d", shop.Count(), want)
		}

		em.SetWebhookPolicy(providertest.WebhookPolicy{Lost: true})
		pay("pay_lost")
		if ds := em.Deliveries(); shop.Count() != want || !ds[len(ds)-1].Lost {
			t.Errorf("lost notification delivered: %d requests, last %+v", shop.Count(), ds[len(ds)-1])
		}

		shop.Then(http.StatusServiceUnavailable)
		em.SetWebhookPolicy(providertest.WebhookPolicy{})
		pay("pay_refused")
		if want += 3 * f.perPay; shop.Count() != want {
			t.Errorf("retries: %d requests, want %d (1 + 2 retries each)", shop.Count(), want)
		}
		lost := 0
		for _, d := range em.Deliveries() {
			if d.Lost {
				lost++
			}
		}
		if lost != f.perPay {
			t.Errorf("%d lost deliveries recorded, want %d", lost, f.perPay)
		}
	})
}

// TestEmulatorsCloseWithSlowFault: Close does not wait for a slow answer
// it holds.
func TestEmulatorsCloseWithSlowFault(t *testing.T) {
	t.Parallel()
	for _, f := range emulatorTable(t) {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			em, root := f.start(t)
			em.InjectFault(providertest.OpAny, providertest.Fault{Kind: providertest.FaultSlow, Delay: time.Hour})
			done := make(chan struct{})
			go func() {
				defer close(done)
				if res, err := emulator.NoRedirectClient(time.Minute).Get(root + f.statusPath); err == nil {
					res.Body.Close()
				}
			}()
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if err := em.AwaitSlowHeld(ctx, 1); err != nil {
				t.Fatal(err)
			}
			closed := make(chan struct{})
			go func() {
				defer close(closed)
				em.Close()
			}()
			select {
			case <-closed:
			case <-ctx.Done():
				t.Fatal("Close waited for the hour-long slow answer")
			}
			<-done
		})
	}
}

// TestEmulatorsForge: a forged notification is sent once, outside the
// policy, and recorded as forged; the provider's own client does not
// believe it; the emulator's record of the payment does not change; a
// forgery about an unknown payment is sent too.
func TestEmulatorsForge(t *testing.T) {
	t.Parallel()
	eachEmulator(t, func(t *testing.T, f emulatorFacts, em emulatorUnderTest) {
		ctx := context.Background()
		shop := emutest.NewShop(t, http.StatusUnauthorized, http.StatusUnauthorized)
		em.SetWebhookPolicy(providertest.WebhookPolicy{Hold: true, Copies: 3})
		ck := open(t, em, "pay_forged", emutest.NewShop(t).URL)
		if err := em.Forge(ctx, shop.URL, ck.ProviderRef); err != nil {
			t.Fatal(err)
		}
		if ds := em.Deliveries(); len(ds) != 1 || !ds[0].Forged || ds[0].StatusCode != http.StatusUnauthorized || shop.Count() != 1 {
			t.Errorf("deliveries %+v, %d requests", ds, shop.Count())
		}
		sent, body := shop.At(0)
		req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/pay/webhooks/"+f.name, bytes.NewReader(body))
		req.Header = sent.Header
		u, err := em.Provider().ParseWebhook(req, body)
		if u.Authenticated {
			t.Errorf("the provider's client believes the forgery: %+v", u)
		}
		if err != nil && !errors.Is(err, cauri.ErrUnauthenticated) {
			t.Errorf("ParseWebhook: %v", err)
		}
		st, err := em.Provider().FetchStatus(ctx, cauri.StatusQuery{PaymentID: "pay_forged", ProviderRef: ck.ProviderRef, Amount: 5000, Currency: "XOF"})
		if err != nil || st.Status == cauri.StatusPaid {
			t.Errorf("after a forgery the provider says %+v, %v", st, err)
		}
		if err := em.Forge(ctx, shop.URL, "unknown_ref"); err != nil || shop.Count() != 2 {
			t.Errorf("forging about an unknown payment: %v, %d requests", err, shop.Count())
		}
	})
}

// TestEmulatorsConfirmLater: ConfirmLater refuses a payment that does not
// wait for its customer's phone, before and after the phone confirmed, and
// pays one that does.
func TestEmulatorsConfirmLater(t *testing.T) {
	t.Parallel()
	eachEmulator(t, func(t *testing.T, f emulatorFacts, em emulatorUnderTest) {
		ctx := context.Background()
		ck := open(t, em, "pay_later", emutest.NewShop(t).URL)
		if err := em.ConfirmLater(ctx, ck.ProviderRef); !errors.Is(err, emulator.ErrNotWaiting) {
			t.Errorf("ConfirmLater before the choice: %v", err)
		}
		if err := em.ConfirmLater(ctx, "unknown_ref"); err == nil {
			t.Error("ConfirmLater of an unknown payment")
		}
		emutest.Act(t, em.Act, ck.RedirectURL, providertest.PayLater)
		q := cauri.StatusQuery{PaymentID: "pay_later", ProviderRef: ck.ProviderRef, Amount: 5000, Currency: "XOF"}
		if st, err := em.Provider().FetchStatus(ctx, q); err != nil || st.Status != cauri.StatusPending {
			t.Errorf("waiting for the phone: %+v, %v", st, err)
		}
		if err := em.ConfirmLater(ctx, ck.ProviderRef); err != nil {
			t.Fatal(err)
		}
		if st, err := em.Provider().FetchStatus(ctx, q); err != nil || st.Status != cauri.StatusPaid {
			t.Errorf("confirmed: %+v, %v", st, err)
		}
		if err := em.ConfirmLater(ctx, ck.ProviderRef); !errors.Is(err, emulator.ErrNotWaiting) {
			t.Errorf("ConfirmLater twice: %v", err)
		}
	})
}
