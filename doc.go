// Package cauri takes hosted-checkout payments for Go web shops through the
// aggregators of West and Central Africa (MoneyFusion, DEXCHANGE and its
// newer DEXPAY API, NovaSend, Moneroo, PayDunya) as one thing: a [Kit] of
// http.Handlers, whatever the provider.
//
// # For a shop
//
// A shop builds one Kit with [New] from a [Config]: its [Store] (package
// stores/memory, or stores/sql for PostgreSQL, MySQL/MariaDB and SQLite),
// its providers (packages under providers/), its secret, its Order
// function and its [Config.OnPaid] hook, and mounts it:
//
//	mux.Handle("/pay/", http.StripPrefix("/pay", kit))
//
// The Kit then serves:
//
//   - POST /checkout/{provider}: builds a [Payment] on the server from the
//     shop's own [Order] (never from the browser's amount), stores it, asks
//     the provider for a hosted page and answers 303 to it (JSON to a JSON
//     client);
//   - GET or POST /return/{provider}/{id}/{token}: the customer back from the
//     provider; the kit verifies with the provider and sends them to the
//     shop's success, failure or pending page;
//   - POST /webhooks/{provider} (or a per-payment callback URL under it):
//     a provider's notification, authenticated
//     (or confirmed with the provider when it is unsigned), deduplicated,
//     checked against the stored amount and currency, and acknowledged
//     once durable;
//   - GET /payments/{id}: a payment's status as JSON, for the pending page.
//
// A client that asks the checkout for JSON gets a [CheckoutResponse] (where
// to send the customer, and the payment's status URL) rather than a
// redirect; the status endpoint answers a [StatusResponse]. A browser
// whose checkout or return visit fails gets the page [Config.ErrorPage]
// writes from an [ErrorInfo] (status code, a message safe to show, the
// order and payment when known), by default a small HTML page linking back
// to [Config.ShopURL].
//
// [Kit.CheckoutHandler], [Kit.ReturnHandler], [Kit.WebhookHandler] and
// [Kit.StatusHandler] serve each alone, for routers that mount them one by
// one. [Config.OnPaid] runs once per paid payment, however many duplicate
// notifications and return visits race, across every process sharing the
// Store; [Kit.RunReconciler] settles what notifications never told;
// [Kit.Payout] sends money out where a provider allows it.
//
// What a shop reads back: [Payment] and its [Status], [Anomaly] for a
// payment that must not be fulfilled as usual, each payment's history of
// [Event]s ([Kit.History]: what the kit did with it, and why, for a person
// to look into), the payments a person looks for ([Kit.FindPayments]),
// the operator's console that shows them ([Kit.AdminHandler], closed until
// [Config.AdminAuth] lets someone in), the errors of errors.go
// (checkable with errors.Is and errors.As), and the amount helpers
// ([ParseAmount], [FormatAmount]), which keep money in integer minor units.
//
// # For those who write a Store or a Provider
//
// [Store] (with [Change], [Lease], [Expect], [Cursor], and the optional
// [BatchCompleter] with its [Completion], [RefundStore], [PayoutStore],
// [PayoutLister], [HistoryStore] and [PaymentFinder]) is the contract of a
// payment store; stores/storetest checks an implementation against it.
// [Provider] (with [CheckoutRequest], [Checkout], [StatusQuery], [Update],
// [ProviderError], and the optional [IdempotentCreator], [PollGuidance],
// [RateGuidance], [Confirmer] with its [Claim], [Payouter],
// [PayoutPreparer] and [PayoutChecker]) is the contract of a payment
// provider; the packages under providers/ implement it, each with an
// emulator of the provider's API for tests, and providers/providertest
// runs one scenario suite against them all. providers/providerhttp makes
// their HTTP calls and turns failures into ProviderError values; it is
// public, for providers written outside this module. These contracts may still
// grow, by optional interfaces; the README's "Stability" section says what
// is stable API and what is not.
//
// The README says what the kit guarantees and how to run it in production;
// RELIABILITY.md how those guarantees are tested.
package cauri
