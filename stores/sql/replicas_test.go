package sqlstore_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/moneroo/monerootest"
	"github.com/cauripay/cauri/providers/providertest"
	sqlstore "github.com/cauripay/cauri/stores/sql"
)

// replicas is a shop running as two processes behind a load balancer: two
// kits, each with its own *sql.DB, over one database.
type replicas struct {
	t     *testing.T
	em    *monerootest.Server
	kits  [2]*cauri.Kit
	store [2]*sqlstore.Store
	lb    *httptest.Server

	calls, successes   atomic.Int32
	running, maxAtOnce atomic.Int32
	fail               atomic.Int32       // OnPaid fails while this is positive, counting down
	clock              providertest.Clock // both kits'
}

func newReplicas(t *testing.T, b backend) *replicas {
	t.Helper()
	// The question is correctness under concurrency, not latency: a
	// loaded machine gets a generous answer time.
	r := &replicas{t: t, em: monerootest.New(providertest.WithWebhookRetries(3, 20*time.Millisecond), providertest.WithWebhookTimeout(30*time.Second))}
	t.Cleanup(r.em.Close)

	dsn := b.dsn(t)
	prefix := randomPrefix()
	var next atomic.Uint64
	var handlers [2]http.Handler
	r.lb = httptest.NewServer(http.StripPrefix("/pay", http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		handlers[next.Add(1)%2].ServeHTTP(w, req) // round robin
	})))
	t.Cleanup(r.lb.Close)

	for i := range r.kits {
		db := b.open(t, dsn)
		// As a shop would: a bounded pool per process, well under the
		// server's connection limit (PostgreSQL's default is 100).
		db.SetMaxOpenConns(16)
		if i == 0 {
			dropTables(t, db, prefix)
		}
		r.store[i] = sqlstore.New(db, b.dialect, sqlstore.WithTablePrefix(prefix))
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		if err := r.store[i].Migrate(ctx); err != nil {
			t.Fatalf("Migrate: %v", err)
		}
		cancel()
		k, err := cauri.New(cauri.Config{
			Store:     r.store[i],
			Providers: []cauri.Provider{r.em.Provider()},
			PublicURL: r.lb.URL + "/pay",
			Secret:    "replica-secret-replica-secret-replica-secret",
			Order: func(req *http.Request, _ string) (cauri.Order, error) {
				return cauri.Order{ID: req.FormValue("order"), Amount: 5000, Currency: "XOF",
					Customer: cauri.Customer{FirstName: "Awa", LastName: "Diallo", Email: "awa@example.com"}}, nil
			},
			OnPaid:     r.onPaid,
			SuccessURL: "/ok", FailureURL: "/ko", PendingURL: "/wait",
			Now: r.clock.Now,
		})
		if err != nil {
			t.Fatal(err)
		}
		r.kits[i], handlers[i] = k, k
	}
	r.em.SetWebhookURL(r.lb.URL + "/pay/webhooks/moneroo")
	return r
}

func (r *replicas) onPaid(context.Context, cauri.Payment) error {
	r.calls.Add(1)
	n := r.running.Add(1)
	defer r.running.Add(-1)
	for {
		m := r.maxAtOnce.Load()
		if n <= m || r.maxAtOnce.CompareAndSwap(m, n) {
			break
		}
	}
	time.Sleep(5 * time.Millisecond) // long enough for the others to race
	if r.fail.Add(-1) >= 0 {
		return errors.New("warehouse unavailable")
	}
	r.successes.Add(1)
	return nil
}

// checkout opens a payment through the load balancer.
func (r *replicas) checkout(order string) (id, checkoutURL string) {
	r.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, r.lb.URL+"/pay/checkout/moneroo", strings.NewReader("order="+order))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		PaymentID   string `json:"payment_id"`
		CheckoutURL string `json:"checkout_url"`
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &out) != nil {
		r.t.Fatalf("checkout: HTTP %d: %s", resp.StatusCode, body)
	}
	return out.PaymentID, out.CheckoutURL
}

// wantEveryCopyAcknowledged checks that each duplicate notification ended
// with a 2xx, after whatever redeliveries the provider made.
func (r *replicas) wantEveryCopyAcknowledged(copies int) {
	r.t.Helper()
	last := map[int]int{}
	for _, d := range r.em.Deliveries() {
		if d.Forged || d.Lost {
			continue
		}
		last[d.Copy] = d.StatusCode
	}
	if len(last) != copies {
		r.t.Errorf("%d copies delivered, want %d", len(last), copies)
	}
	for c, code := range last {
		if code < 200 || code > 299 {
			r.t.Errorf("copy %d ended with HTTP %d", c, code)
		}
	}
}

func (r *replicas) payment(id string) cauri.Payment {
	r.t.Helper()
	p, err := r.store[1].Get(context.Background(), id)
	if err != nil {
		r.t.Fatal(err)
	}
	return p
}

// TestReplicas: two kits sharing one database receive the same paid
// notification 200 times at once, split between them by a load balancer.
func TestReplicas(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		t.Run("DuplicateStorm", func(t *testing.T) {
			r := newReplicas(t, b)
			r.em.SetWebhookPolicy(providertest.WebhookPolicy{Copies: 200})
			id, co := r.checkout("o-storm")
			if _, err := r.em.Act(context.Background(), co, providertest.Pay); err != nil {
				t.Fatal(err)
			}
			r.wantEveryCopyAcknowledged(200)
			// SQLite has one writer at a time: under load a copy may
			// wait past the deadline and be redelivered. The servers
			// must answer every copy at once.
			if got := r.em.Deliveries(); len(got) != 200 && b.dialect != sqlstore.SQLite {
				t.Errorf("%d deliveries, want 200 (no copy needed a retry)", len(got))
				seen := map[string]int{}
				for _, d := range got {
					if d.StatusCode < 200 || d.StatusCode > 299 {
						seen[http.StatusText(d.StatusCode)+" "+errString(d.Err)]++
					}
				}
				t.Errorf("failed attempts: %v", seen)
			}
			if c, s := r.calls.Load(), r.successes.Load(); c != 1 || s != 1 {
				t.Errorf("OnPaid calls = %d, successes = %d; want 1, 1", c, s)
			}
			p := r.payment(id)
			if p.Status != cauri.StatusPaid || !p.Fulfilled() || p.OnPaidAttempts != 1 {
				t.Errorf("payment = %s, fulfilled %v, attempts %d", p.Status, p.Fulfilled(), p.OnPaidAttempts)
			}
		})

		t.Run("OnPaidFailsTwice", func(t *testing.T) {
			r := newReplicas(t, b)
			r.fail.Store(2)
			r.em.SetWebhookPolicy(providertest.WebhookPolicy{Copies: 200})
			id, co := r.checkout("o-retry")
			if _, err := r.em.Act(context.Background(), co, providertest.Pay); err != nil {
				t.Fatal(err)
			}
			r.wantEveryCopyAcknowledged(200)
			if c, s := r.calls.Load(), r.successes.Load(); c != 3 || s != 1 {
				t.Errorf("OnPaid calls = %d, successes = %d; want 3, 1", c, s)
			}
			if m := r.maxAtOnce.Load(); m != 1 {
				t.Errorf("OnPaid ran %d at once", m)
			}
			if p := r.payment(id); !p.Fulfilled() || p.OnPaidAttempts != 3 {
				t.Errorf("fulfilled %v, attempts %d; want true, 3", p.Fulfilled(), p.OnPaidAttempts)
			}
		})

		t.Run("CrashedClaim", func(t *testing.T) {
			r := newReplicas(t, b)
			r.em.SetWebhookPolicy(providertest.WebhookPolicy{Hold: true})
			id, co := r.checkout("o-crash")
			if _, err := r.em.Act(context.Background(), co, providertest.Pay); err != nil {
				t.Fatal(err)
			}
			// Replica 0 settled the payment, took the OnPaid lease for
			// a minute and died.
			const lease = time.Minute
			ctx := context.Background()
			now := r.clock.Now().UTC()
			if _, err := r.store[0].Transition(ctx, id, cauri.StatusPending, cauri.Change{To: cauri.StatusPaid, At: now}); err != nil {
				t.Fatal(err)
			}
			if err := r.store[0].ClaimOnPaid(ctx, id, "replica-0", now, lease); err != nil {
				t.Fatal(err)
			}
			// While the lease holds, the notification is acknowledged
			// (OnPaid is in hand elsewhere) and OnPaid does not run.
			if err := r.em.FlushWebhooks(ctx); err != nil {
				t.Fatal(err)
			}
			if c := r.calls.Load(); c != 0 {
				t.Fatalf("OnPaid ran %d times under another replica's lease", c)
			}
			// Once it expires, the next visit completes it, once.
			r.clock.Later(lease + time.Second)
			var wg sync.WaitGroup
			for range 20 {
				wg.Go(func() {
					resp, err := http.Get(r.kits[0].StatusURL(id))
					if err != nil {
						t.Error(err)
						return
					}
					resp.Body.Close()
				})
			}
			wg.Wait()
			// The status endpoint does not run OnPaid for a settled
			// payment; a return visit does.
			client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			for range 10 {
				wg.Go(func() {
					resp, err := client.Get(r.kits[1].ReturnURL("moneroo", id))
					if err != nil {
						t.Error(err)
						return
					}
					resp.Body.Close()
					if loc := resp.Header.Get("Location"); !strings.HasPrefix(loc, "/ok") {
						t.Errorf("return went to %q", loc)
					}
				})
			}
			wg.Wait()
			if c, s := r.calls.Load(), r.successes.Load(); c != 1 || s != 1 {
				t.Errorf("OnPaid calls = %d, successes = %d; want 1, 1", c, s)
			}
			if p := r.payment(id); !p.Fulfilled() || p.OnPaidAttempts != 2 {
				t.Errorf("fulfilled %v, attempts %d; want true, 2 (the crashed one and ours)", p.Fulfilled(), p.OnPaidAttempts)
			}
		})
	})
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
