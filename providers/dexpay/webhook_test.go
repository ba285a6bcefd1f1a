package dexpay_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/dexpay"
	"github.com/cauripay/cauri/providers/internal/clienttest"
)

const (
	secretOld = "whsec_old_0123456789"
	secretNew = "whsec_new_9876543210"
)

// The plugin's notification, with the session's amount and currency.
const completed = `{"event":"CHECKOUT_COMPLETED","data":{"reference":"pay_01","status":"COMPLETED","amount":5000,"currency":"XOF",` +
	`"transaction_id":"TXN123","payment_method":"MOBILE_MONEY","operator":"wave","metadata":{"order_id":"ord-42"},"isSandbox":true}}`

func webhookRequest(headers map[string]string) *http.Request {
	var pairs []string
	for k, v := range headers {
		pairs = append(pairs, k, v)
	}
	return clienttest.WebhookRequest("/pay/webhooks/dexpay/pay_01/tok", "", "", pairs...)
}

func signedWith(secret, body string) map[string]string {
	return map[string]string{dexpay.SignatureHeader: dexpay.Sign(secret, []byte(body))}
}

func TestParseWebhook(t *testing.T) {
	t.Parallel()
	refunded := `{"event":"CHECKOUT_REFUNDED","data":{"reference":"pay_01","status":"REFUNDED","amount":5000,"currency":"XOF","refund_amount":5000,"refund_id":"rf_1"}}`
	failed := `{"event":"CHECKOUT_FAILED","data":{"reference":"pay_01","amount":5000,"currency":"XOF","operator":"orange_money","error":"Solde insuffisant","error_code":"INSUFFICIENT_BALANCE"}}`
	sdk := `{"type":"checkout.completed","data":{"reference":"pay_01","amount":"5000","currency":"XOF"}}`
	paid := cauri.Update{PaymentID: "pay_01", ProviderRef: "pay_01", Status: cauri.StatusPaid, RawStatus: "COMPLETED",
		Amount: 5000, Currency: "XOF", Method: "wave", EventID: "CHECKOUT_COMPLETED:pay_01"}
	authentic := func(u cauri.Update) cauri.Update { u.Authenticated = true; return u }
	with := func(u cauri.Update, f func(*cauri.Update)) cauri.Update { f(&u); return u }

	tests := []struct {
		name    string
		secrets []string
		mode    dexpay.Mode
		body    string
		headers map[string]string
		want    cauri.Update
		err     error
	}{
		{name: "signed", secrets: []string{secretNew}, body: completed, headers: signedWith(secretNew, completed), want: authentic(paid)},
		{name: "signed with the old secret while rotating", secrets: []string{secretNew, secretOld}, body: completed,
			headers: signedWith(secretOld, completed), want: authentic(paid)},
		{name: "legacy header", secrets: []string{secretNew}, body: completed,
			headers: map[string]string{dexpay.LegacySignatureHeader: dexpay.Sign(secretNew, []byte(completed))}, want: authentic(paid)},
		{name: "upper-case hex with a prefix", secrets: []string{secretNew}, body: completed,
			headers: map[string]string{dexpay.SignatureHeader: " sha256=" + strings.ToUpper(dexpay.Sign(secretNew, []byte(completed))) + " "}, want: authentic(paid)},
		{name: "new header wins over the legacy one", secrets: []string{secretNew}, body: completed,
			headers: map[string]string{dexpay.SignatureHeader: dexpay.Sign(secretOld, []byte(completed)), dexpay.LegacySignatureHeader: dexpay.Sign(secretNew, []byte(completed))},
			err:     dexpay.ErrBadSignature},
		{name: "wrong secret", secrets: []string{secretNew}, body: completed, headers: signedWith(secretOld, completed), err: dexpay.ErrBadSignature},
		{name: "signature of another body", secrets: []string{secretNew}, body: completed,
			headers: signedWith(secretNew, strings.Replace(completed, "5000", "50", 1)), err: dexpay.ErrBadSignature},
		{name: "re-serialised body", secrets: []string{secretNew}, body: strings.ReplaceAll(completed, ",", ", "),
			headers: signedWith(secretNew, completed), err: dexpay.ErrBadSignature},
		{name: "garbage signature", secrets: []string{secretNew}, body: completed, headers: map[string]string{dexpay.SignatureHeader: "zz"}, err: dexpay.ErrBadSignature},
		{name: "empty signature", secrets: []string{secretNew}, body: completed, headers: map[string]string{dexpay.SignatureHeader: " "}, err: dexpay.ErrNotSigned},
		{name: "unsigned with secrets: confirmed by lookup", secrets: []string{secretNew}, body: completed, want: paid},
		{name: "no secrets: a signature is not checked", body: completed, headers: signedWith("anything", completed), want: paid},
		// Blank secrets (unset environment variables) are left out: the
		// empty key, which anyone can sign with, proves nothing.
		{name: "blank secrets are none", secrets: []string{"", " "}, body: completed, headers: signedWith("", completed), want: paid},
		{name: "blank secret beside a real one", secrets: []string{"", secretNew}, body: completed, headers: signedWith(secretNew, completed), want: authentic(paid)},
		{name: "blank secret beside a real one, signed with the empty key", secrets: []string{" ", secretNew}, body: completed,
			headers: signedWith("", completed), err: dexpay.ErrBadSignature},
		{name: "SDK spelling, string amount", secrets: []string{secretNew}, body: sdk, headers: signedWith(secretNew, sdk),
			want: authentic(with(paid, func(u *cauri.Update) { u.Method, u.EventID = "", "CHECKOUT_COMPLETED:pay_01" }))},
		{name: "refunded", secrets: []string{secretNew}, body: refunded, headers: signedWith(secretNew, refunded),
			want: cauri.Update{PaymentID: "pay_01", ProviderRef: "pay_01", Status: cauri.StatusRefunded, RawStatus: "REFUNDED",
				Amount: 5000, Currency: "XOF", EventID: "CHECKOUT_REFUNDED:pay_01", Authenticated: true}},
		{name: "failed, status from the event", secrets: []string{secretNew}, body: failed, headers: signedWith(secretNew, failed),
			want: cauri.Update{PaymentID: "pay_01", ProviderRef: "pay_01", Status: cauri.StatusFailed, RawStatus: "FAILED",
				Amount: 5000, Currency: "XOF", Method: "orange_money", FailureReason: "Solde insuffisant (INSUFFICIENT_BALANCE)",
				EventID: "CHECKOUT_FAILED:pay_01", Authenticated: true}},
		{name: "initiated", secrets: []string{secretNew}, body: `{"event":"CHECKOUT_INITIATED","data":{"reference":"pay_01"}}`,
			headers: signedWith(secretNew, `{"event":"CHECKOUT_INITIATED","data":{"reference":"pay_01"}}`),
			want: cauri.Update{PaymentID: "pay_01", ProviderRef: "pay_01", Status: cauri.StatusPending, RawStatus: "INITIATED",
				EventID: "CHECKOUT_INITIATED:pay_01", Authenticated: true}},
		{name: "cancelled, SDK spelling", body: `{"type":"checkout.cancelled","data":{"reference":"pay_01"}}`,
			want: cauri.Update{PaymentID: "pay_01", ProviderRef: "pay_01", Status: cauri.StatusCancelled, RawStatus: "CANCELLED",
				EventID: "CHECKOUT_CANCELLED:pay_01"}},
		{name: "no data: the body is the session", secrets: []string{secretNew},
			body:    `{"event":"CHECKOUT_COMPLETED","reference":"pay_01","amount":5000,"currency":"XOF"}`,
			headers: signedWith(secretNew, `{"event":"CHECKOUT_COMPLETED","reference":"pay_01","amount":5000,"currency":"XOF"}`),
			want:    authentic(with(paid, func(u *cauri.Update) { u.Method = "" }))},
		{name: "event and data disagree", secrets: []string{secretNew},
			body:    strings.Replace(completed, `"status":"COMPLETED"`, `"status":"PROCESSING"`, 1),
			headers: signedWith(secretNew, strings.Replace(completed, `"status":"COMPLETED"`, `"status":"PROCESSING"`, 1)),
			want:    with(paid, func(u *cauri.Update) { u.Status, u.RawStatus = cauri.StatusPending, "PROCESSING" })},
		{name: "unknown data status", secrets: []string{secretNew},
			body:    strings.Replace(completed, `"status":"COMPLETED"`, `"status":"SUCCESS"`, 1),
			headers: signedWith(secretNew, strings.Replace(completed, `"status":"COMPLETED"`, `"status":"SUCCESS"`, 1)),
			want:    with(paid, func(u *cauri.Update) { u.Status, u.RawStatus = cauri.StatusPending, "SUCCESS" })},
		{name: "unknown event", secrets: []string{secretNew}, body: `{"event":"CHECKOUT_UPDATED","data":{"reference":"pay_01"}}`,
			headers: signedWith(secretNew, `{"event":"CHECKOUT_UPDATED","data":{"reference":"pay_01"}}`),
			want:    cauri.Update{PaymentID: "pay_01", ProviderRef: "pay_01", Status: cauri.StatusPending, RawStatus: "UPDATED", EventID: "CHECKOUT_UPDATED:pay_01"}},
		{name: "completed without amount", secrets: []string{secretNew}, body: `{"event":"CHECKOUT_COMPLETED","data":{"reference":"pay_01","currency":"XOF"}}`,
			headers: signedWith(secretNew, `{"event":"CHECKOUT_COMPLETED","data":{"reference":"pay_01","currency":"XOF"}}`),
			want:    cauri.Update{PaymentID: "pay_01", ProviderRef: "pay_01", Status: cauri.StatusPaid, RawStatus: "COMPLETED", EventID: "CHECKOUT_COMPLETED:pay_01"}},
		{name: "completed for nothing", secrets: []string{secretNew}, body: `{"event":"CHECKOUT_COMPLETED","data":{"reference":"pay_01","amount":0,"currency":"XOF"}}`,
			headers: signedWith(secretNew, `{"event":"CHECKOUT_COMPLETED","data":{"reference":"pay_01","amount":0,"currency":"XOF"}}`),
			want:    cauri.Update{PaymentID: "pay_01", ProviderRef: "pay_01", Status: cauri.StatusPaid, RawStatus: "COMPLETED", Currency: "XOF", EventID: "CHECKOUT_COMPLETED:pay_01"}},
		{name: "sandbox notification, live", mode: dexpay.Live, secrets: []string{secretNew}, body: completed, headers: signedWith(secretNew, completed), err: cauri.ErrIgnoredEvent},
		{name: "payout event", secrets: []string{secretNew}, body: `{"event":"PAYOUT_COMPLETED","data":{"reference":"PO_1"}}`,
			headers: signedWith(secretNew, `{"event":"PAYOUT_COMPLETED","data":{"reference":"PO_1"}}`), err: cauri.ErrIgnoredEvent},
		{name: "SDK payout event", body: `{"type":"payout.failed","data":{}}`, err: cauri.ErrIgnoredEvent},
		{name: "subscription event", body: `{"type":"subscription.created","data":{}}`, err: cauri.ErrIgnoredEvent},
		{name: "no event", body: `{"data":{"reference":"pay_01","status":"COMPLETED"}}`, err: cauri.ErrMalformed},
		{name: "two events", body: `{"event":"CHECKOUT_COMPLETED","type":"checkout.failed","data":{"reference":"pay_01"}}`, err: cauri.ErrMalformed},
		{name: "both spellings of one event", body: `{"event":"CHECKOUT_FAILED","type":"checkout.failed","data":{"reference":"pay_01"}}`,
			want: cauri.Update{PaymentID: "pay_01", ProviderRef: "pay_01", Status: cauri.StatusFailed, RawStatus: "FAILED", EventID: "CHECKOUT_FAILED:pay_01"}},
		{name: "event not a string", body: `{"event":1,"data":{"reference":"pay_01"}}`, err: cauri.ErrMalformed},
		{name: "no reference", body: `{"event":"CHECKOUT_COMPLETED","data":{"amount":5000,"currency":"XOF"}}`, err: cauri.ErrMalformed},
		{name: "data not an object", body: `{"event":"CHECKOUT_COMPLETED","data":"pay_01"}`, err: cauri.ErrMalformed},
		{name: "bad amount", body: `{"event":"CHECKOUT_COMPLETED","data":{"reference":"pay_01","amount":"5k","currency":"XOF"}}`, err: cauri.ErrMalformed},
		{name: "negative amount", body: `{"event":"CHECKOUT_COMPLETED","data":{"reference":"pay_01","amount":-5000,"currency":"XOF"}}`, err: cauri.ErrMalformed},
		{name: "not JSON", body: `event=CHECKOUT_COMPLETED`, err: cauri.ErrMalformed},
		{name: "an array", body: `[]`, err: cauri.ErrMalformed},
		{name: "unreadable and unsigned", secrets: []string{secretNew}, body: `{`, err: cauri.ErrMalformed},
		{name: "unreadable and badly signed", secrets: []string{secretNew}, body: `{`, headers: map[string]string{dexpay.SignatureHeader: "00"}, err: dexpay.ErrBadSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := dexpay.Config{APIKey: "pk_test_1", APISecret: "sk_test_1", WebhookSecrets: tt.secrets, Mode: tt.mode}
			if tt.mode == dexpay.Live {
				cfg.APIKey, cfg.APISecret = "pk_live_1", "sk_live_1"
			}
			u, err := provider(t, cfg).ParseWebhook(webhookRequest(tt.headers), []byte(tt.body))
			clienttest.CheckUpdate(t, u, err, tt.want, tt.err)
		})
	}
}

// TestParseWebhookErrorClasses: the kit answers 401 to ErrUnauthenticated,
// 400 to ErrMalformed, 200 to ErrIgnoredEvent.
func TestParseWebhookErrorClasses(t *testing.T) {
	t.Parallel()
	clienttest.CheckUnauthenticated(t, dexpay.ErrNotSigned, dexpay.ErrBadSignature)
	p := provider(t, dexpay.Config{APIKey: "pk_test_1", APISecret: "sk_test_1", WebhookSecrets: []string{secretNew}})
	if _, err := p.ParseWebhook(nil, []byte(completed)); err != nil {
		t.Errorf("nil request: %v", err)
	}
}

func TestVerifySignature(t *testing.T) {
	t.Parallel()
	body := []byte(completed)
	sig := dexpay.Sign(secretNew, body)
	if len(sig) != 64 || strings.ToLower(sig) != sig {
		t.Fatalf("Sign = %q, want 64 lower-case hex digits", sig)
	}
	tests := []struct {
		header  string
		secrets []string
		want    error
	}{
		{sig, []string{secretNew}, nil},
		{"sha256=" + sig, []string{secretOld, secretNew}, nil},
		{"SHA256=" + strings.ToUpper(sig), []string{secretNew}, nil},
		{sig, []string{secretOld}, dexpay.ErrBadSignature},
		{sig, nil, dexpay.ErrBadSignature},
		{sig[:62], []string{secretNew}, dexpay.ErrBadSignature},
		{sig + "00", []string{secretNew}, dexpay.ErrBadSignature},
		{"sha256=", []string{secretNew}, dexpay.ErrBadSignature},
		{"", []string{secretNew}, dexpay.ErrNotSigned},
	}
	for _, tt := range tests {
		if err := dexpay.VerifySignature(body, tt.header, tt.secrets...); !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
			t.Errorf("VerifySignature(%q, %v) = %v, want %v", tt.header, tt.secrets, err, tt.want)
		}
	}
}

// receiver is a webhook endpoint that keeps what it is posted.
type receiver struct {
	srv *httptest.Server
	mu  sync.Mutex
	got []*http.Request
	bod [][]byte
}

func newReceiver(t *testing.T) *receiver {
	rc := &receiver{}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.got = append(rc.got, r.Clone(context.Background()))
		rc.bod = append(rc.bod, b)
		rc.mu.Unlock()
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) all() ([]*http.Request, [][]byte) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]*http.Request(nil), rc.got...), append([][]byte(nil), rc.bod...)
}

func FuzzParseWebhook(f *testing.F) {
	seeds := []string{
		completed,
		strings.Replace(completed, "CHECKOUT_COMPLETED", "CHECKOUT_REFUNDED", 1),
		strings.Replace(completed, `"event":"CHECKOUT_COMPLETED"`, `"type":"checkout.failed"`, 1),
		`{"type":"checkout.completed","data":{"reference":"pay_01","amount":"5000.00","currency":"xof","fees":"50"}}`,
		`{"event":"CHECKOUT_COMPLETED","reference":"pay_01","amount":5000,"currency":"XOF"}`,
		`{"event":"PAYOUT_COMPLETED","data":{"reference":"PO_20251228_ABC123"}}`,
		`{"event":"CHECKOUT_COMPLETED","data":{"reference":"pay_01","amount":1e400,"currency":"XOF"}}`,
		`{"event":"CHECKOUT_COMPLETED","data":{"reference":"pay_01","amount":-1,"currency":"US"}}`,
		`{"event":"checkout.completed","type":"CHECKOUT-COMPLETED","data":{"reference":"\u0000","isSandbox":"false"}}`,
		`{"EVENT":"x","Event":"CHECKOUT_FAILED","data":{"Reference":"a","reference":"b","error":["a",1]}}`,
		`{"event":"CHECKOUT_","data":{"reference":"pay_01","status":["COMPLETED"],"payment_attempt":{"operator":{}}}}`,
		`{}`, `null`, `[]`, `"`, ``,
	}
	signed := provider(f, dexpay.Config{APIKey: "pk_test_1", APISecret: "sk_test_1", WebhookSecrets: []string{secretOld, secretNew}})
	live := provider(f, dexpay.Config{APIKey: "pk_live_1", APISecret: "sk_live_1", Mode: dexpay.Live, WebhookSecrets: []string{secretNew}})
	open := provider(f, dexpay.Config{APIKey: "pk_test_1", APISecret: "sk_test_1"})
	clienttest.FuzzSigned(f, seeds, dexpay.Sign, secretNew, func(t *testing.T, body []byte, header string, _ bool) {
		for _, name := range []string{dexpay.SignatureHeader, dexpay.LegacySignatureHeader} {
			r := clienttest.WebhookRequest("/", "", "", name, header)
			for _, p := range []*dexpay.Provider{signed, live, open} {
				u, err := p.ParseWebhook(r, body)
				if err != nil {
					clienttest.CheckClassified(t, err, cauri.ErrMalformed, cauri.ErrUnauthenticated, cauri.ErrIgnoredEvent)
					for _, s := range []string{secretOld, secretNew, "sk_test_1", "sk_live_1"} {
						if strings.Contains(err.Error(), s) {
							t.Fatalf("secret in the error: %v", err)
						}
					}
					continue
				}
				if u.PaymentID == "" || u.ProviderRef != u.PaymentID || u.EventID == "" {
					t.Fatalf("no reference: %+v", u)
				}
				if (u.Amount != 0 || u.Fee != 0) && u.Currency == "" {
					t.Fatalf("money without a currency: %+v", u)
				}
				clienttest.CheckFuzzed(t, u, p != open, dexpay.VerifySignature(body, header, secretNew, secretOld) == nil, cauri.StatusRefunded)
				if s, known := dexpay.MapStatus(u.RawStatus); u.Authenticated && (!known || s != u.Status) {
					t.Fatalf("authenticated with an unknown status: %+v", u)
				}
			}
		}
	})
}
