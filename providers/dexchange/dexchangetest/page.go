package dexchangetest

import (
	"github.com/cauripay/cauri/internal/emulator"
)

// brand is how the emulated DEXCHANGE payment page looks, in French as
// DEXCHANGE's is. The colours are the emulator's, not DEXCHANGE's
// official palette.
var brand = emulator.Brand{Name: "DEXCHANGE", Logo: "DEXCHANGE", Color: "#0f2a44", Accent: "#e0a100", Lang: "fr"}

// operators are the services the payment page offers: the collection
// (CASHOUT) services of Senegal that DEXCHANGE's API reference lists under
// "Available Services by Country" (docs-api.dexchange.sn, endpoint
// services), by the serviceCode a transaction lookup reports. Orange
// Money comes first: the get-transaction example's OM_SN_CASHOUT, the one
// a customer who chooses nothing pays with.
var operators = []emulator.Operator{
	{Code: "OM_SN_CASHOUT", Name: "Orange Money"},
	{Code: "WAVE_SN_CASHOUT", Name: "Wave"},
	{Code: "FM_SN_CASHOUT", Name: "Free Money"},
	{Code: "WIZALL_SN_CASHOUT", Name: "Wizall Money"},
}

// serviceNames are the services' ServiceName in lookups.
var serviceNames = map[string]string{
	"OM_SN_CASHOUT":     "Orange Money Senegal",
	"WAVE_SN_CASHOUT":   "Wave Senegal",
	"FM_SN_CASHOUT":     "Free Money Senegal",
	"WIZALL_SN_CASHOUT": "Wizall Money Senegal",
}
