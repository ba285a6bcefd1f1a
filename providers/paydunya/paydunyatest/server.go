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
package paydunyatest

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/internal/emulator"
	"github.com/cauripay/cauri/providers/paydunya"
	"github.com/cauripay/cauri/providers/providertest"
)

// Delivery is one IPN delivery attempt, as [Server.Deliveries] records
// it. It is [providertest.Delivery], the type every emulator records
// deliveries with, where each field is documented.
type Delivery = providertest.Delivery

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
type Keys struct {
	PrivateKey string
	Token      string
}

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
	c *emulator.Core[Invoice]

	mu      sync.Mutex // the payouts' state below
	payouts []Payout
	refused map[string]string // account alias → why credit-account and submit-invoice refuse it
	txSeq   int

	disbursements emulator.Ledger[Disbursement] // by token
}

var _ providertest.Emulator = (*Server)(nil)

// New starts a Server on 127.0.0.1. Close it when done.
func New(opts ...Option) *Server {
	o := options{}
	set := providertest.Configure(&o, opts)
	if o.masterKey == "" {
		h := emulator.RandomHex(16)
		o.masterKey = h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
	}
	if o.sandbox == (Keys{}) {
		o.sandbox = Keys{PrivateKey: "test_private_" + emulator.RandomHex(14), Token: emulator.RandomHex(10)}
	}
	if o.live == (Keys{}) {
		o.live = Keys{PrivateKey: "live_private_" + emulator.RandomHex(14), Token: emulator.RandomHex(10)}
	}
	s := &Server{
		MasterKey: o.masterKey, Sandbox: o.sandbox, Live: o.live, StoreName: set.Merchant,
		refused: make(map[string]string),
	}
	s.c = emulator.NewCore(emulator.Spec[Invoice]{
		Name: "paydunyatest", Agent: "PayDunya-IPN (emulator)", Auth: s.authenticated, ErrorBody: errorBody, Settings: set,
		Waiting: func(inv *Invoice) bool { return inv.Later && inv.Status == paydunya.StatusPending },
		Confirm: func(inv *Invoice, env emulator.Env) []emulator.Notification {
			inv.Later, inv.Status = false, paydunya.StatusCompleted
			if inv.Customer == (Customer{}) {
				inv.Customer = fictitiousCustomer
			}
			return env.To(ipnHeader(), ipnBody(s.URL, inv, env.Delta, s.Hash()), inv.Actions.CallbackURL)
		},
	})
	s.URL, s.shell = s.c.URL, &s.c.Shell
	for _, m := range []paydunya.Mode{paydunya.Sandbox, paydunya.Live} {
		pre, pre2 := apiPrefix(m), disbursePrefix(m)
		s.c.API("POST "+pre+"/checkout-invoice/create", providertest.OpCreate, s.create)
		s.c.API("GET "+pre+"/checkout-invoice/confirm/{token}", providertest.OpStatus, s.confirm)
		// The Python SDK's confirm() on the invoice object that created
		// the invoice posts, with the create body.
		s.c.API("POST "+pre+"/checkout-invoice/confirm/{token}", providertest.OpStatus, s.confirm)
		s.c.API("POST "+pre+"/direct-pay/credit-account", providertest.OpPayout, s.credit)
		s.c.API("POST "+pre2+"/disburse/get-invoice", providertest.OpPayoutPrepare, s.getInvoice)
		s.c.API("POST "+pre2+"/disburse/submit-invoice", providertest.OpPayout, s.submitInvoice)
		s.c.API("POST "+pre2+"/disburse/check-status", providertest.OpPayoutStatus, s.checkStatus)
		for _, p := range []string{pre, pre2} {
			s.c.Open(p+"/", providertest.OpAny, func(w http.ResponseWriter, _ *http.Request) {
				writeJSON(w, http.StatusNotFound, answer{Code: "404", Text: "Not Found"})
			})
		}
		s.c.Host(emulator.Hosted[Invoice]{Path: pagePrefix(m) + "{token}", Key: "token", Lang: "fr", Noun: "Facture",
			Final:   func(inv *Invoice) bool { return inv.Status != paydunya.StatusPending },
			Word:    func(inv *Invoice) string { return inv.Status },
			Missing: func(inv *Invoice, r *http.Request) bool { return inv.Mode != modeOf(r) },
			Show:    show, Press: s.press})
	}
	s.c.Start()
	return s
}

// apiPrefix is where each mode's API lives.
func apiPrefix(m paydunya.Mode) string {
	if m == paydunya.Live {
		return "/api/v1"
	}
	return "/sandbox-api/v1"
}

// disbursePrefix is where each mode's API PUSH (disbursements) lives.
func disbursePrefix(m paydunya.Mode) string {
	if m == paydunya.Live {
		return "/api/v2"
	}
	return "/sandbox-api/v2"
}

// pagePrefix is where each mode's checkout pages live, as PayDunya's
// response_text shows them.
func pagePrefix(m paydunya.Mode) string {
	if m == paydunya.Live {
		return "/checkout/invoice/"
	}
	return "/sandbox-checkout/invoice/"
}

// modeOf is the mode whose API or pages r calls.
func modeOf(r *http.Request) paydunya.Mode {
	if strings.HasPrefix(r.URL.Path, "/sandbox-") {
		return paydunya.Sandbox
	}
	return paydunya.Live
}

// BaseURL is the sandbox API's root, for paydunya.Config.BaseURL. Its API
// PUSH is under URL + "/sandbox-api/v2", where the provider looks for it.
func (s *Server) BaseURL() string { return s.URL + apiPrefix(paydunya.Sandbox) }

// LiveBaseURL is the live API's root.
func (s *Server) LiveBaseURL() string { return s.URL + apiPrefix(paydunya.Live) }

// Config returns a paydunya.Config for this server's sandbox: its keys,
// its store name and its base URL.
func (s *Server) Config() paydunya.Config {
	return paydunya.Config{
		MasterKey: s.MasterKey, PrivateKey: s.Sandbox.PrivateKey, Token: s.Sandbox.Token,
		Mode: paydunya.Sandbox, Store: paydunya.Store{Name: s.StoreName}, BaseURL: s.BaseURL(),
	}
}

// LiveConfig returns a paydunya.Config for this server's live mode.
func (s *Server) LiveConfig() paydunya.Config {
	return paydunya.Config{
		MasterKey: s.MasterKey, PrivateKey: s.Live.PrivateKey, Token: s.Live.Token,
		Mode: paydunya.Live, Store: paydunya.Store{Name: s.StoreName}, BaseURL: s.LiveBaseURL(),
	}
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

// Payouts returns every credit-account call that passed authentication, in
// order, refused ones included (their ResponseCode is not "00").
func (s *Server) Payouts() []Payout {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Payout(nil), s.payouts...)
}

// RefuseAccount makes credit-account and submit-invoice refuse payouts to
// alias with response_code 1004 and text, as PayDunya does for an alias
// that is no PayDunya account (a refused disbursement is failed, nothing
// sent). An empty text means "Account not found".
func (s *Server) RefuseAccount(alias, text string) {
	if text == "" {
		text = "Account not found"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refused[alias] = text
}

// Request is one API call the server received, as [Server.Requests]
// records it; it is [providertest.Request].
type Request = providertest.Request

// ClaimBody returns an IPN body about the invoice with this token claiming
// status, with the right data[hash] when validHash is true and a wrong one
// otherwise. The server's records do not change: it is what an attacker
// (or a replay of an old IPN, which carries the same hash) would post.
func (s *Server) ClaimBody(token, status string, validHash bool) ([]byte, error) {
	c, ok := s.c.Get(token)
	if !ok {
		return nil, fmt.Errorf("paydunyatest: no invoice %q", token)
	}
	return s.claim(c, status, validHash), nil
}

func (s *Server) claim(inv Invoice, status string, validHash bool) []byte {
	inv.Status = status
	if status == paydunya.StatusCompleted {
		inv.Customer = fictitiousCustomer
	}
	hash := s.Hash()
	if !validHash {
		hash = paydunya.Hash("forged-" + emulator.RandomHex(8))
	}
	return ipnBody(s.URL, &inv, 0, hash)
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
// constant time, and refuses as PayDunya does: HTTP 200, response_code
// 1001.
func (s *Server) authenticated(w http.ResponseWriter, r *http.Request) bool {
	keys := s.Sandbox
	if modeOf(r) == paydunya.Live {
		keys = s.Live
	}
	checks := []struct{ header, want, text string }{
		{paydunya.HeaderMasterKey, s.MasterKey, "Invalid Masterkey Specified"},
		{paydunya.HeaderPrivateKey, keys.PrivateKey, "Invalid PrivateKey Specified"},
		{paydunya.HeaderToken, keys.Token, "Invalid Token Specified"},
	}
	for _, c := range checks {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get(c.header)), []byte(c.want)) != 1 {
			writeJSON(w, http.StatusOK, answer{Code: CodeUnauthenticated, Text: c.text})
			return false
		}
	}
	return true
}

// answer is PayDunya's minimal answer.
type answer struct {
	Code string `json:"response_code"`
	Text string `json:"response_text"`
}

func writeJSON(w http.ResponseWriter, status int, v any) { emulator.WriteJSON(w, status, "", v) }

// errorBody is the body of an injected error status: the HTML page of the
// web server in front of the API for a 5xx, a PayDunya answer otherwise.
func errorBody(status int) (string, []byte) {
	if status >= 500 {
		text := fmt.Sprintf("%d %s", status, http.StatusText(status))
		return "text/html", []byte("<html>\r\n<head><title>" + text + "</title></head>\r\n<body>\r\n<center><h1>" +
			text + "</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")
	}
	b, _ := json.Marshal(answer{Code: fmt.Sprint(status), Text: http.StatusText(status)})
	return "application/json", b
}

// create is POST {api}/checkout-invoice/create.
func (s *Server) create(w http.ResponseWriter, r *http.Request) {
	m := modeOf(r)
	in, _, ok := emulator.ReadBody(r, false)
	if !ok {
		writeJSON(w, http.StatusOK, answer{Code: CodeInvalid, Text: "The request body must be a JSON object"})
		return
	}
	inv, errs := validateInvoice(in)
	if len(errs) > 0 {
		writeJSON(w, http.StatusOK, answer{Code: CodeInvalid, Text: "Invalid request: " + strings.Join(errs, "; ")})
		return
	}
	inv.Mode = m
	inv.Token = emulator.RandomHex(5)
	if m == paydunya.Sandbox {
		inv.Token = "test_" + inv.Token
	}
	inv.Status = paydunya.StatusPending
	inv.CreatedAt = time.Now().UTC()
	s.c.Add(inv.Token, inv)
	writeJSON(w, http.StatusOK, struct {
		answer
		Description string `json:"description"`
		Token       string `json:"token"`
	}{answer{CodeOK, s.URL + pagePrefix(m) + inv.Token}, "Checkout Invoice Created", inv.Token})
}

// confirm is GET {api}/checkout-invoice/confirm/{token}.
func (s *Server) confirm(w http.ResponseWriter, r *http.Request) {
	var body any
	s.c.With(r.PathValue("token"), func(inv *Invoice, env emulator.Env) {
		if inv.Mode == modeOf(r) {
			body = confirmBody(s.URL, inv, env.Delta, s.Hash())
		}
	})
	if body == nil {
		writeJSON(w, http.StatusNotFound, answer{Code: CodeNotFound, Text: "Invoice Not Found"})
		return
	}
	writeJSON(w, http.StatusOK, body)
}

// credit is POST {api}/direct-pay/credit-account.
func (s *Server) credit(w http.ResponseWriter, r *http.Request) {
	m := modeOf(r)
	in, _, ok := emulator.ReadBody(r, false)
	if !ok {
		writeJSON(w, http.StatusOK, answer{Code: CodeInvalid, Text: "The request body must be a JSON object"})
		return
	}
	v, errs := creditShape.Validate(in)
	alias, amount := v.String("account_alias"), v.Int("amount")
	if len(errs) > 0 {
		writeJSON(w, http.StatusOK, answer{Code: CodeInvalid, Text: "Invalid request: " + strings.Join(errs, "; ")})
		return
	}

	s.mu.Lock()
	po := Payout{Mode: m, AccountAlias: alias, Amount: amount, At: time.Now().UTC()}
	text, refused := s.refused[alias]
	if refused {
		po.ResponseCode = CodePayoutRefused
	} else {
		s.txSeq++
		po.ResponseCode = CodeOK
		po.TransactionID = fmt.Sprintf("TX%06d", s.txSeq)
		if m == paydunya.Sandbox {
			po.TransactionID = fmt.Sprintf("TEST%06d", s.txSeq)
		}
	}
	s.payouts = append(s.payouts, po)
	s.mu.Unlock()

	if refused {
		writeJSON(w, http.StatusOK, answer{Code: CodePayoutRefused, Text: text})
		return
	}
	account := "Account"
	if m == paydunya.Sandbox {
		account = "Sandbox Account"
	}
	writeJSON(w, http.StatusOK, struct {
		answer
		Description   string `json:"description"`
		TransactionID string `json:"transaction_id"`
	}{
		answer{CodeOK, "Transaction completed successfully"},
		fmt.Sprintf("Success! Amount of %d FCFA has been transfered to %s %s", amount, account, fictitiousCustomer.Name),
		po.TransactionID,
	})
}

// show is the hosted checkout page of inv.
func show(inv *Invoice, _ emulator.Env, _ *http.Request) emulator.CheckoutPage {
	return emulator.CheckoutPage{
		Brand:       brand,
		Merchant:    inv.Store.Name,
		Amount:      fmt.Sprintf("%d FCFA", inv.TotalAmount),
		Description: inv.Description,
		ActionURL:   pagePrefix(inv.Mode) + inv.Token,
		Operators:   operators(inv),
		Customer:    emulator.PageCustomer{Name: inv.Prefill.Name, Email: inv.Prefill.Email, Phone: inv.Prefill.Phone},
	}
}

// press plays a button: the IPN goes out (none while the phone has not
// confirmed), and the customer to return_url?token= after paying or
// choosing to pay later, cancel_url otherwise.
func (s *Server) press(inv *Invoice, a providertest.Action, c emulator.Choice, env emulator.Env) emulator.Outcome {
	settle(inv, a, c)
	out := emulator.Outcome{Title: map[providertest.Action]string{
		providertest.Pay: "Paiement effectué", providertest.Fail: "Paiement échoué", providertest.Cancel: "Paiement annulé",
		providertest.PayLater: "Confirmez sur votre téléphone",
	}[a]}
	switch a {
	case providertest.Pay, providertest.PayLater:
		if inv.Actions.ReturnURL != "" {
			out.Back = emulator.WithQuery(inv.Actions.ReturnURL, "token", inv.Token)
		}
	case providertest.Cancel, providertest.Fail:
		out.Back = inv.Actions.CancelURL
	}
	if a == providertest.PayLater {
		out.Wait = inv.Token // pending: no IPN until the phone confirms
	} else {
		out.Notify = env.To(ipnHeader(), ipnBody(env.URL, inv, env.Delta, s.Hash()), inv.Actions.CallbackURL)
	}
	return out
}

// settle applies the customer's action, with what they chose on the page,
// to an invoice.
func settle(inv *Invoice, a providertest.Action, c emulator.Choice) {
	if a != providertest.Cancel {
		inv.Channel = c.From(operators(inv)).Code
	}
	switch a {
	case providertest.PayLater:
		inv.Later = true
		inv.Customer = fictitiousCustomer
		if c.Phone != "" {
			inv.Customer.Phone = c.Phone
		}
	case providertest.Pay:
		inv.Status = paydunya.StatusCompleted
		inv.Customer = fictitiousCustomer
		if c.Phone != "" {
			inv.Customer.Phone = c.Phone
		}
	case providertest.Fail:
		inv.Status = paydunya.StatusFailed
		inv.FailReason = "Card declined by the issuer"
	case providertest.Cancel:
		inv.Status = paydunya.StatusCancelled
		inv.FailReason = "Payment cancelled by customer"
	}
}

// ipnHeader is an IPN's header: a PHP form.
func ipnHeader() http.Header {
	return http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
}
