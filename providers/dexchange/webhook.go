package dexchange

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/internal/clientkit"
)

// Signature headers. DEXCHANGE's get-link documentation describes no
// webhook signature; its newer DexPay API and community integrations send
// the lower-case hex HMAC-SHA256 of the raw body, keyed with a webhook
// secret from the dashboard, in one of these.
const (
	SignatureHeader       = "X-Webhook-Signature"
	LegacySignatureHeader = "X-Dexchange-Signature"
)

// Errors of signature verification. Both wrap cauri.ErrUnauthenticated.
var (
	// ErrNotSigned: VerifySignature was given no signature.
	ErrNotSigned = fmt.Errorf("%w: dexchange: no signature", cauri.ErrUnauthenticated)
	// ErrBadSignature: a signature is unreadable or made with none of the
	// configured secrets.
	ErrBadSignature = fmt.Errorf("%w: dexchange: webhook signature does not verify", cauri.ErrUnauthenticated)
)

// Sign returns the signature of body under secret: the lower-case hex
// HMAC-SHA256 of the body's exact bytes, as X-Webhook-Signature carries it.
// It is exported for tests that post their own notifications.
func Sign(secret string, body []byte) string {
	return clientkit.Sign(secret, body)
}

// VerifySignature checks header, an X-Webhook-Signature or
// X-Dexchange-Signature value, against body under each of secrets. It
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

// signed checks the signature headers of r, when secrets are configured.
// It reports whether one verified; a header that is present and does not
// verify is an error. No header at all is not: DEXCHANGE's get-link
// notifications are documented unsigned.
func (p *Provider) signed(r *http.Request, body []byte) (bool, error) {
	if p.secrets.Len() == 0 || r == nil {
		return false, nil
	}
	verified := false
	for _, h := range []string{SignatureHeader, LegacySignatureHeader} {
		vals := r.Header.Values(h)
		if len(vals) == 0 {
			continue
		}
		if len(vals) > 1 {
			return false, ErrBadSignature
		}
		if err := verify(body, vals[0], p.secrets); err != nil {
			return false, ErrBadSignature
		}
		verified = true
	}
	return verified, nil
}

// ParseWebhook reads one DEXCHANGE notification, as posted to callBackURL:
//
//	{"id": "MID123456789", "externalTransactionId": "pay_...", "transactionType": "PAYMENT",
//	 "AMOUNT": 5000, "FEE": 0, "PHONE_NUMBER": "771234567", "STATUS": "SUCCESS",
//	 "CUSTOM_DATA": "{...}", "COMPLETED_AT": "2024-03-20T10:35:00Z"}
//
// Keys are matched in any case, "transactionId" is read where "id" is
// missing, and the transaction may also sit under "data" or "transaction".
// The update's PaymentID is externalTransactionId, its ProviderRef is id,
// its Amount is AMOUNT in XOF, and its EventID is id and STATUS
// ("MID123456789:SUCCESS"): id names the transaction, not the
// notification, so a PENDING and a SUCCESS notification of one
// transaction differ, while duplicates of one share it.
//
// DEXCHANGE documents no signature, so the update is not Authenticated and
// the kit confirms it with FetchStatus; the per-payment token in the
// callBackURL the kit gave binds it to its payment. When WebhookSecrets are
// configured and an X-Webhook-Signature or X-Dexchange-Signature header is
// present, it must verify over the raw body, before anything is parsed, or
// the error wraps cauri.ErrUnauthenticated; a verified notification is
// Authenticated, unless it claims a success without an AMOUNT, or is of an
// unexpected transactionType.
//
// transactionType PAYMENT or CASHOUT (a collection from the customer's
// wallet), or none, is a payment's status; REFUND and CASHIN (money sent
// out) return cauri.ErrIgnoredEvent; any other type is read but never
// Authenticated. Unreadable JSON, a missing STATUS, or no id nor
// externalTransactionId return an error wrapping cauri.ErrMalformed.
func (p *Provider) ParseWebhook(r *http.Request, body []byte) (cauri.Update, error) {
	verified, err := p.signed(r, body)
	return clientkit.ParseSigned(body, verified, err, p.parse)
}

// parse reads a notification's body; its update is Authenticated only
// when verified says its signature did and it states what it claims.
func (p *Provider) parse(body []byte, verified bool) (cauri.Update, error) {
	var top struct {
		txFields
		Data        json.RawMessage `json:"data"`
		Transaction json.RawMessage `json:"transaction"`
	}
	if err := clientkit.DecodeObject(body, "dexchange webhook", &top); err != nil {
		return cauri.Update{}, err
	}
	inner := json.RawMessage(body)
	if clientkit.IsNull(top.ID) && clientkit.IsNull(top.TransactionID) && clientkit.IsNull(top.ExternalTransactionID) && clientkit.IsNull(top.Status) {
		switch {
		case clientkit.IsObject(top.Transaction):
			inner = top.Transaction
		case clientkit.IsObject(top.Data):
			inner = top.Data
		}
	}
	t, err := parseTransaction(inner)
	if err != nil {
		return cauri.Update{}, fmt.Errorf("dexchange webhook: %w", err)
	}

	expected := true
	switch t.kind {
	case "", "PAYMENT", "CASHOUT":
	case "REFUND", "CASHIN":
		return cauri.Update{}, fmt.Errorf("%w: dexchange %s notification", cauri.ErrIgnoredEvent, t.kind)
	default:
		expected = false
	}
	switch {
	case t.status == "":
		return cauri.Update{}, fmt.Errorf("%w: dexchange webhook has no STATUS", cauri.ErrMalformed)
	case t.id == "" && t.external == "":
		return cauri.Update{}, fmt.Errorf("%w: dexchange webhook has neither id nor externalTransactionId", cauri.ErrMalformed)
	}

	u := p.update(t)
	ref := t.id
	if ref == "" {
		ref = t.external
	}
	u.EventID = ref + ":" + strings.ToUpper(t.status)
	// A success is believed on its own only when it states a real amount:
	// zero is no amount.
	u.Authenticated = verified && expected && (u.Status != cauri.StatusPaid || (t.hasMoney && u.Amount > 0))
	return u, nil
}
