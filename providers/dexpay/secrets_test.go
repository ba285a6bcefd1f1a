package dexpay_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/internal/emulator/emutest"
	"github.com/cauripay/cauri/internal/secretcheck"
	"github.com/cauripay/cauri/providers/dexpay"
	"github.com/cauripay/cauri/providers/dexpay/dexpaytest"
	"github.com/cauripay/cauri/providers/internal/clienttest"
	"github.com/cauripay/cauri/providers/providertest"
)

const (
	testKey    = "pk_test_k3yk3yk3y0042"
	testSecret = "sk_test_s3cr3ts3cr3t0042"
)

// TestKeysKeptSecret: the API key and secret travel in headers; whatever
// an answer quotes of them, and however a call fails, they are in no
// error and no log.
func TestKeysKeptSecret(t *testing.T) {
	t.Parallel()
	var logs secretcheck.Logs
	log := slog.New(slog.NewTextHandler(&logs, nil))
	echo := func(status int, ctype, body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", ctype)
			w.WriteHeader(status)
			b := strings.NewReplacer("KEY", r.Header.Get("x-api-key"), "SECRET", r.Header.Get("x-api-secret")).Replace(body)
			_, _ = io.WriteString(w, b)
		}
	}
	answers := []struct {
		name    string
		handler http.HandlerFunc
	}{
		{"401 quoting the keys", echo(401, "application/json", `{"success":false,"message":"Invalid API credentials KEY SECRET","code":"SECRET"}`)},
		{"400 array quoting the keys", echo(400, "application/json", `{"message":["key KEY","secret SECRET"]}`)},
		{"500 error field", echo(500, "application/json", `{"error":"SECRET"}`)},
		{"success false", echo(200, "application/json", `{"success":false,"message":"KEY/SECRET refused"}`)},
		{"HTML", echo(200, "text/html", `<html>KEY SECRET</html>`)},
		{"a session of the other mode", echo(201, "application/json",
			`{"success":true,"data":{"reference":"pay_01","status":"REVERSED","payment_url":"https://x.example/SECRET","isSandbox":false,"amount":5000,"currency":"XOF"}}`)},
		{"unknown status", echo(200, "application/json",
			`{"success":true,"data":{"reference":"pay_01","status":"SECRET","amount":5000,"currency":"XOF","failure_reason":"KEY"}}`)},
		{"bad gateway", echo(502, "text/plain", `upstream KEY SECRET`)},
	}
	for _, a := range answers {
		t.Run(a.name, func(t *testing.T) {
			srv := httptest.NewServer(a.handler)
			defer srv.Close()
			p := provider(t, dexpay.Config{APIKey: testKey, APISecret: testSecret, BaseURL: srv.URL + "/api/v1", Logger: log})
			ctx := context.Background()
			var errs []error
			_, err := p.CreateCheckout(ctx, request(order()))
			errs = append(errs, err)
			u, err := p.FetchStatus(ctx, cauri.StatusQuery{PaymentID: "pay_01"})
			errs = append(errs, err)
			res, err := p.Payout(ctx, clienttest.Payout(dexpay.PayoutAccount("wave", "+221771234567"), 100))
			errs = append(errs, err)
			for _, s := range []string{testKey, testSecret} {
				secretcheck.Absent(t, "the update", fmt.Sprintf("%+v", u), s)
				secretcheck.Absent(t, "the payout", fmt.Sprintf("%+v", res), s)
			}
			for _, err := range errs {
				if err == nil {
					continue
				}
				secretcheck.Absent(t, "the error", err.Error(), testKey)
				secretcheck.Absent(t, "the error", err.Error(), testSecret)
			}
		})
	}

	t.Run("connection refused", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		srv.Close()
		p := provider(t, dexpay.Config{APIKey: testKey, APISecret: testSecret, BaseURL: srv.URL + "/api/v1", Logger: log})
		_, err := p.FetchStatus(context.Background(), cauri.StatusQuery{PaymentID: "pay_01"})
		if err == nil {
			t.Fatal("no error")
		}
		secretcheck.Absent(t, "the error", err.Error(), testSecret)
	})

	t.Run("emulator faults", func(t *testing.T) {
		srv := emutest.Start(t, dexpaytest.New, dexpaytest.WithKeys(testKey, testSecret))
		cfg := srv.Config()
		cfg.Logger = log
		p := provider(t, cfg)
		if _, err := p.CreateCheckout(context.Background(), request(order())); err != nil {
			t.Fatal(err)
		}
		for _, f := range []providertest.Fault{
			{Kind: providertest.FaultStatus, Status: 500},
			{Kind: providertest.FaultStatus, Status: 401},
			{Kind: providertest.FaultStatus, Status: 429, RetryAfter: time.Second},
			{Kind: providertest.FaultDrop, Times: 3},
		} {
			srv.InjectFault(providertest.OpStatus, f)
			_, err := p.FetchStatus(context.Background(), cauri.StatusQuery{PaymentID: "pay_01"})
			srv.InjectFault(providertest.OpStatus, providertest.Fault{Times: -1})
			if err == nil {
				t.Fatalf("fault %+v: no error", f)
			}
			secretcheck.Absent(t, "the error", err.Error(), testKey)
			secretcheck.Absent(t, "the error", err.Error(), testSecret)
		}
		if err := srv.SetStatus("pay_01", "REVERSED"); err != nil {
			t.Fatal(err)
		}
		if u, err := p.FetchStatus(context.Background(), cauri.StatusQuery{PaymentID: "pay_01"}); err != nil || u.Status != cauri.StatusPending {
			t.Fatalf("FetchStatus = %+v, %v", u, err)
		}
	})

	if !strings.Contains(logs.String(), "unknown dexpay session status") {
		t.Errorf("no warning for an unknown status:\n%s", logs.String())
	}
	for _, s := range []string{testKey, testSecret} {
		secretcheck.Absent(t, "the logs", logs.String(), s)
	}
}

// TestWebhookSecretsKeptSecret: a refused notification's error names
// neither the secrets nor the signature it carried.
func TestWebhookSecretsKeptSecret(t *testing.T) {
	t.Parallel()
	var logs secretcheck.Logs
	p := provider(t, dexpay.Config{APIKey: testKey, APISecret: testSecret, WebhookSecrets: []string{secretOld, secretNew},
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	body := []byte(completed)
	wrong := dexpay.Sign("not-the-secret", body)
	for _, h := range []string{dexpay.SignatureHeader, dexpay.LegacySignatureHeader} {
		_, err := p.ParseWebhook(webhookRequest(map[string]string{h: wrong}), body)
		if err == nil {
			t.Fatalf("%s: a wrong signature was accepted", h)
		}
		for _, s := range []string{secretOld, secretNew, wrong, testSecret} {
			secretcheck.Absent(t, "the error", err.Error(), s)
		}
	}
	// A notification of the other mode is logged, without secrets.
	live := provider(t, dexpay.Config{APIKey: "pk_live_1", APISecret: "sk_live_1", Mode: dexpay.Live, WebhookSecrets: []string{secretNew},
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if _, err := live.ParseWebhook(webhookRequest(signedWith(secretNew, completed)), body); err == nil {
		t.Fatal("a sandbox notification was taken live")
	}
	if !strings.Contains(logs.String(), "other mode") {
		t.Errorf("no warning for a notification of the other mode:\n%s", logs.String())
	}
	for _, s := range []string{secretOld, secretNew, dexpay.Sign(secretNew, body)} {
		secretcheck.Absent(t, "the logs", logs.String(), s)
	}
}
