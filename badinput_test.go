package cauri_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/cauripay/cauri"
)

// Bad input anywhere gets a clear 4xx and changes nothing.
func TestBadInputChangesNothing(t *testing.T) {
	f := newFixture(t)
	p, _ := f.checkout("o-bad", nil)
	status := f.kit.StatusURL(p.ID)
	big := bytes.Repeat([]byte("a"), 65<<10)
	tests := []struct {
		name   string
		method string
		target string
		ctype  string
		body   []byte
		sign   bool
		want   int
	}{
		{"malformed JSON", "POST", "/pay/webhooks/moneroo", "application/json", []byte(`{"event":`), true, 400},
		{"JSON array", "POST", "/pay/webhooks/moneroo", "application/json", []byte(`[1,2]`), true, 400},
		{"null", "POST", "/pay/webhooks/moneroo", "application/json", []byte(`null`), true, 400},
		{"wrong types", "POST", "/pay/webhooks/moneroo", "application/json", []byte(`{"event":7,"data":"x"}`), true, 400},
		{"missing id", "POST", "/pay/webhooks/moneroo", "application/json", []byte(`{"event":"payment.success","data":{}}`), true, 400},
		{"form body", "POST", "/pay/webhooks/moneroo", "application/x-www-form-urlencoded", []byte(`event=payment.success`), true, 400},
		{"HTML body", "POST", "/pay/webhooks/moneroo", "text/html", []byte(`<html>hi</html>`), true, 400},
		{"oversized body", "POST", "/pay/webhooks/moneroo", "application/json", big, true, 413},
		{"empty body", "POST", "/pay/webhooks/moneroo", "application/json", nil, true, 400},
		{"unknown provider webhook", "POST", "/pay/webhooks/paypal", "application/json", paidBody(p), true, 404},
		{"provider path traversal", "POST", "/pay/webhooks/..%2fmoneroo", "application/json", paidBody(p), true, 404},
		{"webhook GET", "GET", "/pay/webhooks/moneroo", "", nil, false, 405},
		{"checkout GET", "GET", "/pay/checkout/moneroo", "", nil, false, 405},
		{"checkout unknown provider", "POST", "/pay/checkout/paypal", "application/x-www-form-urlencoded", []byte("order=o-x"), false, 404},
		{"checkout unknown order", "POST", "/pay/checkout/moneroo", "application/x-www-form-urlencoded", nil, false, 404},
		{"return without token", "GET", "/pay/return/moneroo/" + p.ID, "", nil, false, 404},
		{"return with junk id", "GET", "/pay/return/moneroo/%00%ff/x", "", nil, false, 403},
		{"return with empty token", "GET", "/pay/return/moneroo/" + p.ID + "/", "", nil, false, 404},
		{"status bad token", "GET", strings.Replace(status, "token=", "token=x", 1), "", nil, false, 403},
		{"status unknown id", "GET", "/pay/payments/pay_zzzzzzzzzzzzzzzzzzzzzzzzzz?token=x", "", nil, false, 403},
		{"status junk id", "GET", "/pay/payments/..%2f..%2fetc%2fpasswd", "", nil, false, 403},
		{"unknown route", "GET", "/pay/admin", "", nil, false, 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.sign {
				h.Set("X-Moneroo-Signature", f.em.Sign(tt.body))
			}
			var body *bytes.Reader
			if tt.body != nil {
				body = bytes.NewReader(tt.body)
			} else {
				body = bytes.NewReader(nil)
			}
			resp := f.do(tt.method, tt.target, tt.ctype, body, h)
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Errorf("HTTP %d, want %d", resp.StatusCode, tt.want)
			}
		})
	}
	f.wantStatus(p.ID, cauri.StatusPending)
	if got := f.counter("cauri_payment_transitions_total"); got != 0 {
		t.Errorf("transitions = %v", got)
	}
}

// An order the shop's Order function builds wrong is refused with every
// bad field named, before any provider call.
func TestCheckoutRejectsInvalidOrder(t *testing.T) {
	f := newFixture(t, withConfig(func(c *cauri.Config) {
		c.Order = func(*http.Request, string) (cauri.Order, error) {
			return cauri.Order{ID: "o\x01", Amount: -5, Currency: "FCFA", Customer: cauri.Customer{Email: "nope", Phone: "0701"}}, nil
		}
	}))
	resp := f.do("POST", "/pay/checkout/moneroo", "application/x-www-form-urlencoded", strings.NewReader("order=x"), nil)
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("HTTP %d, want 422", resp.StatusCode)
	}
	for _, field := range []string{"ID", "Amount", "Currency", "Customer.Email", "Customer.Phone"} {
		if !strings.Contains(b.String(), field) {
			t.Errorf("answer does not name %s: %s", field, b.String())
		}
	}
	if got := f.counter("cauri_provider_requests_total"); got != 0 {
		t.Errorf("provider was called %v times", got)
	}
}

// FuzzWebhookHandler: whatever arrives at the webhook route, the kit never
// panics, and nothing without the provider's signature moves a payment.
func FuzzWebhookHandler(f *testing.F) {
	fx := newFixture(f)
	p, _ := fx.checkout("o-fuzz", nil)
	f.Add(paidBody(p), "")
	f.Add([]byte(`{"event":"payment.success","data":{"id":"`+p.ProviderRef+`"}}`), "deadbeef")
	f.Add([]byte(`{"event":"payout.success"}`), "sha256=00")
	f.Add([]byte(`not json`), "")
	f.Fuzz(func(t *testing.T, body []byte, sig string) {
		req, err := http.NewRequest("POST", fx.webhookURL(), bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Moneroo-Signature", sig)
		resp, err := fx.client.Do(req)
		if err != nil {
			if strings.Contains(err.Error(), "invalid header field value") {
				t.Skip("not a signature a client can send")
			}
			t.Fatal(err)
		}
		// Drain the answer so the connection is reused: a new one per run
		// would fill the machine's ports.
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode >= 500 {
			t.Fatalf("HTTP %d for %q", resp.StatusCode, body)
		}
		if got, _ := fx.store.Get(context.Background(), p.ID); got.Status != cauri.StatusPending {
			t.Fatalf("an unsigned body moved the payment to %s: %q", got.Status, body)
		}
	})
}

// A panic in the shop's Order function is a 500, not a crash.
func TestCheckoutSurvivesAPanickingOrder(t *testing.T) {
	f := newFixture(t, withConfig(func(c *cauri.Config) {
		c.Order = func(*http.Request, string) (cauri.Order, error) { panic("nil map in the shop") }
	}))
	resp := f.do("POST", "/pay/checkout/moneroo", "application/x-www-form-urlencoded", strings.NewReader("order=x"), nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusInternalServerError {
		t.Fatalf("HTTP %d, want 500", resp.StatusCode)
	}
}
