// Command nethttp is cauri's demo shop: one product, a buy button per
// provider (Moneroo, MoneyFusion, DEXCHANGE, DEXPAY, NovaSend, PayDunya), and the
// whole hosted-checkout round trip through each, on the standard library's
// http.ServeMux.
//
//	go run ./examples/nethttp
//
// With no configuration it runs offline: it starts an emulator of every
// provider's API on loopback, whose hosted pages, in each provider's
// colours, offer its means of payment and Pay, Fail, Cancel and "Pay later
// on my phone" buttons (the last one sends the customer back to the
// shop's pending page, and the emulated phone confirms the payment six
// seconds later), and prints the address to open ("cauri demo shop: open
// http://127.0.0.1:8080/ (moneroo on its emulator at ..., ...)"). The
// emulators listen on loopback: open the shop from the same machine. A
// provider whose credentials are in the environment uses its real API
// instead; the others stay on their emulators.
//
// What it shows:
//
//   - The kit mounted under /pay with http.StripPrefix, behind
//     middleware.Recover and middleware.BodyLimit, with every provider in
//     one kit.
//   - Amounts that come from the server: GET / shows the product from the
//     server-side catalogue and buy buttons that carry a fresh order
//     reference and the product's SKU, nothing else. The first checkout
//     of a reference records the order at the catalogue's price;
//     Config.Order never reads an amount from the request. A malformed or
//     unknown reference (without a known SKU) is a 404, a paid order a
//     422, with every provider.
//   - The shop's pages /thanks, /sorry and /waiting, which check the
//     payment_id and token the kit appends by asking the kit's status
//     endpoint; /waiting polls /pay/payments/{id}?token=... every 2
//     seconds until the payment is final, then moves on to /thanks or
//     /sorry. /sorry offers every provider again for the same order.
//   - OnPaid marking the order paid, idempotently on Payment.ID: /orders
//     lists the orders with their latest payment's provider and status and
//     how many times OnPaid ran for each.
//   - The kit's reconciler, run every 30 seconds with the shop's context:
//     it settles payments whose webhook never came and finishes OnPaid
//     calls a crash interrupted.
//   - The kit's payments and the shop's orders in one SQL database: SQLite
//     by default, PostgreSQL or MySQL with DATABASE_URL, migrated at
//     start-up.
//   - The kit's Prometheus metrics on the shop's own registry, at /metrics.
//   - Logs through log/slog on standard error; secrets never appear in
//     them, nor in errors.
//   - Graceful shutdown on SIGINT or SIGTERM: requests in flight get 10
//     seconds, then the reconciler and the emulators stop and the database
//     is closed last.
//
// /orders and /metrics are open to anyone: fine for a demo, not for a
// shop.
//
// # Environment
//
// Every variable is optional. Shop:
//
//	ADDR                     where to listen; default 127.0.0.1:8080 (port 0 picks a free one)
//	PUBLIC_URL               the shop's address as browsers and providers reach it,
//	                         scheme://host[:port] with no path; default http:// + ADDR
//	CAURI_SECRET             the kit's token secret, 32 characters or more; required when
//	                         any provider uses its real API, random per run otherwise
//	CAURI_PROVIDERS          the providers offered, comma-separated, in the order of their
//	                         buttons: moneroo, moneyfusion, dexchange, dexpay, novasend,
//	                         paydunya; default all six. The variables of a provider left out
//	                         are ignored
//	DATABASE_URL             where the kit keeps its payments and the shop its orders;
//	                         default the SQLite file cauri-demo.db in the working directory
//
// Providers: a provider uses its real API when all its credentials are
// set, and its emulator when none of its variables is; anything in between
// stops the shop with one line naming what is missing. Each provider's
// webhooks are at PUBLIC_URL/pay/webhooks/<name>; the kit also gives the
// providers that take one a per-payment callback URL.
//
//	MONEROO_SECRET_KEY       Moneroo's secret API key (credential)
//	MONEROO_WEBHOOK_SECRET   the signing secret of the webhook set up in Moneroo's dashboard;
//	                         without it each webhook is confirmed with Moneroo's API
//	MONEROO_BASE_URL         Moneroo's API root; default https://api.moneroo.io/v1
//
//	MONEYFUSION_API_URL      the merchant's payment URL from MoneyFusion's dashboard, which
//	                         is the credential: it is never printed (credential)
//	MONEYFUSION_STATUS_URL   the root of MoneyFusion's status endpoint;
//	                         default https://www.pay.moneyfusion.net
//
//	DEXCHANGE_API_KEY        DEXCHANGE's API key (credential)
//	DEXCHANGE_WEBHOOK_SECRET a secret that signs DEXCHANGE's notifications
//	                         (X-Webhook-Signature), where the account has one; without it
//	                         each notification is confirmed with DEXCHANGE's API
//	DEXCHANGE_BASE_URL       DEXCHANGE's API root; default https://api-m.dexchange.sn/api/v1
//
//	DEXPAY_API_KEY           DEXPAY's public key, pk_test_... or pk_live_..., sent as
//	                         x-api-key (credential)
//	DEXPAY_API_SECRET        DEXPAY's secret key, sk_test_... or sk_live_..., sent as
//	                         x-api-secret (credential, with the one above)
//	DEXPAY_WEBHOOK_SECRET    the webhook secret of DEXPAY's dashboard, which signs its
//	                         notifications (X-Webhook-Signature); without it each
//	                         notification is confirmed with DEXPAY's API
//	DEXPAY_BASE_URL          DEXPAY's API root; default that of the mode,
//	                         https://api-sandbox.dexpay.africa/api/v1 or
//	                         https://api.dexpay.africa/api/v1
//	DEXPAY_SANDBOX           the sandbox unless it is false (false, 0, f): the live API,
//	                         with live keys, needs DEXPAY_SANDBOX=false; default true
//
//	NOVASEND_API_KEY         NovaSend's api_key (credential)
//	NOVASEND_API_CLIENT      NovaSend's api_client (credential)
//	NOVASEND_ACCOUNT_ID      the merchant account NovaSend credits, sent as accountId on
//	                         every payin session; required with the two above
//	NOVASEND_WEBHOOK_SECRET  the secret key of the webhook set up in NovaSend's Business
//	                         portal; without it each webhook is confirmed with NovaSend's API
//	NOVASEND_BASE_URL        NovaSend's API root; default https://business.novasend.app/v1
//
//	PAYDUNYA_MASTER_KEY      PayDunya's master key (credential)
//	PAYDUNYA_PRIVATE_KEY     PayDunya's private key of the mode (credential)
//	PAYDUNYA_TOKEN           PayDunya's token of the mode (credential)
//	PAYDUNYA_MODE            test (the sandbox) or live; default test
//	PAYDUNYA_BASE_URL        PayDunya's API root; default that of the mode,
//	                         https://app.paydunya.com/sandbox-api/v1 or .../api/v1
//	PAYDUNYA_STORE_NAME      the store name on PayDunya's page (and its emulator's);
//	                         default "Cauri demo shop"
//
// DATABASE_URL is one of:
//
//	postgres://user:password@host:port/dbname?sslmode=...  PostgreSQL, through pgx; postgresql:// too
//	mysql://user:password@host:port/dbname?params          MySQL or MariaDB, through go-sql-driver/mysql
//	sqlite:///absolute/path.db, sqlite://relative/path.db  a SQLite file, created if need be
//	file:path.db?params                                    a SQLite URI
//	path/to/shop.db                                        a SQLite file: a path ending in .db or .sqlite
//
// A password in the URL is %-encoded where it holds any of : / ? # @ %, and
// is never printed: the shop logs the database it uses with the password
// replaced by xxxxx. The parameters after "?" are the driver's: for MySQL,
// go-sql-driver/mysql's (parseTime and interpolateParams default to true),
// for SQLite, modernc.org/sqlite's (_pragma=...; the busy timeout is 5 s
// and the journal write-ahead unless they say otherwise). At start-up the
// shop connects and creates or updates the kit's tables (cauri_payments
// and others; see stores/sql) and its own, shop_orders, within 30 seconds,
// and stops with an error naming DATABASE_URL if it cannot.
//
// Against a real provider, PUBLIC_URL must be reachable from the internet
// (and should be HTTPS) for its webhooks to arrive, and CAURI_SECRET must
// stay the same from one run to the next for payment links to keep
// working.
//
// # Orders
//
// The shop keeps its orders in the database, next to the kit's payments,
// in a table of its own (shop_orders) that it creates at start-up: an
// order is recorded by its first checkout, and outlives a restart along
// with its payments, so that OnPaid, the reconciler and /orders find it
// after one. OnPaid is idempotent on Payment.ID: a second call for the
// payment that paid the order only counts; a call for another payment of
// a paid order is logged as an error (refund one); and a call for an order
// the table does not have (a database restored from before it) records the
// order from the payment, paid, instead of failing forever.
//
// Offline, the emulators and the random CAURI_SECRET are new on each run,
// so the payment links of an earlier run no longer work; the orders and
// payments stay in the database.
//
// # Tests
//
// go test runs every provider's pay, fail and cancel through the shop on
// httptest, and TestEndToEnd, which builds the shop, starts it as a
// process, drives a headless Chromium through it, pay later included
// (screenshots of the shop's pages and of every provider's page in a
// temporary folder, or CAURI_E2E_SCREENSHOTS) and has Prometheus scrape
// its /metrics. Its browser part skips without chromium on PATH, its
// Prometheus part without prometheus (CAURI_E2E_CHROMIUM and
// CAURI_E2E_PROMETHEUS name other binaries), and all of it with -short.
package main
