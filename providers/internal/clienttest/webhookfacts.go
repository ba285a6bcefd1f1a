package clienttest

import (
	"context"
	"strings"
	"testing"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/dexchange/dexchangetest"
	"github.com/cauripay/cauri/providers/dexpay"
	"github.com/cauripay/cauri/providers/dexpay/dexpaytest"
	"github.com/cauripay/cauri/providers/moneroo/monerootest"
	"github.com/cauripay/cauri/providers/moneyfusion/moneyfusiontest"
	"github.com/cauripay/cauri/providers/novasend/novasendtest"
	"github.com/cauripay/cauri/providers/paydunya/paydunyatest"
	"github.com/cauripay/cauri/providers/providertest"
)

// outcomes are the notifications of the three customer's actions that
// end a payment as most providers send them: one each, with the status
// the action gives, authenticated or not.
func outcomes(authenticated bool) []WebhookAction {
	return []WebhookAction{
		{Action: providertest.Pay, Want: []cauri.Status{cauri.StatusPaid}, Authenticated: authenticated},
		{Action: providertest.Fail, Want: []cauri.Status{cauri.StatusFailed}, Authenticated: authenticated},
		{Action: providertest.Cancel, Want: []cauri.Status{cauri.StatusCancelled}, Authenticated: authenticated},
	}
}

// eventIDByRaw checks an event ID that is the provider's reference and
// the raw status, colon separated.
func eventIDByRaw(t *testing.T, n WebhookStep) {
	t.Helper()
	if want := n.Checkout.ProviderRef + ":" + n.Update.RawStatus; n.Update.EventID != want {
		t.Errorf("%s: event ID %q, want %q", n.Action, n.Update.EventID, want)
	}
}

func dexchangeWebhooks() []WebhookVariant {
	const secret = "whsec_emulator"
	return []WebhookVariant{
		// Unsigned, as documented: claims the kit confirms.
		{Name: "unsigned", New: func() Emulator { return dexchangetest.New() },
			Actions: outcomes(false), Check: eventIDByRaw},
		{Name: "signed", New: func() Emulator { return dexchangetest.New(dexchangetest.WithWebhookSecret(secret)) },
			Actions: outcomes(true), ForgeryRefused: true, Check: eventIDByRaw},
	}
}

func dexpayWebhooks() []WebhookVariant {
	variant := func(name, header string, opts ...dexpaytest.Option) WebhookVariant {
		signed := header != ""
		hasHeader := func(t *testing.T, n Notification) {
			t.Helper()
			if signed && n.Header.Get(header) == "" {
				t.Errorf("notification without %s", header)
			}
		}
		return WebhookVariant{
			Name: name, New: func() Emulator { return dexpaytest.New(opts...) },
			Actions:        []WebhookAction{{Action: providertest.Pay, Want: []cauri.Status{cauri.StatusPaid}, Authenticated: signed}},
			ForgeryRefused: signed,
			Check:          func(t *testing.T, n WebhookStep) { hasHeader(t, n.Notification) },
			// A refund of the paid checkout is notified too.
			After: func(t *testing.T, h *WebhookHarness) {
				paid := h.Checkouts[providertest.Pay]
				n := len(h.Shop.Notifications())
				if err := h.Emulator.(*dexpaytest.Server).Refund(context.Background(), paid.Request.PaymentID); err != nil {
					t.Fatal(err)
				}
				got := h.Shop.Since(n)
				if len(got) != 1 {
					t.Fatalf("%d refund notifications, want 1", len(got))
				}
				u := got[0].Update
				if got[0].Err != nil || u.PaymentID != paid.Request.PaymentID || u.Status != cauri.StatusRefunded ||
					u.Amount != 5000 || u.Currency != "XOF" || u.Authenticated != signed {
					t.Errorf("refund: %+v %v", u, got[0].Err)
				}
				hasHeader(t, got[0])
			},
		}
	}
	return []WebhookVariant{
		variant("signed", dexpay.SignatureHeader),
		variant("legacy header", dexpay.LegacySignatureHeader, dexpaytest.WithLegacySignatureHeader()),
		variant("SDK events, string amounts", dexpay.SignatureHeader, dexpaytest.WithSDKEvents(), dexpaytest.WithStringAmounts()),
		variant("unsigned", "", dexpaytest.WithoutWebhookSignature()),
		variant("live", dexpay.SignatureHeader, dexpaytest.WithMode(dexpay.Live)),
	}
}

func monerooWebhooks() []WebhookVariant {
	return []WebhookVariant{{Name: "signed", New: func() Emulator { return monerootest.New() },
		Actions: outcomes(true), ForgeryRefused: true}}
}

func moneyfusionWebhooks() []WebhookVariant {
	return []WebhookVariant{{
		Name: "unsigned", New: func() Emulator { return moneyfusiontest.New() },
		// A payment attempt is notified pending first; a failed one ends
		// cancelled.
		Actions: []WebhookAction{
			{Action: providertest.Pay, Want: []cauri.Status{cauri.StatusPending, cauri.StatusPaid}},
			{Action: providertest.Fail, Want: []cauri.Status{cauri.StatusPending, cauri.StatusCancelled}},
			{Action: providertest.Cancel, Want: []cauri.Status{cauri.StatusCancelled}},
		},
		// The notifications state MoneyFusion's fee, and an event ID that
		// ends with the token.
		Check: func(t *testing.T, n WebhookStep) {
			if n.Update.Fee != 150 || !strings.HasSuffix(n.Update.EventID, ":"+n.Checkout.ProviderRef) {
				t.Errorf("%s #%d: fee %d, event ID %q", n.Action, n.Index, n.Update.Fee, n.Update.EventID)
			}
		},
	}}
}

func novasendWebhooks() []WebhookVariant {
	// raw is the raw status (status/confirmation/transaction) each action
	// leaves in the notification, with or without the transaction in it.
	variant := func(name string, withTx bool, opts ...novasendtest.Option) WebhookVariant {
		raw := map[providertest.Action]string{
			providertest.Pay:    "processed/accepted/completed",
			providertest.Fail:   "processed/accepted/failed",
			providertest.Cancel: "processing/declined/",
		}
		pay, fail := cauri.StatusPaid, cauri.StatusFailed
		if !withTx {
			// The documented body has no transaction: the state so far.
			raw[providertest.Pay], raw[providertest.Fail] = "processed/accepted/", "processed/accepted/"
			pay, fail = cauri.StatusPending, cauri.StatusPending
		}
		return WebhookVariant{
			Name: name, New: func() Emulator { return novasendtest.New(opts...) },
			Actions: []WebhookAction{
				{Action: providertest.Pay, Want: []cauri.Status{pay}, Authenticated: withTx},
				{Action: providertest.Fail, Want: []cauri.Status{fail}, Authenticated: withTx},
				{Action: providertest.Cancel, Want: []cauri.Status{cauri.StatusFailed}},
			},
			// The payin is named by the shop's reference; the event ID is
			// the provider's and the raw status.
			NoProviderRef: true, MoneyIfAuthenticated: true,
			Check: func(t *testing.T, n WebhookStep) {
				if want := raw[n.Action]; n.Update.RawStatus != want || n.Update.EventID != n.Checkout.ProviderRef+":"+want {
					t.Errorf("%s: raw status %q, event ID %q; want %q", n.Action, n.Update.RawStatus, n.Update.EventID, want)
				}
			},
		}
	}
	return []WebhookVariant{
		variant("documented body", false),
		variant("transaction in body", true, novasendtest.WithTransactionInWebhooks()),
	}
}

func paydunyaWebhooks() []WebhookVariant {
	return []WebhookVariant{{
		Name: "IPN", New: func() Emulator { return paydunyatest.New() },
		Actions: outcomes(false), ForgeryRefused: true,
		// Each IPN goes to its payment's callback URL, and the
		// confirmation the kit makes agrees with it.
		Check: func(t *testing.T, n WebhookStep) {
			eventIDByRaw(t, n)
			if want := "/pay/webhooks/paydunya/" + n.Request.PaymentID + "/tok"; n.Path != want {
				t.Errorf("%s: IPN at %s, want %s", n.Action, n.Path, want)
			}
			u, err := n.Emulator.Provider().FetchStatus(context.Background(), cauri.StatusQuery{PaymentID: n.Request.PaymentID, ProviderRef: n.Checkout.ProviderRef})
			if err != nil || u.Status != n.Update.Status {
				t.Errorf("%s: confirm %+v %v", n.Action, u, err)
			}
		},
		// Without a callback URL, the IPN goes to the dashboard's.
		After: func(t *testing.T, h *WebhookHarness) {
			o := h.Open(t, "pay_wh_dash", func(r *cauri.CheckoutRequest) { r.CallbackURL = "" })
			n := len(h.Shop.Notifications())
			if _, err := h.Emulator.Act(context.Background(), o.Checkout.RedirectURL, providertest.Pay); err != nil {
				t.Fatal(err)
			}
			got := h.Shop.Since(n)
			if len(got) != 1 || got[0].Path != "/dashboard" {
				t.Errorf("IPNs without callback_url: %+v", got)
			}
		},
	}}
}
