package dexpay

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"unicode"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/internal/clientkit"
)

// Signature headers: DEXPAY sends the lower-case hex HMAC-SHA256 of the
// raw body, keyed with the dashboard's webhook secret, in
// X-Webhook-Signature; older deployments sent it in X-DexPay-Signature,
// which the official WooCommerce plugin still reads when the first is
// missing.
const (
	SignatureHeader       = "X-Webhook-Signature"
	LegacySignatureHeader = "X-DexPay-Signature"
)

// Errors of signature verification. Both wrap cauri.ErrUnauthenticated.
var (
	// ErrNotSigned: a signature header is empty, or VerifySignature was
	// given no signature.
	ErrNotSigned = fmt.Errorf("%w: dexpay: no signature", cauri.ErrUnauthenticated)
	// ErrBadSignature: a signature is unreadable or made with none of the
	// configured secrets.
	ErrBadSignature = fmt.Errorf("%w: dexpay: webhook signature does not verify", cauri.ErrUnauthenticated)
)

// Sign returns the signature of body under secret: the lower-case hex
// HMAC-SHA256 of the body's exact bytes, as X-Webhook-Signature carries it
// (the WooCommerce plugin's hash_hmac('sha256', $payload, $secret)). It is
// exported for tests that post their own notifications.
func Sign(secret string, body []byte) string {
	return clientkit.Sign(secret, body)
}

// VerifySignature checks header, an X-Webhook-Signature or
// X-DexPay-Signature value, against body under each of secrets. It
// tolerates surrounding spaces, upper-case hex and a "sha256=" prefix, and
// compares in constant time. It returns nil, ErrNotSigned or
// ErrBadSignature.
func VerifySignature(body []byte, header string, secrets ...string) error {
	return verify(body, header, clientkit.NewSecrets(clientkit.Keys(secrets)))
}

// verify checks header against body under each of secrets.
func verify(body []byte, header string, secrets clientkit.Secrets) error {
	return clientkit.SignatureErrors{NotSigned: ErrNotSigned, Bad: ErrBadSignature}.Verify(body, header, secrets)
}

// signed checks r's signature, when secrets are configured: the values of
// X-Webhook-Signature, or when it is absent those of X-DexPay-Signature,
// as the plugin reads them. It reports whether one verified; a signature
// that is present and does not verify is an error. No signature at all is
// not: the notification is then believed only once confirmed.
func (p *Provider) signed(r *http.Request, body []byte) (bool, error) {
	if p.secrets.Len() == 0 || r == nil {
		return false, nil
	}
	vals := r.Header.Values(SignatureHeader)
	if len(vals) == 0 {
		vals = r.Header.Values(LegacySignatureHeader)
	}
	if len(vals) == 0 {
		return false, nil
	}
	var err error
	for _, v := range vals {
		if err = verify(body, v, p.secrets); err == nil {
			return true, nil
		}
	}
	return false, err
}

// eventName normalises an event's name: "checkout.completed" (the SDK's
// README) and "CHECKOUT_COMPLETED" (the plugin) both give
// "CHECKOUT_COMPLETED".
func eventName(raw json.RawMessage) (string, error) {
	s, err := clientkit.StringValue(raw, "dexpay webhook event")
	if err != nil {
		return "", err
	}
	s = strings.Map(func(r rune) rune {
		if r == '.' || r == '-' {
			return '_'
		}
		return unicode.ToUpper(r)
	}, strings.TrimSpace(s))
	return clientkit.Truncate(s, 64), nil
}

// ParseWebhook reads one DEXPAY notification, in either documented
// spelling:
//
//	{"event": "CHECKOUT_COMPLETED", "data": {"reference": "pay_...", "transaction_id": ..., "operator": "wave", ...}}
//	{"type": "checkout.completed", "data": {...}}
//
// (the WooCommerce plugin's and the Node SDK's README's). A body with no
// "data" is read as the session itself, as the plugin does. CHECKOUT_*
// events carry a payment's status: data.status when stated, else the
// event's (CHECKOUT_COMPLETED is paid, CHECKOUT_REFUNDED refunded). Other
// events (payout.*, subscription.*) return cauri.ErrIgnoredEvent, as does
// a notification whose data.isSandbox names the other mode. The update's
// PaymentID and ProviderRef are data.reference, our payment ID; its
// EventID is the event and the reference ("CHECKOUT_COMPLETED:pay_...").
//
// With WebhookSecrets configured, a notification bearing
// X-Webhook-Signature (or, failing that, X-DexPay-Signature) must verify
// over the raw body, before anything is parsed, or the error wraps
// cauri.ErrUnauthenticated. A verified notification is Authenticated,
// unless its status is not one MapStatus knows, data.status and the event
// disagree, or it claims a completed payment without a positive amount and
// a currency: the kit then confirms it with FetchStatus. A notification
// without a signature, or any notification when no secret is configured,
// is never Authenticated.
//
// Unreadable JSON, an event that is not a string, "event" and "type"
// naming different events, no event, or no data.reference return an error
// wrapping cauri.ErrMalformed.
func (p *Provider) ParseWebhook(r *http.Request, body []byte) (cauri.Update, error) {
	verified, err := p.signed(r, body)
	return clientkit.ParseSigned(body, verified, err, p.parse)
}

// parse reads a notification's body; its update is Authenticated only
// when verified says its signature did and it states what it claims.
func (p *Provider) parse(body []byte, verified bool) (cauri.Update, error) {

	var top struct {
		Event json.RawMessage `json:"event"`
		Type  json.RawMessage `json:"type"`
		Data  json.RawMessage `json:"data"`
	}
	if err := clientkit.DecodeObject(body, "dexpay webhook", &top); err != nil {
		return cauri.Update{}, err
	}
	event, err := eventName(top.Event)
	if err != nil {
		return cauri.Update{}, err
	}
	typ, err := eventName(top.Type)
	if err != nil {
		return cauri.Update{}, err
	}
	switch {
	case event == "":
		event = typ
	case typ != "" && typ != event:
		return cauri.Update{}, fmt.Errorf("%w: dexpay webhook names two events", cauri.ErrMalformed)
	}
	if event == "" {
		return cauri.Update{}, fmt.Errorf("%w: dexpay webhook has no event", cauri.ErrMalformed)
	}
	kind, suffix, _ := strings.Cut(event, "_")
	if kind != "CHECKOUT" {
		return cauri.Update{}, fmt.Errorf("%w: dexpay event %q", cauri.ErrIgnoredEvent, event)
	}

	data := json.RawMessage(body)
	switch {
	case clientkit.IsObject(top.Data):
		data = top.Data
	case !clientkit.IsNull(top.Data):
		return cauri.Update{}, fmt.Errorf("%w: dexpay webhook data is not an object", cauri.ErrMalformed)
	}
	s, err := parseSession(data)
	if err != nil {
		return cauri.Update{}, fmt.Errorf("dexpay webhook: %w", err)
	}
	if s.reference == "" {
		return cauri.Update{}, fmt.Errorf("%w: dexpay webhook has no data.reference", cauri.ErrMalformed)
	}
	if p.wrongMode(s) {
		p.log.Warn("dexpay notification of the other mode ignored", "payment_id", s.reference, "event", event)
		return cauri.Update{}, fmt.Errorf("%w: dexpay notification of the other mode", cauri.ErrIgnoredEvent)
	}

	raw := cmp.Or(s.status, suffix) // the session's own word, else the event's
	u := p.update(s, raw)
	_, known := MapStatus(raw)
	consistent := true
	if evStatus, evKnown := MapStatus(suffix); evKnown && s.status != "" {
		consistent = u.Status == evStatus
	}
	u.EventID = event + ":" + s.reference
	u.Authenticated = verified && known && consistent &&
		(u.Status != cauri.StatusPaid || (s.hasMoney && u.Amount > 0))
	return u, nil
}
