package loadharness

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Statements is what PostgreSQL's pg_stat_statements counted of one
// webhook arm's measured rounds: where its time in the server went,
// statement by statement. It is measured on the postgres store when the
// server preloads pg_stat_statements (shared_preload_libraries); the
// harness then creates the extension in the database if it is missing.
type Statements struct {
	// Measured is false when the extension could not be used; Why then
	// says why.
	Measured bool
	Why      string
	// Requests is how many requests the rounds sent: what the figures
	// are divided by.
	Requests int
	// ByStatement holds each statement the arm ran, most execution time
	// first.
	ByStatement []Statement
}

// Statement is one normalized statement's counters, summed over an arm's
// rounds.
type Statement struct {
	Query              string // normalized, white space folded
	Calls, Plans, Rows int64
	Exec, Plan         time.Duration // total execution and planning time
	WALRecords         int64
	WALBytes           int64
	Blocks             int64 // shared blocks hit and read
}

// Total is the sum of all the arm's statements, its Query empty.
func (s Statements) Total() Statement {
	var t Statement
	for _, x := range s.ByStatement {
		t.Calls += x.Calls
		t.Plans += x.Plans
		t.Rows += x.Rows
		t.Exec += x.Exec
		t.Plan += x.Plan
		t.WALRecords += x.WALRecords
		t.WALBytes += x.WALBytes
		t.Blocks += x.Blocks
	}
	return t
}

// statementStats reads pg_stat_statements between an arm's rounds.
type statementStats struct {
	db *sql.DB
}

// openStatementStats makes pg_stat_statements ready on db, or says why it
// cannot.
func openStatementStats(ctx context.Context, db *sql.DB) (*statementStats, string) {
	var preloaded string
	if err := db.QueryRowContext(ctx, "SELECT current_setting('shared_preload_libraries')").Scan(&preloaded); err != nil {
		return nil, "reading shared_preload_libraries: " + err.Error()
	}
	if !slices.ContainsFunc(strings.Split(preloaded, ","), func(l string) bool { return strings.TrimSpace(l) == "pg_stat_statements" }) {
		return nil, "pg_stat_statements is not in the server's shared_preload_libraries"
	}
	if _, err := db.ExecContext(ctx, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements"); err != nil {
		return nil, "creating the pg_stat_statements extension: " + err.Error()
	}
	s := &statementStats{db: db}
	if err := s.reset(ctx); err != nil {
		return nil, err.Error()
	}
	return s, ""
}

// reset empties the server's counters.
func (s *statementStats) reset(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, "SELECT pg_stat_statements_reset()"); err != nil {
		return fmt.Errorf("resetting pg_stat_statements: %w", err)
	}
	return nil
}

// statementsQuery reads the counters of this database's statements on
// the harness's tables (which [tablePrefix] names): other clients of a
// shared database are left out.
const statementsQuery = `SELECT queryid, query, calls, plans, rows, total_exec_time, total_plan_time,
	wal_records, wal_bytes::bigint, shared_blks_hit + shared_blks_read
FROM pg_stat_statements
WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
	AND strpos(query, '` + tablePrefix + `') > 0 AND strpos(query, 'pg_stat_statements') = 0`

// add adds the counters since the last reset to into, by statement.
func (s *statementStats) add(ctx context.Context, into map[int64]*Statement) error {
	rows, err := s.db.QueryContext(ctx, statementsQuery)
	if err != nil {
		return fmt.Errorf("reading pg_stat_statements: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id         int64
			q          string
			x          Statement
			exec, plan float64 // milliseconds
		)
		if err := rows.Scan(&id, &q, &x.Calls, &x.Plans, &x.Rows, &exec, &plan, &x.WALRecords, &x.WALBytes, &x.Blocks); err != nil {
			return fmt.Errorf("reading pg_stat_statements: %w", err)
		}
		t := into[id]
		if t == nil {
			t = &Statement{Query: strings.Join(strings.Fields(q), " ")}
			into[id] = t
		}
		t.Calls += x.Calls
		t.Plans += x.Plans
		t.Rows += x.Rows
		t.Exec += millis(exec)
		t.Plan += millis(plan)
		t.WALRecords += x.WALRecords
		t.WALBytes += x.WALBytes
		t.Blocks += x.Blocks
	}
	return rows.Err()
}

func millis(ms float64) time.Duration { return time.Duration(ms * float64(time.Millisecond)) }

// statementsOf is the arm's counters, most execution time first.
func statementsOf(m map[int64]*Statement, requests int) Statements {
	out := Statements{Measured: true, Requests: requests}
	for _, x := range m {
		out.ByStatement = append(out.ByStatement, *x)
	}
	slices.SortFunc(out.ByStatement, func(a, b Statement) int {
		return cmp.Or(cmp.Compare(b.Exec+b.Plan, a.Exec+a.Plan), strings.Compare(a.Query, b.Query))
	})
	return out
}
