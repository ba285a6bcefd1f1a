package novasend_test

import (
	"testing"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/novasend"
)

// BenchmarkMapStatus maps the raw status of a paid notification (three
// words) and a single word.
func BenchmarkMapStatus(b *testing.B) {
	for _, tt := range []struct {
		name, raw string
		want      cauri.Status
	}{
		{"three-words", "processed/accepted/completed", cauri.StatusPaid},
		{"one-word", "completed", cauri.StatusPaid},
		{"no-transaction", "processing/none/", cauri.StatusPending},
	} {
		b.Run(tt.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if s, known := novasend.MapStatus(tt.raw); s != tt.want || !known {
					b.Fatal(s, known)
				}
			}
		})
	}
}

// BenchmarkParseWebhook parses a signed payin notification that carries
// its completed transaction.
func BenchmarkParseWebhook(b *testing.B) {
	p, err := novasend.New(novasend.Config{APIKey: "pk", APIClient: "sk", AccountID: "merchant_1", WebhookSecrets: []string{secretOld}})
	if err != nil {
		b.Fatal(err)
	}
	body := []byte(completedBody)
	r := webhookRequest(completedBody, novasend.Sign(secretOld, body))
	b.ReportAllocs()
	for b.Loop() {
		if u, err := p.ParseWebhook(r, body); err != nil || u.Status != cauri.StatusPaid || !u.Authenticated {
			b.Fatal(u, err)
		}
	}
}
