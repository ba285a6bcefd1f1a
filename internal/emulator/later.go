package emulator

import (
	"context"
	"errors"
	"sync"
	"time"
)

// ErrNotWaiting is returned, wrapped, by an emulator's ConfirmLater for a
// payment whose customer did not choose to pay later, or whose phone
// already answered.
var ErrNotWaiting = errors.New("emulator: the payment is not waiting for its customer's phone")

// Later plays the customers' phones for the payments whose customer chose
// "pay later on my phone" ([providertest.PayLater]) on a hosted page: each
// such payment stays pending until its phone confirms it, which Later does
// when asked ([Later.Confirm], behind an emulator's ConfirmLater), or by
// itself a fixed delay after the choice when it has one (for demos: tests
// confirm explicitly, and never wait for a timer).
//
// The confirming itself is the emulator's: Later calls the settle
// function it was made with, which pays the payment, if it still waits,
// and notifies the shop. Later is safe for concurrent use; Close stops its
// timers and waits for the settlements it started.
type Later struct {
	delay  time.Duration
	settle func(ctx context.Context, ref string) error

	ctx    context.Context // cancelled by Close: settlements in flight end
	cancel context.CancelFunc
	wg     sync.WaitGroup // settlements started by a timer

	mu     sync.Mutex
	timers map[string]*time.Timer // by ref, while their delay runs
	closed bool
}

// NewLater returns a Later whose phones confirm by calling settle. A delay
// above zero makes each phone confirm by itself that long after
// [Later.Wait]; zero or less leaves it to [Later.Confirm].
func NewLater(delay time.Duration, settle func(ctx context.Context, ref string) error) *Later {
	l := &Later{delay: delay, settle: settle, timers: make(map[string]*time.Timer)}
	l.ctx, l.cancel = context.WithCancel(context.Background())
	return l
}

// Delay returns the delay after which a phone confirms by itself; zero when
// only Confirm does.
func (l *Later) Delay() time.Duration { return max(l.delay, 0) }

// Wait records that the payment ref waits for its customer's phone, and
// starts its delay when Later has one. The emulator has marked the payment
// as waiting before it calls Wait.
func (l *Later) Wait(ref string) {
	if l.delay <= 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return
	}
	if t, ok := l.timers[ref]; ok {
		t.Stop()
	}
	l.timers[ref] = time.AfterFunc(l.delay, func() { l.fire(ref) })
}

// fire is a delay running out: the phone confirms.
func (l *Later) fire(ref string) {
	l.mu.Lock()
	if l.closed || l.timers[ref] == nil {
		l.mu.Unlock()
		return
	}
	delete(l.timers, ref)
	l.wg.Add(1) // under mu, so Close cannot be waiting yet
	l.mu.Unlock()
	defer l.wg.Done()
	// Nobody waits for the answer: a payment already settled some other
	// way is no error worth reporting, and deliveries record their own.
	_ = l.settle(l.ctx, ref)
}

// Confirm plays the phone of payment ref confirming now: its delay, if any,
// is stopped, and the settle function's answer returned.
func (l *Later) Confirm(ctx context.Context, ref string) error {
	l.mu.Lock()
	if t, ok := l.timers[ref]; ok {
		t.Stop()
		delete(l.timers, ref)
	}
	l.mu.Unlock()
	return l.settle(ctx, ref)
}

// Pending returns how many delays are running.
func (l *Later) Pending() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.timers)
}

// Close stops every delay, cancels the settlements in flight and waits for
// them. The phones of payments still waiting never confirm by themselves
// after it; Confirm still calls the settle function.
func (l *Later) Close() {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return
	}
	l.closed = true
	for ref, t := range l.timers {
		t.Stop()
		delete(l.timers, ref)
	}
	l.mu.Unlock()
	l.cancel()
	l.wg.Wait()
}
