package moneyfusion_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/internal/clienttest"
	"github.com/cauripay/cauri/providers/moneyfusion"
)

// docBody is the documentation's webhook example, as printed.
const docBody = `{
  "event": "payin.session.pending",
  "personal_Info": [
    {
      "userId": 1,
      "orderId": 123
    }
  ],
  "tokenPay": "Le4Cnmm1Ac9yTgZMKQbz",
  "numeroSend": "01010101",
  "nomclient": "Kwameson",
  "numeroTransaction": "01010101",
  "Montant": 194,
  "frais": 6,
  "return_url": " https://your-domain.com/callback ",
  "webhook_url": "https://your-domain.com/my-webhook-url",
  "createdAt": "2025-05-09T12:50:45.412Z"
}`

const completedBody = `{"event":"payin.session.completed","personal_Info":[{"cauri_payment_id":"pay_01","orderId":"ord-42"}],` +
	`"tokenPay":"Le4Cnmm1Ac9yTgZMKQbz","numeroSend":"0701020304","nomclient":"Awa Diallo","numeroTransaction":"0708889205",` +
	`"Montant":4850,"frais":150,"return_url":"https://shop.example/r","webhook_url":"https://shop.example/w","createdAt":"2025-05-09T12:50:45.412Z"}`

func TestParseWebhook(t *testing.T) {
	t.Parallel()
	p := provider(t, moneyfusion.Config{APIURL: "https://www.pay.moneyfusion.net" + secretPath})
	const tok = "Le4Cnmm1Ac9yTgZMKQbz"
	with := func(event string) string { return strings.Replace(completedBody, "payin.session.completed", event, 1) }
	tests := []struct {
		name string
		body string
		want cauri.Update
		err  error
	}{
		{name: "documented example", body: docBody,
			want: cauri.Update{ProviderRef: tok, Status: cauri.StatusPending, RawStatus: "payin.session.pending",
				Amount: 200, Currency: "XOF", Fee: 6, EventID: "payin.session.pending:" + tok}},
		{name: "completed", body: completedBody,
			want: cauri.Update{PaymentID: "pay_01", ProviderRef: tok, Status: cauri.StatusPaid, RawStatus: "payin.session.completed",
				Amount: 5000, Currency: "XOF", Fee: 150, EventID: "payin.session.completed:" + tok}},
		{name: "cancelled", body: with("payin.session.cancelled"),
			want: cauri.Update{PaymentID: "pay_01", ProviderRef: tok, Status: cauri.StatusCancelled, RawStatus: "payin.session.cancelled",
				Amount: 5000, Currency: "XOF", Fee: 150, EventID: "payin.session.cancelled:" + tok}},
		{name: "unknown payin event", body: with("payin.session.refunded"),
			want: cauri.Update{PaymentID: "pay_01", ProviderRef: tok, Status: cauri.StatusPending, RawStatus: "payin.session.refunded",
				Amount: 5000, Currency: "XOF", Fee: 150, EventID: "payin.session.refunded:" + tok}},
		{name: "payment data with a statut", body: `{"tokenPay":"t9","statut":"paid","Montant":"5000","moyen":"wave","personal_Info":{"cauri_payment_id":"pay_01"}}`,
			want: cauri.Update{PaymentID: "pay_01", ProviderRef: "t9", Status: cauri.StatusPaid, RawStatus: "paid",
				Amount: 5000, Currency: "XOF", Method: "wave", EventID: "paid:t9"}},
		{name: "no amounts", body: `{"event":"payin.session.pending","tokenPay":"t9"}`,
			want: cauri.Update{ProviderRef: "t9", Status: cauri.StatusPending, RawStatus: "payin.session.pending", EventID: "payin.session.pending:t9"}},
		{name: "payout event", body: `{"event":"payout.session.completed","tokenPay":"t9","montant":1000,"numeroRetrait":"0701"}`, err: cauri.ErrIgnoredEvent},
		{name: "other event", body: `{"event":"customer.created","tokenPay":"t9"}`, err: cauri.ErrIgnoredEvent},
		{name: "not JSON", body: `event=payin.session.completed&tokenPay=t9`, err: cauri.ErrMalformed},
		{name: "truncated", body: completedBody[:60], err: cauri.ErrMalformed},
		{name: "array", body: `[` + completedBody + `]`, err: cauri.ErrMalformed},
		{name: "null", body: `null`, err: cauri.ErrMalformed},
		{name: "empty", body: ``, err: cauri.ErrMalformed},
		{name: "empty object", body: `{}`, err: cauri.ErrMalformed},
		{name: "no tokenPay", body: `{"event":"payin.session.completed","Montant":200}`, err: cauri.ErrMalformed},
		{name: "empty tokenPay", body: `{"event":"payin.session.completed","tokenPay":" "}`, err: cauri.ErrMalformed},
		{name: "tokenPay object", body: `{"event":"payin.session.completed","tokenPay":{"id":1}}`, err: cauri.ErrMalformed},
		{name: "event number", body: `{"event":3,"tokenPay":"t9"}`, err: cauri.ErrMalformed},
		{name: "statut bool", body: `{"statut":true,"tokenPay":"t9"}`, err: cauri.ErrMalformed},
		{name: "neither event nor statut", body: `{"tokenPay":"t9","Montant":200}`, err: cauri.ErrMalformed},
		{name: "Montant words", body: `{"event":"payin.session.completed","tokenPay":"t9","Montant":"deux cents"}`, err: cauri.ErrMalformed},
		{name: "Montant negative", body: `{"event":"payin.session.completed","tokenPay":"t9","Montant":-194}`, err: cauri.ErrMalformed},
		{name: "Montant huge", body: `{"event":"payin.session.completed","tokenPay":"t9","Montant":1e400}`, err: cauri.ErrMalformed},
		{name: "frais array", body: `{"event":"payin.session.completed","tokenPay":"t9","Montant":194,"frais":[6]}`, err: cauri.ErrMalformed},
		{name: "two payments", body: `{"event":"payin.session.completed","tokenPay":"t9","personal_Info":[{"cauri_payment_id":"a"},{"cauri_payment_id":"b"}]}`, err: cauri.ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := clienttest.WebhookRequest("/pay/webhooks/moneyfusion/pay_01/x", "", tt.body)
			u, err := p.ParseWebhook(r, []byte(tt.body))
			clienttest.CheckUpdate(t, u, err, tt.want, tt.err)
		})
	}
	if _, err := p.ParseWebhook(nil, []byte(completedBody)); err != nil {
		t.Errorf("nil request: %v", err)
	}
}

func FuzzParseWebhook(f *testing.F) {
	seeds := []string{
		docBody,
		completedBody,
		strings.Replace(completedBody, "payin.session.completed", "payin.session.cancelled", 1),
		`{"event":"payin.session.pending","tokenPay":"0d1d8bc9b6d2819c","Montant":"194","frais":"6","personal_Info":[]}`,
		`{"tokenPay":"t9","statut":"no paid","Montant":200,"personal_Info":{"cauri_payment_id":"pay_01"}}`,
		`{"event":"payout.session.completed","montant":1000,"numeroRetrait":"0701","moyen":"orange","webhook_url":"x"}`,
		`{"event":"payin.session.completed","tokenPay":12345,"Montant":1e400,"frais":-1}`,
		`{"event":["payin.session.completed"],"tokenPay":"t"}`,
		`{"event":"payin.session.completed","tokenPay":"\u0000"}`,
		`{"event":"payin.session.completed","tokenPay":"t","personal_Info":[{"cauri_payment_id":"a"},{"cauri_payment_id":"b"}]}`,
		`{"event":"PAYIN.SESSION.COMPLETED","tokenPay":"t","Montant":200.0,"frais":null,"moyen":{"x":1}}`,
		`{"event":"payin.session.cancelled","tokenPay":"t","webhook_url":{"x":1}}`,
		`{"event":"payin.session.cancelled","tokenPay":"t","webhook_url":7,"statut":"no paid"}`,
		`{"tokenPay":"t","statut":" No Paid ","webhook_url":""}`,
		`{}`, `null`, `[]`, `"`, ``,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	p, err := moneyfusion.New(moneyfusion.Config{APIURL: "https://www.pay.moneyfusion.net" + secretPath})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		r := httptest.NewRequest(http.MethodPost, "/", nil)
		u, err := p.ParseWebhook(r, body)
		if err != nil {
			clienttest.CheckClassified(t, err, cauri.ErrMalformed, cauri.ErrIgnoredEvent)
			if u != (cauri.Update{}) {
				t.Fatalf("an error with an update: %+v", u)
			}
			return
		}
		if !u.Status.Valid() {
			t.Fatalf("invalid status %q", u.Status)
		}
		if u.Authenticated {
			t.Fatalf("an unsigned notification authenticated: %+v", u)
		}
		if u.ProviderRef == "" || u.EventID == "" || !strings.HasSuffix(u.EventID, ":"+u.ProviderRef) {
			t.Fatalf("no reference: %+v", u)
		}
		if u.Amount < 0 || u.Fee < 0 || (u.Amount != 0 && u.Currency != "XOF") {
			t.Fatalf("bad money: %+v", u)
		}
		if s, known := moneyfusion.MapStatus(u.RawStatus); s != u.Status || (!known && s != cauri.StatusPending) {
			t.Fatalf("status %s for %q", u.Status, u.RawStatus)
		}
	})
}
