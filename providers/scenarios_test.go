// Package providers_test runs the scenario suite against every provider's
// emulator: one test per provider and scenario.
package providers_test

import (
	"testing"

	"github.com/cauripay/cauri/providers/dexchange/dexchangetest"
	"github.com/cauripay/cauri/providers/dexpay/dexpaytest"
	"github.com/cauripay/cauri/providers/moneroo/monerootest"
	"github.com/cauripay/cauri/providers/moneyfusion/moneyfusiontest"
	"github.com/cauripay/cauri/providers/novasend/novasendtest"
	"github.com/cauripay/cauri/providers/paydunya/paydunyatest"
	"github.com/cauripay/cauri/providers/providertest"
)

func TestScenarios(t *testing.T) {
	emulators := []struct {
		name string
		new  func(t *testing.T) providertest.Emulator
	}{
		{"moneroo", func(*testing.T) providertest.Emulator { return monerootest.New() }},
		{"dexchange", func(*testing.T) providertest.Emulator { return dexchangetest.New() }},
		// Notifications signed as DexPay's community code shows, and the
		// OpenAPI's nested get-link answer.
		{"dexchange-signed-nested", func(*testing.T) providertest.Emulator {
			return dexchangetest.New(dexchangetest.WithWebhookSecret("whsec_suite_0123456789"), dexchangetest.WithNestedLinkResponse())
		}},
		// Signed notifications in the WooCommerce plugin's spelling.
		{"dexpay", func(*testing.T) providertest.Emulator { return dexpaytest.New() }},
		// Unsigned notifications in the Node SDK README's spelling, amounts
		// as strings: every notification is confirmed by the lookup.
		{"dexpay-unsigned-sdk-events", func(*testing.T) providertest.Emulator {
			return dexpaytest.New(dexpaytest.WithoutWebhookSignature(), dexpaytest.WithSDKEvents(), dexpaytest.WithStringAmounts())
		}},
		// The legacy signature header, flat answers as the SDK types them,
		// and a sandbox_payment_url to send the customer to.
		{"dexpay-legacy-flat-sandbox-url", func(*testing.T) providertest.Emulator {
			return dexpaytest.New(dexpaytest.WithLegacySignatureHeader(), dexpaytest.WithFlatAnswers(), dexpaytest.WithSandboxPaymentURL())
		}},
		{"moneyfusion", func(*testing.T) providertest.Emulator { return moneyfusiontest.New() }},
		// MoneyFusion's docs disagree on whether Montant includes the fee.
		{"moneyfusion-gross-montant", func(*testing.T) providertest.Emulator {
			return moneyfusiontest.New(moneyfusiontest.WithGrossMontant())
		}},
		{"novasend", func(*testing.T) providertest.Emulator { return novasendtest.New() }},
		// Notifications carrying transaction.status, believed once signed.
		{"novasend-transaction-in-webhooks", func(*testing.T) providertest.Emulator {
			return novasendtest.New(novasendtest.WithTransactionInWebhooks())
		}},
		{"paydunya", func(*testing.T) providertest.Emulator { return paydunyatest.New() }},
	}
	for _, em := range emulators {
		t.Run(em.name, func(t *testing.T) { providertest.Run(t, em.new) })
	}
}
