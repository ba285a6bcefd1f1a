package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// pgError has the method pgx's *pgconn.PgError has.
type pgError struct{ code string }

func (e *pgError) Error() string    { return "ERROR: boom (SQLSTATE " + e.code + ")" }
func (e *pgError) SQLState() string { return e.code }

// sqliteError has the method modernc.org/sqlite's *sqlite.Error has.
type sqliteError struct {
	msg  string
	code int
}

func (e *sqliteError) Error() string { return e.msg }
func (e *sqliteError) Code() int     { return e.code }

func TestIsUniqueViolation(t *testing.T) {
	db := new(sql.DB) // never used
	tests := []struct {
		d    Dialect
		err  error
		want bool
	}{
		{Postgres, &pgError{"23505"}, true},
		{Postgres, fmt.Errorf("insert: %w", &pgError{"23505"}), true},
		{Postgres, &pgError{"23503"}, false}, // foreign key
		{Postgres, errors.New(`ERROR: duplicate key value violates unique constraint "x" (SQLSTATE 23505)`), true},
		{Postgres, errors.New("connection refused"), false},
		{MySQL, errors.New("Error 1062 (23000): Duplicate entry 'a' for key 'PRIMARY'"), true},
		{MySQL, errors.New("Error 1062: Duplicate entry 'a' for key 'PRIMARY'"), true},
		{MySQL, errors.New("Error 1586 (23000): Duplicate entry 'a' for key 'k'"), true},
		{MySQL, errors.New("Error 1213 (40001): Deadlock found"), false},
		{SQLite, &sqliteError{"constraint failed: UNIQUE constraint failed: t.id (1555)", 1555}, true},
		{SQLite, &sqliteError{"constraint failed: UNIQUE constraint failed: t.k (2067)", 2067}, true},
		{SQLite, &sqliteError{"constraint failed: NOT NULL constraint failed: t.k (1299)", 1299}, false},
		{SQLite, errors.New("UNIQUE constraint failed: t.id"), true}, // another driver
		{SQLite, errors.New("database is locked"), false},
		{SQLite, nil, false},
	}
	for _, tt := range tests {
		s := New(db, tt.d)
		if got := s.isUniqueViolation(tt.err); got != tt.want {
			t.Errorf("%v: isUniqueViolation(%v) = %v, want %v", tt.d, tt.err, got, tt.want)
		}
	}
}

func TestNumbered(t *testing.T) {
	got := numbered("UPDATE t SET a = ?, b = ? WHERE id = ?")
	if want := "UPDATE t SET a = $1, b = $2 WHERE id = $3"; got != want {
		t.Errorf("numbered = %q, want %q", got, want)
	}
}

func TestSplitStatements(t *testing.T) {
	got := splitStatements("-- a comment;\nCREATE TABLE a (\n  x INT -- inline\n);\n\nCREATE INDEX i\n  ON a (x);\nSELECT 1")
	want := []string{"CREATE TABLE a (\n  x INT -- inline\n)", "CREATE INDEX i\n  ON a (x)", "SELECT 1"}
	if fmt.Sprint(got) != fmt.Sprint(want) || len(got) != len(want) {
		t.Errorf("splitStatements = %q, want %q", got, want)
	}
}

func TestMigrationsEmbedded(t *testing.T) {
	for _, d := range []Dialect{Postgres, MySQL, SQLite} {
		s := New(new(sql.DB), d, WithTablePrefix("shop_"))
		migs, err := s.migrations()
		if err != nil {
			t.Fatalf("%v: %v", d, err)
		}
		if len(migs) == 0 || migs[0].version != 1 {
			t.Fatalf("%v: migrations %+v, want version 1 first", d, migs)
		}
		for _, m := range migs {
			for _, stmt := range m.stmts {
				if !strings.Contains(stmt, "shop_") || strings.Contains(stmt, prefixToken) {
					t.Errorf("%v %s: prefix not substituted in %q", d, m.name, stmt)
				}
			}
		}
	}
}

func TestIsDeadlock(t *testing.T) {
	db := new(sql.DB) // never used
	deadlock := errors.New("Error 1213 (40001): Deadlock found when trying to get lock; try restarting transaction")
	tests := []struct {
		d    Dialect
		err  error
		want bool
	}{
		{MySQL, deadlock, true},
		{MySQL, fmt.Errorf("transition: %w", deadlock), true},
		{MySQL, errors.New("Error 1205 (HY000): Lock wait timeout exceeded"), false}, // may have half-run
		{MySQL, errors.New("Error 1062 (23000): Duplicate entry 'a' for key 'PRIMARY'"), false},
		{MySQL, fmt.Errorf("%w: %w", context.DeadlineExceeded, deadlock), false},
		{MySQL, nil, false},
		{Postgres, deadlock, false},
		{SQLite, deadlock, false},
	}
	for _, tt := range tests {
		s := New(db, tt.d)
		if got := s.isDeadlock(tt.err); got != tt.want {
			t.Errorf("%v: isDeadlock(%v) = %v, want %v", tt.d, tt.err, got, tt.want)
		}
	}
}
