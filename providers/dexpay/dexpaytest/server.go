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
//
// Its answers and notifications are the SDK's and the plugin's bodies,
// kept as templates in answers/; the request bodies it takes and its
// tables (operators, the countries they pay out in, error words) are
// shapes/*.json and data/tables.json.
package dexpaytest

import (
	"cmp"
	"context"
	"embed"
	"fmt"
	"net/http"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/internal/emulator"
	"github.com/cauripay/cauri/providers/dexpay"
	"github.com/cauripay/cauri/providers/providertest"
)

// files are DEXPAY's bodies (answers/: sessions, payouts, notifications
// and errors as the SDK and the plugin read them), the request bodies it
// takes (shapes/*.json) and its tables (data/tables.json).
//
//go:embed answers/*.json data/*.json shapes/*.json
var files embed.FS

// opCancel names session cancellation for fault injection; only
// providertest.OpAny faults reach it otherwise.
const opCancel providertest.Op = "cancel"

// Option configures a Server: the options of every emulator
// (providertest.WithMerchant, WithClock, WithWebhookRetries,
// WithWebhookTimeout, WithPayLaterDelay) and this package's.
type Option = providertest.EmulatorOption

// options are a Server's own settings.
type options struct {
	apiKey, apiSecret, webhookSecret string
	mode                             dexpay.Mode
	signatureHeader                  string
	unsigned, sdkEvents              bool
	stringAmounts, flat, sandboxURL  bool
}

// own is an option of this package's.
func own(set func(o *options)) Option { return providertest.Own(set) }

// WithMode sets the environment the server plays: dexpay.Sandbox (the
// default) or dexpay.Live. It decides its keys' prefixes ("pk_test_",
// "pk_live_"...) and its sessions' isSandbox.
func WithMode(m dexpay.Mode) Option { return own(func(o *options) { o.mode = m }) }

// WithKeys sets the public and secret keys the server expects. The
// default is a random pair of the server's mode. Keys whose prefix names
// the other mode ("pk_live_" in the sandbox) make Provider panic, as
// dexpay.New refuses them.
func WithKeys(apiKey, apiSecret string) Option {
	return own(func(o *options) { o.apiKey, o.apiSecret = apiKey, apiSecret })
}

// WithWebhookSecret sets the secret notifications are signed with. The
// default is random.
func WithWebhookSecret(secret string) Option {
	return own(func(o *options) { o.webhookSecret = secret })
}

// WithoutWebhookSignature sends notifications unsigned, as DEXPAY does for
// an account with no webhook secret in its dashboard (the plugin checks
// the signature only when one is configured).
func WithoutWebhookSignature() Option { return own(func(o *options) { o.unsigned = true }) }

// WithLegacySignatureHeader signs notifications in X-DexPay-Signature, the
// header older deployments used, instead of X-Webhook-Signature.
func WithLegacySignatureHeader() Option {
	return own(func(o *options) { o.signatureHeader = dexpay.LegacySignatureHeader })
}

// WithSDKEvents writes notifications as the Node SDK's README reads them,
// {"type": "checkout.completed", "data": {...}}, instead of the plugin's
// {"event": "CHECKOUT_COMPLETED", "data": {...}}.
func WithSDKEvents() Option { return own(func(o *options) { o.sdkEvents = true }) }

// WithStringAmounts writes every amount in answers and notifications as a
// JSON string ("5000") instead of a number.
func WithStringAmounts() Option { return own(func(o *options) { o.stringAmounts = true }) }

// WithFlatAnswers answers sessions and payouts as the object itself, as
// the SDK's types and tests show them, instead of {success, data}.
func WithFlatAnswers() Option { return own(func(o *options) { o.flat = true }) }

// WithSandboxPaymentURL gives sandbox sessions a sandbox_payment_url, the
// page where test payments are made (the plugin sends the customer there
// first), and a payment_url that refuses to take a sandbox payment.
func WithSandboxPaymentURL() Option { return own(func(o *options) { o.sandboxURL = true }) }

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
	c        *emulator.Core[Session]
	o        options
	t        tables
	merchant string
	api      emulator.Envelope
	shapes   map[string]*emulator.Shape // session, payout, cancel
	payouts  emulator.Ledger[Payout]    // by ID and reference
}

var _ providertest.Emulator = (*Server)(nil)

// New starts a Server on 127.0.0.1. Close it when done.
func New(opts ...Option) *Server {
	o := options{mode: dexpay.Sandbox, signatureHeader: dexpay.SignatureHeader}
	set := providertest.Configure(&o, opts)
	if o.mode != dexpay.Live {
		o.mode = dexpay.Sandbox
	}
	env := map[dexpay.Mode]string{dexpay.Sandbox: "test", dexpay.Live: "live"}[o.mode]
	o.apiKey = cmp.Or(o.apiKey, "pk_"+env+"_"+emulator.RandomHex(16))
	o.apiSecret = cmp.Or(o.apiSecret, "sk_"+env+"_"+emulator.RandomHex(16))
	if o.webhookSecret = cmp.Or(o.webhookSecret, "whsec_"+emulator.RandomHex(16)); o.unsigned {
		o.webhookSecret = ""
	}
	s := &Server{APIKey: o.apiKey, APISecret: o.apiSecret, WebhookSecret: o.webhookSecret, Mode: o.mode,
		o: o, t: emulator.LoadData[tables](files, "data/tables.json"), merchant: set.Merchant}
	s.api = s.t.API
	if s.api.Answers = emulator.LoadAnswers(files, "answers/*.json"); o.flat {
		s.api.OK = ""
	}
	s.shapes = emulator.LoadShapes(files, "shapes/*.json", emulator.NestJS, map[string]func(any) (string, string){"future": emulator.Future(set.Now)})
	s.c = emulator.NewCore(emulator.Spec[Session]{
		Name: "dexpaytest", Agent: "DEXPAY-Webhook/1.0 (emulator)", ErrorBody: s.api.ErrorBody(s.t.Refusals), Settings: set,
		Auth: emulator.HeaderKeys(s.api.Refuser(s.t.Refused["noKeys"]), s.api.Refuser(s.t.Refused["badKeys"]),
			dexpay.HeaderAPIKey, o.apiKey, dexpay.HeaderAPISecret, o.apiSecret),
		Waiting: func(ss *Session) bool { return ss.Later && ss.Status == StatusProcessing },
		Confirm: func(ss *Session, env emulator.Env) []emulator.Notification {
			ss.Later = false
			ss.Status, ss.CompletedAt = StatusCompleted, env.Now.UTC()
			ss.TransactionID = "TXN" + emulator.RandomHex(6)
			return s.notify(ss, env)
		},
	})
	s.URL, s.shell = s.c.URL, &s.c.Shell
	created, ok := http.StatusCreated, http.StatusOK
	s.c.API("POST /api/v1/checkout-sessions", providertest.OpCreate, s.api.Handle(created, s.createSession))
	s.c.API("GET /api/v1/checkout-sessions", providertest.OpStatus, s.api.Bare(ok, s.listSessions))
	s.c.API("GET /api/v1/checkout-sessions/reference/{id}", providertest.OpStatus, s.api.Handle(ok, s.getSession))
	s.c.API("GET /api/v1/checkout-sessions/{id}", providertest.OpStatus, s.api.Handle(ok, s.getSession))
	s.c.API("DELETE /api/v1/checkout-sessions/{id}", opCancel, s.api.Handle(ok, s.cancelSession))
	s.c.API("POST /api/v1/payouts", providertest.OpPayout, s.api.Handle(created, s.createPayout))
	s.c.API("GET /api/v1/payouts/{id}", providertest.OpPayout, s.api.Handle(ok, s.getPayout))
	s.c.API("POST /api/v1/payouts/{id}/cancel", providertest.OpPayout, s.api.Handle(ok, s.cancelPayout))
	s.c.Open("/api/v1/", providertest.OpAny, func(w http.ResponseWriter, r *http.Request) {
		s.api.Refuse(w, s.t.Refused["noRoute"].With(r.Method, r.URL.Path))
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
	body, err := s.payouts.Lookup(id, fmt.Errorf("dexpaytest: no payout %q", id), func(p *Payout) error {
		if p.Status != StatusPending && p.Status != StatusProcessing {
			return fmt.Errorf("dexpaytest: payout %q is already %s", id, p.Status)
		}
		p.Status, p.UpdatedAt, p.CompletedAt = status, env.Now.UTC(), env.Now.UTC()
		if status == StatusFailed {
			p.FailureReason = "Numéro destinataire invalide"
		}
		return nil
	}, func(p *Payout) []byte { return s.event("PAYOUT", status, s.payout(p), env.Now) })
	if err != nil {
		return err
	}
	return s.c.Deliver(ctx, env.To(s.signed(body, s.WebhookSecret), body))
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
	body := s.checkoutEvent(&forged, 0, now)
	return s.c.Forge(ctx, emulator.Notification{URL: url, Header: s.signed(body, emulator.ForgedSecret(s.WebhookSecret)), Body: body})
}
