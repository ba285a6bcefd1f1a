package bench_test

import (
	"context"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cauripay/cauri/bench/internal/rig"
	"github.com/cauripay/cauri/providers/emulators"
)

// BenchmarkWebhookNew: a new signed notification settling a new payment,
// through Kit.ServeHTTP (memory store, OnPaid run), against the baselines
// in the same run: stripe-go's webhook.ConstructEvent on an event of the
// same size, a bare net/http handler that checks the HMAC, decodes the JSON
// and marks a map entry paid, and what the in-process request and recorder
// cost alone.
func BenchmarkWebhookNew(b *testing.B) { runCases(b, webhookNewCases) }

// BenchmarkWebhookDuplicate: the same notification again, its payment
// already settled: the common case under provider retries.
func BenchmarkWebhookDuplicate(b *testing.B) { runCases(b, webhookDuplicateCases) }

// BenchmarkReturn: the customer coming back to a settled payment.
func BenchmarkReturn(b *testing.B) { runCases(b, returnCases) }

// BenchmarkCheckout: a checkout against the Moneroo emulator over
// loopback, and one refused at once by the open breaker.
func BenchmarkCheckout(b *testing.B) { runCases(b, checkoutCases) }

// BenchmarkParseWebhook: each provider's ParseWebhook on the paid
// notification its emulator sends.
func BenchmarkParseWebhook(b *testing.B) {
	for _, c := range providerCases(b) {
		b.Run(c.Name, parseCase(c).run)
	}
}

// BenchmarkMapStatus: each provider's MapStatus on the raw status of that
// notification.
func BenchmarkMapStatus(b *testing.B) {
	for _, c := range providerCases(b) {
		b.Run(c.Name, mapCase(c).run)
	}
}

// BenchmarkWebhookNewParallel: BenchmarkWebhookNew's kit and bare cases
// from GOMAXPROCS goroutines at once, for lock contention
// (-mutexprofile).
func BenchmarkWebhookNewParallel(b *testing.B) {
	for _, c := range webhookNewCases {
		if c.name != "cauri-moneroo-signed" && c.name != "bare-nethttp-hmac-json" {
			continue
		}
		b.Run(c.name, func(b *testing.B) {
			op, check := c.setup(b, b.N)
			var next atomic.Int64
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := cpuTime()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := op(int(next.Add(1) - 1)); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.StopTimer()
			reportCPU(b, cpu0)
			if err := check(); err != nil {
				b.Fatal(err)
			}
		})
	}
}

func runCases(b *testing.B, cases []benchCase) {
	for _, c := range cases {
		b.Run(c.name, c.run)
	}
}

// TestCases runs three operations of every benchmark case and checks
// their effect, so that the benchmarks stay correct under go test.
func TestCases(t *testing.T) {
	groups := map[string][]benchCase{
		"WebhookNew":       webhookNewCases,
		"WebhookDuplicate": webhookDuplicateCases,
		"Return":           returnCases,
		"Checkout":         checkoutCases,
	}
	for _, c := range providerCases(t) {
		groups["ParseWebhook"] = append(groups["ParseWebhook"], parseCase(c))
		groups["MapStatus"] = append(groups["MapStatus"], mapCase(c))
	}
	if n, want := len(groups["ParseWebhook"]), len(emulators.All()); n != want {
		t.Fatalf("captured %d providers' notifications, want %d: every emulated provider's", n, want)
	}
	for group, cases := range groups {
		for _, c := range cases {
			t.Run(group+"/"+c.name, func(t *testing.T) {
				op, check := c.setup(t, 3)
				for i := range 3 {
					if err := op(i); err != nil {
						t.Fatalf("operation %d: %v", i, err)
					}
				}
				if err := check(); err != nil {
					t.Fatal(err)
				}
			})
		}
	}
}

// TestBareRefuses checks the baseline receiver does the work it is
// compared for: a wrong signature and bad JSON are refused, an unknown
// payment is an error.
func TestBareRefuses(t *testing.T) {
	s := newShop(t)
	x := s.SignedMoneroo("ref", 1)[0]
	table := rig.NewMapPayments([]string{"pay_other"})
	h := s.Bare(table.Apply)
	tests := []struct {
		name string
		edit func(n *rig.Notification)
		want int
	}{
		{"wrong signature", func(n *rig.Notification) {
			n.Header = http.Header{"X-Moneroo-Signature": {"00" + n.Header.Get("X-Moneroo-Signature")[2:]}}
		}, http.StatusUnauthorized},
		{"no signature", func(n *rig.Notification) { n.Header = http.Header{} }, http.StatusUnauthorized},
		{"unknown payment", func(*rig.Notification) {}, http.StatusInternalServerError},
		{"not JSON", func(n *rig.Notification) {
			n.Body = []byte("{")
			n.Header = http.Header{"X-Moneroo-Signature": {s.Moneroo.Sign(n.Body)}}
		}, http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := rig.Notification{PaymentID: x.PaymentID, Body: x.Body, Header: x.Header.Clone()}
			tt.edit(&n)
			if err := serve(h, n.Request(rig.MonerooWebhookPath), tt.want); err != nil {
				t.Error(err)
			}
		})
	}
	if table.Paid() != 0 {
		t.Errorf("%d paid, want 0", table.Paid())
	}
}

// TestStripeEventSize checks the Stripe baseline's event has the Moneroo
// body's size.
func TestStripeEventSize(t *testing.T) {
	for _, size := range []int{339, 600} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			if got := len(stripeEvent(t, size)); got != size {
				t.Errorf("len = %d, want %d", got, size)
			}
		})
	}
	s := newShop(t)
	if n, err := s.SeedMoneroo(context.Background(), "sz", 1, 1, time.Now()); err != nil || len(n[0].Body) < 300 {
		t.Fatalf("Moneroo body: %v, %d bytes", err, len(n[0].Body))
	}
}
