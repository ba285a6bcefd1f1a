package main_test

import (
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/moneroo/monerootest"
	"github.com/cauripay/cauri/stores/memory"
)

// The whole kit under /pay in a chi router. chi's Mount leaves the path
// as it is for a plain http.Handler, so the prefix is stripped for the
// kit's own routes.
func Example() {
	emu := monerootest.New() // stands in for api.moneroo.io
	defer emu.Close()
	kit := exampleKit(emu.Provider()) // at https://shop.example/pay

	r := chi.NewRouter()
	r.Use(middleware.RequestID, middleware.Recoverer)
	r.Mount("/pay", http.StripPrefix("/pay", kit))

	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/pay/checkout/moneroo", nil))
	fmt.Println(rec.Code, strings.HasPrefix(rec.Header().Get("Location"), emu.URL+"/checkout/"))
	// Output: 303 true
}

// Each handler on a chi route of its own: chi's URL parameters
// {provider}, {id} and {token} reach the handlers as net/http path values.
func Example_routes() {
	emu := monerootest.New()
	defer emu.Close()
	kit := exampleKit(emu.Provider()) // at https://shop.example/pay: where routeEach routes

	r := chi.NewRouter()
	routeEach(r, kit)

	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/pay/checkout/moneroo", nil))
	fmt.Println(rec.Code, strings.HasPrefix(rec.Header().Get("Location"), emu.URL+"/checkout/"))
	// Output: 303 true
}

// routeEach puts each of kit's handlers on a chi route of its own, under
// /pay.
func routeEach(r chi.Router, kit *cauri.Kit) {
	r.Route("/pay", func(r chi.Router) {
		r.Post("/checkout/{provider}", kit.CheckoutHandler().ServeHTTP)
		r.Get("/return/{provider}/{id}/{token}", kit.ReturnHandler().ServeHTTP)
		r.Post("/return/{provider}/{id}/{token}", kit.ReturnHandler().ServeHTTP)
		r.Post("/webhooks/{provider}", kit.WebhookHandler().ServeHTTP)
		r.Post("/webhooks/{provider}/{id}/{token}", kit.WebhookHandler().ServeHTTP)
		r.Get("/payments/{id}", kit.StatusHandler().ServeHTTP)
	})
}

// exampleKit is the kit the examples mount: payments in memory, the kit
// at https://shop.example/pay, and one order, order-42 for 5000 XOF. See
// cauri's ExampleNew for a shop's own.
func exampleKit(p cauri.Provider) *cauri.Kit {
	kit, err := cauri.New(cauri.Config{
		Store:     memory.New(),
		Providers: []cauri.Provider{p},
		PublicURL: "https://shop.example/pay",
		Secret:    "use-32-or-more-random-bytes-here-please",
		Order: func(*http.Request, string) (cauri.Order, error) {
			return cauri.Order{
				ID: "order-42", Amount: 5000, Currency: "XOF",
				Customer: cauri.Customer{FirstName: "Awa", LastName: "Diallo", Email: "awa@example.com"},
			}, nil
		},
		SuccessURL: "/thanks", FailureURL: "/sorry", PendingURL: "/waiting",
	})
	if err != nil {
		log.Fatal(err)
	}
	return kit
}
