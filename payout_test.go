package cauri_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/moneroo/monerootest"
	"github.com/cauripay/cauri/providers/paydunya/paydunyatest"
	"github.com/cauripay/cauri/providers/providertest"
	"github.com/cauripay/cauri/stores/memory"
)

// payoutKit is a kit over PayDunya's emulator, which offers payouts, and
// Moneroo's, which does not.
func payoutKit(t *testing.T) (*cauri.Kit, *paydunyatest.Server, *prometheus.Registry) {
	t.Helper()
	pd, mo := paydunyatest.New(), monerootest.New()
	t.Cleanup(pd.Close)
	t.Cleanup(mo.Close)
	reg := prometheus.NewRegistry()
	k, err := cauri.New(cauri.Config{
		Store:      memory.New(),
		Providers:  []cauri.Provider{pd.Provider(), mo.Provider()},
		PublicURL:  "https://shop.example/pay",
		Secret:     kitSecret,
		Order:      func(*http.Request, string) (cauri.Order, error) { return cauri.Order{}, cauri.ErrNotFound },
		SuccessURL: "/ok", FailureURL: "/ko", PendingURL: "/wait",
		Registerer: reg, ProviderTimeout: 300 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	return k, pd, reg
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
		if n := len(pd.Payouts()); n != 1 {
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
		if n := len(pd.Payouts()); n != 1 {
			t.Errorf("the provider paid %d times, want 1", n)
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

	t.Run("unknown outcome stays pending and is never paid again", func(t *testing.T) {
		k, pd, _ := payoutKit(t)
		pd.InjectFault(providertest.OpPayout, providertest.Fault{Kind: providertest.FaultSlow, Delay: 2 * time.Second})
		res, err := k.Payout(ctx, "paydunya", req)
		if err == nil || res.Status != cauri.PayoutPending {
			t.Fatalf("Payout after a timeout = %+v, %v; want pending and an error", res, err)
		}
		again, err := k.Payout(ctx, "paydunya", req)
		if err != nil || again.Status != cauri.PayoutPending {
			t.Errorf("retry = %+v, %v; want pending, no error", again, err)
		}
	})

	t.Run("invalid requests", func(t *testing.T) {
		k, _, _ := payoutKit(t)
		var ve *cauri.ValidationError
		if _, err := k.Payout(ctx, "paydunya", cauri.PayoutRequest{Key: "k", Amount: -1, Currency: "XOF"}); !errors.As(err, &ve) || len(ve.Fields) != 2 {
			t.Errorf("invalid request: %v, want Account and Amount named", err)
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
