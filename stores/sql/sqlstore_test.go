package sqlstore_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"

	"github.com/cauripay/cauri"
	sqlstore "github.com/cauripay/cauri/stores/sql"
	"github.com/cauripay/cauri/stores/storetest"
)

// backend is a database the tests and benchmarks run against.
type backend struct {
	name    string // the subtest's name
	dialect sqlstore.Dialect
	driver  string // the database/sql driver's name
	env     string // the variable holding a server's DSN; empty for SQLite
	what    string // what the server is, for the skip message
}

func backends() []backend {
	return []backend{
		{name: "sqlite", dialect: sqlstore.SQLite, driver: "sqlite"},
		{name: "postgres", dialect: sqlstore.Postgres, driver: "pgx",
			env: "CAURI_TEST_POSTGRES_DSN", what: "PostgreSQL"},
		{name: "mysql", dialect: sqlstore.MySQL, driver: "mysql",
			env: "CAURI_TEST_MYSQL_DSN", what: "MySQL or MariaDB"},
	}
}

// dsn returns the DSN of the backend's database: the server's, or else a
// new SQLite file in a temporary directory. It skips tb when the server's
// variable is not set, and under -short: the servers are for the full
// suite.
func (b backend) dsn(tb testing.TB) string {
	if b.env == "" {
		return sqliteDSN(filepath.Join(tb.TempDir(), "cauri.db"))
	}
	if testing.Short() {
		tb.Skipf("-short: %s runs in the full suite", b.what)
	}
	dsn := os.Getenv(b.env)
	if dsn == "" {
		tb.Skipf("set %s to run against %s", b.env, b.what)
	}
	return dsn
}

// sqliteDSN is the DSN of the SQLite database at path, for modernc.org/sqlite:
// writers wait for each other up to 30 s (a race of 64 appends took up to
// 13 s in all on a loaded two-core machine), and readers do not wait for
// writers.
func sqliteDSN(path string) string {
	return "file:" + path + "?_pragma=busy_timeout(30000)&_pragma=journal_mode(WAL)"
}

// open opens the backend's database at dsn, to be closed when tb ends.
func (b backend) open(tb testing.TB, dsn string) *sql.DB {
	tb.Helper()
	db, err := sql.Open(b.driver, dsn)
	if err != nil {
		tb.Fatalf("sql.Open(%s): %v", b.driver, err)
	}
	if b.env != "" {
		// Keep the connections of a race open for the next one (a
		// server's connections are slow to open), and leave the server
		// connections for the other packages' tests running at once:
		// PostgreSQL allows 100 by default. The 64-goroutine races queue
		// for these, and still race on the rows.
		db.SetMaxOpenConns(32)
		db.SetMaxIdleConns(32)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// randomPrefix returns a table prefix no other test uses.
func randomPrefix() string { return "t" + strings.ToLower(rand.Text()[:12]) + "_" }

// dropTables drops the tables a Store with that prefix made, when tb ends.
// Registered after the *sql.DB's Close, it runs before it.
func dropTables(tb testing.TB, db *sql.DB, prefix string) {
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		for _, t := range []string{"payments", "payment_events", "payouts", "orders", "onpaid", "schema_migrations"} {
			if _, err := db.ExecContext(ctx, "DROP TABLE IF EXISTS "+prefix+t); err != nil {
				tb.Errorf("dropping %s%s: %v", prefix, t, err)
			}
		}
	})
}

// connect returns a context that ends after a minute, when t ends at the
// latest, and a new connection to b.
func (b backend) connect(t *testing.T) (context.Context, *sql.DB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx, b.open(t, b.dsn(t))
}

// start is connect, and a migrated Store in the connection's database
// with a table prefix of its own.
func (b backend) start(t *testing.T) (context.Context, *sql.DB, *sqlstore.Store) {
	t.Helper()
	ctx, db := b.connect(t)
	return ctx, db, b.migrated(t, db)
}

// unmigrated returns a Store on db with a table prefix of its own, whose
// tables are dropped when tb ends, none of them made yet.
func (b backend) unmigrated(tb testing.TB, db *sql.DB) *sqlstore.Store {
	tb.Helper()
	prefix := randomPrefix()
	dropTables(tb, db, prefix)
	return sqlstore.New(db, b.dialect, sqlstore.WithTablePrefix(prefix))
}

// migrated returns a migrated Store in db with a table prefix of its own,
// whose tables are dropped when tb ends.
func (b backend) migrated(tb testing.TB, db *sql.DB) *sqlstore.Store {
	tb.Helper()
	s := b.unmigrated(tb, db)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := s.Migrate(ctx); err != nil {
		tb.Fatalf("Migrate: %v", err)
	}
	return s
}

// TestConformance runs the storetest suite: on SQLite with a database file
// per store, on servers with a table prefix per store.
func TestConformance(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		if b.dialect == sqlstore.SQLite {
			storetest.Run(t, func(t *testing.T) cauri.Store {
				return b.migrated(t, b.open(t, b.dsn(t)))
			})
			return
		}
		db := b.open(t, b.dsn(t))
		storetest.Run(t, func(t *testing.T) cauri.Store { return b.migrated(t, db) })
	})
}

// TestMigrate runs Migrate from several processes at once, each with a
// *sql.DB of its own, then again: every call succeeds, each version is
// recorded once, and the tables work.
func TestMigrate(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		dsn := b.dsn(t)
		n := 8
		if b.dialect == sqlstore.SQLite {
			n = 2
		}
		prefix := randomPrefix()
		stores := make([]*sqlstore.Store, n)
		var db *sql.DB
		for i := range stores {
			db = b.open(t, dsn)
			stores[i] = sqlstore.New(db, b.dialect, sqlstore.WithTablePrefix(prefix))
		}
		dropTables(t, db, prefix)
		if b.dialect == sqlstore.SQLite {
			// The first connection to a new file switches it to
			// write-ahead logging, for good; two doing so at once
			// may fail with SQLITE_BUSY, busy timeout or not. Here
			// the processes start on an existing database.
			if err := db.PingContext(ctx); err != nil {
				t.Fatal(err)
			}
		}

		errs := make([]error, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i, s := range stores {
			wg.Go(func() {
				<-start
				errs[i] = s.Migrate(ctx)
			})
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("concurrent Migrate %d: %v", i, err)
			}
		}
		if err := stores[0].Migrate(ctx); err != nil {
			t.Errorf("Migrate again: %v", err)
		}

		rows, err := db.QueryContext(ctx, "SELECT version FROM "+prefix+"schema_migrations ORDER BY version")
		if err != nil {
			t.Fatal(err)
		}
		var versions []int64
		for rows.Next() {
			var v int64
			if err := rows.Scan(&v); err != nil {
				t.Fatal(err)
			}
			versions = append(versions, v)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		if len(versions) == 0 || versions[0] != 1 {
			t.Errorf("recorded versions = %v, want 1 first", versions)
		}
		for i := 1; i < len(versions); i++ {
			if versions[i] == versions[i-1] {
				t.Errorf("version %d recorded twice", versions[i])
			}
		}

		at := time.Now().UTC().Truncate(time.Microsecond)
		p := storetest.Payment("pay_"+rand.Text(), at)
		if err := stores[0].Create(ctx, p); err != nil {
			t.Fatalf("Create: %v", err)
		}
		if _, err := stores[n-1].Get(ctx, p.ID); err != nil {
			t.Errorf("Get through another *sql.DB: %v", err)
		}
	})
}

// TestMigrateUpgrade starts from a database that has only the first
// version: Migrate applies the others.
func TestMigrateUpgrade(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx, db, s := b.start(t)
		prefix := s.TablePrefix()
		for _, stmt := range []string{
			"DROP TABLE " + prefix + "payouts",
			"DELETE FROM " + prefix + "schema_migrations WHERE version > 1",
		} {
			if _, err := db.ExecContext(ctx, stmt); err != nil {
				t.Fatal(err)
			}
		}
		p := storetest.Payment("pay_"+rand.Text(), time.Now().UTC())
		if err := s.Create(ctx, p); err != nil {
			t.Fatal(err)
		}

		if err := s.Migrate(ctx); err != nil {
			t.Fatalf("Migrate from version 1: %v", err)
		}
		var n int
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+prefix+"schema_migrations WHERE version = 2").Scan(&n); err != nil || n != 1 {
			t.Errorf("version 2 recorded %d times (%v), want once", n, err)
		}
		if _, err := s.GetPayout(ctx, "po_x"); !errors.Is(err, cauri.ErrNotFound) {
			t.Errorf("GetPayout after the upgrade: error = %v, want ErrNotFound", err)
		}
		if _, err := s.Get(ctx, p.ID); err != nil {
			t.Errorf("Get of a payment stored before the upgrade: %v", err)
		}
	})
}

// TestNoChange covers what MySQL reports as no row affected: a
// compare-and-set that matches but changes nothing still succeeds. It also
// checks what FinishPayout returns with ErrConflict, which storetest does
// not.
func TestNoChange(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx, _, s := b.start(t)
		at := time.Now().UTC().Truncate(time.Microsecond)
		p := storetest.Payment("pay_"+rand.Text(), at)
		p.ProviderRef, p.CheckoutURL = "", ""
		if err := s.Create(ctx, p); err != nil {
			t.Fatal(err)
		}
		for i := range 2 {
			if err := s.Attach(ctx, p.ID, "", "https://checkout.example/x", at); err != nil {
				t.Errorf("Attach of no ref %d: %v", i, err)
			}
		}
		c := cauri.Change{To: cauri.StatusPending, Method: "wave_ci", At: at}
		for i := range 2 {
			got, err := s.Transition(ctx, p.ID, cauri.StatusPending, c)
			if err != nil {
				t.Fatalf("Transition pending → pending %d: %v", i, err)
			}
			if got.ID != p.ID || got.Method != "wave_ci" || got.Status != cauri.StatusPending {
				t.Errorf("Transition pending → pending %d = %+v", i, got)
			}
		}
		if _, err := s.GetPendingByCheckoutKey(ctx, p.CheckoutKey); err != nil {
			t.Errorf("GetPendingByCheckoutKey after moving pending → pending: %v", err)
		}
		if _, err := s.Transition(ctx, p.ID, cauri.StatusPaid, c); !errors.Is(err, cauri.ErrConflict) {
			t.Errorf("Transition from the wrong status: error = %v, want ErrConflict", err)
		}

		po := cauri.Payout{Key: "po_" + rand.Text(), Provider: "paydunya", Account: "+221770000000", Amount: 2500,
			Currency: "XOF", Status: cauri.PayoutPending, CreatedAt: at, UpdatedAt: at}
		if err := s.CreatePayout(ctx, po); err != nil {
			t.Fatal(err)
		}
		r := cauri.PayoutResult{Status: cauri.PayoutPending, ProviderRef: "ref-1"}
		for i := range 2 {
			got, err := s.FinishPayout(ctx, po.Key, r, at)
			if err != nil {
				t.Fatalf("FinishPayout as pending %d: %v", i, err)
			}
			if got.Status != cauri.PayoutPending || got.ProviderRef != "ref-1" {
				t.Errorf("FinishPayout as pending %d = %+v", i, got)
			}
		}
		r = cauri.PayoutResult{Status: cauri.PayoutFailed, Message: "refused"}
		if _, err := s.FinishPayout(ctx, po.Key, r, at); err != nil {
			t.Fatalf("FinishPayout: %v", err)
		}
		got, err := s.FinishPayout(ctx, po.Key, r, at)
		if !errors.Is(err, cauri.ErrConflict) || got.Status != cauri.PayoutFailed || got.Message != "refused" {
			t.Errorf("FinishPayout of a failed payout = %+v, %v; want it as stored and ErrConflict", got, err)
		}
	})
}

// TestContext checks that every call honours its context.
func TestContext(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		s := b.migrated(t, b.open(t, b.dsn(t)))
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		at := time.Now().UTC()
		calls := map[string]error{
			"Create":         s.Create(ctx, storetest.Payment("pay_"+rand.Text(), at)),
			"Attach":         s.Attach(ctx, "pay_x", "ref", "https://x", at),
			"ClaimOnPaid":    s.ClaimOnPaid(ctx, "pay_x", "w1", at, time.Minute),
			"CompleteOnPaid": s.CompleteOnPaid(ctx, "pay_x", "w1", at),
			"ReleaseOnPaid":  s.ReleaseOnPaid(ctx, "pay_x", "w1"),
			"Migrate":        s.Migrate(ctx),
		}
		_, calls["Get"] = s.Get(ctx, "pay_x")
		_, calls["GetByProviderRef"] = s.GetByProviderRef(ctx, "p", "ref")
		_, calls["GetPendingByCheckoutKey"] = s.GetPendingByCheckoutKey(ctx, "key")
		_, calls["Transition"] = s.Transition(ctx, "pay_x", cauri.StatusPending, cauri.Change{To: cauri.StatusPaid})
		_, calls["ListPending"] = s.ListPending(ctx, at, cauri.Cursor{}, 10)
		_, calls["ListPendingAfter"] = s.ListPending(ctx, at, cauri.Cursor{CreatedAt: at, ID: "pay_x"}, 10)
		_, calls["ListUnfulfilled"] = s.ListUnfulfilled(ctx, at, cauri.Cursor{}, 10)
		_, calls["ListUnfulfilledAfter"] = s.ListUnfulfilled(ctx, at, cauri.Cursor{CreatedAt: at, ID: "pay_x"}, 10)
		calls["CreatePayout"] = s.CreatePayout(ctx, cauri.Payout{Key: "po_x", Status: cauri.PayoutPending})
		_, calls["GetPayout"] = s.GetPayout(ctx, "po_x")
		_, calls["TakePoll"] = s.TakePoll(ctx, "pay_x", at, at.Add(time.Minute))
		_, calls["Supersede"] = s.Supersede(ctx, "order_x", cauri.Cursor{CreatedAt: at, ID: "pay_x"})
		_, calls["ClaimOrder"] = s.ClaimOrder(ctx, "order_x", "pay_x")
		_, calls["FinishPayout"] = s.FinishPayout(ctx, "po_x", cauri.PayoutResult{Status: cauri.PayoutFailed}, at)
		_, calls["ListPendingPayouts"] = s.ListPendingPayouts(ctx, at, cauri.Cursor{}, 10)
		_, calls["ListPendingPayoutsAfter"] = s.ListPendingPayouts(ctx, at, cauri.Cursor{CreatedAt: at, ID: "po_x"}, 10)
		for name, err := range calls {
			if !errors.Is(err, context.Canceled) {
				t.Errorf("%s with a cancelled context: error = %v, want context.Canceled", name, err)
			}
		}
	})
}

// TestTablePrefix checks that Stores with different prefixes in one
// database do not see each other's payments.
func TestTablePrefix(t *testing.T) {
	b := backends()[0]
	db := b.open(t, b.dsn(t))
	s1, s2 := b.migrated(t, db), b.migrated(t, db)
	ctx := context.Background()
	p := storetest.Payment("pay_"+rand.Text(), time.Now().UTC())
	if err := s1.Create(ctx, p); err != nil {
		t.Fatal(err)
	}
	if err := s2.Create(ctx, p); err != nil {
		t.Errorf("Create of the same payment under another prefix: %v", err)
	}
	if _, err := s2.Get(ctx, "pay_"+rand.Text()); !errors.Is(err, cauri.ErrNotFound) {
		t.Errorf("Get of an unknown ID: error = %v, want ErrNotFound", err)
	}
}

func TestNewPanics(t *testing.T) {
	db, err := sql.Open("sqlite", sqliteDSN(filepath.Join(t.TempDir(), "x.db")))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tests := []struct {
		name string
		new  func()
		ok   bool
	}{
		{"default prefix", func() { sqlstore.New(db, sqlstore.SQLite) }, true},
		{"empty prefix", func() { sqlstore.New(db, sqlstore.SQLite, sqlstore.WithTablePrefix("")) }, true},
		{"mixed prefix", func() { sqlstore.New(db, sqlstore.Postgres, sqlstore.WithTablePrefix("Shop_2_")) }, true},
		{"32 characters", func() { sqlstore.New(db, sqlstore.MySQL, sqlstore.WithTablePrefix(strings.Repeat("a", 32))) }, true},
		{"33 characters", func() { sqlstore.New(db, sqlstore.MySQL, sqlstore.WithTablePrefix(strings.Repeat("a", 33))) }, false},
		{"hyphen", func() { sqlstore.New(db, sqlstore.SQLite, sqlstore.WithTablePrefix("shop-")) }, false},
		{"leading digit", func() { sqlstore.New(db, sqlstore.SQLite, sqlstore.WithTablePrefix("1shop_")) }, false},
		{"injection", func() { sqlstore.New(db, sqlstore.SQLite, sqlstore.WithTablePrefix("x;DROP TABLE y;--")) }, false},
		{"non-ASCII", func() { sqlstore.New(db, sqlstore.SQLite, sqlstore.WithTablePrefix("café_")) }, false},
		{"nil db", func() { sqlstore.New(nil, sqlstore.SQLite) }, false},
		{"zero dialect", func() { sqlstore.New(db, sqlstore.Dialect(0)) }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if r := recover(); (r == nil) != tt.ok {
					t.Errorf("panic = %v, want a panic: %v", r, !tt.ok)
				}
			}()
			tt.new()
		})
	}
}

func TestDialectString(t *testing.T) {
	for d, want := range map[sqlstore.Dialect]string{
		sqlstore.Postgres: "postgres", sqlstore.MySQL: "mysql", sqlstore.SQLite: "sqlite", 0: "Dialect(0)",
	} {
		if got := d.String(); got != want {
			t.Errorf("Dialect(%d).String() = %q, want %q", int(d), got, want)
		}
	}
}

// benchBackends runs fn against a fresh migrated Store of each backend,
// skipping the servers whose DSN is not set.
func benchBackends(b *testing.B, fn func(b *testing.B, s *sqlstore.Store)) {
	for _, be := range backends() {
		b.Run(be.name, func(b *testing.B) {
			s := be.migrated(b, be.open(b, be.dsn(b)))
			b.ReportAllocs()
			fn(b, s)
		})
	}
}

// stored creates n payments, changed by edit, and returns their IDs.
func stored(b *testing.B, s *sqlstore.Store, n int, edit func(*cauri.Payment)) []string {
	b.Helper()
	ctx := context.Background()
	at := time.Now().UTC()
	base := "pay_" + rand.Text()[:10] + "_"
	ids := make([]string, n)
	for i := range ids {
		p := storetest.Payment(base+strconv.Itoa(i), at)
		if edit != nil {
			edit(&p)
		}
		if err := s.Create(ctx, p); err != nil {
			b.Fatal(err)
		}
		ids[i] = p.ID
	}
	return ids
}

// BenchmarkCreate measures storing a new payment, with a provider reference
// and a checkout key to index.
func BenchmarkCreate(b *testing.B) {
	benchBackends(b, func(b *testing.B, s *sqlstore.Store) {
		ctx := context.Background()
		at := time.Now().UTC()
		base := "pay_" + rand.Text()[:10] + "_"
		i := 0
		for b.Loop() {
			i++
			if err := s.Create(ctx, storetest.Payment(base+strconv.Itoa(i), at)); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkTransition measures one successful compare-and-set, pending to
// paid, returning the payment.
func BenchmarkTransition(b *testing.B) {
	benchBackends(b, func(b *testing.B, s *sqlstore.Store) {
		ctx := context.Background()
		ids := stored(b, s, b.N, nil)
		c := cauri.Change{To: cauri.StatusPaid, Fee: 75, Method: "wave_ci", At: time.Now().UTC()}
		b.ResetTimer()
		for _, id := range ids {
			if _, err := s.Transition(ctx, id, cauri.StatusPending, c); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkLease measures running OnPaid's bookkeeping once: a claim of the
// lease and its completion.
func BenchmarkLease(b *testing.B) {
	benchBackends(b, func(b *testing.B, s *sqlstore.Store) {
		ctx := context.Background()
		ids := stored(b, s, b.N, func(p *cauri.Payment) { p.Status = cauri.StatusPaid })
		now := time.Now().UTC()
		b.ResetTimer()
		for _, id := range ids {
			if err := s.ClaimOnPaid(ctx, id, "worker-1", now, time.Minute); err != nil {
				b.Fatal(err)
			}
			if err := s.CompleteOnPaid(ctx, id, "worker-1", now); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// eachBackend runs test as a subtest per backend, named after it.
func eachBackend(t *testing.T, test func(t *testing.T, b backend)) {
	t.Helper()
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) { test(t, b) })
	}
}
