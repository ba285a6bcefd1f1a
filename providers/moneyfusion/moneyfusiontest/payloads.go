package moneyfusiontest

import (
	"embed"
	"maps"
	"slices"
	"strings"

	"github.com/cauripay/cauri/internal/emulator"
)

// answerFiles are MoneyFusion's documented bodies: the payment request's
// answer (pay.json), the status endpoint's (status.json), the webhook
// (webhook.json) and the emulator's refusal (refusal.json).
//
//go:embed answers/*.json
var answerFiles embed.FS

// payShape is the payment request as the documentation's field table
// declares it; a refusal names the fields that are missing or of the
// wrong type, in the table's order. totalPrice is a whole number of
// francs, a JSON number or a numeric string (MoneyFusion's Python SDK
// sends strings); article a list of one or more article objects,
// personal_Info a list of objects.
var payShape = emulator.Shape{Trim: true, Dialect: topField, Fields: []emulator.Field{
	{Name: "totalPrice", Kind: emulator.Amount, Required: true, Check: emulator.Whole(1, 1e15-1)},
	{Name: "article", Kind: emulator.List, Required: true, Check: notEmpty, Each: &emulator.Field{Kind: emulator.Object, Required: true, Check: article}},
	{Name: "numeroSend", Required: true},
	{Name: "nomclient", Required: true},
	{Name: "personal_Info", Kind: emulator.List, Each: &emulator.Field{Kind: emulator.Object, Required: true}},
	{Name: "return_url", Check: emulator.URL},
	{Name: "webhook_url", Check: emulator.URL},
}}

// topField is MoneyFusion's word for a problem: the name of the
// request's field it is in.
func topField(p emulator.Problem) []string { return []string{strings.Split(p.Path(), ".")[0]} }

// notEmpty is the Check of a list with an element at least.
func notEmpty(v any) (rule, arg string) {
	if len(v.([]any)) == 0 {
		return emulator.RuleRequired, ""
	}
	return "", ""
}

// An article object comes in two shapes. The documentation's and the
// fusionpay SDK's names articles by its keys, each priced by its value:
// {"sac": 100, "chaussure": 100}. The Python client's (apiMoneyFusion
// PaymentClient, docs.moneyfusion.net's Python page) describes one article:
// {"name": "Article 1", "price": "5000", "quantity": 1}. An object whose
// "name" is a string is of the second shape: a non-blank name, a
// non-negative price in francs and, when given, a quantity of at least
// one.
var (
	price        = emulator.Field{Kind: emulator.Amount, Required: true, Check: emulator.Whole(0, 1e15-1)}
	pricedShape  = emulator.Shape{Fields: []emulator.Field{{Name: "article", Kind: emulator.Object, Each: &price}}}
	articleShape = emulator.Shape{Trim: true, Fields: []emulator.Field{
		{Name: "name", Required: true},
		{Name: "price", Kind: price.Kind, Required: true, Check: price.Check},
		{Name: "quantity", Kind: emulator.Amount, Check: emulator.Whole(1, 1e15-1)},
	}}
)

// article is the Check of an article object of either shape.
func article(v any) (rule, arg string) {
	m := v.(map[string]any)
	shape, in := &pricedShape, map[string]any{"article": m}
	if _, named := m["name"].(string); named {
		shape, in = &articleShape, m
	}
	if _, problems := shape.Decode(in); len(m) == 0 || len(problems) > 0 {
		return "article", ""
	}
	return "", ""
}

// validatePay checks a payment request and returns the payment it
// describes, or the names of the fields refused, each once.
func validatePay(in map[string]any) (*Payment, []string) {
	v, bad := payShape.Validate(in)
	return &Payment{
		TotalPrice: v.Int("totalPrice"), Article: objects(v, "article"), PersonalInfo: objects(v, "personal_Info"),
		NumeroSend: v.String("numeroSend"), NomClient: v.String("nomclient"), ReturnURL: v.String("return_url"), WebhookURL: v.String("webhook_url"),
	}, slices.Compact(bad)
}

// objects returns the objects of the list field name, in order.
func objects(v emulator.Values, name string) []map[string]any {
	out := []map[string]any{}
	for _, k := range v.Keys(name) {
		out = append(out, v.Nested(name).Object(k))
	}
	return out
}

// articleNames lists the articles' names, for the payment page.
func articleNames(list []map[string]any) string {
	var names []string
	for _, m := range list {
		if name, ok := m["name"].(string); ok {
			names = append(names, strings.TrimSpace(name))
			continue
		}
		names = append(names, slices.Sorted(maps.Keys(m))...)
	}
	return strings.Join(names, ", ")
}

// view is a payment as the status endpoint and the webhooks show it at a
// moment: Montant and frais as reported, statut, the event.
type view struct {
	Payment
	Event, Statut, Created string
	Montant, Frais         int64
	ShowHook               bool
}

// view returns p as it shows at env with event. The charged amount is
// totalPrice plus the reported delta; frais is the fee on totalPrice;
// Montant is the charged amount net of frais, or all of it with
// WithGrossMontant. The status answer shows webhook_url only with
// WithWebhookURLInStatus (ShowHook). The caller holds the server's lock.
func (s *Server) view(p *Payment, event string, env emulator.Env) view {
	v := view{Payment: *p, Event: event, Statut: s.statut(p, env.Now), Created: emulator.ISOTime(p.CreatedAt), ShowHook: s.o.showHook}
	v.Frais = p.TotalPrice * s.o.feePercent / 100
	v.Montant = p.TotalPrice + env.Delta - v.Frais
	if s.o.gross {
		v.Montant += v.Frais
	}
	return v
}

// webhook is the body of a webhook about p for event. The caller holds
// the server's lock.
func (s *Server) webhook(p *Payment, event string, env emulator.Env) []byte {
	return s.reply.Body("webhook.json", s.view(p, event, env))
}
