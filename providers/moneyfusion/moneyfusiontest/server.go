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
// (or [providertest.WithPayLaterDelay]) then makes it paid and sends
// payin.session.completed.
package moneyfusiontest

import (
	"cmp"
	"context"
	"crypto/subtle"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/internal/emulator"
	"github.com/cauripay/cauri/providers/moneyfusion"
	"github.com/cauripay/cauri/providers/providertest"
)

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

// Option configures a Server: the options of every emulator
// (providertest.WithMerchant, WithClock, WithWebhookRetries,
// WithWebhookTimeout, WithPayLaterDelay) and this package's.
type Option = providertest.EmulatorOption

type options struct {
	app, key        string
	feePercent      int64
	gross, showHook bool
	life            time.Duration
}

// WithApp sets the application name and key in the merchant's API URL,
// URL + "/" + app + "/" + key + "/pay/". The defaults are "cauri-test" and
// a random hex key.
func WithApp(app, key string) Option {
	return providertest.Own(func(o *options) { o.app, o.key = app, key })
}

// WithFeePercent sets MoneyFusion's fee, frais, as a percentage of
// totalPrice, rounded down. The default is 3, as in the webhook example
// (6 on 200).
func WithFeePercent(n int64) Option { return providertest.Own(func(o *options) { o.feePercent = n }) }

// WithGrossMontant makes Montant the whole totalPrice, with frais beside
// it, as in the documentation's status example (Montant 200, frais 5). By
// default Montant is net of frais, as in the webhook and Python examples
// (Montant 194, frais 6 for 200).
func WithGrossMontant() Option { return providertest.Own(func(o *options) { o.gross = true }) }

// WithSessionLife sets how long a payment page stays payable after the
// payment request, on the server's clock. The default is
// moneyfusion.DefaultSessionLife: MoneyFusion documents none.
func WithSessionLife(d time.Duration) Option {
	return providertest.Own(func(o *options) { o.life = d })
}

// WithWebhookURLInStatus makes status answers show each payment's
// webhook_url, as webhooks do (the status example of the documentation
// does not): the shop's callback URL is then known to anyone holding a
// payment's token.
func WithWebhookURLInStatus() Option { return providertest.Own(func(o *options) { o.showHook = true }) }

// WithClock is [providertest.WithClock]: the clock dates payments
// (createdAt) and ends their pages (WithSessionLife), and [Server.Config]
// passes it on to the provider.
func WithClock(now func() time.Time) Option { return providertest.WithClock(now) }

// WithWebhookRetries is [providertest.WithWebhookRetries]. MoneyFusion
// documents no retry policy.
func WithWebhookRetries(n int, delay time.Duration) Option {
	return providertest.WithWebhookRetries(n, delay)
}

type shell = emulator.Shell

// Server is the emulated MoneyFusion. Its methods are safe for concurrent
// use. Besides its own, it has those of every emulator: SetWebhookURL
// (where webhooks go for payments whose request had no webhook_url, which
// always wins; empty, the default, sends none for them),
// SetWebhookPolicy, FlushWebhooks, Deliveries, Requests, InjectFault
// (providertest.OpCreate is the payment request, OpStatus paiementNotif,
// OpAny either and any unknown route; payouts are not emulated),
// AwaitSlowHeld, AwaitSlowAnswered, ReportAmountDelta (every payment
// charged its totalPrice plus delta francs: Montant and frais add up, or
// Montant alone with WithGrossMontant, to it), Act (return_url with
// ?token=, or "" when the payment had none), ConfirmLater (by token: the
// payment is paid and payin.session.completed sent) and Close.
type Server struct {
	// URL is the server's root, "http://127.0.0.1:port": the status
	// endpoint's root too, for moneyfusion.Config.StatusURL.
	URL string
	// APIURL is the merchant's API URL, the credential:
	// URL + "/" + App + "/" + Key + "/pay/".
	APIURL string
	// App and Key are the application name and key in APIURL.
	App, Key string

	*shell
	c        *emulator.Core[Payment]
	reply    emulator.Reply
	o        options
	merchant string
	now      func() time.Time
}

var _ providertest.Emulator = (*Server)(nil)

// New starts a Server on 127.0.0.1. Close it when done.
func New(opts ...Option) *Server {
	o := options{app: "cauri-test", key: emulator.RandomHex(8), feePercent: 3, life: moneyfusion.DefaultSessionLife}
	set := providertest.Configure(&o, opts)
	s := &Server{App: o.app, Key: o.key, o: o, merchant: set.Merchant, now: set.Now,
		reply: emulator.Reply{Answers: emulator.LoadAnswers(answerFiles, "answers/*.json"), ContentType: "application/json; charset=utf-8"}}
	s.c = emulator.NewCore(emulator.Spec[Payment]{
		Name: "moneyfusiontest", Agent: "MoneyFusion-Webhook/1.0 (emulator)", ErrorBody: s.reply.ErrorBody("refusal.json", refusal), Settings: set,
		Waiting: func(p *Payment) bool { return p.Later && p.Status == StatusPending },
		Confirm: func(p *Payment, env emulator.Env) []emulator.Notification {
			p.Later, p.Status, p.NumeroTransaction = false, StatusPaid, randomDigits(10)
			return env.To(nil, s.webhook(p, moneyfusion.EventCompleted, env), p.WebhookURL)
		},
	})
	s.URL, s.shell = s.c.URL, &s.c.Shell
	s.APIURL = s.URL + "/" + url.PathEscape(s.App) + "/" + url.PathEscape(s.Key) + "/pay/"
	s.c.Open("POST /{app}/{key}/pay/{$}", providertest.OpCreate, s.pay)
	s.c.Open("POST /{app}/{key}/pay", providertest.OpCreate, s.pay)
	s.c.Open("GET /paiementNotif/{token}", providertest.OpStatus, s.notif)
	s.c.Open("/", providertest.OpAny, func(w http.ResponseWriter, _ *http.Request) {
		s.reply.Write(w, http.StatusNotFound, "refusal.json", "Route introuvable")
	})
	s.c.Host(emulator.Hosted[Payment]{Path: "/payment/{token}/{merchant}", Key: "token", Lang: "fr", Final: closed,
		Word: func(p *Payment) string { return p.Status }, Expired: s.ended, Show: s.show, Press: s.press})
	s.c.Start()
	return s
}

// Config returns a moneyfusion.Config for this server: its API URL, its
// status endpoint, its session life and its clock.
func (s *Server) Config() moneyfusion.Config {
	return moneyfusion.Config{APIURL: s.APIURL, StatusURL: s.URL, SessionLife: s.o.life, Now: s.now}
}

// Provider returns a moneyfusion.Provider configured against this server.
func (s *Server) Provider() cauri.Provider { return emulator.Must(moneyfusion.New(s.Config())) }

// Payment returns a copy of the payment with this token.
func (s *Server) Payment(token string) (Payment, bool) { return s.c.Get(token) }

// SetStatus sets a payment's statut to any word, documented or not,
// without a webhook: for tests of what a client does with "no paid",
// "failed" or an unknown status.
func (s *Server) SetStatus(token, status string) error {
	return s.c.SetStatus(token, func(p *Payment) { p.Status = status })
}

// Forge posts to url a payin.session.completed webhook about the payment
// with token providerRef, as anyone who knows a token can: MoneyFusion
// signs nothing. The server's records do not change, so its status
// endpoint denies the claim. It fails only when the post does; the
// receiver's answer is in Deliveries.
func (s *Server) Forge(ctx context.Context, url, providerRef string) error {
	body, ok := s.Notification(providerRef, moneyfusion.EventCompleted)
	if !ok {
		body = s.webhook(&Payment{Token: providerRef, TotalPrice: 100, CreatedAt: s.now().UTC()}, moneyfusion.EventCompleted, s.c.Settings())
	}
	return s.c.Forge(ctx, emulator.Notification{URL: url, Body: body})
}

// Notification returns the body MoneyFusion would post about the payment
// with this token for event (moneyfusion.EventCompleted, say), as it
// stands, for tests that post their own notifications. MoneyFusion signs
// nothing, so the body is all there is. ok is false for an unknown token.
func (s *Server) Notification(token, event string) (body []byte, ok bool) {
	ok = s.c.With(token, func(p *Payment, env emulator.Env) { body = s.webhook(p, event, env) })
	return body, ok
}

// refusal is the message of the answer to an injected error status.
func refusal(status int) any {
	msg := map[int]string{http.StatusTooManyRequests: "Trop de requêtes, réessayez plus tard", http.StatusServiceUnavailable: "Service momentanément indisponible"}[status]
	if msg == "" && status < 500 {
		msg = http.StatusText(status)
	}
	return cmp.Or(msg, "Erreur serveur")
}

// pay is POST {APIURL}: the payment request.
func (s *Server) pay(w http.ResponseWriter, r *http.Request) {
	if subtle.ConstantTimeCompare([]byte(r.PathValue("app")+"/"+r.PathValue("key")), []byte(s.App+"/"+s.Key)) != 1 {
		s.reply.Write(w, http.StatusNotFound, "refusal.json", "Marchand introuvable")
		return
	}
	in, raw, ok := emulator.ReadBody(r, false)
	if !ok {
		s.reply.Write(w, http.StatusBadRequest, "refusal.json", "Le corps de la requête doit être un objet JSON")
		return
	}
	p, bad := validatePay(in)
	if len(bad) > 0 {
		s.reply.Write(w, http.StatusBadRequest, "refusal.json", "Champs manquants ou invalides : "+strings.Join(bad, ", "))
		return
	}
	p.ID, p.Token, p.Status, p.CreatedAt = emulator.RandomHex(12), emulator.RandomFrom(alnum, 20), StatusPending, s.now().UTC()
	p.RequestBody, p.RequestHeader = raw, r.Header.Clone()
	s.c.Add(p.Token, p)
	s.reply.Write(w, http.StatusOK, "pay.json", struct{ Token, URL string }{p.Token, s.URL + s.pagePath(p.Token)})
}

// pagePath is the path of a payment's hosted page, in the
// documentation's newest shape: /payment/{token}/{merchant}.
func (s *Server) pagePath(token string) string {
	return "/payment/" + url.PathEscape(token) + "/" + url.PathEscape(s.merchant)
}

// notif is GET /paiementNotif/{token}: the status endpoint. It takes no
// credential, as MoneyFusion's does not.
func (s *Server) notif(w http.ResponseWriter, r *http.Request) {
	var v view
	if !s.c.With(r.PathValue("token"), func(p *Payment, env emulator.Env) { v = s.view(p, "", env) }) {
		s.reply.Write(w, http.StatusNotFound, "refusal.json", "Paiement introuvable")
		return
	}
	s.reply.Write(w, http.StatusOK, "status.json", v)
}

// statut is what the status endpoint and webhooks say of p: its Status,
// or "no paid" for a page that ended unpaid.
func (s *Server) statut(p *Payment, now time.Time) string {
	if !closed(p) && !p.Later && s.ended(p, now) && p.Status == StatusPending {
		return StatusNoPaid
	}
	return p.Status
}

// ended reports whether p's page is past its session's life at now.
func (s *Server) ended(p *Payment, now time.Time) bool { return now.Sub(p.CreatedAt) > s.o.life }

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
	Article, PersonalInfo                        []map[string]any
	NumeroSend, NomClient, ReturnURL, WebhookURL string
	// Moyen and NumeroTransaction are set once the customer paid or failed
	// (Moyen, the means chosen on the page, once they chose to pay later).
	Moyen, NumeroTransaction string
	// CreatedAt is when the payment was requested.
	CreatedAt time.Time
	// RequestBody and RequestHeader are the payment request as received.
	RequestBody   []byte
	RequestHeader http.Header
}

// alnum are the letters and digits of MoneyFusion's newer tokens, 20 of
// them: "Le4Cnmm1Ac9yTgZMKQbz".
const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// randomDigits returns n random digits, the first 0: a phone number, the
// shape of numeroTransaction ("0708889205").
func randomDigits(n int) string { return "0" + emulator.RandomFrom("0123456789", n-1) }
