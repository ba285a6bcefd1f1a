package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/providertest"
	sqlstore "github.com/cauripay/cauri/stores/sql"
)

// testShop is the shop on the emulator, served by an httptest server whose
// URL is the shop's PUBLIC_URL.
type testShop struct {
	*shop
	ts     *httptest.Server
	client *http.Client // does not follow redirects
}

// newTestShop is a test shop on a new SQLite file.
func newTestShop(t *testing.T) *testShop {
	t.Helper()
	return newTestShopOn(t, sqliteURL(t), "")
}

// sqliteURL is the DATABASE_URL of a new SQLite file, removed when t ends.
func sqliteURL(t *testing.T) string {
	return "sqlite://" + filepath.Join(t.TempDir(), "cauri.db")
}

// newTestShopOn is a test shop whose kit keeps its payments at
// databaseURL, in tables with tablePrefix, which are dropped when t ends,
// unless tablePrefix is empty.
func newTestShopOn(t *testing.T, databaseURL, tablePrefix string) *testShop {
	t.Helper()
	// The listener comes first: its address is the PublicURL the shop,
	// the kit and the emulator's webhooks need.
	ts := httptest.NewUnstartedServer(nil)
	s, err := newShop(t.Context(), config{
		PublicURL:   "http://" + ts.Listener.Addr().String(),
		Logger:      slog.New(slog.NewTextHandler(t.Output(), nil)),
		DatabaseURL: databaseURL,
		tablePrefix: tablePrefix,
	})
	if err != nil {
		ts.Close()
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	if tablePrefix != "" {
		dropTables(t, s.db, tablePrefix) // before s.Close, after ts.Close
	}
	ts.Config.Handler = s.handler()
	ts.Start()
	t.Cleanup(ts.Close)
	if s.emu == nil {
		t.Fatal("no emulator without MONEROO_SECRET_KEY")
	}
	return &testShop{shop: s, ts: ts, client: &http.Client{
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// do sends a request and returns the answer's status, Location and body.
func (ts *testShop) do(t *testing.T, method, rawURL string, form url.Values) (int, string, string) {
	t.Helper()
	if strings.HasPrefix(rawURL, "/") {
		rawURL = ts.ts.URL + rawURL
	}
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(t.Context(), method, rawURL, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := ts.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, res.Header.Get("Location"), string(b)
}

func (ts *testShop) get(t *testing.T, rawURL string) (int, string, string) {
	t.Helper()
	return ts.do(t, http.MethodGet, rawURL, nil)
}

var orderField = regexp.MustCompile(`<input type="hidden" name="order" value="([^"]+)">`)

// openOrder loads the home page and returns the order reference of its buy
// form.
func (ts *testShop) openOrder(t *testing.T) string {
	t.Helper()
	code, _, body := ts.get(t, "/")
	if code != http.StatusOK {
		t.Fatalf("GET /: %d\n%s", code, body)
	}
	if !strings.Contains(body, "Pagne wax, 5\u00a0000\u00a0FCFA") {
		t.Errorf("GET /: no product and price in\n%s", body)
	}
	m := orderField.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("GET /: no order reference in the form\n%s", body)
	}
	return m[1]
}

// checkout posts the buy form and returns the emulator's checkout page URL.
func (ts *testShop) checkout(t *testing.T, form url.Values) string {
	t.Helper()
	code, loc, body := ts.do(t, http.MethodPost, "/pay/checkout/moneroo", form)
	if code != http.StatusSeeOther || !strings.HasPrefix(loc, ts.emu.URL+"/checkout/") {
		t.Fatalf("checkout: %d to %q, want 303 to the emulator\n%s", code, loc, body)
	}
	return loc
}

// payAs opens an order, checks out, plays the customer on the emulator's
// page, and follows the return URL. It returns the order reference and the
// shop page the kit sent the customer to.
func (ts *testShop) payAs(t *testing.T, a providertest.Action) (ref, page string) {
	t.Helper()
	ref = ts.openOrder(t)
	checkoutURL := ts.checkout(t, url.Values{"order": {ref}})

	code, _, body := ts.get(t, checkoutURL)
	if code != http.StatusOK || !strings.Contains(body, "5000 XOF") {
		t.Fatalf("emulator page: %d\n%s", code, body)
	}
	back, err := ts.emu.Act(t.Context(), checkoutURL, a)
	if err != nil {
		t.Fatalf("%s on the emulator: %v", a, err)
	}
	if !strings.HasPrefix(back, ts.ts.URL+"/pay/return/moneroo") {
		t.Fatalf("emulator sent the customer to %q", back)
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

// dropTables drops the kit's tables with that prefix when t ends.
func dropTables(t *testing.T, db *sql.DB, prefix string) {
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		for _, table := range []string{"payments", "payouts", "schema_migrations"} {
			if _, err := db.ExecContext(ctx, "DROP TABLE IF EXISTS "+prefix+table); err != nil {
				t.Errorf("dropping %s%s: %v", prefix, table, err)
			}
		}
	})
}

// postgresURL is the DATABASE_URL of the PostgreSQL server of
// CAURI_TEST_POSTGRES_DSN; it skips t without one.
func postgresURL(t *testing.T) string {
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
// stores/sql's tests take it; it skips t without one.
func mysqlURL(t *testing.T) string {
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

// TestPayFlow pays an order on a SQLite file, and on the servers of
// CAURI_TEST_POSTGRES_DSN and CAURI_TEST_MYSQL_DSN when they are set.
func TestPayFlow(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { testPayFlow(t, newTestShop(t)) })
	t.Run("postgres", func(t *testing.T) { testPayFlow(t, newTestShopOn(t, postgresURL(t), randomPrefix())) })
	t.Run("mysql", func(t *testing.T) { testPayFlow(t, newTestShopOn(t, mysqlURL(t), randomPrefix())) })
}

func testPayFlow(t *testing.T, ts *testShop) {
	ref, page := ts.payAs(t, providertest.Pay)
	if !strings.HasPrefix(page, "/thanks?") {
		t.Fatalf("after paying, sent to %q, want /thanks?...", page)
	}
	code, _, body := ts.get(t, page)
	if code != http.StatusOK || !strings.Contains(body, "Thank you") || !strings.Contains(body, `<strong class="status">paid</strong>`) || !strings.Contains(body, ref) {
		t.Fatalf("GET %s: %d\n%s", page, code, body)
	}

	row := ts.orderRow(t, ref)
	if !strings.Contains(row, `<td class="status">paid</td>`) || !strings.Contains(row, `<td class="onpaid">1</td>`) {
		t.Errorf("/orders row: want paid with 1 OnPaid call, got\n%s", row)
	}

	// The pending and failure pages send a paid payment on to /thanks.
	q := strings.TrimPrefix(page, "/thanks?")
	for _, p := range []string{"/waiting?", "/sorry?"} {
		if code, loc, _ := ts.get(t, p+q); code != http.StatusSeeOther || loc != page {
			t.Errorf("GET %s: %d to %q, want 303 to %s", p, code, loc, page)
		}
	}
	// The return link visited again changes nothing.
	if code, _, _ := ts.get(t, page); code != http.StatusOK {
		t.Errorf("GET %s again: %d", page, code)
	}

	// A paid order cannot be paid again; an unknown one not at all.
	if code, _, body := ts.do(t, http.MethodPost, "/pay/checkout/moneroo", url.Values{"order": {ref}}); code != http.StatusUnprocessableEntity {
		t.Errorf("checkout of a paid order: %d, want 422\n%s", code, body)
	}
	if code, _, body := ts.do(t, http.MethodPost, "/pay/checkout/moneroo", url.Values{"order": {"ord_nope"}}); code != http.StatusNotFound {
		t.Errorf("checkout of an unknown order: %d, want 404\n%s", code, body)
	}
	if row := ts.orderRow(t, ref); !strings.Contains(row, `<td class="onpaid">1</td>`) {
		t.Errorf("/orders row after all that: want 1 OnPaid call, got\n%s", row)
	}

	code, _, body = ts.get(t, "/metrics")
	if code != http.StatusOK || !strings.Contains(body, "cauri_checkouts_total") || !strings.Contains(body, "cauri_onpaid_total") {
		t.Errorf("GET /metrics: %d, no cauri metrics\n%.2000s", code, body)
	}
}

func TestFailFlow(t *testing.T) {
	ts := newTestShop(t)
	ref, page := ts.payAs(t, providertest.Fail)
	if !strings.HasPrefix(page, "/sorry?") {
		t.Fatalf("after failing, sent to %q, want /sorry?...", page)
	}
	code, _, body := ts.get(t, page)
	if code != http.StatusOK || !strings.Contains(body, `<strong class="status">failed</strong>`) || !strings.Contains(body, "Try again") {
		t.Fatalf("GET %s: %d\n%s", page, code, body)
	}
	if code, loc, _ := ts.get(t, "/thanks?"+strings.TrimPrefix(page, "/sorry?")); code != http.StatusSeeOther || loc != page {
		t.Errorf("GET /thanks of a failed payment: %d to %q, want 303 to %s", code, loc, page)
	}
	row := ts.orderRow(t, ref)
	if !strings.Contains(row, `<td class="status">failed</td>`) || !strings.Contains(row, `<td class="onpaid">0</td>`) {
		t.Errorf("/orders row: want failed with no OnPaid call, got\n%s", row)
	}

	// Trying again opens a new payment for the same order.
	ts.checkout(t, url.Values{"order": {ref}})
	if row := ts.orderRow(t, ref); !strings.Contains(row, `<td class="status">pending</td>`) || !strings.Contains(row, "(2 attempts)") {
		t.Errorf("/orders row after trying again: want a second, pending payment, got\n%s", row)
	}
}

func TestWaitingPage(t *testing.T) {
	ts := newTestShop(t)
	ref := ts.openOrder(t)
	checkoutURL := ts.checkout(t, url.Values{"order": {ref}})
	// Moneroo still says pending when the customer comes back.
	if err := ts.emu.SetStatus(path.Base(checkoutURL), "pending"); err != nil {
		t.Fatal(err)
	}
	ts.mu.Lock()
	id := ts.orders[ref].Payments[0]
	ts.mu.Unlock()
	code, page, body := ts.get(t, ts.kit.ReturnURL("moneroo", id))
	if code != http.StatusSeeOther || !strings.HasPrefix(page, "/waiting?") {
		t.Fatalf("return while pending: %d to %q, want 303 to /waiting?...\n%s", code, page, body)
	}
	code, _, body = ts.get(t, page)
	if code != http.StatusOK || !strings.Contains(body, `<strong class="status" id="status">pending</strong>`) || !strings.Contains(body, "setTimeout(poll, 2000)") {
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
	if _, err := ts.emu.Act(t.Context(), checkoutURL, providertest.Pay); err != nil {
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
	checkoutURL := ts.checkout(t, url.Values{"order": {ref}, "amount": {"1"}, "currency": {"XOF"}, "price": {"1"}})

	emuPay, ok := ts.emu.Payment(path.Base(checkoutURL))
	if !ok {
		t.Fatalf("the emulator has no payment for %s", checkoutURL)
	}
	if emuPay.Amount != 5000 || emuPay.Currency != "XOF" {
		t.Errorf("the emulator was asked for %d %s, want 5000 XOF", emuPay.Amount, emuPay.Currency)
	}

	ts.mu.Lock()
	ids := append([]string(nil), ts.orders[ref].Payments...)
	ts.mu.Unlock()
	if len(ids) != 1 {
		t.Fatalf("order %s has payments %v, want one", ref, ids)
	}
	p, err := ts.kit.Payment(t.Context(), ids[0])
	if err != nil {
		t.Fatal(err)
	}
	if p.Amount != 5000 || p.Currency != "XOF" || p.OrderID != ref || p.Status != cauri.StatusPending {
		t.Errorf("stored payment: %d %s for %s, %s; want 5000 XOF for %s, pending", p.Amount, p.Currency, p.OrderID, p.Status, ref)
	}
}

func TestPaymentPagesNeedTheToken(t *testing.T) {
	ts := newTestShop(t)
	_, page := ts.payAs(t, providertest.Pay)
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

func TestRunNeedsSecretInLiveMode(t *testing.T) {
	env := map[string]string{"MONEROO_SECRET_KEY": "sk_live_x", "ADDR": "127.0.0.1:0"}
	err := run(t.Context(), func(k string) string { return env[k] }, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "CAURI_SECRET") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("run in live mode without CAURI_SECRET: %v, want one line about CAURI_SECRET", err)
	}
}

func TestLoadConfig(t *testing.T) {
	for _, tc := range []struct {
		env     map[string]string
		want    config
		wantErr string
	}{
		{env: nil, want: config{Addr: "127.0.0.1:8080"}},
		{env: map[string]string{"ADDR": ":9000", "PUBLIC_URL": "https://shop.example/"}, want: config{Addr: ":9000", PublicURL: "https://shop.example"}},
		{env: map[string]string{"PUBLIC_URL": "https://shop.example/shop"}, wantErr: "PUBLIC_URL"},
		{env: map[string]string{"PUBLIC_URL": "shop.example"}, wantErr: "PUBLIC_URL"},
		{env: map[string]string{"CAURI_SECRET": "short"}, wantErr: "CAURI_SECRET"},
		{env: map[string]string{"MONEROO_SECRET_KEY": "sk"}, wantErr: "CAURI_SECRET"},
		{env: map[string]string{"DATABASE_URL": " postgres://shop@db/shop "}, want: config{Addr: "127.0.0.1:8080", DatabaseURL: "postgres://shop@db/shop"}},
		{env: map[string]string{"DATABASE_URL": "mongodb://db/shop"}, wantErr: "DATABASE_URL"},
	} {
		got, err := loadConfig(func(k string) string { return tc.env[k] })
		switch {
		case tc.wantErr != "":
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%v: error %v, want one about %s", tc.env, err, tc.wantErr)
			}
		case err != nil:
			t.Errorf("%v: %v", tc.env, err)
		case got != tc.want:
			t.Errorf("%v: %+v, want %+v", tc.env, got, tc.want)
		}
	}
}

func TestRunStartsAndStops(t *testing.T) {
	// Without DATABASE_URL, the payments go to cauri-demo.db in the
	// working directory.
	t.Chdir(t.TempDir())
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	env := map[string]string{"ADDR": "127.0.0.1:0"}
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, func(k string) string { return env[k] }, pw)
		_ = pw.Close()
	}()

	lines := bufio.NewReader(pr)
	line, err := lines.ReadString('\n')
	if err != nil {
		t.Fatalf("reading run's first line: %v (run: %v)", err, <-done)
	}
	go func() { _, _ = io.Copy(io.Discard, lines) }()
	m := regexp.MustCompile(`^cauri demo shop: open (http://127\.0\.0\.1:\d+)/ \(offline: payments on the Moneroo emulator at http://127\.0\.0\.1:\d+\)\n$`).FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("first line %q", line)
	}

	res, err := http.Get(m[1] + "/")
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("GET /: %d", res.StatusCode)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run after cancel: %v", err)
		}
	case <-time.After(shutdownTimeout + 5*time.Second):
		t.Fatal("run did not return after its context was cancelled")
	}
	if _, err := http.Get(m[1] + "/"); err == nil {
		t.Error("the server still answers after run returned")
	}
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
	for _, tc := range []struct {
		raw  string
		want database
	}{
		// The default: a file in the working directory.
		{"", database{sqlstore.SQLite, "sqlite", "file:cauri-demo.db?" + pragmas, "sqlite://" + abs("cauri-demo.db")}},

		{"sqlite:///var/lib/shop/cauri.db", database{sqlstore.SQLite, "sqlite", "file:/var/lib/shop/cauri.db?" + pragmas, "sqlite:///var/lib/shop/cauri.db"}},
		{"sqlite://data/cauri.db", database{sqlstore.SQLite, "sqlite", "file:data/cauri.db?" + pragmas, "sqlite://" + abs("data/cauri.db")}},
		{"SQLite://cauri.db", database{sqlstore.SQLite, "sqlite", "file:cauri.db?" + pragmas, "sqlite://" + abs("cauri.db")}},
		{"sqlite:///x.db?_pragma=foreign_keys(1)", database{sqlstore.SQLite, "sqlite", "file:/x.db?_pragma=foreign_keys(1)&" + pragmas, "sqlite:///x.db"}},
		{"sqlite:///x.db?_pragma=busy_timeout(100)&_journal_mode=DELETE", database{sqlstore.SQLite, "sqlite", "file:/x.db?_pragma=busy_timeout(100)&_journal_mode=DELETE", "sqlite:///x.db"}},
		{"sqlite:///x.db?_timeout=100", database{sqlstore.SQLite, "sqlite", "file:/x.db?_timeout=100&_pragma=journal_mode(WAL)", "sqlite:///x.db"}},
		// A file path is escaped into a SQLite URI.
		{"sqlite:///tmp/100%.db", database{sqlstore.SQLite, "sqlite", "file:/tmp/100%25.db?" + pragmas, "sqlite:///tmp/100%.db"}},
		{"/tmp/why#.db", database{sqlstore.SQLite, "sqlite", "file:/tmp/why%23.db?" + pragmas, "sqlite:///tmp/why#.db"}},
		{"shop.db", database{sqlstore.SQLite, "sqlite", "file:shop.db?" + pragmas, "sqlite://" + abs("shop.db")}},
		{"./data/shop.sqlite", database{sqlstore.SQLite, "sqlite", "file:./data/shop.sqlite?" + pragmas, "sqlite://" + abs("data/shop.sqlite")}},
		{"/srv/Shop.SQLITE3", database{sqlstore.SQLite, "sqlite", "file:/srv/Shop.SQLITE3?" + pragmas, "sqlite:///srv/Shop.SQLITE3"}},
		// A SQLite URI is one already.
		{"file:/srv/shop.db", database{sqlstore.SQLite, "sqlite", "file:/srv/shop.db?" + pragmas, "file:/srv/shop.db"}},
		{"file:///srv/shop.db?mode=rwc", database{sqlstore.SQLite, "sqlite", "file:///srv/shop.db?mode=rwc&" + pragmas, "file:///srv/shop.db?mode=rwc"}},
		{"FILE:shop", database{sqlstore.SQLite, "sqlite", "file:shop?" + pragmas, "FILE:shop"}},

		// PostgreSQL: the URL as it is, but for the password in the
		// display form.
		{"postgres://shop:s3cret@db.internal:5432/shop?sslmode=verify-full",
			database{sqlstore.Postgres, "pgx", "postgres://shop:s3cret@db.internal:5432/shop?sslmode=verify-full", "postgres://shop:xxxxx@db.internal:5432/shop?sslmode=verify-full"}},
		{"postgresql://db/shop?sslmode=disable&password=s3cret",
			database{sqlstore.Postgres, "pgx", "postgresql://db/shop?sslmode=disable&password=s3cret", "postgresql://db/shop?password=xxxxx&sslmode=disable"}},
		{"postgres://postgres@127.0.0.1:5432/test?sslmode=disable",
			database{sqlstore.Postgres, "pgx", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"}},
		{"PostgreSQL:///shop?host=/run/postgresql",
			database{sqlstore.Postgres, "pgx", "postgresql:///shop?host=/run/postgresql", "postgresql:///shop?host=/run/postgresql"}},

		// MySQL: go-sql-driver/mysql's DSN.
		{"mysql://shop:s3cret@db.internal:3307/shop",
			database{sqlstore.MySQL, "mysql", "shop:s3cret@tcp(db.internal:3307)/shop?interpolateParams=true&parseTime=true", "mysql://shop:xxxxx@db.internal:3307/shop"}},
		{"mysql://root@127.0.0.1/test",
			database{sqlstore.MySQL, "mysql", "root@tcp(127.0.0.1:3306)/test?interpolateParams=true&parseTime=true", "mysql://root@127.0.0.1/test"}},
		{"MySQL://u:p%40ss%3Aw%2Frd@[::1]/d",
			database{sqlstore.MySQL, "mysql", "u:p@ss:w/rd@tcp([::1]:3306)/d?interpolateParams=true&parseTime=true", "mysql://u:xxxxx@[::1]/d"}},
		{"mysql://shop@db/shop?tls=true&parseTime=false&interpolateParams=false&sql_mode=%27ANSI%27",
			database{sqlstore.MySQL, "mysql", "shop@tcp(db:3306)/shop?tls=true&sql_mode=%27ANSI%27", "mysql://shop@db/shop?tls=true&parseTime=false&interpolateParams=false&sql_mode=%27ANSI%27"}},
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

// TestPaymentsSurviveRestart pays on a shop, then finds the payment in a
// new shop on the same SQLite file.
func TestPaymentsSurviveRestart(t *testing.T) {
	dbURL := sqliteURL(t)
	var ref, id string
	t.Run("before", func(t *testing.T) {
		ts := newTestShopOn(t, dbURL, "")
		var page string
		ref, page = ts.payAs(t, providertest.Pay)
		u, err := url.Parse(page)
		if err != nil {
			t.Fatal(err)
		}
		id = u.Query().Get("payment_id")
	})
	if id == "" {
		t.FailNow()
	}
	s, err := newShop(t.Context(), config{PublicURL: "http://127.0.0.1:1", DatabaseURL: dbURL})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	p, err := s.kit.Payment(t.Context(), id)
	if err != nil {
		t.Fatalf("payment %s after a restart: %v", id, err)
	}
	if p.Status != cauri.StatusPaid || p.OrderID != ref || p.FulfilledAt.IsZero() {
		t.Errorf("payment after a restart: %s for %s, fulfilled at %v; want paid for %s, fulfilled", p.Status, p.OrderID, p.FulfilledAt, ref)
	}
}
