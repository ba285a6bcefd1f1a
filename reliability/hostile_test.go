package reliability_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/moneroo"
	"github.com/cauripay/cauri/providers/providertest"
)

// hostileEach runs fn on a hostileShop for each of its providers, all at
// once as each does, with a shop whose helpers fail fn's t and a tally it
// logs once they are done. It returns the shop.
func hostileEach(t *testing.T, fn func(t *testing.T, sh *shop, e *emu, c *tally)) *shop {
	t.Helper()
	shortParallel(t)
	sh, emus := hostileShop(t)
	var c tally
	each(t, emus, emuName, func(t *testing.T, e *emu) { fn(t, sh.in(t), e, &c) })
	c.log(t)
	return sh
}

// hostileShop is one shop offering every provider, over a memory store.
func hostileShop(t *testing.T) (*shop, []*emu) {
	t.Helper()
	var emus []*emu
	for _, sp := range specs() {
		emus = append(emus, sp.start(t, emuOptions{retries: -1}))
	}
	return newShop(t, backends()[0].open(t), emus, shopOptions{}), emus
}

func emuName(e *emu) string { return e.name }

// harmless reports whether a webhook outcome is one that changes nothing:
// "confirmed" included (a claim the provider denied is a no-op), and
// "throttled" (its payment's turn had not come: no call, 503). "accepted"
// is not: it says the notification was believed as it stands.
func harmless(outcome string) bool {
	switch outcome {
	case "unauthenticated", "malformed", "unknown_payment", "ignored", "confirmed", "throttled", "too_large":
		return true
	}
	return false
}

// wantHarmless checks that a hostile notification got the status code
// webhook.go documents for the outcome it was counted under, that the
// outcome is one that changes nothing, and that p did not move.
func wantHarmless(t *testing.T, sh *shop, what string, code int, outcome string, p cauri.Payment) {
	t.Helper()
	if !harmless(outcome) || !documented(code, outcome) {
		t.Errorf("%s: HTTP %d counted as %q, want a documented code for an outcome that changes nothing", what, code, outcome)
	}
	if got := sh.payment(p.ID); got.Status != p.Status {
		t.Errorf("%s: payment moved from %s to %s", what, p.Status, got.Status)
	}
}

// wantUntouched checks that nothing a test sent moved a payment or ran
// OnPaid, and counts the forgeries that were believed.
func wantUntouched(t *testing.T, sh *shop, c *tally, provider string, transitions float64, ps ...cauri.Payment) {
	t.Helper()
	moved := 0
	for _, p := range ps {
		if got := sh.payment(p.ID); got.Status != p.Status {
			moved++
		}
		if calls, _ := sh.calls(p.ID); calls != 0 {
			t.Errorf("OnPaid ran %d times for %s", calls, p.ID)
		}
	}
	if got := sh.metric("cauri_payment_transitions_total", "provider", provider); got != transitions {
		t.Errorf("%v transitions", got-transitions)
		moved = max(moved, int(got-transitions))
	}
	c.add(func(c *tally) { c.forgedAccepted += moved })
}

// stripped returns n without what authenticates it: the signature
// headers, PayDunya's data[hash], or the callback URL's token.
func stripped(sh *shop, e *emu, n notice) notice {
	out := notice{url: n.url, header: n.header.Clone(), body: n.body}
	for h := range e.signFor(nil) {
		out.header.Del(h)
	}
	if e.name == "paydunya" {
		form, _ := url.ParseQuery(string(n.body))
		form.Del("data[hash]")
		out.body = []byte(form.Encode())
	}
	if strings.Contains(n.url, "/webhooks/"+e.name+"/") {
		out.url = sh.webhookURL(e.name)
	}
	return out
}

// TestForgedWebhooks sends, to each provider's routes, notifications that
// claim a pending payment was paid but are not the provider's: forged by
// the emulator with a wrong key, stripped of their signature, hash or
// token, signed with a wrong key, or altered after signing. None moves the
// payment or runs OnPaid; each gets the status code documented for the
// outcome it is counted under. The real payment still goes through after.
func TestForgedWebhooks(t *testing.T) {
	hostileEach(t, func(t *testing.T, sh *shop, e *emu, c *tally) {
		p, co := sh.open(e.name, "o-forged")
		other, _ := sh.open(e.name, "o-forged-other")
		transitions := sh.metric("cauri_payment_transitions_total", "provider", e.name)
		authentic := e.craft(sh, p, cauri.StatusPaid, p.Amount, p.Currency)

		// unauthenticated is where a forgery is refused outright; the
		// others are confirmed with the provider, who denies them (a
		// second one within the payment's interval costs no call:
		// throttled).
		signedOrHashed := e.sign != nil && !e.hintOnBadSignature && !e.confirmsUnsigned || e.name == "paydunya"
		type attack struct {
			name string
			n    notice
			want string
		}
		var attacks []attack
		add := func(name string, n notice, refused bool) {
			want := "confirmed" // with the provider, at the payment's first turn: still pending there
			if refused {
				want = "unauthenticated"
			}
			attacks = append(attacks, attack{name, n, want})
		}
		add("stripped of its proof", stripped(sh, e, authentic), signedOrHashed)
		if e.sign != nil {
			wrong := authentic
			wrong.header = authentic.header.Clone()
			for k := range e.sign(nil) {
				wrong.header.Set(k, strings.Repeat("0", len(authentic.header.Get(k))))
			}
			add("signed with a wrong key", wrong, !e.hintOnBadSignature)
			other := authentic
			other.header = authentic.header.Clone()
			for k, v := range e.sign([]byte(`{}`)) {
				other.header[k] = v
			}
			add("with the signature of another body", other, !e.hintOnBadSignature)
			altered := authentic
			altered.body = append(bytes.Clone(authentic.body), ' ') // the same JSON, other bytes
			if e.hintOnBadSignature {
				// Verified over the re-serialisation too: the same JSON
				// is the same notification. Another JSON is not.
				altered.body = append([]byte(`{"altered":true,`), authentic.body[1:]...)
			}
			add("altered after signing", altered, !e.hintOnBadSignature)
		}
		if e.name == "paydunya" {
			form, _ := url.ParseQuery(string(authentic.body))
			form.Set("data[hash]", strings.Repeat("ab", 64))
			add("with a wrong hash", notice{authentic.url, authentic.header, []byte(form.Encode())}, true)
		}
		if strings.Contains(authentic.url, "/webhooks/"+e.name+"/") {
			tok := authentic.url[strings.LastIndexByte(authentic.url, '/')+1:]
			add("at another payment's callback URL", notice{sh.kit().CallbackURL(e.name, other.ID), authentic.header, authentic.body}, true)
			add("with a truncated token", notice{authentic.url[:len(authentic.url)-1], authentic.header, authentic.body}, true)
			add("with the token of another payment", notice{strings.Replace(authentic.url, tok, lastSegment(sh.kit().CallbackURL(e.name, other.ID)), 1), authentic.header, authentic.body}, true)
			add("with a return token", notice{strings.Replace(authentic.url, tok, lastSegment(sh.kit().ReturnURL(e.name, p.ID)), 1), authentic.header, authentic.body}, true)
		}
		for _, a := range attacks {
			code, outcome := sh.postCounted(a.n)
			if outcome == "throttled" && a.want == "confirmed" {
				a.want = outcome
			}
			if outcome != a.want || !documented(code, outcome) {
				t.Errorf("%s: HTTP %d counted as %q, want %q with its documented code", a.name, code, outcome, a.want)
			}
			wantHarmless(t, sh, a.name, code, outcome, p)
		}

		// The emulator's own forgeries, at the dashboard route and at a
		// callback URL whose token was tampered with.
		for _, target := range []string{sh.webhookURL(e.name), sh.kit().CallbackURL(e.name, p.ID) + "x"} {
			before := sh.webhookOutcomes(e.name)
			if err := e.em.Forge(context.Background(), target, p.ProviderRef); err != nil {
				t.Fatal(err)
			}
			outcome := sh.outcomeSince(e.name, before)
			ds := e.em.Deliveries()
			code := ds[len(ds)-1].StatusCode
			wantHarmless(t, sh, "the emulator's forgery to "+target, code, outcome, p)
		}
		wantUntouched(t, sh, c, e.name, transitions, p, other)
		c.add(func(c *tally) { c.faults += len(attacks) + 2; c.payments += 2; c.onPaid++ })
		var proofs []string
		for _, a := range attacks {
			for _, v := range a.n.header {
				proofs = append(proofs, v...)
			}
			proofs = append(proofs, lastSegment(a.n.url))
		}
		proofs = append(proofs, lastSegment(sh.kit().ReturnURL(e.name, p.ID)), lastSegment(sh.kit().CallbackURL(e.name, p.ID)))
		wantNoSecrets(t, sh, slices.DeleteFunc(proofs, func(s string) bool { return s == e.name || strings.HasPrefix(s, "application/") })...)

		// The real payment still goes through, once: its notification or
		// the customer's return at its next turn (the forgeries confirmed
		// with the provider spent the turns before) settles it.
		sh.nextTurn(p.ID)
		if ret := sh.act(e, co, providertest.Pay); ret != "" {
			sh.visit(ret)
		}
		if got := sh.payment(p.ID); got.Status != cauri.StatusPaid {
			t.Errorf("the real payment after the forgeries: %s", got.Status)
		}
		sh.wantOnPaidOnce(t, p.ID)
	})
}

// lastSegment is the last path segment of u: a token, for the kit's URLs.
func lastSegment(u string) string {
	u, _, _ = strings.Cut(u, "?")
	return u[strings.LastIndexByte(u, '/')+1:]
}

// captured returns the notifications the emulator would have sent about
// p: it must have been acting under WebhookPolicy{Lost: true}.
func captured(t *testing.T, e *emu, p cauri.Payment) []notice {
	t.Helper()
	var out []notice
	for _, d := range deliveriesAbout(e, p) {
		if d.Lost {
			out = append(out, notice{url: d.URL, header: d.Header.Clone(), body: bytes.Clone(d.Body)})
		}
	}
	if len(out) == 0 {
		t.Fatalf("%s sent no notification about %s", e.name, p.ID)
	}
	return out
}

// TestReplayedWebhooks captures each provider's genuine notifications
// about a payment, delivers them, then replays them after the payment
// settled, also once the provider's own status has moved: 2xx duplicate,
// nothing changes, OnPaid stays at one call.
func TestReplayedWebhooks(t *testing.T) {
	hostileEach(t, func(t *testing.T, sh *shop, e *emu, c *tally) {
		e.em.SetWebhookPolicy(providertest.WebhookPolicy{Lost: true})
		p, co := sh.open(e.name, "o-replay")
		sh.act(e, co, providertest.Pay)
		genuine := captured(t, e, p)
		for i, n := range genuine {
			if code := sh.post(n); code != http.StatusOK {
				t.Errorf("genuine notification %d: HTTP %d", i, code)
			}
		}
		p = sh.payment(p.ID)
		if p.Status != cauri.StatusPaid {
			t.Fatalf("the genuine notifications left the payment %s", p.Status)
		}
		transitions := sh.metric("cauri_payment_transitions_total", "provider", e.name)
		for round, moved := range []cauri.Status{"", cauri.StatusFailed, cauri.StatusPending} {
			if moved != "" {
				if err := e.setStatus(p.ProviderRef, moved); err != nil {
					t.Fatal(err)
				}
			}
			for i, n := range genuine {
				code, outcome := sh.postCounted(n)
				if code != http.StatusOK || outcome != "duplicate" {
					t.Errorf("replay %d of notification %d (provider says %q): HTTP %d %q, want 200 duplicate", round, i, moved, code, outcome)
				}
			}
		}
		if got := sh.payment(p.ID); got.Status != cauri.StatusPaid {
			t.Errorf("replays moved the payment to %s", got.Status)
		}
		if got := sh.metric("cauri_payment_transitions_total", "provider", e.name); got != transitions {
			t.Errorf("replays made %v transitions", got-transitions)
		}
		sh.wantOnPaidOnce(t, p.ID)
		c.add(func(c *tally) { c.faults += 3 * len(genuine); c.payments++; c.onPaid++ })
	})
}

// TestTamperedAmounts: notifications of less than the order or in another
// currency, authentic or not, and a provider whose status endpoint reports
// less, never mark the payment paid nor run OnPaid. (More than the order
// settles it, flagged overpaid: TestOverpaidSettlesFlagged.)
// Once the provider reports the order's amount, it settles.
func TestTamperedAmounts(t *testing.T) {
	sh := hostileEach(t, func(t *testing.T, sh *shop, e *emu, c *tally) {
		e.em.SetWebhookPolicy(providertest.WebhookPolicy{Lost: true})
		p, ret := sh.paid(e, "o-tamper")
		// The provider's records say pending again: what a notification
		// claims is all there is.
		if err := e.setStatus(p.ProviderRef, cauri.StatusPending); err != nil {
			t.Fatal(err)
		}
		wantFor := "confirmed" // with the provider, who says pending
		if e.believed {
			wantFor = "amount_mismatch"
		}
		for _, tc := range []struct {
			name     string
			amount   int64
			currency string
		}{
			{"one franc less", p.Amount - 1, p.Currency},
			{"nothing", 0, p.Currency},
			{"another currency", p.Amount, "USD"},
		} {
			want := wantFor
			sh.nextTurn(p.ID) // each claim is confirmed with the provider
			code, outcome := sh.postCounted(e.craft(sh, p, cauri.StatusPaid, tc.amount, tc.currency))
			switch {
			case tc.amount == 0 && outcome == "malformed":
				// MoneyFusion's Montant is net of its fee: nothing charged
				// makes a negative Montant, which it refuses to read.
				want = outcome
			case tc.amount == 0 && e.confirmsZero:
				want = "confirmed" // with the provider, who says pending
			}
			if outcome != want || !documented(code, outcome) {
				t.Errorf("%s: HTTP %d %q, want %q with its documented code", tc.name, code, outcome, want)
			}
			if got := sh.payment(p.ID); got.Status != cauri.StatusPending {
				t.Fatalf("%s: payment moved to %s", tc.name, got.Status)
			}
		}

		// The provider itself reports 1000 francs less than the order.
		if err := e.setStatus(p.ProviderRef, cauri.StatusPaid); err != nil {
			t.Fatal(err)
		}
		e.em.ReportAmountDelta(-1000)
		calls := sh.providerCalls(e.name, "status")
		sh.nextTurn(p.ID)
		if code, loc := sh.visit(ret); code != http.StatusSeeOther || !strings.HasPrefix(loc, pendingPath) {
			t.Errorf("return while the provider reports less: HTTP %d %q, want the pending page", code, loc)
		}
		if got := sh.providerCalls(e.name, "status"); got != calls+1 {
			t.Errorf("the return at the payment's turn made %v status calls, want 1", got-calls)
		}
		if !e.believed {
			sh.nextTurn(p.ID)
			code, outcome := sh.postCounted(e.craft(sh, p, cauri.StatusPaid, p.Amount, p.Currency))
			if code != http.StatusUnprocessableEntity || outcome != "amount_mismatch" {
				t.Errorf("notification confirmed with a provider reporting less: HTTP %d %q, want 422 amount_mismatch", code, outcome)
			}
		}
		if got := sh.payment(p.ID); got.Status != cauri.StatusPending {
			t.Fatalf("payment moved to %s", got.Status)
		}
		if calls, _ := sh.calls(p.ID); calls != 0 {
			t.Fatalf("OnPaid ran %d times", calls)
		}

		// The provider's report is right again: the customer's return, at
		// the payment's next turn, settles the payment.
		e.em.ReportAmountDelta(0)
		sh.nextTurn(p.ID)
		if code, loc := sh.visit(ret); code != http.StatusSeeOther || !strings.HasPrefix(loc, successPath) {
			t.Errorf("return once the provider reports the order's amount: HTTP %d %q, want the success page", code, loc)
		}
		if got := sh.payment(p.ID); got.Status != cauri.StatusPaid || got.Amount != orderAmount {
			t.Errorf("payment = %s %d, want paid %d", got.Status, got.Amount, orderAmount)
		}
		sh.wantOnPaidOnce(t, p.ID)
		c.add(func(c *tally) { c.faults += 5; c.payments++; c.onPaid++ })
	})
	if got := sh.metric("cauri_webhooks_total", "outcome", "amount_mismatch"); got == 0 {
		t.Error("no amount_mismatch counted")
	}
}

// TestWebhookForAnotherProvider posts each provider's genuine
// notifications to every other provider's routes, the per-payment
// callback URL (with a valid token for that payment) included: nothing
// moves. Posted to their own provider's route, they then settle the
// payment, which shows they were genuine.
func TestWebhookForAnotherProvider(t *testing.T) {
	shortParallel(t)
	sh, emus := hostileShop(t)
	var c tally
	var matrix []string
	for _, a := range emus {
		a.em.SetWebhookPolicy(providertest.WebhookPolicy{Lost: true})
		p, co := sh.open(a.name, "o-cross")
		sh.act(a, co, providertest.Pay)
		genuine := captured(t, a, p)
		for _, b := range emus {
			if b == a {
				continue
			}
			for _, target := range []string{sh.webhookURL(b.name), sh.kit().CallbackURL(b.name, p.ID)} {
				for i, n := range genuine {
					n.url = target
					code, outcome := sh.postCounted(n)
					what := fmt.Sprintf("%s's notification %d at %s", a.name, i, strings.TrimPrefix(target, sh.front.URL))
					wantHarmless(t, sh, what, code, outcome, p)
					if outcome == "accepted" {
						t.Errorf("%s was accepted", what)
					}
					matrix = append(matrix, fmt.Sprintf("%s→%s %s: %d %s", a.name, b.name, routeKind(target), code, outcome))
					c.add(func(c *tally) { c.faults++ })
				}
			}
		}
		wantUntouched(t, sh, &c, a.name, sh.metric("cauri_payment_transitions_total", "provider", a.name), p)
		c.add(func(c *tally) { c.payments++; c.onPaid++ })
		for _, n := range genuine {
			sh.post(n)
		}
		if got := sh.payment(p.ID); got.Status != cauri.StatusPaid {
			t.Errorf("%s's genuine notifications at its own route left the payment %s", a.name, got.Status)
		}
	}
	slices.Sort(matrix)
	t.Logf("cross-provider outcomes:\n%s", strings.Join(slices.Compact(matrix), "\n"))
	c.log(t)
}

func routeKind(target string) string {
	if strings.Count(target[strings.Index(target, "/webhooks/"):], "/") > 2 {
		return "callback"
	}
	return "dashboard"
}

// TestOversizedBodies: a body over Config.MaxWebhookBytes gets 413 at
// every provider's routes.
func TestOversizedBodies(t *testing.T) {
	shortParallel(t)
	sh, emus := hostileShop(t)
	for _, e := range emus {
		p, _ := sh.open(e.name, "o-big")
		n := e.craft(sh, p, cauri.StatusPaid, p.Amount, p.Currency)
		big := append(bytes.Clone(n.body), bytes.Repeat([]byte(" "), 64<<10)...)
		for _, target := range []string{n.url, sh.webhookURL(e.name)} {
			h := n.header.Clone()
			for k, v := range e.signFor(big) {
				h[k] = v
			}
			code, outcome := sh.postCounted(notice{target, h, big})
			if code != http.StatusRequestEntityTooLarge || outcome != "too_large" {
				t.Errorf("%s at %s: HTTP %d %q, want 413 too_large", e.name, target, code, outcome)
			}
		}
		wantHarmless(t, sh, e.name+" oversized", http.StatusRequestEntityTooLarge, "too_large", p)
	}
}

// signFor returns the headers that authenticate body, if the provider
// signs; none otherwise.
func (e *emu) signFor(body []byte) http.Header {
	if e.sign == nil {
		return nil
	}
	return e.sign(body)
}

// Server timeouts the tests scale down from what RELIABILITY.md
// recommends (5s, 15s, 45s).
const (
	testReadHeaderTimeout = 300 * time.Millisecond
	testReadTimeout       = time.Second
	testWriteTimeout      = 10 * time.Second
)

// TestSlowClients: against an http.Server with the read timeouts
// RELIABILITY.md recommends (scaled down), a client that trickles its
// headers or its body (slow loris) is cut off, and nothing moves.
func TestSlowClients(t *testing.T) {
	shortParallel(t)
	sh, _ := hostileShop(t)
	e := sh.emus[moneroo.Name] // a signed body it would believe
	p, _ := sh.open(e.name, "o-slow")
	n := e.craft(sh, p, cauri.StatusPaid, p.Amount, p.Currency)

	srv := &http.Server{
		Handler:           http.StripPrefix("/pay", sh.kit()),
		ReadHeaderTimeout: testReadHeaderTimeout,
		ReadTimeout:       testReadTimeout,
		WriteTimeout:      testWriteTimeout,
		IdleTimeout:       testWriteTimeout,
		MaxHeaderBytes:    16 << 10,
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })

	head := "POST /pay/webhooks/moneroo HTTP/1.1\r\nHost: shop.example\r\nConnection: close\r\nContent-Type: application/json\r\n" +
		moneroo.SignatureHeader + ": " + n.header.Get(moneroo.SignatureHeader) + "\r\n" +
		fmt.Sprintf("Content-Length: %d\r\n", len(n.body))
	tests := []struct {
		name   string
		fast   string // sent at once
		slow   string // then one byte every 25ms
		answer string // what the server answers, if anything, before hanging up
	}{
		{"headers trickled", "POST /pay/webhooks/moneroo HTTP/1.1\r\n", head[len("POST /pay/webhooks/moneroo HTTP/1.1\r\n"):] + "\r\n" + string(n.body), ""},
		{"body trickled", head + "\r\n", string(n.body), "HTTP/1.1 400"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := sh.webhookOutcomes(e.name)
			sent, answer := trickle(t, ln.Addr().String(), tc.fast, tc.slow, 25*time.Millisecond)
			if sent >= len(tc.slow) {
				t.Errorf("the server waited for all %d bytes", len(tc.slow))
			}
			if !strings.HasPrefix(answer, tc.answer) {
				t.Errorf("the server answered %q, want %q", firstLine(answer), tc.answer)
			}
			if tc.answer != "" {
				if got := sh.outcomeSince(e.name, before); got != "malformed" {
					t.Errorf("counted as %q, want malformed", got)
				}
			}
			t.Logf("cut after %d of %d bytes; answer %q", sent, len(tc.slow), firstLine(answer))
		})
	}
	wantHarmless(t, sh, "slow clients", http.StatusBadRequest, "malformed", p)
	// The same notification, sent at a normal pace, is believed.
	sent, answer := trickle(t, ln.Addr().String(), head+"\r\n"+string(n.body), "", 0)
	if sent != 0 || !strings.HasPrefix(answer, "HTTP/1.1 200") {
		t.Errorf("the notification at a normal pace: %q", firstLine(answer))
	}
	if got := sh.payment(p.ID); got.Status != cauri.StatusPaid {
		t.Errorf("payment = %s, want paid", got.Status)
	}
}

func firstLine(s string) string { l, _, _ := strings.Cut(s, "\r\n"); return l }

// trickle connects to addr, sends fast, then slow one byte every gap, and
// stops as soon as the server answers or hangs up. It returns how many
// bytes of slow it sent, and what the server answered.
func trickle(t *testing.T, addr, fast, slow string, gap time.Duration) (sent int, answer string) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	answered := make(chan string, 1)
	go func() {
		_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
		b, _ := io.ReadAll(io.LimitReader(conn, 4096))
		answered <- string(b)
	}()
	if _, err := io.WriteString(conn, fast); err != nil {
		t.Fatal(err)
	}
	for sent = 0; sent < len(slow); sent++ {
		select {
		case a := <-answered:
			return sent, a
		case <-time.After(gap):
		}
		if _, err := conn.Write([]byte{slow[sent]}); err != nil {
			break
		}
	}
	// Everything is sent: the request says Connection: close, so the
	// server hangs up after answering.
	return sent, <-answered
}

// TestMalformedEncodings sends each provider's routes bodies in the wrong
// encoding, charset or content type: invalid UTF-8, a byte-order mark,
// UTF-16, truncated JSON, a form where JSON is due and JSON where a form
// is, XML, gzip (with and without Content-Encoding). For the providers
// that sign, the bodies are signed as sent, so that what is tested is the
// parsing. Nothing moves; each gets the documented code for its outcome.
func TestMalformedEncodings(t *testing.T) {
	shortParallel(t)
	sh, emus := hostileShop(t)
	var c tally
	var (
		mu     sync.Mutex
		matrix []string
	)
	each(t, emus, emuName, func(t *testing.T, e *emu) {
		sh := sh.in(t)
		p, _ := sh.open(e.name, "o-encodings")
		claim := e.craft(sh, p, cauri.StatusPaid, p.Amount, p.Currency)
		var zipped bytes.Buffer
		zw := gzip.NewWriter(&zipped)
		_, _ = zw.Write(claim.body)
		_ = zw.Close()
		utf16 := make([]byte, 0, 2*len(claim.body))
		for _, b := range claim.body {
			utf16 = append(utf16, b, 0)
		}
		asForm := url.Values{"event": {"payment.success"}, "data[id]": {p.ProviderRef}, "data[status]": {"success"},
			"data[amount]": {jsonInt(p.Amount)}, "data[currency]": {p.Currency}, "reference": {p.ID}}
		hashed := func(v url.Values) url.Values {
			if e.name == "paydunya" {
				form, _ := url.ParseQuery(string(claim.body))
				v.Set("data[hash]", form.Get("data[hash]"))
			}
			return v
		}
		type body struct {
			name, ctype, encoding string
			b                     []byte
			signed                bool // signed over the uncompressed claim, not what is sent
		}
		bodies := []body{
			{name: "invalid UTF-8", ctype: "application/json", b: []byte("\xff\xfe\xfd{\"event\":\"payment.success\"}")},
			{name: "invalid UTF-8, form", ctype: "application/x-www-form-urlencoded", b: []byte(hashed(url.Values{"data[status]": {"\xffcompleted"}}).Encode() + "&\xff=\xfe")},
			{name: "byte-order mark", ctype: "application/json; charset=utf-8", b: append([]byte("\xef\xbb\xbf"), []byte("{\"x\":")...)},
			{name: "UTF-16", ctype: "application/json; charset=utf-16le", b: utf16},
			{name: "truncated", ctype: "application/json", b: claim.body[:len(claim.body)/2]},
			{name: "empty", ctype: "application/json", b: nil},
			{name: "null", ctype: "application/json", b: []byte("null")},
			{name: "array", ctype: "application/json", b: []byte(`[{"status":"success"}]`)},
			{name: "string", ctype: "application/json", b: []byte(`"paid"`)},
			{name: "deep nesting", ctype: "application/json", b: []byte(strings.Repeat("[", 10000) + strings.Repeat("]", 10000))},
			{name: "form where JSON is due", ctype: "application/x-www-form-urlencoded", b: []byte(hashed(asForm).Encode())},
			{name: "JSON where a form is due", ctype: "application/json", b: mustJSON(map[string]any{"data": map[string]any{"status": "completed", "hash": "x"}})},
			{name: "XML", ctype: "application/xml", b: []byte(`<?xml version="1.0"?><payment id="` + p.ProviderRef + `" status="success"/>`)},
			{name: "gzip", ctype: "application/json", b: zipped.Bytes()},
			{name: "gzip, Content-Encoding, signed uncompressed", ctype: "application/json", encoding: "gzip", b: zipped.Bytes(), signed: true},
			{name: "multipart", ctype: "multipart/form-data; boundary=x", b: []byte("--x\r\nContent-Disposition: form-data; name=\"data[status]\"\r\n\r\ncompleted\r\n--x--\r\n")},
		}
		transitions := sh.metric("cauri_payment_transitions_total", "provider", e.name)
		for _, target := range []string{claim.url, sh.webhookURL(e.name)} {
			for _, b := range bodies {
				h := http.Header{"Content-Type": {b.ctype}}
				if b.encoding != "" {
					h.Set("Content-Encoding", b.encoding)
				}
				signed := b.b
				if b.signed {
					signed = claim.body
				}
				for k, v := range e.signFor(signed) {
					h[k] = v
				}
				code, outcome := sh.postCounted(notice{target, h, b.b})
				what := b.name + " at " + routeKind(target)
				wantHarmless(t, sh, what, code, outcome, p)
				mu.Lock()
				matrix = append(matrix, fmt.Sprintf("%s %s: %d %s", e.name, what, code, outcome))
				mu.Unlock()
			}
		}
		if got := sh.metric("cauri_payment_transitions_total", "provider", e.name); got != transitions {
			t.Errorf("%v transitions", got-transitions)
		}
		c.add(func(c *tally) { c.faults += 2 * len(bodies); c.payments++ })
	})
	slices.Sort(matrix)
	t.Logf("outcomes:\n%s", strings.Join(matrix, "\n"))
	if got := sh.metric("cauri_webhooks_total", "outcome", "error"); got != 0 {
		t.Errorf("%v malformed bodies made the kit answer 5xx", got)
	}
	wantNoSecrets(t, sh)
	c.log(t)
}

// TestReturnHandlerHostile: open redirects, a token for another payment,
// a callback token, another provider's route, a forged Host, a payment a
// newer checkout of its order superseded: the return handler redirects
// only to the shop's configured pages (the failure page for the
// superseded one), and refuses with the documented code and metric.
func TestReturnHandlerHostile(t *testing.T) {
	shortParallel(t)
	sh, emus := hostileShop(t)
	each(t, emus, emuName, func(t *testing.T, e *emu) {
		sh := sh.in(t)
		e.em.SetWebhookPolicy(providertest.WebhookPolicy{Lost: true})
		p, co := sh.open(e.name, "o-return")
		ret := sh.act(e, co, providertest.Pay)
		q, _ := sh.open(e.name, "o-return-other")
		// Another provider's route: the next one's, so that no two
		// subtests count under the same provider's label.
		var other string
		for i, o := range emus {
			if o == e {
				other = emus[(i+1)%len(emus)].name
			}
		}
		// A newer checkout of q's order, through the other provider,
		// supersedes q: its page is no longer the customer's.
		if resp, _, _ := sh.checkoutOrder(other, "o-return-other@"+e.name, true); resp.StatusCode != http.StatusOK {
			t.Fatalf("a newer checkout of the order through %s: HTTP %d", other, resp.StatusCode)
		}
		sep := "?"
		if strings.Contains(ret, "?") {
			sep = "&"
		}
		pURL, qURL := sh.kit().ReturnURL(e.name, p.ID), sh.kit().ReturnURL(e.name, q.ID)
		tests := []struct {
			name, target string
			header       http.Header
			code         int
			page         string // the Location's path, for 303
			outcome      string // cauri_returns_total's
		}{
			{"next and redirect parameters", ret + sep + "next=https://evil.example/&redirect_uri=//evil.example&return_url=https%3A%2F%2Fevil.example%2F&url=javascript:alert(1)&successUrl=https://evil.example", nil, 303, successPath, "success"},
			{"forged Host and X-Forwarded-Host", ret, http.Header{"X-Forwarded-Host": {"evil.example"}, "X-Forwarded-Proto": {"https"}, "Forwarded": {"host=evil.example"}}, 303, successPath, "success"},
			{"backslash and scheme-relative tricks", pURL + `?next=\\evil.example&u=/\evil.example&v=%2F%2Fevil.example`, nil, 303, successPath, "success"},
			{"token of another payment", strings.Replace(pURL, lastSegment(pURL), lastSegment(qURL), 1), nil, 403, "", "bad_token"},
			{"another payment with this token", strings.Replace(pURL, p.ID, q.ID, 1), nil, 403, "", "bad_token"},
			{"callback token", strings.Replace(sh.kit().CallbackURL(e.name, p.ID), "/webhooks/", "/return/", 1), nil, 403, "", "bad_token"},
			{"altered token", pURL + "A", nil, 403, "", "bad_token"},
			{"another provider's route", strings.Replace(pURL, "/return/"+e.name+"/", "/return/"+other+"/", 1), nil, 404, "", "unknown_payment"},
			{"encoded slash in the ID", strings.Replace(pURL, p.ID, p.ID+"%2f..", 1), nil, 403, "", "bad_token"},
			{"a payment a newer checkout superseded", qURL, nil, 303, failurePath, "superseded"},
		}
		for _, tc := range tests {
			req, err := http.NewRequest(http.MethodGet, tc.target, nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Host = "evil.example"
			for k, v := range tc.header {
				req.Header[k] = v
			}
			before := sh.metric("cauri_returns_total", "provider", routeProvider(tc.target), "outcome", tc.outcome)
			resp, err := sh.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.code {
				t.Errorf("%s: HTTP %d, want %d", tc.name, resp.StatusCode, tc.code)
			}
			if loc := resp.Header.Get("Location"); tc.page != "" {
				wantPath(t, tc.name, loc, tc.page)
			} else if loc != "" {
				t.Errorf("%s: redirected to %q", tc.name, loc)
			}
			if got := sh.metric("cauri_returns_total", "provider", routeProvider(tc.target), "outcome", tc.outcome); got != before+1 {
				t.Errorf("%s: returns_total{outcome=%q} went from %v to %v", tc.name, tc.outcome, before, got)
			}
		}
		// The status endpoint takes the same tokens.
		for _, target := range []string{
			strings.Replace(sh.kit().StatusURL(p.ID), p.ID, q.ID, 1),
			sh.kit().StatusURL(p.ID) + "x",
			strings.Replace(sh.kit().StatusURL(p.ID), "token=", "token="+lastSegment(sh.kit().CallbackURL(e.name, p.ID))+"&token=", 1),
		} {
			if resp, _ := sh.do(http.MethodGet, target, nil, nil); resp.StatusCode != http.StatusForbidden {
				t.Errorf("status endpoint %s: HTTP %d, want 403", target, resp.StatusCode)
			}
		}
		if got := sh.payment(q.ID); got.Status != cauri.StatusPending {
			t.Errorf("the other payment moved to %s", got.Status)
		}
		wantNoSecrets(t, sh, lastSegment(pURL), lastSegment(qURL), lastSegment(sh.kit().CallbackURL(e.name, p.ID)),
			statusToken(sh.kit().StatusURL(p.ID)))
	})
}

// statusToken is the token in a status URL's query.
func statusToken(u string) string {
	parsed, err := url.Parse(u)
	if err != nil {
		return ""
	}
	return parsed.Query().Get("token")
}

// routeProvider is the provider a return URL names.
func routeProvider(u string) string {
	i := strings.Index(u, "/return/")
	if i < 0 {
		return ""
	}
	name, _, _ := strings.Cut(u[i+len("/return/"):], "/")
	return name
}

// TestPathTraversal sends a notification Moneroo would be believed for
// (signed, about a pending payment) to routes whose provider name tries
// to climb out or sneak in: dot segments, encoded slashes, double
// encoding, case, NUL. Nothing moves, no label takes a value from the
// URL, and the same notification at the right route then settles the
// payment.
func TestPathTraversal(t *testing.T) {
	shortParallel(t)
	sh, emus := hostileShop(t)
	e := sh.emus[moneroo.Name]
	p, _ := sh.open(e.name, "o-traversal")
	potent := e.craft(sh, p, cauri.StatusPaid, p.Amount, p.Currency)
	base := sh.front.URL + "/pay/"
	paths := []string{
		"webhooks/%2e%2e",
		"webhooks/%2e%2e/moneroo",
		"webhooks/..%2fmoneroo",
		"webhooks/%2e%2e%2fmoneroo",
		"webhooks/x/..%2f..%2fwebhooks%2fmoneroo",
		"webhooks/moneroo%2f..%2fpaydunya",
		"webhooks/%252e%252e%252fmoneroo",
		"webhooks/MONEROO",
		"webhooks/moneroo%00",
		"webhooks/moneroo%20",
		"webhooks/moneroo;x=1",
		"webhooks/.%2fmoneroo",
		"webhooks//moneroo",
		"webhooks/moneroo/%2e%2e/%2e%2e/" + p.ID,
		"webhooks/moneroo/" + p.ID + "%2f..%2f/x",
		"checkout/%2e%2e%2fmoneroo",
		"return/..%2fmoneroo/" + p.ID + "/x",
		"payments/..%2f" + p.ID,
	}
	creates := sh.providerCalls(e.name, "create")
	for _, path := range paths {
		for _, method := range []string{http.MethodPost, http.MethodGet} {
			resp, _ := sh.do(method, base+path, potent.header, potent.body)
			switch resp.StatusCode {
			case http.StatusNotFound, http.StatusForbidden, http.StatusBadRequest, http.StatusMethodNotAllowed,
				http.StatusMovedPermanently, http.StatusTemporaryRedirect, http.StatusPermanentRedirect, http.StatusUnauthorized:
			default:
				t.Errorf("%s /pay/%s: HTTP %d", method, path, resp.StatusCode)
			}
			if loc := resp.Header.Get("Location"); loc != "" {
				if u, err := url.Parse(loc); err != nil || u.Host != "" {
					t.Errorf("%s /pay/%s: redirected off the shop to %q", method, path, loc)
				}
			}
		}
	}
	if got := sh.payment(p.ID); got.Status != cauri.StatusPending {
		t.Fatalf("a traversal moved the payment to %s", got.Status)
	}
	if got := sh.providerCalls(e.name, "create"); got != creates {
		t.Errorf("a traversal opened %v checkouts", got-creates)
	}
	// Label values come from the configuration, never from a URL.
	names := []string{"unknown"}
	for _, e := range emus {
		names = append(names, e.name)
	}
	sh.eachLabel(t, func(family, name, value string) {
		if name == "provider" && !slices.Contains(names, value) {
			t.Errorf("%s has provider=%q", family, value)
		}
	})
	if got := sh.metric("cauri_webhooks_total", "provider", "unknown", "outcome", "unknown_provider"); got == 0 {
		t.Error("no unknown_provider counted")
	}
	// The notification was potent: at the right route it settles.
	if code := sh.post(potent); code != http.StatusOK {
		t.Errorf("at the right route: HTTP %d", code)
	}
	if got := sh.payment(p.ID); got.Status != cauri.StatusPaid {
		t.Errorf("payment = %s, want paid", got.Status)
	}
}

// TestSignedZeroAmount: DEXCHANGE set up with a webhook secret, and
// notifications it signed claiming SUCCESS for nothing, in the two shapes
// fuzzing found the dexchange package once believed (see RELIABILITY.md,
// Fuzzing). They are confirmed with the provider, whose word (pending)
// stands: 200 confirmed, and nothing moves. The same claim again before
// the payment's next turn costs no call: 503 throttled, with Retry-After.
func TestSignedZeroAmount(t *testing.T) {
	shortParallel(t)
	e := specNamed(t, "dexchange").start(t, emuOptions{retries: -1, dexchangeSecret: "whsec_reliability_0123456789abcdef"})
	// A minute between turns: a claim sent right after another comes
	// before the payment's next turn, however slow the machine.
	sh := newShop(t, backends()[0].open(t), []*emu{e}, shopOptions{pollInterval: time.Minute})
	p, _ := sh.open(e.name, "o-zero")
	for _, body := range [][]byte{
		mustJSON(map[string]any{"id": p.ProviderRef, "externalTransactionId": p.ID, "AMOUNT": 0, "STATUS": "SUCCESS"}),
		mustJSON(map[string]any{"Id": p.ProviderRef, "externalTransactionId": p.ID, "stAtus": "suCCess", "Amount": "0"}),
	} {
		h := jsonHeader()
		for k, v := range e.sign(body) {
			h[k] = v
		}
		n := notice{sh.kit().CallbackURL(e.name, p.ID), h, body}
		sh.nextTurn(p.ID)
		calls := sh.providerCalls(e.name, "status")
		code, outcome := sh.postCounted(n)
		if code != http.StatusOK || outcome != "confirmed" {
			t.Errorf("%s: HTTP %d %q, want 200 confirmed: confirmed with the provider", body, code, outcome)
		}
		if got := sh.providerCalls(e.name, "status"); got != calls+1 {
			t.Errorf("%s: %v status calls, want 1", body, got-calls)
		}
		if got := sh.payment(p.ID); got.Status != cauri.StatusPending {
			t.Errorf("%s moved the payment to %s", body, got.Status)
		}

		// At once again: the payment's turn is spent.
		calls = sh.providerCalls(e.name, "status")
		resp, outcome := sh.postAnswered(n)
		if resp.StatusCode != http.StatusServiceUnavailable || outcome != "throttled" || retryAfter(resp) < 1 {
			t.Errorf("%s again before the next turn: HTTP %d %q Retry-After %q, want 503 throttled with Retry-After",
				body, resp.StatusCode, outcome, resp.Header.Get("Retry-After"))
		}
		if got := sh.providerCalls(e.name, "status"); got != calls {
			t.Errorf("%s again before the next turn: %v status calls, want none", body, got-calls)
		}
		if got := sh.payment(p.ID); got.Status != cauri.StatusPending {
			t.Errorf("%s moved the payment to %s", body, got.Status)
		}
	}
	if calls, _ := sh.calls(p.ID); calls != 0 {
		t.Errorf("OnPaid ran %d times", calls)
	}
}
