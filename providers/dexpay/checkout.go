package dexpay

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"strings"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/internal/clientkit"
	"github.com/cauripay/cauri/providers/providerhttp"
)

// Metadata keys this package sets on every checkout session. They take
// precedence over an order's metadata of the same name.
const (
	// MetaPaymentID holds our payment ID (also the session's reference).
	MetaPaymentID = "cauri_payment_id"
	// MetaOrderID holds the shop's order ID.
	MetaOrderID = "order_id"
)

// sessionRequest is the body of POST /checkout-sessions, with the field
// names of DEXPAY's SDK and plugin, in the SDK's order.
type sessionRequest struct {
	Reference  string            `json:"reference"`
	ItemName   string            `json:"item_name"`
	Amount     int64             `json:"amount"`
	Currency   string            `json:"currency"`
	SuccessURL string            `json:"success_url"`
	FailureURL string            `json:"failure_url"`
	WebhookURL string            `json:"webhook_url"`
	Metadata   map[string]string `json:"metadata"`
	IsOneShot  bool              `json:"is_one_shot_payment"`
}

// CreateCheckout opens a DEXPAY checkout session,
// POST {BaseURL}/checkout-sessions, with our payment ID as the reference,
// the kit's callback URL as webhook_url and its return URL as both
// success_url and failure_url. The ProviderRef is the reference, which
// FetchStatus looks up; the customer is sent to the answer's payment_url,
// or in the sandbox to its sandbox_payment_url when it gives one.
//
// An order DEXPAY would refuse fails before any call with a
// *cauri.ValidationError: a currency other than XOF, XAF or GNF, a
// non-positive amount, a missing payment ID, return or callback URL.
// Creation is not idempotent (DEXPAY documents no idempotency key, nor
// what a reused reference does), so the kit never repeats it.
func (p *Provider) CreateCheckout(ctx context.Context, req cauri.CheckoutRequest) (cauri.Checkout, error) {
	body, err := sessionBody(req)
	if err != nil {
		return cauri.Checkout{}, err
	}
	co, err := p.create(ctx, body)
	return co, p.scrub(err)
}

func (p *Provider) create(ctx context.Context, body *sessionRequest) (cauri.Checkout, error) {
	resp, err := p.http.Do(ctx, providerhttp.Request{
		Op: "create", Method: http.MethodPost, URL: p.base + "/checkout-sessions",
		Header: p.headers(), JSON: body,
	})
	if err != nil {
		return cauri.Checkout{}, err
	}
	bad := clientkit.Answer{Provider: Name, Op: "create", Status: resp.StatusCode}.Malformed
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusCreated {
		return cauri.Checkout{}, bad("unexpected HTTP %d to checkout-sessions", resp.StatusCode)
	}
	data, err := answerData(resp, "create")
	if err != nil {
		return cauri.Checkout{}, err
	}
	s, err := parseSession(data)
	if err != nil {
		return cauri.Checkout{}, &cauri.ProviderError{Provider: Name, Op: "create", StatusCode: resp.StatusCode, Err: err}
	}
	switch {
	case s.reference != "" && s.reference != body.Reference:
		return cauri.Checkout{}, bad("answer is about another reference")
	case s.hasMoney && (s.amount != body.Amount || s.currency != body.Currency):
		// The customer would be asked for another sum than the order's.
		return cauri.Checkout{}, bad("answer states %s %s, the order is %s %s",
			cauri.FormatAmount(s.amount, s.currency), s.currency, cauri.FormatAmount(body.Amount, body.Currency), body.Currency)
	case p.wrongMode(s):
		return cauri.Checkout{}, &cauri.ProviderError{Provider: Name, Op: "create", StatusCode: resp.StatusCode, Err: ErrWrongMode}
	}
	page := s.paymentURL
	if p.mode == Sandbox && clientkit.AbsoluteHTTP(s.sandboxURL) {
		page = s.sandboxURL
	}
	if !clientkit.AbsoluteHTTP(page) {
		return cauri.Checkout{}, bad("answer has no usable payment_url")
	}
	return cauri.Checkout{ProviderRef: body.Reference, RedirectURL: page}, nil
}

// sessionBody builds the session's body, or the *cauri.ValidationError
// naming everything DEXPAY would refuse.
func sessionBody(req cauri.CheckoutRequest) (*sessionRequest, error) {
	o := req.Order
	invalid := clientkit.Invalid{What: "order"}
	bad := invalid.Bad

	ref := strings.TrimSpace(req.PaymentID)
	if ref == "" {
		bad("PaymentID", "is required: it is dexpay's reference")
	}
	var amount int64
	if supportedCurrency(o.Currency) {
		// XOF, XAF and GNF have no subunit: whole francs either way.
		amount = invalid.WholeUnits(o.Amount, o.Currency, "")
	} else {
		bad("Currency", "must be XOF, XAF or GNF: the currencies dexpay charges in")
	}
	invalid.ShopURLs(Name, req)
	if err := invalid.Err(); err != nil {
		return nil, err
	}

	meta := make(map[string]string, len(o.Metadata)+2)
	maps.Copy(meta, o.Metadata)
	meta[MetaPaymentID], meta[MetaOrderID] = ref, o.ID
	return &sessionRequest{
		Reference:  ref,
		ItemName:   itemName(o),
		Amount:     amount,
		Currency:   o.Currency,
		SuccessURL: req.ReturnURL,
		FailureURL: req.ReturnURL,
		WebhookURL: req.CallbackURL,
		Metadata:   meta,
		IsOneShot:  true,
	}, nil
}

// itemName is what DEXPAY shows as the product: the order's description,
// else its items' names, joined as the WooCommerce plugin joins them,
// else "Order <ID>".
func itemName(o cauri.Order) string {
	if d := clientkit.OneLine(o.Description); d != "" {
		return d
	}
	var names []string
	for _, it := range o.Items {
		if n := clientkit.OneLine(it.Name); n != "" {
			names = append(names, n)
		}
	}
	switch {
	case len(names) > 3:
		return fmt.Sprintf("%s and %d other items", names[0], len(names)-1)
	case len(names) > 0:
		return strings.Join(names, ", ")
	}
	return "Order " + o.ID
}
