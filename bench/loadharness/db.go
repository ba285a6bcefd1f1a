package loadharness

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"   // the "mysql" driver, and its DSN parser
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver
	_ "modernc.org/sqlite"             // the "sqlite" driver

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/stores/memory"
	sqlstore "github.com/cauripay/cauri/stores/sql"
)

// tablePrefix keeps the harness's tables apart from everyone else's in a
// shared database: the kit's cauribench_payments (and the other tables of
// its schema), the baseline's cauribench_baseline and the same-table
// baseline's cauribench_bare_payments (and the others of its schema).
const tablePrefix = "cauribench_"

// baselineTable is the baseline's table: one row per payment, the status
// its only other column.
const baselineTable = tablePrefix + "baseline"

// sameTablePrefix is the same-table baseline's table prefix: its store has
// the kit's schema, every table and index of it, under this prefix.
const sameTablePrefix = tablePrefix + "bare_"

// sameTable is the same-table baseline's payments table.
const sameTable = sameTablePrefix + "payments"

// sameTableSchema is every table the kit's migrations make under a prefix:
// what dropSameTable removes, and, but for schema_migrations, what
// prepareStore empties.
var sameTableSchema = []string{"payments", "payment_events", "payouts", "orders", "onpaid", "schema_migrations"}

// sqliteTime is how the SQL store writes a time on SQLite: fixed-width
// UTC text, to the microsecond.
const sqliteTime = "2006-01-02T15:04:05.000000Z"

// ErrNotLoopback is returned for a database that is not on this machine:
// the harness sends load to loopback only.
var ErrNotLoopback = errors.New("loadharness: the database must be on a loopback address")

// database is the store under test and, for SQL stores, the baselines'
// compare-and-sets on the same database.
type database struct {
	store  cauri.Store
	db     *sql.DB // nil for memory
	d      sqlstore.Dialect
	server Server // the database server on this machine, none for memory and SQLite
	close  func()
}

// openDatabase opens the store kind asked: "memory", "sqlite" (a new file
// in a temporary directory), "postgres" (dsn, a postgres:// URL on
// loopback) or "mysql" (dsn, a go-sql-driver/mysql DSN on loopback, for
// MySQL or MariaDB). pool bounds the open connections.
func openDatabase(ctx context.Context, kind, dsn string, pool int) (*database, error) {
	switch kind {
	case "memory":
		return &database{store: memory.New(), close: func() {}}, nil
	case "sqlite":
		dir, err := os.MkdirTemp("", "cauri-bench-")
		if err != nil {
			return nil, fmt.Errorf("loadharness: %w", err)
		}
		db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "bench.db")+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)")
		if err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("loadharness: sqlite: %w", err)
		}
		// One writer at a time is how SQLite works; one connection keeps
		// the pool from spinning on busy_timeout.
		db.SetMaxOpenConns(1)
		return migrate(ctx, db, sqlstore.SQLite, Server{}, func() { db.Close(); os.RemoveAll(dir) })
	case "postgres", "mysql":
		return openServer(ctx, kind, dsn, pool)
	}
	return nil, fmt.Errorf("loadharness: unknown store %q: want memory, sqlite, postgres or mysql", kind)
}

// openServer opens the database of a server store, "postgres" or "mysql",
// on loopback, with at most pool connections, and names its server: on
// MySQL by the version it answers, MariaDB or MySQL.
func openServer(ctx context.Context, kind, dsn string, pool int) (*database, error) {
	if err := loopbackDSN(kind, dsn); err != nil {
		return nil, err
	}
	driverName, d := sqlDriver(kind)
	db, err := sql.Open(driverName, dsn)
	if err != nil {
		return nil, fmt.Errorf("loadharness: %s: %w", kind, err)
	}
	db.SetMaxOpenConns(pool)
	db.SetMaxIdleConns(pool)
	server := postgresServer()
	if d == sqlstore.MySQL {
		var version string
		if err := db.QueryRowContext(ctx, "SELECT VERSION()").Scan(&version); err != nil {
			db.Close()
			return nil, fmt.Errorf("loadharness: mysql: %w", err)
		}
		server = mysqlServer(version)
	}
	return migrate(ctx, db, d, server, func() { db.Close() })
}

// sqlDriver is the database/sql driver and the SQL store's dialect of a
// server store, "postgres" or "mysql".
func sqlDriver(kind string) (driverName string, d sqlstore.Dialect) {
	if kind == "mysql" {
		return "mysql", sqlstore.MySQL
	}
	return "pgx", sqlstore.Postgres
}

// mysqlDSNForm is the form of a go-sql-driver/mysql DSN.
const mysqlDSNForm = "[user[:password]@][net[(addr)]]/dbname[?param=value&...]"

// loopbackDSN refuses a DSN of the store kind's whose database is not on
// loopback, with [ErrNotLoopback]: for "postgres" a postgres:// URL whose
// host is a loopback address or localhost, for "mysql" a
// go-sql-driver/mysql DSN over tcp to such a host (127.0.0.1:3306 when
// none is given) or over a unix socket. Its errors never hold the DSN,
// which may hold a password.
func loopbackDSN(kind, dsn string) error {
	var host string
	switch kind {
	case "postgres":
		u, err := url.Parse(dsn)
		if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			return fmt.Errorf("loadharness: the PostgreSQL DSN must be a postgres:// URL")
		}
		host = u.Hostname()
	case "mysql":
		// The driver's own errors are not passed on: a malformed DSN's
		// may quote a piece of the password.
		cfg, err := mysql.ParseDSN(dsn)
		if err != nil {
			return fmt.Errorf("loadharness: the MySQL DSN must be a go-sql-driver/mysql DSN, %s", mysqlDSNForm)
		}
		switch cfg.Net {
		case "unix":
			return nil
		case "tcp", "tcp4", "tcp6":
		default:
			return ErrNotLoopback
		}
		host = cfg.Addr
		if h, _, err := net.SplitHostPort(cfg.Addr); err == nil {
			host = h
		}
		host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	default:
		return fmt.Errorf("loadharness: no DSN for the %s store", kind)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return ErrNotLoopback
}

func migrate(ctx context.Context, db *sql.DB, d sqlstore.Dialect, server Server, closeFn func()) (*database, error) {
	st, err := prepareStore(ctx, db, d, tablePrefix)
	if err != nil {
		closeFn()
		return nil, err
	}
	return &database{store: st, db: db, d: d, server: server, close: closeFn}, nil
}

// prepareStore migrates a SQL store with the table prefix given and
// empties its tables: earlier runs' payments and events would slow this
// one's indexes down, and every run starts from the same tables.
func prepareStore(ctx context.Context, db *sql.DB, d sqlstore.Dialect, prefix string) (*sqlstore.Store, error) {
	st := sqlstore.New(db, d, sqlstore.WithTablePrefix(prefix))
	if err := st.Migrate(ctx); err != nil {
		return nil, fmt.Errorf("loadharness: preparing the %s store %spayments: %w", d, prefix, err)
	}
	for _, t := range sameTableSchema {
		if t == "schema_migrations" {
			continue
		}
		if _, err := db.ExecContext(ctx, "DELETE FROM "+prefix+t); err != nil {
			return nil, fmt.Errorf("loadharness: emptying the %s store's %s%s: %w", d, prefix, t, err)
		}
	}
	return st, nil
}

// createBaseline makes the baseline's table anew with ids, all pending.
func (db *database) createBaseline(ctx context.Context, ids []string) error {
	stmts := []string{
		"DROP TABLE IF EXISTS " + baselineTable,
		"CREATE TABLE " + baselineTable + " (id VARCHAR(64) PRIMARY KEY, status VARCHAR(16) NOT NULL)",
	}
	for _, s := range stmts {
		if _, err := db.db.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("loadharness: baseline table: %w", err)
		}
	}
	const batch = 500
	for start := 0; start < len(ids); start += batch {
		chunk := ids[start:min(start+batch, len(ids))]
		var b strings.Builder
		b.WriteString("INSERT INTO " + baselineTable + " (id, status) VALUES ")
		args := make([]any, len(chunk))
		for i, id := range chunk {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "(%s, 'pending')", db.placeholder(i+1))
			args[i] = id
		}
		if _, err := db.db.ExecContext(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("loadharness: filling the baseline table: %w", err)
		}
	}
	return nil
}

// dropBaseline removes the baseline's table.
func (db *database) dropBaseline(ctx context.Context) error {
	_, err := db.db.ExecContext(ctx, "DROP TABLE IF EXISTS "+baselineTable)
	return err
}

func (db *database) placeholder(n int) string {
	if db.d == sqlstore.Postgres {
		return fmt.Sprintf("$%d", n)
	}
	return "?"
}

// baselineApply is the baseline's single-row compare-and-set.
func (db *database) baselineApply() func(ctx context.Context, id string) error {
	q := "UPDATE " + baselineTable + " SET status = 'paid' WHERE id = " + db.placeholder(1) + " AND status = 'pending'"
	return func(ctx context.Context, id string) error {
		_, err := db.db.ExecContext(ctx, q, id)
		return err
	}
}

// baselinePaid counts the baseline's paid rows.
func (db *database) baselinePaid(ctx context.Context) (int, error) {
	return db.countPaid(ctx, baselineTable)
}

// countPaid counts table's rows whose status is paid.
func (db *database) countPaid(ctx context.Context, table string) (int, error) {
	var n int
	if err := db.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+table+" WHERE status = 'paid'").Scan(&n); err != nil {
		return 0, fmt.Errorf("loadharness: counting %s's paid rows: %w", table, err)
	}
	return n, nil
}

// prepareSameTable makes the same-table baseline's store anew: a second
// SQL store on the database with the kit's schema under [sameTablePrefix],
// migrated, its payments table empty. Its payments are stored through it,
// with the kit's Create, so that its rows and indexes are the kit's. The
// tables a failed run may have left are dropped first: a version table
// left alone would keep Migrate from making the others.
func (db *database) prepareSameTable(ctx context.Context) (*sqlstore.Store, error) {
	if err := db.dropSameTable(ctx); err != nil {
		return nil, err
	}
	return prepareStore(ctx, db.db, db.d, sameTablePrefix)
}

// dropSameTable removes the same-table baseline's tables.
func (db *database) dropSameTable(ctx context.Context) error {
	var errs []error
	for _, t := range sameTableSchema {
		if _, err := db.db.ExecContext(ctx, "DROP TABLE IF EXISTS "+sameTablePrefix+t); err != nil {
			errs = append(errs, fmt.Errorf("loadharness: dropping %s%s: %w", sameTablePrefix, t, err))
		}
	}
	return errors.Join(errs...)
}

// timeArg is t as the SQL store writes it: a time.Time, or fixed-width
// text on SQLite.
func (db *database) timeArg(t time.Time) any {
	t = t.UTC().Truncate(time.Microsecond)
	if db.d == sqlstore.SQLite {
		return t.Format(sqliteTime)
	}
	return t
}

// sameTableApply is the same-table baseline's single-row compare-and-set,
// the UPDATE a shop writes by hand on a payments table like the kit's:
// paid, its checkout key released, the time of the change.
func (db *database) sameTableApply() func(ctx context.Context, id string) error {
	// The arguments in the order of their placeholders: SQLite's ? are
	// positional.
	q := "UPDATE " + sameTable + " SET status = 'paid', pending_key = NULL, updated_at = " + db.placeholder(1) +
		" WHERE id = " + db.placeholder(2) + " AND status = 'pending'"
	return func(ctx context.Context, id string) error {
		_, err := db.db.ExecContext(ctx, q, db.timeArg(time.Now()), id)
		return err
	}
}

// sameTablePaid counts the same-table baseline's paid rows.
func (db *database) sameTablePaid(ctx context.Context) (int, error) {
	return db.countPaid(ctx, sameTable)
}
