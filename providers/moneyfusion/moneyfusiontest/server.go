// Package moneyfusiontest emulates MoneyFusion's API on loopback: a real
// HTTP server that takes payment requests at a merchant API URL, answers
// the paiementNotif status endpoint, serves a hosted payment page whose
// buttons pay, fail, cancel or pay later on the phone, and posts webhooks to each payment's
// webhook_url. It implements [providertest.Emulator], and it is meant for
// tests and offline demos:
//
//	srv := moneyfusiontest.New()
//	defer srv.Close()
//	p, _ := moneyfusion.New(srv.Config()) // or srv.Provider()
//	kit, _ := cauri.New(cauri.Config{Providers: []cauri.Provider{p}, ...})
//
// It follows MoneyFusion's documentation: the merchant's API URL,
// "/{App}/{Key}/pay/", is the only credential; the payment request takes
// totalPrice, article, numeroSend and nomclient (required), personal_Info,
// return_url and webhook_url (totalPrice a number or, as the Python client
// sends it, a numeric string; each article an object of names priced by
// their values, as documented and as the fusionpay SDK sends it, or the
// Python client's {"name", "price", "quantity"}), and answers {"statut": true, "token", "message":
// "paiement en cours", "url"}; GET /paiementNotif/{token} answers {"statut":
// true, "data": {...}, "message": "details paiement"}; webhooks carry the
// event (payin.session.pending, then payin.session.completed or
// payin.session.cancelled), tokenPay, personal_Info, Montant and frais, and
// no signature; the customer is sent back to return_url with ?token=.
//
// Where the documentation is silent the emulator chooses, and says so: an
// unknown merchant URL, an unknown token and a refused request are
// answered {"statut": false, "message": ...} with 404, 404 and 400; a
// payment starts "pending", and becomes "paid" or "failure" when the
// customer pays or fails. The customer cancelling sends
// payin.session.cancelled, and the status endpoint then answers "no paid"
// ("paiement non effectué"), as MoneyFusion's does: the word it also
// gives a page nobody has paid yet. A page is payable for its session's
// life ([WithSessionLife], moneyfusion.DefaultSessionLife by default) on
// the server's clock ([WithClock]); after that its buttons answer 410 and
// the status endpoint "no paid", and no notification is sent. Montant is
// the total net of frais (3% by default), as the webhook example shows,
// unless [WithGrossMontant]. The status answer shows no webhook_url, as
// documented, unless [WithWebhookURLInStatus].
//
// The payment page is in French, in MoneyFusion's name and colours, with
// the amount, the articles, the means of payment to choose from (Orange
// Money, MTN MoMo, Moov Money, Wave: see operators) and the customer's
// name and number as the payment request gave them (nomclient,
// numeroSend). The means chosen is the moyen reported. Every button sends
// the customer back to return_url with ?token=, as the documentation's
// "url à rediriger après le paiement" says, whatever the outcome. "Pay
// later on my phone" sends payin.session.pending, the documentation's
// event for a payment "initiated and waiting to be processed", and sends
// the customer back while the payment stays pending; [Server.ConfirmLater]
// (or [WithPayLaterDelay]) then makes it paid and sends
// payin.session.completed.
package moneyfusiontest

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/internal/emulator"
	"github.com/cauripay/cauri/providers/moneyfusion"
	"github.com/cauripay/cauri/providers/providertest"
)

// Delivery is one webhook delivery attempt, as [Server.Deliveries] records
// it: the URL, Header and Body sent; its Copy and Attempt numbers; the
// receiver's StatusCode, or the Err that left it without one; Lost for a
// notification the policy dropped, Forged for one [Server.Forge] sent; At,
// when it started. It is [providertest.Delivery], the type every emulator
// records deliveries with, where each field is documented.
type Delivery = providertest.Delivery

// MoneyFusion's payment statuses. The emulator's page sets pending, paid,
// failure and no paid; cancelled, a word integrations report but the
// documentation does not, is for [Server.SetStatus].
const (
	StatusPending   = "pending"
	StatusPaid      = "paid"
	StatusFailure   = "failure"
	StatusNoPaid    = "no paid"
	StatusCancelled = "cancelled"
)

// Option configures a Server.
type Option func(*options)

type options struct {
	app, key, merchant         string
	feePercent                 int64
	gross, showHook            bool
	retries                    int
	retryDelay, webhookTimeout time.Duration
	life                       time.Duration
	now                        func() time.Time
	payLater                   time.Duration
}

// WithApp sets the application name and key in the merchant's API URL,
// URL + "/" + app + "/" + key + "/pay/". The defaults are "cauri-test" and
// a random hex key.
func WithApp(app, key string) Option { return func(o *options) { o.app, o.key = app, key } }

// WithMerchant sets the shop's name shown on the payment page and in its
// URL. The default is "Test Shop".
func WithMerchant(name string) Option { return func(o *options) { o.merchant = name } }

// WithFeePercent sets MoneyFusion's fee, frais, as a percentage of
// totalPrice, rounded down. The default is 3, as in the webhook example
// (6 on 200).
func WithFeePercent(n int64) Option { return func(o *options) { o.feePercent = n } }

// WithGrossMontant makes Montant the whole totalPrice, with frais beside
// it, as in the documentation's status example (Montant 200, frais 5). By
// default Montant is net of frais, as in the webhook and Python examples
// (Montant 194, frais 6 for 200).
func WithGrossMontant() Option { return func(o *options) { o.gross = true } }

// WithSessionLife sets how long a payment page stays payable after the
// payment request, on the server's clock. The default is
// moneyfusion.DefaultSessionLife: MoneyFusion documents none.
func WithSessionLife(d time.Duration) Option { return func(o *options) { o.life = d } }

// WithClock sets the server's clock, which dates payments (createdAt)
// and ends their pages (WithSessionLife): a test's fake clock, also given
// to the kit (cauri.Config.Now). [Server.Config] passes it on to the
// provider. The default is time.Now.
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithWebhookURLInStatus makes status answers show each payment's
// webhook_url, as webhooks do (the status example of the documentation
// does not): the shop's callback URL is then known to anyone holding a
// payment's token.
func WithWebhookURLInStatus() Option { return func(o *options) { o.showHook = true } }

// WithWebhookRetries sets how many times a webhook the receiver did not
// answer with a 2xx is sent again, and the wait in between. The default
// is 3 times, 20ms apart; n < 0 means no retry. MoneyFusion documents no
// retry policy.
func WithWebhookRetries(n int, delay time.Duration) Option {
	return func(o *options) { o.retries, o.retryDelay = n, delay }
}

// WithWebhookTimeout sets how long the receiver has to answer a webhook.
// The default is 3 seconds.
func WithWebhookTimeout(d time.Duration) Option { return func(o *options) { o.webhookTimeout = d } }

// WithPayLaterDelay makes the phone of a customer who chose "pay later on
// my phone" confirm by itself d after the choice, on real time (not the
// server's clock): for demos. The default, zero, waits for
// [Server.ConfirmLater], as tests should.
func WithPayLaterDelay(d time.Duration) Option { return func(o *options) { o.payLater = d } }

// Server is the emulated MoneyFusion. Its methods are safe for concurrent
// use.
type Server struct {
	// URL is the server's root, "http://127.0.0.1:port": the status
	// endpoint's root too, for moneyfusion.Config.StatusURL.
	URL string
	// APIURL is the merchant's API URL, the credential:
	// URL + "/" + App + "/" + Key + "/pay/".
	APIURL string
	// App and Key are the application name and key in APIURL.
	App, Key string

	merchant   string
	feePercent int64
	gross      bool
	showHook   bool
	life       time.Duration
	now        func() time.Time
	srv        *httptest.Server
	faults     *emulator.Faults
	hooks      *emulator.Dispatcher
	later      *emulator.Later
	client     *http.Client // for Act: does not follow redirects

	mu         sync.Mutex
	payments   map[string]*Payment // by token
	webhookURL string
	delta      int64
}

var _ providertest.Emulator = (*Server)(nil)

// New starts a Server on 127.0.0.1. Close it when done.
func New(opts ...Option) *Server {
	o := options{app: "cauri-test", merchant: "Test Shop", feePercent: 3, life: moneyfusion.DefaultSessionLife, now: time.Now}
	for _, opt := range opts {
		opt(&o)
	}
	if o.key == "" {
		o.key = emulator.RandomHex(8)
	}
	s := &Server{
		App:        o.app,
		Key:        o.key,
		merchant:   o.merchant,
		feePercent: o.feePercent,
		gross:      o.gross,
		showHook:   o.showHook,
		life:       o.life,
		now:        o.now,
		faults:     emulator.NewFaults(errorBody),
		hooks: emulator.NewDispatcher(emulator.DispatcherConfig{
			Retries: o.retries, RetryDelay: o.retryDelay, Timeout: o.webhookTimeout,
		}),
		client:   emulator.NoRedirectClient(30 * time.Second),
		payments: make(map[string]*Payment),
	}
	s.later = emulator.NewLater(o.payLater, s.confirmLater)
	// URL and APIURL are set before the server serves: handlers read
	// them, and a request from another process brings no happens-before
	// edge.
	s.srv = httptest.NewUnstartedServer(s.routes())
	s.URL = "http://" + s.srv.Listener.Addr().String()
	s.APIURL = s.URL + "/" + url.PathEscape(s.App) + "/" + url.PathEscape(s.Key) + "/pay/"
	s.srv.Start()
	return s
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST /{app}/{key}/pay/{$}", s.faults.Wrap(providertest.OpCreate, http.HandlerFunc(s.pay)))
	mux.Handle("POST /{app}/{key}/pay", s.faults.Wrap(providertest.OpCreate, http.HandlerFunc(s.pay)))
	mux.Handle("GET /paiementNotif/{token}", s.faults.Wrap(providertest.OpStatus, http.HandlerFunc(s.notif)))
	mux.HandleFunc("GET /payment/{token}/{merchant}", s.page)
	mux.HandleFunc("POST /payment/{token}/{merchant}/{action}", s.act)
	mux.Handle("/", s.faults.Wrap(providertest.OpAny, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, refusal("Route introuvable"))
	})))
	return mux
}

// Config returns a moneyfusion.Config for this server: its API URL, its
// status endpoint, its session life and its clock.
func (s *Server) Config() moneyfusion.Config {
	return moneyfusion.Config{APIURL: s.APIURL, StatusURL: s.URL, SessionLife: s.life, Now: s.now}
}

// Provider returns a moneyfusion.Provider configured against this server.
func (s *Server) Provider() cauri.Provider {
	p, err := moneyfusion.New(s.Config())
	if err != nil {
		panic("moneyfusiontest: " + err.Error()) // the server's own config is always valid
	}
	return p
}

// SetWebhookURL sets where webhooks go for payments whose request had no
// webhook_url. Empty (the default) sends none for them. A payment's own
// webhook_url always wins.
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
// providertest.OpCreate is the payment request, OpStatus is paiementNotif,
// OpAny is either (and any unknown route). The payment page is not an API
// call and never fails. MoneyFusion's payouts are not emulated, so
// OpPayout faults are never played.
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

// ReportAmountDelta makes later status answers and webhooks report every
// payment as charged its totalPrice plus delta francs: Montant and frais
// then add up (or Montant alone comes, with WithGrossMontant) to the
// tampered amount.
func (s *Server) ReportAmountDelta(delta int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delta = delta
}

// Payment returns a copy of the payment with this token.
func (s *Server) Payment(token string) (Payment, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.payments[token]
	if !ok {
		return Payment{}, false
	}
	return p.clone(), true
}

// SetStatus sets a payment's statut to any word, documented or not,
// without a webhook: for tests of what a client does with "no paid",
// "failed" or an unknown status.
func (s *Server) SetStatus(token, status string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.payments[token]
	if !ok {
		return fmt.Errorf("moneyfusiontest: no payment %q", token)
	}
	p.Status = status
	return nil
}

// Act plays the customer pressing pay, fail, cancel or pay later on the
// payment page at checkoutURL, over HTTP, and returns the return URL
// MoneyFusion sends the customer to (return_url with ?token=), or "" when
// the payment had no return_url. Webhooks not held by the policy have been
// delivered and answered when it returns.
func (s *Server) Act(ctx context.Context, checkoutURL string, a providertest.Action) (string, error) {
	status, loc, err := emulator.Press(ctx, s.client, checkoutURL, a)
	if err != nil {
		return "", err
	}
	switch status {
	case http.StatusSeeOther, http.StatusFound:
		return loc, nil
	case http.StatusOK:
		return "", nil
	}
	return "", fmt.Errorf("%w: %s answered HTTP %d", emulator.ErrRefused, a, status)
}

// ConfirmLater plays the phone of the customer who chose "pay later on my
// phone" for the payment with this token confirming it: the payment is
// paid and payin.session.completed sent. Webhooks not held by the policy
// have been delivered and answered when it returns. It fails, wrapping
// emulator.ErrNotWaiting, when the payment is not waiting for its
// customer's phone.
func (s *Server) ConfirmLater(ctx context.Context, token string) error {
	return s.later.Confirm(ctx, token)
}

// confirmLater is the phone's confirmation of the payment token.
func (s *Server) confirmLater(ctx context.Context, token string) error {
	s.mu.Lock()
	p, ok := s.payments[token]
	switch {
	case !ok:
		s.mu.Unlock()
		return fmt.Errorf("moneyfusiontest: no payment %q", token)
	case !p.Later || p.Status != StatusPending:
		st := p.Status
		s.mu.Unlock()
		return fmt.Errorf("moneyfusiontest: payment %q is %s: %w", token, st, emulator.ErrNotWaiting)
	}
	p.Later = false
	p.Status, p.NumeroTransaction = StatusPaid, randomDigits(10)
	body := s.webhookBody(p, moneyfusion.EventCompleted)
	hookURL := cmp.Or(p.WebhookURL, s.webhookURL)
	s.mu.Unlock()
	if hookURL == "" {
		return nil
	}
	return s.hooks.Deliver(ctx, emulator.Notification{URL: hookURL, Header: webhookHeader(), Body: body})
}

// Forge posts to url a payin.session.completed webhook about the payment
// with token providerRef, as anyone who knows a token can: MoneyFusion
// signs nothing. The server's records do not change, so its status
// endpoint denies the claim. It fails only when the post does; the
// receiver's answer is in Deliveries.
func (s *Server) Forge(ctx context.Context, url, providerRef string) error {
	s.mu.Lock()
	var body []byte
	if p, ok := s.payments[providerRef]; ok {
		body = s.webhookBody(p, moneyfusion.EventCompleted)
	} else {
		body = s.webhookBody(&Payment{Token: providerRef, TotalPrice: 100, CreatedAt: s.now().UTC()}, moneyfusion.EventCompleted)
	}
	s.mu.Unlock()
	_, err := s.hooks.SendOnce(ctx, emulator.Notification{URL: url, Header: webhookHeader(), Body: body})
	return err
}

// Notification returns the body MoneyFusion would post about the payment
// with this token for event (moneyfusion.EventCompleted, say), as it
// stands, for tests that post their own notifications. MoneyFusion signs
// nothing, so the body is all there is. ok is false for an unknown token.
func (s *Server) Notification(token, event string) (body []byte, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.payments[token]
	if !ok {
		return nil, false
	}
	return s.webhookBody(p, event), true
}

// Close stops the server, its slow answers, its customers' phones and its
// webhook deliveries.
func (s *Server) Close() {
	s.faults.Close()
	s.later.Close()
	s.hooks.Close()
	s.srv.Close()
}

// answer is MoneyFusion's answer format.
type answer struct {
	Statut  bool   `json:"statut"`
	Token   string `json:"token,omitempty"`
	Data    any    `json:"data,omitempty"`
	Message string `json:"message"`
	URL     string `json:"url,omitempty"`
}

func refusal(msg string) answer { return answer{Statut: false, Message: msg} }

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, `{"statut":false,"message":"Erreur serveur"}`, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// errorBody is the body of an injected error status.
func errorBody(status int) (string, []byte) {
	msg := "Erreur serveur"
	switch {
	case status == http.StatusTooManyRequests:
		msg = "Trop de requêtes, réessayez plus tard"
	case status == http.StatusServiceUnavailable:
		msg = "Service momentanément indisponible"
	case status < 500:
		msg = http.StatusText(status)
	}
	b, _ := json.Marshal(refusal(msg))
	return "application/json; charset=utf-8", b
}

// pay is POST {APIURL}: the payment request.
func (s *Server) pay(w http.ResponseWriter, r *http.Request) {
	app, key := r.PathValue("app"), r.PathValue("key")
	if subtle.ConstantTimeCompare([]byte(app+"/"+key), []byte(s.App+"/"+s.Key)) != 1 {
		writeJSON(w, http.StatusNotFound, refusal("Marchand introuvable"))
		return
	}
	raw, err := readBody(w, r)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, refusal("Requête invalide"))
		return
	}
	var in map[string]any
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	if err := dec.Decode(&in); err != nil || in == nil {
		writeJSON(w, http.StatusBadRequest, refusal("Le corps de la requête doit être un objet JSON"))
		return
	}
	p, bad := validatePay(in)
	if len(bad) > 0 {
		writeJSON(w, http.StatusBadRequest, refusal("Champs manquants ou invalides : "+strings.Join(bad, ", ")))
		return
	}
	p.ID = emulator.RandomHex(12)
	p.Token = randomToken(20)
	p.Status = StatusPending
	p.CreatedAt = s.now().UTC()
	p.RequestBody = raw
	p.RequestHeader = r.Header.Clone()
	s.mu.Lock()
	s.payments[p.Token] = p
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, answer{Statut: true, Token: p.Token, Message: "paiement en cours", URL: s.pageURL(p.Token)})
}

// pageURL is a payment's hosted page, in the documentation's newest shape:
// /payment/{token}/{merchant}.
func (s *Server) pageURL(token string) string {
	return s.URL + "/payment/" + url.PathEscape(token) + "/" + url.PathEscape(s.merchant)
}

// notif is GET /paiementNotif/{token}: the status endpoint. It takes no
// credential, as MoneyFusion's does not.
func (s *Server) notif(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	p, ok := s.payments[r.PathValue("token")]
	var data any
	if ok {
		data = s.statusData(p)
	}
	s.mu.Unlock()
	if !ok {
		writeJSON(w, http.StatusNotFound, refusal("Paiement introuvable"))
		return
	}
	writeJSON(w, http.StatusOK, answer{Statut: true, Data: data, Message: "details paiement"})
}

// page is GET /payment/{token}/{merchant}, the hosted payment page.
func (s *Server) page(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	s.mu.Lock()
	p, ok := s.payments[token]
	var snap Payment
	if ok {
		snap = p.clone()
	}
	s.mu.Unlock()
	switch {
	case !ok:
		emulator.WriteMessagePage(w, http.StatusNotFound, "Paiement introuvable", "Ce lien de paiement n'est pas valide.")
		return
	case s.closed(&snap):
		emulator.WriteMessagePage(w, http.StatusOK, "Paiement "+snap.Status, "Ce paiement est clos.")
		return
	case snap.Later:
		emulator.WriteMessagePage(w, http.StatusOK, "Confirmez sur votre téléphone",
			"Une demande de paiement a été envoyée sur votre téléphone : validez-la.")
		return
	case s.ended(&snap):
		emulator.WriteMessagePage(w, http.StatusGone, "Lien expiré", "Ce lien de paiement a expiré.")
		return
	}
	emulator.WriteCheckoutPage(w, emulator.CheckoutPage{
		Brand:       brand,
		Merchant:    s.merchant,
		Amount:      fmt.Sprintf("%d FCFA", snap.TotalPrice),
		Description: articleNames(snap.Article),
		ActionURL:   "/payment/" + url.PathEscape(token) + "/" + url.PathEscape(s.merchant),
		Operators:   operators,
		Customer:    emulator.PageCustomer{Name: snap.NomClient, Phone: snap.NumeroSend},
	})
}

// act is POST /payment/{token}/{merchant}/{action}: a button of the page.
func (s *Server) act(w http.ResponseWriter, r *http.Request) {
	a, ok := emulator.ParseAction(r.PathValue("action"))
	if !ok {
		emulator.WriteMessagePage(w, http.StatusNotFound, "Introuvable", "Action inconnue.")
		return
	}
	moyen := emulator.ReadChoice(r).From(operators).Code
	s.mu.Lock()
	p, ok := s.payments[r.PathValue("token")]
	if !ok {
		s.mu.Unlock()
		emulator.WriteMessagePage(w, http.StatusNotFound, "Paiement introuvable", "Ce lien de paiement n'est pas valide.")
		return
	}
	if s.closed(p) || p.Later {
		st := p.Status
		s.mu.Unlock()
		emulator.WriteMessagePage(w, http.StatusConflict, "Paiement "+st, "Ce paiement est clos et ne peut plus changer.")
		return
	}
	if s.ended(p) {
		s.mu.Unlock()
		emulator.WriteMessagePage(w, http.StatusGone, "Lien expiré", "Ce lien de paiement a expiré.")
		return
	}
	var events []string
	switch a {
	case providertest.Pay:
		p.Status, p.Moyen, p.NumeroTransaction = StatusPaid, moyen, randomDigits(10)
		events = []string{moneyfusion.EventPending, moneyfusion.EventCompleted}
	case providertest.Fail:
		p.Status, p.Moyen, p.NumeroTransaction = StatusFailure, moyen, randomDigits(10)
		events = []string{moneyfusion.EventPending, moneyfusion.EventCancelled}
	case providertest.PayLater:
		// Pending until the phone confirms: ConfirmLater.
		p.Moyen, p.Later = moyen, true
		events = []string{moneyfusion.EventPending}
	case providertest.Cancel:
		// MoneyFusion's status endpoint has no word of its own for it.
		p.Status, p.Cancelled = StatusNoPaid, true
		events = []string{moneyfusion.EventCancelled}
	}
	hookURL := p.WebhookURL
	if hookURL == "" {
		hookURL = s.webhookURL
	}
	bodies := make([][]byte, len(events))
	for i, e := range events {
		bodies[i] = s.webhookBody(p, e)
	}
	back := returnURL(p)
	status := p.Status
	s.mu.Unlock()
	if a == providertest.PayLater {
		s.later.Wait(p.Token)
	}

	if hookURL != "" {
		// The customer leaving does not stop MoneyFusion notifying the shop.
		ctx := context.WithoutCancel(r.Context())
		for _, body := range bodies {
			err := s.hooks.Deliver(ctx, emulator.Notification{URL: hookURL, Header: webhookHeader(), Body: body})
			if errors.Is(err, emulator.ErrClosed) {
				emulator.WriteMessagePage(w, http.StatusServiceUnavailable, "Indisponible", "L'émulateur s'arrête.")
				return
			}
		}
	}
	if back == "" {
		emulator.WriteMessagePage(w, http.StatusOK, "Paiement "+status, "Vous pouvez fermer cette page.")
		return
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

func webhookHeader() http.Header {
	return http.Header{
		"Content-Type": {"application/json"},
		"User-Agent":   {"MoneyFusion-Webhook/1.0 (emulator)"},
	}
}

// returnURL is the payment's return_url with ?token= appended (&token=
// when it has a query already), or "" when it has none.
func returnURL(p *Payment) string {
	if p.ReturnURL == "" {
		return ""
	}
	u, frag, _ := strings.Cut(p.ReturnURL, "#")
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
		if strings.HasSuffix(u, "?") || strings.HasSuffix(u, "&") {
			sep = ""
		}
	}
	u += sep + "token=" + url.QueryEscape(p.Token)
	if frag != "" {
		u += "#" + frag
	}
	return u
}

// closed reports whether p's page takes no more action: paid, failed,
// cancelled. The caller holds the server's lock, or p is a copy.
func (s *Server) closed(p *Payment) bool {
	return p.Cancelled || p.Status == StatusPaid || p.Status == StatusFailure || p.Status == StatusCancelled
}

// ended reports whether p's page is past its session's life on the
// server's clock. The caller holds the server's lock, or p is a copy.
func (s *Server) ended(p *Payment) bool {
	return s.now().Sub(p.CreatedAt) > s.life
}

// statut is what the status endpoint and webhooks say of p: its Status,
// or "no paid" for a page that ended unpaid. The caller holds the
// server's lock.
func (s *Server) statut(p *Payment) string {
	if !s.closed(p) && !p.Later && s.ended(p) && p.Status == StatusPending {
		return StatusNoPaid
	}
	return p.Status
}

// Payment is the emulator's record of one payment.
type Payment struct {
	// ID is MoneyFusion's _id, 24 hex characters.
	ID string
	// Token is tokenPay, the payment's token: its ProviderRef.
	Token string
	// Status is MoneyFusion's statut: pending, then paid, failure or, once
	// cancelled, no paid (or whatever SetStatus set). A page past its
	// session's life reads no paid too.
	Status string
	// Cancelled is true once the customer cancelled on the page.
	Cancelled bool
	// Later is true while the customer who chose "pay later on my phone"
	// has not confirmed on their phone: the payment is pending, past its
	// page's life too.
	Later bool
	// TotalPrice is in francs, as requested.
	TotalPrice int64
	// Article, PersonalInfo, NumeroSend, NomClient, ReturnURL and
	// WebhookURL are as requested (URLs trimmed).
	Article      []map[string]any
	PersonalInfo []map[string]any
	NumeroSend   string
	NomClient    string
	ReturnURL    string
	WebhookURL   string
	// Moyen and NumeroTransaction are set once the customer paid or failed
	// (Moyen, the means chosen on the page, once they chose to pay later).
	Moyen             string
	NumeroTransaction string
	// CreatedAt is when the payment was requested.
	CreatedAt time.Time
	// RequestBody and RequestHeader are the payment request as received.
	RequestBody   []byte
	RequestHeader http.Header
}

func (p *Payment) clone() Payment {
	c := *p
	c.Article = cloneObjects(p.Article)
	c.PersonalInfo = cloneObjects(p.PersonalInfo)
	c.RequestBody = slices.Clone(p.RequestBody)
	c.RequestHeader = p.RequestHeader.Clone()
	return c
}

func cloneObjects(in []map[string]any) []map[string]any {
	if in == nil {
		return nil
	}
	out := make([]map[string]any, len(in))
	for i, m := range in {
		out[i] = maps.Clone(m)
	}
	return out
}

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// randomToken returns n random letters and digits, the shape of
// MoneyFusion's newer tokens ("Le4Cnmm1Ac9yTgZMKQbz").
func randomToken(n int) string { return randomFrom(alnum, n) }

func randomDigits(n int) string { return "0" + randomFrom("0123456789", n-1) }

func randomFrom(alphabet string, n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
