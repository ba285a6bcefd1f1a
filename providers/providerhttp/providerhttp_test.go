package providerhttp

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cauripay/cauri"
)

func TestDo(t *testing.T) {
	t.Parallel()
	past := time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat)
	future := time.Now().Add(90 * time.Second).UTC().Format(http.TimeFormat)
	tests := []struct {
		name       string
		handler    http.HandlerFunc
		wantErr    bool
		wantStatus int
		temporary  bool
		retryAfter time.Duration // 0: none; -1: some positive value
		message    string
	}{
		{name: "ok", handler: func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusCreated)
			_, _ = io.WriteString(w, `{"ok":true}`)
		}, wantStatus: 201},
		{name: "500", handler: status(500, `{"message":"boom"}`, ""), wantErr: true, wantStatus: 500, temporary: true, message: "boom"},
		{name: "503 html", handler: func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(503)
			_, _ = io.WriteString(w, "<html><body>Maintenance</body></html>")
		}, wantErr: true, wantStatus: 503, temporary: true, message: "expected JSON, got text/html"},
		{name: "429 seconds", handler: status(429, `{}`, "7"), wantErr: true, wantStatus: 429, temporary: true, retryAfter: 7 * time.Second},
		{name: "429 date", handler: status(429, `{}`, future), wantErr: true, wantStatus: 429, temporary: true, retryAfter: -1},
		{name: "429 date in the past", handler: status(429, `{}`, past), wantErr: true, wantStatus: 429, temporary: true},
		{name: "429 garbage", handler: status(429, `{}`, "soon"), wantErr: true, wantStatus: 429, temporary: true},
		{name: "422", handler: status(422, `{"message":"invalid"}`, ""), wantErr: true, wantStatus: 422, message: "invalid"},
		{name: "401 ignores Retry-After", handler: status(401, `{"message":"Unauthenticated."}`, "5"), wantErr: true, wantStatus: 401, message: "Unauthenticated."},
		{name: "408", handler: status(408, ``, ""), wantErr: true, wantStatus: 408, temporary: true},
		{name: "dropped connection", handler: func(w http.ResponseWriter, _ *http.Request) {
			conn, _, err := http.NewResponseController(w).Hijack()
			if err == nil {
				_ = conn.Close()
			}
		}, wantErr: true, temporary: true},
		{name: "dropped mid-body", handler: func(w http.ResponseWriter, _ *http.Request) {
			conn, buf, err := http.NewResponseController(w).Hijack()
			if err != nil {
				return
			}
			_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"half")
			_ = buf.Flush()
			_ = conn.Close()
		}, wantErr: true, wantStatus: 200, temporary: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			c := New("acme", srv.Client())
			c.Describe = func(_ int, _ http.Header, body []byte) string {
				var e struct{ Message string }
				_ = json.Unmarshal(body, &e)
				return e.Message
			}
			resp, err := c.Do(context.Background(), Request{
				Op: "create", Method: http.MethodPost, URL: srv.URL + "/x?key=querysecret",
				Header: http.Header{"Authorization": {"Bearer headersecret"}},
				JSON:   map[string]int{"amount": 1},
			})
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if err == nil {
				if resp.StatusCode != tt.wantStatus {
					t.Fatalf("status %d, want %d", resp.StatusCode, tt.wantStatus)
				}
				return
			}
			var pe *cauri.ProviderError
			if !errors.As(err, &pe) {
				t.Fatalf("%T is not a *cauri.ProviderError", err)
			}
			if pe.Provider != "acme" || pe.Op != "create" || pe.StatusCode != tt.wantStatus || pe.Temporary != tt.temporary {
				t.Errorf("got %+v", pe)
			}
			if cauri.IsTemporary(err) != tt.temporary {
				t.Errorf("IsTemporary = %v", !tt.temporary)
			}
			switch {
			case tt.retryAfter == -1 && (pe.RetryAfter < 60*time.Second || pe.RetryAfter > 120*time.Second):
				t.Errorf("RetryAfter %v, want about 90s", pe.RetryAfter)
			case tt.retryAfter >= 0 && pe.RetryAfter != tt.retryAfter:
				t.Errorf("RetryAfter %v, want %v", pe.RetryAfter, tt.retryAfter)
			}
			if tt.message != "" && !strings.Contains(pe.Message, tt.message) {
				t.Errorf("Message %q, want %q", pe.Message, tt.message)
			}
			if s := err.Error(); strings.Contains(s, "secret") {
				t.Errorf("error leaks a secret: %s", s)
			}
			if pe.StatusCode != 0 && pe.StatusCode != 200 && resp == nil {
				t.Errorf("no response returned with an HTTP error")
			}
		})
	}
}

func status(code int, body, retryAfter string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_, _ = io.WriteString(w, body)
	}
}

func TestDoSendsRequest(t *testing.T) {
	t.Parallel()
	var got *http.Request
	var body []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r
		body, _ = io.ReadAll(r.Body)
		_, _ = io.WriteString(w, `{}`)
	}))
	defer srv.Close()
	c := New("acme", nil)
	_, err := c.Do(context.Background(), Request{
		Op: "create", Method: http.MethodPost, URL: srv.URL + "/pay",
		Header: http.Header{"Authorization": {"Bearer k"}},
		Form:   map[string][]string{"a": {"1 2"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if ct := got.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
		t.Errorf("Content-Type %q", ct)
	}
	if got.Header.Get("Authorization") != "Bearer k" || got.Header.Get("User-Agent") != DefaultUserAgent {
		t.Errorf("headers %v", got.Header)
	}
	if string(body) != "a=1+2" {
		t.Errorf("body %q", body)
	}
	if _, err := c.Do(context.Background(), Request{Method: "POST", URL: srv.URL, JSON: 1, Body: []byte("x")}); err == nil {
		t.Error("JSON and Body both set: no error")
	}
}

func TestDoContext(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	c := New("acme", srv.Client())

	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err := c.Do(ctx, Request{Op: "status", Method: http.MethodGet, URL: srv.URL})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if cauri.IsTemporary(err) {
		t.Error("a cancelled call is not temporary")
	}

	ctx, cancel2 := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel2()
	_, err = c.Do(ctx, Request{Op: "status", Method: http.MethodGet, URL: srv.URL})
	if !errors.Is(err, context.DeadlineExceeded) || !cauri.IsTemporary(err) {
		t.Fatalf("err = %v, want a temporary context.DeadlineExceeded", err)
	}

	// The client's own timeout.
	c2 := New("acme", &http.Client{Timeout: 50 * time.Millisecond})
	_, err = c2.Do(context.Background(), Request{Op: "status", Method: http.MethodGet, URL: srv.URL})
	if err == nil || !cauri.IsTemporary(err) {
		t.Fatalf("err = %v, want a temporary error", err)
	}
}

func TestDoBodyCap(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/err" {
			w.WriteHeader(500)
		}
		_, _ = io.WriteString(w, strings.Repeat("x", 100))
	}))
	defer srv.Close()
	c := New("acme", srv.Client())
	c.MaxBody = 10
	_, err := c.Do(context.Background(), Request{Op: "status", Method: http.MethodGet, URL: srv.URL})
	if !errors.Is(err, cauri.ErrMalformed) || cauri.IsTemporary(err) {
		t.Fatalf("err = %v, want a permanent ErrMalformed", err)
	}
	resp, err := c.Do(context.Background(), Request{Op: "status", Method: http.MethodGet, URL: srv.URL + "/err"})
	if !cauri.IsTemporary(err) || len(resp.Body) != 10 {
		t.Fatalf("err = %v, body %d bytes", err, len(resp.Body))
	}
}

func TestDoBadURL(t *testing.T) {
	t.Parallel()
	_, err := New("acme", nil).Do(context.Background(), Request{Method: "GET", URL: "http://[::1"})
	var pe *cauri.ProviderError
	if !errors.As(err, &pe) || pe.Temporary {
		t.Fatalf("err = %v", err)
	}
	_, err = New("acme", nil).Do(context.Background(), Request{Method: "GET", URL: "http://127.0.0.1:1/x?token=querysecret"})
	if !cauri.IsTemporary(err) || strings.Contains(err.Error(), "querysecret") {
		t.Fatalf("err = %v", err)
	}
}

func TestDecodeJSON(t *testing.T) {
	t.Parallel()
	var v struct{ A int }
	if err := DecodeJSON("application/json", []byte(`{"A":1}`), &v); err != nil || v.A != 1 {
		t.Fatalf("err %v, v %+v", err, v)
	}
	tests := []struct {
		ctype, body, want string
	}{
		{"text/html; charset=utf-8", "<html>oops</html>", "expected JSON, got text/html"},
		{"", "<!DOCTYPE html><html></html>", "expected JSON, got text/html"},
		{"application/json", "<html>lying</html>", "expected JSON, got text/html"},
		{"text/plain", "Bad Gateway", "expected JSON, got text/plain"},
		{"application/json", "", "empty body"},
		{"application/json", `{"A":"one"}`, "unexpected JSON"},
	}
	for _, tt := range tests {
		err := DecodeJSON(tt.ctype, []byte(tt.body), &v)
		if !errors.Is(err, cauri.ErrMalformed) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("DecodeJSON(%q, %q) = %v, want %q", tt.ctype, tt.body, err, tt.want)
		}
		if tt.body != "" && strings.Contains(err.Error(), tt.body) {
			t.Errorf("error quotes the body: %v", err)
		}
	}
}

func TestAmounts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw, currency string
		want          int64
		ok            bool
	}{
		{`200`, "XOF", 200, true},
		{`"200"`, "XOF", 200, true},
		{`" 5000.00 "`, "XOF", 5000, true},
		{`10.5`, "USD", 1050, true},
		{`"10.50"`, "USD", 1050, true},
		{`10.555`, "USD", 0, false},
		{`-1`, "XOF", 0, false},
		{`1e3`, "XOF", 0, false},
		{`null`, "XOF", 0, false},
		{``, "XOF", 0, false},
		{`true`, "XOF", 0, false},
		{`{"a":1}`, "XOF", 0, false},
		{`"abc"`, "XOF", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseAmountJSON(json.RawMessage(tt.raw), tt.currency)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseAmountJSON(%s, %s) = %d, %v", tt.raw, tt.currency, got, err)
		}
		if err != nil && !errors.Is(err, cauri.ErrMalformed) {
			t.Errorf("ParseAmountJSON(%s): %v does not wrap ErrMalformed", tt.raw, err)
		}
	}
	var s struct{ N Number }
	if err := json.Unmarshal([]byte(`{"N":"12"}`), &s); err != nil || s.N != "12" {
		t.Fatalf("Number from string: %q %v", s.N, err)
	}
	if err := json.Unmarshal([]byte(`{"N":12.5}`), &s); err != nil || s.N != "12.5" {
		t.Fatalf("Number from number: %q %v", s.N, err)
	}
	if err := json.Unmarshal([]byte(`{"N":[1]}`), &s); err == nil {
		t.Fatal("Number from array: no error")
	}
}

func TestHelpers(t *testing.T) {
	t.Parallel()
	if got := JoinURL("https://api.example/v1/", "payments", "a/b c", "verify"); got != "https://api.example/v1/payments/a%2Fb%20c/verify" {
		t.Errorf("JoinURL = %s", got)
	}
	if got := Redact("https://user:pw@api.example/v1/x?key=s#f"); got != "https://api.example/v1/x" {
		t.Errorf("Redact = %s", got)
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Duration{
		"":                              0,
		"0":                             0,
		"-3":                            0,
		"120":                           2 * time.Minute,
		"Thu, 01 Jan 2026 00:00:30 GMT": 30 * time.Second,
		"Wed, 31 Dec 2025 23:00:00 GMT": 0,
		"tomorrow":                      0,
	} {
		if got := ParseRetryAfter(in, now); got != want {
			t.Errorf("ParseRetryAfter(%q) = %v, want %v", in, got, want)
		}
	}
}

// TestEndpointHidesURL: with Endpoint set, an error names it, never the
// URL's path, which may be a credential or a token.
func TestEndpointHidesURL(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close() // a network error names where it went
	c := New("test", nil)
	_, err := c.Do(context.Background(), Request{Op: "status", Method: http.MethodGet,
		URL: srv.URL + "/secret-app/0123abcd/pay/", Endpoint: "<merchant URL>"})
	if err == nil {
		t.Fatal("no error from a closed server")
	}
	if msg := err.Error(); strings.Contains(msg, "0123abcd") || strings.Contains(msg, "secret-app") || !strings.Contains(msg, "<merchant URL>") {
		t.Errorf("error = %q", msg)
	}
}

// TestScrub: a secret leaves the text of an error in every form a URL or
// an answer may hold it, and the error keeps its type and chain.
func TestScrub(t *testing.T) {
	t.Parallel()
	const secret = "tok/en 42"
	cause := fmt.Errorf("%w: GET https://api.example/confirm/tok%%2Fen%%2042?t=tok%%2Fen+42", cauri.ErrMalformed)
	err := Scrub(&cauri.ProviderError{Provider: "acme", Op: "status", StatusCode: 404,
		Message: "invoice tok/en 42 not found", Err: cause}, secret)
	var pe *cauri.ProviderError
	if !errors.As(err, &pe) || pe.StatusCode != 404 || pe.Op != "status" {
		t.Fatalf("Scrub lost the *cauri.ProviderError: %#v", err)
	}
	if _, ok := err.(*cauri.ProviderError); !ok {
		t.Errorf("Scrub returned a %T, want the *cauri.ProviderError itself", err)
	}
	if !errors.Is(err, cauri.ErrMalformed) {
		t.Errorf("Scrub lost the chain: %v", err)
	}
	msg := err.Error()
	for _, form := range []string{secret, "tok%2Fen%2042", "tok%2Fen+42", "tok/en"} {
		if strings.Contains(msg, form) {
			t.Errorf("%q still in %q", form, msg)
		}
	}
	if !strings.Contains(msg, Redacted) || !strings.Contains(msg, "not found") {
		t.Errorf("error = %q", msg)
	}

	plain := Scrub(fmt.Errorf("wrapped: %w", context.DeadlineExceeded), "nothing-here")
	if plain.Error() != "wrapped: context deadline exceeded" {
		t.Errorf("an error without the secret changed: %q", plain)
	}
	other := Scrub(fmt.Errorf("about tok/en 42: %w", context.Canceled), secret)
	if strings.Contains(other.Error(), secret) || !errors.Is(other, context.Canceled) {
		t.Errorf("plain error: %q", other)
	}
	if Scrub(nil, secret) != nil {
		t.Error("Scrub(nil) is not nil")
	}
	if e := errors.New("x"); Scrub(e) != e || Scrub(e, "") != e {
		t.Error("Scrub without secrets changed the error")
	}
}

// TestNoDefaultTransport: a Client given no *http.Client, whether built by
// New or left zero, sends its calls through a transport of its own, and
// never uses, nor copies the settings of, http.DefaultTransport. Not
// parallel: it replaces http.DefaultTransport for its duration.
func TestNoDefaultTransport(t *testing.T) {
	var used atomic.Int64
	orig := http.DefaultTransport
	http.DefaultTransport = &http.Transport{
		DialContext: func(context.Context, string, string) (net.Conn, error) {
			used.Add(1)
			return nil, errors.New("http.DefaultTransport used")
		},
	}
	t.Cleanup(func() { http.DefaultTransport = orig })

	for _, tt := range []struct {
		name   string
		client func() *Client
	}{
		{name: "New with a nil client", client: func() *Client { return New("acme", nil) }},
		{name: "zero Client", client: func() *Client { return &Client{Provider: "acme"} }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv, conns := connCountingServer(t, func(w http.ResponseWriter, _ *http.Request) {
				_, _ = io.WriteString(w, `{"ok":true}`)
			})

			c := tt.client()
			for i := range 3 {
				resp, err := c.Do(context.Background(), Request{Op: "status", Method: http.MethodGet, URL: srv.URL})
				if err != nil {
					t.Fatalf("call %d: %v", i, err)
				}
				if resp.StatusCode != http.StatusOK || string(resp.Body) != `{"ok":true}` {
					t.Fatalf("call %d: answer %d %q", i, resp.StatusCode, resp.Body)
				}
			}
			// One pool kept across calls, not a client built per call.
			if n := conns.Load(); n != 1 {
				t.Errorf("3 calls opened %d connections, want 1", n)
			}
		})
	}
	if n := used.Load(); n != 0 {
		t.Errorf("http.DefaultTransport dialled %d times", n)
	}
}

// connCountingServer starts a test server answering with h, closed when
// the test ends, and returns it with the count of the connections it
// accepted.
func connCountingServer(t *testing.T, h http.HandlerFunc) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	conns := new(atomic.Int64)
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, conns
}

// countingConn counts the bytes read from a connection.
type countingConn struct {
	net.Conn
	read *atomic.Int64
}

func (c countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.read.Add(int64(n))
	return n, err
}

// TestDoReusesConnection: an answer Do does not keep whole (an error
// answer cut at MaxBody, a 2xx answer too long) is read to its end before
// the body is closed, so that the next call reuses the connection; an
// answer longer than MaxBody plus maxDrain is not read past that bound,
// and the connection is closed instead.
func TestDoReusesConnection(t *testing.T) {
	t.Parallel()
	const maxBody = 256
	tests := []struct {
		name      string
		status    int
		bodyLen   int
		maxBody   int64
		wantConns int64
	}{
		{name: "error answer under MaxBody", status: 500, bodyLen: 300, wantConns: 1},
		{name: "error answer cut at MaxBody", status: 500, bodyLen: 4 << 10, maxBody: maxBody, wantConns: 1},
		{name: "429 cut at MaxBody", status: 429, bodyLen: 4 << 10, maxBody: maxBody, wantConns: 1},
		{name: "4xx cut at MaxBody", status: 404, bodyLen: maxBody + maxDrain - 1, maxBody: maxBody, wantConns: 1},
		{name: "2xx answer too long", status: 200, bodyLen: 4 << 10, maxBody: maxBody, wantConns: 1},
		{name: "error answer past the drain bound", status: 500, bodyLen: 4 << 20, maxBody: maxBody, wantConns: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			body := strings.Repeat("x", tt.bodyLen)
			srv, conns := connCountingServer(t, func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "text/plain")
				w.WriteHeader(tt.status)
				_, _ = io.WriteString(w, body)
			})

			var read atomic.Int64
			dialer := &net.Dialer{}
			tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				conn, err := dialer.DialContext(ctx, network, addr)
				if err != nil {
					return nil, err
				}
				return countingConn{Conn: conn, read: &read}, nil
			}}
			defer tr.CloseIdleConnections()
			c := New("acme", &http.Client{Transport: tr})
			c.MaxBody = tt.maxBody

			const calls = 3
			for i := range calls {
				resp, err := c.Do(context.Background(), Request{Op: "status", Method: http.MethodGet, URL: srv.URL})
				if err == nil || resp == nil || resp.StatusCode != tt.status {
					t.Fatalf("call %d: answer %v, err %v: want status %d and an error", i, resp, err, tt.status)
				}
				if want := min(tt.bodyLen, cmp.Or(int(tt.maxBody), DefaultMaxBody)); len(resp.Body) != want {
					t.Fatalf("call %d: body of %d bytes, want %d", i, len(resp.Body), want)
				}
			}
			if n := conns.Load(); n != tt.wantConns {
				t.Errorf("%d calls opened %d connections, want %d", calls, n, tt.wantConns)
			}
			// Headers, what Do keeps, the drain and one buffer of the
			// transport's reader, for each call.
			if bound := int64(calls * (1<<10 + cmp.Or(int(tt.maxBody), DefaultMaxBody) + maxDrain + 4<<10)); read.Load() > bound {
				t.Errorf("%d calls read %d bytes from the network, want at most %d", calls, read.Load(), bound)
			}
		})
	}
}
