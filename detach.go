package cauri

import (
	"context"
	"sync"
	"time"
)

// storeTimeout bounds a store call made on behalf of a caller whose
// context has no deadline of its own, and a write that outlives its
// caller: a hung database must never pin a handler, the reconciler or a
// shutdown for good.
const storeTimeout = time.Minute

// detach returns a context for work that must be seen through once begun,
// such as a write that outlives the request that asked for it: it carries
// ctx's values but not its cancellation, and it still ends. Its deadline
// is bound from now, or ctx's own deadline when that is later: detached
// work never gets less time than its caller had, and never unlimited time.
//
// It is context.WithDeadline(context.WithoutCancel(ctx), …), but for its
// cost: two allocations, its timer and channel made only when something
// waits on it (calls Done), which a store answering from memory never
// does.
func detach(ctx context.Context, bound time.Duration) (context.Context, context.CancelFunc) {
	d := time.Now().Add(bound)
	if pd, ok := ctx.Deadline(); ok && pd.After(d) {
		d = pd
	}
	return detachedUntil(ctx, d)
}

// detachedUntil is detach's context, its deadline d.
func detachedUntil(ctx context.Context, d time.Time) (context.Context, context.CancelFunc) {
	values := ctx
	if dc, ok := ctx.(*detached); ok {
		values = dc.values // the same values, and no cancellation either
	}
	c := &detached{values: values, deadline: d}
	return c, c.cancel
}

// bounded returns ctx with a deadline bound from now when it has none,
// and ctx itself (with a no-op cancel) when it has one. Cancellation is
// kept: it is for calls that may stop when their caller does.
func bounded(ctx context.Context, bound time.Duration) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, bound)
}

// detached is detach's context: the values of the caller's context, no
// cancellation but its own, and a deadline. Until something calls Done it
// is a deadline and a flag; Done makes the standard context it stands
// for, context.WithDeadline(context.WithoutCancel(values), deadline),
// which from then on answers Done and Err, and gives AfterFunc its
// callbacks.
type detached struct {
	values   context.Context // the caller's context, never a detached one
	deadline time.Time

	mu       sync.Mutex
	canceled bool               // cancel was called before std was made
	std      context.Context    // made by Done or AfterFunc, then kept
	stop     context.CancelFunc // std's
}

// Deadline returns the context's deadline.
func (c *detached) Deadline() (time.Time, bool) { return c.deadline, true }

// Value returns the caller's context's value for key, as
// context.WithoutCancel's does: that one answers differently only for the
// context package's own key, a *int, which it is left to.
func (c *detached) Value(key any) any {
	if _, ok := key.(*int); ok {
		return context.WithoutCancel(c.values).Value(key)
	}
	return c.values.Value(key)
}

// Done returns a channel closed at the deadline or on cancel.
func (c *detached) Done() <-chan struct{} { return c.standard().Done() }

// Err returns context.Canceled after cancel, context.DeadlineExceeded
// once the deadline has passed, and nil before.
func (c *detached) Err() error {
	c.mu.Lock()
	std, canceled := c.std, c.canceled
	c.mu.Unlock()
	switch {
	case std != nil:
		return std.Err()
	case canceled:
		return context.Canceled
	case !time.Now().Before(c.deadline):
		// Done closes at once from now on: make it so.
		return c.standard().Err()
	}
	return nil
}

// AfterFunc arranges for f to run in its own goroutine once the context
// is done, as context.AfterFunc does; contexts derived from this one use
// it to learn of its end without a goroutine each.
func (c *detached) AfterFunc(f func()) (stop func() bool) {
	return context.AfterFunc(c.standard(), f)
}

// String names the context, as the standard ones do.
func (c *detached) String() string { return "cauri.detached" }

// standard returns the standard context c stands for, made on first use.
func (c *detached) standard() context.Context {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.std == nil {
		c.std, c.stop = context.WithDeadline(context.WithoutCancel(c.values), c.deadline)
		if c.canceled {
			c.stop()
		}
	}
	return c.std
}

// cancel ends the context, and releases its timer if it has one. Past
// the deadline it changes nothing: the context ended then.
func (c *detached) cancel() {
	c.mu.Lock()
	stop := c.stop
	if stop == nil && time.Now().Before(c.deadline) {
		c.canceled = true
	}
	c.mu.Unlock()
	if stop != nil {
		stop()
	}
}
