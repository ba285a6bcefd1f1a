package novasend_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/internal/emulator/emutest"
	"github.com/cauripay/cauri/providers/internal/clienttest"
	"github.com/cauripay/cauri/providers/novasend"
	"github.com/cauripay/cauri/providers/novasend/novasendtest"
	"github.com/cauripay/cauri/providers/providertest"
)

const (
	secretOld = "whsec_old_0123456789"
	secretNew = "whsec_new_9876543210"
)

// docBody is the documentation's webhook example, with our reference.
const docBody = `{"id":"tr_fhchi842jyimwiugjgszcxvb8n","fees":0,"type":"payin","amount":306,"status":"processing","failure":null,` +
	`"currency":"XOF","customer":{"name":"John Doe","phoneNumber":"+2250700000000"},"createdAt":"2025-08-22T01:34:48.189Z",` +
	`"reference":"` + paymentID + `","paymentUrl":"https://pay.wave.com/c/cos-1","chargedAmount":306,` +
	`"confirmationStatus":"none","confirmationRequired":false}`

// completedBody is a payin object carrying its transaction.
const completedBody = `{"id":"tr_fhchi842jyimwiugjgszcxvb8n","fees":6,"type":"payin","amount":300,"status":"processed","failure":null,` +
	`"currency":"XOF","reference":"` + paymentID + `","chargedAmount":306,"confirmationStatus":"accepted","confirmationRequired":true,` +
	`"transaction":{"reference":"tr_dkjd5ljficphlqmt","status":"completed","amount":"300.00","fees":"0.00","chargedAmount":"300.00","currency":"XOF"}}`

// escapedBody is a notification written as the documentation's sample
// is, URLs with "\/" (PHP's json_encode), and non-ASCII characters
// escaped, with a transaction; stringifiedBody is what JSON.stringify
// makes of it, which the documented check signs.
const (
	escapedBody = "{\n  \"id\": \"tr_bbodj27lqhckrc7yomyjlo\",\n  \"fees\": 6,\n  \"type\": \"payin\",\n  \"amount\": 306,\n" +
		"  \"status\": \"processed\",\n  \"failure\": null,\n  \"currency\": \"XOF\",\n" +
		"  \"customer\": {\n      \"name\": \"Sal\\u00e9 Diomand\\u00e9\",\n      \"phoneNumber\": \"+2250153013761\"\n  },\n" +
		"  \"createdAt\": \"2026-02-02T09:11:14.793Z\",\n  \"reference\": \"" + paymentID + "\",\n" +
		"  \"paymentUrl\": \"https:\\/\\/pay.wave.com\\/c\\/cos-22rs5qhyr2ej6?a=306&c=XOF&m=NOVASEND%20CI%20%2A%20Conn\",\n" +
		"  \"chargedAmount\": 306.0,\n  \"confirmationStatus\": \"accepted\",\n  \"confirmationRequired\": false,\n" +
		"  \"transaction\": {\"status\": \"completed\", \"amount\": \"306.00\", \"fees\": \"6.00\", \"currency\": \"XOF\"}\n \n}\n"
	stringifiedBody = `{"id":"tr_bbodj27lqhckrc7yomyjlo","fees":6,"type":"payin","amount":306,"status":"processed","failure":null,"currency":"XOF",` +
		`"customer":{"name":"Salé Diomandé","phoneNumber":"+2250153013761"},"createdAt":"2026-02-02T09:11:14.793Z","reference":"` + paymentID + `",` +
		`"paymentUrl":"https://pay.wave.com/c/cos-22rs5qhyr2ej6?a=306&c=XOF&m=NOVASEND%20CI%20%2A%20Conn","chargedAmount":306,` +
		`"confirmationStatus":"accepted","confirmationRequired":false,"transaction":{"status":"completed","amount":"306.00","fees":"6.00","currency":"XOF"}}`
)

// sortedKeys is body as encoding/json writes a map of it: keys sorted, a
// re-serialisation NovaSend's check does not make.
func sortedKeys(body string) string {
	var v map[string]any
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		panic(err)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func webhookRequest(body, sig string) *http.Request {
	return clienttest.WebhookRequest("/pay/webhooks/novasend", "application/json", body, novasend.SignatureHeader, sig)
}

func TestParseWebhook(t *testing.T) {
	t.Parallel()
	signed := func(secret, body string) string { return novasend.Sign(secret, []byte(body)) }
	const ev = "tr_fhchi842jyimwiugjgszcxvb8n:"
	paid := cauri.Update{PaymentID: paymentID, Status: cauri.StatusPaid, RawStatus: "processed/accepted/completed",
		Amount: 300, Currency: "XOF", Fee: 6, EventID: ev + "processed/accepted/completed", Authenticated: true}
	unauthPaid := paid
	unauthPaid.Authenticated = false
	nudge := cauri.Update{PaymentID: paymentID, Status: cauri.StatusPending, RawStatus: "processing/none/", EventID: ev + "processing/none/"}
	paidWave := cauri.Update{PaymentID: paymentID, Status: cauri.StatusPaid, RawStatus: "processed/accepted/completed",
		Amount: 306, Currency: "XOF", Fee: 6, EventID: "tr_bbodj27lqhckrc7yomyjlo:processed/accepted/completed", Authenticated: true}
	unpaidWave := paidWave
	unpaidWave.Authenticated = false

	tests := []clienttest.SignedCase{
		{Name: "documented body: verified, confirmed by the kit", Secrets: []string{secretOld}, Body: docBody, Sig: "ok", Want: nudge},
		{Name: "with transaction: believed", Secrets: []string{secretOld}, Body: completedBody, Sig: "ok", Want: paid},
		{Name: "rotated: second secret", Secrets: []string{secretOld, secretNew}, Body: completedBody, Sig: "new", Want: paid},
		{Name: "sha256= prefix", Secrets: []string{secretOld}, Body: completedBody, Sig: "sha256=" + signed(secretOld, completedBody), Want: paid},
		{Name: "upper case", Secrets: []string{secretOld}, Body: completedBody, Sig: "  " + strings.ToUpper(signed(secretOld, completedBody)) + " ", Want: paid},
		// A signature that verifies over neither form is a hint, never a
		// refusal: the kit confirms the claim with the status endpoint.
		{Name: "bad signature: a hint", Secrets: []string{secretOld}, Body: completedBody, Sig: signed("whsec_other", completedBody), Want: unauthPaid},
		{Name: "not hex", Secrets: []string{secretOld}, Body: completedBody, Sig: "zz" + signed(secretOld, completedBody)[2:], Want: unauthPaid},
		{Name: "truncated", Secrets: []string{secretOld}, Body: completedBody, Sig: signed(secretOld, completedBody)[:62], Want: unauthPaid},
		{Name: "old secret retired", Secrets: []string{secretNew}, Body: completedBody, Sig: "ok", Want: unauthPaid},
		{Name: "missing header", Secrets: []string{secretOld}, Body: completedBody, Want: unauthPaid},
		{Name: "signed over another body", Secrets: []string{secretOld}, Body: completedBody, Sig: signed(secretOld, strings.Replace(completedBody, "300", "30", 1)), Want: unauthPaid},
		{Name: "signed over keys sorted", Secrets: []string{secretOld}, Body: completedBody, Sig: signed(secretOld, sortedKeys(completedBody)), Want: unauthPaid},
		// The documented check signs JSON.stringify of the parsed body.
		{Name: "spaced body signed compact", Secrets: []string{secretOld}, Body: strings.ReplaceAll(completedBody, ",", ",\n  "), Sig: signed(secretOld, completedBody), Want: paid},
		{Name: "escaped body signed as JSON.stringify writes it", Secrets: []string{secretOld}, Body: escapedBody, Sig: signed(secretOld, stringifiedBody), Want: paidWave},
		{Name: "escaped body signed raw", Secrets: []string{secretOld}, Body: escapedBody, Sig: signed(secretOld, escapedBody), Want: paidWave},
		{Name: "escaped body, rotated secret", Secrets: []string{secretOld, secretNew}, Body: escapedBody, Sig: signed(secretNew, stringifiedBody), Want: paidWave},
		{Name: "escaped body signed with Go's escapes", Secrets: []string{secretOld}, Body: escapedBody, Sig: signed(secretOld, strings.ReplaceAll(stringifiedBody, "&", `\u0026`)), Want: unpaidWave},
		{Name: "bad signature on junk", Secrets: []string{secretOld}, Body: `{`, Sig: "00", Err: cauri.ErrMalformed},
		{Name: "unsigned junk", Secrets: []string{secretOld}, Body: `<xml/>`, Err: cauri.ErrMalformed},
		{Name: "unsigned payout", Secrets: []string{secretOld}, Body: `{"id":"po_1","type":"payout","status":"processed"}`, Err: cauri.ErrIgnoredEvent},
		{Name: "no secrets", Body: completedBody, Want: unauthPaid},
		{Name: "no secrets, signature ignored", Body: completedBody, Sig: "garbage", Want: unauthPaid},
		// Blank secrets (unset environment variables) are left out: the
		// empty key, which anyone can sign with, proves nothing.
		{Name: "blank secrets are none", Secrets: []string{"", " "}, Body: completedBody, Sig: signed("", completedBody), Want: unauthPaid},
		{Name: "blank secret beside a real one", Secrets: []string{"", secretOld}, Body: completedBody, Sig: "ok", Want: paid},
		{Name: "blank secret beside a real one, signed with the empty key", Secrets: []string{" ", secretOld}, Body: completedBody,
			Sig: signed("", completedBody), Want: unauthPaid},
		{Name: "completed without the transaction's amount: confirmed", Secrets: []string{secretOld}, Sig: "ok",
			Body: `{"id":"tr_1","reference":"` + paymentID + `","amount":300,"currency":"XOF","status":"processed","confirmationStatus":"accepted","transaction":{"status":"completed"}}`,
			Want: cauri.Update{PaymentID: paymentID, Status: cauri.StatusPaid, RawStatus: "processed/accepted/completed", EventID: "tr_1:processed/accepted/completed"}},
		{Name: "failed transaction: believed", Secrets: []string{secretOld}, Sig: "ok",
			Body: `{"id":"tr_1","reference":"` + paymentID + `","status":"processed","confirmationStatus":"accepted","transaction":{"status":"failed"},"failure":{"code":"client_not_enough_cash","message":"Insufficient client balance"}}`,
			Want: cauri.Update{PaymentID: paymentID, Status: cauri.StatusFailed, RawStatus: "processed/accepted/failed",
				FailureReason: "client_not_enough_cash: Insufficient client balance", EventID: "tr_1:processed/accepted/failed", Authenticated: true}},
		{Name: "declined without transaction: confirmed", Secrets: []string{secretOld}, Sig: "ok",
			Body: `{"id":"tr_1","reference":"` + paymentID + `","status":"processing","confirmationStatus":"declined"}`,
			Want: cauri.Update{PaymentID: paymentID, Status: cauri.StatusFailed, RawStatus: "processing/declined/", EventID: "tr_1:processing/declined/"}},
		{Name: "unknown transaction status: confirmed", Secrets: []string{secretOld}, Sig: "ok",
			Body: `{"id":"tr_1","reference":"` + paymentID + `","transaction":{"status":"SETTLED","amount":"300.00","currency":"XOF"}}`,
			Want: cauri.Update{PaymentID: paymentID, Status: cauri.StatusPending, RawStatus: "//SETTLED", Amount: 300, Currency: "XOF", EventID: "tr_1://SETTLED"}},
		{Name: "seed-shaped object", Secrets: []string{secretOld}, Sig: "ok",
			Body: `{"type":"payin","reference":"tr_9","customerReference":"` + paymentID + `","status":"processed","confirmationStatus":"accepted","transaction":{"status":"pending"}}`,
			Want: cauri.Update{PaymentID: paymentID, Status: cauri.StatusPending, RawStatus: "processed/accepted/pending", EventID: "tr_9:processed/accepted/pending", Authenticated: true}},
		{Name: "only NovaSend's id", Secrets: []string{secretOld}, Sig: "ok",
			Body: `{"id":"tr_9","status":"processing","confirmationStatus":"none"}`,
			Want: cauri.Update{ProviderRef: "tr_9", Status: cauri.StatusPending, RawStatus: "processing/none/", EventID: "tr_9:processing/none/"}},
		{Name: "numeric id", Body: `{"id":42,"status":"expired"}`,
			Want: cauri.Update{ProviderRef: "42", Status: cauri.StatusExpired, RawStatus: "expired//", EventID: "42:expired//"}},
		{Name: "event envelope", Secrets: []string{secretOld}, Sig: "ok",
			Body: `{"event":"payin.declined","data":{"id":"tr_1","reference":"` + paymentID + `"}}`,
			Want: cauri.Update{PaymentID: paymentID, Status: cauri.StatusFailed, RawStatus: "/declined/", EventID: "tr_1:/declined/"}},
		{Name: "event envelope, confirmed", Body: `{"event":"payin.confirmed","data":{"id":"tr_1","reference":"` + paymentID + `"}}`,
			Want: cauri.Update{PaymentID: paymentID, Status: cauri.StatusPending, RawStatus: "/accepted/", EventID: "tr_1:/accepted/"}},
		{Name: "event on the object", Body: `{"event":"payin.updated","id":"tr_1","reference":"` + paymentID + `","status":"processed"}`,
			Want: cauri.Update{PaymentID: paymentID, Status: cauri.StatusPending, RawStatus: "processed//", EventID: "tr_1:processed//"}},
		{Name: "no status: a nudge", Body: `{"id":"tr_1","reference":"` + paymentID + `"}`,
			Want: cauri.Update{PaymentID: paymentID, Status: cauri.StatusPending, RawStatus: "//", EventID: "tr_1://"}},
		{Name: "payout object", Secrets: []string{secretOld}, Body: `{"id":"po_1","type":"payout","status":"processed","reference":"x"}`, Sig: "ok", Err: cauri.ErrIgnoredEvent},
		{Name: "refund object", Body: `{"id":"rf_1","type":"refund","reference":"x"}`, Err: cauri.ErrIgnoredEvent},
		{Name: "payout event", Body: `{"event":"payout.completed","data":{"id":"po_1"}}`, Err: cauri.ErrIgnoredEvent},
		{Name: "malformed", Secrets: []string{secretOld}, Body: `{"id":"tr_1","status":`, Sig: "ok", Err: cauri.ErrMalformed},
		{Name: "not an object", Body: `[1,2]`, Err: cauri.ErrMalformed},
		{Name: "null", Body: `null`, Err: cauri.ErrMalformed},
		{Name: "empty", Body: ``, Err: cauri.ErrMalformed},
		{Name: "no identifier", Body: `{"status":"processed","transaction":{"status":"completed","amount":1,"currency":"XOF"}}`, Err: cauri.ErrMalformed},
		{Name: "status not a string", Body: `{"id":"tr_1","status":["processed"]}`, Err: cauri.ErrMalformed},
		{Name: "confirmationStatus not a string", Body: `{"id":"tr_1","confirmationStatus":1}`, Err: cauri.ErrMalformed},
		{Name: "transaction not an object", Body: `{"id":"tr_1","transaction":"completed"}`, Err: cauri.ErrMalformed},
		{Name: "bad amount", Body: `{"id":"tr_1","transaction":{"status":"completed","amount":"3OO","currency":"XOF"}}`, Err: cauri.ErrMalformed},
		{Name: "bad currency", Body: `{"id":"tr_1","currency":"F CFA","status":"processing"}`, Err: cauri.ErrMalformed},
		{Name: "event not a string", Body: `{"event":1,"id":"tr_1"}`, Err: cauri.ErrMalformed},
		{Name: "id an object", Body: `{"id":{"x":1},"status":"processing"}`, Err: cauri.ErrMalformed},
	}
	clienttest.CheckSigned(t, tests, func(t *testing.T, secrets []string) cauri.Provider {
		return provider(t, novasend.Config{WebhookSecrets: secrets})
	}, novasend.Sign, secretOld, secretNew, webhookRequest)
}

func TestParseWebhookUnauthenticatedErrors(t *testing.T) {
	t.Parallel()
	clienttest.CheckUnauthenticated(t, novasend.ErrNotSigned, novasend.ErrBadSignature)
	p := provider(t, novasend.Config{WebhookSecrets: []string{secretOld}})
	if u, err := p.ParseWebhook(nil, []byte(completedBody)); err != nil || u.Authenticated || u.Status != cauri.StatusPaid {
		t.Errorf("nil request: %+v, %v", u, err)
	}
	for _, tt := range []struct {
		body, signed string
		secrets      []string
		want         error
	}{
		{body: "x", signed: "x", secrets: []string{"b", "a"}},
		{body: "x", signed: "x", want: novasend.ErrBadSignature},
		{body: "x", signed: "y", secrets: []string{"a"}, want: novasend.ErrBadSignature},
		{body: escapedBody, signed: escapedBody, secrets: []string{"a"}},
		{body: escapedBody, signed: stringifiedBody, secrets: []string{"a"}},
		{body: stringifiedBody, signed: escapedBody, secrets: []string{"a"}, want: novasend.ErrBadSignature},
		{body: "{\"a\": 1}", signed: `{"a":1}`, secrets: []string{"a"}},
		{body: "{\"a\": 1", signed: `{"a":1}`, secrets: []string{"a"}, want: novasend.ErrBadSignature},
	} {
		if err := novasend.VerifySignature([]byte(tt.body), novasend.Sign("a", []byte(tt.signed)), tt.secrets...); !errors.Is(err, tt.want) {
			t.Errorf("VerifySignature(%.20q signed as %.20q, %v) = %v, want %v", tt.body, tt.signed, tt.secrets, err, tt.want)
		}
	}
	if err := novasend.VerifySignature([]byte("x"), " ", "a"); !errors.Is(err, novasend.ErrNotSigned) {
		t.Errorf("no signature: %v", err)
	}
	// As the documentation's Node.js sample computes it: hex HMAC-SHA256.
	if got := novasend.Sign("secret", []byte(`{"a":1}`)); got != "aa9e2e3575f5d7098b6caccd790888c36d5fdb63342a73bada2d6a51747a8494" {
		t.Errorf("Sign = %s", got)
	}
}

func FuzzParseWebhook(f *testing.F) {
	seeds := []string{
		docBody,
		completedBody,
		escapedBody,
		stringifiedBody,
		`{"id":"tr_1","reference":"pay_x","status":"processed","confirmationStatus":"accepted","transaction":{"status":"failed"},"failure":{"code":"c","message":"m"}}`,
		`{"id":"tr_1","reference":"pay_x","status":"processing","confirmationStatus":"declined","failure":"no"}`,
		`{"id":"tr_1","status":"expired","confirmationStatus":"expired","transaction":{}}`,
		`{"type":"payin","reference":"tr_9","customerReference":"pay_x","transaction":{"status":"completed","amount":300,"currency":"xof"}}`,
		`{"event":"payin.declined","data":{"id":"tr_1","reference":"pay_x"}}`,
		`{"event":"payout.completed","data":{"id":"po_1"}}`,
		`{"id":"po_1","type":"payout","status":"processed"}`,
		`{"id":"tr_1","transaction":{"status":"completed","amount":1e400,"currency":"XOF"}}`,
		`{"id":12,"amount":-1,"currency":"xof","transaction":[]}`,
		`{"id":"tr_1","transaction":{"status":"COMPLETED","amount":"-5","currency":"XOF"}}`,
		`{"event":["payin.confirmed"],"data":null}`,
		`{"id":"\u0000","status":"\u00e9","fee":"x","fees":{}}`,
		`{"id":"tr_1","fees":0,"amount":306,"reference":"pay_x","transaction":{"status":"completed","amount":"306.00","fees":"6.00","currency":"XOF"}}`,
		`{"id":"tr_1","fee":6,"reference":"pay_x","transaction":{"status":"completed","amount":"294.00","fees":"-6","currency":"XOF"}}`,
		`{}`, `null`, `[]`, `"`, ``,
	}
	signed := clienttest.Build(f, novasend.New, novasend.Config{APIKey: "pk", APIClient: "sk", AccountID: "merchant_1", WebhookSecrets: []string{secretOld, secretNew}})
	open := clienttest.Build(f, novasend.New, novasend.Config{APIKey: "pk", APIClient: "sk", AccountID: "merchant_1"})
	clienttest.FuzzSigned(f, seeds, novasend.Sign, secretNew, func(t *testing.T, body []byte, header string, sign bool) {
		r := clienttest.WebhookRequest("/", "", "", novasend.SignatureHeader, header)

		u, err := signed.ParseWebhook(r, body)
		if err == nil {
			if !u.Status.Valid() {
				t.Fatalf("invalid status %q", u.Status)
			}
			if u.Authenticated && novasend.VerifySignature(body, header, secretNew, secretOld) != nil {
				t.Fatalf("believed without a valid signature")
			}
			if u.PaymentID == "" && u.ProviderRef == "" || u.EventID == "" {
				t.Fatalf("no reference: %+v", u)
			}
			if u.Amount < 0 || u.Fee < 0 || u.Amount != 0 && u.Currency == "" {
				t.Fatalf("money: %+v", u)
			}
			st, known := novasend.MapStatus(u.RawStatus)
			if st != u.Status {
				t.Fatalf("RawStatus %q maps to %s, Update says %s", u.RawStatus, st, u.Status)
			}
			// Only a documented transaction.status is believed, and a
			// completed one only with its money.
			tx := u.RawStatus[strings.LastIndexByte(u.RawStatus, '/')+1:]
			if u.Authenticated && (tx == "" || !known || u.Status == cauri.StatusPaid && (u.Amount == 0 && u.Currency == "")) {
				t.Fatalf("authenticated without transaction proof: %+v", u)
			}
		} else {
			// A bad signature is no error: an unauthenticated hint.
			clienttest.CheckClassified(t, err, cauri.ErrMalformed, cauri.ErrIgnoredEvent)
		}
		if err == nil && sign {
			// Signed over its bytes: believed exactly when it carries the
			// final truth.
			tx := u.RawStatus[strings.LastIndexByte(u.RawStatus, '/')+1:]
			_, known := novasend.MapStatus(u.RawStatus)
			if want := tx != "" && known && (u.Status != cauri.StatusPaid || u.Currency != ""); u.Authenticated != want {
				t.Fatalf("signed: Authenticated %v, want %v: %+v", u.Authenticated, want, u)
			}
		}
		u2, err2 := open.ParseWebhook(r, body)
		if err2 == nil && (u2.Authenticated || !u2.Status.Valid()) {
			t.Fatalf("without secrets: %+v", u2)
		}
		// The signature decides Authenticated and nothing else.
		if (err == nil) != (err2 == nil) || errors.Is(err, cauri.ErrMalformed) != errors.Is(err2, cauri.ErrMalformed) {
			t.Fatalf("with secrets: %v; without: %v", err, err2)
		}
		if u.Authenticated = false; u != u2 {
			t.Fatalf("with secrets %+v\nwithout %+v", u, u2)
		}
	})
}

// TestAmountAndFee: what a notification and a status answer report as
// Update.Amount and Update.Fee: the amount stated (transaction.amount when
// given, never chargedAmount) and the fee stated for it (the
// transaction's with its amount, else the payin's), so that the kit can
// settle an order of 300 on 300, or on 306 with the fee of 6 the customer
// paid.
func TestAmountAndFee(t *testing.T) {
	t.Parallel()
	payin := func(top, tx string) string {
		return `{"id":"tr_1","type":"payin",` + top + `"status":"processed","currency":"XOF","reference":"` + paymentID + `",` +
			`"confirmationStatus":"accepted","transaction":{"status":"completed",` + tx + `"currency":"XOF"}}`
	}
	tests := []struct {
		name        string
		body        string
		amount, fee int64
	}{
		// The documentation's webhook (amount 306, fees 0, chargedAmount
		// 306) with a transaction stating the fee the customer paid.
		{"306 with the transaction's fee 6", payin(`"fees":0,"amount":306,"chargedAmount":306,`, `"amount":"306.00","fees":"6.00","chargedAmount":"306.00",`), 306, 6},
		// The seed's status answer (amount 300, fee 6, chargedAmount 306)
		// with a transaction of the charged sum and no processor fee.
		{"306 with the payin's fee 6", payin(`"fee":6,"amount":300,"chargedAmount":306,`, `"amount":"306.00","fees":"0.00",`), 306, 6},
		{"294 with fee 6", payin(`"fees":6,"amount":300,`, `"amount":"294.00","fees":"6.00",`), 294, 6},
		{"294 without fee fields", payin(``, `"amount":"294.00",`), 294, 0},
		{"300 without fee fields", payin(`"amount":300,"chargedAmount":300,`, `"amount":"300.00",`), 300, 0},
		{"300 with the seed's fee 6", payin(`"fee":6,"amount":300,"chargedAmount":306,`, `"amount":"300.00","fees":"0.00","chargedAmount":"300.00",`), 300, 6},
		{"unreadable transaction fee: the payin's", payin(`"fee":6,`, `"amount":"306.00","fees":"six",`), 306, 6},
		{"no fee stated anywhere readable", payin(`"fee":"n/a",`, `"amount":"306.00","fees":"-6.00",`), 306, 0},
	}
	signed := provider(t, novasend.Config{WebhookSecrets: []string{secretOld}})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			u, err := signed.ParseWebhook(webhookRequest(tt.body, novasend.Sign(secretOld, []byte(tt.body))), []byte(tt.body))
			if err != nil || !u.Authenticated || u.Status != cauri.StatusPaid || u.Amount != tt.amount || u.Fee != tt.fee || u.Currency != "XOF" {
				t.Errorf("webhook: %+v, %v; want paid %d with fee %d", u, err, tt.amount, tt.fee)
			}
			c := newCapture(t, jsonReply(http.StatusOK, tt.body))
			u, err = provider(t, novasend.Config{BaseURL: c.URL}).
				FetchStatus(context.Background(), cauri.StatusQuery{PaymentID: paymentID, ProviderRef: "tr_1"})
			if err != nil || u.Status != cauri.StatusPaid || u.Amount != tt.amount || u.Fee != tt.fee || u.Currency != "XOF" {
				t.Errorf("status: %+v, %v; want paid %d with fee %d", u, err, tt.amount, tt.fee)
			}
		})
	}

	// Status answers without the transaction's amount: the payin's own.
	for body, want := range map[string][2]int64{
		`{"reference":"r1","amount":306,"fee":6,"currency":"XOF","transaction":{"status":"completed"}}`:                     {306, 6},
		`{"reference":"r1","amount":300,"fee":6,"chargedAmount":306,"currency":"XOF","transaction":{"status":"completed"}}`: {300, 6},
		`{"reference":"r1","amount":300,"currency":"XOF","transaction":{"status":"completed","fees":"6.00"}}`:               {300, 6},
		`{"reference":"r1","amount":300,"currency":"XOF","transaction":{"status":"completed"}}`:                             {300, 0},
	} {
		c := newCapture(t, jsonReply(http.StatusOK, body))
		u, err := provider(t, novasend.Config{BaseURL: c.URL}).
			FetchStatus(context.Background(), cauri.StatusQuery{PaymentID: paymentID, ProviderRef: "r1"})
		if err != nil || u.Amount != want[0] || u.Fee != want[1] {
			t.Errorf("status %s: %+v, %v; want %d with fee %d", body, u, err, want[0], want[1])
		}
	}
}

// TestFeePaidByCustomer: the emulator charging the customer the fee on
// top, its webhook written as the documentation's (amount and
// chargedAmount the charged sum, fees 0): the webhook and the status
// answer both report the sum and the fee in it.
func TestFeePaidByCustomer(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := emutest.Start(t, novasendtest.New, novasendtest.WithFeePaidByCustomer(), novasendtest.WithTransactionInWebhooks())
	p := srv.Provider()
	var got []cauri.Update
	var mu sync.Mutex
	shop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		u, err := p.ParseWebhook(r, body)
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		mu.Lock()
		got = append(got, u)
		mu.Unlock()
	}))
	defer shop.Close()
	srv.SetWebhookURL(shop.URL)

	co, err := p.CreateCheckout(ctx, request(order())) // 5000 XOF, fee 100
	if err != nil {
		t.Fatal(err)
	}
	emutest.Act(t, srv.Act, co.RedirectURL, providertest.Pay)
	ds := srv.Deliveries()
	if len(ds) != 1 || !strings.Contains(string(ds[0].Body), `"fees":0,"type":"payin","amount":5100`) {
		t.Fatalf("webhook %s", ds[0].Body)
	}
	mu.Lock()
	u := got[0]
	mu.Unlock()
	if !u.Authenticated || u.Status != cauri.StatusPaid || u.Amount != 5100 || u.Fee != 100 {
		t.Errorf("webhook: %+v; want paid 5100 with fee 100", u)
	}
	u, err = p.FetchStatus(ctx, cauri.StatusQuery{PaymentID: paymentID, ProviderRef: co.ProviderRef})
	if err != nil || u.Status != cauri.StatusPaid || u.Amount != 5100 || u.Fee != 100 {
		t.Errorf("status: %+v, %v; want paid 5100 with fee 100", u, err)
	}
}
