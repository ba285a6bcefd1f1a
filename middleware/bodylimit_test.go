package middleware

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// readAll is a handler that reads the whole body and answers its length, or
// 413 when the body is over the MaxBytesReader limit.
func readAll(called *atomic.Bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		called.Store(true)
		b, err := io.ReadAll(r.Body)
		var tooLarge *http.MaxBytesError
		switch {
		case errors.As(err, &tooLarge):
			http.Error(w, fmt.Sprintf("over %d", tooLarge.Limit), http.StatusRequestEntityTooLarge)
		case err != nil:
			http.Error(w, err.Error(), http.StatusBadRequest)
		default:
			fmt.Fprintf(w, "read %d", len(b))
		}
	})
}

func TestBodyLimit(t *testing.T) {
	const limit = 10
	tests := []struct {
		name          string
		body          string
		contentLength int64 // as sent; -1 for unknown (chunked)
		wantCode      int
		wantBody      string
		wantCalled    bool
	}{
		{"under", "12345", 5, 200, "read 5", true},
		{"exactly", "1234567890", 10, 200, "read 10", true},
		{"content-length over: 413 before next", "12345678901", 11, 413, "request body too large\n", false},
		{"content-length huge", "x", 1 << 40, 413, "request body too large\n", false},
		{"streamed within", "1234567890", -1, 200, "read 10", true},
		{"streamed over: next reads and gets MaxBytesError", "12345678901", -1, 413, "over 10\n", true},
		{"content-length understated", strings.Repeat("x", 50), 5, 413, "over 10\n", true},
		{"no body", "", 0, 200, "read 0", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var called atomic.Bool
			h := BodyLimit(limit)(readAll(&called))
			r := httptest.NewRequest(http.MethodPost, "/webhook", strings.NewReader(tt.body))
			r.ContentLength = tt.contentLength
			if tt.body == "" {
				r.Body = http.NoBody
			}
			origBody := r.Body
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tt.wantCode {
				t.Errorf("code = %d, want %d", w.Code, tt.wantCode)
			}
			if got := w.Body.String(); got != tt.wantBody {
				t.Errorf("body = %q, want %q", got, tt.wantBody)
			}
			if called.Load() != tt.wantCalled {
				t.Errorf("next called = %v, want %v", called.Load(), tt.wantCalled)
			}
			if r.Body != origBody {
				t.Error("the caller's request was modified")
			}
		})
	}
}

// TestBodyLimitServer sends real requests, one with a Content-Length and one
// chunked, through a server.
func TestBodyLimitServer(t *testing.T) {
	var called atomic.Bool
	srv := httptest.NewServer(BodyLimit(1024)(readAll(&called)))
	t.Cleanup(srv.Close)

	tests := []struct {
		name       string
		body       io.Reader
		wantCode   int
		wantCalled bool
	}{
		{"content-length over", strings.NewReader(strings.Repeat("x", 2048)), 413, false},
		// A reader of unknown length makes the client send chunked.
		{"chunked over", io.MultiReader(strings.NewReader(strings.Repeat("x", 4096))), 413, true},
		{"chunked within", io.MultiReader(strings.NewReader(strings.Repeat("x", 1024))), 200, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			called.Store(false)
			res, err := srv.Client().Post(srv.URL, "application/octet-stream", tt.body)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			if res.StatusCode != tt.wantCode {
				t.Errorf("status = %d, want %d", res.StatusCode, tt.wantCode)
			}
			if called.Load() != tt.wantCalled {
				t.Errorf("next called = %v, want %v", called.Load(), tt.wantCalled)
			}
		})
	}
}

func TestBodyLimitPanicsOnBadLimit(t *testing.T) {
	for _, n := range []int64{0, -1, -1 << 62} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			defer func() {
				if v := recover(); v == nil {
					t.Errorf("BodyLimit(%d) did not panic", n)
				}
			}()
			BodyLimit(n)
		})
	}
}
