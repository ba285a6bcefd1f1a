// Package secretcheck holds the tests provider packages share to show
// that a provider reference which is also the path of the provider's
// hosted page (a bearer secret) appears in none of their errors and logs,
// however a status call fails.
package secretcheck

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cauripay/cauri/providers/providertest"
)

// Logs collects log output written from several goroutines: give it to
// slog.NewTextHandler.
type Logs struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write implements io.Writer.
func (l *Logs) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// String returns what was written.
func (l *Logs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Absent fails t when secret is in text, which came from where ("the
// error", "the logs").
func Absent(t testing.TB, where, text, secret string) {
	t.Helper()
	if secret == "" {
		t.Fatal("secretcheck: no secret to look for")
	}
	if strings.Contains(text, secret) {
		t.Errorf("the reference %q is in %s: %s", secret, where, text)
	}
}

// Fetch asks a provider for the status of the payment whose reference is
// ref, and returns the error.
type Fetch func(ctx context.Context, ref string) error

// EmulatorFailures makes fetch fail against its emulator em in every way
// an emulator can make a status call fail (5xx, an unknown reference,
// dropped connections, a timeout, a cancelled call), and checks that ref
// is in none of the errors.
func EmulatorFailures(t *testing.T, em providertest.Emulator, ref string, fetch Fetch) {
	t.Helper()
	tests := []struct {
		name  string
		fault *providertest.Fault
		ref   string
		ctx   func() (context.Context, context.CancelFunc)
	}{
		{name: "500", fault: &providertest.Fault{Kind: providertest.FaultStatus, Status: 500}},
		{name: "503 with Retry-After", fault: &providertest.Fault{Kind: providertest.FaultStatus, Status: 503, RetryAfter: time.Second}},
		{name: "unknown reference", ref: ref + "x"},
		// net/http sends a GET again once on a fresh connection.
		{name: "dropped connection", fault: &providertest.Fault{Kind: providertest.FaultDrop, Times: 3}},
		{name: "timeout", fault: &providertest.Fault{Kind: providertest.FaultSlow, Delay: 5 * time.Second},
			ctx: func() (context.Context, context.CancelFunc) {
				return context.WithTimeout(context.Background(), 50*time.Millisecond)
			}},
		{name: "cancelled", ctx: func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx, cancel
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.ref
			if r == "" {
				r = ref
			}
			if tt.fault != nil {
				em.InjectFault(providertest.OpStatus, *tt.fault)
				defer em.InjectFault(providertest.OpStatus, providertest.Fault{Times: -1})
			}
			ctx, cancel := context.WithCancel(context.Background())
			if tt.ctx != nil {
				ctx, cancel = tt.ctx()
			}
			defer cancel()
			err := fetch(ctx, r)
			if err == nil {
				t.Fatal("no error")
			}
			Absent(t, "the error", err.Error(), ref)
			Absent(t, "the error", err.Error(), r)
		})
	}
}

// Answer is what a fake provider answers to every request. In Body,
// "PATH" becomes the request's path, which holds the reference.
type Answer struct {
	Name   string
	Status int
	Type   string // Content-Type; empty means application/json
	Body   string
}

// ServerFailures makes the status call fail against fake servers: one
// answering each of answers, one that refuses connections, one that
// redirects to a Location it cannot parse, and one whose answer is too
// long. at returns the Fetch of a provider whose API is at baseURL (a
// server's root). It checks that ref is in none of the errors.
func ServerFailures(t *testing.T, ref string, at func(t *testing.T, baseURL string) Fetch, answers ...Answer) {
	t.Helper()
	serve := func(t *testing.T, h http.HandlerFunc) string {
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		return srv.URL
	}
	answers = append(answers, Answer{Name: "answer too long", Status: 200, Body: `{"x":"` + strings.Repeat("x", 2<<20) + `"}`})
	for _, a := range answers {
		t.Run(a.Name, func(t *testing.T) {
			base := serve(t, func(w http.ResponseWriter, r *http.Request) {
				ctype := a.Type
				if ctype == "" {
					ctype = "application/json"
				}
				w.Header().Set("Content-Type", ctype)
				w.WriteHeader(a.Status)
				_, _ = io.WriteString(w, strings.ReplaceAll(a.Body, "PATH", r.URL.Path))
			})
			check(t, at(t, base), ref)
		})
	}
	t.Run("connection refused", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		srv.Close()
		check(t, at(t, srv.URL), ref)
	})
	t.Run("bad redirect", func(t *testing.T) {
		base := serve(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Location", r.URL.Path+"/%zz")
			w.WriteHeader(http.StatusFound)
		})
		check(t, at(t, base), ref)
	})
}

func check(t *testing.T, fetch Fetch, ref string) {
	t.Helper()
	err := fetch(context.Background(), ref)
	if err == nil {
		t.Fatal("no error")
	}
	Absent(t, "the error", err.Error(), ref)
}
