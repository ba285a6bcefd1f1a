package cauri

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// fulfil hands a paid payment to OnPaid unless that already succeeded or
// is under way elsewhere. It is the one path every paid payment takes to
// OnPaid: the lease in the store makes it run once, never twice at a time,
// across goroutines and processes. It returns nil when OnPaid is done or
// held by another worker (who will finish it, release it on failure, or
// let its lease expire for the next visit or reconcile pass to take).
//
// A refunded payment is handed to OnRefunded instead, the same way.
func (k *Kit) fulfil(ctx context.Context, p Payment) error {
	if p.Status == StatusRefunded {
		return k.fulfilRefund(ctx, p)
	}
	if p.Status != StatusPaid || p.Fulfilled() {
		return nil
	}
	l, claimed, err := k.claimHook(ctx, p.ID, "OnPaid", k.store.ClaimOnPaid)
	if !claimed {
		return err
	}
	return k.fulfilClaimed(ctx, p, l, false)
}

// claimHook takes a new lease of payment id for the shop's hook named
// name through claim, the store's ClaimOnPaid or ClaimOnRefunded. The
// claim is not the caller's to cancel: a provider hanging up must not
// leave the hook half done. It reports false, with a nil error, when the
// hook already succeeded or another worker holds the lease (who will
// finish it, release it on failure, or let it expire for the next visit
// or reconcile pass to take).
func (k *Kit) claimHook(ctx context.Context, id, name string,
	claim func(ctx context.Context, id, owner string, now time.Time, ttl time.Duration) error) (heldLease, bool, error) {
	l := k.newLease()
	now := l.Until.Add(-k.lease) // the wall clock's now when l was made
	cctx, cancel := detach(ctx, storeTimeout)
	err := claim(cctx, id, l.Owner, now, k.lease)
	cancel()
	switch {
	case errors.Is(err, ErrFulfilled), errors.Is(err, ErrLeaseHeld):
		return l, false, nil
	case err != nil:
		return l, false, fmt.Errorf("cauri: claiming %s for %s: %w", name, id, err)
	}
	return l, true, nil
}

// hookFailed records outcome, the events of a failed call of one of the
// shop's hooks on payment id, and gives back owner's lease for the next
// visit to take at once; it returns err, the call's error.
func (k *Kit) hookFailed(ctx context.Context, id, owner string, err error, outcome ...Event) error {
	k.record(ctx, id, outcome...)
	k.release(ctx, id, owner)
	return err
}

// heldLease is an OnPaid lease this kit is taking or took: the store's
// Lease, and the instant it was taken on the monotonic clock, which tells
// how much of it is left whatever the wall clock does meanwhile.
type heldLease struct {
	Lease
	taken time.Time // from time.Now, with its monotonic reading
	// holder is the payment that pays the order, when the move that took
	// the lease claimed the order too (OrderMover); else empty.
	holder string
}

// newLease returns an OnPaid lease for a new owner, from now.
func (k *Kit) newLease() heldLease {
	taken := time.Now() // first: the monotonic measure never flatters
	return heldLease{Lease: Lease{Owner: k.leaseOwner(), Until: k.now().Add(k.lease)}, taken: taken}
}

// leaseLeft returns how long l still holds: the less of what the wall
// clock says (the clock other workers judge the stored lease by) and what
// the monotonic clock has measured since it was taken, so never more than
// the lease, even when the wall clock is stepped back.
func (k *Kit) leaseLeft(l heldLease) time.Duration {
	return min(l.Until.Sub(k.now()), k.lease-time.Since(l.taken))
}

// leaseOwner returns a new OnPaid lease owner, unique to this kit and
// call.
func (k *Kit) leaseOwner() string {
	var buf [32]byte
	b := append(append(buf[:0], k.instance...), '-')
	return string(strconv.AppendUint(b, k.seq.Add(1), 36))
}

// fulfilClaimed runs OnPaid for a paid payment whose lease l was taken,
// and records the outcome: done, or the lease given back for a retry.
// OnPaid must end well before the lease does, so that nobody else can take
// the payment while it may still act: when the write that took the lease
// was so slow that less than half of it is left, OnPaid is not called
// under it; the next webhook, return visit or reconcile pass takes the
// payment once the lease has run out.
//
// moved says this kit's write just moved p to paid: its anomaly, if any,
// is then counted and logged, also when there is no OnPaid to run.
func (k *Kit) fulfilClaimed(ctx context.Context, p Payment, l heldLease, moved bool) error {
	if p.Status != StatusPaid || p.Fulfilled() && !moved {
		return nil
	}
	// Judged, for its count, by the move that made it paid, whether or
	// not OnPaid runs now; then, before each OnPaid call, for OnPaid.
	// The lease is measured before: the store's move, not this write,
	// decides whether OnPaid runs under it.
	left := k.leaseLeft(l)
	if p.Fulfilled() || left < k.lease/2 {
		if !p.Fulfilled() {
			k.log.Warn("OnPaid deferred: the store took most of its lease to answer",
				"payment_id", p.ID, "provider", p.Provider, "lease_left", left)
		}
		if !moved {
			return nil
		}
		if _, err := k.judge(ctx, p, true, l.holder); err != nil {
			// The move stands; only the anomaly's count is lost.
			k.log.Error("could not tell whether a paid payment is its order's first", "payment_id", p.ID, "err", err)
		}
		return nil
	}
	p, err := k.judge(ctx, p, moved, l.holder)
	if err != nil {
		// OnPaid is never handed a payment it cannot be told about.
		k.release(ctx, p.ID, l.Owner)
		return err
	}
	owner := l.Owner
	// OnPaid ends a tenth of the lease before it, however long the judge took.
	outcome, err := k.runOnPaid(ctx, p, k.leaseLeft(l)-k.lease/10)
	if err != nil {
		return k.hookFailed(ctx, p.ID, owner, err, outcome...)
	}
	// OnPaid's outcome, and what the request recorded of the payment
	// since its move, go in the write that records the success.
	events, putBack := k.withKept(ctx, p.ID, outcome...)
	wctx, cancel := detach(ctx, storeTimeout)
	defer cancel()
	logged, err := k.completer.complete(wctx, p.ID, owner, events)
	if !logged {
		putBack()
		k.record(ctx, p.ID, outcome...)
	}
	if err != nil && !errors.Is(err, ErrFulfilled) {
		// OnPaid succeeded but could not be recorded: it will run again,
		// which Payment.ID as idempotency key makes harmless for the shop.
		return fmt.Errorf("cauri: recording OnPaid for %s: %w", p.ID, err)
	}
	return nil
}

// release gives back owner's OnPaid lease of payment id, for the next
// visit to take at once rather than when it runs out.
func (k *Kit) release(ctx context.Context, id, owner string) {
	ctx, cancel := detach(ctx, storeTimeout)
	defer cancel()
	if err := k.store.ReleaseOnPaid(ctx, id, owner); err != nil {
		k.log.Error("releasing OnPaid lease", "payment_id", id, "err", err)
	}
}

// judge works out p's anomaly: superseded, or paid after another payment
// of its order, which ClaimOrder tells (the first paid payment of an order
// that is not superseded holds it), or else overpaid. holder, when not
// empty, is what ClaimOrder would say, learnt from the move that claimed
// the order. A payment just moved (fresh) with an anomaly is counted and
// logged.
func (k *Kit) judge(ctx context.Context, p Payment, fresh bool, holder string) (Payment, error) {
	if p.SupersededBy != "" {
		p.Anomaly = AnomalySuperseded
	} else {
		if holder == "" { // the move did not claim the order
			ctx, cancel := detach(ctx, storeTimeout)
			var err error
			holder, err = k.store.ClaimOrder(ctx, p.OrderID, p.ID)
			cancel()
			if err != nil {
				return p, fmt.Errorf("cauri: claiming order %s for %s: %w", p.OrderID, p.ID, err)
			}
		}
		switch {
		case holder != p.ID:
			p.Anomaly = AnomalyPaidTwice
		case p.Surplus() > 0:
			p.Anomaly = AnomalyOverpaid
		}
	}
	if fresh {
		k.recordAnomaly(ctx, p)
	}
	if p.Anomaly == AnomalyOverpaid && fresh {
		k.metrics.anomalies.WithLabelValues(p.Provider, string(p.Anomaly)).Inc()
		k.log.Warn("paid payment charged more than its order: fulfil it and give back the surplus",
			"payment_id", p.ID, "provider", p.Provider, "order_id", p.OrderID,
			"amount", p.Amount, "received", p.Received, "fee", p.Fee, "surplus", p.Surplus(), "currency", p.Currency)
	} else if p.Anomaly != "" && fresh {
		k.metrics.anomalies.WithLabelValues(p.Provider, string(p.Anomaly)).Inc()
		k.log.Warn("paid payment must not be fulfilled as usual: refund it or settle by hand",
			"payment_id", p.ID, "provider", p.Provider, "order_id", p.OrderID, "anomaly", string(p.Anomaly),
			"amount", p.Amount, "currency", p.Currency, "superseded_by", p.SupersededBy)
	}
	return p, nil
}

// runOnPaid calls the shop's OnPaid with a deadline inside the lease (see
// runHook), and times it.
func (k *Kit) runOnPaid(ctx context.Context, p Payment, budget time.Duration) ([]Event, error) {
	if k.cfg.OnPaid == nil {
		return nil, nil
	}
	start := time.Now()
	defer func() { k.metrics.onPaidDuration.WithLabelValues(p.Provider).Observe(time.Since(start).Seconds()) }()
	outcome, err := k.runHook(ctx, p, budget, "OnPaid", EventOnPaid, k.cfg.OnPaid, k.metrics.onPaid)
	return []Event{outcome}, err
}

// runHook calls hook, the shop's hook named name, with a deadline inside
// the lease: it ends well before the lease, so that no other worker can
// take the payment while the call may still act, and not before, since a
// provider hanging up does not cut it short. It turns a panic into an
// error, counts the outcome, and returns its event for the caller to
// record.
func (k *Kit) runHook(ctx context.Context, p Payment, budget time.Duration, name string, kind EventKind,
	hook func(context.Context, Payment) error, counter *prometheus.CounterVec) (outcome Event, err error) {
	ctx, cancel := detachedUntil(ctx, time.Now().Add(budget))
	defer cancel()
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("cauri: %s panicked: %v", name, v)
		}
		result := "ok"
		if err != nil {
			result = "error"
			k.log.Error(name+" failed; it will be retried", "payment_id", p.ID, "provider", p.Provider, "err", err)
		}
		counter.WithLabelValues(p.Provider, result).Inc()
		outcome = k.hookEvent(p, kind, name, err)
	}()
	if err := hook(ctx, p); err != nil {
		return Event{}, fmt.Errorf("cauri: %s: %w", name, err)
	}
	return Event{}, nil
}
