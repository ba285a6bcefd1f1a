package clienttest

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/internal/secretcheck"
)

// refSecret is what the reference-secrecy checks need of a provider whose
// reference is the path of its hosted page, a bearer secret that no error
// and no log may quote (see package secretcheck).
type refSecret struct {
	// Logged returns a client of em that logs to l.
	Logged func(em Emulator, l *slog.Logger) cauri.Provider
	// AtURL returns a client of a fake API served at base, a test
	// server's root, that logs to l.
	AtURL func(base string, l *slog.Logger) cauri.Provider
	// JSONLogs is whether the logs are written as JSON rather than text.
	JSONLogs bool
	// Ref is a reference of the provider's form, which the fake API's
	// Answers quote (as PATH).
	Ref     string
	Answers []secretcheck.Answer
	// SetUnknown sets the status of the payment ref at em to one nobody
	// knows, whose log warning holds Warning; nil where the provider's own
	// tests check that.
	SetUnknown func(em Emulator, ref string) error
	Warning    string
}

// checkRefSecret checks that the provider's reference is in no error and
// no log, however the status call fails, and when the status is one
// nobody knows.
func checkRefSecret(t *testing.T, f Facts) {
	s := f.refSecret
	if s == nil {
		t.Skip("the provider's reference is no secret")
	}
	ctx := context.Background()
	em := f.New()
	defer em.Close()
	var logs secretcheck.Logs
	log := slog.New(slog.NewTextHandler(&logs, nil))
	if s.JSONLogs {
		log = slog.New(slog.NewJSONHandler(&logs, nil))
	}
	p := s.Logged(em, log)
	co, err := p.CreateCheckout(ctx, f.request("pay_01"))
	if err != nil {
		t.Fatal(err)
	}
	ref := co.ProviderRef
	fetch := func(p cauri.Provider) secretcheck.Fetch {
		return func(ctx context.Context, ref string) error {
			_, err := p.FetchStatus(ctx, cauri.StatusQuery{PaymentID: "pay_01", ProviderRef: ref, Amount: 5000, Currency: "XOF"})
			return err
		}
	}
	secretcheck.EmulatorFailures(t, em, ref, fetch(p))
	secretcheck.ServerFailures(t, s.Ref, func(_ *testing.T, base string) secretcheck.Fetch {
		return fetch(s.AtURL(base, log))
	}, s.Answers...)

	if s.SetUnknown != nil {
		if err := s.SetUnknown(em, ref); err != nil {
			t.Fatal(err)
		}
		if u, err := p.FetchStatus(ctx, cauri.StatusQuery{PaymentID: "pay_01", ProviderRef: ref}); err != nil || u.Status != cauri.StatusPending {
			t.Fatalf("FetchStatus = %+v, %v", u, err)
		}
		if !strings.Contains(logs.String(), s.Warning) {
			t.Errorf("no warning for an unknown status:\n%s", logs.String())
		}
	}
	secretcheck.Absent(t, "the logs", logs.String(), ref)
}
