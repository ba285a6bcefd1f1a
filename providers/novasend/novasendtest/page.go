package novasendtest

import (
	"strings"

	"github.com/cauripay/cauri/internal/emulator"
)

// brand is how the emulated NovaSend confirmation page looks. The colours
// are the emulator's, not NovaSend's official palette.
var brand = emulator.Brand{Name: "NovaSend", Logo: "NovaSend", Color: "#0f766e", Accent: "#14b8a6", Lang: "en"}

// walletsByCountry are the wallets the page offers, by the payin's
// country. NovaSend documents no choice of operator: a session names the
// customer's msisdn, and the page only asks them to confirm (its webhook
// sample's paymentUrl is a Wave link, pay.wave.com). The emulator offers
// the country's usual mobile-money wallets so that a person trying the
// demo sees where the money would come from; the choice is recorded
// (Payin.Operator) and reported nowhere, as NovaSend's answers name no
// operator.
var walletsByCountry = map[string][]emulator.Operator{
	"CI": {{Code: "wave", Name: "Wave"}, {Code: "orange", Name: "Orange Money"}, {Code: "mtn", Name: "MTN MoMo"}, {Code: "moov", Name: "Moov Money"}},
	"SN": {{Code: "wave", Name: "Wave"}, {Code: "orange", Name: "Orange Money"}, {Code: "free", Name: "Free Money"}},
	"CM": {{Code: "mtn", Name: "MTN MoMo"}, {Code: "orange", Name: "Orange Money"}},
	"TG": {{Code: "tmoney", Name: "T-Money"}, {Code: "moov", Name: "Moov Money"}},
	"BJ": {{Code: "mtn", Name: "MTN MoMo"}, {Code: "moov", Name: "Moov Money"}},
}

// operators are the wallets p's page offers: its country's, or Côte
// d'Ivoire's (NovaSend's first documented country) for the others.
func operators(p *Payin) []emulator.Operator {
	if ops, ok := walletsByCountry[strings.ToUpper(p.Country)]; ok {
		return ops
	}
	return walletsByCountry["CI"]
}
