package emulator

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cauripay/cauri/providers/providertest"
)

// maxRequests is how many API calls a Core remembers.
const maxRequests = 1000

// Spec is what a provider's emulator tells its [Core]: what the core cannot
// know of the provider. Only Name is required.
type Spec[P any] struct {
	// Name is the emulator package's, in the core's errors: "monerootest".
	Name string
	// Auth checks an API call's credentials and, when they fail, writes the
	// provider's refusal and returns false. Nil takes every call.
	Auth func(w http.ResponseWriter, r *http.Request) bool
	// Edge runs before an API call's faults, as a provider's front does
	// (a rate limit: [RateLimit]): it writes an answer and returns false
	// to stop the call. Nil lets every call through.
	Edge func(w http.ResponseWriter, r *http.Request) bool
	// Agent is the User-Agent of its notifications (see
	// [DispatcherConfig]).
	Agent string
	// ErrorBody is the provider's answer to an injected error status, and
	// to a request body over 1 MiB.
	ErrorBody ErrorBody
	// Settings are what the options every emulator takes set: the
	// notifications' delivery, the pay-later phone's delay, the clock
	// (nil means time.Now). [providertest.Configure] returns them.
	Settings providertest.EmulatorSettings
	// Clone copies a payment for a caller outside the lock. Nil is [Clone],
	// a deep copy.
	Clone func(p *P) P
	// Waiting reports whether payment p waits for its customer's phone,
	// and Confirm plays the phone confirming it: it changes p and returns
	// the notifications to send (see [Env.To]). Both run under the ledger's
	// lock; nil means no payment ever waits.
	Waiting func(p *P) bool
	Confirm func(p *P, env Env) []Notification
}

// Env is what a payment's answers and notifications depend on besides the
// payment itself, as it stands under the ledger's lock.
type Env struct {
	// URL is the server's root.
	URL string
	// WebhookURL is where the dashboard sends notifications ("" for none).
	WebhookURL string
	// Delta is added to reported amounts ([Shell.ReportAmountDelta]).
	Delta int64
	// Now is the emulator's clock reading.
	Now time.Time
}

// To returns a notification of body with header to the first of urls that
// is set and, else, to the dashboard's URL; nil when there is none.
func (e Env) To(header http.Header, body []byte, urls ...string) []Notification {
	for _, u := range append(urls, e.WebhookURL) {
		if u != "" {
			return []Notification{{URL: u, Header: header, Body: body}}
		}
	}
	return nil
}

// Shell is the part of an emulator every provider's has, whatever the
// provider: the server's lifecycle, the webhook settings and record, fault
// injection, the customer's actions and phone, the record of API calls.
// A provider's Server embeds it, so its methods are the Server's.
type Shell struct {
	name   string
	now    func() time.Time
	srv    *httptest.Server
	mux    *http.ServeMux
	faults *Faults
	hooks  *Dispatcher
	later  *Later
	client *http.Client

	mu         sync.Mutex
	webhookURL string
	delta      int64
	requests   []providertest.Request
}

// SetWebhookURL sets where notifications go for payments that name no URL
// of their own, as a URL configured in the provider's dashboard. Empty (the
// default) sends none for them.
func (s *Shell) SetWebhookURL(url string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.webhookURL = url
}

// SetWebhookPolicy changes how later notifications are delivered.
func (s *Shell) SetWebhookPolicy(p providertest.WebhookPolicy) { s.hooks.SetPolicy(p) }

// FlushWebhooks delivers the held notifications, in order, and waits for
// the answers.
func (s *Shell) FlushWebhooks(ctx context.Context) error { return s.hooks.Flush(ctx) }

// Deliveries returns every notification delivery attempt so far, forged and
// lost ones included.
func (s *Shell) Deliveries() []providertest.Delivery { return s.hooks.Deliveries() }

// InjectFault makes the next f.Times calls to op fail as f says. The
// hosted page is not an API call and never fails.
func (s *Shell) InjectFault(op providertest.Op, f providertest.Fault) { s.faults.Inject(op, f) }

// AwaitSlowHeld waits until injected FaultSlow faults have held n API
// requests in all, or until ctx ends: a test acts (gives up on the call,
// closes the server) once a request is surely held.
func (s *Shell) AwaitSlowHeld(ctx context.Context, n int) error { return s.faults.AwaitHeld(ctx, n) }

// AwaitSlowAnswered waits until n API requests in all that a FaultSlow held
// have been answered (to nobody, when the client gave up), or until ctx
// ends: what the server does with a call whose answer was lost is then
// done.
func (s *Shell) AwaitSlowAnswered(ctx context.Context, n int) error {
	return s.faults.AwaitAnswered(ctx, n)
}

// ReportAmountDelta makes later status answers and notifications report
// every payment's amount plus delta, in smallest units.
func (s *Shell) ReportAmountDelta(delta int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delta = delta
}

// Requests returns the API calls received so far (the latest 1000), in
// order, faulted and refused ones included, with their headers and bodies.
func (s *Shell) Requests() []providertest.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]providertest.Request, len(s.requests))
	for i, r := range s.requests {
		r.Header, r.Body = r.Header.Clone(), bytes.Clone(r.Body)
		out[i] = r
	}
	return out
}

// Act plays the customer pressing pay, fail, cancel or pay later on the
// hosted page at checkoutURL, over HTTP, and returns where the provider
// sends the customer back, or "" when it sends nobody back (the page then
// says what happened). Notifications not held by the policy have been
// delivered and answered when it returns.
func (s *Shell) Act(ctx context.Context, checkoutURL string, a providertest.Action) (string, error) {
	status, loc, err := Press(ctx, s.client, checkoutURL, a)
	switch {
	case err != nil:
		return "", err
	case status == http.StatusSeeOther || status == http.StatusFound:
		return loc, nil
	case status == http.StatusOK:
		return "", nil
	}
	return "", fmt.Errorf("%w: %s answered HTTP %d", ErrRefused, a, status)
}

// ConfirmLater plays the phone of the customer who chose "pay later on my
// phone" for the payment ref confirming it: the payment is paid and the
// shop notified. Notifications not held by the policy have been delivered
// and answered when it returns. It fails, wrapping ErrNotWaiting, when the
// payment is not waiting for its customer's phone.
func (s *Shell) ConfirmLater(ctx context.Context, ref string) error { return s.later.Confirm(ctx, ref) }

// Close stops the server, its slow answers, its customers' phones and its
// notifications.
func (s *Shell) Close() {
	s.faults.Close()
	s.later.Close()
	s.hooks.Close()
	s.srv.Close()
}

// Core is an emulator's machinery: the [Shell] its Server shows, and what
// the provider's handlers use: routes, the payment ledger, notifications,
// the hosted page. P is the provider's record of one payment.
type Core[P any] struct {
	Shell
	// URL is the server's root, "http://127.0.0.1:port", known before it
	// serves.
	URL  string
	spec Spec[P]
	recs records[P] // under mu
}

// NewCore returns a Core listening on 127.0.0.1, not serving yet: register
// the routes, then [Core.Start].
func NewCore[P any](spec Spec[P]) *Core[P] {
	set := spec.Settings
	if set.Now == nil {
		set.Now = time.Now
	}
	if spec.Clone == nil {
		spec.Clone = Clone[P]
	}
	c := &Core[P]{spec: spec}
	c.name, c.now = spec.Name, set.Now
	c.faults = NewFaults(spec.ErrorBody)
	c.hooks = NewDispatcher(DispatcherConfig{Timeout: set.WebhookTimeout, Retries: set.WebhookRetries, RetryDelay: set.WebhookRetryDelay, Agent: spec.Agent})
	c.later = NewLater(set.PayLaterDelay, c.confirm)
	c.client = NoRedirectClient(30 * time.Second)
	c.mux = http.NewServeMux()
	c.srv = httptest.NewUnstartedServer(c.mux)
	c.URL = "http://" + c.srv.Listener.Addr().String()
	return c
}

// Start serves the routes registered.
func (c *Core[P]) Start() { c.srv.Start() }

// Handle registers a route served as is: a hosted page, say.
func (c *Core[P]) Handle(pattern string, h http.HandlerFunc) { c.mux.Handle(pattern, h) }

// API registers an API route: the call is recorded, passes the Edge, plays
// op's faults and the Auth check, and h answers it.
func (c *Core[P]) API(pattern string, op providertest.Op, h http.HandlerFunc) {
	c.mux.Handle(pattern, c.edge(c.faults.Wrap(op, c.auth(h))))
}

// Open registers an API route that takes no credential (an unknown route's
// answer, an endpoint the provider leaves open): recorded, Edge and faults
// as [Core.API].
func (c *Core[P]) Open(pattern string, op providertest.Op, h http.HandlerFunc) {
	c.mux.Handle(pattern, c.edge(c.faults.Wrap(op, h)))
}

func (c *Core[P]) auth(h http.HandlerFunc) http.Handler {
	if c.spec.Auth == nil {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c.spec.Auth(w, r) {
			h(w, r)
		}
	})
}

// edge records a call, its body read once and put back, and runs the Edge.
func (c *Core[P]) edge(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		if err != nil {
			WriteError(w, c.faults.body, http.StatusRequestEntityTooLarge)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		c.mu.Lock()
		if len(c.requests) >= maxRequests {
			c.requests = slices.Delete(c.requests, 0, 1)
		}
		c.requests = append(c.requests, providertest.Request{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: body, At: c.now()})
		c.mu.Unlock()
		if c.spec.Edge != nil && !c.spec.Edge(w, r) {
			return
		}
		h.ServeHTTP(w, r)
	})
}

// env is the Env; the caller holds mu.
func (c *Core[P]) env() Env {
	return Env{URL: c.URL, WebhookURL: c.webhookURL, Delta: c.delta, Now: c.now()}
}

// Add records a new payment under ref, and under each of aliases (other
// keys [Core.Resolve] finds it by). It adds nothing and returns false when
// ref or an alias is taken already.
func (c *Core[P]) Add(ref string, p *P, aliases ...string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return Tx[P]{c}.Add(ref, p, aliases...)
}

// Tx is the ledger while [Core.Locked] holds its lock.
type Tx[P any] struct{ c *Core[P] }

// Add is [Core.Add] under the lock.
func (t Tx[P]) Add(ref string, p *P, aliases ...string) bool { return t.c.recs.add(ref, p, aliases...) }

// Find returns the payment key names, through aliases; nil when none.
func (t Tx[P]) Find(key string) *P { return t.c.recs.find(key) }

// Taken reports whether key is a payment's ref or alias.
func (t Tx[P]) Taken(key string) bool { return t.c.recs.taken(key) }

// Len returns how many payments there are.
func (c *Core[P]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.recs.items)
}

// Resolve returns the ref of the payment key names: key itself when a
// payment has that ref, else the ref it is an alias of, else key.
func (c *Core[P]) Resolve(key string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.recs.resolve(key)
}

// Alias reports the ref key is an alias of, if it is one.
func (c *Core[P]) Alias(key string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ref, ok := c.recs.aliases[key]
	return ref, ok
}

// Get returns a copy of payment ref.
func (c *Core[P]) Get(ref string) (P, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.recs.items[ref]
	if !ok {
		var zero P
		return zero, false
	}
	return c.spec.Clone(p), true
}

// All returns copies of every payment, in the order they were added.
func (c *Core[P]) All() []P {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.recs.all(c.spec.Clone)
}

// With runs f on payment ref under the ledger's lock; it reports whether
// there is such a payment (f does not run otherwise).
func (c *Core[P]) With(ref string, f func(p *P, env Env)) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.recs.items[ref]
	if ok {
		f(p, c.env())
	}
	return ok
}

// Locked runs f under the ledger's lock, for what spans payments.
func (c *Core[P]) Locked(f func(tx Tx[P], env Env)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f(Tx[P]{c}, c.env())
}

// Update runs f on payment ref under the ledger's lock, then delivers the
// notifications it returns as the policy says. It fails when there is no
// such payment, when f does, or with ErrClosed.
func (c *Core[P]) Update(ctx context.Context, ref string, f func(p *P, env Env) ([]Notification, error)) error {
	c.mu.Lock()
	p, ok := c.recs.items[ref]
	if !ok {
		c.mu.Unlock()
		return fmt.Errorf("%s: no payment %q", c.name, ref)
	}
	ns, err := f(p, c.env())
	c.mu.Unlock()
	if err != nil {
		return err
	}
	return c.Deliver(ctx, ns)
}

// SetStatus is the usual SetStatus of an emulator: set(p, status) on
// payment ref, without a notification.
func (c *Core[P]) SetStatus(ref string, set func(p *P)) error {
	return c.Update(context.Background(), ref, func(p *P, _ Env) ([]Notification, error) {
		set(p)
		return nil, nil
	})
}

// Deliver sends ns in order as the policy says (see [Dispatcher.Deliver]).
func (c *Core[P]) Deliver(ctx context.Context, ns []Notification) error {
	for _, n := range ns {
		if err := c.hooks.Deliver(ctx, n); err != nil {
			return err
		}
	}
	return nil
}

// Forge posts n once, outside the policy, as an attacker would; it fails
// only when the post does.
func (c *Core[P]) Forge(ctx context.Context, n Notification) error {
	_, err := c.hooks.SendOnce(ctx, n)
	return err
}

// Later returns the customers' phones, for an emulator whose
// ConfirmLater must find the ref first.
func (c *Core[P]) Later() *Later { return c.later }

// Settings returns the Env outside the lock.
func (c *Core[P]) Settings() Env {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.env()
}

// confirm is the phone confirming payment ref.
func (c *Core[P]) confirm(ctx context.Context, ref string) error {
	return c.Update(ctx, c.Resolve(ref), func(p *P, env Env) ([]Notification, error) {
		if c.spec.Waiting == nil || !c.spec.Waiting(p) {
			return nil, fmt.Errorf("%s: payment %q: %w", c.name, ref, ErrNotWaiting)
		}
		return c.spec.Confirm(p, env), nil
	})
}

// WriteJSON answers status with v as JSON and Content-Type ctype (empty
// means application/json).
func WriteJSON(w http.ResponseWriter, status int, ctype string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "emulator: "+err.Error(), http.StatusInternalServerError)
		return
	}
	if ctype == "" {
		ctype = "application/json"
	}
	w.Header().Set("Content-Type", ctype)
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// WriteError answers status with the body body writes for it.
func WriteError(w http.ResponseWriter, body ErrorBody, status int) {
	ctype, b := body(status)
	if ctype != "" {
		w.Header().Set("Content-Type", ctype)
	}
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// RetryAfter sets Retry-After to d in whole seconds, at least one.
func RetryAfter(w http.ResponseWriter, d time.Duration) {
	w.Header().Set("Retry-After", strconv.FormatInt(max(int64((d+time.Second-1)/time.Second), 1), 10))
}

// PageState is where a payment's hosted page stands.
type PageState int

// The states of a hosted page.
const (
	// PageOpen takes the customer's action.
	PageOpen PageState = iota
	// PageMissing: no such payment behind this link.
	PageMissing
	// PageClosed: the payment is settled and its page takes no action.
	PageClosed
	// PageWaiting: the customer chose to pay later and their phone has
	// not confirmed.
	PageWaiting
	// PageExpired: the page's life is over.
	PageExpired
)

// Hosted is a provider's hosted checkout page: its paths, its words and
// what its buttons do.
type Hosted[P any] struct {
	// Path is the page's pattern, "/checkout/{id}"; its buttons post to
	// Path + "/{action}".
	Path string
	// Key is the path's wildcard naming the payment ("id"), read through
	// [Core.Resolve].
	Key string
	// Lang is the language of the page's messages: "fr" or "en".
	Lang string
	// Noun is what the page's messages call the payment: "Payment",
	// "Transaction", "Facture". Empty means "Payment" ("Paiement" in
	// French).
	Noun string
	// Final reports whether p is settled: its page is closed and takes no
	// action. A payment waiting for its customer's phone ([Spec.Waiting])
	// has a waiting page. Word is the status word the page's messages show
	// for a closed or waiting payment ("paid"); both are required.
	// Missing, nil for never, reports that p has no page at r (another
	// mode's, another path's); Expired, nil for never, that an open page's
	// life is over at now. All run under the ledger's lock.
	// Status and Finals stand for Final and Word where the payment's
	// status word says it all: Word is Status, and a payment is final
	// when its word is one of Finals.
	Final   func(p *P) bool
	Word    func(p *P) string
	Status  func(p *P) string
	Finals  []string
	Missing func(p *P, r *http.Request) bool
	Expired func(p *P, now time.Time) bool
	// Show is an open page, under the ledger's lock (it may note that the
	// page was opened).
	Show func(p *P, env Env, r *http.Request) CheckoutPage
	// Press applies the customer's action a, with what they chose, to an
	// open payment under the ledger's lock and says what follows.
	Press func(p *P, a providertest.Action, c Choice, env Env) Outcome
}

// Outcome is what follows a button of the hosted page.
type Outcome struct {
	// Notify are the notifications to send before the customer is sent
	// back (the customer leaving does not stop them).
	Notify []Notification
	// Back is where the customer is sent (303); "" shows a page saying
	// Title instead.
	Back, Title string
	// Wait is the ref of a payment now waiting for its customer's phone.
	Wait string
}

// SentBack is the outcome of a button that sends the customer to success
// after paying or choosing to pay later, to failure otherwise: notify
// goes out first and, after pay later, payment ref waits for its
// customer's phone.
func SentBack(a providertest.Action, ref, success, failure string, notify []Notification) Outcome {
	out := Outcome{Notify: notify, Back: failure}
	if a == providertest.Pay || a == providertest.PayLater {
		out.Back = success
	}
	if a == providertest.PayLater {
		out.Wait = ref
	}
	return out
}

// messages are a hosted page's words in one language.
type messages struct {
	noun, missing, missingText, closedText, conflictText, waiting, waitingText, expired, expiredText, done, unknown, unknownText, down, downText string
}

var pageMessages = map[string]messages{
	"en": {
		"Payment", "Payment not found", "This payment link is not valid.", "This payment is %s.", "This payment is closed and cannot change.",
		"Confirm on your phone", "A payment request was sent to your phone: confirm it there.",
		"Link expired", "This payment link has expired.", "You can close this page.",
		"Not found", "No such action.", "Unavailable", "The emulator is shutting down.",
	},
	"fr": {
		"Paiement", "Paiement introuvable", "Ce lien de paiement n'est pas valide.", "Ce paiement est clos (%s).", "Ce paiement est clos et ne peut plus changer.",
		"Confirmez sur votre téléphone", "Une demande de paiement a été envoyée sur votre téléphone : validez-la.",
		"Lien expiré", "Ce lien de paiement a expiré.", "Vous pouvez fermer cette page.",
		"Introuvable", "Action inconnue.", "Indisponible", "L'émulateur s'arrête.",
	},
}

// Host registers the hosted page h: GET h.Path shows it, POST
// h.Path/{action} plays a button and sends the customer back.
func (c *Core[P]) Host(h Hosted[P]) {
	m, ok := pageMessages[h.Lang]
	if !ok {
		m = pageMessages["en"]
	}
	noun := cmp.Or(h.Noun, m.noun)
	if h.Status != nil {
		h.Word = h.Status
		h.Final = func(p *P) bool { return slices.Contains(h.Finals, h.Status(p)) }
	}
	// state is p's page's state under mu.
	state := func(r *http.Request) (*P, Env, PageState, string) {
		p, env := c.recs.find(r.PathValue(h.Key)), c.env()
		if p == nil {
			return nil, env, PageMissing, ""
		}
		switch {
		case h.Missing != nil && h.Missing(p, r):
			return nil, env, PageMissing, ""
		case h.Final(p):
			return p, env, PageClosed, h.Word(p)
		case c.spec.Waiting != nil && c.spec.Waiting(p):
			return p, env, PageWaiting, h.Word(p)
		case h.Expired != nil && h.Expired(p, env.Now):
			return p, env, PageExpired, ""
		}
		return p, env, PageOpen, ""
	}
	c.mux.HandleFunc("GET "+h.Path, func(w http.ResponseWriter, r *http.Request) {
		c.mu.Lock()
		p, env, st, word := state(r)
		var page CheckoutPage
		if st == PageOpen {
			page = h.Show(p, env, r)
		}
		c.mu.Unlock()
		switch st {
		case PageMissing:
			WriteMessagePage(w, http.StatusNotFound, m.missing, m.missingText)
		case PageClosed:
			WriteMessagePage(w, http.StatusOK, noun+" "+word, fmt.Sprintf(m.closedText, word))
		case PageWaiting:
			WriteMessagePage(w, http.StatusOK, m.waiting, m.waitingText)
		case PageExpired:
			WriteMessagePage(w, http.StatusGone, m.expired, m.expiredText)
		default:
			WriteCheckoutPage(w, page)
		}
	})
	c.mux.HandleFunc("POST "+h.Path+"/{action}", func(w http.ResponseWriter, r *http.Request) {
		a, ok := ParseAction(r.PathValue("action"))
		if !ok {
			WriteMessagePage(w, http.StatusNotFound, m.unknown, m.unknownText)
			return
		}
		choice := ReadChoice(r)
		c.mu.Lock()
		p, env, st, word := state(r)
		var out Outcome
		if st == PageOpen {
			out = h.Press(p, a, choice, env)
		}
		c.mu.Unlock()
		switch st {
		case PageMissing:
			WriteMessagePage(w, http.StatusNotFound, m.missing, m.missingText)
			return
		case PageClosed, PageWaiting:
			WriteMessagePage(w, http.StatusConflict, noun+" "+word, m.conflictText)
			return
		case PageExpired:
			WriteMessagePage(w, http.StatusGone, m.expired, m.expiredText)
			return
		}
		if out.Wait != "" {
			c.later.Wait(out.Wait)
		}
		// The customer leaving does not stop the provider notifying the shop.
		if err := c.Deliver(context.WithoutCancel(r.Context()), out.Notify); errors.Is(err, ErrClosed) {
			WriteMessagePage(w, http.StatusServiceUnavailable, m.down, m.downText)
			return
		}
		if out.Back == "" {
			WriteMessagePage(w, http.StatusOK, out.Title, m.done)
			return
		}
		http.Redirect(w, r, out.Back, http.StatusSeeOther)
	})
}

// WithQuery returns u with the pairs kv (key, value, ...) added to its
// query, after what query it has, its fragment kept.
func WithQuery(u string, kv ...string) string {
	base, frag, _ := strings.Cut(u, "#")
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
		if strings.HasSuffix(base, "?") || strings.HasSuffix(base, "&") {
			sep = ""
		}
	}
	for i := 0; i+1 < len(kv); i += 2 {
		base += sep + url.QueryEscape(kv[i]) + "=" + url.QueryEscape(kv[i+1])
		sep = "&"
	}
	if frag != "" {
		base += "#" + frag
	}
	return base
}
