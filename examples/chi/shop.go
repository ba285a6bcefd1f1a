package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/dexchange/dexchangetest"
	"github.com/cauripay/cauri/providers/moneroo/monerootest"
	"github.com/cauripay/cauri/providers/providertest"
	"github.com/cauripay/cauri/stores/memory"
)

// The shop sells one product. Its price lives here, on the server, and
// nowhere else.
const (
	productName     = "Pagne wax"
	productPrice    = 5000 // in the currency's smallest unit
	productCurrency = "XOF"
)

// customer is the payer of every demo order. A real shop takes it from
// the customer's account.
var customer = cauri.Customer{FirstName: "Awa", LastName: "Diallo", Email: "awa.diallo@example.com", Phone: "+2250701020304", Country: "CI"}

// maxOrders bounds the orders kept in memory: every visit to / creates one.
const maxOrders = 10_000

// order is one of the shop's orders.
type order struct {
	ID string
	// CheckedOut is set once the kit asked for the order: a payment may
	// exist for it.
	CheckedOut bool
	// PaidBy is the payment OnPaid fulfilled the order for; empty while
	// the order is unpaid.
	PaidBy string
}

// emulator is a provider's emulator, as the shop uses it.
type emulator interface {
	providertest.Emulator
	Close()
}

// shop is the demo shop: its orders, the kit, and the emulators.
type shop struct {
	log   *slog.Logger
	kit   *cauri.Kit
	reg   *prometheus.Registry
	emus  map[string]emulator // provider name → its emulator
	names []string            // the providers, in the order of the buy buttons
	pages *template.Template

	mu     sync.Mutex
	orders map[string]*order
	seq    []string // order IDs, oldest first
}

// newShop builds the shop for cfg, with its payments in memory, and starts
// the emulators, which Close stops.
func newShop(cfg config) (*shop, error) {
	if cfg.PublicURL == "" {
		return nil, errors.New("newShop: PublicURL is required")
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.Secret == "" {
		cfg.Secret = randomHex(32)
		log.Warn("CAURI_SECRET is not set: using a random secret for this run (payment links stop working on restart)")
	}
	s := &shop{
		log:    log,
		reg:    prometheus.NewRegistry(),
		emus:   make(map[string]emulator),
		pages:  template.Must(template.New("pages").Parse(pagesHTML)),
		orders: make(map[string]*order),
	}
	var provs []cauri.Provider
	for _, em := range []emulator{
		monerootest.New(monerootest.WithMerchant("Cauri chi shop")),
		dexchangetest.New(dexchangetest.WithMerchant("Cauri chi shop")),
	} {
		p := em.Provider()
		// Where a webhook set up in the provider's dashboard would point.
		// DEXCHANGE takes the callback URL the kit gives each payment.
		em.SetWebhookURL(cfg.PublicURL + "/pay/webhooks/" + p.Name())
		s.emus[p.Name()] = em
		s.names = append(s.names, p.Name())
		provs = append(provs, p)
	}

	var err error
	s.kit, err = cauri.New(cauri.Config{
		Store:      memory.New(),
		Providers:  provs,
		PublicURL:  cfg.PublicURL + "/pay", // where router mounts it
		Secret:     cfg.Secret,
		Order:      s.order,
		OnPaid:     s.onPaid,
		SuccessURL: "/thanks",
		FailureURL: "/sorry",
		PendingURL: "/waiting",
		Registerer: s.reg,
		Logger:     log,
	})
	if err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Close stops the emulators.
func (s *shop) Close() {
	for _, em := range s.emus {
		em.Close()
	}
}

// router is the shop's chi router: the whole kit mounted under /pay,
// stripped of that prefix, the shop's pages and the metrics, behind chi's
// middleware.
func (s *shop) router() chi.Router {
	r := chi.NewRouter()
	r.Use(middleware.RequestID, s.requestLog, middleware.Recoverer)
	// Mount hands a plain http.Handler the whole path: without
	// StripPrefix the kit would see /pay/checkout/… and answer 404.
	r.Mount("/pay", http.StripPrefix("/pay", s.kit))
	r.Get("/", s.home)
	r.Get("/thanks", s.paymentPage)
	r.Get("/sorry", s.paymentPage)
	r.Get("/waiting", s.paymentPage)
	r.Handle("/metrics", promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{Registry: s.reg}))
	return r
}

// requestLog logs each request with its route pattern, never its URL:
// the kit's return, callback and status URLs, and the shop's payment
// pages, carry tokens. It stands where chi's middleware.Logger would.
func (s *shop) requestLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		start := time.Now()
		defer func() {
			status := ww.Status()
			if status == 0 {
				status = http.StatusOK
			}
			level := slog.LevelInfo
			if status >= http.StatusInternalServerError {
				level = slog.LevelWarn
			}
			route := ""
			if rc := chi.RouteContext(r.Context()); rc != nil {
				route = rc.RoutePattern()
			}
			s.log.LogAttrs(r.Context(), level, "request",
				slog.String("method", r.Method), slog.String("route", route), slog.Int("status", status),
				slog.Duration("latency", time.Since(start)), slog.String("request_id", middleware.GetReqID(r.Context())))
		}()
		next.ServeHTTP(ww, r)
	})
}

// newOrder creates an order for the product. At maxOrders it forgets the
// oldest order that never reached checkout, and fails when there is none.
func (s *shop) newOrder() (order, error) {
	o := &order{ID: "ord_" + randomHex(8)}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.orders) >= maxOrders {
		i := slices.IndexFunc(s.seq, func(id string) bool { return !s.orders[id].CheckedOut })
		if i < 0 {
			return order{}, errors.New("too many orders")
		}
		delete(s.orders, s.seq[i])
		s.seq = slices.Delete(s.seq, i, i+1)
	}
	s.orders[o.ID] = o
	s.seq = append(s.seq, o.ID)
	return *o, nil
}

// order is Config.Order: it looks up the reference the buy form carries,
// at the server's price. Whatever else the form says is never read.
func (s *shop) order(r *http.Request, provider string) (cauri.Order, error) {
	ref := r.PostFormValue("order")
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[ref]
	switch {
	case !ok:
		return cauri.Order{}, fmt.Errorf("order %q: %w", ref, cauri.ErrNotFound)
	case o.PaidBy != "":
		// A new payment would charge the customer twice.
		return cauri.Order{}, &cauri.ValidationError{What: "order", Fields: []cauri.FieldError{{Field: "order", Reason: "is already paid"}}}
	}
	o.CheckedOut = true
	return cauri.Order{
		ID:          o.ID,
		Amount:      productPrice,
		Currency:    productCurrency,
		Description: productName,
		Customer:    customer,
		Items:       []cauri.Item{{Name: productName, Quantity: 1, UnitPrice: productPrice}},
	}, nil
}

// onPaid is Config.OnPaid: it marks the order paid, once, keyed on
// Payment.ID. A payment the kit marks (paid twice, or through a superseded
// checkout) or for another amount is not shipped: it is logged for a
// refund.
func (s *shop) onPaid(ctx context.Context, p cauri.Payment) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[p.OrderID]
	if !ok {
		return fmt.Errorf("payment %s is for unknown order %s", p.ID, p.OrderID)
	}
	if p.Anomaly != "" || p.Amount != productPrice || p.Currency != productCurrency || o.PaidBy != "" && o.PaidBy != p.ID {
		s.log.Error("payment not to ship: refund it", "order_id", o.ID, "payment_id", p.ID, "anomaly", string(p.Anomaly),
			"amount", p.Amount, "currency", p.Currency, "paid_by", o.PaidBy)
		return nil
	}
	if o.PaidBy == "" {
		o.PaidBy = p.ID
		s.log.Info("order paid", "order_id", o.ID, "payment_id", p.ID, "provider", p.Provider)
	}
	return nil
}

// home is GET /: the product and a buy form per provider for a new order.
func (s *shop) home(w http.ResponseWriter, r *http.Request) {
	o, err := s.newOrder()
	if err != nil {
		s.render(w, http.StatusServiceUnavailable, "message", "The shop has too many open orders; try again later.")
		return
	}
	s.render(w, http.StatusOK, "home", struct {
		Order     order
		Product   string
		Price     string
		Providers []string
	}{o, productName, cauri.FormatAmount(productPrice, productCurrency) + " " + productCurrency, s.names})
}

// paymentView is the kit's status answer for one payment.
type paymentView struct {
	PaymentID string       `json:"payment_id"`
	OrderID   string       `json:"order_id"`
	Provider  string       `json:"provider"`
	Status    cauri.Status `json:"status"`
	Final     bool         `json:"final"`
	Amount    int64        `json:"amount"`
	Currency  string       `json:"currency"`

	Price string `json:"-"`
}

// paymentPage is GET /thanks, /sorry and /waiting, where the kit sends the
// customer back. Each shows the payment as the kit has it now: the
// waiting page reloads itself, and says thank you once paid.
func (s *shop) paymentPage(w http.ResponseWriter, r *http.Request) {
	id, token := r.URL.Query().Get("payment_id"), r.URL.Query().Get("token")
	v, code := s.lookupPayment(r.Context(), id, token)
	switch {
	case code == http.StatusForbidden || code == http.StatusNotFound || code == http.StatusBadRequest:
		s.render(w, http.StatusNotFound, "message", "This payment link is not valid.")
		return
	case code != http.StatusOK:
		s.render(w, code, "message", "We could not check this payment. Try again in a moment.")
		return
	}
	page := "waiting"
	switch {
	case v.Status == cauri.StatusPaid:
		page = "thanks"
	case v.Final:
		page = "sorry"
	}
	v.Price = cauri.FormatAmount(v.Amount, v.Currency) + " " + v.Currency
	s.render(w, http.StatusOK, page, v)
}

// lookupPayment checks a payment ID and token by asking the kit's status
// handler, in process: only the kit can check its tokens, and for a
// pending payment it also asks the provider. It returns the kit's HTTP
// status.
func (s *shop) lookupPayment(ctx context.Context, id, token string) (paymentView, int) {
	if id == "" || token == "" || len(id) > 64 || len(token) > 256 {
		return paymentView{}, http.StatusBadRequest
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "/payments/"+url.PathEscape(id)+"?"+url.Values{"token": {token}}.Encode(), nil)
	if err != nil {
		return paymentView{}, http.StatusBadRequest
	}
	var res recorder
	s.kit.StatusHandler().ServeHTTP(&res, req)
	if res.code != http.StatusOK {
		return paymentView{}, res.code
	}
	var v paymentView
	if err := json.Unmarshal(res.body.Bytes(), &v); err != nil {
		s.log.Error("reading the kit's status answer", "err", err)
		return paymentView{}, http.StatusInternalServerError
	}
	return v, http.StatusOK
}

// recorder keeps an in-process answer of the kit.
type recorder struct {
	header http.Header
	code   int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header {
	if r.header == nil {
		r.header = make(http.Header)
	}
	return r.header
}

func (r *recorder) WriteHeader(code int) {
	if r.code == 0 {
		r.code = code
	}
}

func (r *recorder) Write(p []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return r.body.Write(p)
}

// render writes page name with status code and data as its Body. The
// waiting page reloads itself.
func (s *shop) render(w http.ResponseWriter, code int, name string, data any) {
	var buf bytes.Buffer
	if err := s.pages.ExecuteTemplate(&buf, name, pageData{Refresh: name == "waiting", Body: data}); err != nil {
		s.log.Error("rendering a page", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	// The payment pages carry tokens in their URL.
	h.Set("Referrer-Policy", "same-origin")
	w.WriteHeader(code)
	_, _ = w.Write(buf.Bytes())
}

// randomHex returns n random bytes in hex.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}

// pageData is what every page template gets: Body is the page's own
// data; Refresh makes the browser reload the page every few seconds.
type pageData struct {
	Refresh bool
	Body    any
}

// pagesHTML holds the shop's page templates.
const pagesHTML = `
{{define "top"}}<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
{{if .Refresh}}<meta http-equiv="refresh" content="3">
{{end}}<title>Cauri chi shop</title>
<style>body { font: 16px/1.5 system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; }</style>
</head>
<body>
{{end}}

{{define "bottom"}}<p><a href="/">Back to the shop</a></p>
</body>
</html>
{{end}}

{{define "home"}}{{template "top" .}}{{with .Body}}
<h1>{{.Product}}, {{.Price}}</h1>
{{range .Providers}}<form method="post" action="/pay/checkout/{{.}}">
<input type="hidden" name="order" value="{{$.Body.Order.ID}}">
<button type="submit">Pay {{$.Body.Price}} with {{.}}</button>
</form>
{{end}}<p>Order <code>{{.Order.ID}}</code>: the form carries only this reference; the price stays on the server.</p>
<p>Offline demo: the next page is the provider's emulator, whose Pay, Fail and Cancel buttons play the customer.</p>
{{end}}</body>
</html>
{{end}}

{{define "thanks"}}{{template "top" .}}{{with .Body}}
<h1>Thank you!</h1>
<p>We received {{.Price}} for order <code>{{.OrderID}}</code> through {{.Provider}}.</p>
<p>Payment <code>{{.PaymentID}}</code>: <strong class="status">{{.Status}}</strong></p>
{{end}}{{template "bottom" .}}{{end}}

{{define "sorry"}}{{template "top" .}}{{with .Body}}
<h1>Payment not completed</h1>
<p>Nothing was charged for order <code>{{.OrderID}}</code>.</p>
<p>Payment <code>{{.PaymentID}}</code>: <strong class="status">{{.Status}}</strong></p>
{{end}}{{template "bottom" .}}{{end}}

{{define "waiting"}}{{template "top" .}}{{with .Body}}
<h1>Waiting for your payment</h1>
<p>{{.Provider}} has not confirmed your payment of {{.Price}} yet. This page reloads by itself until it has.</p>
<p>Payment <code>{{.PaymentID}}</code>: <strong class="status">{{.Status}}</strong></p>
{{end}}{{template "bottom" .}}{{end}}

{{define "message"}}{{template "top" .}}
<h1>Payment</h1>
<p>{{.Body}}</p>
{{template "bottom" .}}{{end}}
`
