// Command chi is cauri's kit in a chi v5 router
// (github.com/go-chi/chi/v5): one product, a buy button per provider, and
// the hosted-checkout round trip on the Moneroo and DEXCHANGE emulators,
// with chi's router and middleware around the kit.
//
//	go run ./examples/chi
//
// It runs offline only: it starts both emulators on loopback, whose hosted
// pages have Pay, Fail and Cancel buttons, and prints the address to open
// ("cauri chi shop: open http://127.0.0.1:8082/"). Payments are kept in
// memory (stores/memory): they are gone on restart. examples/nethttp runs
// every provider live from the environment and keeps payments in a
// database; examples/echo runs Moneroo live. The shop itself (its orders,
// pages and kit) is examples/internal/demo's, as examples/echo's is: this
// command shows only how the kit goes into chi.
//
// Environment, all optional:
//
//	ADDR          where to listen; default 127.0.0.1:8082 (port 0 picks a free one)
//	PUBLIC_URL    the shop's address as browsers reach it, scheme://host[:port]
//	              with no path; default http:// + ADDR
//	CAURI_SECRET  the kit's token secret, 32 characters or more; random per run
//
// # The whole kit: Mount, with StripPrefix
//
// chi's Mount does not strip the mount prefix from the request for a
// plain http.Handler: it records the rest of the path in chi's route
// context, which only a chi sub-router reads. The kit routes with its own
// http.ServeMux on r.URL.Path, so mounted as it is it sees
// /pay/checkout/moneroo and answers 404. Strip the prefix, and make
// Config.PublicURL the shop's address plus that prefix:
//
//	r.Mount("/pay", http.StripPrefix("/pay", kit)) // works
//	r.Mount("/pay", kit)                           // 404 for everything
//
// # One route per handler
//
// Each of the kit's handlers also mounts alone. chi v5 (v5.5.0 here) sets
// net/http's path values from its URL parameters, which the handlers read
// first: {provider}, {id} and {token}.
//
//	r.Route("/pay", func(r chi.Router) {
//		r.Post("/checkout/{provider}", kit.CheckoutHandler().ServeHTTP)
//		r.Get("/return/{provider}/{id}/{token}", kit.ReturnHandler().ServeHTTP)
//		r.Post("/return/{provider}/{id}/{token}", kit.ReturnHandler().ServeHTTP)
//		r.Post("/webhooks/{provider}", kit.WebhookHandler().ServeHTTP)
//		r.Post("/webhooks/{provider}/{id}/{token}", kit.WebhookHandler().ServeHTTP)
//		r.Get("/payments/{id}", kit.StatusHandler().ServeHTTP)
//	})
//
// With other parameter names (or none, under a wildcard), the handlers
// fall back to the path segments after "checkout", "return" and
// "webhooks", and the status handler to the last segment, so the routes
// keep those words in that order and the prefix before them must not
// contain the words itself. The return and callback routes must be where
// Config.PublicURL says: the kit builds those URLs from it.
//
// The tests drive whole payments through chi both ways, and through
// routes with other parameter names, on both emulators; one records the
// 404 of the kit mounted without StripPrefix.
//
// # Middleware
//
// chi's middleware.RequestID and middleware.Recoverer wrap the kit like any
// handler. Do not put chi's middleware.Logger in front of it as it is: it
// logs the request URI, and the kit's return, callback and status URLs
// carry tokens. Log the route pattern instead
// (chi.RouteContext(r.Context()).RoutePattern()), as this shop's
// requestLog does.
package main
