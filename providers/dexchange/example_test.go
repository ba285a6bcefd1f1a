package dexchange_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/dexchange"
	"github.com/cauripay/cauri/providers/dexchange/dexchangetest"
	"github.com/cauripay/cauri/providers/providertest"
)

// Opening a payment link against the emulator, paying it, and asking for
// the transaction's status.
func Example() {
	srv := dexchangetest.New()
	defer srv.Close()

	p, err := dexchange.New(dexchange.Config{
		APIKey:  srv.APIKey,
		BaseURL: srv.BaseURL(), // omit for the real API
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	co, err := p.CreateCheckout(ctx, cauri.CheckoutRequest{
		PaymentID: "pay_01",
		Order: cauri.Order{
			ID: "ord-42", Amount: 5000, Currency: "XOF", Description: "Pagne wax",
			Customer: cauri.Customer{FirstName: "Awa", LastName: "Diallo", Phone: "+221771234567"},
		},
		// The kit builds these; DEXCHANGE gets the return URL as both
		// successUrl and failureUrl.
		ReturnURL:   "https://shop.example/pay/return/dexchange/pay_01/token",
		CallbackURL: "https://shop.example/pay/webhooks/dexchange/pay_01/token",
	})
	fmt.Println("send the customer to the payment page:", strings.HasPrefix(co.RedirectURL, srv.URL+"/process/MID"), err)

	back, _ := srv.Act(ctx, co.RedirectURL, providertest.Pay)
	fmt.Println("back at:", back)

	u, err := p.FetchStatus(ctx, cauri.StatusQuery{PaymentID: "pay_01", ProviderRef: co.ProviderRef})
	fmt.Println(u.Status, u.Amount, u.Currency, u.Method, u.Authenticated, err)
	// Output:
	// send the customer to the payment page: true <nil>
	// back at: https://shop.example/pay/return/dexchange/pay_01/token
	// paid 5000 XOF OM_SN_CASHOUT true <nil>
}

// An unsigned notification, as DEXCHANGE documents them, is read but not
// believed: the kit confirms it with FetchStatus.
func ExampleProvider_ParseWebhook() {
	p, _ := dexchange.New(dexchange.Config{APIKey: "sk.test"})
	body := []byte(`{"id":"MID123456789","externalTransactionId":"pay_01","transactionType":"PAYMENT",` +
		`"AMOUNT":5000,"FEE":0,"PHONE_NUMBER":"771234567","STATUS":"SUCCESS","CUSTOM_DATA":"{}","COMPLETED_AT":"2024-03-20T10:35:00Z"}`)
	r := httptest.NewRequest(http.MethodPost, "/pay/webhooks/dexchange/pay_01/token", nil)
	u, err := p.ParseWebhook(r, body)
	fmt.Println(u.PaymentID, u.ProviderRef, u.Status, u.Amount, u.Currency, u.EventID, u.Authenticated, err)
	// Output: pay_01 MID123456789 paid 5000 XOF MID123456789:SUCCESS false <nil>
}

// Signing a notification in a test of one's own webhook endpoint, for an
// account whose notifications carry X-Webhook-Signature.
func ExampleSign() {
	body := []byte(`{"id":"MID123456789","externalTransactionId":"pay_01","AMOUNT":5000,"STATUS":"SUCCESS"}`)
	sig := dexchange.Sign("whsec_test", body)

	p, _ := dexchange.New(dexchange.Config{APIKey: "sk.test", WebhookSecrets: []string{"whsec_test"}})
	r := httptest.NewRequest(http.MethodPost, "/pay/webhooks/dexchange", nil)
	r.Header.Set(dexchange.SignatureHeader, sig)
	u, err := p.ParseWebhook(r, body)
	fmt.Println(u.Status, u.Amount, u.Authenticated, err)
	// Output: paid 5000 true <nil>
}

func ExampleMapStatus() {
	for _, raw := range []string{"PENDING", "PROCESSING", "SUCCESS", "FAILED", "CANCELLED", "EXPIRED", "success", "REVERSED"} {
		s, known := dexchange.MapStatus(raw)
		fmt.Println(raw, s, known)
	}
	// Output:
	// PENDING pending true
	// PROCESSING pending true
	// SUCCESS paid true
	// FAILED failed true
	// CANCELLED cancelled true
	// EXPIRED expired true
	// success paid true
	// REVERSED pending false
}
