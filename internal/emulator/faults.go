package emulator

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"time"

	"github.com/cauripay/cauri/providers/providertest"
)

// ErrorBody writes a provider's own error answer for an injected HTTP
// status: it returns the Content-Type and body to send.
type ErrorBody func(status int) (contentType string, body []byte)

// Refusal is a provider's code and message for an error status.
type Refusal struct{ Code, Message string }

// Refusals are a provider's words for error statuses, by status; the row
// of status 0 holds its words for any other status.
type Refusals map[int]Refusal

// Body returns the ErrorBody that answers body(status, words) as JSON of
// Content-Type ctype: the words of the status's row, its code else row
// 0's, its message else the status's text else row 0's.
func (rs Refusals) Body(ctype string, body func(status int, words Refusal) any) ErrorBody {
	return func(status int) (string, []byte) {
		r, def := rs[status], rs[0]
		r.Code = cmp.Or(r.Code, def.Code)
		r.Message = cmp.Or(r.Message, http.StatusText(status), def.Message)
		b, _ := json.Marshal(body(status, r)) // a provider's error shape always marshals
		return ctype, b
	}
}

// Faults queues injected failures per operation and plays them on the
// emulator's API handlers. The zero value is not usable: call [NewFaults].
// It is safe for concurrent use.
type Faults struct {
	body ErrorBody
	done chan struct{} // closed by Close: slow answers stop waiting

	mu     sync.Mutex
	queue  map[providertest.Op][]*queued
	closed bool
	// held counts the requests a FaultSlow has held so far, answered
	// those of them Wrap's handler has answered; changed is closed and
	// replaced whenever either grows.
	held, answered int
	changed        chan struct{}
}

type queued struct {
	f    providertest.Fault
	left int
}

// NewFaults returns an injector whose FaultStatus answers carry the body
// that body writes. A nil body sends an empty JSON object.
func NewFaults(body ErrorBody) *Faults {
	if body == nil {
		body = func(int) (string, []byte) { return "application/json", []byte("{}") }
	}
	return &Faults{body: body, done: make(chan struct{}), queue: make(map[providertest.Op][]*queued), changed: make(chan struct{})}
}

// Inject queues f for the next f.Times calls to op (one call when Times is
// 0); a negative Times clears op's queue instead. Faults for one op are played in the order injected. A fault injected
// for providertest.OpAny is played on any operation that has no fault of
// its own queued.
func (fs *Faults) Inject(op providertest.Op, f providertest.Fault) {
	n := max(f.Times, 1)
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if f.Times < 0 {
		delete(fs.queue, op)
		return
	}
	fs.queue[op] = append(fs.queue[op], &queued{f: f, left: n})
}

// Take removes one use of the next fault queued for op, or for OpAny, and
// returns it.
func (fs *Faults) Take(op providertest.Op) (providertest.Fault, bool) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if fs.closed {
		return providertest.Fault{}, false
	}
	for _, o := range []providertest.Op{op, providertest.OpAny} {
		q := fs.queue[o]
		if len(q) == 0 {
			continue
		}
		f := q[0].f
		if q[0].left--; q[0].left <= 0 {
			fs.queue[o] = q[1:]
		}
		return f, true
	}
	return providertest.Fault{}, false
}

// Pending reports how many faulty calls are still queued for op (OpAny's
// not included).
func (fs *Faults) Pending(op providertest.Op) int {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	n := 0
	for _, q := range fs.queue[op] {
		n += q.left
	}
	return n
}

// Intercept plays the next fault for op on one request, if any. It reports
// whether the request was answered (FaultStatus) or dropped (FaultDrop,
// and FaultLost, there being no handler to run here), in which case the
// handler must stop. A FaultSlow waits for its Delay, the request's end or
// Close, and then reports false: the handler answers normally (to nobody,
// if the client gave up). Prefer [Faults.Wrap], which also counts the slow
// answers' ends for [Faults.AwaitAnswered].
func (fs *Faults) Intercept(w http.ResponseWriter, r *http.Request, op providertest.Op) bool {
	stop, _ := fs.intercept(w, r, op)
	return stop
}

// intercept is Intercept, also reporting whether a FaultSlow held the
// request.
func (fs *Faults) intercept(w http.ResponseWriter, r *http.Request, op providertest.Op) (stop, slow bool) {
	f, ok := fs.Take(op)
	if !ok {
		return false, false
	}
	return fs.play(w, r, f)
}

// play plays f on one request, as intercept says.
func (fs *Faults) play(w http.ResponseWriter, r *http.Request, f providertest.Fault) (stop, slow bool) {
	switch f.Kind {
	case providertest.FaultStatus:
		code := f.Status
		if code == 0 {
			code = http.StatusInternalServerError
		}
		if f.RetryAfter > 0 {
			secs := int64((f.RetryAfter + time.Second - 1) / time.Second)
			w.Header().Set("Retry-After", strconv.FormatInt(secs, 10))
		}
		ctype, body := fs.body(code)
		if ctype != "" {
			w.Header().Set("Content-Type", ctype)
		}
		w.WriteHeader(code)
		_, _ = w.Write(body)
		return true, false
	case providertest.FaultSlow:
		// Read the body first: net/http notices a client hanging up
		// only once the body is read, and ends the request's context.
		// The handler reads the same bytes after the wait.
		if body, err := io.ReadAll(r.Body); err == nil {
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		fs.count(&fs.held)
		fs.sleep(r.Context(), f.Delay)
		return false, true
	case providertest.FaultDrop, providertest.FaultLost:
		Drop(w)
		return true, false
	}
	return false, false
}

// Wrap returns h with op's faults played before it. A FaultLost lets h
// handle the request in full, throws its answer away and drops the
// connection.
func (fs *Faults) Wrap(op providertest.Op, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, ok := fs.Take(op)
		if ok && f.Kind == providertest.FaultLost {
			h.ServeHTTP(httptest.NewRecorder(), r)
			Drop(w)
			return
		}
		var stop, slow bool
		if ok {
			stop, slow = fs.play(w, r, f)
		}
		if stop {
			return
		}
		if slow {
			defer fs.count(&fs.answered) // also when h aborts the answer
		}
		h.ServeHTTP(w, r)
	})
}

// count adds one to n, one of the slow answers' counters, and wakes the
// Await calls.
func (fs *Faults) count(n *int) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	*n++
	close(fs.changed)
	fs.changed = make(chan struct{})
}

// AwaitHeld waits until FaultSlow faults have held n requests in all,
// counting from the injector's start, or until ctx ends. A test uses it to
// act (cancel the client, close the emulator) while a request is held.
func (fs *Faults) AwaitHeld(ctx context.Context, n int) error {
	return fs.await(ctx, "held", &fs.held, n)
}

// AwaitAnswered waits until n requests in all that a FaultSlow held have
// been answered by the handler Wrap wraps (to nobody, when the client gave
// up), or until ctx ends: what the emulator does with a request whose
// answer was lost is then done.
func (fs *Faults) AwaitAnswered(ctx context.Context, n int) error {
	return fs.await(ctx, "answered after their wait", &fs.answered, n)
}

func (fs *Faults) await(ctx context.Context, what string, counter *int, n int) error {
	for {
		fs.mu.Lock()
		got, changed := *counter, fs.changed
		fs.mu.Unlock()
		if got >= n {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return fmt.Errorf("emulator: %d of %d slow answers %s: %w", got, n, what, ctx.Err())
		}
	}
}

// sleep waits d, or until ctx ends or the injector is closed.
func (fs *Faults) sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	case <-fs.done:
	}
}

// Close drops every queued fault and ends the waits of slow answers, so the
// server can shut down at once. Later calls play nothing.
func (fs *Faults) Close() {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if fs.closed {
		return
	}
	fs.closed = true
	fs.queue = nil
	close(fs.done)
}

// Drop closes the client's connection without an answer. Where the
// connection cannot be hijacked (HTTP/2), it aborts the handler with
// http.ErrAbortHandler instead, which resets the stream.
func Drop(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}
