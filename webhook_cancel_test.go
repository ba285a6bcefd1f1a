package cauri_test

import (
	"bytes"
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/moneroo"
	"github.com/cauripay/cauri/stores/memory"
)

// slowStore is a memory store whose writes of a status take delay, and
// give up, as a database driver does, when their context ends first.
type slowStore struct {
	*memory.Store
	delay time.Duration
}

func (s slowStore) Transition(ctx context.Context, id string, from cauri.Status, c cauri.Change) (cauri.Payment, error) {
	select {
	case <-time.After(s.delay):
	case <-ctx.Done():
		return cauri.Payment{}, ctx.Err()
	}
	return s.Store.Transition(ctx, id, from, c)
}

// TestWebhookOutlivesImpatientProvider: a provider that hangs up before a
// slow store has written does not cancel the write; the payment is settled
// and OnPaid runs, once, without a redelivery.
func TestWebhookOutlivesImpatientProvider(t *testing.T) {
	store := slowStore{Store: memory.New(), delay: 300 * time.Millisecond}
	f := newFixture(t, withConfig(func(c *cauri.Config) { c.Store = store }))
	p, _ := f.checkout("impatient", nil)

	body := paidBody(p)
	req, err := http.NewRequest(http.MethodPost, f.webhookURL(), bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(moneroo.SignatureHeader, f.em.Sign(body))
	impatient := &http.Client{Timeout: 50 * time.Millisecond}
	if resp, err := impatient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("the provider waited for the answer (HTTP %d): the test needs it to hang up first", resp.StatusCode)
	}

	deadline := time.Now().Add(5 * time.Second)
	for f.payment(p.ID).Status == cauri.StatusPending && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	for !f.payment(p.ID).Fulfilled() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
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
// OnPaid, once.
func TestSlowMoveDefersOnPaid(t *testing.T) {
	const lease = 200 * time.Millisecond
	store := slowStore{Store: memory.New(), delay: 150 * time.Millisecond} // > lease/2
	f := newFixture(t, withConfig(func(c *cauri.Config) {
		c.Store = store
		c.OnPaidLease = lease
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

	time.Sleep(lease) // the unused lease runs out
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
