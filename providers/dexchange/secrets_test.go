package dexchange_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/internal/secretcheck"
	"github.com/cauripay/cauri/providers/dexchange"
	"github.com/cauripay/cauri/providers/dexchange/dexchangetest"
)

// TestTransactionIDKeptSecret: the transactionId is the path of the
// payment page; however the status call fails, and when the status is one
// nobody knows, it is in neither the error nor the logs.
func TestTransactionIDKeptSecret(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := dexchangetest.New()
	defer srv.Close()
	var logs secretcheck.Logs
	cfg := srv.Config()
	cfg.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	p := provider(t, cfg)
	co, err := p.CreateCheckout(ctx, request(order()))
	if err != nil {
		t.Fatal(err)
	}
	ref := co.ProviderRef
	fetch := func(p *dexchange.Provider) secretcheck.Fetch {
		return func(ctx context.Context, ref string) error {
			_, err := p.FetchStatus(ctx, cauri.StatusQuery{PaymentID: "pay_01", ProviderRef: ref, Amount: 5000, Currency: "XOF"})
			return err
		}
	}

	secretcheck.EmulatorFailures(t, srv, ref, fetch(p))
	secretcheck.ServerFailures(t, "MIDs3cr3t0042", func(t *testing.T, base string) secretcheck.Fetch {
		c := dexchange.Config{APIKey: "sk.test.1", BaseURL: base + "/api/v1", Logger: cfg.Logger}
		return fetch(provider(t, c))
	},
		secretcheck.Answer{Name: "404 quoting the path", Status: 404, Body: `{"success":false,"message":["No transaction at PATH"]}`},
		secretcheck.Answer{Name: "500 quoting the path", Status: 500, Body: `{"message":"PATH failed"}`},
		secretcheck.Answer{Name: "unsuccessful quoting the path", Status: 200, Body: `{"success":false,"message":"PATH refused"}`},
		secretcheck.Answer{Name: "garbage", Status: 200, Type: "text/html", Body: `<html>PATH</html>`},
		secretcheck.Answer{Name: "another transaction", Status: 200, Body: `{"transaction":{"id":"PATH","STATUS":"SUCCESS","AMOUNT":5000}}`},
	)

	if err := srv.SetStatus(ref, "REVERSED"); err != nil {
		t.Fatal(err)
	}
	if u, err := p.FetchStatus(ctx, cauri.StatusQuery{PaymentID: "pay_01", ProviderRef: ref}); err != nil || u.Status != cauri.StatusPending {
		t.Fatalf("FetchStatus = %+v, %v", u, err)
	}
	if !strings.Contains(logs.String(), "unknown dexchange transaction status") {
		t.Errorf("no warning for an unknown status:\n%s", logs.String())
	}
	secretcheck.Absent(t, "the logs", logs.String(), ref)
}
