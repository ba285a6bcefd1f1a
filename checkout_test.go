package cauri_test

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/providertest"
	"github.com/cauripay/cauri/stores/memory"
)

// errStoreDown is the failure hookedStore's hooks return.
var errStoreDown = errors.New("store down for maintenance")

// hookedStore is a memory store whose checkout calls (and Get) a test can
// replace, counting every call. The hooks are set before the kit uses the store.
type hookedStore struct {
	*memory.Store
	create     func(ctx context.Context, p cauri.Payment) error
	getPending func(ctx context.Context, key string) (cauri.Payment, error)
	attach     func(ctx context.Context, id, ref, checkoutURL string, now time.Time) error
	transition func(ctx context.Context, id string, from cauri.Status, c cauri.Change) (cauri.Payment, error)
	get        func(ctx context.Context, id string) (cauri.Payment, error)

	mu      sync.Mutex
	calls   map[string]int
	creates []time.Time // when Create was called
}

func newHookedStore() *hookedStore {
	return &hookedStore{Store: memory.New(), calls: map[string]int{}}
}

func (s *hookedStore) count(method string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[method]++
	if method == "Create" {
		s.creates = append(s.creates, time.Now())
	}
}

// called returns how many times method was called.
func (s *hookedStore) called(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[method]
}

func (s *hookedStore) Create(ctx context.Context, p cauri.Payment) error {
	s.count("Create")
	if s.create != nil {
		return s.create(ctx, p)
	}
	return s.Store.Create(ctx, p)
}

func (s *hookedStore) GetPendingByCheckoutKey(ctx context.Context, key string) (cauri.Payment, error) {
	s.count("GetPendingByCheckoutKey")
	if s.getPending != nil {
		return s.getPending(ctx, key)
	}
	return s.Store.GetPendingByCheckoutKey(ctx, key)
}

func (s *hookedStore) Attach(ctx context.Context, id, ref, checkoutURL string, now time.Time) error {
	s.count("Attach")
	if s.attach != nil {
		return s.attach(ctx, id, ref, checkoutURL, now)
	}
	return s.Store.Attach(ctx, id, ref, checkoutURL, now)
}

func (s *hookedStore) Transition(ctx context.Context, id string, from cauri.Status, c cauri.Change) (cauri.Payment, error) {
	s.count("Transition")
	if s.transition != nil {
		return s.transition(ctx, id, from, c)
	}
	return s.Store.Transition(ctx, id, from, c)
}

// TransitionClaimingOrder hides the wrapped store's [cauri.OrderMover],
// so that every move goes through Transition above; the kit then claims
// the order itself.
func (s *hookedStore) TransitionClaimingOrder(ctx context.Context, id string, from cauri.Status, c cauri.Change) (cauri.Payment, string, error) {
	p, err := s.Transition(ctx, id, from, c)
	return p, "", err
}

func (s *hookedStore) Get(ctx context.Context, id string) (cauri.Payment, error) {
	s.count("Get")
	if s.get != nil {
		return s.get(ctx, id)
	}
	return s.Store.Get(ctx, id)
}

// formOrder is a Config.Order for the checkout tests: the order named by
// the form's "order", of the form's "amount" (5000 when absent); "" is
// unknown, "invalid" fails validation and "broken" cannot be loaded.
func formOrder(r *http.Request, _ string) (cauri.Order, error) {
	id := r.FormValue("order")
	switch id {
	case "":
		return cauri.Order{}, cauri.ErrNotFound
	case "invalid":
		return cauri.Order{}, &cauri.ValidationError{What: "order", Fields: []cauri.FieldError{{Field: "order", Reason: "is already paid"}}}
	case "broken":
		return cauri.Order{}, errStoreDown
	}
	amount := int64(orderAmount)
	if a := r.FormValue("amount"); a != "" {
		amount, _ = strconv.ParseInt(a, 10, 64)
	}
	return cauri.Order{
		ID: id, Amount: amount, Currency: "XOF", Description: "Order " + id,
		Customer: cauri.Customer{FirstName: "Awa", LastName: "Diallo", Email: "awa@example.com"},
	}, nil
}

// TestCheckoutAnswersJSONClients: a client that accepts JSON gets every
// checkout answer as JSON, with the HTTP status a browser gets (200 where a
// browser is redirected): the payment to make, the order already paid, or
// the error. A browser keeps its redirects.
func TestCheckoutAnswersJSONClients(t *testing.T) {
	t.Parallel()
	type env struct {
		f     *fixture
		clock *providertest.Clock
		store *hookedStore
	}
	// paidUnnoticed opens a checkout of order and pays it at the provider,
	// whose notification is lost; an hour later the kit still thinks it
	// pending. It returns the payment's ID.
	paidUnnoticed := func(e env, order string) string {
		e.f.em.SetWebhookPolicy(providertest.WebhookPolicy{Lost: true})
		p, checkoutURL := e.f.checkout(order, nil)
		e.f.act(checkoutURL, providertest.Pay)
		e.clock.Later(time.Hour)
		return p.ID
	}
	down := func(status int) func(env, string) string {
		return func(e env, _ string) string {
			e.f.em.InjectFault(providertest.OpCreate, providertest.Fault{Kind: providertest.FaultStatus, Status: status, Times: 100})
			return ""
		}
	}
	tests := []struct {
		name   string
		order  string
		method string      // POST when empty
		path   string      // /pay/checkout/moneroo when empty
		header http.Header // besides Accept
		json   bool
		edit   func(*cauri.Config)
		// setup runs before the request; it returns the payment the
		// answer must name, or "" when a new one is expected.
		setup func(e env, order string) string

		want       int
		wantStatus cauri.Status // of the payment answered; "" for an error
		wantSame   bool         // the answer names the payment setup returned
		wantPage   string       // a browser's Location, or a JSON success_url, starts so
	}{
		{name: "created", order: "o-new", json: true, want: 200, wantStatus: cauri.StatusPending},
		{name: "created, browser", order: "o-new", want: 303, wantPage: "EMULATOR"},
		{name: "reused", order: "o-again", json: true, want: 200, wantStatus: cauri.StatusPending, wantSame: true,
			setup: func(e env, order string) string { p, _ := e.f.checkout(order, nil); return p.ID }},
		{name: "already paid", order: "o-paid", json: true, want: 200, wantStatus: cauri.StatusPaid, wantSame: true,
			setup: paidUnnoticed, wantPage: "/shop/success?"},
		{name: "already paid, browser", order: "o-paid", want: 303, setup: paidUnnoticed, wantPage: "/shop/success?"},
		{name: "supersedes an earlier amount", order: "o-changed", json: true, want: 200, wantStatus: cauri.StatusPending,
			setup: func(e env, order string) string {
				e.f.checkout(order, url.Values{"amount": {"4000"}})
				return ""
			}},
		{name: "replaces a stale checkout", order: "o-stale", json: true, want: 200, wantStatus: cauri.StatusPending,
			setup: func(e env, order string) string {
				// The first checkout's page opened, but recording it
				// failed: it stays pending with no page.
				var failed atomic.Bool
				e.store.attach = func(ctx context.Context, id, ref, u string, now time.Time) error {
					if failed.CompareAndSwap(false, true) {
						return errStoreDown
					}
					return e.store.Store.Attach(ctx, id, ref, u, now)
				}
				resp := e.f.do(http.MethodPost, "/pay/checkout/moneroo", "application/x-www-form-urlencoded",
					strings.NewReader(url.Values{"order": {order}}.Encode()), nil)
				resp.Body.Close()
				if resp.StatusCode != http.StatusInternalServerError {
					t.Fatalf("checkout whose recording fails: HTTP %d, want 500", resp.StatusCode)
				}
				e.clock.Later(time.Hour)
				return ""
			}},
		{name: "invalid order", order: "invalid", json: true, want: 422},
		{name: "unknown order", order: "", json: true, want: 404},
		{name: "order cannot be loaded", order: "broken", json: true, want: 500},
		{name: "store fails", order: "o-store", json: true, want: 500,
			setup: func(e env, _ string) string {
				e.store.create = func(context.Context, cauri.Payment) error { return errStoreDown }
				return ""
			}},
		{name: "provider refuses", order: "o-refused", json: true, want: 502, setup: down(422)},
		{name: "provider down", order: "o-down", json: true, want: 503, setup: down(503)},
		{name: "provider throttles", order: "o-429", json: true, want: 503, setup: down(429)},
		{name: "provider breaker open", order: "o-open", json: true, want: 503,
			edit: func(c *cauri.Config) { c.Breaker.OpenTimeout = time.Hour },
			setup: func(e env, order string) string {
				down(503)(e, order)
				resp := e.f.do(http.MethodPost, "/pay/checkout/moneroo", "application/x-www-form-urlencoded",
					strings.NewReader(url.Values{"order": {order}}.Encode()), nil)
				resp.Body.Close()
				return ""
			}},
		{name: "provider too slow", order: "o-slow", json: true, want: 503,
			edit: func(c *cauri.Config) { c.CheckoutTimeout = 50 * time.Millisecond },
			setup: func(e env, _ string) string {
				e.f.em.InjectFault(providertest.OpCreate, providertest.Fault{Kind: providertest.FaultSlow, Delay: time.Minute, Times: 100})
				return ""
			}},
		{name: "cross-site", order: "o-cross", json: true, want: 403,
			header: http.Header{"Sec-Fetch-Site": {"cross-site"}, "Origin": {"https://evil.example"}}},
		{name: "unknown provider", order: "o-nope", json: true, path: "/pay/checkout/nope", want: 404},
		{name: "wrong method", order: "o-get", json: true, method: http.MethodGet, want: 405},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := env{clock: &providertest.Clock{}, store: newHookedStore()}
			e.f = newFixture(t, withConfig(func(c *cauri.Config) {
				c.Store, c.Now, c.Order = e.store, e.clock.Now, formOrder
				if tt.edit != nil {
					tt.edit(c)
				}
			}))
			var same string
			if tt.setup != nil {
				same = tt.setup(e, tt.order)
			}
			method, path := cmp.Or(tt.method, http.MethodPost), cmp.Or(tt.path, "/pay/checkout/moneroo")
			h := http.Header{}
			for k, v := range tt.header {
				h[k] = v
			}
			if tt.json {
				h.Set("Accept", "application/json")
			}
			resp := e.f.do(method, path, "application/x-www-form-urlencoded", strings.NewReader(url.Values{"order": {tt.order}}.Encode()), h)
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.want {
				t.Fatalf("HTTP %d, want %d: %s", resp.StatusCode, tt.want, body)
			}
			wantPage := strings.Replace(tt.wantPage, "EMULATOR", e.f.em.URL, 1)

			if !tt.json {
				if loc := resp.Header.Get("Location"); !strings.HasPrefix(loc, wantPage) {
					t.Errorf("Location %q, want %s...", loc, wantPage)
				}
				return
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
				t.Fatalf("Content-Type %q, want application/json: %s", ct, body)
			}
			var got map[string]any
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatalf("body %s: %v", body, err)
			}
			if tt.wantStatus == "" {
				if msg, _ := got["error"].(string); msg == "" || len(got) != 1 {
					t.Errorf("body %s, want {\"error\": ...} only", body)
				}
				return
			}
			id, _ := got["payment_id"].(string)
			if status, _ := got["status"].(string); id == "" || status != string(tt.wantStatus) {
				t.Errorf("body %s, want a payment_id and status %q", body, tt.wantStatus)
			}
			if tt.wantSame && id != same {
				t.Errorf("payment_id %q, want %q", id, same)
			}
			if !tt.wantSame && same != "" && id == same {
				t.Errorf("payment_id %q is the earlier payment's", id)
			}
			if id != "" {
				if s := e.f.payment(id).Status; s != tt.wantStatus {
					t.Errorf("stored payment %s is %s, want %s", id, s, tt.wantStatus)
				}
			}
			if su, _ := got["status_url"].(string); su != e.f.kit.StatusURL(id) {
				t.Errorf("status_url %q, want %q", su, e.f.kit.StatusURL(id))
			}
			checkoutURL, hasCheckout := got["checkout_url"].(string)
			successURL, hasSuccess := got["success_url"].(string)
			switch tt.wantStatus {
			case cauri.StatusPending:
				if !hasCheckout || !strings.HasPrefix(checkoutURL, e.f.em.URL) || hasSuccess {
					t.Errorf("body %s, want the provider's checkout_url and no success_url", body)
				}
			case cauri.StatusPaid:
				if !hasSuccess || !strings.HasPrefix(successURL, wantPage+"payment_id="+id+"&token=") || hasCheckout {
					t.Errorf("body %s, want success_url %s... and no checkout_url", body, wantPage)
				}
			}
		})
	}
}

// TestCheckoutRetriesPause: when the order's checkout key stays taken, the
// checkout's rounds of store calls are spaced out by pauses, end when the
// request does without another pause, and a store failure closing a
// stale checkout ends them with a 500 that the log explains. It runs in a
// synctest bubble, whose clock moves only while every goroutine waits:
// rounds without a pause between them happen at the same instant.
func TestCheckoutRetriesPause(t *testing.T) {
	t.Parallel()
	duplicate := func(ctx context.Context, _ cauri.Payment) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		return fmt.Errorf("key taken: %w", cauri.ErrDuplicate)
	}
	notFound := func(ctx context.Context, _ string) (cauri.Payment, error) {
		if err := ctx.Err(); err != nil {
			return cauri.Payment{}, err
		}
		return cauri.Payment{}, fmt.Errorf("already settled: %w", cauri.ErrNotFound)
	}
	tests := []struct {
		name string
		// hook sets up the store; cancel ends the request.
		hook            func(s *hookedStore, cancel context.CancelFunc)
		want            int
		wantTransitions int
		wantLog         string // the log says so
		wantRounds      int    // Create calls
	}{
		{
			// A store whose pending key lags behind: Create says the key
			// is taken, the lookup finds it free, round after round.
			name: "key never freed",
			hook: func(s *hookedStore, _ context.CancelFunc) { s.create, s.getPending = duplicate, notFound },
			// The loop's own bound: the first try and 20 more.
			want: 500, wantLog: "key taken", wantRounds: 21,
		},
		{
			name: "request ends",
			hook: func(s *hookedStore, cancel context.CancelFunc) {
				s.create = duplicate
				s.getPending = func(ctx context.Context, key string) (cauri.Payment, error) {
					p, err := notFound(ctx, key)
					if s.called("GetPendingByCheckoutKey") == 3 {
						cancel() // as the third lookup answers
					}
					return p, err
				}
			},
			want: 500, wantLog: "context canceled", wantRounds: 3,
		},
		{
			// An earlier checkout of the order never opened; closing it
			// fails.
			name: "stale checkout cannot be closed",
			hook: func(s *hookedStore, _ context.CancelFunc) {
				var once sync.Once
				s.create = func(ctx context.Context, p cauri.Payment) error {
					once.Do(func() {
						old := p
						old.ID = "pay_0000000000000000000000stale"
						old.CreatedAt = p.CreatedAt.Add(-time.Hour)
						old.UpdatedAt = old.CreatedAt
						if err := s.Store.Create(ctx, old); err != nil {
							t.Errorf("planting the stale checkout: %v", err)
						}
					})
					return s.Store.Create(ctx, p)
				}
				s.transition = func(context.Context, string, cauri.Status, cauri.Change) (cauri.Payment, error) {
					return cauri.Payment{}, errStoreDown
				}
			},
			want: 500, wantTransitions: 1, wantLog: errStoreDown.Error(), wantRounds: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var logs bytes.Buffer
				store := newHookedStore()
				ctx, cancel := context.WithCancel(t.Context())
				defer cancel()
				tt.hook(store, cancel)
				kit, err := cauri.New(validConfig(func(c *cauri.Config) {
					c.Store, c.Order = store, formOrder
					c.Providers = []cauri.Provider{mustMoneroo(t)}
					c.Logger = slog.New(slog.NewTextHandler(&logs, nil))
				}))
				if err != nil {
					t.Fatal(err)
				}
				req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/checkout/moneroo", strings.NewReader("order=o-1"))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				rec := httptest.NewRecorder()
				kit.CheckoutHandler().ServeHTTP(rec, req)
				end := time.Now()

				if rec.Code != tt.want {
					t.Errorf("HTTP %d, want %d: %s", rec.Code, tt.want, rec.Body)
				}
				if !strings.Contains(logs.String(), tt.wantLog) {
					t.Errorf("log does not say %q:\n%s", tt.wantLog, logs.String())
				}
				if n := store.called("Transition"); n != tt.wantTransitions {
					t.Errorf("%d transitions, want %d", n, tt.wantTransitions)
				}
				creates := store.creates
				if len(creates) != tt.wantRounds {
					t.Fatalf("%d rounds, want %d", len(creates), tt.wantRounds)
				}
				for i := 1; i < len(creates); i++ {
					if !creates[i].After(creates[i-1]) {
						t.Errorf("round %d followed round %d without a pause", i+1, i)
					}
				}
				if last := creates[len(creates)-1]; !end.Equal(last) {
					t.Errorf("the checkout ended %v after its last round", end.Sub(last))
				}
			})
		})
	}
}
