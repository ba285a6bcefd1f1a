// Package dexpay is DEXPAY (https://dexpay.africa), DEXCHANGE GROUP's
// newer mobile money API, as a [cauri.Provider] and a [cauri.Payouter]:
// its checkout sessions, where the customer pays on a page DEXPAY hosts,
// and its payouts to mobile money wallets.
//
//	p, err := dexpay.New(dexpay.Config{
//		APIKey:         os.Getenv("DEXPAY_API_KEY"),    // pk_live_...
//		APISecret:      os.Getenv("DEXPAY_API_SECRET"), // sk_live_...
//		WebhookSecrets: []string{os.Getenv("DEXPAY_WEBHOOK_SECRET")},
//		Mode:           dexpay.Live, // the zero value is the sandbox
//	})
//
// The calls are POST /checkout-sessions to open a checkout, GET
// /checkout-sessions/reference/{reference} for its status and POST
// /payouts for a payout, under https://api.dexpay.africa/api/v1 live and
// https://api-sandbox.dexpay.africa/api/v1 in the sandbox, with the
// public key in x-api-key and the secret key in x-api-secret. Each session
// carries the kit's per-payment callback URL as its webhook_url, so nothing
// needs configuring in the dashboard but the webhook secret; a webhook URL
// set there may point at the kit's webhook handler for "dexpay" too. The
// subpackage dexpaytest emulates the API on loopback, for tests and
// offline demos. DEXCHANGE's older payment links API is the dexchange
// package.
//
// # Sources, and where they disagree
//
// DEXPAY's documentation site (docs.dexpay.africa) was not among the
// sources at hand; this package follows DEXCHANGE GROUP's official code:
// the Node SDK (github.com/DEXCHANGE-GROUP/dexpay-node, commit 39ac22c,
// its README, src/ and tests) and the WooCommerce plugin
// (github.com/DEXCHANGE-GROUP/dexpay-woocommerce v1.1.1, commit d99bc4e).
// The Python SDK's README (PyPI dexchangepay) shows the same creation
// body and reads the answer's data.payment_url; its code was not read.
// The rule followed: accept every form they show, and where a reading
// must be chosen, choose the one that can never mark an unpaid order paid
// nor leave a paid one stuck.
//
//   - Mode: the SDK defaults to production (sandbox: false), the plugin
//     has a checkbox. The zero Mode here is the sandbox, as in the
//     paydunya package: a forgotten setting charges no one, and live keys
//     are refused by the sandbox host, which shows the mistake at once.
//     Keys whose prefix names the other mode ("pk_test_" live, "sk_live_"
//     in the sandbox), or a public key given as the secret (or the
//     reverse), are configuration errors. Config.BaseURL overrides the
//     host, as the SDK's baseUrl does.
//   - isSandbox: session answers say whether they are the sandbox's. A
//     session of the other mode is refused (ErrWrongMode), so that a
//     sandbox session, where no money moves, can never settle a live
//     order; a notification of the other mode is ignored
//     (cauri.ErrIgnoredEvent), as it cannot be confirmed here. An answer
//     that does not say is taken as of the Provider's mode.
//   - Amounts: the SDK's type comment says amount is "en centimes", its
//     README's example says 10000 is "10,000 XOF", and the plugin sends the
//     order's total cast to an integer ("no decimals for XOF"). DEXPAY
//     charges in XOF, XAF and GNF only, none of which has a subunit, so
//     the two readings meet on whole francs: the kit's amount (in smallest
//     units, which for these currencies are francs) is sent as it is,
//     through [cauri.WholeUnits]. Any other currency is refused before any
//     call. Amounts read back, JSON numbers or strings ("5000",
//     "5000.00"), are read with [cauri.ParseAmount] in the stated
//     currency; a fractional franc is malformed. Were DEXPAY to report
//     centimes of a whole-franc charge, the kit would refuse the update for
//     its amount rather than settle it. Were it to read and report both in
//     centimes, the kit could not tell: the plugin's live use (it would
//     charge a hundredth of every order) is the evidence against that.
//   - Creation: the body is the SDK's (reference, item_name, amount,
//     currency, success_url, failure_url, webhook_url, metadata) plus the
//     plugin's is_one_shot_payment: true; client_support_fee and
//     expires_at are left out (DEXPAY's defaults: the merchant bears the
//     fees, and the reported amount is then the order's). reference is our
//     payment ID; metadata holds it ([MetaPaymentID]), the order's ID
//     ([MetaOrderID]) and the order's own metadata. item_name is the
//     order's description, else its items' names as the plugin joins them,
//     else "Order <ID>". success_url and failure_url are both the kit's
//     return URL: DEXPAY documents no parameters added to them, and the
//     kit never trusts which one the customer came back through.
//   - Creation's answer: the SDK's README reads session.payment_url, its
//     index.ts session.data.payment_url, its tests a flat body with
//     checkout_url; the plugin reads data.payment_url, and in the sandbox
//     data.sandbox_payment_url first. All are read, the envelope
//     {success, data} or a flat object, payment_url before checkout_url,
//     and in Sandbox mode sandbox_payment_url first. 201 or 200. An answer
//     saying "success": false, about another reference, stating another
//     amount or currency than the order's, of the other mode, or without
//     an absolute http(s) page is a permanent error.
//   - Identity: the plugin notes that the API returns data.reference, not
//     data.id, and finds orders by the notification's data.reference. The
//     ProviderRef is therefore the reference, our payment ID, and both
//     lookups and notifications are matched by it.
//   - Idempotency: DEXPAY documents no idempotency key, nor what a
//     reused reference does, so the Provider does not implement
//     [cauri.IdempotentCreator] and the kit never repeats a creation (a
//     repeat could open a second session under the same reference).
//   - Status endpoint: GET /checkout-sessions/reference/{reference} (SDK
//     and plugin). GET /checkout-sessions/{id} exists too, but no answer
//     documents an id to give it. The session may sit under "data" (the
//     envelope of every answer the plugin reads) or at the top (the SDK's
//     types). Its amount and currency are reported; a COMPLETED session
//     without them is malformed.
//   - Statuses: the SDK lists INITIATED, PENDING, PROCESSING, COMPLETED,
//     FAILED, CANCELLED and REFUNDED; EXPIRED, which DEXCHANGE's payment
//     links use, is read too. REFUNDED is [cauri.StatusRefunded]. Any
//     other word, in any case, is pending and logged, never paid
//     ([MapStatus]).
//   - Webhook events: the plugin reads {"event": "CHECKOUT_COMPLETED",
//     "data": {reference, transaction_id, payment_method, operator,
//     metadata, ...}} with CHECKOUT_INITIATED, _COMPLETED, _FAILED,
//     _CANCELLED and _REFUNDED; the SDK's README reads {"type":
//     "checkout.completed", "data": ...} (and checkout.failed,
//     payout.completed, payout.failed, subscription.*). Both spellings are
//     read and believed alike. A session status in data wins over the
//     event's, and when the two disagree the notification is not believed
//     on its own. Payout and subscription events are ignored. The failure
//     reason is data.error and data.error_code (plugin); the method is
//     data.operator, else data.payment_method.
//   - Webhook signature: X-Webhook-Signature is the lower-case hex
//     HMAC-SHA256 of the raw body under the dashboard's webhook secret
//     (the plugin's hash_hmac('sha256', $payload, $secret), compared with
//     hash_equals); older deployments used X-DexPay-Signature, read when
//     the first is absent, as the plugin does. No timestamp is signed, so
//     there is no replay window: a replayed notification changes nothing,
//     statuses only move forward. Verification is over the bytes received,
//     constant time, upper-case hex and a "sha256=" prefix tolerated,
//     every configured secret tried.
//   - Webhook authenticity: the plugin checks the signature only when a
//     secret is configured, and then believes the event without looking
//     the session up or checking the amount. Here, with secrets
//     configured, a signature that does not verify comes with an error
//     wrapping cauri.ErrUnauthenticated and the update the body claims,
//     which the kit confirms by the reference lookup and answers 401
//     unless DEXPAY bears it out (a secret rotated at DEXPAY first must not
//     lose a genuine payment); a verified
//     one is believed when its status is known, consistent, and, for a
//     completed payment, states a positive amount and a currency (which the
//     kit then checks against the stored order). Every other notification
//     (unsigned, without secrets, or not stating what the kit must check)
//     is returned unauthenticated: the kit confirms it by the reference
//     lookup, whose answer replaces the notification's claim.
//   - Rate limits and polling: DEXPAY documents neither, so the Provider
//     implements neither [cauri.RateGuidance] nor [cauri.PollGuidance]. A
//     429 is a temporary error carrying Retry-After, which the kit honours.
//   - Errors: the SDK reads message, else error, and code; NestJS
//     validation writes message as an array of strings. All are read into
//     ProviderError.Message. 4xx are permanent, 408, 429 and 5xx
//     temporary. The API key and secret are taken out of every error's
//     text, should an answer quote them.
//
// # Payouts
//
// [Provider.Payout] posts the SDK's body to POST /payouts: amount, currency,
// destination_phone (E.164), destination_details {operator, countryISO}
// and metadata. cauri.PayoutRequest.Account names the wallet as
// "operator:+E164 phone" ([PayoutAccount]); countryISO comes from the
// number's country code. The answer's status is mapped by
// [MapPayoutStatus]: a payout is usually PENDING when created, and its
// ProviderRef (DEXPAY's id, else its "PO_..." reference) is what GET
// /payouts/{id} looks up: [Provider.CheckPayout], through which the kit
// settles a pending payout (cauri.Kit.ResolvePayout, and the reconciler).
// DEXPAY takes no idempotency key, so payouts are
// never repeated, and an answer that does not come is an unknown outcome
// (a temporary error), never a failure.
package dexpay
