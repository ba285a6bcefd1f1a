package cauri

import (
	"context"
	"errors"
	"fmt"
)

// refund moves paid payment p to refunded on an authenticated update that
// says so: a compare-and-set from paid, so that of concurrent reports one
// moves it. The amount is not checked: no money comes in with a refund,
// and a partial one is reported refunded too. It reports whether this call
// moved it.
func (k *Kit) refund(ctx context.Context, p Payment, u Update) (Payment, bool, error) {
	c := Change{To: StatusRefunded, At: k.now(), Expect: Expect{Provider: p.Provider, ProviderRef: u.ProviderRef}}
	np, err := k.store.Transition(ctx, p.ID, StatusPaid, c)
	switch {
	case errors.Is(err, ErrConflict):
		// Refunded already, by another report or replica.
		if np.ID != p.ID {
			if np, err = k.store.Get(ctx, p.ID); err != nil {
				return p, false, fmt.Errorf("cauri: reloading %s: %w", p.ID, err)
			}
		}
		return np, false, nil
	case err != nil:
		return p, false, fmt.Errorf("cauri: moving %s to refunded: %w", p.ID, err)
	}
	k.settled(ctx, np, false)
	return np, true, nil
}

// fulfilRefund hands a refunded payment to OnRefunded unless that already
// succeeded or is under way: under the payment's lease, which OnPaid uses
// too, so that the two never run at once and OnRefunded runs once.
func (k *Kit) fulfilRefund(ctx context.Context, p Payment) error {
	rs, ok := k.store.(RefundStore)
	if k.cfg.OnRefunded == nil || !ok || !p.RefundHandledAt.IsZero() {
		return nil
	}
	l, claimed, err := k.claimHook(ctx, p.ID, "OnRefunded", rs.ClaimOnRefunded)
	if !claimed {
		// Done, or under way (OnPaid may still run: the next
		// notification or reconcile pass takes it after), or the claim
		// failed.
		return err
	}
	outcome, err := k.runHook(ctx, p, k.leaseLeft(l)-k.lease/10, "OnRefunded", EventOnRefunded, k.cfg.OnRefunded, k.metrics.onRefunded)
	if err != nil {
		return k.hookFailed(ctx, p.ID, l.Owner, err, outcome)
	}
	k.record(ctx, p.ID, outcome)
	wctx, cancel := detach(ctx, storeTimeout)
	defer cancel()
	if err := rs.CompleteOnRefunded(wctx, p.ID, l.Owner, k.now()); err != nil && !errors.Is(err, ErrFulfilled) {
		// It will run again, which Payment.ID as idempotency key makes
		// harmless for the shop.
		return fmt.Errorf("cauri: recording OnRefunded for %s: %w", p.ID, err)
	}
	return nil
}
