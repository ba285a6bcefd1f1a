package cauri

import (
	"context"
	"errors"
	"testing"
	"time"
)

type detachKey struct{}

// TestDetach checks detach's context against what
// context.WithDeadline(context.WithoutCancel(ctx), …) does: values kept,
// the caller's cancellation not, its own deadline and cancel, whether or
// not anything waited on it first.
func TestDetach(t *testing.T) {
	done := func(ctx context.Context) bool {
		select {
		case <-ctx.Done():
			return true
		default:
			return false
		}
	}
	tests := []struct {
		name      string
		bound     time.Duration
		waitFirst bool // call Done before the step
		step      func(ctx context.Context, cancel context.CancelFunc)
		wantErr   error
	}{
		{"running", time.Hour, false, func(context.Context, context.CancelFunc) {}, nil},
		{"running, waited on", time.Hour, true, func(context.Context, context.CancelFunc) {}, nil},
		{"cancelled", time.Hour, false, func(_ context.Context, cancel context.CancelFunc) { cancel() }, context.Canceled},
		{"cancelled, waited on", time.Hour, true, func(_ context.Context, cancel context.CancelFunc) { cancel() }, context.Canceled},
		{"past its deadline", -time.Second, false, func(context.Context, context.CancelFunc) {}, context.DeadlineExceeded},
		{"past its deadline, waited on", -time.Second, true, func(context.Context, context.CancelFunc) {}, context.DeadlineExceeded},
		{"cancelled past its deadline", -time.Second, false, func(_ context.Context, cancel context.CancelFunc) { cancel() }, context.DeadlineExceeded},
		{"detached again, then cancelled", time.Hour, false, func(ctx context.Context, cancel context.CancelFunc) {
			inner, cancelInner := detach(ctx, time.Hour)
			cancelInner()
			if inner.Err() == nil || ctx.Err() != nil {
				t.Errorf("the inner one's cancel: inner %v, outer %v", inner.Err(), ctx.Err())
			}
			cancel()
		}, context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parent, cancelParent := context.WithCancel(context.WithValue(context.Background(), detachKey{}, "v"))
			ctx, cancel := detach(parent, tt.bound)
			defer cancel()
			cancelParent() // never reaches ctx
			if got := ctx.Value(detachKey{}); got != "v" {
				t.Errorf("Value = %v, want the caller's", got)
			}
			if d, ok := ctx.Deadline(); !ok || d.After(time.Now().Add(tt.bound)) {
				t.Errorf("Deadline = %v, %v; want one within %v", d, ok, tt.bound)
			}
			if tt.waitFirst {
				_ = ctx.Done()
			}
			tt.step(ctx, cancel)
			if err := ctx.Err(); !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Errorf("Err = %v, want %v", err, tt.wantErr)
			}
			if got := context.Cause(ctx); got != ctx.Err() {
				t.Errorf("Cause = %v, want Err's %v", got, ctx.Err())
			}
			if done(ctx) != (tt.wantErr != nil) {
				t.Errorf("Done closed: %v, want %v", done(ctx), tt.wantErr != nil)
			}
			// A context derived from it ends with it.
			child, cancelChild := context.WithCancel(ctx)
			defer cancelChild()
			cancel()
			<-child.Done()
			if ctx.Err() == nil || !done(ctx) {
				t.Errorf("after cancel: Err %v, Done closed %v", ctx.Err(), done(ctx))
			}
		})
	}
}

// TestDetachDeadline checks a detached context's deadline: bound from
// now, or the caller's when later; detaching it again keeps the later.
func TestDetachDeadline(t *testing.T) {
	far := time.Now().Add(time.Hour)
	parent, cancel := context.WithDeadline(context.Background(), far)
	defer cancel()
	tests := []struct {
		name  string
		ctx   context.Context
		bound time.Duration
		want  func(time.Time) bool
	}{
		{"the caller's, later", parent, time.Minute, func(d time.Time) bool { return d.Equal(far) }},
		{"bound from now, later", parent, 2 * time.Hour, func(d time.Time) bool { return d.After(far) }},
		{"no caller deadline", context.Background(), time.Minute, func(d time.Time) bool {
			return d.After(time.Now()) && !d.After(time.Now().Add(time.Minute))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := detach(tt.ctx, tt.bound)
			defer cancel()
			d, ok := ctx.Deadline()
			if !ok || !tt.want(d) {
				t.Fatalf("Deadline = %v, %v", d, ok)
			}
			again, cancelAgain := detach(ctx, time.Second)
			defer cancelAgain()
			if d2, _ := again.Deadline(); !d2.Equal(d) {
				t.Errorf("detached again: Deadline = %v, want %v", d2, d)
			}
		})
	}
}

// TestBounded checks bounded's context against what context.WithTimeout
// does: values kept, the caller's cancellation (and its cause) too, its
// own deadline and cancel, whether or not anything waited on it first.
func TestBounded(t *testing.T) {
	gone := errors.New("client gone")
	tests := []struct {
		name      string
		bound     time.Duration
		waitFirst bool
		step      func(cancelParent context.CancelCauseFunc, cancel context.CancelFunc)
		wantErr   error
		wantCause error
	}{
		{"running", time.Hour, false, func(context.CancelCauseFunc, context.CancelFunc) {}, nil, nil},
		{"running, waited on", time.Hour, true, func(context.CancelCauseFunc, context.CancelFunc) {}, nil, nil},
		{"caller gone", time.Hour, false, func(p context.CancelCauseFunc, _ context.CancelFunc) { p(gone) }, context.Canceled, gone},
		{"caller gone, waited on", time.Hour, true, func(p context.CancelCauseFunc, _ context.CancelFunc) { p(gone) }, context.Canceled, gone},
		{"cancelled", time.Hour, false, func(_ context.CancelCauseFunc, c context.CancelFunc) { c() }, context.Canceled, context.Canceled},
		{"cancelled, waited on", time.Hour, true, func(_ context.CancelCauseFunc, c context.CancelFunc) { c() }, context.Canceled, context.Canceled},
		{"past its deadline", -time.Second, false, func(context.CancelCauseFunc, context.CancelFunc) {}, context.DeadlineExceeded, context.DeadlineExceeded},
		{"past its deadline, then the caller gone", -time.Second, false, func(p context.CancelCauseFunc, _ context.CancelFunc) { p(gone) }, context.DeadlineExceeded, context.DeadlineExceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parent, cancelParent := context.WithCancelCause(context.WithValue(context.Background(), detachKey{}, "v"))
			defer cancelParent(nil)
			ctx, cancel := bounded(parent, tt.bound)
			defer cancel()
			if got := ctx.Value(detachKey{}); got != "v" {
				t.Errorf("Value = %v, want the caller's", got)
			}
			if tt.waitFirst {
				_ = ctx.Done()
			}
			if tt.bound < 0 {
				_ = ctx.Err() // the deadline passed first
			}
			tt.step(cancelParent, cancel)
			if err := ctx.Err(); err != tt.wantErr {
				t.Errorf("Err = %v, want %v", err, tt.wantErr)
			}
			if got := context.Cause(ctx); got != tt.wantCause {
				t.Errorf("Cause = %v, want %v", got, tt.wantCause)
			}
			select {
			case <-ctx.Done():
				if tt.wantErr == nil {
					t.Error("Done closed while running")
				}
			default:
				if tt.wantErr != nil {
					t.Error("Done open once done")
				}
			}
			child, cancelChild := context.WithCancel(ctx)
			defer cancelChild()
			cancelParent(gone)
			<-child.Done()
		})
	}
}
