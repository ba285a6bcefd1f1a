package cauri

import (
	"context"
	"fmt"
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// defaultRateLimit holds providers that document no limit and have no
// Config.RateLimits entry: five requests a second is far more than one
// shop's checkouts need, and little enough that a storm of status polls
// (pending pages left open, a reconciler's backlog) cannot look like abuse
// to an API whose limit is unpublished, and so unknown.
var defaultRateLimit = RateLimit{Requests: 300, Per: time.Minute}

// pauseAfter429 is how long a 429 without Retry-After pauses status polls.
const pauseAfter429 = 30 * time.Second

// gate keeps the calls to one provider within its RateLimit, with
// checkouts and payouts first in line: a token bucket whose burst plus the
// tokens it refills in Per add up to Requests, so that no span of time of
// length Per sees more than Requests calls. Status polls leave the last
// tokens of the bucket, its reserve, to checkouts and payouts, never wait,
// and are paused after the provider answered 429.
type gate struct {
	mu      sync.Mutex
	lim     *rate.Limiter
	reserve float64   // tokens polls never take
	last    time.Time // latest time seen: the limiter's clock never goes back
	paused  time.Time // polls are refused until then
}

// newGate returns the gate for limit l. The burst is a fifth of Requests
// (at least 1) and the rest is refilled over Per; a limit of one request
// refills its one token over Per, so that calls are Per apart. The reserve
// is a fifth of the burst, at least 1, and never all of it.
func newGate(l RateLimit) *gate {
	burst := max(l.Requests/5, 1)
	refill := max(l.Requests-burst, 1)
	return &gate{
		lim:     rate.NewLimiter(rate.Limit(float64(refill)/l.Per.Seconds()), burst),
		reserve: float64(min(max(burst/5, 1), burst-1)),
	}
}

// clock returns now, or the latest time the gate saw if now is earlier (a
// caller that read the clock before another took the lock): a limiter
// moved back in time would count again tokens it already refilled.
// g.mu is held.
func (g *gate) clock(now time.Time) time.Time {
	if now.Before(g.last) {
		return g.last
	}
	g.last = now
	return now
}

// poll takes a token for a status poll at now, if that leaves the reserve
// and no 429 pauses polls. Otherwise it takes nothing and says how long
// until a poll may be made.
func (g *gate) poll(now time.Time) (ok bool, retryAfter time.Duration) {
	g.mu.Lock()
	defer g.mu.Unlock()
	now = g.clock(now)
	if now.Before(g.paused) {
		return false, g.paused.Sub(now)
	}
	short := g.reserve + 1 - g.lim.TokensAt(now)
	if short > 0 {
		return false, time.Duration(math.Ceil(short / float64(g.lim.Limit()) * float64(time.Second)))
	}
	return g.lim.AllowN(now, 1), 0
}

// take takes a token for a checkout or a payout at now, which may use the
// reserve: the call may be made after wait. When the wait would be longer
// than patience, it takes nothing and ok is false.
func (g *gate) take(now time.Time, patience time.Duration) (wait time.Duration, ok bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	now = g.clock(now)
	r := g.lim.ReserveN(now, 1)
	wait = r.DelayFrom(now)
	if wait > 0 {
		wait++ // the limiter truncates to the nanosecond: never act before the token is there
	}
	if wait > patience {
		r.CancelAt(now)
		return wait, false
	}
	return wait, true
}

// pause refuses polls until then.
func (g *gate) pause(until time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if until.After(g.paused) {
		g.paused = until
	}
}

// rateLimit is the limit the kit keeps to with provider p: the shop's
// override, else the provider's own, else the default.
func rateLimit(p Provider, override map[string]RateLimit) RateLimit {
	if l, ok := override[p.Name()]; ok {
		return l
	}
	if g, ok := p.(RateGuidance); ok {
		if l := g.RateLimit(); l.Requests > 0 && l.Per > 0 {
			return l
		}
	}
	return defaultRateLimit
}

// isPoll reports whether op is a status poll: a question about a payment
// ("status") or a pending payout ("payout_status"), which leaves the
// rate's reserve to checkouts and payouts and pauses after a 429.
func isPoll(op string) bool { return op == "status" || op == "payout_status" }

// admit takes p's token for one attempt of op. A status poll is admitted
// at once or refused; any other call waits for its token if its context
// leaves the time, and is refused at once otherwise. A refusal wraps
// ErrRateLimited and says when to try again.
func (k *Kit) admit(ctx context.Context, p *guardedProvider, op string) error {
	if isPoll(op) {
		if ok, after := p.gate.poll(k.now()); !ok {
			return rateLimited(p.name, op, after, nil)
		}
		return nil
	}
	patience := time.Duration(math.MaxInt64)
	if d, ok := ctx.Deadline(); ok {
		patience = time.Until(d)
	}
	wait, ok := p.gate.take(k.now(), patience)
	switch {
	case !ok:
		return rateLimited(p.name, op, wait, nil)
	case wait <= 0:
		return nil
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		// The token is spent: unused, it errs on the provider's side.
		return rateLimited(p.name, op, 0, ctx.Err())
	}
}

// rateLimited is the error of a call the kit did not make, to keep within
// the provider's rate, wrapping cause when there is one.
func rateLimited(provider, op string, after time.Duration, cause error) error {
	err := ErrRateLimited
	if cause != nil {
		err = fmt.Errorf("%w: %w", ErrRateLimited, cause)
	}
	return &ProviderError{
		Provider: provider, Op: op, Temporary: true, RetryAfter: after,
		Message: "not sent: the provider's rate limit is reached",
		Err:     err,
	}
}
