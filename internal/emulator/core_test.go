package emulator

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cauripay/cauri/providers/providertest"
)

// toy is the smallest provider a Core serves: payments by ref, a bearer
// key, a status endpoint, a hosted page, a notification per settlement.
type toy struct {
	Ref, Status string
	Later       bool
	Expires     time.Time
}

type toyServer struct {
	c *Core[toy]
}

// recorder is a receiver of notifications.
type recorder struct {
	mu     sync.Mutex
	bodies []string
}

func (rc *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.bodies = append(rc.bodies, string(b))
}

// httpServer serves h on loopback until the test ends and returns its URL.
func httpServer(t *testing.T, h http.Handler) string {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

func (rc *recorder) all() []string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]string(nil), rc.bodies...)
}

func newToy(t *testing.T, now func() time.Time) *toyServer {
	t.Helper()
	ts := &toyServer{}
	notify := func(p *toy, env Env) []Notification {
		return env.To(http.Header{"X-Toy": {"1"}}, []byte(p.Ref+":"+p.Status))
	}
	ts.c = NewCore(Spec[toy]{
		Name: "toytest",
		Auth: func(w http.ResponseWriter, r *http.Request) bool {
			if r.Header.Get("Authorization") != "Bearer k" {
				WriteJSON(w, http.StatusUnauthorized, "", map[string]string{"error": "unauthorized"})
				return false
			}
			return true
		},
		Edge: func(w http.ResponseWriter, r *http.Request) bool {
			if r.Header.Get("X-Throttle") != "" {
				RetryAfter(w, 1500*time.Millisecond)
				WriteJSON(w, http.StatusTooManyRequests, "", map[string]string{"error": "slow down"})
				return false
			}
			return true
		},
		Settings: providertest.EmulatorSettings{WebhookRetries: -1, Now: now},
		Waiting:  func(p *toy) bool { return p.Later },
		Confirm: func(p *toy, env Env) []Notification {
			p.Later, p.Status = false, "paid"
			return notify(p, env)
		},
	})
	ts.c.API("POST /v1/pay/{ref}", providertest.OpCreate, func(w http.ResponseWriter, r *http.Request) {
		p := &toy{Ref: r.PathValue("ref"), Status: "open", Expires: now().Add(time.Hour)}
		if !ts.c.Add(p.Ref, p, "alias-"+p.Ref) {
			WriteJSON(w, http.StatusConflict, "", map[string]string{"error": "taken"})
			return
		}
		WriteJSON(w, http.StatusCreated, "", map[string]string{"url": ts.c.URL + "/page/" + p.Ref})
	})
	ts.c.API("GET /v1/pay/{ref}", providertest.OpStatus, func(w http.ResponseWriter, r *http.Request) {
		var st string
		if !ts.c.With(ts.c.Resolve(r.PathValue("ref")), func(p *toy, _ Env) { st = p.Status }) {
			WriteJSON(w, http.StatusNotFound, "", map[string]string{"error": "not found"})
			return
		}
		WriteJSON(w, http.StatusOK, "", map[string]string{"status": st})
	})
	ts.c.Open("/v1/", providertest.OpAny, func(w http.ResponseWriter, _ *http.Request) {
		WriteError(w, func(int) (string, []byte) { return "text/plain", []byte("no route") }, http.StatusNotFound)
	})
	ts.c.Host(Hosted[toy]{
		Path: "/page/{ref}", Key: "ref", Lang: "en",
		Status:  func(p *toy) string { return p.Status },
		Finals:  []string{"paid", "pay", "fail", "cancelled"},
		Expired: func(p *toy, now time.Time) bool { return !now.Before(p.Expires) },
		Show: func(p *toy, _ Env, _ *http.Request) CheckoutPage {
			return CheckoutPage{Brand: Brand{Name: "Toy"}, Amount: "100 XOF", ActionURL: "/page/" + p.Ref}
		},
		Press: func(p *toy, a providertest.Action, _ Choice, env Env) Outcome {
			switch a {
			case providertest.PayLater:
				p.Later = true
				return Outcome{Wait: p.Ref, Back: WithQuery("https://shop.example/back?x=1#top", "ref", p.Ref)}
			case providertest.Cancel:
				p.Status = "cancelled"
				return Outcome{Notify: notify(p, env), Title: "Cancelled"}
			}
			p.Status = string(a)
			return Outcome{Notify: notify(p, env), Back: WithQuery("https://shop.example/back", "ref", p.Ref, "status", p.Status)}
		},
	})
	ts.c.Start()
	t.Cleanup(ts.c.Close)
	return ts
}

func call(t *testing.T, method, url string, header http.Header) (int, http.Header, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader("{}"))
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := NoRedirectClient(time.Minute).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, string(b)
}

func TestCoreAPI(t *testing.T) {
	t.Parallel()
	ts := newToy(t, time.Now)
	auth := http.Header{"Authorization": {"Bearer k"}}
	cases := []struct {
		name, method, path string
		header             http.Header
		status             int
		body               string
	}{
		{"no key", "POST", "/v1/pay/a", nil, 401, `"unauthorized"`},
		{"throttled", "POST", "/v1/pay/a", http.Header{"X-Throttle": {"1"}}, 429, `"slow down"`},
		{"created", "POST", "/v1/pay/a", auth, 201, ts.c.URL + "/page/a"},
		{"taken", "POST", "/v1/pay/a", auth, 409, `"taken"`},
		{"alias taken", "POST", "/v1/pay/alias-a", auth, 201, "/page/alias-a"},
		{"status", "GET", "/v1/pay/a", auth, 200, `"open"`},
		{"status by alias", "GET", "/v1/pay/alias-a", auth, 200, `"open"`},
		{"unknown", "GET", "/v1/pay/zz", auth, 404, `"not found"`},
		{"no route", "GET", "/v1/nothing", nil, 404, "no route"},
	}
	for _, c := range cases {
		status, _, body := call(t, c.method, ts.c.URL+c.path, c.header)
		if status != c.status || !strings.Contains(body, c.body) {
			t.Errorf("%s: %d %s, want %d with %s", c.name, status, body, c.status, c.body)
		}
	}
	if _, h, _ := call(t, "GET", ts.c.URL+"/v1/pay/a", http.Header{"X-Throttle": {"1"}}); h.Get("Retry-After") != "2" {
		t.Errorf("Retry-After %q", h.Get("Retry-After"))
	}
	reqs := ts.c.Requests()
	if len(reqs) != len(cases)+1 || reqs[0].Method != "POST" || reqs[0].Path != "/v1/pay/a" || string(reqs[0].Body) != "{}" || reqs[0].At.IsZero() {
		t.Errorf("requests %+v", reqs)
	}
	if ts.c.Len() != 2 || len(ts.c.All()) != 2 || ts.c.All()[0].Ref != "a" {
		t.Errorf("ledger: %d, %+v", ts.c.Len(), ts.c.All())
	}
	if ref, ok := ts.c.Alias("alias-a"); !ok || ref != "a" {
		t.Errorf("Alias = %q, %v", ref, ok)
	}

	// A body over 1 MiB is refused before the handler.
	req, _ := http.NewRequest("POST", ts.c.URL+"/v1/pay/big", strings.NewReader(strings.Repeat("x", 2<<20)))
	req.Header.Set("Authorization", "Bearer k")
	if res, err := NoRedirectClient(time.Minute).Do(req); err == nil {
		res.Body.Close()
		if res.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("large body: %d", res.StatusCode)
		}
	}

	ts.c.InjectFault(providertest.OpStatus, providertest.Fault{Kind: providertest.FaultStatus, Status: 503})
	if status, _, body := call(t, "GET", ts.c.URL+"/v1/pay/a", auth); status != 503 || body != "{}" {
		t.Errorf("fault: %d %s", status, body)
	}
}

func TestCoreHostedPage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var mu sync.Mutex
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return now
	}
	ts := newToy(t, clock)
	hook := &recorder{}
	hooks := httpServer(t, hook)
	ts.c.SetWebhookURL(hooks)
	for _, ref := range []string{"pay", "fail", "cancel", "later", "old"} {
		ts.c.Add(ref, &toy{Ref: ref, Status: "open", Expires: now.Add(time.Hour)})
	}
	page := func(ref string) string { return ts.c.URL + "/page/" + ref }

	if status, _, body := call(t, "GET", page("pay"), nil); status != 200 || !strings.Contains(body, "Toy checkout") {
		t.Errorf("open page: %d %s", status, body)
	}
	back, err := ts.c.Act(ctx, page("pay"), providertest.Pay)
	if err != nil || back != "https://shop.example/back?ref=pay&status=pay" {
		t.Errorf("pay: %q, %v", back, err)
	}
	if back, err := ts.c.Act(ctx, page("cancel"), providertest.Cancel); err != nil || back != "" {
		t.Errorf("cancel, no return URL: %q, %v", back, err)
	}
	if back, err := ts.c.Act(ctx, page("later"), providertest.PayLater); err != nil || back != "https://shop.example/back?x=1&ref=later#top" {
		t.Errorf("pay later: %q, %v", back, err)
	}
	if got := hook.all(); len(got) != 2 || got[0] != "pay:pay" || got[1] != "cancel:cancelled" {
		t.Errorf("notifications %q", got)
	}

	mu.Lock()
	now = now.Add(2 * time.Hour)
	mu.Unlock()
	pages := []struct {
		name, method, path string
		status             int
		body               string
	}{
		{"missing", "GET", page("nope"), 404, "Payment not found"},
		{"closed", "GET", page("pay"), 200, "This payment is pay."},
		{"waiting", "GET", page("later"), 200, "Confirm on your phone"},
		{"expired", "GET", page("old"), 410, "Link expired"},
		{"press missing", "POST", page("nope") + "/pay", 404, "Payment not found"},
		{"press closed", "POST", page("pay") + "/fail", 409, "cannot change"},
		{"press waiting", "POST", page("later") + "/pay", 409, "cannot change"},
		{"press expired", "POST", page("old") + "/pay", 410, "Link expired"},
		{"unknown action", "POST", page("old") + "/dance", 404, "No such action"},
	}
	for _, c := range pages {
		if status, _, body := call(t, c.method, c.path, nil); status != c.status || !strings.Contains(body, c.body) {
			t.Errorf("%s: %d %s", c.name, status, body)
		}
	}
	if _, err := ts.c.Act(ctx, page("pay"), providertest.Fail); !errors.Is(err, ErrRefused) {
		t.Errorf("Act on a closed page: %v", err)
	}

	// The phone confirms once; then nothing waits.
	if err := ts.c.ConfirmLater(ctx, "pay"); !errors.Is(err, ErrNotWaiting) {
		t.Errorf("ConfirmLater of a paid payment: %v", err)
	}
	if err := ts.c.ConfirmLater(ctx, "later"); err != nil {
		t.Fatal(err)
	}
	if err := ts.c.ConfirmLater(ctx, "nope"); err == nil || errors.Is(err, ErrNotWaiting) {
		t.Errorf("ConfirmLater of an unknown payment: %v", err)
	}
	if p, _ := ts.c.Get("later"); p.Status != "paid" || p.Later {
		t.Errorf("confirmed: %+v", p)
	}
	if got := hook.all(); len(got) != 3 || got[2] != "later:paid" {
		t.Errorf("notifications %q", got)
	}
}

func TestCoreUpdates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ts := newToy(t, time.Now)
	hook := &recorder{}
	url := httpServer(t, hook)
	ts.c.Add("a", &toy{Ref: "a", Status: "open"})
	if err := ts.c.SetStatus("a", func(p *toy) { p.Status = "weird" }); err != nil {
		t.Fatal(err)
	}
	if err := ts.c.SetStatus("zz", func(*toy) {}); err == nil {
		t.Error("SetStatus of an unknown payment")
	}
	boom := errors.New("boom")
	if err := ts.c.Update(ctx, "a", func(*toy, Env) ([]Notification, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Errorf("Update = %v", err)
	}
	ts.c.ReportAmountDelta(7)
	ts.c.Locked(func(tx Tx[toy], env Env) {
		if env.Delta != 7 || env.URL != ts.c.URL || tx.Find("a") == nil || !tx.Taken("a") || tx.Taken("b") {
			t.Errorf("under the lock: %+v", env)
		}
	})
	if err := ts.c.Update(ctx, "a", func(p *toy, env Env) ([]Notification, error) {
		return env.To(nil, []byte(p.Status), "", url), nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := ts.c.Forge(ctx, Notification{URL: url, Body: []byte("forged")}); err != nil {
		t.Fatal(err)
	}
	if got := hook.all(); len(got) != 2 || got[0] != "weird" || got[1] != "forged" {
		t.Errorf("sent %q", got)
	}
	if ds := ts.c.Deliveries(); len(ds) != 2 || !ds[1].Forged {
		t.Errorf("deliveries %+v", ds)
	}
	if ts.c.Settings().Delta != 7 || ts.c.Later().Pending() != 0 {
		t.Errorf("settings %+v", ts.c.Settings())
	}
	if (Env{}).To(nil, nil) != nil {
		t.Error("a notification with nowhere to go")
	}
	ts.c.Close()
	if err := ts.c.Deliver(ctx, []Notification{{URL: url}}); !errors.Is(err, ErrClosed) {
		t.Errorf("Deliver after Close: %v", err)
	}
}

func TestWithQuery(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, want string }{
		{"https://s.example/r", "https://s.example/r?a=1+2&b=%26"},
		{"https://s.example/r?x=1", "https://s.example/r?x=1&a=1+2&b=%26"},
		{"https://s.example/r?", "https://s.example/r?a=1+2&b=%26"},
		{"https://s.example/r?x=1&#f", "https://s.example/r?x=1&a=1+2&b=%26#f"},
	} {
		if got := WithQuery(c.in, "a", "1 2", "b", "&"); got != c.want {
			t.Errorf("WithQuery(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestWriteJSON(t *testing.T) {
	t.Parallel()
	rec := httptest.NewRecorder()
	WriteJSON(rec, http.StatusTeapot, "application/json; charset=utf-8", map[string]int{"a": 1})
	var v map[string]int
	if rec.Code != http.StatusTeapot || rec.Header().Get("Content-Type") != "application/json; charset=utf-8" || json.Unmarshal(rec.Body.Bytes(), &v) != nil || v["a"] != 1 {
		t.Errorf("%d %v %s", rec.Code, rec.Header(), rec.Body)
	}
	rec = httptest.NewRecorder()
	WriteJSON(rec, http.StatusOK, "", func() {})
	if rec.Code != http.StatusInternalServerError {
		t.Errorf("unencodable: %d", rec.Code)
	}
}

func TestSentBack(t *testing.T) {
	t.Parallel()
	ns := []Notification{{URL: "https://shop.example/hook"}}
	for _, tt := range []struct {
		a          providertest.Action
		back, wait string
	}{
		{providertest.Pay, "ok", ""},
		{providertest.PayLater, "ok", "r1"},
		{providertest.Fail, "ko", ""},
		{providertest.Cancel, "ko", ""},
	} {
		if out := SentBack(tt.a, "r1", "ok", "ko", ns); out.Back != tt.back || out.Wait != tt.wait || len(out.Notify) != 1 || out.Title != "" {
			t.Errorf("%s: %+v", tt.a, out)
		}
	}
}
