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

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/moneroo"
	"github.com/cauripay/cauri/providers/moneroo/monerootest"
	"github.com/cauripay/cauri/stores/memory"
)

// The shop sells one product. Its price lives here, on the server, and
// nowhere else.
const (
	productName     = "Pagne wax"
	productPrice    = 5000 // in the currency's smallest unit
	productCurrency = "XOF"
)

// customer is the payer of every demo order: Moneroo requires an email, a
// first and a last name. A real shop takes them from the customer's
// account.
var customer = cauri.Customer{FirstName: "Awa", LastName: "Diallo", Email: "awa.diallo@example.com", Country: "CI"}

// maxOrders bounds the orders kept in memory: every visit to / creates one.
const maxOrders = 10_000

// order is one of the shop's orders.
type order struct {
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

// shop is the demo shop: its orders, the kit, and the emulator in offline
// mode.
type shop struct {
	cfg   config
	log   *slog.Logger
	kit   *cauri.Kit
	reg   *prometheus.Registry
	emu   *monerootest.Server // nil against the real Moneroo
	pages *template.Template

	mu     sync.Mutex
	orders map[string]*order
	seq    []string // order IDs, oldest first
}

// newShop builds the shop for cfg, with its payments in memory. In
// emulator mode (no MonerooSecretKey) it starts the Moneroo emulator, which
// Close stops.
func newShop(cfg config) (*shop, error) {
	if cfg.PublicURL == "" {
		return nil, errors.New("newShop: PublicURL is required")
	}
	if err := cfg.checkSecret(); err != nil {
		return nil, err
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &shop{
		cfg:    cfg,
		log:    log,
		reg:    prometheus.NewRegistry(),
		pages:  template.Must(template.New("pages").Parse(pagesHTML)),
		orders: make(map[string]*order),
	}

	var mcfg moneroo.Config
	if cfg.live() {
		mcfg = moneroo.Config{SecretKey: cfg.MonerooSecretKey, BaseURL: cfg.MonerooBaseURL}
		if cfg.MonerooWebhookSecret != "" {
			mcfg.WebhookSecrets = []string{cfg.MonerooWebhookSecret}
		} else {
			log.Warn("MONEROO_WEBHOOK_SECRET is not set: each webhook is confirmed with Moneroo's API before it counts")
		}
		log.Info("Moneroo webhooks must be set up in its dashboard", "url", cfg.PublicURL+"/pay/webhooks/moneroo")
	} else {
		if cfg.MonerooWebhookSecret != "" || cfg.MonerooBaseURL != "" {
			log.Warn("MONEROO_WEBHOOK_SECRET and MONEROO_BASE_URL are ignored without MONEROO_SECRET_KEY")
		}
		s.emu = monerootest.New(monerootest.WithMerchant("Cauri echo shop"))
		// What a webhook set up in Moneroo's dashboard would say.
		s.emu.SetWebhookURL(cfg.PublicURL + "/pay/webhooks/moneroo")
		mcfg = s.emu.Config()
		log.Info("offline demo: payments go to the Moneroo emulator", "emulator", s.emu.URL)
		if cfg.Secret == "" {
			cfg.Secret = randomHex(32)
			s.cfg.Secret = cfg.Secret
			log.Warn("CAURI_SECRET is not set: using a random secret for this run (fine for an offline demo; payment links stop working on restart)")
		}
	}
	mcfg.Logger = log
	prov, err := moneroo.New(mcfg)
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("moneroo: %w", err)
	}

	s.kit, err = cauri.New(cauri.Config{
		Store:      memory.New(),
		Providers:  []cauri.Provider{prov},
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

// Close stops the emulator, if the shop started one.
func (s *shop) Close() {
	if s.emu != nil {
		s.emu.Close()
	}
}

// mode says where payments go, for the start-up line.
func (s *shop) mode() string {
	if s.emu != nil {
		return "offline: payments on the Moneroo emulator at " + s.emu.URL
	}
	base := s.cfg.MonerooBaseURL
	if base == "" {
		base = moneroo.DefaultBaseURL
	}
	return "live: payments on Moneroo at " + base
}

// router is the shop's echo application, with the whole kit under /pay.
func (s *shop) router() *echo.Echo { return s.routes(mountKit) }

// mountKit mounts the kit under /pay, stripped of that prefix, for every
// method: the kit answers 404 and 405 itself.
func mountKit(e *echo.Echo, kit *cauri.Kit) {
	e.Any("/pay/*", echo.WrapHandler(http.StripPrefix("/pay", kit)))
}

// routes is the shop's echo application: its pages, the kit as mount puts
// it under /pay, and the metrics, behind echo's middleware.
func (s *shop) routes(mount func(*echo.Echo, *cauri.Kit)) *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.Use(
		middleware.RequestID(),
		middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
			// The route, never the URI: the kit's return, callback and
			// status URLs carry tokens.
			LogMethod: true, LogRoutePath: true, LogStatus: true, LogLatency: true,
			LogRequestID: true, LogError: true, HandleError: true,
			LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
				attrs := []slog.Attr{
					slog.String("method", v.Method), slog.String("route", v.RoutePath), slog.Int("status", v.Status),
					slog.Duration("latency", v.Latency), slog.String("request_id", v.RequestID),
				}
				level := slog.LevelInfo
				if v.Error != nil || v.Status >= http.StatusInternalServerError {
					level = slog.LevelWarn
					if v.Error != nil {
						attrs = append(attrs, slog.String("err", v.Error.Error()))
					}
				}
				s.log.LogAttrs(c.Request().Context(), level, "request", attrs...)
				return nil
			},
		}),
		middleware.RecoverWithConfig(middleware.RecoverConfig{
			LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
				s.log.Error("panic", "route", c.Path(), "request_id", c.Response().Header().Get(echo.HeaderXRequestID),
					"err", err, "stack", string(stack))
				return err // to echo's error handler: 500
			},
		}),
		// The kit caps webhook bodies itself (Config.MaxWebhookBytes).
		middleware.BodyLimit("1M"),
		// The shop's payment pages carry tokens in their URL.
		middleware.SecureWithConfig(middleware.SecureConfig{
			ContentTypeNosniff: "nosniff", XFrameOptions: "DENY", ReferrerPolicy: "same-origin",
		}),
	)
	mount(e, s.kit)
	e.GET("/", s.home)
	e.GET("/thanks", s.paymentPage)
	e.GET("/sorry", s.paymentPage)
	e.GET("/waiting", s.paymentPage)
	e.GET("/metrics", echo.WrapHandler(promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{Registry: s.reg})))
	return e
}

// newOrder creates an order for the product, at the server's price. At
// maxOrders it forgets the oldest order that never reached checkout, and
// fails when there is none.
func (s *shop) newOrder() (order, error) {
	o := &order{ID: "ord_" + randomHex(8), Amount: productPrice, Currency: productCurrency}
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

// order is Config.Order: it looks up the reference the buy form carries.
// Whatever else the form says (an "amount", a "price") is never read.
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
		Amount:      o.Amount,
		Currency:    o.Currency,
		Description: productName,
		Customer:    customer,
		Items:       []cauri.Item{{Name: productName, Quantity: 1, UnitPrice: o.Amount}},
	}, nil
}

// onPaid is Config.OnPaid: it marks the order paid. The kit calls it once
// per paid payment; should it call again for a payment (OnPaid succeeded
// but could not be recorded), Payment.ID says it is done already. A
// payment the kit marks (paid twice, or through a superseded checkout) or
// for another amount than the order's is not shipped: it is logged for a
// refund.
func (s *shop) onPaid(ctx context.Context, p cauri.Payment) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[p.OrderID]
	if !ok {
		return fmt.Errorf("payment %s is for unknown order %s", p.ID, p.OrderID)
	}
	o.OnPaidCalls++
	if p.Anomaly != "" || p.Amount != o.Amount || p.Currency != o.Currency {
		s.log.Error("payment not to ship: refund it", "order_id", o.ID, "payment_id", p.ID, "anomaly", string(p.Anomaly),
			"amount", p.Amount, "currency", p.Currency, "order_amount", o.Amount)
		return nil
	}
	switch o.PaidBy {
	case "":
		o.PaidBy = p.ID
		s.log.Info("order paid", "order_id", o.ID, "payment_id", p.ID, "amount", p.Amount, "currency", p.Currency)
	case p.ID:
		// Done already.
	default:
		s.log.Error("order paid twice: refund one payment", "order_id", o.ID, "payment_id", p.ID, "first_payment_id", o.PaidBy)
	}
	return nil
}

// orderByID returns a copy of an order.
func (s *shop) orderByID(id string) (order, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[id]
	if !ok {
		return order{}, false
	}
	return *o, true
}

// home is GET /: the product and a buy form for a new order.
func (s *shop) home(c echo.Context) error {
	o, err := s.newOrder()
	if err != nil {
		return s.render(c, http.StatusServiceUnavailable, "message", "The shop has too many open orders; try again later.")
	}
	return s.render(c, http.StatusOK, "home", struct {
		Order        order
		Product      string
		Price        string
		Offline      bool
		CheckoutPath string
	}{o, productName, cauri.FormatAmount(o.Amount, o.Currency) + " " + o.Currency, s.emu != nil, "/pay/checkout/" + moneroo.Name})
}

// paymentView is the kit's status answer for one payment.
type paymentView struct {
	PaymentID string       `json:"payment_id"`
	OrderID   string       `json:"order_id"`
	Status    cauri.Status `json:"status"`
	Final     bool         `json:"final"`
	Amount    int64        `json:"amount"`
	Currency  string       `json:"currency"`

	Price string `json:"-"`
	// Retry is set on /sorry when the order can be paid again.
	Retry        bool   `json:"-"`
	CheckoutPath string `json:"-"`
}

// paymentPage is GET /thanks, /sorry and /waiting, where the kit sends the
// customer back. Each shows the payment as the kit has it, and sends to
// the page that matches: /waiting turns into /thanks once paid, say.
func (s *shop) paymentPage(c echo.Context) error {
	id, token := c.QueryParam("payment_id"), c.QueryParam("token")
	v, code := s.lookupPayment(c.Request().Context(), id, token)
	switch {
	case code == http.StatusForbidden || code == http.StatusNotFound || code == http.StatusBadRequest:
		return s.render(c, http.StatusNotFound, "message", "This payment link is not valid.")
	case code != http.StatusOK:
		return s.render(c, code, "message", "We could not check this payment. Try again in a moment.")
	}
	want, page := "/waiting", "waiting"
	switch {
	case v.Status == cauri.StatusPaid:
		want, page = "/thanks", "thanks"
	case v.Final:
		want, page = "/sorry", "sorry"
	}
	if c.Path() != want {
		c.Response().Header().Set("Cache-Control", "no-store")
		return c.Redirect(http.StatusSeeOther, want+"?"+url.Values{"payment_id": {id}, "token": {token}}.Encode())
	}
	v.Price = cauri.FormatAmount(v.Amount, v.Currency) + " " + v.Currency
	if o, ok := s.orderByID(v.OrderID); ok && o.PaidBy == "" {
		v.Retry, v.CheckoutPath = true, "/pay/checkout/"+moneroo.Name
	}
	return s.render(c, http.StatusOK, page, v)
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
func (s *shop) render(c echo.Context, code int, name string, data any) error {
	var buf bytes.Buffer
	if err := s.pages.ExecuteTemplate(&buf, name, pageData{Refresh: name == "waiting", Body: data}); err != nil {
		return fmt.Errorf("rendering %s: %w", name, err)
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.HTMLBlob(code, buf.Bytes())
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
{{end}}<title>Cauri echo shop</title>
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
<form method="post" action="{{.CheckoutPath}}">
<input type="hidden" name="order" value="{{.Order.ID}}">
<button type="submit">Pay {{.Price}} with Moneroo</button>
</form>
<p>Order <code>{{.Order.ID}}</code>: the form carries only this reference; the price stays on the server.</p>
{{if .Offline}}<p>Offline demo: the next page is the Moneroo emulator, whose Pay, Fail and Cancel buttons play the customer.</p>
{{end}}{{end}}</body>
</html>
{{end}}

{{define "thanks"}}{{template "top" .}}{{with .Body}}
<h1>Thank you!</h1>
<p>We received {{.Price}} for order <code>{{.OrderID}}</code>.</p>
<p>Payment <code>{{.PaymentID}}</code>: <strong class="status">{{.Status}}</strong></p>
{{end}}{{template "bottom" .}}{{end}}

{{define "sorry"}}{{template "top" .}}{{with .Body}}
<h1>Payment not completed</h1>
<p>Nothing was charged for order <code>{{.OrderID}}</code>.</p>
<p>Payment <code>{{.PaymentID}}</code>: <strong class="status">{{.Status}}</strong></p>
{{if .Retry}}<form method="post" action="{{.CheckoutPath}}">
<input type="hidden" name="order" value="{{.OrderID}}">
<button type="submit">Try again</button>
</form>
{{end}}{{end}}{{template "bottom" .}}{{end}}

{{define "waiting"}}{{template "top" .}}{{with .Body}}
<h1>Waiting for your payment</h1>
<p>Moneroo has not confirmed your payment of {{.Price}} yet. This page reloads by itself until it has.</p>
<p>Payment <code>{{.PaymentID}}</code>: <strong class="status">{{.Status}}</strong></p>
{{end}}{{template "bottom" .}}{{end}}

{{define "message"}}{{template "top" .}}
<h1>Payment</h1>
<p>{{.Body}}</p>
{{template "bottom" .}}{{end}}
`
