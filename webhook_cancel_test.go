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
