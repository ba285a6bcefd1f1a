package novasend_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/novasend"
	"github.com/cauripay/cauri/providers/novasend/novasendtest"
	"github.com/cauripay/cauri/providers/providertest"
)

// Opening a payin session against the emulator, paying it, and asking for
// the payment's status. NovaSend wants the payer's phone and country, and
// reports a status in three words: the session's, its confirmation's and
// its transaction's.
func Example() {
	srv := novasendtest.New()
	defer srv.Close()
	p, err := novasend.New(novasend.Config{
		APIKey: srv.APIKey, APIClient: srv.APIClient, AccountID: srv.AccountID,
		WebhookSecrets: []string{srv.WebhookSecret},
		BaseURL:        srv.BaseURL(), // omit for the real API
	})
	if err != nil {
		log.Fatal(err)
	}

	ctx := context.Background()
	const id = "pay_0123456789abcdefghijklmnop"
	awa := cauri.Customer{FirstName: "Awa", LastName: "Diallo", Phone: "+2250701020304", Country: "CI"}
	order := cauri.Order{ID: "ord-42", Amount: 5000, Currency: "XOF", Customer: awa}
	co, err := p.CreateCheckout(ctx, cauri.CheckoutRequest{PaymentID: id, Order: order,
		ReturnURL: "https://shop.example/pay/return/novasend/" + id + "/token"})
	fmt.Println("send the customer to paymentUrl:", strings.HasPrefix(co.RedirectURL, srv.URL+"/link/"), err)

	back, _ := srv.Act(ctx, co.RedirectURL, providertest.Pay)
	fmt.Println("back at action.successUrl:", strings.HasPrefix(back, "https://shop.example/pay/return/novasend/"))
	u, err := p.FetchStatus(ctx, cauri.StatusQuery{PaymentID: id, ProviderRef: co.ProviderRef})
	fmt.Println(u.Status, u.RawStatus, u.Amount, u.Currency, u.PaymentID, err)
	// Output:
	// send the customer to paymentUrl: true <nil>
	// back at action.successUrl: true
	// paid processed/accepted/completed 5000 XOF pay_0123456789abcdefghijklmnop <nil>
}

// Signing a notification in a test of one's own webhook endpoint. The
// documented body carries no transaction, so even a signed one is only a
// signal: the kit confirms it with the status endpoint.
func ExampleSign() {
	p, _ := novasend.New(novasend.Config{APIKey: "pk_test", APIClient: "sk_test", AccountID: "merchant_test", WebhookSecrets: []string{"whsec_test"}})
	for _, body := range []string{
		`{"id":"tr_1","type":"payin","reference":"pay_1","status":"processed","confirmationStatus":"accepted"}`,
		`{"id":"tr_1","type":"payin","reference":"pay_1","status":"processed","confirmationStatus":"accepted",` +
			`"transaction":{"status":"completed","amount":"5000.00","currency":"XOF"}}`,
	} {
		r := httptest.NewRequest(http.MethodPost, "/pay/webhooks/novasend", nil)
		r.Header.Set(novasend.SignatureHeader, novasend.Sign("whsec_test", []byte(body)))
		u, err := p.ParseWebhook(r, []byte(body))
		fmt.Println(u.Status, u.Amount, u.Authenticated, err)
	}
	// Output:
	// pending 0 false <nil>
	// paid 5000 true <nil>
}

// NovaSend's request names the payer's country, not a currency.
func ExampleCurrencyOf() {
	for _, country := range []string{"CI", "CM", "GH"} {
		cur, ok := novasend.CurrencyOf(country)
		fmt.Println(country, cur, ok)
	}
	// Output:
	// CI XOF true
	// CM XAF true
	// GH  false
}
