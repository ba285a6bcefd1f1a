package cauri

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"
)

// maxGroupCommit is the most OnPaid successes one write records.
const maxGroupCommit = 64

// completer records OnPaid successes. With a Store that is a
// BatchCompleter, successes that arrive while one write is under way
// queue, and the next write records them all: one of the waiting callers
// leads it, the others wait for its result. Each caller returns only once
// its own success is recorded (or failed to be), so a webhook's answer
// still follows a durable effect; an idle kit writes each at once.
type completer struct {
	store   Store
	batch   BatchCompleter // nil: each success is its own write
	history HistoryWriter  // nil: the events of a success are not the store's to write
	now     func() time.Time

	mu    sync.Mutex
	queue []*completion
	busy  bool // a leader is writing; it hands over to queue[0] when done

	// queued, when set (by tests), is called with the number of successes
	// waiting each time one queues behind a write under way.
	queued func(waiting int)
}

// completion is one caller's success waiting to be recorded.
type completion struct {
	Completion
	err     error
	written bool      // err is the write's result
	logged  bool      // the write appended the completion's events
	wake    chan bool // true: lead the next write; false: recorded, see err
}

func newCompleter(s Store, now func() time.Time) *completer {
	c := &completer{store: s, now: now}
	c.batch, _ = s.(BatchCompleter)
	c.history, _ = s.(HistoryWriter)
	return c
}

// complete records that owner's OnPaid for payment id succeeded, as
// Store.CompleteOnPaid does, with the same errors, and reports whether
// the write appended events (its outcome, with what else was recorded of
// the payment) to the payment's history: when it did not, they are the
// caller's to record.
func (c *completer) complete(ctx context.Context, id, owner string, events []Event) (logged bool, err error) {
	if c.history == nil {
		events = nil
	}
	if c.batch == nil && len(events) == 0 {
		return false, c.store.CompleteOnPaid(ctx, id, owner, c.now())
	}
	me := &completion{Completion: Completion{ID: id, Owner: owner, Events: events}, wake: make(chan bool, 1)}
	c.mu.Lock()
	c.queue = append(c.queue, me)
	lead := !c.busy
	c.busy = true
	waiting := len(c.queue)
	c.mu.Unlock()
	if !lead && c.queued != nil {
		c.queued(waiting)
	}
	if !lead && !<-me.wake {
		return me.logged, me.err
	}

	// Leading: me is first in the queue, and the write takes it with the
	// others waiting behind it.
	c.mu.Lock()
	n := min(len(c.queue), maxGroupCommit)
	batch := c.queue[:n:n]
	c.queue = c.queue[n:]
	c.mu.Unlock()

	defer c.handOver(me, batch) // even if the Store panics
	c.write(ctx, batch)
	return me.logged, me.err
}

// handOver ends a leader's turn: the first caller queued since leads the
// next write, and the others of batch learn their result. A batch whose
// write did not finish (the Store panicked) fails with errGroupCommit.
func (c *completer) handOver(leader *completion, batch []*completion) {
	for _, o := range batch {
		if !o.written {
			o.err = errGroupCommit
		}
	}
	c.mu.Lock()
	var next *completion
	if len(c.queue) > 0 {
		next = c.queue[0]
	} else {
		c.busy, c.queue = false, nil
	}
	c.mu.Unlock()
	if next != nil {
		next.wake <- true
	}
	for _, o := range batch {
		if o != leader {
			o.wake <- false
		}
	}
}

// errGroupCommit is the result of a success whose shared write was cut
// short.
var errGroupCommit = errors.New("cauri: the write recording OnPaid's success was interrupted")

// write records batch, setting each one's err.
func (c *completer) write(ctx context.Context, batch []*completion) {
	now := c.now()
	if c.history != nil && slices.ContainsFunc(batch, func(o *completion) bool { return len(o.Events) > 0 }) {
		done := make([]Completion, len(batch))
		for i, o := range batch {
			done[i] = o.Completion
		}
		if recorded, err := c.history.CompleteOnPaidEvents(ctx, done, now); err == nil && len(recorded) == len(batch) {
			for i, o := range batch {
				o.written, o.logged = recorded[i], recorded[i]
			}
		}
	} else if len(batch) > 1 && c.batch != nil {
		done := make([]Completion, len(batch))
		for i, o := range batch {
			done[i] = o.Completion
		}
		if n, err := c.batch.CompleteOnPaidBatch(ctx, done, now); err == nil && n == len(batch) {
			for _, o := range batch {
				o.written = true
			}
			return
		}
	}
	// One alone, or those a batch did not record: one write each, which
	// says why for those that fail (ErrFulfilled for those a batch
	// without events did record).
	for _, o := range batch {
		if !o.written {
			o.err, o.written = c.store.CompleteOnPaid(ctx, o.ID, o.Owner, now), true
		}
	}
}
