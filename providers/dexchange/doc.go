// Package dexchange is DEXCHANGE (https://dexchange.sn), the Senegalese
// mobile money aggregator, as a [cauri.Provider]: its merchant payment
// links, where the customer pays on a page DEXCHANGE hosts.
//
//	p, err := dexchange.New(dexchange.Config{APIKey: os.Getenv("DEXCHANGE_API_KEY")})
//
// The calls are POST /api/v1/transaction/merchant/get-link to open a
// checkout and GET /api/v1/transaction/{transactionId} for its status, with
// the API key as a bearer token. Each link carries the kit's per-payment
// callback URL as its callBackURL, so nothing needs configuring in the
// dashboard; a webhook URL set there may point at the kit's webhook handler
// for "dexchange" too. The subpackage dexchangetest emulates the API on
// loopback, for tests and offline demos.
//
// # Where DEXCHANGE's documents disagree or say nothing
//
// The rule followed: accept every documented form, and where a reading must
// be chosen, choose the one that can never mark an unpaid order paid nor
// leave a paid one stuck.
//
//   - Base URL: the API reference's overview says
//     https://api-m.dexchange.sn/v1, its endpoint pages
//     https://api-m.dexchange.sn/api/v1/..., and the French get-link page
//     and community code https://api.dexchange.sn/api/v1/.... The default
//     is [DefaultBaseURL], https://api-m.dexchange.sn/api/v1 (the current
//     endpoint pages, which are the ones with concrete paths);
//     Config.BaseURL takes the other host.
//   - customData: "optional" on the get-link page, required in its OpenAPI
//     block. It is always sent: a JSON string holding our payment ID, the
//     order's ID and its metadata ([MetaPaymentID], [MetaOrderID],
//     [MetaMetadata]), "Données additionnelles au format JSON" as the page
//     says.
//   - get-link's answer: a flat object in the page's example, nested under
//     "transaction" in the OpenAPI block; the API reference's overview
//     promises {message, success, data} for everything. All three are read,
//     and key names match in any case ("PaymentUrl", "paymentUrl"). 201 is
//     documented; 200 is accepted. An answer that says "success": false, or
//     gives no transactionId, no absolute http(s) PaymentUrl, or another
//     externalTransactionId than ours, is a permanent error: no link is
//     invented from DEXCHANGE's documented page format.
//   - "message": a string on success, an array of strings on error. Both
//     are read into ProviderError.Message.
//   - Currency: DEXCHANGE's API has no currency field; prices are "en
//     FCFA" and DEXCHANGE operates in Senegal, so only XOF orders are
//     accepted (XAF, the other "FCFA", is refused before any call, as is
//     any other currency). XOF has no subunit, so the kit's amount is the
//     ItemPrice as it is. Amounts read back, numbers or strings, are XOF
//     unless the answer names a currency ("FCFA" is XOF), and must be
//     whole francs.
//   - Minimum: 100 FCFA, checked before any call.
//   - ItemName (required): the order's description, else its only item's
//     name, else "Order <ID>". ClientName, ClientPhone and Email are sent
//     when known. The phone's format is undocumented; DEXCHANGE's examples
//     show national Senegalese numbers ("771234567"), so a +221 number is
//     sent as its nine national digits and any other as its international
//     digits without "+".
//   - successUrl and failureUrl: both are the kit's return URL. DEXCHANGE
//     documents no parameters added to them, and the kit never trusts which
//     one the customer came back through: it asks FetchStatus.
//   - Idempotency: our payment ID is the externalTransactionId, which
//     DEXCHANGE keeps unique (409 "ID de transaction externe déjà
//     utilisé"). A creation repeated after its answer was lost thus gets
//     409, which means "already created", not a failure, so the Provider
//     implements [cauri.IdempotentCreator] and the kit may retry creations.
//     On 409, the link is taken from the answer if it carries one, else
//     looked up with GET /api/v1/transaction/merchant/{our payment ID}. The
//     documentation names that lookup's parameter ":transactionId" and does
//     not say whether an externalTransactionId is accepted, nor what the
//     lookup returns; the answer is used only if it states our
//     externalTransactionId and a PaymentUrl. Otherwise the error is
//     permanent, StatusCode 409, wrapping [ErrLinkNotRecovered] (the kit
//     then closes that payment as failed, and a new checkout gets a new
//     payment ID). A lookup that fails transiently returns its temporary
//     error, and the kit tries the whole creation again. The recovered link
//     is returned whatever its status: a paid transaction's link is still
//     the one the payment is bound to, and the kit learns its status from
//     DEXCHANGE.
//   - Statuses: the get-link page lists PENDING, SUCCESS, FAILED and
//     EXPIRED; the get-transaction page PENDING, PROCESSING, SUCCESS,
//     FAILED and CANCELLED; community SDKs add INITIATED. All are mapped,
//     in any case, by [MapStatus]; anything else is pending and logged,
//     never paid.
//   - Status endpoint: the get-transaction page's answer is
//     {"message", "transaction": {ServiceName, ServiceCode, OperatorApi,
//     Type, Amount, Number, Status, Initiated_at, Completed_at}}; "data" and
//     a flat object are read too. It states neither our
//     externalTransactionId nor a currency, so PaymentID is set only when
//     echoed (and must then be ours), and the currency is XOF. A success
//     without an Amount, an answer without a Status, about another
//     transaction, or with "success": false (a 200 with an error body) is
//     an error and changes nothing. ServiceCode is reported as the method.
//     No failure reason or fee is documented there; a "Fee" is read if
//     present.
//   - Webhook authenticity: the get-link documentation describes no
//     signature ("Sécurité" lists only API-key checks). A notification is
//     therefore parsed and returned unauthenticated: the kit confirms it
//     with FetchStatus, whose answer replaces the notification's claim, and
//     the per-payment token in the callBackURL the kit gave binds it to its
//     payment. Community evidence only (DEXCHANGE's newer DexPay API and
//     integrations of it) describes an X-Webhook-Signature, formerly
//     X-Dexchange-Signature, header with the hex HMAC-SHA256 of the raw
//     body under a dashboard webhook secret. With Config.WebhookSecrets
//     set, such a header, when present, must verify ([VerifySignature]:
//     raw body, optional "sha256=" prefix, any case, constant time, every
//     secret tried) or the notification comes with an error wrapping
//     cauri.ErrUnauthenticated, and the update it claims, never
//     Authenticated: the kit confirms it with GET /transaction/{id}, as an
//     unsigned one; a verified one is Authenticated. A missing
//     header is not an error (get-link notifications are documented
//     unsigned); a header is ignored when no secret is configured.
//   - Webhook body: the seed's notification mixes camelCase ("id",
//     "externalTransactionId", "transactionType") and upper case ("AMOUNT",
//     "FEE", "STATUS", "CUSTOM_DATA"); community code reads lower case
//     ("transactionId", "status", "amount"). Keys match in any case,
//     "transactionId" is read where "id" is missing (two different ones are
//     malformed), and a body nesting the transaction under "data" or
//     "transaction" is read too.
//   - Webhook dedupe: the notification's "id" is the transaction's ID
//     ("MID123456789", the transactionId get-link returned), not the
//     notification's. EventID is that id and the STATUS
//     ("MID123456789:SUCCESS"): duplicates of one notification share it,
//     while a PENDING and a later SUCCESS notification of one transaction
//     are not taken for duplicates. The kit's state machine makes
//     duplicates harmless anyway.
//   - transactionType: PAYMENT in the seed; the get-transaction example
//     shows CASHOUT (a collection from the customer's wallet). Both, or
//     none, are a payment's status. REFUND and CASHIN (money sent out)
//     return cauri.ErrIgnoredEvent. Any other type is read but never
//     Authenticated, so the kit confirms it with FetchStatus rather than
//     either ignoring a possible payment or believing a possible refund.
//   - A signed SUCCESS notification without an AMOUNT is returned
//     unauthenticated, so that the kit confirms it instead of refusing it
//     for a zero amount.
//   - Rate limit: 100 requests per minute on the standard tier, which
//     [Provider.RateLimit] reports so that the kit keeps within it. A 429 is
//     a temporary error carrying Retry-After, which the kit honours: it
//     pauses status polls that long, and waits that long before retrying a
//     creation when it is within cauri.RetryPolicy.MaxRetryAfter.
//   - Errors: 400 (invalid parameters, amount under the minimum), 401
//     (invalid key), 403 ("API en maintenance"), 404 and 409 are permanent;
//     408, 429 and 5xx are temporary. HTML instead of JSON is reported as
//     such.
package dexchange
