package cauri_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/providertest"
	"github.com/cauripay/cauri/stores/memory"
)

// historyStores are the stores the history tests run on.
func historyStores() []struct {
	name string
	new  func(t *testing.T) cauri.Store
} {
	return []struct {
		name string
		new  func(t *testing.T) cauri.Store
	}{
		{"memory", func(*testing.T) cauri.Store { return memory.New() }},
		{"sqlite", func(t *testing.T) cauri.Store { return newSQLiteStore(t) }},
	}
}

// wantEvent is what a test expects of one event.
type wantEvent struct {
	kind      cauri.EventKind
	source    string
	status    cauri.Status
	detail    string // a prefix of its Detail
	attention bool
}

// checkHistory compares a payment's history with want, event by event,
// and checks that it is numbered from 1 and in time order.
func checkHistory(t *testing.T, h []cauri.Event, want []wantEvent) {
	t.Helper()
	var b strings.Builder
	for _, e := range h {
		fmt.Fprintf(&b, "\n\t%d %s %s %s %q attention=%v", e.Seq, e.Kind, e.Source, e.Status, e.Detail, e.Attention)
	}
	if len(h) != len(want) {
		t.Fatalf("history has %d events, want %d:%s", len(h), len(want), b.String())
	}
	for i, e := range h {
		w := want[i]
		if e.Seq != int64(i+1) || e.Kind != w.kind || e.Source != w.source || e.Status != w.status ||
			!strings.HasPrefix(e.Detail, w.detail) || e.Attention != w.attention || e.Actor != "" {
			t.Errorf("event %d = %d %s %s %s %q attention=%v actor=%q, want %s %s %s %q… attention=%v",
				i, e.Seq, e.Kind, e.Source, e.Status, e.Detail, e.Attention, e.Actor, w.kind, w.source, w.status, w.detail, w.attention)
		}
		if i > 0 && e.At.Before(h[i-1].At) {
			t.Errorf("event %d at %v, before the one before it (%v)", i, e.At, h[i-1].At)
		}
		if e.At.IsZero() || e.At.Location() != time.UTC {
			t.Errorf("event %d at %v, want a time in UTC", i, e.At)
		}
	}
	if t.Failed() {
		t.Logf("history:%s", b.String())
	}
}

// noSecrets fails t when a secret appears in any event of h.
func noSecrets(t *testing.T, h []cauri.Event, secrets map[string]string) {
	t.Helper()
	for _, e := range h {
		text := fmt.Sprintf("%+v", e)
		for name, secret := range secrets {
			if secret == "" {
				t.Fatalf("no %s to look for", name)
			}
			for _, form := range []string{secret, url.PathEscape(secret), url.QueryEscape(secret)} {
				if strings.Contains(text, form) {
					t.Errorf("event %d holds the %s: %s", e.Seq, name, text)
				}
			}
		}
	}
}

// secretsOf returns every secret a fixture's kit knows of payment p: the
// provider's keys, the kit's secret, the payment's provider reference and
// page, and the tokens of its URLs.
func secretsOf(f *fixture, p cauri.Payment) map[string]string {
	status, err := url.Parse(f.kit.StatusURL(p.ID))
	if err != nil {
		f.t.Fatal(err)
	}
	return map[string]string{
		"kit secret":           kitSecret,
		"provider key":         f.em.Config().SecretKey,
		"webhook secret":       f.em.WebhookSecret,
		"provider reference":   p.ProviderRef,
		"checkout URL":         p.CheckoutURL,
		"provider page's path": mustURL(f.t, p.CheckoutURL).Path,
		"return token":         path.Base(f.kit.ReturnURL("moneroo", p.ID)),
		"callback token":       path.Base(f.kit.CallbackURL("moneroo", p.ID)),
		"status token":         status.Query().Get("token"),
	}
}

func mustURL(t testing.TB, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestHistory drives a payment through a checkout, an unsigned
// notification confirmed by a lookup whose answer reports less than the
// order (refused), another that moves it to paid while OnPaid fails, and
// a return visit whose OnPaid succeeds: its history tells each step, in
// order, by what it was recorded, with attention where a person is
// needed, and holds no secret, not even those the failing OnPaid's error
// quoted.
func TestHistory(t *testing.T) {
	for _, st := range historyStores() {
		t.Run(st.name, func(t *testing.T) {
			ctx := context.Background()
			f := newFixture(t, unsignedWebhooks(), withConfig(func(c *cauri.Config) {
				c.Store = st.new(t)
				c.PollInterval, c.MaxPollInterval = time.Nanosecond, time.Nanosecond // every notification may ask
			}))
			f.em.SetWebhookPolicy(providertest.WebhookPolicy{Lost: true}) // the test sends them
			p, payURL := f.checkout("hist-1", nil)
			f.setOnPaid(func(_ context.Context, got cauri.Payment) error {
				if calls, _ := f.onPaidCalls(got.ID); calls == 1 {
					return fmt.Errorf("the shop's database is down (fulfilling %s from %s)", got.ProviderRef, got.CheckoutURL)
				}
				return nil
			})

			// Paid at the provider, which reports 1000 less than the order.
			f.em.ReportAmountDelta(-1000)
			f.act(payURL, providertest.Pay)
			notification := paidBody(p)
			if code := f.sendWebhook(f.webhookURL(), notification, ""); code != http.StatusUnprocessableEntity {
				t.Fatalf("unsigned notification, provider reporting less: HTTP %d, want 422", code)
			}
			f.wantStatus(p.ID, cauri.StatusPending)
			// The provider reports the order's amount: paid, OnPaid fails.
			f.em.ReportAmountDelta(0)
			if code := f.sendWebhook(f.webhookURL(), notification, ""); code != http.StatusInternalServerError {
				t.Fatalf("unsigned notification, OnPaid failing: HTTP %d, want 500", code)
			}
			f.wantStatus(p.ID, cauri.StatusPaid)
			// The customer comes back: OnPaid is retried, and succeeds.
			if code, loc := f.visitReturn(f.kit.ReturnURL("moneroo", p.ID)); code != http.StatusSeeOther || !strings.Contains(loc, "/shop/success") {
				t.Fatalf("return visit: HTTP %d to %q, want 303 to the success page", code, loc)
			}
			if calls, ok := f.onPaidCalls(p.ID); calls != 2 || ok != 1 {
				t.Fatalf("OnPaid called %d times, %d successes; want 2 and 1", calls, ok)
			}

			h, err := f.kit.History(ctx, p.ID)
			if err != nil {
				t.Fatalf("History: %v", err)
			}
			checkHistory(t, h, []wantEvent{
				{cauri.EventCreated, cauri.SourceCheckout, cauri.StatusPending, "order hist-1: 5000 XOF", false},
				{cauri.EventOpened, cauri.SourceCheckout, cauri.StatusPending, "checkout opened at moneroo", false},
				{cauri.EventNotification, cauri.SourceWebhook, cauri.StatusPaid, cauri.AuthUnsigned + "; confirmed by lookup; provider's word \"success\"", false},
				{cauri.EventStatus, cauri.SourceWebhook, cauri.StatusPaid, `provider's word "success"`, false},
				{cauri.EventRefused, cauri.SourceWebhook, cauri.StatusPaid, "reported 4000 XOF; the order is 5000 XOF", true},
				{cauri.EventNotification, cauri.SourceWebhook, cauri.StatusPaid, cauri.AuthUnsigned + "; confirmed by lookup", false},
				{cauri.EventStatus, cauri.SourceWebhook, cauri.StatusPaid, `provider's word "success"`, false},
				{cauri.EventMoved, cauri.SourceWebhook, cauri.StatusPaid, "pending → paid", false},
				{cauri.EventOnPaid, cauri.SourceWebhook, cauri.StatusPaid, "failed: the shop's database is down (fulfilling <redacted> from <redacted>)", true},
				{cauri.EventOnPaid, cauri.SourceReturn, cauri.StatusPaid, "succeeded", false},
			})
			p = f.payment(p.ID)
			noSecrets(t, h, secretsOf(f, p))

			// The console finds it among the payments that need a person,
			// and by its order.
			for _, q := range []cauri.PaymentQuery{{NeedsAttention: true}, {Search: "hist-1"}, {Search: p.ProviderRef, Status: cauri.StatusPaid}} {
				ps, err := f.kit.FindPayments(ctx, q, cauri.Cursor{}, 10)
				if err != nil || len(ps) != 1 || ps[0].ID != p.ID {
					t.Errorf("FindPayments(%+v) = %d payments, %v; want %s", q, len(ps), err, p.ID)
				}
			}
		})
	}
}

// TestHistoryOfASupersededPayment: a checkout of another amount of the
// same order supersedes the first payment, whose history says so; paid
// all the same by a signed notification, it records the anomaly, which
// needs a person.
func TestHistoryOfASupersededPayment(t *testing.T) {
	for _, st := range historyStores() {
		t.Run(st.name, func(t *testing.T) {
			var mu sync.Mutex
			amount := int64(orderAmount)
			f := newFixture(t, withConfig(func(c *cauri.Config) {
				c.Store = st.new(t)
				order := c.Order
				c.Order = func(r *http.Request, provider string) (cauri.Order, error) {
					o, err := order(r, provider)
					mu.Lock()
					defer mu.Unlock()
					o.Amount = amount
					return o, err
				}
			}))
			f.em.SetWebhookPolicy(providertest.WebhookPolicy{Lost: true})
			old, oldURL := f.checkout("hist-2", nil)
			mu.Lock()
			amount = orderAmount + 500
			mu.Unlock()
			newer, _ := f.checkout("hist-2", nil)
			f.act(oldURL, providertest.Pay)
			if code := f.signed(paidBody(old)); code != http.StatusOK {
				t.Fatalf("signed notification of the superseded payment: HTTP %d, want 200", code)
			}

			h, err := f.kit.History(context.Background(), old.ID)
			if err != nil {
				t.Fatal(err)
			}
			checkHistory(t, h, []wantEvent{
				{cauri.EventCreated, cauri.SourceCheckout, cauri.StatusPending, "order hist-2: 5000 XOF", false},
				{cauri.EventOpened, cauri.SourceCheckout, cauri.StatusPending, "checkout opened at moneroo", false},
				{cauri.EventSuperseded, cauri.SourceCheckout, cauri.StatusPending, "replaced by " + newer.ID, false},
				{cauri.EventNotification, cauri.SourceWebhook, cauri.StatusPaid, cauri.AuthSigned + "; provider's word \"success\"", false},
				{cauri.EventMoved, cauri.SourceWebhook, cauri.StatusPaid, "pending → paid", false},
				{cauri.EventAnomaly, cauri.SourceWebhook, cauri.StatusPaid, "superseded: superseded by " + newer.ID, true},
				{cauri.EventOnPaid, cauri.SourceWebhook, cauri.StatusPaid, "succeeded", false},
			})
			noSecrets(t, h, secretsOf(f, f.payment(old.ID)))

			h, err = f.kit.History(context.Background(), newer.ID)
			if err != nil {
				t.Fatal(err)
			}
			checkHistory(t, h, []wantEvent{
				{cauri.EventCreated, cauri.SourceCheckout, cauri.StatusPending, "order hist-2: " + strconv.Itoa(orderAmount+500) + " XOF", false},
				{cauri.EventOpened, cauri.SourceCheckout, cauri.StatusPending, "checkout opened at moneroo", false},
			})
		})
	}
}

// TestHistoryOfTheReconciler: a pending payment the provider stays silent
// about is asked about by a reconcile pass, then expired past the maximum
// age; both are recorded by the reconciler, the expiry with its reason.
// A failed lookup is recorded without the error's text.
func TestHistoryOfTheReconciler(t *testing.T) {
	clock := time.Now().UTC()
	var mu sync.Mutex
	now := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return clock
	}
	f := newFixture(t, withConfig(func(c *cauri.Config) {
		c.Now = now
		c.Reconcile = cauri.ReconcilePolicy{Grace: time.Minute, MaxAge: 3 * time.Hour}
		c.Breaker = cauri.BreakerPolicy{ConsecutiveFailures: 100} // stays closed
	}))
	p, _ := f.checkout("hist-3", nil)
	advance := func(d time.Duration) {
		mu.Lock()
		clock = clock.Add(d)
		mu.Unlock()
	}
	ctx := context.Background()

	advance(2 * time.Minute)
	f.em.InjectFault(providertest.OpStatus, providertest.Fault{Kind: providertest.FaultStatus, Status: 502, Times: 10})
	if rep, err := f.kit.Reconcile(ctx); err != nil || rep.Errors != 1 {
		t.Fatalf("Reconcile with the provider failing = %+v, %v; want one error", rep, err)
	}
	advance(time.Hour) // past the next turn, however long
	f.em.InjectFault(providertest.OpStatus, providertest.Fault{Times: -1})
	if rep, err := f.kit.Reconcile(ctx); err != nil || rep.Checked != 1 {
		t.Fatalf("Reconcile = %+v, %v; want one payment checked", rep, err)
	}
	advance(3 * time.Hour)
	if rep, err := f.kit.Reconcile(ctx); err != nil || rep.Expired != 1 {
		t.Fatalf("Reconcile past the maximum age = %+v, %v; want one expired", rep, err)
	}
	h, err := f.kit.History(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	checkHistory(t, h, []wantEvent{
		{cauri.EventCreated, cauri.SourceCheckout, cauri.StatusPending, "order hist-3", false},
		{cauri.EventOpened, cauri.SourceCheckout, cauri.StatusPending, "checkout opened", false},
		{cauri.EventStatus, cauri.SourceReconciler, "", "no answer: the provider answered HTTP 502", false},
		{cauri.EventStatus, cauri.SourceReconciler, cauri.StatusPending, `provider's word "initiated"`, false},
		{cauri.EventStatus, cauri.SourceReconciler, cauri.StatusPending, `provider's word "initiated"`, false},
		{cauri.EventMoved, cauri.SourceReconciler, cauri.StatusExpired, "pending → expired: pending past the maximum age", false},
	})
}

// TestHistoryWithoutAHistoryStore: a Store that keeps no history still
// runs the kit, and Kit.History and Kit.FindPayments say it cannot.
func TestHistoryWithoutAHistoryStore(t *testing.T) {
	f := newFixture(t, withConfig(func(c *cauri.Config) { c.Store = plainStore{memory.New()} }))
	p, payURL := f.checkout("hist-4", nil)
	f.act(payURL, providertest.Pay)
	f.wantStatus(p.ID, cauri.StatusPaid)
	if _, err := f.kit.History(context.Background(), p.ID); !errors.Is(err, cauri.ErrUnsupported) {
		t.Errorf("History: %v, want ErrUnsupported", err)
	}
	if _, err := f.kit.FindPayments(context.Background(), cauri.PaymentQuery{}, cauri.Cursor{}, 10); !errors.Is(err, cauri.ErrUnsupported) {
		t.Errorf("FindPayments: %v, want ErrUnsupported", err)
	}
}

// plainStore is a Store and nothing more.
type plainStore struct{ cauri.Store }

// TestHistoryOfDuplicates: a signed notification whose OnPaid fails is
// delivered again; the copy that runs OnPaid again is recorded with it,
// the copies after it, which change nothing, are not.
func TestHistoryOfDuplicates(t *testing.T) {
	for _, st := range historyStores() {
		t.Run(st.name, func(t *testing.T) {
			f := newFixture(t, withConfig(func(c *cauri.Config) { c.Store = st.new(t) }))
			f.em.SetWebhookPolicy(providertest.WebhookPolicy{Lost: true})
			p, payURL := f.checkout("hist-5", nil)
			f.setOnPaid(func(_ context.Context, got cauri.Payment) error {
				if calls, _ := f.onPaidCalls(got.ID); calls == 1 {
					return errors.New("the shop's database is down")
				}
				return nil
			})
			f.act(payURL, providertest.Pay)
			for i, want := range []int{http.StatusInternalServerError, http.StatusOK, http.StatusOK, http.StatusOK} {
				if code := f.signed(paidBody(p)); code != want {
					t.Fatalf("notification %d: HTTP %d, want %d", i, code, want)
				}
			}
			h, err := f.kit.History(context.Background(), p.ID)
			if err != nil {
				t.Fatal(err)
			}
			signed := cauri.AuthSigned + `; provider's word "success"`
			checkHistory(t, h, []wantEvent{
				{cauri.EventCreated, cauri.SourceCheckout, cauri.StatusPending, "order hist-5", false},
				{cauri.EventOpened, cauri.SourceCheckout, cauri.StatusPending, "checkout opened", false},
				{cauri.EventNotification, cauri.SourceWebhook, cauri.StatusPaid, signed, false},
				{cauri.EventMoved, cauri.SourceWebhook, cauri.StatusPaid, "pending → paid", false},
				{cauri.EventOnPaid, cauri.SourceWebhook, cauri.StatusPaid, "failed: the shop's database is down", true},
				{cauri.EventNotification, cauri.SourceWebhook, cauri.StatusPaid, signed, false},
				{cauri.EventOnPaid, cauri.SourceWebhook, cauri.StatusPaid, "succeeded", false},
			})
		})
	}
}
