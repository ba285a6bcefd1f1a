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

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/middleware"
	"github.com/cauripay/cauri/providers/moneroo/monerootest"
	"github.com/cauripay/cauri/stores/memory"
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

// newShopKit returns a real cauri kit, mounted at https://shop.example/pay,
// whose one provider is Moneroo's emulator, and a func that stops the
// emulator.
func newShopKit() (*cauri.Kit, *monerootest.Server, func()) {
	// The emulator stands in for api.moneroo.io; in production this is
	// moneroo.New(moneroo.Config{SecretKey: ..., WebhookSecrets: ...}).
	emu := monerootest.New()
	k, err := cauri.New(cauri.Config{
		Store:     memory.New(),
		Providers: []cauri.Provider{emu.Provider()},
		PublicURL: "https://shop.example/pay",
		Secret:    "use-32-or-more-random-bytes-here-please",
		Order: func(r *http.Request, provider string) (cauri.Order, error) {
			if r.FormValue("order") != "order-42" { // the shop's records
				return cauri.Order{}, cauri.ErrNotFound
			}
			return cauri.Order{
				ID: "order-42", Amount: 5000, Currency: "XOF",
				Customer: cauri.Customer{FirstName: "Awa", LastName: "Diallo", Email: "awa@example.com"},
			}, nil
		},
		SuccessURL: "/thanks", FailureURL: "/sorry", PendingURL: "/waiting",
	})
	if err != nil {
		emu.Close()
		panic(err)
	}
	return k, emu, emu.Close
}

// post builds a POST of body from peer (host:port) to path.
func post(path, peer, contentType, body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	r.RemoteAddr = peer
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	return r
}

// The typical setup: the kit mounted under /pay with http.StripPrefix, as
// its routes are /checkout/{provider}, /return/..., /webhooks/{provider}
// and /payments/{id}, behind metrics, Recover and BodyLimit.
func Example_mount() {
	kit, _, stop := newShopKit()
	defer stop()

	reg := prometheus.NewRegistry()
	metrics, err := middleware.NewMetrics(reg, "")
	if err != nil {
		fmt.Println(err)
		return
	}
	mw := middleware.Chain(
		metrics.Instrument("kit"),   // outermost: sees the 500s Recover writes
		middleware.Recover(nil),     // catches panics below
		middleware.BodyLimit(1<<20), // 413 past 1 MiB
	)
	mux := http.NewServeMux()
	mux.Handle("/pay/", mw(http.StripPrefix("/pay", kit)))

	const customer, form = "198.51.100.7:50000", "application/x-www-form-urlencoded"
	for _, c := range []struct {
		what string
		r    *http.Request
	}{
		{"checkout", post("/pay/checkout/moneroo", customer, form, "order=order-42")},
		{"checkout, 2 MiB body", post("/pay/checkout/moneroo", customer, form, "order=order-42&pad="+strings.Repeat("x", 2<<20))},
		{"webhook, unsigned", post("/pay/webhooks/moneroo", customer, "application/json", `{"event":"payment.success"}`)},
		{"webhook of an unknown provider", post("/pay/webhooks/acme", customer, "application/json", `{}`)},
		{"webhook at /pay/webhook/ (no s)", post("/pay/webhook/moneroo", customer, "application/json", `{}`)},
	} {
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, c.r)
		fmt.Printf("%-32s %d\n", c.what, w.Code)
	}

	// Without StripPrefix the kit sees /pay/checkout/moneroo, which is none
	// of its routes.
	wrong := http.NewServeMux()
	wrong.Handle("/pay/", mw(kit))
	w := httptest.NewRecorder()
	wrong.ServeHTTP(w, post("/pay/checkout/moneroo", customer, form, "order=order-42"))
	fmt.Printf("%-32s %d\n", "checkout, no StripPrefix", w.Code)
	// Output:
	// checkout                         303
	// checkout, 2 MiB body             413
	// webhook, unsigned                401
	// webhook of an unknown provider   404
	// webhook at /pay/webhook/ (no s)  404
	// checkout, no StripPrefix         404
}

// An allow-list around one provider's webhook routes only, both the URL
// set in its dashboard and the per-payment callback URLs under it; the
// rest of the kit, which customers' browsers visit, stays open.
func Example_webhookAllowList() {
	kit, emu, stop := newShopKit()
	defer stop()

	// The provider's published webhook addresses; this server sits behind
	// load balancers in 10.0.0.0/8 that append to X-Forwarded-For.
	allow, err := middleware.AllowIPs([]string{"196.201.214.0/24"}, middleware.TrustForwardedFor("10.0.0.0/8"))
	if err != nil {
		fmt.Println(err)
		return
	}
	hook := middleware.Chain(
		middleware.Recover(nil),
		allow,
		middleware.BodyLimit(64<<10),
	)(http.StripPrefix("/pay", kit))
	mux := http.NewServeMux()
	mux.Handle("POST /pay/webhooks/moneroo", hook)  // the dashboard's webhook URL
	mux.Handle("POST /pay/webhooks/moneroo/", hook) // per-payment callback URLs
	mux.Handle("/pay/", middleware.Chain(middleware.Recover(nil), middleware.BodyLimit(1<<20))(http.StripPrefix("/pay", kit)))

	const provider, stranger, form = "196.201.214.7:443", "203.0.113.5:443", "application/x-www-form-urlencoded"
	notification := `{"event":"payment.success","data":{"id":"py_unknown","amount":50,"currency":"XOF","status":"success"}}`
	signed := post("/pay/webhooks/moneroo", provider, "application/json", notification)
	signed.Header.Set("X-Moneroo-Signature", emu.Sign([]byte(notification)))
	forged := post("/pay/webhooks/moneroo", stranger, "application/json", notification)
	forged.Header.Set("X-Moneroo-Signature", emu.Sign([]byte(notification)))

	for _, c := range []struct {
		what string
		r    *http.Request
	}{
		{"signed, from the provider", signed},
		{"unsigned, from the provider", post("/pay/webhooks/moneroo", provider, "application/json", notification)},
		{"signed, from a stranger", forged},
		{"callback URL, from a stranger", post("/pay/webhooks/moneroo/pay_1/token", stranger, "application/json", `{}`)},
		{"70 KiB, from the provider", post("/pay/webhooks/moneroo", provider, "application/json", strings.Repeat(" ", 70<<10))},
		{"checkout, from a customer", post("/pay/checkout/moneroo", stranger, form, "order=order-42")},
	} {
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, c.r)
		fmt.Printf("%-30s %d\n", c.what, w.Code)
	}
	// Output:
	// signed, from the provider      200
	// unsigned, from the provider    401
	// signed, from a stranger        403
	// callback URL, from a stranger  403
	// 70 KiB, from the provider      413
	// checkout, from a customer      303
}
