package demo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/providertest"
	"github.com/cauripay/cauri/stores/memory"
)

// The shop sells one product. Its price lives here, on the server, and
// nowhere else.
const (
	ProductName     = "Pagne wax"
	ProductPrice    = 5000 // in the currency's smallest unit
	ProductCurrency = "XOF"
)

// customer is the payer of every demo order: Moneroo requires an email, a
// first and a last name, DEXCHANGE a phone number. A real shop takes them
// from the customer's account.
var customer = cauri.Customer{FirstName: "Awa", LastName: "Diallo", Email: "awa.diallo@example.com", Phone: "+2250701020304", Country: "CI"}

// maxOrders bounds the orders kept in memory: every visit to / creates one.
const maxOrders = 10_000

// Order is one of the shop's orders.
type Order struct {
	ID       string
	Amount   int64
	Currency string
	// CheckedOut is set once the kit asked for the order: a payment may
	// exist for it.
	CheckedOut bool
	// PaidBy is the payment OnPaid fulfilled the order for; empty while
	// the order is unpaid.
	PaidBy string
	// OnPaidCalls counts the calls to OnPaid for the order.
	OnPaidCalls int
}

// Emulator is a provider's emulator, as the shop uses it.
type Emulator interface {
	providertest.Emulator
	Close()
}

// ShopConfig configures a [Shop].
type ShopConfig struct {
	// Title names the shop on its pages: "Cauri echo shop".
	Title string
	// PublicURL is the shop's root; required. The kit is at
	// PublicURL + "/pay": where the shop's router must mount it.
	PublicURL string
	// Secret is the kit's token secret. Empty means a random one, with a
	// warning: payment links stop working on restart.
	Secret string
	// Providers are providers on their real API.
	Providers []cauri.Provider
	// Emulators are emulated providers: the shop points their webhooks at
	// itself, as the provider's dashboard would, and Close stops them.
	Emulators []Emulator
	// Logger receives the shop's and the kit's logs; nil discards them.
	Logger *slog.Logger
}

// Shop is the one-product shop of examples/echo and examples/chi: its
// orders in memory, the kit with its payments in memory too, and its
// pages as net/http handlers. The router, which mounts the kit under
// /pay and the pages at /, /thanks, /sorry, /waiting and /metrics, is
// each example's own.
type Shop struct {
	// Kit is the shop's kit, to mount under /pay.
	Kit *cauri.Kit
	// Registry holds the kit's metrics, which Metrics serves.
	Registry *prometheus.Registry
	// Log is the shop's logger.
	Log *slog.Logger

	title     string
	names     []string // the providers, in the order of the buy buttons
	emulators []Emulator
	pages     *template.Template

	mu     sync.Mutex
	orders map[string]*Order
	seq    []string // order IDs, oldest first
}

// NewShop builds the shop for cfg. Close stops its emulators, also when
// NewShop fails.
func NewShop(cfg ShopConfig) (*Shop, error) {
	s := &Shop{
		Registry:  prometheus.NewRegistry(),
		Log:       cfg.Logger,
		title:     cfg.Title,
		emulators: cfg.Emulators,
		pages:     template.Must(template.New("pages").Parse(pagesHTML)),
		orders:    make(map[string]*Order),
	}
	if s.Log == nil {
		s.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.PublicURL == "" {
		s.Close()
		return nil, errors.New("demo shop: PublicURL is required")
	}
	if cfg.Secret == "" {
		cfg.Secret = RandomHex(32)
		s.Log.Warn("CAURI_SECRET is not set: using a random secret for this run (fine for an offline demo; payment links stop working on restart)")
	}
	provs := slices.Clone(cfg.Providers)
	for _, em := range cfg.Emulators {
		p := em.Provider()
		// Where a webhook set up in the provider's dashboard would point.
		// Providers that take a callback URL per payment get the kit's.
		em.SetWebhookURL(cfg.PublicURL + "/pay/webhooks/" + p.Name())
		provs = append(provs, p)
	}
	for _, p := range provs {
		s.names = append(s.names, p.Name())
	}
	var err error
	s.Kit, err = cauri.New(cauri.Config{
		Store:      memory.New(),
		Providers:  provs,
		PublicURL:  cfg.PublicURL + "/pay", // where the router mounts it
		Secret:     cfg.Secret,
		Order:      s.order,
		OnPaid:     s.onPaid,
		SuccessURL: "/thanks",
		FailureURL: "/sorry",
		PendingURL: "/waiting",
		Registerer: s.Registry,
		Logger:     s.Log,
	})
	if err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Close stops the shop's emulators.
func (s *Shop) Close() {
	for _, em := range s.emulators {
		em.Close()
	}
}

// Metrics serves the kit's metrics: open to anyone, fine for a demo, not
// for a shop.
func (s *Shop) Metrics() http.Handler {
	return promhttp.HandlerFor(s.Registry, promhttp.HandlerOpts{Registry: s.Registry})
}

// newOrder creates an order for the product, at the server's price. At
// maxOrders it forgets the oldest order that never reached checkout, and
// fails when there is none.
func (s *Shop) newOrder() (Order, error) {
	o := &Order{ID: "ord_" + RandomHex(8), Amount: ProductPrice, Currency: ProductCurrency}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.orders) >= maxOrders {
		i := slices.IndexFunc(s.seq, func(id string) bool { return !s.orders[id].CheckedOut })
		if i < 0 {
			return Order{}, errors.New("too many orders")
		}
		delete(s.orders, s.seq[i])
		s.seq = slices.Delete(s.seq, i, i+1)
	}
	s.orders[o.ID] = o
	s.seq = append(s.seq, o.ID)
	return *o, nil
}

// order is Config.Order: it looks up the reference the buy form carries.
// Whatever else the form says (an "amount", a "price") is never read.
func (s *Shop) order(r *http.Request, provider string) (cauri.Order, error) {
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
		Amount:      o.Amount,
		Currency:    o.Currency,
		Description: ProductName,
		Customer:    customer,
		Items:       []cauri.Item{{Name: ProductName, Quantity: 1, UnitPrice: o.Amount}},
	}, nil
}

// onPaid is Config.OnPaid: it marks the order paid. The kit calls it once
// per paid payment; should it call again for a payment (OnPaid succeeded
// but could not be recorded), Payment.ID says it is done already. A
// payment the kit marks (paid twice, or through a superseded checkout) or
// for another amount than the order's is not shipped: it is logged for a
// refund.
func (s *Shop) onPaid(ctx context.Context, p cauri.Payment) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[p.OrderID]
	if !ok {
		return fmt.Errorf("payment %s is for unknown order %s", p.ID, p.OrderID)
	}
	o.OnPaidCalls++
	if p.Anomaly != "" || p.Amount != o.Amount || p.Currency != o.Currency {
		s.Log.Error("payment not to ship: refund it", "order_id", o.ID, "payment_id", p.ID, "anomaly", string(p.Anomaly),
			"amount", p.Amount, "currency", p.Currency, "order_amount", o.Amount)
		return nil
	}
	switch o.PaidBy {
	case "":
		o.PaidBy = p.ID
		s.Log.Info("order paid", "order_id", o.ID, "payment_id", p.ID, "provider", p.Provider, "amount", p.Amount, "currency", p.Currency)
	case p.ID:
		// Done already.
	default:
		s.Log.Error("order paid twice: refund one payment", "order_id", o.ID, "payment_id", p.ID, "first_payment_id", o.PaidBy)
	}
	return nil
}

// Order returns a copy of an order.
func (s *Shop) Order(id string) (Order, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[id]
	if !ok {
		return Order{}, false
	}
	return *o, true
}

// Home is GET /: the product and a buy form per provider for a new order.
func (s *Shop) Home(w http.ResponseWriter, r *http.Request) {
	o, err := s.newOrder()
	if err != nil {
		s.render(w, http.StatusServiceUnavailable, "message", "The shop has too many open orders; try again later.")
		return
	}
	s.render(w, http.StatusOK, "home", struct {
		Order     Order
		Product   string
		Price     string
		Providers []string
		Offline   bool
	}{o, ProductName, cauri.FormatAmount(o.Amount, o.Currency) + " " + o.Currency, s.names, len(s.emulators) > 0})
}

// paymentView is a payment as the payment pages show it.
type paymentView struct {
	cauri.StatusResponse
	Price string
	// Retry is set on /sorry when the order can be paid again.
	Retry bool
}

// PaymentPage is GET /thanks, /sorry and /waiting, where the kit sends the
// customer back. Each shows the payment as the kit has it, and sends to
// the page that matches: /waiting turns into /thanks once paid, say.
func (s *Shop) PaymentPage(w http.ResponseWriter, r *http.Request) {
	id, token := r.URL.Query().Get("payment_id"), r.URL.Query().Get("token")
	st, code, err := LookupPayment(r.Context(), s.Kit, id, token)
	if err != nil {
		s.Log.Error("reading the kit's status answer", "err", err)
	}
	v := paymentView{StatusResponse: st}
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
	if !strings.HasSuffix(r.URL.Path, "/"+page) {
		w.Header().Set("Cache-Control", "no-store")
		http.Redirect(w, r, "/"+page+"?"+url.Values{"payment_id": {id}, "token": {token}}.Encode(), http.StatusSeeOther)
		return
	}
	v.Price = cauri.FormatAmount(v.Amount, v.Currency) + " " + v.Currency
	if o, ok := s.Order(v.OrderID); ok && o.PaidBy == "" {
		v.Retry = true
	}
	s.render(w, http.StatusOK, page, v)
}

// render writes page name with status code and data as its Body. The
// waiting page reloads itself.
func (s *Shop) render(w http.ResponseWriter, code int, name string, data any) {
	WritePage(w, s.Log, code, name, func(buf io.Writer) error {
		return s.pages.ExecuteTemplate(buf, name, pageData{Title: s.title, Refresh: name == "waiting", Body: data})
	})
}

// WritePage writes the HTML page name that render writes, with status
// code, as never to be cached nor to leave the site in a Referer: the
// payment pages carry tokens in their URL. A page that fails to render is
// logged to log and answered with a 500 instead.
func WritePage(w http.ResponseWriter, log *slog.Logger, code int, name string, render func(io.Writer) error) {
	var buf bytes.Buffer
	if err := render(&buf); err != nil {
		log.Error("rendering a page", "page", name, "err", err)
		http.Error(w, "internal server error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "same-origin")
	w.WriteHeader(code)
	_, _ = w.Write(buf.Bytes())
}

// pageData is what every page template gets: Body is the page's own
// data; Refresh makes the browser reload the page every few seconds.
type pageData struct {
	Title   string
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
{{end}}<title>{{.Title}}</title>
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
{{if .Offline}}<p>Offline demo: the next page is the provider's emulator, whose Pay, Fail and Cancel buttons play the customer.</p>
{{end}}{{end}}</body>
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
{{if .Retry}}<form method="post" action="/pay/checkout/{{.Provider}}">
<input type="hidden" name="order" value="{{.OrderID}}">
<button type="submit">Try again</button>
</form>
{{end}}{{end}}{{template "bottom" .}}{{end}}

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
