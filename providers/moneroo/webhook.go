package moneroo

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/cauripay/cauri"
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
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return hex.EncodeToString(mac.Sum(nil))
}

// VerifySignature checks header, an X-Moneroo-Signature value, against
// body under each of secrets. It tolerates surrounding spaces, upper-case
// hex and a "sha256=" prefix, and compares in constant time. It returns nil,
// ErrNotSigned or ErrBadSignature.
func VerifySignature(body []byte, header string, secrets ...string) error {
	keys := make([][]byte, len(secrets))
	for i, s := range secrets {
		keys[i] = []byte(s)
	}
	return verify(body, header, keys)
}

func verify(body []byte, header string, secrets [][]byte) error {
	sig := strings.TrimSpace(header)
	if sig == "" {
		return ErrNotSigned
	}
	if len(sig) > 7 && strings.EqualFold(sig[:7], "sha256=") {
		sig = sig[7:]
	}
	got, err := hex.DecodeString(sig)
	if err != nil || len(got) != sha256.Size {
		return ErrBadSignature
	}
	ok := false
	for _, s := range secrets {
		mac := hmac.New(sha256.New, s)
		mac.Write(body)
		// Every secret is tried, so timing says nothing of which matched.
		if hmac.Equal(mac.Sum(nil), got) {
			ok = true
		}
	}
	if !ok {
		return ErrBadSignature
	}
	return nil
}

// ParseWebhook reads one Moneroo notification,
//
//	{"event": "payment.success", "data": {"id": ..., "amount": ..., "currency": ..., "status": ..., "metadata": {...}}}
//
// With WebhookSecrets configured, X-Moneroo-Signature must verify over the
// raw body under one of them, before anything is parsed; the update is
// then Authenticated, unless it claims a success without stating amount
// and currency, which the kit then confirms with FetchStatus. Without
// secrets the update is never Authenticated.
//
// payment.* events give the status of data.status, or failing that the
// event's ("payment.success" is paid). payout.* and unknown events return
// cauri.ErrIgnoredEvent; unreadable JSON and a missing data.id return an
// error wrapping cauri.ErrMalformed.
func (p *Provider) ParseWebhook(r *http.Request, body []byte) (cauri.Update, error) {
	if len(p.secrets) > 0 {
		var header string
		if r != nil {
			header = r.Header.Get(SignatureHeader)
		}
		if err := verify(body, header, p.secrets); err != nil {
			return cauri.Update{}, err
		}
	}

	var n struct {
		Event json.RawMessage `json:"event"`
		Data  json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &n); err != nil || isNull(body) {
		return cauri.Update{}, fmt.Errorf("%w: moneroo webhook is not a JSON object", cauri.ErrMalformed)
	}
	var event string
	if json.Unmarshal(n.Event, &event) != nil || strings.TrimSpace(event) == "" {
		return cauri.Update{}, fmt.Errorf("%w: moneroo webhook has no event", cauri.ErrMalformed)
	}
	event = truncate(strings.TrimSpace(event), 64)
	kind, suffix, _ := strings.Cut(event, ".")
	if kind != "payment" {
		return cauri.Update{}, fmt.Errorf("%w: moneroo event %q", cauri.ErrIgnoredEvent, event)
	}

	d, err := parsePayment(n.Data)
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
	u.Authenticated = len(p.secrets) > 0 && (u.Status != cauri.StatusPaid || d.hasMoney)
	return u, nil
}
