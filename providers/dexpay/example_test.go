package dexpay_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/dexpay"
	"github.com/cauripay/cauri/providers/dexpay/dexpaytest"
	"github.com/cauripay/cauri/providers/providertest"
)

// Opening a checkout session against the emulator, paying it, and asking
// for its status. DEXPAY gets the return URL as both success_url and
// failure_url, and the callback URL as webhook_url.
func Example() {
	srv := dexpaytest.New()
	defer srv.Close()
	p, err := dexpay.New(dexpay.Config{
		APIKey: srv.APIKey, APISecret: srv.APISecret, // pk_test_... and sk_test_...
		WebhookSecrets: []string{srv.WebhookSecret},
		BaseURL:        srv.BaseURL(), // omit for the real API; Mode: dexpay.Live for real money
	})
	if err != nil {
		log.Fatal(err)
	}

	ctx := context.Background()
	co, err := p.CreateCheckout(ctx, cauri.CheckoutRequest{PaymentID: "pay_01", Order: cauri.Order{ID: "ord-42", Amount: 5000, Currency: "XOF"},
		ReturnURL:   "https://shop.example/pay/return/dexpay/pay_01/token",   // the kit builds these two
		CallbackURL: "https://shop.example/pay/webhooks/dexpay/pay_01/token", // with the payment's token
	})
	fmt.Println("reference:", co.ProviderRef, err)
	fmt.Println("send the customer to the payment page:", strings.HasPrefix(co.RedirectURL, srv.URL+"/checkout/cs_"))

	back, _ := srv.Act(ctx, co.RedirectURL, providertest.Pay)
	fmt.Println("back at:", back)
	u, err := p.FetchStatus(ctx, cauri.StatusQuery{PaymentID: "pay_01", ProviderRef: co.ProviderRef})
	fmt.Println(u.Status, u.Amount, u.Currency, u.Method, u.Authenticated, err)
	// Output:
	// reference: pay_01 <nil>
	// send the customer to the payment page: true
	// back at: https://shop.example/pay/return/dexpay/pay_01/token
	// paid 5000 XOF wave true <nil>
}

// A signed notification, in the WooCommerce plugin's spelling, is believed
// as it stands; the kit still checks its amount against the order. Sign
// makes one for a test of one's own webhook endpoint.
func ExampleProvider_ParseWebhook() {
	p, _ := dexpay.New(dexpay.Config{APIKey: "pk_test_1", APISecret: "sk_test_1", WebhookSecrets: []string{"whsec_test"}})
	for _, body := range []string{
		`{"event":"CHECKOUT_COMPLETED","data":{"reference":"pay_01","status":"COMPLETED",` +
			`"amount":5000,"currency":"XOF","transaction_id":"TXN1","payment_method":"MOBILE_MONEY","operator":"wave"}}`,
		`{"event":"CHECKOUT_REFUNDED","data":{"reference":"pay_01","amount":5000,"currency":"XOF"}}`,
	} {
		r := httptest.NewRequest(http.MethodPost, "/pay/webhooks/dexpay/pay_01/token", nil)
		r.Header.Set(dexpay.SignatureHeader, dexpay.Sign("whsec_test", []byte(body)))
		u, err := p.ParseWebhook(r, []byte(body))
		fmt.Println(u.PaymentID, u.Status, u.Amount, u.Currency, u.Method, u.EventID, u.Authenticated, err)
	}

	// The Node SDK's spelling, unsigned: read, but left to the kit to
	// confirm by the reference lookup.
	body := []byte(`{"type":"checkout.failed","data":{"reference":"pay_02"}}`)
	u, err := p.ParseWebhook(httptest.NewRequest(http.MethodPost, "/pay/webhooks/dexpay", nil), body)
	fmt.Println(u.PaymentID, u.Status, u.EventID, u.Authenticated, err)
	// Output:
	// pay_01 paid 5000 XOF wave CHECKOUT_COMPLETED:pay_01 true <nil>
	// pay_01 refunded 5000 XOF  CHECKOUT_REFUNDED:pay_01 true <nil>
	// pay_02 failed CHECKOUT_FAILED:pay_02 false <nil>
}

func ExampleMapStatus() {
	for _, raw := range []string{"INITIATED", "PENDING", "PROCESSING", "COMPLETED", "FAILED", "CANCELLED", "REFUNDED", "REVERSED"} {
		s, known := dexpay.MapStatus(raw)
		fmt.Println(raw, s, known)
	}
	// Output:
	// INITIATED pending true
	// PENDING pending true
	// PROCESSING pending true
	// COMPLETED paid true
	// FAILED failed true
	// CANCELLED cancelled true
	// REFUNDED refunded true
	// REVERSED pending false
}

// Paying a supplier's Wave wallet in Senegal.
func ExampleProvider_Payout() {
	srv := dexpaytest.New()
	defer srv.Close()
	p, _ := dexpay.New(srv.Config())

	res, err := p.Payout(context.Background(), cauri.PayoutRequest{
		Key:      "supplier-2026-12",
		Account:  dexpay.PayoutAccount("wave", "+221771234567"),
		Amount:   10000,
		Currency: "XOF",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	po, _ := srv.Payout(res.ProviderRef)
	fmt.Println(res.Status, po.Operator, po.CountryISO, po.Amount)
	// Output: pending wave SN 10000
}
