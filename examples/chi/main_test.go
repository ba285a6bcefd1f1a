package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cauripay/cauri/examples/internal/demo"
	"github.com/cauripay/cauri/providers/providertest"
)

// syncBuffer is a bytes.Buffer safe for concurrent writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// testShop is the command's shop behind its chi router, served by an
// httptest server whose URL is the shop's PUBLIC_URL.
type testShop struct {
	*shop
	srv    *httptest.Server
	client *http.Client // does not follow redirects
	logs   *syncBuffer
}

func newTestShop(t *testing.T) *testShop {
	t.Helper()
	// The listener comes first: its address is the PublicURL the kit and
	// the emulators' notifications need.
	srv := httptest.NewUnstartedServer(nil)
	logs := &syncBuffer{}
	s, err := newShop("http://"+srv.Listener.Addr().String(), "",
		slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		srv.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("logs:\n%s", logs)
		}
	})
	t.Cleanup(s.Close) // after the server: an emulator may still be delivering
	srv.Config.Handler = s.router()
	srv.Start()
	t.Cleanup(srv.Close)
	return &testShop{shop: s, srv: srv, logs: logs, client: &http.Client{
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// do sends a request to the shop and returns the status, Location and
// body of its answer.
func (ts *testShop) do(t *testing.T, method, path string, form url.Values) (int, string, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(t.Context(), method, ts.srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := ts.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, res.Header.Get("Location"), string(b)
}

var orderField = regexp.MustCompile(`<input type="hidden" name="order" value="([^"]+)">`)

// TestShopPays buys through each provider's button: the kit under chi
// sends the customer to the emulator and back, and the shop's pages say
// what happened; a failed payment lands on the sorry page.
func TestShopPays(t *testing.T) {
	for _, name := range []string{"moneroo", "dexchange"} {
		for _, tc := range []struct {
			act   providertest.Action
			page  string
			title string
			paid  bool
		}{
			{providertest.Pay, "/thanks", "Thank you!", true},
			{providertest.Fail, "/sorry", "Payment not completed", false},
		} {
			t.Run(name+"/"+string(tc.act), func(t *testing.T) {
				ts := newTestShop(t)
				code, _, body := ts.do(t, http.MethodGet, "/", nil)
				if code != http.StatusOK || !strings.Contains(body, "Pagne wax, 5000 XOF") ||
					!strings.Contains(body, `action="/pay/checkout/moneroo"`) || !strings.Contains(body, `action="/pay/checkout/dexchange"`) {
					t.Fatalf("GET /: %d\n%s", code, body)
				}
				m := orderField.FindStringSubmatch(body)
				if m == nil {
					t.Fatalf("GET /: no order reference\n%s", body)
				}
				ref := m[1]

				em := ts.emus[name]
				code, checkoutURL, body := ts.do(t, http.MethodPost, "/pay/checkout/"+name, url.Values{"order": {ref}, "amount": {"1"}})
				if code != http.StatusSeeOther || !strings.HasPrefix(checkoutURL, "http://127.0.0.1:") || strings.HasPrefix(checkoutURL, ts.srv.URL) {
					t.Fatalf("checkout: %d to %q, want 303 to the emulator\n%s", code, checkoutURL, body)
				}
				back, err := em.Act(t.Context(), checkoutURL, tc.act)
				if err != nil {
					t.Fatal(err)
				}
				if !strings.HasPrefix(back, ts.srv.URL+"/pay/return/"+name+"/") {
					t.Fatalf("the emulator sent the customer to %q", back)
				}
				code, page, body := ts.do(t, http.MethodGet, strings.TrimPrefix(back, ts.srv.URL), nil)
				if code != http.StatusSeeOther || !strings.HasPrefix(page, tc.page+"?") {
					t.Fatalf("return: %d to %q, want 303 to %s\n%s", code, page, tc.page, body)
				}
				code, _, body = ts.do(t, http.MethodGet, page, nil)
				if code != http.StatusOK || !strings.Contains(body, tc.title) {
					t.Errorf("GET %s: %d\n%s", tc.page, code, body)
				}
				o, _ := ts.Order(ref)
				paidBy := o.PaidBy
				if paid := paidBy != ""; paid != tc.paid {
					t.Errorf("order paid by %q, want paid %v", paidBy, tc.paid)
				}

				// A payment page without its token shows nothing.
				u, _ := url.Parse(page)
				if code, _, _ := ts.do(t, http.MethodGet, tc.page+"?payment_id="+u.Query().Get("payment_id"), nil); code != http.StatusNotFound {
					t.Errorf("payment page without the token: %d, want 404", code)
				}

				// The requests are logged by route, never by URL: the
				// return URL and the payment pages carry tokens.
				logs := ts.logs.String()
				if !strings.Contains(logs, `route=/pay/*`) || !strings.Contains(logs, `route=/thanks`) && !strings.Contains(logs, `route=/sorry`) {
					t.Errorf("no request logged by route:\n%s", logs)
				}
				if token := u.Query().Get("token"); token == "" || strings.Contains(logs, token) {
					t.Errorf("token %q empty or in the logs", token)
				}
			})
		}
	}
}

func TestRunStartsAndStops(t *testing.T) {
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
	m := regexp.MustCompile(`^cauri chi shop: open (http://127\.0\.0\.1:\d+)/ \(offline: payments on the Moneroo and DEXCHANGE emulators\)\n$`).FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("first line %q", line)
	}
	client := &http.Client{Timeout: 10 * time.Second}
	for _, path := range []string{"/", "/metrics"} {
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
