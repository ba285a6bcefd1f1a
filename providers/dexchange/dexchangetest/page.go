package dexchangetest

import (
	"github.com/cauripay/cauri/internal/emulator"
)

// brand is how the emulated DEXCHANGE payment page looks, in French as
// DEXCHANGE's is. The colours are the emulator's, not DEXCHANGE's
// official palette.
var brand = emulator.Brand{Name: "DEXCHANGE", Logo: "DEXCHANGE", Color: "#0f2a44", Accent: "#e0a100", Lang: "fr"}
