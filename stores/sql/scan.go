package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/cauripay/cauri"
)

// sqliteTime is how times are stored on SQLite: UTC, fixed width, so that
// they sort and compare as text.
const sqliteTime = "2006-01-02T15:04:05.000000Z"

// truncate is t in UTC, to the microsecond: what every dialect keeps.
// Truncating rather than letting the database round keeps a time that was
// before another before it.
func truncate(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// timeArg is t as an argument for the Store's dialect.
func (s *Store) timeArg(t time.Time) any {
	t = truncate(t)
	if s.dialect == SQLite {
		return t.Format(sqliteTime)
	}
	return t
}

// nullTimeArg is t as an argument, or NULL when t is zero.
func (s *Store) nullTimeArg(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return s.timeArg(t)
}

// timeDest scans a timestamp column into *t in UTC, whichever form the
// driver returns it in: a time.Time (pgx, go-sql-driver/mysql with
// parseTime=true), or text (SQLite, MySQL without parseTime). NULL is the
// zero time.
type timeDest struct{ t *time.Time }

// Scan implements sql.Scanner.
func (d timeDest) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d.t = time.Time{}
		return nil
	case time.Time:
		*d.t = v.UTC()
		return nil
	case string:
		return d.parse(v)
	case []byte:
		return d.parse(string(v))
	}
	return fmt.Errorf("sqlstore: cannot read a time from %T", src)
}

// parse reads the textual forms drivers give; those without a zone are
// UTC.
func (d timeDest) parse(s string) error {
	layouts := [...]string{
		time.RFC3339Nano,
		"2006-01-02 15:04:05.999999999Z07:00",
		"2006-01-02 15:04:05.999999999",
		"2006-01-02T15:04:05.999999999",
	}
	for _, layout := range layouts {
		if t, err := time.Parse(layout, s); err == nil {
			*d.t = t.UTC()
			return nil
		}
	}
	return fmt.Errorf("sqlstore: cannot read a time from %q", s)
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

// scanPayment reads the columns and the done column (doneColumn), then
// extra, from sc.
func scanPayment(sc scanner, extra ...any) (cauri.Payment, error) {
	var (
		p            cauri.Payment
		ref, md, sup sql.NullString
		received     sql.NullInt64
		done         time.Time
	)
	dest := append(make([]any, 0, 22+len(extra)),
		&p.ID, &p.Provider, &ref, &p.OrderID, &p.CheckoutKey, (*string)(&p.Status),
		&p.Amount, &p.Currency, &p.Fee, &p.Method, &p.FailureReason, &p.CheckoutURL, &md,
		timeDest{&p.CreatedAt}, timeDest{&p.UpdatedAt}, &p.OnPaidAttempts, timeDest{&p.FulfilledAt},
		timeDest{&p.NextPollAt}, &sup, &received, timeDest{&p.RefundHandledAt}, timeDest{&done})
	dest = append(dest, extra...)
	if err := sc.Scan(dest...); err != nil {
		return cauri.Payment{}, err
	}
	if p.FulfilledAt.Equal(workElsewhere) {
		p.FulfilledAt = done // OnPaid's record is in the onpaid table
	}
	p.ProviderRef, p.SupersededBy, p.Received = ref.String, sup.String, received.Int64
	if md.Valid && md.String != "" && md.String != "null" {
		if err := json.Unmarshal([]byte(md.String), &p.Metadata); err != nil {
			return cauri.Payment{}, fmt.Errorf("sqlstore: payment %s: reading metadata: %w", p.ID, err)
		}
	}
	return p, nil
}

// queryAll runs query on the primary and reads each row it returns with
// scan, in order.
func queryAll[T any](ctx context.Context, db *sql.DB, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// scanListed reads a payment's columns, and no more, from sc: scanPayment
// as queryAll takes it.
func scanListed(sc scanner) (cauri.Payment, error) { return scanPayment(sc) }
