package dexpay_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/internal/emulator/emutest"
	"github.com/cauripay/cauri/providers/dexpay"
	"github.com/cauripay/cauri/providers/dexpay/dexpaytest"
	"github.com/cauripay/cauri/providers/internal/clienttest"
	"github.com/cauripay/cauri/providers/providertest"
	"github.com/cauripay/cauri/stores/memory"
)

func TestPayout(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := emutest.Start(t, dexpaytest.New)
	p := srv.Provider().(*dexpay.Provider)

	res, err := p.Payout(ctx, clienttest.Payout(dexpay.PayoutAccount("wave", "+221771234567"), 10000))
	if err != nil {
		t.Fatal(err)
	}
	po, ok := srv.Payout(res.ProviderRef)
	if !ok || res.Status != cauri.PayoutPending || res.Message != "" || !strings.HasPrefix(res.ProviderRef, "po_") {
		t.Fatalf("payout %+v, emulator %+v", res, po)
	}
	if po.Amount != 10000 || po.Currency != "XOF" || po.DestinationPhone != "+221771234567" || po.Operator != "wave" ||
		po.CountryISO != "SN" || po.Status != "PENDING" || !strings.HasPrefix(po.Reference, "PO_") {
		t.Errorf("emulator payout %+v", po)
	}
	reqs := srv.Requests()
	r := reqs[len(reqs)-1]
	want := `{"amount":10000,"currency":"XOF","destination_phone":"+221771234567",` +
		`"destination_details":{"operator":"wave","countryISO":"SN"},"metadata":{"cauri_payout_key":"po-1","description":"Part du fournisseur"}}`
	if r.Method != http.MethodPost || r.Path != "/api/v1/payouts" || string(r.Body) != want ||
		r.Header.Get("x-api-key") != srv.APIKey || r.Header.Get("x-api-secret") != srv.APISecret {
		t.Errorf("request %s %s\n got %s\nwant %s", r.Method, r.Path, r.Body, want)
	}

	for _, tt := range []struct {
		account, country string
		currency         string
	}{
		{dexpay.PayoutAccount("orange_money", "+2250701020304"), "CI", "XOF"},
		{dexpay.PayoutAccount("mtn", "+22670123456"), "BF", "XOF"},
		{dexpay.PayoutAccount("orange_money", "+224620123456"), "GN", "GNF"},
	} {
		req := clienttest.Payout(tt.account, 5000)
		req.Currency = tt.currency
		res, err := p.Payout(ctx, req)
		if err != nil || res.Status != cauri.PayoutPending {
			t.Fatalf("%s: %+v %v", tt.account, res, err)
		}
		if po, _ := srv.Payout(res.ProviderRef); po.CountryISO != tt.country || po.Currency != tt.currency {
			t.Errorf("%s: payout to %s in %s", tt.account, po.CountryISO, po.Currency)
		}
	}
}

// TestPayoutThroughKit: the kit's Payout, idempotent on its key, with
// DEXPAY's pending answer recorded.
func TestPayoutThroughKit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := emutest.Start(t, dexpaytest.New)
	k, err := cauri.New(cauri.Config{
		Store:      memory.New(),
		Providers:  []cauri.Provider{srv.Provider()},
		PublicURL:  "https://shop.example/pay",
		Secret:     "kit-secret-kit-secret-kit-secret-kit-secret",
		Order:      func(*http.Request, string) (cauri.Order, error) { return cauri.Order{}, cauri.ErrNotFound },
		SuccessURL: "/ok", FailureURL: "/ko", PendingURL: "/wait",
	})
	if err != nil {
		t.Fatal(err)
	}
	req := clienttest.Payout(dexpay.PayoutAccount("wave", "+221771234567"), 2500)
	first, err := k.Payout(ctx, "dexpay", req)
	if err != nil || first.Status != cauri.PayoutPending || first.ProviderRef == "" {
		t.Fatalf("Payout = %+v, %v", first, err)
	}
	again, err := k.Payout(ctx, "dexpay", req)
	if err != nil || again != first {
		t.Errorf("again = %+v, %v; want %+v", again, err, first)
	}
	n := 0
	for _, r := range srv.Requests() {
		if r.Path == "/api/v1/payouts" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d payouts sent, want 1", n)
	}

	// Pending at first: the kit looks it up, by GET /payouts/{id}, and
	// finishes it once DEXPAY settles it; nothing is sent again.
	if p, err := k.ResolvePayout(ctx, req.Key); !errors.Is(err, cauri.ErrPayoutPending) || p.Status != cauri.PayoutPending {
		t.Errorf("ResolvePayout while pending = %+v, %v; want pending", p, err)
	}
	if err := srv.SettlePayout(ctx, first.ProviderRef, "COMPLETED"); err != nil {
		t.Fatal(err)
	}
	if p, err := k.ResolvePayout(ctx, req.Key); err != nil || p.Status != cauri.PayoutSucceeded {
		t.Errorf("ResolvePayout once settled = %+v, %v; want succeeded", p, err)
	}
	if again, err := k.Payout(ctx, "dexpay", req); err != nil || again.Status != cauri.PayoutSucceeded {
		t.Errorf("Payout after resolving = %+v, %v; want succeeded", again, err)
	}
	lookups, sent := 0, 0
	for _, r := range srv.Requests() {
		switch {
		case r.Path == "/api/v1/payouts":
			sent++
		case strings.HasPrefix(r.Path, "/api/v1/payouts/"):
			lookups++
		}
	}
	if sent != 1 || lookups != 2 {
		t.Errorf("%d payouts sent, %d lookups; want 1 and 2", sent, lookups)
	}
	if _, err := srv.Provider().(*dexpay.Provider).CheckPayout(ctx, "po_unknown"); !errors.Is(err, cauri.ErrNotFound) {
		t.Errorf("CheckPayout of an unknown payout: %v, want ErrNotFound", err)
	}
}

// TestPayoutLifecycle: the emulator settles and cancels payouts as the
// SDK documents; GET /payouts/{id} is the lookup.
func TestPayoutLifecycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rc := newReceiver(t)
	srv := emutest.Start(t, dexpaytest.New)
	srv.SetWebhookURL(rc.srv.URL + "/pay/webhooks/dexpay")
	p := srv.Provider().(*dexpay.Provider)

	res, err := p.Payout(ctx, clienttest.Payout(dexpay.PayoutAccount("wave", "+221771234567"), 10000))
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.SettlePayout(ctx, res.ProviderRef, "COMPLETED"); err != nil {
		t.Fatal(err)
	}
	if po, _ := srv.Payout(res.ProviderRef); po.Status != "COMPLETED" || po.Fees != 100 {
		t.Errorf("settled payout %+v", po)
	}
	if err := srv.SettlePayout(ctx, res.ProviderRef, "FAILED"); err == nil {
		t.Error("a completed payout settled again")
	}
	reqs, bodies := rc.all()
	if len(reqs) != 1 || !strings.Contains(string(bodies[0]), `"event":"PAYOUT_COMPLETED"`) {
		t.Fatalf("payout notifications %q", bodies)
	}
	if _, err := p.ParseWebhook(reqs[0], bodies[0]); !errors.Is(err, cauri.ErrIgnoredEvent) {
		t.Errorf("a payout notification is not a payment's: %v", err)
	}
}

func TestPayoutValidation(t *testing.T) {
	t.Parallel()
	f := newFake(t, answer{Status: 500})
	p := fakeProvider(t, f, dexpay.Sandbox)
	send := func(r cauri.PayoutRequest) error { _, err := p.Payout(context.Background(), r); return err }
	clienttest.CheckPayoutValidation(t, map[string]func(cauri.PayoutRequest) error{"Payout": send}, []clienttest.PayoutValidationCase{
		{Name: "plain phone", Req: clienttest.Payout("+221771234567", 100), Fields: "Account"},
		{Name: "national number", Req: clienttest.Payout("wave:771234567", 100), Fields: "Account"},
		{Name: "no operator", Req: clienttest.Payout(":+221771234567", 100), Fields: "Account"},
		{Name: "upper-case operator", Req: clienttest.Payout("WAVE:+221771234567", 100), Fields: "Account"},
		{Name: "spaces", Req: clienttest.Payout("wave: +221771234567", 100), Fields: "Account"},
		{Name: "unknown country", Req: clienttest.Payout("wave:+33612345678", 100), Fields: "Account"},
		{Name: "too long", Req: clienttest.Payout("wave:+2217712345678901", 100), Fields: "Account"},
		{Name: "email", Req: clienttest.Payout("awa@example.com", 100), Fields: "Account"},
		{Name: "zero", Req: clienttest.Payout("wave:+221771234567", 0), Fields: "Amount"},
		{Name: "USD", Req: cauri.PayoutRequest{Key: "k", Account: "wave:+221771234567", Amount: 100, Currency: "USD"}, Fields: "Currency"},
		{Name: "everything", Req: cauri.PayoutRequest{Key: "k", Account: "x", Amount: -1, Currency: "EUR"}, Fields: "Account,Currency"},
	}, f.Calls)
}

// TestPayoutOutcomes: a refusal is permanent (nothing sent); anything
// whose outcome is unknown is Temporary, never a refusal the kit would
// record as failed.
func TestPayoutOutcomes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name      string
		a         answer
		want      cauri.PayoutResult // when err is nil
		temporary bool
	}{
		{name: "pending, flat", a: answer{Status: 201, Body: `{"id":"po_1","reference":"PO_20251228_ABC123","status":"PENDING"}`},
			want: cauri.PayoutResult{ProviderRef: "po_1", Status: cauri.PayoutPending}},
		{name: "completed at once", a: answer{Status: 201, Body: `{"success":true,"data":{"id":"po_1","status":"COMPLETED"}}`},
			want: cauri.PayoutResult{ProviderRef: "po_1", Status: cauri.PayoutSucceeded}},
		{name: "failed with a reason", a: answer{Status: 201, Body: `{"success":true,"data":{"reference":"PO_1","status":"FAILED","failure_reason":"Numéro invalide"}}`},
			want: cauri.PayoutResult{ProviderRef: "PO_1", Status: cauri.PayoutFailed, Message: "Numéro invalide"}},
		{name: "unknown status", a: answer{Status: 201, Body: `{"success":true,"data":{"id":"po_1","status":"QUEUED"}}`},
			want: cauri.PayoutResult{ProviderRef: "po_1", Status: cauri.PayoutPending}},
		{name: "400", a: answer{Status: 400, Body: `{"message":["destination_phone must be a valid phone number in E.164 format"]}`}},
		{name: "401", a: answer{Status: 401, Body: `{"message":"Invalid API credentials"}`}},
		{name: "success false", a: answer{Status: 200, Body: `{"success":false,"message":"Solde insuffisant"}`}},
		{name: "500", a: answer{Status: 500, Type: "text/html", Body: `<html>500</html>`}, temporary: true},
		{name: "429", a: answer{Status: 429, Body: `{}`}, temporary: true},
		{name: "200 HTML", a: answer{Status: 200, Type: "text/html", Body: `<html>ok</html>`}, temporary: true},
		{name: "200 without a status", a: answer{Status: 200, Body: `{"success":true,"data":{"id":"po_1"}}`}, temporary: true},
		{name: "200 data not an object", a: answer{Status: 200, Body: `{"success":true,"data":"po_1"}`}, temporary: true},
		{name: "200 empty", a: answer{Status: 200, Body: ``}, temporary: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, tt.a)
			res, err := fakeProvider(t, f, dexpay.Sandbox).Payout(ctx, clienttest.Payout(dexpay.PayoutAccount("wave", "+221771234567"), 100))
			if tt.want.Status != "" {
				if err != nil || res != tt.want {
					t.Fatalf("%+v %v; want %+v", res, err, tt.want)
				}
				return
			}
			providerError(t, err, tt.a.Status, tt.temporary)
			if cauri.IsProviderRejection(err) == tt.temporary {
				t.Errorf("IsProviderRejection = %v", cauri.IsProviderRejection(err))
			}
		})
	}

	emulated := []struct {
		name      string
		req       cauri.PayoutRequest
		fault     *providertest.Fault
		status    int
		temporary bool
	}{
		{name: "operator not in the country", req: clienttest.Payout(dexpay.PayoutAccount("mtn", "+221771234567"), 100), status: 400},
		{name: "unknown operator", req: clienttest.Payout(dexpay.PayoutAccount("free_money", "+221771234567"), 100), status: 400},
		{name: "country not served", req: clienttest.Payout(dexpay.PayoutAccount("wave", "+22997123456"), 100), status: 400},
		{name: "503", req: clienttest.Payout(dexpay.PayoutAccount("wave", "+221771234567"), 100),
			fault: &providertest.Fault{Kind: providertest.FaultStatus, Status: 503}, status: 503, temporary: true},
		{name: "dropped", req: clienttest.Payout(dexpay.PayoutAccount("wave", "+221771234567"), 100),
			fault: &providertest.Fault{Kind: providertest.FaultDrop}, temporary: true},
	}
	for _, tt := range emulated {
		t.Run("emulator "+tt.name, func(t *testing.T) {
			t.Parallel()
			s := emutest.Start(t, dexpaytest.New)
			if tt.fault != nil {
				s.InjectFault(providertest.OpPayout, *tt.fault)
			}
			_, err := s.Provider().(*dexpay.Provider).Payout(ctx, tt.req)
			providerError(t, err, tt.status, tt.temporary)
		})
	}

	t.Run("caller gone after sending", func(t *testing.T) {
		t.Parallel()
		s := emutest.Start(t, dexpaytest.New)
		s.InjectFault(providertest.OpPayout, providertest.Fault{Kind: providertest.FaultSlow, Delay: time.Minute})
		ctx, cancel := context.WithCancel(ctx)
		clienttest.CancelWhenHeld(t, s, cancel) // once DEXPAY holds the payout
		_, err := s.Provider().(*dexpay.Provider).Payout(ctx, clienttest.Payout(dexpay.PayoutAccount("wave", "+221771234567"), 100))
		if !errors.Is(err, context.Canceled) || cauri.IsProviderRejection(err) {
			t.Errorf("err %v: a cancelled payout is not a refusal", err)
		}
	})
}

func TestMapPayoutStatus(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		raw   string
		want  cauri.PayoutStatus
		known bool
	}{
		{"PENDING", cauri.PayoutPending, true}, {"PROCESSING", cauri.PayoutPending, true},
		{"COMPLETED", cauri.PayoutSucceeded, true}, {"FAILED", cauri.PayoutFailed, true},
		{"CANCELLED", cauri.PayoutFailed, true}, {"completed", cauri.PayoutSucceeded, true},
		{"SUCCESS", cauri.PayoutPending, false}, {"", cauri.PayoutPending, false},
	} {
		if got, known := dexpay.MapPayoutStatus(tt.raw); got != tt.want || known != tt.known {
			t.Errorf("MapPayoutStatus(%q) = %s, %v", tt.raw, got, known)
		}
	}
}
