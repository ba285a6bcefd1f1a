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
//     [providertest.WithPayLaterDelay]) then makes it SUCCESS and notifies again;
//   - notifications in the seed's body (id, externalTransactionId,
//     transactionType, AMOUNT, FEE, PHONE_NUMBER, STATUS, CUSTOM_DATA,
//     COMPLETED_AT) posted to the link's callBackURL, unsigned as
//     documented, or signed with X-Webhook-Signature
//     ([WithWebhookSecret]).
//
// The answers and the notification are the documentation's examples with
// their values filled in, keys in its order: answers/link.json (the
// seed's get-link answer) and answers/link-nested.json (the OpenAPI
// block's), answers/transaction.json (get-transaction),
// answers/merchant.json (the merchant lookup), answers/webhook.json and
// answers/error.json. The services of Senegal are data/operators.json and
// data/services.json.
package dexchangetest

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/internal/emulator"
	"github.com/cauripay/cauri/providers/dexchange"
	"github.com/cauripay/cauri/providers/providertest"
)

// DefaultRateLimit is DEXCHANGE's standard tier: requests per minute per
// API key.
const DefaultRateLimit = 100

// Option configures a Server: the options of every emulator
// (providertest.WithMerchant, WithClock, WithWebhookRetries,
// WithWebhookTimeout, WithPayLaterDelay) and this package's.
type Option = providertest.EmulatorOption

type options struct {
	apiKey, webhookSecret string
	rateLimit             int
	ratePer               time.Duration
	nested                bool
}

// WithAPIKey sets the API key the server expects. The default is a random
// "sk.test." key.
func WithAPIKey(key string) Option { return providertest.Own(func(o *options) { o.apiKey = key }) }

// WithWebhookSecret makes the server sign its notifications with
// X-Webhook-Signature, the hex HMAC-SHA256 of the body under secret, as
// community accounts of DEXCHANGE's newer DexPay API describe. The default,
// as the get-link documentation describes, is unsigned notifications.
func WithWebhookSecret(secret string) Option {
	return providertest.Own(func(o *options) { o.webhookSecret = secret })
}

// WithRateLimit sets how many API requests the server accepts per period
// before answering 429 with Retry-After. The default is DefaultRateLimit
// per minute, DEXCHANGE's standard tier; n <= 0 or per <= 0 means no limit
// (for benchmarks and load tests).
func WithRateLimit(n int, per time.Duration) Option {
	return providertest.Own(func(o *options) { o.rateLimit, o.ratePer = n, per })
}

// WithNestedLinkResponse makes get-link answer the OpenAPI block's shape,
// {"message": ..., "transaction": {...}}, instead of the seed
// documentation's flat object.
func WithNestedLinkResponse() Option { return providertest.Own(func(o *options) { o.nested = true }) }

type shell = emulator.Shell

// Server is the emulated DEXCHANGE. Its methods are safe for concurrent
// use. Besides its own, it has those of every emulator: SetWebhookURL
// (where notifications go for links created without callBackURL, which
// always wins; empty, the default, sends none for them),
// SetWebhookPolicy, FlushWebhooks, Deliveries, Requests (the latest 1000
// API requests), InjectFault (providertest.OpCreate is get-link, OpStatus
// the two transaction lookups, OpAny any API call), AwaitSlowHeld,
// AwaitSlowAnswered, ReportAmountDelta (lookups and notifications, in
// XOF), Act (the successUrl or failureUrl DEXCHANGE sends the customer
// to), ConfirmLater (by transactionId: the transaction is SUCCESS and its
// callBackURL notified) and Close.
type Server struct {
	// URL is the server's root, "http://127.0.0.1:port". The API is under
	// URL + "/api/v1", the payment pages under URL + "/process/".
	URL string
	// APIKey is the key the server expects as a bearer token.
	APIKey string
	// WebhookSecret signs the notifications; empty (the default) sends
	// them unsigned.
	WebhookSecret string

	*shell
	c        *emulator.Core[Payment]
	merchant string
	link     string // get-link's answer
	// answers are DEXCHANGE's documented JSON bodies.
	answers emulator.Answers
	// operators are the services the payment page offers: the collection
	// (CASHOUT) services of Senegal that DEXCHANGE's API reference lists
	// under "Available Services by Country" (docs-api.dexchange.sn,
	// endpoint services), by the serviceCode a transaction lookup
	// reports. Orange Money comes first: the get-transaction example's
	// OM_SN_CASHOUT, the one a customer who chooses nothing pays with.
	operators []emulator.Operator
	// serviceNames are the services' ServiceName in lookups, by
	// serviceCode.
	serviceNames map[string]string
}

var _ providertest.Emulator = (*Server)(nil)

// New starts a Server on 127.0.0.1. Close it when done.
func New(opts ...Option) *Server {
	o := options{rateLimit: DefaultRateLimit, ratePer: time.Minute, apiKey: "sk.test." + emulator.RandomHex(16)}
	set := providertest.Configure(&o, opts)
	s := &Server{APIKey: o.apiKey, WebhookSecret: o.webhookSecret, merchant: set.Merchant, link: "link.json",
		answers:      emulator.LoadAnswers(files, "answers/*.json"),
		operators:    emulator.LoadData[[]emulator.Operator](files, "data/operators.json"),
		serviceNames: emulator.LoadData[map[string]string](files, "data/services.json")}
	if o.nested {
		s.link = "link-nested.json"
	}
	s.c = emulator.NewCore(emulator.Spec[Payment]{
		Name: "dexchangetest", Agent: "DEXCHANGE-Webhook/1.0 (emulator)", ErrorBody: s.errorBody(), Settings: set,
		Auth: emulator.Bearer(s.APIKey, func(w http.ResponseWriter, _ *http.Request) {
			s.writeError(w, http.StatusUnauthorized, "Invalid API key")
		}),
		Edge: emulator.RateLimit(o.rateLimit, o.ratePer, set.Now, func(w http.ResponseWriter) {
			s.writeError(w, http.StatusTooManyRequests, "ThrottlerException: Too Many Requests")
		}),
		Waiting: func(p *Payment) bool { return p.Later && p.Status == statusProcessing },
		Confirm: func(p *Payment, env emulator.Env) []emulator.Notification {
			p.Later = false
			p.Status, p.CompletedAt = statusSuccess, env.Now.UTC()
			p.Fee = p.ItemPrice / 100 // 1%, borne by the merchant
			return s.notify(p, env)
		},
	})
	s.URL, s.shell = s.c.URL, &s.c.Shell
	s.c.API("POST /api/v1/transaction/merchant/get-link", providertest.OpCreate, s.getLink)
	s.c.API("GET /api/v1/transaction/merchant/{id}", providertest.OpStatus, s.merchantTransaction)
	s.c.API("GET /api/v1/transaction/{id}", providertest.OpStatus, s.transaction)
	s.c.Open("/api/v1/", providertest.OpAny, func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, http.StatusNotFound, "Cannot "+r.Method+" "+r.URL.Path)
	})
	s.c.Host(emulator.Hosted[Payment]{Path: "/process/{id}", Key: "id", Lang: "fr", Noun: "Transaction",
		Status: func(p *Payment) string { return p.Status }, Finals: finals,
		Show: s.show, Press: s.press})
	s.c.Start()
	return s
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
func (s *Server) Provider() cauri.Provider { return emulator.Must(dexchange.New(s.Config())) }

// Payment returns a copy of the transaction with DEXCHANGE transactionId
// id.
func (s *Server) Payment(id string) (Payment, bool) { return s.c.Get(id) }

// PaymentByExternalID returns a copy of the transaction created with
// externalTransactionId id (the kit's payment ID).
func (s *Server) PaymentByExternalID(id string) (Payment, bool) {
	tx, ok := s.c.Alias(id)
	if !ok {
		return Payment{}, false
	}
	return s.Payment(tx)
}

// SetStatus sets a transaction's status to any word, documented or not,
// without a notification: for tests of what a client does with PROCESSING
// or an unknown status.
func (s *Server) SetStatus(id, status string) error {
	return s.c.SetStatus(id, func(p *Payment) { p.Status = status })
}

// Expire lets a pending link expire, as DEXCHANGE does to an unpaid link,
// and notifies its callBackURL.
func (s *Server) Expire(ctx context.Context, id string) error {
	return s.c.Update(ctx, id, func(p *Payment, env emulator.Env) ([]emulator.Notification, error) {
		if slices.Contains(finals, p.Status) {
			return nil, fmt.Errorf("dexchangetest: transaction %q is already %s", id, p.Status)
		}
		p.Status, p.CompletedAt = statusExpired, env.Now.UTC()
		return s.notify(p, env), nil
	})
}

// Forge posts to url a notification claiming the transaction providerRef
// succeeded. The server's records do not change, and a lookup still gives
// the true status. With a webhook secret, it is signed with a wrong one;
// without, it is the plain claim an unsigned notification is, which the
// kit must confirm. It fails only when the post does; the receiver's
// answer is in Deliveries.
func (s *Server) Forge(ctx context.Context, url, providerRef string) error {
	forged, ok := s.c.Get(providerRef)
	if !ok {
		forged = Payment{TransactionID: providerRef, ItemPrice: 100, CustomData: "{}"}
	} else {
		forged.CompletedAt = s.c.Settings().Now.UTC()
	}
	forged.Status = statusSuccess
	body := s.answers.Render("webhook.json", view{&forged, emulator.Env{}})
	h := emulator.SignedHeader(dexchange.SignatureHeader, emulator.ForgedSecret(s.WebhookSecret), body, dexchange.Sign)
	return s.c.Forge(ctx, emulator.Notification{URL: url, Header: h, Body: body})
}

// write answers status with the answer name rendered with data, as
// DEXCHANGE's API (NestJS on Express) types its JSON.
func (s *Server) write(w http.ResponseWriter, status int, name string, data any) {
	emulator.Reply{Answers: s.answers, ContentType: "application/json; charset=utf-8"}.Write(w, status, name, data)
}

// writeError answers DEXCHANGE's documented error body:
// {"message": ["..."], "success": false}.
func (s *Server) writeError(w http.ResponseWriter, status int, messages ...string) {
	s.write(w, status, "error.json", messages)
}

// errorBody is DEXCHANGE's body for an injected error status.
func (s *Server) errorBody() emulator.ErrorBody {
	return emulator.Refusals{
		0:                              {Message: "Error"},
		http.StatusForbidden:           {Message: "API under maintenance"},
		http.StatusTooManyRequests:     {Message: "ThrottlerException: Too Many Requests"},
		http.StatusInternalServerError: {Message: "Internal server error"},
	}.Body("application/json; charset=utf-8", func(_ int, r emulator.Refusal) any {
		return json.RawMessage(s.answers.Render("error.json", []string{r.Message}))
	})
}

// getLink is POST /api/v1/transaction/merchant/get-link.
func (s *Server) getLink(w http.ResponseWriter, r *http.Request) {
	in, _, ok := emulator.ReadBody(r, true)
	if !ok {
		s.writeError(w, http.StatusBadRequest, "Unexpected token in JSON body")
		return
	}
	v, errs := linkShape.Validate(in)
	if len(errs) > 0 {
		s.writeError(w, http.StatusBadRequest, errs...)
		return
	}
	p := linkPayment(v)
	p.Status, p.CreatedAt = statusPending, s.c.Settings().Now.UTC()
	for p.TransactionID = newTransactionID(); !s.c.Add(p.TransactionID, p, p.ExternalTransactionID); p.TransactionID = newTransactionID() {
		if _, dup := s.c.Alias(p.ExternalTransactionID); dup {
			s.writeError(w, http.StatusConflict, "External transaction ID already exists")
			return
		}
	}
	link, env, _ := s.c.Snapshot(p.TransactionID)
	s.write(w, http.StatusCreated, s.link, view{&link, env})
}

// transaction is GET /api/v1/transaction/{id}.
func (s *Server) transaction(w http.ResponseWriter, r *http.Request) {
	s.lookup(w, r.PathValue("id"), "transaction.json")
}

// merchantTransaction is GET /api/v1/transaction/merchant/{id}, by
// transactionId or externalTransactionId.
func (s *Server) merchantTransaction(w http.ResponseWriter, r *http.Request) {
	s.lookup(w, s.c.Resolve(r.PathValue("id")), "merchant.json")
}

// lookup answers the answer name about transaction id, or 404.
func (s *Server) lookup(w http.ResponseWriter, id, name string) {
	p, env, ok := s.c.Snapshot(id)
	if !ok {
		s.writeError(w, http.StatusNotFound, "No transaction found")
		return
	}
	s.write(w, http.StatusOK, name, view{&p, env})
}

// show is the payment page of p.
func (s *Server) show(p *Payment, _ emulator.Env, _ *http.Request) emulator.CheckoutPage {
	return emulator.CheckoutPage{
		Brand:       brand,
		Merchant:    s.merchant,
		Amount:      fmt.Sprintf("%d FCFA", p.ItemPrice),
		Description: p.ItemName,
		ActionURL:   "/process/" + p.TransactionID,
		Operators:   s.operators,
		Customer:    emulator.PageCustomer{Name: p.ClientName, Email: p.Email, Phone: p.ClientPhone},
	}
}

// press plays a button: the callBackURL is notified, and the customer sent
// to successUrl after paying (or choosing to pay later), failureUrl
// otherwise.
func (s *Server) press(p *Payment, a providertest.Action, c emulator.Choice, env emulator.Env) emulator.Outcome {
	s.settle(p, a, c, env.Now)
	return emulator.SentBack(a, p.TransactionID, p.SuccessURL, p.FailureURL, s.notify(p, env))
}

// notify is the notification about p, to its callBackURL or else the
// dashboard's URL, signed when the server has a webhook secret.
func (s *Server) notify(p *Payment, env emulator.Env) []emulator.Notification {
	body := s.answers.Render("webhook.json", view{p, env})
	return env.To(emulator.SignedHeader(dexchange.SignatureHeader, s.WebhookSecret, body, dexchange.Sign), body, p.CallBackURL)
}

// Payment is the emulator's record of one merchant transaction.
type Payment struct {
	// TransactionID is DEXCHANGE's ID ("MID" and nine digits).
	TransactionID string
	// ExternalTransactionID, ItemName, ItemPrice (in FCFA), CustomData,
	// CallBackURL, SuccessURL, FailureURL, ClientName, ClientPhone and
	// Email are as sent to get-link.
	ExternalTransactionID, ItemName                 string
	ItemPrice                                       int64
	CustomData, CallBackURL, SuccessURL, FailureURL string
	ClientName, ClientPhone, Email                  string
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
func (s *Server) settle(p *Payment, a providertest.Action, c emulator.Choice, now time.Time) {
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
		op := c.From(s.operators)
		p.ServiceName, p.ServiceCode = s.serviceNames[op.Code], op.Code
		p.OperatorAPI = strings.TrimSuffix(op.Code, "_SN_CASHOUT") + emulator.RandomHex(5)
		// The number typed, else the one the link was created with, else
		// a Senegalese test number.
		p.PhoneNumber = cmp.Or(c.Phone, p.ClientPhone, "771234567")
	}
}
