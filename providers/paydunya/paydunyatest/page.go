package paydunyatest

import (
	"cmp"
	"fmt"
	"net/http"

	"github.com/cauripay/cauri/internal/emulator"
	"github.com/cauripay/cauri/providers/paydunya"
	"github.com/cauripay/cauri/providers/providertest"
)

// channels are PayDunya's payment channels, as tables.json lists them.
// PayDunya's guide says only that its page offers "a variety of payment
// options" and shows new ones without any change of the merchant's code;
// the slugs, the words of invoice.channels, are those of its API PUSH
// guide (withdraw_mode) and of its PSR clients (wizall-money-senegal),
// with card for bank cards.
type channels struct {
	// Default are the channels a page offers when the invoice names none:
	// a Senegalese store's (PayDunya's home market, and the FCFA of the
	// guide's examples), Orange Money first.
	Default []string
	// Names are the channels' names on the page, by slug.
	Names map[string]string
}

// operators are the channels inv's page offers: those its
// invoice.channels named (the SDKs' way to restrict the page), else the
// default ones.
func (s *Server) operators(inv *Invoice) []emulator.Operator {
	slugs := inv.Channels
	if len(slugs) == 0 {
		slugs = s.t.Channels.Default
	}
	out := make([]emulator.Operator, len(slugs))
	for i, slug := range slugs {
		out[i] = emulator.Operator{Code: slug, Name: cmp.Or(s.t.Channels.Names[slug], slug)}
	}
	return out
}

// show is the hosted checkout page of inv.
func (s *Server) show(inv *Invoice, _ emulator.Env, _ *http.Request) emulator.CheckoutPage {
	return emulator.CheckoutPage{Brand: s.t.Brand, Merchant: inv.Store.Name, Amount: fmt.Sprintf("%d FCFA", inv.TotalAmount),
		Description: inv.Description, ActionURL: inMode(inv.Mode, "checkout/invoice/") + inv.Token, Operators: s.operators(inv),
		Customer: emulator.PageCustomer(inv.Prefill)}
}

// press plays a button: the customer's choice is recorded, the IPN goes
// out (none while the phone has not confirmed), and the customer to
// return_url?token= after paying or choosing to pay later, cancel_url
// otherwise.
func (s *Server) press(inv *Invoice, a providertest.Action, c emulator.Choice, env emulator.Env) emulator.Outcome {
	if a != providertest.Cancel {
		inv.Channel = c.From(s.operators(inv)).Code
	}
	switch a {
	case providertest.Pay:
		inv.Status = paydunya.StatusCompleted
		fallthrough
	case providertest.PayLater:
		inv.Customer = fictitiousCustomer
		inv.Customer.Phone = cmp.Or(c.Phone, inv.Customer.Phone)
		inv.Later = a == providertest.PayLater
	case providertest.Fail:
		inv.Status, inv.FailReason = paydunya.StatusFailed, "Card declined by the issuer"
	case providertest.Cancel:
		inv.Status, inv.FailReason = paydunya.StatusCancelled, "Payment cancelled by customer"
	}
	var notify []emulator.Notification
	if !inv.Later { // pending: no IPN until the phone confirms
		notify = s.ipn(inv, env)
	}
	back := inv.Actions.ReturnURL
	if back != "" {
		back = emulator.WithQuery(back, "token", inv.Token)
	}
	out := emulator.SentBack(a, inv.Token, back, inv.Actions.CancelURL, notify)
	out.Title = s.t.Titles[a]
	return out
}
