package cauri_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/moneroo"
	"github.com/cauripay/cauri/providers/moneroo/monerootest"
	"github.com/cauripay/cauri/providers/providertest"
	"github.com/cauripay/cauri/stores/memory"
)

// readmeIntegration is the README's integration snippet, the lines between
// the markers, one tab less indented: TestREADMEIntegration checks that
// README.md shows exactly them, and takes a payment through them.
func readmeIntegration(mux *http.ServeMux, shop *readmeShop) error {
	// README.md "Integration" begins.
	prov, err := moneroo.New(moneroo.Config{
		SecretKey:      os.Getenv("MONEROO_SECRET_KEY"),
		WebhookSecrets: []string{os.Getenv("MONEROO_WEBHOOK_SECRET")}, // unset: confirmed with the API
		BaseURL:        os.Getenv("MONEROO_BASE_URL"),                 // unset: https://api.moneroo.io/v1
	})
	if err != nil {
		return err
	}

	kit, err := cauri.New(cauri.Config{
		Store:     memory.New(), // or your database
		Providers: []cauri.Provider{prov},
		PublicURL: "https://shop.example/pay", // where the kit is mounted
		Secret:    os.Getenv("CAURI_SECRET"),  // 32+ random bytes
		Order: func(r *http.Request, provider string) (cauri.Order, error) {
			o, err := shop.OrderFromSession(r) // amounts from your server, never the form
			if err != nil {
				return cauri.Order{}, err // wrapping cauri.ErrNotFound: 404
			}
			return cauri.Order{
				ID: o.ID, Amount: o.Total, Currency: o.Currency, // 5000 XOF; 1050 USD is $10.50
				// Moneroo requires the customer's email, first and last name.
				Customer: cauri.Customer{Email: o.Email, FirstName: o.FirstName, LastName: o.LastName},
			}, nil
		},
		OnPaid: func(ctx context.Context, p cauri.Payment) error {
			o, err := shop.Order(ctx, p.OrderID)
			if err != nil {
				return err // retried later
			}
			switch {
			case p.Anomaly == cauri.AnomalyOverpaid && p.Amount == o.Total:
				// Paid in full, and then some: ship, and give back the rest.
				if err := shop.CreditBack(ctx, o, p.ID, p.Surplus()); err != nil {
					return err
				}
			case p.Anomaly != "" || p.Amount != o.Total || p.Currency != o.Currency:
				// Paid twice, or through a checkout a newer one replaced (an
				// older basket): money moved, but shipping would be wrong.
				return shop.HoldForRefund(ctx, o, p)
			}
			return shop.Fulfil(ctx, o, p.ID) // p.ID is an idempotency key
		},
		SuccessURL: "/thanks", FailureURL: "/sorry", PendingURL: "/waiting",
		Registerer: prometheus.DefaultRegisterer, // nil: no metrics
		Logger:     slog.Default(),
	})
	if err != nil {
		return err
	}
	mux.Handle("/pay/", http.StripPrefix("/pay", kit))
	// README.md "Integration" ends.
	return nil
}

// readmeOrder is an order as the snippet's shop keeps it.
type readmeOrder struct {
	ID, Currency               string
	Total                      int64
	Email, FirstName, LastName string
}

// readmeShop is the shop the snippet calls: its orders, the session's
// ("cart" form value), and what OnPaid did.
type readmeShop struct {
	mu        sync.Mutex
	orders    map[string]readmeOrder
	fulfilled map[string][]string // payment IDs shipped, by order
	held      []string            // payments held for a refund
	credited  map[string]int64    // surplus given back, by payment
}

func newReadmeShop(orders ...readmeOrder) *readmeShop {
	s := &readmeShop{orders: map[string]readmeOrder{}, fulfilled: map[string][]string{}, credited: map[string]int64{}}
	for _, o := range orders {
		s.orders[o.ID] = o
	}
	return s
}

func (s *readmeShop) OrderFromSession(r *http.Request) (readmeOrder, error) {
	return s.Order(r.Context(), r.PostFormValue("cart"))
}

func (s *readmeShop) Order(_ context.Context, id string) (readmeOrder, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[id]
	if !ok {
		return readmeOrder{}, fmt.Errorf("order %q: %w", id, cauri.ErrNotFound)
	}
	return o, nil
}

func (s *readmeShop) CreditBack(_ context.Context, o readmeOrder, paymentID string, surplus int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.credited[paymentID] += surplus
	return nil
}

func (s *readmeShop) HoldForRefund(_ context.Context, o readmeOrder, p cauri.Payment) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.held = append(s.held, p.ID)
	return nil
}

func (s *readmeShop) Fulfil(_ context.Context, o readmeOrder, paymentID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fulfilled[o.ID] = append(s.fulfilled[o.ID], paymentID)
	return nil
}

// shipped returns the payments shipped for order, and whether anything
// was held or credited back.
func (s *readmeShop) shipped(order string) (payments []string, other bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.fulfilled[order]...), len(s.held) > 0 || len(s.credited) > 0
}

// TestREADMEIntegration: README.md's integration snippet is
// readmeIntegration's, byte for byte, and, copied with only the variables
// it names set (the webhook secret and the base URL being optional), it
// takes a payment: checkout, Moneroo's hosted page (its emulator, on
// loopback), the webhook, OnPaid shipping the order once, the customer back
// on the success page, the status endpoint saying paid.
func TestREADMEIntegration(t *testing.T) {
	t.Run("README shows the snippet", func(t *testing.T) {
		readme, err := os.ReadFile("README.md")
		if err != nil {
			t.Fatal(err)
		}
		source, err := os.ReadFile("readme_test.go")
		if err != nil {
			t.Fatal(err)
		}
		shown, err := codeBlockUnder(readme, "## Integration")
		if err != nil {
			t.Fatal(err)
		}
		want, err := markedLines(source, `// README.md "Integration" begins.`, `// README.md "Integration" ends.`)
		if err != nil {
			t.Fatal(err)
		}
		if shown != want {
			t.Errorf("README.md's Integration snippet is not readmeIntegration's; it should read:\n%s", want)
		}
	})

	tests := []struct {
		name          string
		webhookSecret bool // MONEROO_WEBHOOK_SECRET set
	}{
		{name: "no webhook secret: notifications confirmed with the API"},
		{name: "webhook secret: notifications verified", webhookSecret: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			emu := monerootest.New()
			defer emu.Close()
			// The variables the snippet names, and no other.
			t.Setenv("MONEROO_SECRET_KEY", emu.SecretKey)
			t.Setenv("MONEROO_BASE_URL", emu.BaseURL())
			t.Setenv("CAURI_SECRET", "a-secret-of-32-or-more-random-bytes!")
			t.Setenv("MONEROO_WEBHOOK_SECRET", emu.WebhookSecret)
			if !tt.webhookSecret {
				os.Unsetenv("MONEROO_WEBHOOK_SECRET") // t.Setenv restores it
			}

			shop := newReadmeShop(readmeOrder{ID: "order-42", Total: 5000, Currency: "XOF",
				Email: "awa@example.com", FirstName: "Awa", LastName: "Diallo"})
			mux := http.NewServeMux()
			if err := readmeIntegration(mux, shop); err != nil {
				t.Fatalf("the snippet stops: %v", err)
			}
			srv := httptest.NewServer(mux)
			defer srv.Close()
			emu.SetWebhookURL(srv.URL + "/pay/webhooks/moneroo") // as in Moneroo's dashboard
			client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			// The kit is at https://shop.example/pay; this one is on loopback.
			here := func(u string) string { return strings.Replace(u, "https://shop.example", srv.URL, 1) }

			resp, err := client.PostForm(srv.URL+"/pay/checkout/moneroo", url.Values{"cart": {"order-42"}})
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			page := resp.Header.Get("Location")
			if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(page, emu.URL+"/checkout/") {
				t.Fatalf("checkout: HTTP %d to %q, want 303 to Moneroo's page", resp.StatusCode, page)
			}
			back, err := emu.Act(context.Background(), page, providertest.Pay)
			if err != nil {
				t.Fatal(err)
			}
			ds := emu.Deliveries()
			if len(ds) != 1 || !ds[0].OK() {
				t.Fatalf("webhook deliveries %+v, want one acknowledged", ds)
			}
			shipped, other := shop.shipped("order-42")
			if len(shipped) != 1 || other {
				t.Fatalf("after the webhook, shipped %q (held or credited: %v), want one payment shipped", shipped, other)
			}

			resp, err = client.Get(here(back))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			thanks, err := url.Parse(resp.Header.Get("Location"))
			if err != nil || resp.StatusCode != http.StatusSeeOther || thanks.Path != "/thanks" || thanks.Query().Get("payment_id") != shipped[0] {
				t.Fatalf("return: HTTP %d to %q, want 303 to /thanks?payment_id=%s", resp.StatusCode, resp.Header.Get("Location"), shipped[0])
			}

			status := srv.URL + "/pay/payments/" + shipped[0] + "?token=" + url.QueryEscape(thanks.Query().Get("token"))
			resp, err = client.Get(status)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var st cauri.StatusResponse
			if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
				t.Fatal(err)
			}
			if st.Status != cauri.StatusPaid || st.OrderID != "order-42" || st.Amount != 5000 || st.Currency != "XOF" {
				t.Errorf("status %+v, want order-42 paid, 5000 XOF", st)
			}
			if again, _ := shop.shipped("order-42"); len(again) != 1 {
				t.Errorf("shipped %q, want once", again)
			}
		})
	}
}

// codeBlockUnder returns the body of the first ```go block after the line
// heading in markdown.
func codeBlockUnder(markdown []byte, heading string) (string, error) {
	sc := bufio.NewScanner(bytes.NewReader(markdown))
	var b strings.Builder
	state := 0 // 0: looking for heading, 1: for the block, 2: in it
	for sc.Scan() {
		line := sc.Text()
		switch {
		case state == 0 && line == heading:
			state = 1
		case state == 1 && strings.HasPrefix(line, "#"):
			return "", fmt.Errorf("no ```go block under %q", heading)
		case state == 1 && line == "```go":
			state = 2
		case state == 2 && line == "```":
			return b.String(), nil
		case state == 2:
			b.WriteString(line)
			b.WriteByte('\n')
		}
	}
	if err := sc.Err(); err != nil {
		return "", err
	}
	return "", fmt.Errorf("no complete ```go block under %q", heading)
}

// markedLines returns the lines of source between the lines holding begin
// and end, each with one leading tab taken off.
func markedLines(source []byte, begin, end string) (string, error) {
	sc := bufio.NewScanner(bytes.NewReader(source))
	var b strings.Builder
	in := false
	for sc.Scan() {
		line := sc.Text()
		switch trimmed := strings.TrimSpace(line); {
		case trimmed == begin:
			in = true
		case trimmed == end && in:
			return b.String(), nil
		case in:
			b.WriteString(strings.TrimPrefix(line, "\t"))
			b.WriteByte('\n')
		}
	}
	if err := sc.Err(); err != nil {
		return "", err
	}
	return "", errors.New("markers not found")
}
