package dexchange

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"strings"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/internal/clientkit"
	"github.com/cauripay/cauri/providers/providerhttp"
)

// Keys of the customData JSON this package sends with every link.
const (
	// MetaPaymentID holds our payment ID (also the externalTransactionId).
	MetaPaymentID = "cauri_payment_id"
	// MetaOrderID holds the shop's order ID.
	MetaOrderID = "order_id"
	// MetaMetadata holds the order's metadata, when it has any.
	MetaMetadata = "metadata"
)

// ErrLinkNotRecovered is wrapped by the permanent error CreateCheckout
// returns when DEXCHANGE says the externalTransactionId was already used
// (409) and the link created the first time cannot be found again.
var ErrLinkNotRecovered = errors.New("dexchange: externalTransactionId already used and its payment link could not be recovered")

// linkRequest is the body of POST /transaction/merchant/get-link, with the
// field names and casing of DEXCHANGE's documentation, in its order.
type linkRequest struct {
	ExternalTransactionID string `json:"externalTransactionId"`
	ItemName              string `json:"ItemName"`
	ItemPrice             int64  `json:"ItemPrice"`
	CustomData            string `json:"customData"`
	CallBackURL           string `json:"callBackURL"`
	SuccessURL            string `json:"successUrl"`
	FailureURL            string `json:"failureUrl"`
	ClientName            string `json:"ClientName,omitempty"`
	ClientPhone           string `json:"ClientPhone,omitempty"`
	Email                 string `json:"Email,omitempty"`
}

// customData is the JSON sent as the customData string.
type customData struct {
	PaymentID string            `json:"cauri_payment_id"`
	OrderID   string            `json:"order_id"`
	Metadata  map[string]string `json:"metadata,omitempty"`
}

// CreateCheckout asks DEXCHANGE for a payment link,
// POST {BaseURL}/transaction/merchant/get-link, with our payment ID as
// externalTransactionId, the kit's callback URL as callBackURL and its
// return URL as both successUrl and failureUrl. The link's transactionId
// becomes the ProviderRef.
//
// An order DEXCHANGE would refuse fails before any call with a
// *cauri.ValidationError: a currency other than XOF, an amount under 100
// XOF, a missing payment ID, return or callback URL.
//
// Creation is idempotent: if DEXCHANGE answers 409 (the
// externalTransactionId is already used, because an earlier attempt got
// through but its answer was lost), the link created then is looked up
// again with GET {BaseURL}/transaction/merchant/{payment ID} and returned.
// When it cannot be found, the error is permanent and wraps
// ErrLinkNotRecovered.
func (p *Provider) CreateCheckout(ctx context.Context, req cauri.CheckoutRequest) (cauri.Checkout, error) {
	body, err := p.linkBody(req)
	if err != nil {
		return cauri.Checkout{}, err
	}
	resp, err := p.http.Do(ctx, providerhttp.Request{
		Op: "create", Method: http.MethodPost, URL: p.base + "/transaction/merchant/get-link",
		Header: p.headers(), JSON: body,
	})
	if err != nil {
		if resp != nil && resp.StatusCode == http.StatusConflict {
			return p.recoverLink(ctx, body.ExternalTransactionID, resp, err)
		}
		return cauri.Checkout{}, err
	}
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusCreated {
		return cauri.Checkout{}, &cauri.ProviderError{Provider: Name, Op: "create", StatusCode: resp.StatusCode,
			Err: fmt.Errorf("%w: unexpected HTTP %d to get-link", cauri.ErrMalformed, resp.StatusCode)}
	}
	l, err := parseLink(resp, body.ExternalTransactionID, false)
	if err != nil {
		return cauri.Checkout{}, err
	}
	return cauri.Checkout{ProviderRef: l.id, RedirectURL: l.url}, nil
}

// linkBody builds get-link's body, or the *cauri.ValidationError naming
// everything DEXCHANGE would refuse.
func (p *Provider) linkBody(req cauri.CheckoutRequest) (*linkRequest, error) {
	o := req.Order
	invalid := clientkit.Invalid{What: "order"}
	bad := invalid.Bad

	id := strings.TrimSpace(req.PaymentID)
	if id == "" {
		bad("PaymentID", "is required: it is dexchange's externalTransactionId")
	}
	switch {
	case o.Amount <= 0:
		bad("Amount", "must be positive")
	case o.Currency == Currency && o.Amount < MinAmount:
		bad("Amount", fmt.Sprintf("must be at least %d XOF, dexchange's minimum", MinAmount))
	}
	if o.Currency != Currency {
		bad("Currency", "must be XOF: dexchange charges in FCFA (XOF) only")
	}
	invalid.ShopURLs(Name, req)
	if err := invalid.Err(); err != nil {
		return nil, err
	}

	c := o.Customer
	return &linkRequest{
		ExternalTransactionID: id,
		ItemName:              itemName(o),
		ItemPrice:             o.Amount, // XOF has no subunit: smallest units are francs
		CustomData:            customDataJSON(id, o),
		CallBackURL:           req.CallbackURL,
		SuccessURL:            req.ReturnURL,
		FailureURL:            req.ReturnURL,
		ClientName:            strings.TrimSpace(c.Name()),
		ClientPhone:           clientPhone(c.Phone),
		Email:                 strings.TrimSpace(c.Email),
	}, nil
}

// itemName is what DEXCHANGE shows as the product: the order's
// description, else its only item's name, else "Order <ID>".
func itemName(o cauri.Order) string {
	if d := strings.TrimSpace(o.Description); d != "" {
		return d
	}
	if len(o.Items) == 1 {
		if n := strings.TrimSpace(o.Items[0].Name); n != "" {
			return n
		}
	}
	return "Order " + o.ID
}

// customDataJSON is the customData string: our payment ID, the order's ID
// and its metadata, as a JSON object.
func customDataJSON(paymentID string, o cauri.Order) string {
	cd := customData{PaymentID: paymentID, OrderID: o.ID}
	if len(o.Metadata) > 0 {
		cd.Metadata = maps.Clone(o.Metadata)
	}
	b, err := json.Marshal(cd)
	if err != nil { // strings only: cannot happen
		return "{}"
	}
	return string(b)
}

// clientPhone writes an E.164 number the way DEXCHANGE's examples show
// phone numbers: a Senegalese number (+221) as its nine national digits
// ("771234567"), any other as its international digits without "+". An
// empty or digitless number gives "" and is left out.
func clientPhone(e164 string) string {
	var b strings.Builder
	for _, r := range e164 {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	d := b.String()
	if len(d) == 12 && strings.HasPrefix(d, "221") {
		return d[3:]
	}
	return d
}

// link is a merchant transaction as get-link and the merchant lookup give
// it.
type link struct {
	id, url, external, status string
}

// linkFields are the fields of a link, flat (the seed's 201) or under
// "transaction" (the OpenAPI's 201). Names match case-insensitively.
type linkFields struct {
	Success               json.RawMessage `json:"success"`
	TransactionID         json.RawMessage `json:"transactionId"`
	PaymentURL            json.RawMessage `json:"PaymentUrl"`
	ExternalTransactionID json.RawMessage `json:"externalTransactionId"`
	Status                json.RawMessage `json:"Status"`
}

// parseLink reads a link from resp, about externalID. With mustEcho, the
// answer must state externalTransactionId; otherwise a stated one must
// match.
func parseLink(resp *providerhttp.Response, externalID string, mustEcho bool) (link, error) {
	ans := clientkit.Answer{Provider: Name, Op: "create", Status: resp.StatusCode}
	bad := ans.Malformed
	top, err := readEnvelope(resp, ans)
	if err != nil {
		return link{}, err
	}
	inner := json.RawMessage(resp.Body)
	switch {
	case clientkit.IsObject(top.Transaction):
		inner = top.Transaction
	case clientkit.IsObject(top.Data):
		inner = top.Data
	}
	var f linkFields
	if err := json.Unmarshal(inner, &f); err != nil {
		return link{}, bad("unexpected JSON: %v", err)
	}
	if successFalse(top.Success) || successFalse(f.Success) {
		return link{}, top.unsuccessful(ans)
	}
	l := link{
		id:       clientkit.Truncate(clientkit.Text(f.TransactionID), 128),
		url:      clientkit.Text(f.PaymentURL),
		external: clientkit.Text(f.ExternalTransactionID),
		status:   clientkit.Truncate(clientkit.Text(f.Status), 64),
	}
	switch {
	case l.id == "":
		return link{}, bad("answer has no transactionId")
	case mustEcho && l.external == "":
		return link{}, bad("answer does not state its externalTransactionId")
	case l.external != "" && l.external != externalID:
		return link{}, bad("answer is about another externalTransactionId")
	case !clientkit.AbsoluteHTTP(l.url):
		return link{}, bad("answer has no usable PaymentUrl")
	}
	return l, nil
}

// recoverLink handles get-link's 409 for externalID: the link was created
// before. It is taken from the 409's body if that carries it, else looked
// up with GET /transaction/merchant/{externalID}.
func (p *Provider) recoverLink(ctx context.Context, externalID string, conflict *providerhttp.Response, conflictErr error) (cauri.Checkout, error) {
	if l, err := parseLink(conflict, externalID, false); err == nil {
		p.log.Info("dexchange link already created; reusing it", "payment_id", externalID)
		return cauri.Checkout{ProviderRef: l.id, RedirectURL: l.url}, nil
	}
	notRecovered := func(cause error) error {
		var msg string
		var pe *cauri.ProviderError
		if errors.As(conflictErr, &pe) {
			msg = pe.Message
		}
		return &cauri.ProviderError{Provider: Name, Op: "create", StatusCode: http.StatusConflict, Message: msg,
			Err: fmt.Errorf("%w (externalTransactionId %s): %w", ErrLinkNotRecovered, externalID, cause)}
	}

	resp, err := p.http.Do(ctx, providerhttp.Request{
		Op: "create", Method: http.MethodGet,
		URL:    providerhttp.JoinURL(p.base, "transaction", "merchant", externalID),
		Header: p.headers(),
	})
	if err != nil {
		if cauri.IsTemporary(err) || ctx.Err() != nil {
			// Worth another go: the kit retries the whole creation.
			return cauri.Checkout{}, err
		}
		return cauri.Checkout{}, notRecovered(err)
	}
	l, err := parseLink(resp, externalID, true)
	if err != nil {
		return cauri.Checkout{}, notRecovered(err)
	}
	p.log.Info("dexchange link already created; recovered it", "payment_id", externalID, "status", l.status)
	return cauri.Checkout{ProviderRef: l.id, RedirectURL: l.url}, nil
}
