package moneyfusiontest

import (
	"fmt"
	"net/http"

	"github.com/cauripay/cauri/internal/emulator"
	"github.com/cauripay/cauri/providers/moneyfusion"
	"github.com/cauripay/cauri/providers/providertest"
)

// brand is how the emulated MoneyFusion payment page looks, in French as
// MoneyFusion's is. The colours are the emulator's, not MoneyFusion's
// official palette.
var brand = emulator.Brand{Name: "MoneyFusion", Logo: "MoneyFusion", Color: "#4c1d95", Accent: "#f59e0b", Lang: "fr"}

// operators are the means of payment the page offers, with the word the
// status endpoint and webhooks give as moyen. MoneyFusion documents no
// list for pay-ins: its status example says "moyen": "orange" (the first,
// the one a customer who chooses nothing pays with); the others are the
// operators of Côte d'Ivoire, its home market, as its payout guide lists
// them (withdraw_mode orange-money-ci, mtn-ci, moov-ci, wave-ci), named by
// their operator the way "orange" is.
var operators = []emulator.Operator{
	{Code: "orange", Name: "Orange Money"},
	{Code: "mtn", Name: "MTN MoMo"},
	{Code: "moov", Name: "Moov Money"},
	{Code: "wave", Name: "Wave"},
}

// show is the hosted payment page of p.
func (s *Server) show(p *Payment, _ emulator.Env, _ *http.Request) emulator.CheckoutPage {
	return emulator.CheckoutPage{
		Brand: brand, Merchant: s.merchant, Operators: operators, ActionURL: s.pagePath(p.Token),
		Amount: fmt.Sprintf("%d FCFA", p.TotalPrice), Description: articleNames(p.Article),
		Customer: emulator.PageCustomer{Name: p.NomClient, Phone: p.NumeroSend},
	}
}

// press plays a button: every one sends the customer back to return_url
// with ?token=, after the events MoneyFusion sends for it.
func (s *Server) press(p *Payment, a providertest.Action, c emulator.Choice, env emulator.Env) emulator.Outcome {
	var out emulator.Outcome
	events := []string{moneyfusion.EventPending}
	switch a {
	case providertest.Pay:
		p.Status, p.Moyen, p.NumeroTransaction = StatusPaid, c.From(operators).Code, randomDigits(10)
		events = append(events, moneyfusion.EventCompleted)
	case providertest.Fail:
		p.Status, p.Moyen, p.NumeroTransaction = StatusFailure, c.From(operators).Code, randomDigits(10)
		events = append(events, moneyfusion.EventCancelled)
	case providertest.PayLater:
		// Pending until the phone confirms: ConfirmLater.
		p.Moyen, p.Later, out.Wait = c.From(operators).Code, true, p.Token
	case providertest.Cancel:
		// MoneyFusion's status endpoint has no word of its own for it.
		p.Status, p.Cancelled, events = StatusNoPaid, true, []string{moneyfusion.EventCancelled}
	}
	for _, e := range events {
		out.Notify = append(out.Notify, env.To(nil, s.webhook(p, e, env), p.WebhookURL)...)
	}
	if p.ReturnURL != "" {
		out.Back = emulator.WithQuery(p.ReturnURL, "token", p.Token)
	}
	out.Title = p.Status
	return out
}

// closed reports whether p's page takes no more action: paid, failed,
// cancelled.
func closed(p *Payment) bool {
	return p.Cancelled || p.Status == StatusPaid || p.Status == StatusFailure || p.Status == StatusCancelled
}
