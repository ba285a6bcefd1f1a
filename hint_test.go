package cauri_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/moneroo"
	"github.com/cauripay/cauri/providers/providertest"
)

// TestUnverifiedSignatureIsAHint: a notification whose signature does not
// verify (a secret rotated at the provider first, say) is never believed,
// and never refused for good either: the provider is asked, and its word
// settles the payment. A claim the provider does not bear out is answered
// 401 and changes nothing.
func TestUnverifiedSignatureIsAHint(t *testing.T) {
	tests := []struct {
		name       string
		paid       bool // at the provider
		wantCode   int
		wantStatus cauri.Status
		wantOnPaid int
	}{
		{"paid at the provider", true, http.StatusOK, cauri.StatusPaid, 1},
		{"still pending at the provider", false, http.StatusUnauthorized, cauri.StatusPending, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, withConfig(func(c *cauri.Config) { c.PollInterval = time.Nanosecond; c.MaxPollInterval = time.Nanosecond }))
			f.em.SetWebhookPolicy(providertest.WebhookPolicy{Lost: true})
			p, co := f.checkout("o-hint", nil)
			if tt.paid {
				f.act(co, providertest.Pay)
			}
			rotated := moneroo.Sign("the secret before the rotation", paidBody(p))
			if code := f.sendWebhook(f.webhookURL(), paidBody(p), rotated); code != tt.wantCode {
				t.Errorf("HTTP %d, want %d", code, tt.wantCode)
			}
			f.wantStatus(p.ID, tt.wantStatus)
			if calls, _ := f.onPaidCalls(p.ID); calls != tt.wantOnPaid {
				t.Errorf("OnPaid ran %d times, want %d", calls, tt.wantOnPaid)
			}
			if n := f.counter("cauri_provider_requests_total", "operation", "status"); n != 1 {
				t.Errorf("%v status calls, want 1", n)
			}
		})
	}
}

// TestConfirmationOutlivesTheSender: an unsigned notification is confirmed
// with a lookup that takes longer than its sender waits (Moneroo hangs up
// after 3 seconds); the lookup goes on, and its answer settles the payment
// on that first delivery, with no second call.
func TestConfirmationOutlivesTheSender(t *testing.T) {
	f := newFixture(t, unsignedWebhooks())
	f.em.SetWebhookPolicy(providertest.WebhookPolicy{Lost: true})
	settled := make(chan cauri.Payment, 1)
	f.setOnPaid(func(_ context.Context, p cauri.Payment) error {
		settled <- p
		return nil
	})
	p, co := f.checkout("o-slow-lookup", nil)
	f.act(co, providertest.Pay)

	// The lookup takes three times what the sender waits.
	const patience = 300 * time.Millisecond
	f.em.InjectFault(providertest.OpStatus, providertest.Fault{Kind: providertest.FaultSlow, Delay: 3 * patience})
	sender := &http.Client{Timeout: patience}
	resp, err := sender.Post(f.webhookURL(), "application/json", bytes.NewReader(paidBody(p)))
	if err == nil {
		resp.Body.Close()
		t.Fatalf("the sender got HTTP %d before the lookup could answer; the test needs it to hang up", resp.StatusCode)
	}
	if !errors.Is(err, context.DeadlineExceeded) && !strings.Contains(err.Error(), "Timeout") {
		t.Fatalf("sender: %v, want a timeout", err)
	}

	select {
	case got := <-settled:
		if got.ID != p.ID || got.Status != cauri.StatusPaid {
			t.Errorf("OnPaid got %s %s, want %s paid", got.ID, got.Status, p.ID)
		}
	case <-time.After(time.Minute):
		t.Fatal("the payment never settled after its sender hung up")
	}
	f.wantStatus(p.ID, cauri.StatusPaid)
	if n := f.counter("cauri_provider_requests_total", "operation", "status"); n != 1 {
		t.Errorf("%v status calls, want 1: the first delivery's lookup settles it", n)
	}
}
