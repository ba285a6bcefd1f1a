package paydunyatest

import (
	"github.com/cauripay/cauri/internal/emulator"
)

// brand is how the emulated PayDunya checkout looks, in French as
// PayDunya's is. The colours are the emulator's, not PayDunya's official
// palette.
var brand = emulator.Brand{Name: "PayDunya", Logo: "PayDunya", Color: "#0b3a75", Accent: "#f39200", Lang: "fr"}

// channelNames names PayDunya's payment channels by their slugs, the
// words of invoice.channels. PayDunya's guide says only that its page
// offers "a variety of payment options" and shows new ones without any
// change of the merchant's code; the slugs are those of its API PUSH
// guide (withdraw_mode: orange-money-senegal, free-money-senegal,
// expresso-senegal, wave-senegal, mtn-benin, moov-benin, mtn-ci,
// orange-money-ci, moov-ci, wave-ci, t-money-togo, orange-money-mali) and
// of its PSR clients (wizall-money-senegal), with card for bank cards.
var channelNames = map[string]string{
	"orange-money-senegal": "Orange Money",
	"wave-senegal":         "Wave",
	"free-money-senegal":   "Free Money",
	"expresso-senegal":     "E-Money (Expresso)",
	"wizall-money-senegal": "Wizall Money",
	"card":                 "Carte bancaire",
	"orange-money-ci":      "Orange Money Côte d'Ivoire",
	"wave-ci":              "Wave Côte d'Ivoire",
	"mtn-ci":               "MTN MoMo Côte d'Ivoire",
	"moov-ci":              "Moov Money Côte d'Ivoire",
	"mtn-benin":            "MTN MoMo Bénin",
	"moov-benin":           "Moov Money Bénin",
	"t-money-togo":         "T-Money Togo",
	"orange-money-mali":    "Orange Money Mali",
}

// defaultChannels are the channels a page offers when the invoice names
// none: a Senegalese store's (PayDunya's home market, and the FCFA of the
// guide's examples), Orange Money first.
var defaultChannels = []string{
	"orange-money-senegal", "wave-senegal", "free-money-senegal", "expresso-senegal", "wizall-money-senegal", "card",
}

// operators are the channels inv's page offers: those its
// invoice.channels named (the SDKs' way to restrict the page), else the
// default ones.
func operators(inv *Invoice) []emulator.Operator {
	slugs := inv.Channels
	if len(slugs) == 0 {
		slugs = defaultChannels
	}
	out := make([]emulator.Operator, 0, len(slugs))
	for _, slug := range slugs {
		name, ok := channelNames[slug]
		if !ok {
			name = slug
		}
		out = append(out, emulator.Operator{Code: slug, Name: name})
	}
	return out
}
