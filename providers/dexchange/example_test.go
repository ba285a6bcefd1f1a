package dexchange_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/dexchange"
	"github.com/cauripay/cauri/providers/dexchange/dexchangetest"
	"github.com/cauripay/cauri/providers/providertest"
)

// Opening a payment link against the emulator, paying it, and asking for
// the transaction's status. DEXCHANGE wants the payer's phone, and gets
// the return URL as both successUrl and failureUrl.
func Example() {
	srv := dexchangetest.New()
	defer srv.Close()
	// Without BaseURL, the client calls the real API.
	p, err := dexchange.New(dexchange.Config{APIKey: srv.APIKey, BaseURL: srv.BaseURL()})
	if err != nil {
		log.Fatal(err)
	}

	ctx := context.Background()
	order := cauri.Order{ID: "ord-42", Amount: 5000, Currency: "XOF", Customer: cauri.Customer{Phone: "+221771234567"}}
	co, err := p.CreateCheckout(ctx, cauri.CheckoutRequest{PaymentID: "pay_01", Order: order,
		ReturnURL:   "https://shop.example/pay/return/dexchange/pay_01/token",   // the kit builds these two
		CallbackURL: "https://shop.example/pay/webhooks/dexchange/pay_01/token", // with the payment's token
	})
	fmt.Println("send the customer to the payment page:", strings.HasPrefix(co.RedirectURL, srv.URL+"/process/MID"), err)

	back, _ := srv.Act(ctx, co.RedirectURL, providertest.Pay)
	u, err := p.FetchStatus(ctx, cauri.StatusQuery{PaymentID: "pay_01", ProviderRef: co.ProviderRef})
	fmt.Println("back at:", back)
	fmt.Println(u.Status, u.Amount, u.Currency, u.Method, u.Authenticated, err)
	// Output:
	// send the customer to the payment page: true <nil>
	// back at: https://shop.example/pay/return/dexchange/pay_01/token
	// paid 5000 XOF OM_SN_CASHOUT true <nil>
}

// An unsigned notification, as DEXCHANGE documents them, is read but not
// believed: the kit confirms it with FetchStatus. For an account whose
// notifications carry X-Webhook-Signature, one that verifies under a
// configured secret is believed; Sign makes one for a test of one's own
// webhook endpoint.
func ExampleProvider_ParseWebhook() {
	p, _ := dexchange.New(dexchange.Config{APIKey: "sk.test", WebhookSecrets: []string{"whsec_test"}})
	body := []byte(`{"id":"MID123456789","externalTransactionId":"pay_01","transactionType":"PAYMENT",` +
		`"AMOUNT":5000,"FEE":0,"PHONE_NUMBER":"771234567","STATUS":"SUCCESS","CUSTOM_DATA":"{}","COMPLETED_AT":"2024-03-20T10:35:00Z"}`)
	r := httptest.NewRequest(http.MethodPost, "/pay/webhooks/dexchange/pay_01/token", nil)
	u, err := p.ParseWebhook(r, body)
	fmt.Println(u.PaymentID, u.ProviderRef, u.Status, u.Amount, u.Currency, u.EventID, u.Authenticated, err)

	r.Header.Set(dexchange.SignatureHeader, dexchange.Sign("whsec_test", body))
	u, err = p.ParseWebhook(r, body)
	fmt.Println("signed:", u.Status, u.Amount, u.Authenticated, err)
	// Output:
	// pay_01 MID123456789 paid 5000 XOF MID123456789:SUCCESS false <nil>
	// signed: paid 5000 true <nil>
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
