package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/cauripay/cauri"
)

// Dialect is the SQL dialect a [Store] speaks. The zero value is not a
// dialect.
type Dialect int

// The dialects a Store speaks.
const (
	// Postgres is PostgreSQL, 10 or later, through a database/sql driver
	// such as github.com/jackc/pgx/v5/stdlib.
	Postgres Dialect = iota + 1
	// MySQL is MySQL 5.7.8 or later, or MariaDB 10.2.7 or later, through
	// github.com/go-sql-driver/mysql.
	MySQL
	// SQLite is SQLite 3.35 or later (for RETURNING), through a
	// database/sql driver such as modernc.org/sqlite.
	SQLite
)

// String returns the dialect's name: "postgres", "mysql" or "sqlite".
func (d Dialect) String() string {
	switch d {
	case Postgres:
		return "postgres"
	case MySQL:
		return "mysql"
	case SQLite:
		return "sqlite"
	}
	return fmt.Sprintf("Dialect(%d)", int(d))
}

func (d Dialect) valid() bool { return d == Postgres || d == MySQL || d == SQLite }

// DefaultTablePrefix is the prefix of the Store's table names unless
// [WithTablePrefix] says otherwise: the payments live in cauri_payments.
const DefaultTablePrefix = "cauri_"

// maxPrefixLen keeps every table and index name within PostgreSQL's 63 and
// MySQL's 64 characters.
const maxPrefixLen = 32

// Option configures a [Store].
type Option func(*config)

type config struct {
	prefix string
}

// WithTablePrefix names the Store's tables prefix+"payments",
// prefix+"payment_events", prefix+"payouts", prefix+"orders" and
// prefix+"schema_migrations", so
// that several Stores, or a Store and other applications, can share one
// database. The prefix is made of ASCII letters, digits and underscores,
// does not start with a digit, and is at most 32 characters long; it may
// be empty. [New] panics on any other. PostgreSQL folds unquoted names to lower case, so "Shop_"
// names the same tables as "shop_" there.
func WithTablePrefix(prefix string) Option {
	return func(c *config) { c.prefix = prefix }
}

// validPrefix reports whether prefix can start an unquoted SQL identifier
// in every dialect.
func validPrefix(prefix string) bool {
	if len(prefix) > maxPrefixLen {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		c := prefix[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', c == '_':
		case '0' <= c && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// Store is a [cauri.Store], and a [cauri.PayoutStore], in a SQL database.
// It is safe for concurrent use, and its compare-and-set operations hold
// across every process that shares the database: each one is a single
// conditional statement. Create one with [New] and call [Store.Migrate]
// before first use.
type Store struct {
	db      *sql.DB
	dialect Dialect
	prefix  string
	q       queries
	hq      historyQueries
	oq      onpaidQueries
}

var _ cauri.Store = (*Store)(nil)

// New returns a Store that keeps payments in db, which speaks dialect d.
// The caller opens db with a driver of its choice and closes it; the Store
// never does. New panics when db is nil, d is not one of the dialects, or
// an option is invalid: these are programming errors.
func New(db *sql.DB, d Dialect, opts ...Option) *Store {
	if db == nil {
		panic("sqlstore: New with a nil *sql.DB")
	}
	if !d.valid() {
		panic(fmt.Sprintf("sqlstore: New with unknown dialect %v", d))
	}
	c := config{prefix: DefaultTablePrefix}
	for _, o := range opts {
		o(&c)
	}
	if !validPrefix(c.prefix) {
		panic(fmt.Sprintf("sqlstore: invalid table prefix %q: want at most %d ASCII letters, digits and underscores, not starting with a digit",
			c.prefix, maxPrefixLen))
	}
	return &Store{db: db, dialect: d, prefix: c.prefix, q: buildQueries(d, c.prefix),
		hq: buildHistoryQueries(d, c.prefix), oq: buildOnPaidQueries(d, c.prefix)}
}

// Create stores p. It returns an error wrapping [cauri.ErrDuplicate] when
// the ID is taken, when (Provider, ProviderRef) is taken and ProviderRef is
// not empty, or when another payment with the same non-empty CheckoutKey is
// still pending: the database's unique constraints decide, so the rule
// holds across processes. A payment stored superseded does not hold its
// CheckoutKey. p.Anomaly is not stored.
func (s *Store) Create(ctx context.Context, p cauri.Payment) error {
	md, err := metadataArg(p.Metadata)
	if err != nil {
		return fmt.Errorf("sqlstore: create %s: %w", p.ID, err)
	}
	var pendingKey any
	if p.Status == cauri.StatusPending && p.CheckoutKey != "" && p.SupersededBy == "" {
		pendingKey = p.CheckoutKey
	}
	_, err = s.db.ExecContext(ctx, s.q.create,
		p.ID, p.Provider, nullString(p.ProviderRef), p.OrderID, p.CheckoutKey, pendingKey,
		string(p.Status), p.Amount, p.Currency, p.Fee, p.Method, p.FailureReason, p.CheckoutURL, md,
		s.timeArg(p.CreatedAt), s.timeArg(p.UpdatedAt), p.OnPaidAttempts, s.nullTimeArg(p.FulfilledAt),
		s.nullTimeArg(p.NextPollAt), nullString(p.SupersededBy))
	if err != nil {
		return s.writeFailed("create "+p.ID, err)
	}
	return nil
}

// Get returns the payment with that ID, or an error wrapping
// [cauri.ErrNotFound].
func (s *Store) Get(ctx context.Context, id string) (cauri.Payment, error) {
	p, err := scanPayment(s.db.QueryRowContext(ctx, s.q.get, id))
	if err != nil {
		return cauri.Payment{}, fmt.Errorf("sqlstore: get %s: %w", id, notFound(err))
	}
	return p, nil
}

// GetByProviderRef returns the payment a provider knows by ref, or an error
// wrapping [cauri.ErrNotFound].
func (s *Store) GetByProviderRef(ctx context.Context, provider, ref string) (cauri.Payment, error) {
	if ref == "" {
		return cauri.Payment{}, fmt.Errorf("sqlstore: get %s ref %q: %w", provider, ref, cauri.ErrNotFound)
	}
	p, err := scanPayment(s.db.QueryRowContext(ctx, s.q.getByRef, provider, ref))
	if err != nil {
		return cauri.Payment{}, fmt.Errorf("sqlstore: get %s ref %q: %w", provider, ref, notFound(err))
	}
	return p, nil
}

// GetPendingByCheckoutKey returns the pending payment with that
// CheckoutKey, or an error wrapping [cauri.ErrNotFound].
func (s *Store) GetPendingByCheckoutKey(ctx context.Context, key string) (cauri.Payment, error) {
	if key == "" {
		return cauri.Payment{}, fmt.Errorf("sqlstore: get pending by checkout key: %w", cauri.ErrNotFound)
	}
	p, err := scanPayment(s.db.QueryRowContext(ctx, s.q.getPending, key))
	if err != nil {
		return cauri.Payment{}, fmt.Errorf("sqlstore: get pending by checkout key: %w", notFound(err))
	}
	return p, nil
}

// Attach records the provider's reference and checkout URL on a pending
// payment that has none yet, and sets its UpdatedAt to now. Attaching the
// ref the payment already has is a no-op. It returns an error wrapping
// [cauri.ErrNotFound] for an unknown ID, [cauri.ErrDuplicate] when another
// payment of the same provider has that ref, and [cauri.ErrConflict] when
// the payment already has a different ref or is no longer pending.
func (s *Store) Attach(ctx context.Context, id, providerRef, checkoutURL string, now time.Time) error {
	n, err := s.exec(ctx, s.db, s.q.attach, nullString(providerRef), checkoutURL, s.timeArg(now), id)
	switch {
	case s.isUniqueViolation(err):
		return fmt.Errorf("sqlstore: attach %s: ref %q taken: %w: %w", id, providerRef, cauri.ErrDuplicate, err)
	case err != nil:
		return fmt.Errorf("sqlstore: attach %s: %w", id, err)
	case n > 0:
		return nil
	}

	// Nothing changed: find out why.
	r, err := s.getLeased(ctx, id)
	if err != nil {
		return fmt.Errorf("sqlstore: attach %s: %w", id, notFound(err))
	}
	switch p := r.p; {
	case p.ProviderRef == providerRef && providerRef != "":
		return nil
	case p.ProviderRef != "":
		return fmt.Errorf("sqlstore: attach %s: has ref %q already: %w", id, p.ProviderRef, cauri.ErrConflict)
	case p.Status != cauri.StatusPending:
		return fmt.Errorf("sqlstore: attach %s: payment is %s: %w", id, p.Status, cauri.ErrConflict)
	case p.CheckoutURL == checkoutURL && p.UpdatedAt.Equal(truncate(now)):
		// MySQL counts changed rows, not matched ones: an empty ref
		// attached again with the same URL and time changes nothing.
		return nil
	}
	return fmt.Errorf("sqlstore: attach %s: payment changed meanwhile: %w", id, cauri.ErrConflict)
}

// Transition moves a payment from status from to c.To if, and only if, it
// is in status from and meets c.Expect, copies c's non-empty fields, sets
// UpdatedAt to c.At when that is not zero, on a move to paid records
// c.FulfilledAt or else takes the OnPaid lease c.Lease names, and returns
// the payment as stored after the move.
// The compare-and-set is one conditional UPDATE; on PostgreSQL the same
// statement also returns the payment when it did not move. It returns an
// error wrapping [cauri.ErrConflict], with the payment as stored, when the
// payment is not in status from or does not meet c.Expect,
// [cauri.ErrNotFound] for an unknown ID, and [cauri.ErrDuplicate] when
// c.ProviderRef belongs to another payment of the same provider or when the
// move would make two payments with the same CheckoutKey pending. A
// superseded payment never takes its CheckoutKey back. The caller checks
// the state machine; the Store does not.
//
// On MySQL, which has no UPDATE … RETURNING, the payment returned is read
// right after the UPDATE, so it may already show a later change, such as an
// OnPaid attempt counted by another process.
func (s *Store) Transition(ctx context.Context, id string, from cauri.Status, c cauri.Change) (cauri.Payment, error) {
	args, work := s.transitionArgs(id, from, c)
	if len(c.Events) > 0 || work {
		p, _, err := s.transitionWith(ctx, id, from, c, work, false, args)
		return p, err
	}
	fail := func(err error) (cauri.Payment, error) {
		return cauri.Payment{}, s.writeFailed(fmt.Sprintf("transition %s from %s to %s", id, from, c.To), err)
	}

	switch s.dialect {
	case Postgres: // one round trip, moved or not
		var moved bool
		p, err := scanPayment(s.db.QueryRowContext(ctx, s.q.transition, append(args, id)...), &moved)
		if err == nil && moved {
			return p, nil
		}
		return s.transitionUnmoved(ctx, id, from, c, p, err)
	case SQLite: // UPDATE … RETURNING
		p, err := scanPayment(s.db.QueryRowContext(ctx, s.q.transition, args...))
		switch {
		case err == nil:
			return p, nil
		case errors.Is(err, sql.ErrNoRows):
			return s.transitionLost(ctx, id, from, c)
		}
		return fail(err)
	}

	n, err := s.exec(ctx, s.db, s.q.transition, args...)
	if err != nil {
		return fail(err)
	}
	if n == 0 {
		return s.transitionLost(ctx, id, from, c)
	}
	p, err := scanPayment(s.db.QueryRowContext(ctx, s.q.get, id))
	if err != nil {
		return fail(notFound(err))
	}
	return p, nil
}

// transitionUnmoved explains a PostgreSQL Transition of payment id from
// from by c whose statement did not move it: p, the payment as the
// statement read it, or err, why it read none.
func (s *Store) transitionUnmoved(ctx context.Context, id string, from cauri.Status, c cauri.Change, p cauri.Payment, err error) (cauri.Payment, error) {
	switch {
	case err == nil && p.Status != from:
		// Statuses only move forward: what the statement saw is still
		// true.
		return p, fmt.Errorf("sqlstore: transition %s from %s to %s: payment is %s: %w",
			id, from, c.To, p.Status, cauri.ErrConflict)
	case err == nil, errors.Is(err, sql.ErrNoRows):
		return s.transitionLost(ctx, id, from, c)
	}
	return cauri.Payment{}, s.writeFailed(fmt.Sprintf("transition %s from %s to %s", id, from, c.To), err)
}

// transitionArgs are the arguments of transition's UPDATE for a move of
// payment id from from as c says; work reports that the move takes
// OnPaid's lease, which goes on the payment's onpaid row, which the move
// inserts (see onpaid.go): its fulfilled_at says so, and the payments
// row's lease stays empty.
func (s *Store) transitionArgs(id string, from cauri.Status, c cauri.Change) (args []any, work bool) {
	var (
		fulfilled any
		attempt   int
	)
	switch {
	case c.To != cauri.StatusPaid:
	case !c.FulfilledAt.IsZero():
		fulfilled = s.timeArg(c.FulfilledAt)
	case c.Lease.Owner != "":
		attempt, fulfilled, work = 1, s.timeArg(workElsewhere), true
	}
	e := c.Expect
	return []any{
		string(c.To), c.To == cauri.StatusPending,
		nullString(c.ProviderRef), nullInt64(c.Fee), nullString(c.Method), nullString(c.FailureReason),
		nullInt64(c.Received), s.nullTimeArg(c.At), nil, nil, attempt, fulfilled, id, string(from),
		e.Provider, e.Provider, e.ProviderRef, e.ProviderRef, e.Currency, e.Currency, e.Amount,
	}, work
}

// transitionLost explains a Transition whose UPDATE changed no row, and
// returns the payment as stored with the conflict.
func (s *Store) transitionLost(ctx context.Context, id string, from cauri.Status, c cauri.Change) (cauri.Payment, error) {
	r, err := s.getLeased(ctx, id)
	if err != nil {
		return cauri.Payment{}, fmt.Errorf("sqlstore: transition %s: %w", id, notFound(err))
	}
	p := r.p
	switch {
	case p.Status != from:
		return p, fmt.Errorf("sqlstore: transition %s from %s to %s: payment is %s: %w",
			id, from, c.To, p.Status, cauri.ErrConflict)
	case !c.Expect.Meets(p):
		return p, fmt.Errorf("sqlstore: transition %s from %s to %s: payment is not as expected: %w",
			id, from, c.To, cauri.ErrConflict)
	case applied(p, c):
		// The row matched but the change changed nothing, which MySQL
		// reports as no row affected: the move succeeded.
		return p, nil
	}
	return p, fmt.Errorf("sqlstore: transition %s from %s to %s: payment changed meanwhile: %w",
		id, from, c.To, cauri.ErrConflict)
}

// applied reports whether p already is what Transition with c makes it.
func applied(p cauri.Payment, c cauri.Change) bool {
	return p.Status == c.To &&
		(c.ProviderRef == "" || p.ProviderRef == c.ProviderRef) &&
		(c.Fee == 0 || p.Fee == c.Fee) &&
		(c.Method == "" || p.Method == c.Method) &&
		(c.FailureReason == "" || p.FailureReason == c.FailureReason) &&
		(c.Received == 0 || p.Received == c.Received) &&
		(c.At.IsZero() || p.UpdatedAt.Equal(truncate(c.At)))
}

// ClaimOnPaid takes the OnPaid lease of a paid payment for owner until
// now+ttl and counts one attempt in OnPaidAttempts, in one conditional
// UPDATE. It succeeds when no lease is held or the held one expired at or
// before now; an unexpired lease blocks even its own owner. owner must not
// be empty. It returns an error wrapping [cauri.ErrLeaseHeld] when an
// unexpired lease is held, [cauri.ErrFulfilled] when OnPaid already
// succeeded, [cauri.ErrConflict] when the payment is not paid, and
// [cauri.ErrNotFound] for an unknown ID.
func (s *Store) ClaimOnPaid(ctx context.Context, id, owner string, now time.Time, ttl time.Duration) error {
	if owner == "" {
		return fmt.Errorf("sqlstore: claim %s: empty lease owner", id)
	}
	// The onpaid row, else the payments row (see onpaid.go).
	if took, err := s.claimWork(ctx, id, owner, now, ttl); err != nil {
		return fmt.Errorf("sqlstore: claim %s: %w", id, err)
	} else if took {
		return nil
	}
	n, err := s.exec(ctx, s.db, s.q.claim, owner, s.timeArg(now.Add(ttl)), id, s.timeArg(now))
	if err != nil {
		return fmt.Errorf("sqlstore: claim %s: %w", id, err)
	} else if n > 0 {
		return nil
	}
	return s.leaseRefused(ctx, "claim", id, cauri.Payment.Fulfilled, cauri.StatusPaid)
}

// CompleteOnPaid records that OnPaid succeeded, setting FulfilledAt to now,
// if owner still holds the lease (expired or not, as long as nobody took it
// since), and frees the lease, in one conditional UPDATE. It returns an
// error wrapping [cauri.ErrFulfilled] when that was already recorded,
// [cauri.ErrLeaseHeld] when owner does not hold the lease (another owner
// took it, or it was released), and [cauri.ErrNotFound] for an unknown ID.
func (s *Store) CompleteOnPaid(ctx context.Context, id, owner string, now time.Time) error {
	// The onpaid row, else the payments row (see onpaid.go).
	n, err := s.exec(ctx, s.db, s.oq.complete, s.timeArg(now), id, owner)
	if err == nil && n == 0 {
		n, err = s.exec(ctx, s.db, s.q.complete, s.timeArg(now), id, owner)
	}
	if err != nil {
		return fmt.Errorf("sqlstore: complete %s: %w", id, err)
	} else if n > 0 {
		return nil
	}
	return s.leaseRefused(ctx, "complete", id, cauri.Payment.Fulfilled, "")
}

// leaseRefused explains op (as "claim refund"), a claim or a completion
// of a hook's lease on payment id whose UPDATE changed no row: an error
// wrapping [cauri.ErrNotFound] for an unknown ID, [cauri.ErrFulfilled]
// when handled reports the hook's success recorded, [cauri.ErrConflict]
// when a claim finds the payment in another status than claimable, and
// [cauri.ErrLeaseHeld] otherwise. A completion passes no claimable status.
func (s *Store) leaseRefused(ctx context.Context, op, id string, handled func(cauri.Payment) bool, claimable cauri.Status) error {
	r, err := s.getLeased(ctx, id)
	switch {
	case err != nil:
		return fmt.Errorf("sqlstore: %s %s: %w", op, id, notFound(err))
	case handled(r.p):
		return fmt.Errorf("sqlstore: %s %s: %w", op, id, cauri.ErrFulfilled)
	case claimable == "":
		return fmt.Errorf("sqlstore: %s %s: lease not held by this owner: %w", op, id, cauri.ErrLeaseHeld)
	case r.p.Status != claimable:
		return fmt.Errorf("sqlstore: %s %s: payment is %s: %w", op, id, r.p.Status, cauri.ErrConflict)
	}
	// Held now, or held when the UPDATE ran and released since.
	return fmt.Errorf("sqlstore: %s %s: %w", op, id, cauri.ErrLeaseHeld)
}

// CompleteOnPaidBatch records, in one UPDATE, that OnPaid succeeded for
// each of done whose owner still holds its lease, setting FulfilledAt to
// now and freeing the lease, and returns how many it recorded. The others
// are left as they are: already recorded, or leased by someone else.
func (s *Store) CompleteOnPaidBatch(ctx context.Context, done []cauri.Completion, now time.Time) (int, error) {
	if len(done) == 0 {
		return 0, nil
	}
	// The onpaid rows, then, if some are left, the payments rows.
	work, err := s.completeWorkBatch(ctx, done, now)
	if err != nil {
		return 0, fmt.Errorf("sqlstore: complete %d payments: %w", len(done), err)
	}
	if int(work) == len(done) {
		return len(done), nil
	}
	n, err := s.completeLeases(ctx, s.q.completeBatch, "id", done, now)
	if err != nil {
		return 0, fmt.Errorf("sqlstore: complete %d payments: %w", len(done), err)
	}
	return int(work + n), nil
}

// ReleaseOnPaid gives up owner's lease after OnPaid failed, so that the
// next attempt can claim it at once. It is a no-op when owner does not hold
// the lease or the ID is unknown.
func (s *Store) ReleaseOnPaid(ctx context.Context, id, owner string) error {
	// The onpaid row's lease, else the payments row's.
	n, err := s.exec(ctx, s.db, s.oq.release, id, owner)
	if err == nil && n == 0 {
		_, err = s.db.ExecContext(ctx, s.q.release, id, owner)
	}
	if err != nil {
		return fmt.Errorf("sqlstore: release %s: %w", id, err)
	}
	return nil
}

// ListPending returns up to limit pending payments created before
// olderThan, oldest first (by CreatedAt, then ID), starting after the
// cursor: the zero Cursor starts from the oldest, and the Cursor of the last
// payment returned gets the next page. Each page is one range scan of an
// index, however far the cursor is.
func (s *Store) ListPending(ctx context.Context, olderThan time.Time, after cauri.Cursor, limit int) ([]cauri.Payment, error) {
	return s.list(ctx, "list pending", s.q.listPending, s.q.listPendingAfter, s.timeArg(olderThan), after, limit)
}

// ListUnfulfilled returns up to limit paid payments whose OnPaid has not
// succeeded and whose lease is free or expired at now, oldest first (by
// CreatedAt, then ID), starting after the cursor, through an index.
//
// The payments moved to paid by this version have their OnPaid work in
// the onpaid table, those moved before on the payments row: each page
// reads a page of each, through its index, and keeps the first of both.
func (s *Store) ListUnfulfilled(ctx context.Context, now time.Time, after cauri.Cursor, limit int) ([]cauri.Payment, error) {
	if limit <= 0 {
		return nil, ctx.Err()
	}
	at := s.timeArg(now)
	query, args := s.oq.unfulfilledUnion, []any{at, limit, at, limit, limit}
	if !after.CreatedAt.IsZero() || after.ID != "" {
		c := s.cursorArgs(after)
		query = s.oq.unfulfilledNext
		args = append(append(append(append([]any{at}, c...), limit, at), c...), limit, limit)
	}
	out, err := queryAll(ctx, s.db, scanListed, query, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: list unfulfilled: %w", err)
	}
	return out, nil
}

// list runs a list query: first, which takes at, more and limit, for the
// zero cursor, else next, which takes the cursor's arguments after more.
func (s *Store) list(ctx context.Context, what, first, next string, at any, after cauri.Cursor, limit int, more ...any) ([]cauri.Payment, error) {
	if limit <= 0 {
		return nil, ctx.Err()
	}
	query, args := first, append(append([]any{at}, more...), limit)
	if !after.CreatedAt.IsZero() || after.ID != "" {
		query, args = next, append(append(append([]any{at}, more...), s.cursorArgs(after)...), limit)
	}
	out, err := queryAll(ctx, s.db, scanListed, query, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: %s: %w", what, err)
	}
	return out, nil
}

// cursorArgs are the arguments of the keyset condition buildQueries puts in
// the list queries: (created_at, id) > (?, ?), or on MySQL created_at > ?
// OR (created_at = ? AND id > ?). The time is truncated to the microsecond
// as stored ones are, so that a cursor keeps its place among them.
func (s *Store) cursorArgs(c cauri.Cursor) []any {
	at := s.timeArg(c.CreatedAt)
	if s.dialect == MySQL {
		return []any{at, at, c.ID}
	}
	return []any{at, c.ID}
}

// leasedPayment is a payment and its OnPaid lease, which Payment does not
// carry.
type leasedPayment struct {
	p          cauri.Payment
	leaseOwner string
	leaseUntil time.Time
}

// getLeased reads a payment and its lease, to explain why a conditional
// UPDATE changed nothing.
func (s *Store) getLeased(ctx context.Context, id string) (leasedPayment, error) {
	var (
		r     leasedPayment
		owner sql.NullString
	)
	p, err := scanPayment(s.db.QueryRowContext(ctx, s.q.getLeased, id), &owner, timeDest{&r.leaseUntil})
	if err != nil {
		return leasedPayment{}, err
	}
	r.p, r.leaseOwner = p, owner.String
	return r, nil
}

// notFound maps sql.ErrNoRows to an error wrapping both it and
// cauri.ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: %w", cauri.ErrNotFound, err)
	}
	return err
}

// metadataArg encodes metadata as a JSON object, or NULL when empty.
func metadataArg(md map[string]string) (any, error) {
	if len(md) == 0 {
		return nil, nil
	}
	b, err := json.Marshal(md)
	if err != nil {
		return nil, fmt.Errorf("encoding metadata: %w", err)
	}
	return string(b), nil
}

// nullString is s, or NULL when s is empty.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// nullInt64 is n, or NULL when n is zero.
func nullInt64(n int64) any {
	if n == 0 {
		return nil
	}
	return n
}
