package cauri_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/moneroo/monerootest"
	"github.com/cauripay/cauri/stores/memory"
)

// A shop mounts the kit under /pay. Amounts come from the shop's own
// records in Order; OnPaid fulfils the order once per paid payment.
func ExampleNew() {
	// Moneroo's emulator stands in for api.moneroo.io; in production this is
	// moneroo.New(moneroo.Config{SecretKey: ..., WebhookSecrets: ...}).
	emu := monerootest.New()
	defer emu.Close()

	prices := map[string]int64{"order-42": 5000} // the shop's database

	kit, err := cauri.New(cauri.Config{
		Store:     memory.New(),
		Providers: []cauri.Provider{emu.Provider()},
		PublicURL: "https://shop.example/pay",
		Secret:    "use-32-or-more-random-bytes-here-please",
		Order: func(r *http.Request, provider string) (cauri.Order, error) {
			id := r.FormValue("order")
			amount, ok := prices[id]
			if !ok {
				return cauri.Order{}, cauri.ErrNotFound
			}
			return cauri.Order{
				ID: id, Amount: amount, Currency: "XOF",
				Customer: cauri.Customer{FirstName: "Awa", LastName: "Diallo", Email: "awa@example.com"},
			}, nil
		},
		OnPaid: func(ctx context.Context, p cauri.Payment) error {
			log.Printf("ship order %s (payment %s)", p.OrderID, p.ID)
			return nil
		},
		SuccessURL: "/thanks", FailureURL: "/sorry", PendingURL: "/waiting",
	})
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/pay/", http.StripPrefix("/pay", kit))

	// The customer presses "Pay" on the shop's page.
	req := httptest.NewRequest(http.MethodPost, "/pay/checkout/moneroo", strings.NewReader("order=order-42"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	fmt.Println(rec.Code, strings.HasPrefix(rec.Header().Get("Location"), emu.URL+"/checkout/"))
	// Output: 303 true
}

// New names every wrong field of a Config in one error.
func ExampleNew_invalidConfig() {
	_, err := cauri.New(cauri.Config{PublicURL: "shop.example", Secret: "short"})
	fmt.Println(err)
	// Output: cauri: invalid config: Store is required; Providers is required; PublicURL must be an absolute http(s) URL; Secret must have at least 32 characters; Order is required; SuccessURL is required; FailureURL is required; PendingURL is required
}

// Amounts are integers in the currency's smallest unit.
func ExampleParseAmount() {
	xof, _ := cauri.ParseAmount("5000", "XOF")
	usd, _ := cauri.ParseAmount("10.5", "USD")
	fmt.Println(xof, usd, cauri.FormatAmount(usd, "USD"))
	// Output: 5000 1050 10.50
}
