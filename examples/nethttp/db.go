package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver
	_ "modernc.org/sqlite"             // the "sqlite" driver

	sqlstore "github.com/cauripay/cauri/stores/sql"
)

// defaultSQLiteFile is where the kit keeps its payments when DATABASE_URL
// is not set: a SQLite file in the working directory, created on first run.
const defaultSQLiteFile = "cauri-demo.db"

// migrateTimeout bounds connecting to the database and migrating it at
// start-up.
const migrateTimeout = 30 * time.Second

// database is where the kit keeps its payments, as DATABASE_URL says.
type database struct {
	dialect sqlstore.Dialect
	driver  string // the database/sql driver's name
	dsn     string // for sql.Open; it may hold a password: never print it
	// display names the database in logs and errors, with any password
	// replaced by xxxxx.
	display string
}

// databaseURLForms is what DATABASE_URL may be, for error messages.
const databaseURLForms = "want postgres://user:password@host:port/dbname?params, " +
	"mysql://user:password@host:port/dbname?params, sqlite:///absolute/path.db, " +
	"sqlite://relative/path.db, file:path.db, or a file path ending in .db or .sqlite"

// redactedPassword replaces passwords in what the shop prints, as
// url.URL.Redacted does.
const redactedPassword = "xxxxx"

// parseDatabaseURL reads DATABASE_URL:
//
//   - empty: the SQLite file cauri-demo.db in the working directory;
//   - postgres://... or postgresql://...: PostgreSQL through pgx, the URL
//     being pgx's DSN as it is (but for the scheme, in lower case);
//   - mysql://user:password@host[:port]/dbname?params: MySQL or MariaDB
//     through go-sql-driver/mysql, with the driver's own parameters;
//     parseTime and interpolateParams default to true;
//   - sqlite:///absolute/path.db, sqlite://relative/path.db, a SQLite URI
//     file:path.db, or a bare path ending in .db, .sqlite or .sqlite3: a
//     SQLite file, with modernc.org/sqlite's parameters (_pragma=...)
//     after a "?". The busy timeout is 5 s and the journal write-ahead
//     unless the parameters say otherwise.
//
// Its errors name DATABASE_URL, fit on one line, and never hold a
// password.
func parseDatabaseURL(raw string) (database, error) {
	if raw == "" {
		return sqliteDatabase(defaultSQLiteFile, "")
	}
	if len(raw) >= len("file:") && strings.EqualFold(raw[:len("file:")], "file:") {
		return sqliteURIDatabase(raw)
	}
	scheme, rest, isURL := strings.Cut(raw, "://")
	if !isURL {
		if s, _, ok := strings.Cut(raw, ":"); ok && len(s) > 1 && urlScheme.MatchString(s) {
			return database{}, fmt.Errorf("DATABASE_URL has no // after its scheme %q: %s", s, databaseURLForms)
		}
		switch strings.ToLower(filepath.Ext(raw)) {
		case ".db", ".sqlite", ".sqlite3":
			return sqliteDatabase(raw, "")
		}
		// Perhaps a key=value DSN, password included: not echoed.
		return database{}, errors.New("DATABASE_URL is neither a database URL nor a SQLite file path: " + databaseURLForms)
	}
	switch strings.ToLower(scheme) {
	case "postgres", "postgresql":
		// pgx knows a URL by its scheme, in lower case.
		return postgresDatabase(strings.ToLower(scheme) + "://" + rest)
	case "mysql":
		return mysqlDatabase(raw)
	case "sqlite":
		path, query, _ := strings.Cut(rest, "?")
		if path == "" {
			return database{}, errors.New("DATABASE_URL sqlite:// has no file path: " + databaseURLForms)
		}
		return sqliteDatabase(path, query)
	}
	if urlScheme.MatchString(scheme) {
		return database{}, fmt.Errorf("DATABASE_URL has unknown scheme %q: %s", scheme, databaseURLForms)
	}
	return database{}, errors.New("DATABASE_URL is not a database URL: " + databaseURLForms)
}

// urlScheme matches a URL scheme the shop may echo in an error.
var urlScheme = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]{0,31}$`)

// malformedURL is the error for a DATABASE_URL url.Parse rejects. It says
// neither the URL nor url.Parse's reason, either of which can hold part of
// the password.
func malformedURL(scheme string) error {
	return fmt.Errorf("DATABASE_URL is not a valid %s URL: want %s://user:password@host:port/dbname?params, "+
		"with any of : / ? # @ %% in the user name or password %%-encoded", scheme, scheme)
}

// postgresDatabase is PostgreSQL at raw, which goes to pgx as it is.
func postgresDatabase(raw string) (database, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return database{}, malformedURL("postgres")
	}
	return database{dialect: sqlstore.Postgres, driver: "pgx", dsn: raw, display: redactURL(u)}, nil
}

// mysqlDatabase is MySQL or MariaDB at raw, a mysql:// URL, which it
// turns into go-sql-driver/mysql's DSN: user:password@tcp(host:port)/dbname?params.
func mysqlDatabase(raw string) (database, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return database{}, malformedURL("mysql")
	}
	display := redactURL(u)
	fail := func(format string, args ...any) (database, error) {
		return database{}, fmt.Errorf("DATABASE_URL %s: %s", display, fmt.Sprintf(format, args...))
	}
	if u.Hostname() == "" {
		return fail("no host: want mysql://user:password@host:port/dbname")
	}
	dbName := strings.TrimPrefix(u.Path, "/")
	if dbName == "" || strings.Contains(dbName, "/") {
		return fail("want one database name as the path: mysql://user:password@host:port/dbname")
	}
	if u.Fragment != "" {
		return fail("a mysql URL has no #fragment")
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return fail("malformed parameters")
	}
	// The URL's parameters are the driver's, in the same syntax: let it
	// read them (and reject what it does not take), then set the rest.
	cfg, err := mysql.ParseDSN("/?" + u.RawQuery)
	if err != nil {
		return fail("%v", err)
	}
	cfg.User = u.User.Username()
	cfg.Passwd, _ = u.User.Password()
	cfg.Net = "tcp"
	cfg.Addr = u.Host
	if u.Port() == "" {
		cfg.Addr = net.JoinHostPort(u.Hostname(), "3306")
	}
	cfg.DBName = dbName
	if !q.Has("parseTime") {
		cfg.ParseTime = true
	}
	if !q.Has("interpolateParams") {
		cfg.InterpolateParams = true // one round trip a statement
	}
	dsn := cfg.FormatDSN()
	if _, err := mysql.ParseDSN(dsn); err != nil {
		return fail("%v", err)
	}
	return database{dialect: sqlstore.MySQL, driver: "mysql", dsn: dsn, display: display}, nil
}

// redactURL is u as a string with its password, and the value of any
// parameter whose name holds "password", replaced by xxxxx.
func redactURL(u *url.URL) string {
	r := *u
	q, err := url.ParseQuery(r.RawQuery)
	redact := err != nil // re-encoding leaves out what did not parse
	for k, vs := range q {
		if strings.Contains(strings.ToLower(k), "password") {
			for i := range vs {
				vs[i] = redactedPassword
			}
			redact = true
		}
	}
	if redact {
		r.RawQuery = q.Encode()
	}
	return r.Redacted()
}

// sqliteDatabase is the SQLite file at path, a file system path, with
// modernc.org/sqlite's parameters query.
func sqliteDatabase(path, query string) (database, error) {
	display := path
	if abs, err := filepath.Abs(path); err == nil {
		display = abs
	}
	// In a SQLite URI, ?, # and % in the path are %-escaped.
	uri := "file:" + strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	return sqliteWithParams(uri, query, "sqlite://"+display)
}

// sqliteURIDatabase is the SQLite file of raw, a SQLite URI:
// file:path?params.
func sqliteURIDatabase(raw string) (database, error) {
	uri, query, _ := strings.Cut(raw, "?")
	if strings.Trim(uri[len("file:"):], "/") == "" {
		return database{}, errors.New("DATABASE_URL file: has no file path: " + databaseURLForms)
	}
	return sqliteWithParams("file:"+uri[len("file:"):], query, raw)
}

// sqliteWithParams is the SQLite database at uri with the parameters
// query, to which it adds a busy timeout, so that writers wait for each
// other instead of failing with SQLITE_BUSY, and write-ahead logging, so
// that readers do not wait for writers, unless query sets them.
func sqliteWithParams(uri, query, display string) (database, error) {
	q, err := url.ParseQuery(query)
	if err != nil {
		return database{}, fmt.Errorf("DATABASE_URL %s: malformed parameters after the ?", display)
	}
	if strings.Contains(uri, ":memory:") || q.Get("mode") == "memory" {
		// Each of the pool's connections would have a database of its own.
		return database{}, fmt.Errorf("DATABASE_URL %s: want a file, not an in-memory database", display)
	}
	params := []string{}
	if query != "" {
		params = append(params, query)
	}
	if !sqliteSets(q, "busy_timeout", "_busy_timeout", "_timeout") {
		params = append(params, "_pragma=busy_timeout(5000)")
	}
	if !sqliteSets(q, "journal_mode", "_journal_mode", "_journal") {
		params = append(params, "_pragma=journal_mode(WAL)")
	}
	dsn := uri
	if len(params) > 0 {
		dsn += "?" + strings.Join(params, "&")
	}
	return database{dialect: sqlstore.SQLite, driver: "sqlite", dsn: dsn, display: display}, nil
}

// sqliteSets reports whether the parameters q set pragma, with a _pragma
// or one of modernc.org/sqlite's shorthand keys.
func sqliteSets(q url.Values, pragma string, keys ...string) bool {
	for _, k := range keys {
		if q.Has(k) {
			return true
		}
	}
	for _, v := range q["_pragma"] {
		if strings.HasPrefix(strings.ToLower(strings.TrimSpace(v)), pragma) {
			return true
		}
	}
	return false
}

// open connects to the database and migrates the kit's tables, with
// tablePrefix when it is not empty, and the shop's order table,
// tablePrefix + "shop_orders", within migrateTimeout. The caller closes
// the *sql.DB.
func (d database) open(ctx context.Context, tablePrefix string) (*sql.DB, *sqlstore.Store, *orderStore, error) {
	db, err := sql.Open(d.driver, d.dsn)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("database %s (DATABASE_URL): %w", d.display, err)
	}
	ctx, cancel := context.WithTimeout(ctx, migrateTimeout)
	defer cancel()
	// The first connection to a new SQLite file switches it to write-ahead
	// logging, and two racing to do so may fail with SQLITE_BUSY: this
	// ping opens one, alone, before anything else runs.
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, nil, nil, fmt.Errorf("database %s (DATABASE_URL): connecting: %w", d.display, err)
	}
	var opts []sqlstore.Option
	if tablePrefix != "" {
		opts = append(opts, sqlstore.WithTablePrefix(tablePrefix))
	}
	store := sqlstore.New(db, d.dialect, opts...)
	if err := store.Migrate(ctx); err != nil {
		_ = db.Close()
		return nil, nil, nil, fmt.Errorf("database %s (DATABASE_URL): %w", d.display, err)
	}
	orders := newOrderStore(db, d.dialect, tablePrefix)
	if err := orders.migrate(ctx); err != nil {
		_ = db.Close()
		return nil, nil, nil, fmt.Errorf("database %s (DATABASE_URL): %w", d.display, err)
	}
	return db, store, orders, nil
}
