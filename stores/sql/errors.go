package sqlstore

import (
	"errors"
	"fmt"
	"strings"

	"github.com/cauripay/cauri"
)

// isUniqueViolation reports whether err is the database refusing a row
// that would break a unique constraint. The package imports no driver, so
// it recognises each driver's error by the methods it has, and by its
// message as a fallback:
//
//   - PostgreSQL: SQLSTATE 23505, from SQLState() string (pgx's
//     *pgconn.PgError, lib/pq's *pq.Error has it too);
//   - MySQL and MariaDB: error 1062 (ER_DUP_ENTRY) or 1586
//     (ER_DUP_ENTRY_WITH_KEY_NAME), from go-sql-driver/mysql's
//     *MySQLError, whose number is a field only its message shows;
//   - SQLite: extended result codes 2067 (SQLITE_CONSTRAINT_UNIQUE) and
//     1555 (SQLITE_CONSTRAINT_PRIMARYKEY), from Code() int
//     (modernc.org/sqlite's *sqlite.Error).
func (s *Store) isUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	msg := err.Error()
	switch s.dialect {
	case Postgres:
		var st interface{ SQLState() string }
		if errors.As(err, &st) {
			return st.SQLState() == "23505"
		}
		return strings.Contains(msg, "SQLSTATE 23505")
	case MySQL:
		return strings.Contains(msg, "Error 1062") || strings.Contains(msg, "Error 1586") ||
			strings.Contains(msg, "Duplicate entry")
	case SQLite:
		var c interface{ Code() int }
		if errors.As(err, &c) {
			if code := c.Code(); code == 2067 || code == 1555 {
				return true
			}
		}
		return strings.Contains(msg, "UNIQUE constraint failed")
	}
	return false
}

// writeFailed is err, the failure of the write what (as "create pay_1"),
// wrapped with the package's prefix, and with [cauri.ErrDuplicate] too when
// the database refused a row that would break a unique constraint.
func (s *Store) writeFailed(what string, err error) error {
	if s.isUniqueViolation(err) {
		return fmt.Errorf("sqlstore: %s: %w: %w", what, cauri.ErrDuplicate, err)
	}
	return fmt.Errorf("sqlstore: %s: %w", what, err)
}
