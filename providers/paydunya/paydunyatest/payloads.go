package paydunyatest

import (
	"encoding/json"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/internal/emulator"
	"github.com/cauripay/cauri/providers/paydunya"
)

// Invoice is the emulator's record of one checkout invoice.
type Invoice struct {
	// Token is PayDunya's identifier, "test_..." in the sandbox.
	Token string
	// Mode is the environment the invoice was created in.
	Mode paydunya.Mode
	// Status is PayDunya's word: pending, then completed, failed or
	// cancelled (or whatever SetStatus set).
	Status string
	// TotalAmount is invoice.total_amount, in FCFA, as created.
	TotalAmount int64
	// Description, Items, Taxes, Store, CustomData and Actions are as
	// created; item and tax amounts are kept as the text sent.
	Description string
	Items       []Item
	Taxes       []Tax
	Store       Store
	CustomData  map[string]string
	Actions     Actions
	// Channels is invoice.channels as created: the payment channels the
	// page may offer (all when empty).
	Channels []string
	// Channel is the channel the customer chose on the page, once they
	// acted.
	Channel string
	// Later is true while the customer who chose "pay later on my phone"
	// has not confirmed on their phone: the invoice is pending.
	Later bool
	// Prefill is invoice.customer as created: who the shop says the
	// customer is, shown pre-filled on the hosted page (the WooCommerce
	// plugin sends it). Blank when the shop sent none.
	Prefill Customer
	// Customer is who paid, once completed: a fictitious customer.
	Customer Customer
	// FailReason is set when the invoice failed or was cancelled.
	FailReason string
	// CreatedAt is when the invoice was created.
	CreatedAt time.Time
}

// Item is one entry of invoice.items.
type Item struct {
	Name, Quantity, UnitPrice, TotalPrice, Description string
}

// Tax is one entry of invoice.taxes.
type Tax struct {
	Name, Amount string
}

// Store is the invoice's store object.
type Store struct {
	Name, Tagline, PostalAddress, Phone, LogoURL, WebsiteURL string
}

// Actions are the invoice's URLs.
type Actions struct {
	CancelURL, ReturnURL, CallbackURL string
}

// Customer is the payer PayDunya reports.
type Customer struct {
	Name, Phone, Email string
}

// fictitiousCustomer is the sandbox's "client fictif" who pays every
// invoice.
var fictitiousCustomer = Customer{Name: "Client Fictif", Phone: "770000000", Email: "client.fictif@example.com"}

// Payout is one credit-account call the emulator answered.
type Payout struct {
	Mode         paydunya.Mode
	AccountAlias string
	Amount       int64 // FCFA
	// ResponseCode is "00" when the account was credited.
	ResponseCode  string
	TransactionID string
	At            time.Time
}

// texts declares the fields named, each a string or a number.
func texts(names ...string) []emulator.Field {
	out := make([]emulator.Field, len(names))
	for i, n := range names {
		out[i] = emulator.Field{Name: n, Kind: emulator.Text}
	}
	return out
}

// invoiceShape is a create body as PayDunya documents it and its official
// clients send it: invoice and invoice.total_amount (a number, or a
// decimal string: the WooCommerce plugin's order total, "5000.00"), store
// and store.name are required; items are an object keyed item_N, as the
// guide writes them, or an array, as the Python SDK and the WooCommerce
// plugin send them; taxes are an object keyed tax_N, never a non-empty
// array; invoice.customer (the WooCommerce plugin's, which pre-fills the
// page), when sent, is an object; invoice.channels (the SDKs') restricts
// the page's channels; the store's phone is "phone" in the guide and
// "phone_number" in the Node and Python SDKs. An empty array stands for
// an empty object, as PHP writes it.
var invoiceShape = emulator.Shape{Trim: true, EmptyListIsNull: true, Fields: []emulator.Field{
	{Name: "invoice", Kind: emulator.Object, Required: true, Shape: &emulator.Shape{Trim: true, EmptyListIsNull: true, Fields: []emulator.Field{
		{Name: "total_amount", Kind: emulator.Amount, Required: true, Check: func(v any) (string, string) {
			if n, err := cauri.ParseAmount(v.(string), paydunya.Currency); err != nil || n <= 0 || !emulator.IsDecimal(v.(string)) {
				return "fcfa", ""
			}
			return "", ""
		}, Say: map[string]string{"fcfa": "invoice.total_amount must be a positive whole number of FCFA"}},
		{Name: "description", Kind: emulator.Text},
		{Name: "items", Kind: emulator.Any, Check: func(v any) (string, string) {
			switch v.(type) {
			case map[string]any, []any:
				return "", ""
			}
			return "items", ""
		}, Each: &emulator.Field{Kind: emulator.Object, Shape: &emulator.Shape{Trim: true, Fields: texts("name", "quantity", "unit_price", "total_price", "description")}},
			Say: map[string]string{"items": "invoice.items must be an object or an array"}},
		{Name: "channels", Kind: emulator.List, Each: &emulator.Field{Required: true}},
		{Name: "customer", Kind: emulator.Object, Shape: &emulator.Shape{Trim: true, Fields: texts("name", "email", "phone")}},
		{Name: "taxes", Kind: emulator.Object, Each: &emulator.Field{Kind: emulator.Object, Shape: &emulator.Shape{Trim: true, Fields: texts("name", "amount")}}},
	}}},
	{Name: "store", Kind: emulator.Object, Required: true, Shape: &emulator.Shape{Trim: true, Fields: append([]emulator.Field{
		{Name: "name", Kind: emulator.Text, Required: true},
		{Name: "phone_number", Aliases: []string{"phone"}, Kind: emulator.Text},
	}, texts("tagline", "postal_address", "logo_url", "website_url")...)}},
	{Name: "custom_data", Kind: emulator.Object, Each: &emulator.Field{Kind: emulator.Text}},
	{Name: "actions", Kind: emulator.Object, Shape: &emulator.Shape{Trim: true, Fields: []emulator.Field{
		{Name: "cancel_url", Kind: emulator.Text, Check: emulator.URL},
		{Name: "return_url", Kind: emulator.Text, Check: emulator.URL},
		{Name: "callback_url", Kind: emulator.Text, Check: emulator.URL},
	}}},
}, Dialect: func(p emulator.Problem) []string {
	path := indexPath.ReplaceAllString(p.Path(), "[$1]")
	switch {
	case p.Parent == "invoice.channels.":
		return []string{path + " must be a channel name"}
	case p.Rule == emulator.RuleRequired || p.Rule == emulator.RuleBlank:
		return []string{path + " is required"}
	case p.Rule == emulator.RuleURL:
		return []string{path + " must be an absolute URL"}
	}
	return []string{path + map[emulator.Kind]string{emulator.Object: " must be an object", emulator.List: " must be an array", emulator.Text: " must be a string",
		emulator.Amount: " must be a number"}[p.Kind]}
}}

// indexPath is a list index in a dotted path, written [i] by PayDunya.
var indexPath = regexp.MustCompile(`\.(\d+)\b`)

// validateInvoice checks a create body and returns the invoice it
// describes, or the messages, sorted.
func validateInvoice(in map[string]any) (*Invoice, []string) {
	v, errs := invoiceShape.Validate(in)
	slices.Sort(errs)
	i, st, a, c := v.Nested("invoice"), v.Nested("store"), v.Nested("actions"), v.Nested("invoice").Nested("customer")
	inv := &Invoice{
		TotalAmount: i.Int("total_amount"), Description: i.String("description"), CustomData: map[string]string{},
		Prefill: Customer{Name: c.String("name"), Email: c.String("email"), Phone: c.String("phone")},
		Store: Store{Name: st.String("name"), Tagline: st.String("tagline"), PostalAddress: st.String("postal_address"),
			Phone: st.String("phone_number"), LogoURL: st.String("logo_url"), WebsiteURL: st.String("website_url")},
		Actions: Actions{CancelURL: a.String("cancel_url"), ReturnURL: a.String("return_url"), CallbackURL: a.String("callback_url")},
	}
	for _, k := range i.Keys("items") {
		it := i.Nested("items").Nested(k)
		inv.Items = append(inv.Items, Item{Name: it.String("name"), Quantity: it.String("quantity"), UnitPrice: it.String("unit_price"),
			TotalPrice: it.String("total_price"), Description: it.String("description")})
	}
	for _, k := range i.Keys("channels") {
		if ch := i.Nested("channels").String(k); ch != "" {
			inv.Channels = append(inv.Channels, ch)
		}
	}
	for _, k := range i.Keys("taxes") {
		t := i.Nested("taxes").Nested(k)
		inv.Taxes = append(inv.Taxes, Tax{Name: t.String("name"), Amount: t.String("amount")})
	}
	for _, k := range v.Keys("custom_data") {
		inv.CustomData[k] = v.Nested("custom_data").String(k)
	}
	return inv, errs
}

// reported is the total PayDunya reports for inv, shifted by delta.
func reported(inv *Invoice, delta int64) int64 { return inv.TotalAmount + delta }

// receiptURL is the PDF receipt of a completed invoice.
func receiptURL(base string, inv *Invoice) string {
	if inv.Mode == paydunya.Live {
		return base + "/checkout/receipt/pdf/" + inv.Token + ".pdf"
	}
	return base + "/sandbox-checkout/receipt/pdf/" + inv.Token + ".pdf"
}

// invoiceObject is inv as confirm answers it and, under "data", every
// value a string, as the IPN posts it, in the documentation's order:
// total_amount a number, item prices strings, quantities and tax amounts
// numbers. The caller holds the server's lock.
func invoiceObject(base string, inv *Invoice, delta int64, hash string) emulator.Obj {
	var items, taxes, custom emulator.Obj
	for i, it := range inv.Items {
		items = append(items, "item_"+strconv.Itoa(i), emulator.O("name", it.Name, "quantity", numberOrText(it.Quantity),
			"unit_price", it.UnitPrice, "total_price", it.TotalPrice, "description", it.Description))
	}
	for i, t := range inv.Taxes {
		taxes = append(taxes, "tax_"+strconv.Itoa(i), emulator.O("name", t.Name, "amount", numberOrText(t.Amount)))
	}
	for _, k := range slices.Sorted(maps.Keys(inv.CustomData)) {
		custom = append(custom, k, inv.CustomData[k])
	}
	o := emulator.O("response_code", CodeOK, "response_text", "Transaction Found", "hash", hash,
		"invoice", emulator.O("token", inv.Token, "items", items, "taxes", taxes, "total_amount", reported(inv, delta), "description", inv.Description),
		"custom_data", custom, "actions", emulator.O("cancel_url", inv.Actions.CancelURL, "callback_url", inv.Actions.CallbackURL, "return_url", inv.Actions.ReturnURL),
		"mode", string(inv.Mode), "status", inv.Status, "fail_reason", inv.FailReason)
	if inv.Status == paydunya.StatusCompleted {
		o = append(o, "customer", emulator.O("name", inv.Customer.Name, "phone", inv.Customer.Phone, "email", inv.Customer.Email),
			"receipt_url", receiptURL(base, inv))
	}
	return o
}

// confirmBody is confirm's answer about inv: its invoiceObject and, once
// completed, its receipt's and the operator's references.
func confirmBody(base string, inv *Invoice, delta int64, hash string) any {
	o := invoiceObject(base, inv, delta, hash)
	if inv.Status == paydunya.StatusCompleted {
		o = append(o, "receipt_identifier", "R"+strings.TrimPrefix(inv.Token, "test_"), "provider_reference", "PR"+strings.TrimPrefix(inv.Token, "test_"))
	}
	return o
}

// numberOrText writes digits as a JSON number, anything else as a string.
func numberOrText(s string) any {
	if _, err := strconv.ParseInt(s, 10, 64); err == nil {
		return json.Number(s)
	}
	return s
}

// ipnBody is the IPN PayDunya posts about inv: its invoiceObject under
// "data", as PHP's http_build_query writes it.
func ipnBody(base string, inv *Invoice, delta int64, hash string) []byte {
	return emulator.PHPQuery("data", invoiceObject(base, inv, delta, hash))
}
