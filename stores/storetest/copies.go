package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/cauripay/cauri"
)

func testCopies(t *testing.T, newStore func(t *testing.T) cauri.Store) {
	t.Run("CreateArgument", func(t *testing.T) {
		f := setup(t, newStore)
		p := newPayment(now())
		p.Metadata = map[string]string{"cart": "42", "note": "gift"}
		want := p
		want.Metadata = map[string]string{"cart": "42", "note": "gift"}
		f.create(p)
		p.Metadata["cart"] = "changed"
		delete(p.Metadata, "note")
		p.Metadata["extra"] = "x"
		f.check("after changing Create's argument", want)
	})

	// Each case returns a payment stored with metadata, a turn to poll,
	// an anomaly (which is not stored) and, but for the pending payment
	// found by its checkout key, a superseding payment, as got from the
	// method under test, and the payment as stored.
	tests := []struct {
		name string
		get  func(f *fixture) (got, stored cauri.Payment)
	}{
		{"Get", func(f *fixture) (cauri.Payment, cauri.Payment) {
			p := f.pending(now(), polled, superseded)
			return f.get(p.ID), p
		}},
		{"GetByProviderRef", func(f *fixture) (cauri.Payment, cauri.Payment) {
			p := f.pending(now(), polled, superseded)
			got, err := f.s.GetByProviderRef(f.ctx, p.Provider, p.ProviderRef)
			f.must("GetByProviderRef", err)
			return got, p
		}},
		{"GetPendingByCheckoutKey", func(f *fixture) (cauri.Payment, cauri.Payment) {
			p := f.pending(now(), polled)
			got, err := f.s.GetPendingByCheckoutKey(f.ctx, p.CheckoutKey)
			f.must("GetPendingByCheckoutKey", err)
			return got, p
		}},
		{"Transition", func(f *fixture) (cauri.Payment, cauri.Payment) {
			p := f.move(f.pending(now(), polled, superseded), cauri.StatusPaid)
			return p, f.get(p.ID)
		}},
		{"ListPending", func(f *fixture) (cauri.Payment, cauri.Payment) {
			p := f.pending(epoch().Add(-time.Hour), polled, superseded)
			got, err := f.s.ListPending(f.ctx, epoch(), cauri.Cursor{}, 1000)
			f.must("ListPending", err)
			return find(f.t, got, p.ID), p
		}},
		{"ListUnfulfilled", func(f *fixture) (cauri.Payment, cauri.Payment) {
			p := f.paid(epoch().Add(-time.Hour), polled, superseded)
			got, err := f.s.ListUnfulfilled(f.ctx, now(), cauri.Cursor{}, 1000)
			f.must("ListUnfulfilled", err)
			return find(f.t, got, p.ID), p
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := setup(t, newStore)
			got, stored := tt.get(f)
			stored.Anomaly = "" // never stored
			checkPayment(t, tt.name, got, stored)
			if got.Metadata == nil {
				t.Fatal("Metadata is nil")
			}
			got.Metadata["cart"] = "changed"
			got.Metadata["extra"] = "x"
			got.Amount, got.Status = 1, cauri.StatusFailed
			f.check("after changing the returned payment", stored)
			got, _ = tt.get(f) // and a second payment, read twice
			again := f.get(got.ID)
			got.Metadata["cart"] = "changed"
			checkPayment(t, "payment read twice", f.get(got.ID), again)
		})
	}
}

// polled gives a payment a turn to poll, and an anomaly, which a store
// does not keep.
func polled(p *cauri.Payment) {
	p.NextPollAt = p.CreatedAt.Add(90 * time.Second)
	p.Anomaly = cauri.AnomalySuperseded
}

// superseded marks a payment as superseded by a newer one.
func superseded(p *cauri.Payment) { p.SupersededBy = newID() }

// find returns the payment with that ID in ps.
func find(t *testing.T, ps []cauri.Payment, id string) cauri.Payment {
	t.Helper()
	i := slices.IndexFunc(ps, func(p cauri.Payment) bool { return p.ID == id })
	if i < 0 {
		t.Fatalf("%s not listed", id)
	}
	return ps[i]
}
