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

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver
	_ "modernc.org/sqlite"             // the "sqlite" driver

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/stores/memory"
	sqlstore "github.com/cauripay/cauri/stores/sql"
)

// tablePrefix keeps the harness's tables apart from everyone else's in a
// shared database: cauribench_payments and the baseline's
// cauribench_baseline.
const tablePrefix = "cauribench_"

// baselineTable is the baseline's table: one row per payment, the status
// its only other column.
const baselineTable = tablePrefix + "baseline"

// ErrNotLoopback is returned for a database that is not on this machine:
// the harness sends load to loopback only.
var ErrNotLoopback = errors.New("loadharness: the database must be on a loopback address")

// database is the store under test and, for SQL stores, the baseline's
// compare-and-set on the same database.
type database struct {
	store cauri.Store
	db    *sql.DB // nil for memory
	d     sqlstore.Dialect
	close func()
}

// openDatabase opens the store kind asked: "memory", "sqlite" (a new file
// in a temporary directory) or "postgres" (dsn, a postgres:// URL on
// loopback). pool bounds the open connections.
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
		return migrate(ctx, db, sqlstore.SQLite, func() { db.Close(); os.RemoveAll(dir) })
	case "postgres":
		if err := loopbackDSN(dsn); err != nil {
			return nil, err
		}
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, fmt.Errorf("loadharness: postgres: %w", err)
		}
		db.SetMaxOpenConns(pool)
		db.SetMaxIdleConns(pool)
		return migrate(ctx, db, sqlstore.Postgres, func() { db.Close() })
	}
	return nil, fmt.Errorf("loadharness: unknown store %q: want memory, sqlite or postgres", kind)
}

// loopbackDSN refuses a PostgreSQL URL whose host is not loopback.
func loopbackDSN(dsn string) error {
	u, err := url.Parse(dsn)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return fmt.Errorf("loadharness: the PostgreSQL DSN must be a postgres:// URL")
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return ErrNotLoopback
}

func migrate(ctx context.Context, db *sql.DB, d sqlstore.Dialect, closeFn func()) (*database, error) {
	st := sqlstore.New(db, d, sqlstore.WithTablePrefix(tablePrefix))
	err := st.Migrate(ctx)
	if err == nil {
		// Earlier runs' payments would slow this one's indexes down.
		_, err = db.ExecContext(ctx, "DELETE FROM "+tablePrefix+"payments")
	}
	if err != nil {
		closeFn()
		return nil, fmt.Errorf("loadharness: preparing the %s store: %w", d, err)
	}
	return &database{store: st, db: db, d: d, close: closeFn}, nil
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
	var n int
	err := db.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+baselineTable+" WHERE status = 'paid'").Scan(&n)
	return n, err
}
