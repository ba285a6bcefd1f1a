package loadharness

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestScale runs the scale scenario at two tiny sizes when
// CAURI_TEST_POSTGRES_DSN is set: each size is seeded with every kind of
// payment, every phase does its work without errors, every operation's
// statements have a plan, the plans and the plot are written, and the
// tables are gone after.
func TestScale(t *testing.T) {
	dsn := os.Getenv("CAURI_TEST_POSTGRES_DSN")
	if dsn == "" {
		t.Skip("CAURI_TEST_POSTGRES_DSN is not set: the scale scenario runs on PostgreSQL only")
	}
	const prefix = "cauribench_scaletest_"
	dir := t.TempDir()
	rep, err := Run(context.Background(), Options{
		Store: "postgres", DSN: dsn, Scenarios: []string{"scale"}, Sizes: []int{1000, 2000},
		Duration: 30 * time.Second, Concurrency: 4, Requests: 40, ScalePending: 20, ScalePasses: 2, ScalePause: 10 * time.Millisecond,
		ScalePrefix: prefix, ResultsDir: dir,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Scale) != 2 {
		t.Fatalf("%d steps, want 2", len(rep.Scale))
	}
	wantLabels := []string{
		"store: Create", "store: Get", "store: GetByProviderRef", "store: GetPendingByCheckoutKey", "store: Attach",
		"store: Transition to failed", "store: ClaimOnPaid", "store: CompleteOnPaid", "store: CompleteOnPaidBatch",
		"store: ListPending", "store: ListUnfulfilled", "store: ListPendingPayouts", "store: AppendEvents, 1 event",
		"store: History", "kit: webhook (settle, OnPaid, history)", "kit: checkout", "kit: reconcile pass",
		"FindPayments status failed, deep page", "FindPayments search: provider ref, first page",
	}
	for _, s := range rep.Scale {
		kinds := int64(len(seedKinds())) // the templates
		if s.Payments != int64(s.Size)+kinds || s.Events <= s.Payments {
			t.Errorf("at %d: %d payments, %d events; want %d and more events than payments", s.Size, s.Payments, s.Events, int64(s.Size)+kinds)
		}
		if s.Webhook.Requests != 40 || s.Webhook.Errors != 0 || s.WebhookPaid != 56 {
			t.Errorf("at %d: webhook %d requests, %d errors, %d OnPaid calls; want 40, 0, 56", s.Size, s.Webhook.Requests, s.Webhook.Errors, s.WebhookPaid)
		}
		// The unfulfilled kind's 10 clones and its template.
		if r := s.ReconcileReport; r.Checked != 20 || r.Settled != 20 || r.Errors != 0 || r.Fulfilled != 11 {
			t.Errorf("at %d: reconcile %+v; want 20 checked and settled, 11 fulfilled, no errors", s.Size, r)
		}
		if len(s.Reconciles) != 2 {
			t.Fatalf("at %d: %d reconcile passes, want 2", s.Size, len(s.Reconciles))
		}
		// The I/O counters are not checked: PostgreSQL reports them
		// within 10 seconds, longer than this test's pause.
		for i, x := range s.Reconciles {
			if x.Report.Checked != 20 || x.Report.Settled != 20 || x.Pass <= 0 || len(x.Statements) == 0 {
				t.Errorf("at %d: pass %d: %+v, %v, %d statements; want 20 checked and settled, some time and statements", s.Size, i, x.Report, x.Pass, len(x.Statements))
			}
		}
		if s.ReconcilePass != min(s.Reconciles[0].Pass, s.Reconciles[1].Pass) {
			t.Errorf("at %d: pass %v, want the lower middle of %v and %v", s.Size, s.ReconcilePass, s.Reconciles[0].Pass, s.Reconciles[1].Pass)
		}
		if len(s.Console) != 8 {
			t.Errorf("at %d: %d console queries, want 8", s.Size, len(s.Console))
		}
		for _, c := range s.Console {
			search := strings.HasPrefix(c.Name, "search")
			if c.First <= 0 || c.FirstRows == 0 || c.FirstRows > 51 || (search && c.FirstRows != 1) || c.HasDeep == search || (c.HasDeep && c.DeepRows == 0) {
				t.Errorf("at %d: console %q: %d rows in %v, %d deep; want 1 to 51 (1 for a search), and some deep but for a search", s.Size, c.Name, c.FirstRows, c.First, c.DeepRows)
			}
		}
		var labels []string
		for _, p := range s.Plans {
			labels = append(labels, p.Labels...)
			if p.Text == "" || strings.HasPrefix(p.Text, "EXPLAIN failed") || !strings.Contains(p.Text, "Execution Time") {
				t.Errorf("at %d: %v: plan %q", s.Size, p.Labels, p.Text)
			}
		}
		for _, l := range wantLabels {
			if !slices.Contains(labels, l) {
				t.Errorf("at %d: no plan for %q", s.Size, l)
			}
		}
		if _, err := os.Stat(filepath.Join(dir, "scale-plans-postgres-"+strconv.Itoa(s.Size)+".txt")); err != nil {
			t.Error(err)
		}
	}
	f, err := os.Open(filepath.Join(dir, "scale.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 3*panelW || b.Dy() != panelH {
		t.Errorf("plot is %v, want %dx%d", b, 3*panelW, panelH)
	}
	var out bytes.Buffer
	if err := rep.Print(&out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"== scale", "cost at 2000 over cost at 1000", "webhook p99", "reconcile pass", "reconcile passes (2 at each size", "the median pass's statements", prefix + "payments", "search: order ID"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sizes, err := relationSizes(context.Background(), db, prefix)
	if err != nil {
		t.Fatal(err)
	}
	if len(sizes) != 0 {
		t.Errorf("tables left after the run: %v", sizes)
	}
}

func TestScaleRefusedOffPostgres(t *testing.T) {
	_, err := Run(context.Background(), Options{Store: "sqlite", Scenarios: []string{"scale"}})
	if err == nil || !strings.Contains(err.Error(), "PostgreSQL only") {
		t.Errorf("err = %v, want the scale scenario refused off PostgreSQL", err)
	}
}

func TestSeqScans(t *testing.T) {
	tests := []struct {
		name, plan string
		want       []string
	}{
		{"index only", "Index Scan using p_pkey on p  (cost=0.42..8.44 rows=1 width=8)\n", nil},
		{"seq and parallel", "Gather\n  ->  Parallel Seq Scan on big  (cost=0.00..1.00)\n  ->  Seq Scan on small s  (cost=0.00..1.00)\n  ->  Seq Scan on big\n", []string{"big", "small"}},
		{"bitmap", "Bitmap Heap Scan on p\n  ->  Bitmap Index Scan on p_idx\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := seqScans(tt.plan); !slices.Equal(got, tt.want) {
				t.Errorf("seqScans = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSeqScanFailures(t *testing.T) {
	const prefix = "x_"
	plan := func(tables ...string) *Plan { return &Plan{Labels: []string{"op"}, Query: "SELECT", SeqScans: tables} }
	tests := []struct {
		name string
		size int
		plan *Plan
		want int
	}{
		{"payments at the floor", SeqScanFloor, plan("x_payments"), 1},
		{"events at a million", 1_000_000, plan("x_payouts", "x_payment_events"), 1},
		{"payments below the floor", SeqScanFloor - 1, plan("x_payments"), 0},
		{"another table", 1_000_000, plan("x_payouts", "x_orders"), 0},
		{"another prefix's payments", 1_000_000, plan("y_payments"), 0},
		{"no scan", 1_000_000, plan(), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ScaleStep{Size: tt.size, Plans: []*Plan{tt.plan}}.seqScanFailures(prefix)
			if len(got) != tt.want {
				t.Errorf("failures = %q, want %d", got, tt.want)
			}
		})
	}
}

func TestExplainable(t *testing.T) {
	for q, want := range map[string]bool{
		"SELECT 1": true, "  with c AS (SELECT 1) SELECT * FROM c": true, "INSERT INTO t VALUES (1)": true,
		"UPDATE t SET a = 1": true, "DELETE FROM t": true, "BEGIN": false, "SAVEPOINT s": false, "": false,
		"CREATE TABLE t (a int)": false, "VACUUM (ANALYZE) t": false,
	} {
		if got := explainable(q); got != want {
			t.Errorf("explainable(%q) = %v, want %v", q, got, want)
		}
	}
}

func TestRecorderLabels(t *testing.T) {
	r := newRecorder()
	if r.wanted("SELECT 1") {
		t.Error("wanted while off")
	}
	stop := r.record("a")
	if !r.wanted("SELECT 1") || r.wanted("SELECT 1") || r.wanted("BEGIN") {
		t.Error("a new statement is wanted once, BEGIN never")
	}
	stop()
	defer r.record("b")()
	if r.wanted("SELECT 1") {
		t.Error("a statement seen is wanted again")
	}
	r.setPlan("SELECT 1", "Seq Scan on t\n")
	plans := r.take()
	if len(plans) != 1 || !slices.Equal(plans[0].Labels, []string{"a", "b"}) || !slices.Equal(plans[0].SeqScans, []string{"t"}) {
		t.Errorf("plans = %+v", plans)
	}
	if len(r.take()) != 0 {
		t.Error("take did not forget")
	}
}

func TestSeedCounts(t *testing.T) {
	kinds := seedKinds()
	fixed := 0
	for _, k := range kinds {
		fixed += k.fixed
	}
	for _, rows := range []int{0, 5, fixed, 1000, 10_000, 1_000_000} {
		counts := seedCounts(kinds, rows)
		sum := 0
		for i, c := range counts {
			sum += c
			if c < 0 || (kinds[i].fixed > 0 && rows >= fixed && c != kinds[i].fixed) {
				t.Errorf("rows %d: %s gets %d", rows, kinds[i].name, c)
			}
		}
		if sum != rows {
			t.Errorf("rows %d: counts %v add up to %d", rows, counts, sum)
		}
	}
}

func TestPlotHelpers(t *testing.T) {
	for n, want := range map[int]string{10_000: "10k", 100_000: "100k", 1_000_000: "1M", 1500: "1500", 2000: "2k"} {
		if got := sizeLabel(n); got != want {
			t.Errorf("sizeLabel(%d) = %q, want %q", n, got, want)
		}
	}
	for v, want := range map[float64]float64{0: 1, 0.3: 0.5, 3: 5, 12: 20, 100: 100, 4300: 5000} {
		if got := niceCeil(v); got < want*0.999 || got > want*1.001 {
			t.Errorf("niceCeil(%v) = %v, want %v", v, got, want)
		}
	}
	steps := []ScaleStep{
		{Size: 10_000, Webhook: Phase{Requests: 1000, Elapsed: time.Second, P99: 20 * time.Millisecond}, ReconcilePass: time.Second},
		{Size: 1_000_000, Webhook: Phase{Requests: 900, Elapsed: time.Second, P99: 25 * time.Millisecond}, ReconcilePass: time.Second},
	}
	img := plotScale(steps)
	blue := 0
	for y := range panelH {
		for x := range 3 * panelW {
			if img.RGBAAt(x, y) == plotLine {
				blue++
			}
		}
	}
	// Two dots and a line in each of three panels.
	if blue < 3*2*30 {
		t.Errorf("%d pixels of the data's colour, want the dots and lines", blue)
	}
	if err := writePlot(filepath.Join(t.TempDir(), "no", "such", "dir.png"), steps); err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("writePlot to a missing directory: %v", err)
	}
}
