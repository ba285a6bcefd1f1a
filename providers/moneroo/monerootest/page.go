package monerootest

import (
	"slices"

	"github.com/cauripay/cauri/internal/emulator"
)

// brand is how the emulated Moneroo checkout looks. The colours are the
// emulator's, not Moneroo's official palette.
var brand = emulator.Brand{Name: "Moneroo", Logo: "moneroo", Color: "#0b3d91", Accent: "#1e88e5", Lang: "en"}

// sandboxGateway is the method of a currency the table has none for: the
// sandbox's own gateway takes any currency.
var sandboxGateway = emulator.Operator{Code: "moneroo_test", Name: "Moneroo Test Payment Gateway"}

// operators are the methods p's page offers: those its initialize call
// named, in that order, or else its currency's; never none.
func (s *Server) operators(p *Payment) []emulator.Operator {
	known := s.methods[p.Currency]
	if len(p.Methods) == 0 {
		if len(known) == 0 {
			return []emulator.Operator{sandboxGateway}
		}
		return known
	}
	out := make([]emulator.Operator, 0, len(p.Methods))
	for _, code := range p.Methods {
		op := emulator.Operator{Code: code, Name: code}
		if i := slices.IndexFunc(known, func(k emulator.Operator) bool { return k.Code == code }); i >= 0 {
			op = known[i]
		}
		out = append(out, op)
	}
	return out
}
