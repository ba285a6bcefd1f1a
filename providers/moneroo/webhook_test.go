package moneroo_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/internal/clienttest"
	"github.com/cauripay/cauri/providers/moneroo"
)

const (
	secretOld = "whsec_old_0123456789"
	secretNew = "whsec_new_9876543210"
)

const successBody = `{"event":"payment.success","data":{"id":"k4su1ii7abdz","amount":200,"currency":"XOF","status":"success",` +
	`"metadata":{"cauri_payment_id":"pay_01","order_id":"124"},` +
	`"customer":{"id":"c1","email":"hello@example.com","firstName":"John","lastName":"Doe","phone":"+1 555 555 5555"}}}`

func webhookRequest(body, sig string) *http.Request {
	return clienttest.WebhookRequest("/pay/webhooks/moneroo", "application/json", body, moneroo.SignatureHeader, sig)
}

func TestParseWebhook(t *testing.T) {
	t.Parallel()
	signed := func(secret, body string) string { return moneroo.Sign(secret, []byte(body)) }
	paid := cauri.Update{PaymentID: "pay_01", ProviderRef: "k4su1ii7abdz", Status: cauri.StatusPaid, RawStatus: "success",
		Amount: 200, Currency: "XOF", EventID: "payment.success:k4su1ii7abdz", Authenticated: true}
	unauth := paid
	unauth.Authenticated = false

	tests := []struct {
		name    string
		secrets []string
		body    string
		sig     string // "" : none; "ok": the old secret's; "new": the new secret's
		want    cauri.Update
		err     error
	}{
		{name: "good signature", secrets: []string{secretOld}, body: successBody, sig: "ok", want: paid},
		{name: "rotated: second secret", secrets: []string{secretOld, secretNew}, body: successBody, sig: "new", want: paid},
		{name: "sha256= prefix", secrets: []string{secretOld}, body: successBody, sig: "sha256=" + signed(secretOld, successBody), want: paid},
		{name: "upper case", secrets: []string{secretOld}, body: successBody, sig: "  SHA256=" + strings.ToUpper(signed(secretOld, successBody)) + " ", want: paid},
		{name: "bad signature", secrets: []string{secretOld}, body: successBody, sig: signed("whsec_other", successBody), err: moneroo.ErrBadSignature},
		{name: "not hex", secrets: []string{secretOld}, body: successBody, sig: "zz" + signed(secretOld, successBody)[2:], err: moneroo.ErrBadSignature},
		{name: "truncated", secrets: []string{secretOld}, body: successBody, sig: signed(secretOld, successBody)[:62], err: moneroo.ErrBadSignature},
		{name: "re-serialised body", secrets: []string{secretOld}, body: strings.ReplaceAll(successBody, ",", ", "), sig: signed(secretOld, successBody), err: moneroo.ErrBadSignature},
		{name: "old secret retired", secrets: []string{secretNew}, body: successBody, sig: "ok", err: moneroo.ErrBadSignature},
		{name: "missing header", secrets: []string{secretOld}, body: successBody, err: moneroo.ErrNotSigned},
		{name: "no secrets", body: successBody, want: unauth},
		{name: "no secrets, signature ignored", body: successBody, sig: "garbage", want: unauth},
		// Blank secrets (unset environment variables) are left out: the
		// empty key, which anyone can sign with, proves nothing.
		{name: "blank secrets are none", secrets: []string{"", " "}, body: successBody, sig: signed("", successBody), want: unauth},
		{name: "blank secret beside a real one", secrets: []string{"", secretOld}, body: successBody, sig: "ok", want: paid},
		{name: "blank secret beside a real one, signed with the empty key", secrets: []string{"", secretOld}, body: successBody,
			sig: signed("", successBody), err: moneroo.ErrBadSignature},
		{name: "payout event", secrets: []string{secretOld}, body: `{"event":"payout.success","data":{"id":"p1","status":"success"}}`, sig: "ok", err: cauri.ErrIgnoredEvent},
		{name: "unknown event", body: `{"event":"customer.updated","data":{"id":"c1"}}`, err: cauri.ErrIgnoredEvent},
		{name: "malformed", secrets: []string{secretOld}, body: `{"event":"payment.success","data":`, sig: "ok", err: cauri.ErrMalformed},
		{name: "not an object", body: `[1,2]`, err: cauri.ErrMalformed},
		{name: "null", body: `null`, err: cauri.ErrMalformed},
		{name: "no event", body: `{"data":{"id":"x"}}`, err: cauri.ErrMalformed},
		{name: "missing id", secrets: []string{secretOld}, body: `{"event":"payment.success","data":{"amount":200,"currency":"XOF","status":"success"}}`, sig: "ok", err: cauri.ErrMalformed},
		{name: "data not an object", body: `{"event":"payment.success","data":"k4su"}`, err: cauri.ErrMalformed},
		{name: "bad amount", body: `{"event":"payment.success","data":{"id":"x","amount":"2OO","currency":"XOF","status":"success"}}`, err: cauri.ErrMalformed},
		{name: "currency object, amount string", secrets: []string{secretOld}, sig: "ok",
			body: `{"event":"payment.success","data":{"id":"k4su1ii7abdz","amount":"200.00","currency":{"code":"XOF","decimals":0,"subunit_to_unit":100},"status":"success","metadata":{"cauri_payment_id":"pay_01"}}}`,
			want: paid},
		{name: "USD decimals", secrets: []string{secretOld}, sig: "ok",
			body: `{"event":"payment.failed","data":{"id":"r9","amount":10.5,"currency":"USD","status":"failed","capture":{"failure_message":"Declined"}}}`,
			want: cauri.Update{ProviderRef: "r9", Status: cauri.StatusFailed, RawStatus: "failed", Amount: 1050, Currency: "USD",
				FailureReason: "Declined", EventID: "payment.failed:r9", Authenticated: true}},
		{name: "status from the event name", secrets: []string{secretOld}, sig: "ok",
			body: `{"event":"payment.cancelled","data":{"id":"r9"}}`,
			want: cauri.Update{ProviderRef: "r9", Status: cauri.StatusCancelled, RawStatus: "cancelled", EventID: "payment.cancelled:r9", Authenticated: true}},
		{name: "initiated", secrets: []string{secretOld}, sig: "ok",
			body: `{"event":"payment.initiated","data":{"id":"r9","status":"initiated","amount":5,"currency":"XOF"}}`,
			want: cauri.Update{ProviderRef: "r9", Status: cauri.StatusPending, RawStatus: "initiated", Amount: 5, Currency: "XOF", EventID: "payment.initiated:r9", Authenticated: true}},
		{name: "unknown status", secrets: []string{secretOld}, sig: "ok",
			body: `{"event":"payment.success","data":{"id":"r9","status":"weird","amount":5,"currency":"XOF"}}`,
			want: cauri.Update{ProviderRef: "r9", Status: cauri.StatusPending, RawStatus: "weird", Amount: 5, Currency: "XOF", EventID: "payment.success:r9", Authenticated: true}},
		{name: "success without amount is confirmed by the kit", secrets: []string{secretOld}, sig: "ok",
			body: `{"event":"payment.success","data":{"id":"r9","status":"success"}}`,
			want: cauri.Update{ProviderRef: "r9", Status: cauri.StatusPaid, RawStatus: "success", EventID: "payment.success:r9"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := provider(t, moneroo.Config{SecretKey: "sk", WebhookSecrets: tt.secrets})
			sig := clienttest.Signature(tt.sig, moneroo.Sign, tt.body, secretOld, secretNew)
			u, err := p.ParseWebhook(webhookRequest(tt.body, sig), []byte(tt.body))
			clienttest.CheckUpdate(t, u, err, tt.want, tt.err, clienttest.SignatureTail(sig))
		})
	}
}

func TestParseWebhookUnauthenticatedErrors(t *testing.T) {
	t.Parallel()
	for _, err := range []error{moneroo.ErrNotSigned, moneroo.ErrBadSignature} {
		if !errors.Is(err, cauri.ErrUnauthenticated) {
			t.Errorf("%v does not wrap cauri.ErrUnauthenticated", err)
		}
	}
	p := provider(t, moneroo.Config{SecretKey: "sk", WebhookSecrets: []string{secretOld}})
	if _, err := p.ParseWebhook(nil, []byte(successBody)); !errors.Is(err, moneroo.ErrNotSigned) {
		t.Errorf("nil request: %v", err)
	}
	if err := moneroo.VerifySignature([]byte("x"), moneroo.Sign("a", []byte("x")), "b", "a"); err != nil {
		t.Errorf("VerifySignature: %v", err)
	}
}

func FuzzParseWebhook(f *testing.F) {
	seeds := []string{
		successBody,
		`{"event":"payment.failed","data":{"id":"r9","amount":10.5,"currency":"USD","status":"failed","capture":{"failure_message":"Declined"}}}`,
		`{"event":"payment.cancelled","data":{"id":"r9"}}`,
		`{"event":"payment.initiated","data":{"id":"r9","status":"initiated","amount":"5","currency":{"code":"XOF"},"metadata":[]}}`,
		`{"event":"payout.success","data":{"id":"p1","status":"success"}}`,
		`{"event":"payment.success","data":{"id":"r9","amount":1e400,"currency":"XOF"}}`,
		`{"event":"payment.success","data":{"id":12,"amount":-1,"currency":"xof","metadata":{"cauri_payment_id":7}}}`,
		`{"event":["payment.success"],"data":null}`,
		`{"event":"payment.success","data":{"id":"\u0000","capture":{"method":"x"}}}`,
		`{}`, `null`, `[]`, `"`, ``,
	}
	for _, s := range seeds {
		f.Add([]byte(s), true, "")
		f.Add([]byte(s), false, "sha256=00")
	}
	signed := clienttest.Build(f, moneroo.New, moneroo.Config{SecretKey: "sk", WebhookSecrets: []string{secretOld, secretNew}})
	open := clienttest.Build(f, moneroo.New, moneroo.Config{SecretKey: "sk"})
	f.Fuzz(func(t *testing.T, body []byte, sign bool, header string) {
		if sign {
			header = moneroo.Sign(secretNew, body)
		}
		r := clienttest.WebhookRequest("/", "", "", moneroo.SignatureHeader, header)

		u, err := signed.ParseWebhook(r, body)
		if err == nil {
			if !u.Status.Valid() {
				t.Fatalf("invalid status %q", u.Status)
			}
			if moneroo.VerifySignature(body, header, secretNew) != nil && moneroo.VerifySignature(body, header, secretOld) != nil {
				t.Fatalf("accepted without a valid signature")
			}
			// A verified notification is authenticated, except a success
			// that does not state the money, which the kit must confirm.
			if !u.Authenticated && (u.Status != cauri.StatusPaid || (u.Amount != 0 && u.Currency != "")) {
				t.Fatalf("verified but not authenticated: %+v", u)
			}
			if u.ProviderRef == "" || u.EventID == "" {
				t.Fatalf("no reference: %+v", u)
			}
		}
		u, err = open.ParseWebhook(r, body)
		if err == nil && (u.Authenticated || !u.Status.Valid()) {
			t.Fatalf("without secrets: %+v", u)
		}
	})
}
