package cauri

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"
)

// errNotDue says a payment's turn to be asked about has not come: its
// provider was asked recently, by this process or another sharing the
// store. The caller answers from what is stored.
var errNotDue = errors.New("cauri: payment asked about recently")

// throttled reports whether err says the provider was not asked because the
// payment's budget or the provider's rate is spent: nothing failed.
func throttled(err error) bool {
	return errors.Is(err, errNotDue) || errors.Is(err, ErrRateLimited)
}

// askResult is what one question to a provider came to, shared by the
// callers that asked at once.
type askResult struct {
	p        Payment // as it stands after the question, or as stored when not asked
	moved    bool    // the provider's word moved it
	answered bool    // the provider answered: err, if any, is the store's or the money's
	err      error
	// then, when set, ends with what follows the move (OnPaid seen to):
	// the result of settle for the caller who asked, which waits for it;
	// callers who joined the question have their answer without it.
	then <-chan error
}

// ask asks p's provider about pending payment p, if p's turn has come,
// and settles what the provider says (see settle); it returns the payment
// as it then stands and whether this question moved it. Every question
// the kit asks a provider about a payment (the status endpoint, a return
// visit, an unsigned notification to confirm, the reconciler) comes here
// and draws on one budget, kept in the store so that replicas share it: a
// turn every pollInterval, longer as the payment ages. Concurrent asks in
// this process share the one under way instead of asking again.
//
// When the turn has not come (or another process took it), it returns an
// error wrapping errNotDue, with the payment as stored now: settled
// meanwhile, perhaps, by whoever asked. A provider's error comes back
// with p as it was.
//
// A paid payment may be asked about too, when the kit is told it was
// refunded; other final ones never are.
func (k *Kit) ask(ctx context.Context, gp *guardedProvider, p Payment) askResult {
	return k.confirm(ctx, gp, p, nil)
}

// confirm is ask for an unauthenticated notification that claimed claim:
// a provider that is a [Confirmer] reads its answer with the claim. A nil
// claim is a plain ask.
func (k *Kit) confirm(ctx context.Context, gp *guardedProvider, p Payment, claim *Claim) askResult {
	if p.Status.Final() && p.Status != StatusPaid {
		return askResult{p: p, err: errNotDue}
	}
	key := p.ID
	if _, ok := gp.Provider.(Confirmer); ok && claim != nil {
		// Its answer depends on the claim: only the same claim shares it,
		// and an ask under way without it answers nothing about it.
		key += "\x00" + string(claim.Update.Status) + "\x00" + strconv.FormatBool(claim.Callback)
	}
	// Even when p's turn has not come, an ask under way is joined: its
	// answer is the freshest there is. Those who join it have it once
	// the payment moved: the OnPaid the move starts, which may take most
	// of a lease, only the caller who asked waits for, as a caller that
	// finds OnPaid held by another does not wait for it either (see
	// fulfil).
	led := false // this call's function is the one asking
	ch := k.asks.DoChan(key, func() (any, error) {
		led = true
		// The question, once asked, is seen through if whoever asked it
		// first hangs up: its turn is spent either way.
		ctx, cancel := detach(ctx, k.askTimeout())
		a, then := k.askNow(ctx, gp, p, claim)
		if then == nil {
			cancel()
			return a, nil
		}
		done := make(chan error, 1)
		a.then = done
		go func() {
			defer cancel()
			done <- then(ctx)
		}()
		return a, nil
	})
	select {
	case res := <-ch:
		a := res.Val.(askResult)
		if !led || a.then == nil {
			return a
		}
		select {
		case a.err = <-a.then:
		case <-ctx.Done():
			a.err = ctx.Err()
		}
		return a
	case <-ctx.Done():
		return askResult{p: p, err: ctx.Err()}
	}
}

// askNow asks p's provider about p, if p's turn has come, and applies its
// answer; what must follow a move it returns for the caller to run (nil
// when there is nothing).
func (k *Kit) askNow(ctx context.Context, gp *guardedProvider, p Payment, claim *Claim) (askResult, func(context.Context) error) {
	now := k.now()
	took := false
	var err error
	if !p.NextPollAt.After(now) {
		took, err = k.store.TakePoll(ctx, p.ID, now, now.Add(k.pollInterval(gp, p, now)))
	}
	switch {
	case err != nil:
		return askResult{p: p, err: fmt.Errorf("cauri: taking a turn to ask about %s: %w", p.ID, err)}, nil
	case !took:
		// Someone asked lately, perhaps settling it since p was read.
		if cur, err := k.store.Get(ctx, p.ID); err == nil {
			p = cur
		}
		return askResult{p: p, err: errNotDue}, nil
	}
	u, err := k.fetch(ctx, gp, p, claim)
	k.recordAnswer(ctx, p.ID, u, err)
	if err != nil {
		return askResult{p: p, err: err}, nil
	}
	np, moved, then, err := k.settleThen(ctx, p, u)
	return askResult{p: np, moved: moved, answered: true, err: err}, then
}

// askTimeout bounds one question to a provider, retries included.
func (k *Kit) askTimeout() time.Duration {
	return 4 * k.providerTimeout
}

// pollInterval is how long p's provider is left alone after a question
// about p asked at now: Config.PollInterval (or the provider's own
// guidance, if longer) while the payment is young, doubling each time the
// payment's age passes eight intervals more, up to Config.MaxPollInterval,
// plus up to a fifth more at random so that the payments created together
// drift apart.
func (k *Kit) pollInterval(gp *guardedProvider, p Payment, now time.Time) time.Duration {
	base := max(k.pollEvery, guidance(gp))
	d := base
	for age := now.Sub(p.CreatedAt); d < k.pollMax && 8*d <= age; {
		d *= 2
	}
	d = max(min(d, k.pollMax), base)
	return d + time.Duration(rand.Int64N(int64(d)/5+1))
}

// guidance is the provider's own least time between two status calls
// about one payment, or 0.
func guidance(gp *guardedProvider) time.Duration {
	if g, ok := gp.Provider.(PollGuidance); ok {
		return g.MinPollInterval()
	}
	return 0
}

// retryAfter is how long until p's next turn, at least a second: what an
// unsigned notification answered from the store is told to wait.
func (k *Kit) retryAfter(p Payment) time.Duration {
	return max(p.NextPollAt.Sub(k.now()), time.Second)
}
