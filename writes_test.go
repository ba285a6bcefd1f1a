package cauri_test

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/stores/memory"
)

// writeCounter counts the writes a memory store makes.
type writeCounter struct {
	*memory.Store
	transitions, claims, completions, appends atomic.Int64
}

func (s *writeCounter) AppendEvents(ctx context.Context, id string, events ...cauri.Event) error {
	s.appends.Add(1)
	return s.Store.AppendEvents(ctx, id, events...)
}

// Transition counts the moves made, not the compare-and-sets that lost.
func (s *writeCounter) Transition(ctx context.Context, id string, from cauri.Status, c cauri.Change) (cauri.Payment, error) {
	p, err := s.Store.Transition(ctx, id, from, c)
	if err == nil {
		s.transitions.Add(1)
	}
	return p, err
}

// TransitionClaimingOrder hides the wrapped store's [cauri.OrderMover],
// so that every move goes through Transition above; the kit then claims
// the order itself.
func (s *writeCounter) TransitionClaimingOrder(ctx context.Context, id string, from cauri.Status, c cauri.Change) (cauri.Payment, string, error) {
	p, err := s.Transition(ctx, id, from, c)
	return p, "", err
}

func (s *writeCounter) ClaimOnPaid(ctx context.Context, id, owner string, now time.Time, ttl time.Duration) error {
	s.claims.Add(1)
	return s.Store.ClaimOnPaid(ctx, id, owner, now, ttl)
}

func (s *writeCounter) CompleteOnPaid(ctx context.Context, id, owner string, now time.Time) error {
	s.completions.Add(1)
	return s.Store.CompleteOnPaid(ctx, id, owner, now)
}

func (s *writeCounter) CompleteOnPaidEvents(ctx context.Context, done []cauri.Completion, now time.Time) ([]bool, error) {
	s.completions.Add(1)
	return s.Store.CompleteOnPaidEvents(ctx, done, now)
}

// TestWritesPerSettlingWebhook: a believed notification settling a payment
// costs one write when the kit has no OnPaid, and one more (recording
// OnPaid's success) when it has; its events go to the payment's history in
// those writes, with no write of their own; a duplicate writes nothing.
func TestWritesPerSettlingWebhook(t *testing.T) {
	tests := []struct {
		name        string
		onPaid      bool
		completions int64
		attempts    int
	}{
		{"with OnPaid", true, 1, 1},
		{"without OnPaid", false, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := &writeCounter{Store: memory.New()}
			f := newFixture(t, withConfig(func(c *cauri.Config) {
				c.Store = store
				if !tt.onPaid {
					c.OnPaid = nil
				}
			}))
			p, _ := f.checkout("writes", nil)
			appends := store.appends.Load()
			for i := range 3 { // the notification, then two duplicates
				if code := f.signed(paidBody(p)); code != http.StatusOK {
					t.Fatalf("delivery %d: HTTP %d", i, code)
				}
			}
			got := f.payment(p.ID)
			if got.Status != cauri.StatusPaid || !got.Fulfilled() || got.OnPaidAttempts != tt.attempts {
				t.Errorf("payment %s, fulfilled %v, %d OnPaid attempts; want paid, fulfilled, %d",
					got.Status, got.Fulfilled(), got.OnPaidAttempts, tt.attempts)
			}
			if n, c, d := store.transitions.Load(), store.claims.Load(), store.completions.Load(); n != 1 || c != 0 || d != tt.completions {
				t.Errorf("writes: %d transitions, %d claims, %d completions; want 1, 0, %d", n, c, d, tt.completions)
			}
			if n := store.appends.Load() - appends; n != 0 {
				t.Errorf("history writes of their own: %d, want 0", n)
			}
			want := []cauri.EventKind{cauri.EventCreated, cauri.EventOpened, cauri.EventNotification, cauri.EventMoved}
			if tt.onPaid {
				want = append(want, cauri.EventOnPaid)
			}
			h, err := f.kit.History(context.Background(), p.ID)
			if err != nil || len(h) != len(want) {
				t.Fatalf("history = %v, %v; want %d events", h, err, len(want))
			}
			for i, e := range h {
				if e.Kind != want[i] || e.Seq != int64(i+1) || e.Source == "" {
					t.Errorf("event %d = %+v, want kind %s, seq %d, a source", i, e, want[i], i+1)
				}
			}
			if calls, _ := f.onPaidCalls(p.ID); tt.onPaid && calls != 1 || !tt.onPaid && calls != 0 {
				t.Errorf("OnPaid ran %d times", calls)
			}
		})
	}
}
