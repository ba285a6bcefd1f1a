package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	_ "modernc.org/sqlite"

	"github.com/cauripay/cauri"
	sqlstore "github.com/cauripay/cauri/stores/sql"
)

// A payment's life in a SQLite store: created, attached to the provider's
// checkout, paid once however many webhooks race, and fulfilled once.
func Example() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "sqlstore-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "cauri.db")+
		"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	store := sqlstore.New(db, sqlstore.SQLite, sqlstore.WithTablePrefix("shop_"))
	if err := store.Migrate(ctx); err != nil {
		log.Fatal(err)
	}

	at := time.Date(2025, time.March, 14, 9, 30, 0, 0, time.UTC)
	p := cauri.Payment{
		ID: "pay_example", Provider: "moneroo", OrderID: "order-1042",
		CheckoutKey: "moneroo|order-1042|5000|XOF", Status: cauri.StatusPending,
		Amount: 5000, Currency: "XOF", Metadata: map[string]string{"cart": "42"},
		CreatedAt: at, UpdatedAt: at,
	}
	if err := store.Create(ctx, p); err != nil {
		log.Fatal(err)
	}
	if err := store.Attach(ctx, p.ID, "mnr_8f2k", "https://checkout.example/mnr_8f2k", at.Add(time.Second)); err != nil {
		log.Fatal(err)
	}

	// A double-submitted checkout finds the pending payment instead of
	// opening a second one.
	again := p
	again.ID = "pay_again"
	err = store.Create(ctx, again)
	fmt.Println("second checkout is a duplicate:", errors.Is(err, cauri.ErrDuplicate))
	pending, err := store.GetPendingByCheckoutKey(ctx, p.CheckoutKey)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("pending:", pending.ID, pending.ProviderRef)

	// The webhook moves the payment once; its duplicate loses.
	change := cauri.Change{To: cauri.StatusPaid, Fee: 75, Method: "wave_ci", At: at.Add(2 * time.Minute)}
	paid, err := store.Transition(ctx, p.ID, cauri.StatusPending, change)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("paid:", paid.Status, paid.Amount, paid.Currency, "fee", paid.Fee, paid.UpdatedAt.Format(time.RFC3339))
	_, err = store.Transition(ctx, p.ID, cauri.StatusPending, change)
	fmt.Println("duplicate webhook conflicts:", errors.Is(err, cauri.ErrConflict))

	// OnPaid runs under a lease, once.
	now := at.Add(3 * time.Minute)
	if err := store.ClaimOnPaid(ctx, p.ID, "replica-1", now, time.Minute); err != nil {
		log.Fatal(err)
	}
	err = store.ClaimOnPaid(ctx, p.ID, "replica-2", now, time.Minute)
	fmt.Println("second replica waits:", errors.Is(err, cauri.ErrLeaseHeld))
	if err := store.CompleteOnPaid(ctx, p.ID, "replica-1", now.Add(time.Second)); err != nil {
		log.Fatal(err)
	}
	done, err := store.Get(ctx, p.ID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("fulfilled:", done.Fulfilled(), done.FulfilledAt.Format(time.RFC3339), "after", done.OnPaidAttempts, "attempt")

	// Output:
	// second checkout is a duplicate: true
	// pending: pay_example mnr_8f2k
	// paid: paid 5000 XOF fee 75 2025-03-14T09:32:00Z
	// duplicate webhook conflicts: true
	// second replica waits: true
	// fulfilled: true 2025-03-14T09:33:01Z after 1 attempt
}

// Opening a Store in PostgreSQL, through pgx: the program imports the
// driver, the Store does not.
func ExampleNew_postgres() {
	// import _ "github.com/jackc/pgx/v5/stdlib"
	db, err := sql.Open("pgx", "postgres://shop:secret@db.internal:5432/shop?sslmode=verify-full")
	if err != nil {
		log.Fatal(err)
	}
	store := sqlstore.New(db, sqlstore.Postgres)
	if err := store.Migrate(context.Background()); err != nil {
		log.Fatal(err)
	}
	_ = cauri.Config{Store: store}
}

// Opening a Store in MySQL or MariaDB, through go-sql-driver/mysql, with
// tables named shop_payments and shop_schema_migrations.
func ExampleNew_mysql() {
	// import _ "github.com/go-sql-driver/mysql"
	db, err := sql.Open("mysql", "shop:secret@tcp(db.internal:3306)/shop?parseTime=true&interpolateParams=true")
	if err != nil {
		log.Fatal(err)
	}
	store := sqlstore.New(db, sqlstore.MySQL, sqlstore.WithTablePrefix("shop_"))
	if err := store.Migrate(context.Background()); err != nil {
		log.Fatal(err)
	}
	_ = cauri.Config{Store: store}
}
