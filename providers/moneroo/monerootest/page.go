package monerootest

import (
	"github.com/cauripay/cauri/internal/emulator"
)

// brand is how the emulated Moneroo checkout looks. The colours are the
// emulator's, not Moneroo's official palette.
var brand = emulator.Brand{Name: "Moneroo", Logo: "moneroo", Color: "#0b3d91", Accent: "#1e88e5", Lang: "en"}

// methodNames are the payment methods Moneroo's checkout offers, by
// currency, with the short codes its API reports (capture.method.
// short_code): the table of MonerooHQ/moneroo-laravel's
// src/Utils/PaymentUtil.php. The page offers the currency's, or only those
// the initialize call's methods named. The first of each currency is the
// one a customer who chooses nothing pays with.
var methodNames = map[string][]emulator.Operator{
	"XOF": {
		{Code: "wave_ci", Name: "Wave Côte d'Ivoire"},
		{Code: "orange_ci", Name: "Orange Money Côte d'Ivoire"},
		{Code: "mtn_ci", Name: "MTN MoMo Côte d'Ivoire"},
		{Code: "moov_ci", Name: "Moov Money Côte d'Ivoire"},
		{Code: "wave_sn", Name: "Wave Sénégal"},
		{Code: "orange_sn", Name: "Orange Money Sénégal"},
		{Code: "freemoney_sn", Name: "Free Money Sénégal"},
		{Code: "e_money_sn", Name: "E-Money Sénégal"},
		{Code: "mtn_bj", Name: "MTN MoMo Bénin"},
		{Code: "moov_bj", Name: "Moov Money Bénin"},
		{Code: "moov_tg", Name: "Moov Money Togo"},
		{Code: "togocel", Name: "Togocel T-Money"},
		{Code: "orange_bf", Name: "Orange Money Burkina Faso"},
		{Code: "moov_bf", Name: "Moov Money Burkina Faso"},
		{Code: "mobi_cash_bf", Name: "Mobicash Burkina Faso"},
		{Code: "orange_ml", Name: "Orange Money Mali"},
		{Code: "moov_ml", Name: "Moov Money Mali"},
		{Code: "mobi_cash_ml", Name: "Mobicash Mali"},
		{Code: "airtel_ne", Name: "Airtel Money Niger"},
		{Code: "card_xof", Name: "Carte bancaire"},
	},
	"XAF": {
		{Code: "mtn_cm", Name: "MTN MoMo Cameroun"},
		{Code: "orange_cm", Name: "Orange Money Cameroun"},
		{Code: "eu_mobile_cm", Name: "EU Mobile Money"},
		{Code: "card_xaf", Name: "Carte bancaire"},
	},
	"GNF": {{Code: "mtn_gf", Name: "MTN MoMo Guinée"}},
	"USD": {{Code: "card_usd", Name: "Card"}},
	"NGN": {
		{Code: "card_ngn", Name: "Card"},
		{Code: "mtn_ng", Name: "MTN MoMo Nigeria"},
		{Code: "airtel_ng", Name: "Airtel Money Nigeria"},
		{Code: "bank_transfer_ng", Name: "Bank transfer"},
		{Code: "ussd_ngn", Name: "USSD"},
		{Code: "qr_ngn", Name: "QR code"},
		{Code: "barter", Name: "Barter"},
	},
	"GHS": {
		{Code: "mtn_gh", Name: "MTN MoMo Ghana"},
		{Code: "airtel_gh", Name: "AirtelTigo Money"},
		{Code: "vodafone_gh", Name: "Vodafone Cash"},
		{Code: "card_ghs", Name: "Card"},
	},
	"ZAR": {{Code: "card_zar", Name: "Card"}},
	"KES": {{Code: "card_kes", Name: "Card"}},
	"TZS": {{Code: "card_tzs", Name: "Card"}},
	"UGX": {{Code: "card_ugx", Name: "Card"}},
}

// operators are the methods p's page offers: those its initialize call
// named, in that order, or else its currency's; never none.
func operators(p *Payment) []emulator.Operator {
	known := methodNames[p.Currency]
	if len(p.Methods) == 0 {
		if len(known) == 0 {
			// The sandbox's own gateway takes any currency.
			return []emulator.Operator{{Code: "moneroo_test", Name: "Moneroo Test Payment Gateway"}}
		}
		return known
	}
	out := make([]emulator.Operator, 0, len(p.Methods))
	for _, code := range p.Methods {
		op := emulator.Operator{Code: code, Name: code}
		for _, k := range known {
			if k.Code == code {
				op = k
				break
			}
		}
		out = append(out, op)
	}
	return out
}
