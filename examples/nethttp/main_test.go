package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/examples/internal/demotest"
	"github.com/cauripay/cauri/providers/dexchange/dexchangetest"
	"github.com/cauripay/cauri/providers/dexpay"
	"github.com/cauripay/cauri/providers/dexpay/dexpaytest"
	"github.com/cauripay/cauri/providers/emulators"
	"github.com/cauripay/cauri/providers/moneroo/monerootest"
	"github.com/cauripay/cauri/providers/moneyfusion/moneyfusiontest"
	"github.com/cauripay/cauri/providers/novasend/novasendtest"
	"github.com/cauripay/cauri/providers/paydunya/paydunyatest"
	"github.com/cauripay/cauri/providers/providertest"
	sqlstore "github.com/cauripay/cauri/stores/sql"
)

// allProviders are the providers the shop offers by default, in order.
var allProviders = []string{"moneroo", "moneyfusion", "dexchange", "dexpay", "novasend", "paydunya"}

// testShop is the shop served by an httptest server whose URL is the
// shop's PUBLIC_URL, with the emulators its payments go to.
type testShop struct {
	*shop
	ts *httptest.Server
	// emus are the emulators behind each provider: the shop's own, or
	// those a test started and configured the shop with as if live.
	emus map[string]providertest.Emulator
}

// newTestShop is a test shop on every provider's emulator and a new SQLite
// file.
func newTestShop(t *testing.T) *testShop {
	t.Helper()
	return newTestShopWith(t, config{DatabaseURL: sqliteURL(t)})
}

// sqliteURL is the DATABASE_URL of a new SQLite file, removed when t ends.
func sqliteURL(t *testing.T) string {
	return "sqlite://" + filepath.Join(t.TempDir(), "cauri.db")
}

// newTestShopOn is a test shop on the emulators whose kit keeps its
// payments, and the shop its orders, at databaseURL, in tables with
// tablePrefix, which are dropped when t ends, unless tablePrefix is empty.
func newTestShopOn(t *testing.T, databaseURL, tablePrefix string) *testShop {
	t.Helper()
	return newTestShopWith(t, config{DatabaseURL: databaseURL, tablePrefix: tablePrefix})
}

// newTestShopWith is a test shop for cfg, whose PublicURL and Logger it
// sets.
func newTestShopWith(t *testing.T, cfg config) *testShop {
	t.Helper()
	cfg.Logger = slog.New(slog.NewTextHandler(t.Output(), nil))
	ts := &testShop{emus: make(map[string]providertest.Emulator)}
	ts.ts = demotest.Serve(t, func(publicURL string) (http.Handler, error) {
		cfg.PublicURL = publicURL
		s, err := newShop(t.Context(), cfg)
		if err != nil {
			return nil, err
		}
		t.Cleanup(s.Close)
		if cfg.tablePrefix != "" {
			dropTables(t, s.db, cfg.tablePrefix) // before s.Close, after the server's
		}
		ts.shop = s
		return s.handler(), nil
	})
	for name, emu := range ts.shop.emus {
		ts.emus[name] = emu.Emulator
	}
	return ts
}

// do sends a request and returns the answer's status, Location and body.
func (ts *testShop) do(t *testing.T, method, rawURL string, form url.Values) (int, string, string) {
	t.Helper()
	a := demotest.Do(t, ts.ts.URL, method, rawURL, form)
	return a.Code, a.Location, a.Body
}

func (ts *testShop) get(t *testing.T, rawURL string) (int, string, string) {
	t.Helper()
	return ts.do(t, http.MethodGet, rawURL, nil)
}

var (
	orderField = regexp.MustCompile(`<input type="hidden" name="order" value="([^"]+)">`)
	buyForm    = regexp.MustCompile(`<form method="post" action="/pay/checkout/([a-z]+)" data-provider="([a-z]+)">`)
)

// openOrder loads the home page, checks that it has a buy button for
// every provider the shop offers, and returns the order reference they
// carry.
func (ts *testShop) openOrder(t *testing.T) string {
	t.Helper()
	code, _, body := ts.get(t, "/")
	if code != http.StatusOK {
		t.Fatalf("GET /: %d\n%s", code, body)
	}
	if !strings.Contains(body, "Pagne wax, 5\u00a0000\u00a0FCFA") {
		t.Errorf("GET /: no product and price in\n%s", body)
	}
	var forms []string
	for _, m := range buyForm.FindAllStringSubmatch(body, -1) {
		forms = append(forms, m[1])
	}
	want := make([]string, len(ts.offers))
	for i, o := range ts.offers {
		want[i] = o.Name
	}
	if !slices.Equal(forms, want) {
		t.Errorf("GET /: buy buttons for %v, want %v", forms, want)
	}
	m := orderField.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("GET /: no order reference in the form\n%s", body)
	}
	return m[1]
}

// buy is what a buy button posts for order ref.
func buy(ref string) url.Values { return url.Values{"order": {ref}, "sku": {"pagne-wax"}} }

// checkout posts a buy form to provider and returns its emulator's
// checkout page URL.
func (ts *testShop) checkout(t *testing.T, provider string, form url.Values) string {
	t.Helper()
	code, loc, body := ts.do(t, http.MethodPost, "/pay/checkout/"+provider, form)
	if code != http.StatusSeeOther || !strings.HasPrefix(loc, "http://127.0.0.1:") || strings.HasPrefix(loc, ts.ts.URL) {
		t.Fatalf("checkout with %s: %d to %q, want 303 to the emulator\n%s", provider, code, loc, body)
	}
	return loc
}

// lastPayment returns the latest payment the kit opened for order ref.
func (ts *testShop) lastPayment(t *testing.T, ref string) string {
	t.Helper()
	o, err := ts.orders.get(t.Context(), ref)
	if err != nil {
		t.Fatal(err)
	}
	if o.LastPayment == "" {
		t.Fatalf("order %s has no payment", ref)
	}
	return o.LastPayment
}

// payAs opens an order, checks out with provider, plays the customer on
// the emulator's page, and comes back to the shop: by the provider's
// redirect, or, for a provider that sends nobody back after that action,
// by the kit's return link as a customer going back to the shop would. It
// returns the order reference and the shop page the kit sent the customer
// to.
func (ts *testShop) payAs(t *testing.T, provider string, a providertest.Action) (ref, page string) {
	t.Helper()
	ref = ts.openOrder(t)
	checkoutURL := ts.checkout(t, provider, buy(ref))

	code, _, body := ts.get(t, checkoutURL)
	if code != http.StatusOK || !strings.Contains(body, "5000") || !strings.Contains(body, `value="pay"`) {
		t.Fatalf("%s emulator page: %d\n%s", provider, code, body)
	}
	back, err := ts.emus[provider].Act(t.Context(), checkoutURL, a)
	if err != nil {
		t.Fatalf("%s on the %s emulator: %v", a, provider, err)
	}
	if back == "" {
		back = ts.kit.ReturnURL(provider, ts.lastPayment(t, ref))
	}
	if !strings.HasPrefix(back, ts.ts.URL+"/pay/return/"+provider+"/") {
		t.Fatalf("%s emulator sent the customer to %q", provider, back)
	}
	code, page, body = ts.get(t, back)
	if code != http.StatusSeeOther {
		t.Fatalf("return: %d, want 303\n%s", code, body)
	}
	return ref, page
}

// orderRow returns the /orders row of order ref.
func (ts *testShop) orderRow(t *testing.T, ref string) string {
	t.Helper()
	code, _, body := ts.get(t, "/orders")
	if code != http.StatusOK {
		t.Fatalf("GET /orders: %d\n%s", code, body)
	}
	m := regexp.MustCompile(`<tr data-order="` + regexp.QuoteMeta(ref) + `">(.*?)</tr>`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("GET /orders: no row for %s\n%s", ref, body)
	}
	return m[1]
}

// randomPrefix returns a table prefix no other test run uses.
func randomPrefix() string { return "t" + strings.ToLower(rand.Text()[:12]) + "_" }

// dropTables drops the kit's and the shop's tables with that prefix when
// t ends.
func dropTables(t *testing.T, db *sql.DB, prefix string) {
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		for _, table := range []string{"payments", "payouts", "schema_migrations", "shop_orders"} {
			if _, err := db.ExecContext(ctx, "DROP TABLE IF EXISTS "+prefix+table); err != nil {
				t.Errorf("dropping %s%s: %v", prefix, table, err)
			}
		}
	})
}

// skipServersIfShort skips t under -short: the database servers are for
// the full suite.
func skipServersIfShort(t *testing.T, what string) {
	t.Helper()
	if testing.Short() {
		t.Skipf("-short: %s runs in the full suite", what)
	}
}

// postgresURL is the DATABASE_URL of the PostgreSQL server of
// CAURI_TEST_POSTGRES_DSN; it skips t without one, or under -short.
func postgresURL(t *testing.T) string {
	skipServersIfShort(t, "PostgreSQL")
	const env = "CAURI_TEST_POSTGRES_DSN"
	dsn := os.Getenv(env)
	if dsn == "" {
		t.Skipf("set %s (postgres://user@host:port/dbname?sslmode=disable) to run against PostgreSQL", env)
	}
	if l := strings.ToLower(dsn); !strings.HasPrefix(l, "postgres://") && !strings.HasPrefix(l, "postgresql://") {
		t.Skipf("%s is not a postgres:// URL, which DATABASE_URL needs", env)
	}
	return dsn
}

// mysqlURL is the DATABASE_URL of the MySQL or MariaDB server of
// CAURI_TEST_MYSQL_DSN, a mysql:// URL or go-sql-driver/mysql's DSN as
// stores/sql's tests take it; it skips t without one, or under -short.
func mysqlURL(t *testing.T) string {
	skipServersIfShort(t, "MySQL")
	const env = "CAURI_TEST_MYSQL_DSN"
	dsn := os.Getenv(env)
	if dsn == "" {
		t.Skipf("set %s (user:password@tcp(host:port)/dbname) to run against MySQL or MariaDB", env)
	}
	if strings.HasPrefix(strings.ToLower(dsn), "mysql://") {
		return dsn
	}
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		t.Fatalf("%s: %v", env, err)
	}
	if cfg.Net != "tcp" {
		t.Skipf("%s is not over TCP, which DATABASE_URL needs", env)
	}
	u := url.URL{Scheme: "mysql", User: url.UserPassword(cfg.User, cfg.Passwd), Host: cfg.Addr, Path: "/" + cfg.DBName}
	if cfg.Passwd == "" {
		u.User = url.User(cfg.User)
	}
	// The DSN's parameters, as the driver writes them, are a URL query.
	params := cfg.Clone()
	params.User, params.Passwd = "", ""
	_, u.RawQuery, _ = strings.Cut(params.FormatDSN(), "?")
	return u.String()
}

// flow is one customer journey: a provider, what the customer does on its
// page, and where the shop must end up.
type flow struct {
	provider string
	action   providertest.Action
	page     string       // the shop page: /thanks, /sorry
	status   cauri.Status // the payment's stored status
	onPaid   int          // OnPaid calls recorded on the order
}

// flows are every provider's pay, fail and cancel.
func flows() []flow {
	var out []flow
	for _, p := range allProviders {
		cancelled := cauri.StatusCancelled
		if p == "novasend" {
			cancelled = cauri.StatusFailed // NovaSend has no cancelled status
		}
		out = append(out,
			flow{p, providertest.Pay, "/thanks", cauri.StatusPaid, 1},
			flow{p, providertest.Fail, "/sorry", cauri.StatusFailed, 0},
			flow{p, providertest.Cancel, "/sorry", cancelled, 0},
		)
	}
	return out
}

// TestEveryEmulatorOffered: the shop offers every provider whose emulator
// providers/emulators lists, and the tests run them all.
func TestEveryEmulatorOffered(t *testing.T) {
	var want []string
	for _, p := range emulators.All() {
		want = append(want, p.Name)
	}
	var offered []string
	for _, sp := range providerSpecs() {
		offered = append(offered, sp.name)
	}
	if got := slices.Sorted(slices.Values(offered)); !slices.Equal(got, want) {
		t.Errorf("the shop offers %v, want every emulated provider: %v", got, want)
	}
	if got := slices.Sorted(slices.Values(allProviders)); !slices.Equal(got, want) {
		t.Errorf("the tests run %v, want every emulated provider: %v", got, want)
	}
	if em, _, err := (providerSpec{name: "nope", label: "Nope"}).emulate(nil, nil); err == nil || em.Emulator != nil {
		t.Errorf("a provider with no emulator: emulate = %v, %v; want an error and no emulator", em.Emulator, err)
	}
}

// TestFlows pays, fails and cancels an order with every provider through
// the shop, on a SQLite file, and on the servers of CAURI_TEST_POSTGRES_DSN
// and CAURI_TEST_MYSQL_DSN when they are set.
func TestFlows(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { testFlows(t, newTestShop(t)) })
	t.Run("postgres", func(t *testing.T) { testFlows(t, newTestShopOn(t, postgresURL(t), randomPrefix())) })
	t.Run("mysql", func(t *testing.T) { testFlows(t, newTestShopOn(t, mysqlURL(t), randomPrefix())) })
}

func testFlows(t *testing.T, ts *testShop) {
	for _, f := range flows() {
		t.Run(f.provider+"/"+string(f.action), func(t *testing.T) { testFlow(t, ts, f) })
	}
	code, _, body := ts.get(t, "/metrics")
	if code != http.StatusOK {
		t.Fatalf("GET /metrics: %d", code)
	}
	for _, p := range allProviders {
		if want := `cauri_checkouts_total{outcome="created",provider="` + p + `"} 3`; !strings.Contains(body, want) {
			t.Errorf("GET /metrics: no %s\n%.3000s", want, body)
		}
	}
	if !strings.Contains(body, `cauri_onpaid_total{`) {
		t.Errorf("GET /metrics: no cauri_onpaid_total\n%.3000s", body)
	}
}

func testFlow(t *testing.T, ts *testShop, f flow) {
	ref, page := ts.payAs(t, f.provider, f.action)
	if !strings.HasPrefix(page, f.page+"?") {
		t.Fatalf("after %s, sent to %q, want %s?...", f.action, page, f.page)
	}
	code, _, body := ts.get(t, page)
	if code != http.StatusOK || !strings.Contains(body, `<strong class="status">`+string(f.status)+`</strong>`) || !strings.Contains(body, ref) {
		t.Fatalf("GET %s: %d, want the order and %s\n%s", page, code, f.status, body)
	}
	id := ts.lastPayment(t, ref)
	p, err := ts.kit.Payment(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != f.status || p.Provider != f.provider || p.OrderID != ref || p.Amount != 5000 || p.Currency != "XOF" {
		t.Errorf("stored payment: %s with %s for %s, %d %s; want %s with %s for %s, 5000 XOF",
			p.Status, p.Provider, p.OrderID, p.Amount, p.Currency, f.status, f.provider, ref)
	}
	o, err := ts.orders.get(t.Context(), ref)
	if err != nil {
		t.Fatal(err)
	}
	if o.OnPaidCalls != f.onPaid || (o.PaidBy == id) != (f.onPaid > 0) || o.Attempts != 1 || o.LastProvider != f.provider {
		t.Errorf("order: %d OnPaid calls, paid by %q, %d attempts with %s; want %d calls, paid by %s: %v, 1 attempt with %s",
			o.OnPaidCalls, o.PaidBy, o.Attempts, o.LastProvider, f.onPaid, id, f.onPaid > 0, f.provider)
	}
	row := ts.orderRow(t, ref)
	for _, want := range []string{`<td class="status">` + string(f.status) + `</td>`, `<td class="onpaid">` + strconv.Itoa(f.onPaid) + `</td>`, ts.label(f.provider)} {
		if !strings.Contains(row, want) {
			t.Errorf("/orders row: no %s in\n%s", want, row)
		}
	}

	q := page[strings.IndexByte(page, '?')+1:]
	if f.status == cauri.StatusPaid {
		// The pending and failure pages send a paid payment on to /thanks.
		for _, p := range []string{"/waiting?", "/sorry?"} {
			if code, loc, _ := ts.get(t, p+q); code != http.StatusSeeOther || loc != page {
				t.Errorf("GET %s: %d to %q, want 303 to %s", p, code, loc, page)
			}
		}
		// A paid order cannot be paid again, with any provider.
		for _, other := range allProviders {
			if code, _, body := ts.do(t, http.MethodPost, "/pay/checkout/"+other, buy(ref)); code != http.StatusUnprocessableEntity {
				t.Errorf("checkout of a paid order with %s: %d, want 422\n%s", other, code, body)
			}
		}
		if !strings.Contains(body, "Thank you") {
			t.Errorf("GET %s: no thanks\n%s", page, body)
		}
	} else {
		if code, loc, _ := ts.get(t, "/thanks?"+q); code != http.StatusSeeOther || loc != page {
			t.Errorf("GET /thanks of a %s payment: %d to %q, want 303 to %s", f.status, code, loc, page)
		}
		// The failure page offers every provider again, for the same order.
		for _, p := range allProviders {
			if !strings.Contains(body, `action="/pay/checkout/`+p+`"`) {
				t.Errorf("GET %s: no try-again button for %s\n%s", page, p, body)
			}
		}
	}
	// The return link visited again changes nothing.
	if code, _, _ := ts.get(t, page); code != http.StatusOK {
		t.Errorf("GET %s again: %d", page, code)
	}
	if o, err := ts.orders.get(t.Context(), ref); err != nil || o.OnPaidCalls != f.onPaid {
		t.Errorf("OnPaid calls after all that: %d (%v), want %d", o.OnPaidCalls, err, f.onPaid)
	}
}

// TestRetryWithAnotherProvider fails with one provider, then pays the
// same order with another.
func TestRetryWithAnotherProvider(t *testing.T) {
	ts := newTestShop(t)
	ref, page := ts.payAs(t, "moneroo", providertest.Fail)
	if !strings.HasPrefix(page, "/sorry?") {
		t.Fatalf("after failing, sent to %q", page)
	}
	first := ts.lastPayment(t, ref)

	// Trying again opens a new payment for the same order, here with
	// DEXCHANGE.
	checkoutURL := ts.checkout(t, "dexchange", url.Values{"order": {ref}})
	second := ts.lastPayment(t, ref)
	if second == first {
		t.Fatalf("trying again reused payment %s", first)
	}
	row := ts.orderRow(t, ref)
	if !strings.Contains(row, `<td class="status">pending</td>`) || !strings.Contains(row, "(2 attempts)") || !strings.Contains(row, "DEXCHANGE") {
		t.Errorf("/orders row after trying again: want a second, pending payment with DEXCHANGE, got\n%s", row)
	}
	back, err := ts.emus["dexchange"].Act(t.Context(), checkoutURL, providertest.Pay)
	if err != nil {
		t.Fatal(err)
	}
	if code, page, _ := ts.get(t, back); code != http.StatusSeeOther || !strings.HasPrefix(page, "/thanks?") {
		t.Fatalf("return after paying: %d to %q, want /thanks", code, page)
	}
	if row := ts.orderRow(t, ref); !strings.Contains(row, `<td class="status">paid</td>`) || !strings.Contains(row, `<td class="onpaid">1</td>`) {
		t.Errorf("/orders row after paying: got\n%s", row)
	}
}

func TestWaitingPage(t *testing.T) {
	ts := newTestShop(t)
	ref := ts.openOrder(t)
	checkoutURL := ts.checkout(t, "moneroo", buy(ref))
	// Moneroo still says pending when the customer comes back.
	if err := ts.emus["moneroo"].(*monerootest.Server).SetStatus(path.Base(checkoutURL), "pending"); err != nil {
		t.Fatal(err)
	}
	id := ts.lastPayment(t, ref)
	code, page, body := ts.get(t, ts.kit.ReturnURL("moneroo", id))
	if code != http.StatusSeeOther || !strings.HasPrefix(page, "/waiting?") {
		t.Fatalf("return while pending: %d to %q, want 303 to /waiting?...\n%s", code, page, body)
	}
	code, _, body = ts.get(t, page)
	if code != http.StatusOK || !strings.Contains(body, `<strong class="status" id="status">pending</strong>`) ||
		!strings.Contains(body, "setTimeout(poll, 2000)") || !strings.Contains(body, "Moneroo has not confirmed") {
		t.Fatalf("GET %s: %d\n%s", page, code, body)
	}
	u, err := url.Parse(page)
	if err != nil {
		t.Fatal(err)
	}
	statusURL := "/pay/payments/" + id + "?" + url.Values{"token": {u.Query().Get("token")}}.Encode()
	if js := strings.ReplaceAll(statusURL, "/", `\/`); !strings.Contains(body, `"`+statusURL+`"`) && !strings.Contains(body, `"`+js+`"`) {
		t.Errorf("the waiting page does not poll %s\n%s", statusURL, body)
	}

	// The customer pays after all; the webhook settles the payment.
	if _, err := ts.emus["moneroo"].Act(t.Context(), checkoutURL, providertest.Pay); err != nil {
		t.Fatal(err)
	}
	code, _, body = ts.get(t, statusURL)
	if code != http.StatusOK || !strings.Contains(body, `"status":"paid"`) || !strings.Contains(body, `"final":true`) {
		t.Errorf("GET %s: %d %s", statusURL, code, body)
	}
	thanks := "/thanks?" + u.RawQuery
	if code, loc, _ := ts.get(t, page); code != http.StatusSeeOther || loc != thanks {
		t.Errorf("GET %s once paid: %d to %q, want 303 to %s", page, code, loc, thanks)
	}
}

func TestAmountCannotBeTampered(t *testing.T) {
	ts := newTestShop(t)
	ref := ts.openOrder(t)
	form := buy(ref)
	form.Set("amount", "1")
	form.Set("price", "1")
	form.Set("currency", "XOF")
	checkoutURL := ts.checkout(t, "moneroo", form)

	emuPay, ok := ts.emus["moneroo"].(*monerootest.Server).Payment(path.Base(checkoutURL))
	if !ok {
		t.Fatalf("the emulator has no payment for %s", checkoutURL)
	}
	if emuPay.Amount != 5000 || emuPay.Currency != "XOF" {
		t.Errorf("the emulator was asked for %d %s, want 5000 XOF", emuPay.Amount, emuPay.Currency)
	}
	o, err := ts.orders.get(t.Context(), ref)
	if err != nil {
		t.Fatal(err)
	}
	if o.Amount != 5000 || o.Currency != "XOF" || o.SKU != "pagne-wax" || o.Attempts != 1 {
		t.Errorf("recorded order: %+v, want 5000 XOF for pagne-wax, 1 attempt", o)
	}
	p, err := ts.kit.Payment(t.Context(), o.LastPayment)
	if err != nil {
		t.Fatal(err)
	}
	if p.Amount != 5000 || p.Currency != "XOF" || p.OrderID != ref || p.Status != cauri.StatusPending {
		t.Errorf("stored payment: %d %s for %s, %s; want 5000 XOF for %s, pending", p.Amount, p.Currency, p.OrderID, p.Status, ref)
	}
}

func TestCheckoutRefusals(t *testing.T) {
	ts := newTestShop(t)
	for _, tc := range []struct {
		name string
		form url.Values
		want int
	}{
		{"no order", url.Values{"sku": {"pagne-wax"}}, http.StatusNotFound},
		{"malformed order", url.Values{"order": {"ord_nope"}, "sku": {"pagne-wax"}}, http.StatusNotFound},
		{"unknown order without SKU", url.Values{"order": {newOrderRef()}}, http.StatusNotFound},
		{"unknown SKU", url.Values{"order": {newOrderRef()}, "sku": {"gold-bar"}}, http.StatusNotFound},
	} {
		if code, _, body := ts.do(t, http.MethodPost, "/pay/checkout/moneroo", tc.form); code != tc.want {
			t.Errorf("%s: checkout answered %d, want %d\n%s", tc.name, code, tc.want, body)
		}
	}
	if code, _, _ := ts.do(t, http.MethodPost, "/pay/checkout/stripe", buy(newOrderRef())); code != http.StatusNotFound {
		t.Errorf("checkout with an unknown provider: %d, want 404", code)
	}
	if _, total, err := ts.orders.list(t.Context(), 10); err != nil || total != 0 {
		t.Errorf("orders recorded by refused checkouts: %d (%v), want none", total, err)
	}
}

func TestPaymentPagesNeedTheToken(t *testing.T) {
	ts := newTestShop(t)
	_, page := ts.payAs(t, "moneroo", providertest.Pay)
	u, err := url.Parse(page)
	if err != nil {
		t.Fatal(err)
	}
	id := u.Query().Get("payment_id")
	for _, q := range []string{"", "payment_id=" + id, "payment_id=" + id + "&token=forged", "payment_id=pay_nope&token=x"} {
		if code, _, body := ts.get(t, "/thanks?"+q); code != http.StatusNotFound || strings.Contains(body, "Thank you") {
			t.Errorf("GET /thanks?%s: %d, want 404\n%s", q, code, body)
		}
	}
}

// TestOnPaid checks that OnPaid is idempotent on the payment ID, tells a
// second payment of a paid order apart, and records the orders it does not
// know (say, after the shop's table was lost) instead of failing forever,
// in every dialect.
func TestOnPaid(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { testOnPaid(t, newTestShop(t)) })
	t.Run("postgres", func(t *testing.T) { testOnPaid(t, newTestShopOn(t, postgresURL(t), randomPrefix())) })
	t.Run("mysql", func(t *testing.T) { testOnPaid(t, newTestShopOn(t, mysqlURL(t), randomPrefix())) })
}

func testOnPaid(t *testing.T, ts *testShop) {
	ctx := t.Context()
	known := newOrderRef()
	if _, err := ts.orders.create(ctx, order{ID: known, SKU: "pagne-wax", Amount: 5000, Currency: "XOF", CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	unknown := newOrderRef()
	pay := func(id, orderID string) cauri.Payment {
		return cauri.Payment{ID: id, OrderID: orderID, Provider: "moneroo", Status: cauri.StatusPaid, Amount: 5000, Currency: "XOF",
			Metadata: map[string]string{"sku": "pagne-wax"}, CreatedAt: time.Now()}
	}
	for i, step := range []struct {
		p           cauri.Payment
		order       string
		wantPaidBy  string
		wantCalls   int
		wantRecords int
	}{
		{pay("pay_a", known), known, "pay_a", 1, 1},
		{pay("pay_a", known), known, "pay_a", 2, 1}, // the same payment again: counted, nothing else
		{pay("pay_b", known), known, "pay_a", 3, 1}, // another payment of a paid order: logged for a refund
		{pay("pay_c", unknown), unknown, "pay_c", 1, 2},
		{pay("pay_c", unknown), unknown, "pay_c", 2, 2},
	} {
		if err := ts.onPaid(ctx, step.p); err != nil {
			t.Fatalf("step %d: OnPaid(%s for %s): %v", i, step.p.ID, step.order, err)
		}
		o, err := ts.orders.get(ctx, step.order)
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if o.PaidBy != step.wantPaidBy || o.OnPaidCalls != step.wantCalls || o.PaidAt.IsZero() || o.Amount != 5000 || o.SKU != "pagne-wax" {
			t.Errorf("step %d: order %+v, want paid by %s with %d OnPaid calls", i, o, step.wantPaidBy, step.wantCalls)
		}
		if _, total, err := ts.orders.list(ctx, 10); err != nil || total != step.wantRecords {
			t.Errorf("step %d: %d orders (%v), want %d", i, total, err, step.wantRecords)
		}
	}
	if row := ts.orderRow(t, unknown); !strings.Contains(row, `<td class="onpaid">2</td>`) || !strings.Contains(row, "Pagne wax") {
		t.Errorf("/orders row of the order OnPaid recorded: %s", row)
	}
	// Recording an order that exists changes nothing.
	if inserted, err := ts.orders.insert(ctx, order{ID: known, SKU: "other", Amount: 1, Currency: "XOF", CreatedAt: time.Now()}); err != nil || inserted {
		t.Errorf("inserting an existing order: inserted %v, %v; want not inserted", inserted, err)
	}
	if o, err := ts.orders.get(ctx, known); err != nil || o.Amount != 5000 || o.SKU != "pagne-wax" {
		t.Errorf("the existing order after a second insert: %+v, %v", o, err)
	}
}

// TestReconcilerSettlesLostWebhook: the webhook is lost and the customer
// never comes back; the reconciler the shop runs settles the payment and
// OnPaid runs.
func TestReconcilerSettlesLostWebhook(t *testing.T) {
	ts := newTestShopWith(t, config{
		DatabaseURL:    sqliteURL(t),
		Providers:      []string{"moneroo"},
		reconcileEvery: 20 * time.Millisecond,
		reconcile:      cauri.ReconcilePolicy{Grace: time.Nanosecond},
		pollInterval:   time.Millisecond,
	})
	ts.emus["moneroo"].SetWebhookPolicy(providertest.WebhookPolicy{Lost: true})
	ref := ts.openOrder(t)
	checkoutURL := ts.checkout(t, "moneroo", buy(ref))
	if _, err := ts.emus["moneroo"].Act(t.Context(), checkoutURL, providertest.Pay); err != nil {
		t.Fatal(err)
	}
	id := ts.lastPayment(t, ref)
	// Bounded: 500 looks, 20ms apart, at most. OnPaid's success is
	// recorded just after it returns: wait for both.
	var (
		o   order
		p   cauri.Payment
		err error
	)
	for range 500 {
		if o, err = ts.orders.get(t.Context(), ref); err != nil {
			t.Fatal(err)
		}
		if p, err = ts.kit.Payment(t.Context(), id); err != nil {
			t.Fatal(err)
		}
		if o.OnPaidCalls > 0 && p.Fulfilled() {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if o.OnPaidCalls != 1 || o.PaidBy != id {
		t.Fatalf("after the reconciler: order %+v, want paid by %s once", o, id)
	}
	if p.Status != cauri.StatusPaid || !p.Fulfilled() {
		t.Errorf("payment after the reconciler: %+v; want paid and fulfilled", p)
	}
}

// TestLiveProviders configures every provider as live, from the
// environment, with each API host pointed at an emulator the test runs:
// the shop builds each provider from its variables and pays through it.
func TestLiveProviders(t *testing.T) {
	mo := monerootest.New()
	mf := moneyfusiontest.New()
	dx := dexchangetest.New(dexchangetest.WithRateLimit(0, 0))
	// DEXPAY live, as DEXPAY_SANDBOX=false asks, with live keys.
	dp := dexpaytest.New(dexpaytest.WithMode(dexpay.Live))
	ns := novasendtest.New()
	pd := paydunyatest.New(paydunyatest.WithStoreName("Boutique Awa"))
	for _, c := range []interface{ Close() }{mo, mf, dx, dp, ns, pd} {
		t.Cleanup(c.Close)
	}
	env := map[string]string{
		"CAURI_SECRET":       strings.Repeat("s", 40),
		"MONEROO_SECRET_KEY": mo.SecretKey, "MONEROO_WEBHOOK_SECRET": mo.WebhookSecret, "MONEROO_BASE_URL": mo.BaseURL(),
		"MONEYFUSION_API_URL": mf.APIURL, "MONEYFUSION_STATUS_URL": mf.URL,
		"DEXCHANGE_API_KEY": dx.APIKey, "DEXCHANGE_BASE_URL": dx.BaseURL(),
		"DEXPAY_API_KEY": dp.APIKey, "DEXPAY_API_SECRET": dp.APISecret, "DEXPAY_WEBHOOK_SECRET": dp.WebhookSecret,
		"DEXPAY_BASE_URL": dp.BaseURL(), "DEXPAY_SANDBOX": "false",
		"NOVASEND_API_KEY": ns.APIKey, "NOVASEND_API_CLIENT": ns.APIClient, "NOVASEND_ACCOUNT_ID": ns.AccountID,
		"NOVASEND_WEBHOOK_SECRET": ns.WebhookSecret, "NOVASEND_BASE_URL": ns.BaseURL(),
		"PAYDUNYA_MASTER_KEY": pd.MasterKey, "PAYDUNYA_PRIVATE_KEY": pd.Sandbox.PrivateKey, "PAYDUNYA_TOKEN": pd.Sandbox.Token,
		"PAYDUNYA_MODE": "test", "PAYDUNYA_BASE_URL": pd.BaseURL(), "PAYDUNYA_STORE_NAME": "Boutique Awa",
		"DATABASE_URL": sqliteURL(t),
	}
	cfg, err := loadConfig(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if live := cfg.live(); !slices.Equal(live, allProviders) {
		t.Fatalf("live providers %v, want %v", live, allProviders)
	}
	ts := newTestShopWith(t, cfg)
	if len(ts.shop.emus) != 0 {
		t.Fatalf("the shop started emulators for live providers: %v", ts.shop.emus)
	}
	ts.emus = map[string]providertest.Emulator{"moneroo": mo, "moneyfusion": mf, "dexchange": dx, "dexpay": dp, "novasend": ns, "paydunya": pd}
	for name, emu := range ts.emus {
		emu.SetWebhookURL(ts.ts.URL + "/pay/webhooks/" + name)
	}
	for _, p := range allProviders {
		t.Run(p, func(t *testing.T) {
			ref, page := ts.payAs(t, p, providertest.Pay)
			if !strings.HasPrefix(page, "/thanks?") {
				t.Fatalf("after paying, sent to %q", page)
			}
			if row := ts.orderRow(t, ref); !strings.Contains(row, `<td class="status">paid</td>`) || !strings.Contains(row, `<td class="onpaid">1</td>`) {
				t.Errorf("/orders row: %s", row)
			}
		})
	}
	if inv := pd.Requests(); len(inv) == 0 {
		t.Error("PayDunya's emulator got no request")
	}
	// DEXPAY's calls carried both keys, and its session is a live one.
	var dexpayCalls int
	for _, r := range dp.Requests() {
		dexpayCalls++
		if r.Header.Get(dexpay.HeaderAPIKey) != dp.APIKey || r.Header.Get(dexpay.HeaderAPISecret) != dp.APISecret {
			t.Errorf("DEXPAY %s %s without the keys of DEXPAY_API_KEY and DEXPAY_API_SECRET", r.Method, r.Path)
		}
	}
	if dexpayCalls == 0 {
		t.Error("DEXPAY's emulator got no request")
	}
	if want := "dexpay live at " + dp.BaseURL(); !strings.Contains(ts.mode(), want) {
		t.Errorf("start line %q does not say %q", ts.mode(), want)
	}
	// NovaSend's emulator opens no session without the merchant's
	// accountId: the one it opened names NOVASEND_ACCOUNT_ID.
	if ps := ns.Payins(); len(ps) != 1 || ps[0].AccountID != ns.AccountID {
		t.Errorf("NovaSend payins %+v, want one for account %s", ps, ns.AccountID)
	}
	_, _, body := ts.get(t, "/")
	if strings.Contains(body, "offline:") || strings.Contains(body, "<small>emulator</small>") {
		t.Errorf("the home page calls live providers emulated\n%s", body)
	}
}

// TestRunConfigErrors checks that run stops on bad configuration with one
// line naming the variable at fault, before listening or printing, and
// never shows a secret.
func TestRunConfigErrors(t *testing.T) {
	t.Chdir(t.TempDir()) // in case a database is created after all
	const secret = "s3cr3t-value"
	long := strings.Repeat("k", 40)
	for _, tc := range []struct {
		name string
		env  map[string]string
		want []string // in the error
	}{
		{"unknown provider", map[string]string{"CAURI_PROVIDERS": "moneroo, stripe"}, []string{"CAURI_PROVIDERS", `"stripe"`, "moneroo, moneyfusion, dexchange, dexpay, novasend, paydunya"}},
		{"no provider", map[string]string{"CAURI_PROVIDERS": " , "}, []string{"CAURI_PROVIDERS names no provider"}},
		{"malformed DATABASE_URL", map[string]string{"DATABASE_URL": "postgres://shop:" + secret + "@db:port/shop"}, []string{"DATABASE_URL", "not a valid postgres URL"}},
		{"unknown database", map[string]string{"DATABASE_URL": "mongodb://shop:" + secret + "@db/shop"}, []string{"DATABASE_URL", `unknown scheme "mongodb"`}},
		{"live without CAURI_SECRET", map[string]string{"MONEROO_SECRET_KEY": secret}, []string{"CAURI_SECRET is required", "moneroo"}},
		{"live with a short CAURI_SECRET", map[string]string{"DEXCHANGE_API_KEY": secret, "CAURI_SECRET": "short"}, []string{"CAURI_SECRET is too short"}},
		{"NovaSend key without client", map[string]string{"NOVASEND_API_KEY": secret, "CAURI_SECRET": long},
			[]string{"NOVASEND_API_CLIENT and NOVASEND_ACCOUNT_ID are not set but NOVASEND_API_KEY is", "NovaSend"}},
		{"NovaSend client without key", map[string]string{"NOVASEND_API_CLIENT": secret}, []string{"NOVASEND_API_KEY and NOVASEND_ACCOUNT_ID are not set but NOVASEND_API_CLIENT is"}},
		{"NovaSend credentials without the account", map[string]string{"NOVASEND_API_KEY": secret, "NOVASEND_API_CLIENT": secret, "CAURI_SECRET": long},
			[]string{"NOVASEND_ACCOUNT_ID is not set but NOVASEND_API_KEY and NOVASEND_API_CLIENT are", "NovaSend"}},
		{"NovaSend account alone", map[string]string{"NOVASEND_ACCOUNT_ID": "merchant_9923lkdz"},
			[]string{"NOVASEND_API_KEY and NOVASEND_API_CLIENT are not set but NOVASEND_ACCOUNT_ID is"}},
		{"PayDunya master key alone", map[string]string{"PAYDUNYA_MASTER_KEY": secret},
			[]string{"PAYDUNYA_PRIVATE_KEY and PAYDUNYA_TOKEN are not set but PAYDUNYA_MASTER_KEY is"}},
		{"PayDunya mode without keys", map[string]string{"PAYDUNYA_MODE": "live"}, []string{"PAYDUNYA_MASTER_KEY, PAYDUNYA_PRIVATE_KEY and PAYDUNYA_TOKEN are not set but PAYDUNYA_MODE is"}},
		{"Moneroo webhook secret without key", map[string]string{"MONEROO_WEBHOOK_SECRET": secret}, []string{"MONEROO_SECRET_KEY is not set but MONEROO_WEBHOOK_SECRET is"}},
		{"DEXCHANGE host without key", map[string]string{"DEXCHANGE_BASE_URL": "https://sandbox.example"}, []string{"DEXCHANGE_API_KEY is not set but DEXCHANGE_BASE_URL is"}},
		{"DEXPAY key without secret", map[string]string{"DEXPAY_API_KEY": "pk_test_" + secret, "CAURI_SECRET": long},
			[]string{"DEXPAY_API_SECRET is not set but DEXPAY_API_KEY is", "DEXPAY"}},
		{"DEXPAY secret without key", map[string]string{"DEXPAY_API_SECRET": "sk_test_" + secret},
			[]string{"DEXPAY_API_KEY is not set but DEXPAY_API_SECRET is"}},
		{"DEXPAY sandbox switch without keys", map[string]string{"DEXPAY_SANDBOX": "false"},
			[]string{"DEXPAY_API_KEY and DEXPAY_API_SECRET are not set but DEXPAY_SANDBOX is"}},
		{"DEXPAY webhook secret without keys", map[string]string{"DEXPAY_WEBHOOK_SECRET": secret},
			[]string{"DEXPAY_API_KEY and DEXPAY_API_SECRET are not set but DEXPAY_WEBHOOK_SECRET is"}},
		{"DEXPAY sandbox switch that is no boolean", map[string]string{"DEXPAY_API_KEY": "pk_live_" + secret, "DEXPAY_API_SECRET": "sk_live_" + secret, "DEXPAY_SANDBOX": "nope", "CAURI_SECRET": long},
			[]string{"dexpay: DEXPAY_SANDBOX must be true or false"}},
		{"DEXPAY live keys in the sandbox", map[string]string{"DEXPAY_API_KEY": "pk_live_" + secret, "DEXPAY_API_SECRET": "sk_live_" + secret, "CAURI_SECRET": long},
			[]string{"dexpay: DEXPAY_API_KEY is a live key", "DEXPAY_SANDBOX=false"}},
		{"DEXPAY sandbox keys live", map[string]string{"DEXPAY_API_KEY": "pk_test_" + secret, "DEXPAY_API_SECRET": "sk_test_" + secret, "DEXPAY_SANDBOX": "false", "CAURI_SECRET": long},
			[]string{"dexpay: DEXPAY_API_KEY is a sandbox key", "DEXPAY_SANDBOX"}},
		{"DEXPAY keys swapped", map[string]string{"DEXPAY_API_KEY": "sk_test_" + secret, "DEXPAY_API_SECRET": "pk_test_" + secret, "CAURI_SECRET": long},
			[]string{"dexpay: DEXPAY_API_KEY looks like the other key", "DEXPAY_API_SECRET looks like the other key"}},
		{"DEXPAY bad host", map[string]string{"DEXPAY_API_KEY": "pk_test_" + secret, "DEXPAY_API_SECRET": "sk_test_" + secret, "DEXPAY_BASE_URL": "ftp://x", "CAURI_SECRET": long},
			[]string{"dexpay: DEXPAY_BASE_URL"}},
		{"MoneyFusion status URL without the API URL", map[string]string{"MONEYFUSION_STATUS_URL": "https://pay.example"}, []string{"MONEYFUSION_API_URL is not set"}},
		{"MoneyFusion API URL that is no URL", map[string]string{"MONEYFUSION_API_URL": "pay.moneyfusion.net/" + secret, "CAURI_SECRET": long},
			[]string{"moneyfusion: MONEYFUSION_API_URL must be an absolute http(s) URL"}},
		{"PayDunya bad mode", map[string]string{"PAYDUNYA_MASTER_KEY": secret, "PAYDUNYA_PRIVATE_KEY": "test_" + secret, "PAYDUNYA_TOKEN": secret, "PAYDUNYA_MODE": "prod", "CAURI_SECRET": long},
			[]string{"paydunya: PAYDUNYA_MODE must be"}},
		{"PayDunya sandbox key in live mode", map[string]string{"PAYDUNYA_MASTER_KEY": secret, "PAYDUNYA_PRIVATE_KEY": "test_" + secret, "PAYDUNYA_TOKEN": secret, "PAYDUNYA_MODE": "live", "CAURI_SECRET": long},
			[]string{"paydunya: PAYDUNYA_PRIVATE_KEY is a sandbox key"}},
		{"Moneroo bad host", map[string]string{"MONEROO_SECRET_KEY": secret, "MONEROO_BASE_URL": "ftp://x", "CAURI_SECRET": long}, []string{"moneroo: MONEROO_BASE_URL"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"ADDR": "127.0.0.1:0"}
			for k, v := range tc.env {
				env[k] = v
			}
			var stdout bytes.Buffer
			err := run(t.Context(), func(k string) string { return env[k] }, &stdout)
			if err == nil {
				t.Fatal("run started")
			}
			msg := err.Error()
			for _, want := range tc.want {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not say %q", msg, want)
				}
			}
			if strings.Contains(msg, "\n") || strings.Contains(msg, secret) || strings.Contains(msg, long) {
				t.Errorf("error %q: want one line without secrets", msg)
			}
			if stdout.Len() != 0 {
				t.Errorf("run printed %q", stdout.String())
			}
			t.Log(msg)
		})
	}
	if entries, _ := os.ReadDir("."); len(entries) != 0 {
		t.Errorf("files left in the working directory: %v", entries)
	}
}

func TestLoadConfig(t *testing.T) {
	long := strings.Repeat("k", 40)
	for _, tc := range []struct {
		env                 map[string]string
		addr, publicURL, db string
		providers, live     []string
		wantErr             string
	}{
		{env: nil, addr: "127.0.0.1:8080", providers: allProviders},
		{env: map[string]string{"ADDR": ":9000", "PUBLIC_URL": "https://shop.example/"}, addr: ":9000", publicURL: "https://shop.example", providers: allProviders},
		{env: map[string]string{"PUBLIC_URL": "https://shop.example/shop"}, wantErr: "PUBLIC_URL"},
		{env: map[string]string{"PUBLIC_URL": "shop.example"}, wantErr: "PUBLIC_URL"},
		{env: map[string]string{"CAURI_SECRET": "short"}, wantErr: "CAURI_SECRET"},
		{env: map[string]string{"DATABASE_URL": " postgres://shop@db/shop "}, addr: "127.0.0.1:8080", db: "postgres://shop@db/shop", providers: allProviders},
		{env: map[string]string{"CAURI_PROVIDERS": " PayDunya,moneroo ,paydunya"}, addr: "127.0.0.1:8080", providers: []string{"paydunya", "moneroo"}},
		{env: map[string]string{"CAURI_PROVIDERS": "novasend", "NOVASEND_API_KEY": "k"}, addr: "127.0.0.1:8080", providers: []string{"novasend"}, wantErr: "NOVASEND_API_CLIENT"},
		// The variables of a provider left out are not checked.
		{env: map[string]string{"CAURI_PROVIDERS": "moneroo", "NOVASEND_API_KEY": "k"}, addr: "127.0.0.1:8080", providers: []string{"moneroo"}},
		{env: map[string]string{"CAURI_SECRET": long, "DEXCHANGE_API_KEY": "k", "PAYDUNYA_MASTER_KEY": "m", "PAYDUNYA_PRIVATE_KEY": "p", "PAYDUNYA_TOKEN": "t"},
			addr: "127.0.0.1:8080", providers: allProviders, live: []string{"dexchange", "paydunya"}},
		{env: map[string]string{"CAURI_PROVIDERS": "moneroo", "CAURI_SECRET": long, "DEXCHANGE_API_KEY": "k"}, addr: "127.0.0.1:8080", providers: []string{"moneroo"}},
		// DEXPAY: the sandbox by default, live with DEXPAY_SANDBOX=false.
		{env: map[string]string{"CAURI_PROVIDERS": "dexpay", "CAURI_SECRET": long, "DEXPAY_API_KEY": "pk_test_k", "DEXPAY_API_SECRET": "sk_test_s"},
			addr: "127.0.0.1:8080", providers: []string{"dexpay"}, live: []string{"dexpay"}},
		{env: map[string]string{"CAURI_PROVIDERS": "dexpay", "CAURI_SECRET": long, "DEXPAY_API_KEY": "pk_live_k", "DEXPAY_API_SECRET": "sk_live_s", "DEXPAY_SANDBOX": "FALSE"},
			addr: "127.0.0.1:8080", providers: []string{"dexpay"}, live: []string{"dexpay"}},
		{env: map[string]string{"CAURI_PROVIDERS": "dexpay", "CAURI_SECRET": long, "DEXPAY_API_KEY": "pk_live_k", "DEXPAY_API_SECRET": "sk_live_s", "DEXPAY_SANDBOX": "true"},
			providers: []string{"dexpay"}, wantErr: "DEXPAY_SANDBOX=false"},
	} {
		got, err := loadConfig(func(k string) string { return tc.env[k] })
		switch {
		case tc.wantErr != "":
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%v: error %v, want one about %s", tc.env, err, tc.wantErr)
			}
		case err != nil:
			t.Errorf("%v: %v", tc.env, err)
		case got.Addr != tc.addr || got.PublicURL != tc.publicURL || got.DatabaseURL != tc.db ||
			!slices.Equal(got.Providers, tc.providers) || !slices.Equal(got.live(), tc.live):
			t.Errorf("%v: addr %q, public URL %q, database %q, providers %v, live %v; want %q, %q, %q, %v, %v",
				tc.env, got.Addr, got.PublicURL, got.DatabaseURL, got.Providers, got.live(), tc.addr, tc.publicURL, tc.db, tc.providers, tc.live)
		}
	}
}

// startLine matches run's first line, and captures the shop's URL.
var startLine = regexp.MustCompile(`^cauri demo shop: open (http://127\.0\.0\.1:\d+)/ \(` +
	`moneroo on its emulator at http://127\.0\.0\.1:\d+, moneyfusion on its emulator at http://127\.0\.0\.1:\d+, ` +
	`dexchange on its emulator at http://127\.0\.0\.1:\d+, dexpay on its emulator at http://127\.0\.0\.1:\d+, ` +
	`novasend on its emulator at http://127\.0\.0\.1:\d+, ` +
	`paydunya on its emulator at http://127\.0\.0\.1:\d+\)\n$`)

func TestRunStartsAndStops(t *testing.T) {
	// Without DATABASE_URL, the payments go to cauri-demo.db in the
	// working directory.
	t.Chdir(t.TempDir())
	demotest.RunStartsAndStops(t, run, startLine, "/")
	if _, err := os.Stat(defaultSQLiteFile); err != nil {
		t.Errorf("no database in the working directory: %v", err)
	}
}

func TestDisplayPrice(t *testing.T) {
	for _, tc := range []struct {
		amount   int64
		currency string
		want     string
	}{
		{5000, "XOF", "5\u00a0000\u00a0FCFA"},
		{500, "XAF", "500\u00a0FCFA"},
		{1234567, "GNF", "1\u00a0234\u00a0567\u00a0GNF"},
		{123456, "USD", "1\u00a0234.56\u00a0USD"},
	} {
		if got := displayPrice(tc.amount, tc.currency); got != tc.want {
			t.Errorf("displayPrice(%d, %s) = %q, want %q", tc.amount, tc.currency, got, tc.want)
		}
	}
}

func TestParseDatabaseURL(t *testing.T) {
	const pragmas = "_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)"
	abs := func(path string) string {
		t.Helper()
		a, err := filepath.Abs(path)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	sqliteDB := func(dsn, display string) database { return database{sqlstore.SQLite, "sqlite", dsn, display} }
	postgresDB := func(dsn, display string) database { return database{sqlstore.Postgres, "pgx", dsn, display} }
	mysqlDB := func(dsn, display string) database { return database{sqlstore.MySQL, "mysql", dsn, display} }
	for _, tc := range []struct {
		raw  string
		want database
	}{
		// The default: a file in the working directory.
		{"", sqliteDB("file:cauri-demo.db?"+pragmas, "sqlite://"+abs("cauri-demo.db"))},

		{"sqlite:///var/lib/shop/cauri.db", sqliteDB("file:/var/lib/shop/cauri.db?"+pragmas, "sqlite:///var/lib/shop/cauri.db")},
		{"sqlite://data/cauri.db", sqliteDB("file:data/cauri.db?"+pragmas, "sqlite://"+abs("data/cauri.db"))},
		{"SQLite://cauri.db", sqliteDB("file:cauri.db?"+pragmas, "sqlite://"+abs("cauri.db"))},
		{"sqlite:///x.db?_pragma=foreign_keys(1)", sqliteDB("file:/x.db?_pragma=foreign_keys(1)&"+pragmas, "sqlite:///x.db")},
		{"sqlite:///x.db?_pragma=busy_timeout(100)&_journal_mode=DELETE", sqliteDB("file:/x.db?_pragma=busy_timeout(100)&_journal_mode=DELETE", "sqlite:///x.db")},
		{"sqlite:///x.db?_timeout=100", sqliteDB("file:/x.db?_timeout=100&_pragma=journal_mode(WAL)", "sqlite:///x.db")},
		// A file path is escaped into a SQLite URI.
		{"sqlite:///tmp/100%.db", sqliteDB("file:/tmp/100%25.db?"+pragmas, "sqlite:///tmp/100%.db")},
		{"/tmp/why#.db", sqliteDB("file:/tmp/why%23.db?"+pragmas, "sqlite:///tmp/why#.db")},
		{"shop.db", sqliteDB("file:shop.db?"+pragmas, "sqlite://"+abs("shop.db"))},
		{"./data/shop.sqlite", sqliteDB("file:./data/shop.sqlite?"+pragmas, "sqlite://"+abs("data/shop.sqlite"))},
		{"/srv/Shop.SQLITE3", sqliteDB("file:/srv/Shop.SQLITE3?"+pragmas, "sqlite:///srv/Shop.SQLITE3")},
		// A SQLite URI is one already.
		{"file:/srv/shop.db", sqliteDB("file:/srv/shop.db?"+pragmas, "file:/srv/shop.db")},
		{"file:///srv/shop.db?mode=rwc", sqliteDB("file:///srv/shop.db?mode=rwc&"+pragmas, "file:///srv/shop.db?mode=rwc")},
		{"FILE:shop", sqliteDB("file:shop?"+pragmas, "FILE:shop")},

		// PostgreSQL: the URL as it is, but for the password in the
		// display form.
		{"postgres://shop:s3cret@db.internal:5432/shop?sslmode=verify-full",
			postgresDB("postgres://shop:s3cret@db.internal:5432/shop?sslmode=verify-full", "postgres://shop:xxxxx@db.internal:5432/shop?sslmode=verify-full")},
		{"postgresql://db/shop?sslmode=disable&password=s3cret",
			postgresDB("postgresql://db/shop?sslmode=disable&password=s3cret", "postgresql://db/shop?password=xxxxx&sslmode=disable")},
		{"postgres://postgres@127.0.0.1:5432/test?sslmode=disable",
			postgresDB("postgres://postgres@127.0.0.1:5432/test?sslmode=disable", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable")},
		{"PostgreSQL:///shop?host=/run/postgresql",
			postgresDB("postgresql:///shop?host=/run/postgresql", "postgresql:///shop?host=/run/postgresql")},

		// MySQL: go-sql-driver/mysql's DSN.
		{"mysql://shop:s3cret@db.internal:3307/shop",
			mysqlDB("shop:s3cret@tcp(db.internal:3307)/shop?interpolateParams=true&parseTime=true", "mysql://shop:xxxxx@db.internal:3307/shop")},
		{"mysql://root@127.0.0.1/test",
			mysqlDB("root@tcp(127.0.0.1:3306)/test?interpolateParams=true&parseTime=true", "mysql://root@127.0.0.1/test")},
		{"MySQL://u:p%40ss%3Aw%2Frd@[::1]/d",
			mysqlDB("u:p@ss:w/rd@tcp([::1]:3306)/d?interpolateParams=true&parseTime=true", "mysql://u:xxxxx@[::1]/d")},
		{"mysql://shop@db/shop?tls=true&parseTime=false&interpolateParams=false&sql_mode=%27ANSI%27",
			mysqlDB("shop@tcp(db:3306)/shop?tls=true&sql_mode=%27ANSI%27", "mysql://shop@db/shop?tls=true&parseTime=false&interpolateParams=false&sql_mode=%27ANSI%27")},
	} {
		got, err := parseDatabaseURL(tc.raw)
		if err != nil {
			t.Errorf("parseDatabaseURL(%q): %v", tc.raw, err)
			continue
		}
		if got != tc.want {
			t.Errorf("parseDatabaseURL(%q)\n got %+v\nwant %+v", tc.raw, got, tc.want)
		}
		if got.dialect == sqlstore.MySQL {
			// The driver reads back the URL's user and password.
			cfg, err := mysql.ParseDSN(got.dsn)
			if err != nil {
				t.Errorf("%q: mysql.ParseDSN(%q): %v", tc.raw, got.dsn, err)
				continue
			}
			u, _ := url.Parse(tc.raw)
			if pw, _ := u.User.Password(); cfg.User != u.User.Username() || cfg.Passwd != pw {
				t.Errorf("%q: the driver reads user %q password %q", tc.raw, cfg.User, cfg.Passwd)
			}
		}
	}
}

func TestParseDatabaseURLErrors(t *testing.T) {
	const secret = "s3cret"
	for _, tc := range []struct {
		raw  string
		want string // in the error, after DATABASE_URL
	}{
		{"redis://:s3cret@cache/0", `unknown scheme "redis"`},
		{"host=db user=shop password=s3cret dbname=shop", "neither a database URL nor a SQLite file path"},
		{"shop", "neither a database URL nor a SQLite file path"},
		{"sqlite:shop.db", `no // after its scheme "sqlite"`},
		{"postgres:shop:s3cret@db/shop", `no // after its scheme "postgres"`},
		{"po stgres://s3cret@db/shop.db", "not a database URL"},
		// url.Parse's own errors would show part of the password.
		{"postgres://shop:s3c/ret@db:5432/shop", "not a valid postgres URL"},
		{"postgres://shop:s3cret@db:port/shop", "not a valid postgres URL"},
		{"postgres://shop:s3c%zzret@db/shop", "not a valid postgres URL"},
		{"mysql://shop:s3c%zzret@db/shop", "not a valid mysql URL"},
		{"mysql://shop:s3c#ret@db/shop", "not a valid mysql URL"},
		{"mysql://shop:s3cret@/shop", "mysql://shop:xxxxx@/shop: no host"},
		{"mysql://shop:s3cret@db", "mysql://shop:xxxxx@db: want one database name"},
		{"mysql://shop:s3cret@db/", "want one database name"},
		{"mysql://shop:s3cret@db/shop/more", "want one database name"},
		{"mysql://shop:s3cret@db/shop?parseTime=maybe", "mysql://shop:xxxxx@db/shop?parseTime=maybe: invalid bool value: maybe"},
		{"mysql://shop:s3cret@db/shop?tls=custom", "unknown config name"},
		{"mysql://shop:s3cret@db/shop?a=%zz", "malformed parameters"},
		{"mysql://shop@db/shop?password=s3cret&a=%zz", "malformed parameters"},
		{"sqlite://", "no file path"},
		{"file:", "no file path"},
		{"file:///", "no file path"},
		{"sqlite:///x.db?a=%zz", "malformed parameters"},
		{"sqlite://:memory:", "not an in-memory database"},
		{"file::memory:?cache=shared", "not an in-memory database"},
		{"file:shop.db?mode=memory", "not an in-memory database"},
	} {
		_, err := parseDatabaseURL(tc.raw)
		switch {
		case err == nil:
			t.Errorf("parseDatabaseURL(%q): no error, want one about %q", tc.raw, tc.want)
			continue
		case !strings.HasPrefix(err.Error(), "DATABASE_URL ") || !strings.Contains(err.Error(), tc.want):
			t.Errorf("parseDatabaseURL(%q): %v\nwant DATABASE_URL and %q", tc.raw, err, tc.want)
		case strings.Contains(err.Error(), "\n"):
			t.Errorf("parseDatabaseURL(%q): more than one line: %q", tc.raw, err)
		}
		if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "s3c") {
			t.Errorf("parseDatabaseURL(%q): the error shows the password: %v", tc.raw, err)
		}
	}
}

// TestRunDatabaseErrors checks that run stops on a bad DATABASE_URL, or
// one it cannot connect to, with one line naming DATABASE_URL and not
// showing the password.
func TestRunDatabaseErrors(t *testing.T) {
	t.Chdir(t.TempDir()) // in case a database is created after all
	for _, raw := range []string{
		"postgres://shop:s3c/ret@db/shop",
		"mysql://shop:s3cret@db",
		"redis://:s3cret@cache",
		// Nothing listens on port 1.
		"postgres://shop:s3cret@127.0.0.1:1/shop?sslmode=disable&connect_timeout=5",
		"mysql://shop:s3cret@127.0.0.1:1/shop?timeout=5s",
		"sqlite://" + filepath.Join(t.TempDir(), "no", "such", "dir", "shop.db"),
	} {
		env := map[string]string{"ADDR": "127.0.0.1:0", "DATABASE_URL": raw}
		var stdout bytes.Buffer
		err := run(t.Context(), func(k string) string { return env[k] }, &stdout)
		switch {
		case err == nil:
			t.Errorf("run with DATABASE_URL=%s: no error", raw)
		case !strings.Contains(err.Error(), "DATABASE_URL") || strings.Contains(err.Error(), "\n"):
			t.Errorf("run with DATABASE_URL=%s: %q, want one line naming DATABASE_URL", raw, err)
		case strings.Contains(err.Error(), "s3c"):
			t.Errorf("run with DATABASE_URL=%s: the error shows the password: %v", raw, err)
		default:
			t.Logf("DATABASE_URL=%s: %v", raw, err)
		}
		if stdout.Len() != 0 {
			t.Errorf("run with DATABASE_URL=%s printed %q", raw, stdout.String())
		}
	}
	if entries, _ := os.ReadDir("."); len(entries) != 0 {
		t.Errorf("files left in the working directory: %v", entries)
	}
}

// TestPaymentsSurviveRestart pays on a shop, then finds the payment and
// the order in a new shop on the same SQLite file.
func TestPaymentsSurviveRestart(t *testing.T) {
	dbURL := sqliteURL(t)
	var ref, id string
	t.Run("before", func(t *testing.T) {
		ts := newTestShopOn(t, dbURL, "")
		var page string
		ref, page = ts.payAs(t, "paydunya", providertest.Pay)
		u, err := url.Parse(page)
		if err != nil {
			t.Fatal(err)
		}
		id = u.Query().Get("payment_id")
	})
	if id == "" {
		t.FailNow()
	}
	ts := newTestShopOn(t, dbURL, "")
	p, err := ts.kit.Payment(t.Context(), id)
	if err != nil {
		t.Fatalf("payment %s after a restart: %v", id, err)
	}
	if p.Status != cauri.StatusPaid || p.OrderID != ref || p.FulfilledAt.IsZero() {
		t.Errorf("payment after a restart: %s for %s, fulfilled at %v; want paid for %s, fulfilled", p.Status, p.OrderID, p.FulfilledAt, ref)
	}
	row := ts.orderRow(t, ref)
	if !strings.Contains(row, `<td class="status">paid</td>`) || !strings.Contains(row, `<td class="onpaid">1</td>`) || !strings.Contains(row, "PayDunya") {
		t.Errorf("/orders row after a restart: %s", row)
	}
	// The order is still known to be paid: no second payment.
	if code, _, body := ts.do(t, http.MethodPost, "/pay/checkout/moneroo", buy(ref)); code != http.StatusUnprocessableEntity {
		t.Errorf("checkout of an order paid before the restart: %d, want 422\n%s", code, body)
	}
}
