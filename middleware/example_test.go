package middleware_test

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"

	"github.com/cauripay/cauri/middleware"
	"github.com/prometheus/client_golang/prometheus"
)

// kit stands in for cauri's kit handler.
var kit = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/pay/panic" {
		panic("bug in a handler")
	}
	if _, err := io.ReadAll(r.Body); err != nil {
		if tooLarge := (*http.MaxBytesError)(nil); errors.As(err, &tooLarge) {
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	fmt.Fprintln(w, "ok")
})

func ExampleChain() {
	// Logs to stdout without time and stack, so the output below is stable.
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey || a.Key == "stack" {
				return slog.Attr{}
			}
			return a
		},
	}))

	h := middleware.Chain(
		middleware.Recover(logger),  // outermost: catches panics below
		middleware.BodyLimit(1<<10), // then caps the body at 1 KiB
	)(kit)

	for _, r := range []*http.Request{
		httptest.NewRequest(http.MethodPost, "/pay/webhook", strings.NewReader(`{"status":"paid"}`)),
		httptest.NewRequest(http.MethodPost, "/pay/webhook", strings.NewReader(strings.Repeat("x", 2048))),
		httptest.NewRequest(http.MethodGet, "/pay/panic", nil),
	} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		fmt.Printf("%s %s: %d %s", r.Method, r.URL.Path, w.Code, w.Body)
	}
	// Output:
	// POST /pay/webhook: 200 ok
	// POST /pay/webhook: 413 request body too large
	// level=ERROR msg="middleware: panic serving request" panic="bug in a handler" method=GET path=/pay/panic headers_sent=false
	// GET /pay/panic: 500 internal server error
}

func ExampleAllowIPs() {
	// The addresses a provider publishes for its webhooks; this server sits
	// behind load balancers in 10.0.0.0/8 that append to X-Forwarded-For.
	allow, err := middleware.AllowIPs(
		[]string{"196.201.214.0/24", "41.215.168.12", "2001:db8::/32"},
		middleware.TrustForwardedFor("10.0.0.0/8"),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	webhook := allow(kit)

	for _, c := range []struct{ peer, xff string }{
		{"196.201.214.7:443", ""},                     // direct, allowed
		{"[::ffff:41.215.168.12]:443", ""},            // IPv4-mapped, allowed
		{"203.0.113.5:443", "196.201.214.7"},          // header from a stranger: ignored
		{"10.1.2.3:80", "196.201.214.7"},              // via our load balancer
		{"10.1.2.3:80", "196.201.214.7, 203.0.113.5"}, // left entry forged by the client
	} {
		r := httptest.NewRequest(http.MethodPost, "/pay/webhook", nil)
		r.RemoteAddr = c.peer
		if c.xff != "" {
			r.Header.Set("X-Forwarded-For", c.xff)
		}
		w := httptest.NewRecorder()
		webhook.ServeHTTP(w, r)
		fmt.Printf("%-28s %-28q %d\n", c.peer, c.xff, w.Code)
	}

	_, err = middleware.AllowIPs([]string{"196.201.214.0/24", "196.201.214.300"})
	fmt.Println(err)
	// Output:
	// 196.201.214.7:443            ""                           200
	// [::ffff:41.215.168.12]:443   ""                           200
	// 203.0.113.5:443              "196.201.214.7"              403
	// 10.1.2.3:80                  "196.201.214.7"              200
	// 10.1.2.3:80                  "196.201.214.7, 203.0.113.5" 403
	// middleware: AllowIPs: bad entry "196.201.214.300": ParseAddr("196.201.214.300"): IPv4 field has value >255
}

func ExampleMetrics() {
	// The caller owns the registry, and serves it with promhttp.HandlerFor.
	reg := prometheus.NewRegistry()
	metrics, err := middleware.NewMetrics(reg, "") // namespace "cauri"
	if err != nil {
		fmt.Println(err)
		return
	}
	// One fixed route label per mounted handler, never the URL path.
	checkout := metrics.Instrument("checkout")(kit)
	webhook := metrics.Instrument("webhook")(middleware.Recover(nil)(kit))

	checkout.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/pay/checkout", nil))
	checkout.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/pay/checkout?order=42", nil))
	webhook.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/pay/panic", nil))

	families, err := reg.Gather()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, mf := range families {
		for _, m := range mf.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, l.GetName()+"="+l.GetValue())
			}
			if c := m.GetCounter(); c != nil {
				fmt.Println(mf.GetName(), labels, c.GetValue())
			}
			if h := m.GetHistogram(); h != nil {
				fmt.Println(mf.GetName(), labels, "count", h.GetSampleCount())
			}
		}
	}
	// Output:
	// cauri_http_request_duration_seconds [route=checkout] count 2
	// cauri_http_request_duration_seconds [route=webhook] count 1
	// cauri_http_requests_total [code=200 route=checkout] 2
	// cauri_http_requests_total [code=500 route=webhook] 1
}
