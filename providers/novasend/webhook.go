package novasend

import (
	"bytes"
	"cmp"
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
const SignatureHeader = "X-Signature-Value"

// Errors of signature verification. Both wrap cauri.ErrUnauthenticated.
var (
	// ErrNotSigned: the notification has no X-Signature-Value.
	ErrNotSigned = fmt.Errorf("%w: novasend: no %s header", cauri.ErrUnauthenticated, SignatureHeader)
	// ErrBadSignature: the signature is unreadable or made with none of
	// the configured secrets.
	ErrBadSignature = fmt.Errorf("%w: novasend: %s does not verify", cauri.ErrUnauthenticated, SignatureHeader)
)

// Sign returns the X-Signature-Value of body under secret: the lower-case
// hex HMAC-SHA256 of the body's exact bytes. It is exported for tests that
// post their own notifications.
func Sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return hex.EncodeToString(mac.Sum(nil))
}

// VerifySignature checks header, an X-Signature-Value, against body under
// each of secrets. It tolerates surrounding spaces, upper-case hex and a
// "sha256=" prefix, and compares in constant time. It returns nil,
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
// cauri.ErrMalformed.
//
// With WebhookSecrets configured, X-Signature-Value must verify over the
// raw body under one of them, before anything is parsed, or the error wraps
// cauri.ErrUnauthenticated. Even then, NovaSend's final truth is
// transaction.status: a verified notification is Authenticated only when it
// carries transaction.status in a documented word, and, for completed, the
// transaction's amount and currency. Any other one (the documented body has
// no transaction) is returned unauthenticated, so the kit confirms it with
// FetchStatus: it serves as a signal to look. Without secrets no
// notification is Authenticated.
//
// PaymentID is our reference (reference, or customerReference where the
// object has one); ProviderRef is set to the object's id only when it names
// no reference of ours. EventID is the object's id and its three statuses,
// so that a repeated notification of one state has one EventID.
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

	trimmed := bytes.TrimSpace(body)
	var env struct {
		Event json.RawMessage `json:"event"`
		Data  json.RawMessage `json:"data"`
	}
	if len(trimmed) == 0 || trimmed[0] != '{' || json.Unmarshal(trimmed, &env) != nil {
		return cauri.Update{}, fmt.Errorf("%w: novasend webhook is not a JSON object", cauri.ErrMalformed)
	}
	event, err := stringField(env.Event, "event", 64)
	if err != nil {
		return cauri.Update{}, fmt.Errorf("novasend webhook: %w", err)
	}
	kind, suffix, _ := strings.Cut(strings.ToLower(event), ".")
	if event != "" && kind != "payin" {
		return cauri.Update{}, fmt.Errorf("%w: novasend event %q", cauri.ErrIgnoredEvent, event)
	}
	obj := json.RawMessage(trimmed)
	if data := bytes.TrimSpace(env.Data); len(data) > 0 && data[0] == '{' {
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
	u.Authenticated = len(p.secrets) > 0 && d.state.TransactionStatus != "" && known &&
		(u.Status != cauri.StatusPaid || d.hasMoney)
	return u, nil
}
