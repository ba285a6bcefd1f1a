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
// (NovaSend documents none: see data/tables.json) and the customer's name
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
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/internal/emulator"
	"github.com/cauripay/cauri/providers/novasend"
	"github.com/cauripay/cauri/providers/providertest"
)

// MaxAmount is the largest payin the emulator accepts, in whole units: a
// larger one gets NovaSend's 400 "Invalid amount" (the provider's limit).
const MaxAmount = 2_000_000

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
	c        *emulator.Core[Payin]
	merchant string
	api      emulator.Envelope // the documented bodies (answers/), the refusals in answers/error.json
	t        tables
	session  *emulator.Shape  // shapes/session.json
	idem     emulator.Replays // X-Idempotency-Key → first answer; under the core's lock

	// What the options chose.
	pollLimit                                           time.Duration
	webhookTransaction, escapedWebhooks, stringifiedSig bool
	noStatusTx, feePaidByCustomer                       bool
}

type shell = emulator.Shell

var _ providertest.Emulator = (*Server)(nil)

// Option configures a Server: the options of every emulator
// (providertest.WithMerchant, WithClock, WithWebhookRetries,
// WithWebhookTimeout, WithPayLaterDelay) and this package's.
type Option = providertest.EmulatorOption

// own is an option of this package's, set on the Server before it starts.
func own(set func(s *Server)) Option { return providertest.Own(set) }

// WithCredentials sets the api_key and api_client the server expects. The
// defaults are random.
func WithCredentials(apiKey, apiClient string) Option {
	return own(func(s *Server) { s.APIKey, s.APIClient = apiKey, apiClient })
}

// WithWebhookSecret sets the secret webhooks are signed with. The default is
// random.
func WithWebhookSecret(secret string) Option {
	return own(func(s *Server) { s.WebhookSecret = secret })
}

// WithAccountID sets the merchant account the server knows. A session
// must name it as accountId, as NovaSend's payin documentation has it: one
// without accountId, or naming another account, gets NovaSend's documented
// 404 wallet_not_found ("verify the wallet identifier"). The default is a
// random "merchant_" ID.
func WithAccountID(id string) Option { return own(func(s *Server) { s.AccountID = id }) }

// WithTransactionInWebhooks adds the transaction object, as the status
// endpoint gives it, to the webhooks. NovaSend's documented webhook body
// has none; with it, a signed webhook is the final word on its own.
func WithTransactionInWebhooks() Option { return own(func(s *Server) { s.webhookTransaction = true }) }

// WithEscapedWebhooks sends webhook bodies written as the documentation's
// sample is, the way PHP's json_encode writes JSON by default: "/" as "\/"
// and every non-ASCII character as a \u escape. Unless
// WithStringifiedSignature is given too, the signature is over these bytes.
func WithEscapedWebhooks() Option { return own(func(s *Server) { s.escapedWebhooks = true }) }

// WithStringifiedSignature signs webhooks as NovaSend's documented check
// reads them: over the compact form JavaScript's JSON.stringify writes of
// the body, not over the bytes sent. That form has "/" and non-ASCII
// characters as they are and escapes only quotes, backslashes and control
// characters; the emulator writes it with encoding/json, which, unlike
// JSON.stringify, also escapes U+2028 and U+2029 (no emulated value holds
// them unless a test puts them in a customer's name).
func WithStringifiedSignature() Option { return own(func(s *Server) { s.stringifiedSig = true }) }

// WithoutTransactionInStatus leaves the transaction key out of every
// status answer, settled or not, as some client code reports of NovaSend's
// newer API: a payin the customer accepted then reads processed/accepted
// and nothing more. A declined or expired one still says so in its
// confirmationStatus and status.
func WithoutTransactionInStatus() Option { return own(func(s *Server) { s.noStatusTx = true }) }

// WithFeePaidByCustomer makes the customer pay NovaSend's fee on top of
// the payin's amount: the transaction processes amount + fee (its amount
// and chargedAmount) and states the fee in its fees, and the webhook's
// amount and chargedAmount are the charged sum with fees 0, as in the
// documentation's webhook sample (amount 306, fees 0, chargedAmount 306,
// where the seed's payin of 300 has a fee of 6). Status answers keep the
// seed's top level: amount, fee, and chargedAmount = amount + fee.
func WithFeePaidByCustomer() Option { return own(func(s *Server) { s.feePaidByCustomer = true }) }

// WithPollLimit makes the server answer 429 with Retry-After to a status
// call made less than d after the last one it answered about the same
// payin, enforcing NovaSend's polling guidance (novasend.MinPollInterval).
// The default, zero, answers every call.
func WithPollLimit(d time.Duration) Option { return own(func(s *Server) { s.pollLimit = d }) }

// New starts a Server on 127.0.0.1. Close it when done.
func New(opts ...Option) *Server {
	s := &Server{
		APIKey: "pk_" + emulator.RandomHex(12), APIClient: "sk_" + emulator.RandomHex(16), WebhookSecret: emulator.RandomHex(16),
		AccountID: "merchant_" + emulator.RandomHex(4), t: emulator.LoadData[tables](files, "data/tables.json"),
		api: emulator.Envelope{Reply: emulator.Reply{Answers: emulator.LoadAnswers(files, "answers/*.json")}, Refusal: "error.json"},
		session: emulator.LoadShapes(files, "shapes/*.json", nil,
			map[string]func(any) (string, string){"iso": isoCountry, "amount": emulator.Whole(1, MaxAmount)})["session.json"],
	}
	set := providertest.Configure(s, opts)
	s.merchant = set.Merchant
	s.c = emulator.NewCore(emulator.Spec[Payin]{
		Name: "novasendtest", Agent: "NovaSend-Webhooks/1.0 (emulator)", Settings: set,
		Auth: emulator.Basic(s.APIKey, s.APIClient, s.refuser("unauthorized"), s.refuser("api_token_invalid")),
		ErrorBody: s.t.Faults.Body("application/json", func(status int, r emulator.Refusal) any {
			return json.RawMessage(s.api.Body("error.json", emulator.Refused{Status: status, Code: r.Code, Message: said{Text: r.Message}}))
		}),
		Waiting: func(p *Payin) bool { return p.Later && !p.final() },
		Confirm: func(p *Payin, env emulator.Env) []emulator.Notification {
			p.Later, p.Transaction.Status, p.Transaction.ProcessedAt = false, "completed", env.Now.UTC()
			return s.notify(p, env)
		},
	})
	s.URL, s.shell = s.c.URL, &s.c.Shell
	s.c.API("POST /v1/payin/sessions", providertest.OpCreate, s.createSession)
	s.c.API("GET /v1/payin/{reference}", providertest.OpStatus, s.getPayin)
	s.c.API("/v1/", providertest.OpAny, func(w http.ResponseWriter, r *http.Request) {
		s.api.Refuse(w, s.refused(r, "not_found", "{route}", r.Method+" "+r.URL.Path))
	})
	s.c.Handle("GET /health", func(w http.ResponseWriter, _ *http.Request) { s.api.Write(w, http.StatusOK, "health.json", nil) })
	s.c.Host(emulator.Hosted[Payin]{Path: "/link/{code}", Key: "code", Lang: "en",
		Final: (*Payin).final, Word: (*Payin).state, Show: s.show, Press: s.press})
	s.c.Start()
	return s
}

// tables are NovaSend's words and the emulator's choices (data/tables.json):
// its errors by code, its validation errors by rule, its bodies for
// injected statuses, how the payment page looks (the colours are the
// emulator's, not NovaSend's official palette), the wallets it offers by
// country, and what each customer action makes of a payin.
type tables struct {
	Errors, Rules map[string]emulator.Words
	Faults        emulator.Refusals
	Brand         emulator.Brand
	Wallets       map[string][]emulator.Operator
	Outcomes      map[providertest.Action]outcome
}

// BaseURL is the API's root, for novasend.Config.BaseURL.
func (s *Server) BaseURL() string { return s.URL + "/v1" }

// Config returns a novasend.Config for this server: its credentials, its
// webhook secret, its account and its base URL.
func (s *Server) Config() novasend.Config {
	return novasend.Config{APIKey: s.APIKey, APIClient: s.APIClient, WebhookSecrets: []string{s.WebhookSecret},
		AccountID: s.AccountID, BaseURL: s.BaseURL()}
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
func (s *Server) Payins() []Payin { return s.c.All() }

// SetStatus sets a payin's three statuses to any words, documented or
// not, without a webhook: for tests of what a client does with them. An
// empty transactionStatus makes transaction null.
func (s *Server) SetStatus(ref, status, confirmationStatus, transactionStatus string) error {
	now := s.c.Settings().Now.UTC()
	return s.c.SetStatus(s.c.Resolve(ref), func(p *Payin) {
		p.Status, p.ConfirmationStatus = status, confirmationStatus
		switch {
		case transactionStatus == "":
			p.Transaction = nil
		case p.Transaction == nil:
			p.transact(transactionStatus, now)
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
		s.t.Outcomes["expire"].apply(p, env.Now.UTC())
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
	forged.Failure = nil
	s.t.Outcomes[providertest.Pay].apply(&forged, now)
	body, signed := s.webhookForms(&forged, 0, true)
	forgery := novasend.Sign("forged-"+emulator.RandomHex(8), signed)
	return s.c.Forge(ctx, emulator.Notification{URL: url, Header: http.Header{novasend.SignatureHeader: {forgery}}, Body: body})
}
