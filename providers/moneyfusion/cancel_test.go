package moneyfusion_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/internal/emulator/emutest"
	"github.com/cauripay/cauri/providers/internal/clienttest"
	"github.com/cauripay/cauri/providers/moneyfusion"
	"github.com/cauripay/cauri/providers/moneyfusion/moneyfusiontest"
)

// frozen is a clock that stays at t.
func frozen(t time.Time) func() time.Time { return func() time.Time { return t } }

// TestFetchStatusSessionLife: "no paid" is pending while the payment page
// may still be paid, and expired once the page's life and the margin
// have passed since the kit created the payment; no other word expires.
func TestFetchStatusSessionLife(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := emutest.Start(t, moneyfusiontest.New)
	now := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	life := moneyfusion.DefaultSessionLife + moneyfusion.SessionMargin

	tests := []struct {
		name       string
		statut     string
		sessionLen time.Duration // Config.SessionLife; 0 for the default
		age        time.Duration // -1: CreatedAt unknown
		want       cauri.Status
	}{
		{"no paid, young", "no paid", 0, time.Minute, cauri.StatusPending},
		{"no paid, at the end of the page's life", "no paid", 0, moneyfusion.DefaultSessionLife + time.Minute, cauri.StatusPending},
		{"no paid, within the margin", "no paid", 0, life, cauri.StatusPending},
		{"no paid, past life and margin", "no paid", 0, life + time.Second, cauri.StatusExpired},
		{"no paid, other spelling", " No Paid ", 0, life + time.Second, cauri.StatusExpired},
		{"no paid, shorter life configured", "no paid", time.Hour, time.Hour + moneyfusion.SessionMargin + time.Second, cauri.StatusExpired},
		{"no paid, shorter life, within it", "no paid", time.Hour, 50 * time.Minute, cauri.StatusPending},
		{"no paid, age unknown", "no paid", 0, -1, cauri.StatusPending},
		{"pending (being processed), old", "pending", 0, 2 * life, cauri.StatusPending},
		{"unknown word, old", "weird", 0, 2 * life, cauri.StatusPending},
		{"paid, old", "paid", 0, 2 * life, cauri.StatusPaid},
		{"failure, old", "failure", 0, 2 * life, cauri.StatusFailed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := srv.Config()
			cfg.Now, cfg.SessionLife = frozen(now), tc.sessionLen
			p := provider(t, cfg)
			co := clienttest.Drive(t, p).Open(quiet(request(order())))
			if err := srv.SetStatus(co.ProviderRef, tc.statut); err != nil {
				t.Fatal(err)
			}
			q := cauri.StatusQuery{PaymentID: "pay_01", ProviderRef: co.ProviderRef, Amount: 5000, Currency: "XOF"}
			if tc.age >= 0 {
				q.CreatedAt = now.Add(-tc.age)
			}
			u, err := p.FetchStatus(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if u.Status != tc.want || u.RawStatus != strings.TrimSpace(tc.statut) || !u.Authenticated {
				t.Errorf("got %s (raw %q, authenticated %v), want %s", u.Status, u.RawStatus, u.Authenticated, tc.want)
			}
			if (u.Status == cauri.StatusExpired) != (u.FailureReason != "") {
				t.Errorf("failure reason %q for %s", u.FailureReason, u.Status)
			}
		})
	}
}

// TestConfirm: a cancellation is believed only when the status endpoint
// says "no paid", the notification came to the payment's callback URL,
// and the status answer does not show that URL; no claim makes anything
// paid, and the status endpoint's other words stand.
func TestConfirm(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	old := moneyfusion.DefaultSessionLife + moneyfusion.SessionMargin + time.Minute
	plain := emutest.Start(t, moneyfusiontest.New)
	showing := emutest.Start(t, moneyfusiontest.New, moneyfusiontest.WithWebhookURLInStatus())

	claim := func(st cauri.Status, raw string) cauri.Update {
		return cauri.Update{PaymentID: "pay_01", Status: st, RawStatus: raw}
	}
	cancelled := claim(cauri.StatusCancelled, moneyfusion.EventCancelled)
	tests := []struct {
		name     string
		srv      *moneyfusiontest.Server
		claim    cauri.Update
		callback bool
		statut   string
		age      time.Duration
		want     cauri.Status
	}{
		{"cancellation at the callback URL, no paid", plain, cancelled, true, "no paid", time.Minute, cauri.StatusCancelled},
		{"cancellation at the callback URL, no paid, page ended", plain, cancelled, true, "no paid", old, cauri.StatusCancelled},
		{"cancellation at the shared URL, no paid", plain, cancelled, false, "no paid", time.Minute, cauri.StatusPending},
		{"cancellation at the shared URL, no paid, page ended", plain, cancelled, false, "no paid", old, cauri.StatusExpired},
		{"cancellation at a callback URL the status shows", showing, cancelled, true, "no paid", time.Minute, cauri.StatusPending},
		{"cancellation by statut cancelled, no paid", plain, claim(cauri.StatusCancelled, "cancelled"), true, "no paid", time.Minute, cauri.StatusCancelled},
		{"cancellation, status pending", plain, cancelled, true, "pending", time.Minute, cauri.StatusPending},
		{"cancellation, status paid", plain, cancelled, true, "paid", time.Minute, cauri.StatusPaid},
		{"cancellation, status failure", plain, cancelled, true, "failure", time.Minute, cauri.StatusFailed},
		{"cancellation, status unknown", plain, cancelled, true, "weird", time.Minute, cauri.StatusPending},
		{"completion, no paid", plain, claim(cauri.StatusPaid, moneyfusion.EventCompleted), true, "no paid", time.Minute, cauri.StatusPending},
		{"completion, pending", plain, claim(cauri.StatusPaid, moneyfusion.EventCompleted), true, "pending", time.Minute, cauri.StatusPending},
		{"failure claimed, no paid", plain, claim(cauri.StatusFailed, "failure"), true, "no paid", time.Minute, cauri.StatusPending},
		{"pending claimed, no paid", plain, claim(cauri.StatusPending, moneyfusion.EventPending), true, "no paid", time.Minute, cauri.StatusPending},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.srv.Config()
			cfg.Now = frozen(now)
			p := provider(t, cfg)
			// The page is never acted on: nothing is posted to the
			// callback URL, which the status answer may show.
			co := clienttest.Drive(t, p).Open(request(order()))
			if err := tc.srv.SetStatus(co.ProviderRef, tc.statut); err != nil {
				t.Fatal(err)
			}
			c := tc.claim
			c.ProviderRef = co.ProviderRef
			q := cauri.StatusQuery{PaymentID: "pay_01", ProviderRef: co.ProviderRef, Amount: 5000, Currency: "XOF", CreatedAt: now.Add(-tc.age)}
			u, err := p.Confirm(ctx, cauri.Claim{Update: c, Callback: tc.callback}, q)
			if err != nil {
				t.Fatal(err)
			}
			if u.Status != tc.want || u.RawStatus != tc.statut || !u.Authenticated || u.ProviderRef != co.ProviderRef {
				t.Errorf("got %+v, want %s with raw %q", u, tc.want, tc.statut)
			}
			if u.Status == cauri.StatusPaid && (u.Amount != 5000 || u.Currency != "XOF") {
				t.Errorf("paid without the amount: %+v", u)
			}
			// FetchStatus says the same, but for a believed cancellation,
			// which the status alone leaves pending, or expired once the
			// page has ended.
			want := tc.want
			if want == cauri.StatusCancelled {
				want = cauri.StatusPending
				if tc.age == old {
					want = cauri.StatusExpired
				}
			}
			if f, err := p.FetchStatus(ctx, q); err != nil || f.Status != want {
				t.Errorf("FetchStatus: %s, %v; want %s", f.Status, err, want)
			}
		})
	}
}

// FuzzConfirm reads any status answer with each claim: Confirm fails when
// FetchStatus does, says paid only when FetchStatus does, and differs
// from FetchStatus only by a cancellation claimed at the callback URL and
// borne out by "no paid".
func FuzzConfirm(f *testing.F) {
	for _, seed := range []struct {
		answer   string
		callback bool
		age      uint16 // minutes
	}{
		{docStatus, true, 5},
		{strings.Replace(docStatus, `"paid"`, `"no paid"`, 1), true, 5},
		{strings.Replace(docStatus, `"paid"`, `"no paid"`, 1), false, 2000},
		{strings.Replace(docStatus, `"paid"`, `"NO PAID"`, 1), true, 2000},
		{strings.Replace(docStatus, `"statut": "paid",`, `"statut": "no paid", "webhook_url": "https://shop.example/w",`, 1), true, 5},
		{strings.Replace(docStatus, `"statut": "paid",`, `"statut": "no paid", "webhook_url": {},`, 1), true, 5},
		{strings.Replace(docStatus, `"paid"`, `"cancelled"`, 1), true, 5},
		{strings.Replace(docStatus, `"paid"`, `"failure"`, 1), true, 5},
		{`{"statut":true,"data":{"tokenPay":"0d1d8bc9b6d2819c","statut":"no paid"}}`, true, 5},
		{`{"statut":false,"message":"Paiement introuvable"}`, true, 5},
		{`{"statut":true,"data":null}`, true, 5},
		{`<html>`, true, 5},
	} {
		f.Add([]byte(seed.answer), seed.callback, seed.age)
	}
	var answer atomic.Pointer[[]byte]
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(*answer.Load())
	}))
	defer srv.Close()
	now := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	p, err := moneyfusion.New(moneyfusion.Config{APIURL: srv.URL + secretPath, StatusURL: srv.URL, Now: frozen(now)})
	if err != nil {
		f.Fatal(err)
	}
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, body []byte, callback bool, age uint16) {
		answer.Store(&body)
		q := cauri.StatusQuery{PaymentID: "pay_01", ProviderRef: "0d1d8bc9b6d2819c", Amount: 200, Currency: "XOF",
			CreatedAt: now.Add(-time.Duration(age) * time.Minute)}
		plain, perr := p.FetchStatus(ctx, q)
		for _, claimed := range []cauri.Status{cauri.StatusCancelled, cauri.StatusPaid, cauri.StatusFailed, cauri.StatusPending} {
			u, err := p.Confirm(ctx, cauri.Claim{Update: cauri.Update{Status: claimed, ProviderRef: q.ProviderRef}, Callback: callback}, q)
			if (err == nil) != (perr == nil) {
				t.Fatalf("claim %s: Confirm's error %v, FetchStatus's %v", claimed, err, perr)
			}
			if err != nil {
				continue
			}
			if u == plain {
				continue
			}
			moved := u
			moved.Status, moved.FailureReason = plain.Status, plain.FailureReason
			if claimed != cauri.StatusCancelled || !callback || u.Status != cauri.StatusCancelled || moved != plain ||
				(plain.Status != cauri.StatusPending && plain.Status != cauri.StatusExpired) ||
				!strings.EqualFold(strings.TrimSpace(plain.RawStatus), "no paid") {
				t.Fatalf("claim %s (callback %v): Confirm %+v, FetchStatus %+v", claimed, callback, u, plain)
			}
		}
	})
}

// docStatus is the documentation's status answer.
const docStatus = `{
  "statut": true,
  "data": {
    "_id": "65df163b11ab882694573060",
    "tokenPay": "0d1d8bc9b6d2819c",
    "numeroSend": "01010101",
    "nomclient": "John Doe",
    "personal_Info": [{"userId": 1, "orderId": 123}],
    "numeroTransaction": "0708889205",
    "Montant": 200,
    "frais": 5,
    "statut": "paid",
    "moyen": "orange",
    "return_url": "https://your-domain.com/callback",
    "createdAt": "2024-02-28T11:17:15.285Z"
  },
  "message": "details paiement"
}`
