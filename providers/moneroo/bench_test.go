package moneroo_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/internal/emulator/emutest"
	"github.com/cauripay/cauri/providers/internal/clienttest"
	"github.com/cauripay/cauri/providers/moneroo"
	"github.com/cauripay/cauri/providers/moneroo/monerootest"
	"github.com/cauripay/cauri/providers/providertest"
)

// paidDelivery is the payment.success notification the emulator posts for a
// paid checkout, with its headers, and the emulator, still running, that
// knows the payment.
func paidDelivery(b *testing.B) (srv *monerootest.Server, body []byte, header http.Header, ref string) {
	b.Helper()
	ctx := context.Background()
	srv = emutest.Start(b, monerootest.New)
	var mu sync.Mutex
	shop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, _ := io.ReadAll(r.Body)
		mu.Lock()
		body, header = got, r.Header.Clone()
		mu.Unlock()
	}))
	b.Cleanup(shop.Close)
	srv.SetWebhookURL(shop.URL)
	co := clienttest.Drive(b, srv.Provider()).Open(request(order()))
	emutest.Act(b, srv.Act, co.RedirectURL, providertest.Pay)
	if err := srv.FlushWebhooks(ctx); err != nil {
		b.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(body) == 0 {
		b.Fatal("the emulator sent no notification")
	}
	return srv, body, header, co.ProviderRef
}

// BenchmarkParseWebhook parses the emulator's paid notification: signed
// (the signature checked under one or two secrets) and unsigned.
func BenchmarkParseWebhook(b *testing.B) {
	srv, body, header, _ := paidDelivery(b)
	r := httptest.NewRequest(http.MethodPost, "/pay/webhooks/moneroo", nil)
	r.Header = header
	for _, tt := range []struct {
		name string
		cfg  moneroo.Config
		auth bool
	}{
		{"signed", srv.Config(), true},
		{"signed-rotating", moneroo.Config{SecretKey: "sk", WebhookSecrets: []string{"whsec_retired", srv.WebhookSecret}}, true},
		{"unsigned", moneroo.Config{SecretKey: "sk"}, false},
	} {
		b.Run(tt.name, func(b *testing.B) {
			p, err := moneroo.New(tt.cfg)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				u, err := p.ParseWebhook(r, body)
				if err != nil || u.Status != cauri.StatusPaid || u.Authenticated != tt.auth {
					b.Fatalf("%+v, %v", u, err)
				}
			}
		})
	}
}

// BenchmarkFetchStatus verifies a paid payment with the emulator over
// loopback: the time is mostly HTTP's, the allocations show the parsing.
func BenchmarkFetchStatus(b *testing.B) {
	srv, _, _, ref := paidDelivery(b)
	p := srv.Provider()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		u, err := p.FetchStatus(ctx, cauri.StatusQuery{ProviderRef: ref})
		if err != nil || u.Status != cauri.StatusPaid || u.Amount != 5000 {
			b.Fatalf("%+v, %v", u, err)
		}
	}
}

// BenchmarkMapStatus maps the status of a paid notification.
func BenchmarkMapStatus(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if s, known := moneroo.MapStatus("success"); s != cauri.StatusPaid || !known {
			b.Fatal(s, known)
		}
	}
}
