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

	tests := []clienttest.SignedCase{
		{Name: "good signature", Secrets: []string{secretOld}, Body: successBody, Sig: "ok", Want: paid},
		{Name: "rotated: second secret", Secrets: []string{secretOld, secretNew}, Body: successBody, Sig: "new", Want: paid},
		{Name: "sha256= prefix", Secrets: []string{secretOld}, Body: successBody, Sig: "sha256=" + signed(secretOld, successBody), Want: paid},
		{Name: "upper case", Secrets: []string{secretOld}, Body: successBody, Sig: "  SHA256=" + strings.ToUpper(signed(secretOld, successBody)) + " ", Want: paid},
		{Name: "bad signature", Secrets: []string{secretOld}, Body: successBody, Sig: signed("whsec_other", successBody), Err: moneroo.ErrBadSignature},
		{Name: "not hex", Secrets: []string{secretOld}, Body: successBody, Sig: "zz" + signed(secretOld, successBody)[2:], Err: moneroo.ErrBadSignature},
		{Name: "truncated", Secrets: []string{secretOld}, Body: successBody, Sig: signed(secretOld, successBody)[:62], Err: moneroo.ErrBadSignature},
		{Name: "re-serialised body", Secrets: []string{secretOld}, Body: strings.ReplaceAll(successBody, ",", ", "), Sig: signed(secretOld, successBody), Err: moneroo.ErrBadSignature},
		{Name: "old secret retired", Secrets: []string{secretNew}, Body: successBody, Sig: "ok", Err: moneroo.ErrBadSignature},
		{Name: "missing header", Secrets: []string{secretOld}, Body: successBody, Err: moneroo.ErrNotSigned},
		{Name: "no secrets", Body: successBody, Want: unauth},
		{Name: "no secrets, signature ignored", Body: successBody, Sig: "garbage", Want: unauth},
		// Blank secrets (unset environment variables) are left out: the
		// empty key, which anyone can sign with, proves nothing.
		{Name: "blank secrets are none", Secrets: []string{"", " "}, Body: successBody, Sig: signed("", successBody), Want: unauth},
		{Name: "blank secret beside a real one", Secrets: []string{"", secretOld}, Body: successBody, Sig: "ok", Want: paid},
		{Name: "blank secret beside a real one, signed with the empty key", Secrets: []string{"", secretOld}, Body: successBody,
			Sig: signed("", successBody), Err: moneroo.ErrBadSignature},
		{Name: "payout event", Secrets: []string{secretOld}, Body: `{"event":"payout.success","data":{"id":"p1","status":"success"}}`, Sig: "ok", Err: cauri.ErrIgnoredEvent},
		{Name: "unknown event", Body: `{"event":"customer.updated","data":{"id":"c1"}}`, Err: cauri.ErrIgnoredEvent},
		{Name: "malformed", Secrets: []string{secretOld}, Body: `{"event":"payment.success","data":`, Sig: "ok", Err: cauri.ErrMalformed},
		{Name: "not an object", Body: `[1,2]`, Err: cauri.ErrMalformed},
		{Name: "null", Body: `null`, Err: cauri.ErrMalformed},
		{Name: "no event", Body: `{"data":{"id":"x"}}`, Err: cauri.ErrMalformed},
		{Name: "missing id", Secrets: []string{secretOld}, Body: `{"event":"payment.success","data":{"amount":200,"currency":"XOF","status":"success"}}`, Sig: "ok", Err: cauri.ErrMalformed},
		{Name: "data not an object", Body: `{"event":"payment.success","data":"k4su"}`, Err: cauri.ErrMalformed},
		{Name: "bad amount", Body: `{"event":"payment.success","data":{"id":"x","amount":"2OO","currency":"XOF","status":"success"}}`, Err: cauri.ErrMalformed},
		{Name: "currency object, amount string", Secrets: []string{secretOld}, Sig: "ok",
			Body: `{"event":"payment.success","data":{"id":"k4su1ii7abdz","amount":"200.00","currency":{"code":"XOF","decimals":0,"subunit_to_unit":100},"status":"success","metadata":{"cauri_payment_id":"pay_01"}}}`,
			Want: paid},
		{Name: "USD decimals", Secrets: []string{secretOld}, Sig: "ok",
			Body: `{"event":"payment.failed","data":{"id":"r9","amount":10.5,"currency":"USD","status":"failed","capture":{"failure_message":"Declined"}}}`,
			Want: cauri.Update{ProviderRef: "r9", Status: cauri.StatusFailed, RawStatus: "failed", Amount: 1050, Currency: "USD",
				FailureReason: "Declined", EventID: "payment.failed:r9", Authenticated: true}},
		{Name: "status from the event name", Secrets: []string{secretOld}, Sig: "ok",
			Body: `{"event":"payment.cancelled","data":{"id":"r9"}}`,
			Want: cauri.Update{ProviderRef: "r9", Status: cauri.StatusCancelled, RawStatus: "cancelled", EventID: "payment.cancelled:r9", Authenticated: true}},
		{Name: "initiated", Secrets: []string{secretOld}, Sig: "ok",
			Body: `{"event":"payment.initiated","data":{"id":"r9","status":"initiated","amount":5,"currency":"XOF"}}`,
			Want: cauri.Update{ProviderRef: "r9", Status: cauri.StatusPending, RawStatus: "initiated", Amount: 5, Currency: "XOF", EventID: "payment.initiated:r9", Authenticated: true}},
		{Name: "unknown status", Secrets: []string{secretOld}, Sig: "ok",
			Body: `{"event":"payment.success","data":{"id":"r9","status":"weird","amount":5,"currency":"XOF"}}`,
			Want: cauri.Update{ProviderRef: "r9", Status: cauri.StatusPending, RawStatus: "weird", Amount: 5, Currency: "XOF", EventID: "payment.success:r9", Authenticated: true}},
		{Name: "success without amount is confirmed by the kit", Secrets: []string{secretOld}, Sig: "ok",
			Body: `{"event":"payment.success","data":{"id":"r9","status":"success"}}`,
			Want: cauri.Update{ProviderRef: "r9", Status: cauri.StatusPaid, RawStatus: "success", EventID: "payment.success:r9"}},
	}
	clienttest.CheckSigned(t, tests, func(t *testing.T, secrets []string) cauri.Provider {
		return provider(t, moneroo.Config{SecretKey: "sk", WebhookSecrets: secrets})
	}, moneroo.Sign, secretOld, secretNew, webhookRequest)
}

func TestParseWebhookUnauthenticatedErrors(t *testing.T) {
	t.Parallel()
	clienttest.CheckUnauthenticated(t, moneroo.ErrNotSigned, moneroo.ErrBadSignature)
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
	signed := clienttest.Build(f, moneroo.New, moneroo.Config{SecretKey: "sk", WebhookSecrets: []string{secretOld, secretNew}})
	open := clienttest.Build(f, moneroo.New, moneroo.Config{SecretKey: "sk"})
	clienttest.FuzzSigned(f, seeds, moneroo.Sign, secretNew, func(t *testing.T, body []byte, header string, _ bool) {
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
