// Package paydunyatest emulates PayDunya's API on loopback: a real HTTP
// server that creates checkout invoices, confirms them, serves a hosted
// checkout page whose buttons pay, fail, cancel or pay later on the
// phone, posts IPNs, and credits
// accounts (redistribution). It implements [providertest.Emulator], and it
// is meant for tests and offline demos:
//
//	srv := paydunyatest.New()
//	defer srv.Close()
//	kit, _ := cauri.New(cauri.Config{Providers: []cauri.Provider{srv.Provider()}, ...})
//
// It follows PayDunya's documentation: both environments, the sandbox
// under /sandbox-api/v1 and live under /api/v1, each checking its own
// PAYDUNYA-PRIVATE-KEY and PAYDUNYA-TOKEN next to the shared
// PAYDUNYA-MASTER-KEY; every answer a JSON object with response_code and
// response_text, success being "00"; invoices whose store.name is
// required, whose taxes are an object (tax_0, tax_1...) and whose items are
// one (item_0, item_1...) or, as the Python SDK and the WooCommerce plugin
// send them, an array; total_amount a number or, as the plugin sends it, a
// decimal string ("5000.00"), but always a whole, positive number of FCFA;
// the store's phone as "phone" (the guide) or "phone_number" (the SDKs);
// the plugin's invoice.customer shown pre-filled on the hosted page; the
// confirm answer of the documentation, to a GET as documented or to the
// POST the Python SDK sends; the customer sent back to return_url with
// ?token=<invoice token> after paying, and to cancel_url after cancelling
// (the guide's "Annuler le paiement" button); IPNs posted as application/x-www-form-urlencoded PHP bracket keys under
// data[...], with data[hash] the SHA-512 of the master key, to the
// invoice's callback_url (or, without one, to the URL set with
// SetWebhookURL, as an IPN URL configured in the dashboard);
// direct-pay/credit-account; and the disbursements of its API PUSH, under
// /sandbox-api/v2 and /api/v2: disburse/get-invoice names a disbursement
// (disburse_token) and sends nothing, disburse/submit-invoice sends it
// once, and disburse/check-status looks it up by its token (see
// [Disbursement]).
//
// PayDunya documents no error codes besides "00". The emulator refuses with
// HTTP 200 and a response_code other than "00", as integrations report
// PayDunya doing ({"response_code":"1001","response_text":"Invalid
// Masterkey Specified"}): 1001 for wrong keys, 1003 for an invalid request,
// 1004 for a payout PayDunya refuses, 1005 for a disbursement submitted
// twice; an unknown invoice or disbursement is HTTP 404 with 1002.
//
// The hosted page is in French, in PayDunya's name and colours, with the
// store's name, the amount in FCFA, the description, the payment channels
// to choose from (invoice.channels', or a Senegalese store's: Orange
// Money, Wave, Free Money, E-Money, Wizall Money and card) and the
// customer's phone, pre-filled from invoice.customer. Where the guide says
// nothing the emulator chooses:
//
//   - after a failure, the guide documents no redirect: the customer is
//     sent to cancel_url, the way back the guide gives a customer who
//     leaves without paying (and the one the kit sets, to its return URL,
//     for both), rather than left on PayDunya's page with nowhere to go;
//     an invoice without cancel_url keeps the customer on a page saying
//     the payment failed;
//   - "pay later on my phone" sends the customer to return_url with
//     ?token=, as paying does: the guide's IPN section describes this very
//     case, a confirmation that is not instant because the customer types
//     their secret code on their phone, and the invoice stays pending,
//     sending no IPN, until [Server.ConfirmLater] (or
//     [providertest.WithPayLaterDelay]) completes it and posts the IPN.
//
// The package's files read as PayDunya's reference: answers/ holds the
// answers as the documentation prints them (confirm.json is also the IPN,
// under data[...]), shapes/ the request bodies the emulator takes, and
// tables.json the payment channels of the hosted page, its look and the
// API's refusals.
package paydunyatest

import (
	"cmp"
	"context"
	"embed"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/internal/emulator"
	"github.com/cauripay/cauri/providers/paydunya"
	"github.com/cauripay/cauri/providers/providertest"
)

// files are the emulator's answers (answers/, PayDunya's documented JSON
// bodies), its request bodies (shapes/) and its tables.
//
//go:embed answers/*.json shapes/*.json tables.json
var files embed.FS

// tables are the emulator's tables, tables.json.
type tables struct {
	// Brand is how the emulated checkout looks, in French as PayDunya's
	// is. The colours are the emulator's, not PayDunya's official
	// palette.
	Brand    emulator.Brand
	Channels channels
	// Titles are the titles of the page a button leads to.
	Titles map[providertest.Action]string
	// API answers in PayDunya's minimal answer, response_code and
	// response_text, the refusals of Refused.
	API     emulator.Envelope
	Refused map[string]emulator.Refused
	// Nginx is the HTML page of the web server in front of the API, for
	// an injected 5xx: a format given the status and its text.
	Nginx string
}

// Response codes the emulator answers with.
const (
	CodeOK              = "00"
	CodeUnauthenticated = "1001" // a wrong master key, private key or token
	CodeNotFound        = "1002" // no such invoice (with HTTP 404)
	CodeInvalid         = "1003" // the request is missing or has wrong fields
	CodePayoutRefused   = "1004" // credit-account or submit-invoice refused (unknown account)
	// CodeAlreadySubmitted refuses a disbursement submitted again: one
	// disbursement is sent once.
	CodeAlreadySubmitted = "1005"
)

// Keys are the private key and token of one mode.
type Keys struct{ PrivateKey, Token string }

// Option configures a Server: the options of every emulator
// (providertest.WithMerchant, WithClock, WithWebhookRetries,
// WithWebhookTimeout, WithPayLaterDelay) and this package's.
type Option = providertest.EmulatorOption

type options struct {
	masterKey     string
	sandbox, live Keys
}

// WithMasterKey sets the master key, shared by both modes. The default is
// random, shaped like PayDunya's.
func WithMasterKey(key string) Option {
	return providertest.Own(func(o *options) { o.masterKey = key })
}

// WithSandboxKeys sets the sandbox's private key and token. The default is
// a random "test_private_" key and token.
func WithSandboxKeys(k Keys) Option { return providertest.Own(func(o *options) { o.sandbox = k }) }

// WithLiveKeys sets live mode's private key and token. The default is a
// random "live_private_" key and token.
func WithLiveKeys(k Keys) Option { return providertest.Own(func(o *options) { o.live = k }) }

// WithStoreName sets the store name Config puts in paydunya.Config, the
// shop's name on the page: it is [providertest.WithMerchant]. The default
// is "Test Shop".
func WithStoreName(name string) Option { return providertest.WithMerchant(name) }

type shell = emulator.Shell

// Server is the emulated PayDunya. Its methods are safe for concurrent use.
// Besides its own, it has those of every emulator: SetWebhookURL (where
// IPNs go for invoices created without a callback_url, as an IPN URL
// configured in PayDunya's dashboard would; empty, the default, sends none
// for them), SetWebhookPolicy, FlushWebhooks, Deliveries, Requests (every
// API call, faulted and refused ones included), InjectFault
// (providertest.OpCreate is checkout-invoice/create, OpStatus confirm,
// OpPayout credit-account and submit-invoice, OpPayoutPrepare get-invoice,
// OpPayoutStatus check-status, OpAny any API call), AwaitSlowHeld,
// AwaitSlowAnswered, ReportAmountDelta (confirm answers and IPNs, in
// FCFA), Act (return_url with ?token= after paying or choosing to pay
// later, cancel_url after cancelling or failing, "" when the invoice has
// no such URL), ConfirmLater (by token: the invoice is completed and its
// IPN posted) and Close.
type Server struct {
	// URL is the server's root, "http://127.0.0.1:port". The sandbox API
	// is under URL + "/sandbox-api/v1", the live one under URL +
	// "/api/v1".
	URL string
	// MasterKey is expected in PAYDUNYA-MASTER-KEY in both modes; its
	// SHA-512 is every IPN's data[hash].
	MasterKey string
	// Sandbox and Live are the private key and token each mode expects.
	Sandbox, Live Keys
	// StoreName is the store name of Config and LiveConfig.
	StoreName string

	*shell
	c      *emulator.Core[Invoice]
	t      tables
	api    emulator.Envelope
	shapes emulator.Shapes

	mu      sync.Mutex        // refused and txSeq
	refused map[string]string // account alias → why credit-account and submit-invoice refuse it
	txSeq   int               // the last payout's number

	payouts       emulator.Ledger[Payout]       // the credit-account calls, by a random key
	disbursements emulator.Ledger[Disbursement] // by token
}

var _ providertest.Emulator = (*Server)(nil)

// New starts a Server on 127.0.0.1. Close it when done.
func New(opts ...Option) *Server {
	o := options{}
	set := providertest.Configure(&o, opts)
	s := &Server{
		MasterKey: cmp.Or(o.masterKey, emulator.UUID()), StoreName: set.Merchant, refused: make(map[string]string),
		Sandbox: cmp.Or(o.sandbox, Keys{"test_private_" + emulator.RandomHex(14), emulator.RandomHex(10)}),
		Live:    cmp.Or(o.live, Keys{"live_private_" + emulator.RandomHex(14), emulator.RandomHex(10)}),
		t:       emulator.LoadData[tables](files, "tables.json"),
		shapes:  emulator.LoadShapes(files, "shapes/*.json", dialect, map[string]func(any) (string, string){"fcfa": fcfa}),
	}
	s.api = s.t.API
	s.api.Answers = emulator.LoadAnswers(files, "answers/*.json")
	s.c = emulator.NewCore(emulator.Spec[Invoice]{
		Name: "paydunyatest", Agent: "PayDunya-IPN (emulator)", Auth: s.authenticated, ErrorBody: s.errorBody, Settings: set,
		Waiting: func(inv *Invoice) bool { return inv.Later && inv.Status == paydunya.StatusPending },
		Confirm: func(inv *Invoice, env emulator.Env) []emulator.Notification {
			inv.Later, inv.Status = false, paydunya.StatusCompleted
			inv.Customer = cmp.Or(inv.Customer, fictitiousCustomer)
			return s.ipn(inv, env)
		},
	})
	s.URL, s.shell = s.c.URL, &s.c.Shell
	ok := http.StatusOK
	for _, m := range []paydunya.Mode{paydunya.Sandbox, paydunya.Live} {
		v1, v2 := inMode(m, "api/v1"), inMode(m, "api/v2")
		s.c.API("POST "+v1+"/checkout-invoice/create", providertest.OpCreate, s.api.Handle(ok, s.create))
		s.c.API("GET "+v1+"/checkout-invoice/confirm/{token}", providertest.OpStatus, s.api.Handle(ok, s.confirm))
		// The Python SDK's confirm() on the invoice object that created
		// the invoice posts, with the create body.
		s.c.API("POST "+v1+"/checkout-invoice/confirm/{token}", providertest.OpStatus, s.api.Handle(ok, s.confirm))
		s.c.API("POST "+v1+"/direct-pay/credit-account", providertest.OpPayout, s.api.Handle(ok, s.credit))
		s.c.API("POST "+v2+"/disburse/get-invoice", providertest.OpPayoutPrepare, s.api.Handle(ok, s.getInvoice))
		s.c.API("POST "+v2+"/disburse/submit-invoice", providertest.OpPayout, s.api.Handle(ok, s.submitInvoice))
		s.c.API("POST "+v2+"/disburse/check-status", providertest.OpPayoutStatus, s.api.Handle(ok, s.checkStatus))
		for _, p := range []string{v1, v2} {
			s.c.Open(p+"/", providertest.OpAny, func(w http.ResponseWriter, _ *http.Request) { s.api.Refuse(w, s.t.Refused["noRoute"]) })
		}
		s.c.Host(emulator.Hosted[Invoice]{Path: inMode(m, "checkout/invoice/{token}"), Key: "token", Lang: "fr", Noun: "Facture",
			Final:   func(inv *Invoice) bool { return inv.Status != paydunya.StatusPending },
			Word:    func(inv *Invoice) string { return inv.Status },
			Missing: func(inv *Invoice, r *http.Request) bool { return inv.Mode != modeOf(r) },
			Show:    s.show, Press: s.press})
	}
	s.c.Start()
	return s
}

// inMode is path in mode m: under /sandbox- in the sandbox, as PayDunya
// names its sandbox's API (/sandbox-api/v1), pages
// (/sandbox-checkout/invoice/) and receipts.
func inMode(m paydunya.Mode, path string) string {
	if m == paydunya.Sandbox {
		return "/sandbox-" + path
	}
	return "/" + path
}

// modeOf is the mode whose API or pages r calls.
func modeOf(r *http.Request) paydunya.Mode {
	if strings.HasPrefix(r.URL.Path, "/sandbox-") {
		return paydunya.Sandbox
	}
	return paydunya.Live
}

// elsewhere is missing for a record of mode m that r looks up in the other
// mode's API, which does not know it, and nil otherwise.
func elsewhere(m paydunya.Mode, r *http.Request, missing error) error {
	if m != modeOf(r) {
		return missing
	}
	return nil
}

// BaseURL is the sandbox API's root, for paydunya.Config.BaseURL. Its API
// PUSH is under URL + "/sandbox-api/v2", where the provider looks for it.
func (s *Server) BaseURL() string { return s.URL + inMode(paydunya.Sandbox, "api/v1") }

// LiveBaseURL is the live API's root.
func (s *Server) LiveBaseURL() string { return s.URL + inMode(paydunya.Live, "api/v1") }

// Config returns a paydunya.Config for this server's sandbox: its keys,
// its store name and its base URL.
func (s *Server) Config() paydunya.Config { return s.config(paydunya.Sandbox, s.Sandbox) }

// LiveConfig returns a paydunya.Config for this server's live mode.
func (s *Server) LiveConfig() paydunya.Config { return s.config(paydunya.Live, s.Live) }

// config is the paydunya.Config of mode m, whose keys are k.
func (s *Server) config(m paydunya.Mode, k Keys) paydunya.Config {
	return paydunya.Config{MasterKey: s.MasterKey, PrivateKey: k.PrivateKey, Token: k.Token, Mode: m,
		Store: paydunya.Store{Name: s.StoreName}, BaseURL: s.URL + inMode(m, "api/v1")}
}

// Provider returns a paydunya.Provider configured against this server's
// sandbox.
func (s *Server) Provider() cauri.Provider { return emulator.Must(paydunya.New(s.Config())) }

// LiveProvider returns a paydunya.Provider configured against this
// server's live mode.
func (s *Server) LiveProvider() *paydunya.Provider {
	return emulator.Must(paydunya.New(s.LiveConfig()))
}

// Hash is every IPN's data[hash]: the SHA-512 of the master key.
func (s *Server) Hash() string { return paydunya.Hash(s.MasterKey) }

// Payment returns a copy of the invoice with this token.
func (s *Server) Payment(token string) (Invoice, bool) { return s.c.Get(token) }

// SetStatus sets an invoice's status to any word, documented or not,
// without an IPN: for tests of what a client does with "pending" or an
// unknown status.
func (s *Server) SetStatus(token, status string) error {
	return s.c.SetStatus(token, func(inv *Invoice) { inv.Status = status })
}

// ClaimBody returns an IPN body about the invoice with this token claiming
// status, with the right data[hash] when validHash is true and a wrong one
// otherwise. The server's records do not change: it is what an attacker
// (or a replay of an old IPN, which carries the same hash) would post.
func (s *Server) ClaimBody(token, status string, validHash bool) ([]byte, error) {
	inv, ok := s.c.Get(token)
	if !ok {
		return nil, fmt.Errorf("paydunyatest: no invoice %q", token)
	}
	return s.claim(inv, status, validHash), nil
}

func (s *Server) claim(inv Invoice, status string, validHash bool) []byte {
	inv.Status = status
	if status == paydunya.StatusCompleted {
		inv.Customer = fictitiousCustomer
	}
	v := s.view(&inv, 0, true)
	if !validHash {
		v.Hash = paydunya.Hash("forged-" + emulator.RandomHex(8))
	}
	return s.api.Answers.Form("confirm.json", "data", v)
}

// Forge posts to url an IPN claiming that the invoice with this token was
// completed, with a wrong data[hash]. The server's records do not change.
// It fails only when the post does; the receiver's answer is in
// Deliveries.
func (s *Server) Forge(ctx context.Context, url, providerRef string) error {
	body, err := s.ClaimBody(providerRef, paydunya.StatusCompleted, false)
	if err != nil {
		body = s.claim(Invoice{Token: providerRef, Mode: paydunya.Sandbox, TotalAmount: 100}, paydunya.StatusCompleted, false)
	}
	return s.c.Forge(ctx, emulator.Notification{URL: url, Header: ipnHeader(), Body: body})
}

// authenticated checks the three key headers of the mode called, in
// constant time, and refuses the first one missing or wrong as PayDunya
// does: HTTP 200, response_code 1001, "Invalid Masterkey Specified".
func (s *Server) authenticated(w http.ResponseWriter, r *http.Request) bool {
	k := map[paydunya.Mode]Keys{paydunya.Sandbox: s.Sandbox, paydunya.Live: s.Live}[modeOf(r)]
	for _, c := range [][3]string{{paydunya.HeaderMasterKey, s.MasterKey, "Masterkey"},
		{paydunya.HeaderPrivateKey, k.PrivateKey, "PrivateKey"}, {paydunya.HeaderToken, k.Token, "Token"}} {
		wrong := s.api.Refuser(s.t.Refused["badKey"].With(c[2]))
		if !emulator.HeaderKeys(wrong, wrong, c[0], c[1])(w, r) {
			return false
		}
	}
	return true
}

// errorBody is the body of an injected error status: the HTML page of the
// web server in front of the API for a 5xx, a PayDunya answer otherwise.
func (s *Server) errorBody(status int) (string, []byte) {
	if status >= 500 {
		return "text/html", fmt.Appendf(nil, s.t.Nginx, fmt.Sprintf("%d %s", status, http.StatusText(status)))
	}
	return "application/json", s.api.Body(s.api.Refusal, emulator.Refused{Code: strconv.Itoa(status), Message: http.StatusText(status)})
}
