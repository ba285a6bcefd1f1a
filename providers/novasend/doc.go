// Package novasend is NovaSend (https://novasend.app), a mobile money
// payment platform for West and Central Africa, as a [cauri.Provider]: its
// payin sessions, where the customer confirms the payment on a page
// NovaSend hosts (paymentUrl).
//
//	p, err := novasend.New(novasend.Config{
//		APIKey:         os.Getenv("NOVASEND_API_KEY"),
//		APIClient:      os.Getenv("NOVASEND_API_CLIENT"),
//		AccountID:      os.Getenv("NOVASEND_ACCOUNT_ID"),
//		WebhookSecrets: []string{os.Getenv("NOVASEND_WEBHOOK_SECRET")},
//	})
//
// The calls are POST /v1/payin/sessions to open a session and GET
// /v1/payin/{reference} for its status, with HTTP Basic
// base64(api_key:api_client). Webhooks are set up in NovaSend's Business
// portal (Settings > Webhooks: a URL, a secret key and events each), not per
// payment: point one at the kit's webhook handler for "novasend". The
// subpackage novasendtest emulates the API on loopback, for tests and
// offline demos.
//
// # The payment's state
//
// NovaSend describes a payin with three words: status (processing,
// processed, expired), confirmationStatus (none, pending, accepted,
// declined, expired) and, once the customer confirmed, transaction.status
// (completed, failed, pending), which its documentation calls the final
// truth. A payment is paid only when transaction.status is completed, and
// the kit then checks the amount and currency; a failed transaction or a
// declined confirmation fails it; an expired status or confirmation expires
// it; everything else, processed included, is pending. Update.RawStatus
// carries the three words as "status/confirmationStatus/transactionStatus";
// see [State.Map] and [MapStatus] for the whole table.
//
// # Where NovaSend's documents disagree, or say nothing
//
// NovaSend's French seed documentation, its English pages, its newer API
// pages and its webhook page do not always say the same. Where they differ
// or are silent, this package takes the reading that accepts every
// documented form and can never mark an unpaid order paid nor leave a paid
// one stuck:
//
//   - Session body: the seed has reference, accountId, amount, msisdn,
//     customerName and country; the newer API does not list accountId and
//     requires action.successUrl and action.failureUrl. Both are sent, in
//     the seed's field names and order, action with the kit's return URL as
//     both URLs.
//   - accountId: the seed's parameter table for POST /v1/payin/sessions
//     lists "accountId | string | Identifiant du compte ou du sous-compte
//     marchand à débiter/créditer." and its only example request sends
//     "accountId": "merchant_9923lkdz". Its "Obligatoire" column has lost
//     its marks in every row (reference and amount included), so it calls
//     no field optional; the newer English page omits accountId without
//     saying it is refused. The reading chosen: accountId is required for
//     payins. [New] refuses a Config without AccountID, every session
//     sends it, and NovaSend refusing it (its documented 404
//     wallet_not_found, "Verify the wallet identifier", or a validation
//     error naming accountId) gives a permanent error wrapping
//     [ErrAccountID], which names Config.AccountID, instead of a bare
//     refusal nobody can act on.
//   - Reference: our payment ID is the session's reference (NovaSend
//     recommends a UUID; any unique string is allowed).
//   - Idempotency: X-Idempotency-Key is mandatory and must be a UUID, of no
//     stated version. [IdempotencyKey] derives it from the SHA-256 of the
//     payment ID, in the version 4 layout every UUID validator accepts, so
//     that every retry sends the same key and NovaSend replays its first
//     answer instead of opening a second session. Creation is therefore
//     retried by the kit ([cauri.IdempotentCreator]).
//   - Amount: whole units, no decimals (every version). The kit's amounts
//     are in smallest units and converted with [cauri.WholeUnits]; an
//     amount with a fractional part is refused before any call.
//   - Currency: the session names a country, never a currency (the answers
//     say XOF). The order's currency must be the country's (XOF in the
//     UEMOA, XAF in the CEMAC; see [CurrencyOf]), or the order is refused
//     before the call rather than charged in another currency.
//   - Country: the seed lists "CI, SN, TG, etc.", the newer pages "CI, CM".
//     Every CFA-franc country is accepted, and NovaSend answers 404
//     country_not_found for one it does not serve. An order without a
//     country takes the one of the customer's phone number.
//   - customerName: required by the English seed, optional in the newer
//     API. It is required (the customer's first or last name) so that
//     neither refuses it.
//   - msisdn: E.164 everywhere. Spaces, dots, dashes and brackets are
//     removed; anything else not E.164 is refused before the call.
//   - Creation's answer: its HTTP status is not documented (any 2xx is
//     taken). In the seed's answer reference is NovaSend's and
//     customerReference ours; in the newer one id is NovaSend's and
//     reference ours. The payment's provider reference is reference when it
//     is not ours, else id, else our payment ID. An answer whose
//     customerReference is another's is refused.
//   - Status lookup: the seed says {reference} is the one the creation
//     returned; the newer pages call ours the reference. FetchStatus asks
//     with the provider reference and, on a 404, with our payment ID: a
//     payment NovaSend knows under either is found. The answer must name
//     our payment (any of id, reference, customerReference) or name none.
//   - Statuses: the lists differ from page to page (confirmationStatus has
//     pending on one, expired on another). Every word of every list is
//     known; case and surrounding spaces are ignored (NovaSend writes lower
//     case; client code seen in the wild compares without case). A
//     transaction null or {} (both documented), or [] (PHP's {}), means the
//     customer has not confirmed yet.
//   - Status answer without transaction: the seed says "Si transaction est
//     null ou {} dans ce cas là, le paiement n'a pas encore été confirmé
//     par le client", that processed means "Paiement validé par le client
//     (Mais ne défini pas le statut final de la transaction)", and that
//     "Le champ transaction.status est la source de vérité finale côté
//     système de règlement". Some client code in the wild treats processed,
//     or a top-level success, as paid when the answer has no transaction.
//     The reading chosen: an answer without transaction.status (the key
//     missing, null, {}, [], or an object without status) is never paid,
//     whatever status and confirmationStatus say: processed/accepted is
//     pending, an unknown word such as success is pending and logged;
//     declined fails it and expired expires it, as those words say on their
//     own. A payin whose answers never show its transaction thus stays
//     pending until an answer or a signed notification carries
//     transaction.status completed, with its amount.
//   - declined: the customer refused. The kit's status is failed rather
//     than cancelled, as the integration this package was written for asks;
//     NovaSend says to treat declined and expired as not valid.
//   - Amounts read back: numbers at the top ("amount": 300), strings with
//     two decimals in transaction ("amount": "153.00", even for XOF). Both
//     are read with [cauri.ParseAmount], which refuses non-zero decimals
//     XOF does not have. The amount reported is transaction.amount
//     ("Montant effectivement traité") when given, else, in status answers,
//     the payin's amount; never chargedAmount. A completed transaction whose
//     answer gives no amount or no currency is an error, not a payment.
//   - Fee: "fee" in answers ("Frais de service appliqués à la
//     transaction", next to "chargedAmount: Montant total débité
//     (montant + frais)"), "fees" in the webhook ("Fees applied to the
//     transaction") and, as a string, in transaction ("Frais appliqués au
//     niveau du processeur"). The documents allow reading the amount and its fee
//     apart, and the webhook's sample shows that one must: "amount": 306,
//     "fees": 0, "chargedAmount": 306, where the seed's payin of 300 has
//     "fee": 6. Update.Amount is the amount stated (above), Update.Fee the
//     fee stated for it: the transaction's fees with transaction.amount,
//     the payin's fee (or fees) with the payin's amount, and the other one
//     when that one is missing, unreadable or zero. So a transaction of 306
//     with fees 6 (or with fees 0 in a payin whose fee is 6) reports Amount
//     306 and Fee 6, for the kit to settle an order of 300 on its amount
//     plus the fee the customer paid; a transaction of 294 reports Amount
//     294 and the fee stated (never the order's 300); one of 300 with no
//     fee field reports Amount 300 and Fee 0. This package never adds,
//     subtracts or derives amounts (chargedAmount minus amount is not read
//     as a fee): whether one is acceptable is the kit's decision.
//   - Errors: only codes and messages are documented (401 Unauthorized,
//     403 api_token_invalid, 404 country_not_found, 400 Invalid amount...),
//     not the body's shape. statusCode, code, message (a string or a list),
//     error (a string or an object) and the field names of errors are read.
//     A 2xx answer carrying an error (a statusCode of 400 or more, "success":
//     false, or an error and nothing of a payin) is an error, classified by
//     that statusCode; HTML where JSON was due is an error too. Neither
//     ever changes a payment.
//   - Webhook signature: the webhook page says "X-Signature-Value:
//     HMAC_SHA256(body, secret)", and its verification sample computes
//     crypto.createHmac("sha256", secret).update(JSON.stringify(body)) over
//     the parsed body, while its sample body writes its URLs with "\/"
//     ("https:\/\/pay.wave.com\/c\/..."), which JSON.stringify writes
//     "https://pay.wave.com/c/...". For that check to pass, NovaSend must
//     sign the compact JSON.stringify form, which may differ from the bytes
//     it sends: the documents imply the re-serialised form. So the
//     signature is checked over the raw bytes (the same thing whenever
//     NovaSend sends what it signed) and over that re-serialisation as
//     Node.js computes it (members in their order, array-index keys first;
//     no white space; "/" and non-ASCII characters unescaped; numbers as
//     JavaScript prints them; see [VerifySignature]), in constant time,
//     tolerating upper-case hex and a "sha256=" prefix. Several secrets are
//     accepted at once, for rotation. NovaSend signs no timestamp, so there
//     is no replay window; a replay changes nothing (statuses only move
//     forward, once).
//   - A signature that verifies on neither form (or none, with secrets
//     configured) does not refuse the notification: a genuine one signed
//     some third way would otherwise leave a paid order waiting for the
//     reconciler. It is returned unauthenticated, a hint the kit confirms
//     with GET /v1/payin/{reference} (within the payment's budget of
//     questions), so a forgery changes nothing and costs at most that
//     call. A body that is not a NovaSend notification at all (not JSON,
//     no payin named) is still refused as malformed.
//   - Webhook body: the documented one is a flat payin object with no event
//     field and no transaction, whose id is NovaSend's and reference ours;
//     the seed also names events payin.confirmed and payin.declined. Both
//     the flat object and {"event": ..., "data": {...}} are read; objects
//     of another type (payout, refund) and non-payin events are ignored.
//     Its top-level amount is the charged one in the example (306 with fees
//     0 for a 300 payin), so only transaction's amount is ever reported
//     from a webhook.
//   - Webhook authenticity: transaction.status is the final truth, and the
//     documented body does not carry it. A verified webhook is therefore
//     believed (Authenticated) only when it carries transaction.status in a
//     documented word and, for completed, the transaction's amount and
//     currency. Any other verified webhook, the documented body included,
//     is returned unauthenticated: the kit then asks GET
//     /v1/payin/{reference}, whose answer replaces the webhook's claim. A
//     signal to look is thus never lost, and a claim is never believed on
//     less than the final truth.
//   - Webhook identity and dedupe: PaymentID is our reference (reference,
//     or customerReference where the object has one); ProviderRef is set,
//     to id, only when the object names no reference of ours, because the
//     webhook's id and the creation's reference are not documented to be
//     the same identifier. EventID is id and the three words ("tr_...:
//     processed/accepted/completed"), NovaSend's transaction and its state.
//   - Return: NovaSend documents only the paymentUrl deep link, nothing it
//     appends to action's URLs. The customer is sent to paymentUrl, comes
//     back (if ever) to the kit's return URL, whose query the kit ignores,
//     and the shop's pending page polls the kit's status endpoint in case
//     nobody comes back.
//   - Polling: NovaSend asks for at most one status call per payment every
//     5 to 10 seconds ([MinPollInterval]); the kit's default
//     StatusRefreshInterval of 10s respects it.
//   - Credentials: "api_key:api_client" in the request pages, "API key and
//     secret" in the error table: [Config] calls them APIKey and APIClient.
//     NovaSend recommends a 30-second timeout at most, the default client's.
//   - Sandbox: none is documented (the develop documentation host is not an
//     API). Test credentials, if NovaSend issues them, go with the default
//     BaseURL; novasendtest stands in for tests.
package novasend
