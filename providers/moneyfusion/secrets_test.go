package moneyfusion_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/internal/secretcheck"
	"github.com/cauripay/cauri/providers/moneyfusion"
	"github.com/cauripay/cauri/providers/moneyfusion/moneyfusiontest"
)

// TestTokenKeptSecret: MoneyFusion's payment token is the path of its
// payment page and reads the customer's name and phone; however the status
// call fails, and when the status is one nobody knows, it is in neither
// the error nor the logs.
func TestTokenKeptSecret(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := moneyfusiontest.New()
	defer srv.Close()
	var logs secretcheck.Logs
	cfg := srv.Config()
	cfg.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	p := provider(t, cfg)
	co, err := p.CreateCheckout(ctx, quiet(request(order())))
	if err != nil {
		t.Fatal(err)
	}
	ref := co.ProviderRef
	fetch := func(p *moneyfusion.Provider) secretcheck.Fetch {
		return func(ctx context.Context, ref string) error {
			_, err := p.FetchStatus(ctx, cauri.StatusQuery{PaymentID: "pay_01", ProviderRef: ref, Amount: 5000, Currency: "XOF"})
			return err
		}
	}

	secretcheck.EmulatorFailures(t, srv, ref, fetch(p))
	secretcheck.ServerFailures(t, "s3cr3tT0k3n0042", func(t *testing.T, base string) secretcheck.Fetch {
		c := moneyfusion.Config{APIURL: base + secretPath, StatusURL: base, Logger: cfg.Logger}
		return fetch(provider(t, c))
	},
		secretcheck.Answer{Name: "404 quoting the path", Status: 404, Body: `{"statut":false,"message":"PATH introuvable"}`},
		secretcheck.Answer{Name: "500 quoting the path", Status: 500, Body: `{"message":"PATH failed"}`},
		secretcheck.Answer{Name: "refused quoting the path", Status: 200, Body: `{"statut":false,"message":"PATH refused"}`},
		secretcheck.Answer{Name: "garbage", Status: 200, Type: "text/html", Body: `<html>PATH</html>`},
		secretcheck.Answer{Name: "another payment", Status: 200, Body: `{"statut":true,"data":{"tokenPay":"PATH","statut":"paid","Montant":5000}}`},
	)

	if err := srv.SetStatus(ref, "reversed"); err != nil {
		t.Fatal(err)
	}
	if u, err := p.FetchStatus(ctx, cauri.StatusQuery{PaymentID: "pay_01", ProviderRef: ref}); err != nil || u.Status != cauri.StatusPending {
		t.Fatalf("FetchStatus = %+v, %v", u, err)
	}
	if !strings.Contains(logs.String(), "unknown moneyfusion payment status") {
		t.Errorf("no warning for an unknown status:\n%s", logs.String())
	}
	secretcheck.Absent(t, "the logs", logs.String(), ref)
}
