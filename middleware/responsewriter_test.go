package middleware

import (
	"bufio"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// plainWriter is a ResponseWriter with no optional interfaces.
type plainWriter struct{ http.ResponseWriter }

// wrappers returns the middleware that wrap the ResponseWriter, by name.
func wrappers(t *testing.T) map[string]func(http.Handler) http.Handler {
	m, err := NewMetrics(prometheus.NewRegistry(), "")
	if err != nil {
		t.Fatal(err)
	}
	return map[string]func(http.Handler) http.Handler{
		"Recover":            Recover(nil),
		"Instrument":         m.Instrument("r"),
		"Instrument+Recover": Chain(m.Instrument("r"), Recover(nil)),
	}
}

func TestWrapperKeepsFlusher(t *testing.T) {
	for name, mw := range wrappers(t) {
		t.Run(name, func(t *testing.T) {
			tests := []struct {
				name        string
				writer      func(*httptest.ResponseRecorder) http.ResponseWriter
				wantFlusher bool
			}{
				{"flusher underneath", func(r *httptest.ResponseRecorder) http.ResponseWriter { return r }, true},
				{"no flusher underneath", func(r *httptest.ResponseRecorder) http.ResponseWriter { return plainWriter{r} }, false},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					rec := httptest.NewRecorder()
					var isFlusher bool
					var ctrlErr error
					mw(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
						_, isFlusher = w.(http.Flusher)
						io.WriteString(w, "chunk")
						ctrlErr = http.NewResponseController(w).Flush()
					})).ServeHTTP(tt.writer(rec), httptest.NewRequest(http.MethodGet, "/", nil))
					if isFlusher != tt.wantFlusher {
						t.Errorf("handler's writer is http.Flusher: %v, want %v", isFlusher, tt.wantFlusher)
					}
					if tt.wantFlusher {
						if ctrlErr != nil || !rec.Flushed {
							t.Errorf("ResponseController.Flush = %v, flushed = %v; want nil, true", ctrlErr, rec.Flushed)
						}
					} else if !errors.Is(ctrlErr, http.ErrNotSupported) {
						t.Errorf("ResponseController.Flush = %v, want ErrNotSupported", ctrlErr)
					}
				})
			}
		})
	}
}

// TestWrapperServer checks, on a real server, that a flushed chunk reaches
// the client before the handler returns, and that ResponseController
// reaches the server's writer through Unwrap (deadlines, hijacking).
func TestWrapperServer(t *testing.T) {
	for name, mw := range wrappers(t) {
		t.Run(name, func(t *testing.T) {
			release := make(chan struct{})
			srv := httptest.NewServer(mw(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				rc := http.NewResponseController(w)
				if err := rc.SetWriteDeadline(time.Now().Add(time.Minute)); err != nil {
					http.Error(w, "SetWriteDeadline: "+err.Error(), http.StatusInternalServerError)
					return
				}
				if r.URL.Path == "/hijack" {
					conn, buf, err := rc.Hijack()
					if err != nil {
						http.Error(w, "Hijack: "+err.Error(), http.StatusInternalServerError)
						return
					}
					defer conn.Close()
					buf.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 8\r\nConnection: close\r\n\r\nhijacked")
					buf.Flush()
					return
				}
				io.WriteString(w, "first\n")
				if err := rc.Flush(); err != nil {
					t.Errorf("Flush: %v", err)
				}
				<-release
				io.WriteString(w, "second\n")
			})))
			t.Cleanup(srv.Close)

			res, err := srv.Client().Get(srv.URL + "/stream")
			if err != nil {
				close(release)
				t.Fatal(err)
			}
			defer res.Body.Close()
			line, err := bufio.NewReader(res.Body).ReadString('\n')
			close(release) // the handler is still blocked: the first line was flushed
			if err != nil || line != "first\n" {
				t.Fatalf("first line = %q, %v; want \"first\\n\" before the handler returns", line, err)
			}

			res2, err := srv.Client().Get(srv.URL + "/hijack")
			if err != nil {
				t.Fatal(err)
			}
			defer res2.Body.Close()
			body, _ := io.ReadAll(res2.Body)
			if string(body) != "hijacked" {
				t.Errorf("hijack body = %q, want \"hijacked\"", body)
			}
		})
	}
}
