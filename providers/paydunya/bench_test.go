package paydunya_test

import (
	"context"
	"testing"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/internal/emulator/emutest"
	"github.com/cauripay/cauri/providers/internal/clienttest"
	"github.com/cauripay/cauri/providers/paydunya"
	"github.com/cauripay/cauri/providers/paydunya/paydunyatest"
	"github.com/cauripay/cauri/providers/providertest"
)

// paidInvoice opens a checkout with the emulator and pays it. It returns
// the emulator, still running, and the invoice's token.
func paidInvoice(b *testing.B) (*paydunyatest.Server, string) {
	b.Helper()
	srv := emutest.Start(b, paydunyatest.New)
	co := clienttest.Drive(b, srv.Provider()).Open(request(order()))
	emutest.Act(b, srv.Act, co.RedirectURL, providertest.Pay)
	return srv, co.ProviderRef
}

// BenchmarkParseWebhook parses a completed invoice's IPN: the guide's
// example and the emulator's.
func BenchmarkParseWebhook(b *testing.B) {
	srv, token := paidInvoice(b)
	emulated, err := srv.ClaimBody(token, paydunya.StatusCompleted, true)
	if err != nil {
		b.Fatal(err)
	}
	guide, err := paydunya.New(config(""))
	if err != nil {
		b.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		p    cauri.Provider
		body []byte
	}{
		{"guide", guide, []byte(ipn())},
		{"emulator", srv.Provider(), emulated},
	} {
		b.Run(tt.name, func(b *testing.B) {
			r := ipnRequest(string(tt.body))
			b.ReportAllocs()
			for b.Loop() {
				u, err := tt.p.ParseWebhook(r, tt.body)
				if err != nil || u.Status != cauri.StatusPaid || u.Currency != "XOF" {
					b.Fatalf("%+v, %v", u, err)
				}
			}
		})
	}
}

// BenchmarkFetchStatus confirms a paid invoice with the emulator over
// loopback: the time is mostly HTTP's, the allocations show the parsing.
func BenchmarkFetchStatus(b *testing.B) {
	srv, token := paidInvoice(b)
	p := srv.Provider()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		u, err := p.FetchStatus(ctx, cauri.StatusQuery{ProviderRef: token, PaymentID: "pay_01"})
		if err != nil || u.Status != cauri.StatusPaid || u.Amount != 5000 {
			b.Fatalf("%+v, %v", u, err)
		}
	}
}

// BenchmarkMapStatus maps the status of a completed invoice.
func BenchmarkMapStatus(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if s, known := paydunya.MapStatus(paydunya.StatusCompleted); s != cauri.StatusPaid || !known {
			b.Fatal(s, known)
		}
	}
}
