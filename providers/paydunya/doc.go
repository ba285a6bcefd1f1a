// Package paydunya is PayDunya (https://paydunya.com), the payment
// aggregator of Senegal, Côte d'Ivoire, Benin, Togo, Mali and Burkina Faso,
// as a [cauri.Provider]: its "Paiement Avec Redirection" (PAR), where the
// customer pays on a checkout invoice page PayDunya hosts. It sends payouts
// too, to PayDunya accounts and mobile-money wallets, through PayDunya's
// disbursement API ("API PUSH", disburse/get-invoice and submit-invoice),
// and looks them up (disburse/check-status): a [cauri.PayoutPreparer] and a
// [cauri.PayoutChecker].
//
//	p, err := paydunya.New(paydunya.Config{
//		MasterKey:  os.Getenv("PAYDUNYA_MASTER_KEY"),
//		PrivateKey: os.Getenv("PAYDUNYA_PRIVATE_KEY"),
//		Token:      os.Getenv("PAYDUNYA_TOKEN"),
//		Mode:       paydunya.Live, // the zero value is the sandbox
//		Store:      paydunya.Store{Name: "Boutique Awa"},
//	})
//
// The calls are POST {base}/checkout-invoice/create to open a checkout and
// GET {base}/checkout-invoice/confirm/{token} for its status (as the guide
// and the Node SDK ask it; the Python SDK sometimes POSTs), where {base}
// is https://app.paydunya.com/sandbox-api/v1 in the sandbox and
// https://app.paydunya.com/api/v1 live; and for a payout POST
// {disburse}/disburse/get-invoice, submit-invoice and check-status, where
// {disburse} is the same with v2. Each carries the PAYDUNYA-MASTER-KEY,
// PAYDUNYA-PRIVATE-KEY and PAYDUNYA-TOKEN headers. Every invoice carries
// the kit's per-payment callback_url, where PayDunya posts its IPN: nothing
// needs configuring in PayDunya's dashboard. The subpackage paydunyatest
// emulates the API on loopback, for tests and offline demos.
//
// # How notifications are believed
//
// An IPN is a form post whose data[hash] is the SHA-512 of the master key.
// [Provider.ParseWebhook] checks it in constant time; a missing or wrong one
// returns cauri.ErrUnauthenticated with what the IPN claims, which the kit
// confirms with confirm/{token} all the same (a master key rotated before
// the shop's must not lose a genuine payment) and answers 401 unless the
// provider bears it out. But that
// hash is the same in every IPN and signs none of its content: whoever saw
// one IPN can post another with any status and amount. So a matching hash
// only filters noise, the update is never Authenticated, and the kit asks
// confirm/{token} before it changes anything; confirm's answer replaces
// what the IPN said. Copies of one IPN share the EventID
// "<invoice token>:<status>".
//
// # Where PayDunya's documents disagree, or say nothing
//
// The French integration guide, its examples, the official SDKs (PHP,
// Node, Python) and plugins (WooCommerce) do not always say the same. The
// rule applied: accept every documented form, and where a choice remains,
// take the reading that can never mark an unpaid order paid nor leave a
// paid one stuck.
//
//   - Mode: the guide gives both URLs but no default. The zero Mode is the
//     sandbox ("test", as PayDunya's answers and SDKs name it; "sandbox" is
//     read too), as the PHP SDK defaults: a forgotten setting charges no
//     one, and live keys fail loudly there. A private key whose prefix
//     names the other mode ("test_" live, "live_" in the sandbox) is a
//     configuration error. The master key is the same in both modes (the
//     WooCommerce plugin has one), so is the IPN hash.
//   - Headers: the guide sends the three keys and Content-Type:
//     application/json, even on the GET; so does this package. The PHP
//     SDK's extra PAYDUNYA-PUBLIC-KEY and PAYDUNYA-MODE are not sent (the
//     Node SDK leaves the public key out too).
//   - Success: "all successful answers have response_code 00", a string.
//     Any other response_code, even with HTTP 200, is PayDunya's refusal: a
//     permanent *cauri.ProviderError carrying response_text. A number 0 is
//     not "00". PayDunya documents no error codes; none are interpreted.
//   - Currency: PayDunya names none; its amounts are FCFA ("Paiement de
//     42300 FCFA"), and its countries use the West African franc. So orders
//     must be in XOF, checked before the call, and amounts read back are
//     XOF. XOF has no subunit: the kit's 5000 is total_amount 5000.
//   - Amounts: the guide writes total_amount as a number in create and
//     confirm, as a string in the IPN; the PHP SDK rounds it to two
//     decimals, the Python SDK may send a float (406000.0) and the
//     WooCommerce plugin the order total as a string ("5000.00"). It is
//     sent as an integer and read as a number or a string; "5000.00" is
//     5000, any non-zero decimal is refused (FCFA has none).
//   - Items and taxes are JSON objects keyed item_0, item_1... and tax_0...
//     (the guide's structure, the PHP SDK's JSON_FORCE_OBJECT), in the
//     order of the order's items, and {} when empty; the Python SDK and
//     the WooCommerce plugin send items as an array, which PayDunya
//     evidently takes too, but the object is what every source shows. As in
//     the guide's example, quantity is a number and unit_price and
//     total_price strings. PayDunya does not charge from items: only
//     total_amount counts. The kit has no taxes to show: taxes is {}.
//   - Store: the guide's store object spells the phone "phone", both
//     official SDKs (Node, Python) "phone_number"; the SDKs' spelling is
//     sent, since it is what PayDunya's own clients have always sent (the
//     emulator reads both). store.name is required (Config.Store.Name).
//   - Description: optional in the guide; the order's, or "Order <ID>"
//     when it has none, so the page always says what is paid for.
//   - Customer: the guide's invoice has none, but the official
//     WooCommerce plugin sends invoice.customer {name, email, phone} to
//     pre-fill PayDunya's page. The order's customer is sent the same way:
//     name is [cauri.Customer.Name], the phone is sent as the order holds
//     it (E.164: PayDunya's countries share no prefix, so dropping it could
//     name another country's number); blank fields are left out, and the
//     object when all are. It only fills the page's form: the customer can
//     change it there, and confirm reports who actually paid.
//   - Channels: the SDKs' invoice.channels restricts the page's payment
//     means; the guide has none, and it is not sent: every means is shown.
//   - custom_data: cauri_payment_id and order_id, then the order's
//     metadata (ours win; keys with brackets are left out, since the IPN
//     posts them back as data[custom_data][key]). The guide says custom
//     data is only given back by confirm, yet its IPN example carries it:
//     it is read from both, and is optional in both.
//   - actions: return_url and cancel_url are both the kit's return URL, so
//     a customer who cancels comes back too, and the kit asks confirm
//     before choosing the shop's page. PayDunya appends ?token=<invoice
//     token> to return_url (the guide says nothing of cancel_url); the kit
//     reads its own payment ID and token from the path and ignores the
//     query ([ReturnToken] reads it for other uses). The guide documents no
//     redirect after a failure.
//   - Statuses: the status section lists pending, cancelled and completed;
//     the IPN section adds failed; the WooCommerce plugin handles
//     completed and failed. All four are mapped; anything else is pending,
//     logged, and never settles anything. See [MapStatus].
//   - fail_reason: the guide fills it "only for failed or cancelled card
//     payments"; it is read whenever present.
//   - Confirm's hash: confirm also returns the master key's hash. It is
//     not checked: the answer comes over TLS from the configured base URL
//     in reply to the application's keys, and a constant hash adds
//     nothing. The IPN example and the confirm example even show different
//     hashes (8c66... and 85c6...), both said to be the master key's: the
//     hash is always computed from the configured master key, and
//     upper-case hex is tolerated.
//   - Tokens in the examples: the confirm example asks for test_P8FaseSVLd
//     and answers invoice.token test_Jh2T8skw1j. A confirm answer must
//     echo the token asked for, unless custom_data.cauri_payment_id proves
//     it is about our payment; otherwise it is an error and nothing
//     changes. The update's ProviderRef is always the token asked for.
//   - The invoice token is the last segment of the invoice page's URL:
//     whoever has it can open the page, pay or cancel. It is kept like a
//     key: no error of this package holds it (the confirm call is named
//     "checkout-invoice/confirm/<token>", and the token is taken out of
//     anything PayDunya's answer says), nor does any log line (a warning
//     names our payment ID instead).
//   - The IPN example lists invoice.token twice with different values, a
//     slip of the guide (a PHP array, which PayDunya posts, cannot hold a
//     key twice). An IPN repeating any key with different values is
//     refused as malformed: which one is meant cannot be told.
//   - mode: answers and IPNs carry "test" or "live". A confirm answer of
//     the other mode is refused, so that a sandbox invoice (fictitious
//     money) can never settle a live order; an IPN of the other mode is
//     ignored (cauri.ErrIgnoredEvent), since it cannot be confirmed here.
//   - Method and fee: PayDunya reports neither; Update.Method and
//     Update.Fee stay empty.
//   - Idempotency: create takes no idempotency key, so the Provider does
//     not implement [cauri.IdempotentCreator] and the kit never repeats a
//     creation; submit-invoice takes none either, and a payout is never
//     submitted twice.
//
// # Payouts
//
// PayDunya documents two ways to send money. Its redistribution API
// (direct-pay/credit-account, in the guide above) credits a PayDunya
// account in one call and answers with a transaction_id, which no
// documented call looks up: a payout whose answer is lost could never be
// settled. Its API PUSH (developers.paydunya.com, "API PUSH") takes three:
// disburse/get-invoice makes a disbursement and answers with its
// disburse_token, sending nothing ("created: not yet sent to the operator");
// disburse/submit-invoice sends it ("pending: submitted to the operator,
// still being processed"); and the documentation sends whoever wants the
// final status ("success" or "failed") to its check-status call, which
// looks a disbursement up by that token. This package uses the API PUSH:
// [Provider.PreparePayout] is get-invoice, [Provider.SubmitPayout] is
// submit-invoice, [Provider.CheckPayout] is check-status, and the kit
// records the token between the first two, so that every payout it sent can
// be looked up, a lost answer included. The paths are under /v2
// (Config.DisburseBaseURL), as clients of the API PUSH call them.
//
//   - Fields: get-invoice's account_alias, amount and withdraw_mode, as the
//     documentation spells them; callback_url, which it lists too and says
//     must be a valid URL, is sent when Config.PayoutCallbackURL is set (the
//     kit does not need the callback, it asks check-status). submit-invoice
//     and check-status take disburse_invoice, the token. The documentation's
//     optional disburse_id is not sent.
//   - withdraw_mode is PayoutRequest.Method, sent as given; empty means
//     AccountMode ("paydunya", a PayDunya account), what credit-account
//     did. The documentation lists orange-money-senegal, free-money-senegal,
//     expresso-senegal, wave-senegal, mtn-benin, moov-benin, mtn-ci,
//     orange-money-ci, moov-ci, wave-ci, t-money-togo and orange-money-mali;
//     PayDunya adds some over time, so only the shape is checked.
//   - account_alias: "the receiver phone number without country code". It
//     is sent as given (a number is never rewritten: dropping a country code
//     could name another country's account); an email address is accepted
//     for a PayDunya account only, as credit-account took one.
//   - Statuses, in any case: success is PayoutSucceeded, failed
//     PayoutFailed; created, pending, none and words this package does not
//     know are PayoutPending, for the kit to ask again. A submit-invoice
//     answer of "00" with no status is pending too: the final status is
//     check-status's.
//   - A response_code other than "00" from submit-invoice is a failed
//     payout with PayDunya's response_text (it answered, and sent nothing);
//     an answer that never came or cannot be read is an error marked
//     Temporary, which the kit keeps pending rather than risk paying twice.
//   - A disbursement check-status reports "created" was made and never
//     sent: the kit leaves it pending and does not submit it on its own.
//
// Other providers could offer payouts the same way later: MoneyFusion has
// a withdraw API (POST /api/v1/withdraw with countryCode, phone, amount and
// withdraw_mode; its auth header differs between two versions of its
// documentation, its server IPs must be whitelisted, and its payout
// webhooks are unsigned); NovaSend has POST /v1/payout with a mandatory
// X-Idempotency-Key, which would make its payouts safe to retry; Moneroo
// has a payouts API whose payout.* webhook events its package already
// receives and ignores.
package paydunya
