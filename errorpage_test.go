package cauri_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/providertest"
)

// errorPageCase is one failure a browser can meet at the checkout or on
// its way back from the provider.
type errorPageCase struct {
	name string
	// request sends the failing request with h, after any setup it needs.
	request func(e *errorPageEnv, h http.Header) *http.Response
	want    int
	wantMsg string
	// wantOrder is the ErrorInfo.OrderID wanted; wantPayment says whether
	// a payment is named, with wantStatus its status.
	wantOrder   string
	wantPayment bool
	wantStatus  cauri.Status
	retryAfter  bool // a Retry-After header is wanted
	allow       bool // an Allow header is wanted
}

// errorPageEnv is a shop whose store can be made to fail to load
// payments.
type errorPageEnv struct {
	f        *fixture
	store    *hookedStore
	failGets atomic.Bool
}

func newErrorPageEnv(t *testing.T, edit func(*cauri.Config)) *errorPageEnv {
	e := &errorPageEnv{store: newHookedStore()}
	e.store.get = func(ctx context.Context, id string) (cauri.Payment, error) {
		if e.failGets.Load() {
			return cauri.Payment{}, errStoreDown
		}
		return e.store.Store.Get(ctx, id)
	}
	e.f = newFixture(t, withConfig(func(c *cauri.Config) {
		c.Store, c.Order = e.store, errorPageOrder
		if edit != nil {
			edit(c)
		}
	}))
	return e
}

// errorPageOrder is formOrder, and more orders that fail: "stale", the
// order a stale tab posts after it was paid; "xss", a refusal whose reason
// is markup; "anonymous", an order without the customer Moneroo requires.
func errorPageOrder(r *http.Request, provider string) (cauri.Order, error) {
	switch id := r.FormValue("order"); id {
	case "stale":
		return cauri.Order{}, &cauri.ValidationError{What: "order", Fields: []cauri.FieldError{{Field: "order", Reason: "is already paid"}}}
	case "xss":
		return cauri.Order{}, &cauri.ValidationError{What: "order", Fields: []cauri.FieldError{{Field: "order", Reason: `<script>alert("x")</script>`}}}
	case "anonymous":
		return cauri.Order{ID: id, Amount: orderAmount, Currency: "XOF"}, nil
	}
	return formOrder(r, provider)
}

func (e *errorPageEnv) checkout(order string, h http.Header) *http.Response {
	return e.f.do(http.MethodPost, "/pay/checkout/moneroo", "application/x-www-form-urlencoded",
		strings.NewReader(url.Values{"order": {order}}.Encode()), h)
}

func errorPageCases() []errorPageCase {
	fault := func(status int) func(e *errorPageEnv, order string, h http.Header) *http.Response {
		return func(e *errorPageEnv, order string, h http.Header) *http.Response {
			e.f.em.InjectFault(providertest.OpCreate, providertest.Fault{Kind: providertest.FaultStatus, Status: status, Times: 100})
			return e.checkout(order, h)
		}
	}
	checkout := func(order string) func(*errorPageEnv, http.Header) *http.Response {
		return func(e *errorPageEnv, h http.Header) *http.Response { return e.checkout(order, h) }
	}
	return []errorPageCase{
		{name: "checkout of an order paid already", request: checkout("stale"),
			want: 422, wantMsg: "cauri: invalid order: order is already paid"},
		{name: "checkout of an unknown order", request: checkout(""), want: 404, wantMsg: "order not found"},
		{name: "checkout whose order cannot be loaded", request: checkout("broken"),
			want: 500, wantMsg: "could not load the order"},
		{name: "checkout of an order the provider cannot take", request: checkout("anonymous"),
			want: 422, wantMsg: "cauri: invalid order: Customer.Email is required by moneroo; " +
				"Customer.FirstName is required by moneroo; Customer.LastName is required by moneroo",
			wantOrder: "anonymous", wantPayment: true, wantStatus: cauri.StatusFailed},
		{name: "checkout the provider refuses",
			request: func(e *errorPageEnv, h http.Header) *http.Response { return fault(422)(e, "o-refused", h) },
			want:    502, wantMsg: "moneroo refused the payment request",
			wantOrder: "o-refused", wantPayment: true, wantStatus: cauri.StatusFailed},
		{name: "checkout while the provider is down",
			request: func(e *errorPageEnv, h http.Header) *http.Response { return fault(503)(e, "o-down", h) },
			want:    503, wantMsg: "moneroo is unavailable, try again shortly", retryAfter: true,
			wantOrder: "o-down", wantPayment: true, wantStatus: cauri.StatusFailed},
		{name: "checkout from another site",
			request: func(e *errorPageEnv, h http.Header) *http.Response {
				h.Set("Sec-Fetch-Site", "cross-site")
				h.Set("Origin", "https://evil.example")
				return e.checkout("o-cross", h)
			},
			want: 403, wantMsg: "cross-site checkout refused"},
		{name: "checkout of an unknown provider",
			request: func(e *errorPageEnv, h http.Header) *http.Response {
				return e.f.do(http.MethodPost, "/pay/checkout/nope", "application/x-www-form-urlencoded", strings.NewReader("order=o-1"), h)
			},
			want: 404, wantMsg: "unknown provider"},
		{name: "checkout by GET",
			request: func(e *errorPageEnv, h http.Header) *http.Response {
				return e.f.do(http.MethodGet, "/pay/checkout/moneroo", "", nil, h)
			},
			want: 405, wantMsg: "checkout takes POST", allow: true},
		{name: "return with a forged token",
			request: func(e *errorPageEnv, h http.Header) *http.Response {
				p, _ := e.f.checkout("o-forged", nil)
				u := e.f.kit.ReturnURL("moneroo", p.ID)
				return e.f.do(http.MethodGet, u[:strings.LastIndexByte(u, '/')+1]+"forged", "", nil, h)
			},
			want: 403, wantMsg: "invalid or missing payment token"},
		{name: "return of an unknown payment",
			request: func(e *errorPageEnv, h http.Header) *http.Response {
				return e.f.do(http.MethodGet, e.f.kit.ReturnURL("moneroo", "pay_0000000000000000000000000z"), "", nil, h)
			},
			want: 404, wantMsg: "unknown payment"},
		{name: "return while the store is down",
			request: func(e *errorPageEnv, h http.Header) *http.Response {
				p, _ := e.f.checkout("o-return", nil)
				e.failGets.Store(true)
				return e.f.do(http.MethodGet, e.f.kit.ReturnURL("moneroo", p.ID), "", nil, h)
			},
			want: 503, wantMsg: "could not load the payment, try again", wantPayment: true},
	}
}

// TestErrorPages: a browser whose checkout or return visit fails gets the
// default HTML page, with the status, the message, the payment's
// reference when known and a link back to the shop, never the text of an
// internal error; a client asking for JSON gets {"error"} with the same
// message, as before.
func TestErrorPages(t *testing.T) {
	t.Parallel()
	browser := func() http.Header { return http.Header{"Accept": {"text/html,application/xhtml+xml,*/*;q=0.8"}} }
	for _, tt := range errorPageCases() {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, shopURL := range []string{"", "/cart"} {
				e := newErrorPageEnv(t, func(c *cauri.Config) { c.ShopURL = shopURL })
				resp := tt.request(e, browser())
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				page := string(body)
				if resp.StatusCode != tt.want {
					t.Fatalf("HTTP %d, want %d: %s", resp.StatusCode, tt.want, page)
				}
				if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
					t.Errorf("Content-Type %q, want text/html: %s", ct, page)
				}
				wantBack := e.f.srv.URL + "/"
				if shopURL != "" {
					wantBack = shopURL
				}
				for _, want := range []string{"<!doctype html>", "<p>" + htmlEscape(tt.wantMsg) + "</p>", `<a href="` + wantBack + `">`} {
					if !strings.Contains(page, want) {
						t.Errorf("page lacks %q:\n%s", want, page)
					}
				}
				if strings.Contains(page, errStoreDown.Error()) {
					t.Errorf("page shows the internal error:\n%s", page)
				}
				if got := strings.Contains(page, "Payment reference: <code>pay_"); got != tt.wantPayment {
					t.Errorf("page names a payment: %v, want %v:\n%s", got, tt.wantPayment, page)
				}
				if got := resp.Header.Get("Content-Security-Policy"); !strings.HasPrefix(got, "default-src 'none'") {
					t.Errorf("Content-Security-Policy %q, want default-src 'none'...", got)
				}
				checkAnswerHeaders(t, resp.Header, tt.retryAfter, tt.allow)

				e.failGets.Store(false)
				resp = tt.request(e, http.Header{"Accept": {"application/json"}})
				checkJSONError(t, resp, tt.want, tt.wantMsg)
			}
		})
	}
}

// TestErrorPageEscapes: the default page escapes what it shows, a
// refusal's reason from the shop's Order included.
func TestErrorPageEscapes(t *testing.T) {
	t.Parallel()
	e := newErrorPageEnv(t, nil)
	resp := e.checkout("xss", http.Header{"Accept": {"text/html"}})
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("HTTP %d, want 422", resp.StatusCode)
	}
	if strings.Contains(string(body), "<script>") || !strings.Contains(string(body), "&lt;script&gt;") {
		t.Errorf("the reason is not escaped:\n%s", body)
	}
}

// TestErrorPageIsTheShops: Config.ErrorPage writes the page a browser
// gets, once per failure, with the status, the message and the order and
// payment concerned; the kit has set its headers before; a JSON client
// still gets JSON, without a call.
func TestErrorPageIsTheShops(t *testing.T) {
	t.Parallel()
	for _, tt := range errorPageCases() {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			var got []cauri.ErrorInfo
			var headers http.Header
			e := newErrorPageEnv(t, func(c *cauri.Config) {
				c.ErrorPage = func(w http.ResponseWriter, r *http.Request, info cauri.ErrorInfo) {
					mu.Lock()
					got = append(got, info)
					headers = w.Header().Clone()
					mu.Unlock()
					w.Header().Set("Content-Type", "text/plain; charset=utf-8")
					w.WriteHeader(info.Code)
					io.WriteString(w, "the shop's page: "+info.Message)
				}
			})
			resp := tt.request(e, http.Header{})
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.want || string(body) != "the shop's page: "+tt.wantMsg {
				t.Fatalf("HTTP %d %q, want %d and the shop's page", resp.StatusCode, body, tt.want)
			}
			mu.Lock()
			calls := append([]cauri.ErrorInfo(nil), got...)
			mu.Unlock()
			if len(calls) != 1 {
				t.Fatalf("ErrorPage called %d times, want once: %+v", len(calls), calls)
			}
			info := calls[0]
			want := cauri.ErrorInfo{Code: tt.want, Message: tt.wantMsg, OrderID: tt.wantOrder, PaymentID: info.PaymentID, Status: tt.wantStatus}
			if info != want || (info.PaymentID != "") != tt.wantPayment {
				t.Errorf("ErrorPage got %+v, want %+v with a payment: %v", info, want, tt.wantPayment)
			}
			if tt.wantPayment && tt.wantStatus != "" {
				if p := e.f.payment(info.PaymentID); p.OrderID != tt.wantOrder || p.Status != tt.wantStatus {
					t.Errorf("ErrorPage names payment %s of order %s, %s: want order %s, %s", p.ID, p.OrderID, p.Status, tt.wantOrder, tt.wantStatus)
				}
			}
			checkAnswerHeaders(t, headers, tt.retryAfter, tt.allow)

			e.failGets.Store(false)
			resp = tt.request(e, http.Header{"Accept": {"application/json"}})
			checkJSONError(t, resp, tt.want, tt.wantMsg)
			mu.Lock()
			defer mu.Unlock()
			if len(got) != 1 {
				t.Errorf("ErrorPage called for a JSON client: %+v", got[1:])
			}
		})
	}
}

// checkAnswerHeaders checks the headers the kit sets on every answer, and
// Retry-After and Allow where wanted.
func checkAnswerHeaders(t *testing.T, h http.Header, retryAfter, allow bool) {
	t.Helper()
	if h.Get("Cache-Control") != "no-store" || h.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("headers %v, want Cache-Control: no-store and X-Content-Type-Options: nosniff", h)
	}
	if got := h.Get("Retry-After") != ""; got != retryAfter {
		t.Errorf("Retry-After %q, want one: %v", h.Get("Retry-After"), retryAfter)
	}
	if got := h.Get("Allow") != ""; got != allow {
		t.Errorf("Allow %q, want one: %v", h.Get("Allow"), allow)
	}
}

// checkJSONError checks that resp is {"error": msg} with HTTP code.
func checkJSONError(t *testing.T, resp *http.Response, code int, msg string) {
	t.Helper()
	defer resp.Body.Close()
	var got map[string]string
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatalf("JSON client: %v", err)
	}
	if resp.StatusCode != code || resp.Header.Get("Content-Type") != "application/json" || len(got) != 1 || got["error"] != msg {
		t.Errorf("JSON client: HTTP %d %s %v, want %d application/json {error: %q}", resp.StatusCode, resp.Header.Get("Content-Type"), got, code, msg)
	}
}

// htmlEscape escapes s as html/template writes text.
func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s)
}
