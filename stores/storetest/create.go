package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/cauripay/cauri"
)

func testCreate(t *testing.T, newStore func(t *testing.T) cauri.Store) {
	t.Run("RoundTrip", func(t *testing.T) {
		at := now()
		tests := []struct {
			name string
			edit func(*cauri.Payment)
		}{
			{"minimal", func(p *cauri.Payment) {
				withoutRef(p)
				p.CheckoutKey, p.Metadata = "", nil
			}},
			{"with every detail", func(p *cauri.Payment) {
				p.Fee, p.Method = 75, "wave_ci"
				p.UpdatedAt = at.Add(90 * time.Second)
			}},
			{"paid and fulfilled", func(p *cauri.Payment) {
				p.Status, p.Fee, p.Method = cauri.StatusPaid, 75, "orange_sn"
				p.OnPaidAttempts, p.FulfilledAt = 3, at.Add(time.Hour)
			}},
			{"failed", func(p *cauri.Payment) {
				p.Status, p.FailureReason = cauri.StatusFailed, "insufficient funds"
			}},
			{"with a turn to poll", func(p *cauri.Payment) {
				p.NextPollAt = at.Add(5 * time.Minute)
			}},
			{"superseded", func(p *cauri.Payment) {
				p.SupersededBy = newID()
				p.NextPollAt = at.Add(-time.Minute)
			}},
			{"paid, superseded", func(p *cauri.Payment) {
				p.Status, p.SupersededBy = cauri.StatusPaid, newID()
			}},
			{"with an anomaly, not stored", func(p *cauri.Payment) {
				p.Status, p.Anomaly = cauri.StatusPaid, cauri.AnomalyPaidTwice
			}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				f := setup(t, newStore)
				p := newPayment(at)
				tt.edit(&p)
				f.create(p)
				p.Anomaly = "" // worked out by the kit, never stored
				f.check("Get after Create", p)
			})
		}
	})

	t.Run("Duplicate", func(t *testing.T) {
		tests := []struct {
			name   string
			first  func(*cauri.Payment) // edits the stored payment
			second func(first cauri.Payment, p *cauri.Payment)
			want   error
		}{
			{name: "same ID", want: cauri.ErrDuplicate,
				second: func(first cauri.Payment, p *cauri.Payment) { p.ID = first.ID }},
			{name: "same provider and ref", want: cauri.ErrDuplicate,
				second: func(first cauri.Payment, p *cauri.Payment) { p.ProviderRef = first.ProviderRef }},
			{name: "same ref, other provider", want: nil,
				second: func(first cauri.Payment, p *cauri.Payment) {
					p.Provider, p.ProviderRef = otherProvider, first.ProviderRef
				}},
			{name: "both without ref", want: nil, first: withoutRef,
				second: func(_ cauri.Payment, p *cauri.Payment) { withoutRef(p) }},
			{name: "same pending checkout key", want: cauri.ErrDuplicate,
				second: func(first cauri.Payment, p *cauri.Payment) { p.CheckoutKey = first.CheckoutKey }},
			{name: "same pending checkout key, other provider", want: cauri.ErrDuplicate,
				second: func(first cauri.Payment, p *cauri.Payment) {
					p.Provider, p.CheckoutKey = otherProvider, first.CheckoutKey
				}},
			{name: "both without checkout key", want: nil,
				first:  func(p *cauri.Payment) { p.CheckoutKey = "" },
				second: func(_ cauri.Payment, p *cauri.Payment) { p.CheckoutKey = "" }},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				f := setup(t, newStore)
				at := now()
				first := newPayment(at)
				if tt.first != nil {
					tt.first(&first)
				}
				f.create(first)
				second := newPayment(at.Add(time.Second))
				tt.second(first, &second)

				err := f.s.Create(f.ctx, second)
				checkErr(t, "second Create", err, tt.want)
				f.check("first payment", first)
				switch {
				case tt.want == nil:
					f.check("second payment", second)
				case second.ID != first.ID:
					_, err := f.s.Get(f.ctx, second.ID)
					checkErr(t, "Get of the refused payment", err, cauri.ErrNotFound)
				}
			})
		}
	})

	// Once a payment leaves pending, its checkout key is free again.
	t.Run("CheckoutKeyFreed", func(t *testing.T) {
		for _, to := range []cauri.Status{cauri.StatusPaid, cauri.StatusFailed, cauri.StatusCancelled, cauri.StatusExpired} {
			t.Run(string(to), func(t *testing.T) {
				f := setup(t, newStore)
				at := now()
				first := f.pending(at)
				f.move(first, to)

				second := newPayment(at.Add(time.Minute))
				second.CheckoutKey = first.CheckoutKey
				f.must("Create with the freed key", f.s.Create(f.ctx, second))
				got, err := f.s.GetPendingByCheckoutKey(f.ctx, first.CheckoutKey)
				f.must("GetPendingByCheckoutKey", err)
				checkPayment(t, "GetPendingByCheckoutKey", got, second)

				third := newPayment(at.Add(2 * time.Minute))
				third.CheckoutKey = first.CheckoutKey
				checkErr(t, "Create while the second is pending", f.s.Create(f.ctx, third), cauri.ErrDuplicate)
			})
		}
	})

	t.Run("Metadata", func(t *testing.T) {
		tests := []struct {
			name string
			md   map[string]string
		}{
			{"nil", nil},
			{"empty", map[string]string{}},
			{"one", map[string]string{"cart": "42"}},
			{"several", map[string]string{"cart": "42", "empty": "", "unicode": "Abidjan – Côte d’Ivoire ✓", "quote": `"'\`}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				f := setup(t, newStore)
				p := newPayment(now())
				p.Metadata = tt.md
				f.create(p)
				got := f.get(p.ID)
				checkPayment(t, "Get", got, p)
				if len(tt.md) == 0 && len(got.Metadata) != 0 {
					t.Errorf("Metadata = %v, want none", got.Metadata)
				}
			})
		}
	})

	t.Run("TimesInUTC", func(t *testing.T) {
		f := setup(t, newStore)
		created := time.Date(2024, time.December, 31, 23, 59, 59, 999999000, time.UTC)
		p := newPayment(created)
		p.UpdatedAt = created.Add(time.Microsecond) // crosses into the new year
		f.create(p)
		got := f.get(p.ID)
		checkPayment(t, "Get", got, p) // compares with time.Equal, requires UTC
		if !got.FulfilledAt.IsZero() {
			t.Errorf("FulfilledAt = %v, want zero", got.FulfilledAt)
		}
		if got.Fulfilled() {
			t.Error("Fulfilled() = true for a new payment")
		}
	})
}

func testLookup(t *testing.T, newStore func(t *testing.T) cauri.Store) {
	type stored struct{ withRef, noRef, noKey, done cauri.Payment }
	tests := []struct {
		name   string
		lookup func(f *fixture, s stored) (cauri.Payment, error)
		want   func(s stored) cauri.Payment // nil: want ErrNotFound
	}{
		{"Get",
			func(f *fixture, s stored) (cauri.Payment, error) { return f.s.Get(f.ctx, s.withRef.ID) },
			func(s stored) cauri.Payment { return s.withRef }},
		{"Get unknown",
			func(f *fixture, _ stored) (cauri.Payment, error) { return f.s.Get(f.ctx, newID()) },
			nil},
		{"Get empty",
			func(f *fixture, _ stored) (cauri.Payment, error) { return f.s.Get(f.ctx, "") },
			nil},
		{"GetByProviderRef",
			func(f *fixture, s stored) (cauri.Payment, error) {
				return f.s.GetByProviderRef(f.ctx, provider, s.withRef.ProviderRef)
			},
			func(s stored) cauri.Payment { return s.withRef }},
		{"GetByProviderRef of a final payment",
			func(f *fixture, s stored) (cauri.Payment, error) {
				return f.s.GetByProviderRef(f.ctx, provider, s.done.ProviderRef)
			},
			func(s stored) cauri.Payment { return s.done }},
		{"GetByProviderRef unknown ref",
			func(f *fixture, _ stored) (cauri.Payment, error) {
				return f.s.GetByProviderRef(f.ctx, provider, newRef())
			},
			nil},
		{"GetByProviderRef other provider",
			func(f *fixture, s stored) (cauri.Payment, error) {
				return f.s.GetByProviderRef(f.ctx, otherProvider, s.withRef.ProviderRef)
			},
			nil},
		{"GetByProviderRef empty ref",
			func(f *fixture, _ stored) (cauri.Payment, error) { return f.s.GetByProviderRef(f.ctx, provider, "") },
			nil},
		{"GetPendingByCheckoutKey",
			func(f *fixture, s stored) (cauri.Payment, error) {
				return f.s.GetPendingByCheckoutKey(f.ctx, s.noRef.CheckoutKey)
			},
			func(s stored) cauri.Payment { return s.noRef }},
		{"GetPendingByCheckoutKey unknown key",
			func(f *fixture, _ stored) (cauri.Payment, error) { return f.s.GetPendingByCheckoutKey(f.ctx, newKey()) },
			nil},
		{"GetPendingByCheckoutKey empty key",
			func(f *fixture, _ stored) (cauri.Payment, error) { return f.s.GetPendingByCheckoutKey(f.ctx, "") },
			nil},
		{"GetPendingByCheckoutKey of a final payment",
			func(f *fixture, s stored) (cauri.Payment, error) {
				return f.s.GetPendingByCheckoutKey(f.ctx, s.done.CheckoutKey)
			},
			nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := setup(t, newStore)
			at := now()
			var s stored
			s.withRef = f.pending(at)
			s.noRef = f.pending(at, withoutRef)
			s.noKey = f.pending(at, withoutRef, func(p *cauri.Payment) { p.CheckoutKey = "" })
			s.done = f.move(f.pending(at), cauri.StatusFailed)

			got, err := tt.lookup(f, s)
			if tt.want == nil {
				checkErr(t, tt.name, err, cauri.ErrNotFound)
				return
			}
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			checkPayment(t, tt.name, got, tt.want(s))
		})
	}
}

func testAttach(t *testing.T, newStore func(t *testing.T) cauri.Store) {
	const url = "https://checkout.example/pay/attached"

	t.Run("Records", func(t *testing.T) {
		f := setup(t, newStore)
		at := now()
		p := f.pending(at, withoutRef)
		ref, when := newRef(), at.Add(3*time.Second)
		f.must("Attach", f.s.Attach(f.ctx, p.ID, ref, url, when))

		want := p
		want.ProviderRef, want.CheckoutURL, want.UpdatedAt = ref, url, when
		f.check("Get after Attach", want)
		got, err := f.s.GetByProviderRef(f.ctx, provider, ref)
		f.must("GetByProviderRef after Attach", err)
		checkPayment(t, "GetByProviderRef after Attach", got, want)
		got, err = f.s.GetPendingByCheckoutKey(f.ctx, p.CheckoutKey)
		f.must("GetPendingByCheckoutKey after Attach", err)
		checkPayment(t, "GetPendingByCheckoutKey after Attach", got, want)
	})

	t.Run("SameRefAgain", func(t *testing.T) {
		f := setup(t, newStore)
		at := now()
		p := f.pending(at, withoutRef)
		ref := newRef()
		f.must("first Attach", f.s.Attach(f.ctx, p.ID, ref, url, at.Add(time.Second)))
		checkErr(t, "Attach of the same ref", f.s.Attach(f.ctx, p.ID, ref, url, at.Add(2*time.Second)), nil)
		if got := f.get(p.ID); got.ProviderRef != ref {
			t.Errorf("ProviderRef = %q, want %q", got.ProviderRef, ref)
		}
	})

	tests := []struct {
		name string
		// attach returns the ID and ref to attach, after storing what the
		// case needs.
		attach func(f *fixture, at time.Time) (id, ref string)
		want   error
	}{
		{"UnknownID", func(f *fixture, _ time.Time) (string, string) {
			return newID(), newRef()
		}, cauri.ErrNotFound},
		{"DifferentRef", func(f *fixture, at time.Time) (string, string) {
			p := f.pending(at) // has a ref already
			return p.ID, newRef()
		}, cauri.ErrConflict},
		{"RefTakenSameProvider", func(f *fixture, at time.Time) (string, string) {
			other := f.pending(at)
			p := f.pending(at, withoutRef)
			return p.ID, other.ProviderRef
		}, cauri.ErrDuplicate},
		{"RefTakenByFinalPayment", func(f *fixture, at time.Time) (string, string) {
			other := f.move(f.pending(at), cauri.StatusFailed)
			p := f.pending(at, withoutRef)
			return p.ID, other.ProviderRef
		}, cauri.ErrDuplicate},
		{"RefTakenOtherProvider", func(f *fixture, at time.Time) (string, string) {
			other := f.pending(at, func(p *cauri.Payment) { p.Provider = otherProvider })
			p := f.pending(at, withoutRef)
			return p.ID, other.ProviderRef
		}, nil},
		{"NotPending", func(f *fixture, at time.Time) (string, string) {
			p := f.move(f.pending(at, withoutRef), cauri.StatusCancelled)
			return p.ID, newRef()
		}, cauri.ErrConflict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := setup(t, newStore)
			at := now()
			id, ref := tt.attach(f, at)
			var before cauri.Payment
			if tt.want != cauri.ErrNotFound {
				before = f.get(id)
			}
			when := at.Add(time.Minute)
			err := f.s.Attach(f.ctx, id, ref, url, when)
			checkErr(t, "Attach", err, tt.want)
			switch {
			case errors.Is(tt.want, cauri.ErrNotFound):
			case tt.want == nil:
				want := before
				want.ProviderRef, want.CheckoutURL, want.UpdatedAt = ref, url, when
				f.check("after Attach", want)
				got, err := f.s.GetByProviderRef(f.ctx, provider, ref)
				f.must("GetByProviderRef", err)
				checkPayment(t, "GetByProviderRef", got, want)
			default:
				f.check("after a refused Attach", before)
			}
		})
	}
}

func testTransition(t *testing.T, newStore func(t *testing.T) cauri.Store) {
	t.Run("UnknownID", func(t *testing.T) {
		f := setup(t, newStore)
		_, err := f.s.Transition(f.ctx, newID(), cauri.StatusPending, cauri.Change{To: cauri.StatusPaid, At: now()})
		checkErr(t, "Transition", err, cauri.ErrNotFound)
	})

	t.Run("Conflict", func(t *testing.T) {
		tests := []struct {
			stored, from cauri.Status
		}{
			{cauri.StatusPending, cauri.StatusPaid},
			{cauri.StatusPaid, cauri.StatusPending},
			{cauri.StatusFailed, cauri.StatusPending},
			{cauri.StatusExpired, cauri.StatusCancelled},
		}
		for _, tt := range tests {
			t.Run(string(tt.stored)+" from "+string(tt.from), func(t *testing.T) {
				f := setup(t, newStore)
				at := now()
				p := f.stored(at, tt.stored)
				got, err := f.s.Transition(f.ctx, p.ID, tt.from, cauri.Change{
					To: cauri.StatusCancelled, ProviderRef: newRef(), Fee: 1, Method: "m", FailureReason: "r",
					At: at.Add(time.Hour), Lease: cauri.Lease{Owner: "w1", Until: at.Add(time.Hour)},
				})
				checkErr(t, "Transition", err, cauri.ErrConflict)
				checkPayment(t, "the payment a lost Transition returns", got, p)
				f.check("after a lost Transition", p)
			})
		}
	})

	t.Run("Change", func(t *testing.T) {
		tests := []struct {
			name   string
			start  func(*cauri.Payment)
			from   cauri.Status
			change func(at time.Time, ref string) cauri.Change
			want   func(p *cauri.Payment, at time.Time, ref string)
		}{
			{name: "copies every field", start: withoutRef, from: cauri.StatusPending,
				change: func(at time.Time, ref string) cauri.Change {
					return cauri.Change{To: cauri.StatusPaid, ProviderRef: ref, Fee: 150, Method: "wave_ci", Received: 5150, At: at}
				},
				want: func(p *cauri.Payment, at time.Time, ref string) {
					p.Status, p.ProviderRef, p.Fee, p.Method, p.Received, p.UpdatedAt = cauri.StatusPaid, ref, 150, "wave_ci", 5150, at
				}},
			{name: "failure reason", from: cauri.StatusPending,
				change: func(at time.Time, ref string) cauri.Change {
					return cauri.Change{To: cauri.StatusFailed, FailureReason: "declined", At: at}
				},
				want: func(p *cauri.Payment, at time.Time, ref string) {
					p.Status, p.FailureReason, p.UpdatedAt = cauri.StatusFailed, "declined", at
				}},
			{name: "empty fields keep stored ones", from: cauri.StatusPending,
				start: func(p *cauri.Payment) { p.Fee, p.Method, p.FailureReason = 100, "orange_ci", "first try failed" },
				change: func(at time.Time, ref string) cauri.Change {
					return cauri.Change{To: cauri.StatusExpired, At: at}
				},
				want: func(p *cauri.Payment, at time.Time, ref string) { p.Status, p.UpdatedAt = cauri.StatusExpired, at }},
			{name: "non-empty fields overwrite", from: cauri.StatusPending,
				start: func(p *cauri.Payment) { p.Fee, p.Method = 100, "orange_ci" },
				change: func(at time.Time, ref string) cauri.Change {
					return cauri.Change{To: cauri.StatusPaid, ProviderRef: ref, Fee: 200, Method: "mtn_ci", At: at}
				},
				want: func(p *cauri.Payment, at time.Time, ref string) {
					p.Status, p.ProviderRef, p.Fee, p.Method, p.UpdatedAt = cauri.StatusPaid, ref, 200, "mtn_ci", at
				}},
			{name: "zero At keeps UpdatedAt", from: cauri.StatusPending,
				change: func(time.Time, string) cauri.Change { return cauri.Change{To: cauri.StatusCancelled} },
				want:   func(p *cauri.Payment, _ time.Time, _ string) { p.Status = cauri.StatusCancelled }},
			{name: "state machine is the caller's", from: cauri.StatusPaid,
				start: func(p *cauri.Payment) { p.Status = cauri.StatusPaid },
				change: func(at time.Time, ref string) cauri.Change {
					return cauri.Change{To: cauri.StatusFailed, FailureReason: "reversed", At: at}
				},
				want: func(p *cauri.Payment, at time.Time, ref string) {
					p.Status, p.FailureReason, p.UpdatedAt = cauri.StatusFailed, "reversed", at
				}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				f := setup(t, newStore)
				created := now()
				p := f.pending(created, tt.start)
				at, ref := created.Add(42*time.Second), newRef()
				got, err := f.s.Transition(f.ctx, p.ID, tt.from, tt.change(at, ref))
				f.must("Transition", err)
				want := p
				tt.want(&want, at, ref)
				checkPayment(t, "Transition's result", got, want)
				f.check("Get after Transition", want)
				if want.ProviderRef != "" {
					byRef, err := f.s.GetByProviderRef(f.ctx, provider, want.ProviderRef)
					f.must("GetByProviderRef after Transition", err)
					checkPayment(t, "GetByProviderRef after Transition", byRef, want)
				}
			})
		}
	})

	t.Run("Expect", func(t *testing.T) {
		tests := []struct {
			name   string
			start  func(*cauri.Payment)
			expect func(p cauri.Payment) cauri.Expect
			moves  bool
		}{
			{name: "zero", expect: func(cauri.Payment) cauri.Expect { return cauri.Expect{} }, moves: true},
			{name: "all met", moves: true, expect: func(p cauri.Payment) cauri.Expect {
				return cauri.Expect{Provider: p.Provider, ProviderRef: p.ProviderRef, Currency: p.Currency, Amount: p.Amount}
			}},
			{name: "any ref when none stored", start: withoutRef, moves: true, expect: func(p cauri.Payment) cauri.Expect {
				return cauri.Expect{Provider: p.Provider, ProviderRef: newRef()}
			}},
			{name: "money unchecked without currency", moves: true, expect: func(p cauri.Payment) cauri.Expect {
				return cauri.Expect{Provider: p.Provider, Amount: p.Amount + 1}
			}},
			{name: "other provider", expect: func(p cauri.Payment) cauri.Expect {
				return cauri.Expect{Provider: "another"}
			}},
			{name: "other ref", expect: func(p cauri.Payment) cauri.Expect {
				return cauri.Expect{Provider: p.Provider, ProviderRef: newRef()}
			}},
			{name: "other amount", expect: func(p cauri.Payment) cauri.Expect {
				return cauri.Expect{Currency: p.Currency, Amount: p.Amount - 1}
			}},
			{name: "other currency", expect: func(p cauri.Payment) cauri.Expect {
				return cauri.Expect{Currency: "XAF", Amount: p.Amount}
			}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				f := setup(t, newStore)
				created := now()
				p := f.pending(created, tt.start)
				at := created.Add(time.Second)
				got, err := f.s.Transition(f.ctx, p.ID, cauri.StatusPending, cauri.Change{
					To: cauri.StatusPaid, Fee: 7, At: at, Expect: tt.expect(p),
				})
				want := p
				if tt.moves {
					f.must("Transition", err)
					want.Status, want.Fee, want.UpdatedAt = cauri.StatusPaid, 7, at
				} else {
					checkErr(t, "Transition", err, cauri.ErrConflict)
				}
				checkPayment(t, "Transition's result", got, want)
				f.check("after Transition", want)
			})
		}
	})

	t.Run("Lease", func(t *testing.T) {
		tests := []struct {
			name     string
			to       cauri.Status
			owner    string
			attempts int
		}{
			{"taken on a move to paid", cauri.StatusPaid, "w1", 1},
			{"none without an owner", cauri.StatusPaid, "", 0},
			{"ignored on a move to failed", cauri.StatusFailed, "w1", 0},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				f := setup(t, newStore)
				p := f.pending(now())
				t0 := now()
				got, err := f.s.Transition(f.ctx, p.ID, cauri.StatusPending, cauri.Change{
					To: tt.to, At: t0, Lease: cauri.Lease{Owner: tt.owner, Until: t0.Add(ttl)},
				})
				f.must("Transition", err)
				want := p
				want.Status, want.UpdatedAt, want.OnPaidAttempts = tt.to, t0, tt.attempts
				checkPayment(t, "Transition's result", got, want)
				f.check("after Transition", want)
				if tt.to != cauri.StatusPaid {
					return
				}
				claim := f.s.ClaimOnPaid(f.ctx, p.ID, "w2", t0.Add(ttl/2), ttl)
				if tt.owner == "" {
					f.must("ClaimOnPaid with no lease taken", claim)
					return
				}
				checkErr(t, "ClaimOnPaid within the lease taken", claim, cauri.ErrLeaseHeld)
				checkErr(t, "CompleteOnPaid by another owner",
					f.s.CompleteOnPaid(f.ctx, p.ID, "w2", t0.Add(time.Second)), cauri.ErrLeaseHeld)
				f.must("CompleteOnPaid by the owner", f.s.CompleteOnPaid(f.ctx, p.ID, tt.owner, t0.Add(time.Second)))
				want.FulfilledAt = t0.Add(time.Second)
				f.check("after CompleteOnPaid", want)
			})
		}
		t.Run("fulfilled instead", func(t *testing.T) {
			for _, to := range []cauri.Status{cauri.StatusPaid, cauri.StatusFailed} {
				t.Run(string(to), func(t *testing.T) {
					f := setup(t, newStore)
					p := f.pending(now())
					t0 := now()
					got, err := f.s.Transition(f.ctx, p.ID, cauri.StatusPending, cauri.Change{
						To: to, At: t0, FulfilledAt: t0.Add(time.Second), Lease: cauri.Lease{Owner: "w1", Until: t0.Add(ttl)},
					})
					f.must("Transition", err)
					want := p
					want.Status, want.UpdatedAt = to, t0
					if to == cauri.StatusPaid {
						want.FulfilledAt = t0.Add(time.Second)
					}
					checkPayment(t, "Transition's result", got, want)
					f.check("after Transition", want)
					if to != cauri.StatusPaid {
						return
					}
					checkErr(t, "ClaimOnPaid", f.s.ClaimOnPaid(f.ctx, p.ID, "w2", t0.Add(2*ttl), ttl), cauri.ErrFulfilled)
					unfulfilled, err := f.s.ListUnfulfilled(f.ctx, t0.Add(2*ttl), cauri.Cursor{}, 1000)
					f.must("ListUnfulfilled", err)
					if set(unfulfilled...)[p.ID] {
						t.Errorf("ListUnfulfilled lists %s, recorded fulfilled by its move", p.ID)
					}
				})
			}
		})
		t.Run("expires", func(t *testing.T) {
			f := setup(t, newStore)
			p := f.pending(now())
			t0 := now()
			_, err := f.s.Transition(f.ctx, p.ID, cauri.StatusPending, cauri.Change{
				To: cauri.StatusPaid, At: t0, Lease: cauri.Lease{Owner: "w1", Until: t0.Add(ttl)},
			})
			f.must("Transition", err)
			unfulfilled, err := f.s.ListUnfulfilled(f.ctx, t0.Add(ttl/2), cauri.Cursor{}, 1000)
			f.must("ListUnfulfilled within the lease", err)
			if set(unfulfilled...)[p.ID] {
				t.Errorf("ListUnfulfilled within the lease lists %s", p.ID)
			}
			f.must("ClaimOnPaid at expiry", f.s.ClaimOnPaid(f.ctx, p.ID, "w2", t0.Add(ttl), ttl))
			checkErr(t, "CompleteOnPaid by the first owner",
				f.s.CompleteOnPaid(f.ctx, p.ID, "w1", t0.Add(ttl)), cauri.ErrLeaseHeld)
			if got := f.get(p.ID).OnPaidAttempts; got != 2 {
				t.Errorf("OnPaidAttempts = %d, want 2", got)
			}
		})
	})

	t.Run("OnlyOnce", func(t *testing.T) {
		f := setup(t, newStore)
		p := f.pending(now())
		paid := f.move(p, cauri.StatusPaid)
		_, err := f.s.Transition(f.ctx, p.ID, cauri.StatusPending, cauri.Change{To: cauri.StatusFailed, At: now()})
		checkErr(t, "second Transition from pending", err, cauri.ErrConflict)
		f.check("after the second Transition", paid)
	})
}
