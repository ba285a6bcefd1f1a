package cauri_test

import (
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/stores/memory"
)

// The plumbing the handler examples share, kept out of their bodies so
// that each shows what it teaches. ExampleNew shows a whole Config.

// exampleConfig is the Config of the examples: one provider, payments in
// memory, the kit under https://shop.example/pay, and Order answering
// order-42, 5000 XOF, whatever the request. Examples set OnPaid and
// whatever else they show.
func exampleConfig(p cauri.Provider) cauri.Config {
	return cauri.Config{
		Store:      memory.New(),
		Providers:  []cauri.Provider{p},
		PublicURL:  "https://shop.example/pay",
		Secret:     "use-32-or-more-random-bytes-here-please",
		Order:      order42,
		SuccessURL: "/thanks", FailureURL: "/sorry", PendingURL: "/waiting",
	}
}

// order42 is a Config.Order that always answers the same order.
func order42(*http.Request, string) (cauri.Order, error) {
	return cauri.Order{
		ID: "order-42", Amount: 5000, Currency: "XOF",
		Customer: cauri.Customer{FirstName: "Awa", LastName: "Diallo", Email: "awa@example.com"},
	}, nil
}

// mustNew is cauri.New, ending the example on an error.
func mustNew(cfg cauri.Config) *cauri.Kit {
	kit, err := cauri.New(cfg)
	if err != nil {
		log.Fatal(err)
	}
	return kit
}

// serve sends req to h and returns the answer.
func serve(h http.Handler, req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// postOrder posts a buy form for order to path on h, accepting accept
// ("text/html" for a browser, "application/json" for a script).
func postOrder(h http.Handler, path, order, accept string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(url.Values{"order": {order}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", accept)
	return serve(h, req)
}
