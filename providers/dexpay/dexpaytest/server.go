// Package dexpaytest emulates DEXPAY's checkout-sessions API on loopback:
// a real HTTP server that opens checkout sessions, answers lookups by
// reference, serves a hosted payment page whose buttons pay, fail,
// cancel or pay later on the phone, sends signed notifications to each session's webhook_url, and
// takes payouts. It implements [providertest.Emulator], and it is meant
// for tests and offline demos:
//
//	srv := dexpaytest.New()
//	defer srv.Close()
//	kit, _ := cauri.New(cauri.Config{Providers: []cauri.Provider{srv.Provider()}, ...})
//
// It follows DEXCHANGE GROUP's official Node SDK and WooCommerce plugin
// (see the dexpay package's documentation):
//
//   - every API call needs x-api-key and x-api-secret, else 401 (a bearer
//     token is not enough);
//   - POST /api/v1/checkout-sessions validates its body as a NestJS API
//     does (400 with "message" an array of strings; unknown fields
//     refused): reference, item_name, amount (a positive whole number, as a
//     JSON number or a string), currency (XOF, XAF or GNF), success_url,
//     failure_url and webhook_url are required; metadata, expires_at,
//     client_support_fee and is_one_shot_payment are optional. A reused
//     reference gets 409. It answers 201 {success, data: session};
//   - GET /api/v1/checkout-sessions/reference/{reference} and
//     GET /api/v1/checkout-sessions/{id} (the plugin passes the reference
//     there too) answer {success, data: session}, 404 for an unknown one;
//     GET /api/v1/checkout-sessions?page=&limit= lists them;
//     DELETE /api/v1/checkout-sessions/{id} cancels a pending one;
//   - POST /api/v1/payouts, GET /api/v1/payouts/{id} and POST
//     /api/v1/payouts/{id}/cancel, with the SDK's fields and the README's
//     operators and countries;
//   - the hosted page at /checkout/{session ID}, in French, in DEXPAY's
//     name and colours, with the item, the amount, the operators to choose
//     from (Wave, Orange Money, MTN MoMo, Moov Money: the notification's
//     operator) and the customer's phone, sending the customer to
//     success_url after paying and to failure_url after a failure or a
//     cancellation, with no query parameters added (none are documented);
//   - "pay later on my phone", which DEXPAY does not document: the session
//     becomes PROCESSING (the SDK's status for an operator still at work),
//     with no notification (DEXPAY has no event for it), and the customer
//     is sent to success_url, since they did not fail; a shop must never
//     take that visit for a payment (cauri asks the API).
//     [Server.ConfirmLater] (or [providertest.WithPayLaterDelay]) then completes it and
//     sends CHECKOUT_COMPLETED;
//   - notifications {"event": "CHECKOUT_COMPLETED", "data": {...}} posted
//     to the session's webhook_url (or the dashboard's URL,
//     [Server.SetWebhookURL]) and signed with X-Webhook-Signature, the hex
//     HMAC-SHA256 of the body under the webhook secret. Options send them
//     in the SDK README's spelling ([WithSDKEvents]), under the legacy
//     X-DexPay-Signature ([WithLegacySignatureHeader]) or unsigned
//     ([WithoutWebhookSignature]).
//
// DEXPAY documents no rate limit, and the emulator applies none.
package dexpaytest

import (
	"cmp"
	"context"
	"crypto/subtle"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/internal/emulator"
	"github.com/cauripay/cauri/providers/dexpay"
	"github.com/cauripay/cauri/providers/providertest"
)

// opCancel names session cancellation for fault injection; only
// providertest.OpAny faults reach it otherwise.
const opCancel providertest.Op = "cancel"

// Delivery is one webhook delivery attempt, as [Server.Deliveries] records
// it. It is [providertest.Delivery], the type every emulator records
// deliveries with, where each field is documented.
type Delivery = providertest.Delivery

// Sign returns the X-Webhook-Signature of body under secret; it is
// [dexpay.Sign].
func Sign(secret string, body []byte) string { return dexpay.Sign(secret, body) }

// Option configures a Server: the options of every emulator
// (providertest.WithMerchant, WithClock, WithWebhookRetries,
// WithWebhookTimeout, WithPayLaterDelay) and this package's.
type Option = providertest.EmulatorOption

type options struct {
	apiKey, apiSecret, webhookSecret  string
	mode                              dexpay.Mode
	unsigned, legacyHeader, sdkEvents bool
	stringAmounts, flat, sandboxURL   bool
}

// WithMode sets the environment the server plays: dexpay.Sandbox (the
// default) or dexpay.Live. It decides its keys' prefixes ("pk_test_",
// "pk_live_"...) and its sessions' isSandbox.
func WithMode(m dexpay.Mode) Option { return providertest.Own(func(o *options) { o.mode = m }) }

// WithKeys sets the public and secret keys the server expects. The
// default is a random pair of the server's mode. Keys whose prefix names
// the other mode ("pk_live_" in the sandbox) make Provider panic, as
// dexpay.New refuses them.
func WithKeys(apiKey, apiSecret string) Option {
	return providertest.Own(func(o *options) { o.apiKey, o.apiSecret = apiKey, apiSecret })
}

// WithWebhookSecret sets the secret notifications are signed with. The
// default is random.
func WithWebhookSecret(secret string) Option {
	return providertest.Own(func(o *options) { o.webhookSecret = secret })
}

// WithoutWebhookSignature sends notifications unsigned, as DEXPAY does for
// an account with no webhook secret in its dashboard (the plugin checks
// the signature only when one is configured).
func WithoutWebhookSignature() Option {
	return providertest.Own(func(o *options) { o.unsigned = true })
}

// WithLegacySignatureHeader signs notifications in X-DexPay-Signature, the
// header older deployments used, instead of X-Webhook-Signature.
func WithLegacySignatureHeader() Option {
	return providertest.Own(func(o *options) { o.legacyHeader = true })
}

// WithSDKEvents writes notifications as the Node SDK's README reads them,
// {"type": "checkout.completed", "data": {...}}, instead of the plugin's
// {"event": "CHECKOUT_COMPLETED", "data": {...}}.
func WithSDKEvents() Option { return providertest.Own(func(o *options) { o.sdkEvents = true }) }

// WithStringAmounts writes every amount in answers and notifications as a
// JSON string ("5000") instead of a number.
func WithStringAmounts() Option { return providertest.Own(func(o *options) { o.stringAmounts = true }) }

// WithFlatAnswers answers sessions and payouts as the object itself, as
// the SDK's types and tests show them, instead of {success, data}.
func WithFlatAnswers() Option { return providertest.Own(func(o *options) { o.flat = true }) }

// WithSandboxPaymentURL gives sandbox sessions a sandbox_payment_url, the
// page where test payments are made (the plugin sends the customer there
// first), and a payment_url that refuses to take a sandbox payment.
func WithSandboxPaymentURL() Option {
	return providertest.Own(func(o *options) { o.sandboxURL = true })
}

// Request is one API request the server received, as [Server.Requests]
// records it; it is [providertest.Request].
type Request = providertest.Request

type shell = emulator.Shell

// Server is the emulated DEXPAY. Its methods are safe for concurrent use.
// Besides its own, it has those of every emulator: SetWebhookURL (the
// dashboard's URL: sessions opened without webhook_url, which always wins,
// and payouts notify it; empty, the default, sends none for them),
// SetWebhookPolicy, FlushWebhooks, Deliveries, Requests (the latest 1000
// API requests), InjectFault (providertest.OpCreate is opening a session,
// OpStatus the session lookups and list, OpPayout the payout calls, OpAny
// any API call), AwaitSlowHeld, AwaitSlowAnswered, ReportAmountDelta
// (lookups and notifications, in the session's currency), Act (the
// success_url or failure_url DEXPAY sends the customer to) and Close.
type Server struct {
	// URL is the server's root, "http://127.0.0.1:port". The API is under
	// URL + "/api/v1", the payment pages under URL + "/checkout/".
	URL string
	// APIKey and APISecret are the keys the server expects in x-api-key
	// and x-api-secret.
	APIKey, APISecret string
	// WebhookSecret signs the notifications; empty with
	// WithoutWebhookSignature.
	WebhookSecret string
	// Mode is the environment the server plays.
	Mode dexpay.Mode

	*shell
	c                               *emulator.Core[Session]
	merchant                        string
	legacyHeader, sdkEvents         bool
	stringAmounts, flat, sandboxURL bool
	payouts                         emulator.Ledger[Payout] // by ID and reference
}

var _ providertest.Emulator = (*Server)(nil)

// New starts a Server on 127.0.0.1. Close it when done.
func New(opts ...Option) *Server {
	o := options{mode: dexpay.Sandbox}
	set := providertest.Configure(&o, opts)
	if o.mode != dexpay.Live {
		o.mode = dexpay.Sandbox
	}
	env := map[dexpay.Mode]string{dexpay.Sandbox: "test", dexpay.Live: "live"}[o.mode]
	o.apiKey = cmp.Or(o.apiKey, "pk_"+env+"_"+emulator.RandomHex(16))
	o.apiSecret = cmp.Or(o.apiSecret, "sk_"+env+"_"+emulator.RandomHex(16))
	switch {
	case o.unsigned:
		o.webhookSecret = ""
	case o.webhookSecret == "":
		o.webhookSecret = "whsec_" + emulator.RandomHex(16)
	}
	s := &Server{
		APIKey: o.apiKey, APISecret: o.apiSecret, WebhookSecret: o.webhookSecret, Mode: o.mode,
		merchant: set.Merchant, legacyHeader: o.legacyHeader, sdkEvents: o.sdkEvents,
		stringAmounts: o.stringAmounts, flat: o.flat, sandboxURL: o.sandboxURL,
	}
	s.c = emulator.NewCore(emulator.Spec[Session]{
		Name: "dexpaytest", Agent: "DEXPAY-Webhook/1.0 (emulator)", Auth: s.authenticated, ErrorBody: errorBody, Settings: set,
		Waiting: func(ss *Session) bool { return ss.Later && ss.Status == StatusProcessing },
		Confirm: func(ss *Session, env emulator.Env) []emulator.Notification {
			ss.Later = false
			ss.Status, ss.CompletedAt = StatusCompleted, env.Now.UTC()
			ss.TransactionID = "TXN" + emulator.RandomHex(6)
			return s.notify(ss, env)
		},
	})
	s.URL, s.shell = s.c.URL, &s.c.Shell
	s.c.API("POST /api/v1/checkout-sessions", providertest.OpCreate, s.createSession)
	s.c.API("GET /api/v1/checkout-sessions", providertest.OpStatus, s.listSessions)
	s.c.API("GET /api/v1/checkout-sessions/reference/{reference}", providertest.OpStatus, s.sessionByReference)
	s.c.API("GET /api/v1/checkout-sessions/{id}", providertest.OpStatus, s.sessionByID)
	s.c.API("DELETE /api/v1/checkout-sessions/{id}", opCancel, s.cancelSession)
	s.c.API("POST /api/v1/payouts", providertest.OpPayout, s.createPayout)
	s.c.API("GET /api/v1/payouts/{id}", providertest.OpPayout, s.getPayout)
	s.c.API("POST /api/v1/payouts/{id}/cancel", providertest.OpPayout, s.cancelPayout)
	s.c.Open("/api/v1/", providertest.OpAny, func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "NOT_FOUND", "Cannot "+r.Method+" "+r.URL.Path)
	})
	s.c.Host(emulator.Hosted[Session]{Path: "/checkout/{id}", Key: "id", Lang: "fr", Noun: "Session",
		Status: func(ss *Session) string { return ss.Status }, Finals: finals,
		Expired: expired, Missing: func(ss *Session, r *http.Request) bool { return r.PathValue("id") != ss.ID },
		Show: s.show, Press: s.press})
	s.c.Handle("GET /live/{id}", s.livePage)
	s.c.Handle("POST /live/{id}/{action}", s.livePage)
	s.c.Start()
	return s
}

// BaseURL is the API's root, for dexpay.Config.BaseURL.
func (s *Server) BaseURL() string { return s.URL + "/api/v1" }

// Config returns a dexpay.Config for this server: its keys, its mode, its
// base URL and, when it signs, its webhook secret.
func (s *Server) Config() dexpay.Config {
	cfg := dexpay.Config{APIKey: s.APIKey, APISecret: s.APISecret, Mode: s.Mode, BaseURL: s.BaseURL()}
	if s.WebhookSecret != "" {
		cfg.WebhookSecrets = []string{s.WebhookSecret}
	}
	return cfg
}

// Provider returns a dexpay.Provider configured against this server.
func (s *Server) Provider() cauri.Provider { return emulator.Must(dexpay.New(s.Config())) }

// Session returns a copy of the session with that reference.
func (s *Server) Session(reference string) (Session, bool) { return s.c.Get(reference) }

// Payout returns a copy of the payout with DEXPAY id (or reference) id.
func (s *Server) Payout(id string) (Payout, bool) { return s.payouts.Get(id) }

// SetStatus sets a session's status to any word, documented or not,
// without a notification: for tests of what a client does with PROCESSING
// or an unknown status.
func (s *Server) SetStatus(reference, status string) error {
	return s.c.SetStatus(reference, func(ss *Session) { ss.Status = status })
}

// Refund gives a completed session's money back, as DEXPAY's dashboard
// would, and sends CHECKOUT_REFUNDED to its webhook_url.
func (s *Server) Refund(ctx context.Context, reference string) error {
	return s.c.Update(ctx, reference, func(ss *Session, env emulator.Env) ([]emulator.Notification, error) {
		if ss.Status != StatusCompleted {
			return nil, fmt.Errorf("dexpaytest: session %q is %s, not COMPLETED", reference, ss.Status)
		}
		ss.Status, ss.RefundID = StatusRefunded, "rf_"+emulator.RandomHex(8)
		return s.notify(ss, env), nil
	})
}

// Notify sends a session's current state again, with the event its status
// names: a late or repeated notification.
func (s *Server) Notify(ctx context.Context, reference string) error {
	return s.c.Update(ctx, reference, func(ss *Session, env emulator.Env) ([]emulator.Notification, error) {
		return s.notify(ss, env), nil
	})
}

// SettlePayout moves a pending or processing payout to status (COMPLETED
// or FAILED), as DEXPAY does once the operator answers, and sends
// PAYOUT_COMPLETED or PAYOUT_FAILED to the dashboard's webhook URL.
func (s *Server) SettlePayout(ctx context.Context, id, status string) error {
	if status != StatusCompleted && status != StatusFailed {
		return fmt.Errorf("dexpaytest: a payout settles as COMPLETED or FAILED, not %q", status)
	}
	env := s.c.Settings()
	var body []byte
	var err error
	if !s.payouts.With(id, func(p *Payout) {
		if p.Status != StatusPending && p.Status != StatusProcessing {
			err = fmt.Errorf("dexpaytest: payout %q is already %s", id, p.Status)
			return
		}
		now := env.Now.UTC()
		p.Status, p.UpdatedAt, p.CompletedAt = status, now, now
		if status == StatusFailed {
			p.FailureReason = "Numéro destinataire invalide"
		}
		event := "PAYOUT_" + status
		if s.sdkEvents {
			event = "payout." + map[string]string{StatusCompleted: "completed", StatusFailed: "failed"}[status]
		}
		body = s.envelope(event, s.payoutObject(p), now)
	}) {
		return fmt.Errorf("dexpaytest: no payout %q", id)
	}
	if err != nil {
		return err
	}
	return s.c.Deliver(ctx, env.To(s.signedHeader(body, s.WebhookSecret), body))
}

// ConfirmLater plays the phone of the customer who chose "pay later on my
// phone" for the session with this reference (or session ID) confirming
// it: the session is COMPLETED and CHECKOUT_COMPLETED sent. Notifications
// not held by the policy have been delivered and answered when it
// returns. It fails, wrapping emulator.ErrNotWaiting, when the session is
// not waiting for its customer's phone.
func (s *Server) ConfirmLater(ctx context.Context, reference string) error {
	return s.c.Later().Confirm(ctx, s.c.Resolve(reference))
}

// Forge posts to url a notification claiming the session with reference
// providerRef was paid. The server's records do not change, and a lookup
// still gives the true status. With a webhook secret, it is signed with a
// wrong one; without, it is the plain claim an unsigned notification is,
// which the kit must confirm. It fails only when the post does; the
// receiver's answer is in Deliveries.
func (s *Server) Forge(ctx context.Context, url, providerRef string) error {
	now := s.c.Settings().Now
	forged, ok := s.c.Get(providerRef)
	if !ok {
		forged = Session{Reference: providerRef, Amount: 5000, Currency: "XOF", Sandbox: s.Mode == dexpay.Sandbox}
	}
	forged.Status, forged.CompletedAt = StatusCompleted, now.UTC()
	forged.Operator, forged.PaymentMethod, forged.TransactionID = "wave", "MOBILE_MONEY", "TXN"+emulator.RandomHex(6)
	body := s.webhookBody(&forged, 0, now)
	return s.c.Forge(ctx, emulator.Notification{URL: url, Header: s.signedHeader(body, emulator.ForgedSecret(s.WebhookSecret)), Body: body})
}

// authenticated checks x-api-key and x-api-secret.
func (s *Server) authenticated(w http.ResponseWriter, r *http.Request) bool {
	k, sec := r.Header.Get(dexpay.HeaderAPIKey), r.Header.Get(dexpay.HeaderAPISecret)
	if k == "" || sec == "" {
		writeError(w, http.StatusUnauthorized, "UNAUTHORIZED", "Missing API credentials: x-api-key and x-api-secret are required")
		return false
	}
	// Both compared, whatever the first gives.
	if subtle.ConstantTimeCompare([]byte(k), []byte(s.APIKey))&subtle.ConstantTimeCompare([]byte(sec), []byte(s.APISecret)) != 1 {
		writeError(w, http.StatusUnauthorized, "UNAUTHORIZED", "Invalid API credentials")
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	emulator.WriteJSON(w, status, "application/json; charset=utf-8", v)
}

// errorEnvelope is DEXPAY's error body as its SDK reads it: message (a
// string, or NestJS validation's array of strings) and code.
type errorEnvelope struct {
	Success    bool   `json:"success"`
	StatusCode int    `json:"statusCode"`
	Message    any    `json:"message"`
	Code       string `json:"code"`
}

// writeError answers an error with one message.
func writeError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, errorEnvelope{StatusCode: status, Message: message, Code: code})
}

// writeValidation answers 400 with the validation messages.
func writeValidation(w http.ResponseWriter, messages []string) {
	writeJSON(w, http.StatusBadRequest, errorEnvelope{StatusCode: http.StatusBadRequest, Message: messages, Code: "VALIDATION_ERROR"})
}

// errorBody is DEXPAY's body for an injected error status.
var errorBody = emulator.Refusals{
	0:                              {Code: "ERROR", Message: "Error"},
	http.StatusTooManyRequests:     {Code: "RATE_LIMITED", Message: "ThrottlerException: Too Many Requests"},
	http.StatusInternalServerError: {Code: "INTERNAL_ERROR", Message: "Internal server error"},
	http.StatusServiceUnavailable:  {Code: "SERVICE_UNAVAILABLE", Message: "Service temporarily unavailable"},
}.Body("application/json; charset=utf-8", func(status int, r emulator.Refusal) any {
	return errorEnvelope{StatusCode: status, Message: r.Message, Code: r.Code}
})

// answer writes a successful answer: {success, data}, or data alone with
// WithFlatAnswers.
func (s *Server) answer(w http.ResponseWriter, status int, data any) {
	if s.flat {
		writeJSON(w, status, data)
		return
	}
	writeJSON(w, status, map[string]any{"success": true, "data": data})
}

// createSession is POST /api/v1/checkout-sessions.
func (s *Server) createSession(w http.ResponseWriter, r *http.Request) {
	in, _, ok := emulator.ReadBody(r, true)
	if !ok {
		writeError(w, http.StatusBadRequest, "INVALID_JSON", "Unexpected token in JSON body")
		return
	}
	now := s.c.Settings().Now.UTC()
	ss, errs := validateSession(in, now)
	if len(errs) > 0 {
		writeValidation(w, errs)
		return
	}
	ss.Status, ss.Sandbox, ss.CreatedAt = StatusPending, s.Mode == dexpay.Sandbox, now
	var d emulator.Obj
	dup := false
	s.c.Locked(func(tx emulator.Tx[Session], _ emulator.Env) {
		if dup = tx.Taken(ss.Reference); dup {
			return
		}
		for ss.ID = newSessionID(); !tx.Add(ss.Reference, ss, ss.ID); ss.ID = newSessionID() {
		}
		d = s.sessionObject(ss, 0)
	})
	if dup {
		writeError(w, http.StatusConflict, "DUPLICATE_REFERENCE", "A checkout session with this reference already exists")
		return
	}
	s.answer(w, http.StatusCreated, d)
}

// sessionByReference is GET /api/v1/checkout-sessions/reference/{reference}.
func (s *Server) sessionByReference(w http.ResponseWriter, r *http.Request) {
	s.writeSession(w, r.PathValue("reference"))
}

// sessionByID is GET /api/v1/checkout-sessions/{id}: the session ID, or
// the reference as the plugin passes it.
func (s *Server) sessionByID(w http.ResponseWriter, r *http.Request) {
	s.writeSession(w, s.c.Resolve(r.PathValue("id")))
}

func (s *Server) writeSession(w http.ResponseWriter, reference string) {
	var d emulator.Obj
	if !s.c.With(reference, func(ss *Session, env emulator.Env) { d = s.sessionObject(ss, env.Delta) }) {
		writeError(w, http.StatusNotFound, "NOT_FOUND", "Checkout session not found")
		return
	}
	s.answer(w, http.StatusOK, d)
}

// listSessions is GET /api/v1/checkout-sessions?page=&limit=, newest
// first.
func (s *Server) listSessions(w http.ResponseWriter, r *http.Request) {
	page, limit := 1, 10
	for _, q := range []struct {
		name string
		v    *int
		max  int
	}{{"page", &page, 1 << 20}, {"limit", &limit, 100}} {
		if raw := r.URL.Query().Get(q.name); raw != "" {
			n, err := strconv.Atoi(raw)
			if err != nil || n < 1 || n > q.max {
				writeValidation(w, []string{fmt.Sprintf("%s must be an integer between 1 and %d", q.name, q.max)})
				return
			}
			*q.v = n
		}
	}
	all := s.c.All()
	slices.SortFunc(all, func(a, b Session) int {
		return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), cmp.Compare(a.Reference, b.Reference))
	})
	from := min((page-1)*limit, len(all))
	to := min(from+limit, len(all))
	data := make([]emulator.Obj, 0, to-from)
	delta := s.c.Settings().Delta
	for _, ss := range all[from:to] {
		data = append(data, s.sessionObject(&ss, delta))
	}
	total := len(all)
	writeJSON(w, http.StatusOK, map[string]any{
		"success": true, "data": data,
		"pagination": map[string]any{"page": page, "limit": limit, "total": total, "hasNextPage": to < total},
	})
}

// cancelSession is DELETE /api/v1/checkout-sessions/{id}: a pending
// session is cancelled and CHECKOUT_CANCELLED sent.
func (s *Server) cancelSession(w http.ResponseWriter, r *http.Request) {
	var d emulator.Obj
	var refused string
	var ns []emulator.Notification
	ok := s.c.With(s.c.Resolve(r.PathValue("id")), func(ss *Session, env emulator.Env) {
		if slices.Contains(finals, ss.Status) {
			refused = "Checkout session is " + ss.Status + " and cannot be cancelled"
			return
		}
		ss.Status, ss.CompletedAt = StatusCancelled, env.Now.UTC()
		d, ns = s.sessionObject(ss, env.Delta), s.notify(ss, env)
	})
	switch {
	case !ok:
		writeError(w, http.StatusNotFound, "NOT_FOUND", "Checkout session not found")
	case refused != "":
		writeError(w, http.StatusBadRequest, "INVALID_STATUS", refused)
	default:
		_ = s.c.Deliver(context.WithoutCancel(r.Context()), ns)
		s.answer(w, http.StatusOK, d)
	}
}

// createPayout is POST /api/v1/payouts.
func (s *Server) createPayout(w http.ResponseWriter, r *http.Request) {
	in, _, ok := emulator.ReadBody(r, true)
	if !ok {
		writeError(w, http.StatusBadRequest, "INVALID_JSON", "Unexpected token in JSON body")
		return
	}
	p, errs := validatePayout(in)
	if len(errs) > 0 {
		writeValidation(w, errs)
		return
	}
	now := s.c.Settings().Now.UTC()
	p.ID, p.Reference = "po_"+emulator.RandomHex(12), newPayoutReference(now)
	p.Status, p.Fees, p.CreatedAt, p.UpdatedAt = StatusPending, p.Amount/100, now, now // 1%
	d := s.payoutObject(p)
	s.payouts.Add(p.ID, p, p.Reference)
	s.answer(w, http.StatusCreated, d)
}

// getPayout is GET /api/v1/payouts/{id}: by ID, or by reference.
func (s *Server) getPayout(w http.ResponseWriter, r *http.Request) {
	var d emulator.Obj
	if !s.payouts.With(r.PathValue("id"), func(p *Payout) { d = s.payoutObject(p) }) {
		writeError(w, http.StatusNotFound, "NOT_FOUND", "Payout not found")
		return
	}
	s.answer(w, http.StatusOK, d)
}

// cancelPayout is POST /api/v1/payouts/{id}/cancel {reason}: only a
// PENDING payout can be cancelled.
func (s *Server) cancelPayout(w http.ResponseWriter, r *http.Request) {
	in, _, _ := emulator.ReadBody(r, true)
	v, errs := cancelShape.Validate(in)
	if len(errs) > 0 {
		writeValidation(w, errs)
		return
	}
	reason := v.String("reason")
	now := s.c.Settings().Now.UTC()
	var d emulator.Obj
	var st string
	ok := s.payouts.With(r.PathValue("id"), func(p *Payout) {
		if st = p.Status; st == StatusPending {
			p.Status, p.FailureReason, p.UpdatedAt = StatusCancelled, cmp.Or(reason, "Cancelled by merchant"), now
			d = s.payoutObject(p)
		}
	})
	switch {
	case !ok:
		writeError(w, http.StatusNotFound, "NOT_FOUND", "Payout not found")
	case st != StatusPending:
		writeError(w, http.StatusBadRequest, "INVALID_STATUS", "Only PENDING payouts can be cancelled; this one is "+st)
	default:
		s.answer(w, http.StatusOK, d)
	}
}

// show is the payment page of ss.
func (s *Server) show(ss *Session, _ emulator.Env, _ *http.Request) emulator.CheckoutPage {
	return emulator.CheckoutPage{
		Brand:       brand,
		Merchant:    s.merchant,
		Amount:      fmt.Sprintf("%d %s", ss.Amount, ss.Currency),
		Description: ss.ItemName,
		ActionURL:   "/checkout/" + ss.ID,
		Operators:   operators,
	}
}

// livePage is the live payment page of a sandbox session, with
// WithSandboxPaymentURL: it takes no test payment.
func (s *Server) livePage(w http.ResponseWriter, _ *http.Request) {
	emulator.WriteMessagePage(w, http.StatusForbidden, "Session de test",
		"This is a sandbox checkout session: pay it on its sandbox_payment_url.")
}

func expired(ss *Session, now time.Time) bool {
	return !ss.ExpiresAt.IsZero() && !now.Before(ss.ExpiresAt)
}

// press plays a button: the webhook goes out (DEXPAY has no event for
// PROCESSING), and the customer to success_url after paying or choosing to
// pay later, failure_url otherwise.
func (s *Server) press(ss *Session, a providertest.Action, c emulator.Choice, env emulator.Env) emulator.Outcome {
	settle(ss, a, c, env.Now)
	var notify []emulator.Notification
	if a != providertest.PayLater {
		notify = s.notify(ss, env)
	}
	return emulator.SentBack(a, ss.Reference, ss.SuccessURL, ss.FailureURL, notify)
}

// notify is the webhook about ss, to its webhook_url or else the
// dashboard's URL.
func (s *Server) notify(ss *Session, env emulator.Env) []emulator.Notification {
	body := s.webhookBody(ss, env.Delta, env.Now)
	return env.To(s.signedHeader(body, s.WebhookSecret), body, ss.WebhookURL)
}

// signedHeader is a notification's header, signed under secret unless it
// is empty.
func (s *Server) signedHeader(body []byte, secret string) http.Header {
	name := dexpay.SignatureHeader
	if s.legacyHeader {
		name = dexpay.LegacySignatureHeader
	}
	return emulator.SignedHeader(name, secret, body, dexpay.Sign)
}

// Session is the emulator's record of one checkout session.
type Session struct {
	// Reference is the merchant's (the kit's payment ID); ID is DEXPAY's,
	// the path of the hosted page.
	Reference, ID string
	// ItemName, Amount (whole francs), Currency, SuccessURL, FailureURL,
	// WebhookURL, Metadata, ExpiresAt, ClientSupportFee and OneShot are as
	// sent to POST /checkout-sessions.
	ItemName                           string
	Amount                             int64
	Currency                           string
	SuccessURL, FailureURL, WebhookURL string
	Metadata                           map[string]any
	ExpiresAt                          time.Time
	ClientSupportFee                   *bool
	OneShot                            bool
	// Status is DEXPAY's word: PENDING, then COMPLETED, FAILED or
	// CANCELLED, REFUNDED after a refund, or PROCESSING while a pay-later
	// customer's phone has not confirmed (or whatever SetStatus set).
	Status string
	// Later is true while the customer who chose "pay later on my phone"
	// has not confirmed on their phone.
	Later bool
	// Phone is the number the customer typed on the page, if any.
	Phone string
	// Sandbox is the session's isSandbox.
	Sandbox bool
	// AttemptID, Operator, PaymentMethod and TransactionID describe the
	// customer's payment attempt; Error and ErrorCode why it failed;
	// RefundID its refund.
	AttemptID, Operator, PaymentMethod, TransactionID string
	Error, ErrorCode, RefundID                        string
	// CreatedAt is when the session was opened; CompletedAt when it
	// reached a final status.
	CreatedAt, CompletedAt time.Time
}

// Payout is the emulator's record of one payout.
type Payout struct {
	// ID is DEXPAY's ("po_..."), Reference its "PO_YYYYMMDD_XXXXXX".
	ID, Reference string
	// Amount, Currency, DestinationPhone, Operator, CountryISO,
	// RecipientName and Metadata are as sent to POST /payouts.
	Amount                int64
	Currency              string
	DestinationPhone      string
	Operator, CountryISO  string
	RecipientName         string
	Metadata              map[string]any
	Fees                  int64
	Status, FailureReason string
	CreatedAt, UpdatedAt  time.Time
	CompletedAt           time.Time
}

// settle applies the customer's action, with what they chose on the page,
// to a session at now.
func settle(ss *Session, a providertest.Action, c emulator.Choice, now time.Time) {
	if a != providertest.PayLater {
		ss.CompletedAt = now.UTC()
	}
	switch a {
	case providertest.Pay:
		ss.Status = StatusCompleted
		ss.TransactionID = "TXN" + emulator.RandomHex(6)
	case providertest.Fail:
		ss.Status = StatusFailed
		ss.Error, ss.ErrorCode = "Solde insuffisant", "INSUFFICIENT_BALANCE"
	case providertest.Cancel:
		ss.Status = StatusCancelled
		return
	case providertest.PayLater:
		ss.Status, ss.Later = StatusProcessing, true
	}
	ss.AttemptID = "pa_" + emulator.RandomHex(8)
	ss.Operator, ss.PaymentMethod = c.From(operators).Code, "MOBILE_MONEY"
	ss.Phone = c.Phone
}
