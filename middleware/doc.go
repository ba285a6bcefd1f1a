// Package middleware holds small net/http middleware to put around cauri's
// kit handler (checkout, return and webhook endpoints). Each helper is a
// plain func(http.Handler) http.Handler, built from the standard library
// except for the Prometheus collectors of [Metrics]; configuration is
// checked when a helper is constructed, never per request.
//
//   - [BodyLimit] caps request bodies: 413 at once when Content-Length is
//     over the limit, [http.MaxBytesReader] otherwise. It panics at
//     construction on a limit <= 0.
//   - [Recover] logs a panicking handler's value and stack through a
//     [log/slog.Logger] and answers 500 "internal server error", with
//     nothing of the panic in the response. It re-panics
//     [http.ErrAbortHandler], and aborts the connection when the status was
//     already sent.
//   - [AllowIPs] lets through only requests from listed CIDRs or IPs, for
//     providers that publish the addresses their webhooks come from; others
//     get 403. It checks r.RemoteAddr, or, with [TrustForwardedFor] or
//     [TrustHeader], a forwarding header sent by one of your own proxies.
//   - [Metrics] counts requests by route and status code and times them by
//     route, on a [github.com/prometheus/client_golang/prometheus.Registerer]
//     the caller owns (never the default registry). Routes are fixed names
//     chosen by the caller, not URL paths.
//   - [Chain] composes middleware, the first argument outermost.
//
// The response writer wrappers (in Recover and Metrics) keep http.Flusher,
// so streamed responses still flush, and implement Unwrap, so
// [http.ResponseController] reaches the server's writer.
//
// A typical setup, with kit the *cauri.Kit and mux your [http.ServeMux].
// The kit's routes are /checkout/{provider}, /return/{provider}/...,
// /webhooks/{provider}[/...] and /payments/{id}, relative to where it is
// mounted, so mount it under a prefix with [http.StripPrefix]: without it
// the kit sees /pay/checkout/... and every route answers 404. The package's
// examples "mount" and "webhookAllowList" run these setups against a real
// kit:
//
//	metrics, err := middleware.NewMetrics(reg, "")
//	if err != nil { ... }
//	mw := middleware.Chain(
//		metrics.Instrument("kit"),  // outermost: sees the 500s Recover writes
//		middleware.Recover(log),    // catches panics below
//		middleware.BodyLimit(1<<20),
//	)
//	mux.Handle("/pay/", mw(http.StripPrefix("/pay", kit)))
//
// or, minimally, middleware.Chain(middleware.Recover(log),
// middleware.BodyLimit(1<<20))(kit) as the whole server's handler, the
// kit then at the root. PublicURL in the kit's Config is where it is
// mounted: https://shop.example/pay for the setup above.
//
// For a provider that publishes its webhook source IPs, add an allow-list
// around that provider's webhook routes only (the URL set in its
// dashboard, /pay/webhooks/{provider}, and the per-payment callback URLs
// under it); checkout and return URLs are visited by customers' browsers
// and must stay open. The more specific patterns win over "/pay/" in the
// ServeMux:
//
//	allow, err := middleware.AllowIPs(providerIPs,
//		middleware.TrustForwardedFor("10.0.0.0/8")) // your load balancers
//	if err != nil { ... }
//	hook := middleware.Chain(
//		metrics.Instrument("webhook/moneroo"),
//		middleware.Recover(log),
//		allow,
//		middleware.BodyLimit(64<<10),
//	)(http.StripPrefix("/pay", kit))
//	mux.Handle("POST /pay/webhooks/moneroo", hook)  // the dashboard's URL
//	mux.Handle("POST /pay/webhooks/moneroo/", hook) // per-payment callbacks
//	mux.Handle("/pay/", mw(http.StripPrefix("/pay", kit)))
//
// An allow-list adds to, and never replaces, the signature or token checks
// the kit does on notifications.
package middleware
