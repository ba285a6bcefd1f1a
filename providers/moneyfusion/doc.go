// Package moneyfusion is MoneyFusion (https://moneyfusion.net), the
// mobile money aggregator of francophone West Africa, as a
// [cauri.Provider]: its web API, where the customer pays on a page
// MoneyFusion hosts.
//
//	p, err := moneyfusion.New(moneyfusion.Config{
//		APIURL: os.Getenv("MONEYFUSION_API_URL"), // from the dashboard
//	})
//
// The calls are a POST of the payment request to the merchant's own API
// URL, which is the only credential, and GET
// https://www.pay.moneyfusion.net/paiementNotif/{token} for a payment's
// status, which takes none. Each payment request names its own
// webhook_url and return_url: the kit's per-payment callback and return
// URLs, so nothing needs setting up in the dashboard. The subpackage
// moneyfusiontest emulates the API on loopback, for tests and offline
// demos.
//
// # Authenticity
//
// MoneyFusion signs nothing: no header, no secret, no hash, in its
// documentation or its SDKs. [Provider.ParseWebhook] therefore never
// returns an authenticated update, and the kit confirms every notification
// with the status endpoint, through [Provider.Confirm] (the Provider is a
// [cauri.Confirmer]), whose answer replaces the notification's claim. The
// status endpoint is MoneyFusion's own API over TLS, so its answer counts
// as MoneyFusion's word; note that anyone holding a payment's token can
// read it, and the token travels in the return URL's query.
// Notifications are told apart by event and tokenPay (EventID), as the
// documentation recommends: one transaction gets several.
//
// # Cancelled and abandoned payments
//
// The status endpoint documents four words: pending ("Le paiement est en
// cours de traitement"), failure ("Échec du paiement"), no paid
// ("Paiement non effectué") and paid. None of them says cancelled: a page
// the customer cancelled answers "no paid", and so, as integrations
// report, does a page nobody has paid yet. The WordPress plugin
// MoneyFusion documents reads it as not final ("no paid - Payment not
// completed (order marked as on-hold)"). Only the notification tells a
// cancellation apart: payin.session.cancelled, "Paiement annulé ou
// échoué". So:
//
//   - A cancellation is believed when the status endpoint answers "no
//     paid" and the notification came to the payment's own callback URL
//     (the webhook_url the kit sent, whose path carries an HMAC token of
//     the kit's: [cauri.Claim] Callback): the kit gave that URL to
//     MoneyFusion alone, so the notification is MoneyFusion's, and its
//     cancellation is final, as its list of events reads. The payment is
//     then cancelled at once. A cancellation to the shared webhook URL,
//     which anyone can post to, is not believed: "no paid" stays pending.
//   - Believing a forged cancellation would be for good: a payment is
//     never moved back, so a customer who pays afterwards would be charged
//     for a payment the kit keeps cancelled (the kit logs the
//     contradiction, nothing more). Hence the callback URL as the proof,
//     and one more guard: the documented status answer shows no
//     webhook_url, but webhooks do; a status answer that shows it would
//     tell the callback URL to anyone holding the payment's token, so then
//     no cancellation is believed, and such payments end expired (below).
//   - A cancellation that comes while the payment's turn to be asked about
//     is spent (a return visit or another notification asked a moment
//     before) is answered 503 with Retry-After, and is believed when it is
//     delivered again. MoneyFusion documents no redelivery: one that never
//     comes leaves the payment to end expired.
//   - "no paid" more than Config.SessionLife + SessionMargin after the kit
//     created the payment is expired, by [Provider.FetchStatus] and so by
//     the reconciler's next question: nobody can pay that page any more.
//     MoneyFusion documents no life for its payment pages; the default, a
//     day ([DefaultSessionLife]), is chosen long, because too short a life
//     would expire a page its customer may still pay and leave that
//     payment stuck expired once paid, while too long a one only keeps an
//     abandoned payment pending longer; set SessionLife from what
//     MoneyFusion tells you. "pending", MoneyFusion processing a payment,
//     is never expired here: the kit's ReconcilePolicy MaxAge ends it.
//   - No notification makes anything paid: paid comes from the status
//     endpoint's "paid" alone, as before.
//
// # Where MoneyFusion's documents disagree or are silent
//
// The French and English documentation, their examples, the Node.js SDK
// (fusionpay) and the Python one (apiMoneyFusion) do not always say the
// same. The rule here: accept every documented form, and choose the
// reading that can never mark an unpaid order paid nor leave a paid one
// stuck.
//
//   - Montant and frais: the status example reports Montant 200, frais 5
//     for a 200 order (Montant is the total); the webhook example Montant
//     194, frais 6 and the Python one 475 and 25 for 500 (Montant is net of
//     the fee). The kit refuses a paid update whose amount is not the
//     order's, so either reading alone would leave every payment of the
//     other kind stuck. FetchStatus knows the order's amount and accepts
//     both: the amount charged is Montant when Montant is the order's
//     total, and Montant + frais otherwise (see [Charged]). A payment that
//     MoneyFusion calls paid with neither reading matching is refused by
//     the kit as tampered. The one shortfall this cannot see is one of
//     exactly frais under the gross reading, which is indistinguishable
//     from the net one.
//   - Amounts of failures: a failed or cancelled payment whose Montant
//     matches neither reading is reported without an amount, so that the
//     kit records the failure instead of keeping a dead checkout pending
//     for an amount nobody paid. The amount check guards money received,
//     and a failure receives none.
//   - Statuses: the documentation says failure, the Node.js SDK failed:
//     both are failed. "no paid" ("paiement non effectué") is read as not
//     paid, yet or ever, so pending until a cancellation or the page's end
//     says which (see above): integrations disagree on whether it is
//     final, and reading a fresh session as failed would close a payment
//     the customer can still pay, leaving it stuck failed once paid.
//     cancelled, seen by integrations though not documented, is
//     cancelled. Case and spaces are ignored; any other word is pending
//     and logged. See [MapStatus].
//   - Webhook events: payin.session.pending is pending,
//     payin.session.completed paid, and payin.session.cancelled ("annulé
//     ou échoué") cancelled; the kit uses the status endpoint's word
//     anyway, read with a cancellation as above. payout.session.* events
//     are ignored. A body without an event but with a statut (the Node.js
//     SDK says the webhook posts "the payment data") is read by its statut.
//   - Error answers: only {"statut": false, "message": ...} is documented
//     (for payouts), with no HTTP status. An answer with statut false is a
//     permanent refusal wrapping ErrRefused, with MoneyFusion's message,
//     whether it came with a 200 or a 4xx; a 404 from the status endpoint
//     wraps cauri.ErrNotFound instead; 5xx, 408 and 429 are temporary
//     whatever the body. A 2xx with no boolean statut, or HTML, is
//     malformed. None of them changes a payment.
//   - Status host: the seed documentation and the Node.js SDK use
//     https://www.pay.moneyfusion.net, the newer English pages
//     https://pay.moneyfusion.net. The default is the first; Config.StatusURL
//     overrides it.
//   - Payment page: the old documentation answers
//     https://www.pay.moneyfusion.net/pay/{id}, the new one
//     https://payin.moneyfusion.net/payment/{token}/{merchant}. Any absolute
//     http(s) url is accepted; its host is not checked.
//   - article: the example is one object holding several articles
//     ({"sac": 100, "chaussure": 100}), the Node.js SDK one object per
//     article. One object per order line is sent, {"name": line total}
//     ("name x3" for several), which no two lines can collide in, when the
//     lines add up to the amount; otherwise (no lines, or taxes, shipping
//     or a discount) one article worth the whole amount, named after the
//     description or the order, so the articles never contradict
//     totalPrice.
//   - totalPrice: a Number in the documentation, a string in the Python
//     SDK. A JSON number of francs is sent.
//   - Currency: never stated; MoneyFusion's countries use the FCFA of
//     UEMOA. An order in another currency than XOF fails before any call,
//     and every amount read back is XOF.
//   - numeroSend: required; the examples are national numbers ("01010101",
//     "0574801791"). The kit's E.164 number is sent without the calling
//     code of an XOF country ("+2250701020304" becomes "0701020304"), and
//     with its calling code otherwise (see [NationalNumber]).
//   - nomclient: required; the customer's first and last names.
//   - personal_Info: optional, "other personal information", echoed in
//     status answers and webhooks. One object is sent with the order's
//     metadata and, taking precedence, cauri_payment_id and orderId. On
//     reading, an array of objects or a single object is accepted, and two
//     different payment IDs are malformed.
//   - return_url and webhook_url: optional; the kit's return and callback
//     URLs are always sent. MoneyFusion appends ?token= to the return URL
//     ([ReturnParams] reads it, and a statut some integrations see); the
//     kit ignores the query, its URLs carry their own proof in the path.
//   - Idempotency: the payment request takes no key, so the Provider does
//     not implement [cauri.IdempotentCreator] and the kit never repeats a
//     creation.
//   - The API URL is a credential that sits in a URL's path: it is never
//     put in errors or logs, where ordinary URLs would go.
//   - Failure reasons: MoneyFusion gives none, so FailureReason is empty
//     but for the two readings above, which say what they read (a
//     cancellation borne out by "no paid"; "no paid" past the page's
//     life); moyen ("orange", "card") becomes Method and frais Fee.
//   - Payouts (/api/v1/withdraw) are documented with two different
//     authentication headers (Authorization: Bearer and
//     moneyfusion-private-key) and are not implemented.
package moneyfusion
