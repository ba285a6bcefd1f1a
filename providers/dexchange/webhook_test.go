package dexchange_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/dexchange"
	"github.com/cauripay/cauri/providers/internal/clienttest"
)

const (
	secretOld = "whsec_old_0123456789"
	secretNew = "whsec_new_9876543210"
)

// seedBody is the seed documentation's notification, with our payment ID.
const seedBody = `{"id":"MID123456789","externalTransactionId":"pay_01","transactionType":"PAYMENT","AMOUNT":5000,"FEE":0,` +
	`"PHONE_NUMBER":"771234567","STATUS":"SUCCESS","CUSTOM_DATA":"{}","COMPLETED_AT":"2024-03-20T10:35:00Z"}`

func webhookRequest(body string, headers map[string]string) *http.Request {
	var pairs []string
	for k, v := range headers {
		pairs = append(pairs, k, v)
	}
	return clienttest.WebhookRequest("/pay/webhooks/dexchange/pay_01/tok", "application/json", body, pairs...)
}

func TestParseWebhook(t *testing.T) {
	t.Parallel()
	sign := func(secret, body string) string { return dexchange.Sign(secret, []byte(body)) }
	paid := cauri.Update{PaymentID: "pay_01", ProviderRef: "MID123456789", Status: cauri.StatusPaid, RawStatus: "SUCCESS",
		Amount: 5000, Currency: "XOF", EventID: "MID123456789:SUCCESS"}
	verified := paid
	verified.Authenticated = true
	const sig = dexchange.SignatureHeader
	const legacy = dexchange.LegacySignatureHeader

	tests := []struct {
		name    string
		secrets []string
		body    string
		headers map[string]string // "ok" as a value: the old secret's signature; "new": the new secret's
		want    cauri.Update
		err     error
	}{
		// Unsigned, as documented: parsed, never authenticated.
		{name: "seed body", body: seedBody, want: paid},
		{name: "secrets but no signature", secrets: []string{secretOld}, body: seedBody, want: paid},
		{name: "signature without secrets is ignored", body: seedBody, headers: map[string]string{sig: "garbage"}, want: paid},
		// Blank secrets (unset environment variables) are left out: the
		// empty key, which anyone can sign with, proves nothing.
		{name: "blank secrets are none", secrets: []string{"", " "}, body: seedBody, headers: map[string]string{sig: sign("", seedBody)}, want: paid},
		{name: "lower-case keys, transactionId", body: `{"transactionId":"MID123456789","externalTransactionId":"pay_01","status":"success","amount":"5000","serviceCode":"WAVE_SN"}`,
			want: cauri.Update{PaymentID: "pay_01", ProviderRef: "MID123456789", Status: cauri.StatusPaid, RawStatus: "success",
				Amount: 5000, Currency: "XOF", Method: "WAVE_SN", EventID: "MID123456789:SUCCESS"}},
		{name: "nested under data", body: `{"event":"transaction.updated","data":{"id":"MID9","externalTransactionId":"pay_01","STATUS":"FAILED","AMOUNT":5000}}`,
			want: cauri.Update{PaymentID: "pay_01", ProviderRef: "MID9", Status: cauri.StatusFailed, RawStatus: "FAILED",
				Amount: 5000, Currency: "XOF", EventID: "MID9:FAILED"}},
		{name: "nested under transaction", body: `{"transaction":{"id":"MID9","STATUS":"EXPIRED"}}`,
			want: cauri.Update{ProviderRef: "MID9", Status: cauri.StatusExpired, RawStatus: "EXPIRED", EventID: "MID9:EXPIRED"}},
		{name: "only externalTransactionId", body: `{"externalTransactionId":"pay_01","STATUS":"PENDING"}`,
			want: cauri.Update{PaymentID: "pay_01", Status: cauri.StatusPending, RawStatus: "PENDING", EventID: "pay_01:PENDING"}},
		{name: "same id and transactionId", body: `{"id":"MID9","transactionId":"MID9","STATUS":"CANCELLED"}`,
			want: cauri.Update{ProviderRef: "MID9", Status: cauri.StatusCancelled, RawStatus: "CANCELLED", EventID: "MID9:CANCELLED"}},
		{name: "CASHOUT with fee", body: `{"id":"MID9","transactionType":"CASHOUT","AMOUNT":5000,"FEE":75,"STATUS":"PROCESSING"}`,
			want: cauri.Update{ProviderRef: "MID9", Status: cauri.StatusPending, RawStatus: "PROCESSING", Amount: 5000, Currency: "XOF", Fee: 75, EventID: "MID9:PROCESSING"}},
		{name: "unknown status", body: `{"id":"MID9","AMOUNT":5000,"STATUS":"REVERSED"}`,
			want: cauri.Update{ProviderRef: "MID9", Status: cauri.StatusPending, RawStatus: "REVERSED", Amount: 5000, Currency: "XOF", EventID: "MID9:REVERSED"}},
		{name: "numeric status is unknown", body: `{"id":"MID9","STATUS":1}`,
			want: cauri.Update{ProviderRef: "MID9", Status: cauri.StatusPending, RawStatus: "1", EventID: "MID9:1"}},

		// Signed (community evidence).
		{name: "signed", secrets: []string{secretOld}, body: seedBody, headers: map[string]string{sig: "ok"}, want: verified},
		{name: "legacy header", secrets: []string{secretOld}, body: seedBody, headers: map[string]string{legacy: "ok"}, want: verified},
		{name: "both headers", secrets: []string{secretOld, secretNew}, body: seedBody, headers: map[string]string{legacy: "ok", sig: "new"}, want: verified},
		{name: "rotated: second secret", secrets: []string{secretOld, secretNew}, body: seedBody, headers: map[string]string{sig: "new"}, want: verified},
		{name: "blank secret beside a real one", secrets: []string{"", secretOld}, body: seedBody, headers: map[string]string{sig: "ok"}, want: verified},
		{name: "blank secret beside a real one, signed with the empty key", secrets: []string{" ", secretOld}, body: seedBody,
			headers: map[string]string{sig: sign("", seedBody)}, err: dexchange.ErrBadSignature},
		{name: "sha256= prefix, upper case", secrets: []string{secretOld}, body: seedBody,
			headers: map[string]string{sig: " SHA256=" + strings.ToUpper(sign(secretOld, seedBody)) + " "}, want: verified},
		{name: "bad signature", secrets: []string{secretOld}, body: seedBody, headers: map[string]string{sig: sign("other", seedBody)}, err: dexchange.ErrBadSignature},
		{name: "one good one bad", secrets: []string{secretOld}, body: seedBody, headers: map[string]string{sig: "ok", legacy: sign("other", seedBody)}, err: dexchange.ErrBadSignature},
		{name: "empty signature", secrets: []string{secretOld}, body: seedBody, headers: map[string]string{sig: " "}, err: dexchange.ErrBadSignature},
		{name: "not hex", secrets: []string{secretOld}, body: seedBody, headers: map[string]string{sig: "zz" + sign(secretOld, seedBody)[2:]}, err: dexchange.ErrBadSignature},
		{name: "truncated", secrets: []string{secretOld}, body: seedBody, headers: map[string]string{sig: sign(secretOld, seedBody)[:62]}, err: dexchange.ErrBadSignature},
		{name: "re-serialised body", secrets: []string{secretOld}, body: strings.ReplaceAll(seedBody, ",", ", "), headers: map[string]string{sig: sign(secretOld, seedBody)}, err: dexchange.ErrBadSignature},
		{name: "retired secret", secrets: []string{secretNew}, body: seedBody, headers: map[string]string{sig: "ok"}, err: dexchange.ErrBadSignature},
		{name: "signed success without amount is confirmed by the kit", secrets: []string{secretOld},
			body: `{"id":"MID9","externalTransactionId":"pay_01","STATUS":"SUCCESS"}`, headers: map[string]string{sig: "ok"},
			want: cauri.Update{PaymentID: "pay_01", ProviderRef: "MID9", Status: cauri.StatusPaid, RawStatus: "SUCCESS", EventID: "MID9:SUCCESS"}},
		{name: "signed failure without amount is believed", secrets: []string{secretOld},
			body: `{"id":"MID9","STATUS":"FAILED"}`, headers: map[string]string{sig: "ok"},
			want: cauri.Update{ProviderRef: "MID9", Status: cauri.StatusFailed, RawStatus: "FAILED", EventID: "MID9:FAILED", Authenticated: true}},
		{name: "signed unexpected type is confirmed by the kit", secrets: []string{secretOld},
			body: `{"id":"MID9","transactionType":"REVERSAL","AMOUNT":5000,"STATUS":"SUCCESS"}`, headers: map[string]string{sig: "ok"},
			want: cauri.Update{ProviderRef: "MID9", Status: cauri.StatusPaid, RawStatus: "SUCCESS", Amount: 5000, Currency: "XOF", EventID: "MID9:SUCCESS"}},

		// Ignored and malformed.
		{name: "refund", secrets: []string{secretOld}, body: strings.Replace(seedBody, `"PAYMENT"`, `"REFUND"`, 1), headers: map[string]string{sig: "ok"}, err: cauri.ErrIgnoredEvent},
		{name: "cashin", body: strings.Replace(seedBody, `"PAYMENT"`, `"cashin"`, 1), err: cauri.ErrIgnoredEvent},
		{name: "malformed", body: `{"id":"MID9","STATUS":`, err: cauri.ErrMalformed},
		{name: "signed but malformed", secrets: []string{secretOld}, body: `{"id":`, headers: map[string]string{sig: "ok"}, err: cauri.ErrMalformed},
		{name: "array", body: `[{"id":"MID9","STATUS":"SUCCESS"}]`, err: cauri.ErrMalformed},
		{name: "null", body: `null`, err: cauri.ErrMalformed},
		{name: "empty", body: ``, err: cauri.ErrMalformed},
		{name: "form", body: `id=MID9&STATUS=SUCCESS`, err: cauri.ErrMalformed},
		{name: "no status", body: `{"id":"MID9","AMOUNT":5000}`, err: cauri.ErrMalformed},
		{name: "status null", body: `{"id":"MID9","STATUS":null}`, err: cauri.ErrMalformed},
		{name: "no ids", body: `{"STATUS":"SUCCESS","AMOUNT":5000}`, err: cauri.ErrMalformed},
		{name: "two ids", body: `{"id":"MID1","transactionId":"MID2","STATUS":"SUCCESS"}`, err: cauri.ErrMalformed},
		{name: "bad amount", body: `{"id":"MID9","AMOUNT":"5OOO","STATUS":"SUCCESS"}`, err: cauri.ErrMalformed},
		{name: "amount as object", body: `{"id":"MID9","AMOUNT":{"value":5000},"STATUS":"SUCCESS"}`, err: cauri.ErrMalformed},
		{name: "negative amount", body: `{"id":"MID9","AMOUNT":-5000,"STATUS":"SUCCESS"}`, err: cauri.ErrMalformed},
		{name: "currency object", body: `{"id":"MID9","AMOUNT":5000,"CURRENCY":{"code":"XOF"},"STATUS":"SUCCESS"}`, err: cauri.ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := provider(t, dexchange.Config{APIKey: "sk", WebhookSecrets: tt.secrets})
			headers := map[string]string{}
			var tails []string
			for k, v := range tt.headers {
				headers[k] = clienttest.Signature(v, dexchange.Sign, tt.body, secretOld, secretNew)
				if len(strings.TrimSpace(headers[k])) > 16 {
					tails = append(tails, clienttest.SignatureTail(headers[k]))
				}
			}
			u, err := p.ParseWebhook(webhookRequest(tt.body, headers), []byte(tt.body))
			clienttest.CheckUpdate(t, u, err, tt.want, tt.err, tails...)
		})
	}
}

func TestParseWebhookEdges(t *testing.T) {
	t.Parallel()
	clienttest.CheckUnauthenticated(t, dexchange.ErrNotSigned, dexchange.ErrBadSignature)
	p := provider(t, dexchange.Config{APIKey: "sk", WebhookSecrets: []string{secretOld}})
	if u, err := p.ParseWebhook(nil, []byte(seedBody)); err != nil || u.Authenticated {
		t.Errorf("nil request: %+v %v", u, err)
	}
	r := webhookRequest(seedBody, nil)
	r.Header.Add(dexchange.SignatureHeader, dexchange.Sign(secretOld, []byte(seedBody)))
	r.Header.Add(dexchange.SignatureHeader, "00")
	if _, err := p.ParseWebhook(r, []byte(seedBody)); !errors.Is(err, dexchange.ErrBadSignature) {
		t.Errorf("repeated header: %v", err)
	}
	if err := dexchange.VerifySignature([]byte("x"), dexchange.Sign("a", []byte("x")), "b", "a"); err != nil {
		t.Errorf("VerifySignature: %v", err)
	}
	if err := dexchange.VerifySignature([]byte("x"), "", "a"); !errors.Is(err, dexchange.ErrNotSigned) {
		t.Errorf("VerifySignature without a signature: %v", err)
	}
	if err := dexchange.VerifySignature([]byte("x"), dexchange.Sign("a", []byte("x"))); !errors.Is(err, dexchange.ErrBadSignature) {
		t.Errorf("VerifySignature without secrets: %v", err)
	}
}

func FuzzParseWebhook(f *testing.F) {
	seeds := []string{
		seedBody,
		strings.Replace(seedBody, `"SUCCESS"`, `"FAILED"`, 1),
		strings.Replace(seedBody, `"PAYMENT"`, `"REFUND"`, 1),
		`{"transactionId":"MID1","externalTransactionId":"pay_01","status":"success","amount":"5000.00","fee":"50"}`,
		`{"data":{"id":"MID9","STATUS":"EXPIRED"}}`,
		`{"transaction":{"id":"MID9","STATUS":"PENDING","AMOUNT":null}}`,
		`{"id":"MID9","AMOUNT":1e400,"STATUS":"SUCCESS"}`,
		`{"id":12,"AMOUNT":-1,"STATUS":"SUCCESS","CURRENCY":"fcfa"}`,
		`{"id":"MID1","transactionId":"MID2","STATUS":"SUCCESS"}`,
		`{"id":"\u0000","STATUS":["SUCCESS"],"transactionType":{"x":1}}`,
		`{"ID":"a","id":"b","Status":"SUCCESS","status":"FAILED"}`,
		`{}`, `null`, `[]`, `"`, ``,
	}
	signed := clienttest.Build(f, dexchange.New, dexchange.Config{APIKey: "sk", WebhookSecrets: []string{secretOld, secretNew}})
	open := clienttest.Build(f, dexchange.New, dexchange.Config{APIKey: "sk"})
	clienttest.FuzzSigned(f, seeds, dexchange.Sign, secretNew, func(t *testing.T, body []byte, header string, _ bool) {
		r := clienttest.WebhookRequest("/", "", "", dexchange.SignatureHeader, header)
		verified := dexchange.VerifySignature(body, header, secretNew, secretOld) == nil
		for _, p := range []*dexchange.Provider{signed, open} {
			u, err := p.ParseWebhook(r, body)
			if err != nil {
				clienttest.CheckClassified(t, err, cauri.ErrMalformed, cauri.ErrUnauthenticated, cauri.ErrIgnoredEvent)
				continue
			}
			if u.EventID == "" || (u.ProviderRef == "" && u.PaymentID == "") {
				t.Fatalf("no reference: %+v", u)
			}
			clienttest.CheckFuzzed(t, u, p != open, verified)
			if p == signed && header != "" && !verified {
				t.Fatalf("accepted a bad signature: %+v", u)
			}
		}
	})
}
