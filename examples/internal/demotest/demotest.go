// Package demotest is what the example shops' tests share: a logger
// whose output a failing test shows, a shop served on loopback at the URL it was
// built for, requests that do not follow redirects, and the check that a
// shop's run starts and stops.
//
// It is part of the examples' tests, to read, not to import.
package demotest

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cauripay/cauri/examples/internal/demo"
	"github.com/cauripay/cauri/internal/secretcheck"
)

// Logger returns a debug-level text logger and the buffer it writes to,
// which t logs if it fails.
func Logger(t testing.TB) (*slog.Logger, *secretcheck.Logs) {
	t.Helper()
	logs := &secretcheck.Logs{}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("logs:\n%s", logs)
		}
	})
	return slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})), logs
}

// Serve starts an httptest server with the handler build returns for the
// server's URL, the shop's PUBLIC_URL, known before the server starts:
// the kit and the emulators' notifications need it. The server closes
// when t ends, before whatever build's cleanups close.
func Serve(t testing.TB, build func(publicURL string) (http.Handler, error)) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	h, err := build("http://" + srv.Listener.Addr().String())
	if err != nil {
		srv.Close()
		t.Fatal(err)
	}
	srv.Config.Handler = h
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

// Answer is what [Do] and [Fetch] return of a response.
type Answer struct {
	Code     int
	Location string
	Header   http.Header
	Body     string
}

// NoRedirects is a client that does not follow redirects, so that a test
// sees where the shop sends the customer.
func NoRedirects() *http.Client {
	return &http.Client{
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Fetch sends req without following redirects and returns the answer.
func Fetch(t testing.TB, req *http.Request) Answer {
	t.Helper()
	res, err := NoRedirects().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return Answer{res.StatusCode, res.Header.Get("Location"), res.Header, string(b)}
}

// Do sends a request to rawURL, on base when it starts with /, with form
// as its body unless form is nil, and returns the answer without
// following redirects.
func Do(t testing.TB, base, method, rawURL string, form url.Values) Answer {
	t.Helper()
	return Fetch(t, Request(t, base, method, rawURL, form))
}

// Request is the request [Do] sends, for a test to add headers to before
// it fetches it.
func Request(t testing.TB, base, method, rawURL string, form url.Values) *http.Request {
	t.Helper()
	if strings.HasPrefix(rawURL, "/") {
		rawURL = base + rawURL
	}
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(t.Context(), method, rawURL, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return req
}

// Run is an example's run: it serves the shop with the environment
// getenv reads until ctx is cancelled, and prints the address to open on
// stdout.
type Run func(ctx context.Context, getenv func(string) string, stdout io.Writer) error

// RunStartsAndStops runs run on a free loopback port, checks its first
// line against startLine, whose first group is the shop's URL, and that
// each of paths answers 200 there; then it cancels run's context and
// checks that run returns without an error and that the server is gone.
func RunStartsAndStops(t *testing.T, run Run, startLine *regexp.Regexp, paths ...string) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	env := map[string]string{"ADDR": "127.0.0.1:0"}
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, func(k string) string { return env[k] }, pw)
		_ = pw.Close()
	}()

	lines := bufio.NewReader(pr)
	line, err := lines.ReadString('\n')
	if err != nil {
		t.Fatalf("reading run's first line: %v (run: %v)", err, <-done)
	}
	go func() { _, _ = io.Copy(io.Discard, lines) }()
	m := startLine.FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("first line %q", line)
	}
	client := &http.Client{Timeout: 10 * time.Second}
	for _, path := range paths {
		res, err := client.Get(m[1] + path)
		if err != nil {
			t.Fatal(err)
		}
		_ = res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d", path, res.StatusCode)
		}
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run after cancel: %v", err)
		}
	case <-time.After(demo.ShutdownTimeout + 5*time.Second):
		t.Fatal("run did not return after its context was cancelled")
	}
	if _, err := client.Get(m[1] + "/"); err == nil {
		t.Error("the server still answers after run returned")
	}
}
