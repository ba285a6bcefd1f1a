package cauri_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/cauripay/cauri/providers/moneroo"
	"github.com/cauripay/cauri/providers/providertest"
)

// TestAnswersForbidSniffing: every answer the kit writes, whichever
// handler and outcome (a route the kit does not have too), says
// X-Content-Type-Options: nosniff and Cache-Control: no-store, so that no
// browser reads an error, a redirect or a JSON answer as HTML, and no
// cache keeps one.
func TestAnswersForbidSniffing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	paid, checkoutURL := f.checkout("o-paid", nil)
	f.act(checkoutURL, providertest.Pay)
	pending, _ := f.checkout("o-pending", nil)
	// A well-formed payment ID the store does not know, with a valid token.
	const ghost = "pay_0000000000000000000000000z"
	form := func(order string) io.Reader { return strings.NewReader(url.Values{"order": {order}}.Encode()) }
	jsonAccept := http.Header{"Accept": {"application/json"}}
	const formType = "application/x-www-form-urlencoded"
	badToken := func(u string) string { return u[:strings.LastIndexByte(u, '/')+1] + "forged" }

	tests := []struct {
		name        string
		method      string
		target      string
		ctype       string
		body        func() io.Reader
		header      http.Header
		fault       *providertest.Fault
		want        int
		handlerOnly http.Handler // served directly rather than through the mount
	}{
		{name: "checkout redirect", method: "POST", target: "/pay/checkout/moneroo", ctype: formType, body: func() io.Reader { return form("o-1") }, want: 303},
		{name: "checkout JSON", method: "POST", target: "/pay/checkout/moneroo", ctype: formType, body: func() io.Reader { return form("o-2") }, header: jsonAccept, want: 200},
		{name: "checkout already paid", method: "POST", target: "/pay/checkout/moneroo", ctype: formType, body: func() io.Reader { return form("o-paid") }, want: 303},
		{name: "checkout unknown order", method: "POST", target: "/pay/checkout/moneroo", ctype: formType, body: func() io.Reader { return form("") }, want: 404},
		{name: "checkout unknown order, JSON", method: "POST", target: "/pay/checkout/moneroo", ctype: formType, body: func() io.Reader { return form("") }, header: jsonAccept, want: 404},
		{name: "checkout unknown provider", method: "POST", target: "/pay/checkout/nope", ctype: formType, body: func() io.Reader { return form("o-3") }, want: 404},
		{name: "checkout provider down", method: "POST", target: "/pay/checkout/moneroo", ctype: formType, body: func() io.Reader { return form("o-4") },
			fault: &providertest.Fault{Kind: providertest.FaultStatus, Status: 503}, want: 503},
		{name: "checkout provider refuses", method: "POST", target: "/pay/checkout/moneroo", ctype: formType, body: func() io.Reader { return form("o-5") },
			fault: &providertest.Fault{Kind: providertest.FaultStatus, Status: 422}, header: jsonAccept, want: 502},
		{name: "checkout cross-site", method: "POST", target: "/pay/checkout/moneroo", ctype: formType, body: func() io.Reader { return form("o-6") },
			header: http.Header{"Sec-Fetch-Site": {"cross-site"}, "Origin": {"https://evil.example"}}, want: 403},
		{name: "checkout GET", method: "GET", target: "/pay/checkout/moneroo", want: 405},
		{name: "checkout handler GET", method: "GET", target: "/checkout/moneroo", want: 405, handlerOnly: f.kit.CheckoutHandler()},

		{name: "return redirect", method: "GET", target: f.kit.ReturnURL("moneroo", pending.ID), want: 303},
		{name: "return bad token", method: "GET", target: badToken(f.kit.ReturnURL("moneroo", pending.ID)), want: 403},
		{name: "return unknown payment", method: "GET", target: f.kit.ReturnURL("moneroo", ghost), want: 404},
		{name: "return unknown provider", method: "GET", target: strings.Replace(f.kit.ReturnURL("moneroo", pending.ID), "/moneroo/", "/nope/", 1), want: 404},

		{name: "status JSON", method: "GET", target: f.kit.StatusURL(paid.ID), want: 200},
		{name: "status bad token", method: "GET", target: f.kit.StatusURL(paid.ID) + "x", want: 403},
		{name: "status bad token, JSON", method: "GET", target: f.kit.StatusURL(paid.ID) + "x", header: jsonAccept, want: 403},
		{name: "status unknown payment", method: "GET", target: f.kit.StatusURL(ghost), want: 404},

		{name: "webhook ok", method: "POST", target: f.webhookURL(), ctype: "application/json",
			body: func() io.Reader { return bytes.NewReader(paidBody(paid)) }, header: http.Header{moneroo.SignatureHeader: {f.em.Sign(paidBody(paid))}}, want: 200},
		{name: "webhook unauthenticated", method: "POST", target: f.webhookURL(), ctype: "application/json",
			body: func() io.Reader { return bytes.NewReader(paidBody(paid)) }, header: http.Header{moneroo.SignatureHeader: {"00"}}, want: 401},
		{name: "webhook too large", method: "POST", target: f.webhookURL(), ctype: "application/json",
			body: func() io.Reader { return bytes.NewReader(bytes.Repeat([]byte(" "), 128<<10)) }, want: 413},
		{name: "webhook unknown provider", method: "POST", target: f.srv.URL + "/pay/webhooks/nope", ctype: "application/json",
			body: func() io.Reader { return strings.NewReader("{}") }, want: 404},
		{name: "webhook bad callback token", method: "POST", target: badToken(f.kit.CallbackURL("moneroo", pending.ID)), ctype: "application/json",
			body: func() io.Reader { return strings.NewReader("{}") }, want: 401},
		{name: "webhook handler GET", method: "GET", target: "/webhooks/moneroo", want: 405, handlerOnly: f.kit.WebhookHandler()},

		{name: "no such route", method: "GET", target: "/pay/nothing", want: 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.fault != nil {
				f.em.InjectFault(providertest.OpCreate, *tt.fault)
				defer f.em.InjectFault(providertest.OpCreate, providertest.Fault{Times: -1})
			}
			var body io.Reader
			if tt.body != nil {
				body = tt.body()
			}
			var code int
			var header http.Header
			if tt.handlerOnly != nil {
				req := httptest.NewRequest(tt.method, tt.target, body)
				rec := httptest.NewRecorder()
				tt.handlerOnly.ServeHTTP(rec, req)
				code, header = rec.Code, rec.Header()
			} else {
				resp := f.do(tt.method, tt.target, tt.ctype, body, tt.header)
				_ = resp.Body.Close()
				code, header = resp.StatusCode, resp.Header
			}
			if code != tt.want {
				t.Fatalf("HTTP %d, want %d", code, tt.want)
			}
			if got := header.Values("X-Content-Type-Options"); len(got) != 1 || got[0] != "nosniff" {
				t.Errorf("X-Content-Type-Options = %q, want nosniff", got)
			}
			if got := header.Get("Cache-Control"); got != "no-store" {
				t.Errorf("Cache-Control = %q, want no-store", got)
			}
		})
	}
}
