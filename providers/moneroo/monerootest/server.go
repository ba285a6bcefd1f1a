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
// paymentId and paymentStatus. The answers and the webhook are the
// reference's examples with their values filled in, keys in its order:
// answers/initialized.json, answers/payment.json (verify and get, with
// answers/currency.json), answers/webhook.json and answers/error.json.
// The payment methods by currency and the currencies' names are
// data/methods.json and data/currencies.json.
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
// [Server.ConfirmLater] (or [providertest.WithPayLaterDelay]) makes it a success and
// sends payment.success. Moneroo documents no webhook for pending, and
// none is sent.
package monerootest

import (
	"cmp"
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/internal/emulator"
	"github.com/cauripay/cauri/providers/moneroo"
	"github.com/cauripay/cauri/providers/providertest"
)

// Option configures a Server: the options of every emulator
// (providertest.WithMerchant, WithClock, WithWebhookRetries,
// WithWebhookTimeout, WithPayLaterDelay) and this package's.
type Option = providertest.EmulatorOption

type options struct{ secretKey, webhookSecret string }

// WithSecretKey sets the API key the server expects. The default is a
// random "sk_test_" key.
func WithSecretKey(key string) Option {
	return providertest.Own(func(o *options) { o.secretKey = key })
}

// WithWebhookSecret sets the secret webhooks are signed with. The default is
// random.
func WithWebhookSecret(secret string) Option {
	return providertest.Own(func(o *options) { o.webhookSecret = secret })
}

type shell = emulator.Shell

// Server is the emulated Moneroo. Its methods are safe for concurrent use.
// Besides its own, it has those of every emulator: SetWebhookURL (the
// dashboard's webhook; empty, the default, sends none), SetWebhookPolicy,
// FlushWebhooks, Deliveries, Requests, InjectFault (providertest.OpCreate
// is initialize, OpStatus verify and get, OpAny any API call),
// AwaitSlowHeld, AwaitSlowAnswered, ReportAmountDelta (verify answers and
// webhooks), Act, ConfirmLater (by Moneroo ID: the payment becomes a
// success and payment.success is sent) and Close.
type Server struct {
	// URL is the server's root, "http://127.0.0.1:port". The API is under
	// URL + "/v1", the checkout pages under URL + "/checkout/".
	URL string
	// SecretKey is the API key the server expects as a bearer token.
	SecretKey string
	// WebhookSecret signs the webhooks.
	WebhookSecret string

	*shell
	c        *emulator.Core[Payment]
	merchant string
	// answers are Moneroo's documented JSON bodies, sent as its Laravel
	// API writes them: <, > and & as they are.
	answers emulator.Reply
	// methods are the payment methods Moneroo's checkout offers, by
	// currency, with the short codes its API reports (capture.method.
	// short_code): the table of MonerooHQ/moneroo-laravel's
	// src/Utils/PaymentUtil.php. The page offers the currency's, or only
	// those the initialize call's methods named. The first of each
	// currency is the one a customer who chooses nothing pays with.
	methods map[string][]emulator.Operator
	// currencies are the names of the currencies Moneroo's currency
	// object names, by code.
	currencies map[string]currency
	// shapes are the request bodies Moneroo's API (Laravel) checks:
	// initialize's.
	shapes emulator.Shapes
	// faults are Moneroo's messages for the error statuses a fault
	// injects; any other status says its HTTP text.
	faults map[int]string
}

var _ providertest.Emulator = (*Server)(nil)

// New starts a Server on 127.0.0.1. Close it when done.
func New(opts ...Option) *Server {
	o := options{secretKey: "sk_test_" + emulator.RandomHex(16), webhookSecret: emulator.RandomHex(15)}
	set := providertest.Configure(&o, opts)
	s := &Server{SecretKey: o.secretKey, WebhookSecret: o.webhookSecret, merchant: set.Merchant,
		answers:    emulator.Reply{Answers: emulator.LoadAnswers(files, "answers/*.json"), Verbatim: true},
		methods:    emulator.LoadData[map[string][]emulator.Operator](files, "data/methods.json"),
		currencies: emulator.LoadData[map[string]currency](files, "data/currencies.json"),
		shapes:     emulator.LoadShapes(files, "shapes/*.json", emulator.Laravel, initChecks),
		faults:     emulator.LoadData[map[int]string](files, "data/faults.json")}
	s.c = emulator.NewCore(emulator.Spec[Payment]{
		Name: "monerootest", Agent: "Moneroo-Webhooks/1.0 (emulator)", Settings: set,
		ErrorBody: s.answers.ErrorBody("error.json", func(status int) any {
			return refusal{Message: cmp.Or(s.faults[status], http.StatusText(status))}
		}),
		Auth:    emulator.Bearer(s.SecretKey, func(w http.ResponseWriter, _ *http.Request) { s.refuse(w, http.StatusUnauthorized, "Unauthenticated.") }),
		Waiting: func(p *Payment) bool { return p.Later && p.Status == statusPending },
		Confirm: func(p *Payment, env emulator.Env) []emulator.Notification {
			p.Status, p.Later = statusSuccess, false
			return s.notify(p, env)
		},
	})
	s.URL, s.shell = s.c.URL, &s.c.Shell
	s.c.API("POST /v1/payments/initialize", providertest.OpCreate, s.initialize)
	s.c.API("GET /v1/payments/{id}/verify", providertest.OpStatus, s.get)
	s.c.API("GET /v1/payments/{id}", providertest.OpStatus, s.get)
	s.c.Open("/v1/", providertest.OpAny, func(w http.ResponseWriter, _ *http.Request) { s.refuse(w, http.StatusNotFound, "Not found.") })
	s.c.Host(emulator.Hosted[Payment]{Path: "/checkout/{id}", Key: "id", Lang: "en",
		Status: func(p *Payment) string { return p.Status }, Finals: []string{statusSuccess, statusFailed, statusCancelled},
		Show: s.show, Press: s.press})
	s.c.Start()
	return s
}

// BaseURL is the API's root, for moneroo.Config.BaseURL.
func (s *Server) BaseURL() string { return s.URL + "/v1" }

// Config returns a moneroo.Config for this server: its key, its webhook
// secret and its base URL.
func (s *Server) Config() moneroo.Config {
	return moneroo.Config{SecretKey: s.SecretKey, WebhookSecrets: []string{s.WebhookSecret}, BaseURL: s.BaseURL()}
}

// Provider returns a moneroo.Provider configured against this server.
func (s *Server) Provider() cauri.Provider { return emulator.Must(moneroo.New(s.Config())) }

// Sign returns the X-Moneroo-Signature of body under the server's webhook
// secret.
func (s *Server) Sign(body []byte) string { return moneroo.Sign(s.WebhookSecret, body) }

// Payment returns a copy of the payment with Moneroo ID id.
func (s *Server) Payment(id string) (Payment, bool) { return s.c.Get(id) }

// SetStatus sets a payment's status to any word, documented or not,
// without a webhook: for tests of what a client does with "pending" or an
// unknown status.
func (s *Server) SetStatus(id, status string) error {
	return s.c.SetStatus(id, func(p *Payment) { p.Status = status })
}

// Forge posts to url a payment.success webhook about providerRef, signed
// with a wrong secret. The server's records do not change. It fails only
// when the post does; the receiver's answer is in Deliveries.
func (s *Server) Forge(ctx context.Context, url, providerRef string) error {
	forged, ok := s.c.Get(providerRef)
	if !ok {
		forged = Payment{ID: providerRef, Currency: "XOF", Amount: 100}
	}
	forged.Status = statusSuccess
	body := s.answers.Body("webhook.json", s.view(&forged, emulator.Env{}))
	return s.c.Forge(ctx, emulator.Notification{URL: url, Header: signed(moneroo.Sign("forged-"+emulator.RandomHex(8), body)), Body: body})
}

// refusal is Moneroo's error answer: a message and, for a body that
// fails validation, the errors by field.
type refusal struct {
	Message string
	Errors  map[string][]string
}

// refuse answers status with Moneroo's error envelope saying message.
func (s *Server) refuse(w http.ResponseWriter, status int, message string) {
	s.answers.Write(w, status, "error.json", refusal{Message: message})
}

// initialize is POST /v1/payments/initialize.
func (s *Server) initialize(w http.ResponseWriter, r *http.Request) {
	in, _, ok := emulator.ReadBody(r, true)
	if !ok {
		s.refuse(w, http.StatusBadRequest, "The request body is not valid JSON.")
		return
	}
	p, problems := s.initPayment(in)
	if len(problems) > 0 {
		msg, errs := emulator.LaravelErrors(problems)
		s.answers.Write(w, http.StatusUnprocessableEntity, "error.json", refusal{Message: msg, Errors: errs})
		return
	}
	p.ID, p.Status, p.CustomerID, p.CreatedAt = emulator.UUID(), statusInitiated, emulator.RandomHex(6), s.c.Settings().Now.UTC()
	s.c.Add(p.ID, p)
	s.answers.Write(w, http.StatusCreated, "initialized.json", s.view(p, s.c.Settings()))
}

// get is GET /v1/payments/{id} and GET /v1/payments/{id}/verify.
func (s *Server) get(w http.ResponseWriter, r *http.Request) {
	p, env, ok := s.c.Snapshot(r.PathValue("id"))
	if !ok {
		s.refuse(w, http.StatusNotFound, "Payment transaction not found.")
		return
	}
	s.answers.Write(w, http.StatusOK, "payment.json", s.view(&p, env))
}

// show is the hosted checkout page of p.
func (s *Server) show(p *Payment, _ emulator.Env, _ *http.Request) emulator.CheckoutPage {
	c := p.Customer
	return emulator.CheckoutPage{
		Brand:       brand,
		Merchant:    s.merchant,
		Amount:      cauri.FormatAmount(p.Amount, p.Currency) + " " + p.Currency,
		Description: p.Description,
		ActionURL:   "/checkout/" + p.ID,
		Operators:   s.operators(p),
		Customer:    emulator.PageCustomer{Name: strings.TrimSpace(c.FirstName + " " + c.LastName), Email: c.Email, Phone: c.Phone},
	}
}

// press applies the customer's action, with what they chose on the page:
// every button returns to return_url; pending sends no webhook.
func (s *Server) press(p *Payment, a providertest.Action, c emulator.Choice, env emulator.Env) emulator.Outcome {
	out := emulator.Outcome{}
	switch a {
	case providertest.Pay:
		p.Status = statusSuccess
	case providertest.Fail:
		p.Status = statusFailed
		p.FailureMessage = "The customer's balance is insufficient."
	case providertest.Cancel:
		p.Status = statusCancelled
	case providertest.PayLater:
		p.Status, p.Later, out.Wait = statusPending, true, p.ID
	}
	if a != providertest.Cancel {
		p.Method = c.From(s.operators(p)).Code
		p.PaymentPhone = c.Phone
	}
	if a != providertest.PayLater {
		out.Notify = s.notify(p, env)
	}
	out.Back = s.view(p, env).Back()
	return out
}

// notify is the signed payment.<status> webhook about p to the dashboard's
// URL.
func (s *Server) notify(p *Payment, env emulator.Env) []emulator.Notification {
	body := s.answers.Body("webhook.json", s.view(p, env))
	return env.To(signed(s.Sign(body)), body)
}

// view is p as its answers and webhooks show it, under env.
func (s *Server) view(p *Payment, env emulator.Env) view {
	return view{p, env, s.merchant, s.currencies}
}

// signed is the header of a webhook with signature: Moneroo signs every
// one.
func signed(signature string) http.Header { return http.Header{moneroo.SignatureHeader: {signature}} }

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
	Currency, Description, ReturnURL string
	Customer                         Customer
	Metadata                         map[string]string
	Methods                          []string
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

// Customer is the customer as initialized: Email, FirstName and LastName
// are required by initialize; Phone and Country are optional, as sent.
type Customer struct{ Email, FirstName, LastName, Phone, Country string }
