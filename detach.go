package cauri

import (
	"context"
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
func detach(ctx context.Context, bound time.Duration) (context.Context, context.CancelFunc) {
	d := time.Now().Add(bound)
	if pd, ok := ctx.Deadline(); ok && pd.After(d) {
		d = pd
	}
	return context.WithDeadline(context.WithoutCancel(ctx), d)
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
