package loadharness

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cauripay/cauri/bench/internal/rig"
)

// Phase is what one load phase measured, client side, over loopback.
type Phase struct {
	Name     string
	Requests int // answered with the wanted status
	Errors   int // a transport error or another status than the wanted one
	Elapsed  time.Duration
	P50, P99 time.Duration
	Max      time.Duration
}

// RPS is the requests answered with the wanted status, per second.
func (p Phase) RPS() float64 {
	if p.Elapsed <= 0 {
		return 0
	}
	return float64(p.Requests) / p.Elapsed.Seconds()
}

// request is one request of a phase.
type request struct {
	method, path string
	body         []byte
	header       http.Header
}

// server serves h on a new 127.0.0.1 port until stop.
type server struct {
	url  string
	srv  *http.Server
	done chan error
}

func serve(h http.Handler) (*server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("loadharness: listen: %w", err)
	}
	s := &server{
		url:  "http://" + ln.Addr().String(),
		srv:  &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second},
		done: make(chan error, 1),
	}
	go func() { s.done <- s.srv.Serve(ln) }()
	return s, nil
}

func (s *server) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = s.srv.Shutdown(ctx)
	<-s.done
}

// newClient is a client keeping one connection per worker.
func newClient(concurrency int) *http.Client {
	return &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			MaxIdleConns:        concurrency,
			MaxIdleConnsPerHost: concurrency,
			MaxConnsPerHost:     concurrency,
			DisableCompression:  true,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// drive sends reqs to base from `concurrency` workers, each request once,
// until all are sent or d has passed, and measures the answers: want is
// the status each should get.
func drive(ctx context.Context, name string, client *http.Client, base string, reqs []request, concurrency int, d time.Duration, want int) Phase {
	p, _ := driveRaw(ctx, name, client, base, reqs, concurrency, d, want)
	return p
}

// driveRaw is drive, also returning the latencies of the requests answered
// as wanted.
func driveRaw(ctx context.Context, name string, client *http.Client, base string, reqs []request, concurrency int, d time.Duration, want int) (Phase, []time.Duration) {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	lat := make([]time.Duration, len(reqs))
	ok := make([]bool, len(reqs))
	var (
		next   atomic.Int64
		errs   atomic.Int64
		taken  atomic.Int64
		wg     sync.WaitGroup
		logMu  sync.Mutex
		sample error
	)
	start := time.Now()
	for range min(concurrency, len(reqs)) {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= len(reqs) {
					return
				}
				taken.Add(1)
				t0 := time.Now()
				code, err := do(client, base, reqs[i])
				lat[i] = time.Since(t0)
				if err == nil && code != want {
					err = fmt.Errorf("HTTP %d, want %d", code, want)
				}
				if err != nil {
					errs.Add(1)
					logMu.Lock()
					if sample == nil {
						sample = err
					}
					logMu.Unlock()
					continue
				}
				ok[i] = true
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	// Workers take indices in order, so those taken are 0..taken-1.
	var got []time.Duration
	for i := range int(taken.Load()) {
		if ok[i] {
			got = append(got, lat[i])
		}
	}
	p := Phase{Name: name, Requests: len(got), Errors: int(errs.Load()), Elapsed: elapsed}
	p.P50, p.P99, p.Max = percentiles(got)
	if sample != nil {
		p.Name += fmt.Sprintf(" (first error: %v)", sample)
	}
	return p, got
}

// merge adds up phases run one after another: their requests, errors and
// elapsed times, and the percentiles of all their latencies.
func merge(name string, ps []Phase, lats [][]time.Duration) Phase {
	out := Phase{Name: name}
	var all []time.Duration
	for i, p := range ps {
		out.Requests += p.Requests
		out.Errors += p.Errors
		out.Elapsed += p.Elapsed
		all = append(all, lats[i]...)
		if p.Errors > 0 && out.Name == name {
			out.Name = p.Name
		}
	}
	out.P50, out.P99, out.Max = percentiles(all)
	return out
}

// do sends one request with a context of its own, bounded by the client's
// timeout, so that the phase's deadline never cuts a request in flight.
func do(client *http.Client, base string, r request) (int, error) {
	req, err := http.NewRequestWithContext(context.Background(), r.method, base+r.path, bytes.NewReader(r.body))
	if err != nil {
		return 0, err
	}
	for k, v := range r.header {
		req.Header[k] = v
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	return resp.StatusCode, nil
}

// percentiles returns the 50th and 99th percentiles and the maximum, by
// the nearest-rank method.
func percentiles(d []time.Duration) (p50, p99, maxd time.Duration) {
	if len(d) == 0 {
		return 0, 0, 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	rank := func(p int) time.Duration {
		i := (len(s)*p + 99) / 100 // ceil(len*p/100)
		return s[max(i, 1)-1]
	}
	return rank(50), rank(99), s[len(s)-1]
}

// webhookRequests turns notifications into requests to path.
func webhookRequests(ns []rig.Notification, path string) []request {
	out := make([]request, len(ns))
	for i, n := range ns {
		out[i] = request{method: http.MethodPost, path: path, body: n.Body, header: n.Header}
	}
	return out
}

// checkoutRequests are n checkout requests for distinct orders, asking for
// JSON.
func checkoutRequests(tag string, n int) []request {
	out := make([]request, n)
	h := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "Accept": {"application/json"}}
	for i := range out {
		out[i] = request{method: http.MethodPost, path: rig.Prefix + "/checkout/moneroo", body: fmt.Appendf(nil, "order=%s-%d", tag, i), header: h}
	}
	return out
}

// timing measures the time a handler takes to serve each request, server
// side: the kit's own part of a latency, without the client, the loopback
// or the HTTP server's connection handling.
type timing struct {
	h   http.Handler
	mu  sync.Mutex
	lat []time.Duration
}

// ServeHTTP serves r with the wrapped handler and records how long it took.
func (t *timing) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	t0 := time.Now()
	t.h.ServeHTTP(w, r)
	d := time.Since(t0)
	t.mu.Lock()
	t.lat = append(t.lat, d)
	t.mu.Unlock()
}

// take returns the latencies recorded since the last take.
func (t *timing) take() []time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := t.lat
	t.lat = nil
	return out
}
