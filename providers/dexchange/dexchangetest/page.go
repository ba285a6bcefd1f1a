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
var operators = emulator.LoadData[[]emulator.Operator](files, "data/operators.json")

// serviceNames are the services' ServiceName in lookups, by serviceCode.
var serviceNames = emulator.LoadData[map[string]string](files, "data/services.json")
