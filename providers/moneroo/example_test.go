package moneroo_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/moneroo"
	"github.com/cauripay/cauri/providers/moneroo/monerootest"
	"github.com/cauripay/cauri/providers/providertest"
)

// Opening a checkout against the emulator, paying it, and asking for the
// payment's status. Moneroo wants the customer's name and email, and
// finds the payment by its own reference alone.
func Example() {
	srv := monerootest.New()
	defer srv.Close()
	p, err := moneroo.New(moneroo.Config{
		SecretKey: srv.SecretKey, WebhookSecrets: []string{srv.WebhookSecret},
		BaseURL: srv.BaseURL(), // omit for the real API
	})
	if err != nil {
		log.Fatal(err)
	}

	ctx := context.Background()
	awa := cauri.Customer{FirstName: "Awa", LastName: "Diallo", Email: "awa@example.com"}
	order := cauri.Order{ID: "ord-42", Amount: 5000, Currency: "XOF", Customer: awa}
	co, err := p.CreateCheckout(ctx, cauri.CheckoutRequest{PaymentID: "pay_01", Order: order,
		ReturnURL: "https://shop.example/pay/return/moneroo?payment_id=pay_01"})
	fmt.Println("send the customer to the hosted page:", strings.HasPrefix(co.RedirectURL, srv.URL+"/checkout/"), err)

	back, _ := srv.Act(ctx, co.RedirectURL, providertest.Pay)
	fmt.Println("back with paymentStatus:", strings.Contains(back, "&paymentStatus=success"))
	u, err := p.FetchStatus(ctx, cauri.StatusQuery{ProviderRef: co.ProviderRef})
	fmt.Println(u.Status, u.Amount, u.Currency, u.PaymentID, err)
	// Output:
	// send the customer to the hosted page: true <nil>
	// back with paymentStatus: true
	// paid 5000 XOF pay_01 <nil>
}

// Signing a notification in a test of one's own webhook endpoint.
func ExampleSign() {
	body := []byte(`{"event":"payment.success","data":{"id":"k4su1ii7abdz","amount":200,"currency":"XOF","status":"success"}}`)
	sig := moneroo.Sign("whsec_test", body)

	p, _ := moneroo.New(moneroo.Config{SecretKey: "sk_test", WebhookSecrets: []string{"whsec_test"}})
	r := httptest.NewRequest(http.MethodPost, "/pay/webhooks/moneroo", nil)
	r.Header.Set(moneroo.SignatureHeader, sig)
	u, err := p.ParseWebhook(r, body)
	fmt.Println(u.Status, u.Amount, u.Authenticated, err)
	// Output: paid 200 true <nil>
}
