// Package testorder is the order the kit's tests sell: what a shop's
// server knows for an order reference, with everything any provider asks
// of a payer.
package testorder

import (
	"net/http"

	"github.com/cauripay/cauri"
)

// New returns order id for amount XOF: one pagne wax, paid by Awa Diallo,
// with the email, phone number and country the providers require between
// them.
func New(id string, amount int64) cauri.Order {
	return cauri.Order{
		ID: id, Amount: amount, Currency: "XOF", Description: "Order " + id,
		Customer: cauri.Customer{FirstName: "Awa", LastName: "Diallo", Email: "awa@example.com", Phone: "+2250701020304", Country: "CI"},
		Items:    []cauri.Item{{Name: "Pagne wax", Quantity: 1, UnitPrice: amount}},
	}
}

// FromForm is a Config.Order that reads the order reference from the form
// field "order" and sells it for amount, never for what the form says. An
// empty reference is [cauri.ErrNotFound].
func FromForm(amount int64) func(*http.Request, string) (cauri.Order, error) {
	return func(r *http.Request, _ string) (cauri.Order, error) {
		id := r.FormValue("order")
		if id == "" {
			return cauri.Order{}, cauri.ErrNotFound
		}
		return New(id, amount), nil
	}
}
