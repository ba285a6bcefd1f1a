// Command echo is cauri's kit in an echo v4 application
// (github.com/labstack/echo/v4): one product, one buy button, and the
// hosted-checkout round trip through Moneroo, with echo's router and
// middleware around the kit.
//
//	go run ./examples/echo
//
// With no configuration it runs offline: it starts an emulator of Moneroo's
// API on loopback, whose hosted page has Pay, Fail and Cancel buttons, and
// prints the address to open ("cauri echo shop: open http://127.0.0.1:8081/").
// Payments are kept in memory (stores/memory): they are gone on restart.
// See examples/nethttp for a shop that keeps them in a database. The shop
// itself (its orders, pages and kit) is examples/internal/demo's, as
// examples/chi's is: this command shows how the kit goes into echo.
//
// # Mounting the kit in echo
//
// The kit is an http.Handler serving /checkout/{provider},
// /return/{provider}/{id}/{token}, /webhooks/{provider}[/{id}/{token}] and
// /payments/{id}. Echo takes it with echo.WrapHandler; since the kit
// routes on the request's path, the prefix it is mounted under is stripped
// first, and Config.PublicURL is the shop's address plus that prefix:
//
//	e.Any("/pay/*", echo.WrapHandler(http.StripPrefix("/pay", kit)))
//
// Each of the kit's handlers also mounts alone on an echo route. Echo's
// path parameters do not reach net/http's Request.PathValue, so the
// handlers read the provider, payment ID and token from the path segments
// after "checkout", "return" and "webhooks", and the status handler the
// last segment. The routes keep those words and that order, and the prefix
// before them must not contain the words itself:
//
//	e.POST("/pay/checkout/:provider", echo.WrapHandler(kit.CheckoutHandler()))
//	e.GET("/pay/return/:provider/:id/:token", echo.WrapHandler(kit.ReturnHandler()))
//	e.POST("/pay/return/:provider/:id/:token", echo.WrapHandler(kit.ReturnHandler()))
//	e.POST("/pay/webhooks/:provider", echo.WrapHandler(kit.WebhookHandler()))
//	e.POST("/pay/webhooks/:provider/:id/:token", echo.WrapHandler(kit.WebhookHandler()))
//	e.GET("/pay/payments/:id", echo.WrapHandler(kit.StatusHandler()))
//
// Echo's middleware wraps the kit like any route: here middleware.RequestID,
// middleware.RequestLoggerWithConfig (through log/slog), middleware.Recover
// and middleware.BodyLimit. The request log names the route ("/pay/*"),
// never the URL: the kit's return, callback and status URLs carry tokens.
//
// The shop's pages /thanks, /sorry and /waiting check the payment_id and
// token the kit appends by asking the kit's status handler in process;
// /waiting reloads itself every few seconds until the payment settles.
// OnPaid marks the order paid, once per order, keyed on Payment.ID. The
// kit's Prometheus metrics, on the shop's own registry, are at /metrics,
// open to anyone: fine for a demo, not for a shop.
//
// Environment:
//
//	ADDR                    where to listen; default 127.0.0.1:8081 (port 0 picks a free one)
//	PUBLIC_URL              the shop's address as browsers and Moneroo reach it,
//	                        scheme://host[:port] with no path; default http:// + ADDR
//	CAURI_SECRET            the kit's token secret, 32 characters or more; required
//	                        with MONEROO_SECRET_KEY, random per run otherwise
//	MONEROO_SECRET_KEY      use the real Moneroo API with this key instead of the emulator
//	MONEROO_WEBHOOK_SECRET  the signing secret of the webhook set up in Moneroo's
//	                        dashboard (to PUBLIC_URL/pay/webhooks/moneroo); without
//	                        it, webhooks are confirmed with Moneroo's API
//	MONEROO_BASE_URL        Moneroo's API root; default https://api.moneroo.io/v1
package main
