// Package moneroo is Moneroo (https://moneroo.io), the payment orchestrator
// for West and Central Africa, as a [cauri.Provider]: its "standard"
// integration, where the customer pays on a page Moneroo hosts.
//
//	p, err := moneroo.New(moneroo.Config{
//		SecretKey:      os.Getenv("MONEROO_SECRET_KEY"),
//		WebhookSecrets: []string{os.Getenv("MONEROO_WEBHOOK_SECRET")},
//	})
//
// The calls are POST /v1/payments/initialize to open a checkout and GET
// /v1/payments/{id}/verify for a payment's status, with the secret key as a
// bearer token. Webhooks are configured in Moneroo's dashboard (a URL and a
// signing secret each), not per payment: point one at the kit's webhook
// handler for "moneroo". The subpackage monerootest emulates the API on
// loopback, for tests and offline demos.
//
// # Where Moneroo's documents disagree
//
// Moneroo's English and French documentation, its SDKs and its plugins do
// not always say the same. This package chooses:
//
//   - Amounts: initialize takes an integer amount in the currency's main
//     unit (the English field table; the Laravel SDK validates "numeric"
//     and the official WooCommerce plugin sends the order total as a
//     decimal string, "5000.00", so the API takes those too, but an
//     integer is what every source accepts). The kit's amounts are in
//     smallest units, so they
//     are converted with [cauri.WholeUnits], and an amount with a
//     fractional part (1050 USD cents) is refused before any call rather
//     than rounded. Amounts read back, as a JSON number or a string, are
//     converted to smallest units with [cauri.ParseAmount].
//   - Currency: the verify endpoint gives an object ({"code": "XOF",
//     "decimals": 0, "subunit_to_unit": 100, ...}), webhooks a plain code.
//     Both are read, and only the code is used: subunit_to_unit is 100 even
//     for XOF, which has no subunit.
//   - Customer: email, first_name and last_name are required (English
//     table, Laravel SDK), so an order without them fails before the call.
//     The phone is sent as a string of digits ("2250701020304"), as the
//     English table types it (the plugins cast it to an integer, which
//     would lose a leading zero), and left out when empty.
//   - Metadata: string values only, at most 10 entries of at most 100
//     characters. The kit's cauri_payment_id and order_id come first and
//     win over the order's own keys of those names; the order's others
//     follow in key order until the tenth, and the rest are dropped with a
//     warning.
//   - Description: required, at most 155 characters. An empty one becomes
//     "Order <order ID>"; a longer one is cut.
//   - Success of initialize: 201 by the documentation, 200 accepted too.
//     Initialize is not idempotent, so the Provider does not implement
//     [cauri.IdempotentCreator] and the kit never repeats a creation.
//   - Statuses: initiated and pending are pending, success is paid, failed
//     is failed, cancelled is cancelled (Moneroo says to treat it as a
//     failure; the kit keeps the distinction). Anything else, including
//     another spelling, is pending and logged: an unknown word never
//     settles a payment. See [MapStatus].
//   - Return URL: Moneroo appends paymentId and paymentStatus (English
//     documentation, WooCommerce plugin); the French documentation says
//     monerooPaymentId and monerooPaymentStatus. [ReturnParams] reads both.
//     The kit never believes a status from the query anyway: it verifies.
//   - Webhook signature: X-Moneroo-Signature is the hex HMAC-SHA256 of the
//     raw body under the webhook's secret. It is computed over the bytes
//     received, never over re-serialised JSON (the documentation's Node.js
//     sample does that, and breaks on any difference in spacing or key
//     order). Upper-case hex and a "sha256=" prefix are tolerated, several
//     secrets are accepted at once for rotation, and the comparison takes
//     constant time.
//   - Replays: Moneroo signs no timestamp, so there is no replay window to
//     enforce. A replayed notification is harmless: statuses only move
//     forward, once, and a duplicate changes nothing.
//   - Webhook contents: Moneroo says its notifications are incomplete and
//     to re-query. A signed notification is believed as it stands when it
//     states what the kit checks; one claiming success without amount and
//     currency is returned unauthenticated, so the kit confirms it with
//     the verify endpoint instead of refusing it for a zero amount. Without
//     configured secrets, every notification is confirmed that way.
//   - Events: payment.initiated, payment.success, payment.failed and
//     payment.cancelled carry a status (data.status, or the event's name
//     when data has none). payout.* and any other event are ignored.
package moneroo
