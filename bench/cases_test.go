package bench_test

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v82"
	"github.com/stripe/stripe-go/v82/webhook"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/bench/internal/rig"
)

// A benchCase prepares n operations and returns them, with a check of
// their combined effect to run after the last. Benchmarks time the
// operations; TestCases runs a few of each.
type benchCase struct {
	name  string
	setup func(tb testing.TB, n int) (op func(i int) error, check func() error)
}

// run times c in b.
func (c benchCase) run(b *testing.B) {
	op, check := c.setup(b, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := range b.N {
		if err := op(i); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	reportCPU(b, cpu0)
	if err := check(); err != nil {
		b.Fatal(err)
	}
}

// reportCPU reports the process's CPU time since cpu0 per operation, as
// cpu-ns/op: the machine is shared, and CPU time is what other processes
// inflate least. It counts every goroutine of the process (the
// emulators' included, and the garbage collector's).
func reportCPU(b *testing.B, cpu0 time.Duration) {
	if cpu0 > 0 {
		b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
	}
}

// newShop is a shop over a memory store whose breaker, once open, stays
// open for the whole benchmark, and whose providers' rates are unlimited:
// a benchmark settles more payments a second than PayDunya's documented
// rate lets the kit confirm, and it measures the kit, not the rate (past
// it, the kit answers an unsigned notification 503, for the provider to
// send it again).
func newShop(tb testing.TB) *rig.Shop {
	tb.Helper()
	unlimited := cauri.RateLimit{Requests: 1 << 30, Per: time.Minute}
	s, err := rig.New(rig.Options{
		Breaker:    cauri.BreakerPolicy{OpenTimeout: time.Hour},
		RateLimits: map[string]cauri.RateLimit{"moneroo": unlimited, "paydunya": unlimited},
	})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.Close)
	return s
}

// serve passes req through h and wants the status code want.
func serve(h http.Handler, req *http.Request, want int) error {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != want {
		return fmt.Errorf("HTTP %d, want %d: %s", rec.Code, want, strings.TrimSpace(rec.Body.String()))
	}
	return nil
}

// requests builds each notification's request beforehand: parsing a
// request is the server's work, not the handler's, and is left out of
// every handler's time alike.
func requests(ns []rig.Notification, target string) []*http.Request {
	reqs := make([]*http.Request, len(ns))
	for i, x := range ns {
		reqs[i] = x.Request(target)
	}
	return reqs
}

// repeated is n requests of the same notification, built beforehand.
func repeated(x rig.Notification, target string, n int) []*http.Request {
	reqs := make([]*http.Request, n)
	for i := range reqs {
		reqs[i] = x.Request(target)
	}
	return reqs
}

// wantOnPaid checks that OnPaid ran n times.
func wantOnPaid(s *rig.Shop, n int) func() error {
	return func() error {
		if got := s.OnPaidCalls(); got != int64(n) {
			return fmt.Errorf("OnPaid ran %d times, want %d", got, n)
		}
		return nil
	}
}

// webhookNewCases: one new notification each operation, settling a new
// pending payment. The kit's run OnPaid; the baselines mark a row paid or
// only decode.
var webhookNewCases = []benchCase{
	{"cauri-moneroo-signed", func(tb testing.TB, n int) (func(int) error, func() error) {
		return settling(tb, n, rig.MonerooWebhookPath, func(s *rig.Shop) ([]rig.Notification, error) {
			return s.SeedMoneroo(context.Background(), "new", n, 1, time.Now().UTC())
		})
	}},
	{"cauri-paydunya-ipn", func(tb testing.TB, n int) (func(int) error, func() error) {
		return settling(tb, n, rig.PayDunyaWebhookPath, func(s *rig.Shop) ([]rig.Notification, error) {
			return s.OpenPayDunya(context.Background(), n, 4)
		})
	}},
	{"bare-nethttp-hmac-json", func(tb testing.TB, n int) (func(int) error, func() error) {
		s := newShop(tb)
		ns := s.SignedMoneroo("bare", n)
		ids := make([]string, n)
		for i, x := range ns {
			ids[i] = x.PaymentID
		}
		table := rig.NewMapPayments(ids)
		h, reqs := s.Bare(table.Apply), requests(ns, rig.MonerooWebhookPath)
		return func(i int) error {
				return serve(h, reqs[i], http.StatusOK)
			}, func() error {
				if got := table.Paid(); got != n {
					return fmt.Errorf("%d paid, want %d", got, n)
				}
				return nil
			}
	}},
	{"stripe-ConstructEvent", func(tb testing.TB, n int) (func(int) error, func() error) {
		s := newShop(tb)
		size := len(s.SignedMoneroo("size", 1)[0].Body)
		payload := stripeEvent(tb, size)
		const secret = "whsec_bench_0123456789abcdef"
		now := time.Now()
		header := "t=" + strconv.FormatInt(now.Unix(), 10) + ",v1=" + hex.EncodeToString(webhook.ComputeSignature(now, payload, secret))
		return func(int) error {
			ev, err := webhook.ConstructEvent(payload, header, secret)
			if err != nil {
				return err
			}
			if ev.Type != "payment_intent.succeeded" {
				return fmt.Errorf("event type %q", ev.Type)
			}
			return nil
		}, func() error { return nil }
	}},
	{"httptest-recorder-only", func(tb testing.TB, n int) (func(int) error, func() error) {
		// What the in-process harness itself costs: the recorder and
		// reading the body, through a handler that does nothing else.
		s := newShop(tb)
		reqs := repeated(s.SignedMoneroo("ovh", 1)[0], rig.MonerooWebhookPath, n)
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
			_, _ = io.WriteString(w, "ok\n")
		})
		return func(i int) error {
			return serve(h, reqs[i], http.StatusOK)
		}, func() error { return nil }
	}},
}

// stripeEvent is a payment_intent.succeeded event of exactly size bytes
// (padded in its metadata), of the API version this stripe-go expects:
// the fields ConstructEvent reads and the payment's, as small as a Moneroo
// notification is.
func stripeEvent(tb testing.TB, size int) []byte {
	tb.Helper()
	build := func(pad string) []byte {
		b, err := json.Marshal(map[string]any{
			"id": "evt_3PbenchA1b2C3d4", "object": "event", "api_version": stripe.APIVersion,
			"created": 1717000000, "type": "payment_intent.succeeded",
			"data": map[string]any{"object": map[string]any{
				"id": "pi_3PbenchA1b2C3d4", "object": "payment_intent", "amount": 5000, "currency": "xof",
				"status": "succeeded", "metadata": map[string]string{"cauri_payment_id": "pay_0123456789abcdefghjkmnpqrs", "pad": pad},
			}},
		})
		if err != nil {
			tb.Fatal(err)
		}
		return b
	}
	base := build("")
	if len(base) > size {
		tb.Fatalf("the smallest Stripe event is %d bytes, more than the %d asked", len(base), size)
	}
	out := build(strings.Repeat("x", size-len(base)))
	if len(out) != size {
		tb.Fatalf("Stripe event is %d bytes, want %d", len(out), size)
	}
	return out
}

// webhookDuplicateCases: the same notification again, its payment settled.
var webhookDuplicateCases = []benchCase{
	{"cauri-moneroo-signed", func(tb testing.TB, n int) (func(int) error, func() error) {
		return settledAgain(tb, n, rig.MonerooWebhookPath, func(s *rig.Shop) ([]rig.Notification, error) {
			return s.SeedMoneroo(context.Background(), "dup", 1, 1, time.Now().UTC())
		})
	}},
	{"cauri-paydunya-ipn", func(tb testing.TB, n int) (func(int) error, func() error) {
		return settledAgain(tb, n, rig.PayDunyaWebhookPath, func(s *rig.Shop) ([]rig.Notification, error) {
			return s.OpenPayDunya(context.Background(), 1, 1)
		})
	}},
	{"bare-nethttp-hmac-json", func(tb testing.TB, n int) (func(int) error, func() error) {
		s := newShop(tb)
		x := s.SignedMoneroo("bdup", 1)[0]
		table := rig.NewMapPayments([]string{x.PaymentID})
		h, reqs := s.Bare(table.Apply), repeated(x, rig.MonerooWebhookPath, n)
		return func(i int) error {
				return serve(h, reqs[i], http.StatusOK)
			}, func() error {
				if table.Paid() != 1 {
					return fmt.Errorf("payment not paid")
				}
				return nil
			}
	}},
}

// opened returns a new shop, the notifications of the payments open
// opened there, and the shop's handler.
func opened(tb testing.TB, open func(*rig.Shop) ([]rig.Notification, error)) (*rig.Shop, []rig.Notification, http.Handler) {
	tb.Helper()
	s := newShop(tb)
	ns, err := open(s)
	if err != nil {
		tb.Fatal(err)
	}
	return s, ns, s.Handler()
}

// settling opens n payments on a new shop with open, and returns an op
// that sends the ith one's notification to path, answered 200, and a
// check that OnPaid ran n times.
func settling(tb testing.TB, n int, path string, open func(*rig.Shop) ([]rig.Notification, error)) (func(int) error, func() error) {
	tb.Helper()
	s, ns, h := opened(tb, open)
	reqs := requests(ns, path)
	return func(i int) error {
		return serve(h, reqs[i], http.StatusOK)
	}, wantOnPaid(s, n)
}

// settled opens one payment on a new shop with open and settles it with
// its notification to path, answered 200.
func settled(tb testing.TB, path string, open func(*rig.Shop) ([]rig.Notification, error)) (*rig.Shop, rig.Notification, http.Handler) {
	tb.Helper()
	s, ns, h := opened(tb, open)
	if err := serve(h, ns[0].Request(path), http.StatusOK); err != nil {
		tb.Fatal(err)
	}
	return s, ns[0], h
}

// settledAgain opens one payment on a new shop with open, settles it with
// its notification to path, and returns an op that sends that
// notification again, answered 200, and a check that OnPaid ran once.
func settledAgain(tb testing.TB, n int, path string, open func(*rig.Shop) ([]rig.Notification, error)) (func(int) error, func() error) {
	tb.Helper()
	s, paid, h := settled(tb, path, open)
	reqs := repeated(paid, path, n)
	return func(i int) error {
		return serve(h, reqs[i], http.StatusOK)
	}, wantOnPaid(s, 1)
}

// returnCases: the customer back on the return URL of a settled payment.
var returnCases = []benchCase{
	{"cauri-moneroo-settled", func(tb testing.TB, n int) (func(int) error, func() error) {
		s, paid, h := settled(tb, rig.MonerooWebhookPath, func(s *rig.Shop) ([]rig.Notification, error) {
			return s.SeedMoneroo(context.Background(), "ret", 1, 1, time.Now().UTC())
		})
		u, err := url.Parse(s.Kit.ReturnURL("moneroo", paid.PaymentID))
		if err != nil {
			tb.Fatal(err)
		}
		reqs := make([]*http.Request, n)
		for i := range reqs {
			reqs[i] = httptest.NewRequest(http.MethodGet, u.Path, nil)
		}
		return func(i int) error {
			return serve(h, reqs[i], http.StatusSeeOther)
		}, wantOnPaid(s, 1)
	}},
}

// checkoutCases: a checkout through the kit to the Moneroo emulator over
// loopback, and one refused at once by an open breaker.
var checkoutCases = []benchCase{
	{"cauri-moneroo-emulator", func(tb testing.TB, n int) (func(int) error, func() error) {
		s := newShop(tb)
		h := s.Handler()
		ctx := context.Background()
		return func(i int) error {
			return serve(h, rig.CheckoutRequest(ctx, "moneroo", "o-"+strconv.Itoa(i)), http.StatusOK)
		}, wantCounter(s, n, "cauri_checkouts_total", "provider", "moneroo", "outcome", "created")
	}},
	{"cauri-moneroo-breaker-open", func(tb testing.TB, n int) (func(int) error, func() error) {
		s := newShop(tb)
		ctx := context.Background()
		if err := s.OpenBreaker(ctx, 20); err != nil {
			tb.Fatal(err)
		}
		h := s.Handler()
		return func(i int) error {
				return serve(h, rig.CheckoutRequest(ctx, "moneroo", "o-"+strconv.Itoa(i)), http.StatusServiceUnavailable)
			}, func() error {
				if st, err := s.BreakerState("moneroo"); err != nil || st != 2 {
					return fmt.Errorf("breaker state %v (%v), want open", st, err)
				}
				if got, _ := s.Counter("cauri_provider_requests_total", "outcome", "breaker_open"); got != 0 {
					return fmt.Errorf("%v provider calls refused by the breaker: the checkout should not have tried", got)
				}
				return wantCounter(s, n, "cauri_checkouts_total", "provider", "moneroo", "outcome", "provider_unavailable", "trips")()
			}
	}},
}

// providerCases are every provider's MapStatus and ParseWebhook on the
// paid notification each emulator sends.
func providerCases(tb testing.TB) []rig.Captured {
	tb.Helper()
	cs, closeAll, err := rig.CaptureAll(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(closeAll)
	return cs
}

// parseCase measures c's ParseWebhook.
func parseCase(c rig.Captured) benchCase {
	return benchCase{c.Name, func(tb testing.TB, _ int) (func(int) error, func() error) {
		req := c.Request()
		return func(int) error {
			u, err := c.Provider.ParseWebhook(req, c.Body)
			if err != nil {
				return err
			}
			if u.Status != cauri.StatusPaid && u.RawStatus == "" {
				return fmt.Errorf("%s: update has no status: %+v", c.Name, u)
			}
			return nil
		}, func() error { return nil }
	}}
}

// mapCase measures c's MapStatus on the raw status its notification
// carries.
func mapCase(c rig.Captured) benchCase {
	return benchCase{c.Name, func(tb testing.TB, _ int) (func(int) error, func() error) {
		u, err := c.Provider.ParseWebhook(c.Request(), c.Body)
		if err != nil {
			tb.Fatal(err)
		}
		raw := u.RawStatus
		want, _ := c.MapStatus(raw)
		return func(int) error {
			if s, _ := c.MapStatus(raw); s != want {
				return fmt.Errorf("%s: MapStatus(%q) = %s, then %s", c.Name, raw, want, s)
			}
			return nil
		}, func() error { return nil }
	}}
}

// wantCounter checks that a counter of the shop's kit is n (plus the
// trips it took to open the breaker when the last label is "trips").
func wantCounter(s *rig.Shop, n int, name string, labels ...string) func() error {
	return func() error {
		extra := 0.0
		if len(labels)%2 == 1 && labels[len(labels)-1] == "trips" {
			labels = labels[:len(labels)-1]
			trips, err := s.Counter("cauri_provider_requests_total", "operation", "create", "outcome", "transient")
			if err != nil {
				return err
			}
			extra = trips
		}
		got, err := s.Counter(name, labels...)
		if err != nil {
			return err
		}
		if got != float64(n)+extra {
			return fmt.Errorf("%s%v = %v, want %v", name, labels, got, float64(n)+extra)
		}
		return nil
	}
}
