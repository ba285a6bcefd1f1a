package cauri

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/sony/gobreaker/v2"
)

// RetryPolicy says how the kit retries idempotent provider calls after a
// transient failure (a network error, a 5xx, a 429). The zero value means
// the defaults below.
type RetryPolicy struct {
	// MaxRetries is how many times a call is retried after its first
	// attempt. Zero means 2; a negative value disables retries.
	MaxRetries int
	// InitialInterval is the first wait. Zero means 100ms.
	InitialInterval time.Duration
	// MaxInterval caps each wait. Zero means 2s.
	MaxInterval time.Duration
	// MaxRetryAfter is the longest Retry-After the kit will honour by
	// waiting; a provider asking for more is not retried and the caller
	// gets its error at once. Zero means 5s.
	MaxRetryAfter time.Duration
}

// BreakerPolicy configures the circuit breaker the kit keeps for each
// provider. The zero value means the defaults below.
type BreakerPolicy struct {
	// ConsecutiveFailures opens the breaker. Zero means 5. Only failures
	// that show the provider down count: no answer, a timeout, a 5xx. A
	// refusal (4xx) counts as a success, a 429 as neither.
	ConsecutiveFailures uint32
	// OpenTimeout is how long the breaker stays open before it lets trial
	// calls through (half-open). Zero means 30s.
	OpenTimeout time.Duration
	// HalfOpenRequests is how many trial calls a half-open breaker lets
	// through. Zero means 1.
	HalfOpenRequests uint32
}

// Provider call outcomes, the values of cauri_provider_requests_total's
// outcome label.
const (
	callOK          = "ok"
	callTransient   = "transient"
	callPermanent   = "permanent"
	callBreakerOpen = "breaker_open"
	callCanceled    = "canceled"
	callRateLimited = "rate_limited"
)

// errCallerGone tells the breaker to ignore a call the caller abandoned: a
// customer closing the browser says nothing about the provider's health.
// A call cut by the checkout's deadline is no such call: the provider was
// too slow, and that counts as a failure.
var errCallerGone = errors.New("caller gone")

// guardedProvider is a provider with its circuit breaker and rate.
type guardedProvider struct {
	Provider
	name       string
	breaker    *gobreaker.TwoStepCircuitBreaker[struct{}]
	gate       *gate
	idempotent bool // CreateCheckout may be retried
	// noStatus is set once FetchStatus said ErrUnsupported: the
	// provider has no status endpoint to confirm notifications with.
	noStatus atomic.Bool
}

func (k *Kit) newBreaker(name string, pol BreakerPolicy) *gobreaker.TwoStepCircuitBreaker[struct{}] {
	failures := pol.ConsecutiveFailures
	if failures == 0 {
		failures = 5
	}
	st := gobreaker.Settings{
		Name:        name,
		MaxRequests: max(pol.HalfOpenRequests, 1),
		Timeout:     pol.OpenTimeout,
		ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= failures },
		IsExcluded: func(err error) bool {
			return errors.Is(err, errCallerGone) || errors.Is(err, ErrRateLimited)
		},
		OnStateChange: func(name string, from, to gobreaker.State) {
			k.metrics.breakerState.WithLabelValues(name).Set(float64(breakerGauge(to)))
			k.log.Warn("circuit breaker changed state", "provider", name, "from", from.String(), "to", to.String())
		},
	}
	if st.Timeout <= 0 {
		st.Timeout = 30 * time.Second
	}
	k.metrics.breakerState.WithLabelValues(name).Set(0)
	return gobreaker.NewTwoStepCircuitBreaker[struct{}](st)
}

func breakerGauge(s gobreaker.State) int {
	switch s {
	case gobreaker.StateHalfOpen:
		return 1
	case gobreaker.StateOpen:
		return 2
	}
	return 0
}

// breakerOpen reports whether calls to p would be refused right now.
func (p *guardedProvider) breakerOpen() bool { return p.breaker.State() == gobreaker.StateOpen }

// transient reports whether err is the provider's temporary failure: a
// *ProviderError marked Temporary, or an attempt that ran out of its own
// time while the caller was still waiting.
func transient(ctx context.Context, err error) bool {
	return IsTemporary(err) || (ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded))
}

// tooManyRequests reports whether err is the provider's 429.
func tooManyRequests(err error) bool {
	var pe *ProviderError
	return errors.As(err, &pe) && pe.StatusCode == http.StatusTooManyRequests
}

// retryAfterOf returns the provider's Retry-After in err, if any.
func retryAfterOf(err error) time.Duration {
	var pe *ProviderError
	if errors.As(err, &pe) {
		return pe.RetryAfter
	}
	return 0
}

// hintedBackOff waits at least as long as the provider asked.
type hintedBackOff struct {
	backoff.BackOff
	hint time.Duration
}

func (b *hintedBackOff) NextBackOff() time.Duration {
	d := b.BackOff.NextBackOff()
	if d == backoff.Stop {
		return d
	}
	if b.hint > d {
		d = b.hint
	}
	b.hint = 0
	return d
}

// call runs one provider operation through the provider's breaker and
// rate, with a timeout per attempt, retrying transient failures when retry
// is true (the operation is idempotent). Every attempt takes a token of the
// provider's rate (see admit). Metrics are recorded per attempt.
func call[T any](ctx context.Context, k *Kit, p *guardedProvider, op string, retry bool, fn func(context.Context) (T, error)) (T, error) {
	pol := k.cfg.Retry
	retries := pol.MaxRetries
	switch {
	case !retry || retries < 0:
		retries = 0
	case retries == 0:
		retries = 2
	}
	exp := backoff.NewExponentialBackOff(
		backoff.WithInitialInterval(orDefault(pol.InitialInterval, 100*time.Millisecond)),
		backoff.WithMaxInterval(orDefault(pol.MaxInterval, 2*time.Second)),
		backoff.WithMaxElapsedTime(0),
	)
	hinted := &hintedBackOff{BackOff: backoff.WithMaxRetries(exp, uint64(retries))}
	maxHint := orDefault(pol.MaxRetryAfter, 5*time.Second)

	count := func(outcome string) { k.metrics.providerRequests.WithLabelValues(p.name, op, outcome).Inc() }
	attempt := func() (T, error) {
		var zero T
		done, err := p.breaker.Allow()
		if err != nil {
			count(callBreakerOpen)
			return zero, backoff.Permanent(fmt.Errorf("%w: %s: %w", ErrProviderUnavailable, p.name, err))
		}
		if err := k.admit(ctx, p, op); err != nil {
			done(ErrRateLimited) // says nothing of the provider's health
			count(callRateLimited)
			return zero, backoff.Permanent(err)
		}
		actx, cancel := context.WithTimeout(ctx, k.providerTimeout)
		start := time.Now()
		v, err := fn(actx)
		cancel()
		k.metrics.providerDuration.WithLabelValues(p.name, op).Observe(time.Since(start).Seconds())
		switch {
		case err == nil:
			done(nil)
			count(callOK)
			return v, nil
		case ctx.Err() != nil && !errors.Is(context.Cause(ctx), errCheckoutTimeout):
			done(errCallerGone)
			count(callCanceled)
			return zero, backoff.Permanent(err)
		case tooManyRequests(err):
			// The provider is up and asks for fewer calls: neither a
			// failure nor a success. Polls pause as long as it asked.
			done(ErrRateLimited)
			count(callRateLimited)
			if isPoll(op) {
				p.gate.pause(k.now().Add(orDefault(retryAfterOf(err), pauseAfter429)))
				return zero, backoff.Permanent(err)
			}
		case transient(ctx, err) || ctx.Err() != nil:
			// No answer, a timeout (the attempt's or the checkout's), a
			// 5xx: the provider may be down.
			done(err)
			count(callTransient)
		default:
			// The provider answered and refused: it is up, so the
			// breaker counts a success, and repeating would not help.
			done(nil)
			count(callPermanent)
			return zero, backoff.Permanent(err)
		}
		// Retried after at least the provider's Retry-After, if that
		// fits before the caller's deadline.
		hint := retryAfterOf(err)
		if d, ok := ctx.Deadline(); hint > maxHint || ok && time.Until(d) <= hint {
			return zero, backoff.Permanent(err)
		}
		hinted.hint = hint
		return zero, err
	}
	notify := func(error, time.Duration) { k.metrics.providerRetries.WithLabelValues(p.name, op).Inc() }
	return backoff.RetryNotifyWithData(attempt, backoff.WithContext(hinted, ctx), notify)
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}
