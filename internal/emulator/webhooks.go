package emulator

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/cauripay/cauri/providers/providertest"
)

// ErrClosed is returned by a Dispatcher that was closed.
var ErrClosed = errors.New("emulator: closed")

// Notification is one webhook a provider sends: a POST of Body with Header
// to URL.
type Notification struct {
	// URL is the receiver's.
	URL string
	// Header is sent as is (the signature goes here); Content-Type
	// defaults to application/json, User-Agent to the dispatcher's Agent.
	Header http.Header
	// Body is sent as is.
	Body []byte
}

// SignedHeader is a notification's header with sign(secret, body) in the
// header name, or nil, an unsigned notification's, when secret is "".
func SignedHeader(name, secret string, body []byte, sign func(secret string, body []byte) string) http.Header {
	if secret == "" {
		return nil
	}
	h := http.Header{}
	h.Set(name, sign(secret, body))
	return h
}

// ForgedSecret is the secret a forger signs with: a wrong one, or "" (no
// signature) for an emulator that has none.
func ForgedSecret(secret string) string {
	if secret == "" {
		return ""
	}
	return "forged-" + RandomHex(8)
}

// DispatcherConfig tunes a Dispatcher. The zero value means the defaults
// below.
type DispatcherConfig struct {
	// Client sends the notifications. Nil means a client with Timeout as
	// its timeout that does not follow redirects (a 3xx is a failure, as
	// providers count it).
	Client *http.Client
	// Timeout is how long a receiver has to answer. Zero means 3s.
	Timeout time.Duration
	// Retries is how many times a copy the receiver did not acknowledge
	// with a 2xx is sent again. Zero means 3; a negative value means none.
	Retries int
	// RetryDelay is the wait between two tries. Zero means 20ms (real
	// providers wait minutes).
	RetryDelay time.Duration
	// Agent is the User-Agent of notifications that set none: the
	// provider's sender, "Moneroo-Webhooks/1.0 (emulator)".
	Agent string
}

// Dispatcher delivers an emulator's webhooks as its [providertest.WebhookPolicy]
// says and records every delivery. It is safe for concurrent use; Close
// stops it and waits for its goroutines.
type Dispatcher struct {
	agent   string
	client  *http.Client
	retries int
	delay   time.Duration

	ctx    context.Context // cancelled by Close
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex
	policy  providertest.WebhookPolicy
	held    []held
	log     []providertest.Delivery
	closed  bool
	flushMu sync.Mutex // one Flush at a time, so held ones go in order
}

type held struct {
	n      Notification
	copies int
}

// NewDispatcher returns a Dispatcher with cfg.
func NewDispatcher(cfg DispatcherConfig) *Dispatcher {
	d := &Dispatcher{agent: cfg.Agent, client: cfg.Client, retries: cfg.Retries, delay: cfg.RetryDelay}
	if d.client == nil {
		timeout := cfg.Timeout
		if timeout <= 0 {
			timeout = 3 * time.Second
		}
		d.client = NoRedirectClient(timeout)
	}
	switch {
	case d.retries == 0:
		d.retries = 3
	case d.retries < 0:
		d.retries = 0
	}
	if d.delay <= 0 {
		d.delay = 20 * time.Millisecond
	}
	d.ctx, d.cancel = context.WithCancel(context.Background())
	return d
}

// SetPolicy changes how later notifications are delivered.
func (d *Dispatcher) SetPolicy(p providertest.WebhookPolicy) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.policy = p
}

// Policy returns the current policy.
func (d *Dispatcher) Policy() providertest.WebhookPolicy {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.policy
}

// Deliver sends n as the current policy says: dropped when Lost (and
// recorded as lost), queued for Flush when Hold, and otherwise sent in
// Copies concurrent copies, each retried while the receiver does not answer
// 2xx. Unless held or lost, it returns once every copy was acknowledged or
// ran out of tries. A receiver's failure is recorded, not returned: the
// error is only ctx's, or ErrClosed.
func (d *Dispatcher) Deliver(ctx context.Context, n Notification) error {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return ErrClosed
	}
	p := d.policy
	copies := max(p.Copies, 1)
	switch {
	case p.Lost:
		d.log = append(d.log, providertest.Delivery{URL: n.URL, Header: n.Header.Clone(), Body: bytes.Clone(n.Body), Lost: true, At: time.Now()})
		d.mu.Unlock()
		return nil
	case p.Hold:
		d.held = append(d.held, held{n: n, copies: copies})
		d.mu.Unlock()
		return nil
	}
	d.wg.Add(copies) // under mu, so Close cannot be waiting yet
	d.mu.Unlock()
	return d.send(ctx, n, copies)
}

// Flush delivers the held notifications in the order they were held, each
// with its copies, waiting for each before the next. It returns ctx's error
// if ctx ends first (the rest stay held), or ErrClosed.
func (d *Dispatcher) Flush(ctx context.Context) error {
	d.flushMu.Lock()
	defer d.flushMu.Unlock()
	for {
		d.mu.Lock()
		if d.closed {
			d.mu.Unlock()
			return ErrClosed
		}
		if len(d.held) == 0 {
			d.mu.Unlock()
			return nil
		}
		h := d.held[0]
		d.held = d.held[1:]
		d.wg.Add(h.copies)
		d.mu.Unlock()
		if err := d.send(ctx, h.n, h.copies); err != nil {
			return err
		}
	}
}

// Held returns how many notifications wait for Flush.
func (d *Dispatcher) Held() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.held)
}

// SendOnce posts n once, whatever the policy, with no retry, records it as
// forged and returns the receiver's status.
func (d *Dispatcher) SendOnce(ctx context.Context, n Notification) (int, error) {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return 0, ErrClosed
	}
	d.wg.Add(1)
	d.mu.Unlock()
	defer d.wg.Done()
	ctx, stop := d.merge(ctx)
	defer stop()
	rec := d.post(ctx, n)
	rec.Copy, rec.Attempt, rec.Forged = 1, 1, true
	d.record(rec)
	return rec.StatusCode, rec.Err
}

// send delivers copies copies of n concurrently; the caller has added them
// to wg.
func (d *Dispatcher) send(ctx context.Context, n Notification, copies int) error {
	ctx, stop := d.merge(ctx)
	defer stop()
	var wg sync.WaitGroup
	for c := 1; c <= copies; c++ {
		wg.Add(1)
		go func() {
			defer d.wg.Done()
			defer wg.Done()
			d.sendCopy(ctx, n, c)
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		if d.ctx.Err() != nil {
			return ErrClosed
		}
		return err
	}
	return nil
}

// sendCopy sends one copy, retrying while it is not acknowledged.
func (d *Dispatcher) sendCopy(ctx context.Context, n Notification, copyNo int) {
	for attempt := 1; attempt <= d.retries+1; attempt++ {
		if attempt > 1 {
			t := time.NewTimer(d.delay)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
		}
		rec := d.post(ctx, n)
		rec.Copy, rec.Attempt = copyNo, attempt
		d.record(rec)
		if rec.OK() || ctx.Err() != nil {
			return
		}
	}
}

// post makes one HTTP POST of n.
func (d *Dispatcher) post(ctx context.Context, n Notification) providertest.Delivery {
	h := n.Header.Clone()
	if h == nil {
		h = http.Header{}
	}
	if h.Get("Content-Type") == "" {
		h.Set("Content-Type", "application/json")
	}
	if h.Get("User-Agent") == "" && d.agent != "" {
		h.Set("User-Agent", d.agent)
	}
	rec := providertest.Delivery{URL: n.URL, Header: h.Clone(), Body: bytes.Clone(n.Body), At: time.Now()}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, n.URL, bytes.NewReader(n.Body))
	if err != nil {
		rec.Err = err
		return rec
	}
	req.Header = h
	res, err := d.client.Do(req)
	if err != nil {
		rec.Err = err
		return rec
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	_ = res.Body.Close()
	rec.StatusCode = res.StatusCode
	return rec
}

func (d *Dispatcher) record(rec providertest.Delivery) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.log = append(d.log, rec)
}

// merge returns a context that ends with ctx or with the dispatcher.
func (d *Dispatcher) merge(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(d.ctx, cancel)
	return ctx, func() { stop(); cancel() }
}

// Deliveries returns every delivery so far, in the order they were made
// (lost ones included).
func (d *Dispatcher) Deliveries() []providertest.Delivery {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]providertest.Delivery, len(d.log))
	copy(out, d.log)
	return out
}

// Close cancels deliveries in flight, drops held ones and waits for every
// goroutine the dispatcher started. Later calls fail with ErrClosed.
func (d *Dispatcher) Close() {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return
	}
	d.closed = true
	d.held = nil
	d.mu.Unlock()
	d.cancel()
	d.wg.Wait()
}
