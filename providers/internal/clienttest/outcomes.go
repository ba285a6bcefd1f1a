package clienttest

import (
	"context"
	"testing"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/providertest"
)

// Unpaid is the outcome of a checkout just opened, which nobody has acted
// on yet.
const Unpaid providertest.Action = ""

// tamper is what the outcome checks add to the amount the emulator
// reports of a paid checkout.
const tamper = -1000

// checkOutcomes opens a checkout for each of f.Outcomes, plays the action
// on its page and checks the update the status lookup then returns. A
// paid checkout whose emulator reports another amount is reported with
// that amount.
func checkOutcomes(t *testing.T, f Facts) {
	if len(f.Outcomes) == 0 {
		t.Skip("no outcome facts")
	}
	for a, want := range f.Outcomes {
		t.Run(string(outcomeName(a)), func(t *testing.T) {
			t.Parallel()
			if got, want := f.outcome(t, a, 0), f.wantOutcome(want); got != want {
				t.Errorf("update\n got %+v\nwant %+v", got, want)
			}
		})
	}
	t.Run("tampered", func(t *testing.T) {
		t.Parallel()
		want := f.wantOutcome(f.Outcomes[providertest.Pay])
		want.Amount += tamper
		if got := f.outcome(t, providertest.Pay, tamper); got != want {
			t.Errorf("update\n got %+v\nwant %+v", got, want)
		}
	})
}

// outcomeName names the outcome of a, Unpaid included.
func outcomeName(a providertest.Action) providertest.Action {
	if a == Unpaid {
		return "unpaid"
	}
	return a
}

// outcome opens a checkout at a new emulator that reports delta more
// than the amount charged, plays a on its page, and returns what the
// status lookup reports of it, its ProviderRef cleared.
func (f Facts) outcome(t *testing.T, a providertest.Action, delta int64) cauri.Update {
	t.Helper()
	em := f.New()
	defer em.Close()
	em.ReportAmountDelta(delta)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	co, err := f.open(ctx, em, outcomeID)
	if err != nil {
		t.Fatal(err)
	}
	if a != Unpaid {
		if _, err := em.Act(ctx, co.RedirectURL, a); err != nil {
			t.Fatal(err)
		}
	}
	u, err := em.Provider().FetchStatus(ctx, cauri.StatusQuery{PaymentID: outcomeID, ProviderRef: co.ProviderRef, Amount: 5000, Currency: "XOF"})
	if err != nil {
		t.Fatal(err)
	}
	if u.ProviderRef != co.ProviderRef {
		t.Errorf("ProviderRef %q, want the checkout's %q", u.ProviderRef, co.ProviderRef)
	}
	u.ProviderRef = ""
	return u
}

// outcomeID is the payment ID of the outcome checks' checkouts.
const outcomeID = "pay_outcome"

// wantOutcome returns the update the status lookup must return for an
// outcome of the facts: authenticated, with the payment ID where the
// provider reports it.
func (f Facts) wantOutcome(u cauri.Update) cauri.Update {
	if !f.StatusOmitsPaymentID {
		u.PaymentID = outcomeID
	}
	u.Authenticated = true
	return u
}
