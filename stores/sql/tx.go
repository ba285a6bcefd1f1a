package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"math/rand/v2"
	"strings"
	"time"
)

// maxTxAttempts is how many times inTx runs a transaction that the
// database ended to break a deadlock.
const maxTxAttempts = 8

// inTx runs f in a transaction and commits it.
//
// On MySQL and MariaDB the transaction reads committed rows (READ
// COMMITTED), which takes no gap locks: under InnoDB's default,
// REPEATABLE READ, two moves of payments with no history yet deadlock
// in the normal course, as each one's count of its payment's events
// takes a shared lock on the same gap of the events' index, which both
// then insert into. Nothing here needs more: every write is a
// compare-and-set on the row it changes, and a move or an append counts
// its payment's events under the payments row's lock. A transaction
// InnoDB still chooses as a deadlock's victim is rolled back whole, and
// InnoDB's advice is to run it again: inTx does, up to maxTxAttempts
// times, after a short random pause. f must start from scratch on each
// call.
func (s *Store) inTx(ctx context.Context, f func(tx *sql.Tx) error) error {
	for attempt := 1; ; attempt++ {
		err := s.tryTx(ctx, f)
		if err == nil || !s.isDeadlock(err) || attempt == maxTxAttempts {
			return err
		}
		pause := time.Duration(rand.Int64N(int64(time.Millisecond) << min(attempt, 5)))
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
	}
}

// tryTx runs f in a transaction once, and commits it when f succeeds.
func (s *Store) tryTx(ctx context.Context, f func(tx *sql.Tx) error) error {
	var opts *sql.TxOptions
	if s.dialect == MySQL {
		opts = &sql.TxOptions{Isolation: sql.LevelReadCommitted}
	}
	tx, err := s.db.BeginTx(ctx, opts)
	if err != nil {
		return err
	}
	if err := f(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// isDeadlock reports whether err is MySQL's or MariaDB's error 1213
// (ER_LOCK_DEADLOCK, SQLSTATE 40001): the transaction was rolled back to
// break a deadlock. The other databases' statements here run alone or
// under SQLite's single writer, and are not retried.
func (s *Store) isDeadlock(err error) bool {
	if s.dialect != MySQL || err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	msg := err.Error()
	return strings.Contains(msg, "Error 1213") || strings.Contains(msg, "Deadlock found")
}
