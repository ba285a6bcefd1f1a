// Package novasendtest emulates NovaSend's merchant API on loopback: a real
// HTTP server that opens payin sessions, answers status calls, serves the
// paymentUrl page where the customer accepts, fails, declines or accepts
// to pay later on the phone, and sends signed webhooks. It implements [providertest.Emulator], and it is meant
// for tests and offline demos:
//
//	srv := novasendtest.New()
//	defer srv.Close()
//	srv.SetWebhookURL(shop.URL + "/pay/webhooks/novasend")
//	kit, _ := cauri.New(cauri.Config{Providers: []cauri.Provider{srv.Provider()}, ...})
//
// It follows NovaSend's documentation: HTTP Basic base64(api_key:api_client)
// (401 without credentials, 403 api_token_invalid with wrong ones), a
// mandatory UUID X-Idempotency-Key on POST /v1/payin/sessions whose replay
// returns the first answer and creates nothing, the session validated
// (400, 404 country_not_found, 404 wallet_not_found without the merchant's
// accountId), answers in the documented shapes, the
// confirmation lifecycle (status, confirmationStatus and transaction.status
// moving as the customer acts), webhooks in the documented payin-object
// body signed with X-Signature-Value, and the customer sent back to
// action.successUrl or action.failureUrl. Every status call is timed per
// payin (see Payin.StatusCalls), against NovaSend's one call per 5 to 10
// seconds; WithPollLimit makes the server refuse faster polling.
//
// Where NovaSend's documents show several forms, options choose the
// others: WithTransactionInWebhooks, WithEscapedWebhooks and
// WithStringifiedSignature (the webhook page's "\/"-escaped sample and its
// JSON.stringify check), WithoutTransactionInStatus, WithFeePaidByCustomer.
//
// Where NovaSend documents nothing, the emulator chooses: its error bodies
// are {"statusCode", "code", "message"} with the documented codes and
// messages (in French when Accept-Language asks for it), validation errors
// list the fields in "errors"; only an answered creation (201) is
// remembered under its idempotency key, so a refused request may be
// corrected and sent again with the same key, while the same key with
// another body gets 409 idempotency_key_reused and a reference already used
// under another key 409 reference_already_used; customerName is required,
// as the English seed says; the fee is 2%, as the seed's 300 → 6; and
// returning customers get action's URL as it was given, with nothing
// appended.
//
// The paymentUrl page shows NovaSend's name and colours, the amount, the
// payin's reference, the wallets of the payin's country to choose from
// (NovaSend documents none: see walletsByCountry) and the customer's name
// and number as the session gave them (customerName, msisdn). The customer
// is sent to action.successUrl after accepting and to failureUrl after a
// failure or a refusal, as the newer API's action documents. "Pay later on
// my phone" is the documented state "processed: the customer validated
// the payment, which does not make it final": status processed,
// confirmationStatus accepted and a pending transaction, a webhook saying
// so, and the customer sent to successUrl; [Server.ConfirmLater] (or
// [providertest.WithPayLaterDelay]) then completes the transaction and sends a webhook
// again.
package novasendtest

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/internal/emulator"
	"github.com/cauripay/cauri/providers/novasend"
	"github.com/cauripay/cauri/providers/providertest"
)

// Delivery is one webhook delivery attempt, as [Server.Deliveries] records
// it. It is [providertest.Delivery], the type every emulator records
// deliveries with, where each field is documented.
type Delivery = providertest.Delivery

// Request is one API call as [Server.Requests] records it; it is
// [providertest.Request].
type Request = providertest.Request

// Sign returns the X-Signature-Value of body under secret; it is
// [novasend.Sign].
func Sign(secret string, body []byte) string { return novasend.Sign(secret, body) }

// MaxAmount is the largest payin the emulator accepts, in whole units: a
// larger one gets NovaSend's 400 "Invalid amount" (the provider's limit).
const MaxAmount = 2_000_000

// Option configures a Server: the options of every emulator
// (providertest.WithMerchant, WithClock, WithWebhookRetries,
// WithWebhookTimeout, WithPayLaterDelay) and this package's.
type Option = providertest.EmulatorOption

type options struct {
	apiKey, apiClient, webhookSecret, accountID         string
	pollLimit                                           time.Duration
	webhookTransaction, escapedWebhooks, stringifiedSig bool
	noStatusTransaction, feePaidByCustomer              bool
}

// WithCredentials sets the api_key and api_client the server expects. The
// defaults are random.
func WithCredentials(apiKey, apiClient string) Option {
	return providertest.Own(func(o *options) { o.apiKey, o.apiClient = apiKey, apiClient })
}

// WithWebhookSecret sets the secret webhooks are signed with. The default is
// random.
func WithWebhookSecret(secret string) Option {
	return providertest.Own(func(o *options) { o.webhookSecret = secret })
}

// WithAccountID sets the merchant account the server knows. A session
// must name it as accountId, as NovaSend's payin documentation has it: one
// without accountId, or naming another account, gets NovaSend's documented
// 404 wallet_not_found ("verify the wallet identifier"). The default is a
// random "merchant_" ID.
func WithAccountID(id string) Option { return providertest.Own(func(o *options) { o.accountID = id }) }

// WithTransactionInWebhooks adds the transaction object, as the status
// endpoint gives it, to the webhooks. NovaSend's documented webhook body
// has none; with it, a signed webhook is the final word on its own.
func WithTransactionInWebhooks() Option {
	return providertest.Own(func(o *options) { o.webhookTransaction = true })
}

// WithEscapedWebhooks sends webhook bodies written as the documentation's
// sample is, the way PHP's json_encode writes JSON by default: "/" as "\/"
// and every non-ASCII character as a \u escape. Unless
// WithStringifiedSignature is given too, the signature is over these bytes.
func WithEscapedWebhooks() Option {
	return providertest.Own(func(o *options) { o.escapedWebhooks = true })
}

// WithStringifiedSignature signs webhooks as NovaSend's documented check
// reads them: over the compact form JavaScript's JSON.stringify writes of
// the body, not over the bytes sent. That form has "/" and non-ASCII
// characters as they are and escapes only quotes, backslashes and control
// characters; the emulator writes it with encoding/json, which, unlike
// JSON.stringify, also escapes U+2028 and U+2029 (no emulated value holds
// them unless a test puts them in a customer's name).
func WithStringifiedSignature() Option {
	return providertest.Own(func(o *options) { o.stringifiedSig = true })
}

// WithoutTransactionInStatus leaves the transaction key out of every
// status answer, settled or not, as some client code reports of NovaSend's
// newer API: a payin the customer accepted then reads processed/accepted
// and nothing more. A declined or expired one still says so in its
// confirmationStatus and status.
func WithoutTransactionInStatus() Option {
	return providertest.Own(func(o *options) { o.noStatusTransaction = true })
}

// WithFeePaidByCustomer makes the customer pay NovaSend's fee on top of
// the payin's amount: the transaction processes amount + fee (its amount
// and chargedAmount) and states the fee in its fees, and the webhook's
// amount and chargedAmount are the charged sum with fees 0, as in the
// documentation's webhook sample (amount 306, fees 0, chargedAmount 306,
// where the seed's payin of 300 has a fee of 6). Status answers keep the
// seed's top level: amount, fee, and chargedAmount = amount + fee.
func WithFeePaidByCustomer() Option {
	return providertest.Own(func(o *options) { o.feePaidByCustomer = true })
}

// WithPollLimit makes the server answer 429 with Retry-After to a status
// call made less than d after the last one it answered about the same
// payin, enforcing NovaSend's polling guidance (novasend.MinPollInterval).
// The default, zero, answers every call.
func WithPollLimit(d time.Duration) Option {
	return providertest.Own(func(o *options) { o.pollLimit = d })
}

type shell = emulator.Shell

// Server is the emulated NovaSend. Its methods are safe for concurrent use.
// Besides its own, it has those of every emulator: SetWebhookURL (as a
// webhook set up in NovaSend's Business portal would: NovaSend takes no
// notification URL per payment; empty, the default, sends none),
// SetWebhookPolicy, FlushWebhooks, Deliveries, Requests, InjectFault
// (providertest.OpCreate is POST /v1/payin/sessions, OpStatus GET
// /v1/payin/{reference}, OpAny any API call; payouts are not emulated),
// AwaitSlowHeld, AwaitSlowAnswered, ReportAmountDelta (amount,
// chargedAmount, transaction.amount and transaction.chargedAmount, in
// smallest units), Act (action.successUrl after paying or choosing to pay
// later, failureUrl otherwise, "" for a session opened without action)
// and Close.
type Server struct {
	// URL is the server's root, "http://127.0.0.1:port". The API is under
	// URL + "/v1", the payment pages under URL + "/link/".
	URL string
	// APIKey and APIClient are the credentials the server expects.
	APIKey, APIClient string
	// WebhookSecret signs the webhooks.
	WebhookSecret string
	// AccountID is the merchant account the server knows.
	AccountID string

	*shell
	c                   *emulator.Core[Payin]
	merchant            string
	pollLimit           time.Duration
	webhookTransaction  bool
	escapedWebhooks     bool             // bodies written as PHP's json_encode does
	stringifiedSig      bool             // signed over JSON.stringify's form
	noStatusTransaction bool             // status answers without transaction
	feePaidByCustomer   bool             // payins charged amount + fee
	idem                emulator.Replays // X-Idempotency-Key → first answer; under the core's lock
}

var _ providertest.Emulator = (*Server)(nil)

// New starts a Server on 127.0.0.1. Close it when done.
func New(opts ...Option) *Server {
	o := options{
		apiKey: "pk_" + emulator.RandomHex(12), apiClient: "sk_" + emulator.RandomHex(16),
		webhookSecret: emulator.RandomHex(16), accountID: "merchant_" + emulator.RandomHex(4),
	}
	set := providertest.Configure(&o, opts)
	s := &Server{
		APIKey: o.apiKey, APIClient: o.apiClient, WebhookSecret: o.webhookSecret, AccountID: o.accountID,
		merchant: set.Merchant, pollLimit: o.pollLimit, webhookTransaction: o.webhookTransaction,
		escapedWebhooks: o.escapedWebhooks, stringifiedSig: o.stringifiedSig,
		noStatusTransaction: o.noStatusTransaction, feePaidByCustomer: o.feePaidByCustomer,
	}
	s.c = emulator.NewCore(emulator.Spec[Payin]{
		Name: "novasendtest", Agent: "NovaSend-Webhooks/1.0 (emulator)", Auth: s.authenticated, ErrorBody: errorBody, Settings: set,
		Waiting: func(p *Payin) bool { return p.Later && !p.final() },
		Confirm: func(p *Payin, env emulator.Env) []emulator.Notification {
			p.Later = false
			p.Transaction.Status, p.Transaction.ProcessedAt = transactionCompleted, env.Now.UTC()
			return s.notify(p, env)
		},
	})
	s.URL, s.shell = s.c.URL, &s.c.Shell
	s.c.API("POST /v1/payin/sessions", providertest.OpCreate, s.createSession)
	s.c.API("GET /v1/payin/{reference}", providertest.OpStatus, s.getPayin)
	s.c.API("/v1/", providertest.OpAny, func(w http.ResponseWriter, r *http.Request) {
		writeError(w, r, http.StatusNotFound, "not_found", "Cannot "+r.Method+" "+r.URL.Path, "Ressource introuvable")
	})
	s.c.Handle("GET /health", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	s.c.Host(emulator.Hosted[Payin]{Path: "/link/{code}", Key: "code", Lang: "en",
		Final: (*Payin).final, Word: (*Payin).state, Show: s.show, Press: s.press})
	s.c.Start()
	return s
}

// BaseURL is the API's root, for novasend.Config.BaseURL.
func (s *Server) BaseURL() string { return s.URL + "/v1" }

// Config returns a novasend.Config for this server: its credentials, its
// webhook secret, its account and its base URL.
func (s *Server) Config() novasend.Config {
	return novasend.Config{
		APIKey: s.APIKey, APIClient: s.APIClient, WebhookSecrets: []string{s.WebhookSecret},
		AccountID: s.AccountID, BaseURL: s.BaseURL(),
	}
}

// Provider returns a novasend.Provider configured against this server.
func (s *Server) Provider() cauri.Provider { return emulator.Must(novasend.New(s.Config())) }

// Sign returns the X-Signature-Value of body under the server's webhook
// secret.
func (s *Server) Sign(body []byte) string { return novasend.Sign(s.WebhookSecret, body) }

// Payment returns a copy of the payin whose NovaSend reference, or
// merchant reference, is ref.
func (s *Server) Payment(ref string) (Payin, bool) { return s.c.Get(s.c.Resolve(ref)) }

// Payins returns a copy of every payin, oldest first.
func (s *Server) Payins() []Payin {
	out := s.c.All()
	slices.SortStableFunc(out, func(a, b Payin) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return out
}

// SetStatus sets a payin's three statuses to any words, documented or
// not, without a webhook: for tests of what a client does with them. An
// empty transactionStatus makes transaction null.
func (s *Server) SetStatus(ref, status, confirmationStatus, transactionStatus string) error {
	now := s.c.Settings().Now
	return s.c.SetStatus(s.c.Resolve(ref), func(p *Payin) {
		p.Status, p.ConfirmationStatus = status, confirmationStatus
		switch {
		case transactionStatus == "":
			p.Transaction = nil
		case p.Transaction == nil:
			p.Transaction = &Transaction{Reference: "tr_" + emulator.RandomFrom(lowerAlnum, 16), Status: transactionStatus, ProcessedAt: now.UTC()}
		default:
			p.Transaction.Status = transactionStatus
		}
	})
}

// Expire plays the confirmation delay running out on a pending payin:
// status and confirmationStatus become expired, and a webhook is sent.
func (s *Server) Expire(ctx context.Context, ref string) error {
	return s.c.Update(context.WithoutCancel(ctx), s.c.Resolve(ref), func(p *Payin, env emulator.Env) ([]emulator.Notification, error) {
		if p.final() {
			return nil, fmt.Errorf("novasendtest: payin %q is settled", ref)
		}
		p.Status, p.ConfirmationStatus = statusExpired, confirmationExpired
		p.Failure = &Failure{Code: "confirmation_expired", Message: "The confirmation delay has expired"}
		return s.notify(p, env), nil
	})
}

// ConfirmLater plays the phone of the customer who chose "pay later on my
// phone" for the payin whose NovaSend reference, or merchant reference, is
// ref confirming it: its transaction completes and a webhook is sent.
// Webhooks not held by the policy have been delivered and answered when it
// returns. It fails, wrapping emulator.ErrNotWaiting, when the payin is not
// waiting for its customer's phone.
func (s *Server) ConfirmLater(ctx context.Context, ref string) error {
	return s.c.Later().Confirm(ctx, s.c.Resolve(ref))
}

// Forge posts to url a webhook claiming that the payin with reference
// providerRef was paid (processed, accepted, transaction completed, for its
// full amount), signed with a wrong secret. The server's records do not
// change. It fails only when the post does; the receiver's answer is in
// Deliveries.
func (s *Server) Forge(ctx context.Context, url, providerRef string) error {
	now := s.c.Settings().Now.UTC()
	forged, ok := s.Payment(providerRef)
	if !ok {
		forged = Payin{Reference: providerRef, CustomerReference: providerRef, Amount: 100, Currency: "XOF", CreatedAt: now}
	}
	forged.Status, forged.ConfirmationStatus, forged.Failure = statusProcessed, confirmationAccepted, nil
	forged.Transaction = &Transaction{Reference: "tr_" + emulator.RandomFrom(lowerAlnum, 16), Status: transactionCompleted, ProcessedAt: now}
	body, signed := s.webhookForms(&forged, 0, true)
	return s.c.Forge(ctx, emulator.Notification{URL: url, Header: signedBy(novasend.Sign("forged-"+emulator.RandomHex(8), signed)), Body: body})
}

// authenticated checks HTTP Basic base64(api_key:api_client): 401 when the
// header is missing or unreadable, 403 api_token_invalid when the
// credentials are wrong.
func (s *Server) authenticated(w http.ResponseWriter, r *http.Request) bool {
	scheme, enc, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(enc))
	key, client, hasColon := bytes.Cut(raw, []byte(":"))
	if !strings.EqualFold(scheme, "Basic") || err != nil || !hasColon {
		writeError(w, r, http.StatusUnauthorized, "unauthorized", "Unauthorized", "Non autorisé")
		return false
	}
	if subtle.ConstantTimeCompare(key, []byte(s.APIKey))&subtle.ConstantTimeCompare(client, []byte(s.APIClient)) != 1 {
		writeError(w, r, http.StatusForbidden, "api_token_invalid", "Invalid API credentials", "Identifiants API invalides")
		return false
	}
	return true
}

// createSession is POST /v1/payin/sessions.
func (s *Server) createSession(w http.ResponseWriter, r *http.Request) {
	key := strings.TrimSpace(r.Header.Get(novasend.IdempotencyHeader))
	switch {
	case key == "":
		writeError(w, r, http.StatusBadRequest, "idempotency_key_required",
			"The X-Idempotency-Key header is required", "L'en-tête X-Idempotency-Key est obligatoire")
		return
	case !emulator.IsUUID(key):
		writeError(w, r, http.StatusBadRequest, "idempotency_key_invalid",
			"The X-Idempotency-Key header must be a UUID", "L'en-tête X-Idempotency-Key doit être un UUID")
		return
	}
	body, _ := io.ReadAll(r.Body) // the core read it already
	var status int
	var out []byte
	var replayed bool
	s.c.Locked(func(tx emulator.Tx[Payin], env emulator.Env) { status, out, replayed = s.open(tx, env, r, key, body) })
	w.Header().Set("Content-Type", "application/json")
	if replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	w.WriteHeader(status)
	_, _ = w.Write(out)
}

// open validates a session and opens it, or replays the first answer to
// its idempotency key. It returns the answer's status and body, and
// whether it is a replay.
func (s *Server) open(tx emulator.Tx[Payin], env emulator.Env, r *http.Request, key string, body []byte) (status int, out []byte, replayed bool) {
	fail := func(status int, code, en, fr string) (int, []byte, bool) {
		return status, errorJSON(r, status, code, en, fr), false
	}
	// One creation at a time, under the ledger's lock: a replay racing
	// its original sees it.
	if status, out, found, reused := s.idem.Find(key, body); found || reused {
		if reused {
			return fail(http.StatusConflict, "idempotency_key_reused",
				"This idempotency key was already used for another request", "Cette clé d'idempotence a déjà servi pour une autre requête")
		}
		return status, out, true
	}

	in, ok := emulator.DecodeBody(r.Header.Get("Content-Type"), body, false)
	if !ok {
		return fail(http.StatusBadRequest, "invalid_json", "The request body is not valid JSON", "Le corps de la requête n'est pas un JSON valide")
	}
	p, errs := validateSession(in, french(r))
	if len(errs) > 0 {
		return http.StatusBadRequest, marshal(apiError{StatusCode: http.StatusBadRequest, Code: errs[0].Code, Message: errs[0].Message, Errors: errs}), false
	}
	cur, ok := novasend.CurrencyOf(p.Country)
	if !ok {
		return fail(http.StatusNotFound, "country_not_found", "Country not found", "Pays introuvable")
	}
	if subtle.ConstantTimeCompare([]byte(p.AccountID), []byte(s.AccountID)) != 1 {
		// Missing or another: the account to credit is not found.
		return fail(http.StatusNotFound, "wallet_not_found", "Wallet not found", "Portefeuille introuvable")
	}
	if tx.Taken(p.CustomerReference) {
		return fail(http.StatusConflict, "reference_already_used",
			"A payment with this reference already exists", "Un paiement avec cette référence existe déjà")
	}

	p.Reference = "tr_" + emulator.RandomFrom(lowerAlnum, 26)
	code := emulator.RandomFrom(upperAlnum, 6)
	for tx.Taken(code) {
		code = emulator.RandomFrom(upperAlnum, 6)
	}
	p.PaymentURL = s.URL + "/link/" + code
	p.Currency = cur
	p.Fee = (p.Amount*2 + 50) / 100 // 2%, as the documentation's 300 → 6
	p.FeePaidByCustomer = s.feePaidByCustomer
	p.IdempotencyKey = key
	p.AcceptLanguage = r.Header.Get("Accept-Language")
	p.Status, p.ConfirmationStatus = statusProcessing, confirmationNone
	p.CreatedAt = env.Now.UTC()
	tx.Add(p.Reference, p, p.CustomerReference, code)

	out = marshal(sessionAnswer(p))
	s.idem.Keep(key, body, http.StatusCreated, out)
	return http.StatusCreated, out, false
}

// getPayin is GET /v1/payin/{reference}: by NovaSend's reference or the
// merchant's.
func (s *Server) getPayin(w http.ResponseWriter, r *http.Request) {
	var answer any
	var wait time.Duration
	ok := s.c.With(s.c.Resolve(r.PathValue("reference")), func(p *Payin, env emulator.Env) {
		now := env.Now
		p.StatusCalls = append(p.StatusCalls, now)
		if wait = s.pollLimit - now.Sub(p.lastServed); s.pollLimit > 0 && !p.lastServed.IsZero() && wait > 0 {
			return
		}
		wait, p.lastServed = 0, now
		answer = statusAnswer(p, env.Delta, !s.noStatusTransaction)
	})
	switch {
	case !ok:
		writeError(w, r, http.StatusNotFound, "transaction_does_not_exist", "Payment not found", "Paiement introuvable")
	case answer == nil:
		emulator.RetryAfter(w, wait)
		writeError(w, r, http.StatusTooManyRequests, "too_many_requests",
			"Too many status requests for this payment: poll at most every 5 to 10 seconds",
			"Trop de requêtes de statut pour ce paiement : interrogez au plus toutes les 5 à 10 secondes")
	default:
		writeJSON(w, http.StatusOK, answer)
	}
}

// show is the paymentUrl page of p. Opening it moves the confirmation
// from none to pending.
func (s *Server) show(p *Payin, _ emulator.Env, r *http.Request) emulator.CheckoutPage {
	if p.ConfirmationStatus == confirmationNone {
		p.ConfirmationStatus = confirmationPending
	}
	return emulator.CheckoutPage{
		Brand:       brand,
		Merchant:    s.merchant,
		Amount:      fmt.Sprintf("%d %s", p.Amount, p.Currency),
		Description: "Payment " + p.CustomerReference + " from " + p.Msisdn,
		ActionURL:   "/link/" + r.PathValue("code"),
		Operators:   operators(p),
		Customer:    emulator.PageCustomer{Name: p.CustomerName, Phone: p.Msisdn},
	}
}

// press plays a button: the customer accepts (pay), accepts and the
// operator refuses (fail), declines (cancel) or accepts to confirm later on
// the phone; the webhook goes out and the customer to successUrl or
// failureUrl.
func (s *Server) press(p *Payin, a providertest.Action, c emulator.Choice, env emulator.Env) emulator.Outcome {
	settle(p, a, env.Now.UTC())
	if a != providertest.Cancel {
		p.Operator, p.Phone = c.From(operators(p)).Code, c.Phone
	}
	out := emulator.SentBack(a, p.Reference, p.SuccessURL, p.FailureURL, s.notify(p, env))
	out.Title = "Thank you"
	return out
}

// notify is the webhook about p's current state to the portal's URL.
func (s *Server) notify(p *Payin, env emulator.Env) []emulator.Notification {
	body, signed := s.webhookForms(p, env.Delta, s.webhookTransaction)
	return env.To(signedBy(s.Sign(signed)), body)
}

// signedBy is the header of a webhook with signature: NovaSend signs
// every one.
func signedBy(signature string) http.Header {
	return http.Header{novasend.SignatureHeader: {signature}}
}

// webhookForms returns the body of a webhook about p as sent, and the
// bytes its signature is made over: the same bytes, unless the server
// signs JSON.stringify's form (WithStringifiedSignature).
func (s *Server) webhookForms(p *Payin, delta int64, withTx bool) (body, signed []byte) {
	v := webhookValue(p, delta, withTx)
	body = marshal(v)
	body = body[:len(body)-1] // no newline, as NovaSend's sample
	stringified := emulator.MarshalJS(v)
	if s.escapedWebhooks {
		body = emulator.EscapeAsPHP(stringified)
	}
	if s.stringifiedSig {
		return body, stringified
	}
	return body, body
}

// apiError is the emulator's error answer. NovaSend documents its error
// codes and messages, not the envelope; this one is NestJS's with a code.
type apiError struct {
	StatusCode int          `json:"statusCode"`
	Code       string       `json:"code"`
	Message    string       `json:"message"`
	Errors     []fieldError `json:"errors,omitempty"`
}

// fieldError is one invalid field of a session.
type fieldError struct {
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

func french(r *http.Request) bool {
	return strings.HasPrefix(strings.ToLower(strings.TrimSpace(r.Header.Get("Accept-Language"))), "fr")
}

// errorJSON is an error answer with code and the message in the request's
// language.
func errorJSON(r *http.Request, status int, code, en, fr string) []byte {
	msg := en
	if french(r) {
		msg = fr
	}
	return marshal(apiError{StatusCode: status, Code: code, Message: msg})
}

func writeError(w http.ResponseWriter, r *http.Request, status int, code, en, fr string) {
	write(w, status, errorJSON(r, status, code, en, fr))
}

func writeJSON(w http.ResponseWriter, status int, v any) { write(w, status, marshal(v)) }

func write(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// marshal is v's JSON and a newline. The emulator's values always encode.
func marshal(v any) []byte {
	b, _ := json.Marshal(v)
	return append(b, '\n')
}

// errorBody is NovaSend's body for an injected error status.
var errorBody = emulator.Refusals{
	0:                              {Code: "error"},
	http.StatusTooManyRequests:     {Code: "too_many_requests", Message: "Too many requests, please retry later"},
	http.StatusInternalServerError: {Code: "internal_error", Message: "Internal Server Error"},
	http.StatusBadGateway:          {Code: "service_unavailable", Message: "Service temporarily unavailable, please retry later"},
	http.StatusServiceUnavailable:  {Code: "service_unavailable", Message: "Service temporarily unavailable, please retry later"},
	http.StatusGatewayTimeout:      {Code: "service_unavailable", Message: "Service temporarily unavailable, please retry later"},
}.Body("application/json", func(status int, r emulator.Refusal) any {
	return apiError{StatusCode: status, Code: r.Code, Message: r.Message}
})
