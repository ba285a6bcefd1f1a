package paydunyatest

import (
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/internal/emulator"
	"github.com/cauripay/cauri/providers/paydunya"
)

// Invoice is the emulator's record of one checkout invoice.
type Invoice struct {
	// Token is PayDunya's identifier, "test_..." in the sandbox.
	Token string
	// Mode is the environment the invoice was created in.
	Mode paydunya.Mode
	// Status is PayDunya's word: pending, then completed, failed or
	// cancelled (or whatever SetStatus set).
	Status string
	// TotalAmount is invoice.total_amount, in FCFA, as created.
	TotalAmount int64
	// Description, Items, Taxes, Store, CustomData and Actions are as
	// created; item and tax amounts are kept as the text sent.
	Description string
	Items       []Item
	Taxes       []Tax
	Store       Store
	CustomData  map[string]string
	Actions     Actions
	// Channels is invoice.channels as created: the payment channels the
	// page may offer (all when empty).
	Channels []string
	// Channel is the channel the customer chose on the page, once they
	// acted.
	Channel string
	// Later is true while the customer who chose "pay later on my phone"
	// has not confirmed on their phone: the invoice is pending.
	Later bool
	// Prefill is invoice.customer as created: who the shop says the
	// customer is, shown pre-filled on the hosted page (the WooCommerce
	// plugin sends it). Blank when the shop sent none.
	Prefill Customer `emulator:"customer"`
	// Customer is who paid, once completed: a fictitious customer.
	Customer Customer `emulator:"-"`
	// FailReason is set when the invoice failed or was cancelled.
	FailReason string
	// CreatedAt is when the invoice was created.
	CreatedAt time.Time
}

// Item is one entry of invoice.items.
type Item struct{ Name, Quantity, UnitPrice, TotalPrice, Description string }

// Tax is one entry of invoice.taxes.
type Tax struct{ Name, Amount string }

// Store is the invoice's store object.
type Store struct{ Name, Tagline, PostalAddress, Phone, LogoURL, WebsiteURL string }

// Actions are the invoice's URLs.
type Actions struct{ CancelURL, ReturnURL, CallbackURL string }

// Customer is the payer PayDunya reports.
type Customer struct{ Name, Email, Phone string }

// fictitiousCustomer is the sandbox's "client fictif" who pays every
// invoice.
var fictitiousCustomer = Customer{Name: "Client Fictif", Phone: "770000000", Email: "client.fictif@example.com"}

// fcfa is the check "fcfa" of shapes/*.json: a positive whole number of
// FCFA, written as PayDunya's clients write it.
func fcfa(v any) (string, string) {
	if n, err := cauri.ParseAmount(v.(string), paydunya.Currency); err != nil || n <= 0 {
		return "fcfa", ""
	}
	return "", ""
}

// dialect words a problem as the emulator's PayDunya does, a list's
// element by its index in brackets: "invoice.items[0] must be an object".
func dialect(p emulator.Problem) []string {
	path := indexPath.ReplaceAllString(p.Path(), "[$1]")
	switch {
	case p.Parent == "invoice.channels.":
		return []string{path + " must be a channel name"}
	case p.Rule == emulator.RuleRequired || p.Rule == emulator.RuleBlank:
		return []string{path + " is required"}
	case p.Rule == emulator.RuleURL:
		return []string{path + " must be an absolute URL"}
	}
	return []string{path + map[emulator.Kind]string{emulator.Object: " must be an object", emulator.List: " must be an array",
		emulator.Text: " must be a string", emulator.Amount: " must be a number"}[p.Kind]}
}

// indexPath is a list index in a dotted path, written [i] by PayDunya.
var indexPath = regexp.MustCompile(`\.(\d+)\b`)

// read decodes a JSON body as shapes/<shape> declares it, or refuses it
// with 1003 and the problems: an invoice's sorted by path, the API PUSH's
// in the order of their fields.
func (s *Server) read(r *http.Request, shape string) (emulator.Values, error) {
	in, _, ok := emulator.ReadBody(r, false)
	if !ok {
		return nil, s.t.Refused["badJSON"]
	}
	v, errs := s.shapes[shape].Validate(in)
	if shape == "invoice.json" {
		slices.Sort(errs)
	}
	if len(errs) > 0 {
		return nil, s.t.Refused["invalid"].With(strings.Join(errs, "; "))
	}
	return v, nil
}

// create is POST {api}/checkout-invoice/create.
func (s *Server) create(r *http.Request) ([]byte, error) {
	v, err := s.read(r, "invoice.json")
	if err != nil {
		return nil, err
	}
	inv := &Invoice{CustomData: map[string]string{}} // store, custom_data and actions, then what invoice holds
	emulator.Bind(inv, v)
	emulator.Bind(inv, v.Nested("invoice"))
	inv.Mode, inv.Token, inv.Status, inv.CreatedAt = modeOf(r), emulator.RandomHex(5), paydunya.StatusPending, time.Now().UTC()
	if inv.Mode == paydunya.Sandbox {
		inv.Token = "test_" + inv.Token
	}
	s.c.Add(inv.Token, inv)
	return s.api.Body("create.json", s.view(inv, 0, false)), nil
}

// confirm is GET {api}/checkout-invoice/confirm/{token}: an invoice of
// the mode called, or HTTP 404 with 1002.
func (s *Server) confirm(r *http.Request) ([]byte, error) {
	missing := s.t.Refused["noInvoice"]
	return s.c.Lookup(r.PathValue("token"), missing, func(inv *Invoice, _ emulator.Env) error { return elsewhere(inv.Mode, r, missing) },
		func(inv *Invoice, env emulator.Env) []byte {
			return s.api.Body("confirm.json", s.view(inv, env.Delta, false))
		})
}

// ipn is the IPN about inv: its confirm answer under data[...], as PHP
// posts it, to its callback_url.
func (s *Server) ipn(inv *Invoice, env emulator.Env) []emulator.Notification {
	return env.To(ipnHeader(), s.api.Answers.Form("confirm.json", "data", s.view(inv, env.Delta, true)), inv.Actions.CallbackURL)
}

// ipnHeader is an IPN's header: a PHP form.
func ipnHeader() http.Header {
	return http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
}

// view is what answers/create.json and answers/confirm.json show of an
// invoice: the invoice; Base, the server's root in its mode (where its
// page and its receipt are); Hash, the IPN's; Total, the total reported,
// shifted by ReportAmountDelta's delta; Ref, the token without its
// sandbox prefix, the root of the receipt's and the operator's
// references; and IPN, whether it is the IPN, which lacks them.
type view struct {
	*Invoice
	Base, Hash, Ref string
	Total           int64
	IPN             bool
}

func (s *Server) view(inv *Invoice, delta int64, ipn bool) view {
	return view{inv, s.URL + inMode(inv.Mode, ""), s.Hash(), strings.TrimPrefix(inv.Token, "test_"), inv.TotalAmount + delta, ipn}
}

// Number writes digits as a JSON number, anything else as a string:
// quantities and tax amounts as PayDunya answers them.
func (v view) Number(s string) string {
	if _, err := strconv.ParseInt(s, 10, 64); err == nil {
		return s
	}
	return string(emulator.MarshalJS(s))
}
