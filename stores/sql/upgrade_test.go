package sqlstore_test

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cauripay/cauri"
	sqlstore "github.com/cauripay/cauri/stores/sql"
	"github.com/cauripay/cauri/stores/storetest"
)

// previousCreate is the INSERT the release before schema version 3 makes,
// which knows none of the columns added since.
const previousCreate = "INSERT INTO %spayments (id, provider, provider_ref, order_id, checkout_key, pending_key, " +
	"status, amount, currency, fee, method, failure_reason, checkout_url, metadata, " +
	"created_at, updated_at, onpaid_attempts, fulfilled_at) " +
	"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"

// TestMigrateFromVersion2 upgrades a database at schema version 2, with
// payments in it, while the release that made them still writes: the rows
// come back intact, with no turn to poll and not superseded; each order
// paid before is held by its earliest paid payment; and both releases keep
// working on the upgraded tables.
func TestMigrateFromVersion2(t *testing.T) {
	// Every version this package has after 2 (each dialect has the same).
	entries, err := os.ReadDir("migrations/sqlite")
	if err != nil {
		t.Fatal(err)
	}
	newer := 0
	for _, e := range entries {
		if v, _, _ := strings.Cut(e.Name(), "_"); v > "0002" {
			newer++
		}
	}
	eachBackend(t, func(t *testing.T, b backend) {
		ctx, db := b.connect(t)
		s := b.unmigrated(t, db)
		prefix := s.TablePrefix()
		if err := s.MigrateTo(ctx, 2); err != nil {
			t.Fatalf("MigrateTo(2): %v", err)
		}

		insert := fmt.Sprintf(previousCreate, prefix)
		if b.dialect == sqlstore.Postgres {
			insert = sqlstore.Numbered(insert)
		}
		timeArg := func(t time.Time) any {
			if t.IsZero() {
				return nil
			}
			if b.dialect == sqlstore.SQLite {
				return t.Format("2006-01-02T15:04:05.000000Z")
			}
			return t
		}
		// write stores p as the previous release does.
		write := func(p cauri.Payment) {
			t.Helper()
			var ref, pendingKey, md any
			if p.ProviderRef != "" {
				ref = p.ProviderRef
			}
			if p.Status == cauri.StatusPending && p.CheckoutKey != "" {
				pendingKey = p.CheckoutKey
			}
			if len(p.Metadata) > 0 {
				j, err := json.Marshal(p.Metadata)
				if err != nil {
					t.Fatal(err)
				}
				md = string(j)
			}
			if _, err := db.ExecContext(ctx, insert,
				p.ID, p.Provider, ref, p.OrderID, p.CheckoutKey, pendingKey,
				string(p.Status), p.Amount, p.Currency, p.Fee, p.Method, p.FailureReason, p.CheckoutURL, md,
				timeArg(p.CreatedAt), timeArg(p.UpdatedAt), p.OnPaidAttempts, timeArg(p.FulfilledAt)); err != nil {
				t.Fatalf("writing %s as the previous release: %v", p.ID, err)
			}
		}

		t0 := time.Date(2026, time.March, 4, 5, 6, 7, 891000, time.UTC)
		base := "pay_" + rand.Text()
		orderA, orderB, orderC := "order_"+rand.Text(), "order_"+rand.Text(), "order_"+rand.Text()
		mk := func(id, order string, created time.Time, st cauri.Status) cauri.Payment {
			p := storetest.Payment(id, created)
			p.OrderID, p.Status = order, st
			p.UpdatedAt = created.Add(time.Minute)
			if st == cauri.StatusPaid {
				p.Fee, p.Method, p.OnPaidAttempts = 75, "wave_ci", 1
				p.FulfilledAt = created.Add(2 * time.Minute)
			}
			return p
		}
		pending := mk(base+"_pending", orderC, t0, cauri.StatusPending)
		pending.ProviderRef, pending.CheckoutURL = "", ""
		pending.Metadata = nil
		failed := mk(base+"_failed", orderA, t0.Add(-time.Hour), cauri.StatusFailed)
		failed.FailureReason = "insufficient funds"
		// Written latest first: the earliest paid payment holds the
		// order whatever the order of the rows.
		rows := []cauri.Payment{
			pending,
			failed,
			mk(base+"_a_later", orderA, t0.Add(time.Second), cauri.StatusPaid),
			mk(base+"_a_tie", orderA, t0, cauri.StatusPaid),
			mk(base+"_a_first", orderA, t0, cauri.StatusPaid),
			mk(base+"_b", orderB, t0.Add(time.Hour), cauri.StatusPaid),
		}
		rows[2].FulfilledAt = time.Time{} // paid, OnPaid still to run
		for _, p := range rows {
			write(p)
		}

		if err := s.Migrate(ctx); err != nil {
			t.Fatalf("Migrate from version 2: %v", err)
		}
		var versions int
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+prefix+"schema_migrations WHERE version > 2").Scan(&versions); err != nil || versions != newer {
			t.Errorf("versions after 2 recorded: %d (%v), want %d", versions, err, newer)
		}
		for _, want := range rows {
			got, err := s.Get(ctx, want.ID)
			if err != nil {
				t.Errorf("Get(%s) after the upgrade: %v", want.ID, err)
				continue
			}
			if d := differ(got, want); d != "" {
				t.Errorf("Get(%s) after the upgrade: %s", want.ID, d)
			}
		}
		var claimed int
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+prefix+"orders").Scan(&claimed); err != nil || claimed != 2 {
			t.Errorf("orders claimed by the upgrade: %d (%v), want 2", claimed, err)
		}
		holds := func(what, order, want string) {
			t.Helper()
			got, err := s.ClaimOrder(ctx, order, "pay_"+rand.Text())
			if err != nil || got != want {
				t.Errorf("%s: ClaimOrder(%s) = %q, %v; want %q", what, order, got, err, want)
			}
		}
		holds("after the upgrade", orderA, base+"_a_first")
		holds("after the upgrade", orderB, base+"_b")
		// An order with no paid payment was not claimed by the upgrade.
		if got, err := s.ClaimOrder(ctx, orderC, pending.ID); err != nil || got != pending.ID {
			t.Errorf("ClaimOrder of an order not paid before the upgrade = %q, %v; want %q", got, err, pending.ID)
		}

		// The new release works on the rows the previous one wrote…
		if ok, err := s.TakePoll(ctx, pending.ID, t0, t0.Add(time.Minute)); !ok || err != nil {
			t.Errorf("TakePoll of a payment written before the upgrade = %v, %v; want true", ok, err)
		}
		later := storetest.Payment(base+"_new", t0.Add(time.Second))
		later.OrderID = orderC
		if err := s.Create(ctx, later); err != nil {
			t.Fatal(err)
		}
		if n, err := s.Supersede(ctx, orderC, cauri.CursorOf(later)); n != 1 || err != nil {
			t.Errorf("Supersede of a payment written before the upgrade = %d, %v; want 1", n, err)
		}
		// … and the previous release keeps writing its own.
		old := mk(base+"_old", orderC, t0.Add(2*time.Second), cauri.StatusPending)
		write(old)
		if got, err := s.GetPendingByCheckoutKey(ctx, old.CheckoutKey); err != nil {
			t.Errorf("GetPendingByCheckoutKey of a payment the previous release wrote after the upgrade: %v", err)
		} else if d := differ(got, old); d != "" {
			t.Errorf("payment the previous release wrote after the upgrade: %s", d)
		}

		// Versions applied but not recorded run again harmlessly, and
		// leave the orders' holders as they were.
		if _, err := db.ExecContext(ctx, "DELETE FROM "+prefix+"schema_migrations WHERE version > 2"); err != nil {
			t.Fatal(err)
		}
		if err := s.Migrate(ctx); err != nil {
			t.Fatalf("Migrate again over versions not recorded: %v", err)
		}
		holds("after migrating again", orderA, base+"_a_first")
		holds("after migrating again", orderC, pending.ID)
		if _, err := s.Get(ctx, pending.ID); err != nil {
			t.Errorf("Get after migrating again: %v", err)
		}
	})
}

// differ describes how got differs from want, or returns "".
func differ(got, want cauri.Payment) string {
	var d []string
	if !maps.Equal(got.Metadata, want.Metadata) {
		d = append(d, fmt.Sprintf("Metadata = %v, want %v", got.Metadata, want.Metadata))
	}
	for _, tm := range []struct {
		name      string
		got, want time.Time
	}{
		{"CreatedAt", got.CreatedAt, want.CreatedAt},
		{"UpdatedAt", got.UpdatedAt, want.UpdatedAt},
		{"FulfilledAt", got.FulfilledAt, want.FulfilledAt},
		{"NextPollAt", got.NextPollAt, want.NextPollAt},
	} {
		if !tm.got.Equal(tm.want) {
			d = append(d, fmt.Sprintf("%s = %v, want %v", tm.name, tm.got, tm.want))
		}
	}
	got.Metadata, want.Metadata = nil, nil
	got.CreatedAt, got.UpdatedAt, got.FulfilledAt, got.NextPollAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	want.CreatedAt, want.UpdatedAt, want.FulfilledAt, want.NextPollAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	if !reflect.DeepEqual(got, want) {
		d = append(d, fmt.Sprintf("got %+v, want %+v", got, want))
	}
	return strings.Join(d, "; ")
}
