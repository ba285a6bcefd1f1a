package cauri_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/providertest"
)

// console is a fixture with the admin console mounted at /admin on a
// server of its own, behind Basic auth ops:pw.
type console struct {
	*fixture
	srv *httptest.Server
}

func adminAuth(r *http.Request) (string, bool) {
	u, p, ok := r.BasicAuth()
	return u, ok && u == "ops" && p == "pw"
}

func newConsole(t *testing.T, opts ...fixtureOption) *console {
	t.Helper()
	opts = append([]fixtureOption{withConfig(func(c *cauri.Config) {
		c.AdminAuth = adminAuth
		c.AdminChallenge = `Basic realm="admin"`
	})}, opts...)
	f := newFixture(t, opts...)
	f.em.SetWebhookPolicy(providertest.WebhookPolicy{Lost: true}) // the tests send them
	mux := http.NewServeMux()
	mux.Handle("/admin/", http.StripPrefix("/admin", f.kit.AdminHandler()))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &console{fixture: f, srv: srv}
}

// get asks the console; user "" sends no credentials.
func (c *console) req(method, path, user, accept string, h http.Header) (int, http.Header, string) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.srv.URL+"/admin"+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	for k, v := range h {
		req.Header[k] = v
	}
	if user != "" {
		u, p, _ := strings.Cut(user, ":")
		req.SetBasicAuth(u, p)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(body)
}

func (c *console) getJSON(path string, v any) int {
	c.t.Helper()
	code, _, body := c.req(http.MethodGet, path, "ops:pw", "application/json", nil)
	if err := json.Unmarshal([]byte(body), v); err != nil {
		c.t.Fatalf("GET %s: HTTP %d, not JSON: %v: %s", path, code, err, body)
	}
	return code
}

type listJSON struct {
	Payments []cauri.AdminPayment `json:"payments"`
	Next     string               `json:"next"`
}

type pageJSON struct {
	Payment cauri.AdminPayment `json:"payment"`
	History []cauri.AdminEvent `json:"history"`
}

type actionJSON struct {
	Outcome    string             `json:"outcome"`
	Message    string             `json:"message"`
	Payment    cauri.AdminPayment `json:"payment"`
	NextTurnAt *time.Time         `json:"next_turn_at"`
}

func (c *console) act(id, action string, v any) (int, http.Header) {
	c.t.Helper()
	code, h, body := c.req(http.MethodPost, "/payments/"+id+"/"+action, "ops:pw", "application/json", nil)
	if err := json.Unmarshal([]byte(body), v); err != nil {
		c.t.Fatalf("POST %s: HTTP %d, not JSON: %v: %s", action, code, err, body)
	}
	return code, h
}

// shop makes a paid payment, a pending one, and one whose notification
// reported another amount (pending, needing attention).
func (c *console) shop() (paid, pending, mismatch cauri.Payment) {
	c.t.Helper()
	paid, payURL := c.checkout("order-paid", nil)
	c.fixture.act(payURL, providertest.Pay)
	if code := c.signed(paidBody(paid)); code != http.StatusOK {
		c.t.Fatalf("paid notification: HTTP %d", code)
	}
	pending, _ = c.checkout("order-pending", nil)
	mismatch, payURL = c.checkout("order-mismatch", nil)
	c.fixture.act(payURL, providertest.Pay)
	if code := c.signed(webhookBody(mismatch, "payment.success", "success", mismatch.Amount-1000, mismatch.Currency)); code/100 != 4 {
		c.t.Fatalf("amount-mismatch notification: HTTP %d, want 4xx", code)
	}
	return c.payment(paid.ID), c.payment(pending.ID), c.payment(mismatch.ID)
}

func TestAdminAuth(t *testing.T) {
	for _, tc := range []struct {
		name      string
		auth      bool
		user      string
		want      int
		challenge bool
	}{
		{"no AdminAuth", false, "ops:pw", http.StatusForbidden, false},
		{"no credentials", true, "", http.StatusUnauthorized, true},
		{"wrong password", true, "ops:nope", http.StatusUnauthorized, true},
		{"wrong user", true, "eve:pw", http.StatusUnauthorized, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newConsole(t, withConfig(func(cfg *cauri.Config) {
				if !tc.auth {
					cfg.AdminAuth = nil
				}
			}))
			p, _ := c.checkout("order-secret", nil)
			var bodies []string
			for _, r := range []struct{ method, path, accept string }{
				{http.MethodGet, "/", ""},
				{http.MethodGet, "/", "application/json"},
				{http.MethodGet, "/?q=" + p.ID, "application/json"},
				{http.MethodGet, "/payments/" + p.ID, ""},
				{http.MethodGet, "/payments/pay_00000000000000000000000000", ""},
				{http.MethodPost, "/payments/" + p.ID + "/recheck", ""},
				{http.MethodPost, "/payments/" + p.ID + "/retry-onpaid", "application/json"},
				{http.MethodGet, "/nowhere", ""},
			} {
				code, h, body := c.req(r.method, r.path, tc.user, r.accept, nil)
				if code != tc.want {
					t.Errorf("%s %s: HTTP %d, want %d", r.method, r.path, code, tc.want)
				}
				if got := h.Get("WWW-Authenticate") != ""; got != tc.challenge {
					t.Errorf("%s %s: WWW-Authenticate %q", r.method, r.path, h.Get("WWW-Authenticate"))
				}
				for _, secret := range []string{p.ID, p.OrderID, p.ProviderRef, "order-secret", "<table"} {
					if strings.Contains(body, secret) {
						t.Errorf("%s %s: the refusal shows %q: %s", r.method, r.path, secret, body)
					}
				}
				if r.accept == "" {
					bodies = append(bodies, body)
				}
			}
			// A known and an unknown payment get the same answer.
			if bodies[1] != bodies[2] {
				t.Errorf("refusals differ for a known and an unknown payment:\n%s\n%s", bodies[1], bodies[2])
			}
			if h, _ := c.kit.History(context.Background(), p.ID); len(h) != 2 {
				t.Errorf("history has %d events, want the checkout's 2: a refused action records nothing", len(h))
			}
		})
	}
}

func TestAdminList(t *testing.T) {
	c := newConsole(t)
	paid, pending, mismatch := c.shop()
	tomorrow := time.Now().UTC().Add(24 * time.Hour).Format("2006-01-02")
	for _, tc := range []struct {
		query string
		want  []string // IDs, newest first
	}{
		{"", []string{mismatch.ID, pending.ID, paid.ID}},
		{"status=paid", []string{paid.ID}},
		{"status=pending", []string{mismatch.ID, pending.ID}},
		{"provider=moneroo", []string{mismatch.ID, pending.ID, paid.ID}},
		{"attention=1", []string{mismatch.ID}},
		{"attention=1&status=paid", nil},
		{"since=" + tomorrow, nil},
		{"before=" + tomorrow, []string{mismatch.ID, pending.ID, paid.ID}},
		{"before=2000-01-01T00:00", nil},
		{"q=" + paid.ID, []string{paid.ID}},
		{"q=order-pending", []string{pending.ID}},
		{"q=" + url.QueryEscape(mismatch.ProviderRef), []string{mismatch.ID}},
		{"q=nothing-like-it", nil},
	} {
		var out listJSON
		if code := c.getJSON("/?"+tc.query, &out); code != http.StatusOK {
			t.Errorf("?%s: HTTP %d", tc.query, code)
			continue
		}
		var got []string
		for _, p := range out.Payments {
			got = append(got, p.ID)
		}
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("?%s = %v, want %v", tc.query, got, tc.want)
		}
		if out.Next != "" {
			t.Errorf("?%s: a next page, with %d payments", tc.query, len(got))
		}
	}
	for _, bad := range []string{"status=lost", "provider=nobody", "since=yesterday", "after=garbage"} {
		if code, _, _ := c.req(http.MethodGet, "/?"+bad, "ops:pw", "application/json", nil); code != http.StatusBadRequest {
			t.Errorf("?%s: HTTP %d, want 400", bad, code)
		}
	}

	// The HTML list links each payment and keeps the filter in its form.
	code, h, body := c.req(http.MethodGet, "/?status=pending", "ops:pw", "", nil)
	if code != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "text/html") {
		t.Fatalf("HTML list: HTTP %d, %s", code, h.Get("Content-Type"))
	}
	for _, want := range []string{`href="payments/` + pending.ID + `"`, `href="payments/` + mismatch.ID + `"`, "<option selected>pending</option>"} {
		if !strings.Contains(body, want) {
			t.Errorf("HTML list lacks %s", want)
		}
	}
	if strings.Contains(body, paid.ID) {
		t.Errorf("HTML list of pending payments shows the paid one")
	}
	csp := h.Get("Content-Security-Policy")
	if !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "form-action 'self'") || h.Get("Cache-Control") != "no-store" || h.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("headers: CSP %q, Cache-Control %q, nosniff %q", csp, h.Get("Cache-Control"), h.Get("X-Content-Type-Options"))
	}
}

func TestAdminPaging(t *testing.T) {
	c := newConsole(t)
	n := cauri.AdminPageSize + 3
	want := map[string]bool{}
	for i := range n {
		p, _ := c.checkout(fmt.Sprintf("page-%02d", i), nil)
		want[p.ID] = true
	}
	var first, second listJSON
	c.getJSON("/?status=pending", &first)
	if len(first.Payments) != cauri.AdminPageSize || first.Next == "" {
		t.Fatalf("first page: %d payments, next %q", len(first.Payments), first.Next)
	}
	c.getJSON("/?status=pending&after="+url.QueryEscape(first.Next), &second)
	if len(second.Payments) != 3 || second.Next != "" {
		t.Fatalf("second page: %d payments, next %q", len(second.Payments), second.Next)
	}
	for _, p := range append(first.Payments, second.Payments...) {
		if !want[p.ID] {
			t.Errorf("%s listed twice, or not ours", p.ID)
		}
		delete(want, p.ID)
	}
	// The HTML page links the next one, filter kept.
	_, _, body := c.req(http.MethodGet, "/?status=pending", "ops:pw", "", nil)
	if !strings.Contains(body, `rel="next" href="?after=`+first.Next+`&amp;status=pending"`) {
		t.Errorf("HTML list lacks the next page's link")
	}
}

func TestAdminPaymentPage(t *testing.T) {
	c := newConsole(t)
	paid, _, mismatch := c.shop()
	var out pageJSON
	if code := c.getJSON("/payments/"+mismatch.ID, &out); code != http.StatusOK {
		t.Fatalf("HTTP %d", code)
	}
	if out.Payment.ID != mismatch.ID || out.Payment.Status != cauri.StatusPending || out.Payment.ProviderRef != mismatch.ProviderRef || out.Payment.Amount != orderAmount {
		t.Errorf("payment = %+v", out.Payment)
	}
	var kinds []cauri.EventKind
	attention := 0
	for i, e := range out.History {
		kinds = append(kinds, e.Kind)
		if e.Seq != int64(i+1) {
			t.Errorf("event %d has Seq %d: history not oldest first", i, e.Seq)
		}
		if e.Attention {
			attention++
		}
	}
	if fmt.Sprint(kinds) != "[created opened notification refused]" || attention != 1 {
		t.Errorf("history kinds %v, %d with attention", kinds, attention)
	}

	code, _, body := c.req(http.MethodGet, "/payments/"+mismatch.ID, "ops:pw", "", nil)
	if code != http.StatusOK {
		t.Fatalf("HTML page: HTTP %d", code)
	}
	for _, want := range []string{mismatch.ID, mismatch.ProviderRef, `<tr class="attention">`, "reported 4000 XOF; the order is 5000 XOF", `action="` + mismatch.ID + `/recheck"`} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(body, "retry-onpaid") {
		t.Errorf("a pending payment offers to retry OnPaid")
	}
	if code, _, _ := c.req(http.MethodGet, "/payments/pay_00000000000000000000000000", "ops:pw", "", nil); code != http.StatusNotFound {
		t.Errorf("unknown payment: HTTP %d, want 404", code)
	}
	if code, _, _ := c.req(http.MethodGet, "/payments/"+paid.ID+"/recheck", "ops:pw", "", nil); code != http.StatusMethodNotAllowed {
		t.Errorf("GET of an action: HTTP %d, want 405", code)
	}
}

func TestAdminRecheck(t *testing.T) {
	c := newConsole(t, withConfig(func(cfg *cauri.Config) { cfg.PollInterval = time.Hour }))
	// Paid at the provider; its notification lost.
	p, payURL := c.checkout("order-lost", nil)
	c.fixture.act(payURL, providertest.Pay)
	var out actionJSON
	if code, _ := c.act(p.ID, "recheck", &out); code != http.StatusOK || out.Outcome != "recheck-moved" || out.Payment.Status != cauri.StatusPaid || !out.Payment.Fulfilled {
		t.Fatalf("re-check: HTTP %d, %+v", code, out)
	}
	if calls, ok := c.onPaidCalls(p.ID); calls != 1 || ok != 1 {
		t.Errorf("OnPaid: %d calls, %d successes", calls, ok)
	}
	got := c.historyLines(p.ID, func(e cauri.Event) (string, bool) {
		return fmt.Sprintf("%s/%s/%s/%s/%s", e.Kind, e.Source, e.Status, e.Detail, e.Actor), true
	})
	want := `[created/checkout/pending/order order-lost: 5000 XOF/ opened/checkout/pending/checkout opened at moneroo/ ` +
		`recheck/admin/paid/recheck-moved/ops status/admin/paid/provider's word "success"/ ` +
		`moved/admin/paid/pending → paid/ onpaid/admin/paid/succeeded/]`
	if fmt.Sprint(got) != want {
		t.Errorf("history:\n%v\nwant\n%s", got, want)
	}
	if !strings.Contains(c.logText(), `"who":"ops"`) {
		t.Errorf("the re-check is not logged with who did it")
	}

	// A pending payment: asked once, then its turn has not come.
	q, _ := c.checkout("order-waiting", nil)
	if code, _ := c.act(q.ID, "recheck", &out); code != http.StatusOK || out.Outcome != "rechecked" {
		t.Fatalf("first re-check: HTTP %d, %+v", code, out)
	}
	asked := c.counter("cauri_provider_requests_total", "operation", "status")
	code, hdr := c.act(q.ID, "recheck", &out)
	if code != http.StatusTooManyRequests || out.Outcome != "recheck-not-due" || out.NextTurnAt == nil || out.NextTurnAt.Before(time.Now().Add(50*time.Minute)) || hdr.Get("Retry-After") == "" {
		t.Fatalf("second re-check: HTTP %d, Retry-After %q, %+v", code, hdr.Get("Retry-After"), out)
	}
	// Through the browser's form: 303 back to the page, which says so.
	code, hdr, _ = c.req(http.MethodPost, "/payments/"+q.ID+"/recheck", "ops:pw", "", http.Header{"Sec-Fetch-Site": {"same-origin"}})
	if code != http.StatusSeeOther || hdr.Get("Location") != "../"+q.ID+"?notice=recheck-not-due" {
		t.Fatalf("form re-check: HTTP %d to %q", code, hdr.Get("Location"))
	}
	if got := c.counter("cauri_provider_requests_total", "operation", "status"); got != asked {
		t.Errorf("re-checks out of turn asked the provider: %v status calls, then %v", asked, got)
	}
	_, _, body := c.req(http.MethodGet, "/payments/"+q.ID+"?notice=recheck-not-due", "ops:pw", "", nil)
	if !strings.Contains(body, "its next turn is shown below") || !strings.Contains(body, "not before ") {
		t.Errorf("the page does not say when the next turn comes")
	}
	rechecks := len(c.historyLines(q.ID, func(e cauri.Event) (string, bool) { return "", e.Kind == cauri.EventRecheck }))
	if rechecks != 3 {
		t.Errorf("%d re-checks recorded, want 3", rechecks)
	}
}

func TestAdminRetryOnPaid(t *testing.T) {
	c := newConsole(t)
	c.setOnPaid(func(context.Context, cauri.Payment) error { return fmt.Errorf("warehouse down") })
	p, payURL := c.checkout("order-stuck", nil)
	c.fixture.act(payURL, providertest.Pay)
	if code := c.signed(paidBody(p)); code != http.StatusInternalServerError {
		t.Fatalf("notification with OnPaid failing: HTTP %d", code)
	}
	var out actionJSON
	if code, _ := c.act(p.ID, "retry-onpaid", &out); code != http.StatusBadGateway || out.Outcome != "retry-failed" || out.Payment.Fulfilled {
		t.Fatalf("retry with OnPaid failing: HTTP %d, %+v", code, out)
	}
	// The page offers the retry.
	if _, _, body := c.req(http.MethodGet, "/payments/"+p.ID, "ops:pw", "", nil); !strings.Contains(body, `action="`+p.ID+`/retry-onpaid"`) {
		t.Errorf("the page of a paid unfulfilled payment offers no retry")
	}
	c.setOnPaid(nil)
	if code, _ := c.act(p.ID, "retry-onpaid", &out); code != http.StatusOK || out.Outcome != "retried" || !out.Payment.Fulfilled {
		t.Fatalf("retry: HTTP %d, %+v", code, out)
	}
	if code, _ := c.act(p.ID, "retry-onpaid", &out); code != http.StatusOK || out.Outcome != "retry-done" {
		t.Fatalf("retry once done: HTTP %d, %+v", code, out)
	}
	if calls, ok := c.onPaidCalls(p.ID); calls != 3 || ok != 1 {
		t.Errorf("OnPaid: %d calls, %d successes; want 3 and 1", calls, ok)
	}
	admin := c.historyLines(p.ID, func(e cauri.Event) (string, bool) {
		return fmt.Sprintf("%s/%s/%s", e.Kind, e.Detail, e.Actor), e.Source == cauri.SourceAdmin
	})
	want := "[retry_onpaid/retry-failed/ops onpaid/failed: warehouse down/ retry_onpaid/retried/ops onpaid/succeeded/ retry_onpaid/retry-done/ops]"
	if fmt.Sprint(admin) != want {
		t.Errorf("admin events:\n%v\nwant\n%s", admin, want)
	}

	// Another worker holds the lease: the console says so, and runs nothing.
	c.setOnPaid(func(context.Context, cauri.Payment) error { return fmt.Errorf("down again") })
	q, payURL := c.checkout("order-held", nil)
	c.fixture.act(payURL, providertest.Pay)
	c.signed(paidBody(q))
	if err := c.store.ClaimOnPaid(context.Background(), q.ID, "elsewhere", time.Now().UTC(), time.Hour); err != nil {
		t.Fatal(err)
	}
	if code, _ := c.act(q.ID, "retry-onpaid", &out); code != http.StatusConflict || out.Outcome != "retry-held" {
		t.Fatalf("retry under another's lease: HTTP %d, %+v", code, out)
	}
	if calls, _ := c.onPaidCalls(q.ID); calls != 1 {
		t.Errorf("OnPaid called %d times, want 1 (the notification's)", calls)
	}
	// A pending payment has nothing to fulfil.
	r, _ := c.checkout("order-open", nil)
	if code, _ := c.act(r.ID, "retry-onpaid", &out); code != http.StatusConflict || out.Outcome != "retry-not-paid" {
		t.Fatalf("retry of a pending payment: HTTP %d, %+v", code, out)
	}
}

func TestAdminCrossSite(t *testing.T) {
	c := newConsole(t)
	p, _ := c.checkout("order-csrf", nil)
	for _, h := range []http.Header{
		{"Sec-Fetch-Site": {"cross-site"}},
		{"Sec-Fetch-Site": {"same-site"}},
		{"Origin": {"https://evil.example"}},
	} {
		for _, action := range []string{"recheck", "retry-onpaid"} {
			if code, _, _ := c.req(http.MethodPost, "/payments/"+p.ID+"/"+action, "ops:pw", "", h); code != http.StatusForbidden {
				t.Errorf("%s with %v: HTTP %d, want 403", action, h, code)
			}
		}
	}
	if hist, _ := c.kit.History(context.Background(), p.ID); len(hist) != 2 {
		t.Errorf("cross-site posts recorded events: %d in history", len(hist))
	}
	if c.counter("cauri_provider_requests_total", "operation", "status") != 0 {
		t.Errorf("a cross-site post asked the provider")
	}
}

func TestAdminEscapes(t *testing.T) {
	c := newConsole(t)
	hostile := `<script>alert(1)</script>"'&`
	p, _ := c.checkout(hostile, nil)
	for _, path := range []string{"/", "/?q=" + url.QueryEscape(hostile), "/payments/" + p.ID} {
		code, _, body := c.req(http.MethodGet, path, "ops:pw", "", nil)
		if code != http.StatusOK {
			t.Fatalf("%s: HTTP %d", path, code)
		}
		if strings.Contains(body, "<script>") || strings.Contains(body, `"'&<`) {
			t.Errorf("%s shows the hostile order ID unescaped", path)
		}
		if !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Errorf("%s does not show the order ID escaped", path)
		}
	}
	// A hostile search is escaped in the form too.
	_, _, body := c.req(http.MethodGet, "/?q="+url.QueryEscape(`"><img src=x onerror=alert(1)>`), "ops:pw", "", nil)
	if strings.Contains(body, "<img") {
		t.Errorf("the search box shows a hostile query unescaped")
	}
}

func TestAdminWithoutHistoryStore(t *testing.T) {
	c := newConsole(t, withConfig(func(cfg *cauri.Config) { cfg.Store = plainStore{cfg.Store} }))
	if code, _, body := c.req(http.MethodGet, "/", "ops:pw", "application/json", nil); code != http.StatusNotImplemented || !strings.Contains(body, "HistoryStore") {
		t.Errorf("HTTP %d: %s", code, body)
	}
	if code, _, _ := c.req(http.MethodGet, "/", "", "", nil); code != http.StatusUnauthorized {
		t.Errorf("without credentials: HTTP %d, want 401", code)
	}
}
