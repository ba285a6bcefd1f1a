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
// It is context.WithDeadline(context.WithoutCancel(ctx), …), for less:
// see deadlineCtx.
func detach(ctx context.Context, bound time.Duration) (context.Context, context.CancelFunc) {
	d := time.Now().Add(bound)
	if pd, ok := ctx.Deadline(); ok && pd.After(d) {
		d = pd
	}
	return detachedUntil(ctx, d)
}

// detachedUntil is detach's context, its deadline d.
func detachedUntil(ctx context.Context, d time.Time) (context.Context, context.CancelFunc) {
	if dc, ok := ctx.(*deadlineCtx); ok && dc.detached {
		ctx = dc.parent // the same values, and no cancellation either
	}
	c := &deadlineCtx{parent: ctx, detached: true, deadline: d}
	return c, c.cancel
}

// bounded returns ctx with a deadline bound from now when it has none,
// and ctx itself (with a no-op cancel) when it has one. Cancellation is
// kept: it is for calls that may stop when their caller does.
//
// It is context.WithTimeout(ctx, bound), for less: see deadlineCtx.
func bounded(ctx context.Context, bound time.Duration) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return ctx, func() {}
	}
	c := &deadlineCtx{parent: ctx, deadline: time.Now().Add(bound)}
	return c, c.cancel
}

// deadlineCtx is the context detach and bounded return: parent's values, a
// deadline, a cancel of its own, and parent's cancellation unless
// detached. It stands for the standard context,
// context.WithDeadline(parent, deadline) (of context.WithoutCancel(parent)
// when detached), but makes it only when something needs it: a wait (Done,
// AfterFunc, a context derived with a cancel of its own), or
// context.Cause. Until then it costs two allocations and no timer, and
// answers Err from the clock, the parent's Err and its own flag; a store
// answering from memory never needs more. Once made, the standard context
// answers everything but Deadline and the values.
type deadlineCtx struct {
	parent   context.Context
	detached bool // parent's values only, not its cancellation; parent is never a detached deadlineCtx
	deadline time.Time

	mu       sync.Mutex
	canceled bool               // cancel was called before std was made
	std      context.Context    // made on first need, then kept
	stop     context.CancelFunc // std's
}

// Deadline returns the context's deadline.
func (c *deadlineCtx) Deadline() (time.Time, bool) { return c.deadline, true }

// Value returns parent's value for key. The context package's own key (a
// *int: no other package's key is one of its unexported types) is the
// standard context's to answer, as it is for context.Cause.
func (c *deadlineCtx) Value(key any) any {
	if _, ok := key.(*int); ok {
		return c.standard().Value(key)
	}
	return c.parent.Value(key)
}

// Done returns a channel closed at the deadline, on cancel, or (unless
// detached) when parent is done.
func (c *deadlineCtx) Done() <-chan struct{} { return c.standard().Done() }

// Err returns nil before the context is done, and then why: as the
// standard context does.
func (c *deadlineCtx) Err() error {
	c.mu.Lock()
	std, canceled := c.std, c.canceled
	c.mu.Unlock()
	switch {
	case std != nil:
		return std.Err()
	case canceled:
		return context.Canceled
	case !c.detached && c.parent.Err() != nil, !time.Now().Before(c.deadline):
		// Done closes at once from now on: make it so.
		return c.standard().Err()
	}
	return nil
}

// AfterFunc arranges for f to run in its own goroutine once the context
// is done, as context.AfterFunc does; contexts derived from this one use
// it to learn of its end without a goroutine each.
func (c *deadlineCtx) AfterFunc(f func()) (stop func() bool) {
	return context.AfterFunc(c.standard(), f)
}

// String names the context, as the standard ones do.
func (c *deadlineCtx) String() string {
	if c.detached {
		return "cauri.detached"
	}
	return "cauri.bounded"
}

// standard returns the standard context c stands for, made on first use.
func (c *deadlineCtx) standard() context.Context {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.std == nil {
		parent := c.parent
		if c.detached {
			parent = context.WithoutCancel(parent)
		}
		c.std, c.stop = context.WithDeadline(parent, c.deadline)
		if c.canceled {
			c.stop()
		}
	}
	return c.std
}

// cancel ends the context, and releases its timer if it has one. Once
// the context is done (past its deadline, or its parent done) it changes
// nothing: it ended then.
func (c *deadlineCtx) cancel() {
	c.mu.Lock()
	stop := c.stop
	if stop == nil && time.Now().Before(c.deadline) && (c.detached || c.parent.Err() == nil) {
		c.canceled = true
	}
	c.mu.Unlock()
	if stop != nil {
		stop()
	}
}
