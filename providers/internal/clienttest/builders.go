package clienttest

import (
	"testing"

	"github.com/cauripay/cauri"
)

// OrderOption edits the order Order builds.
type OrderOption func(*cauri.Order)

// Order returns the order the clients' own tests send, as opts edit it:
// ord-42, 5000 XOF, "Two baskets" (two baskets at 2500), for Awa Diallo
// with an Ivorian phone number, and the metadata cart=c-9.
func Order(opts ...OrderOption) cauri.Order {
	o := cauri.Order{
		ID: "ord-42", Amount: 5000, Currency: "XOF", Description: "Two baskets",
		Customer: cauri.Customer{FirstName: "Awa", LastName: "Diallo", Email: "awa@example.com", Phone: "+2250701020304", Country: "CI"},
		Items:    []cauri.Item{{Name: "Basket", Quantity: 2, UnitPrice: 2500}},
		Metadata: map[string]string{"cart": "c-9"},
	}
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// Items makes the order's lines items; none leaves it without lines.
func Items(items ...cauri.Item) OrderOption {
	return func(o *cauri.Order) { o.Items = items }
}

// Metadata adds the pairs key, value, ... to the order's metadata; with
// none, the order has no metadata.
func Metadata(kv ...string) OrderOption {
	return func(o *cauri.Order) {
		if len(kv) == 0 {
			o.Metadata = nil
			return
		}
		for i := 0; i+1 < len(kv); i += 2 {
			o.Metadata[kv[i]] = kv[i+1]
		}
	}
}

// Phone gives the customer phone, in the country of the ISO code.
func Phone(phone, country string) OrderOption {
	return func(o *cauri.Order) { o.Customer.Phone, o.Customer.Country = phone, country }
}

// Request returns the checkout request of payment paymentID for o, with
// returnURL and callbackURL, the kit's URLs (ReturnURL, CallbackURL) in
// the clients' own tests.
func Request(paymentID string, o cauri.Order, returnURL, callbackURL string) cauri.CheckoutRequest {
	return cauri.CheckoutRequest{PaymentID: paymentID, Order: o, ReturnURL: returnURL, CallbackURL: callbackURL}
}

// ReturnURL is the return URL the kit gives provider for paymentID, its
// last segment token.
func ReturnURL(provider, paymentID, token string) string {
	return "https://shop.example/pay/return/" + provider + "/" + paymentID + "/" + token
}

// CallbackURL is the webhook URL the kit gives provider for paymentID, its
// last segment token.
func CallbackURL(provider, paymentID, token string) string {
	return "https://shop.example/pay/webhooks/" + provider + "/" + paymentID + "/" + token
}

// Build returns the client newP builds of cfg; it fails the test if newP
// refuses cfg.
func Build[C, P any](t testing.TB, newP func(C) (P, error), cfg C) P {
	t.Helper()
	p, err := newP(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Payout returns the payout request the clients' own tests send: amount
// XOF to account, under the key po-1.
func Payout(account string, amount int64) cauri.PayoutRequest {
	return cauri.PayoutRequest{Key: "po-1", Account: account, Amount: amount, Currency: "XOF", Description: "Part du fournisseur"}
}
