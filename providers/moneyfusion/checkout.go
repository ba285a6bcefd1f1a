package moneyfusion

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/internal/clientkit"
	"github.com/cauripay/cauri/providers/providerhttp"
)

// Keys this package puts in personal_Info, which MoneyFusion echoes in its
// status answers and webhooks. They take precedence over an order's
// metadata of the same name.
const (
	// MetaPaymentID carries the kit's payment ID.
	MetaPaymentID = "cauri_payment_id"
	// MetaOrderID carries the shop's order ID, under the name MoneyFusion's
	// own example uses.
	MetaOrderID = "orderId"
)

// payRequest is the body of the payment request, in the documented field
// order and with the documented names and casing.
type payRequest struct {
	TotalPrice   int64               `json:"totalPrice"`
	Article      []map[string]int64  `json:"article"`
	PersonalInfo []map[string]string `json:"personal_Info"`
	NumeroSend   string              `json:"numeroSend"`
	NomClient    string              `json:"nomclient"`
	ReturnURL    string              `json:"return_url,omitempty"`
	WebhookURL   string              `json:"webhook_url,omitempty"`
}

// payResponse is the payment request's answer.
type payResponse struct {
	Statut  json.RawMessage `json:"statut"`
	Token   json.RawMessage `json:"token"`
	Message json.RawMessage `json:"message"`
	URL     json.RawMessage `json:"url"`
}

// CreateCheckout asks MoneyFusion for a payment page: a POST of the
// documented JSON body to the merchant's API URL, with no other credential.
// MoneyFusion requires the customer's phone number and name and takes FCFA
// only: an order lacking either, or in another currency, fails before any
// call with a *cauri.ValidationError. The token MoneyFusion answers is the
// Checkout's ProviderRef. The request is not idempotent (MoneyFusion takes
// no idempotency key), so the kit never retries it.
func (p *Provider) CreateCheckout(ctx context.Context, req cauri.CheckoutRequest) (cauri.Checkout, error) {
	resp, err := clientkit.Post(ctx, p.http, providerhttp.Request{
		Op: "create", URL: p.apiURL,
		// The merchant's API URL is the credential: never in an error.
		Endpoint: "<the merchant's API URL>",
		Header:   http.Header{"Content-Type": {"application/json"}},
	}, p.payBody, req)
	if err != nil {
		return cauri.Checkout{}, markRefused(err, resp)
	}
	ans := clientkit.Answer{Provider: Name, Op: "create", Status: resp.StatusCode}
	perr, bad := ans.Error, ans.Malformed
	var pr payResponse
	if err := resp.DecodeJSON(&pr); err != nil {
		return cauri.Checkout{}, perr("", err)
	}
	switch ok, known := statut(pr.Statut); {
	case known && !ok:
		return cauri.Checkout{}, perr(truncate(clientkit.Text(pr.Message), 200), ErrRefused)
	case !known:
		return cauri.Checkout{}, bad("answer has no boolean statut")
	}
	token, err := tokenOf(pr.Token)
	if err != nil || token == "" {
		return cauri.Checkout{}, bad("answer has no usable token")
	}
	var page string
	_ = json.Unmarshal(pr.URL, &page)
	page = strings.TrimSpace(page)
	if !clientkit.AbsoluteHTTP(page) {
		return cauri.Checkout{}, bad("answer has no usable url")
	}
	return cauri.Checkout{ProviderRef: token, RedirectURL: page}, nil
}

// statut reads MoneyFusion's "statut" of an API answer: a JSON boolean.
// known is false when it is missing or not a boolean.
func statut(raw json.RawMessage) (ok, known bool) {
	switch strings.TrimSpace(string(raw)) {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return false, false
}

// tokenOf reads a payment token: a JSON string (or number) of at most 128
// printable ASCII characters. Missing or null gives "".
func tokenOf(raw json.RawMessage) (string, error) {
	if clientkit.IsNull(raw) {
		return "", nil
	}
	t := clientkit.Text(raw)
	if t == "" || len(t) > 128 {
		return "", fmt.Errorf("%w: the payment token is not a non-empty string of at most 128 characters", cauri.ErrMalformed)
	}
	for i := 0; i < len(t); i++ {
		if t[i] <= ' ' || t[i] > '~' {
			return "", fmt.Errorf("%w: the payment token is not printable ASCII", cauri.ErrMalformed)
		}
	}
	return t, nil
}

// payBody builds the payment request's body, or the
// *cauri.ValidationError naming everything MoneyFusion would refuse.
func (p *Provider) payBody(req cauri.CheckoutRequest) (*payRequest, error) {
	o := req.Order
	invalid := clientkit.Invalid{What: "order"}
	bad := invalid.Bad
	invalid.OneCurrency(o.Amount, o.Currency, Currency, "must be XOF: moneyfusion takes FCFA only")
	phone := NationalNumber(o.Customer.Phone)
	if phone == "" {
		bad("Customer.Phone", "is required by moneyfusion (numeroSend)")
	}
	name := strings.Join(strings.Fields(o.Customer.Name()), " ")
	if name == "" {
		bad("Customer.FirstName", "or LastName is required by moneyfusion (nomclient)")
	}
	if err := invalid.Err(); err != nil {
		return nil, err
	}
	return &payRequest{
		TotalPrice:   o.Amount, // XOF has no subunit: smallest units are francs
		Article:      articles(o),
		PersonalInfo: []map[string]string{personalInfo(req)},
		NumeroSend:   phone,
		NomClient:    name,
		ReturnURL:    req.ReturnURL,
		WebhookURL:   req.CallbackURL,
	}, nil
}

// articles lists the order's lines as MoneyFusion's article array, one
// {"name": line total} object per line, when the lines add up to the
// amount charged. Otherwise (no lines, or taxes, shipping or a discount
// make them differ) it is one article worth the whole amount, named after
// the description or the order, so that the articles shown never
// contradict totalPrice.
func articles(o cauri.Order) []map[string]int64 {
	var sum int64
	list := make([]map[string]int64, 0, len(o.Items))
	for _, it := range o.Items {
		line := it.UnitPrice * int64(it.Quantity)
		sum += line
		name := strings.TrimSpace(it.Name)
		if it.Quantity > 1 {
			name = fmt.Sprintf("%s x%d", name, it.Quantity)
		}
		list = append(list, map[string]int64{name: line})
	}
	if len(list) > 0 && sum == o.Amount {
		return list
	}
	name := strings.TrimSpace(o.Description)
	if name == "" {
		name = "Order " + o.ID
	}
	return []map[string]int64{{name: o.Amount}}
}

// personalInfo is the one personal_Info object: the order's metadata with
// the kit's payment ID and the order ID on top.
func personalInfo(req cauri.CheckoutRequest) map[string]string {
	m := maps.Clone(req.Order.Metadata)
	if m == nil {
		m = make(map[string]string, 2)
	}
	m[MetaPaymentID] = req.PaymentID
	m[MetaOrderID] = req.Order.ID
	return m
}

// callingCodes are the country calling codes of the countries where
// MoneyFusion's FCFA (XOF) is the currency, for [NationalNumber].
var callingCodes = []string{
	"221", // Senegal
	"223", // Mali
	"225", // Côte d'Ivoire
	"226", // Burkina Faso
	"227", // Niger
	"228", // Togo
	"229", // Benin
	"245", // Guinea-Bissau
}

// NationalNumber turns an E.164 phone number into the national form
// MoneyFusion's numeroSend takes ("+2250701020304" becomes "0701020304"):
// the country calling code of an XOF country is dropped, along with every
// character that is not a digit. A number from elsewhere keeps its
// calling code, without the "+". An empty result means no number.
func NationalNumber(e164 string) string {
	var b strings.Builder
	for _, r := range e164 {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	d := b.String()
	if !strings.HasPrefix(strings.TrimSpace(e164), "+") {
		return d
	}
	if i := slices.IndexFunc(callingCodes, func(c string) bool { return strings.HasPrefix(d, c) }); i >= 0 && len(d) > len(callingCodes[i]) {
		return d[len(callingCodes[i]):]
	}
	return d
}

// ReturnParams reads the query parameters MoneyFusion appends to the
// return URL: the payment's token (documented) and, as some integrations
// report, its statut. The values are the customer's to forge: use them as
// a hint, and ask FetchStatus. The kit ignores them: its return URL
// carries the payment ID and a token of its own in its path.
func ReturnParams(q url.Values) (token, rawStatus string) {
	return strings.TrimSpace(q.Get("token")), strings.TrimSpace(q.Get("statut"))
}
