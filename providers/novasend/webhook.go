package novasend

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/internal/clientkit"
)

// SignatureHeader carries a webhook's signature: the lower-case hex
// HMAC-SHA256 of the body, keyed with the webhook's secret. NovaSend's
// documented check computes it over JSON.stringify of the parsed body, a
// compact re-serialisation that may differ from the bytes sent; see
// [VerifySignature].
const SignatureHeader = "X-Signature-Value"

// Errors of signature verification, as [VerifySignature] returns them.
// Both wrap cauri.ErrUnauthenticated. ParseWebhook does not return them: a
// notification whose signature does not verify is returned unauthenticated,
// for the kit to confirm with the status endpoint.
var (
	// ErrNotSigned: the notification has no X-Signature-Value.
	ErrNotSigned = fmt.Errorf("%w: novasend: no %s header", cauri.ErrUnauthenticated, SignatureHeader)
	// ErrBadSignature: the signature is unreadable or made with none of
	// the secrets, over neither the raw body nor its re-serialisation.
	ErrBadSignature = fmt.Errorf("%w: novasend: %s does not verify", cauri.ErrUnauthenticated, SignatureHeader)
)

// Sign returns the X-Signature-Value of body under secret: the lower-case
// hex HMAC-SHA256 of the body's exact bytes. It is exported for tests that
// post their own notifications; to sign as NovaSend's documentation reads,
// pass the compact form JSON.stringify would write.
func Sign(secret string, body []byte) string {
	return clientkit.Sign(secret, body)
}

// VerifySignature checks header, an X-Signature-Value, against body under
// each of secrets, over two forms of the body: its raw bytes, and the
// compact re-serialisation a Node.js receiver following NovaSend's
// documented check computes, JSON.stringify(JSON.parse(body)) (members in
// their order, no white space, "/" and non-ASCII characters unescaped,
// numbers as JavaScript prints them). The two differ when NovaSend sends a
// body otherwise written than the one it signed, as the documentation's
// sample with its "\/"-escaped URLs is. It tolerates surrounding spaces,
// upper-case hex and a "sha256=" prefix, and compares in constant time. It
// returns nil, ErrNotSigned or ErrBadSignature.
func VerifySignature(body []byte, header string, secrets ...string) error {
	return verify(body, header, clientkit.NewSecrets(clientkit.Keys(secrets)))
}

// verify checks header against body, or its re-serialisation, under
// each of secrets.
func verify(body []byte, header string, secrets clientkit.Secrets) error {
	got, err := clientkit.SignatureErrors{NotSigned: ErrNotSigned, Bad: ErrBadSignature}.Parse(header)
	if err != nil {
		return err
	}
	if secrets.Matches(body, got[:]) {
		return nil
	}
	if compact, ok := stringify(body); ok && !bytes.Equal(compact, body) && secrets.Matches(compact, got[:]) {
		return nil
	}
	return ErrBadSignature
}

// ParseWebhook reads one NovaSend notification: a payin object, as
// documented,
//
//	{"id": "tr_...", "type": "payin", "reference": "<ours>", "status": "processed",
//	 "confirmationStatus": "accepted", "amount": 306, "currency": "XOF", ...}
//
// or the same object under "data" next to an "event" ("payin.confirmed",
// "payin.declined"). Objects of another type (payout, refund) and events
// not about a payin return cauri.ErrIgnoredEvent; unreadable JSON, wrong
// types and an object naming no payin return an error wrapping
// cauri.ErrMalformed, whatever the signature.
//
// With WebhookSecrets configured, a notification is verified when its
// X-Signature-Value matches one of them over the raw body or over its
// JSON.stringify re-serialisation (see [VerifySignature]). A signature
// that matches neither, or none, does not refuse the notification: it is
// returned unauthenticated, a hint the kit confirms with FetchStatus, so
// that a genuine notification signed in a form this package does not
// foresee still settles its payment, while a forged one changes nothing.
// Even verified, NovaSend's final truth is transaction.status: a
// notification is Authenticated only when it is verified and carries
// transaction.status in a documented word and, for completed, the
// transaction's amount and currency. Any other one (the documented body
// has no transaction) is returned unauthenticated too: it serves as a
// signal to look. Without secrets no notification is Authenticated.
//
// PaymentID is our reference (reference, or customerReference where the
// object has one); ProviderRef is set to the object's id only when it names
// no reference of ours. EventID is the object's id and its three statuses,
// so that a repeated notification of one state has one EventID.
func (p *Provider) ParseWebhook(r *http.Request, body []byte) (cauri.Update, error) {
	verified := false
	if p.secrets.Len() > 0 {
		var header string
		if r != nil {
			header = r.Header.Get(SignatureHeader)
		}
		verified = verify(body, header, p.secrets) == nil
	}

	var env struct {
		Event json.RawMessage `json:"event"`
		Data  json.RawMessage `json:"data"`
	}
	if err := clientkit.DecodeObject(body, "novasend webhook", &env); err != nil {
		return cauri.Update{}, err
	}
	event, err := stringField(env.Event, "event", 64)
	if err != nil {
		return cauri.Update{}, fmt.Errorf("novasend webhook: %w", err)
	}
	kind, suffix, _ := strings.Cut(strings.ToLower(event), ".")
	if event != "" && kind != "payin" {
		return cauri.Update{}, fmt.Errorf("%w: novasend event %q", cauri.ErrIgnoredEvent, event)
	}
	obj := json.RawMessage(body)
	if clientkit.IsObject(env.Data) {
		obj = env.Data
	}

	d, err := parsePayin(obj, false)
	if err != nil {
		return cauri.Update{}, fmt.Errorf("novasend webhook: %w", err)
	}
	if d.typ != "" && !strings.EqualFold(d.typ, "payin") {
		return cauri.Update{}, fmt.Errorf("%w: novasend %q notification", cauri.ErrIgnoredEvent, d.typ)
	}
	if !d.identified() {
		return cauri.Update{}, fmt.Errorf("%w: novasend webhook names no payin (no id or reference)", cauri.ErrMalformed)
	}
	if d.state == (State{}) {
		// Only the event says what happened.
		switch suffix {
		case "confirmed":
			d.state.ConfirmationStatus = "accepted"
		case "declined":
			d.state.ConfirmationStatus = "declined"
		}
	}

	u := p.update(d)
	if ref := d.merchantRef(); ref != "" {
		u.PaymentID = ref
	} else {
		u.ProviderRef = d.id
	}
	u.EventID = cmp.Or(d.systemRef(), d.merchantRef()) + ":" + u.RawStatus
	_, known := d.state.Map()
	if p.secrets.Len() > 0 && !verified {
		p.log.Warn("novasend webhook signature verifies over neither the raw body nor its re-serialisation: confirming with the status endpoint")
	}
	u.Authenticated = verified && d.state.TransactionStatus != "" && known &&
		(u.Status != cauri.StatusPaid || d.hasMoney)
	return u, nil
}
