// Package sqlstore is a [cauri.Store] in PostgreSQL, MySQL, MariaDB or
// SQLite, through database/sql. Several processes, replicas of one shop,
// can share it: every compare-and-set is one conditional UPDATE and every
// uniqueness rule a unique constraint, so the database decides who wins.
//
// A believed notification settling a payment is one statement: the
// conditional UPDATE that moves it to paid also checks its provider,
// amount and currency and takes its OnPaid lease (on PostgreSQL the same
// statement returns the payment when it did not move, so a duplicate costs
// one statement too). OnPaid's success is a second write, which the Store
// lets the kit share between webhooks finishing together
// ([Store.CompleteOnPaidBatch]); with no OnPaid configured there is none.
//
// The package imports no driver: the program does, opens a *sql.DB, and
// names its [Dialect]. [Store.Migrate] creates or updates the tables, and
// is safe to call from every replica at start-up.
//
// # PostgreSQL
//
// With github.com/jackc/pgx/v5/stdlib:
//
//	import (
//		"database/sql"
//
//		_ "github.com/jackc/pgx/v5/stdlib"
//		sqlstore "github.com/cauripay/cauri/stores/sql"
//	)
//
//	db, err := sql.Open("pgx", "postgres://shop:secret@db.internal:5432/shop?sslmode=verify-full")
//	if err != nil {
//		return err
//	}
//	store := sqlstore.New(db, sqlstore.Postgres)
//	if err := store.Migrate(ctx); err != nil {
//		return err
//	}
//	kit, err := cauri.New(cauri.Config{Store: store /* , … */})
//
// # MySQL and MariaDB
//
// With github.com/go-sql-driver/mysql. parseTime=true is recommended (times
// are read either way), and interpolateParams=true makes each operation one
// round trip instead of a prepare, an execute and a close. Leave loc at its
// default, UTC, or at least never change it once payments are stored.
// The store's transactions ask for READ COMMITTED whatever the server's
// default: under InnoDB's REPEATABLE READ, two payments' first events
// lock the same gap of the events' index and deadlock. A transaction
// InnoDB rolls back to break a deadlock is run again.
//
//	import (
//		"database/sql"
//
//		_ "github.com/go-sql-driver/mysql"
//		sqlstore "github.com/cauripay/cauri/stores/sql"
//	)
//
//	db, err := sql.Open("mysql", "shop:secret@tcp(db.internal:3306)/shop?parseTime=true&interpolateParams=true")
//	if err != nil {
//		return err
//	}
//	store := sqlstore.New(db, sqlstore.MySQL)
//	if err := store.Migrate(ctx); err != nil {
//		return err
//	}
//
// # SQLite
//
// With modernc.org/sqlite, pure Go. Set a busy timeout, so that concurrent
// writers wait for each other instead of failing with SQLITE_BUSY, and
// write-ahead logging, so that readers do not wait for writers:
//
//	import (
//		"database/sql"
//
//		_ "modernc.org/sqlite"
//		sqlstore "github.com/cauripay/cauri/stores/sql"
//	)
//
//	db, err := sql.Open("sqlite", "file:/var/lib/shop/cauri.db?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)")
//	if err != nil {
//		return err
//	}
//	store := sqlstore.New(db, sqlstore.SQLite)
//	if err := store.Migrate(ctx); err != nil {
//		return err
//	}
//
// SQLite serialises writers: it suits one host, not replicas on several.
// Write-ahead logging is a property of the file, set by the first
// connection to it; connections that race to set it on a brand-new file may
// fail once with SQLITE_BUSY.
//
// # Schema
//
// [Store.Migrate] applies the versioned migrations embedded in the package
// (migrations/<dialect>/<version>_<name>.sql) and records each in
// <prefix>schema_migrations. The payments live in <prefix>payments, "cauri_"
// being the default prefix ([WithTablePrefix]), one row a payment:
//
//   - amounts and fees are BIGINT, in the currency's smallest unit;
//   - times are UTC to the microsecond (TIMESTAMPTZ, DATETIME(6), or
//     fixed-width ISO 8601 text on SQLite); the Store truncates what it is
//     given to the microsecond and returns times in UTC;
//   - metadata is a JSON object (JSONB on PostgreSQL), NULL when empty;
//   - provider_ref is NULL until the provider's reference is known, and
//     (provider, provider_ref) is unique;
//   - pending_key holds the checkout key while the payment is pending with
//     a non-empty key and not superseded, and is NULL otherwise; it is
//     unique, which allows one pending payment per checkout key, since
//     NULLs never collide;
//   - lease_owner and lease_until hold the OnPaid lease of a payment moved
//     to paid before schema version 12, or by an older release, and
//     fulfilled_at when OnPaid succeeded for it; a payment this release
//     moves to paid taking OnPaid's lease has fulfilled_at
//     1970-01-01T00:00:00Z, and its OnPaid work in <prefix>onpaid (below);
//   - next_poll_at is the payment's next turn to be asked about at its
//     provider ([Store.TakePoll]), NULL for at once;
//   - superseded_by is the ID of the newer payment of the same order that
//     replaced it ([Store.Supersede]), NULL when none did;
//   - history_seq is the number of the payment's last history event, and
//     attention is true once an event that needs a person was appended
//     ([Store.AppendEvents]); both NULL before.
//
// OnPaid's work of a payment this release moved to paid lives off the
// payments row, in <prefix>onpaid, keyed by payment ID: the row the move
// inserts (in its statement on PostgreSQL, its transaction elsewhere),
// with the lease, OnPaid's success (done_at) and OnRefunded's
// (refund_done_at). The payments row, whose every index an UPDATE
// rewrites, is then written once per settled payment, and the record of
// OnPaid's success is an update of a row of two indexes. An older release
// sharing the database reads that payment's fulfilled_at as done, and
// leaves its OnPaid to this one; this release keeps the payments row's
// lease for the payments the older one moved.
//
// The payment that pays each order ([Store.ClaimOrder]) is recorded in
// <prefix>orders, whose primary key is the order ID. Payouts, for
// [cauri.PayoutStore] and [cauri.PayoutLister], which a Store implements,
// live in <prefix>payouts, keyed by the caller's idempotency key. Each
// payment's history ([cauri.HistoryStore]) lives in <prefix>payment_events,
// keyed by (payment_id, seq).
//
// Indexes serve every lookup the kit makes: by ID, by provider and
// reference, by pending checkout key, pending payments by creation time
// (ListPending), paid unfulfilled ones (ListUnfulfilled), an order's
// payments by creation time (Supersede), OnPaid's work not done yet by
// the payment's creation time (ListUnfulfilled), pending payouts by creation
// time (ListPendingPayouts), a payment's history (History), and every page
// FindPayments reads: all payments, or by status, by provider, or those
// that need attention, by creation time, and a search by reference. On MySQL the tables' collation is
// utf8mb4_bin, so that IDs and references compare case-sensitively.
//
// Each schema version only adds nullable columns, indexes and tables, so
// that replicas still running the previous release keep working while
// others upgrade. On PostgreSQL an index is built with CREATE INDEX, which
// holds off writes to the table while it is built.
//
// # Errors
//
// Errors wrap the kit's sentinels, to test with [errors.Is]: a unique
// violation (SQLSTATE 23505, MySQL error 1062, SQLite's
// SQLITE_CONSTRAINT_UNIQUE) is [cauri.ErrDuplicate], a missing row
// [cauri.ErrNotFound], and a lost compare-and-set [cauri.ErrConflict],
// [cauri.ErrLeaseHeld] or [cauri.ErrFulfilled] as [cauri.Store] documents.
// They also wrap the driver's error, when there is one.
package sqlstore
