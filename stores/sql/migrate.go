package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// migrationFS holds the schema, one directory per dialect, one file per
// version: migrations/<dialect>/<version>_<name>.sql.
//
//go:embed migrations
var migrationFS embed.FS

// prefixToken stands for the table prefix in migration files.
const prefixToken = "{{prefix}}"

// migration is one schema version, ready to run.
type migration struct {
	version int64
	name    string   // the file name without its extension
	stmts   []string // with the prefix substituted
}

// Migrate brings the Store's tables up to the newest schema version this
// package knows, applying each missing version of the embedded migrations
// in order and recording it in the <prefix>schema_migrations table. It is
// idempotent, and safe to call concurrently from several processes at
// start-up: they take turns under a lock, PostgreSQL's pg_advisory_lock,
// MySQL's GET_LOCK or SQLite's BEGIN IMMEDIATE, and every statement is
// idempotent besides (CREATE TABLE IF NOT EXISTS; an ALTER TABLE that adds
// a column or an index already there counts as applied on MySQL and SQLite,
// which have no ADD COLUMN IF NOT EXISTS). On PostgreSQL and SQLite a
// version is applied in a transaction; MySQL commits DDL as it goes, so
// each of its versions is a single statement.
//
// Every version only adds to the schema (nullable columns, indexes,
// tables), so that a previous release of this package still running
// against the database, during a rolling upgrade, keeps working.
//
// Versions the database has and this package does not know, from a newer
// release, are left alone.
func (s *Store) Migrate(ctx context.Context) error {
	return s.migrateTo(ctx, math.MaxInt64)
}

// migrateTo applies the missing versions up to last.
func (s *Store) migrateTo(ctx context.Context, last int64) (err error) {
	migs, err := s.migrations()
	if err != nil {
		return fmt.Errorf("sqlstore: migrate: %w", err)
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("sqlstore: migrate: %w", err)
	}
	defer conn.Close()

	unlock, err := s.lockMigrations(ctx, conn)
	if err != nil {
		return fmt.Errorf("sqlstore: migrate: %w", err)
	}
	defer func() {
		if uerr := unlock(err == nil); uerr != nil && err == nil {
			err = fmt.Errorf("sqlstore: migrate: %w", uerr)
		}
	}()

	if _, err := conn.ExecContext(ctx, s.versionsDDL()); err != nil {
		return fmt.Errorf("sqlstore: migrate: creating %sschema_migrations: %w", s.prefix, err)
	}
	applied, err := s.appliedVersions(ctx, conn)
	if err != nil {
		return fmt.Errorf("sqlstore: migrate: %w", err)
	}
	for _, m := range migs {
		if applied[m.version] || m.version > last {
			continue
		}
		if err := s.apply(ctx, conn, m); err != nil {
			return fmt.Errorf("sqlstore: migrate: %s: %w", m.name, err)
		}
	}
	return nil
}

// migrations reads the dialect's embedded migrations, oldest first.
func (s *Store) migrations() ([]migration, error) {
	dir := "migrations/" + s.dialect.String()
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, err
	}
	var migs []migration
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".sql")
		if !ok || e.IsDir() {
			continue
		}
		digits, _, _ := strings.Cut(name, "_")
		version, err := strconv.ParseInt(digits, 10, 64)
		if err != nil || version <= 0 {
			return nil, fmt.Errorf("migration %s/%s: name does not start with a version number", dir, e.Name())
		}
		text, err := fs.ReadFile(migrationFS, dir+"/"+e.Name())
		if err != nil {
			return nil, err
		}
		stmts := splitStatements(strings.ReplaceAll(string(text), prefixToken, s.prefix))
		migs = append(migs, migration{version: version, name: name, stmts: stmts})
	}
	slices.SortFunc(migs, func(a, b migration) int { return cmp.Compare(a.version, b.version) })
	for i := 1; i < len(migs); i++ {
		if migs[i].version == migs[i-1].version {
			return nil, fmt.Errorf("migrations %s and %s have the same version", migs[i-1].name, migs[i].name)
		}
	}
	return migs, nil
}

// splitStatements splits a migration file into statements. A statement ends
// with a line that ends with a semicolon; lines that are only a comment are
// dropped.
func splitStatements(text string) []string {
	var (
		stmts []string
		cur   strings.Builder
	)
	for line := range strings.Lines(text) {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "--") {
			continue
		}
		cur.WriteString(line)
		if strings.HasSuffix(trimmed, ";") {
			stmts = append(stmts, strings.TrimSuffix(strings.TrimSpace(cur.String()), ";"))
			cur.Reset()
		}
	}
	if rest := strings.TrimSpace(cur.String()); rest != "" {
		stmts = append(stmts, rest)
	}
	return stmts
}

// versionsDDL creates the table that records applied versions.
func (s *Store) versionsDDL() string {
	t := s.prefix + "schema_migrations"
	switch s.dialect {
	case Postgres:
		return "CREATE TABLE IF NOT EXISTS " + t +
			" (version BIGINT NOT NULL PRIMARY KEY, name VARCHAR(255) NOT NULL, applied_at TIMESTAMPTZ NOT NULL)"
	case MySQL:
		return "CREATE TABLE IF NOT EXISTS " + t +
			" (version BIGINT NOT NULL PRIMARY KEY, name VARCHAR(255) NOT NULL, applied_at DATETIME(6) NOT NULL)" +
			" ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin"
	default:
		return "CREATE TABLE IF NOT EXISTS " + t +
			" (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
	}
}

func (s *Store) appliedVersions(ctx context.Context, conn *sql.Conn) (map[int64]bool, error) {
	rows, err := conn.QueryContext(ctx, "SELECT version FROM "+s.prefix+"schema_migrations")
	if err != nil {
		return nil, fmt.Errorf("reading applied versions: %w", err)
	}
	defer rows.Close()
	applied := make(map[int64]bool)
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("reading applied versions: %w", err)
		}
		applied[v] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading applied versions: %w", err)
	}
	return applied, nil
}

// execer is a *sql.Conn or a *sql.Tx.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// apply runs one migration and records its version: in a transaction of
// its own on PostgreSQL, in the lock's transaction on SQLite, statement by
// statement on MySQL.
func (s *Store) apply(ctx context.Context, conn *sql.Conn, m migration) error {
	var (
		ex execer = conn
		tx *sql.Tx
	)
	if s.dialect == Postgres {
		var err error
		if tx, err = conn.BeginTx(ctx, nil); err != nil {
			return err
		}
		defer tx.Rollback() //nolint:errcheck // a no-op after Commit
		ex = tx
	}
	for _, stmt := range m.stmts {
		if _, err := ex.ExecContext(ctx, stmt); err != nil && !s.addedAlready(err) {
			return err
		}
	}
	record := "INSERT INTO " + s.prefix + "schema_migrations (version, name, applied_at) VALUES (?, ?, ?)"
	if s.dialect == Postgres {
		record = numbered(record)
	}
	if _, err := ex.ExecContext(ctx, record, m.version, m.name, s.timeArg(time.Now())); err != nil {
		return fmt.Errorf("recording version %d: %w", m.version, err)
	}
	if tx != nil {
		return tx.Commit()
	}
	return nil
}

// addedAlready reports whether err is an ALTER TABLE refusing to add a
// column or an index that is there already, on the dialects whose ALTER
// TABLE has no IF NOT EXISTS: MySQL's errors 1060 (ER_DUP_FIELDNAME) and
// 1061 (ER_DUP_KEYNAME), SQLite's "duplicate column name". That makes such
// a statement idempotent, like every other one in the migrations, when a
// version was applied but not recorded (MySQL commits DDL as it goes). A
// MySQL migration adds all its columns in one ALTER TABLE, which InnoDB
// applies whole or not at all; a failed ALTER TABLE leaves SQLite's
// transaction open.
func (s *Store) addedAlready(err error) bool {
	msg := err.Error()
	switch s.dialect {
	case MySQL:
		return strings.Contains(msg, "Error 1060") || strings.Contains(msg, "Error 1061")
	case SQLite:
		return strings.Contains(msg, "duplicate column name")
	}
	return false
}

// unlockFunc ends what lockMigrations began; ok says whether the
// migrations succeeded, which matters to SQLite's transaction.
type unlockFunc func(ok bool) error

// lockMigrations makes conn the only one migrating the Store's tables until
// the returned function is called.
func (s *Store) lockMigrations(ctx context.Context, conn *sql.Conn) (unlockFunc, error) {
	switch s.dialect {
	case Postgres:
		return s.lockPostgres(ctx, conn)
	case MySQL:
		return s.lockMySQL(ctx, conn)
	default:
		return s.lockSQLite(ctx, conn)
	}
}

// unlockTimeout bounds the statement that gives a migration lock back,
// which runs even when the caller's context is done.
const unlockTimeout = 10 * time.Second

// lockPostgres takes a session-level advisory lock, keyed by the table
// prefix, on conn.
func (s *Store) lockPostgres(ctx context.Context, conn *sql.Conn) (unlockFunc, error) {
	h := fnv.New64a()
	h.Write([]byte("github.com/cauripay/cauri/stores/sql:" + s.prefix))
	key := int64(h.Sum64())
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", key); err != nil {
		discard(conn) // the lock may have been granted as the call failed
		return nil, fmt.Errorf("taking the migration lock: %w", err)
	}
	return releaseSessionLock(ctx, conn, "SELECT pg_advisory_unlock($1)", key), nil
}

// releaseSessionLock is the unlockFunc of a migration lock held by conn's
// session: it runs query, which answers true (or 1) when it released the
// lock, with args, and closes the session, which releases its locks, when
// that fails.
func releaseSessionLock(ctx context.Context, conn *sql.Conn, query string, args ...any) unlockFunc {
	return func(bool) error {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), unlockTimeout)
		defer cancel()
		var released sql.NullBool
		err := conn.QueryRowContext(ctx, query, args...).Scan(&released)
		if err == nil && !released.Bool {
			err = errors.New("the lock was not held")
		}
		if err != nil {
			discard(conn) // closing the session releases its locks
			return fmt.Errorf("releasing the migration lock: %w", err)
		}
		return nil
	}
}

// mysqlLockName names the migration lock of the current database and the
// prefix, the argument. GET_LOCK's names are server-wide and at most 64
// characters long.
const mysqlLockName = "CONCAT('cauri_migrate_', MD5(CONCAT(COALESCE(DATABASE(), ''), '.', ?)))"

// mysqlLockWait is how long, in seconds, one GET_LOCK call waits before
// Migrate checks its context and asks again.
const mysqlLockWait = 2

// lockMySQL takes a named lock with GET_LOCK on conn.
func (s *Store) lockMySQL(ctx context.Context, conn *sql.Conn) (unlockFunc, error) {
	for {
		var got sql.NullInt64
		err := conn.QueryRowContext(ctx, "SELECT GET_LOCK("+mysqlLockName+", ?)", s.prefix, mysqlLockWait).Scan(&got)
		switch {
		case err != nil:
			discard(conn)
			return nil, fmt.Errorf("taking the migration lock: %w", err)
		case !got.Valid:
			return nil, errors.New("taking the migration lock: GET_LOCK failed")
		}
		if got.Int64 == 1 {
			break
		}
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("taking the migration lock: %w", err)
		}
	}
	return releaseSessionLock(ctx, conn, "SELECT RELEASE_LOCK("+mysqlLockName+")", s.prefix), nil
}

// lockSQLite opens a write transaction on conn, which holds the database's
// write lock until it ends. The migrations run inside it.
func (s *Store) lockSQLite(ctx context.Context, conn *sql.Conn) (unlockFunc, error) {
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return nil, fmt.Errorf("beginning the migration transaction: %w", err)
	}
	return func(ok bool) error {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), unlockTimeout)
		defer cancel()
		end := "ROLLBACK"
		if ok {
			end = "COMMIT"
		}
		if _, err := conn.ExecContext(ctx, end); err != nil {
			discard(conn) // closing the connection ends its transaction
			return fmt.Errorf("ending the migration transaction: %w", err)
		}
		return nil
	}, nil
}

// discard makes database/sql close conn's connection instead of returning
// it to the pool, with whatever lock or transaction it still holds.
func discard(conn *sql.Conn) {
	_ = conn.Raw(func(any) error { return driver.ErrBadConn })
}
