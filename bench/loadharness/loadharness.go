// Package loadharness drives cauri and its baselines with concurrent load
// over loopback and measures them: signed webhooks against the kit and
// against a bare receiver (HMAC, JSON, one statement) doing the same
// single-row compare-and-set on the same database, in two arms on SQL
// stores: on a two-column table (id, status), which PostgreSQL can update
// without touching an index, and on a table with exactly the kit's
// payments schema and indexes, which every real payments table with the
// kit's lookups has to maintain; checkout with the provider's breaker
// open; checkout with a slow provider, watching goroutines and heap; and
// one reconcile pass over many pending payments; and, only when asked
// for, the kit as the payments table grows (the scale scenario, scale.go,
// on PostgreSQL). Every phase is bounded in requests and in time, and
// everything listens on 127.0.0.1. cmd/cauri-bench is its command.
//
// The scale scenario makes the store's tables with its migrations under a
// prefix of its own (cauribench_scale_), seeds them server-side with
// mixed payments by cloning templates the store wrote itself (seed.go),
// measures the webhook, reconcile passes (the median of several, after a
// checkpoint and a pause), the console's queries and the
// tables' sizes at each size, and captures the plan of every statement
// the kit makes through a database/sql driver that wraps pgx's (plans.go):
// a sequential scan of the payments or events table at 100,000 payments or
// more fails the run ([ErrSeqScan]). It drops its tables after each size.
//
// For each webhook arm the harness also measures the CPU time a request
// costs, over the measured rounds: this process's (getrusage; the load
// generator and the HTTP servers run in it too, the same for every arm)
// and, on PostgreSQL, MariaDB and MySQL, the database server's (every
// process on this machine named "postgres", or "mariadbd" or "mysqld",
// from /proc), so that the kit's cost can be told apart: in this process
// or in the database.
//
// On PostgreSQL, MariaDB and MySQL the harness uses tables of its own:
// the kit's cauribench_payments (and the rest of its schema; all emptied
// at the start), the baseline's cauribench_baseline (made anew, dropped at
// the end) and the same-table baseline's cauribench_bare_payments (and the
// rest of its schema; made anew, dropped at the end). Two runs on one
// database must not overlap.
package loadharness

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/bench/internal/rig"
	"github.com/cauripay/cauri/providers/moneroo"
	"github.com/cauripay/cauri/providers/providertest"
	"github.com/cauripay/cauri/stores/memory"
)

// Scenarios returns the harness's scenarios, in the order they run: the
// ones run when none are asked for. The scale scenario, "scale", runs only
// when asked: it takes minutes, on PostgreSQL.
func Scenarios() []string { return []string{"webhook", "breaker", "slow", "reconcile"} }

// Options configures a run. Zero fields take the defaults noted.
type Options struct {
	// Store is the kit's store in the webhook scenario: "memory" (the
	// default), "sqlite", "postgres" or "mysql" (MySQL or MariaDB).
	Store string
	// DSN is the database's, on loopback: for Store "postgres" a
	// postgres:// URL, for "mysql" a go-sql-driver/mysql DSN. It may hold
	// a password: the harness never prints it.
	DSN string
	// Duration bounds each load phase. Zero means 20s.
	Duration time.Duration
	// Concurrency is how many requests are in flight at once. Zero means
	// 32.
	Concurrency int
	// Requests bounds each load phase. Zero means 20000.
	Requests int
	// Rounds splits the webhook scenario's phases into alternating rounds
	// of the baselines and the kit, each a Rounds-th of the requests and
	// of the duration. Zero means 5.
	Rounds int
	// Scenarios to run, some of [Scenarios]. Empty means all.
	Scenarios []string
	// ReconcilePayments is how many pending payments the reconcile pass
	// finds. Zero means 10000.
	ReconcilePayments int
	// SlowTimeout is the kit's ProviderTimeout in the slow scenario, where
	// the provider answers after SlowDelay. Zeros mean 200ms and 5s.
	SlowTimeout, SlowDelay time.Duration
	// WithoutOnPaid runs the webhook scenario's kit with no OnPaid, so
	// that settling a payment is one write (the kit then counts its paid
	// payments in the store).
	WithoutOnPaid bool
	// Sizes are the payments table's sizes the scale scenario measures the
	// kit at, on PostgreSQL, in order. Empty means [DefaultSizes].
	Sizes []int
	// ScalePending is how many pending payments the scale scenario's
	// reconcile pass finds, the same at every size. Zero means 500.
	ScalePending int
	// ScalePasses is how many reconcile passes the scale scenario makes at
	// each size, each over ScalePending new pending payments; it reports
	// their median. Zero means 5.
	ScalePasses int
	// ScalePause is how long the scale scenario waits before each
	// reconcile pass, once its pending payments are stored, and after it,
	// before reading PostgreSQL's I/O counters (which idle backends report
	// within 10 seconds). Zero means 12 seconds.
	ScalePause time.Duration
	// ScalePrefix is the table prefix of the scale scenario's store, whose
	// tables it makes anew at each size and drops. Empty means
	// "cauribench_scale_".
	ScalePrefix string
	// ResultsDir, when set, receives the scale scenario's plans
	// (scale-plans-postgres-<size>.txt) and its plot (scale.png).
	ResultsDir string
	// Progress, when set, receives a line as each step starts.
	Progress func(format string, args ...any)
}

func (o *Options) defaults() error {
	if o.Store == "" {
		o.Store = "memory"
	}
	if o.Duration <= 0 {
		o.Duration = 20 * time.Second
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 32
	}
	if o.Requests <= 0 {
		o.Requests = 20000
	}
	if o.Rounds <= 0 {
		o.Rounds = 5
	}
	if len(o.Scenarios) == 0 {
		o.Scenarios = Scenarios()
	}
	valid := append(Scenarios(), "scale")
	for _, s := range o.Scenarios {
		if !slices.Contains(valid, s) {
			return fmt.Errorf("loadharness: unknown scenario %q: want some of %s", s, strings.Join(valid, ","))
		}
	}
	if len(o.Sizes) == 0 {
		o.Sizes = DefaultSizes()
	}
	if o.ScalePending <= 0 {
		o.ScalePending = 500
	}
	if o.ScalePasses <= 0 {
		o.ScalePasses = 5
	}
	if o.ScalePause <= 0 {
		o.ScalePause = 12 * time.Second
	}
	if o.ScalePrefix == "" {
		o.ScalePrefix = tablePrefix + "scale_"
	}
	if o.ReconcilePayments <= 0 {
		o.ReconcilePayments = 10000
	}
	if o.SlowTimeout <= 0 {
		o.SlowTimeout = 200 * time.Millisecond
	}
	if o.SlowDelay <= 0 {
		o.SlowDelay = 5 * time.Second
	}
	if o.Progress == nil {
		o.Progress = func(string, ...any) {}
	}
	return nil
}

// Report is what a run measured. A scenario not run is zero.
type Report struct {
	Options Options

	// Webhook: signed Moneroo webhooks, each settling a new payment,
	// through the kit (OnPaid run) and through the bare receiver: on a
	// two-column table (a map on the memory store) as Baseline, and on SQL
	// stores on a table with the kit's payments schema and indexes as
	// BaselineSameTable, zero on the memory store.
	Kit, Baseline, BaselineSameTable Phase
	// KitPaid, BaselinePaid and BaselineSameTablePaid count the payments
	// each left paid, warm-up included.
	KitPaid, BaselinePaid, BaselineSameTablePaid int
	// KitCPU, BaselineCPU and BaselineSameTableCPU are the CPU time each
	// arm's measured rounds took, in this process and, on PostgreSQL,
	// MariaDB and MySQL, in the database server.
	KitCPU, BaselineCPU, BaselineSameTableCPU CPU
	// KitStatements, BaselineStatements and BaselineSameTableStatements
	// are, on PostgreSQL, what each arm's measured rounds ran in the
	// server, statement by statement (see [Statements]); when they could
	// not be counted, StatementsUnmeasured says why.
	KitStatements, BaselineStatements, BaselineSameTableStatements Statements
	StatementsUnmeasured                                           string
	// Server is the database server whose CPU time those hold: zero on the
	// memory and SQLite stores.
	Server Server

	// Breaker: checkouts refused by the open breaker, from one client and
	// from Concurrency clients. BreakerTrips is how many failing checkouts
	// opened it; BreakerProviderCalls how many provider calls the refused
	// checkouts made (0 is right).
	BreakerSingle, BreakerLoaded Phase
	// BreakerSingleServer and BreakerLoadedServer are the same checkouts
	// timed inside the server, around the kit's handler only.
	BreakerSingleServer, BreakerLoadedServer ServerTimes
	BreakerTrips                             int
	BreakerProviderCalls                     float64

	// Slow: checkouts against a provider slower than the kit's timeout,
	// the breaker kept closed, and the process's goroutines and heap.
	Slow                        Phase
	Before, During, After       Resources
	PeakBreakdown               Goroutines    // who the goroutines were at the peak
	SettleTime                  time.Duration // from the last answer until goroutines were back to their count before
	SlowTimeouts                float64       // provider calls that timed out
	SlowBreakerOpenedEarlyCalls float64

	// Reconcile: one Kit.Reconcile pass over ReconcilePayments pending
	// payments in a memory store, each paid at the Moneroo emulator, and
	// the same status calls made directly, with the kit's concurrency.
	ReconcilePass        time.Duration
	ReconcileReport      cauri.ReconcileReport
	ReconcileConcurrency int
	DirectCalls          time.Duration // the mean of a run before the pass and one after
	DirectCallsMade      int
	ReconcileListing     time.Duration // the store's ListPending pages alone

	// Scale: the kit on PostgreSQL at each of Options.Sizes payments.
	Scale []ScaleStep
}

// ServerTimes are percentiles of the time the kit's handler took, server
// side.
type ServerTimes struct {
	P50, P99, Max time.Duration
}

func serverTimes(d []time.Duration) ServerTimes {
	var s ServerTimes
	s.P50, s.P99, s.Max = percentiles(d)
	return s
}

// Resources is a sample of the process's goroutines and heap.
type Resources struct {
	Goroutines int
	HeapInuse  uint64 // bytes
}

// sample reads the resources; gc first when asked.
func sample(gc bool) Resources {
	if gc {
		runtime.GC()
	}
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return Resources{Goroutines: runtime.NumGoroutine(), HeapInuse: m.HeapInuse}
}

// Run runs the scenarios asked and returns what they measured.
func Run(ctx context.Context, o Options) (Report, error) {
	if err := o.defaults(); err != nil {
		return Report{}, err
	}
	r := Report{Options: o}
	for _, s := range o.Scenarios {
		var err error
		switch s {
		case "webhook":
			err = r.webhook(ctx, o)
		case "breaker":
			err = r.breaker(ctx, o)
		case "slow":
			err = r.slow(ctx, o)
		case "reconcile":
			err = r.reconcile(ctx, o)
		case "scale":
			err = r.scale(ctx, o)
		}
		if err != nil {
			return r, fmt.Errorf("%s scenario: %w", s, err)
		}
	}
	return r, nil
}

// arm is one side of the webhook scenario: a server, the client that
// loads it, its requests and what each round measured.
type arm struct {
	name   string // the phase's
	short  string // for progress lines
	srv    *server
	client *http.Client
	reqs   []request
	ps     []Phase
	lats   [][]time.Duration
	cpus   []CPU
	stmts  map[int64]*Statement // pg_stat_statements' counters of its rounds
}

// unlimitedRates holds the emulated providers to no rate. The scenarios
// measure the kit's own cost: with the rates Moneroo and PayDunya
// document, the kit would make a reconcile pass ask about the few
// payments a minute's rate allows and skip the others, and would hold
// checkouts back for the rate's next token, which is right against the
// real providers and no measure of the kit.
func unlimitedRates() map[string]cauri.RateLimit {
	unlimited := cauri.RateLimit{Requests: 1 << 30, Per: time.Minute}
	return map[string]cauri.RateLimit{"moneroo": unlimited, "paydunya": unlimited}
}

// webhook drives the kit and the baselines with the same signed webhook
// load: Requests new payments each, created beforehand, after a warm-up
// of their own. On SQL stores there are two baselines, the bare receiver
// updating a two-column table and the same receiver updating a table with
// the kit's payments schema and indexes; on the memory store one, the
// bare receiver updating a map.
func (r *Report) webhook(ctx context.Context, o Options) error {
	o.Progress("webhook: opening the %s store", o.Store)
	db, err := openDatabase(ctx, o.Store, o.DSN, o.Concurrency+4)
	if err != nil {
		return err
	}
	defer db.close()
	r.Server = db.server
	shop, err := rig.New(rig.Options{Store: db.store, WithoutOnPaid: o.WithoutOnPaid})
	if err != nil {
		return err
	}
	defer shop.Close()

	warm := min(4*o.Concurrency, o.Requests)
	n := warm + o.Requests
	run := fmt.Sprintf("%06d", time.Now().UnixNano()%1_000_000)
	kitRun, baseRun := "k"+run[1:], "b"+run[1:]
	seedWorkers := min(o.Concurrency, 16)
	created := time.Now().UTC()
	o.Progress("webhook: seeding %d kit payments", n)
	kitNotes, err := shop.SeedMoneroo(ctx, kitRun, n, seedWorkers, created)
	if err != nil {
		return err
	}
	// Both baselines settle the same payment IDs, each in its own table,
	// with the same notifications.
	baseNotes := shop.SignedMoneroo(baseRun, n)
	ids := make([]string, n)
	for i, x := range baseNotes {
		ids[i] = x.PaymentID
	}
	var (
		apply, sameApply func(context.Context, string) error
		paid, samePaid   func(context.Context) (int, error)
	)
	if db.db == nil {
		m := rig.NewMapPayments(ids)
		apply = m.Apply
		paid = func(context.Context) (int, error) { return m.Paid(), nil }
	} else {
		o.Progress("webhook: filling the baseline table with %d rows", n)
		// Dropped even when the run fails, as soon as the table may exist.
		defer func() { _ = db.dropBaseline(context.WithoutCancel(ctx)) }()
		if err := db.createBaseline(ctx, ids); err != nil {
			return err
		}
		apply = db.baselineApply()
		paid = db.baselinePaid

		o.Progress("webhook: seeding %d same-table baseline payments in %s", n, sameTable)
		defer func() { _ = db.dropSameTable(context.WithoutCancel(ctx)) }()
		same, err := db.prepareSameTable(ctx)
		if err != nil {
			return err
		}
		if err := rig.StoreMoneroo(ctx, same, baseRun, n, seedWorkers, created); err != nil {
			return err
		}
		sameApply = db.sameTableApply()
		samePaid = db.sameTablePaid
	}

	// The arms in the order each round runs them.
	var arms []*arm
	addArm := func(name, short string, h http.Handler, notes []rig.Notification) error {
		srv, err := serve(h)
		if err != nil {
			return err
		}
		arms = append(arms, &arm{name: name, short: short, srv: srv, client: newClient(o.Concurrency), reqs: webhookRequests(notes, rig.MonerooWebhookPath)})
		return nil
	}
	defer func() {
		for _, a := range arms {
			a.client.CloseIdleConnections()
			a.srv.stop()
		}
	}()
	bare := func(apply func(context.Context, string) error) http.Handler {
		mux := http.NewServeMux()
		mux.Handle("POST "+rig.MonerooWebhookPath, shop.Bare(apply))
		return mux
	}
	baseName := "baseline (bare net/http, HMAC, JSON, one UPDATE, id/status table)"
	if db.db == nil {
		baseName = "baseline (bare net/http, HMAC, JSON, a map under a lock)"
	}
	if err := addArm(baseName, "baseline", bare(apply), baseNotes); err != nil {
		return err
	}
	if sameApply != nil {
		if err := addArm("baseline, same table (bare net/http, HMAC, JSON, one UPDATE, kit's schema)", "baseline, same table", bare(sameApply), baseNotes); err != nil {
			return err
		}
	}
	kitArm := "cauri (Kit.ServeHTTP, signed Moneroo, OnPaid)"
	if o.WithoutOnPaid {
		kitArm = "cauri (Kit.ServeHTTP, signed Moneroo, no OnPaid)"
	}
	if err := addArm(kitArm, "kit", shop.Handler(), kitNotes); err != nil {
		return err
	}

	o.Progress("webhook: warm-up, %d requests each", warm)
	for _, a := range arms {
		drive(ctx, a.short+" warm-up", a.client, a.srv.url, a.reqs[:warm], o.Concurrency, o.Duration, http.StatusOK)
	}

	// On PostgreSQL, each arm's statements are counted round by round,
	// outside the CPU's bracket.
	var stats *statementStats
	if o.Store == "postgres" {
		var why string
		if stats, why = openStatementStats(ctx, db.db); stats == nil {
			r.StatementsUnmeasured = why
		}
		for _, a := range arms {
			a.stmts = make(map[int64]*Statement)
		}
	}

	// The arms run in alternating rounds, so that all see the same
	// machine: other work on it comes and goes.
	rounds := max(1, min(o.Rounds, o.Requests/o.Concurrency))
	for i := range rounds {
		lo, hi := warm+o.Requests*i/rounds, warm+o.Requests*(i+1)/rounds
		o.Progress("webhook: round %d of %d: %d requests each, at most %s each", i+1, rounds, hi-lo, o.Duration/time.Duration(rounds))
		for _, a := range arms {
			var (
				p Phase
				l []time.Duration
			)
			if stats != nil {
				if err := stats.reset(ctx); err != nil {
					return err
				}
			}
			c := measureCPU(db.server, func() {
				p, l = driveRaw(ctx, a.short, a.client, a.srv.url, a.reqs[lo:hi], o.Concurrency, o.Duration/time.Duration(rounds), http.StatusOK)
			})
			if stats != nil {
				if err := stats.add(ctx, a.stmts); err != nil {
					return err
				}
			}
			a.ps, a.lats, a.cpus = append(a.ps, p), append(a.lats, l), append(a.cpus, c)
		}
	}
	merged := func(a *arm, into *Statements) (Phase, CPU) {
		p := merge(a.name, a.ps, a.lats)
		if stats != nil {
			*into = statementsOf(a.stmts, p.Requests+p.Errors)
		}
		return p, sumCPU(a.cpus, p.Requests+p.Errors)
	}
	r.Baseline, r.BaselineCPU = merged(arms[0], &r.BaselineStatements)
	r.Kit, r.KitCPU = merged(arms[len(arms)-1], &r.KitStatements)
	if r.BaselinePaid, err = paid(ctx); err != nil {
		return err
	}
	if samePaid != nil {
		r.BaselineSameTable, r.BaselineSameTableCPU = merged(arms[1], &r.BaselineSameTableStatements)
		if r.BaselineSameTablePaid, err = samePaid(ctx); err != nil {
			return err
		}
	}
	r.KitPaid = int(shop.OnPaidCalls())
	if o.WithoutOnPaid {
		if r.KitPaid, err = countPaid(ctx, db.store, kitNotes); err != nil {
			return err
		}
	}
	return nil
}

// breaker opens the Moneroo breaker by failing checkouts at the emulator,
// then measures checkouts it refuses at once.
func (r *Report) breaker(ctx context.Context, o Options) error {
	shop, err := rig.New(rig.Options{Breaker: cauri.BreakerPolicy{OpenTimeout: time.Hour}, RateLimits: unlimitedRates()})
	if err != nil {
		return err
	}
	defer shop.Close()
	o.Progress("breaker: failing checkouts until the breaker opens")
	if err := shop.OpenBreaker(ctx, 50); err != nil {
		return err
	}
	trips, err := shop.Counter("cauri_provider_requests_total", "operation", "create")
	if err != nil {
		return err
	}
	r.BreakerTrips = int(trips)
	timed := &timing{h: shop.Handler()}
	srv, err := serve(timed)
	if err != nil {
		return err
	}
	defer srv.stop()

	client := newClient(o.Concurrency)
	defer client.CloseIdleConnections()
	single := min(o.Requests, 5000)
	o.Progress("breaker: %d checkouts from one client", single)
	r.BreakerSingle = drive(ctx, "checkout, breaker open, 1 client", client, srv.url, checkoutRequests("one", single), 1, o.Duration, http.StatusServiceUnavailable)
	r.BreakerSingleServer = serverTimes(timed.take())
	o.Progress("breaker: %d checkouts from %d clients", o.Requests, o.Concurrency)
	r.BreakerLoaded = drive(ctx, fmt.Sprintf("checkout, breaker open, %d clients", o.Concurrency), client, srv.url, checkoutRequests("many", o.Requests), o.Concurrency, o.Duration, http.StatusServiceUnavailable)
	r.BreakerLoadedServer = serverTimes(timed.take())
	after, err := shop.Counter("cauri_provider_requests_total", "operation", "create")
	if err != nil {
		return err
	}
	r.BreakerProviderCalls = after - trips
	return nil
}

// slow makes every checkout's provider call slower than the kit's
// timeout, with the breaker kept closed so that every request waits, and
// watches the process's goroutines and heap before, during and after.
func (r *Report) slow(ctx context.Context, o Options) error {
	shop, err := rig.New(rig.Options{
		ProviderTimeout: o.SlowTimeout,
		// Never opens: every checkout waits for the timeout, the worst case.
		Breaker:    cauri.BreakerPolicy{ConsecutiveFailures: ^uint32(0)},
		RateLimits: unlimitedRates(),
	})
	if err != nil {
		return err
	}
	defer shop.Close()
	n := min(o.Requests, 10*o.Concurrency)
	shop.Moneroo.InjectFault(providertest.OpCreate, providertest.Fault{Kind: providertest.FaultSlow, Delay: o.SlowDelay, Times: n + 1})
	srv, err := serve(shop.Handler())
	if err != nil {
		return err
	}
	defer srv.stop()

	r.Before = sample(true)
	stop := make(chan struct{})
	var (
		peak      Resources
		breakdown Goroutines
		peakMu    sync.Mutex
		wg        sync.WaitGroup
	)
	wg.Go(func() {
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				s := sample(false)
				peakMu.Lock()
				if s.Goroutines > peak.Goroutines {
					breakdown = goroutineBreakdown()
				}
				peak.Goroutines = max(peak.Goroutines, s.Goroutines)
				peak.HeapInuse = max(peak.HeapInuse, s.HeapInuse)
				peakMu.Unlock()
			}
		}
	})
	client := newClient(o.Concurrency)
	o.Progress("slow: %d checkouts from %d clients, provider %s, kit timeout %s", n, o.Concurrency, o.SlowDelay, o.SlowTimeout)
	r.Slow = drive(ctx, fmt.Sprintf("checkout, provider slower than the %s timeout, %d clients", o.SlowTimeout, o.Concurrency),
		client, srv.url, checkoutRequests("slow", n), o.Concurrency, o.Duration, http.StatusServiceUnavailable)
	close(stop)
	wg.Wait()
	r.During, r.PeakBreakdown = peak, breakdown
	client.CloseIdleConnections()
	shop.Moneroo.InjectFault(providertest.OpCreate, providertest.Fault{Times: -1})
	// Let the goroutines end: the emulator's slow handlers sleep on until
	// their delay (the request body unread, net/http does not notice the
	// kit hanging up), so wait up to the delay and a second.
	settle := time.Now()
	deadline := settle.Add(o.SlowDelay + time.Second)
	for time.Now().Before(deadline) && runtime.NumGoroutine() > r.Before.Goroutines+2 {
		time.Sleep(10 * time.Millisecond)
	}
	r.SettleTime = time.Since(settle)
	r.After = sample(true)
	if r.SlowTimeouts, err = shop.Counter("cauri_provider_requests_total", "operation", "create", "outcome", "transient"); err != nil {
		return err
	}
	r.SlowBreakerOpenedEarlyCalls, err = shop.Counter("cauri_provider_requests_total", "operation", "create", "outcome", "breaker_open")
	return err
}

// reconcile stores ReconcilePayments pending payments, each opened and
// paid at the Moneroo emulator, and times one Kit.Reconcile pass over
// them, then the same status calls made directly with the same
// concurrency, and the store's listing alone.
func (r *Report) reconcile(ctx context.Context, o Options) error {
	n := o.ReconcilePayments
	st := memory.New()
	shop, err := rig.New(rig.Options{Store: st, RateLimits: unlimitedRates()})
	if err != nil {
		return err
	}
	defer shop.Close()
	prov, err := moneroo.New(shop.Moneroo.Config())
	if err != nil {
		return err
	}
	o.Progress("reconcile: opening and paying %d payments at the emulator", n)
	queries, err := openPaid(ctx, shop, st, prov, "rec", n, time.Now().UTC().Add(-time.Hour))
	if err != nil {
		return err
	}

	o.Progress("reconcile: listing the %d pending payments page by page", n)
	t0 := time.Now()
	listed, err := listAll(ctx, st, n)
	r.ReconcileListing = time.Since(t0)
	if err != nil {
		return err
	}
	if listed != n {
		return fmt.Errorf("listed %d pending payments, want %d", listed, n)
	}

	// The direct calls run before and after the pass, and count as their
	// mean, so that both see the same machine.
	direct := func() (time.Duration, int, error) {
		var made atomic.Int64
		t0 := time.Now()
		err := rig.Parallel(ctx, n, r.ReconcileConcurrency, func(i int) error {
			u, err := prov.FetchStatus(ctx, queries[i])
			if err != nil {
				return err
			}
			if u.Status != cauri.StatusPaid {
				return fmt.Errorf("status %s", u.Status)
			}
			made.Add(1)
			return nil
		})
		return time.Since(t0), int(made.Load()), err
	}
	r.ReconcileConcurrency = 4 // cauri.ReconcilePolicy's default
	o.Progress("reconcile: the same %d status calls, direct", n)
	d1, m1, err := direct()
	if err != nil {
		return err
	}

	o.Progress("reconcile: one pass")
	t0 = time.Now()
	r.ReconcileReport, err = shop.Kit.Reconcile(ctx)
	r.ReconcilePass = time.Since(t0)
	if err != nil {
		return err
	}

	o.Progress("reconcile: the same %d status calls, direct, again", n)
	d2, m2, err := direct()
	r.DirectCalls, r.DirectCallsMade = (d1+d2)/2, (m1+m2)/2
	return err
}

// openPaid opens n Moneroo checkouts at the shop's emulator, marks them
// paid there and stores each as a pending payment created at created, as
// a reconcile pass finds them; the IDs are rig.PaymentID(tag, i). It
// returns the status query for each.
func openPaid(ctx context.Context, shop *rig.Shop, st cauri.Store, prov *moneroo.Provider, tag string, n int, created time.Time) ([]cauri.StatusQuery, error) {
	queries := make([]cauri.StatusQuery, n)
	err := rig.Parallel(ctx, n, 8, func(i int) error {
		id := rig.PaymentID(tag, i)
		o := rig.Order(rig.OrderID(tag, i))
		co, err := prov.CreateCheckout(ctx, cauri.CheckoutRequest{
			PaymentID: id, Order: o,
			ReturnURL: "http://127.0.0.1:1/pay/return/moneroo/" + id + "/t", CallbackURL: "http://127.0.0.1:1/pay/webhooks/moneroo/" + id + "/t",
		})
		if err != nil {
			return err
		}
		if err := shop.Moneroo.SetStatus(co.ProviderRef, "success"); err != nil {
			return err
		}
		queries[i] = cauri.StatusQuery{PaymentID: id, ProviderRef: co.ProviderRef, Amount: o.Amount, Currency: o.Currency}
		return st.Create(ctx, cauri.Payment{
			ID: id, Provider: "moneroo", ProviderRef: co.ProviderRef, OrderID: o.ID, Status: cauri.StatusPending,
			Amount: o.Amount, Currency: o.Currency, CheckoutURL: co.RedirectURL, CreatedAt: created, UpdatedAt: created,
		})
	})
	return queries, err
}

// listAll pages through the pending payments as a reconcile pass does, 200
// at a time, and counts them.
func listAll(ctx context.Context, st cauri.Store, limit int) (int, error) {
	var after cauri.Cursor
	total := 0
	for range limit/200 + 2 {
		page, err := st.ListPending(ctx, time.Now().UTC(), after, 200)
		if err != nil {
			return total, err
		}
		total += len(page)
		if len(page) < 200 {
			return total, nil
		}
		after = cauri.CursorOf(page[len(page)-1])
	}
	return total, errors.New("more pages than payments")
}

// countPaid counts the notifications' payments the store has paid and
// fulfilled.
func countPaid(ctx context.Context, st cauri.Store, ns []rig.Notification) (int, error) {
	n := 0
	for _, x := range ns {
		p, err := st.Get(ctx, x.PaymentID)
		if err != nil {
			return 0, fmt.Errorf("loadharness: counting paid payments: %w", err)
		}
		if p.Status == cauri.StatusPaid && p.Fulfilled() {
			n++
		}
	}
	return n, nil
}
