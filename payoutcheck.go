package cauri

import (
	"context"
	"errors"
	"fmt"
)

// Payout resolution outcomes, the values of
// cauri_payout_resolutions_total's outcome label.
const (
	resolvedSucceeded = "succeeded"    // the provider says sent: recorded succeeded
	resolvedFailed    = "failed"       // the provider says refused: recorded failed
	resolvedPending   = "pending"      // the provider says not settled yet
	resolvedSettled   = "settled"      // settled meanwhile by another call or replica
	unresolvable      = "unresolvable" // the provider cannot be asked about it
	resolveSkipped    = "skipped"      // not asked: the provider's breaker or rate
	resolveError      = "error"        // the provider's answer or the store's write failed
)

// resolution is what asking about one pending payout came to, shared by
// the callers that asked at once.
type resolution struct {
	p       Payout // as it stands after the question, or as it was
	outcome string // one of the outcomes above; "" when it was not pending
	err     error
}

// ResolvePayout settles a payout left pending: a payout whose provider
// answered "pending", whose answer was lost, or whose result the kit could
// not record. It asks the payout's provider ([PayoutChecker]) through the
// provider's breaker and rate, as a status poll (it does not wait for the
// rate: an error wrapping [ErrRateLimited] says when to ask again), and
// records what the provider says. It never sends money.
//
// It returns the payout as stored after the question. A payout already
// settled is returned as it is, with no call to the provider, so that
// ResolvePayout is idempotent; calls for one payout at the same time share
// one question, and across processes sharing the store the payout is
// finished once (the store's compare-and-set), the others returning it as
// finished.
//
// Errors: [ErrPayoutNotFound] for an unknown key; [ErrPayoutNotCheckable]
// when the provider cannot look payouts up, or the payout has no provider
// reference to look it up by (it stays pending, never sent again: a person
// must settle it with the provider); [ErrPayoutPending], with the payout,
// when the provider says it is not settled yet; otherwise the provider's
// or the store's error, the payout staying pending.
func (k *Kit) ResolvePayout(ctx context.Context, key string) (Payout, error) {
	ps, ok := k.store.(PayoutStore)
	if !ok {
		return Payout{}, fmt.Errorf("%w: the Store does not keep payouts (it does not implement PayoutStore)", ErrUnsupported)
	}
	ctx, cancel := bounded(ctx, storeTimeout)
	defer cancel()
	p, err := ps.GetPayout(ctx, key)
	switch {
	case errors.Is(err, ErrNotFound):
		return Payout{}, fmt.Errorf("%w: %q: %w", ErrPayoutNotFound, key, err)
	case err != nil:
		return Payout{}, fmt.Errorf("cauri: loading payout %q: %w", key, err)
	}
	r := k.resolve(ctx, ps, p)
	return r.p, r.err
}

// resolve asks pending payout p's provider about it and records the
// answer; a payout no longer pending is returned as it is. Concurrent
// questions about one payout in this process share the one under way.
func (k *Kit) resolve(ctx context.Context, ps PayoutStore, p Payout) resolution {
	if p.Status != PayoutPending {
		return resolution{p: p}
	}
	gp := k.providers[p.Provider]
	var checker PayoutChecker
	if gp != nil {
		checker, _ = gp.Provider.(PayoutChecker)
	}
	var why error
	switch {
	case gp == nil:
		why = fmt.Errorf("%w: %w: %q is not configured", ErrPayoutNotCheckable, ErrUnknownProvider, p.Provider)
	case checker == nil:
		why = fmt.Errorf("%w: %w: %s cannot look payouts up", ErrPayoutNotCheckable, ErrUnsupported, p.Provider)
	case p.ProviderRef == "":
		why = fmt.Errorf("%w: payout %q has no %s reference: the provider's answer was lost before it named the payout",
			ErrPayoutNotCheckable, p.Key, p.Provider)
	}
	if why != nil {
		k.metrics.resolutions.WithLabelValues(p.Provider, unresolvable).Inc()
		return resolution{p: p, outcome: unresolvable, err: why}
	}

	ch := k.payoutAsks.DoChan(p.Key, func() (any, error) {
		// Seen through if the first caller hangs up: the others wait on it.
		ctx, cancel := detach(ctx, k.askTimeout())
		defer cancel()
		return k.resolveOnce(ctx, ps, gp, checker, p), nil
	})
	select {
	case res := <-ch:
		return res.Val.(resolution)
	case <-ctx.Done():
		return resolution{p: p, outcome: resolveError, err: ctx.Err()}
	}
}

// resolveOnce asks checker about p and records a final answer.
func (k *Kit) resolveOnce(ctx context.Context, ps PayoutStore, gp *guardedProvider, checker PayoutChecker, p Payout) resolution {
	count := func(outcome string) { k.metrics.resolutions.WithLabelValues(p.Provider, outcome).Inc() }
	res, err := call(ctx, k, gp, "payout_status", true, func(ctx context.Context) (PayoutResult, error) {
		return checker.CheckPayout(ctx, p.ProviderRef)
	})
	switch {
	case throttled(err) || errors.Is(err, ErrProviderUnavailable):
		count(resolveSkipped)
		return resolution{p: p, outcome: resolveSkipped, err: err}
	case err != nil:
		count(resolveError)
		k.log.Warn("asking about a pending payout", "payout_key", p.Key, "provider", p.Provider, "err", err)
		return resolution{p: p, outcome: resolveError, err: fmt.Errorf("cauri: asking %s about payout %q: %w", p.Provider, p.Key, err)}
	}
	if res.Status != PayoutSucceeded && res.Status != PayoutFailed {
		count(resolvedPending)
		err := fmt.Errorf("%w: %s payout %q", ErrPayoutPending, p.Provider, p.Key)
		if res.Message != "" {
			err = fmt.Errorf("%w: %s", err, res.Message)
		}
		return resolution{p: p, outcome: resolvedPending, err: err}
	}
	if res.ProviderRef == "" {
		res.ProviderRef = p.ProviderRef
	}
	done, err := ps.FinishPayout(ctx, p.Key, res, k.now())
	switch {
	case errors.Is(err, ErrConflict):
		// Finished meanwhile: by the payout's own call, or by a replica.
		if done.Key == "" {
			if cur, gerr := ps.GetPayout(ctx, p.Key); gerr == nil {
				done = cur
			}
		}
		count(resolvedSettled)
		return resolution{p: done, outcome: resolvedSettled}
	case err != nil:
		count(resolveError)
		k.log.Error("recording a resolved payout; left pending", "payout_key", p.Key, "provider", p.Provider, "err", err)
		return resolution{p: p, outcome: resolveError, err: fmt.Errorf("cauri: recording payout %q: %w", p.Key, err)}
	}
	count(string(res.Status))
	k.log.Info("pending payout resolved", "payout_key", p.Key, "provider", p.Provider, "status", string(res.Status))
	return resolution{p: done, outcome: string(res.Status)}
}
