// Command nethttp is cauri's demo shop: one product, one buy button, and
// the whole hosted-checkout round trip through Moneroo, on the standard
// library's http.ServeMux.
//
//	go run ./examples/nethttp
//
// With no configuration it runs offline: it starts an emulator of Moneroo's
// API on loopback, whose hosted page has Pay, Fail and Cancel buttons, and
// prints the address to open ("cauri demo shop: open http://127.0.0.1:8080/").
// The emulator listens on loopback: open the shop from the same machine.
//
// What it shows:
//
//   - The kit mounted under /pay with http.StripPrefix, behind
//     middleware.Recover and middleware.BodyLimit.
//   - Amounts that come from the server: GET / creates an order from the
//     server-side catalogue and puts only its reference in the buy form;
//     Config.Order looks the reference up and never reads an amount from
//     the request. An unknown reference is a 404, a paid order a 422.
//   - The shop's pages /thanks, /sorry and /waiting, which check the
//     payment_id and token the kit appends by asking the kit's status
//     endpoint; /waiting polls /pay/payments/{id}?token=... every 2 seconds.
//   - OnPaid marking the order paid, once: /orders lists every order with
//     its payment's status and how many times OnPaid ran for it.
//   - The kit's payments in a SQL database through stores/sql: SQLite by
//     default, PostgreSQL or MySQL with DATABASE_URL, migrated at start-up.
//   - The kit's Prometheus metrics on the shop's own registry, at /metrics.
//   - Graceful shutdown on SIGINT or SIGTERM, which closes the database
//     last.
//
// /orders and /metrics are open to anyone: fine for a demo, not for a
// shop.
//
// Environment:
//
//	ADDR                    where to listen; default 127.0.0.1:8080 (port 0 picks a free one)
//	PUBLIC_URL              the shop's address as browsers and Moneroo reach it,
//	                        scheme://host[:port] with no path; default http:// + ADDR
//	CAURI_SECRET            the kit's token secret, 32 characters or more; required
//	                        with MONEROO_SECRET_KEY, random per run otherwise
//	MONEROO_SECRET_KEY      use the real Moneroo API with this key instead of the emulator
//	MONEROO_WEBHOOK_SECRET  the signing secret of the webhook set up in Moneroo's
//	                        dashboard (to PUBLIC_URL/pay/webhooks/moneroo); without
//	                        it, webhooks are confirmed with Moneroo's API
//	MONEROO_BASE_URL        Moneroo's API root; default https://api.moneroo.io/v1
//	DATABASE_URL            where the kit keeps its payments; default the SQLite
//	                        file cauri-demo.db in the working directory
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
// and others; see stores/sql) within 30 seconds, and stops with an error
// naming DATABASE_URL if it cannot.
//
// Against the real Moneroo, PUBLIC_URL must be reachable from the internet
// (and should be HTTPS) for Moneroo's webhooks to arrive.
//
// The kit's payments outlive a restart, in the database; the shop's orders
// do not: it keeps them in memory, so /orders starts empty again. Offline,
// the emulator and the random CAURI_SECRET are new on each run too, so the
// payment links of an earlier run no longer work.
package main
