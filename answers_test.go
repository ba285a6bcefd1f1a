package cauri_test

import (
	"bytes"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/providertest"
)

// TestJSONAnswersAreTheExportedTypes: the checkout's and the status
// endpoint's JSON answers are exactly CheckoutResponse and
// StatusResponse: every key the handler writes is a field of the type
// (decoding refuses unknown ones), the keys are the documented ones, and
// the decoded value encodes back to the very bytes the handler sent.
func TestJSONAnswersAreTheExportedTypes(t *testing.T) {
	t.Parallel()
	jsonAccept := http.Header{"Accept": {"application/json"}}
	form := func(order, amount string) io.Reader {
		v := url.Values{"order": {order}}
		if amount != "" {
			v.Set("amount", amount)
		}
		return strings.NewReader(v.Encode())
	}
	checkout := func(f *fixture, order, amount string) *http.Response {
		return f.do(http.MethodPost, "/pay/checkout/moneroo", "application/x-www-form-urlencoded", form(order, amount), jsonAccept)
	}
	tests := []struct {
		name string
		// answer makes the request whose answer is checked.
		answer   func(f *fixture, clock *providertest.Clock) *http.Response
		into     func() any // a pointer to the type the answer must be
		wantKeys []string
		check    func(t *testing.T, f *fixture, v any)
	}{
		{
			name:     "checkout, to pay",
			answer:   func(f *fixture, _ *providertest.Clock) *http.Response { return checkout(f, "o-pay", "") },
			into:     func() any { return new(cauri.CheckoutResponse) },
			wantKeys: []string{"checkout_url", "payment_id", "status", "status_url"},
			check: func(t *testing.T, f *fixture, v any) {
				r := v.(*cauri.CheckoutResponse)
				p := f.payment(r.PaymentID)
				if r.Status != cauri.StatusPending || r.CheckoutURL != p.CheckoutURL || r.StatusURL != f.kit.StatusURL(p.ID) {
					t.Errorf("answer %+v, want the pending payment %s, its page %s and its status URL", r, p.ID, p.CheckoutURL)
				}
			},
		},
		{
			name: "checkout, paid already",
			answer: func(f *fixture, clock *providertest.Clock) *http.Response {
				// Paid at the provider, its notification lost: an hour on,
				// the next checkout finds out.
				f.em.SetWebhookPolicy(providertest.WebhookPolicy{Lost: true})
				_, page := f.checkout("o-paid", nil)
				f.act(page, providertest.Pay)
				clock.Later(time.Hour)
				return checkout(f, "o-paid", "")
			},
			into:     func() any { return new(cauri.CheckoutResponse) },
			wantKeys: []string{"payment_id", "status", "status_url", "success_url"},
			check: func(t *testing.T, f *fixture, v any) {
				r := v.(*cauri.CheckoutResponse)
				if r.Status != cauri.StatusPaid || !strings.HasPrefix(r.SuccessURL, "/shop/success?payment_id="+r.PaymentID+"&token=") {
					t.Errorf("answer %+v, want paid and the success page", r)
				}
			},
		},
		{
			name: "status",
			answer: func(f *fixture, _ *providertest.Clock) *http.Response {
				p, _ := f.checkout("o-status", nil)
				return f.do(http.MethodGet, f.kit.StatusURL(p.ID), "", nil, nil)
			},
			into:     func() any { return new(cauri.StatusResponse) },
			wantKeys: []string{"amount", "currency", "final", "order_id", "payment_id", "provider", "status", "updated_at"},
			check: func(t *testing.T, f *fixture, v any) {
				r := v.(*cauri.StatusResponse)
				p := f.payment(r.PaymentID)
				want := cauri.StatusResponse{
					PaymentID: p.ID, OrderID: "o-status", Provider: "moneroo", Status: cauri.StatusPending,
					Amount: orderAmount, Currency: "XOF", UpdatedAt: p.UpdatedAt,
				}
				if !r.UpdatedAt.Equal(want.UpdatedAt) {
					t.Errorf("updated_at %v, want %v", r.UpdatedAt, want.UpdatedAt)
				}
				r.UpdatedAt = want.UpdatedAt
				if *r != want {
					t.Errorf("answer %+v, want %+v", *r, want)
				}
			},
		},
		{
			name: "status, superseded",
			answer: func(f *fixture, _ *providertest.Clock) *http.Response {
				old, _ := f.checkout("o-basket", url.Values{"amount": {"4000"}})
				f.checkout("o-basket", nil) // the basket changed
				return f.do(http.MethodGet, f.kit.StatusURL(old.ID), "", nil, nil)
			},
			into:     func() any { return new(cauri.StatusResponse) },
			wantKeys: []string{"amount", "currency", "final", "order_id", "payment_id", "provider", "status", "superseded", "updated_at"},
			check: func(t *testing.T, _ *fixture, v any) {
				if r := v.(*cauri.StatusResponse); !r.Superseded || r.Final || r.Amount != 4000 {
					t.Errorf("answer %+v, want the superseded payment of 4000, not final", r)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := &providertest.Clock{}
			f := newFixture(t, withConfig(func(c *cauri.Config) { c.Now, c.Order = clock.Now, formOrder }))
			resp := tt.answer(f, clock)
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" {
				t.Fatalf("HTTP %d, %s: %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
			}
			var keys map[string]json.RawMessage
			if err := json.Unmarshal(body, &keys); err != nil {
				t.Fatal(err)
			}
			if got := slices.Sorted(maps.Keys(keys)); !slices.Equal(got, tt.wantKeys) {
				t.Errorf("keys %q, want %q", got, tt.wantKeys)
			}
			v := tt.into()
			dec := json.NewDecoder(bytes.NewReader(body))
			dec.DisallowUnknownFields()
			if err := dec.Decode(v); err != nil {
				t.Fatalf("decoding %s as %T: %v", body, v, err)
			}
			again, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(again, bytes.TrimSpace(body)) {
				t.Errorf("%T encodes as\n%s\nwant the handler's\n%s", v, again, body)
			}
			tt.check(t, f, v)
		})
	}
}
