package middleware

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"net/textproto"
	"slices"
	"strings"
	"testing"
)

// jsonLogger returns a logger writing JSON lines to the returned buffer.
func jsonLogger() (*slog.Logger, *bytes.Buffer) {
	var buf bytes.Buffer
	return slog.New(slog.NewJSONHandler(&buf, nil)), &buf
}

func TestRecover(t *testing.T) {
	tests := []struct {
		name      string
		handler   http.HandlerFunc
		wantCode  int
		wantBody  string
		wantPanic string // the "panic" attribute logged; "" for no log
	}{
		{
			name: "no panic passes through",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusCreated)
				io.WriteString(w, "made")
			},
			wantCode: http.StatusCreated,
			wantBody: "made",
		},
		{
			name: "string panic",
			handler: func(w http.ResponseWriter, r *http.Request) {
				panic("secret-key-sk_live_123 leaked")
			},
			wantCode:  http.StatusInternalServerError,
			wantBody:  "internal server error\n",
			wantPanic: "secret-key-sk_live_123 leaked",
		},
		{
			name: "error panic after setting headers",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("Content-Length", "999")
				panic(errors.New("db exploded"))
			},
			wantCode:  http.StatusInternalServerError,
			wantBody:  "internal server error\n",
			wantPanic: "db exploded",
		},
		{
			name: "panic(nil)",
			handler: func(w http.ResponseWriter, r *http.Request) {
				panic(nil)
			},
			wantCode:  http.StatusInternalServerError,
			wantBody:  "internal server error\n",
			wantPanic: "panic called with nil argument",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logger, buf := jsonLogger()
			w := httptest.NewRecorder()
			r := httptest.NewRequest(http.MethodPost, "/pay/webhook?token=tok_should_not_be_logged", nil)
			Recover(logger)(tt.handler).ServeHTTP(w, r)

			if w.Code != tt.wantCode {
				t.Errorf("code = %d, want %d", w.Code, tt.wantCode)
			}
			if got := w.Body.String(); got != tt.wantBody {
				t.Errorf("body = %q, want %q", got, tt.wantBody)
			}
			if tt.wantPanic == "" {
				if buf.Len() != 0 {
					t.Errorf("logged %q, want nothing", buf)
				}
				return
			}
			if ct := w.Header().Get("Content-Type"); ct != "text/plain; charset=utf-8" {
				t.Errorf("Content-Type = %q, want text/plain", ct)
			}
			if cl := w.Header().Get("Content-Length"); cl != "" {
				t.Errorf("stale Content-Length %q kept", cl)
			}
			for _, leak := range []string{tt.wantPanic, "goroutine", ".go:"} {
				if strings.Contains(w.Body.String(), leak) {
					t.Errorf("response body leaks %q", leak)
				}
			}
			var entry map[string]any
			if err := json.Unmarshal(buf.Bytes(), &entry); err != nil {
				t.Fatalf("log is not one JSON line: %v: %q", err, buf)
			}
			if entry["level"] != "ERROR" {
				t.Errorf("level = %v, want ERROR", entry["level"])
			}
			if got, _ := entry["panic"].(string); !strings.Contains(got, tt.wantPanic) {
				t.Errorf("logged panic = %q, want it to contain %q", got, tt.wantPanic)
			}
			if stack, _ := entry["stack"].(string); !strings.Contains(stack, "recover_test.go") {
				t.Errorf("logged stack does not show the panicking handler: %q", stack)
			}
			if entry["method"] != "POST" || entry["path"] != "/pay/webhook" {
				t.Errorf("method, path = %v, %v; want POST, /pay/webhook", entry["method"], entry["path"])
			}
			if strings.Contains(buf.String(), "tok_should_not_be_logged") {
				t.Error("query string logged")
			}
		})
	}
}

func TestRecoverNilLogger(t *testing.T) {
	w := httptest.NewRecorder()
	Recover(nil)(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic("quiet")
	})).ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
	if w.Code != http.StatusInternalServerError {
		t.Errorf("code = %d, want 500", w.Code)
	}
}

// servePanicking runs h under Recover and returns what it re-panicked with.
func servePanicking(t *testing.T, logger *slog.Logger, h http.HandlerFunc) (w *httptest.ResponseRecorder, repanic any) {
	t.Helper()
	w = httptest.NewRecorder()
	func() {
		defer func() { repanic = recover() }()
		Recover(logger)(h).ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
	}()
	return w, repanic
}

func TestRecoverAbortHandler(t *testing.T) {
	tests := []struct {
		name     string
		handler  http.HandlerFunc
		wantLog  string // substring of the log; "" for no log
		wantCode int
	}{
		{
			name: "ErrAbortHandler is re-panicked, not logged",
			handler: func(http.ResponseWriter, *http.Request) {
				panic(http.ErrAbortHandler)
			},
			wantCode: http.StatusOK, // recorder default: nothing written
		},
		{
			name: "panic after WriteHeader aborts",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusAccepted)
				panic("too late")
			},
			wantLog:  "too late",
			wantCode: http.StatusAccepted,
		},
		{
			name: "panic after Write aborts",
			handler: func(w http.ResponseWriter, r *http.Request) {
				io.WriteString(w, "partial")
				panic("mid-body")
			},
			wantLog:  "mid-body",
			wantCode: http.StatusOK,
		},
		{
			name: "panic after Flush aborts",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.(http.Flusher).Flush()
				panic("after flush")
			},
			wantLog:  "after flush",
			wantCode: http.StatusOK,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logger, buf := jsonLogger()
			w, repanic := servePanicking(t, logger, tt.handler)
			if repanic != http.ErrAbortHandler {
				t.Errorf("re-panicked with %v, want http.ErrAbortHandler", repanic)
			}
			if w.Code != tt.wantCode {
				t.Errorf("code = %d, want %d (no 500 after headers)", w.Code, tt.wantCode)
			}
			if strings.Contains(w.Body.String(), "internal server error") {
				t.Error("500 body appended to a response already started")
			}
			switch {
			case tt.wantLog == "" && buf.Len() != 0:
				t.Errorf("logged %q, want nothing", buf)
			case tt.wantLog != "" && !strings.Contains(buf.String(), tt.wantLog):
				t.Errorf("log %q does not contain %q", buf, tt.wantLog)
			}
		})
	}
}

// TestRecoverServerAbort checks, on a real server, that a panic after the
// headers breaks the connection instead of ending the response cleanly, and
// that net/http does not log it a second time.
func TestRecoverServerAbort(t *testing.T) {
	logger, buf := jsonLogger()
	srv := httptest.NewUnstartedServer(Recover(logger)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100")
		io.WriteString(w, "only part")
		w.(http.Flusher).Flush()
		panic("midway")
	})))
	var serverLog bytes.Buffer
	srv.Config.ErrorLog = log.New(&serverLog, "", 0)
	srv.Start()
	t.Cleanup(srv.Close)

	res, err := srv.Client().Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if _, err := io.ReadAll(res.Body); err == nil {
		t.Error("body read cleanly; want an error from the aborted connection")
	}
	srv.Close() // wait for the handler to finish before reading the logs
	if !strings.Contains(buf.String(), "midway") {
		t.Errorf("panic not logged by Recover: %q", buf)
	}
	if strings.Contains(serverLog.String(), "panic") {
		t.Errorf("net/http logged the panic again: %q", serverLog.String())
	}
}

// TestRecoverServerAfter1xx checks on a real server (httptest.ResponseRecorder
// takes a 1xx for the final status) that an informational response does not
// count as headers sent: a later panic still gets a 500.
func TestRecoverServerAfter1xx(t *testing.T) {
	srv := httptest.NewServer(Recover(nil)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Link", "</style.css>; rel=preload")
		w.WriteHeader(http.StatusEarlyHints)
		panic("after early hints")
	})))
	t.Cleanup(srv.Close)

	var got1xx []int
	trace := &httptrace.ClientTrace{Got1xxResponse: func(code int, _ textproto.MIMEHeader) error {
		got1xx = append(got1xx, code)
		return nil
	}}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(t.Context(), trace), http.MethodGet, srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if !slices.Equal(got1xx, []int{http.StatusEarlyHints}) {
		t.Errorf("1xx responses = %v, want [103]", got1xx)
	}
	if res.StatusCode != http.StatusInternalServerError || string(body) != "internal server error\n" {
		t.Errorf("got %d %q, want 500 \"internal server error\\n\"", res.StatusCode, body)
	}
}
