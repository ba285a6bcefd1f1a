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
// cost: its timer and channel are made only when something waits on it
// (calls Done), which a store answering from memory never does, and
// detaching a detached context again reuses its values' context.
func detach(ctx context.Context, bound time.Duration) (context.Context, context.CancelFunc) {
	d := time.Now().Add(bound)
	if pd, ok := ctx.Deadline(); ok && pd.After(d) {
		d = pd
	}
	var base context.Context
	if dc, ok := ctx.(*detached); ok {
		base = dc.base // the same values, and no cancellation either
	} else {
		base = context.WithoutCancel(ctx)
	}
	c := &detached{base: base, deadline: d}
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

// detached is detach's context: base's values, no cancellation but its
// own, and a deadline. Until something calls Done it is a deadline and a
// flag; Done makes the standard context it stands for,
// context.WithDeadline(base, deadline), which from then on answers Done
// and Err, and gives AfterFunc its callbacks.
type detached struct {
	base     context.Context // context.WithoutCancel of the caller's
	deadline time.Time

	mu       sync.Mutex
	canceled bool               // cancel was called before std was made
	std      context.Context    // made by Done or AfterFunc, then kept
	stop     context.CancelFunc // std's
}

// Deadline returns the context's deadline.
func (c *detached) Deadline() (time.Time, bool) { return c.deadline, true }

// Value returns base's value for key.
func (c *detached) Value(key any) any { return c.base.Value(key) }

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
		c.std, c.stop = context.WithDeadline(c.base, c.deadline)
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
