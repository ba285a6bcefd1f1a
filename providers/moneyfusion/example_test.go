package moneyfusion_test

import (
	"context"
	"fmt"
	"log"
	"net/url"
	"strings"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/moneyfusion"
	"github.com/cauripay/cauri/providers/moneyfusion/moneyfusiontest"
	"github.com/cauripay/cauri/providers/providertest"
)

// A payment through the emulator, from checkout to status. MoneyFusion
// wants the payer's name and phone, sends the customer back with the
// payment's token, and reports its fee.
func Example() {
	srv := moneyfusiontest.New()
	defer srv.Close()
	// APIURL is the merchant's URL from the dashboard; without StatusURL,
	// the client asks the real status endpoint.
	p, err := moneyfusion.New(moneyfusion.Config{APIURL: srv.APIURL, StatusURL: srv.URL})
	if err != nil {
		log.Fatal(err)
	}

	ctx := context.Background()
	order := cauri.Order{ID: "ord-42", Amount: 5000, Currency: "XOF",
		Customer: cauri.Customer{FirstName: "Awa", LastName: "Diallo", Phone: "+2250701020304"}}
	co, err := p.CreateCheckout(ctx, cauri.CheckoutRequest{PaymentID: "pay_01", Order: order,
		ReturnURL: "https://shop.example/pay/return/moneyfusion/pay_01/tok"})
	fmt.Println("send the customer to the hosted page:", strings.HasPrefix(co.RedirectURL, srv.URL+"/payment/"), err)

	back, _ := srv.Act(ctx, co.RedirectURL, providertest.Pay)
	u, _ := url.Parse(back)
	token, _ := moneyfusion.ReturnParams(u.Query())
	fmt.Println("back with the token:", token == co.ProviderRef)

	// Whether Montant includes the fee is read against the order's amount.
	st, err := p.FetchStatus(ctx, cauri.StatusQuery{ProviderRef: co.ProviderRef, Amount: order.Amount, Currency: order.Currency})
	fmt.Println(st.Status, st.Amount, st.Currency, "fee", st.Fee, st.PaymentID, err)
	// Output:
	// send the customer to the hosted page: true <nil>
	// back with the token: true
	// paid 5000 XOF fee 150 pay_01 <nil>
}

// A notification is only a hint: MoneyFusion signs nothing, so the kit
// asks the status endpoint before believing it.
func ExampleProvider_ParseWebhook() {
	p, _ := moneyfusion.New(moneyfusion.Config{APIURL: "https://www.pay.moneyfusion.net/MyShop/0123456789abcdef/pay/"})
	body := []byte(`{"event":"payin.session.completed","tokenPay":"Le4Cnmm1Ac9yTgZMKQbz","Montant":194,"frais":6,` +
		`"personal_Info":[{"cauri_payment_id":"pay_01"}]}`)
	u, err := p.ParseWebhook(nil, body)
	fmt.Println(u.Status, u.Amount, u.PaymentID, u.EventID, u.Authenticated, err)
	// Output: paid 200 pay_01 payin.session.completed:Le4Cnmm1Ac9yTgZMKQbz false <nil>
}

func ExampleMapStatus() {
	for _, raw := range []string{"paid", "failure", "failed", "no paid", "payin.session.cancelled", "refunded"} {
		s, known := moneyfusion.MapStatus(raw)
		fmt.Println(raw, "→", s, known)
	}
	// Output:
	// paid → paid true
	// failure → failed true
	// failed → failed true
	// no paid → pending true
	// payin.session.cancelled → cancelled true
	// refunded → pending false
}
