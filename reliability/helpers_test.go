// Package reliability_test proves, with faults injected into every
// provider's emulator and into the stores, that the kit loses no payment,
// pays none twice and believes no forgery. See RELIABILITY.md at the
// repository's root for what each test proves and the figures measured.
package reliability_test

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/prometheus/client_golang/prometheus"
	_ "modernc.org/sqlite"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/internal/secretcheck"
	"github.com/cauripay/cauri/internal/testmetrics"
	"github.com/cauripay/cauri/internal/testorder"
	"github.com/cauripay/cauri/providers/dexchange"
	"github.com/cauripay/cauri/providers/dexchange/dexchangetest"
	"github.com/cauripay/cauri/providers/dexpay"
	"github.com/cauripay/cauri/providers/dexpay/dexpaytest"
	"github.com/cauripay/cauri/providers/emulators"
	"github.com/cauripay/cauri/providers/moneroo"
	"github.com/cauripay/cauri/providers/moneroo/monerootest"
	"github.com/cauripay/cauri/providers/moneyfusion"
	"github.com/cauripay/cauri/providers/moneyfusion/moneyfusiontest"
	"github.com/cauripay/cauri/providers/novasend"
	"github.com/cauripay/cauri/providers/novasend/novasendtest"
	"github.com/cauripay/cauri/providers/paydunya"
	"github.com/cauripay/cauri/providers/paydunya/paydunyatest"
	"github.com/cauripay/cauri/providers/providertest"
	"github.com/cauripay/cauri/stores/memory"
	sqlstore "github.com/cauripay/cauri/stores/sql"
)

// Shop settings shared by the tests.
const (
	shopSecret  = "reliability-secret-reliability-secret-0123"
	orderAmount = 5000 // XOF
	successPath = "/shop/success"
	failurePath = "/shop/failure"
	pendingPath = "/shop/pending"

	// providerTimeout bounds each attempt of a provider call; slowFault is
	// well past it. A call the emulator answers at once must fit in it on
	// a one-CPU machine, loaded, running -race: every slow answer costs
	// the tests that much, but no sound one ever times out.
	providerTimeout = 3 * time.Second
	slowFault       = 5 * providerTimeout / 2
	// breakerOpen is how long an open breaker waits before a trial call:
	// long enough that a loaded machine running -race sees it open.
	breakerOpen = time.Second
)

// paymentIDPattern finds the kit's payment ID in a provider request.
var paymentIDPattern = regexp.MustCompile(`pay_[0-9a-z]{26}`)

// ---------------------------------------------------------------------
// Stores

// backend is a store the tests run against.
type backend struct {
	name    string
	env     string // the DSN variable of a server; empty for memory and SQLite
	driver  string // database/sql driver; empty for memory
	dialect sqlstore.Dialect
	// fill has each store of a server open its pool's connections before
	// the test (see fillPool), for a test that needs them all at once.
	fill bool
}

// backends returns memory, SQLite, and PostgreSQL and MariaDB: the servers
// are skipped, naming their variable, when it is not set.
func backends() []backend {
	return []backend{
		{name: "memory"},
		{name: "sqlite", driver: "sqlite", dialect: sqlstore.SQLite},
		{name: "postgres", env: "CAURI_TEST_POSTGRES_DSN", driver: "pgx", dialect: sqlstore.Postgres},
		{name: "mysql", env: "CAURI_TEST_MYSQL_DSN", driver: "mysql", dialect: sqlstore.MySQL},
	}
}

// require skips t, naming the variable, when the backend's server is not
// configured, and under -short for every store but memory.
func (b backend) require(tb testing.TB) {
	tb.Helper()
	if testing.Short() && b.driver != "" {
		tb.Skipf("-short: the reliability tests run over the memory store only; %s runs in the full suite", b.name)
	}
	if b.env != "" && os.Getenv(b.env) == "" {
		tb.Skipf("set %s to run against %s", b.env, b.name)
	}
}

// open returns a function giving handles on one new, empty store: the same
// memory store each time, or a new *sql.DB on the same tables (a second
// process). The tables have a random prefix and are dropped when tb ends.
// It skips tb when the backend's server variable is not set.
func (b backend) open(tb testing.TB) func() cauri.Store {
	tb.Helper()
	if b.driver == "" {
		st := memory.New()
		return func() cauri.Store { return st }
	}
	var dsn string
	if b.env == "" {
		dsn = "file:" + filepath.Join(tb.TempDir(), "cauri.db") + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)"
	} else if dsn = os.Getenv(b.env); dsn == "" {
		tb.Skipf("set %s to run against %s", b.env, b.name)
	}
	prefix := "r" + strings.ToLower(rand.Text()[:12]) + "_"
	first := true
	return func() cauri.Store {
		tb.Helper()
		db, err := sql.Open(b.driver, dsn)
		if err != nil {
			tb.Fatalf("sql.Open(%s): %v", b.driver, err)
		}
		// A bounded pool, as a shop would keep under the server's limit,
		// whose connections stay open: a server's are slow to open.
		db.SetMaxOpenConns(16)
		db.SetMaxIdleConns(16)
		tb.Cleanup(func() { db.Close() })
		if b.fill && b.env != "" {
			fillPool(tb, db, 16)
		}
		st := sqlstore.New(db, b.dialect, sqlstore.WithTablePrefix(prefix))
		if first {
			first = false
			// Registered after db.Close, so it runs before it.
			tb.Cleanup(func() {
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				for _, t := range []string{"payments", "payment_events", "payouts", "orders", "schema_migrations"} {
					if _, err := db.ExecContext(ctx, "DROP TABLE IF EXISTS "+prefix+t); err != nil {
						tb.Errorf("dropping %s%s: %v", prefix, t, err)
					}
				}
			})
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if err := st.Migrate(ctx); err != nil {
				tb.Fatalf("Migrate: %v", err)
			}
		}
		return st
	}
}

// fillPool opens db's n connections now, waiting while the server has
// none to spare (other tests share it, up to its max_connections): a pool
// that keeps them open then needs no new one during the test, however
// many the others take meanwhile.
func fillPool(tb testing.TB, db *sql.DB, n int) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conns := make([]*sql.Conn, 0, n)
	defer func() {
		for _, c := range conns {
			c.Close() // back to the pool, which keeps it
		}
	}()
	wait := 10 * time.Millisecond
	for len(conns) < n {
		c, err := db.Conn(ctx)
		if err == nil {
			conns = append(conns, c)
			continue
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			tb.Fatalf("opening %d connections to the database: %d open; %v", n, len(conns), err)
		case <-t.C:
		}
		wait = min(2*wait, time.Second)
	}
}

// ---------------------------------------------------------------------
// Providers

// emuOptions tunes an emulator.
type emuOptions struct {
	retries        int           // webhook redeliveries; 0 means 3
	retryDelay     time.Duration // between them; 0 means 20ms
	webhookTimeout time.Duration // the receiver's time to answer; 0 means 3s
	unsigned       bool          // Moneroo, DEXPAY: no webhook secret, so every notification is confirmed
	// dexchangeSecret makes DEXCHANGE sign its notifications with
	// X-Webhook-Signature, and the client check them.
	dexchangeSecret string
}

// spec is one provider: how to start its emulator and speak as it.
type spec struct {
	name     string
	emulator emulators.Provider
	// guidance is the provider's PollGuidance, 0 when it has none.
	guidance time.Duration
	// own returns the options of the provider's own emulator package
	// that o asks for; nil when it has none.
	own func(o emuOptions) []providertest.EmulatorOption
	// boot builds the provider's client against the started emulator em,
	// through the API proxy px (see client), and what the tests know of
	// the provider.
	boot func(tb testing.TB, em emulators.Emulator, px *apiProxy, o emuOptions) *emu
}

// start starts the provider's emulator, which closes when tb ends, its
// proxy and its client.
func (sp spec) start(tb testing.TB, o emuOptions) *emu {
	tb.Helper()
	if sp.boot == nil {
		tb.Fatalf("no reliability facts for provider %s: add them to specs", sp.name)
	}
	opts := []providertest.EmulatorOption{providertest.WithWebhookRetries(o.retries, o.retryDelay), providertest.WithWebhookTimeout(o.webhookTimeout)}
	if sp.own != nil {
		opts = append(opts, sp.own(o)...)
	}
	em := sp.emulator.Start(opts...)
	tb.Cleanup(em.Close)
	px := newAPIProxy(tb, em.URL)
	e := sp.boot(tb, em.Emulator, px, o)
	e.spec, e.em, e.proxy = sp, em.Emulator, px
	return e
}

// emu is a running emulator with an API proxy in front of it.
type emu struct {
	spec
	em       emulators.Emulator
	proxy    *apiProxy
	provider cauri.Provider // configured against the proxy
	// setStatus sets the emulator's own status word for a payment.
	setStatus func(ref string, s cauri.Status) error
	// sign returns the headers that make body authentic, for providers
	// that sign their notifications (Moneroo, NovaSend); nil for the others.
	sign func(body []byte) http.Header
	// secrets are the provider's credentials and signing keys, which must
	// never show in the kit's logs, errors or metrics.
	secrets []string
	// believed is true when the kit believes the provider's signed
	// notifications as they stand; the others it confirms with the
	// provider's status endpoint.
	believed bool
	// hintOnBadSignature is true when a notification whose signature does
	// not verify is not refused but confirmed with the provider's status
	// endpoint (NovaSend, whose documents leave the signed bytes unclear),
	// and when a signature also verifies over the body's compact
	// re-serialisation, so that white space added after signing changes
	// nothing.
	hintOnBadSignature bool
	// confirmsUnsigned is true when a notification that bears no
	// signature at all, though the provider signs, is not refused but
	// confirmed with the provider's status endpoint (DEXPAY, which sends
	// them unsigned for an account with no webhook secret).
	confirmsUnsigned bool
	// confirmsZero is true when a signed notification of a payment for
	// nothing is not believed but confirmed with the provider's status
	// endpoint (DEXPAY believes a completed payment only when it states a
	// positive amount).
	confirmsZero bool
	// craft builds a notification the provider would send, authentic
	// (signed, hashed or at the callback URL), about p with status s and
	// the amount and currency given, to be posted at the shop base.
	craft func(sh *shop, p cauri.Payment, s cauri.Status, amount int64, currency string) notice
}

// notice is one notification as a provider posts it.
type notice struct {
	url    string
	header http.Header
	body   []byte
}

func jsonHeader() http.Header { return http.Header{"Content-Type": {"application/json"}} }

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// specs returns every provider of the kit, those of emulators.All, with
// what the tests know of each. A provider with no facts here fails the
// tests that start it.
func specs() []spec {
	facts := map[string]spec{
		dexchange.Name:   {own: dexchangeOptions, boot: startDexchange},
		dexpay.Name:      {own: dexpayOptions, boot: startDexpay},
		moneroo.Name:     {boot: startMoneroo},
		moneyfusion.Name: {boot: startMoneyFusion},
		novasend.Name:    {boot: startNovaSend, guidance: novasend.MinPollInterval},
		paydunya.Name:    {boot: startPayDunya},
	}
	var out []spec
	for _, p := range emulators.All() {
		sp := facts[p.Name]
		sp.name, sp.emulator = p.Name, p
		out = append(out, sp)
	}
	return out
}

// specNamed returns the provider called name.
func specNamed(tb testing.TB, name string) spec {
	tb.Helper()
	for _, sp := range specs() {
		if sp.name == name {
			return sp
		}
	}
	tb.Fatalf("no provider %s", name)
	return spec{}
}

func startMoneroo(tb testing.TB, started emulators.Emulator, px *apiProxy, o emuOptions) *emu {
	em, prov := client[*monerootest.Server](tb, started, func(c *moneroo.Config) {
		c.BaseURL = px.url(c.BaseURL)
		if o.unsigned {
			c.WebhookSecrets = nil
		}
	}, moneroo.New)
	words := map[cauri.Status]string{cauri.StatusPaid: "success", cauri.StatusFailed: "failed", cauri.StatusPending: "initiated", cauri.StatusCancelled: "cancelled"}
	return &emu{
		provider: prov, believed: !o.unsigned,
		secrets: []string{em.SecretKey, em.WebhookSecret},
		sign: func(body []byte) http.Header {
			return http.Header{moneroo.SignatureHeader: {em.Sign(body)}}
		},
		setStatus: func(ref string, s cauri.Status) error { return em.SetStatus(ref, words[s]) },
		craft: func(sh *shop, p cauri.Payment, s cauri.Status, amount int64, currency string) notice {
			body := mustJSON(map[string]any{
				"event": "payment." + words[s],
				"data": map[string]any{
					"id": p.ProviderRef, "status": words[s], "amount": amount, "currency": currency,
					"metadata": map[string]string{moneroo.MetaPaymentID: p.ID},
				},
			})
			h := jsonHeader()
			h.Set(moneroo.SignatureHeader, em.Sign(body))
			return notice{url: sh.webhookURL("moneroo"), header: h, body: body}
		},
	}
}

func startMoneyFusion(tb testing.TB, started emulators.Emulator, px *apiProxy, o emuOptions) *emu {
	em, prov := client[*moneyfusiontest.Server](tb, started, func(c *moneyfusion.Config) { c.APIURL, c.StatusURL = px.url(c.APIURL), px.url(c.StatusURL) }, moneyfusion.New)
	words := map[cauri.Status]string{cauri.StatusPaid: moneyfusiontest.StatusPaid, cauri.StatusFailed: moneyfusiontest.StatusFailure,
		cauri.StatusPending: moneyfusiontest.StatusPending, cauri.StatusCancelled: moneyfusiontest.StatusCancelled}
	events := map[cauri.Status]string{cauri.StatusPaid: moneyfusion.EventCompleted, cauri.StatusFailed: moneyfusion.EventCancelled,
		cauri.StatusPending: moneyfusion.EventPending, cauri.StatusCancelled: moneyfusion.EventCancelled}
	return &emu{
		provider:  prov,
		secrets:   []string{em.Key, em.APIURL},
		setStatus: func(ref string, s cauri.Status) error { return em.SetStatus(ref, words[s]) },
		craft: func(sh *shop, p cauri.Payment, s cauri.Status, amount int64, currency string) notice {
			body, ok := em.Notification(p.ProviderRef, events[s])
			if !ok {
				sh.t.Fatalf("moneyfusion: no payment %q", p.ProviderRef)
			}
			// MoneyFusion signs nothing: what it posts is all there is.
			var m map[string]any
			if err := json.Unmarshal(body, &m); err != nil {
				sh.t.Fatal(err)
			}
			frais, _ := m["frais"].(float64)
			m["Montant"] = amount - int64(frais)
			return notice{url: sh.kit().CallbackURL("moneyfusion", p.ID), header: jsonHeader(), body: mustJSON(m)}
		},
	}
}

// dexchangeOptions are DEXCHANGE's emulator options: no rate limit, and
// o's webhook secret.
func dexchangeOptions(o emuOptions) []providertest.EmulatorOption {
	opts := []providertest.EmulatorOption{dexchangetest.WithRateLimit(0, 0)}
	if o.dexchangeSecret != "" {
		opts = append(opts, dexchangetest.WithWebhookSecret(o.dexchangeSecret))
	}
	return opts
}

func startDexchange(tb testing.TB, started emulators.Emulator, px *apiProxy, o emuOptions) *emu {
	em, prov := client[*dexchangetest.Server](tb, started, func(c *dexchange.Config) { c.BaseURL = px.url(c.BaseURL) }, dexchange.New)
	words := map[cauri.Status]string{cauri.StatusPaid: "SUCCESS", cauri.StatusFailed: "FAILED", cauri.StatusPending: "PENDING", cauri.StatusCancelled: "CANCELLED"}
	var sign func([]byte) http.Header
	if o.dexchangeSecret != "" {
		sign = func(body []byte) http.Header {
			return http.Header{dexchange.SignatureHeader: {dexchange.Sign(o.dexchangeSecret, body)}}
		}
	}
	return &emu{
		provider: prov, sign: sign, believed: o.dexchangeSecret != "",
		secrets:   []string{em.APIKey, o.dexchangeSecret},
		setStatus: func(ref string, s cauri.Status) error { return em.SetStatus(ref, words[s]) },
		craft: func(sh *shop, p cauri.Payment, s cauri.Status, amount int64, currency string) notice {
			// DEXCHANGE's notification, unsigned as documented (the
			// callback URL's token binds it to its payment), or signed.
			body := mustJSON(map[string]any{
				"id": p.ProviderRef, "externalTransactionId": p.ID, "transactionType": "PAYMENT",
				"AMOUNT": amount, "FEE": 0, "PHONE_NUMBER": "771234567", "STATUS": words[s],
				"CUSTOM_DATA": "{}", "COMPLETED_AT": time.Now().UTC().Format(time.RFC3339),
			})
			h := jsonHeader()
			if sign != nil {
				for k, v := range sign(body) {
					h[k] = v
				}
			}
			return notice{url: sh.kit().CallbackURL("dexchange", p.ID), header: h, body: body}
		},
	}
}

// dexpayOptions are DEXPAY's emulator options: unsigned notifications,
// as for an account with no webhook secret, when o asks for them.
func dexpayOptions(o emuOptions) []providertest.EmulatorOption {
	if o.unsigned {
		return []providertest.EmulatorOption{dexpaytest.WithoutWebhookSignature()}
	}
	return nil
}

func startDexpay(tb testing.TB, started emulators.Emulator, px *apiProxy, o emuOptions) *emu {
	em, prov := client[*dexpaytest.Server](tb, started, func(c *dexpay.Config) { c.BaseURL = px.url(c.BaseURL) }, dexpay.New)
	words := map[cauri.Status]string{cauri.StatusPaid: dexpaytest.StatusCompleted, cauri.StatusFailed: dexpaytest.StatusFailed,
		cauri.StatusPending: dexpaytest.StatusPending, cauri.StatusCancelled: dexpaytest.StatusCancelled}
	// The events the plugin reads; a session just opened is INITIATED.
	events := map[cauri.Status]string{cauri.StatusPaid: "CHECKOUT_COMPLETED", cauri.StatusFailed: "CHECKOUT_FAILED",
		cauri.StatusPending: "CHECKOUT_INITIATED", cauri.StatusCancelled: "CHECKOUT_CANCELLED"}
	return &emu{
		provider: prov, believed: !o.unsigned, confirmsUnsigned: true, confirmsZero: true,
		secrets: []string{em.APIKey, em.APISecret, em.WebhookSecret},
		sign: func(body []byte) http.Header {
			return http.Header{dexpay.SignatureHeader: {dexpay.Sign(em.WebhookSecret, body)}}
		},
		setStatus: func(ref string, s cauri.Status) error { return em.SetStatus(ref, words[s]) },
		craft: func(sh *shop, p cauri.Payment, s cauri.Status, amount int64, currency string) notice {
			// The session's reference is our payment ID (its ProviderRef).
			body := mustJSON(map[string]any{
				"event": events[s],
				"data": map[string]any{
					"reference": p.ProviderRef, "status": words[s], "amount": amount, "currency": currency,
					"transaction_id": "TXN_reliability", "payment_method": "MOBILE_MONEY", "operator": "wave",
					"metadata": map[string]string{dexpay.MetaPaymentID: p.ID}, "isSandbox": em.Mode == dexpay.Sandbox,
					"completed_at": time.Now().UTC().Format(time.RFC3339),
				},
				"created_at": time.Now().UTC().Format(time.RFC3339),
			})
			h := jsonHeader()
			h.Set(dexpay.SignatureHeader, dexpay.Sign(em.WebhookSecret, body))
			return notice{url: sh.kit().CallbackURL(dexpay.Name, p.ID), header: h, body: body}
		},
	}
}

func startNovaSend(tb testing.TB, started emulators.Emulator, px *apiProxy, o emuOptions) *emu {
	em, prov := client[*novasendtest.Server](tb, started, func(c *novasend.Config) { c.BaseURL = px.url(c.BaseURL) }, novasend.New)
	type state struct{ status, confirmation, transaction string }
	states := map[cauri.Status]state{
		cauri.StatusPaid:      {"processed", "accepted", "completed"},
		cauri.StatusFailed:    {"processed", "accepted", "failed"},
		cauri.StatusCancelled: {"processed", "declined", ""},
		cauri.StatusPending:   {"processing", "pending", ""},
	}
	return &emu{
		provider: prov, believed: true, hintOnBadSignature: true,
		secrets: []string{em.APIKey, em.APIClient, em.WebhookSecret},
		sign: func(body []byte) http.Header {
			return http.Header{novasend.SignatureHeader: {em.Sign(body)}}
		},
		setStatus: func(ref string, s cauri.Status) error {
			st := states[s]
			return em.SetStatus(ref, st.status, st.confirmation, st.transaction)
		},
		craft: func(sh *shop, p cauri.Payment, s cauri.Status, amount int64, currency string) notice {
			st := states[s]
			obj := map[string]any{
				"id": p.ProviderRef, "type": "payin", "amount": amount, "status": st.status, "currency": currency,
				"reference": p.ID, "confirmationStatus": st.confirmation, "confirmationRequired": true,
				"chargedAmount": amount, "fees": 0,
			}
			if st.transaction != "" {
				a := json.Number(jsonInt(amount))
				obj["transaction"] = map[string]any{
					"reference": "tr_reliability", "status": st.transaction, "amount": a, "chargedAmount": a,
					"fees": "0", "currency": currency, "processedAt": time.Now().UTC().Format(time.RFC3339),
				}
			}
			body := mustJSON(obj)
			h := jsonHeader()
			h.Set(novasend.SignatureHeader, novasend.Sign(em.WebhookSecret, body))
			return notice{url: sh.webhookURL("novasend"), header: h, body: body}
		},
	}
}

func startPayDunya(tb testing.TB, started emulators.Emulator, px *apiProxy, o emuOptions) *emu {
	em, prov := client[*paydunyatest.Server](tb, started, func(c *paydunya.Config) { c.BaseURL = px.url(c.BaseURL) }, paydunya.New)
	words := map[cauri.Status]string{cauri.StatusPaid: paydunya.StatusCompleted, cauri.StatusFailed: paydunya.StatusFailed,
		cauri.StatusPending: paydunya.StatusPending, cauri.StatusCancelled: paydunya.StatusCancelled}
	return &emu{
		provider:  prov,
		secrets:   []string{em.MasterKey, em.Sandbox.PrivateKey, em.Sandbox.Token, em.Hash()},
		setStatus: func(ref string, s cauri.Status) error { return em.SetStatus(ref, words[s]) },
		craft: func(sh *shop, p cauri.Payment, s cauri.Status, amount int64, currency string) notice {
			body, err := em.ClaimBody(p.ProviderRef, words[s], true)
			if err != nil {
				sh.t.Fatal(err)
			}
			form, err := url.ParseQuery(string(body))
			if err != nil {
				sh.t.Fatal(err)
			}
			form.Set("data[invoice][total_amount]", jsonInt(amount))
			return notice{
				url:    sh.kit().CallbackURL("paydunya", p.ID),
				header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}},
				body:   []byte(form.Encode()),
			}
		},
	}
}

func jsonInt(n int64) string { return string(mustJSON(n)) }

// ---------------------------------------------------------------------
// The provider API proxy

// apiProxy stands between the kit's provider clients and an emulator's
// API, and counts what the emulator really did: the checkouts it created
// per payment of ours, whoever gave up waiting. It forwards each request in
// a context of its own, so that a slow answer the kit abandoned is still
// seen through; when the emulator drops a connection, it drops the kit's.
type apiProxy struct {
	srv      *httptest.Server
	target   string
	upstream *http.Client
	seen     atomic.Int64 // requests received

	mu       sync.Mutex
	created  map[string]int // payment ID → creations the emulator answered 2xx, replays excluded
	inflight int            // requests being forwarded
	idle     chan struct{}  // closed while inflight is 0
}

// client returns the started emulator, a server of type S, and the
// provider newP makes of the configuration it gives once route has
// pointed it at the tests' API proxy.
func client[S interface{ Config() C }, C any, P cauri.Provider](tb testing.TB, started emulators.Emulator, route func(*C), newP func(C) (P, error)) (S, P) {
	tb.Helper()
	em := started.(S)
	cfg := em.Config()
	route(&cfg)
	prov, err := newP(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return em, prov
}

func newAPIProxy(tb testing.TB, target string) *apiProxy {
	p := &apiProxy{
		target: target,
		upstream: &http.Client{
			// A connection per request: net/http silently retries an
			// idempotent request that fails on a reused connection, and the
			// proxy must add no retry of its own.
			Transport:     &http.Transport{DisableKeepAlives: true},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		created: map[string]int{},
		idle:    make(chan struct{}),
	}
	close(p.idle)
	p.srv = httptest.NewServer(http.HandlerFunc(p.serve))
	tb.Cleanup(func() {
		p.srv.Close()
		p.upstream.CloseIdleConnections()
	})
	return p
}

// url rewrites an emulator URL to go through the proxy.
func (p *apiProxy) url(emulatorURL string) string {
	return strings.Replace(emulatorURL, p.target, p.srv.URL, 1)
}

func (p *apiProxy) serve(w http.ResponseWriter, r *http.Request) {
	p.seen.Add(1)
	p.busy(1)
	defer p.busy(-1)
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		drop(w)
		return
	}
	// The emulator's work does not stop when the kit stops waiting.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 30*time.Second)
	defer cancel()
	out, err := http.NewRequestWithContext(ctx, r.Method, p.target+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		drop(w)
		return
	}
	out.Header = r.Header.Clone()
	resp, err := p.upstream.Do(out)
	if err != nil {
		drop(w) // the emulator dropped the connection: so do we
		return
	}
	answer, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		drop(w)
		return
	}
	if r.Method == http.MethodPost && resp.StatusCode/100 == 2 && resp.Header.Get("Idempotent-Replayed") == "" {
		if id := paymentIDPattern.Find(body); id != nil {
			p.mu.Lock()
			p.created[string(id)]++
			p.mu.Unlock()
		}
	}
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(answer)
}

// drop closes the client's connection without an answer.
func drop(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}

// busy adds d to the requests in flight.
func (p *apiProxy) busy(d int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.inflight += d
	switch {
	case p.inflight == 0:
		close(p.idle)
	case p.inflight == d: // was 0
		p.idle = make(chan struct{})
	}
}

// settle waits until no request is in flight through the proxy (30s at
// most: a forwarded request gives up then), so that counts are final.
func (p *apiProxy) settle() {
	p.mu.Lock()
	idle := p.idle
	p.mu.Unlock()
	select {
	case <-idle:
	case <-time.After(30 * time.Second):
	}
}

// requests returns how many requests the kit sent the provider.
func (p *apiProxy) requests() int64 { return p.seen.Load() }

// creations returns, per payment ID of ours, how many checkouts the
// emulator created.
func (p *apiProxy) creations() map[string]int {
	p.settle()
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[string]int, len(p.created))
	for k, v := range p.created {
		out[k] = v
	}
	return out
}

// ---------------------------------------------------------------------
// The shop

// shopOptions configures a shop.
type shopOptions struct {
	kits       int // kits behind the shop's front; 0 means 1
	lease      time.Duration
	reconcile  cauri.ReconcilePolicy
	storeWrap  func(cauri.Store) cauri.Store // wraps each kit's store
	onPaidHook func(ctx context.Context, kit int, p cauri.Payment) error
	// kitDefaults leaves ProviderTimeout, Retry and Breaker at the kit's
	// defaults (10s, 2 retries, 5 failures open the breaker for 30s)
	// instead of the tests' short ones.
	kitDefaults bool
	// pollInterval is Config.PollInterval; 0 means 1ms. A test that needs
	// a payment's provider asked again moves the kits' clock to the
	// payment's next turn (shop.nextTurn) rather than count on real time
	// passing: a provider's guidance (NovaSend's 5s) sets turns apart
	// anyway.
	pollInterval time.Duration
	// honourRetryAfter makes the providers wait out the Retry-After of a
	// 503 answer to a notification before they redeliver it, in the kits'
	// time: the answer moves the kits' clock ahead by it (the emulators
	// still redeliver after their short real delay). A notification
	// refused until its payment's next turn is then redelivered at it.
	honourRetryAfter bool
	// rateLimits is Config.RateLimits: nil keeps each provider to its
	// documented rate (DEXCHANGE: 100 a minute), others to the kit's
	// default.
	rateLimits map[string]cauri.RateLimit
}

// shop is a web shop: one or several kits (replicas) over one store,
// mounted under /pay behind a front that routes each request to one of
// them, with providers whose emulators send their notifications there. Its
// helpers fail t; in a subtest, use sh.in(t).
type shop struct {
	t testing.TB
	*shopState
}

// shopState is what all the views of one shop share.
type shopState struct {
	emus   map[string]*emu
	kits   []*cauri.Kit
	stores []cauri.Store
	front  *httptest.Server
	reg    *prometheus.Registry
	client *http.Client
	// route picks the kit serving the next request: a kit's index, or -1
	// for round robin.
	route atomic.Int32
	next  atomic.Uint64
	// skew is how far the kits' clock (Config.Now) is ahead of the real
	// one: see later and nextTurn.
	skew atomic.Int64

	logs *secretcheck.Logs // the kits' logs

	mu        sync.Mutex
	onPaid    map[string]int // payment ID → OnPaid calls
	succeeded map[string]int // payment ID → OnPaid calls that returned nil
	fulfilled map[string]int // payment ID → orders a shop idempotent on Payment.ID shipped: at most 1
	running   map[string]int
	byKit     map[int]int // kit index → OnPaid calls it made
	maxAtOnce int
}

// tail returns the last n lines of logs.
func tail(logs *secretcheck.Logs, n int) string {
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// in returns the shop with helpers that fail t.
func (s *shop) in(t testing.TB) *shop { return &shop{t: t, shopState: s.shopState} }

func newShop(tb testing.TB, open func() cauri.Store, emus []*emu, o shopOptions) *shop {
	tb.Helper()
	s := &shop{t: tb, shopState: &shopState{
		emus: map[string]*emu{}, reg: prometheus.NewRegistry(), logs: &secretcheck.Logs{},
		onPaid: map[string]int{}, succeeded: map[string]int{}, fulfilled: map[string]int{}, running: map[string]int{}, byKit: map[int]int{},
		client: &http.Client{
			Timeout:       30 * time.Second,
			Transport:     &http.Transport{MaxIdleConnsPerHost: 64, IdleConnTimeout: 10 * time.Second},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}}
	tb.Cleanup(s.client.CloseIdleConnections)
	n := max(o.kits, 1)
	handlers := make([]http.Handler, n)
	s.front = httptest.NewServer(http.StripPrefix("/pay", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(s.route.Load())
		if i < 0 {
			i = int(s.next.Add(1) % uint64(n))
		}
		if !o.honourRetryAfter || !strings.HasPrefix(r.URL.Path, "/webhooks/") {
			handlers[i].ServeHTTP(w, r)
			return
		}
		rec := &statusRecorder{ResponseWriter: w}
		handlers[i].ServeHTTP(rec, r)
		if secs := retryAfter(&http.Response{Header: w.Header()}); rec.code == http.StatusServiceUnavailable && secs > 0 {
			s.later(time.Duration(secs) * time.Second) // the provider waits that long before redelivering
		}
	})))
	tb.Cleanup(s.front.Close)

	var provs []cauri.Provider
	for _, e := range emus {
		s.emus[e.name] = e
		provs = append(provs, e.provider)
	}
	for i := range n {
		st := open()
		if o.storeWrap != nil {
			st = o.storeWrap(st)
		}
		cfg := cauri.Config{
			Store:     st,
			Providers: provs,
			PublicURL: s.front.URL + "/pay",
			Secret:    shopSecret,
			Order:     testorder.FromForm(orderAmount),
			OnPaid: func(ctx context.Context, p cauri.Payment) error {
				return s.runOnPaid(ctx, i, o.onPaidHook, p)
			},
			SuccessURL: successPath, FailureURL: failurePath, PendingURL: pendingPath,
			Registerer:      s.reg,
			Logger:          slog.New(slog.NewTextHandler(s.logs, &slog.HandlerOptions{Level: slog.LevelInfo})),
			ProviderTimeout: providerTimeout,
			Retry:           cauri.RetryPolicy{InitialInterval: time.Millisecond, MaxInterval: 5 * time.Millisecond, MaxRetryAfter: 50 * time.Millisecond},
			Breaker:         cauri.BreakerPolicy{ConsecutiveFailures: 3, OpenTimeout: breakerOpen},
			OnPaidLease:     o.lease,
			PollInterval:    cmp.Or(o.pollInterval, time.Millisecond),
			Now:             s.now,
			Reconcile:       o.reconcile,
			RateLimits:      o.rateLimits,
		}
		if o.kitDefaults {
			cfg.ProviderTimeout, cfg.Retry, cfg.Breaker = 0, cauri.RetryPolicy{}, cauri.BreakerPolicy{}
		}
		kit, err := cauri.New(cfg)
		if err != nil {
			tb.Fatalf("cauri.New: %v", err)
		}
		s.kits = append(s.kits, kit)
		s.stores = append(s.stores, st)
		handlers[i] = kit
	}
	for _, e := range emus {
		e.em.SetWebhookURL(s.webhookURL(e.name))
	}
	return s
}

// statusRecorder remembers the status code a handler answered.
type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.code == 0 {
		r.code = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.code == 0 {
		r.code = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// now is the kits' clock: the real one, moved ahead by later.
func (s *shopState) now() time.Time {
	return time.Now().Add(time.Duration(s.skew.Load()))
}

// later moves the kits' clock ahead by d: every payment's next turn to be
// asked about at its provider comes sooner, and so do the ends of OnPaid
// leases and the age of payments. The shop's tests running at once share
// the clock, so it only ever moves ahead.
func (s *shopState) later(d time.Duration) {
	s.skew.Add(int64(d))
}

// nextTurn moves the kits' clock to payment id's next turn to be asked
// about at its provider, if it has not come: the next visit, status poll,
// notification to confirm or reconcile pass then asks the provider.
func (s *shop) nextTurn(id string) {
	s.t.Helper()
	s.until(s.payment(id).NextPollAt)
}

// until moves the kits' clock to t, if it is not there yet.
func (s *shopState) until(t time.Time) {
	// A millisecond more, for a store that keeps times less finely.
	if d := t.Sub(s.now()); d > 0 {
		s.later(d + time.Millisecond)
	}
}

// runOnPaid is every kit's OnPaid: it counts, runs the test's hook, and
// ships the order once per Payment.ID, as the kit asks shops to.
func (s *shop) runOnPaid(ctx context.Context, kit int, hook func(context.Context, int, cauri.Payment) error, p cauri.Payment) error {
	s.mu.Lock()
	s.onPaid[p.ID]++
	s.byKit[kit]++
	s.running[p.ID]++
	s.maxAtOnce = max(s.maxAtOnce, s.running[p.ID])
	s.mu.Unlock()
	var err error
	if hook != nil {
		err = hook(ctx, kit, p)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.running[p.ID]--
	if err == nil {
		s.succeeded[p.ID]++
		s.fulfilled[p.ID] = 1 // idempotent on Payment.ID
	}
	return err
}

// calls returns how many times OnPaid ran for id, and how many of those
// returned nil.
func (s *shop) calls(id string) (calls, ok int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.onPaid[id], s.succeeded[id]
}

// shipped returns how many orders a shop idempotent on Payment.ID shipped
// for id, and the most OnPaid calls seen running at once for one payment.
func (s *shop) shipped(id string) (orders, atOnce int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fulfilled[id], s.maxAtOnce
}

func (s *shop) kit() *cauri.Kit { return s.kits[0] }

func (s *shop) webhookURL(provider string) string {
	return s.front.URL + "/pay/webhooks/" + provider
}

// checkout starts a payment as a browser's form post would, or asking for
// JSON. It returns the answer, and the payment ID and provider page when
// the checkout opened.
//
// The shop's order is order+"@"+provider: the tests run every provider
// side by side in one shop, and one order paid through two providers is
// a case of its own (a newer checkout supersedes the older).
func (s *shop) checkout(provider, order string, asJSON bool) (resp *http.Response, id, checkoutURL string) {
	s.t.Helper()
	return s.checkoutOrder(provider, order+"@"+provider, asJSON)
}

// checkoutOrder is checkout of the shop's order ID order as it stands:
// the same order through another provider supersedes its earlier pending
// payments.
func (s *shop) checkoutOrder(provider, order string, asJSON bool) (resp *http.Response, id, checkoutURL string) {
	s.t.Helper()
	h := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	if asJSON {
		h.Set("Accept", "application/json")
	}
	resp, body := s.do(http.MethodPost, s.front.URL+"/pay/checkout/"+provider, h, []byte(url.Values{"order": {order}}.Encode()))
	if asJSON && resp.StatusCode == http.StatusOK {
		var out struct {
			PaymentID   string `json:"payment_id"`
			CheckoutURL string `json:"checkout_url"`
		}
		if err := json.Unmarshal(body, &out); err != nil {
			s.t.Fatalf("checkout answer: %v", err)
		}
		return resp, out.PaymentID, out.CheckoutURL
	}
	return resp, "", resp.Header.Get("Location")
}

// open starts a payment that must open, and returns it.
func (s *shop) open(provider, order string) (cauri.Payment, string) {
	s.t.Helper()
	resp, id, co := s.checkout(provider, order, true)
	if resp.StatusCode != http.StatusOK {
		s.t.Fatalf("checkout %s: HTTP %d (breaker %v); the kit logged:\n%s", provider, resp.StatusCode, s.breaker(provider), tail(s.logs, 5))
	}
	return s.payment(id), co
}

// do sends a request and returns the answer with its body read (so that
// the connection is reused).
func (s *shop) do(method, target string, h http.Header, body []byte) (*http.Response, []byte) {
	s.t.Helper()
	req, err := http.NewRequest(method, target, bytes.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	for k, v := range h {
		req.Header[k] = v
	}
	resp, err := s.client.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, target, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp, b
}

// post sends a notification and returns the HTTP status.
func (s *shop) post(n notice) int {
	s.t.Helper()
	resp, _ := s.do(http.MethodPost, n.url, n.header, n.body)
	return resp.StatusCode
}

// visit follows a return URL and returns the status and the Location.
func (s *shop) visit(u string) (int, string) {
	s.t.Helper()
	resp, _ := s.do(http.MethodGet, u, nil, nil)
	return resp.StatusCode, resp.Header.Get("Location")
}

// pollStatus asks the status endpoint, as the shop's pending page does.
func (s *shop) pollStatus(id string) (int, cauri.Status) {
	s.t.Helper()
	resp, body := s.do(http.MethodGet, s.kit().StatusURL(id), nil, nil)
	var out struct {
		Status cauri.Status `json:"status"`
	}
	_ = json.Unmarshal(body, &out)
	return resp.StatusCode, out.Status
}

// paid opens a payment of order at e and pays it on the provider's page,
// and returns it with the URL the provider sends the customer back to.
func (s *shop) paid(e *emu, order string) (cauri.Payment, string) {
	s.t.Helper()
	p, co := s.open(e.name, order)
	ret := s.act(e, co, providertest.Pay)
	if ret == "" {
		s.t.Fatal("the provider sent the customer nowhere")
	}
	return p, ret
}

func (s *shop) act(e *emu, checkoutURL string, a providertest.Action) string {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ret, err := e.em.Act(ctx, checkoutURL, a)
	if err != nil {
		s.t.Fatalf("%s %s on the provider's page: %v", e.name, a, err)
	}
	return ret
}

func (s *shop) payment(id string) cauri.Payment {
	s.t.Helper()
	p, err := s.stores[0].Get(context.Background(), id)
	if err != nil {
		s.t.Fatalf("store: %s: %v", id, err)
	}
	return p
}

// metric sums a metric family's samples with these labels.
func (s *shop) metric(name string, labels ...string) float64 {
	s.t.Helper()
	return testmetrics.Sum(s.t, s.reg, name, labels...)
}

// providerCalls counts the calls of one operation the kit made to a
// provider, refused ones (breaker open) excluded.
func (s *shop) providerCalls(provider, op string) float64 {
	var n float64
	for _, outcome := range []string{"ok", "transient", "permanent", "canceled"} {
		n += s.metric("cauri_provider_requests_total", "provider", provider, "operation", op, "outcome", outcome)
	}
	return n
}

func (s *shop) breaker(provider string) float64 {
	return s.metric("cauri_circuit_breaker_state", "provider", provider)
}

// wantPaidOnce checks that payment id is paid and fulfilled, OnPaid
// having run once and succeeded.
func (s *shop) wantPaidOnce(t *testing.T, id string) {
	t.Helper()
	if got := s.payment(id); got.Status != cauri.StatusPaid || !got.Fulfilled() {
		t.Errorf("payment = %s fulfilled %v, want paid and fulfilled", got.Status, got.Fulfilled())
	}
	s.wantOnPaidOnce(t, id)
}

// wantOnPaidOnce checks that OnPaid ran once for payment id and
// succeeded.
func (s *shop) wantOnPaidOnce(t *testing.T, id string) {
	t.Helper()
	if calls, ok := s.calls(id); calls != 1 || ok != 1 {
		t.Errorf("OnPaid calls = %d, successes = %d; want 1, 1", calls, ok)
	}
}

// webhookOutcomes returns the webhook counter per outcome, for one
// provider's label ("unknown" for names no provider has).
func (s *shop) webhookOutcomes(provider string) map[string]float64 {
	s.t.Helper()
	out := map[string]float64{}
	mfs, err := s.reg.Gather()
	if err != nil {
		s.t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "cauri_webhooks_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			var prov, outcome string
			for _, l := range m.GetLabel() {
				switch l.GetName() {
				case "provider":
					prov = l.GetValue()
				case "outcome":
					outcome = l.GetValue()
				}
			}
			if prov == provider {
				out[outcome] += m.GetCounter().GetValue()
			}
		}
	}
	return out
}

// routeOf returns the provider label a webhook URL is counted under.
func (s *shop) routeOf(target string) string {
	i := strings.Index(target, "/webhooks/")
	if i < 0 {
		return "unknown"
	}
	name, _, _ := strings.Cut(target[i+len("/webhooks/"):], "/")
	if _, ok := s.emus[name]; !ok {
		return "unknown"
	}
	return name
}

// outcomeCode returns the HTTP status webhook.go documents for a webhook
// outcome, or false for "error" (any 5xx) and unknown outcomes. An
// unsigned notification is "confirmed" when the provider's status endpoint
// was asked (or the question under way joined), and "throttled" (503 with
// Retry-After, no call) when its payment's turn had not come.
func outcomeCode(outcome string) (int, bool) {
	code, ok := map[string]int{
		"accepted": http.StatusOK, "confirmed": http.StatusOK, "duplicate": http.StatusOK,
		"unknown_payment": http.StatusOK, "ignored": http.StatusOK,
		"throttled":        http.StatusServiceUnavailable,
		"malformed":        http.StatusBadRequest,
		"unauthenticated":  http.StatusUnauthorized,
		"unknown_provider": http.StatusNotFound,
		"too_large":        http.StatusRequestEntityTooLarge,
		"amount_mismatch":  http.StatusUnprocessableEntity,
	}[outcome]
	return code, ok
}

// postCounted sends a notification and returns the HTTP status and the one
// webhook outcome it was counted under ("" when none, "several" when more).
// Tests running at once must post to different providers' routes.
func (s *shop) postCounted(n notice) (int, string) {
	s.t.Helper()
	resp, outcome := s.postAnswered(n)
	return resp.StatusCode, outcome
}

// postAnswered is postCounted returning the whole answer, its body read.
func (s *shop) postAnswered(n notice) (*http.Response, string) {
	s.t.Helper()
	prov := s.routeOf(n.url)
	before := s.webhookOutcomes(prov)
	resp, _ := s.do(http.MethodPost, n.url, n.header, n.body)
	return resp, s.outcomeSince(prov, before)
}

func (s *shop) outcomeSince(provider string, before map[string]float64) string {
	var got []string
	for k, v := range s.webhookOutcomes(provider) {
		for range int(v - before[k]) {
			got = append(got, k)
		}
	}
	switch len(got) {
	case 0:
		return ""
	case 1:
		return got[0]
	}
	return "several"
}

// documented reports whether code is what webhook.go documents for
// outcome.
func documented(code int, outcome string) bool {
	if outcome == "error" {
		return code >= 500
	}
	want, ok := outcomeCode(outcome)
	return ok && want == code
}

// wantPath checks a redirect's Location is the shop page path, on the
// shop.
func wantPath(t testing.TB, what, loc, path string) {
	t.Helper()
	u, err := url.Parse(loc)
	if err != nil || u.Host != "" || u.Scheme != "" || u.Path != path {
		t.Errorf("%s: redirected to %q, want the shop's %s", what, loc, path)
	}
}

// settledAs lists the final statuses a customer action may give at a
// provider: a cancel is a failure where the provider has no cancelled.
func settledAs(a providertest.Action) []cauri.Status {
	switch a {
	case providertest.Pay:
		return []cauri.Status{cauri.StatusPaid}
	case providertest.Fail:
		return []cauri.Status{cauri.StatusFailed}
	}
	return []cauri.Status{cauri.StatusCancelled, cauri.StatusFailed}
}

func isOneOf(s cauri.Status, want []cauri.Status) bool {
	for _, w := range want {
		if s == w {
			return true
		}
	}
	return false
}

// eventually runs try every 20ms until it returns true, for at most
// limit. It reports whether try succeeded.
func eventually(limit time.Duration, try func() bool) bool {
	deadline := time.Now().Add(limit)
	for {
		if try() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// shortParallel runs t alongside the package's other tests under -short,
// where they run over the memory store only and mostly wait: the quick run
// then takes about the longest of them, not their sum. The full suite
// runs them one after another, each already running its stores and
// providers at once.
func shortParallel(t *testing.T) {
	if testing.Short() {
		t.Parallel()
	}
}

// each runs fn as one subtest per item, all at once, and returns when all
// are done. The tests mostly wait (on timeouts, breakers, leases), not on
// the CPU, so they are not held to -parallel.
func each[T any](t *testing.T, items []T, name func(T) string, fn func(*testing.T, T)) {
	t.Helper()
	var wg sync.WaitGroup
	for _, it := range items {
		wg.Go(func() { t.Run(name(it), func(t *testing.T) { fn(t, it) }) })
	}
	wg.Wait()
}

func backendName(b backend) string { return b.name }
func specName(sp spec) string      { return sp.name }

// eachLabel calls f with every label of every sample the shop's metrics
// have, and the name of the sample's family.
func (s *shop) eachLabel(t *testing.T, f func(family, name, value string)) {
	t.Helper()
	mfs, err := s.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				f(mf.GetName(), l.GetName(), l.GetValue())
			}
		}
	}
}

// wantNoSecrets checks that no provider credential or signing key, no
// kit secret, and none of the extra strings (tokens, signatures) shows in
// the kits' logs or in any metric label.
func wantNoSecrets(t *testing.T, sh *shop, extra ...string) {
	t.Helper()
	secrets := append([]string{shopSecret}, extra...)
	for _, e := range sh.emus {
		secrets = append(secrets, e.secrets...)
	}
	var labels strings.Builder
	sh.eachLabel(t, func(_, _, value string) { labels.WriteString(value + "\n") })
	logs := sh.logs.String()
	if logs == "" {
		t.Error("the kit logged nothing: nothing to check")
	}
	for _, s := range secrets {
		if len(s) < 8 {
			continue
		}
		if strings.Contains(logs, s) {
			t.Errorf("the kit's logs contain a secret (%d characters)", len(s))
		}
		if strings.Contains(labels.String(), s) {
			t.Errorf("a metric label contains a secret (%d characters)", len(s))
		}
	}
}
