package clienttest

import (
	"log/slog"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/internal/secretcheck"
	"github.com/cauripay/cauri/providers/dexchange"
	"github.com/cauripay/cauri/providers/dexchange/dexchangetest"
	"github.com/cauripay/cauri/providers/moneroo"
	"github.com/cauripay/cauri/providers/moneroo/monerootest"
	"github.com/cauripay/cauri/providers/moneyfusion"
	"github.com/cauripay/cauri/providers/moneyfusion/moneyfusiontest"
	"github.com/cauripay/cauri/providers/paydunya"
	"github.com/cauripay/cauri/providers/paydunya/paydunyatest"
)

// The answers of a fake API that quote the path of the request (PATH),
// which holds the reference, in the provider's forms.
var (
	quoting500  = secretcheck.Answer{Name: "500 quoting the path", Status: 500, Body: `{"message":"PATH failed"}`}
	quotingHTML = secretcheck.Answer{Name: "garbage", Status: 200, Type: "text/html", Body: `<html>PATH</html>`}
)

// The transaction ID of DEXCHANGE is the path of its payment page.
func dexchangeRefSecret() *refSecret {
	return &refSecret{
		Logged: logged(dexchange.New, func(em Emulator) dexchange.Config { return em.(*dexchangetest.Server).Config() }),
		AtURL: logged(dexchange.New, func(base string) dexchange.Config {
			return dexchange.Config{APIKey: "sk.test.1", BaseURL: base + "/api/v1"}
		}),
		Ref: "MIDs3cr3t0042",
		Answers: []secretcheck.Answer{
			{Name: "404 quoting the path", Status: 404, Body: `{"success":false,"message":["No transaction at PATH"]}`},
			quoting500,
			{Name: "unsuccessful quoting the path", Status: 200, Body: `{"success":false,"message":"PATH refused"}`},
			quotingHTML,
			{Name: "another transaction", Status: 200, Body: `{"transaction":{"id":"PATH","STATUS":"SUCCESS","AMOUNT":5000}}`},
		},
		SetUnknown: func(em Emulator, ref string) error { return em.(*dexchangetest.Server).SetStatus(ref, "REVERSED") },
		Warning:    "unknown dexchange transaction status",
	}
}

// Moneroo's payment ID is the path of its checkout page.
func monerooRefSecret() *refSecret {
	return &refSecret{
		Logged: logged(moneroo.New, func(em Emulator) moneroo.Config { return em.(*monerootest.Server).Config() }),
		AtURL: logged(moneroo.New, func(base string) moneroo.Config {
			return moneroo.Config{SecretKey: "sk_test_1", BaseURL: base + "/v1"}
		}),
		Ref: "py_s3cr3t0042",
		Answers: []secretcheck.Answer{
			{Name: "404 quoting the path", Status: 404, Body: `{"message":"No payment at PATH","data":null,"errors":null}`},
			quoting500,
			quotingHTML,
			{Name: "another payment", Status: 200, Body: `{"data":{"id":"PATH","status":"success","amount":5000,"currency":"XOF"}}`},
		},
		SetUnknown: func(em Emulator, ref string) error { return em.(*monerootest.Server).SetStatus(ref, "reversed") },
		Warning:    "unknown moneroo payment status",
	}
}

// MoneyFusion's payment token is the path of its payment page, and reads
// the customer's name and phone.
func moneyfusionRefSecret() *refSecret {
	return &refSecret{
		Logged: logged(moneyfusion.New, func(em Emulator) moneyfusion.Config { return em.(*moneyfusiontest.Server).Config() }),
		AtURL: logged(moneyfusion.New, func(base string) moneyfusion.Config {
			return moneyfusion.Config{APIURL: base + "/Shop/5f3a9c0e1d2b4a67/pay/", StatusURL: base}
		}),
		Ref: "s3cr3tT0k3n0042",
		Answers: []secretcheck.Answer{
			{Name: "404 quoting the path", Status: 404, Body: `{"statut":false,"message":"PATH introuvable"}`},
			quoting500,
			{Name: "refused quoting the path", Status: 200, Body: `{"statut":false,"message":"PATH refused"}`},
			quotingHTML,
			{Name: "another payment", Status: 200, Body: `{"statut":true,"data":{"tokenPay":"PATH","statut":"paid","Montant":5000}}`},
		},
		SetUnknown: func(em Emulator, ref string) error { return em.(*moneyfusiontest.Server).SetStatus(ref, "reversed") },
		Warning:    "unknown moneyfusion payment status",
	}
}

// PayDunya's invoice token is the path of the invoice's page. Its
// warning of an unknown status is checked by its own tests, with its IPN.
func paydunyaRefSecret() *refSecret {
	return &refSecret{
		Logged:   logged(paydunya.New, func(em Emulator) paydunya.Config { return em.(*paydunyatest.Server).Config() }),
		AtURL:    logged(paydunya.New, paydunyaConfig),
		JSONLogs: true,
		Ref:      "test_S3cr3tT0k3n",
		Answers: []secretcheck.Answer{
			{Name: "404 quoting the path", Status: 404, Body: `{"response_code":"1002","response_text":"Invoice PATH Not Found"}`},
			{Name: "500 quoting the path", Status: 500, Body: `{"response_code":"500","response_text":"PATH failed"}`},
			{Name: "garbage", Status: 200, Type: "text/html", Body: `<html><body>Invoice PATH</body></html>`},
			{Name: "garbage claiming JSON", Status: 200, Body: `{"response_code":"00","status":PATH}`},
			{Name: "refusal quoting the path", Status: 200, Body: `{"response_code":"1001","response_text":"PATH: invalid"}`},
			{Name: "other mode", Status: 200, Body: `{"response_code":"00","status":"completed","mode":"live","invoice":{"token":"PATH"}}`},
			{Name: "another invoice", Status: 200, Body: `{"response_code":"00","status":"completed","invoice":{"token":"PATH"}}`},
			{Name: "bad amount", Status: 200, Body: `{"response_code":"00","status":"completed","invoice":{"total_amount":"PATH"}}`},
		},
	}
}

// logged returns how to build, of what names its configuration (an
// emulator, or the root of a fake API), a client whose configuration
// config gives and that logs to a logger.
func logged[At, C any, P cauri.Provider](newP func(C) (P, error), config func(At) C) func(At, *slog.Logger) cauri.Provider {
	return func(at At, l *slog.Logger) cauri.Provider {
		return must(newP(withLogger(config(at), l)))
	}
}

// paydunyaConfig is a sandbox configuration of a PayDunya API at base,
// with keys of the right form.
func paydunyaConfig(base string) paydunya.Config {
	return paydunya.Config{MasterKey: "wQzk9ZwR-Qq9m-0hD0-zpud-je5coGC3FHKW",
		PrivateKey: "test_private_rMIdJM3PLLhLjyArx9tF3VURAF5", Token: "IivOiOxGJuWhc5znlIiK",
		Store: paydunya.Store{Name: "Boutique Awa"}, BaseURL: base}
}
