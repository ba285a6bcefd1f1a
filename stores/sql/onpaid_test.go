package sqlstore_test

import (
	"crypto/rand"
	"database/sql"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/stores/storetest"
)

// TestOnPaidWorkBesideOlderRelease: while a release from before schema
// version 12 shares the database, each keeps OnPaid once.
//
//   - A payment the older release moved to paid keeps its lease on the
//     payments row: this release lists it, respects its lease, completes
//     it for its owner and claims it once the lease ran out.
//   - A payment this release moved to paid has its lease on its onpaid row
//     and, on the payments row, the fulfilled_at the older release reads
//     as done: the older release's claim and listing leave it alone,
//     and its one payments row version is the move's.
func TestOnPaidWorkBesideOlderRelease(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx, db, s := b.start(t)
		table := s.TablePrefix() + "payments"
		exec := func(query string, args ...any) int64 {
			t.Helper()
			res, err := db.ExecContext(ctx, rebind(b.dialect, query), args...)
			if err != nil {
				t.Fatalf("%s: %v", query, err)
			}
			n, err := res.RowsAffected()
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		// SQLite keeps times as text, which its driver takes as is.
		arg := func(at time.Time) any {
			if b.name == "sqlite" {
				return at.UTC().Format("2006-01-02T15:04:05.000000Z")
			}
			return at
		}
		at := time.Now().UTC().Truncate(time.Microsecond)

		// The older release moves one to paid and takes its lease, as
		// its Transition did: on the payments row.
		old := storetest.Payment("pay_"+rand.Text(), at.Add(-2*time.Minute))
		mine := storetest.Payment("pay_"+rand.Text(), at.Add(-time.Minute))
		for _, p := range []cauri.Payment{old, mine} {
			if err := s.Create(ctx, p); err != nil {
				t.Fatal(err)
			}
		}
		exec("UPDATE "+table+" SET status = 'paid', pending_key = NULL, lease_owner = ?, lease_until = ?, "+
			"onpaid_attempts = onpaid_attempts + 1 WHERE id = ?", "old-owner", arg(at.Add(time.Minute)), old.ID)
		// This release moves the other, as the kit does.
		if _, err := s.Transition(ctx, mine.ID, cauri.StatusPending, cauri.Change{To: cauri.StatusPaid, At: at,
			Lease: cauri.Lease{Owner: "new-owner", Until: at.Add(time.Minute)}}); err != nil {
			t.Fatal(err)
		}

		// The older release's claim and listing, as it ran them.
		oldClaim := "UPDATE " + table + " SET lease_owner = ?, lease_until = ?, onpaid_attempts = onpaid_attempts + 1 " +
			"WHERE id = ? AND status = 'paid' AND fulfilled_at IS NULL AND (lease_until IS NULL OR lease_until <= ?)"
		if n := exec(oldClaim, "old-2", arg(at.Add(3*time.Minute)), mine.ID, arg(at.Add(2*time.Minute))); n != 0 {
			t.Errorf("the older release claimed a payment this release leased: %d rows", n)
		}
		var listed []string
		rows, err := db.QueryContext(ctx, rebind(b.dialect, "SELECT id FROM "+table+
			" WHERE status = 'paid' AND fulfilled_at IS NULL AND (lease_until IS NULL OR lease_until <= ?) ORDER BY created_at, id"),
			arg(at.Add(2*time.Minute)))
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			listed = append(listed, id)
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(listed, []string{old.ID}) {
			t.Errorf("the older release lists %v as unfulfilled, want only its own %s", listed, old.ID)
		}

		// This release respects both leases, then lists both.
		for _, p := range []cauri.Payment{old, mine} {
			if err := s.ClaimOnPaid(ctx, p.ID, "third", at, time.Minute); !errors.Is(err, cauri.ErrLeaseHeld) {
				t.Errorf("ClaimOnPaid(%s) under a held lease: %v, want ErrLeaseHeld", p.ID, err)
			}
		}
		later := at.Add(2 * time.Minute)
		got, err := s.ListUnfulfilled(ctx, later, cauri.Cursor{}, 10)
		if err != nil {
			t.Fatal(err)
		}
		if ids := idsOf(got); !slices.Equal(ids, []string{old.ID, mine.ID}) {
			t.Errorf("ListUnfulfilled = %v, want %v", ids, []string{old.ID, mine.ID})
		}
		page, err := s.ListUnfulfilled(ctx, later, cauri.CursorOf(got[0]), 10)
		if err != nil || !slices.Equal(idsOf(page), []string{mine.ID}) {
			t.Errorf("ListUnfulfilled after %s = %v, %v; want %s", old.ID, idsOf(page), err, mine.ID)
		}

		// Each owner completes its own; then neither is listed, and
		// the older release still reads its own as done.
		if err := s.CompleteOnPaid(ctx, old.ID, "old-owner", at); err != nil {
			t.Errorf("CompleteOnPaid for the older release's owner: %v", err)
		}
		if err := s.CompleteOnPaid(ctx, mine.ID, "new-owner", at); err != nil {
			t.Errorf("CompleteOnPaid: %v", err)
		}
		for _, p := range []cauri.Payment{old, mine} {
			stored, err := s.Get(ctx, p.ID)
			if err != nil || !stored.FulfilledAt.Equal(at) || stored.OnPaidAttempts != 1 {
				t.Errorf("Get(%s) = fulfilled at %v, %d attempts, %v; want %v, 1", p.ID, stored.FulfilledAt, stored.OnPaidAttempts, err, at)
			}
			if err := s.ClaimOnPaid(ctx, p.ID, "third", later, time.Minute); !errors.Is(err, cauri.ErrFulfilled) {
				t.Errorf("ClaimOnPaid(%s) after its success: %v, want ErrFulfilled", p.ID, err)
			}
		}
		if got, err := s.ListUnfulfilled(ctx, later, cauri.Cursor{}, 10); err != nil || len(got) != 0 {
			t.Errorf("ListUnfulfilled after both = %v, %v; want none", idsOf(got), err)
		}
		var fulfilled sql.NullString
		if err := db.QueryRowContext(ctx, rebind(b.dialect, "SELECT fulfilled_at FROM "+table+" WHERE id = ?"), mine.ID).Scan(&fulfilled); err != nil || !fulfilled.Valid {
			t.Errorf("the payments row's fulfilled_at = %v, %v; want set, for the older release to read as done", fulfilled, err)
		}
	})
}

func idsOf(ps []cauri.Payment) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.ID
	}
	return out
}
