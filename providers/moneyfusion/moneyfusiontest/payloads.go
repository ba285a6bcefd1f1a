package moneyfusiontest

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"

	"github.com/cauripay/cauri/internal/emulator"
)

// payShape is the payment request as the documentation's field table
// declares it; a refusal names the fields that are missing or of the
// wrong type, in the table's order. totalPrice is a whole number of
// francs, a JSON number or a numeric string (MoneyFusion's Python SDK
// sends strings).
var payShape = emulator.Shape{Trim: true, Dialect: func(p emulator.Problem) []string { return []string{p.Field} }, Fields: []emulator.Field{
	{Name: "totalPrice", Kind: emulator.Amount, Required: true, Check: emulator.Whole(1, 1e15-1)},
	{Name: "article", Kind: emulator.List, Required: true, Check: func(v any) (string, string) {
		if list, ok := objects(v); !ok || len(list) == 0 || !articlesOK(list) {
			return "article", ""
		}
		return "", ""
	}},
	{Name: "numeroSend", Required: true},
	{Name: "nomclient", Required: true},
	{Name: "personal_Info", Kind: emulator.List, Check: func(v any) (string, string) {
		if _, ok := objects(v); !ok {
			return "objects", ""
		}
		return "", ""
	}},
	{Name: "return_url", Check: emulator.URL},
	{Name: "webhook_url", Check: emulator.URL},
}}

// validatePay checks a payment request and returns the payment it
// describes, or the names of the fields refused.
func validatePay(in map[string]any) (*Payment, []string) {
	v, bad := payShape.Validate(in)
	article, _ := objects(v.List("article"))
	info, _ := objects(v.List("personal_Info"))
	return &Payment{
		TotalPrice: v.Int("totalPrice"), Article: article, PersonalInfo: info, NumeroSend: v.String("numeroSend"),
		NomClient: v.String("nomclient"), ReturnURL: v.String("return_url"), WebhookURL: v.String("webhook_url"),
	}, bad
}

// whole reads a whole number of francs from a JSON number or a numeric
// string.
func whole(v any) (int64, bool) {
	var s string
	switch x := v.(type) {
	case json.Number:
		s = x.String()
	case string:
		s = strings.TrimSpace(x)
	default:
		return 0, false
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f == float64(int64(f)) && f < 1e15 {
		return int64(f), true
	}
	return 0, false
}

// objects reads an array of JSON objects.
func objects(v any) ([]map[string]any, bool) {
	arr, ok := v.([]any)
	if !ok {
		return nil, false
	}
	out := make([]map[string]any, 0, len(arr))
	for _, e := range arr {
		m, ok := e.(map[string]any)
		if !ok {
			return nil, false
		}
		out = append(out, m)
	}
	return out, true
}

// An article object comes in two shapes. The documentation's and the
// fusionpay SDK's names articles by its keys, each priced by its value:
// {"sac": 100, "chaussure": 100}. The Python client's (apiMoneyFusion
// PaymentClient, docs.moneyfusion.net's Python page) describes one article:
// {"name": "Article 1", "price": "5000", "quantity": 1}. An object whose
// "name" is a string is of the second shape.

// named reports whether an article object is of the {"name", "price",
// "quantity"} shape, and its name.
func named(m map[string]any) (string, bool) {
	name, ok := m["name"].(string)
	return strings.TrimSpace(name), ok
}

// articlesOK reports whether every article object is one of the two
// shapes: names priced by non-negative numbers of francs; or a non-blank
// name, a non-negative price in francs and, when given, a quantity of at
// least one.
func articlesOK(list []map[string]any) bool {
	for _, m := range list {
		if len(m) == 0 {
			return false
		}
		if name, ok := named(m); ok {
			if name == "" {
				return false
			}
			if n, ok := whole(m["price"]); !ok || n < 0 {
				return false
			}
			if q, present := m["quantity"]; present {
				if n, ok := whole(q); !ok || n < 1 {
					return false
				}
			}
			continue
		}
		for _, price := range m {
			if n, ok := whole(price); !ok || n < 0 {
				return false
			}
		}
	}
	return true
}

// articleNames lists the articles' names, for the payment page.
func articleNames(list []map[string]any) string {
	var names []string
	for _, m := range list {
		if name, ok := named(m); ok {
			names = append(names, name)
			continue
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		names = append(names, keys...)
	}
	return strings.Join(names, ", ")
}

// amounts returns the Montant and frais reported for p: the charged amount
// is totalPrice plus the reported delta; frais is the fee on totalPrice;
// Montant is the charged amount net of frais, or all of it with
// WithGrossMontant. The caller holds the server's lock.
func (s *Server) amounts(p *Payment, delta int64) (montant, frais int64) {
	charged := p.TotalPrice + delta
	frais = p.TotalPrice * s.feePercent / 100
	if s.gross {
		return charged, frais
	}
	return charged - frais, frais
}

func personalInfo(p *Payment) []map[string]any {
	if p.PersonalInfo == nil {
		return []map[string]any{}
	}
	return p.PersonalInfo
}

// statusData is the data of a paiementNotif answer, in the documented
// field order. The caller holds the server's lock.
func (s *Server) statusData(p *Payment, env emulator.Env) any {
	montant, frais := s.amounts(p, env.Delta)
	var hook string
	if s.showHook {
		hook = p.WebhookURL
	}
	return emulator.O("_id", p.ID, "tokenPay", p.Token, "numeroSend", p.NumeroSend, "nomclient", p.NomClient,
		"personal_Info", personalInfo(p), "numeroTransaction", p.NumeroTransaction, "Montant", montant, "frais", frais,
		"statut", s.statut(p, env.Now), "moyen", p.Moyen, "return_url", p.ReturnURL, "webhook_url,omitempty", hook,
		"createdAt", emulator.ISOTime(p.CreatedAt))
}

// webhookBody is the JSON of a webhook about p, in the documented field
// order. The caller holds the server's lock.
func (s *Server) webhookBody(p *Payment, event string, env emulator.Env) []byte {
	montant, frais := s.amounts(p, env.Delta)
	b, _ := json.Marshal(emulator.O("event", event, "personal_Info", personalInfo(p), "tokenPay", p.Token,
		"numeroSend", p.NumeroSend, "nomclient", p.NomClient, "numeroTransaction", p.NumeroTransaction,
		"Montant", montant, "frais", frais, "return_url", p.ReturnURL, "webhook_url", p.WebhookURL,
		"createdAt", emulator.ISOTime(p.CreatedAt)))
	return b
}
