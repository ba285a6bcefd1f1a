package main

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/examples/internal/demo"
	"github.com/cauripay/cauri/middleware"
	"github.com/cauripay/cauri/providers/emulators"
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
// first and a last name, MoneyFusion and NovaSend a phone number, NovaSend
// a country it serves. A real shop takes them from the customer's account.
var customer = cauri.Customer{
	FirstName: "Awa", LastName: "Diallo", Email: "awa.diallo@example.com",
	Phone: "+2250701020304", Country: "CI",
}

// offer is a provider the shop offers, as its pages show it.
type offer struct {
	Name  string // the kit's name for it, in /pay/checkout/{Name}
	Label string // its name for people
	// Emulated is set when the provider is its emulator on loopback.
	Emulated bool
	// Where says which API or emulator, without secrets.
	Where string
}

// shop is the demo shop: its orders, the kit and its database, and the
// emulators of the providers whose credentials are not set.
type shop struct {
	cfg    config
	log    *slog.Logger
	kit    *cauri.Kit
	db     *sql.DB // the kit's payments and the shop's orders
	orders *orderStore
	reg    *prometheus.Registry
	offers []offer
	// emus are the emulators the shop started, by provider name.
	emus  map[string]emulators.Started
	pages *template.Template

	// stopReconciler ends the reconciler, which closes reconciled once it
	// has returned.
	// adminPassword opens the console at /admin; empty, it stays shut.
	// adminGenerated says it was made up for this run.
	adminPassword  string
	adminGenerated bool

	stopReconciler context.CancelFunc
	reconciled     chan struct{}
}

// newShop builds the shop for cfg. It opens the database of
// cfg.DatabaseURL and migrates it, within migrateTimeout or until ctx is
// done, starts the emulator of every offered provider whose credentials
// are not set, and runs the kit's reconciler until ctx is done or Close
// is called. Close stops all of it.
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
		cfg:   cfg,
		log:   log,
		reg:   prometheus.NewRegistry(),
		emus:  make(map[string]emulators.Started),
		pages: template.Must(template.New("pages").Funcs(template.FuncMap{"price": displayPrice, "buttons": newButtons}).Parse(pagesHTML)),
	}
	s.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	db, store, orders, err := dbase.open(ctx, cfg.tablePrefix)
	if err != nil {
		return nil, err
	}
	s.db, s.orders = db, orders
	log.Info("payments and orders are kept in "+dbase.dialect.String(), "database", dbase.display, "orders_table", orders.table)

	providers, err := s.startProviders()
	if err != nil {
		s.Close()
		return nil, err
	}
	if len(s.emus) > 0 && s.cfg.Secret == "" {
		s.cfg.Secret = demo.RandomHex(32)
		log.Warn("CAURI_SECRET is not set: using a random secret for this run (fine for an offline demo; payment links stop working on restart)")
	}

	switch {
	case cfg.AdminPassword != "":
		s.adminPassword = cfg.AdminPassword
	case len(cfg.live()) == 0:
		s.adminPassword = demo.RandomHex(12)
		s.adminGenerated = true
	default:
		log.Warn("ADMIN_PASSWORD is not set: the console at /admin lets nobody in")
	}

	s.kit, err = cauri.New(cauri.Config{
		// The shop records each new payment on its order as the kit
		// creates it, for the orders page.
		Store:      orderLinks{consoleStore: store, shop: s},
		Providers:  providers,
		PublicURL:  cfg.PublicURL + "/pay",
		Secret:     s.cfg.Secret,
		Order:      s.order,
		OnPaid:     s.onPaid,
		SuccessURL: "/thanks",
		FailureURL: "/sorry",
		PendingURL: "/waiting",
		Registerer: s.reg,
		Logger:     log,
		Reconcile:  cfg.reconcile,
		// Zero: the kit's default.
		PollInterval: cfg.pollInterval,
		// The console at /admin: HTTP Basic auth, ADMIN_PASSWORD.
		AdminAuth:      s.adminAuth,
		AdminChallenge: `Basic realm="cauri demo shop admin", charset="UTF-8"`,
	})
	if err != nil {
		s.Close()
		return nil, err
	}

	every := cfg.reconcileEvery
	if every <= 0 {
		every = reconcileInterval
	}
	rctx, stop := context.WithCancel(ctx)
	s.stopReconciler, s.reconciled = stop, make(chan struct{})
	go func() {
		defer close(s.reconciled)
		_ = s.kit.RunReconciler(rctx, every) // returns rctx's error
	}()
	log.Info("reconciler started", "every", every)
	return s, nil
}

// startProviders builds the offered providers: against their real API
// when their credentials are set, else against an emulator it starts and
// records in s.emus.
func (s *shop) startProviders() ([]cauri.Provider, error) {
	cfg, log := s.cfg, s.log
	offered := cfg.offered()
	var ignored []string
	for _, sp := range providerSpecs() {
		if !slices.ContainsFunc(offered, func(o providerSpec) bool { return o.name == sp.name }) {
			for _, k := range sp.vars() {
				if cfg.ProviderEnv[k] != "" {
					ignored = append(ignored, k)
				}
			}
		}
	}
	if len(ignored) > 0 {
		log.Warn("variables of providers "+providersVar+" leaves out are ignored", "variables", strings.Join(ignored, ","))
	}

	var providers []cauri.Provider
	liveCount := 0
	for _, sp := range offered {
		live, err := sp.isLive(cfg.ProviderEnv)
		if err != nil {
			return nil, err
		}
		var p cauri.Provider
		o := offer{Name: sp.name, Label: sp.label}
		if live {
			liveCount++
			p, o.Where, err = sp.live(cfg.ProviderEnv, log)
			if err != nil {
				return nil, sp.configError(err)
			}
			log.Info(sp.label+" uses its real API", "provider", sp.name, "api", o.Where,
				"webhook_url", cfg.PublicURL+"/pay/webhooks/"+sp.name)
			if v := sp.webhookSecretVar; v != "" && cfg.ProviderEnv[v] == "" {
				log.Warn(v+" is not set: each webhook is confirmed with "+sp.label+"'s API before it counts", "provider", sp.name)
			}
		} else {
			var emu emulators.Started
			emu, p, err = sp.emulate(cfg.ProviderEnv, log)
			if emu.Emulator != nil {
				s.emus[sp.name] = emu
			}
			if err != nil {
				return nil, sp.configError(err)
			}
			// Providers configured in a dashboard notify this URL; the
			// others take the kit's per-payment callback URL.
			emu.SetWebhookURL(cfg.PublicURL + "/pay/webhooks/" + sp.name)
			o.Emulated, o.Where = true, emu.URL
			log.Info(sp.label+" is emulated: payments go to its emulator", "provider", sp.name, "emulator", emu.URL)
		}
		s.offers = append(s.offers, o)
		providers = append(providers, p)
	}
	if liveCount > 0 {
		if u, _ := url.Parse(cfg.PublicURL); u != nil && isLoopback(u.Hostname()) {
			log.Warn("PUBLIC_URL is a loopback address: the real providers' webhooks cannot reach it", "public_url", cfg.PublicURL)
		}
	}
	return providers, nil
}

// Close stops the reconciler, the emulators the shop started, and closes
// the database.
func (s *shop) Close() {
	if s.stopReconciler != nil {
		s.stopReconciler()
		<-s.reconciled
	}
	for _, emu := range s.emus {
		emu.Close()
	}
	if s.db != nil {
		if err := s.db.Close(); err != nil {
			s.log.Error("closing the database", "err", err)
		}
	}
}

// mode says where payments go, for the start-up line.
func (s *shop) mode() string {
	parts := make([]string, len(s.offers))
	for i, o := range s.offers {
		if o.Emulated {
			parts[i] = o.Name + " on its emulator at " + o.Where
		} else {
			parts[i] = o.Name + " live at " + o.Where
		}
	}
	return strings.Join(parts, ", ")
}

// label is the name for people of provider name.
func (s *shop) label(name string) string {
	for _, o := range s.offers {
		if o.Name == name {
			return o.Label
		}
	}
	return name
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
	mux.Handle("/admin/", http.StripPrefix("/admin", s.kit.AdminHandler()))
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{Registry: s.reg}))
	return middleware.Chain(middleware.Recover(s.log), middleware.BodyLimit(1<<20))(mux)
}

// adminAuth checks HTTP Basic credentials against ADMIN_PASSWORD in
// constant time; the user name, any, is recorded as who acted.
func (s *shop) adminAuth(r *http.Request) (string, bool) {
	user, pass, ok := r.BasicAuth()
	if !ok || s.adminPassword == "" || user == "" {
		return "", false
	}
	// Hashed first: the comparison takes as long whatever the lengths.
	got, want := sha256.Sum256([]byte(pass)), sha256.Sum256([]byte(s.adminPassword))
	if subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
		return "", false
	}
	return user, true
}

// orderRef matches the order references the home page hands out.
var orderRef = regexp.MustCompile(`^ord_[0-9a-f]{16}$`)

// newOrderRef returns a fresh order reference.
func newOrderRef() string { return "ord_" + demo.RandomHex(8) }

// order is Config.Order. The buy form carries an order reference and the
// SKU of the product: the first checkout of a reference records the order,
// for one unit at the catalogue's price; later ones (trying again, another
// provider) load it. Whatever else the form says (an "amount", a "price")
// is never read: the amount is the catalogue's, recorded with the order.
func (s *shop) order(r *http.Request, provider string) (cauri.Order, error) {
	ref := r.PostFormValue("order")
	if !orderRef.MatchString(ref) {
		return cauri.Order{}, fmt.Errorf("order reference %.70q: %w", ref, errNoOrder)
	}
	o, err := s.orders.get(r.Context(), ref)
	if errors.Is(err, errNoOrder) {
		p, ok := catalogue[r.PostFormValue("sku")]
		if !ok {
			return cauri.Order{}, err
		}
		o, err = s.orders.create(r.Context(), order{ID: ref, SKU: p.SKU, Amount: p.Price, Currency: p.Currency, CreatedAt: time.Now()})
		if err == nil {
			s.log.Info("order recorded", "order_id", o.ID, "sku", o.SKU, "amount", o.Amount, "currency", o.Currency)
		}
	}
	switch {
	case err != nil:
		return cauri.Order{}, err
	case o.PaidBy != "":
		// A new payment would charge the customer twice.
		return cauri.Order{}, &cauri.ValidationError{What: "order", Fields: []cauri.FieldError{{Field: "order", Reason: "is already paid"}}}
	}
	name := o.Product().Name
	return cauri.Order{
		ID:          o.ID,
		Amount:      o.Amount,
		Currency:    o.Currency,
		Description: name,
		Customer:    customer,
		Items:       []cauri.Item{{Name: name, Quantity: 1, UnitPrice: o.Amount}},
		Metadata:    map[string]string{"sku": o.SKU},
	}, nil
}

// onPaid is Config.OnPaid: it marks the order paid, idempotently on
// Payment.ID. The kit calls it once per paid payment; a second call for
// the same payment (one whose success the kit could not record) only
// counts. An order the shop has no record of is recorded from the payment
// instead of failing forever. The count shows on /orders.
//
// A payment the kit marks (paid twice, or through a checkout a newer one
// replaced) or whose amount is not the order's is not shipped: the money
// moved, and the log line is what a person refunds from.
func (s *shop) onPaid(ctx context.Context, p cauri.Payment) error {
	attrs := []any{"order_id", p.OrderID, "payment_id", p.ID, "provider", p.Provider, "amount", p.Amount, "currency", p.Currency}
	if p.Anomaly != "" {
		s.log.Error("payment not to ship: refund it", append(attrs, "anomaly", string(p.Anomaly), "superseded_by", p.SupersededBy)...)
		return nil
	}
	switch o, err := s.orders.get(ctx, p.OrderID); {
	case errors.Is(err, errNoOrder): // recorded from the payment below
	case err != nil:
		return err
	case o.Amount != p.Amount || o.Currency != p.Currency:
		s.log.Error("payment for another amount than the order's: refund it", append(attrs, "order_amount", o.Amount, "order_currency", o.Currency)...)
		return nil
	}
	res, err := s.orders.markPaid(ctx, p, time.Now())
	if err != nil {
		return err
	}
	switch {
	case res.Recorded:
		s.log.Warn("paid an order the shop had no record of: recorded it from the payment", attrs...)
	case res.First:
		s.log.Info("order paid", attrs...)
	case res.PaidBy == p.ID:
		s.log.Info("OnPaid again for the payment that paid the order: nothing more to do", attrs...)
	default:
		s.log.Error("order paid twice: refund one payment", append(attrs, "first_payment_id", res.PaidBy)...)
	}
	return nil
}

// orderLinks is the kit's store, with each new payment also recorded on
// its order.
type orderLinks struct {
	consoleStore
	shop *shop
}

// consoleStore is what the kit's store is to the shop: a Store that keeps
// payments' histories and finds payments, for the console at /admin.
type consoleStore interface {
	cauri.Store
	cauri.HistoryStore
	cauri.PaymentFinder
}

// Create stores p, then records it on its order. The link only feeds the
// orders page (OnPaid finds the order by Payment.OrderID), so failing to
// record it is logged, not returned: the checkout goes on.
func (l orderLinks) Create(ctx context.Context, p cauri.Payment) error {
	if err := l.consoleStore.Create(ctx, p); err != nil {
		return err
	}
	if err := l.shop.orders.linkPayment(ctx, p.OrderID, p.ID, p.Provider); err != nil {
		l.shop.log.Error("recording a payment on its order", "err", err)
	}
	return nil
}

// pageData is what every page template gets.
type pageData struct {
	Title string
	// Page names the page, in its <main data-page>, for tests and
	// scripts.
	Page string
	// Emulated lists the providers on their emulator, for the header.
	Emulated []string
	// Offers are the providers the shop offers, for buy buttons.
	Offers []offer
	Body   any
}

// render writes page name with status code.
func (s *shop) render(w http.ResponseWriter, code int, name, title string, body any) {
	var emulated []string
	for _, o := range s.offers {
		if o.Emulated {
			emulated = append(emulated, o.Label)
		}
	}
	data := pageData{Title: title, Page: name, Emulated: emulated, Offers: s.offers, Body: body}
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	demo.WritePage(w, s.log, code, name, func(buf io.Writer) error { return s.pages.ExecuteTemplate(buf, name, data) })
}

// buttonsView is the data of the "buttons" template: a buy button per
// provider, for an order.
type buttonsView struct {
	Offers       []offer
	OrderID, SKU string
	Verb         string // "Pay 5 000 FCFA"
}

// newButtons is the template function "buttons".
func newButtons(offers []offer, orderID, sku, verb string) buttonsView {
	return buttonsView{Offers: offers, OrderID: orderID, SKU: sku, Verb: verb}
}

// homeView is the home page's data: the product and a fresh order
// reference for its buy buttons.
type homeView struct {
	Product product
	OrderID string
}

// home is GET /: the featured product and a buy button per provider. The
// buttons carry a fresh order reference and the SKU; the order is
// recorded, at the catalogue's price, by its first checkout, so that
// visits that buy nothing leave nothing in the database.
func (s *shop) home(w http.ResponseWriter, r *http.Request) {
	s.render(w, http.StatusOK, "home", catalogue[featured].Name, homeView{Product: catalogue[featured], OrderID: newOrderRef()})
}

// paymentView is the kit's status answer for one payment, with the order
// it is for.
type paymentView struct {
	cauri.StatusResponse

	// ProviderLabel is the provider's name for people.
	ProviderLabel string `json:"-"`
	Order         *order `json:"-"` // nil when the shop has no record of it
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
	st, code, err := demo.LookupPayment(r.Context(), s.kit, id, token)
	if err != nil {
		s.log.Error("reading the kit's status answer", "err", err)
	}
	if code != http.StatusOK {
		return paymentView{}, code
	}
	v := paymentView{StatusResponse: st}
	query := url.Values{"payment_id": {id}, "token": {token}}.Encode()
	statusURL := "/payments/" + url.PathEscape(id) + "?" + url.Values{"token": {token}}.Encode()
	v.ProviderLabel = s.label(v.Provider)
	v.Query, v.StatusURL = query, "/pay"+statusURL
	v.ThanksURL, v.SorryURL, v.WaitingURL = "/thanks?"+query, "/sorry?"+query, "/waiting?"+query
	switch o, err := s.orders.get(r.Context(), v.OrderID); {
	case err == nil:
		v.Order = &o
	case !errors.Is(err, errNoOrder):
		s.log.Error("loading an order", "order_id", v.OrderID, "err", err)
	}
	return v, http.StatusOK
}

// orderRow is a line of /orders.
type orderRow struct {
	order
	ProviderLabel string
	Status        cauri.Status // the latest payment's, as the kit has it
}

// ordersShown is how many orders /orders lists, the newest.
const ordersShown = 100

// ordersPage is GET /orders: the newest orders first, each with its latest
// payment's status and its OnPaid count.
func (s *shop) ordersPage(w http.ResponseWriter, r *http.Request) {
	orders, total, err := s.orders.list(r.Context(), ordersShown)
	if err != nil {
		s.log.Error("listing orders", "err", err)
		s.render(w, http.StatusServiceUnavailable, "message", "Orders", "We could not load the orders. Try again in a moment.")
		return
	}
	rows := make([]orderRow, len(orders))
	for i, o := range orders {
		rows[i] = orderRow{order: o, ProviderLabel: s.label(o.LastProvider)}
		if o.LastPayment == "" {
			continue
		}
		p, err := s.kit.Payment(r.Context(), o.LastPayment)
		if err != nil {
			s.log.Error("loading a payment", "payment_id", o.LastPayment, "err", err)
			continue
		}
		rows[i].Status = p.Status
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

// isLoopback reports whether host is localhost or a loopback IP.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
