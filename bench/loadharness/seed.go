package loadharness

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/cauripay/cauri"
)

// The scale scenario's seeding. A handful of template payments, one per
// kind below, are brought to their state through the store's own methods
// (Create, Transition, CompleteOnPaid, ClaimOrder, AppendEvents), so
// that their rows, in every table the store writes, are what the store
// writes. Then each template is cloned server-side, INSERT … SELECT over
// generate_series in batches, into every table that holds a payment's rows:
// the payments table and each table with a payment_id column, read from
// information_schema. Each clone has a new ID, order ID and provider
// reference (replaced wherever the template's appear in a text column: a
// checkout key, a checkout URL), and its own creation time, every time
// column moved by as much. Other columns are copied as they are. Nothing
// but those names is assumed of the schema: the store's migrations make
// it, and the clones follow whatever columns it has.

// seedKind is a kind of stored payment: how its template is made, and
// its share of the cloned rows.
type seedKind struct {
	tag      string  // two letters, in the clones' IDs
	name     string  // for the report
	share    float64 // of the cloned rows; 0 for fixed
	fixed    int     // that many clones, whatever the size
	provider string
	recent   bool // created in the last days rather than the last two years
	// make brings the template, created pending at t, to its state.
	make func(ctx context.Context, sd *seeder, p cauri.Payment, t time.Time) error
}

// seedKinds are the stored payments: mostly paid and old, some failed,
// cancelled or expired, some that needed a person, and a few whose
// OnPaid has not succeeded yet. The pending ones, a fixed number, recent,
// are made at the emulator by the reconcile measurement.
func seedKinds() []seedKind {
	paid := func(ctx context.Context, sd *seeder, p cauri.Payment, t time.Time) error {
		return sd.paid(ctx, p, t, true, nil)
	}
	final := func(to cauri.Status, reason string, src string, kinds ...cauri.EventKind) func(context.Context, *seeder, cauri.Payment, time.Time) error {
		return func(ctx context.Context, sd *seeder, p cauri.Payment, t time.Time) error {
			if _, err := sd.st.Transition(ctx, p.ID, cauri.StatusPending, cauri.Change{To: to, FailureReason: reason, At: t.Add(3 * time.Minute)}); err != nil {
				return err
			}
			var evs []cauri.Event
			for _, k := range kinds {
				evs = append(evs, cauri.Event{At: t.Add(3 * time.Minute), Kind: k, Source: src, Status: to, Detail: reason})
			}
			return sd.events(ctx, p, t, evs...)
		}
	}
	return []seedKind{
		{tag: "pm", name: "paid, Moneroo", share: 0.78, provider: "moneroo", make: paid},
		{tag: "pp", name: "paid, PayDunya", share: 0.10, provider: "paydunya", make: paid},
		{tag: "fa", name: "failed", share: 0.05, provider: "moneroo",
			make: final(cauri.StatusFailed, "insufficient funds", cauri.SourceWebhook, cauri.EventNotification, cauri.EventMoved)},
		{tag: "ca", name: "cancelled", share: 0.02, provider: "paydunya",
			make: final(cauri.StatusCancelled, "cancelled by the customer", cauri.SourceReturn, cauri.EventStatus, cauri.EventMoved)},
		{tag: "ex", name: "expired", share: 0.03, provider: "moneroo",
			make: final(cauri.StatusExpired, "past the maximum age", cauri.SourceReconciler, cauri.EventStatus, cauri.EventMoved)},
		{tag: "at", name: "paid, needed attention (amount refused first)", share: 0.02, provider: "moneroo",
			make: func(ctx context.Context, sd *seeder, p cauri.Payment, t time.Time) error {
				return sd.paid(ctx, p, t, true, []cauri.Event{{At: t.Add(time.Minute), Kind: cauri.EventRefused, Source: cauri.SourceWebhook,
					Status: cauri.StatusPaid, Detail: "amount 4000 XOF, want 5000 XOF", Attention: true}})
			}},
		{tag: "un", name: "paid, OnPaid not done (its lease lapsed)", fixed: 10, provider: "moneroo", recent: true,
			make: func(ctx context.Context, sd *seeder, p cauri.Payment, t time.Time) error {
				return sd.paid(ctx, p, t, false, nil)
			}},
	}
}

// seeder makes the templates and clones them.
type seeder struct {
	db     *sql.DB
	st     cauri.Store
	hist   cauri.HistoryStore // nil when the store keeps no history
	prefix string
	batch  int
}

// events appends the checkout's events and evs to p's history.
func (sd *seeder) events(ctx context.Context, p cauri.Payment, t time.Time, evs ...cauri.Event) error {
	if sd.hist == nil {
		return nil
	}
	all := append([]cauri.Event{
		{At: t, Kind: cauri.EventCreated, Source: cauri.SourceCheckout, Status: cauri.StatusPending},
		{At: t, Kind: cauri.EventOpened, Source: cauri.SourceCheckout, Detail: p.ProviderRef},
	}, evs...)
	return sd.hist.AppendEvents(ctx, p.ID, all...)
}

// paid moves p to paid as a settling webhook does, with OnPaid's lease,
// and records OnPaid done when done: then the order is claimed too.
func (sd *seeder) paid(ctx context.Context, p cauri.Payment, t time.Time, done bool, before []cauri.Event) error {
	at := t.Add(2 * time.Minute)
	owner := "seed-" + p.ID
	if _, err := sd.st.Transition(ctx, p.ID, cauri.StatusPending, cauri.Change{
		To: cauri.StatusPaid, Method: "orange_money", Fee: 150, Received: p.Amount, At: at,
		Lease: cauri.Lease{Owner: owner, Until: at.Add(5 * time.Minute)},
	}); err != nil {
		return err
	}
	evs := append(before,
		cauri.Event{At: at, Kind: cauri.EventNotification, Source: cauri.SourceWebhook, Status: cauri.StatusPaid, Detail: "signature verified"},
		cauri.Event{At: at, Kind: cauri.EventMoved, Source: cauri.SourceWebhook, Status: cauri.StatusPaid})
	if done {
		if err := sd.st.CompleteOnPaid(ctx, p.ID, owner, at); err != nil {
			return err
		}
		if _, err := sd.st.ClaimOrder(ctx, p.OrderID, p.ID); err != nil {
			return err
		}
		evs = append(evs, cauri.Event{At: at, Kind: cauri.EventOnPaid, Source: cauri.SourceWebhook, Detail: "succeeded"})
	}
	return sd.events(ctx, p, t, evs...)
}

// seedCounts splits rows into the kinds' clones: the fixed ones first,
// then the shares of the rest, the largest share taking what rounding
// leaves.
func seedCounts(kinds []seedKind, rows int) []int {
	counts := make([]int, len(kinds))
	rest := rows
	for i, k := range kinds {
		if k.fixed > 0 {
			counts[i] = min(k.fixed, rest)
			rest -= counts[i]
		}
	}
	left, largest := rest, -1
	for i, k := range kinds {
		if k.fixed > 0 {
			continue
		}
		counts[i] = int(math.Floor(k.share * float64(rest)))
		left -= counts[i]
		if largest < 0 || k.share > kinds[largest].share {
			largest = i
		}
	}
	if largest >= 0 {
		counts[largest] += left
	}
	return counts
}

// seedAge is the window the old kinds' clones are created in, before now;
// the recent ones are created in the last seedRecent.
const (
	seedAge    = 2 * 365 * 24 * time.Hour
	seedRecent = 3 * 24 * time.Hour
)

// seed makes the templates and clones them into rows payments in all.
// It returns how many payments the tables hold.
func (sd *seeder) seed(ctx context.Context, rows int, now time.Time, progress func(string, ...any)) error {
	kinds := seedKinds()
	counts := seedCounts(kinds, rows)
	tables, err := sd.cloneTables(ctx)
	if err != nil {
		return err
	}
	for i, k := range kinds {
		if counts[i] == 0 {
			continue
		}
		tmpl := cauri.Payment{
			ID: "pay_tmpl" + k.tag + strings.Repeat("0", 20), Provider: k.provider,
			ProviderRef: fmt.Sprintf("00000000-0000-4000-8000-%012d", i), OrderID: "ord_tmpl" + k.tag,
			Status: cauri.StatusPending, Amount: 5000, Currency: "XOF",
		}
		tmpl.CheckoutKey = k.provider + "|" + tmpl.OrderID + "|5000|XOF"
		tmpl.CheckoutURL = "https://checkout.example.com/" + tmpl.ProviderRef
		t := now.Add(-seedAge - time.Duration(i+1)*24*time.Hour).UTC().Truncate(time.Microsecond)
		tmpl.CreatedAt, tmpl.UpdatedAt = t, t
		if err := sd.st.Create(ctx, tmpl); err != nil {
			return fmt.Errorf("loadharness: seeding the %s template: %w", k.name, err)
		}
		if err := k.make(ctx, sd, tmpl, t); err != nil {
			return fmt.Errorf("loadharness: seeding the %s template: %w", k.name, err)
		}
		// The clones' creation times are spread evenly over the kind's
		// window, so that the kinds interleave.
		from, span := now.Add(-seedAge), seedAge-24*time.Hour
		if k.recent {
			from, span = now.Add(-seedRecent), seedRecent-24*time.Hour
		}
		step := span / time.Duration(counts[i])
		progress("scale: seeding %d %s payments", counts[i], k.name)
		for lo := 0; lo < counts[i]; lo += sd.batch {
			hi := min(lo+sd.batch, counts[i]) - 1
			for _, tb := range tables {
				if _, err := sd.db.ExecContext(ctx, tb.insert, tmpl.ID, lo, hi, k.tag, from.UTC(), step.Microseconds()); err != nil {
					return fmt.Errorf("loadharness: cloning %s into %s: %w", k.name, tb.name, err)
				}
			}
		}
	}
	for _, tb := range tables {
		if _, err := sd.db.ExecContext(ctx, "VACUUM (ANALYZE) "+tb.name); err != nil {
			return fmt.Errorf("loadharness: VACUUM (ANALYZE) %s: %w", tb.name, err)
		}
	}
	return nil
}

// cloneTable is a table the seeding clones templates into, and its
// statement: arguments the template's ID, the first and last clone
// numbers, the kind's tag, the first clone's creation time and the step
// between clones' creation times, in microseconds.
type cloneTable struct {
	name   string
	insert string
}

// column is a column of a table, from information_schema.
type column struct{ name, dataType string }

// tableColumns reads the columns of the harness's tables that can be
// written, table by table, in their order.
func (sd *seeder) tableColumns(ctx context.Context) (map[string][]column, error) {
	rows, err := sd.db.QueryContext(ctx, `SELECT table_name, column_name, data_type FROM information_schema.columns
		WHERE table_schema = current_schema() AND starts_with(table_name, $1)
		AND is_generated = 'NEVER' AND is_identity = 'NO'
		ORDER BY table_name, ordinal_position`, sd.prefix)
	if err != nil {
		return nil, fmt.Errorf("loadharness: reading the schema: %w", err)
	}
	defer rows.Close()
	out := make(map[string][]column)
	for rows.Next() {
		var t string
		var c column
		if err := rows.Scan(&t, &c.name, &c.dataType); err != nil {
			return nil, fmt.Errorf("loadharness: reading the schema: %w", err)
		}
		out[t] = append(out[t], c)
	}
	return out, rows.Err()
}

// cloneTables builds the clone statements: the payments table's first,
// then every other table with a payment_id column.
func (sd *seeder) cloneTables(ctx context.Context) ([]cloneTable, error) {
	schema, err := sd.tableColumns(ctx)
	if err != nil {
		return nil, err
	}
	payments := sd.prefix + "payments"
	if _, ok := schema[payments]; !ok {
		return nil, fmt.Errorf("loadharness: no table %s after the migrations", payments)
	}
	const (
		newID   = "('pay_' || $4::text || lpad(g::text, 24, '0'))"
		newOrd  = "('ord_' || $4::text || '_' || g::text)"
		newRef  = "(md5($4::text || g::text)::uuid::text)"
		created = "($5::timestamptz + (g - $2::bigint) * $6::bigint * interval '1 microsecond')"
		series  = " CROSS JOIN generate_series($2::bigint, $3::bigint) g"
	)
	build := func(table, alias, link, from string) cloneTable {
		var names, exprs []string
		for _, c := range schema[table] {
			col := alias + "." + c.name
			e := col
			switch {
			case c.name == link:
				e = newID
			case c.dataType == "character varying" || c.dataType == "text":
				// The template's ID, order and reference wherever they
				// appear: a checkout key, a URL, a detail.
				e = "replace(replace(replace(" + col + ", t.id, " + newID + "), t.order_id, " + newOrd + "), t.provider_ref, " + newRef + ")"
			case strings.HasPrefix(c.dataType, "timestamp"):
				e = col + " + (" + created + " - t.created_at)"
			}
			names = append(names, c.name)
			exprs = append(exprs, e)
		}
		return cloneTable{name: table, insert: "INSERT INTO " + table + " (" + strings.Join(names, ", ") + ") SELECT " +
			strings.Join(exprs, ", ") + " FROM " + from + series + " WHERE t.id = $1"}
	}
	out := []cloneTable{build(payments, "t", "id", payments+" t")}
	var others []string
	for table, cols := range schema {
		if table != payments && slices.ContainsFunc(cols, func(c column) bool { return c.name == "payment_id" }) {
			others = append(others, table)
		}
	}
	slices.Sort(others)
	for _, table := range others {
		out = append(out, build(table, "x", "payment_id", table+" x JOIN "+payments+" t ON t.id = x.payment_id"))
	}
	return out, nil
}

// dropTables drops every table whose name starts with prefix.
func dropTables(ctx context.Context, db *sql.DB, prefix string) error {
	rows, err := db.QueryContext(ctx, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND starts_with(table_name, $1)`, prefix)
	if err != nil {
		return fmt.Errorf("loadharness: listing the %s tables: %w", prefix, err)
	}
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return fmt.Errorf("loadharness: listing the %s tables: %w", prefix, err)
		}
		tables = append(tables, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("loadharness: listing the %s tables: %w", prefix, err)
	}
	if len(tables) == 0 {
		return nil
	}
	if _, err := db.ExecContext(ctx, "DROP TABLE IF EXISTS "+strings.Join(tables, ", ")); err != nil {
		return fmt.Errorf("loadharness: dropping the %s tables: %w", prefix, err)
	}
	return nil
}

// RelationSize is a table's size on disk, with its indexes and TOAST.
type RelationSize struct {
	Table                string
	Rows                 int64
	Total, Heap, Indexes int64 // bytes: pg_total_relation_size, pg_relation_size, pg_indexes_size
}

// relationSizes measures the prefix's tables, largest first.
func relationSizes(ctx context.Context, db *sql.DB, prefix string) ([]RelationSize, error) {
	rows, err := db.QueryContext(ctx, `SELECT c.relname, c.reltuples::bigint, pg_total_relation_size(c.oid), pg_relation_size(c.oid), pg_indexes_size(c.oid)
		FROM pg_class c WHERE c.relkind = 'r' AND c.relnamespace = current_schema()::regnamespace AND starts_with(c.relname, $1)
		ORDER BY pg_total_relation_size(c.oid) DESC, c.relname`, prefix)
	if err != nil {
		return nil, fmt.Errorf("loadharness: table sizes: %w", err)
	}
	defer rows.Close()
	var out []RelationSize
	for rows.Next() {
		var s RelationSize
		if err := rows.Scan(&s.Table, &s.Rows, &s.Total, &s.Heap, &s.Indexes); err != nil {
			return nil, fmt.Errorf("loadharness: table sizes: %w", err)
		}
		s.Rows = max(s.Rows, 0) // -1: never analysed
		out = append(out, s)
	}
	return out, rows.Err()
}
