// Package monerootest emulates Moneroo's API on loopback: a real HTTP
// server that initializes payments, answers verify calls, serves a hosted
// checkout page whose buttons pay, fail, cancel or pay later on the
// phone, and sends signed webhooks. It implements [providertest.Emulator], and it is meant for
// tests and offline demos:
//
//	srv := monerootest.New()
//	defer srv.Close()
//	srv.SetWebhookURL(shop.URL + "/pay/webhooks/moneroo")
//	kit, _ := cauri.New(cauri.Config{Providers: []cauri.Provider{srv.Provider()}, ...})
//
// It follows Moneroo's documentation: bearer secret key (401 otherwise),
// initialize validated as the real API does (422 with Laravel-style
// "errors"; the amount "numeric", as the Laravel SDK checks it and the
// WooCommerce plugin sends it: a number or a decimal string, never finer
// than the currency), 201 with data.id and data.checkout_url, the verify
// object with its currency object, metadata and capture, webhooks signed
// with X-Moneroo-Signature, and the customer sent back to return_url with
// paymentId and paymentStatus.
//
// The hosted page looks like a checkout: Moneroo's name and colours, the
// amount and description, the payment methods of the currency (those of
// the Laravel SDK's table, or only those initialize's methods named), and
// the customer's phone, pre-filled from customer.phone. The method chosen
// is the capture's method. Moneroo sends the customer back to return_url
// "once the payment is done, successfully or not" (its integration
// guide), so every button returns there, paymentStatus saying success,
// failed or cancelled. "Pay later on my phone" returns there too with
// paymentStatus pending, Moneroo's word for a payment the customer made
// and the operator has not confirmed: the payment stays pending until
// [Server.ConfirmLater] (or [WithPayLaterDelay]) makes it a success and
// sends payment.success. Moneroo documents no webhook for pending, and
// none is sent.
package monerootest

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/internal/emulator"
	"github.com/cauripay/cauri/providers/moneroo"
	"github.com/cauripay/cauri/providers/providertest"
)

// Delivery is one webhook delivery attempt, as [Server.Deliveries] records
// it: the URL, Header and Body sent; its Copy and Attempt numbers; the
// receiver's StatusCode, or the Err that left it without one; Lost for a
// notification the policy dropped, Forged for one [Server.Forge] sent; At,
// when it started. It is [providertest.Delivery], the type every emulator
// records deliveries with, where each field is documented.
type Delivery = providertest.Delivery

// Sign returns the X-Moneroo-Signature of body under secret; it is
// [moneroo.Sign].
func Sign(secret string, body []byte) string { return moneroo.Sign(secret, body) }

// Option configures a Server.
type Option func(*options)

type options struct {
	secretKey, webhookSecret, merchant string
	retries                            int
	retryDelay, webhookTimeout         time.Duration
	payLater                           time.Duration
}

// WithSecretKey sets the API key the server expects. The default is a
// random "sk_test_" key.
func WithSecretKey(key string) Option { return func(o *options) { o.secretKey = key } }

// WithWebhookSecret sets the secret webhooks are signed with. The default is
// random.
func WithWebhookSecret(secret string) Option { return func(o *options) { o.webhookSecret = secret } }

// WithMerchant sets the shop's name shown on the checkout page. The default
// is "Test Shop".
func WithMerchant(name string) Option { return func(o *options) { o.merchant = name } }

// WithWebhookRetries sets how many times a webhook the receiver did not
// answer with a 2xx is sent again, and the wait in between. Moneroo retries
// 3 times, 10 minutes apart; the default is 3 times, 20ms apart. n < 0
// means no retry.
func WithWebhookRetries(n int, delay time.Duration) Option {
	return func(o *options) { o.retries, o.retryDelay = n, delay }
}

// WithWebhookTimeout sets how long the receiver has to answer a webhook.
// Moneroo waits 3 seconds, the default.
func WithWebhookTimeout(d time.Duration) Option { return func(o *options) { o.webhookTimeout = d } }

// WithPayLaterDelay makes the phone of a customer who chose "pay later on
// my phone" confirm by itself d after the choice, on real time: for demos.
// The default, zero, waits for [Server.ConfirmLater], as tests should.
func WithPayLaterDelay(d time.Duration) Option { return func(o *options) { o.payLater = d } }

// Server is the emulated Moneroo. Its methods are safe for concurrent use.
type Server struct {
	// URL is the server's root, "http://127.0.0.1:port". The API is under
	// URL + "/v1", the checkout pages under URL + "/checkout/".
	URL string
	// SecretKey is the API key the server expects as a bearer token.
	SecretKey string
	// WebhookSecret signs the webhooks.
	WebhookSecret string

	merchant string
	srv      *httptest.Server
	faults   *emulator.Faults
	hooks    *emulator.Dispatcher
	later    *emulator.Later
	client   *http.Client // for Act: does not follow redirects

	mu         sync.Mutex
	payments   map[string]*Payment
	webhookURL string
	delta      int64
}

var _ providertest.Emulator = (*Server)(nil)

// New starts a Server on 127.0.0.1. Close it when done.
func New(opts ...Option) *Server {
	o := options{merchant: "Test Shop"}
	for _, opt := range opts {
		opt(&o)
	}
	if o.secretKey == "" {
		o.secretKey = "sk_test_" + emulator.RandomHex(16)
	}
	if o.webhookSecret == "" {
		o.webhookSecret = emulator.RandomHex(15)
	}
	s := &Server{
		SecretKey:     o.secretKey,
		WebhookSecret: o.webhookSecret,
		merchant:      o.merchant,
		faults:        emulator.NewFaults(errorBody),
		hooks: emulator.NewDispatcher(emulator.DispatcherConfig{
			Retries: o.retries, RetryDelay: o.retryDelay, Timeout: o.webhookTimeout,
		}),
		client:   emulator.NoRedirectClient(30 * time.Second),
		payments: make(map[string]*Payment),
	}
	s.later = emulator.NewLater(o.payLater, s.confirmLater)
	// URL is set before the server serves: a handler reads it, and a
	// request from another process brings no happens-before edge.
	s.srv = httptest.NewUnstartedServer(s.routes())
	s.URL = "http://" + s.srv.Listener.Addr().String()
	s.srv.Start()
	return s
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	api := func(pattern string, op providertest.Op, h http.HandlerFunc) {
		mux.Handle(pattern, s.faults.Wrap(op, s.authenticated(h)))
	}
	api("POST /v1/payments/initialize", providertest.OpCreate, s.initialize)
	api("GET /v1/payments/{id}/verify", providertest.OpStatus, s.get)
	api("GET /v1/payments/{id}", providertest.OpStatus, s.get)
	mux.Handle("/v1/", s.faults.Wrap(providertest.OpAny, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, envelope{Message: "Not found."})
	})))
	mux.HandleFunc("GET /checkout/{id}", s.page)
	mux.HandleFunc("POST /checkout/{id}/{action}", s.act)
	return mux
}

// BaseURL is the API's root, for moneroo.Config.BaseURL.
func (s *Server) BaseURL() string { return s.URL + "/v1" }

// Config returns a moneroo.Config for this server: its key, its webhook
// secret and its base URL.
func (s *Server) Config() moneroo.Config {
	return moneroo.Config{SecretKey: s.SecretKey, WebhookSecrets: []string{s.WebhookSecret}, BaseURL: s.BaseURL()}
}

// Provider returns a moneroo.Provider configured against this server.
func (s *Server) Provider() cauri.Provider {
	p, err := moneroo.New(s.Config())
	if err != nil {
		panic("monerootest: " + err.Error()) // the server's own config is always valid
	}
	return p
}

// Sign returns the X-Moneroo-Signature of body under the server's webhook
// secret.
func (s *Server) Sign(body []byte) string { return moneroo.Sign(s.WebhookSecret, body) }

// SetWebhookURL sets where webhooks go, as a webhook configured in
// Moneroo's dashboard would. Empty (the default) sends none.
func (s *Server) SetWebhookURL(url string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.webhookURL = url
}

// SetWebhookPolicy changes how later webhooks are delivered.
func (s *Server) SetWebhookPolicy(p providertest.WebhookPolicy) { s.hooks.SetPolicy(p) }

// FlushWebhooks delivers the held webhooks, in order, and waits for the
// answers.
func (s *Server) FlushWebhooks(ctx context.Context) error { return s.hooks.Flush(ctx) }

// Deliveries returns every webhook delivery attempt so far, forged and
// lost ones included.
func (s *Server) Deliveries() []Delivery { return s.hooks.Deliveries() }

// InjectFault makes the next f.Times calls to op fail as f says:
// providertest.OpCreate is initialize, OpStatus is verify and get, OpAny is
// any API call. The hosted page is not an API call and never fails.
func (s *Server) InjectFault(op providertest.Op, f providertest.Fault) { s.faults.Inject(op, f) }

// AwaitSlowHeld waits until injected FaultSlow faults have held n API
// requests in all, or until ctx ends: a test acts (gives up on the call,
// closes the server) once a request is surely held.
func (s *Server) AwaitSlowHeld(ctx context.Context, n int) error { return s.faults.AwaitHeld(ctx, n) }

// AwaitSlowAnswered waits until n API requests in all that a FaultSlow
// held have been answered (to nobody, when the client gave up), or until
// ctx ends: what the server does with a call whose answer was lost is
// then done.
func (s *Server) AwaitSlowAnswered(ctx context.Context, n int) error {
	return s.faults.AwaitAnswered(ctx, n)
}

// ReportAmountDelta makes later verify answers and webhooks report every
// payment's amount plus delta, in smallest units.
func (s *Server) ReportAmountDelta(delta int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delta = delta
}

// Payment returns a copy of the payment with Moneroo ID id.
func (s *Server) Payment(id string) (Payment, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.payments[id]
	if !ok {
		return Payment{}, false
	}
	return p.clone(), true
}

// SetStatus sets a payment's status to any word, documented or not,
// without a webhook: for tests of what a client does with "pending" or an
// unknown status.
func (s *Server) SetStatus(id, status string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.payments[id]
	if !ok {
		return fmt.Errorf("monerootest: no payment %q", id)
	}
	p.Status = status
	return nil
}

// Act plays the customer pressing pay, fail, cancel or pay later on the
// hosted page at checkoutURL, over HTTP, and returns the return URL
// Moneroo sends the customer to. Webhooks not held by the policy have been
// delivered and answered when it returns.
func (s *Server) Act(ctx context.Context, checkoutURL string, a providertest.Action) (string, error) {
	return emulator.Act(ctx, s.client, checkoutURL, a)
}

// ConfirmLater plays the phone of the customer who chose "pay later on my
// phone" for the payment with Moneroo ID id confirming it: the payment
// becomes a success and payment.success is sent. Webhooks not held by the
// policy have been delivered and answered when it returns. It fails,
// wrapping emulator.ErrNotWaiting, when the payment is not waiting for its
// customer's phone.
func (s *Server) ConfirmLater(ctx context.Context, id string) error { return s.later.Confirm(ctx, id) }

// confirmLater is the phone's confirmation of payment id.
func (s *Server) confirmLater(ctx context.Context, id string) error {
	s.mu.Lock()
	p, ok := s.payments[id]
	switch {
	case !ok:
		s.mu.Unlock()
		return fmt.Errorf("monerootest: no payment %q", id)
	case !p.Later || p.Status != statusPending:
		st := p.Status
		s.mu.Unlock()
		return fmt.Errorf("monerootest: payment %q is %s: %w", id, st, emulator.ErrNotWaiting)
	}
	p.Status, p.Later = statusSuccess, false
	body := webhookBody(p, s.delta)
	hookURL := s.webhookURL
	s.mu.Unlock()
	if hookURL == "" {
		return nil
	}
	return s.hooks.Deliver(ctx, emulator.Notification{URL: hookURL, Header: webhookHeader(s.Sign(body)), Body: body})
}

// Forge posts to url a payment.success webhook about providerRef, signed
// with a wrong secret. The server's records do not change. It fails only
// when the post does; the receiver's answer is in Deliveries.
func (s *Server) Forge(ctx context.Context, url, providerRef string) error {
	s.mu.Lock()
	var body []byte
	if p, ok := s.payments[providerRef]; ok {
		forged := p.clone()
		forged.Status = statusSuccess
		body = webhookBody(&forged, 0)
	} else {
		body = webhookBody(&Payment{ID: providerRef, Status: statusSuccess, Currency: "XOF", Amount: 100}, 0)
	}
	s.mu.Unlock()
	_, err := s.hooks.SendOnce(ctx, emulator.Notification{
		URL:    url,
		Header: webhookHeader(moneroo.Sign("forged-"+emulator.RandomHex(8), body)),
		Body:   body,
	})
	return err
}

// Close stops the server, its slow answers, its customers' phones and its
// webhook deliveries.
func (s *Server) Close() {
	s.faults.Close()
	s.later.Close()
	s.hooks.Close()
	s.srv.Close()
}

// authenticated checks the bearer secret key.
func (s *Server) authenticated(h http.HandlerFunc) http.HandlerFunc {
	want := []byte("Bearer " + s.SecretKey)
	return func(w http.ResponseWriter, r *http.Request) {
		got := []byte(r.Header.Get("Authorization"))
		if subtle.ConstantTimeCompare(got, want) != 1 {
			writeJSON(w, http.StatusUnauthorized, envelope{Message: "Unauthenticated."})
			return
		}
		h(w, r)
	}
}

// envelope is Moneroo's answer format.
type envelope struct {
	Message string `json:"message"`
	Data    any    `json:"data"`
	Errors  any    `json:"errors"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, `{"message":"Server Error","data":null,"errors":null}`, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// errorBody is Moneroo's body for an injected error status.
func errorBody(status int) (string, []byte) {
	msg := http.StatusText(status)
	switch status {
	case http.StatusTooManyRequests:
		msg = "Too Many Attempts."
	case http.StatusServiceUnavailable:
		msg = "Service Unavailable. We are performing maintenance, please try again later."
	case http.StatusInternalServerError:
		msg = "Server Error"
	}
	b, _ := json.Marshal(envelope{Message: msg})
	return "application/json", b
}

// notFound answers 404 for an unknown payment.
func notFound(w http.ResponseWriter) {
	writeJSON(w, http.StatusNotFound, envelope{Message: "Payment transaction not found."})
}

// initialize is POST /v1/payments/initialize.
func (s *Server) initialize(w http.ResponseWriter, r *http.Request) {
	var in map[string]any
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	dec.UseNumber()
	if err := dec.Decode(&in); err != nil {
		writeJSON(w, http.StatusBadRequest, envelope{Message: "The request body is not valid JSON."})
		return
	}
	p, errs := validateInit(in)
	if len(errs) > 0 {
		writeJSON(w, http.StatusUnprocessableEntity, envelope{Message: errs.message(), Errors: errs})
		return
	}
	p.ID = emulator.UUID()
	p.Status = statusInitiated
	p.CustomerID = emulator.RandomHex(6)
	p.CreatedAt = time.Now().UTC()
	s.mu.Lock()
	s.payments[p.ID] = p
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, envelope{
		Message: "Transaction initialized successfully",
		Data:    map[string]string{"id": p.ID, "checkout_url": s.URL + "/checkout/" + p.ID},
	})
}

// get is GET /v1/payments/{id} and GET /v1/payments/{id}/verify.
func (s *Server) get(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	p, ok := s.payments[r.PathValue("id")]
	var data any
	if ok {
		data = s.verifyData(p, s.delta)
	}
	s.mu.Unlock()
	if !ok {
		notFound(w)
		return
	}
	writeJSON(w, http.StatusOK, envelope{Message: "Payment transaction fetched successfully!", Data: data})
}

// page is GET /checkout/{id}, the hosted checkout page.
func (s *Server) page(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	p, ok := s.payments[r.PathValue("id")]
	var snap Payment
	if ok {
		snap = p.clone()
	}
	s.mu.Unlock()
	switch {
	case !ok:
		emulator.WriteMessagePage(w, http.StatusNotFound, "Payment not found", "This payment link is not valid.")
		return
	case final(snap.Status):
		emulator.WriteMessagePage(w, http.StatusOK, "Payment "+snap.Status, "This payment is closed.")
		return
	case snap.Later:
		emulator.WriteMessagePage(w, http.StatusOK, "Confirm on your phone", "A payment request was sent to your phone: confirm it there.")
		return
	}
	c := snap.Customer
	emulator.WriteCheckoutPage(w, emulator.CheckoutPage{
		Brand:       brand,
		Merchant:    s.merchant,
		Amount:      cauri.FormatAmount(snap.Amount, snap.Currency) + " " + snap.Currency,
		Description: snap.Description,
		ActionURL:   "/checkout/" + snap.ID,
		Operators:   operators(&snap),
		Customer:    emulator.PageCustomer{Name: strings.TrimSpace(c.FirstName + " " + c.LastName), Email: c.Email, Phone: c.Phone},
	})
}

// act is POST /checkout/{id}/{action}: a button of the hosted page.
func (s *Server) act(w http.ResponseWriter, r *http.Request) {
	a, ok := emulator.ParseAction(r.PathValue("action"))
	if !ok {
		emulator.WriteMessagePage(w, http.StatusNotFound, "Not found", "No such action.")
		return
	}
	choice := emulator.ReadChoice(r)
	s.mu.Lock()
	p, ok := s.payments[r.PathValue("id")]
	if !ok {
		s.mu.Unlock()
		emulator.WriteMessagePage(w, http.StatusNotFound, "Payment not found", "This payment link is not valid.")
		return
	}
	if final(p.Status) || p.Later {
		st := p.Status
		s.mu.Unlock()
		emulator.WriteMessagePage(w, http.StatusConflict, "Payment already "+st, "This payment is closed and cannot change.")
		return
	}
	settle(p, a, choice)
	body := webhookBody(p, s.delta)
	hookURL := s.webhookURL
	if a == providertest.PayLater {
		hookURL = "" // no webhook for pending
	}
	back := returnURL(p)
	s.mu.Unlock()
	if a == providertest.PayLater {
		s.later.Wait(p.ID)
	}

	if hookURL != "" {
		// The customer leaving does not stop Moneroo notifying the shop.
		ctx := context.WithoutCancel(r.Context())
		err := s.hooks.Deliver(ctx, emulator.Notification{URL: hookURL, Header: webhookHeader(s.Sign(body)), Body: body})
		if errors.Is(err, emulator.ErrClosed) {
			emulator.WriteMessagePage(w, http.StatusServiceUnavailable, "Unavailable", "The emulator is shutting down.")
			return
		}
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// settle applies the customer's action, with what they chose on the page,
// to a payment.
func settle(p *Payment, a providertest.Action, c emulator.Choice) {
	switch a {
	case providertest.Pay:
		p.Status = statusSuccess
	case providertest.Fail:
		p.Status = statusFailed
		p.FailureMessage = "The customer's balance is insufficient."
	case providertest.Cancel:
		p.Status = statusCancelled
	case providertest.PayLater:
		p.Status, p.Later = statusPending, true
	}
	if a != providertest.Cancel {
		p.Method = c.From(operators(p)).Code
		p.PaymentPhone = c.Phone
	}
}

func webhookHeader(signature string) http.Header {
	return http.Header{
		"Content-Type":          {"application/json"},
		"User-Agent":            {"Moneroo-Webhooks/1.0 (emulator)"},
		moneroo.SignatureHeader: {signature},
	}
}

// returnURL is the payment's return_url with paymentId and paymentStatus
// appended, its own query kept as it was.
func returnURL(p *Payment) string {
	u, frag, _ := strings.Cut(p.ReturnURL, "#")
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
		if strings.HasSuffix(u, "?") || strings.HasSuffix(u, "&") {
			sep = ""
		}
	}
	u += sep + "paymentId=" + queryEscape(p.ID) + "&paymentStatus=" + queryEscape(p.Status)
	if frag != "" {
		u += "#" + frag
	}
	return u
}

// Moneroo's word for a payment the customer made and the operator has not
// confirmed: a pay-later payment's status until its phone confirms.
const statusPending = "pending"

func final(status string) bool {
	return status == statusSuccess || status == statusFailed || status == statusCancelled
}

// Payment is the emulator's record of one payment.
type Payment struct {
	// ID is Moneroo's ID for the payment, a UUID.
	ID string
	// Status is Moneroo's word: initiated, then success, failed or
	// cancelled, or pending while a pay-later customer's phone has not
	// confirmed (or whatever SetStatus set).
	Status string
	// Amount is as initialized, in the currency's smallest unit, as
	// cauri.Order.Amount: "5000.00" XOF is 5000, "10.50" USD is 1050.
	Amount int64
	// Currency, Description, ReturnURL, Customer, Metadata and Methods are
	// as initialized.
	Currency    string
	Description string
	ReturnURL   string
	Customer    Customer
	Metadata    map[string]string
	Methods     []string
	// CustomerID is the ID Moneroo gave the customer.
	CustomerID string
	// Method is the payment method's short code once the customer paid or
	// failed: the one chosen on the page.
	Method string
	// PaymentPhone is the phone number the customer typed on the page, if
	// any: the capture's phone_number (else customer.phone).
	PaymentPhone string
	// Later is true while the customer who chose "pay later on my phone"
	// has not confirmed on their phone: the payment is pending.
	Later bool
	// FailureMessage is set when the payment failed.
	FailureMessage string
	// CreatedAt is when the payment was initialized.
	CreatedAt time.Time
}

// Customer is the customer as initialized.
type Customer struct {
	// Email, FirstName and LastName are required by initialize; Phone and
	// Country are optional, as sent.
	Email, FirstName, LastName, Phone, Country string
}

func (p *Payment) clone() Payment {
	c := *p
	c.Metadata = maps.Clone(p.Metadata)
	c.Methods = slices.Clone(p.Methods)
	return c
}
