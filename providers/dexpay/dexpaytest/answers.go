package dexpaytest

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cauripay/cauri/internal/emulator"
	"github.com/cauripay/cauri/providers/dexpay"
)

// Money is an amount as the server writes it: a JSON number, or with
// WithStringAmounts a string.
func (o *options) Money(n int64) string {
	if o.stringAmounts {
		return strconv.Quote(strconv.FormatInt(n, 10))
	}
	return strconv.FormatInt(n, 10)
}

// view is a session as answers/session.json and answers/checkout.json
// write it, its amount shifted by Delta: Page is its hosted page,
// PaymentURL its payment_url, SandboxPage its sandbox_payment_url.
type view struct {
	*Session
	*options
	Delta                         int64
	Page, PaymentURL, SandboxPage string
}

// view is ss as its answers show it. With WithSandboxPaymentURL, a sandbox
// session's payment_url is its live page, which refuses it, and its
// sandbox_payment_url the hosted page.
func (s *Server) view(ss *Session, delta int64) view {
	v := view{Session: ss, options: &s.o, Delta: delta, Page: s.URL + "/checkout/" + ss.ID}
	v.PaymentURL = v.Page
	if s.o.sandboxURL && ss.Sandbox {
		v.PaymentURL, v.SandboxPage = s.URL+"/live/"+ss.ID, v.Page
	}
	return v
}

// Reported is the amount the session is reported with.
func (v view) Reported() string { return v.Money(v.Amount + v.Delta) }

// payoutView is a payout as answers/payout.json writes it.
type payoutView struct {
	*Payout
	*options
}

// Total is the payout's total_amount, its amount and fees.
func (p payoutView) Total() int64 { return p.Amount + p.Fees }

// session is ss as answers/session.json writes it, its amount shifted by
// env's delta.
func (s *Server) session(ss *Session, env emulator.Env) []byte {
	return s.api.Body("session.json", s.view(ss, env.Delta))
}

// payout is p as answers/payout.json writes it.
func (s *Server) payout(p *Payout) []byte { return s.api.Body("payout.json", payoutView{p, &s.o}) }

// event is a notification of a checkout's or payout's (kind) status
// about data, in the plugin's spelling ({"event": "CHECKOUT_COMPLETED"})
// or with WithSDKEvents the SDK README's ({"type": "checkout.completed"}).
func (s *Server) event(kind, status string, data []byte, now time.Time) []byte {
	e := kind + "_" + status
	if s.o.sdkEvents {
		e = strings.ToLower(strings.Replace(e, "_", ".", 1))
	}
	return s.api.Body("event.json", map[string]any{"SDK": s.o.sdkEvents, "Event": e, "Data": string(data), "At": now.UTC().Format(time.RFC3339)})
}

// checkoutEvent is the notification about ss, its amount shifted by
// delta. The caller holds the lock.
func (s *Server) checkoutEvent(ss *Session, delta int64, now time.Time) []byte {
	return s.event("CHECKOUT", ss.Status, s.api.Body("checkout.json", s.view(ss, delta)), now)
}

// notify is the notification about ss, to its webhook_url or else the
// dashboard's URL.
func (s *Server) notify(ss *Session, env emulator.Env) []emulator.Notification {
	body := s.checkoutEvent(ss, env.Delta, env.Now)
	return env.To(s.signed(body, s.WebhookSecret), body, ss.WebhookURL)
}

// signed is a notification's header, signed under secret in the
// server's signature header unless secret is empty.
func (s *Server) signed(body []byte, secret string) http.Header {
	return emulator.SignedHeader(s.o.signatureHeader, secret, body, dexpay.Sign)
}
