package paydunya

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/internal/clientkit"
	"github.com/cauripay/cauri/providers/providerhttp"
)

// Keys this package sets in every invoice's custom_data. They take
// precedence over an order's metadata of the same name.
const (
	DataPaymentID = "cauri_payment_id"
	DataOrderID   = "order_id"
)

// invoiceRequest is the body of POST /checkout-invoice/create, in the
// order and with the names of PayDunya's "complete JSON structure".
type invoiceRequest struct {
	Invoice    invoice           `json:"invoice"`
	Store      storeJSON         `json:"store"`
	CustomData map[string]string `json:"custom_data"`
	Actions    actions           `json:"actions"`
}

type invoice struct {
	Items       items         `json:"items"`
	Taxes       taxes         `json:"taxes"`
	TotalAmount int64         `json:"total_amount"`
	Description string        `json:"description"`
	Customer    *customerJSON `json:"customer,omitempty"`
}

// customerJSON is invoice.customer, as the official WooCommerce plugin
// sends it to pre-fill PayDunya's page.
type customerJSON struct {
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
	Phone string `json:"phone,omitempty"`
}

// storeJSON is the store object. Its phone is "phone_number", as both
// official SDKs (Node, Python) spell it; the guide writes "phone".
type storeJSON struct {
	Name          string `json:"name"`
	Tagline       string `json:"tagline,omitempty"`
	PostalAddress string `json:"postal_address,omitempty"`
	Phone         string `json:"phone_number,omitempty"`
	LogoURL       string `json:"logo_url,omitempty"`
	WebsiteURL    string `json:"website_url,omitempty"`
}

type actions struct {
	CancelURL   string `json:"cancel_url"`
	ReturnURL   string `json:"return_url"`
	CallbackURL string `json:"callback_url,omitempty"`
}

// item is one entry of invoice.items. Quantity is a number and the prices
// strings of whole francs, as PayDunya's example writes them.
type item struct {
	Name        string `json:"name"`
	Quantity    int    `json:"quantity"`
	UnitPrice   string `json:"unit_price"`
	TotalPrice  string `json:"total_price"`
	Description string `json:"description"`
}

// items marshals as PayDunya's object {"item_0": {...}, "item_1": {...}},
// never as an array, in the order given (item_2 before item_10).
type items []item

func (l items) MarshalJSON() ([]byte, error) { return indexedObject("item_", l) }

// taxes marshals as {"tax_0": {...}}; the kit has no taxes to show, so it
// is always the empty object PayDunya's complete structure shows.
type taxes []struct {
	Name   string `json:"name"`
	Amount int64  `json:"amount"`
}

func (l taxes) MarshalJSON() ([]byte, error) { return indexedObject("tax_", l) }

func indexedObject[T any](prefix string, l []T) ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, v := range l {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Quote(prefix + strconv.Itoa(i)))
		b.WriteByte(':')
		vb, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// invoiceResponse is create's answer.
type invoiceResponse struct {
	envelope
	Token json.RawMessage `json:"token"`
}

// CreateCheckout creates a PayDunya checkout invoice,
// POST {BaseURL}/checkout-invoice/create, and returns its page: the token
// is the ProviderRef, response_text the page to send the customer to. The
// order's customer, where known, pre-fills the page (invoice.customer:
// name, email, phone). Both
// return_url and cancel_url are the kit's return URL (PayDunya appends
// ?token=, which the kit ignores: its own ID and token are in the path),
// and callback_url is the kit's per-payment callback URL.
//
// PayDunya charges whole FCFA only: an order in another currency than XOF,
// or with no return URL, fails before any call with a *cauri.ValidationError
// naming each field. An answer whose response_code is not "00", even with
// HTTP 200, is a permanent *cauri.ProviderError carrying PayDunya's
// response_text. Creating an invoice is not idempotent, so the kit never
// retries it.
func (p *Provider) CreateCheckout(ctx context.Context, req cauri.CheckoutRequest) (cauri.Checkout, error) {
	resp, err := clientkit.Post(ctx, p.http, providerhttp.Request{
		Op: "create", URL: p.base + "/checkout-invoice/create", Header: p.headers(),
	}, p.invoiceBody, req)
	if err != nil {
		return cauri.Checkout{}, err
	}
	var ir invoiceResponse
	if err := resp.DecodeJSON(&ir); err != nil {
		return cauri.Checkout{}, &cauri.ProviderError{Provider: Name, Op: "create", StatusCode: resp.StatusCode, Err: err}
	}
	if !ir.ok() {
		// Whatever token came with a refusal stays out of its text.
		return cauri.Checkout{}, providerhttp.Scrub(refusal("create", resp.StatusCode, ir.envelope), jsonString(ir.Token))
	}
	token := jsonString(ir.Token)
	if strings.TrimSpace(token) == "" || token != strings.TrimSpace(token) {
		return cauri.Checkout{}, malformed("create", resp.StatusCode, "answer has no usable token")
	}
	page := strings.TrimSpace(jsonString(ir.Text))
	if !clientkit.AbsoluteHTTP(page) {
		return cauri.Checkout{}, malformed("create", resp.StatusCode, "answer's response_text is not the checkout page's URL")
	}
	return cauri.Checkout{ProviderRef: token, RedirectURL: page}, nil
}

// invoiceBody builds create's body, or the *cauri.ValidationError naming
// everything PayDunya would refuse.
func (p *Provider) invoiceBody(req cauri.CheckoutRequest) (*invoiceRequest, error) {
	o := req.Order
	invalid := clientkit.Invalid{What: "order"}
	bad := invalid.Bad

	invalid.OneCurrency(o.Amount, o.Currency, Currency, "must be XOF: paydunya charges in FCFA only")
	for i, it := range o.Items {
		if it.Quantity < 1 {
			bad(fmt.Sprintf("Items[%d].Quantity", i), "must be at least 1")
		}
		if it.UnitPrice < 0 {
			bad(fmt.Sprintf("Items[%d].UnitPrice", i), "must not be negative")
		}
	}
	if req.ReturnURL == "" {
		bad("ReturnURL", "is required by paydunya")
	}
	if err := invalid.Err(); err != nil {
		return nil, err
	}

	list := make(items, 0, len(o.Items))
	for _, it := range o.Items {
		list = append(list, item{
			Name:       it.Name,
			Quantity:   it.Quantity,
			UnitPrice:  strconv.FormatInt(it.UnitPrice, 10),
			TotalPrice: strconv.FormatInt(it.UnitPrice*int64(it.Quantity), 10),
		})
	}
	desc := strings.TrimSpace(o.Description)
	if desc == "" {
		desc = "Order " + o.ID
	}
	var customer *customerJSON
	if c := (customerJSON{Name: o.Customer.Name(), Email: o.Customer.Email, Phone: o.Customer.Phone}); c != (customerJSON{}) {
		customer = &c
	}
	return &invoiceRequest{
		Invoice: invoice{Items: list, Taxes: taxes{}, TotalAmount: o.Amount, Description: desc, Customer: customer},
		Store: storeJSON{
			Name: p.store.Name, Tagline: p.store.Tagline, PostalAddress: p.store.PostalAddress,
			Phone: p.store.Phone, LogoURL: p.store.LogoURL, WebsiteURL: p.store.WebsiteURL,
		},
		CustomData: p.customData(req),
		Actions:    actions{CancelURL: req.ReturnURL, ReturnURL: req.ReturnURL, CallbackURL: req.CallbackURL},
	}, nil
}

// customData is the order's metadata with ours on top. Keys with a
// bracket are left out: PayDunya posts custom_data back in the IPN as
// data[custom_data][key], where a bracket in the key would break the form.
func (p *Provider) customData(req cauri.CheckoutRequest) map[string]string {
	m := map[string]string{DataPaymentID: req.PaymentID, DataOrderID: req.Order.ID}
	keys := make([]string, 0, len(req.Order.Metadata))
	for k := range req.Order.Metadata {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	dropped := 0
	for _, k := range keys {
		switch _, ours := m[k]; {
		case ours:
		case k == "" || strings.ContainsAny(k, "[]"):
			dropped++
		default:
			m[k] = req.Order.Metadata[k]
		}
	}
	if dropped > 0 {
		p.log.Warn("order metadata keys with brackets left out of paydunya's custom_data", "payment_id", req.PaymentID, "dropped_entries", dropped)
	}
	return m
}
