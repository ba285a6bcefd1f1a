// Command cauri-bench drives cauri and its baselines with concurrent load
// over loopback and prints requests/s, p50 and p99 latency and the
// kit/baseline ratios:
//
//	go run ./cmd/cauri-bench -store memory|sqlite|mysql|postgres -duration 20s -concurrency 32 -requests 20000
//
// Scenarios (-scenarios, comma-separated; all by default): webhook (signed
// Moneroo webhooks through the kit and through a bare receiver doing the
// same single-row UPDATE on the same database, on SQL stores in two arms:
// on a two-column id/status table, and on a table with the kit's payments
// schema and indexes; the kit/baseline and kit/baseline-same-table ratios,
// and each arm's CPU time per request, in this process and, on PostgreSQL,
// MariaDB and MySQL, in the database server),
// breaker (checkout with the provider's breaker open), slow (checkout with
// a provider slower than the kit's timeout, with the process's goroutines
// and heap before, during and after) and reconcile (one Kit.Reconcile pass
// over -reconcile-payments pending payments), and, only when asked for,
// scale (on PostgreSQL: the payments table seeded with each of -sizes
// payments, mixed statuses and ages, in tables of its own that it drops;
// at each size the webhook's throughput and latency, -scale-passes
// reconcile passes, each over -scale-pending new pending payments after a
// pause of -scale-pause (their median and fastest reported, with each
// pass's buffers, WAL and statements' time), the operator console's queries,
// the tables' sizes and the plan of every statement the kit made, which
// fails the run when one scans the payments or events table sequentially
// at 100,000 payments or more; the plans and a plot go to -results).
// Each load phase stops after
// -requests requests or -duration, whichever comes first (the webhook
// scenario alternates the baselines and the kit in -rounds rounds, each a
// share of both bounds, so that all see the same machine); everything
// listens on 127.0.0.1, and the database must be on loopback too (-dsn:
// for postgres a URL, CAURI_TEST_POSTGRES_DSN by default; for mysql, MySQL
// or MariaDB, a go-sql-driver/mysql DSN, CAURI_TEST_MYSQL_DSN by default).
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/cauripay/cauri/bench/loadharness"
)

func main() {
	if err := run(os.Args[1:]); err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "cauri-bench:", err)
		os.Exit(1)
	}
}

// The local test databases, which have no password. The MySQL DSN
// interpolates arguments, as stores/sql's doc recommends: without it each
// statement is three round trips (prepare, execute, close).
const (
	localDSN      = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	localMySQLDSN = "root@tcp(127.0.0.1:3306)/test?parseTime=true&interpolateParams=true"
)

// defaultDSN is the store's database when -dsn is not given: its
// variable's, else the local test database.
func defaultDSN(store string) string {
	if store == "mysql" {
		return cmp.Or(os.Getenv("CAURI_TEST_MYSQL_DSN"), localMySQLDSN)
	}
	return cmp.Or(os.Getenv("CAURI_TEST_POSTGRES_DSN"), localDSN)
}

func run(args []string) error {
	fs := flag.NewFlagSet("cauri-bench", flag.ContinueOnError)
	var (
		o         loadharness.Options
		scenarios string
		quiet     bool
	)
	fs.StringVar(&o.Store, "store", "memory", "the kit's store in the webhook scenario: memory, sqlite, postgres or mysql (MySQL or MariaDB)")
	fs.StringVar(&o.DSN, "dsn", "", "the database, on loopback: for postgres a URL (default: $CAURI_TEST_POSTGRES_DSN, else "+localDSN+
		"); for mysql a go-sql-driver/mysql DSN (default: $CAURI_TEST_MYSQL_DSN, else "+localMySQLDSN+")")
	fs.DurationVar(&o.Duration, "duration", 20*time.Second, "the longest each load phase runs")
	fs.IntVar(&o.Concurrency, "concurrency", 32, "requests in flight at once")
	fs.IntVar(&o.Requests, "requests", 20000, "the most requests each load phase sends")
	fs.IntVar(&o.Rounds, "rounds", 5, "alternating baselines/kit rounds the webhook scenario is split into")
	fs.StringVar(&scenarios, "scenarios", strings.Join(loadharness.Scenarios(), ","), "scenarios to run, comma-separated")
	fs.IntVar(&o.ReconcilePayments, "reconcile-payments", 10000, "pending payments the reconcile pass finds")
	fs.DurationVar(&o.SlowTimeout, "slow-timeout", 200*time.Millisecond, "the kit's provider timeout in the slow scenario")
	fs.DurationVar(&o.SlowDelay, "slow-delay", 5*time.Second, "how late the slow provider answers")
	fs.BoolVar(&o.WithoutOnPaid, "no-onpaid", false, "run the webhook scenario's kit with no OnPaid (one write per settled payment)")
	sizes := fs.String("sizes", "10000,100000,1000000", "the scale scenario's payments table sizes, comma-separated")
	fs.IntVar(&o.ScalePending, "scale-pending", 500, "pending payments the scale scenario's reconcile pass finds at each size")
	fs.IntVar(&o.ScalePasses, "scale-passes", 5, "reconcile passes the scale scenario makes at each size (it reports their median)")
	fs.DurationVar(&o.ScalePause, "scale-pause", 12*time.Second, "the scale scenario's pause before and after each reconcile pass")
	fs.StringVar(&o.ResultsDir, "results", "", "directory for the scale scenario's plans and plot (none written when empty)")
	fs.BoolVar(&quiet, "q", false, "no progress lines on stderr")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	// The DSN may hold a password: it is never printed.
	if o.DSN == "" {
		o.DSN = defaultDSN(o.Store)
	}
	o.Scenarios = strings.Split(scenarios, ",")
	for f := range strings.SplitSeq(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			return fmt.Errorf("-sizes: %q is not a positive number", f)
		}
		o.Sizes = append(o.Sizes, n)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if !quiet {
		o.Progress = func(format string, a ...any) { log.Info(fmt.Sprintf(format, a...)) }
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	fmt.Printf("%s %s/%s, GOMAXPROCS=%d, CPU: %s, load average: %s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH,
		runtime.GOMAXPROCS(0), cpuModel(), loadAverage())
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	rep, err := loadharness.Run(ctx, o)
	if perr := rep.Print(os.Stdout); perr != nil && err == nil {
		err = perr
	}
	return err
}

// cpuModel is the first "model name" of /proc/cpuinfo, or "unknown".
func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	for line := range strings.Lines(string(b)) {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

// loadAverage is /proc/loadavg's first three fields: other work on the
// machine skews every figure.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
