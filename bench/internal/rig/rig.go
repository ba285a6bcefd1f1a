// Package rig builds the shop the benchmarks and the load harness measure:
// a cauri Kit over a chosen Store, with the Moneroo and PayDunya emulators
// as its providers, a no-op OnPaid and metrics on a registry of its own,
// and the signed notifications that settle its payments.
package rig

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/internal/testorder"
	"github.com/cauripay/cauri/providers/moneroo"
	"github.com/cauripay/cauri/providers/moneroo/monerootest"
	"github.com/cauripay/cauri/providers/paydunya"
	"github.com/cauripay/cauri/providers/paydunya/paydunyatest"
	"github.com/cauripay/cauri/providers/providertest"
	"github.com/cauripay/cauri/stores/memory"
)

// Prefix is where the shop mounts the kit: its routes are Prefix +
// "/webhooks/moneroo" and so on.
const Prefix = "/pay"

// OrderAmount and OrderCurrency are every order's total.
const (
	OrderAmount   = 5000
	OrderCurrency = "XOF"
)

// kitSecret signs the kit's own tokens. It is a benchmark constant, not a
// credential.
const kitSecret = "bench-kit-secret-bench-kit-secret-0123456789"

// Options configures a [Shop]. The zero value is a shop over a memory
// store with the kit's defaults.
type Options struct {
	// Store keeps the kit's payments. Nil means a new memory store.
	Store cauri.Store
	// ProviderTimeout, Breaker, Retry and Reconcile go to cauri.Config.
	ProviderTimeout time.Duration
	Breaker         cauri.BreakerPolicy
	Retry           cauri.RetryPolicy
	Reconcile       cauri.ReconcilePolicy
	// RateLimits goes to cauri.Config: nil holds the providers to the
	// rates they document, or to the kit's default.
	RateLimits map[string]cauri.RateLimit
	// WithoutOnPaid configures the kit with no OnPaid: a paid payment is
	// then recorded fulfilled by the write that marks it paid.
	WithoutOnPaid bool
}

// Shop is a kit with its emulated providers. Close it when done.
type Shop struct {
	Kit      *cauri.Kit
	Store    cauri.Store
	Moneroo  *monerootest.Server
	PayDunya *paydunyatest.Server
	Registry *prometheus.Registry

	handler http.Handler
	paid    atomic.Int64
}

// New starts the emulators and builds the kit.
func New(o Options) (*Shop, error) {
	s := &Shop{
		Store:    o.Store,
		Moneroo:  monerootest.New(),
		PayDunya: paydunyatest.New(),
		Registry: prometheus.NewRegistry(),
	}
	if s.Store == nil {
		s.Store = memory.New()
	}
	// Notifications the emulators would post are recorded, never sent: the
	// benchmarks post their own.
	s.Moneroo.SetWebhookPolicy(providertest.WebhookPolicy{Lost: true})
	s.PayDunya.SetWebhookPolicy(providertest.WebhookPolicy{Lost: true})

	mon, err := moneroo.New(s.Moneroo.Config())
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("rig: moneroo: %w", err)
	}
	pd, err := paydunya.New(s.PayDunya.Config())
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("rig: paydunya: %w", err)
	}
	cfg := cauri.Config{
		Store:     s.Store,
		Providers: []cauri.Provider{mon, pd},
		// Never reached: the emulators record their notifications and
		// nobody follows a return URL.
		PublicURL: "http://127.0.0.1:1" + Prefix,
		Secret:    kitSecret,
		Order:     testorder.FromForm(OrderAmount),
		OnPaid: func(context.Context, cauri.Payment) error {
			s.paid.Add(1)
			return nil
		},
		SuccessURL: "/shop/success", FailureURL: "/shop/failure", PendingURL: "/shop/pending",
		Registerer:      s.Registry,
		ProviderTimeout: o.ProviderTimeout,
		Breaker:         o.Breaker,
		Retry:           o.Retry,
		Reconcile:       o.Reconcile,
		RateLimits:      o.RateLimits,
	}
	if o.WithoutOnPaid {
		cfg.OnPaid = nil
	}
	kit, err := cauri.New(cfg)
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("rig: cauri.New: %w", err)
	}
	s.Kit = kit
	mux := http.NewServeMux()
	mux.Handle(Prefix+"/", http.StripPrefix(Prefix, kit))
	s.handler = mux
	return s, nil
}

// Order is the shop's order id: one basket at [OrderAmount] in
// [OrderCurrency], a customer every provider accepts.
func Order(id string) cauri.Order { return testorder.New(id, OrderAmount) }

// Close stops the emulators.
func (s *Shop) Close() {
	s.Moneroo.Close()
	s.PayDunya.Close()
}

// Handler is the shop's router: the kit under [Prefix].
func (s *Shop) Handler() http.Handler { return s.handler }

// OnPaidCalls is how many times OnPaid ran.
func (s *Shop) OnPaidCalls() int64 { return s.paid.Load() }

// BreakerState is the kit's cauri_circuit_breaker_state gauge for
// provider: 0 closed, 1 half-open, 2 open.
func (s *Shop) BreakerState(provider string) (float64, error) {
	return providertest.MetricSum(s.Registry, "cauri_circuit_breaker_state", "provider", provider)
}

// Notification is one webhook, ready to post.
type Notification struct {
	PaymentID string
	Body      []byte
	Header    http.Header
}

// Request returns n as an in-process request to target.
func (n Notification) Request(target string) *http.Request {
	req := httptest.NewRequest(http.MethodPost, target, bytes.NewReader(n.Body))
	for k, v := range n.Header {
		req.Header[k] = v
	}
	return req
}

// MonerooWebhookPath is the kit's route for Moneroo's notifications.
const MonerooWebhookPath = Prefix + "/webhooks/moneroo"

// PayDunyaWebhookPath is the kit's route for PayDunya's IPNs.
const PayDunyaWebhookPath = Prefix + "/webhooks/paydunya"

// MonerooBody is a payment.success notification as Moneroo posts it (the
// shape of its documentation and of monerootest): amount in the main unit,
// currency as a code, our payment ID in metadata, the customer.
func MonerooBody(paymentID, ref, orderID string) []byte {
	type customer struct {
		ID        string `json:"id"`
		Email     string `json:"email"`
		FirstName string `json:"firstName"`
		LastName  string `json:"lastName"`
		Phone     string `json:"phone"`
	}
	type data struct {
		ID       string            `json:"id"`
		Amount   int64             `json:"amount"`
		Currency string            `json:"currency"`
		Status   string            `json:"status"`
		Metadata map[string]string `json:"metadata"`
		Customer customer          `json:"customer"`
	}
	b, err := json.Marshal(struct {
		Event string `json:"event"`
		Data  data   `json:"data"`
	}{
		Event: "payment.success",
		Data: data{
			ID: ref, Amount: OrderAmount, Currency: OrderCurrency, Status: "success",
			Metadata: map[string]string{moneroo.MetaPaymentID: paymentID, "order_id": orderID},
			Customer: customer{ID: ref[24:], Email: "awa@example.com", FirstName: "Awa", LastName: "Diallo", Phone: "+2250701020304"},
		},
	})
	if err != nil {
		panic("rig: " + err.Error()) // a struct of strings always encodes
	}
	return b
}

// PaymentID returns the i-th payment ID of a run: the kit's shape, "pay_"
// and 26 characters, unique per run and i.
func PaymentID(run string, i int) string {
	return fmt.Sprintf("pay_%s%0*d", run, 26-len(run), i)
}

// MonerooRef is the Moneroo reference of the i-th payment of a run, a
// UUID as Moneroo's are.
func MonerooRef(run string, i int) string {
	h := fnv.New32a()
	h.Write([]byte(run))
	return fmt.Sprintf("%08x-%04x-4000-8000-%012d", h.Sum32(), i>>48&0xffff, i)
}

// OrderID is the shop's order of the i-th payment of a run.
func OrderID(run string, i int) string { return fmt.Sprintf("o-%s-%d", run, i) }

// MonerooPayment is the i-th payment of a run as [Shop.SeedMoneroo]
// stores it: pending with Moneroo since created, its reference already
// known, [OrderAmount] in [OrderCurrency], no checkout key and no
// metadata. The load harness's same-table baseline stores the same shape
// in a table of its own.
func MonerooPayment(run string, i int, created time.Time) cauri.Payment {
	ref := MonerooRef(run, i)
	return cauri.Payment{
		ID: PaymentID(run, i), Provider: "moneroo", ProviderRef: ref, OrderID: OrderID(run, i),
		Status: cauri.StatusPending, Amount: OrderAmount, Currency: OrderCurrency,
		CheckoutURL: "https://checkout.moneroo.io/" + ref, CreatedAt: created, UpdatedAt: created,
	}
}

// StoreMoneroo stores MonerooPayment(run, i, created) in st for each
// i < n, with `workers` Create calls at a time.
func StoreMoneroo(ctx context.Context, st cauri.Store, run string, n, workers int, created time.Time) error {
	return Parallel(ctx, n, workers, func(i int) error {
		p := MonerooPayment(run, i, created)
		if err := st.Create(ctx, p); err != nil {
			return fmt.Errorf("rig: seeding %s: %w", p.ID, err)
		}
		return nil
	})
}

// SeedMoneroo stores n pending Moneroo payments in the shop's store,
// created at created and already known to Moneroo by their reference
// ([MonerooPayment]), with `workers` Create calls at a time, and returns a
// signed payment.success notification for each ([Shop.SignedMoneroo]).
// run makes the IDs unique: up to 6 lower-case letters or digits.
func (s *Shop) SeedMoneroo(ctx context.Context, run string, n, workers int, created time.Time) ([]Notification, error) {
	if err := StoreMoneroo(ctx, s.Store, run, n, workers, created); err != nil {
		return nil, err
	}
	return s.SignedMoneroo(run, n), nil
}

// OpenPayDunya opens n PayDunya checkouts through the kit (each creates an
// invoice at the emulator), marks the invoices completed at the emulator
// and returns for each the IPN PayDunya would post: form-encoded, with the
// master key's hash. The kit confirms such an IPN with the emulator's
// confirm endpoint before it settles the payment.
func (s *Shop) OpenPayDunya(ctx context.Context, n, workers int) ([]Notification, error) {
	out := make([]Notification, n)
	err := Parallel(ctx, n, workers, func(i int) error {
		id, err := s.Checkout(ctx, "paydunya", fmt.Sprintf("pd-%d-%d", time.Now().UnixNano(), i))
		if err != nil {
			return err
		}
		p, err := s.Store.Get(ctx, id)
		if err != nil {
			return fmt.Errorf("rig: %w", err)
		}
		if err := s.PayDunya.SetStatus(p.ProviderRef, paydunya.StatusCompleted); err != nil {
			return fmt.Errorf("rig: %w", err)
		}
		body, err := s.PayDunya.ClaimBody(p.ProviderRef, paydunya.StatusCompleted, true)
		if err != nil {
			return fmt.Errorf("rig: %w", err)
		}
		out[i] = Notification{PaymentID: id, Body: body, Header: http.Header{
			"Content-Type": {"application/x-www-form-urlencoded"},
		}}
		return nil
	})
	return out, err
}

// Checkout opens a checkout for orderID with provider through the kit, in
// process, and returns the payment's ID.
func (s *Shop) Checkout(ctx context.Context, provider, orderID string) (string, error) {
	rec := httptest.NewRecorder()
	s.handler.ServeHTTP(rec, CheckoutRequest(ctx, provider, orderID))
	if rec.Code != http.StatusOK {
		return "", fmt.Errorf("rig: checkout %s: HTTP %d: %s", provider, rec.Code, strings.TrimSpace(rec.Body.String()))
	}
	var out struct {
		PaymentID string `json:"payment_id"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		return "", fmt.Errorf("rig: checkout answer: %w", err)
	}
	return out.PaymentID, nil
}

// CheckoutRequest is an in-process checkout request for orderID, asking
// for JSON.
func CheckoutRequest(ctx context.Context, provider, orderID string) *http.Request {
	req := httptest.NewRequestWithContext(ctx, http.MethodPost, Prefix+"/checkout/"+provider,
		strings.NewReader(url.Values{"order": {orderID}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	return req
}

// OpenBreaker makes the Moneroo emulator refuse checkouts with 503 until
// the kit's breaker for it opens, at most `limit` checkouts, and clears
// the faults left. The kit must not retry creations (Moneroo's are not
// idempotent, so it does not).
func (s *Shop) OpenBreaker(ctx context.Context, limit int) error {
	s.Moneroo.InjectFault(providertest.OpCreate, providertest.Fault{Kind: providertest.FaultStatus, Status: http.StatusServiceUnavailable, Times: limit})
	defer s.Moneroo.InjectFault(providertest.OpCreate, providertest.Fault{Times: -1})
	for i := range limit {
		if st, err := s.BreakerState("moneroo"); err != nil {
			return fmt.Errorf("rig: %w", err)
		} else if st == 2 {
			return nil
		}
		rec := httptest.NewRecorder()
		s.handler.ServeHTTP(rec, CheckoutRequest(ctx, "moneroo", fmt.Sprintf("trip-%d", i)))
		if rec.Code != http.StatusServiceUnavailable {
			return fmt.Errorf("rig: checkout against a failing provider answered HTTP %d", rec.Code)
		}
	}
	if st, err := s.BreakerState("moneroo"); err != nil || st != 2 {
		return fmt.Errorf("rig: breaker not open after %d failed checkouts (state %v): %w", limit, st, errors.Join(err, errBreakerClosed))
	}
	return nil
}

var errBreakerClosed = errors.New("breaker still closed")

// Parallel runs fn(0..n-1) on `workers` goroutines and returns the first
// error; it stops handing out work after an error or when ctx ends, and
// then returns ctx's error if fn returned none.
func Parallel(ctx context.Context, n, workers int, fn func(i int) error) error {
	workers = max(1, min(workers, n))
	var (
		next    atomic.Int64
		wg      sync.WaitGroup
		errOnce sync.Once
		first   error
	)
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				if err := fn(i); err != nil {
					errOnce.Do(func() { first = err })
					next.Store(int64(n))
					return
				}
			}
		})
	}
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	return first
}

// SignedMoneroo returns a signed payment.success notification for each of
// the payments PaymentID(run, i), i < n, without storing anything: the
// kit's load, and the baselines', signed with the same secret.
func (s *Shop) SignedMoneroo(run string, n int) []Notification {
	out := make([]Notification, n)
	for i := range n {
		id := PaymentID(run, i)
		body := MonerooBody(id, MonerooRef(run, i), OrderID(run, i))
		out[i] = Notification{PaymentID: id, Body: body, Header: http.Header{
			"Content-Type":          {"application/json"},
			moneroo.SignatureHeader: {s.Moneroo.Sign(body)},
		}}
	}
	return out
}

// Bare returns the baseline receiver for this shop's Moneroo secret.
func (s *Shop) Bare(apply func(ctx context.Context, id string) error) *Bare {
	return &Bare{Secret: []byte(s.Moneroo.WebhookSecret), Apply: apply}
}

// Counter sums the kit's counters or gauges called name whose labels
// include the name/value pairs given.
func (s *Shop) Counter(name string, labels ...string) (float64, error) {
	return providertest.MetricSum(s.Registry, name, labels...)
}
