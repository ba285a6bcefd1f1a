package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/middleware"
	"github.com/cauripay/cauri/providers/moneroo"
	"github.com/cauripay/cauri/providers/moneroo/monerootest"
)

// product is an entry of the catalogue.
type product struct {
	SKU         string
	Name        string
	Description string
	Price       int64 // in the currency's smallest unit
	Currency    string
}

// catalogue is the shop's price list. Prices live here, on the server, and
// nowhere else.
var catalogue = map[string]product{
	"pagne-wax": {
		SKU:         "pagne-wax",
		Name:        "Pagne wax",
		Description: "Six yards of hand-printed wax cotton, indigo and saffron.",
		Price:       5000,
		Currency:    "XOF",
	},
}

// featured is the product on the home page.
const featured = "pagne-wax"

// customer is the payer of every demo order: Moneroo requires an email, a
// first and a last name. A real shop takes them from the customer's
// account.
var customer = cauri.Customer{FirstName: "Awa", LastName: "Diallo", Email: "awa.diallo@example.com", Country: "CI"}

// maxOrders bounds the orders kept in memory: every visit to / creates one.
const maxOrders = 10_000

// order is one of the shop's orders.
type order struct {
	ID        string
	Product   product
	Amount    int64
	Currency  string
	CreatedAt time.Time
	// Payments are the kit's payments for the order, oldest first.
	Payments []string
	// PaidBy is the payment OnPaid was first called for; empty while the
	// order is unpaid.
	PaidBy string
	PaidAt time.Time
	// OnPaidCalls counts the calls to OnPaid for the order.
	OnPaidCalls int
}

// shop is the demo shop: its orders, the kit and its database, and the
// emulator in offline mode.
type shop struct {
	cfg   config
	log   *slog.Logger
	kit   *cauri.Kit
	db    *sql.DB // the kit's payments
	reg   *prometheus.Registry
	emu   *monerootest.Server // nil against the real Moneroo
	pages *template.Template

	mu     sync.Mutex
	orders map[string]*order
	seq    []string // order IDs, oldest first
}

// newShop builds the shop for cfg. It opens the database of
// cfg.DatabaseURL and migrates it, within migrateTimeout or until ctx is
// done, and in emulator mode (no MonerooSecretKey) starts the Moneroo
// emulator. Close closes both.
func newShop(ctx context.Context, cfg config) (*shop, error) {
	if cfg.PublicURL == "" {
		return nil, errors.New("newShop: PublicURL is required")
	}
	if err := cfg.checkSecret(); err != nil {
		return nil, err
	}
	dbase, err := parseDatabaseURL(cfg.DatabaseURL)
	if err != nil {
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
		pages:  template.Must(template.New("pages").Funcs(template.FuncMap{"price": displayPrice}).Parse(pagesHTML)),
		orders: make(map[string]*order),
	}
	s.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	db, store, err := dbase.open(ctx, cfg.tablePrefix)
	if err != nil {
		return nil, err
	}
	s.db = db
	log.Info("payments are kept in "+dbase.dialect.String(), "database", dbase.display)

	var mcfg moneroo.Config
	if cfg.live() {
		mcfg = moneroo.Config{SecretKey: cfg.MonerooSecretKey, BaseURL: cfg.MonerooBaseURL}
		if cfg.MonerooWebhookSecret != "" {
			mcfg.WebhookSecrets = []string{cfg.MonerooWebhookSecret}
		} else {
			log.Warn("MONEROO_WEBHOOK_SECRET is not set: each webhook is confirmed with Moneroo's API before it counts")
		}
		if u, _ := url.Parse(cfg.PublicURL); u != nil && isLoopback(u.Hostname()) {
			log.Warn("PUBLIC_URL is a loopback address: Moneroo's webhooks cannot reach it", "public_url", cfg.PublicURL)
		}
		log.Info("Moneroo webhooks must be set up in its dashboard", "url", cfg.PublicURL+"/pay/webhooks/moneroo")
	} else {
		if cfg.MonerooWebhookSecret != "" || cfg.MonerooBaseURL != "" {
			log.Warn("MONEROO_WEBHOOK_SECRET and MONEROO_BASE_URL are ignored without MONEROO_SECRET_KEY")
		}
		s.emu = monerootest.New(monerootest.WithMerchant("Cauri demo shop"))
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
		// The shop links its orders to their payments as the kit creates
		// them; a shop with its orders in the database would query
		// payments by order ID.
		Store:      orderLinks{Store: store, shop: s},
		Providers:  []cauri.Provider{prov},
		PublicURL:  cfg.PublicURL + "/pay",
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

// Close stops the emulator, if the shop started one, and closes the
// database.
func (s *shop) Close() {
	if s.emu != nil {
		s.emu.Close()
	}
	if s.db != nil {
		if err := s.db.Close(); err != nil {
			s.log.Error("closing the database", "err", err)
		}
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

// handler is the shop's whole HTTP interface: its pages, the kit under
// /pay, and the metrics.
func (s *shop) handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/pay/", http.StripPrefix("/pay", s.kit))
	mux.HandleFunc("GET /{$}", s.home)
	mux.HandleFunc("GET /thanks", s.paymentPage)
	mux.HandleFunc("GET /sorry", s.paymentPage)
	mux.HandleFunc("GET /waiting", s.paymentPage)
	mux.HandleFunc("GET /orders", s.ordersPage)
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{Registry: s.reg}))
	return middleware.Chain(middleware.Recover(s.log), middleware.BodyLimit(1<<20))(mux)
}

// newOrder creates an order for one unit of a catalogue product, at the
// catalogue's price. At maxOrders it forgets the oldest order that never
// reached checkout, and fails when there is none.
func (s *shop) newOrder(p product) (*order, error) {
	o := &order{ID: "ord_" + randomHex(8), Product: p, Amount: p.Price, Currency: p.Currency, CreatedAt: time.Now()}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.orders) >= maxOrders {
		i := slices.IndexFunc(s.seq, func(id string) bool { return len(s.orders[id].Payments) == 0 })
		if i < 0 {
			return nil, errors.New("too many orders")
		}
		delete(s.orders, s.seq[i])
		s.seq = slices.Delete(s.seq, i, i+1)
	}
	s.orders[o.ID] = o
	s.seq = append(s.seq, o.ID)
	return o, nil
}

// order is Config.Order: it looks up the reference the buy form carries.
// Whatever else the form says (an "amount", a "price") is never read: the
// amount is the one the server recorded with the order.
func (s *shop) order(r *http.Request, provider string) (cauri.Order, error) {
	ref := r.PostFormValue("order")
	s.mu.Lock()
	o, ok := s.orders[ref]
	var snap order
	if ok {
		snap = *o
	}
	s.mu.Unlock()
	switch {
	case !ok:
		return cauri.Order{}, fmt.Errorf("order %q: %w", ref, cauri.ErrNotFound)
	case snap.PaidBy != "":
		// A new payment would charge the customer twice.
		return cauri.Order{}, &cauri.ValidationError{What: "order", Fields: []cauri.FieldError{{Field: "order", Reason: "is already paid"}}}
	}
	return cauri.Order{
		ID:          snap.ID,
		Amount:      snap.Amount,
		Currency:    snap.Currency,
		Description: snap.Product.Name,
		Customer:    customer,
		Items:       []cauri.Item{{Name: snap.Product.Name, Quantity: 1, UnitPrice: snap.Amount}},
		Metadata:    map[string]string{"sku": snap.Product.SKU},
	}, nil
}

// onPaid is Config.OnPaid: it marks the order paid. The kit calls it once
// per paid payment; the count shows it on /orders.
func (s *shop) onPaid(ctx context.Context, p cauri.Payment) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[p.OrderID]
	if !ok {
		return fmt.Errorf("payment %s is for unknown order %s", p.ID, p.OrderID)
	}
	o.OnPaidCalls++
	switch o.PaidBy {
	case "":
		o.PaidBy, o.PaidAt = p.ID, time.Now()
		s.log.Info("order paid", "order_id", o.ID, "payment_id", p.ID, "amount", p.Amount, "currency", p.Currency)
	case p.ID:
		// Payment.ID is the idempotency key: already done.
	default:
		s.log.Error("order paid twice: refund one payment", "order_id", o.ID, "payment_id", p.ID, "first_payment_id", o.PaidBy)
	}
	return nil
}

// linkPayment records that the kit created payment id for order orderID.
func (s *shop) linkPayment(orderID, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if o, ok := s.orders[orderID]; ok {
		o.Payments = append(o.Payments, id)
	}
}

// orderLinks is the kit's store, with each new payment also recorded on
// its order.
type orderLinks struct {
	cauri.Store
	shop *shop
}

func (l orderLinks) Create(ctx context.Context, p cauri.Payment) error {
	if err := l.Store.Create(ctx, p); err != nil {
		return err
	}
	l.shop.linkPayment(p.OrderID, p.ID)
	return nil
}

// pageData is what every page template gets.
type pageData struct {
	Title string
	Live  bool
	Body  any
}

// render writes page name with status code.
func (s *shop) render(w http.ResponseWriter, code int, name, title string, body any) {
	var buf bytes.Buffer
	if err := s.pages.ExecuteTemplate(&buf, name, pageData{Title: title, Live: s.emu == nil, Body: body}); err != nil {
		s.log.Error("rendering a page", "page", name, "err", err)
		http.Error(w, "internal server error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin") // payment pages carry tokens in their URL
	h.Set("X-Frame-Options", "DENY")
	w.WriteHeader(code)
	_, _ = w.Write(buf.Bytes())
}

// home is GET /: the featured product and a buy form for a new order.
func (s *shop) home(w http.ResponseWriter, r *http.Request) {
	p := catalogue[featured]
	o, err := s.newOrder(p)
	if err != nil {
		s.render(w, http.StatusServiceUnavailable, "message", "Busy", "The shop has too many open orders; try again later.")
		return
	}
	s.render(w, http.StatusOK, "home", p.Name, o)
}

// paymentView is the kit's status answer for one payment, with the order
// it is for.
type paymentView struct {
	PaymentID string       `json:"payment_id"`
	OrderID   string       `json:"order_id"`
	Status    cauri.Status `json:"status"`
	Final     bool         `json:"final"`
	Amount    int64        `json:"amount"`
	Currency  string       `json:"currency"`

	Order *order `json:"-"` // nil when the shop forgot it
	// Query is payment_id and token, for links between the payment pages.
	Query                           string `json:"-"`
	ThanksURL, SorryURL, WaitingURL string `json:"-"`
	// StatusURL is the kit's status endpoint, for the waiting page to poll.
	StatusURL string `json:"-"`
}

// paymentPage is GET /thanks, /sorry and /waiting, where the kit sends the
// customer back. Each shows the payment's status as the kit has it, and
// sends to the page that matches it: /waiting turns into /thanks once
// paid, say.
func (s *shop) paymentPage(w http.ResponseWriter, r *http.Request) {
	v, code := s.lookupPayment(r)
	if code != http.StatusOK {
		msg := "We could not check this payment. Try again in a moment."
		if code == http.StatusForbidden || code == http.StatusNotFound || code == http.StatusBadRequest {
			code, msg = http.StatusNotFound, "This payment link is not valid."
		}
		s.render(w, code, "message", "Payment", msg)
		return
	}
	want, name, title := "/waiting", "waiting", "Waiting for your payment"
	switch {
	case v.Status == cauri.StatusPaid:
		want, name, title = "/thanks", "thanks", "Thank you"
	case v.Final:
		want, name, title = "/sorry", "sorry", "Payment not completed"
	}
	if r.URL.Path != want {
		w.Header().Set("Cache-Control", "no-store")
		http.Redirect(w, r, want+"?"+v.Query, http.StatusSeeOther)
		return
	}
	s.render(w, http.StatusOK, name, title, v)
}

// lookupPayment checks the payment_id and token of r's query by asking the
// kit's status endpoint, in process: only the kit can check its tokens, and
// for a pending payment it also asks the provider. It returns the kit's
// HTTP status.
func (s *shop) lookupPayment(r *http.Request) (paymentView, int) {
	q := r.URL.Query()
	id, token := q.Get("payment_id"), q.Get("token")
	if id == "" || token == "" || len(id) > 64 || len(token) > 256 {
		return paymentView{}, http.StatusBadRequest
	}
	query := url.Values{"payment_id": {id}, "token": {token}}.Encode()
	statusURL := "/payments/" + url.PathEscape(id) + "?" + url.Values{"token": {token}}.Encode()
	req, err := http.NewRequestWithContext(r.Context(), http.MethodGet, statusURL, nil)
	if err != nil {
		return paymentView{}, http.StatusBadRequest
	}
	req.Header.Set("Accept", "application/json")
	var res bufferedResponse
	s.kit.ServeHTTP(&res, req)
	if res.code != http.StatusOK {
		return paymentView{}, res.code
	}
	var v paymentView
	if err := json.Unmarshal(res.body.Bytes(), &v); err != nil {
		s.log.Error("reading the kit's status answer", "err", err)
		return paymentView{}, http.StatusInternalServerError
	}
	v.Query, v.StatusURL = query, "/pay"+statusURL
	v.ThanksURL, v.SorryURL, v.WaitingURL = "/thanks?"+query, "/sorry?"+query, "/waiting?"+query
	s.mu.Lock()
	if o, ok := s.orders[v.OrderID]; ok {
		c := *o
		c.Payments = slices.Clone(o.Payments)
		v.Order = &c
	}
	s.mu.Unlock()
	return v, http.StatusOK
}

// bufferedResponse keeps an in-process answer of the kit.
type bufferedResponse struct {
	header http.Header
	code   int
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header {
	if b.header == nil {
		b.header = make(http.Header)
	}
	return b.header
}

func (b *bufferedResponse) WriteHeader(code int) {
	if b.code == 0 {
		b.code = code
	}
}

func (b *bufferedResponse) Write(p []byte) (int, error) {
	b.WriteHeader(http.StatusOK)
	return b.body.Write(p)
}

// orderRow is a line of /orders.
type orderRow struct {
	order
	PaymentID string       // the latest payment, "" before checkout
	Status    cauri.Status // its status as the kit has it
}

// ordersPage is GET /orders: the newest orders first, each with its latest
// payment's status and its OnPaid count.
func (s *shop) ordersPage(w http.ResponseWriter, r *http.Request) {
	const shown = 100
	s.mu.Lock()
	rows := make([]orderRow, 0, min(len(s.seq), shown))
	for _, id := range slices.Backward(s.seq) {
		if len(rows) == shown {
			break
		}
		o := s.orders[id]
		row := orderRow{order: *o}
		row.Payments = slices.Clone(o.Payments)
		rows = append(rows, row)
	}
	total := len(s.seq)
	s.mu.Unlock()

	for i := range rows {
		row := &rows[i]
		if len(row.Payments) == 0 {
			continue
		}
		row.PaymentID = row.Payments[len(row.Payments)-1]
		p, err := s.kit.Payment(r.Context(), row.PaymentID)
		if err != nil {
			s.log.Error("loading a payment", "payment_id", row.PaymentID, "err", err)
			continue
		}
		row.Status = p.Status
	}
	s.render(w, http.StatusOK, "orders", "Orders", struct {
		Rows  []orderRow
		Total int
	}{rows, total})
}

// displayPrice formats an amount for people: "5 000 FCFA", "10.50 USD",
// with no-break spaces.
func displayPrice(amount int64, currency string) string {
	s := cauri.FormatAmount(amount, currency)
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	whole, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	b.WriteString(sign)
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteString("\u00a0")
		}
		b.WriteRune(c)
	}
	if hasFrac {
		b.WriteString("." + frac)
	}
	unit := currency
	if currency == "XOF" || currency == "XAF" {
		unit = "FCFA"
	}
	return b.String() + "\u00a0" + unit
}

// randomHex returns n random bytes in hex.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}

// isLoopback reports whether host is localhost or a loopback IP.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
