package providers_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"testing"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/dexchange"
	"github.com/cauripay/cauri/providers/dexpay"
	"github.com/cauripay/cauri/providers/moneroo"
	"github.com/cauripay/cauri/providers/novasend"
)

// TestBlankWebhookSecretsAreLeftOut: every provider that takes webhook
// secrets accepts a list holding blanks, the unset environment variable of
// WebhookSecrets: []string{os.Getenv(...)}, leaves them out, and says so
// in one warning; a list without blanks logs nothing. (Each provider's own
// webhook tests show that the empty key then verifies nothing.)
func TestBlankWebhookSecretsAreLeftOut(t *testing.T) {
	t.Parallel()
	providers := []struct {
		name string
		new  func(secrets []string, log *slog.Logger) (cauri.Provider, error)
	}{
		{"moneroo", func(s []string, log *slog.Logger) (cauri.Provider, error) {
			return moneroo.New(moneroo.Config{SecretKey: "sk_test_1", WebhookSecrets: s, Logger: log})
		}},
		{"novasend", func(s []string, log *slog.Logger) (cauri.Provider, error) {
			return novasend.New(novasend.Config{APIKey: "pk_1", APIClient: "sk_1", AccountID: "merchant_1", WebhookSecrets: s, Logger: log})
		}},
		{"dexchange", func(s []string, log *slog.Logger) (cauri.Provider, error) {
			return dexchange.New(dexchange.Config{APIKey: "sk_test_1", WebhookSecrets: s, Logger: log})
		}},
		{"dexpay", func(s []string, log *slog.Logger) (cauri.Provider, error) {
			return dexpay.New(dexpay.Config{APIKey: "pk_test_1", APISecret: "sk_test_1", WebhookSecrets: s, Logger: log})
		}},
	}
	lists := []struct {
		name    string
		secrets []string
		blank   int // blanks the warning counts; 0: no warning
		inUse   int
	}{
		{"none", nil, 0, 0},
		{"one", []string{"whsec_1"}, 0, 1},
		{"an unset variable", []string{""}, 1, 0},
		{"blanks only", []string{"", " \t"}, 2, 0},
		{"a blank beside a secret", []string{"whsec_1", ""}, 1, 1},
	}
	for _, pr := range providers {
		for _, l := range lists {
			t.Run(pr.name+"/"+l.name, func(t *testing.T) {
				t.Parallel()
				var logs bytes.Buffer
				p, err := pr.new(l.secrets, slog.New(slog.NewJSONHandler(&logs, nil)))
				if err != nil || p.Name() != pr.name {
					t.Fatalf("New: %v, %v", p, err)
				}
				var records []map[string]any
				for dec := json.NewDecoder(&logs); dec.More(); {
					var r map[string]any
					if err := dec.Decode(&r); err != nil {
						t.Fatal(err)
					}
					records = append(records, r)
				}
				if l.blank == 0 {
					if len(records) != 0 {
						t.Errorf("logged %v, want nothing", records)
					}
					return
				}
				if len(records) != 1 {
					t.Fatalf("logged %v, want one warning", records)
				}
				r := records[0]
				if r["level"] != "WARN" || r["provider"] != pr.name || r["blank"] != float64(l.blank) || r["secrets_in_use"] != float64(l.inUse) {
					t.Errorf("logged %v, want a warning of %d blank secrets, %d in use", r, l.blank, l.inUse)
				}
			})
		}
	}
}
