package paydunya_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/paydunya"
	"github.com/cauripay/cauri/providers/paydunya/paydunyatest"
	"github.com/cauripay/cauri/providers/providertest"
)

// Opening a checkout invoice against the emulator, paying it, and
// confirming it. PayDunya names the merchant's store on the invoice and
// sends the customer back with the invoice's token.
func Example() {
	srv := paydunyatest.New()
	defer srv.Close()
	p, err := paydunya.New(paydunya.Config{
		MasterKey: srv.MasterKey, PrivateKey: srv.Sandbox.PrivateKey, Token: srv.Sandbox.Token,
		Store:   paydunya.Store{Name: "Boutique Awa"},
		BaseURL: srv.BaseURL(), // omit for the real sandbox
	})
	if err != nil {
		log.Fatal(err)
	}

	ctx := context.Background()
	order := cauri.Order{ID: "ord-42", Amount: 5000, Currency: "XOF", Description: "Pagne wax"}
	co, err := p.CreateCheckout(ctx, cauri.CheckoutRequest{PaymentID: "pay_01", Order: order,
		ReturnURL: "https://shop.example/pay/return/paydunya/pay_01/tok"})
	fmt.Println("send the customer to the hosted page:", strings.HasPrefix(co.RedirectURL, srv.URL+"/sandbox-checkout/invoice/"), err)

	back, _ := srv.Act(ctx, co.RedirectURL, providertest.Pay)
	u, _ := url.Parse(back)
	fmt.Println("back with the invoice token:", paydunya.ReturnToken(u.Query()) == co.ProviderRef)
	st, err := p.FetchStatus(ctx, cauri.StatusQuery{PaymentID: "pay_01", ProviderRef: co.ProviderRef})
	fmt.Println(st.Status, st.Amount, st.Currency, st.PaymentID, st.Authenticated, err)
	// Output:
	// send the customer to the hosted page: true <nil>
	// back with the invoice token: true
	// paid 5000 XOF pay_01 true <nil>
}

// Posting an IPN of one's own in a test of a webhook endpoint: data[hash]
// is the SHA-512 of the master key. Even with the right hash the update is
// not authenticated: the kit confirms it with PayDunya first.
func ExampleHash() {
	const masterKey = "wQzk9ZwR-Qq9m-0hD0-zpud-je5coGC3FHKW"
	body := url.Values{
		"data[hash]":                          {paydunya.Hash(masterKey)},
		"data[status]":                        {"completed"},
		"data[invoice][token]":                {"test_jkEdPY8SuG"},
		"data[invoice][total_amount]":         {"5000"},
		"data[custom_data][cauri_payment_id]": {"pay_01"},
	}.Encode()

	p, _ := paydunya.New(paydunya.Config{MasterKey: masterKey, PrivateKey: "test_private_x", Token: "t", Store: paydunya.Store{Name: "S"}})
	r := httptest.NewRequest(http.MethodPost, "/pay/webhooks/paydunya", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	u, err := p.ParseWebhook(r, []byte(body))
	fmt.Println(u.Status, u.Amount, u.PaymentID, u.EventID, u.Authenticated, err)
	// Output: paid 5000 pay_01 test_jkEdPY8SuG:completed false <nil>
}

// Sending 4500 FCFA to another PayDunya account, credited at once, then
// 2000 FCFA to an Orange Money wallet, which its operator settles later and
// CheckPayout then reports.
func ExampleProvider_Payout() {
	srv := paydunyatest.New()
	defer srv.Close()
	p := srv.Provider().(*paydunya.Provider)
	ctx := context.Background()

	res, err := p.Payout(ctx, cauri.PayoutRequest{
		Key: "supplier-2024-06", Account: "771111111", Amount: 4500, Currency: "XOF",
	})
	fmt.Println(res.Status, err)

	res, err = p.Payout(ctx, cauri.PayoutRequest{
		Key: "refund-42", Account: "771111111", Amount: 2000, Currency: "XOF", Method: "orange-money-senegal",
	})
	fmt.Println(res.Status, err)
	_ = srv.SettleDisbursement(res.ProviderRef, paydunyatest.DisburseSuccess) // the operator paid
	res, err = p.CheckPayout(ctx, res.ProviderRef)
	fmt.Println(res.Status, err)
	// Output:
	// succeeded <nil>
	// pending <nil>
	// succeeded <nil>
}
