package dexpaytest

import (
	"github.com/cauripay/cauri/internal/emulator"
)

// brand is how the emulated DEXPAY checkout looks, in French as DEXPAY's
// is. The colours are the emulator's, not DEXPAY's official palette.
var brand = emulator.Brand{Name: "DEXPAY", Logo: "DEXPAY", Color: "#1e1b4b", Accent: "#6366f1", Lang: "fr"}

// operators are the mobile-money operators the checkout offers, by the
// word DEXPAY's notifications and payment attempts report as operator:
// those of its official Node SDK (README: payouts' destination_details.
// operator and a payment attempt's operator, wave, orange_money, mtn and
// moov). Wave comes first: the one a customer who chooses nothing pays
// with.
var operators = []emulator.Operator{
	{Code: "wave", Name: "Wave"},
	{Code: "orange_money", Name: "Orange Money"},
	{Code: "mtn", Name: "MTN MoMo"},
	{Code: "moov", Name: "Moov Money"},
}
