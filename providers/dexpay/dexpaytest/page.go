package dexpaytest

import (
	"fmt"
	"net/http"
	"time"

	"github.com/cauripay/cauri/internal/emulator"
	"github.com/cauripay/cauri/providers/providertest"
)

// show is the payment page of ss.
func (s *Server) show(ss *Session, _ emulator.Env, _ *http.Request) emulator.CheckoutPage {
	return emulator.CheckoutPage{
		Brand:       s.t.Brand,
		Merchant:    s.merchant,
		Amount:      fmt.Sprintf("%d %s", ss.Amount, ss.Currency),
		Description: ss.ItemName,
		ActionURL:   "/checkout/" + ss.ID,
		Operators:   s.t.Operators,
	}
}

// livePage is the live payment page of a sandbox session, with
// WithSandboxPaymentURL: it takes no test payment.
func (s *Server) livePage(w http.ResponseWriter, _ *http.Request) {
	emulator.WriteMessagePage(w, http.StatusForbidden, "Session de test",
		"This is a sandbox checkout session: pay it on its sandbox_payment_url.")
}

func expired(ss *Session, now time.Time) bool {
	return !ss.ExpiresAt.IsZero() && !now.Before(ss.ExpiresAt)
}

// press plays a button: the webhook goes out (DEXPAY has no event for
// PROCESSING), and the customer to success_url after paying or choosing to
// pay later, failure_url otherwise.
func (s *Server) press(ss *Session, a providertest.Action, c emulator.Choice, env emulator.Env) emulator.Outcome {
	s.settle(ss, a, c, env.Now)
	var notify []emulator.Notification
	if a != providertest.PayLater {
		notify = s.notify(ss, env)
	}
	return emulator.SentBack(a, ss.Reference, ss.SuccessURL, ss.FailureURL, notify)
}

// settle applies the customer's action, with what they chose on the page,
// to a session at now.
func (s *Server) settle(ss *Session, a providertest.Action, c emulator.Choice, now time.Time) {
	if a != providertest.PayLater {
		ss.CompletedAt = now.UTC()
	}
	switch a {
	case providertest.Pay:
		ss.Status = StatusCompleted
		ss.TransactionID = "TXN" + emulator.RandomHex(6)
	case providertest.Fail:
		ss.Status = StatusFailed
		ss.Error, ss.ErrorCode = "Solde insuffisant", "INSUFFICIENT_BALANCE"
	case providertest.Cancel:
		ss.Status = StatusCancelled
		return
	case providertest.PayLater:
		ss.Status, ss.Later = StatusProcessing, true
	}
	ss.AttemptID = "pa_" + emulator.RandomHex(8)
	ss.Operator, ss.PaymentMethod = c.From(s.t.Operators).Code, "MOBILE_MONEY"
	ss.Phone = c.Phone
}
