package moneroo_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/internal/secretcheck"
	"github.com/cauripay/cauri/providers/moneroo"
	"github.com/cauripay/cauri/providers/moneroo/monerootest"
)

// TestPaymentIDKeptSecret: Moneroo's payment ID is the path of its
// checkout page; however verify fails, and when the status is one nobody
// knows, it is in neither the error nor the logs.
func TestPaymentIDKeptSecret(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := monerootest.New()
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
	fetch := func(p *moneroo.Provider) secretcheck.Fetch {
		return func(ctx context.Context, ref string) error {
			_, err := p.FetchStatus(ctx, cauri.StatusQuery{PaymentID: "pay_01", ProviderRef: ref, Amount: 5000, Currency: "XOF"})
			return err
		}
	}

	secretcheck.EmulatorFailures(t, srv, ref, fetch(p))
	secretcheck.ServerFailures(t, "py_s3cr3t0042", func(t *testing.T, base string) secretcheck.Fetch {
		c := moneroo.Config{SecretKey: "sk_test_1", BaseURL: base + "/v1", Logger: cfg.Logger}
		return fetch(provider(t, c))
	},
		secretcheck.Answer{Name: "404 quoting the path", Status: 404, Body: `{"message":"No payment at PATH","data":null,"errors":null}`},
		secretcheck.Answer{Name: "500 quoting the path", Status: 500, Body: `{"message":"PATH failed"}`},
		secretcheck.Answer{Name: "garbage", Status: 200, Type: "text/html", Body: `<html>PATH</html>`},
		secretcheck.Answer{Name: "another payment", Status: 200, Body: `{"data":{"id":"PATH","status":"success","amount":5000,"currency":"XOF"}}`},
	)

	if err := srv.SetStatus(ref, "reversed"); err != nil {
		t.Fatal(err)
	}
	if u, err := p.FetchStatus(ctx, cauri.StatusQuery{PaymentID: "pay_01", ProviderRef: ref}); err != nil || u.Status != cauri.StatusPending {
		t.Fatalf("FetchStatus = %+v, %v", u, err)
	}
	if !strings.Contains(logs.String(), "unknown moneroo payment status") {
		t.Errorf("no warning for an unknown status:\n%s", logs.String())
	}
	secretcheck.Absent(t, "the logs", logs.String(), ref)
}
