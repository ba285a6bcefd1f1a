package loadharness

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/bench/internal/rig"
	sqlstore "github.com/cauripay/cauri/stores/sql"
)

// TestRunSmoke runs every scenario on a memory store with a few requests
// and checks that each did its work without errors.
func TestRunSmoke(t *testing.T) {
	rep, err := Run(context.Background(), Options{
		Store: "memory", Duration: 30 * time.Second, Concurrency: 4, Requests: 40,
		ReconcilePayments: 30, SlowTimeout: 20 * time.Millisecond, SlowDelay: 300 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []Phase{rep.Kit, rep.Baseline, rep.BreakerSingle, rep.BreakerLoaded} {
		if p.Requests != 40 || p.Errors != 0 {
			t.Errorf("%s: %d requests, %d errors; want 40 and 0", p.Name, p.Requests, p.Errors)
		}
		if p.P50 <= 0 || p.P99 < p.P50 || p.Max < p.P99 {
			t.Errorf("%s: latencies p50 %v, p99 %v, max %v out of order", p.Name, p.P50, p.P99, p.Max)
		}
	}
	// 40 measured and 16 warm-up payments each.
	if rep.KitPaid != 56 || rep.BaselinePaid != 56 {
		t.Errorf("paid: kit %d, baseline %d; want 56 each", rep.KitPaid, rep.BaselinePaid)
	}
	// The memory store has no same-table baseline.
	if rep.BaselineSameTable != (Phase{}) || rep.BaselineSameTablePaid != 0 {
		t.Errorf("same-table baseline on the memory store: %+v, %d paid; want none", rep.BaselineSameTable, rep.BaselineSameTablePaid)
	}
	if rep.BreakerTrips != 5 || rep.BreakerProviderCalls != 0 {
		t.Errorf("breaker: opened by %d checkouts, %v provider calls after; want 5 and 0", rep.BreakerTrips, rep.BreakerProviderCalls)
	}
	if st := rep.BreakerSingleServer; st.P50 <= 0 || st.P99 < st.P50 || st.P50 > rep.BreakerSingle.P50 {
		t.Errorf("breaker: server-side times %+v, client p50 %v", st, rep.BreakerSingle.P50)
	}
	if rep.Slow.Requests != 40 || rep.Slow.Errors != 0 || rep.SlowTimeouts != 40 {
		t.Errorf("slow: %d requests, %d errors, %v timeouts; want 40, 0, 40", rep.Slow.Requests, rep.Slow.Errors, rep.SlowTimeouts)
	}
	if rep.PeakBreakdown.KitHandlers > 4 {
		t.Errorf("slow: %d kit handlers at the peak, more than the 4 clients", rep.PeakBreakdown.KitHandlers)
	}
	if r := rep.ReconcileReport; r.Checked != 30 || r.Settled != 30 || r.Errors != 0 || rep.DirectCallsMade != 30 {
		t.Errorf("reconcile: %+v, %d direct calls; want 30 checked and settled, 30 calls", r, rep.DirectCallsMade)
	}
	var out bytes.Buffer
	if err := rep.Print(&out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"kit/baseline throughput", "breaker open", "heap in use", "reconcile: one pass over 30"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "same table") || strings.Contains(out.String(), "same-table") {
		t.Errorf("report on the memory store shows a same-table baseline:\n%s", out.String())
	}
}

func TestOptionsRefused(t *testing.T) {
	tests := []struct {
		name string
		o    Options
		want error
	}{
		{"unknown scenario", Options{Scenarios: []string{"webhook", "nope"}}, nil},
		{"unknown store", Options{Store: "oracle", Scenarios: []string{"webhook"}}, nil},
		{"remote database", Options{Store: "postgres", DSN: "postgres://u@db.example.com:5432/x", Scenarios: []string{"webhook"}}, ErrNotLoopback},
		{"private address", Options{Store: "postgres", DSN: "postgres://u@10.0.0.5:5432/x", Scenarios: []string{"webhook"}}, ErrNotLoopback},
		{"remote mysql", Options{Store: "mysql", DSN: "u:hunter2@tcp(db.example.com:3306)/x", Scenarios: []string{"webhook"}}, ErrNotLoopback},
		{"private mysql", Options{Store: "mysql", DSN: "u:hunter2@tcp(10.0.0.5:3306)/x?parseTime=true", Scenarios: []string{"webhook"}}, ErrNotLoopback},
		{"malformed mysql", Options{Store: "mysql", DSN: "u:hunter2@tcp(127.0.0.1:3306/x%zz", Scenarios: []string{"webhook"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Run(context.Background(), tt.o)
			if err == nil {
				t.Fatal("Run succeeded")
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("err = %v, shows the DSN's password", err)
			}
		})
	}
}

func TestLoopbackDSN(t *testing.T) {
	const (
		ok          = "ok"
		notLoopback = "not loopback"
		malformed   = "malformed"
	)
	// The store, then each DSN and what loopbackDSN makes of it.
	tests := map[string]map[string]string{
		"postgres": {
			"postgres://postgres@127.0.0.1:5432/test?sslmode=disable": ok,
			"postgresql://u:p@localhost/db":                           ok,
			"postgres://u@[::1]:5432/db":                              ok,
			"postgres://u@192.168.1.10/db":                            notLoopback,
			"host=127.0.0.1 user=postgres":                            malformed,
			"root@tcp(127.0.0.1:3306)/test":                           malformed,
		},
		"mysql": {
			"root@tcp(127.0.0.1:3306)/test?parseTime=true": ok,
			"u:secret@tcp(localhost:3306)/db":              ok,
			"u@tcp(localhost)/db":                          ok,
			"u@tcp([::1]:3306)/db":                         ok,
			"u@tcp6([::1])/db":                             ok,
			"u@tcp(127.0.0.2:3307)/db":                     ok,
			"u@/db":                                        ok, // the driver's default: tcp to 127.0.0.1:3306
			"u@unix(/run/mysqld/mysqld.sock)/db":           ok,
			"u@tcp(192.168.1.10:3306)/db":                  notLoopback,
			"u@tcp(db.example.com)/db":                     notLoopback,
			"u@tcp(localhost.example.com:3306)/db":         notLoopback,
			"u@tcp([2001:db8::1]:3306)/db":                 notLoopback,
			"u@cloudsql(project:region:instance)/db":       notLoopback,
			"u:p@tcp(127.0.0.1:3306":                       malformed,
			"u:p@tcp(127.0.0.1:3306)/db?parseTime=maybe":   malformed,
		},
		"memory": {
			"postgres://postgres@127.0.0.1:5432/test": malformed,
		},
	}
	for store, dsns := range tests {
		for dsn, want := range dsns {
			err := loopbackDSN(store, dsn)
			got := ok
			switch {
			case errors.Is(err, ErrNotLoopback):
				got = notLoopback
			case err != nil:
				got = malformed
			}
			if got != want {
				t.Errorf("loopbackDSN(%s, %q) = %v: %s, want %s", store, dsn, err, got, want)
			}
		}
	}
}

func TestMySQLServer(t *testing.T) {
	for version, name := range map[string]string{
		"10.11.19-MariaDB-0+deb12u1": "mariadb",
		"11.4.2-MariaDB":             "mariadb",
		"8.0.36":                     "mysql",
		"8.4.0-commercial":           "mysql",
	} {
		s := mysqlServer(version)
		if s.Name != name || !slices.Equal(s.Processes, []string{"mariadbd", "mysqld"}) {
			t.Errorf("mysqlServer(%q) = %+v, want %s, mariadbd or mysqld", version, s, name)
		}
	}
}

// TestServerTicks reads this process's own ticks by its name, as it reads
// a database server's.
func TestServerTicks(t *testing.T) {
	comm, err := os.ReadFile("/proc/self/comm")
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	name := strings.TrimSpace(string(comm))
	got := serverTicks([]string{"no such process", name})
	found := false
	for k := range got {
		found = found || k.pid == os.Getpid()
	}
	if !found {
		t.Errorf("serverTicks(%q) = %v, lacks this process, %d", name, got, os.Getpid())
	}
	if m := serverTicks([]string{"no such process"}); m != nil {
		t.Errorf("serverTicks of no process = %v, want nil", m)
	}
}

func TestPercentiles(t *testing.T) {
	d := make([]time.Duration, 100)
	for i := range d {
		d[i] = time.Duration(100-i) * time.Millisecond
	}
	p50, p99, mx := percentiles(d)
	if p50 != 50*time.Millisecond || p99 != 99*time.Millisecond || mx != 100*time.Millisecond {
		t.Errorf("percentiles = %v, %v, %v; want 50ms, 99ms, 100ms", p50, p99, mx)
	}
	if a, b, c := percentiles(nil); a != 0 || b != 0 || c != 0 {
		t.Errorf("percentiles(nil) = %v, %v, %v", a, b, c)
	}
}

// TestWebhookSQL runs the webhook scenario on SQLite and, when their
// variables are set, PostgreSQL and MySQL: all three arms, the kit and
// both baselines, must leave every payment paid, and the report must show
// both ratios. On the servers the baselines' tables must be gone after.
func TestWebhookSQL(t *testing.T) {
	eachStore(t, func(t *testing.T, store, dsn string) {
		rep, err := Run(context.Background(), Options{
			Store: store, DSN: dsn, Duration: 30 * time.Second, Concurrency: 4, Requests: 30, Scenarios: []string{"webhook"},
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range []Phase{rep.Kit, rep.Baseline, rep.BaselineSameTable} {
			if p.Requests != 30 || p.Errors != 0 {
				t.Errorf("%q: %d requests, %d errors; want 30 and 0", p.Name, p.Requests, p.Errors)
			}
			if p.P50 <= 0 || p.P99 < p.P50 || p.Max < p.P99 {
				t.Errorf("%q: latencies p50 %v, p99 %v, max %v out of order", p.Name, p.P50, p.P99, p.Max)
			}
		}
		// 30 measured and 16 warm-up payments each.
		if rep.KitPaid != 46 || rep.BaselinePaid != 46 || rep.BaselineSameTablePaid != 46 {
			t.Errorf("paid: kit %d, baseline %d, baseline same table %d; want 46 each", rep.KitPaid, rep.BaselinePaid, rep.BaselineSameTablePaid)
		}
		var out bytes.Buffer
		if err := rep.Print(&out); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{
			"kit/baseline throughput", "kit/baseline p99 latency",
			"kit/baseline-same-table throughput", "kit/baseline-same-table p50 latency", "kit/baseline-same-table p99 latency",
			"baseline, same table (", "baseline same table 46 (rows)",
		} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("report lacks %q:\n%s", want, out.String())
			}
		}
		// PostgreSQL's statements are counted where the server can, and
		// the report says why where it cannot.
		switch {
		case store != "postgres":
			if rep.KitStatements.Measured || rep.StatementsUnmeasured != "" {
				t.Errorf("statements counted on %s: %+v, %q", store, rep.KitStatements, rep.StatementsUnmeasured)
			}
		case rep.KitStatements.Measured:
			// One move per webhook, and a completion per batch of them.
			if kit := rep.KitStatements.Total(); kit.Calls < 30 || kit.WALBytes <= 0 || kit.Blocks <= 0 {
				t.Errorf("kit's statements: %+v; want 30 calls or more, WAL and buffers", kit)
			}
			if base := rep.BaselineStatements.Total(); base.Calls != 30 {
				t.Errorf("baseline's statements: %d calls, want its 30 UPDATEs: %+v", base.Calls, rep.BaselineStatements.ByStatement)
			}
			if !strings.Contains(out.String(), "postgres per request, kit:") {
				t.Errorf("report lacks the kit's statements:\n%s", out.String())
			}
		default:
			if rep.StatementsUnmeasured == "" || !strings.Contains(out.String(), "postgres statements: not counted: ") {
				t.Errorf("statements neither counted nor explained:\n%s", out.String())
			}
		}
		if store == "sqlite" {
			return // SQLite's database was a temporary file, removed
		}
		driverName, d := sqlDriver(store)
		db, err := sql.Open(driverName, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		for _, table := range []string{baselineTable, sameTablePrefix + "payments", sameTablePrefix + "payouts", sameTablePrefix + "schema_migrations"} {
			if tableExists(t, db, d, table) {
				t.Errorf("table %s still there after the run", table)
			}
		}
	})
}

// TestSameTable checks the same-table baseline's table and statement on
// SQLite and, when their variables are set, PostgreSQL and MySQL: its rows
// are stored by the kit's store with the kit's payments' shape, the
// statement moves a pending payment to paid, releases its checkout key and
// stamps the change in a form the store reads back, moves nothing else,
// and the tables are gone after dropSameTable.
func TestSameTable(t *testing.T) {
	eachStore(t, func(t *testing.T, store, dsn string) {
		ctx := context.Background()
		db, err := openDatabase(ctx, store, dsn, 4)
		if err != nil {
			t.Fatal(err)
		}
		defer db.close()
		same, err := db.prepareSameTable(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = db.dropSameTable(context.WithoutCancel(ctx)) }()
		created := time.Now().UTC().Add(-time.Minute).Truncate(time.Microsecond)
		const n = 3
		if err := rig.StoreMoneroo(ctx, same, "tst", n, 2, created); err != nil {
			t.Fatal(err)
		}
		// A payment opened by a checkout has a checkout key, which the
		// statement must release.
		keyed := rig.MonerooPayment("key", 0, created)
		keyed.CheckoutKey = "moneroo|" + keyed.OrderID + "|5000|XOF"
		if err := same.Create(ctx, keyed); err != nil {
			t.Fatal(err)
		}
		if _, err := same.GetPendingByCheckoutKey(ctx, keyed.CheckoutKey); err != nil {
			t.Fatalf("GetPendingByCheckoutKey before: %v", err)
		}
		apply := db.sameTableApply()
		before := time.Now().UTC().Truncate(time.Microsecond)
		// Paid twice, and a payment the table does not hold: no error,
		// as the bare receiver answers 200 to a repeat.
		for _, id := range []string{rig.PaymentID("tst", 1), rig.PaymentID("tst", 1), rig.PaymentID("nope", 0), keyed.ID} {
			if err := apply(ctx, id); err != nil {
				t.Fatalf("apply(%s): %v", id, err)
			}
		}
		after := time.Now().UTC()

		tests := []struct {
			i    int
			want cauri.Status
		}{
			{0, cauri.StatusPending},
			{1, cauri.StatusPaid},
			{2, cauri.StatusPending},
		}
		for _, tt := range tests {
			want := rig.MonerooPayment("tst", tt.i, created)
			got, err := same.Get(ctx, want.ID)
			if err != nil {
				t.Fatalf("Get(%s): %v", want.ID, err)
			}
			if got.Status != tt.want {
				t.Errorf("%s: status %s, want %s", want.ID, got.Status, tt.want)
			}
			if got.Provider != want.Provider || got.ProviderRef != want.ProviderRef || got.OrderID != want.OrderID ||
				got.Amount != want.Amount || got.Currency != want.Currency || got.CheckoutURL != want.CheckoutURL ||
				!got.CreatedAt.Equal(created) {
				t.Errorf("%s: stored %+v, want the shape of %+v", want.ID, got, want)
			}
			if tt.want == cauri.StatusPaid {
				if got.UpdatedAt.Before(before) || got.UpdatedAt.After(after) {
					t.Errorf("%s: updated_at %v, want within [%v, %v]", want.ID, got.UpdatedAt, before, after)
				}
			} else if !got.UpdatedAt.Equal(created) {
				t.Errorf("%s: updated_at %v, want %v (untouched)", want.ID, got.UpdatedAt, created)
			}
		}
		if p, err := same.GetPendingByCheckoutKey(ctx, keyed.CheckoutKey); !errors.Is(err, cauri.ErrNotFound) {
			t.Errorf("GetPendingByCheckoutKey after paying = %+v, %v; want the key released", p, err)
		}
		var keys int
		if err := db.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+sameTable+" WHERE pending_key IS NOT NULL").Scan(&keys); err != nil {
			t.Fatal(err)
		}
		if keys != 0 {
			t.Errorf("%d rows with a pending key; want 0", keys)
		}
		if paid, err := db.sameTablePaid(ctx); err != nil || paid != 2 {
			t.Errorf("sameTablePaid = %d, %v; want 2", paid, err)
		}

		if err := db.dropSameTable(ctx); err != nil {
			t.Fatal(err)
		}
		for _, table := range sameTableSchema {
			if tableExists(t, db.db, db.d, sameTablePrefix+table) {
				t.Errorf("table %s%s still there after dropSameTable", sameTablePrefix, table)
			}
		}
	})
}

// tableExists reports whether the database has a table called name.
func tableExists(t *testing.T, db *sql.DB, d sqlstore.Dialect, name string) bool {
	t.Helper()
	q := map[sqlstore.Dialect]string{
		sqlstore.SQLite:   "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?",
		sqlstore.Postgres: "SELECT COUNT(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename = $1",
		sqlstore.MySQL:    "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?",
	}[d]
	var n int
	if err := db.QueryRowContext(context.Background(), q, name).Scan(&n); err != nil {
		t.Fatalf("looking for table %s: %v", name, err)
	}
	return n > 0
}

// TestWebhookCPU runs the webhook scenario on SQLite and, when their
// variables are set, PostgreSQL and MySQL, and checks each arm's CPU time
// per request: this process's always, the database server's on the
// servers only, named for the server, and both in the report. Enough
// requests that the server's 10 ms clock ticks add up to some.
func TestWebhookCPU(t *testing.T) {
	eachStore(t, func(t *testing.T, store, dsn string) {
		const n = 600
		rep, err := Run(context.Background(), Options{
			Store: store, DSN: dsn, Duration: time.Minute, Concurrency: 8, Requests: n, Scenarios: []string{"webhook"},
		})
		if err != nil {
			t.Fatal(err)
		}
		server := store != "sqlite"
		wantServer := map[string][]string{"postgres": {"postgres"}, "mysql": {"mariadb", "mysql"}}[store]
		if (rep.Server.Name != "") != server || (server && !slices.Contains(wantServer, rep.Server.Name)) {
			t.Errorf("server %+v, want one of %q", rep.Server, wantServer)
		}
		for _, a := range []struct {
			p Phase
			c CPU
		}{{rep.Baseline, rep.BaselineCPU}, {rep.BaselineSameTable, rep.BaselineSameTableCPU}, {rep.Kit, rep.KitCPU}} {
			if a.c.Requests != n || a.p.Requests+a.p.Errors != n {
				t.Errorf("%q: cpu over %d requests, phase %d+%d; want %d", a.p.Name, a.c.Requests, a.p.Requests, a.p.Errors, n)
			}
			if !a.c.ProcessOK || a.c.ProcessPerRequest() <= 0 {
				t.Errorf("%q: process cpu %v (ok %v), %v a request; want some", a.p.Name, a.c.Process, a.c.ProcessOK, a.c.ProcessPerRequest())
			}
			if a.c.ServerOK != server || (a.c.ServerPerRequest() > 0) != server {
				t.Errorf("%q: database server cpu %v (ok %v), %v a request; want some: %v", a.p.Name, a.c.Server, a.c.ServerOK, a.c.ServerPerRequest(), server)
			}
		}
		var out bytes.Buffer
		if err := rep.Print(&out); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{
			"cpu per request, baseline:", "cpu per request, baseline same table:", "cpu per request, kit:",
			"kit/baseline cpu per request:", "kit/baseline-same-table cpu per request:", "the same for every arm",
		} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("report lacks %q:\n%s", want, out.String())
			}
		}
		text := out.String()
		if strings.Contains(text, "n/a") || strings.Contains(text, "database server") != server {
			t.Errorf("report: a figure missing, or the database server shown: %v:\n%s", server, text)
		}
		if server && !strings.Contains(text, "(cpu, "+rep.Server.Name+": the database server") {
			t.Errorf("report does not name the database server %s:\n%s", rep.Server.Name, text)
		}
		if store != "postgres" && strings.Contains(text, "postgres") {
			t.Errorf("report on the %s store shows postgres:\n%s", store, text)
		}
	})
}

func TestStatTicks(t *testing.T) {
	tail := " S 1 2 3 4 5 6 7 8 9 10 %s %s 13 14 15 16 17 18 %s 20 21"
	tests := []struct {
		name, stat string
		ticks      uint64
		start      string
		ok         bool
	}{
		{"plain", "2207 (postgres)" + fmt.Sprintf(tail, "42", "249", "777"), 291, "777", true},
		{"name with spaces and parentheses", "9 (a) b (c)" + fmt.Sprintf(tail, "1", "2", "5"), 3, "5", true},
		{"no name", "9 postgres" + fmt.Sprintf(tail, "1", "2", "5"), 0, "", false},
		{"short", "9 (postgres) S 1 2 3", 0, "", false},
		{"not a number", "9 (postgres)" + fmt.Sprintf(tail, "x", "2", "5"), 0, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ticks, start, ok := statTicks(tt.stat)
			if ticks != tt.ticks || start != tt.start || ok != tt.ok {
				t.Errorf("statTicks = %d, %q, %v; want %d, %q, %v", ticks, start, ok, tt.ticks, tt.start, tt.ok)
			}
		})
	}
}

func TestTicksBetween(t *testing.T) {
	a, b, c := procKey{1, "10"}, procKey{2, "10"}, procKey{2, "99"} // c reuses b's pid
	tests := []struct {
		name     string
		from, to map[procKey]uint64
		want     time.Duration
		ok       bool
	}{
		{"grew", map[procKey]uint64{a: 5, b: 7}, map[procKey]uint64{a: 8, b: 7}, 30 * time.Millisecond, true},
		{"started between", map[procKey]uint64{a: 5}, map[procKey]uint64{a: 5, b: 4}, 40 * time.Millisecond, true},
		{"ended between", map[procKey]uint64{a: 5, b: 7}, map[procKey]uint64{a: 6}, 10 * time.Millisecond, true},
		{"pid reused", map[procKey]uint64{a: 5, b: 7}, map[procKey]uint64{a: 5, c: 2}, 20 * time.Millisecond, true},
		{"none before", nil, map[procKey]uint64{a: 5}, 0, false},
		{"none after", map[procKey]uint64{a: 5}, nil, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, ok := ticksBetween(tt.from, tt.to); got != tt.want || ok != tt.ok {
				t.Errorf("ticksBetween = %v, %v; want %v, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

// TestWebhookWithoutOnPaid: with no OnPaid the kit's arm still settles
// every payment, counted in the store, under a name that says so.
func TestWebhookWithoutOnPaid(t *testing.T) {
	for _, store := range []string{"memory", "sqlite"} {
		t.Run(store, func(t *testing.T) {
			rep, err := Run(context.Background(), Options{
				Store: store, Scenarios: []string{"webhook"}, WithoutOnPaid: true,
				Duration: 30 * time.Second, Concurrency: 4, Requests: 40,
			})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Kit.Requests != 40 || rep.Kit.Errors != 0 || !strings.Contains(rep.Kit.Name, "no OnPaid") {
				t.Errorf("kit arm %q: %d requests, %d errors; want 40, 0, named for no OnPaid", rep.Kit.Name, rep.Kit.Requests, rep.Kit.Errors)
			}
			if rep.KitPaid != 56 { // 40 measured, 16 warm-up
				t.Errorf("kit paid %d, want 56", rep.KitPaid)
			}
		})
	}
}

// eachStore runs fn as a subtest on SQLite and, when their variables are
// set, PostgreSQL (CAURI_TEST_POSTGRES_DSN) and MySQL or MariaDB
// (CAURI_TEST_MYSQL_DSN), with the store's name and its variable's DSN.
func eachStore(t *testing.T, fn func(t *testing.T, store, dsn string)) {
	t.Helper()
	for _, s := range []struct{ store, env string }{
		{"sqlite", ""},
		{"postgres", "CAURI_TEST_POSTGRES_DSN"},
		{"mysql", "CAURI_TEST_MYSQL_DSN"},
	} {
		t.Run(s.store, func(t *testing.T) {
			var dsn string
			if s.env != "" {
				if dsn = os.Getenv(s.env); dsn == "" {
					t.Skipf("%s is not set: the %s store is not tested", s.env, s.store)
				}
			}
			fn(t, s.store, dsn)
		})
	}
}
