package cauri

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// fulfil hands a paid payment to OnPaid unless that already succeeded or
// is under way elsewhere. It is the one path every paid payment takes to
// OnPaid: the lease in the store makes it run once, never twice at a time,
// across goroutines and processes. It returns nil when OnPaid is done or
// held by another worker (who will finish it, release it on failure, or
// let its lease expire for the next visit or reconcile pass to take).
func (k *Kit) fulfil(ctx context.Context, p Payment) error {
	if p.Status != StatusPaid || p.Fulfilled() {
		return nil
	}
	// The work is not the caller's to cancel: a provider hanging up must
	// not leave OnPaid half done.
	ctx = context.WithoutCancel(ctx)
	owner := k.leaseOwner()
	err := k.store.ClaimOnPaid(ctx, p.ID, owner, k.now(), k.lease)
	switch {
	case errors.Is(err, ErrFulfilled), errors.Is(err, ErrLeaseHeld):
		return nil
	case err != nil:
		return fmt.Errorf("cauri: claiming OnPaid for %s: %w", p.ID, err)
	}
	return k.fulfilClaimed(ctx, p, owner)
}

// leaseOwner returns a new OnPaid lease owner, unique to this kit and
// call.
func (k *Kit) leaseOwner() string {
	var buf [32]byte
	b := append(append(buf[:0], k.instance...), '-')
	return string(strconv.AppendUint(b, k.seq.Add(1), 36))
}

// fulfilClaimed runs OnPaid for a paid payment whose lease owner holds, and
// records the outcome: done, or the lease given back for a retry.
func (k *Kit) fulfilClaimed(ctx context.Context, p Payment, owner string) error {
	if p.Status != StatusPaid || p.Fulfilled() {
		return nil
	}
	ctx = context.WithoutCancel(ctx)
	if err := k.runOnPaid(ctx, p); err != nil {
		if rerr := k.store.ReleaseOnPaid(ctx, p.ID, owner); rerr != nil {
			k.log.Error("releasing OnPaid lease", "payment_id", p.ID, "err", rerr)
		}
		return err
	}
	if err := k.completer.complete(ctx, p.ID, owner); err != nil && !errors.Is(err, ErrFulfilled) {
		// OnPaid succeeded but could not be recorded: it will run again,
		// which Payment.ID as idempotency key makes harmless for the shop.
		return fmt.Errorf("cauri: recording OnPaid for %s: %w", p.ID, err)
	}
	return nil
}

// runOnPaid calls the shop's hook with a deadline inside the lease, and
// turns a panic into an error.
func (k *Kit) runOnPaid(ctx context.Context, p Payment) (err error) {
	if k.cfg.OnPaid == nil {
		return nil
	}
	// End OnPaid's context well before the lease, so that no other worker
	// can take the payment while this call may still act.
	ctx, cancel := context.WithTimeout(ctx, k.lease*9/10)
	defer cancel()
	start := time.Now()
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("cauri: OnPaid panicked: %v", v)
		}
		k.metrics.onPaidDuration.WithLabelValues(p.Provider).Observe(time.Since(start).Seconds())
		outcome := "ok"
		if err != nil {
			outcome = "error"
			k.log.Error("OnPaid failed; it will be retried", "payment_id", p.ID, "provider", p.Provider, "err", err)
		}
		k.metrics.onPaid.WithLabelValues(p.Provider, outcome).Inc()
	}()
	if err := k.cfg.OnPaid(ctx, p); err != nil {
		return fmt.Errorf("cauri: OnPaid: %w", err)
	}
	return nil
}
