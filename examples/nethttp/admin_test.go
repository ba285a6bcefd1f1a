package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/examples/internal/demotest"
	"github.com/cauripay/cauri/providers/providertest"
)

// adminJSON asks the shop's console for JSON as user:password and returns
// the HTTP status and the WWW-Authenticate header.
func (ts *testShop) adminJSON(t *testing.T, path, user, password string, v any) (int, string) {
	t.Helper()
	req := demotest.Request(t, ts.ts.URL, http.MethodGet, "/admin"+path, nil)
	if user != "" {
		req.SetBasicAuth(user, password)
	}
	req.Header.Set("Accept", "application/json")
	res, err := demotest.NoRedirects().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode == http.StatusOK && v != nil {
		if err := json.NewDecoder(res.Body).Decode(v); err != nil {
			t.Fatal(err)
		}
	}
	return res.StatusCode, res.Header.Get("WWW-Authenticate")
}

// TestAdminConsole: the console at /admin lets in only ADMIN_PASSWORD,
// and finds the payment whose provider reported another amount among
// those that need attention, with the refusal in its history.
func TestAdminConsole(t *testing.T) {
	ts := newTestShopWith(t, config{DatabaseURL: sqliteURL(t), AdminPassword: "s3cret pass"})
	for _, c := range []struct{ user, password string }{{"", ""}, {"ops", "wrong"}, {"", "s3cret pass"}, {"ops", "s3cret pas"}} {
		if code, challenge := ts.adminJSON(t, "/", c.user, c.password, nil); code != http.StatusUnauthorized || !strings.HasPrefix(challenge, "Basic ") {
			t.Errorf("credentials %q/%q: HTTP %d, WWW-Authenticate %q; want 401 and a Basic challenge", c.user, c.password, code, challenge)
		}
	}

	ref := ts.openOrder(t)
	checkoutURL := ts.checkout(t, "moneroo", buy(ref))
	ts.emus["moneroo"].ReportAmountDelta(-1000)
	if _, err := ts.emus["moneroo"].Act(t.Context(), checkoutURL, providertest.Pay); err != nil {
		t.Fatal(err)
	}
	var list struct {
		Payments []cauri.AdminPayment `json:"payments"`
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if code, _ := ts.adminJSON(t, "/?attention=1", "ops", "s3cret pass", &list); code != http.StatusOK {
			t.Fatalf("/admin/?attention=1: HTTP %d", code)
		}
		if len(list.Payments) > 0 || time.Now().After(deadline) {
			break
		}
	}
	if len(list.Payments) != 1 || list.Payments[0].OrderID != ref || list.Payments[0].Status != cauri.StatusPending {
		t.Fatalf("payments needing attention: %+v; want order %s's, pending", list.Payments, ref)
	}
	var page struct {
		History []cauri.AdminEvent `json:"history"`
	}
	ts.adminJSON(t, "/payments/"+list.Payments[0].ID, "ops", "s3cret pass", &page)
	refused := false
	for _, e := range page.History {
		refused = refused || e.Kind == cauri.EventRefused && e.Attention && strings.Contains(e.Detail, "4000 XOF")
	}
	if !refused {
		t.Errorf("history %+v lacks the refused amount", page.History)
	}
}

// TestAdminPasswordGenerated: offline with no ADMIN_PASSWORD, the shop
// makes one up; with a live provider it keeps the console shut.
func TestAdminPasswordGenerated(t *testing.T) {
	ts := newTestShop(t)
	if !ts.adminGenerated || len(ts.adminPassword) < 16 {
		t.Fatalf("generated %v, password of %d characters", ts.adminGenerated, len(ts.adminPassword))
	}
	if code, _ := ts.adminJSON(t, "/", "anyone", ts.adminPassword, nil); code != http.StatusOK {
		t.Errorf("with the generated password: HTTP %d", code)
	}
}
