// Package storetest is the conformance suite every [cauri.Store] must pass.
//
// A store's own tests call [Run] with a constructor:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) cauri.Store { return memory.New() })
//	}
//
// The suite checks every rule [cauri.Store] documents, with one subtest per
// behaviour, and the compare-and-set operations under contention. It only
// looks at the contents of the payments a store returns, never at their
// identity, and it allows a store to keep times to the microsecond, as SQL
// databases do.
package storetest

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cauripay/cauri"
)

// Run runs the conformance suite against the stores newStore returns.
// Stores that also implement cauri.PayoutStore, cauri.BatchCompleter,
// cauri.RefundStore, cauri.HistoryStore or cauri.PaymentFinder are checked
// for them too.
//
// newStore is called once per subtest, with that subtest's t, and should
// return an empty store; it may use t.Cleanup to drop it. Every payment ID,
// provider reference and checkout key the suite makes is random, so stores
// that share one database do not collide, but the ListPending and
// ListUnfulfilled subtests are only fully strict on a store that holds no
// other payments.
func Run(t *testing.T, newStore func(t *testing.T) cauri.Store) {
	t.Run("Create", func(t *testing.T) { testCreate(t, newStore) })
	t.Run("Lookup", func(t *testing.T) { testLookup(t, newStore) })
	t.Run("Attach", func(t *testing.T) { testAttach(t, newStore) })
	t.Run("Transition", func(t *testing.T) { testTransition(t, newStore) })
	t.Run("Lease", func(t *testing.T) { testLease(t, newStore) })
	t.Run("CompleteBatch", func(t *testing.T) { testCompleteBatch(t, newStore) })
	t.Run("ListPending", func(t *testing.T) { testListPending(t, newStore) })
	t.Run("ListUnfulfilled", func(t *testing.T) { testListUnfulfilled(t, newStore) })
	t.Run("Copies", func(t *testing.T) { testCopies(t, newStore) })
	t.Run("TakePoll", func(t *testing.T) { testTakePoll(t, newStore) })
	t.Run("Supersede", func(t *testing.T) { testSupersede(t, newStore) })
	t.Run("ClaimOrder", func(t *testing.T) { testClaimOrder(t, newStore) })
	t.Run("OrderMover", func(t *testing.T) { testOrderMover(t, newStore) })
	t.Run("Concurrency", func(t *testing.T) { testConcurrency(t, newStore) })
	t.Run("Payouts", func(t *testing.T) { runPayouts(t, newStore) })
	t.Run("Refunds", func(t *testing.T) { runRefunds(t, newStore) })
	t.Run("History", func(t *testing.T) { runHistory(t, newStore) })
	t.Run("HistoryWriter", func(t *testing.T) { runHistoryWriter(t, newStore) })
	t.Run("Find", func(t *testing.T) { runFind(t, newStore) })
	// OnPaid's and OnRefunded's work again, on payments moved to paid as
	// the kit moves them: the move takes OnPaid's lease (one that has run
	// out) and counts its attempt, which a Store may keep elsewhere than
	// a plain move's.
	t.Run("AfterLeasedMoves", func(t *testing.T) {
		leased := func(t *testing.T) cauri.Store { return leasedMoves{newStore(t)} }
		t.Run("Lease", func(t *testing.T) { testLease(t, leased) })
		t.Run("CompleteBatch", func(t *testing.T) { testCompleteBatch(t, leased) })
		t.Run("ListUnfulfilled", func(t *testing.T) { testListUnfulfilled(t, leased) })
		t.Run("Refunds", func(t *testing.T) { runRefunds(t, leased) })
		t.Run("HistoryWriter", func(t *testing.T) { runHistoryWriter(t, leased) })
	})
}

// leasedMoves marks the store of a run whose fixtures move payments to
// paid taking OnPaid's lease, as the kit does (see fixture.paid).
type leasedMoves struct{ cauri.Store }

// The provider names test payments use.
const (
	provider      = "storetest"
	otherProvider = "storetest-other"
)

// timeout bounds each subtest's calls to the store.
const timeout = 30 * time.Second

// fixture is one subtest's fresh store and context.
type fixture struct {
	t   *testing.T
	ctx context.Context
	s   cauri.Store
	// moved is the OnPaid attempts a move to paid counts: 1 when the
	// fixture's moves take OnPaid's lease (leasedMoves), else 0.
	moved int
}

func setup(t *testing.T, newStore func(t *testing.T) cauri.Store) *fixture {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	s := newStore(t)
	if s == nil {
		t.Fatal("newStore returned nil")
	}
	f := &fixture{t: t, ctx: ctx, s: s}
	if l, ok := s.(leasedMoves); ok {
		f.s, f.moved = l.Store, 1
	}
	return f
}

// setupAs returns a subtest's fixture and its store as an S, and skips
// the subtest when the store is not one.
func setupAs[S any](t *testing.T, newStore func(t *testing.T) cauri.Store) (*fixture, S) {
	t.Helper()
	f := setup(t, newStore)
	s, ok := f.s.(S)
	if !ok {
		t.Skipf("the store does not implement %s", reflect.TypeFor[S]())
	}
	return f, s
}

// now returns the current time in UTC, to the microsecond.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// epoch is a time long past, for the list subtests: payments other subtests
// make are created now, after every cut-off those subtests use.
func epoch() time.Time { return time.Date(2001, time.February, 3, 4, 5, 6, 789000, time.UTC) }

func newID() string  { return "pay_" + rand.Text() }
func newRef() string { return "ref_" + rand.Text() }
func newKey() string { return "ck_" + rand.Text() }

// Payment returns a pending payment created at at, with a provider
// reference, an order, a checkout key, a checkout URL and metadata, all
// derived from id: for a store's own tests and benchmarks.
func Payment(id string, at time.Time) cauri.Payment {
	return cauri.Payment{
		ID:          id,
		Provider:    "bench",
		ProviderRef: "ref_" + id,
		OrderID:     "order_" + id,
		CheckoutKey: "ck_" + id,
		Status:      cauri.StatusPending,
		Amount:      5000,
		Currency:    "XOF",
		CheckoutURL: "https://checkout.example/pay/" + id,
		Metadata:    map[string]string{"cart": "42"},
		CreatedAt:   at,
		UpdatedAt:   at,
	}
}

// newPayment returns a pending payment created at created, with a random
// ID, provider reference and checkout key, not yet stored.
func newPayment(created time.Time) cauri.Payment {
	return cauri.Payment{
		ID:          newID(),
		Provider:    provider,
		ProviderRef: newRef(),
		OrderID:     "order_" + rand.Text()[:8],
		CheckoutKey: newKey(),
		Status:      cauri.StatusPending,
		Amount:      5000,
		Currency:    "XOF",
		CheckoutURL: "https://checkout.example/pay/1",
		Metadata:    map[string]string{"cart": "42"},
		CreatedAt:   created,
		UpdatedAt:   created,
	}
}

// withoutRef clears a payment's provider reference and checkout URL, as
// before [cauri.Store.Attach].
func withoutRef(p *cauri.Payment) { p.ProviderRef, p.CheckoutURL = "", "" }

// create stores p and fails the test if that fails.
func (f *fixture) create(p cauri.Payment) cauri.Payment {
	f.t.Helper()
	if err := f.s.Create(f.ctx, p); err != nil {
		f.t.Fatalf("Create(%s): %v", p.ID, err)
	}
	return p
}

// pending stores a new pending payment created at created, changed by opts;
// a nil opt changes nothing.
func (f *fixture) pending(created time.Time, opts ...func(*cauri.Payment)) cauri.Payment {
	f.t.Helper()
	p := newPayment(created)
	for _, o := range opts {
		if o != nil {
			o(&p)
		}
	}
	return f.create(p)
}

// stored stores a new payment created at created and moves it from
// pending to st, unless st is pending.
func (f *fixture) stored(created time.Time, st cauri.Status) cauri.Payment {
	f.t.Helper()
	p := f.pending(created)
	if st != cauri.StatusPending {
		p = f.move(p, st)
	}
	return p
}

// move transitions p from its current status to to, a second after its
// UpdatedAt, and returns the payment as stored.
func (f *fixture) move(p cauri.Payment, to cauri.Status) cauri.Payment {
	f.t.Helper()
	got, err := f.s.Transition(f.ctx, p.ID, p.Status, cauri.Change{To: to, At: p.UpdatedAt.Add(time.Second)})
	if err != nil {
		f.t.Fatalf("Transition(%s, %s → %s): %v", p.ID, p.Status, to, err)
	}
	return got
}

// paid stores a new payment created at created and moves it to paid; with
// leasedMoves, the move takes OnPaid's lease, run out already, for an
// owner that never comes back.
func (f *fixture) paid(created time.Time, opts ...func(*cauri.Payment)) cauri.Payment {
	f.t.Helper()
	p := f.pending(created, opts...)
	if f.moved == 0 {
		return f.move(p, cauri.StatusPaid)
	}
	c := cauri.Change{To: cauri.StatusPaid, At: p.UpdatedAt.Add(time.Second),
		Lease: cauri.Lease{Owner: "the-move", Until: epoch()}}
	got, err := f.s.Transition(f.ctx, p.ID, p.Status, c)
	if err != nil {
		f.t.Fatalf("Transition(%s, %s → paid, leased): %v", p.ID, p.Status, err)
	}
	return got
}

// claimed stores a new paid payment, created at at, whose OnPaid lease
// owner claims at at for lease, and returns it as it was before the
// claim.
func (f *fixture) claimed(owner string, at time.Time, lease time.Duration) cauri.Payment {
	f.t.Helper()
	p := f.paid(at)
	f.must(owner+" ClaimOnPaid", f.s.ClaimOnPaid(f.ctx, p.ID, owner, at, lease))
	return p
}

// get returns the stored payment and fails the test if there is none.
func (f *fixture) get(id string) cauri.Payment {
	f.t.Helper()
	p, err := f.s.Get(f.ctx, id)
	if err != nil {
		f.t.Fatalf("Get(%s): %v", id, err)
	}
	return p
}

// must fails the test when err is not nil.
func (f *fixture) must(what string, err error) {
	f.t.Helper()
	if err != nil {
		f.t.Fatalf("%s: %v", what, err)
	}
}

// mustCount fails the test when err, what's error, is not nil, and marks
// it failed when n, the count what returned, is not want.
func (f *fixture) mustCount(what string, n int, err error, want int) {
	f.t.Helper()
	f.must(what, err)
	if n != want {
		f.t.Errorf("%s = %d, want %d", what, n, want)
	}
}

// check compares the stored payment with want.
func (f *fixture) check(what string, want cauri.Payment) {
	f.t.Helper()
	checkPayment(f.t, what, f.get(want.ID), want)
}

// checkOnPaid compares the stored payment with p but for its OnPaid
// record: attempts claimed, and fulfilled at fulfilledAt (zero: not).
func (f *fixture) checkOnPaid(what string, p cauri.Payment, attempts int, fulfilledAt time.Time) {
	f.t.Helper()
	p.OnPaidAttempts, p.FulfilledAt = attempts+f.moved, fulfilledAt
	f.check(what, p)
}

// checkErr reports an error unless err wraps want, or is nil when want is.
func checkErr(t *testing.T, what string, err, want error) {
	t.Helper()
	switch {
	case want == nil && err != nil:
		t.Errorf("%s: unexpected error: %v", what, err)
	case want != nil && !errors.Is(err, want):
		t.Errorf("%s: error = %v, want one wrapping %v", what, err, want)
	}
}

// checkPayment reports every field of got that differs from want. Times
// are compared with time.Equal and must be in UTC; nil and empty metadata
// are the same. A store never keeps Anomaly, so want has none.
func checkPayment(t *testing.T, what string, got, want cauri.Payment) {
	t.Helper()
	if d := diffPayment(got, want); len(d) > 0 {
		t.Errorf("%s: payment %s differs:\n\t%s", what, want.ID, strings.Join(d, "\n\t"))
	}
}

// diffPayment lists how got differs from want, field by field: every
// field of cauri.Payment, so that a new one is compared too. Times must
// be the same instant, in UTC; nil and empty metadata are the same.
func diffPayment(got, want cauri.Payment) []string {
	var d []string
	g, w := reflect.ValueOf(got), reflect.ValueOf(want)
	for i := range g.NumField() {
		name := g.Type().Field(i).Name
		gv, wv := g.Field(i).Interface(), w.Field(i).Interface()
		switch gt := gv.(type) {
		case time.Time:
			if wt := wv.(time.Time); !gt.Equal(wt) {
				d = append(d, fmt.Sprintf("%s = %v, want %v", name, gt, wt))
			}
			if !gt.IsZero() && gt.Location() != time.UTC {
				d = append(d, fmt.Sprintf("%s = %v, not in UTC", name, gt))
			}
		case map[string]string:
			if !maps.Equal(gt, wv.(map[string]string)) {
				d = append(d, fmt.Sprintf("%s = %v, want %v", name, gt, wv))
			}
		default:
			if gv != wv {
				d = append(d, fmt.Sprintf("%s = %#v, want %#v", name, gv, wv))
			}
		}
	}
	return d
}

// checkList checks a list call's result: at most limit payments, oldest
// first and then by ID, each matching the list's filter (match), and, among
// the payments this subtest made (mine), exactly the first ones of want, in
// order and with the same contents. When fewer than limit came back, all of
// want must be there. Payments other subtests left in a shared store are
// tolerated as long as they match.
func checkList(t *testing.T, what string, got []cauri.Payment, limit int, mine map[string]bool, want []cauri.Payment, match func(cauri.Payment) bool) {
	t.Helper()
	if len(got) > limit {
		t.Errorf("%s: %d payments, want at most %d", what, len(got), limit)
	}
	var own []cauri.Payment
	for i, p := range got {
		if i > 0 && !isAfter(p, cauri.CursorOf(got[i-1])) {
			t.Errorf("%s: not oldest first, then by ID: %s (%v) after %s (%v)",
				what, p.ID, p.CreatedAt, got[i-1].ID, got[i-1].CreatedAt)
		}
		if !match(p) {
			t.Errorf("%s: returned %s (status %s, created %v), which does not match",
				what, p.ID, p.Status, p.CreatedAt)
		}
		if mine[p.ID] {
			own = append(own, p)
		}
	}
	n := len(own)
	if len(got) < limit {
		n = len(want) // the store had no more: all of want must be there
	}
	if len(own) != n || n > len(want) {
		t.Errorf("%s: got %v, want %v", what, ids(own), ids(want[:min(n, len(want))]))
		return
	}
	for i := range own {
		if own[i].ID != want[i].ID {
			t.Errorf("%s: got %v, want %v", what, ids(own), ids(want[:n]))
			return
		}
		checkPayment(t, what, own[i], want[i])
	}
}

func ids(ps []cauri.Payment) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.ID
	}
	return out
}

// set returns the IDs of ps as a set.
func set(ps ...cauri.Payment) map[string]bool {
	m := make(map[string]bool, len(ps))
	for _, p := range ps {
		m[p.ID] = true
	}
	return m
}
