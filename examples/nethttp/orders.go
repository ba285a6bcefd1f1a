package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cauripay/cauri"
	sqlstore "github.com/cauripay/cauri/stores/sql"
)

// order is one of the shop's orders, as its table keeps it.
type order struct {
	ID        string
	SKU       string
	Amount    int64 // in the currency's smallest unit, from the catalogue
	Currency  string
	CreatedAt time.Time
	// LastPayment is the latest payment the kit opened for the order, and
	// LastProvider its provider; empty before the first checkout.
	LastPayment  string
	LastProvider string
	// Attempts counts the payments the kit opened for the order.
	Attempts int
	// PaidBy is the payment OnPaid was first called for; empty while the
	// order is unpaid.
	PaidBy string
	PaidAt time.Time
	// OnPaidCalls counts the calls to OnPaid for the order.
	OnPaidCalls int
}

// Product is the catalogue's entry for the order's SKU, or one made up
// from the SKU when the catalogue no longer has it.
func (o order) Product() product {
	if p, ok := catalogue[o.SKU]; ok {
		return p
	}
	return product{SKU: o.SKU, Name: o.SKU, Price: o.Amount, Currency: o.Currency}
}

// orderStore keeps the shop's orders in a table of their own, in the
// kit's database: shop_orders, or the test's prefix + "shop_orders". Times
// are Unix microseconds, which every dialect stores alike.
type orderStore struct {
	db      *sql.DB
	dialect sqlstore.Dialect
	table   string
}

// errNoOrder is the error for an order the table does not have. It wraps
// cauri.ErrNotFound, which the kit's checkout answers with 404.
var errNoOrder = fmt.Errorf("no such order: %w", cauri.ErrNotFound)

const orderColumns = "id, sku, amount, currency, created_at, last_payment, last_provider, attempts, paid_by, paid_at, onpaid_calls"

// newOrderStore returns the order table of db, named prefix + "shop_orders"
// (prefix is sqlstore-valid: letters, digits and underscores).
func newOrderStore(db *sql.DB, d sqlstore.Dialect, prefix string) *orderStore {
	return &orderStore{db: db, dialect: d, table: prefix + "shop_orders"}
}

// migrate creates the table and its index unless they exist.
func (s *orderStore) migrate(ctx context.Context) error {
	cols := `id VARCHAR(64) NOT NULL PRIMARY KEY,
		sku VARCHAR(64) NOT NULL,
		amount BIGINT NOT NULL,
		currency VARCHAR(3) NOT NULL,
		created_at BIGINT NOT NULL,
		last_payment VARCHAR(64) NOT NULL DEFAULT '',
		last_provider VARCHAR(32) NOT NULL DEFAULT '',
		attempts INTEGER NOT NULL DEFAULT 0,
		paid_by VARCHAR(64) NOT NULL DEFAULT '',
		paid_at BIGINT NOT NULL DEFAULT 0,
		onpaid_calls INTEGER NOT NULL DEFAULT 0`
	index := s.table + "_created"
	var stmts []string
	if s.dialect == sqlstore.MySQL {
		// MySQL has no CREATE INDEX IF NOT EXISTS.
		stmts = []string{"CREATE TABLE IF NOT EXISTS " + s.table + " (" + cols + ", INDEX " + index + " (created_at, id))"}
	} else {
		stmts = []string{
			"CREATE TABLE IF NOT EXISTS " + s.table + " (" + cols + ")",
			"CREATE INDEX IF NOT EXISTS " + index + " ON " + s.table + " (created_at, id)",
		}
	}
	for _, q := range stmts {
		if _, err := s.db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("creating the table %s: %w", s.table, err)
		}
	}
	return nil
}

// bind turns the ? placeholders of query into PostgreSQL's $1, $2...
// where need be. The shop's queries hold no ? but placeholders.
func (s *orderStore) bind(query string) string {
	if s.dialect != sqlstore.Postgres {
		return query
	}
	var b strings.Builder
	n := 0
	for _, c := range query {
		if c == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

func (s *orderStore) exec(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := s.db.ExecContext(ctx, s.bind(query), args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// micros is t in Unix microseconds; 0 for the zero time.
func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

// fromMicros is the inverse of micros.
func fromMicros(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us).UTC()
}

type rowScanner interface{ Scan(dest ...any) error }

func scanOrder(sc rowScanner) (order, error) {
	var o order
	var created, paid int64
	err := sc.Scan(&o.ID, &o.SKU, &o.Amount, &o.Currency, &created, &o.LastPayment, &o.LastProvider, &o.Attempts, &o.PaidBy, &paid, &o.OnPaidCalls)
	o.CreatedAt, o.PaidAt = fromMicros(created), fromMicros(paid)
	return o, err
}

// get returns the order id, or an error wrapping errNoOrder.
func (s *orderStore) get(ctx context.Context, id string) (order, error) {
	row := s.db.QueryRowContext(ctx, s.bind("SELECT "+orderColumns+" FROM "+s.table+" WHERE id = ?"), id)
	o, err := scanOrder(row)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return order{}, fmt.Errorf("order %s: %w", id, errNoOrder)
	case err != nil:
		return order{}, fmt.Errorf("loading order %s: %w", id, err)
	}
	return o, nil
}

// insert adds o unless an order with its ID exists, and reports whether
// it did.
func (s *orderStore) insert(ctx context.Context, o order) (bool, error) {
	q := "INSERT INTO " + s.table + " (" + orderColumns + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
	if s.dialect == sqlstore.MySQL {
		q += " ON DUPLICATE KEY UPDATE id = id" // 0 rows affected
	} else {
		q += " ON CONFLICT (id) DO NOTHING"
	}
	n, err := s.exec(ctx, q, o.ID, o.SKU, o.Amount, o.Currency, micros(o.CreatedAt), o.LastPayment, o.LastProvider,
		o.Attempts, o.PaidBy, micros(o.PaidAt), o.OnPaidCalls)
	if err != nil {
		return false, fmt.Errorf("recording order %s: %w", o.ID, err)
	}
	return n == 1, nil
}

// create records o unless an order with its ID exists, and returns the
// order as stored: o, or the one recorded first.
func (s *orderStore) create(ctx context.Context, o order) (order, error) {
	if _, err := s.insert(ctx, o); err != nil {
		return order{}, err
	}
	return s.get(ctx, o.ID)
}

// linkPayment records that the kit opened payment id at provider for
// order orderID.
func (s *orderStore) linkPayment(ctx context.Context, orderID, id, provider string) error {
	n, err := s.exec(ctx, "UPDATE "+s.table+" SET last_payment = ?, last_provider = ?, attempts = attempts + 1 WHERE id = ?", id, provider, orderID)
	switch {
	case err != nil:
		return fmt.Errorf("linking payment %s to order %s: %w", id, orderID, err)
	case n == 0:
		return fmt.Errorf("linking payment %s to order %s: %w", id, orderID, errNoOrder)
	}
	return nil
}

// paidResult is what markPaid did.
type paidResult struct {
	// First: the order was unpaid, and is now paid by this payment.
	First bool
	// Recorded: the table had no such order; it was recorded from the
	// payment, paid.
	Recorded bool
	// PaidBy is the payment the order was first paid by.
	PaidBy string
}

// markPaid counts a call to OnPaid for p's order and marks the order paid
// by p unless it was paid already. An order the table does not have
// (a database restored from before it, a row deleted by hand) is recorded
// from the payment, paid, rather than failing: OnPaid would otherwise fail
// for it forever. Each step is one conditional statement, so that
// concurrent calls, from this process or another sharing the database,
// count every call once and agree on the first payment.
func (s *orderStore) markPaid(ctx context.Context, p cauri.Payment, now time.Time) (paidResult, error) {
	const attempts = 2 // the order may be recorded by someone else between the steps
	for range attempts {
		n, err := s.exec(ctx, "UPDATE "+s.table+" SET paid_at = ?, paid_by = ?, onpaid_calls = onpaid_calls + 1 WHERE id = ? AND paid_by = ''",
			micros(now), p.ID, p.OrderID)
		if err != nil {
			return paidResult{}, fmt.Errorf("marking order %s paid: %w", p.OrderID, err)
		}
		if n == 1 {
			return paidResult{First: true, PaidBy: p.ID}, nil
		}
		n, err = s.exec(ctx, "UPDATE "+s.table+" SET onpaid_calls = onpaid_calls + 1 WHERE id = ?", p.OrderID)
		if err != nil {
			return paidResult{}, fmt.Errorf("counting OnPaid for order %s: %w", p.OrderID, err)
		}
		if n == 1 {
			o, err := s.get(ctx, p.OrderID)
			if err != nil {
				return paidResult{}, err
			}
			return paidResult{PaidBy: o.PaidBy}, nil
		}
		inserted, err := s.insert(ctx, order{
			ID: p.OrderID, SKU: p.Metadata["sku"], Amount: p.Amount, Currency: p.Currency, CreatedAt: p.CreatedAt,
			LastPayment: p.ID, LastProvider: p.Provider, Attempts: 1, PaidBy: p.ID, PaidAt: now, OnPaidCalls: 1,
		})
		if err != nil {
			return paidResult{}, err
		}
		if inserted {
			return paidResult{First: true, Recorded: true, PaidBy: p.ID}, nil
		}
	}
	return paidResult{}, fmt.Errorf("marking order %s paid: it keeps appearing and disappearing", p.OrderID)
}

// list returns the newest orders, at most limit, and how many there are.
func (s *orderStore) list(ctx context.Context, limit int) ([]order, int, error) {
	var total int
	if err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+s.table).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("counting orders: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, s.bind("SELECT "+orderColumns+" FROM "+s.table+" ORDER BY created_at DESC, id DESC LIMIT ?"), limit)
	if err != nil {
		return nil, 0, fmt.Errorf("listing orders: %w", err)
	}
	defer rows.Close()
	var out []order
	for rows.Next() {
		o, err := scanOrder(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("listing orders: %w", err)
		}
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("listing orders: %w", err)
	}
	return out, total, nil
}
