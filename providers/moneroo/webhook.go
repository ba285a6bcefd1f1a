package moneroo

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/internal/jsonlex"
	"github.com/cauripay/cauri/providers/internal/clientkit"
)

// SignatureHeader carries a webhook's signature: the lower-case hex
// HMAC-SHA256 of the raw request body, keyed with the webhook's secret.
const SignatureHeader = "X-Moneroo-Signature"

// Errors of signature verification. Both wrap cauri.ErrUnauthenticated.
var (
	// ErrNotSigned: the notification has no X-Moneroo-Signature.
	ErrNotSigned = fmt.Errorf("%w: moneroo: no %s header", cauri.ErrUnauthenticated, SignatureHeader)
	// ErrBadSignature: the signature is unreadable or made with none of
	// the configured secrets.
	ErrBadSignature = fmt.Errorf("%w: moneroo: %s does not verify", cauri.ErrUnauthenticated, SignatureHeader)
)

// Sign returns the X-Moneroo-Signature of body under secret: the lower-case
// hex HMAC-SHA256 of the body's exact bytes. It is exported for tests that
// post their own notifications.
func Sign(secret string, body []byte) string {
	return clientkit.Sign(secret, body)
}

// VerifySignature checks header, an X-Moneroo-Signature value, against
// body under each of secrets. It tolerates surrounding spaces, upper-case
// hex and a "sha256=" prefix, and compares in constant time. It returns nil,
// ErrNotSigned or ErrBadSignature.
func VerifySignature(body []byte, header string, secrets ...string) error {
	return verify(clientkit.NewSecrets(clientkit.Keys(secrets)), body, header)
}

// verify checks header, an X-Moneroo-Signature value, against body under
// each of secrets.
func verify(secrets clientkit.Secrets, body []byte, header string) error {
	return clientkit.SignatureErrors{NotSigned: ErrNotSigned, Bad: ErrBadSignature}.Verify(body, header, secrets)
}

// ParseWebhook reads one Moneroo notification,
//
//	{"event": "payment.success", "data": {"id": ..., "amount": ..., "currency": ..., "status": ..., "metadata": {...}}}
//
// With WebhookSecrets configured, X-Moneroo-Signature must verify over the
// raw body under one of them; the update is then Authenticated, unless it
// claims a success without stating amount and currency, which the kit then
// confirms with FetchStatus. A signature that is missing or does not
// verify returns ErrNotSigned or ErrBadSignature together with the update
// the body claims, not Authenticated: the kit takes it as a hint to confirm
// with FetchStatus, never as a belief (a secret rotated at Moneroo before
// here must not lose a genuine payment). Without secrets the update is
// never Authenticated.
//
// payment.* events give the status of data.status, or failing that the
// event's ("payment.success" is paid). payout.* and unknown events return
// cauri.ErrIgnoredEvent; unreadable JSON and a missing data.id return an
// error wrapping cauri.ErrMalformed.
func (p *Provider) ParseWebhook(r *http.Request, body []byte) (cauri.Update, error) {
	signed := p.secrets.Len() > 0
	if signed {
		var header string
		if r != nil {
			header = r.Header.Get(SignatureHeader)
		}
		if err := verify(p.secrets, body, header); err != nil {
			return clientkit.ParseSigned(body, false, err, p.parse)
		}
	}
	return p.parse(body, signed)
}

// parse reads a notification's body; its update is Authenticated only
// when signed (verified) says so and it states what it claims.
func (p *Provider) parse(body []byte, signed bool) (cauri.Update, error) {

	// One decoding pass: data is read as a payment as it is met, and its
	// error kept, for a non-payment event is ignored whatever its data.
	// When data is one object, as in every notification Moneroo sends,
	// encoding/json decodes it in place (the same fields, the same
	// conversions) rather than handing it to parsePayment to check and
	// decode a second time.
	var (
		ev   stringField
		data paymentField
	)
	if soleObject(body, "data") {
		var n struct {
			Event stringField   `json:"event"`
			Data  paymentObject `json:"data"`
		}
		if err := json.Unmarshal(body, &n); err != nil {
			return cauri.Update{}, fmt.Errorf("%w: moneroo webhook is not a JSON object", cauri.ErrMalformed)
		}
		ev, data.set = n.Event, true
		data.p, data.err = n.Data.payment()
	} else {
		var n struct {
			Event stringField  `json:"event"`
			Data  paymentField `json:"data"`
		}
		if err := json.Unmarshal(body, &n); err != nil || jsonlex.IsNull(body) {
			return cauri.Update{}, fmt.Errorf("%w: moneroo webhook is not a JSON object", cauri.ErrMalformed)
		}
		ev, data = n.Event, n.Data
	}
	event := strings.TrimSpace(string(ev))
	if event == "" {
		return cauri.Update{}, fmt.Errorf("%w: moneroo webhook has no event", cauri.ErrMalformed)
	}
	event = clientkit.Truncate(event, 64)
	kind, suffix, _ := strings.Cut(event, ".")
	if kind != "payment" {
		return cauri.Update{}, fmt.Errorf("%w: moneroo event %q", cauri.ErrIgnoredEvent, event)
	}

	d, err := data.payment()
	if err != nil {
		return cauri.Update{}, fmt.Errorf("moneroo webhook: %w", err)
	}
	if d.id == "" {
		return cauri.Update{}, fmt.Errorf("%w: moneroo webhook has no data.id", cauri.ErrMalformed)
	}
	raw := d.status
	if raw == "" {
		raw = suffix
	}
	u := p.update(d, raw)
	u.EventID = event + ":" + d.id
	u.Authenticated = signed && (u.Status != cauri.StatusPaid || d.hasMoney)
	return u, nil
}
