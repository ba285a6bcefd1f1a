package reliability_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/providertest"
)

// TestDuplicateStorm is the load test: two kits on one PostgreSQL database
// behind a round-robin load balancer, 1,000 payments opened through
// checkout on Moneroo's emulator, each paid notification delivered 5 times
// at once while the customer comes back twice. Every payment must settle
// paid with OnPaid called once: none lost, none paid twice. It reports its
// figures with t.Log (see RELIABILITY.md).
func TestDuplicateStorm(t *testing.T) {
	if testing.Short() {
		t.Skip("a load test: skipped under -short")
	}
	if os.Getenv("CAURI_TEST_POSTGRES_DSN") == "" {
		t.Skip("set CAURI_TEST_POSTGRES_DSN to run the duplicate storm against PostgreSQL")
	}
	const (
		payments = 1000
		copies   = 5  // deliveries of each paid notification, at once
		returns  = 2  // customer return visits per payment, racing them
		workers  = 16 // customers paying at once
	)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	pg := backends()[2]
	// The storm keeps every connection busy: a server shared with other
	// tests must not run out of them midway.
	pg.fill = true
	e := specNamed(t, "moneroo").start(t, emuOptions{retries: 5, retryDelay: 50 * time.Millisecond, webhookTimeout: 10 * time.Second})
	e.em.SetWebhookPolicy(providertest.WebhookPolicy{Copies: copies})
	// The emulator has no rate limit: the load test measures the kit, not
	// a provider's quota.
	sh := newShop(t, pg.open(t), []*emu{e}, shopOptions{kits: 2, kitDefaults: true,
		rateLimits: map[string]cauri.RateLimit{e.name: {Requests: 1_000_000, Per: time.Minute}}})
	sh.route.Store(-1) // round robin between the two kits

	var (
		next      atomic.Int64
		failures  atomic.Int64 // requests that failed or got an unexpected answer
		mu        sync.Mutex
		ids       []string
		firstErrs []string
	)
	fail := func(format string, args ...any) {
		failures.Add(1)
		mu.Lock()
		defer mu.Unlock()
		if len(firstErrs) < 10 {
			firstErrs = append(firstErrs, fmt.Sprintf(format, args...))
		}
	}
	start := time.Now()
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for ctx.Err() == nil {
				n := next.Add(1)
				if n > payments {
					return
				}
				id, co, err := stormCheckout(ctx, sh, fmt.Sprintf("o-storm-%04d", n))
				if err != nil {
					fail("checkout %d: %v", n, err)
					continue
				}
				mu.Lock()
				ids = append(ids, id)
				mu.Unlock()
				// The customer pays; Moneroo notifies 5 times at once, and
				// sends the customer back, who also reloads the page.
				var pay sync.WaitGroup
				pay.Go(func() {
					if _, err := e.em.Act(ctx, co, providertest.Pay); err != nil {
						fail("pay %s: %v", id, err)
					}
				})
				ret := sh.kit().ReturnURL(e.name, id)
				for range returns {
					pay.Go(func() {
						if code, err := stormGet(ctx, sh, ret); err != nil || code != http.StatusSeeOther {
							fail("return %s: HTTP %d %v", id, code, err)
						}
					})
				}
				pay.Wait()
			}
		})
	}
	wg.Wait()
	wall := time.Since(start)
	if err := ctx.Err(); err != nil {
		t.Fatalf("the storm did not finish within its 3 minutes: %d payments started", next.Load())
	}

	// A return visit that came before the notification saw a pending
	// payment; one more visit each settles nothing new.
	var settled, lost, double, onPaid int
	for _, id := range ids {
		p, err := sh.stores[1].Get(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		calls, ok := sh.calls(id)
		onPaid += calls
		switch {
		case p.Status == cauri.StatusPaid && p.Fulfilled() && ok == 1:
			settled++
		default:
			lost++
			if lost <= 5 {
				t.Logf("not settled: %s %s fulfilled %v, OnPaid attempts %d; OnPaid calls %d, successes %d", id, p.Status, p.Fulfilled(), p.OnPaidAttempts, calls, ok)
			}
		}
		if ok > 1 || calls > 1 {
			double++
		}
	}
	outcomes := sh.webhookOutcomes(e.name)
	deliveries := e.em.Deliveries()
	var refused int
	for _, d := range deliveries {
		if !d.OK() {
			refused++
		}
	}
	t.Logf("storm: payments=%d settled=%d onpaid_calls=%d lost=%d double=%d deliveries=%d accepted=%v duplicates_absorbed=%v webhook_errors=%v refused_deliveries=%d request_failures=%d wall=%v",
		len(ids), settled, onPaid, lost, double, len(deliveries), outcomes["accepted"], outcomes["duplicate"], outcomes["error"], refused, failures.Load(), wall.Round(time.Millisecond))
	for _, s := range firstErrs {
		t.Log(s)
	}
	if len(ids) != payments || settled != payments || onPaid != payments || lost != 0 || double != 0 {
		t.Logf("the kits' first errors:\n%s", firstErrors(sh.logs.String(), 10))
		t.Errorf("payments %d, settled %d, OnPaid calls %d, lost %d, double %d; want %d, %d, %d, 0, 0",
			len(ids), settled, onPaid, lost, double, payments, payments, payments)
	}
	if got := sh.metric("cauri_payment_transitions_total", "provider", e.name); got != payments {
		t.Errorf("transitions = %v, want %d", got, payments)
	}
	if _, atOnce := sh.shipped(""); atOnce > 1 {
		t.Errorf("OnPaid ran %d at once for one payment", atOnce)
	}
}

// stormCheckout opens a payment through the load balancer, asking for
// JSON, without failing the test from a worker goroutine.
func stormCheckout(ctx context.Context, sh *shop, order string) (id, checkoutURL string, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, sh.front.URL+"/pay/checkout/moneroo",
		strings.NewReader(url.Values{"order": {order}}.Encode()))
	if err != nil {
		return "", "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := sh.client.Do(req)
	if err != nil {
		return "", "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", "", fmt.Errorf("HTTP %d: %s", resp.StatusCode, body)
	}
	var out struct {
		PaymentID   string `json:"payment_id"`
		CheckoutURL string `json:"checkout_url"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		return "", "", err
	}
	return out.PaymentID, out.CheckoutURL, nil
}

// stormGet visits u and returns the HTTP status.
func stormGet(ctx context.Context, sh *shop, u string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, err
	}
	resp, err := sh.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}

// firstErrors returns the first n lines of logs at level ERROR.
func firstErrors(logs string, n int) string {
	var out []string
	for line := range strings.Lines(logs) {
		if strings.Contains(line, "level=ERROR") {
			out = append(out, strings.TrimSpace(line))
			if len(out) == n {
				break
			}
		}
	}
	return strings.Join(out, "\n")
}
