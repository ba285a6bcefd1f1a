package loadharness

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

// TestRunSmoke runs every scenario on a memory store with a few requests
// and checks that each did its work without errors.
func TestRunSmoke(t *testing.T) {
	rep, err := Run(context.Background(), Options{
		Store: "memory", Duration: 30 * time.Second, Concurrency: 4, Requests: 40,
		ReconcilePayments: 30, SlowTimeout: 20 * time.Millisecond, SlowDelay: 300 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []Phase{rep.Kit, rep.Baseline, rep.BreakerSingle, rep.BreakerLoaded} {
		if p.Requests != 40 || p.Errors != 0 {
			t.Errorf("%s: %d requests, %d errors; want 40 and 0", p.Name, p.Requests, p.Errors)
		}
		if p.P50 <= 0 || p.P99 < p.P50 || p.Max < p.P99 {
			t.Errorf("%s: latencies p50 %v, p99 %v, max %v out of order", p.Name, p.P50, p.P99, p.Max)
		}
	}
	// 40 measured and 16 warm-up payments each.
	if rep.KitPaid != 56 || rep.BaselinePaid != 56 {
		t.Errorf("paid: kit %d, baseline %d; want 56 each", rep.KitPaid, rep.BaselinePaid)
	}
	if rep.BreakerTrips != 5 || rep.BreakerProviderCalls != 0 {
		t.Errorf("breaker: opened by %d checkouts, %v provider calls after; want 5 and 0", rep.BreakerTrips, rep.BreakerProviderCalls)
	}
	if st := rep.BreakerSingleServer; st.P50 <= 0 || st.P99 < st.P50 || st.P50 > rep.BreakerSingle.P50 {
		t.Errorf("breaker: server-side times %+v, client p50 %v", st, rep.BreakerSingle.P50)
	}
	if rep.Slow.Requests != 40 || rep.Slow.Errors != 0 || rep.SlowTimeouts != 40 {
		t.Errorf("slow: %d requests, %d errors, %v timeouts; want 40, 0, 40", rep.Slow.Requests, rep.Slow.Errors, rep.SlowTimeouts)
	}
	if rep.PeakBreakdown.KitHandlers > 4 {
		t.Errorf("slow: %d kit handlers at the peak, more than the 4 clients", rep.PeakBreakdown.KitHandlers)
	}
	if r := rep.ReconcileReport; r.Checked != 30 || r.Settled != 30 || r.Errors != 0 || rep.DirectCallsMade != 30 {
		t.Errorf("reconcile: %+v, %d direct calls; want 30 checked and settled, 30 calls", r, rep.DirectCallsMade)
	}
	var out bytes.Buffer
	if err := rep.Print(&out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"kit/baseline throughput", "breaker open", "heap in use", "reconcile: one pass over 30"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}

func TestOptionsRefused(t *testing.T) {
	tests := []struct {
		name string
		o    Options
		want error
	}{
		{"unknown scenario", Options{Scenarios: []string{"webhook", "nope"}}, nil},
		{"unknown store", Options{Store: "oracle", Scenarios: []string{"webhook"}}, nil},
		{"remote database", Options{Store: "postgres", DSN: "postgres://u@db.example.com:5432/x", Scenarios: []string{"webhook"}}, ErrNotLoopback},
		{"private address", Options{Store: "postgres", DSN: "postgres://u@10.0.0.5:5432/x", Scenarios: []string{"webhook"}}, ErrNotLoopback},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Run(context.Background(), tt.o)
			if err == nil {
				t.Fatal("Run succeeded")
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestLoopbackDSN(t *testing.T) {
	for dsn, ok := range map[string]bool{
		"postgres://postgres@127.0.0.1:5432/test?sslmode=disable": true,
		"postgresql://u:p@localhost/db":                           true,
		"postgres://u@[::1]:5432/db":                              true,
		"postgres://u@192.168.1.10/db":                            false,
		"host=127.0.0.1 user=postgres":                            false,
	} {
		if err := loopbackDSN(dsn); (err == nil) != ok {
			t.Errorf("loopbackDSN(%q) = %v, want ok=%v", dsn, err, ok)
		}
	}
}

func TestPercentiles(t *testing.T) {
	d := make([]time.Duration, 100)
	for i := range d {
		d[i] = time.Duration(100-i) * time.Millisecond
	}
	p50, p99, mx := percentiles(d)
	if p50 != 50*time.Millisecond || p99 != 99*time.Millisecond || mx != 100*time.Millisecond {
		t.Errorf("percentiles = %v, %v, %v; want 50ms, 99ms, 100ms", p50, p99, mx)
	}
	if a, b, c := percentiles(nil); a != 0 || b != 0 || c != 0 {
		t.Errorf("percentiles(nil) = %v, %v, %v", a, b, c)
	}
}

// TestWebhookSQL runs the webhook scenario on SQLite and, when
// CAURI_TEST_POSTGRES_DSN is set, PostgreSQL: both sides must leave every
// payment paid.
func TestWebhookSQL(t *testing.T) {
	for _, store := range []string{"sqlite", "postgres"} {
		t.Run(store, func(t *testing.T) {
			dsn := os.Getenv("CAURI_TEST_POSTGRES_DSN")
			if store == "postgres" && dsn == "" {
				t.Skip("CAURI_TEST_POSTGRES_DSN is not set")
			}
			rep, err := Run(context.Background(), Options{
				Store: store, DSN: dsn, Duration: 30 * time.Second, Concurrency: 4, Requests: 30, Scenarios: []string{"webhook"},
			})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Kit.Requests != 30 || rep.Kit.Errors != 0 || rep.Baseline.Requests != 30 || rep.Baseline.Errors != 0 {
				t.Errorf("kit %+v, baseline %+v: want 30 requests each, no error", rep.Kit, rep.Baseline)
			}
			if rep.KitPaid != 46 || rep.BaselinePaid != 46 {
				t.Errorf("paid: kit %d, baseline %d; want 46 each", rep.KitPaid, rep.BaselinePaid)
			}
		})
	}
}
