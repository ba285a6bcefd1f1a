package emulators_test

import (
	"context"
	"fmt"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/emulators"
	"github.com/cauripay/cauri/providers/providertest"
)

// Every provider's emulator, started in turn: a checkout opened through
// its client, paid on its hosted page, and the provider's word on it.
func Example() {
	ctx := context.Background()
	order := cauri.Order{
		ID: "o-1001", Amount: 5000, Currency: "XOF", Description: "Pagne wax",
		Customer: cauri.Customer{FirstName: "Awa", LastName: "Diallo", Email: "awa@example.com", Phone: "+2250701020304", Country: "CI"},
		Items:    []cauri.Item{{Name: "Pagne wax", Quantity: 1, UnitPrice: 5000}},
	}
	for _, p := range emulators.All() {
		em := p.Start(providertest.WithMerchant("Boutique Awa"))
		em.SetWebhookPolicy(providertest.WebhookPolicy{Lost: true}) // no shop listens
		prov := em.Provider()
		id := "pay_01j9zexampleexampleexampl"
		co, err := prov.CreateCheckout(ctx, cauri.CheckoutRequest{
			PaymentID: id, Order: order,
			ReturnURL:   "https://shop.example/pay/return/" + p.Name + "/" + id + "/token",
			CallbackURL: "https://shop.example/pay/webhooks/" + p.Name + "/" + id + "/token",
		})
		if err == nil {
			_, err = em.Act(ctx, co.RedirectURL, providertest.Pay)
		}
		var u cauri.Update
		if err == nil {
			u, err = prov.FetchStatus(ctx, cauri.StatusQuery{PaymentID: id, ProviderRef: co.ProviderRef, Amount: order.Amount, Currency: order.Currency})
		}
		fmt.Println(p.Name, u.Status, err)
		em.Close()
	}
	// Output:
	// dexchange paid <nil>
	// dexpay paid <nil>
	// moneroo paid <nil>
	// moneyfusion paid <nil>
	// novasend paid <nil>
	// paydunya paid <nil>
}
