package moneroo_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/moneroo"
)

// TestParseWebhookConcurrent checks the pooled HMAC states under
// concurrent notifications signed with each secret, a wrong one, or
// not at all: each gets its own verdict (run it with -race).
func TestParseWebhookConcurrent(t *testing.T) {
	t.Parallel()
	p := provider(t, moneroo.Config{SecretKey: "sk", WebhookSecrets: []string{secretOld, secretNew}})
	const workers, rounds = 8, 200
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Go(func() {
			for i := range rounds {
				id := fmt.Sprintf("r%d-%d", w, i)
				body := []byte(`{"event":"payment.success","data":{"id":"` + id + `","amount":200,"currency":"XOF","status":"success"}}`)
				var sig string
				var want error
				switch (w + i) % 4 {
				case 0:
					sig = moneroo.Sign(secretOld, body)
				case 1:
					sig = moneroo.Sign(secretNew, body)
				case 2:
					sig, want = moneroo.Sign("whsec_other", body), moneroo.ErrBadSignature
				case 3:
					want = moneroo.ErrNotSigned
				}
				u, err := p.ParseWebhook(webhookRequest(string(body), sig), body)
				switch {
				case want != nil && !errors.Is(err, want):
					errs <- fmt.Errorf("%s: err = %v, want %v", id, err, want)
					return
				case want == nil && (err != nil || u.ProviderRef != id || u.Status != cauri.StatusPaid || !u.Authenticated):
					errs <- fmt.Errorf("%s: %+v, %v", id, u, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
