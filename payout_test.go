package cauri_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/internal/testmetrics"
	"github.com/cauripay/cauri/providers/moneroo/monerootest"
	"github.com/cauripay/cauri/providers/paydunya/paydunyatest"
	"github.com/cauripay/cauri/providers/providertest"
	"github.com/cauripay/cauri/stores/memory"
)

// payoutKit is a kit over PayDunya's emulator, which offers payouts, and
// Moneroo's, which does not.
func payoutKit(t *testing.T) (*cauri.Kit, *paydunyatest.Server, *prometheus.Registry) {
	t.Helper()
	pd, mo := payDunya(t), monerootest.New()
	t.Cleanup(mo.Close)
	k, reg := payoutKitWith(t, pd, memory.New(), nil, func(c *cauri.Config) {
		c.Providers = append(c.Providers, mo.Provider())
		c.ProviderTimeout = 300 * time.Millisecond
	})
	return k, pd, reg
}

// payDunya is PayDunya's emulator, closed when t ends.
func payDunya(t *testing.T) *paydunyatest.Server {
	pd := paydunyatest.New()
	t.Cleanup(pd.Close)
	return pd
}

// sent counts the disbursements PayDunya's emulator sent.
func sent(pd *paydunyatest.Server) int {
	n := 0
	for _, d := range pd.Disbursements() {
		n += d.Submissions
	}
	return n
}

// requestsTo counts the calls the emulator received on paths ending so.
func requestsTo(pd *paydunyatest.Server, suffix string) int {
	n := 0
	for _, r := range pd.Requests() {
		if strings.HasSuffix(r.Path, suffix) {
			n++
		}
	}
	return n
}

func TestPayout(t *testing.T) {
	ctx := context.Background()
	req := cauri.PayoutRequest{Key: "refund-order-42", Account: "771111111", Amount: 2500, Currency: "XOF"}

	t.Run("pays once per key", func(t *testing.T) {
		k, pd, reg := payoutKit(t)
		first, err := k.Payout(ctx, "paydunya", req)
		if err != nil || first.Status != cauri.PayoutSucceeded || first.ProviderRef == "" {
			t.Fatalf("Payout = %+v, %v", first, err)
		}
		var wg sync.WaitGroup
		for range 32 {
			wg.Go(func() {
				again, err := k.Payout(ctx, "paydunya", req)
				if err != nil || again != first {
					t.Errorf("retry = %+v, %v; want %+v", again, err, first)
				}
			})
		}
		wg.Wait()
		if n := sent(pd); n != 1 {
			t.Errorf("the provider paid %d times, want 1", n)
		}
		if got, _ := providertest.MetricSum(reg, "cauri_payouts_total", "outcome", "duplicate"); got != 32 {
			t.Errorf("duplicates counted = %v, want 32", got)
		}
		other := req
		other.Amount++
		if _, err := k.Payout(ctx, "paydunya", other); !errors.Is(err, cauri.ErrPayoutKeyReused) {
			t.Errorf("a different payout under the same key: %v, want ErrPayoutKeyReused", err)
		}
	})

	t.Run("concurrent first calls pay once", func(t *testing.T) {
		k, pd, _ := payoutKit(t)
		var wg sync.WaitGroup
		for range 16 {
			wg.Go(func() {
				if _, err := k.Payout(ctx, "paydunya", req); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if n, made := sent(pd), len(pd.Disbursements()); n != 1 || made != 1 {
			t.Errorf("the provider made %d disbursements and paid %d times, want 1 and 1", made, n)
		}
	})

	t.Run("refused, then not retried", func(t *testing.T) {
		k, pd, _ := payoutKit(t)
		pd.RefuseAccount(req.Account, "")
		res, err := k.Payout(ctx, "paydunya", req)
		if err != nil || res.Status != cauri.PayoutFailed {
			t.Fatalf("Payout = %+v, %v; want failed", res, err)
		}
		if again, _ := k.Payout(ctx, "paydunya", req); again.Status != cauri.PayoutFailed {
			t.Errorf("retry = %+v", again)
		}
	})

	t.Run("unknown outcome stays pending, named, and is never paid again", func(t *testing.T) {
		k, pd, _ := payoutKit(t)
		pd.InjectFault(providertest.OpPayout, providertest.Fault{Kind: providertest.FaultSlow, Delay: 2 * time.Second})
		res, err := k.Payout(ctx, "paydunya", req)
		if err == nil || res.Status != cauri.PayoutPending || res.ProviderRef == "" {
			t.Fatalf("Payout after a timeout = %+v, %v; want pending, its reference and an error", res, err)
		}
		again, err := k.Payout(ctx, "paydunya", req)
		if err != nil || again.Status != cauri.PayoutPending || again.ProviderRef != res.ProviderRef {
			t.Errorf("retry = %+v, %v; want pending with the same reference, no error", again, err)
		}
		if n := len(pd.Disbursements()); n != 1 {
			t.Errorf("%d disbursements made, want 1", n)
		}
	})

	t.Run("a failed preparation sends nothing", func(t *testing.T) {
		tests := []struct {
			name  string
			fault providertest.Fault
		}{
			{"refused", providertest.Fault{Kind: providertest.FaultStatus, Status: 400}},
			{"answer lost at every try", providertest.Fault{Kind: providertest.FaultDrop, Times: 3}},
		}
		for _, tt := range tests {
			k, pd, _ := payoutKit(t)
			pd.InjectFault(providertest.OpPayoutPrepare, tt.fault)
			res, err := k.Payout(ctx, "paydunya", req)
			if err == nil || res.Status != cauri.PayoutFailed {
				t.Errorf("%s: Payout = %+v, %v; want failed with an error", tt.name, res, err)
			}
			if again, err := k.Payout(ctx, "paydunya", req); err != nil || again.Status != cauri.PayoutFailed {
				t.Errorf("%s: retry = %+v, %v; want failed", tt.name, again, err)
			}
			if n := sent(pd); n != 0 {
				t.Errorf("%s: %d sent, want none", tt.name, n)
			}
		}
	})

	t.Run("a preparation retried after a lost answer sends once", func(t *testing.T) {
		k, pd, _ := payoutKit(t)
		pd.InjectFault(providertest.OpPayoutPrepare, providertest.Fault{Kind: providertest.FaultLost})
		res, err := k.Payout(ctx, "paydunya", req)
		if err != nil || res.Status != cauri.PayoutSucceeded {
			t.Fatalf("Payout = %+v, %v; want succeeded", res, err)
		}
		// Two disbursements made, the one whose name was lost never sent.
		if made, n := len(pd.Disbursements()), sent(pd); made != 2 || n != 1 {
			t.Errorf("%d disbursements made, %d sent; want 2 and 1", made, n)
		}
	})

	t.Run("invalid requests", func(t *testing.T) {
		k, _, _ := payoutKit(t)
		var ve *cauri.ValidationError
		if _, err := k.Payout(ctx, "paydunya", cauri.PayoutRequest{Key: "k", Amount: -1, Currency: "XOF", Method: "mode\n"}); !errors.As(err, &ve) || len(ve.Fields) != 3 {
			t.Errorf("invalid request: %v, want Account, Amount and Method named", err)
		}
		if _, err := k.Payout(ctx, "moneroo", req); !errors.Is(err, cauri.ErrUnsupported) {
			t.Errorf("moneroo: %v, want ErrUnsupported", err)
		}
		if _, err := k.Payout(ctx, "paypal", req); !errors.Is(err, cauri.ErrUnknownProvider) {
			t.Errorf("unknown provider: %v, want ErrUnknownProvider", err)
		}
		// PayDunya pays XOF only: refused before any call, recorded failed.
		usd := req
		usd.Key, usd.Currency = "usd-payout", "USD"
		if res, err := k.Payout(ctx, "paydunya", usd); err == nil || res.Status != cauri.PayoutFailed {
			t.Errorf("USD payout = %+v, %v; want failed with an error", res, err)
		}
	})
}

// walletPayout is a payout to an Orange Money wallet: PayDunya answers
// pending, and its operator settles it later.
func walletPayout(key string) cauri.PayoutRequest {
	return cauri.PayoutRequest{Key: key, Account: "771111111", Amount: 3000, Currency: "XOF", Method: "orange-money-senegal"}
}

// pendingPayout sends the walletPayout of key through PayDunya, which
// leaves it pending, and fails t unless it is.
func pendingPayout(t *testing.T, k *cauri.Kit, key string) cauri.PayoutResult {
	t.Helper()
	res, err := k.Payout(t.Context(), "paydunya", walletPayout(key))
	if err != nil || res.Status != cauri.PayoutPending {
		t.Fatalf("Payout = %+v, %v; want pending", res, err)
	}
	return res
}

// wantResolutions checks how many payout resolutions reg counted with
// outcome.
func wantResolutions(t *testing.T, reg prometheus.Gatherer, outcome string, want float64) {
	t.Helper()
	if got := testmetrics.Sum(t, reg, "cauri_payout_resolutions_total", "outcome", outcome); got != want {
		t.Errorf("resolutions counted %s = %v, want %v", outcome, got, want)
	}
}

func TestResolvePayout(t *testing.T) {
	ctx := context.Background()

	t.Run("the result's write failed", func(t *testing.T) {
		pd := payDunya(t)
		store := &flakyPayouts{Store: memory.New(), failFinal: 1}
		k, reg := payoutKitWith(t, pd, store, nil)
		req := cauri.PayoutRequest{Key: "po-write", Account: "771111111", Amount: 4500, Currency: "XOF"}
		res, err := k.Payout(ctx, "paydunya", req)
		if err != nil || res.Status != cauri.PayoutSucceeded {
			t.Fatalf("Payout = %+v, %v", res, err)
		}
		if again, _ := k.Payout(ctx, "paydunya", req); again.Status != cauri.PayoutPending {
			t.Fatalf("before resolving, the stored payout is %+v; want pending", again)
		}
		p, err := k.ResolvePayout(ctx, req.Key)
		if err != nil || p.Status != cauri.PayoutSucceeded || p.ProviderRef != res.ProviderRef || p.Amount != 4500 {
			t.Fatalf("ResolvePayout = %+v, %v; want succeeded", p, err)
		}
		if again, err := k.Payout(ctx, "paydunya", req); err != nil || again.Status != cauri.PayoutSucceeded {
			t.Errorf("after resolving, Payout = %+v, %v; want succeeded", again, err)
		}
		// Idempotent: a settled payout is returned as it is, nobody asked.
		asked := requestsTo(pd, "/check-status")
		if p2, err := k.ResolvePayout(ctx, req.Key); err != nil || p2 != p {
			t.Errorf("ResolvePayout again = %+v, %v; want %+v", p2, err, p)
		}
		if n := requestsTo(pd, "/check-status"); n != asked || sent(pd) != 1 {
			t.Errorf("check-status called %d times after settling, %d sent; want no call, 1 sent", n-asked, sent(pd))
		}
		wantResolutions(t, reg, "succeeded", 1)
	})

	t.Run("the answer was lost", func(t *testing.T) {
		k, pd, _ := payoutKit(t)
		pd.InjectFault(providertest.OpPayout, providertest.Fault{Kind: providertest.FaultLost})
		req := cauri.PayoutRequest{Key: "po-lost", Account: "771111111", Amount: 1200, Currency: "XOF"}
		res, err := k.Payout(ctx, "paydunya", req)
		if err == nil || res.Status != cauri.PayoutPending {
			t.Fatalf("Payout = %+v, %v; want pending and an error", res, err)
		}
		p, err := k.ResolvePayout(ctx, req.Key)
		if err != nil || p.Status != cauri.PayoutSucceeded {
			t.Errorf("ResolvePayout = %+v, %v; want succeeded: PayDunya sent it", p, err)
		}
		if n := sent(pd); n != 1 {
			t.Errorf("%d sent, want 1", n)
		}
	})

	t.Run("the provider says failed", func(t *testing.T) {
		k, pd, reg := payoutKit(t)
		res := pendingPayout(t, k, "po-fail")
		if err := pd.SettleDisbursement(res.ProviderRef, paydunyatest.DisburseFailed); err != nil {
			t.Fatal(err)
		}
		p, err := k.ResolvePayout(ctx, "po-fail")
		if err != nil || p.Status != cauri.PayoutFailed || p.Message == "" {
			t.Errorf("ResolvePayout = %+v, %v; want failed with PayDunya's reason", p, err)
		}
		wantResolutions(t, reg, "failed", 1)
	})

	t.Run("the provider says pending", func(t *testing.T) {
		k, pd, reg := payoutKit(t)
		res := pendingPayout(t, k, "po-wait")
		p, err := k.ResolvePayout(ctx, "po-wait")
		if !errors.Is(err, cauri.ErrPayoutPending) || p.Status != cauri.PayoutPending || p.ProviderRef != res.ProviderRef {
			t.Errorf("ResolvePayout = %+v, %v; want it pending, ErrPayoutPending", p, err)
		}
		wantResolutions(t, reg, "pending", 1)
		if err := pd.SettleDisbursement(res.ProviderRef, paydunyatest.DisburseSuccess); err != nil {
			t.Fatal(err)
		}
		if p, err := k.ResolvePayout(ctx, "po-wait"); err != nil || p.Status != cauri.PayoutSucceeded {
			t.Errorf("ResolvePayout once settled = %+v, %v; want succeeded", p, err)
		}
		if n := sent(pd); n != 1 {
			t.Errorf("%d sent, want 1", n)
		}
	})

	t.Run("concurrent calls finish it once", func(t *testing.T) {
		pd := payDunya(t)
		store := &flakyPayouts{Store: memory.New()}
		k, reg := payoutKitWith(t, pd, store, nil)
		replica, _ := payoutKitWith(t, pd, store, nil) // another process on the same store
		res := pendingPayout(t, k, "po-race")
		if err := pd.SettleDisbursement(res.ProviderRef, paydunyatest.DisburseSuccess); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range 32 {
			kit := k
			if i%2 == 1 {
				kit = replica
			}
			wg.Go(func() {
				<-start
				p, err := kit.ResolvePayout(ctx, "po-race")
				if err != nil || p.Status != cauri.PayoutSucceeded || p.ProviderRef != res.ProviderRef {
					t.Errorf("ResolvePayout = %+v, %v; want succeeded", p, err)
				}
			})
		}
		close(start)
		wg.Wait()
		if n := store.finished.Load(); n != 1 {
			t.Errorf("the payout was finished %d times, want once", n)
		}
		if n := sent(pd); n != 1 {
			t.Errorf("%d sent, want 1", n)
		}
		if got, _ := providertest.MetricSum(reg, "cauri_payout_resolutions_total", "outcome", "succeeded"); got > 1 {
			t.Errorf("this process counted %v resolutions succeeded, want at most 1", got)
		}
	})

	t.Run("unknown key", func(t *testing.T) {
		k, _, _ := payoutKit(t)
		_, err := k.ResolvePayout(ctx, "po-nobody")
		if !errors.Is(err, cauri.ErrPayoutNotFound) || !errors.Is(err, cauri.ErrNotFound) {
			t.Errorf("ResolvePayout of an unknown key: %v, want ErrPayoutNotFound and ErrNotFound", err)
		}
	})

	t.Run("nothing to look it up by", func(t *testing.T) {
		pd := payDunya(t)
		// The store refuses the reference and then the failure: the
		// payout stays pending with no reference, and nothing was sent.
		store := &flakyPayouts{Store: memory.New(), failAny: 2}
		k, reg := payoutKitWith(t, pd, store, nil)
		req := cauri.PayoutRequest{Key: "po-noref", Account: "771111111", Amount: 100, Currency: "XOF"}
		if res, err := k.Payout(ctx, "paydunya", req); err == nil || res.Status != cauri.PayoutFailed {
			t.Fatalf("Payout = %+v, %v; want failed with an error", res, err)
		}
		p, err := k.ResolvePayout(ctx, req.Key)
		if !errors.Is(err, cauri.ErrPayoutNotCheckable) || errors.Is(err, cauri.ErrUnsupported) || p.Status != cauri.PayoutPending {
			t.Errorf("ResolvePayout = %+v, %v; want pending, ErrPayoutNotCheckable", p, err)
		}
		if n := sent(pd); n != 0 {
			t.Errorf("%d sent, want none", n)
		}
		if n := requestsTo(pd, "/check-status"); n != 0 {
			t.Errorf("check-status called %d times, want none", n)
		}
		wantResolutions(t, reg, "unresolvable", 1)
	})

	t.Run("a provider that cannot look payouts up", func(t *testing.T) {
		pd, mo := paydunyatest.New(), monerootest.New()
		defer pd.Close()
		defer mo.Close()
		store := memory.New()
		k, _ := payoutKitWith(t, pd, store, nil, func(c *cauri.Config) {
			c.Providers = append(c.Providers, mo.Provider())
		})
		// A payout another release recorded for a provider with no lookup.
		now := time.Now().UTC()
		if err := store.CreatePayout(ctx, cauri.Payout{Key: "po-mo", Provider: "moneroo", Account: "x", Amount: 1, Currency: "XOF",
			Status: cauri.PayoutPending, ProviderRef: "mo-1", CreatedAt: now, UpdatedAt: now}); err != nil {
			t.Fatal(err)
		}
		_, err := k.ResolvePayout(ctx, "po-mo")
		if !errors.Is(err, cauri.ErrPayoutNotCheckable) || !errors.Is(err, cauri.ErrUnsupported) {
			t.Errorf("ResolvePayout: %v, want ErrPayoutNotCheckable and ErrUnsupported", err)
		}
	})

	t.Run("the breaker open", func(t *testing.T) {
		pd := payDunya(t)
		k, reg := payoutKitWith(t, pd, memory.New(), nil, func(c *cauri.Config) {
			c.Breaker = cauri.BreakerPolicy{ConsecutiveFailures: 1, OpenTimeout: time.Hour}
			c.Retry = cauri.RetryPolicy{MaxRetries: -1}
		})
		pendingPayout(t, k, "po-down")
		pd.InjectFault(providertest.OpPayoutStatus, providertest.Fault{Kind: providertest.FaultStatus, Status: 503})
		if p, err := k.ResolvePayout(ctx, "po-down"); err == nil || p.Status != cauri.PayoutPending {
			t.Errorf("ResolvePayout with PayDunya down = %+v, %v; want pending and an error", p, err)
		}
		asked := requestsTo(pd, "/check-status")
		p, err := k.ResolvePayout(ctx, "po-down")
		if !errors.Is(err, cauri.ErrProviderUnavailable) || p.Status != cauri.PayoutPending {
			t.Errorf("ResolvePayout with the breaker open = %+v, %v; want pending, ErrProviderUnavailable", p, err)
		}
		if n := requestsTo(pd, "/check-status"); n != asked {
			t.Errorf("check-status called %d times with the breaker open", n-asked)
		}
		wantResolutions(t, reg, "skipped", 1)
	})
}
