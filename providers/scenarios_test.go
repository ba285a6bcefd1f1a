// Package providers_test runs the scenario suite against every provider's
// emulator, and against the documented forms a provider's default
// emulator does not send: one test per emulator and scenario.
package providers_test

import (
	"testing"

	"github.com/cauripay/cauri/providers/dexchange/dexchangetest"
	"github.com/cauripay/cauri/providers/dexpay/dexpaytest"
	"github.com/cauripay/cauri/providers/emulators"
	"github.com/cauripay/cauri/providers/moneyfusion/moneyfusiontest"
	"github.com/cauripay/cauri/providers/novasend/novasendtest"
	"github.com/cauripay/cauri/providers/providertest"
)

func TestScenarios(t *testing.T) {
	for _, p := range emulators.All() {
		t.Run(p.Name, func(t *testing.T) {
			providertest.Run(t, func(*testing.T) providertest.Emulator { return p.Start().Emulator })
		})
	}
	// The documented forms the default emulators do not send.
	variants := []struct {
		name string
		new  func(t *testing.T) providertest.Emulator
	}{
		// Notifications signed as DexPay's community code shows, and the
		// OpenAPI's nested get-link answer.
		{"dexchange-signed-nested", func(*testing.T) providertest.Emulator {
			return dexchangetest.New(dexchangetest.WithWebhookSecret("whsec_suite_0123456789"), dexchangetest.WithNestedLinkResponse())
		}},
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
		// MoneyFusion's docs disagree on whether Montant includes the fee.
		{"moneyfusion-gross-montant", func(*testing.T) providertest.Emulator {
			return moneyfusiontest.New(moneyfusiontest.WithGrossMontant())
		}},
		// Notifications carrying transaction.status, believed once signed.
		{"novasend-transaction-in-webhooks", func(*testing.T) providertest.Emulator {
			return novasendtest.New(novasendtest.WithTransactionInWebhooks())
		}},
		// Bodies written as the documentation's sample ("\/" in URLs) and
		// signed as its check reads them (JSON.stringify of the parsed
		// body), carrying transaction.status: believed.
		{"novasend-escaped-stringified", func(*testing.T) providertest.Emulator {
			return novasendtest.New(novasendtest.WithTransactionInWebhooks(), novasendtest.WithEscapedWebhooks(), novasendtest.WithStringifiedSignature())
		}},
	}
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) { providertest.Run(t, v.new) })
	}
}
