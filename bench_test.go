package cauri_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cauripay/cauri"
)

// benchPayments stores n pending payments known to Moneroo by ref and
// returns them with a signed paid notification for each.
func benchPayments(b *testing.B, f *fixture, n int) ([]cauri.Payment, [][]byte, []string) {
	b.Helper()
	ctx := context.Background()
	ps := make([]cauri.Payment, n)
	bodies := make([][]byte, n)
	sigs := make([]string, n)
	now := time.Now().UTC()
	for i := range n {
		p := cauri.Payment{
			ID: fmt.Sprintf("pay_%026d", i), Provider: "moneroo", OrderID: fmt.Sprintf("o-%d", i),
			Status: cauri.StatusPending, Amount: orderAmount, Currency: "XOF", CreatedAt: now, UpdatedAt: now,
		}
		if err := f.store.Create(ctx, p); err != nil {
			b.Fatal(err)
		}
		p.ProviderRef = fmt.Sprintf("5f7b1b2c-1b2c-5f7b-0000-%012d", i)
		if err := f.store.Attach(ctx, p.ID, p.ProviderRef, "https://checkout.moneroo.io/"+p.ProviderRef, now); err != nil {
			b.Fatal(err)
		}
		ps[i], bodies[i] = p, paidBody(p)
		sigs[i] = f.em.Sign(bodies[i])
	}
	return ps, bodies, sigs
}

func serveWebhook(b *testing.B, kit http.Handler, body []byte, sig string) {
	req := httptest.NewRequest(http.MethodPost, "/webhooks/moneroo", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Moneroo-Signature", sig)
	rec := httptest.NewRecorder()
	kit.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		b.Fatalf("HTTP %d: %s", rec.Code, rec.Body)
	}
}

// BenchmarkWebhookSigned: a new signed Moneroo notification that settles a
// payment and runs OnPaid, in process, memory store.
func BenchmarkWebhookSigned(b *testing.B) {
	f := newFixture(b, withConfig(func(c *cauri.Config) { c.Logger = nil }))
	_, bodies, sigs := benchPayments(b, f, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		serveWebhook(b, f.kit, bodies[i], sigs[i])
	}
}

// BenchmarkWebhookDuplicate: the same notification again, the common case
// under provider retries.
func BenchmarkWebhookDuplicate(b *testing.B) {
	f := newFixture(b, withConfig(func(c *cauri.Config) { c.Logger = nil }))
	_, bodies, sigs := benchPayments(b, f, 1)
	serveWebhook(b, f.kit, bodies[0], sigs[0])
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		serveWebhook(b, f.kit, bodies[0], sigs[0])
	}
}

// BenchmarkReturnSettled: a customer coming back to a settled payment.
func BenchmarkReturnSettled(b *testing.B) {
	f := newFixture(b, withConfig(func(c *cauri.Config) { c.Logger = nil }))
	ps, bodies, sigs := benchPayments(b, f, 1)
	serveWebhook(b, f.kit, bodies[0], sigs[0])
	u, _ := url.Parse(f.kit.ReturnURL("moneroo", ps[0].ID))
	target := strings.TrimPrefix(u.Path, "/pay")
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		rec := httptest.NewRecorder()
		f.kit.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
		if rec.Code != http.StatusSeeOther {
			b.Fatalf("HTTP %d", rec.Code)
		}
	}
}

// BenchmarkCheckout: a checkout against the Moneroo emulator over loopback
// HTTP, through the breaker, with the order validated.
func BenchmarkCheckout(b *testing.B) {
	f := newFixture(b, withConfig(func(c *cauri.Config) { c.Logger = nil }))
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		req := httptest.NewRequest(http.MethodPost, "/checkout/moneroo", strings.NewReader(fmt.Sprintf("order=o-%d", i)))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		f.kit.ServeHTTP(rec, req)
		if rec.Code != http.StatusSeeOther {
			b.Fatalf("HTTP %d: %s", rec.Code, rec.Body)
		}
	}
}
