// Package emulator is the core the providers' emulators
// (providers/<name>/<name>test) run on, whatever the provider. A
// provider's emulator declares what is its own (its routes and their JSON,
// its auth, its status words, its notifications, its hosted page's look
// and buttons) and a [Core] does the rest:
//
//   - [NewCore] serves the routes on loopback, [Core.API] recording each
//     call ([Shell.Requests]), playing its injected faults and checking
//     its credentials with the provider's [Spec.Auth];
//   - the ledger ([Core.Add], [Core.Get], [Core.With], [Core.Update],
//     [Core.Locked]) keeps the payments by ref and alias under one lock,
//     with the settings their answers depend on ([Env]);
//   - [Core.Host] serves the hosted page flow: the page, its buttons, the
//     notifications they send, the customer sent back to the shop, the
//     page's missing, closed, waiting and expired states;
//   - [Shell] is what every emulator's Server shows, the Server embedding
//     it: SetWebhookURL, SetWebhookPolicy, FlushWebhooks, Deliveries,
//     Requests, InjectFault, AwaitSlowHeld, AwaitSlowAnswered,
//     ReportAmountDelta, Act, ConfirmLater and Close.
//
// The core is made of parts an emulator may also use alone:
//
//   - [Faults] plays injected [providertest.Fault] values on API handlers:
//     an HTTP status with the provider's own error body and Retry-After, a
//     slow answer, a dropped connection;
//   - [Dispatcher] delivers webhooks as a [providertest.WebhookPolicy] says
//     (duplicated, held until flushed, lost), retries those the receiver
//     does not acknowledge and records every delivery;
//   - [WriteCheckoutPage] renders a hosted checkout page in the provider's
//     colours, with the means of payment it offers, the customer's phone
//     number and pay, pay later, fail and cancel buttons; [ReadChoice]
//     reads what the customer chose, and [Act] presses a button over HTTP;
//   - [Later] plays the customers' phones confirming the payments they
//     chose to pay later;
//   - [Shape] declares a request body's fields (their names and the
//     aliases official clients send, their JSON kinds, whether they are
//     required, their rules) and [Shape.Decode] reads a JSON or form body
//     ([ReadBody]) against it, the problems worded in the provider's
//     [Dialect] ([NestJS], [Laravel] or its own);
//   - [Answers] keep the answers and notifications as the provider's
//     documentation prints them, JSON templates the emulator embeds
//     ([LoadAnswers]); [Reply] sends them with the provider's
//     Content-Type and escaping, [Answers.Form] writes one as a PHP form
//     and [WireForms] gives a notification's bytes and signed bytes;
//   - [LoadShapes] and [LoadData] read the request shapes and the static
//     tables (means of payment, error messages, [Words]) an emulator
//     embeds;
//   - [Ledger] keeps a provider's other records (payouts,
//     disbursements) by ref and alias;
//   - [Envelope] answers a JSON API's calls in the provider's success
//     envelope, reads their bodies and queries against their shapes and
//     refuses in the provider's error body ([Refused]); [Core.Lookup] and
//     [Ledger.Lookup] find the record an API call names, change it and
//     render it, [Core.Snapshot] copies one to render outside the lock,
//     [Paginate] cuts a list into pages, [Bind] makes a record from its
//     request, [Pairs] and [Future] are rules across and on its fields,
//     and [Replays.Take] replays a creation sent again with its
//     idempotency key;
//   - [Basic], [Bearer] and [HeaderKeys] are [Spec.Auth] values that
//     check credentials in constant time.
//
// An emulator's New takes [providertest.EmulatorOption] values, the
// options every emulator has and its package's own
// ([providertest.Configure]), and passes the settings to its Spec.
//
// Everything an emulator starts stops with its Close.
package emulator

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"
)

// RandomHex returns n random bytes as 2n lower-case hex characters.
func RandomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}

// UUID returns a random version 4 UUID, the shape many providers use for
// their payment IDs.
func UUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// RandomFrom returns n random characters of alphabet (ASCII).
func RandomFrom(alphabet string, n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// NullTime is t in UTC as layout writes it, or JSON null for the zero
// time.
func NullTime(t time.Time, layout string) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(layout)
}

// ISOTime is t as JavaScript's Date.toISOString writes it, the time of
// many providers' Node APIs: "2024-02-28T11:17:15.285Z".
func ISOTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// Must returns p, the provider client an emulator configured against
// itself, and panics with err, which the emulator's own configuration
// never gives.
func Must[P any](p P, err error) P {
	if err != nil {
		panic("emulator: the emulator's own provider configuration was refused: " + err.Error())
	}
	return p
}
