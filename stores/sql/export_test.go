package sqlstore

import (
	"context"
	"database/sql"

	"github.com/cauripay/cauri"
)

// MigrateTo applies the missing schema versions up to last, to build the
// database of a previous release.
func (s *Store) MigrateTo(ctx context.Context, last int64) error { return s.migrateTo(ctx, last) }

// Numbered turns each ? placeholder into PostgreSQL's $1, $2, ….
var Numbered = numbered

// FindQuery is FindPayments's statement and its arguments, to explain.
func (s *Store) FindQuery(q cauri.PaymentQuery, after cauri.Cursor, limit int) (string, []any) {
	return s.findQuery(q, after, limit)
}

// TablePrefix is the Store's table prefix.
func (s *Store) TablePrefix() string { return s.prefix }

// InTx runs f as the store runs its transactions.
func (s *Store) InTx(ctx context.Context, f func(tx *sql.Tx) error) error { return s.inTx(ctx, f) }
