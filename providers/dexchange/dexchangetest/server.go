// Package dexchangetest emulates DEXCHANGE's merchant payment links API on
// loopback: a real HTTP server that creates payment links, answers
// transaction lookups, serves a hosted payment page whose buttons pay,
// fail, cancel or pay later on the phone, and posts notifications to each link's callBackURL. It
// implements [providertest.Emulator], and it is meant for tests and offline
// demos:
//
//	srv := dexchangetest.New()
//	defer srv.Close()
//	kit, _ := cauri.New(cauri.Config{Providers: []cauri.Provider{srv.Provider()}, ...})
//
// It follows DEXCHANGE's documentation (the get-link page, its OpenAPI
// block, the get-transaction page and the API reference's overview):
//
//   - every API call needs Authorization: Bearer <API key>, else 401;
//   - POST /api/v1/transaction/merchant/get-link validates its body as the
//     documentation lists it, field names and casing included (400 with
//     {"message": [...], "success": false}, unknown fields refused as a
//     NestJS API with a whitelist does, the 100 FCFA minimum, customData
//     required as the OpenAPI block says), answers 409 to a reused
//     externalTransactionId, and 201 with the seed's flat body (or the
//     OpenAPI's nested one, [WithNestedLinkResponse]);
//   - GET /api/v1/transaction/{transactionId} answers the get-transaction
//     shape, 404 {"message": ["No transaction found"], "success": false}
//     for an unknown one;
//   - GET /api/v1/transaction/merchant/{id} answers the link again. Its
//     shape is not documented; this emulator gives the get-link fields and
//     finds the transaction by its transactionId or by its
//     externalTransactionId (an assumption: see the dexchange package's
//     documentation on 409);
//   - the standard tier's 100 requests per minute, as 429 with
//     Retry-After ([WithRateLimit]);
//   - the hosted page at /process/{transactionId} (DEXCHANGE's documented
//     link format), in French, in DEXCHANGE's name and colours, with the
//     item, its price, the collection services of Senegal to choose from
//     (Orange Money, Wave, Free Money, Wizall Money: the serviceCode a
//     lookup then reports) and the customer's phone, pre-filled from
//     ClientPhone; it sends the customer to successUrl after paying
//     ("redirection après paiement réussi") and to failureUrl after a
//     failure or a cancellation ("redirection après échec"), with no query
//     parameters added (none are documented);
//   - "pay later on my phone", which DEXCHANGE does not document: the
//     transaction becomes PROCESSING (the get-transaction page's status
//     for an operator still processing it), its callBackURL is notified
//     of the change, as for any status change, and the customer is sent
//     to successUrl, since they did not fail; a shop must never take that
//     visit for a payment (cauri asks the API). [Server.ConfirmLater] (or
//     [WithPayLaterDelay]) then makes it SUCCESS and notifies again;
//   - notifications in the seed's body (id, externalTransactionId,
//     transactionType, AMOUNT, FEE, PHONE_NUMBER, STATUS, CUSTOM_DATA,
//     COMPLETED_AT) posted to the link's callBackURL, unsigned as
//     documented, or signed with X-Webhook-Signature
//     ([WithWebhookSecret]).
package dexchangetest

import (
	"bytes"
	"cmp"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/internal/emulator"
	"github.com/cauripay/cauri/providers/dexchange"
	"github.com/cauripay/cauri/providers/providertest"
)

// DefaultRateLimit is DEXCHANGE's standard tier: requests per minute per
// API key.
const DefaultRateLimit = 100

// maxRequests is how many API requests Requests keeps, the latest.
const maxRequests = 1000

// Delivery is one webhook delivery attempt, as [Server.Deliveries] records
// it: the URL, Header and Body sent; its Copy and Attempt numbers; the
// receiver's StatusCode, or the Err that left it without one; Lost for a
// notification the policy dropped, Forged for one [Server.Forge] sent; At,
// when it started. It is [providertest.Delivery], the type every emulator
// records deliveries with, where each field is documented.
type Delivery = providertest.Delivery

// Sign returns the X-Webhook-Signature of body under secret; it is
// [dexchange.Sign].
func Sign(secret string, body []byte) string { return dexchange.Sign(secret, body) }

// Option configures a Server.
type Option func(*options)

type options struct {
	apiKey, webhookSecret, merchant string
	retries                         int
	retryDelay, webhookTimeout      time.Duration
	rateLimit                       int
	ratePer                         time.Duration
	nested                          bool
	now                             func() time.Time
	payLater                        time.Duration
}

// WithAPIKey sets the API key the server expects. The default is a random
// "sk.test." key.
func WithAPIKey(key string) Option { return func(o *options) { o.apiKey = key } }

// WithWebhookSecret makes the server sign its notifications with
// X-Webhook-Signature, the hex HMAC-SHA256 of the body under secret, as
// community accounts of DEXCHANGE's newer DexPay API describe. The default,
// as the get-link documentation describes, is unsigned notifications.
func WithWebhookSecret(secret string) Option { return func(o *options) { o.webhookSecret = secret } }

// WithMerchant sets the shop's name shown on the payment page. The default
// is "Test Shop".
func WithMerchant(name string) Option { return func(o *options) { o.merchant = name } }

// WithWebhookRetries sets how many times a notification the receiver did
// not answer with a 2xx is sent again, and the wait in between. The
// default is 3 times, 20ms apart; n < 0 means no retry.
func WithWebhookRetries(n int, delay time.Duration) Option {
	return func(o *options) { o.retries, o.retryDelay = n, delay }
}

// WithWebhookTimeout sets how long the receiver has to answer a
// notification. The default is 3 seconds.
func WithWebhookTimeout(d time.Duration) Option { return func(o *options) { o.webhookTimeout = d } }

// WithRateLimit sets how many API requests the server accepts per period
// before answering 429 with Retry-After. The default is DefaultRateLimit
// per minute, DEXCHANGE's standard tier; n <= 0 or per <= 0 means no limit
// (for benchmarks and load tests).
func WithRateLimit(n int, per time.Duration) Option {
	return func(o *options) { o.rateLimit, o.ratePer = n, per }
}

// WithClock sets the clock the server reads for its rate limit, the times
// of the requests it records and of its transactions, so that a test can
// run its rate limit on simulated time. Nil, the default, is time.Now.
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithPayLaterDelay makes the phone of a customer who chose "pay later on
// my phone" confirm by itself d after the choice, on real time (not the
// server's clock): for demos. The default, zero, waits for
// [Server.ConfirmLater], as tests should.
func WithPayLaterDelay(d time.Duration) Option { return func(o *options) { o.payLater = d } }

// WithNestedLinkResponse makes get-link answer the OpenAPI block's shape,
// {"message": ..., "transaction": {...}}, instead of the seed
// documentation's flat object.
func WithNestedLinkResponse() Option { return func(o *options) { o.nested = true } }

// Request is one API request the server received.
type Request struct {
	Method, Path string
	Header       http.Header
	Body         []byte
	At           time.Time
}

// Server is the emulated DEXCHANGE. Its methods are safe for concurrent
// use.
type Server struct {
	// URL is the server's root, "http://127.0.0.1:port". The API is under
	// URL + "/api/v1", the payment pages under URL + "/process/".
	URL string
	// APIKey is the key the server expects as a bearer token.
	APIKey string
	// WebhookSecret signs the notifications; empty (the default) sends
	// them unsigned.
	WebhookSecret string

	merchant string
	nested   bool
	srv      *httptest.Server
	faults   *emulator.Faults
	hooks    *emulator.Dispatcher
	limit    *limiter
	later    *emulator.Later
	client   *http.Client // for Act: does not follow redirects
	now      func() time.Time

	mu         sync.Mutex
	payments   map[string]*Payment // by transactionId
	byExternal map[string]string   // externalTransactionId → transactionId
	webhookURL string
	delta      int64
	requests   []Request
}

var _ providertest.Emulator = (*Server)(nil)

// New starts a Server on 127.0.0.1. Close it when done.
func New(opts ...Option) *Server {
	o := options{merchant: "Test Shop", rateLimit: DefaultRateLimit, ratePer: time.Minute, now: time.Now}
	for _, opt := range opts {
		opt(&o)
	}
	if o.apiKey == "" {
		o.apiKey = "sk.test." + emulator.RandomHex(16)
	}
	if o.now == nil {
		o.now = time.Now
	}
	s := &Server{
		APIKey:        o.apiKey,
		WebhookSecret: o.webhookSecret,
		merchant:      o.merchant,
		nested:        o.nested,
		faults:        emulator.NewFaults(errorBody),
		hooks: emulator.NewDispatcher(emulator.DispatcherConfig{
			Retries: o.retries, RetryDelay: o.retryDelay, Timeout: o.webhookTimeout,
		}),
		client:     emulator.NoRedirectClient(30 * time.Second),
		now:        o.now,
		payments:   make(map[string]*Payment),
		byExternal: make(map[string]string),
	}
	s.later = emulator.NewLater(o.payLater, s.confirmLater)
	if o.rateLimit > 0 && o.ratePer > 0 {
		s.limit = &limiter{n: o.rateLimit, per: o.ratePer}
	}
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
		mux.Handle(pattern, s.edge(s.faults.Wrap(op, s.authenticated(h))))
	}
	api("POST /api/v1/transaction/merchant/get-link", providertest.OpCreate, s.getLink)
	api("GET /api/v1/transaction/merchant/{id}", providertest.OpStatus, s.merchantTransaction)
	api("GET /api/v1/transaction/{id}", providertest.OpStatus, s.transaction)
	mux.Handle("/api/v1/", s.edge(s.faults.Wrap(providertest.OpAny, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, map[string]any{
			"message": []string{"Cannot " + r.Method + " " + r.URL.Path}, "success": false,
		})
	}))))
	mux.HandleFunc("GET /process/{id}", s.page)
	mux.HandleFunc("POST /process/{id}/{action}", s.act)
	return mux
}

// BaseURL is the API's root, for dexchange.Config.BaseURL.
func (s *Server) BaseURL() string { return s.URL + "/api/v1" }

// Config returns a dexchange.Config for this server: its key, its base URL
// and, when it signs, its webhook secret.
func (s *Server) Config() dexchange.Config {
	cfg := dexchange.Config{APIKey: s.APIKey, BaseURL: s.BaseURL()}
	if s.WebhookSecret != "" {
		cfg.WebhookSecrets = []string{s.WebhookSecret}
	}
	return cfg
}

// Provider returns a dexchange.Provider configured against this server.
func (s *Server) Provider() cauri.Provider {
	p, err := dexchange.New(s.Config())
	if err != nil {
		panic("dexchangetest: " + err.Error()) // the server's own config is always valid
	}
	return p
}

// SetWebhookURL sets where notifications go for a transaction created
// without a callBackURL, as a webhook URL configured in DEXCHANGE's
// dashboard would. get-link requires a callBackURL, which always takes
// precedence. Empty (the default) sends none.
func (s *Server) SetWebhookURL(url string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.webhookURL = url
}

// SetWebhookPolicy changes how later notifications are delivered.
func (s *Server) SetWebhookPolicy(p providertest.WebhookPolicy) { s.hooks.SetPolicy(p) }

// FlushWebhooks delivers the held notifications, in order, and waits for
// the answers.
func (s *Server) FlushWebhooks(ctx context.Context) error { return s.hooks.Flush(ctx) }

// Deliveries returns every notification delivery attempt so far, forged
// and lost ones included.
func (s *Server) Deliveries() []Delivery { return s.hooks.Deliveries() }

// Requests returns the API requests received so far (the latest 1000), in
// order, with their headers and bodies: for tests of what a client sent.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.requests))
	for i, r := range s.requests {
		out[i] = Request{Method: r.Method, Path: r.Path, Header: r.Header.Clone(), Body: bytes.Clone(r.Body), At: r.At}
	}
	return out
}

// InjectFault makes the next f.Times calls to op fail as f says:
// providertest.OpCreate is get-link, OpStatus the two transaction lookups,
// OpAny any API call. The payment page is not an API call and never fails.
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

// ReportAmountDelta makes later lookups and notifications report every
// transaction's amount plus delta, in XOF.
func (s *Server) ReportAmountDelta(delta int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delta = delta
}

// Payment returns a copy of the transaction with DEXCHANGE transactionId
// id.
func (s *Server) Payment(id string) (Payment, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.payments[id]
	if !ok {
		return Payment{}, false
	}
	return *p, true
}

// PaymentByExternalID returns a copy of the transaction created with
// externalTransactionId id (the kit's payment ID).
func (s *Server) PaymentByExternalID(id string) (Payment, bool) {
	s.mu.Lock()
	tx, ok := s.byExternal[id]
	s.mu.Unlock()
	if !ok {
		return Payment{}, false
	}
	return s.Payment(tx)
}

// SetStatus sets a transaction's status to any word, documented or not,
// without a notification: for tests of what a client does with PROCESSING
// or an unknown status.
func (s *Server) SetStatus(id, status string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.payments[id]
	if !ok {
		return fmt.Errorf("dexchangetest: no transaction %q", id)
	}
	p.Status = status
	return nil
}

// Expire lets a pending link expire, as DEXCHANGE does to an unpaid link,
// and notifies its callBackURL.
func (s *Server) Expire(ctx context.Context, id string) error {
	s.mu.Lock()
	p, ok := s.payments[id]
	switch {
	case !ok:
		s.mu.Unlock()
		return fmt.Errorf("dexchangetest: no transaction %q", id)
	case final(p.Status):
		s.mu.Unlock()
		return fmt.Errorf("dexchangetest: transaction %q is already %s", id, p.Status)
	}
	p.Status, p.CompletedAt = statusExpired, s.now().UTC()
	n, hook := s.notification(p, s.delta)
	s.mu.Unlock()
	if !hook {
		return nil
	}
	return s.hooks.Deliver(ctx, n)
}

// Act plays the customer pressing pay, fail, cancel or pay later on the
// payment page at checkoutURL, over HTTP, and returns the successUrl or
// failureUrl DEXCHANGE sends the customer to. Notifications not held by
// the policy have been delivered and answered when it returns.
func (s *Server) Act(ctx context.Context, checkoutURL string, a providertest.Action) (string, error) {
	return emulator.Act(ctx, s.client, checkoutURL, a)
}

// ConfirmLater plays the phone of the customer who chose "pay later on my
// phone" for the transaction id confirming it: the transaction is SUCCESS
// and its callBackURL notified. Notifications not held by the policy have
// been delivered and answered when it returns. It fails, wrapping
// emulator.ErrNotWaiting, when the transaction is not waiting for its
// customer's phone.
func (s *Server) ConfirmLater(ctx context.Context, id string) error { return s.later.Confirm(ctx, id) }

// confirmLater is the phone's confirmation of transaction id.
func (s *Server) confirmLater(ctx context.Context, id string) error {
	s.mu.Lock()
	p, ok := s.payments[id]
	switch {
	case !ok:
		s.mu.Unlock()
		return fmt.Errorf("dexchangetest: no transaction %q", id)
	case !p.Later || p.Status != statusProcessing:
		st := p.Status
		s.mu.Unlock()
		return fmt.Errorf("dexchangetest: transaction %q is %s: %w", id, st, emulator.ErrNotWaiting)
	}
	p.Later = false
	p.Status, p.CompletedAt = statusSuccess, s.now().UTC()
	p.Fee = p.ItemPrice / 100 // 1%, borne by the merchant
	n, hook := s.notification(p, s.delta)
	s.mu.Unlock()
	if !hook {
		return nil
	}
	return s.hooks.Deliver(ctx, n)
}

// Forge posts to url a notification claiming the transaction providerRef
// succeeded. The server's records do not change, and a lookup still gives
// the true status. With a webhook secret, it is signed with a wrong one;
// without, it is the plain claim an unsigned notification is, which the
// kit must confirm. It fails only when the post does; the receiver's
// answer is in Deliveries.
func (s *Server) Forge(ctx context.Context, url, providerRef string) error {
	s.mu.Lock()
	var body []byte
	if p, ok := s.payments[providerRef]; ok {
		forged := *p
		forged.Status = statusSuccess
		forged.CompletedAt = s.now().UTC()
		body = webhookBody(&forged, 0)
	} else {
		body = webhookBody(&Payment{TransactionID: providerRef, Status: statusSuccess, ItemPrice: 100, CustomData: "{}"}, 0)
	}
	s.mu.Unlock()
	h := webhookHeader()
	if s.WebhookSecret != "" {
		h.Set(dexchange.SignatureHeader, dexchange.Sign("forged-"+emulator.RandomHex(8), body))
	}
	_, err := s.hooks.SendOnce(ctx, emulator.Notification{URL: url, Header: h, Body: body})
	return err
}

// Close stops the server, its slow answers, its customers' phones and its
// deliveries.
func (s *Server) Close() {
	s.faults.Close()
	s.later.Close()
	s.hooks.Close()
	s.srv.Close()
}

// edge records an API request and applies the rate limit, as DEXCHANGE's
// front does before anything else.
func (s *Server) edge(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		if err != nil {
			writeError(w, http.StatusRequestEntityTooLarge, "Payload Too Large")
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		s.mu.Lock()
		if len(s.requests) >= maxRequests {
			s.requests = append(s.requests[:0], s.requests[1:]...)
		}
		s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: body, At: s.now()})
		s.mu.Unlock()

		if s.limit != nil {
			if ok, wait := s.limit.allow(s.now()); !ok {
				secs := int64((wait + time.Second - 1) / time.Second)
				w.Header().Set("Retry-After", fmt.Sprint(max(secs, 1)))
				writeError(w, http.StatusTooManyRequests, "ThrottlerException: Too Many Requests")
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}

// authenticated checks the bearer API key.
func (s *Server) authenticated(h http.HandlerFunc) http.HandlerFunc {
	want := []byte("Bearer " + s.APIKey)
	return func(w http.ResponseWriter, r *http.Request) {
		got := []byte(r.Header.Get("Authorization"))
		if subtle.ConstantTimeCompare(got, want) != 1 {
			writeError(w, http.StatusUnauthorized, "Invalid API key")
			return
		}
		h(w, r)
	}
}

// limiter is a sliding-window rate limit.
type limiter struct {
	n   int
	per time.Duration

	mu   sync.Mutex
	hits []time.Time
}

// allow records a request at now if the limit allows it, or says how long
// until it would.
func (l *limiter) allow(now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	cut := 0
	for cut < len(l.hits) && now.Sub(l.hits[cut]) >= l.per {
		cut++
	}
	l.hits = l.hits[cut:]
	if len(l.hits) >= l.n {
		return false, l.per - now.Sub(l.hits[0])
	}
	l.hits = append(l.hits, now)
	return true, 0
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, `{"message":["Internal server error"],"success":false}`, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// writeError answers DEXCHANGE's documented error body:
// {"message": ["..."], "success": false}.
func writeError(w http.ResponseWriter, status int, messages ...string) {
	writeJSON(w, status, errorEnvelope{Message: messages, Success: false})
}

type errorEnvelope struct {
	Message []string `json:"message"`
	Success bool     `json:"success"`
}

// errorBody is DEXCHANGE's body for an injected error status.
func errorBody(status int) (string, []byte) {
	msg := http.StatusText(status)
	switch status {
	case http.StatusForbidden:
		msg = "API under maintenance"
	case http.StatusTooManyRequests:
		msg = "ThrottlerException: Too Many Requests"
	case http.StatusInternalServerError:
		msg = "Internal server error"
	}
	if msg == "" {
		msg = "Error"
	}
	b, _ := json.Marshal(errorEnvelope{Message: []string{msg}})
	return "application/json; charset=utf-8", b
}

// getLink is POST /api/v1/transaction/merchant/get-link.
func (s *Server) getLink(w http.ResponseWriter, r *http.Request) {
	var in map[string]any
	dec := json.NewDecoder(r.Body)
	dec.UseNumber()
	if err := dec.Decode(&in); err != nil || in == nil {
		writeError(w, http.StatusBadRequest, "Unexpected token in JSON body")
		return
	}
	p, errs := validateLink(in)
	if len(errs) > 0 {
		writeError(w, http.StatusBadRequest, errs...)
		return
	}
	s.mu.Lock()
	if _, dup := s.byExternal[p.ExternalTransactionID]; dup {
		s.mu.Unlock()
		writeError(w, http.StatusConflict, "External transaction ID already exists")
		return
	}
	for {
		p.TransactionID = newTransactionID()
		if _, taken := s.payments[p.TransactionID]; !taken {
			break
		}
	}
	p.Status = statusPending
	p.CreatedAt = s.now().UTC()
	s.payments[p.TransactionID] = p
	s.byExternal[p.ExternalTransactionID] = p.TransactionID
	l := s.linkObject(p)
	s.mu.Unlock()

	if s.nested {
		writeJSON(w, http.StatusCreated, map[string]any{"message": "Transaction initiated successfully", "transaction": l})
		return
	}
	writeJSON(w, http.StatusCreated, l)
}

// transaction is GET /api/v1/transaction/{id}.
func (s *Server) transaction(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	p, ok := s.payments[r.PathValue("id")]
	var t any
	if ok {
		t = statusObject(p, s.delta)
	}
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, "No transaction found")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"message": "Transaction fetched successfully", "transaction": t})
}

// merchantTransaction is GET /api/v1/transaction/merchant/{id}, by
// transactionId or externalTransactionId.
func (s *Server) merchantTransaction(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s.mu.Lock()
	p, ok := s.payments[id]
	if !ok {
		p, ok = s.payments[s.byExternal[id]]
	}
	var t map[string]any
	if ok {
		t = s.merchantObject(p, s.delta)
	}
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, "No transaction found")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"message": "Transaction fetched successfully", "transaction": t})
}

// page is GET /process/{id}, the hosted payment page.
func (s *Server) page(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	p, ok := s.payments[r.PathValue("id")]
	var snap Payment
	if ok {
		snap = *p
	}
	s.mu.Unlock()
	switch {
	case !ok:
		emulator.WriteMessagePage(w, http.StatusNotFound, "Lien invalide", "This payment link is not valid.")
		return
	case final(snap.Status):
		emulator.WriteMessagePage(w, http.StatusOK, "Transaction "+snap.Status, "This payment link is closed.")
		return
	case snap.Later:
		emulator.WriteMessagePage(w, http.StatusOK, "Confirmez sur votre téléphone",
			"Une demande de paiement a été envoyée sur votre téléphone : validez-la.")
		return
	}
	emulator.WriteCheckoutPage(w, emulator.CheckoutPage{
		Brand:       brand,
		Merchant:    s.merchant,
		Amount:      fmt.Sprintf("%d FCFA", snap.ItemPrice),
		Description: snap.ItemName,
		ActionURL:   "/process/" + snap.TransactionID,
		Operators:   operators,
		Customer:    emulator.PageCustomer{Name: snap.ClientName, Email: snap.Email, Phone: snap.ClientPhone},
	})
}

// act is POST /process/{id}/{action}: a button of the payment page.
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
		emulator.WriteMessagePage(w, http.StatusNotFound, "Lien invalide", "This payment link is not valid.")
		return
	}
	if final(p.Status) || p.Later {
		st := p.Status
		s.mu.Unlock()
		emulator.WriteMessagePage(w, http.StatusConflict, "Transaction "+st, "This payment link is closed and cannot change.")
		return
	}
	settle(p, a, choice, s.now())
	n, hook := s.notification(p, s.delta)
	back := p.FailureURL
	if a == providertest.Pay || a == providertest.PayLater {
		back = p.SuccessURL
	}
	s.mu.Unlock()
	if a == providertest.PayLater {
		s.later.Wait(p.TransactionID)
	}

	if hook {
		// The customer leaving does not stop DEXCHANGE notifying the shop.
		err := s.hooks.Deliver(context.WithoutCancel(r.Context()), n)
		if errors.Is(err, emulator.ErrClosed) {
			emulator.WriteMessagePage(w, http.StatusServiceUnavailable, "Unavailable", "The emulator is shutting down.")
			return
		}
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// notification is the webhook about p, to its callBackURL or else the
// dashboard's URL; false when there is nowhere to send it. The caller
// holds the lock.
func (s *Server) notification(p *Payment, delta int64) (emulator.Notification, bool) {
	to := p.CallBackURL
	if to == "" {
		to = s.webhookURL
	}
	if to == "" {
		return emulator.Notification{}, false
	}
	body := webhookBody(p, delta)
	h := webhookHeader()
	if s.WebhookSecret != "" {
		h.Set(dexchange.SignatureHeader, dexchange.Sign(s.WebhookSecret, body))
	}
	return emulator.Notification{URL: to, Header: h, Body: body}, true
}

func webhookHeader() http.Header {
	return http.Header{
		"Content-Type": {"application/json"},
		"User-Agent":   {"DEXCHANGE-Webhook/1.0 (emulator)"},
	}
}

// Payment is the emulator's record of one merchant transaction.
type Payment struct {
	// TransactionID is DEXCHANGE's ID ("MID" and nine digits).
	TransactionID string
	// ExternalTransactionID, ItemName, ItemPrice (in FCFA), CustomData,
	// CallBackURL, SuccessURL, FailureURL, ClientName, ClientPhone and
	// Email are as sent to get-link.
	ExternalTransactionID string
	ItemName              string
	ItemPrice             int64
	CustomData            string
	CallBackURL           string
	SuccessURL            string
	FailureURL            string
	ClientName            string
	ClientPhone           string
	Email                 string
	// Status is DEXCHANGE's word: PENDING, then SUCCESS, FAILED,
	// CANCELLED or EXPIRED, or PROCESSING while a pay-later customer's
	// phone has not confirmed (or whatever SetStatus set).
	Status string
	// Later is true while the customer who chose "pay later on my phone"
	// has not confirmed on their phone.
	Later bool
	// Fee is DEXCHANGE's fee in FCFA, once paid.
	Fee int64
	// ServiceName, ServiceCode, OperatorAPI and PhoneNumber describe how
	// the customer paid or tried to.
	ServiceName, ServiceCode, OperatorAPI, PhoneNumber string
	// CreatedAt is when the link was created; CompletedAt when it reached
	// a final status.
	CreatedAt, CompletedAt time.Time
}

// settle applies the customer's action, with what they chose on the page,
// to a transaction at now.
func settle(p *Payment, a providertest.Action, c emulator.Choice, now time.Time) {
	switch a {
	case providertest.Pay:
		p.Status = statusSuccess
		p.Fee = p.ItemPrice / 100 // 1%, borne by the merchant
	case providertest.Fail:
		p.Status = statusFailed
	case providertest.Cancel:
		p.Status = statusCancelled
	case providertest.PayLater:
		p.Status, p.Later = statusProcessing, true
	}
	if a != providertest.PayLater {
		p.CompletedAt = now.UTC()
	}
	if a != providertest.Cancel {
		op := c.From(operators)
		p.ServiceName, p.ServiceCode = serviceNames[op.Code], op.Code
		p.OperatorAPI = strings.TrimSuffix(op.Code, "_SN_CASHOUT") + emulator.RandomHex(5)
		p.PhoneNumber = cmp.Or(c.Phone, phoneOf(p))
	}
}
