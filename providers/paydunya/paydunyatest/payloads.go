package paydunyatest

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"sort"
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

func (inv *Invoice) clone() Invoice {
	c := *inv
	c.Items = slices.Clone(inv.Items)
	c.Taxes = slices.Clone(inv.Taxes)
	c.CustomData = maps.Clone(inv.CustomData)
	c.Channels = slices.Clone(inv.Channels)
	return c
}

// validateInvoice checks a create body as PayDunya documents it and its
// official clients send it: invoice and invoice.total_amount (a number, or
// a decimal string), store and store.name are required; items are an
// object keyed item_N or an array; taxes are an object keyed tax_N, never
// a non-empty array; invoice.customer, when sent, is an object.
func validateInvoice(in map[string]any) (*Invoice, []string) {
	var errs []string
	fail := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	inv := &Invoice{CustomData: map[string]string{}}
	str := func(v any, field string) string {
		switch s := v.(type) {
		case nil:
		case string:
			return strings.TrimSpace(s)
		case json.Number:
			return s.String()
		default:
			fail("%s must be a string", field)
		}
		return ""
	}
	object := func(v any, field string) (map[string]any, bool) {
		switch o := v.(type) {
		case nil:
			return nil, false
		case map[string]any:
			return o, true
		case []any:
			if len(o) == 0 {
				return nil, false // PHP's empty array
			}
		}
		fail("%s must be an object", field)
		return nil, false
	}

	item := func(v any, field string) {
		it, ok := v.(map[string]any)
		if !ok {
			fail("%s must be an object", field)
			return
		}
		inv.Items = append(inv.Items, Item{
			Name:        str(it["name"], field+".name"),
			Quantity:    str(it["quantity"], field+".quantity"),
			UnitPrice:   str(it["unit_price"], field+".unit_price"),
			TotalPrice:  str(it["total_price"], field+".total_price"),
			Description: str(it["description"], field+".description"),
		})
	}

	invoice, ok := object(in["invoice"], "invoice")
	if !ok {
		if in["invoice"] == nil {
			fail("invoice is required")
		}
	} else {
		switch n, problem := fcfa(invoice["total_amount"], true); problem {
		case "":
			inv.TotalAmount = n
		case missing:
			fail("invoice.total_amount is required")
		case notNumber:
			fail("invoice.total_amount must be a number")
		default:
			fail("invoice.total_amount must be a positive whole number of FCFA")
		}
		inv.Description = str(invoice["description"], "invoice.description")
		// The guide writes items as an object keyed item_0, item_1...; the
		// Python SDK and the WooCommerce plugin send a JSON array.
		switch items := invoice["items"].(type) {
		case nil:
		case map[string]any:
			for _, k := range indexedKeys(items, "item_") {
				item(items[k], "invoice.items."+k)
			}
		case []any:
			for i, it := range items {
				item(it, fmt.Sprintf("invoice.items[%d]", i))
			}
		default:
			fail("invoice.items must be an object or an array")
		}
		// The SDKs' invoice.channels restricts the page's channels.
		switch chs := invoice["channels"].(type) {
		case nil:
		case []any:
			for i, c := range chs {
				if slug, ok := c.(string); ok && slug != "" {
					inv.Channels = append(inv.Channels, slug)
				} else {
					fail("invoice.channels[%d] must be a channel name", i)
				}
			}
		default:
			fail("invoice.channels must be an array")
		}
		// The WooCommerce plugin's invoice.customer pre-fills the page.
		if c, ok := object(invoice["customer"], "invoice.customer"); ok {
			inv.Prefill = Customer{
				Name:  str(c["name"], "invoice.customer.name"),
				Email: str(c["email"], "invoice.customer.email"),
				Phone: str(c["phone"], "invoice.customer.phone"),
			}
		}
		if taxes, ok := object(invoice["taxes"], "invoice.taxes"); ok {
			for _, k := range indexedKeys(taxes, "tax_") {
				t, ok := taxes[k].(map[string]any)
				if !ok {
					fail("invoice.taxes.%s must be an object", k)
					continue
				}
				inv.Taxes = append(inv.Taxes, Tax{Name: str(t["name"], "invoice.taxes."+k+".name"), Amount: str(t["amount"], "invoice.taxes."+k+".amount")})
			}
		}
	}

	store, ok := object(in["store"], "store")
	if !ok && in["store"] == nil {
		fail("store is required")
	}
	if ok {
		// The guide spells the phone "phone", the Node and Python SDKs
		// "phone_number".
		phone := str(store["phone_number"], "store.phone_number")
		if phone == "" {
			phone = str(store["phone"], "store.phone")
		}
		inv.Store = Store{
			Name: str(store["name"], "store.name"), Tagline: str(store["tagline"], "store.tagline"),
			PostalAddress: str(store["postal_address"], "store.postal_address"), Phone: phone,
			LogoURL: str(store["logo_url"], "store.logo_url"), WebsiteURL: str(store["website_url"], "store.website_url"),
		}
		if inv.Store.Name == "" {
			fail("store.name is required")
		}
	}

	if cd, ok := object(in["custom_data"], "custom_data"); ok {
		for k, v := range cd {
			inv.CustomData[k] = str(v, "custom_data."+k)
		}
	}
	if acts, ok := object(in["actions"], "actions"); ok {
		for _, f := range []struct {
			key string
			dst *string
		}{{"cancel_url", &inv.Actions.CancelURL}, {"return_url", &inv.Actions.ReturnURL}, {"callback_url", &inv.Actions.CallbackURL}} {
			v := str(acts[f.key], "actions."+f.key)
			if v == "" {
				continue
			}
			if u, err := url.Parse(v); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				fail("actions.%s must be an absolute URL", f.key)
			}
			*f.dst = v
		}
	}
	sort.Strings(errs)
	return inv, errs
}

// What fcfa finds wrong with an amount.
const (
	missing   = "missing"
	notNumber = "not a number"
	notWhole  = "not a positive whole number of FCFA"
)

// fcfa reads a positive whole number of FCFA as PayDunya's clients write
// it: a JSON number, with decimals or not (5000, the PHP SDK's round(x, 2)
// 5000.0, the Python SDK's float 4500.0), or, when text is true, a decimal
// string (the WooCommerce plugin's order total, "5000.00"). It returns
// what is wrong otherwise: missing, notNumber or notWhole (zero, negative,
// or a fraction of a franc, which FCFA does not have).
func fcfa(v any, text bool) (int64, string) {
	var s string
	switch a := v.(type) {
	case nil:
		return 0, missing
	case json.Number:
		s = a.String()
	case string:
		s = strings.TrimSpace(a)
		if !text || !decimal(s) {
			return 0, notNumber
		}
	default:
		return 0, notNumber
	}
	n, err := cauri.ParseAmount(s, paydunya.Currency)
	if err != nil || n <= 0 {
		return 0, notWhole
	}
	return n, ""
}

// decimal reports whether s is a decimal number: an optional sign, digits,
// and an optional fraction.
func decimal(s string) bool {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "-"), "+")
	whole, frac, _ := strings.Cut(s, ".")
	digits := func(d string) bool { return strings.Trim(d, "0123456789") == "" }
	return whole != "" && digits(whole) && digits(frac)
}

// indexedKeys returns an object's keys in index order: item_0, item_1,
// item_2, ..., item_10; other keys after, in text order.
func indexedKeys(m map[string]any, prefix string) []string {
	keys := slices.Collect(maps.Keys(m))
	index := func(k string) int {
		n, err := strconv.Atoi(strings.TrimPrefix(k, prefix))
		if err != nil || !strings.HasPrefix(k, prefix) {
			return -1
		}
		return n
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := index(keys[i]), index(keys[j])
		switch {
		case a >= 0 && b >= 0:
			return a < b
		case a >= 0 || b >= 0:
			return a >= 0
		}
		return keys[i] < keys[j]
	})
	return keys
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
