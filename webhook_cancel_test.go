package cauri_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/internal/emulator/emutest"
	"github.com/cauripay/cauri/providers/moneroo"
	"github.com/cauripay/cauri/stores/memory"
)

// slowStore is a memory store whose writes of a status first call before,
// which plays a slow database: it may block until the test lets it answer
// (giving up, as a database driver does, when its context ends first), or
// move the kit's clock by the time the write takes.
type slowStore struct {
	*memory.Store
	before func(context.Context, cauri.Change) error
}

func (s slowStore) Transition(ctx context.Context, id string, from cauri.Status, c cauri.Change) (cauri.Payment, error) {
	if err := s.before(ctx, c); err != nil {
		return cauri.Payment{}, err
	}
	return s.Store.Transition(ctx, id, from, c)
}

// TransitionClaimingOrder hides the wrapped store's [cauri.OrderMover],
// so that every move goes through Transition above.
func (s slowStore) TransitionClaimingOrder(ctx context.Context, id string, from cauri.Status, c cauri.Change) (cauri.Payment, string, error) {
	p, err := s.Transition(ctx, id, from, c)
	return p, "", err
}

// TestWebhookOutlivesImpatientProvider: a provider that hangs up before a
// slow store has written does not cancel the write; the payment is settled
// and OnPaid runs, once, without a redelivery.
func TestWebhookOutlivesImpatientProvider(t *testing.T) {
	writing := make(chan struct{}) // the write to paid has begun
	release := make(chan struct{}) // the database answers
	var once sync.Once
	store := slowStore{Store: memory.New(), before: func(ctx context.Context, c cauri.Change) error {
		if c.To != cauri.StatusPaid {
			return nil
		}
		once.Do(func() { close(writing) })
		select {
		case <-release:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}}
	f := newFixture(t, withConfig(func(c *cauri.Config) { c.Store = store }))
	p, _ := f.checkout("impatient", nil)

	// The kit behind a server that says when the provider's request is
	// over for it and when it has answered.
	gone, answered := make(chan struct{}), make(chan struct{})
	srv := httptest.NewServer(http.StripPrefix("/pay", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer close(answered)
		go func() {
			<-r.Context().Done()
			close(gone)
		}()
		f.kit.ServeHTTP(w, r)
	})))
	t.Cleanup(srv.Close)

	body := paidBody(p)
	ctx, hangUp := context.WithCancel(context.Background())
	defer hangUp()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/pay/webhooks/moneroo", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(moneroo.SignatureHeader, f.em.Sign(body))
	go func() {
		<-writing
		hangUp() // the provider gives up while the store writes
	}()
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("the provider waited for the answer (HTTP %d): the test needs it to hang up first", resp.StatusCode)
	}
	// Only once the kit has seen the provider gone does the database
	// answer: a write bound to the request would have given up by then.
	wait := time.After(time.Minute)
	select {
	case <-gone:
	case <-wait:
		t.Fatal("the kit never saw the provider hang up")
	}
	close(release)
	select {
	case <-answered:
	case <-wait:
		t.Fatal("the kit never finished the notification")
	}

	got := f.payment(p.ID)
	calls, ok := f.onPaidCalls(p.ID)
	if got.Status != cauri.StatusPaid || !got.Fulfilled() || calls != 1 || ok != 1 {
		t.Errorf("after the provider hung up: %s, fulfilled %v, OnPaid %d calls %d successes; want paid, fulfilled, 1, 1",
			got.Status, got.Fulfilled(), calls, ok)
	}
}

// TestSlowMoveDefersOnPaid: when the write that moves a payment to paid
// (and takes its OnPaid lease) answers after most of the lease has run
// out, OnPaid is not called under that lease, where another worker could
// take the payment while it runs; the next delivery after the lease runs
// OnPaid, once. The store's first write to paid is the slow one; its
// slowness and the lease run on the kit's clock, which only the test
// moves.
func TestSlowMoveDefersOnPaid(t *testing.T) {
	const lease = 200 * time.Millisecond
	clk := emutest.NewClock()
	var once sync.Once
	store := slowStore{Store: memory.New(), before: func(_ context.Context, c cauri.Change) error {
		if c.To == cauri.StatusPaid {
			once.Do(func() { clk.Advance(150 * time.Millisecond) }) // > lease/2
		}
		return nil
	}}
	f := newFixture(t, withConfig(func(c *cauri.Config) {
		c.Store = store
		c.OnPaidLease = lease
		c.Now = clk.Now
	}))
	p, _ := f.checkout("slow-move", nil)

	if code := f.signed(paidBody(p)); code != http.StatusOK {
		t.Fatalf("first delivery: HTTP %d", code)
	}
	got := f.payment(p.ID)
	if calls, _ := f.onPaidCalls(p.ID); calls != 0 || got.Status != cauri.StatusPaid || got.Fulfilled() || got.OnPaidAttempts != 1 {
		t.Fatalf("after the slow move: OnPaid %d calls, %s, fulfilled %v, %d attempts; want 0, paid, not fulfilled, 1",
			calls, got.Status, got.Fulfilled(), got.OnPaidAttempts)
	}

	// While the unused lease holds, a redelivery leaves OnPaid alone.
	if code := f.signed(paidBody(p)); code != http.StatusOK {
		t.Fatalf("redelivery under the lease: HTTP %d", code)
	}
	if calls, _ := f.onPaidCalls(p.ID); calls != 0 {
		t.Fatalf("OnPaid ran %d times under the deferred lease", calls)
	}

	clk.Advance(lease) // the unused lease runs out
	if code := f.signed(paidBody(p)); code != http.StatusOK {
		t.Fatalf("redelivery: HTTP %d", code)
	}
	got = f.payment(p.ID)
	calls, ok := f.onPaidCalls(p.ID)
	if calls != 1 || ok != 1 || !got.Fulfilled() || got.OnPaidAttempts != 2 {
		t.Errorf("after the redelivery: OnPaid %d calls, %d successes, fulfilled %v, %d attempts; want 1, 1, true, 2",
			calls, ok, got.Fulfilled(), got.OnPaidAttempts)
	}
}
