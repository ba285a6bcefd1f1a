package moneyfusiontest

import (
	"github.com/cauripay/cauri/internal/emulator"
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
