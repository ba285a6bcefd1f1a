package clienttest

import (
	"context"
	"time"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/providertest"
)

// timeout bounds every wait of the checks: it is never reached unless
// something is broken.
const timeout = time.Minute

// Emulator is a provider's emulator as the checks drive it: the scenario
// suite's interface, whose Provider is the client under test.
type Emulator = providertest.Emulator

// Failure is how a provider's client reports a refusal: the
// *cauri.ProviderError's HTTP status, temporariness and message, and the
// error it wraps, when the facts name one.
type Failure struct {
	Status    int
	Temporary bool
	Message   string
	Is        error
}

// Facts is what the conformance checks need to know of one provider: how
// to build its emulator and clients, and the forms its refusals take.
type Facts struct {
	// Name is the provider's name (cauri.Provider.Name).
	Name string
	// New starts the provider's emulator as the checks want it.
	New func() Emulator
	// Order edits the checks' order to what the provider accepts; nil
	// leaves it as it is.
	Order func(*cauri.Order)
	// Secret returns the credential of em's client: no error may quote it.
	Secret func(em Emulator) string
	// Refused returns a client of em holding credentials em refuses, and
	// the wrong credential, which no error may quote either.
	Refused func(em Emulator) (p cauri.Provider, wrong string)
	// MapStatus is the provider's MapStatus; StatusWords are the words it
	// knows, by the status each maps to, and OtherWords words it must not
	// know (they map to pending): its statuses as the checks read them.
	MapStatus   func(raw string) (cauri.Status, bool)
	StatusWords map[cauri.Status][]string
	OtherWords  []string
	// Outcomes are the updates the status lookup returns of a checkout
	// left Unpaid and after each of the customer's actions on its page,
	// but for the PaymentID, ProviderRef and Authenticated the checks
	// fill in. StatusOmitsPaymentID is true where the lookup's answer does
	// not give the payment ID back.
	Outcomes             map[providertest.Action]cauri.Update
	StatusOmitsPaymentID bool
	// AuthFailure is how em refuses a creation with wrong credentials.
	AuthFailure Failure
	// StatusAuthFailure is how em refuses a status lookup with wrong
	// credentials; nil where the lookup takes none.
	StatusAuthFailure *Failure
	// UnknownRef is a reference em does not know; NotFound is its answer
	// to a status lookup of it (it wraps cauri.ErrNotFound).
	UnknownRef string
	NotFound   Failure
	// Refusal is the error the client wraps when the provider refuses a
	// call, if it has one: no fault may wrap it.
	Refusal error
	// FaultMessages are the messages of the error answers, by HTTP status,
	// that the emulator's injected faults carry, where the checks know
	// them.
	FaultMessages map[int]string
	// AtURL returns a client of an API served at base, a test server's
	// root, with credentials of the right form.
	AtURL func(base string) cauri.Provider
	// Webhooks are the ways the emulator notifies the shop, each played
	// by the webhook checks.
	Webhooks []WebhookVariant
	// refSecret, for a provider whose reference is the path of its hosted
	// page, is what the checks that keep it secret need; nil for the
	// others.
	refSecret *refSecret
}

// request is the checkout request the checks open, for the order they
// use, edited to the provider's liking.
func (f Facts) request(paymentID string) cauri.CheckoutRequest {
	o := cauri.Order{
		ID: "ord-kit", Amount: 5000, Currency: "XOF", Description: "Two baskets",
		Customer: cauri.Customer{FirstName: "Awa", LastName: "Diallo", Email: "awa@example.com", Phone: "+2250701020304", Country: "CI"},
		Items:    []cauri.Item{{Name: "Basket", Quantity: 2, UnitPrice: 2500}},
	}
	if f.Order != nil {
		f.Order(&o)
	}
	return cauri.CheckoutRequest{
		PaymentID: paymentID, Order: o,
		ReturnURL:   "https://shop.example/pay/return/" + f.Name + "/" + paymentID + "/tok-return",
		CallbackURL: "https://shop.example/pay/webhooks/" + f.Name + "/" + paymentID + "/tok-callback",
	}
}

// open opens a checkout at em's client.
func (f Facts) open(ctx context.Context, em Emulator, paymentID string) (cauri.Checkout, error) {
	return em.Provider().CreateCheckout(ctx, f.request(paymentID))
}
