package clienttest

import (
	"fmt"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/dexchange"
	"github.com/cauripay/cauri/providers/dexchange/dexchangetest"
	"github.com/cauripay/cauri/providers/dexpay"
	"github.com/cauripay/cauri/providers/dexpay/dexpaytest"
	"github.com/cauripay/cauri/providers/emulators"
	"github.com/cauripay/cauri/providers/moneroo"
	"github.com/cauripay/cauri/providers/moneroo/monerootest"
	"github.com/cauripay/cauri/providers/moneyfusion"
	"github.com/cauripay/cauri/providers/moneyfusion/moneyfusiontest"
	"github.com/cauripay/cauri/providers/novasend"
	"github.com/cauripay/cauri/providers/novasend/novasendtest"
	"github.com/cauripay/cauri/providers/paydunya"
	"github.com/cauripay/cauri/providers/paydunya/paydunyatest"
	"github.com/cauripay/cauri/providers/providertest"
)

// Providers returns the facts of every provider under providers/, one
// entry each, by name: its name, emulator and MapStatus from
// emulators.All, and the facts below. It panics for a provider the table
// has no facts for, or that All does not list.
func Providers() map[string]Facts {
	facts := map[string]Facts{
		"dexchange": {
			Secret: func(em Emulator) string { return em.(*dexchangetest.Server).APIKey },
			Refused: func(em Emulator) (cauri.Provider, string) {
				cfg := em.(*dexchangetest.Server).Config()
				cfg.APIKey = "sk.test.wrong"
				return must(dexchange.New(cfg)), cfg.APIKey
			},
			StatusWords: map[cauri.Status][]string{
				cauri.StatusPending:   {"PENDING", "INITIATED", "PROCESSING", "pending", "processing"},
				cauri.StatusPaid:      {"SUCCESS", "success", " Success "},
				cauri.StatusFailed:    {"FAILED", "failed"},
				cauri.StatusCancelled: {"CANCELLED", "Cancelled"},
				cauri.StatusExpired:   {"EXPIRED", "expired"},
			},
			OtherWords: []string{"", "SUCCESSFUL", "COMPLETED", "PAID", "CANCELED", "REFUNDED", "SUCCESS!"},
			Outcomes: map[providertest.Action]cauri.Update{
				Unpaid:              {Status: cauri.StatusPending, RawStatus: "PENDING", Amount: 5000, Currency: "XOF"},
				providertest.Pay:    {Status: cauri.StatusPaid, RawStatus: "SUCCESS", Amount: 5000, Currency: "XOF", Method: "OM_SN_CASHOUT"},
				providertest.Fail:   {Status: cauri.StatusFailed, RawStatus: "FAILED", Amount: 5000, Currency: "XOF", Method: "OM_SN_CASHOUT"},
				providertest.Cancel: {Status: cauri.StatusCancelled, RawStatus: "CANCELLED", Amount: 5000, Currency: "XOF"},
			},
			// DEXCHANGE's transaction gives no externalTransactionId back.
			StatusOmitsPaymentID: true,
			AuthFailure:          Failure{Status: 401, Message: "Invalid API key"},
			StatusAuthFailure:    &Failure{Status: 401, Message: "Invalid API key"},
			UnknownRef:           "MID000000000",
			NotFound:             Failure{Status: 404, Message: "No transaction found"},
			AtURL: func(base string) cauri.Provider {
				return must(dexchange.New(dexchange.Config{APIKey: "sk.test.1", BaseURL: base + "/api/v1/"}))
			},
			Webhooks:  dexchangeWebhooks(),
			refSecret: dexchangeRefSecret(),
		},
		"dexpay": {
			// DEXPAY serves Senegal: a Senegalese number.
			Order:  func(o *cauri.Order) { o.Customer.Phone, o.Customer.Country = "+221771234567", "SN" },
			Secret: func(em Emulator) string { return em.(*dexpaytest.Server).APISecret },
			Refused: func(em Emulator) (cauri.Provider, string) {
				cfg := em.(*dexpaytest.Server).Config()
				cfg.APISecret = "sk_test_wrong"
				return must(dexpay.New(cfg)), cfg.APISecret
			},
			StatusWords: map[cauri.Status][]string{
				cauri.StatusPending:   {"INITIATED", "PENDING", "PROCESSING"},
				cauri.StatusPaid:      {"COMPLETED", "completed"},
				cauri.StatusFailed:    {"FAILED"},
				cauri.StatusCancelled: {"CANCELLED"},
				cauri.StatusExpired:   {"EXPIRED"},
				cauri.StatusRefunded:  {"REFUNDED", " Refunded "},
			},
			OtherWords: []string{"", "SUCCESS", "PAID", "CANCELED", "COMPLETED!", "PARTIALLY_REFUNDED"},
			Outcomes: map[providertest.Action]cauri.Update{
				Unpaid:              {Status: cauri.StatusPending, RawStatus: "PENDING", Amount: 5000, Currency: "XOF"},
				providertest.Pay:    {Status: cauri.StatusPaid, RawStatus: "COMPLETED", Amount: 5000, Currency: "XOF", Method: "wave"},
				providertest.Fail:   {Status: cauri.StatusFailed, RawStatus: "FAILED", Amount: 5000, Currency: "XOF", Method: "wave"},
				providertest.Cancel: {Status: cauri.StatusCancelled, RawStatus: "CANCELLED", Amount: 5000, Currency: "XOF"},
			},
			AuthFailure:       Failure{Status: 401},
			StatusAuthFailure: &Failure{Status: 401},
			UnknownRef:        "pay_nope",
			NotFound:          Failure{Status: 404},
			AtURL: func(base string) cauri.Provider {
				return must(dexpay.New(dexpay.Config{APIKey: "pk_test_1", APISecret: "sk_test_1", BaseURL: base + "/api/v1"}))
			},
			Webhooks: dexpayWebhooks(),
		},
		"moneroo": {
			Secret: func(em Emulator) string { return em.(*monerootest.Server).SecretKey },
			Refused: func(em Emulator) (cauri.Provider, string) {
				cfg := em.(*monerootest.Server).Config()
				cfg.SecretKey = "sk_test_wrong"
				return must(moneroo.New(cfg)), cfg.SecretKey
			},
			StatusWords: map[cauri.Status][]string{
				cauri.StatusPending:   {"initiated", "pending"},
				cauri.StatusPaid:      {"success", " success "},
				cauri.StatusFailed:    {"failed"},
				cauri.StatusCancelled: {"cancelled"},
			},
			OtherWords: []string{"", "SUCCESS", "successful", "paid", "canceled", "expired", "refunded"},
			Outcomes: map[providertest.Action]cauri.Update{
				Unpaid:           {Status: cauri.StatusPending, RawStatus: "initiated", Amount: 5000, Currency: "XOF"},
				providertest.Pay: {Status: cauri.StatusPaid, RawStatus: "success", Amount: 5000, Currency: "XOF", Method: "wave_ci"},
				providertest.Fail: {Status: cauri.StatusFailed, RawStatus: "failed", Amount: 5000, Currency: "XOF", Method: "wave_ci",
					FailureReason: "The customer's balance is insufficient."},
				providertest.Cancel: {Status: cauri.StatusCancelled, RawStatus: "cancelled", Amount: 5000, Currency: "XOF"},
			},
			AuthFailure:       Failure{Status: 401, Message: "Unauthenticated."},
			StatusAuthFailure: &Failure{Status: 401, Message: "Unauthenticated."},
			UnknownRef:        "nope",
			NotFound:          Failure{Status: 404},
			AtURL: func(base string) cauri.Provider {
				return must(moneroo.New(moneroo.Config{SecretKey: "sk", BaseURL: base}))
			},
			Webhooks:  monerooWebhooks(),
			refSecret: monerooRefSecret(),
		},
		"moneyfusion": {
			Secret: func(em Emulator) string { return em.(*moneyfusiontest.Server).Key },
			// The API URL is the only credential: a wrong key in it names a
			// merchant MoneyFusion does not know. The status lookup takes
			// none.
			Refused: func(em Emulator) (cauri.Provider, string) {
				s := em.(*moneyfusiontest.Server)
				cfg := s.Config()
				cfg.APIURL = s.URL + "/" + s.App + "/0000000000000000/pay/"
				return must(moneyfusion.New(cfg)), "0000000000000000"
			},
			StatusWords: map[cauri.Status][]string{
				cauri.StatusPending:   {"pending", "no paid", "payin.session.pending", "NO PAID"},
				cauri.StatusPaid:      {"paid", "payin.session.completed", " Paid ", "Payin.Session.Completed"},
				cauri.StatusFailed:    {"failure", "failed"},
				cauri.StatusCancelled: {"cancelled", "payin.session.cancelled"},
			},
			OtherWords: []string{"", "nopaid", "no  paid", "success", "completed", "canceled", "expired", "refunded", "payin.session.failed", "payout.session.completed"},
			Outcomes: map[providertest.Action]cauri.Update{
				Unpaid:            {Status: cauri.StatusPending, RawStatus: "pending", Amount: 5000, Currency: "XOF", Fee: 150},
				providertest.Pay:  {Status: cauri.StatusPaid, RawStatus: "paid", Amount: 5000, Currency: "XOF", Fee: 150, Method: "orange"},
				providertest.Fail: {Status: cauri.StatusFailed, RawStatus: "failure", Amount: 5000, Currency: "XOF", Fee: 150, Method: "orange"},
				// "no paid", as before anyone pays: the status alone cannot
				// tell a cancelled page (Confirm can, with the cancellation
				// notification).
				providertest.Cancel: {Status: cauri.StatusPending, RawStatus: "no paid", Amount: 5000, Currency: "XOF", Fee: 150},
			},
			AuthFailure: Failure{Status: 404, Message: "Marchand introuvable", Is: moneyfusion.ErrRefused},
			Refusal:     moneyfusion.ErrRefused,
			UnknownRef:  "nope",
			NotFound:    Failure{Status: 404, Message: "Paiement introuvable"},
			AtURL: func(base string) cauri.Provider {
				return must(moneyfusion.New(moneyfusion.Config{APIURL: base + "/Shop/5f3a9c0e1d2b4a67/pay/", StatusURL: base}))
			},
			Webhooks:  moneyfusionWebhooks(),
			refSecret: moneyfusionRefSecret(),
		},
		"novasend": {
			Secret: func(em Emulator) string { return em.(*novasendtest.Server).APIClient },
			Refused: func(em Emulator) (cauri.Provider, string) {
				cfg := em.(*novasendtest.Server).Config()
				cfg.APIClient = "sk_wrong"
				return must(novasend.New(cfg)), cfg.APIClient
			},
			StatusWords: map[cauri.Status][]string{
				cauri.StatusPending: {"processing", "processed", "none", "pending", "accepted"},
				cauri.StatusPaid:    {"completed", " COMPLETED "},
				cauri.StatusFailed:  {"failed", "declined"},
				cauri.StatusExpired: {"expired"},
			},
			OtherWords: []string{"", "success", "successful", "paid", "cancelled", "refunded"},
			Outcomes: map[providertest.Action]cauri.Update{
				Unpaid:           {Status: cauri.StatusPending, RawStatus: "processing/none/", Amount: 5000, Currency: "XOF", Fee: 100},
				providertest.Pay: {Status: cauri.StatusPaid, RawStatus: "processed/accepted/completed", Amount: 5000, Currency: "XOF", Fee: 100},
				providertest.Fail: {Status: cauri.StatusFailed, RawStatus: "processed/accepted/failed", Amount: 5000, Currency: "XOF", Fee: 100,
					FailureReason: "client_not_enough_cash: Insufficient client balance"},
				// Cancelling on the page is declining the payment.
				providertest.Cancel: {Status: cauri.StatusFailed, RawStatus: "processing/declined/", Amount: 5000, Currency: "XOF", Fee: 100,
					FailureReason: "payment_declined: The customer declined the payment"},
			},
			AuthFailure:       Failure{Status: 403, Message: "api_token_invalid: Invalid API credentials"},
			StatusAuthFailure: &Failure{Status: 403, Message: "api_token_invalid: Invalid API credentials"},
			UnknownRef:        "tr_nope",
			NotFound:          Failure{Status: 404, Message: "transaction_does_not_exist: Payment not found"},
			AtURL: func(base string) cauri.Provider {
				return must(novasend.New(novasend.Config{APIKey: "pk", APIClient: "sk", AccountID: "merchant_1", BaseURL: base}))
			},
			Webhooks: novasendWebhooks(),
		},
		"paydunya": {
			Secret: func(em Emulator) string { return em.(*paydunyatest.Server).MasterKey },
			// PayDunya refuses wrong keys with HTTP 200 and a response code.
			Refused: func(em Emulator) (cauri.Provider, string) {
				cfg := em.(*paydunyatest.Server).Config()
				cfg.MasterKey = "wrong-master-key"
				return must(paydunya.New(cfg)), cfg.MasterKey
			},
			StatusWords: map[cauri.Status][]string{
				cauri.StatusPending:   {"pending"},
				cauri.StatusPaid:      {"completed", " completed\n"},
				cauri.StatusFailed:    {"failed"},
				cauri.StatusCancelled: {"cancelled"},
			},
			OtherWords: []string{"", "COMPLETED", "complete", "success", "paid", "canceled", "expired", "refunded"},
			Outcomes: map[providertest.Action]cauri.Update{
				Unpaid:            {Status: cauri.StatusPending, RawStatus: "pending", Amount: 5000, Currency: "XOF"},
				providertest.Pay:  {Status: cauri.StatusPaid, RawStatus: "completed", Amount: 5000, Currency: "XOF"},
				providertest.Fail: {Status: cauri.StatusFailed, RawStatus: "failed", Amount: 5000, Currency: "XOF", FailureReason: "Card declined by the issuer"},
				providertest.Cancel: {Status: cauri.StatusCancelled, RawStatus: "cancelled", Amount: 5000, Currency: "XOF",
					FailureReason: "Payment cancelled by customer"},
			},
			AuthFailure:       Failure{Status: 200, Message: "Invalid Masterkey Specified (response_code 1001)"},
			StatusAuthFailure: &Failure{Status: 200, Message: "Invalid Masterkey Specified (response_code 1001)"},
			UnknownRef:        "test_nope",
			NotFound:          Failure{Status: 404, Message: "Invoice Not Found (response_code 1002)"},
			// Its server errors come as its web server's HTML pages.
			FaultMessages: map[int]string{429: "Too Many Requests (response_code 429)",
				500: "expected JSON, got text/html", 502: "expected JSON, got text/html", 503: "expected JSON, got text/html"},
			AtURL: func(base string) cauri.Provider {
				return must(paydunya.New(paydunyaConfig(base)))
			},
			Webhooks:  paydunyaWebhooks(),
			refSecret: paydunyaRefSecret(),
		},
	}
	for _, p := range emulators.All() {
		f, ok := facts[p.Name]
		if !ok {
			panic(fmt.Sprintf("clienttest: no facts for provider %q", p.Name))
		}
		f.Name, f.MapStatus = p.Name, p.MapStatus
		f.New = func() Emulator { return p.Start().Emulator }
		facts[p.Name] = f
	}
	for name, f := range facts {
		if f.New == nil {
			panic(fmt.Sprintf("clienttest: facts for %q, which emulators.All does not list", name))
		}
	}
	return facts
}

// Provider returns the facts of the provider named name; it panics for a
// provider the table does not hold, a mistake in a test.
func Provider(name string) Facts {
	f, ok := Providers()[name]
	if !ok {
		panic(fmt.Sprintf("clienttest: no facts for provider %q", name))
	}
	return f
}

// must returns p, or panics with err: the table's configurations are
// valid.
func must[P cauri.Provider](p P, err error) P {
	if err != nil {
		panic(fmt.Sprintf("clienttest: %v", err))
	}
	return p
}
