package providerhttp_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cauripay/cauri"
)

// The tests of this file run acme, a provider written against exported
// packages only (example_provider_test.go), through a kit: what a
// provider outside this module can count on.

// acmeShop is a kit with acme as its one provider, on a stand-in API.
type acmeShop struct {
	api *acmeAPI
	kit *cauri.Kit

	mu   sync.Mutex
	paid []string // the orders OnPaid ran for
}

func newAcmeShop(t *testing.T) *acmeShop {
	t.Helper()
	s := &acmeShop{api: &acmeAPI{checkouts: map[string]*acmeCheckout{}}}
	srv := httptest.NewServer(s.api)
	t.Cleanup(srv.Close)
	kit, err := acmeKit(srv.URL, func(_ context.Context, p cauri.Payment) error {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.paid = append(s.paid, p.OrderID)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s.kit = kit
	return s
}

// serve sends one request to the kit and returns its status and Location.
func (s *acmeShop) serve(method, target, body string) (int, string) {
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(method, strings.TrimPrefix(target, "https://shop.example/pay"), strings.NewReader(body))
	s.kit.ServeHTTP(rec, req)
	return rec.Code, rec.Header().Get("Location")
}

// checkout opens a payment and returns acme's checkout ID.
func (s *acmeShop) checkout(t *testing.T) string {
	t.Helper()
	code, page := s.serve(http.MethodPost, "/checkout/acme", "")
	id, ok := strings.CutPrefix(page, "https://pay.acme.example/")
	if code != http.StatusSeeOther || !ok {
		t.Fatalf("checkout: %d to %q, want 303 to acme's page", code, page)
	}
	return id
}

func (s *acmeShop) paidOrders() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.paid...)
}

// TestOutsideProvider settles acme payments the ways the kit learns of
// them: the customer's return, and an unsigned notification the kit
// confirms with FetchStatus.
func TestOutsideProvider(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		status   string // what acme's API says once the customer is done
		notify   bool   // a notification comes before the customer is back
		wantPage string
		wantPaid int
	}{
		{name: "paid, back first", status: "paid", wantPage: "/thanks", wantPaid: 1},
		{name: "paid, notified first", status: "paid", notify: true, wantPage: "/thanks", wantPaid: 1},
		{name: "failed", status: "failed", wantPage: "/sorry"},
		{name: "still open", status: "open", wantPage: "/waiting"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newAcmeShop(t)
			id := s.checkout(t)
			s.api.mu.Lock()
			c := s.api.checkouts[id]
			c.Status = tc.status
			back, note := c.ReturnURL, `{"id":"`+c.ID+`","reference":"`+c.Reference+`","status":"`+tc.status+`"}`
			s.api.mu.Unlock()

			if tc.notify {
				// Unsigned: it counts only once the API says the same.
				if code, _ := s.serve(http.MethodPost, "/webhooks/acme", note); code != http.StatusOK {
					t.Fatalf("notification: %d, want 200", code)
				}
				if got := len(s.paidOrders()); got != tc.wantPaid {
					t.Errorf("after the notification, OnPaid ran %d times, want %d", got, tc.wantPaid)
				}
			}
			code, page := s.serve(http.MethodGet, back, "")
			if code != http.StatusSeeOther || !strings.HasPrefix(page, tc.wantPage+"?") {
				t.Errorf("return: %d to %q, want 303 to %s", code, page, tc.wantPage)
			}
			if got := s.paidOrders(); len(got) != tc.wantPaid {
				t.Errorf("OnPaid ran for %v, want %d times", got, tc.wantPaid)
			}
		})
	}
}

// TestOutsideProviderErrors checks that acme's failures reach the kit as
// the ProviderError providerhttp classified them into.
func TestOutsideProviderErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		fail       int
		key        string
		wantStatus int
		wantTemp   bool
		wantRetry  time.Duration
		wantMsg    string
	}{
		{name: "unavailable", fail: http.StatusServiceUnavailable, key: "sk_test", wantStatus: 503, wantTemp: true, wantRetry: 7 * time.Second, wantMsg: "try later"},
		{name: "rate limited", fail: http.StatusTooManyRequests, key: "sk_test", wantStatus: 429, wantTemp: true, wantRetry: 7 * time.Second, wantMsg: "try later"},
		{name: "wrong key", key: "sk_wrong", wantStatus: 401, wantMsg: "bad key"},
		{name: "unknown checkout", key: "sk_test", wantStatus: 404, wantMsg: "no such checkout"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			api := &acmeAPI{checkouts: map[string]*acmeCheckout{}, fail: tc.fail}
			srv := httptest.NewServer(api)
			t.Cleanup(srv.Close)
			_, err := newAcme(srv.URL, tc.key).FetchStatus(t.Context(), cauri.StatusQuery{ProviderRef: "chk_1"})
			var pe *cauri.ProviderError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v, want a *cauri.ProviderError", err)
			}
			if pe.Provider != "acme" || pe.Op != "status" || pe.StatusCode != tc.wantStatus || pe.Temporary != tc.wantTemp ||
				pe.RetryAfter != tc.wantRetry || pe.Message != tc.wantMsg {
				t.Errorf("got %+v, want status %d, temporary %v, retry after %v, message %q", pe, tc.wantStatus, tc.wantTemp, tc.wantRetry, tc.wantMsg)
			}
			if cauri.IsTemporary(err) != tc.wantTemp {
				t.Errorf("cauri.IsTemporary = %v, want %v", !tc.wantTemp, tc.wantTemp)
			}
			if strings.Contains(err.Error(), tc.key) {
				t.Errorf("the API key is in the error: %v", err)
			}
		})
	}
}
