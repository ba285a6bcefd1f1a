package loadharness

import (
	"cmp"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/stdlib"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/bench/internal/rig"
	"github.com/cauripay/cauri/providers/moneroo"
	sqlstore "github.com/cauripay/cauri/stores/sql"
)

// ErrSeqScan is returned by the scale scenario when a statement the kit
// makes reads the payments table or the events table with a sequential
// scan at [SeqScanFloor] payments or more: its cost grows with the table.
var ErrSeqScan = errors.New("loadharness: a statement the kit makes scans the payments or events table sequentially")

// SeqScanFloor is the table size from which a sequential scan of the
// payments or events table fails the scale scenario: below it PostgreSQL
// may rightly prefer one.
const SeqScanFloor = 100_000

// FlatTarget is the most the scale scenario's costs may grow from its
// smallest size to its largest.
const FlatTarget = 1.3

// DefaultSizes are the scale scenario's table sizes.
func DefaultSizes() []int { return []int{10_000, 100_000, 1_000_000} }

// ScaleStep is what the scale scenario measured at one size of the
// payments table.
type ScaleStep struct {
	Size     int           // payments asked for
	Payments int64         // payments stored once seeded (Size and the templates)
	Events   int64         // history rows stored once seeded
	Seeding  time.Duration // making the templates, cloning them, VACUUM (ANALYZE)
	Tables   []RelationSize

	// Console: Kit.FindPayments, each filter's first page and a page deep
	// in the table (after the cursor of the payment 90% of the way down).
	Console []ConsoleQuery

	// Reconcile: one Kit.Reconcile pass over the same number of pending
	// payments at every size, each paid at the emulator, and the store's
	// listing of them alone beforehand.
	// The figures are the medians of the passes, Reconciles, made each
	// after a checkpoint and a pause; the report is the first's (the
	// only one to find unfinished OnPaid).
	ReconcilePending int
	ReconcileListing time.Duration
	ReconcilePages   int
	ReconcilePass    time.Duration
	ReconcileFastest time.Duration // the fastest pass, the one the machine's load slowed least
	ReconcileReport  cauri.ReconcileReport
	Reconciles       []ReconcileRun

	// Webhook: signed Moneroo notifications through the kit (OnPaid run,
	// history kept), each settling a payment created for the run among
	// the seeded ones.
	Webhook     Phase
	WebhookCPU  CPU
	WebhookPaid int // OnPaid calls the phase made, warm-up included

	// Plans are the plans of every statement the kit made while the
	// harness drove each of its operations once.
	Plans []*Plan
}

// ConsoleQuery is one FindPayments filter, timed (the median of
// consoleRuns) on its first page and on a deep one.
type ConsoleQuery struct {
	Name                string
	First, Deep         time.Duration
	FirstRows, DeepRows int
	HasDeep             bool
}

// reconcileConcurrency is the provider calls the scale scenario's passes
// make at once: the kit's default (its shop sets no ReconcilePolicy).
const reconcileConcurrency = 4

// consoleRuns is how many times each console query is timed.
const consoleRuns = 5

// seqScanFailures are the plans of step that scan the payments or events
// tables sequentially at SeqScanFloor payments or more.
func (s ScaleStep) seqScanFailures(prefix string) []string {
	if s.Size < SeqScanFloor {
		return nil
	}
	var out []string
	for _, p := range s.Plans {
		for _, t := range p.SeqScans {
			if t == prefix+"payments" || t == prefix+"payment_events" {
				out = append(out, fmt.Sprintf("  at %d payments, Seq Scan on %s in %s: %s", s.Size, t, strings.Join(p.Labels, "; "), p.Query))
			}
		}
	}
	return out
}

// scale measures the kit at each of o.Sizes payments on PostgreSQL.
func (r *Report) scale(ctx context.Context, o Options) error {
	if o.Store != "postgres" {
		return errors.New("the scale scenario runs on PostgreSQL only: -store postgres")
	}
	if err := loopbackDSN("postgres", o.DSN); err != nil {
		return err
	}
	if o.ResultsDir != "" {
		if err := os.MkdirAll(o.ResultsDir, 0o755); err != nil {
			return fmt.Errorf("loadharness: %w", err)
		}
	}
	var failures []string
	for _, n := range o.Sizes {
		step, err := scaleStep(ctx, o, n)
		r.Scale = append(r.Scale, step)
		if err != nil {
			return fmt.Errorf("at %d payments: %w", n, err)
		}
		if o.ResultsDir != "" {
			if err := writePlans(filepath.Join(o.ResultsDir, fmt.Sprintf("scale-plans-postgres-%d.txt", n)), step, o.ScalePrefix); err != nil {
				return err
			}
		}
		failures = append(failures, step.seqScanFailures(o.ScalePrefix)...)
	}
	if o.ResultsDir != "" {
		if err := writePlot(filepath.Join(o.ResultsDir, "scale.png"), r.Scale); err != nil {
			return err
		}
	}
	if len(failures) > 0 {
		return fmt.Errorf("%w at %d payments or more:\n%s", ErrSeqScan, SeqScanFloor, strings.Join(failures, "\n"))
	}
	return nil
}

// openRecorded opens PostgreSQL through a recorder.
func openRecorded(dsn string, pool int) (*sql.DB, *recorder, error) {
	dc, ok := stdlib.GetDefaultDriver().(driver.DriverContext)
	if !ok {
		return nil, nil, errors.New("loadharness: pgx's driver opens no connector")
	}
	base, err := dc.OpenConnector(dsn)
	if err != nil {
		return nil, nil, fmt.Errorf("loadharness: postgres: %w", err)
	}
	rec := newRecorder()
	db := sql.OpenDB(recConnector{base: base, rec: rec})
	db.SetMaxOpenConns(pool)
	db.SetMaxIdleConns(pool)
	return db, rec, nil
}

// scaleStep seeds n payments in tables of their own, measures, and drops
// the tables.
func scaleStep(ctx context.Context, o Options, n int) (step ScaleStep, err error) {
	step.Size = n
	db, rec, err := openRecorded(o.DSN, o.Concurrency+4)
	if err != nil {
		return step, err
	}
	defer db.Close()
	prefix := o.ScalePrefix
	// A failed run's tables first; ours at the end, whatever happens.
	if err := dropTables(ctx, db, prefix); err != nil {
		return step, err
	}
	defer func() { err = errors.Join(err, dropTables(context.WithoutCancel(ctx), db, prefix)) }()
	st := sqlstore.New(db, sqlstore.Postgres, sqlstore.WithTablePrefix(prefix))
	if err := st.Migrate(ctx); err != nil {
		return step, fmt.Errorf("loadharness: migrating %spayments: %w", prefix, err)
	}
	shop, err := rig.New(rig.Options{Store: st, RateLimits: unlimitedRates()})
	if err != nil {
		return step, err
	}
	defer shop.Close()
	var store cauri.Store = st
	hist, _ := store.(cauri.HistoryStore)

	o.Progress("scale: %d payments: seeding", n)
	t0 := time.Now()
	sd := &seeder{db: db, st: st, hist: hist, prefix: prefix, batch: 50_000}
	if err := sd.seed(ctx, n, time.Now().UTC(), o.Progress); err != nil {
		return step, err
	}
	step.Seeding = time.Since(t0)
	// The bulk load's dirty pages written out now, not during the
	// measurements.
	if _, err := db.ExecContext(ctx, "CHECKPOINT"); err != nil {
		return step, fmt.Errorf("loadharness: CHECKPOINT after seeding: %w", err)
	}
	if step.Tables, err = relationSizes(ctx, db, prefix); err != nil {
		return step, err
	}
	for _, c := range []struct {
		table string
		n     *int64
	}{{"payments", &step.Payments}, {"payment_events", &step.Events}} {
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+prefix+c.table).Scan(c.n); err != nil {
			return step, fmt.Errorf("loadharness: counting %s%s: %w", prefix, c.table, err)
		}
	}

	o.Progress("scale: %d payments: console queries", n)
	if step.Console, err = console(ctx, shop.Kit, st, db, rec, prefix, n); err != nil {
		return step, err
	}
	prov, err := moneroo.New(shop.Moneroo.Config())
	if err != nil {
		return step, err
	}
	o.Progress("scale: %d payments: %d reconcile passes, each over %d pending", n, o.ScalePasses, o.ScalePending)
	if err := step.reconcile(ctx, o, shop, st, prov, db, rec); err != nil {
		return step, err
	}
	o.Progress("scale: %d payments: the plans of the kit's statements", n)
	if err := capturePlans(ctx, shop, st, rec, prov); err != nil {
		return step, err
	}
	o.Progress("scale: %d payments: webhook load, %d requests", n, o.Requests)
	if err := step.webhook(ctx, o, shop); err != nil {
		return step, err
	}
	step.Plans = rec.take()
	return step, nil
}

// console times the operator console's queries, after one run of each
// whose plans are captured.
func console(ctx context.Context, kit *cauri.Kit, st cauri.Store, db *sql.DB, rec *recorder, prefix string, n int) ([]ConsoleQuery, error) {
	// A paid payment in the middle of the table, to search for.
	mid := seedCounts(seedKinds(), n)[0] / 2
	p, err := st.Get(ctx, cloneID("pm", mid))
	if err != nil {
		return nil, fmt.Errorf("loadharness: the payment to search for: %w", err)
	}
	var deep cauri.Cursor
	if err := db.QueryRowContext(ctx, "SELECT created_at, id FROM "+prefix+"payments ORDER BY created_at DESC, id DESC OFFSET $1 LIMIT 1",
		n*9/10).Scan(&deep.CreatedAt, &deep.ID); err != nil {
		return nil, fmt.Errorf("loadharness: the deep page's cursor: %w", err)
	}
	queries := []struct {
		name string
		q    cauri.PaymentQuery
		deep bool
	}{
		{"all, newest first", cauri.PaymentQuery{}, true},
		{"status paid", cauri.PaymentQuery{Status: cauri.StatusPaid}, true},
		{"status failed", cauri.PaymentQuery{Status: cauri.StatusFailed}, true},
		{"provider paydunya", cauri.PaymentQuery{Provider: "paydunya"}, true},
		{"needs attention", cauri.PaymentQuery{NeedsAttention: true}, true},
		{"search: payment ID", cauri.PaymentQuery{Search: p.ID}, false},
		{"search: order ID", cauri.PaymentQuery{Search: p.OrderID}, false},
		{"search: provider ref", cauri.PaymentQuery{Search: p.ProviderRef}, false},
	}
	limit := cauri.AdminPageSize + 1 // as the console asks
	timed := func(label string, q cauri.PaymentQuery, after cauri.Cursor) (time.Duration, int, error) {
		stop := rec.record("FindPayments " + label)
		_, err := kit.FindPayments(ctx, q, after, limit)
		stop()
		if err != nil {
			return 0, 0, err
		}
		ds := make([]time.Duration, consoleRuns)
		rows := 0
		for i := range ds {
			t0 := time.Now()
			ps, err := kit.FindPayments(ctx, q, after, limit)
			ds[i] = time.Since(t0)
			if err != nil {
				return 0, 0, err
			}
			rows = len(ps)
		}
		slices.Sort(ds)
		return ds[len(ds)/2], rows, nil
	}
	var out []ConsoleQuery
	for _, x := range queries {
		c := ConsoleQuery{Name: x.name, HasDeep: x.deep}
		if c.First, c.FirstRows, err = timed(x.name+", first page", x.q, cauri.Cursor{}); err != nil {
			return out, err
		}
		if x.deep {
			if c.Deep, c.DeepRows, err = timed(x.name+", deep page", x.q, deep); err != nil {
				return out, err
			}
		}
		out = append(out, c)
	}
	return out, nil
}

// cloneID is the ID of the g-th clone of a seed kind's template.
func cloneID(tag string, g int) string { return fmt.Sprintf("pay_%s%024d", tag, g) }

// reconcile measures o.ScalePasses reconcile passes, each over
// o.ScalePending pending payments stored for it and paid at the emulator,
// after a pause of o.ScalePause: the store's listing of them alone, then
// the pass, with the buffers and WAL the payments tables' statements used
// and each statement's time. The step's figures are the passes' medians.
func (s *ScaleStep) reconcile(ctx context.Context, o Options, shop *rig.Shop, st cauri.Store, prov *moneroo.Provider, db *sql.DB, rec *recorder) error {
	s.ReconcilePending = o.ScalePending
	s.Reconciles = nil
	for i := range o.ScalePasses {
		if _, err := openPaid(ctx, shop, st, prov, fmt.Sprintf("rc%d", i), o.ScalePending, time.Now().UTC().Add(-30*time.Minute)); err != nil {
			return err
		}
		// Time for the writes to settle and for PostgreSQL's backends to
		// report their counters (an idle one does within 10 seconds).
		if err := pause(ctx, o.ScalePause); err != nil {
			return err
		}
		run := ReconcileRun{Load: loadAverage1()}
		io0, err := ioCounters(ctx, db, o.ScalePrefix)
		if err != nil {
			return err
		}
		stop := rec.time()
		t0 := time.Now()
		listed, err := listAll(ctx, st, o.ScalePending)
		run.Listing = time.Since(t0)
		if err != nil {
			stop()
			return err
		}
		if listed != o.ScalePending {
			stop()
			return fmt.Errorf("listed %d pending payments, want %d", listed, o.ScalePending)
		}
		s.ReconcilePages = listed/200 + 1
		t0 = time.Now()
		run.Report, err = shop.Kit.Reconcile(ctx)
		run.Pass = time.Since(t0)
		run.Statements = stop()
		if err != nil {
			return err
		}
		if err := pause(ctx, o.ScalePause); err != nil {
			return err
		}
		io1, err := ioCounters(ctx, db, o.ScalePrefix)
		if err != nil {
			return err
		}
		run.IO = io1.minus(io0)
		// Counters that went back were reset meanwhile (pg_stat_reset).
		run.IOReset = run.IO.Hit < 0 || run.IO.Read < 0 || run.IO.WALRecords < 0
		s.Reconciles = append(s.Reconciles, run)
	}
	s.ReconcileReport = s.Reconciles[0].Report
	s.ReconcilePass = median(s.Reconciles, func(r ReconcileRun) time.Duration { return r.Pass })
	s.ReconcileListing = median(s.Reconciles, func(r ReconcileRun) time.Duration { return r.Listing })
	s.ReconcileFastest = slices.MinFunc(s.Reconciles, func(a, b ReconcileRun) int { return cmp.Compare(a.Pass, b.Pass) }).Pass
	return nil
}

// ReconcileRun is one of the scale scenario's reconcile passes.
type ReconcileRun struct {
	Listing    time.Duration // the store's ListPending pages alone, just before the pass
	Pass       time.Duration
	Report     cauri.ReconcileReport
	IO         IOCounters // of the listing and the pass
	IOReset    bool       // the counters were reset meanwhile: IO means nothing
	Load       float64    // the machine's load average over the minute before
	Statements []StmtTime // of the listing and the pass, the most time first
}

// IOCounters are PostgreSQL's counters of the scale scenario's tables
// (their heap, indexes and TOAST) and of its WAL. The WAL's are the whole
// server's: they count the writes of anyone else using it meanwhile.
type IOCounters struct {
	Hit, Read    int64 // shared buffers found in the cache, read from the OS
	WALRecords   int64
	WALFullPages int64 // full-page images, written on a page's first change after a checkpoint
	WALBytes     int64
}

func (c IOCounters) minus(d IOCounters) IOCounters {
	return IOCounters{Hit: c.Hit - d.Hit, Read: c.Read - d.Read, WALRecords: c.WALRecords - d.WALRecords,
		WALFullPages: c.WALFullPages - d.WALFullPages, WALBytes: c.WALBytes - d.WALBytes}
}

// ioCounters reads the counters of the tables under prefix and the WAL's.
func ioCounters(ctx context.Context, db *sql.DB, prefix string) (IOCounters, error) {
	var c IOCounters
	err := db.QueryRowContext(ctx, `SELECT
	COALESCE(SUM(heap_blks_hit + COALESCE(idx_blks_hit, 0) + COALESCE(toast_blks_hit, 0) + COALESCE(tidx_blks_hit, 0)), 0)::bigint,
	COALESCE(SUM(heap_blks_read + COALESCE(idx_blks_read, 0) + COALESCE(toast_blks_read, 0) + COALESCE(tidx_blks_read, 0)), 0)::bigint,
	(SELECT wal_records FROM pg_stat_wal), (SELECT wal_fpi FROM pg_stat_wal), (SELECT wal_bytes FROM pg_stat_wal)::bigint
FROM pg_statio_user_tables WHERE left(relname, length($1)) = $1`, prefix).Scan(&c.Hit, &c.Read, &c.WALRecords, &c.WALFullPages, &c.WALBytes)
	if err != nil {
		return c, fmt.Errorf("loadharness: reading the I/O counters: %w", err)
	}
	return c, nil
}

// median is the median of f over runs, the lower of the two middle ones
// for an even count.
func median[T any](runs []T, f func(T) time.Duration) time.Duration {
	ds := make([]time.Duration, len(runs))
	for i, r := range runs {
		ds[i] = f(r)
	}
	slices.Sort(ds)
	return ds[(len(ds)-1)/2]
}

// pause waits d, or until ctx ends.
func pause(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d): // collected once unreferenced, fired or not
		return nil
	}
}

// loadAverage1 is the machine's load average over the last minute, or 0
// where /proc/loadavg is not.
func loadAverage1() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return 0
	}
	v, _ := strconv.ParseFloat(f[0], 64)
	return v
}

// webhook drives the kit with Requests signed webhooks, after a warm-up,
// each settling a payment created for the run.
func (s *ScaleStep) webhook(ctx context.Context, o Options, shop *rig.Shop) error {
	warm := min(4*o.Concurrency, o.Requests)
	notes, err := shop.SeedMoneroo(ctx, "wh", warm+o.Requests, min(o.Concurrency, 16), time.Now().UTC())
	if err != nil {
		return err
	}
	srv, err := serve(shop.Handler())
	if err != nil {
		return err
	}
	defer srv.stop()
	client := newClient(o.Concurrency)
	defer client.CloseIdleConnections()
	reqs := webhookRequests(notes, rig.MonerooWebhookPath)
	paid0 := shop.OnPaidCalls()
	drive(ctx, "warm-up", client, srv.url, reqs[:warm], o.Concurrency, o.Duration, http.StatusOK)
	var p Phase
	c := measureCPU(postgresServer(), func() {
		p, _ = driveRaw(ctx, "cauri (Kit.ServeHTTP, signed Moneroo, OnPaid, history)", client, srv.url, reqs[warm:], o.Concurrency, o.Duration, http.StatusOK)
	})
	s.Webhook, s.WebhookCPU = p, sumCPU([]CPU{c}, p.Requests+p.Errors)
	s.WebhookPaid = int(shop.OnPaidCalls() - paid0)
	return nil
}

// capturePlans drives each of the store's operations once, and the kit's
// webhook, checkout and reconcile pass, with the recorder on. Errors of
// the operations whose outcome does not matter (a claim refused, say)
// are not: their statements' plans are what is wanted.
func capturePlans(ctx context.Context, shop *rig.Shop, st cauri.Store, rec *recorder, prov *moneroo.Provider) error {
	do := func(label string, f func() error) error {
		defer rec.record(label)()
		return f()
	}
	ignore := func(label string, f func() error) { _ = do(label, f) }
	now := time.Now().UTC().Truncate(time.Microsecond)
	owner := "plans"
	mk := func(i int, ref bool) cauri.Payment {
		p := rig.MonerooPayment("plan", i, now.Add(-10*time.Minute))
		p.CheckoutKey = "moneroo|" + p.OrderID + "|5000|XOF"
		if !ref {
			p.ProviderRef, p.CheckoutURL = "", ""
		}
		return p
	}
	p, q, b := mk(0, true), mk(1, false), mk(2, true)
	for _, x := range []cauri.Payment{p, q, b} {
		if err := do("store: Create", func() error { return st.Create(ctx, x) }); err != nil {
			return fmt.Errorf("loadharness: %w", err)
		}
	}
	lease := cauri.Lease{Owner: owner, Until: now.Add(time.Minute)}
	expect := cauri.Expect{Provider: p.Provider, ProviderRef: p.ProviderRef, Currency: p.Currency, Amount: p.Amount}
	old := cauri.Cursor{CreatedAt: now.Add(-24 * time.Hour), ID: "pay_"}
	ignore("store: Get", func() error { _, err := st.Get(ctx, p.ID); return err })
	ignore("store: GetByProviderRef", func() error { _, err := st.GetByProviderRef(ctx, p.Provider, p.ProviderRef); return err })
	ignore("store: GetPendingByCheckoutKey", func() error { _, err := st.GetPendingByCheckoutKey(ctx, p.CheckoutKey); return err })
	ignore("store: Attach", func() error { return st.Attach(ctx, q.ID, "ref-"+q.ID, "https://checkout.example.com/"+q.ID, now) })
	ignore("store: TakePoll", func() error { _, err := st.TakePoll(ctx, p.ID, now, now.Add(time.Minute)); return err })
	ignore("store: Supersede", func() error { _, err := st.Supersede(ctx, p.OrderID, cauri.CursorOf(p)); return err })
	ignore("store: Transition to failed", func() error {
		_, err := st.Transition(ctx, q.ID, cauri.StatusPending, cauri.Change{To: cauri.StatusFailed, FailureReason: "declined", At: now})
		return err
	})
	ignore("store: Transition to paid, OnPaid lease, expectations", func() error {
		_, err := st.Transition(ctx, p.ID, cauri.StatusPending, cauri.Change{To: cauri.StatusPaid, At: now, Lease: lease, Expect: expect})
		return err
	})
	ignore("store: ClaimOrder", func() error { _, err := st.ClaimOrder(ctx, p.OrderID, p.ID); return err })
	ignore("store: ReleaseOnPaid", func() error { return st.ReleaseOnPaid(ctx, p.ID, owner) })
	ignore("store: ClaimOnPaid", func() error { return st.ClaimOnPaid(ctx, p.ID, owner, now, time.Minute) })
	ignore("store: CompleteOnPaid", func() error { return st.CompleteOnPaid(ctx, p.ID, owner, now) })
	if bc, ok := st.(cauri.BatchCompleter); ok {
		ignore("store: Transition to paid, OnPaid lease", func() error {
			_, err := st.Transition(ctx, b.ID, cauri.StatusPending, cauri.Change{To: cauri.StatusPaid, At: now, Lease: lease})
			return err
		})
		ignore("store: CompleteOnPaidBatch", func() error {
			_, err := bc.CompleteOnPaidBatch(ctx, []cauri.Completion{{ID: b.ID, Owner: owner}}, now)
			return err
		})
	}
	for _, c := range []cauri.Cursor{{}, old} {
		ignore("store: ListPending", func() error { _, err := st.ListPending(ctx, now, c, 200); return err })
		ignore("store: ListUnfulfilled", func() error { _, err := st.ListUnfulfilled(ctx, now, c, 200); return err })
		if pl, ok := st.(cauri.PayoutLister); ok {
			ignore("store: ListPendingPayouts", func() error { _, err := pl.ListPendingPayouts(ctx, now, c, 200); return err })
		}
		if rs, ok := st.(cauri.RefundStore); ok {
			ignore("store: ListUnrefunded", func() error { _, err := rs.ListUnrefunded(ctx, now, c, 200); return err })
		}
	}
	if hs, ok := st.(cauri.HistoryStore); ok {
		ev := cauri.Event{At: now, Kind: cauri.EventRecheck, Source: cauri.SourceAdmin, Actor: "plans"}
		ignore("store: AppendEvents, 1 event", func() error { return hs.AppendEvents(ctx, p.ID, ev) })
		ignore("store: AppendEvents, 3 events", func() error { return hs.AppendEvents(ctx, p.ID, ev, ev, ev) })
		ignore("store: History", func() error { _, err := hs.History(ctx, p.ID); return err })
	}

	// The kit's own paths, whatever statements they make.
	notes, err := shop.SeedMoneroo(ctx, "plwh", 1, 1, now)
	if err != nil {
		return err
	}
	if err := do("kit: webhook (settle, OnPaid, history)", func() error {
		w := httptest.NewRecorder()
		shop.Handler().ServeHTTP(w, notes[0].Request(rig.MonerooWebhookPath).WithContext(ctx))
		if w.Code != http.StatusOK {
			return fmt.Errorf("loadharness: the webhook answered HTTP %d: %s", w.Code, w.Body)
		}
		return nil
	}); err != nil {
		return err
	}
	if err := do("kit: checkout", func() error { _, err := shop.Checkout(ctx, "moneroo", "plan-order"); return err }); err != nil {
		return err
	}
	if _, err := openPaid(ctx, shop, st, prov, "plrc", 3, now.Add(-30*time.Minute)); err != nil {
		return err
	}
	return do("kit: reconcile pass", func() error { _, err := shop.Kit.Reconcile(ctx); return err })
}

// writePlans writes step's plans to path.
func writePlans(path string, step ScaleStep, prefix string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# EXPLAIN (ANALYZE, BUFFERS) of every statement the kit made, at %d payments (%d stored, %d history rows)\n", step.Size, step.Payments, step.Events)
	fmt.Fprintf(&b, "# each run just before the statement itself, on its connection, rolled back; tables under the prefix %s\n\n", prefix)
	for _, p := range step.Plans {
		fmt.Fprintf(&b, "== %s\n", strings.Join(p.Labels, "; "))
		fmt.Fprintf(&b, "-- %s\n", p.Query)
		if len(p.SeqScans) > 0 {
			fmt.Fprintf(&b, "-- Seq Scan on: %s\n", strings.Join(p.SeqScans, ", "))
		}
		b.WriteString(p.Text)
		b.WriteString("\n")
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		return fmt.Errorf("loadharness: %w", err)
	}
	return nil
}
