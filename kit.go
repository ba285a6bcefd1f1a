package cauri

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/go-playground/validator/v10"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/singleflight"
)

// Config configures a [Kit]. Fields marked required must be set; the others
// have the zero-value defaults their comments state. [New] checks it all and
// names every bad field in one error.
type Config struct {
	// Store keeps payments. Required. See stores/memory and stores/sql.
	Store Store `validate:"required"`

	// Providers are the payment providers the shop offers. Required, at
	// least one, with distinct names.
	Providers []Provider `validate:"required,min=1,dive,required"`

	// PublicURL is the absolute URL where the kit's handler is mounted, as
	// customers and providers reach it: "https://shop.example/pay". The
	// kit builds return and callback URLs under it. Required.
	PublicURL string `validate:"required,http_url"`

	// Secret signs the tokens the kit puts in the URLs it hands out. At
	// least 32 bytes of randomness. Required.
	Secret string `validate:"required,min=32"`
	// PreviousSecrets are still accepted to verify tokens, so that Secret
	// can be rotated without breaking customers in the middle of paying.
	PreviousSecrets []string `validate:"dive,min=32"`

	// Order returns the order to charge for a checkout request, from the
	// shop's own records (the session, a cart ID looked up server-side),
	// never from amounts the browser posted. Return an error wrapping
	// [ErrNotFound] for an unknown order (404) or a *ValidationError (422);
	// any other error is a 500. Required.
	Order func(r *http.Request, provider string) (Order, error) `validate:"required"`

	// OnPaid is called once for each paid payment, until it returns nil.
	// It is never called twice at the same time for one payment, even
	// across processes sharing a database; after it returned nil it is
	// never called again for that payment. Payment.ID is a stable
	// idempotency key. Its context ends before OnPaidLease does. Nil means
	// nothing to do: payments are marked fulfilled by the write that marks
	// them paid.
	OnPaid func(ctx context.Context, p Payment) error

	// OnRefunded is called once for each payment the provider reports
	// refunded after it was paid (an authenticated notification, or its
	// status endpoint's answer), until it returns nil, as OnPaid is: never
	// twice at once, never at the same time as OnPaid for that payment,
	// with a context that ends before OnPaidLease does. OnPaid is not
	// called for a payment refunded before its OnPaid succeeded. It needs
	// a Store that implements [RefundStore]. Nil means nothing to do.
	OnRefunded func(ctx context.Context, p Payment) error

	// SuccessURL, FailureURL and PendingURL are the shop's pages the
	// customer is sent to after coming back from the provider: absolute, or
	// a path on the shop ("/thanks"). The kit appends payment_id and token
	// query parameters, which the pending page can use to poll the status
	// endpoint. Required.
	SuccessURL string `validate:"required"`
	FailureURL string `validate:"required"`
	PendingURL string `validate:"required"`

	// ShopURL is the shop's page the default error page links back to
	// (the basket, the home page): absolute, or a path on the shop
	// ("/cart"). Empty means the root of PublicURL's site:
	// "https://shop.example/".
	ShopURL string

	// ErrorPage writes what a browser gets when a checkout or a return
	// visit fails (an order the shop's Order refuses, a provider down, a
	// forged return link): it must answer e.Code, and may say e.Message
	// and name the order and payment e carries. The kit has set
	// Cache-Control: no-store, X-Content-Type-Options: nosniff, and
	// Retry-After or Allow where they apply; Content-Type and the body are
	// the function's. A client that accepts application/json gets
	// {"error": e.Message} instead, and the webhook and status endpoints,
	// which browsers do not visit, answer as ever. Nil means a small HTML
	// page with the message, the payment's reference when known, and a
	// link to ShopURL.
	ErrorPage func(w http.ResponseWriter, r *http.Request, e ErrorInfo)

	// AllowCrossSiteCheckout lets pages of other sites post to the
	// checkout. False, the default, refuses a browser's cross-site post
	// with 403 (net/http's CrossOriginProtection judges it, from
	// Sec-Fetch-Site or else Origin against Host), so that no other site
	// can start payments in a customer's name; the origins of PublicURL and
	// of absolute SuccessURL, FailureURL, PendingURL and ShopURL are the
	// shop's own and trusted, for a kit behind a proxy whose Host differs.
	// Requests with neither header (servers, command-line clients) pass.
	// Set it true only when another site's pages post to the checkout on
	// purpose.
	AllowCrossSiteCheckout bool

	// AdminAuth lets people into the operator's console
	// ([Kit.AdminHandler]): it returns who is asking (a name for the
	// payments' histories and the logs) and whether they may. Nil, the
	// default, lets nobody in: every request to the console gets 403 and
	// nothing else. It is the shop's check (a session, HTTP Basic auth
	// compared in constant time, a header set by an authenticating proxy).
	AdminAuth func(r *http.Request) (who string, ok bool)
	// AdminChallenge, when set, is the WWW-Authenticate header the console
	// sends with a 401 to a request AdminAuth refused: `Basic
	// realm="shop admin"` for a browser to ask for a password. Empty
	// answers 403 instead.
	AdminChallenge string

	// Registerer receives the kit's Prometheus collectors. Nil registers
	// nothing. Two kits may share one: they share the collectors.
	Registerer prometheus.Registerer
	// Logger receives the kit's logs. Nil is silent. Secrets, tokens and
	// customer data are never logged.
	Logger *slog.Logger

	// MaxWebhookBytes caps a webhook body. Zero means 64 KiB.
	MaxWebhookBytes int64 `validate:"gte=0"`
	// ProviderTimeout bounds each attempt of a provider call, never beyond
	// the CheckoutTimeout of a checkout's. Zero means 10s.
	ProviderTimeout time.Duration `validate:"gte=0"`
	// CheckoutTimeout bounds the whole of a checkout: storing the payment
	// and opening it at the provider, every attempt and back-off
	// included. Past it the customer gets the 503 page with Retry-After
	// at once, and a provider call it cut counts as a failure for the
	// breaker. Zero means 15s.
	CheckoutTimeout time.Duration `validate:"gte=0"`
	// Retry says how idempotent provider calls are retried.
	Retry RetryPolicy
	// Breaker configures each provider's circuit breaker.
	Breaker BreakerPolicy
	// RateLimits holds providers, by name, to a rate of API requests in
	// place of the one they document ([RateGuidance]): an account with a
	// limit of its own. Each entry must name a configured provider and
	// have a positive Requests and Per. A provider with no entry that
	// documents no limit is held to 300 requests a minute: five a second
	// is far more than one shop's checkouts need, yet bounds what a storm
	// of status polls can send to an API whose limit is unknown. Checkouts
	// and payouts come first: status polls leave them a reserve and never
	// wait, while they wait for a request up to their context's deadline.
	RateLimits map[string]RateLimit
	// OnPaidLease is how long one OnPaid call may hold a payment before
	// another worker may retry it (a crashed process). OnPaid's context
	// ends a tenth of it before, measured on the monotonic clock from when
	// the lease was taken: a wall clock stepped back never lengthens it,
	// one stepped forward shortens it as other workers see it. Zero means
	// 2 minutes.
	OnPaidLease time.Duration `validate:"gte=0"`
	// PollInterval is the least time between two questions the kit asks a
	// provider about one pending payment, whoever asks: the status
	// endpoint, a return visit, an unsigned notification to confirm, the
	// reconciler, in this process or any other sharing the Store. A
	// provider's own PollGuidance may ask for more. The interval doubles
	// each time the payment's age passes eight intervals more, up to
	// MaxPollInterval, so that old pending payments are asked about less
	// and less often. Zero means 10s.
	PollInterval time.Duration `validate:"gte=0"`
	// MaxPollInterval caps the interval between two questions about one
	// old pending payment. Zero means 30 minutes.
	MaxPollInterval time.Duration `validate:"gte=0"`
	// StaleCheckout is how long a payment may wait for its provider's
	// checkout to open before a new checkout for the same order gives up on
	// it. Zero means 2 minutes.
	StaleCheckout time.Duration `validate:"gte=0"`
	// Reconcile configures the reconciler that settles payments whose
	// webhook never came; see Kit.Reconcile and Kit.RunReconciler.
	Reconcile ReconcilePolicy
	// Now returns the current time, as stored and as compared with stored
	// times (leases, poll turns) across processes. Nil means time.Now.
	Now func() time.Time
}

// Kit is the payment kit: the checkout, return, webhook and status
// handlers over one Store and a set of providers. It is an http.Handler
// serving, relative to where it is mounted:
//
//	POST /checkout/{provider}                start a payment, 303 to the provider's page
//	GET  /return/{provider}/{id}/{token}     the customer comes back; 303 to the shop's page
//	POST /webhooks/{provider}                a notification, as set in a provider's dashboard
//	POST /webhooks/{provider}/{id}/{token}   a notification to a per-payment callback URL
//	GET  /payments/{id}?token=...            JSON status for the shop's pending page
//
// The return URL takes POST too (a hosted page may send the customer back
// with a form), and GET routes take HEAD. Another method gets 405 with an
// Allow header, from the kit as from a handler mounted alone.
//
// Return and callback URLs carry our payment ID and an HMAC token in their
// path, so that providers appending their own query parameters (PayDunya's
// and MoneyFusion's ?token=) cannot collide with them. Every answer the
// kit writes, errors and redirects included, says Cache-Control: no-store
// and X-Content-Type-Options: nosniff.
//
// Mount it with http.StripPrefix: mux.Handle("/pay/", http.StripPrefix("/pay", kit)).
// A Kit is safe for concurrent use.
type Kit struct {
	cfg       Config
	store     Store
	providers map[string]*guardedProvider
	names     []string
	validate  *validator.Validate
	metrics   *metrics
	log       *slog.Logger
	signer    signer
	public    *url.URL
	success   *url.URL
	failure   *url.URL
	pending   *url.URL
	shopHome  string // where the default error page links back to
	mux       *http.ServeMux
	// crossSite refuses cross-site checkout posts; nil when
	// Config.AllowCrossSiteCheckout lets them through.
	crossSite *http.CrossOriginProtection

	maxBody         int64
	providerTimeout time.Duration
	checkoutTimeout time.Duration
	lease           time.Duration
	pollEvery       time.Duration
	pollMax         time.Duration
	staleCheckout   time.Duration

	completer *completer   // records OnPaid successes
	history   HistoryStore // the Store, when it keeps payments' histories; else nil
	inWrites  bool         // the Store is a HistoryWriter: a move's events go in the move
	mover     OrderMover   // the Store, when it claims an order with the move; else nil

	instance string        // this kit's lease owner prefix
	seq      atomic.Uint64 // makes each OnPaid claim's owner unique

	asks       singleflight.Group // questions to providers under way, by payment ID
	payoutAsks singleflight.Group // questions about pending payouts under way, by payout key
}

var providerName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,31}$`)

// New checks cfg and returns a Kit. A wrong Config fails with one
// *ValidationError naming every bad field.
func New(cfg Config) (*Kit, error) {
	k := &Kit{cfg: cfg, validate: newValidator()}
	ve := &ValidationError{What: "config"}
	if err := validateStruct(k.validate, "config", cfg); err != nil {
		ve = err.(*ValidationError)
	}
	bad := func(field, reason string) { ve.Fields = append(ve.Fields, FieldError{Field: field, Reason: reason}) }

	if cfg.PublicURL != "" {
		u, err := url.Parse(cfg.PublicURL)
		switch {
		case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
			// validator already said so
		case u.RawQuery != "" || u.Fragment != "":
			bad("PublicURL", "must have no query or fragment")
		default:
			u.Path = strings.TrimSuffix(u.Path, "/")
			u.RawPath = ""
			k.public = u
		}
	}
	var shop *url.URL
	for _, f := range []struct {
		name, raw string
		dst       **url.URL
	}{{"SuccessURL", cfg.SuccessURL, &k.success}, {"FailureURL", cfg.FailureURL, &k.failure}, {"PendingURL", cfg.PendingURL, &k.pending}, {"ShopURL", cfg.ShopURL, &shop}} {
		if f.raw == "" {
			continue
		}
		u, err := url.Parse(f.raw)
		if err != nil || (u.IsAbs() && u.Scheme != "http" && u.Scheme != "https") || (!u.IsAbs() && !strings.HasPrefix(u.Path, "/")) || strings.HasPrefix(f.raw, "//") {
			bad(f.name, "must be an absolute http(s) URL or a path starting with /")
			continue
		}
		*f.dst = u
	}

	k.providers = make(map[string]*guardedProvider, len(cfg.Providers))
	for i, p := range cfg.Providers {
		if p == nil {
			continue
		}
		name := p.Name()
		field := fmt.Sprintf("Providers[%d]", i)
		switch {
		case !providerName.MatchString(name):
			bad(field, "has a name that is not 1-32 lower-case letters, digits, - or _")
		case k.providers[name] != nil:
			bad(field, "repeats the name "+name)
		default:
			ic, ok := p.(IdempotentCreator)
			k.providers[name] = &guardedProvider{Provider: p, name: name, idempotent: ok && ic.IdempotentCreate()}
			k.names = append(k.names, name)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(cfg.RateLimits)) {
		field := "RateLimits[" + name + "]"
		switch l := cfg.RateLimits[name]; {
		case k.providers[name] == nil:
			bad(field, "names no configured provider")
		case l.Requests <= 0 || l.Per <= 0:
			bad(field, "must have a positive Requests and Per")
		}
	}
	if _, ok := cfg.Store.(RefundStore); cfg.OnRefunded != nil && cfg.Store != nil && !ok {
		bad("OnRefunded", "needs a Store that implements RefundStore")
	}
	if len(ve.Fields) > 0 {
		return nil, ve
	}

	m, err := newMetrics(cfg.Registerer)
	if err != nil {
		return nil, fmt.Errorf("cauri: registering metrics: %w", err)
	}
	k.metrics = m
	k.store = cfg.Store
	k.log = cfg.Logger
	if k.log == nil {
		k.log = slog.New(slog.DiscardHandler)
	}
	k.signer = newSigner(cfg.Secret, cfg.PreviousSecrets)
	k.maxBody = cfg.MaxWebhookBytes
	if k.maxBody == 0 {
		k.maxBody = 64 << 10
	}
	k.providerTimeout = orDefault(cfg.ProviderTimeout, 10*time.Second)
	k.checkoutTimeout = orDefault(cfg.CheckoutTimeout, 15*time.Second)
	k.lease = orDefault(cfg.OnPaidLease, 2*time.Minute)
	k.pollEvery = orDefault(cfg.PollInterval, 10*time.Second)
	k.pollMax = max(orDefault(cfg.MaxPollInterval, 30*time.Minute), k.pollEvery)
	k.staleCheckout = orDefault(cfg.StaleCheckout, 2*time.Minute)
	k.shopHome = (&url.URL{Scheme: k.public.Scheme, Host: k.public.Host, Path: "/"}).String()
	if shop != nil {
		k.shopHome = shop.String()
	}
	k.instance = newPaymentID()[4:12]
	k.completer = newCompleter(k.store, k.now)
	k.history, _ = k.store.(HistoryStore)
	_, k.inWrites = k.store.(HistoryWriter)
	k.mover, _ = k.store.(OrderMover)
	if !cfg.AllowCrossSiteCheckout {
		k.crossSite = http.NewCrossOriginProtection()
		for _, u := range []*url.URL{k.public, k.success, k.failure, k.pending, shop} {
			if origin := originOf(u); origin != "" {
				if err := k.crossSite.AddTrustedOrigin(origin); err != nil {
					return nil, fmt.Errorf("cauri: trusting the shop's origin: %w", err)
				}
			}
		}
	}
	for _, p := range k.providers {
		p.breaker = k.newBreaker(p.name, cfg.Breaker)
		p.gate = newGate(rateLimit(p.Provider, cfg.RateLimits))
		k.metrics.zero(p.name)
		_, pays := p.Provider.(Payouter)
		_, prepares := p.Provider.(PayoutPreparer)
		if pays || prepares {
			k.metrics.zeroPayouts(p.name)
		}
	}
	if _, finds := k.store.(PaymentFinder); cfg.AdminAuth != nil && (k.history == nil || !finds) {
		k.log.Warn("the Store keeps no history or cannot find payments (it is not a HistoryStore and a PaymentFinder): " +
			"the console (AdminHandler) answers 501")
	}
	if _, ok := k.store.(PayoutStore); ok {
		if _, ok := k.store.(PayoutLister); !ok {
			k.log.Warn("the Store does not list pending payouts (it does not implement PayoutLister): " +
				"the reconciler cannot settle them; call Kit.ResolvePayout")
		}
	}

	// Each handler checks the method itself: a wrong one gets the same 405,
	// JSON to a JSON client, whether it is mounted alone or here.
	k.mux = http.NewServeMux()
	k.mux.Handle("/checkout/{provider}", k.CheckoutHandler())
	k.mux.Handle("/return/{provider}/{id}/{token}", k.ReturnHandler())
	k.mux.Handle("/webhooks/{provider}", k.WebhookHandler())
	k.mux.Handle("/webhooks/{provider}/{id}/{token}", k.WebhookHandler())
	k.mux.Handle("/payments/{id}", k.StatusHandler())
	k.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { fail(w, r, http.StatusNotFound, "not found") })
	return k, nil
}

// ServeHTTP routes to the kit's handlers; see [Kit].
func (k *Kit) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if gp := k.webhookPath(r); gp != nil {
		// What the mux would do for /webhooks/{provider}, without its
		// matching: the most frequent request, and providers retry.
		k.serveWebhookOf(w, r, gp)
		return
	}
	k.mux.ServeHTTP(w, r)
}

// webhookPath returns the provider when r is a POST to exactly
// /webhooks/{provider} for a configured provider, unescaped and clean: a
// request the kit's mux routes to the webhook handler, which takes it for
// that provider. Otherwise it returns nil.
func (k *Kit) webhookPath(r *http.Request) *guardedProvider {
	const prefix = "/webhooks/"
	path := r.URL.Path
	if r.Method != http.MethodPost || r.URL.RawPath != "" || len(path) <= len(prefix) || path[:len(prefix)] != prefix {
		return nil
	}
	return k.providers[path[len(prefix):]] // names have no "/" and are never "." or ".."
}

// Providers returns the names of the configured providers, in the order
// given.
func (k *Kit) Providers() []string { return append([]string(nil), k.names...) }

// Payment returns a stored payment.
func (k *Kit) Payment(ctx context.Context, id string) (Payment, error) {
	ctx, cancel := bounded(ctx, storeTimeout)
	defer cancel()
	return k.store.Get(ctx, id)
}

func (k *Kit) now() time.Time {
	if k.cfg.Now != nil {
		return k.cfg.Now().UTC()
	}
	return time.Now().UTC()
}

// provider finds the provider a request names: the {provider} path value
// when the kit's own routes matched, else the path segment after the
// handler's word ("checkout", "return", "webhooks"), so that the single
// handlers mount under any router.
func (k *Kit) provider(r *http.Request) (*guardedProvider, bool) {
	name := r.PathValue("provider")
	if name == "" {
		name = segmentAfter(r.URL.Path, "checkout", "return", "webhooks")
	}
	p, ok := k.providers[name]
	return p, ok
}

// pageProvider is [Kit.provider] for the customer's checkout and return
// pages, whose outcomes counts by provider and outcome. A request naming
// no provider gets the 404 page, counted as unknown_provider, and false;
// any other gets its provider and a function counting an outcome of it.
func (k *Kit) pageProvider(w http.ResponseWriter, r *http.Request, outcomes *prometheus.CounterVec) (*guardedProvider, func(outcome string), bool) {
	gp, ok := k.provider(r)
	if !ok {
		outcomes.WithLabelValues(unknownProviderLabel, "unknown_provider").Inc()
		k.failOnPage(w, r, http.StatusNotFound, "unknown provider")
		return nil, nil, false
	}
	return gp, func(outcome string) { outcomes.WithLabelValues(gp.name, outcome).Inc() }, true
}

// paymentInPath returns the {id} and {token} path values of a return or
// callback URL, else the two segments after the provider's name.
func paymentInPath(r *http.Request) (id, token string) {
	if id, token = r.PathValue("id"), r.PathValue("token"); id != "" || token != "" {
		return id, token
	}
	var after [3]string // the segments after "return" or "webhooks"
	n := -1
	for seg := range strings.SplitSeq(r.URL.Path, "/") {
		switch {
		case n >= 0:
			after[n] = seg
			if n++; n == len(after) {
				return after[1], after[2]
			}
		case seg == "return" || seg == "webhooks":
			n = 0
		}
	}
	return "", ""
}

// segmentAfter returns the path segment that follows the first of words
// found in path, or "".
func segmentAfter(path string, words ...string) string {
	found := false
	for seg := range strings.SplitSeq(path, "/") {
		if found {
			return seg
		}
		found = slices.Contains(words, seg)
	}
	return ""
}

// endpoint returns PublicURL + /word/provider/id/token.
func (k *Kit) endpoint(word, provider, id, purpose string) string {
	u := *k.public
	u.Path += "/" + word + "/" + provider + "/" + id + "/" + k.signer.sign(purpose, id)
	return u.String()
}

// ReturnURL is the URL a provider sends the customer back to for payment
// id, as the kit puts it in every [CheckoutRequest]. Outside the kit it
// serves tests: a shop's, or a provider's emulator's, that play the
// customer coming back without a provider's page.
func (k *Kit) ReturnURL(provider, id string) string {
	return k.endpoint("return", provider, id, purposeAccess)
}

// CallbackURL is the per-payment notification URL the kit gives providers
// that take one, in every [CheckoutRequest]: it carries a token that
// proves which payment it is for. Outside the kit it serves tests that
// play a provider's notification to it.
func (k *Kit) CallbackURL(provider, id string) string {
	return k.endpoint("webhooks", provider, id, purposeCallback)
}

// StatusURL is the URL of the JSON status of payment id, for the shop's
// pending page.
func (k *Kit) StatusURL(id string) string {
	u := *k.public
	u.Path += "/payments/" + id
	u.RawQuery = url.Values{"token": {k.signer.sign(purposeAccess, id)}}.Encode()
	return u.String()
}

// originOf returns the origin of an absolute http(s) URL as a browser
// writes it in an Origin header, "https://shop.example" (lower case, the
// scheme's default port left out), or "" for a relative URL.
func originOf(u *url.URL) string {
	if u == nil || !u.IsAbs() || u.Host == "" {
		return ""
	}
	scheme, host := strings.ToLower(u.Scheme), strings.ToLower(u.Host)
	if port := u.Port(); (scheme == "https" && port == "443") || (scheme == "http" && port == "80") {
		host = strings.TrimSuffix(host, ":"+port)
	}
	return scheme + "://" + host
}

// shopURL returns one of the shop's configured pages with payment_id and
// token added to its query. Only configured pages are ever redirect
// targets.
func (k *Kit) shopURL(page *url.URL, id string) string {
	u := *page
	q := u.Query()
	q.Set("payment_id", id)
	q.Set("token", k.signer.sign(purposeAccess, id))
	u.RawQuery = q.Encode()
	return u.String()
}
