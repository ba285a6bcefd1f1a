package paydunya_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/internal/emulator/emutest"
	"github.com/cauripay/cauri/providers/internal/clienttest"
	"github.com/cauripay/cauri/providers/paydunya"
	"github.com/cauripay/cauri/providers/paydunya/paydunyatest"
	"github.com/cauripay/cauri/providers/providertest"
)

func wallet(method, account string, amount int64) cauri.PayoutRequest {
	r := clienttest.Payout(account, amount)
	r.Method = method
	return r
}

// TestPayout drives the API PUSH against the emulator: get-invoice, then
// submit-invoice, then check-status.
func TestPayout(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := emutest.Start(t, paydunyatest.New)
	p := srv.Provider().(*paydunya.Provider)

	// A PayDunya account, the default: credited at once.
	res, err := p.Payout(ctx, clienttest.Payout("771111111", 4500))
	if err != nil || res.Status != cauri.PayoutSucceeded || res.ProviderRef == "" || res.Message != "Transaction completed successfully" {
		t.Fatalf("payout = %+v, %v", res, err)
	}
	reqs := srv.Requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want get-invoice and submit-invoice", len(reqs))
	}
	for i, want := range []struct{ path, body string }{
		{"/sandbox-api/v2/disburse/get-invoice", `{"account_alias":"771111111","amount":4500,"withdraw_mode":"paydunya"}`},
		{"/sandbox-api/v2/disburse/submit-invoice", `{"disburse_invoice":"` + res.ProviderRef + `"}`},
	} {
		r := reqs[i]
		if r.Method != http.MethodPost || r.Path != want.path || string(r.Body) != want.body ||
			r.Header.Get("PAYDUNYA-MASTER-KEY") != srv.MasterKey || r.Header.Get("PAYDUNYA-PRIVATE-KEY") != srv.Sandbox.PrivateKey ||
			r.Header.Get("PAYDUNYA-TOKEN") != srv.Sandbox.Token || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("request %d: %s %s %s %v", i, r.Method, r.Path, r.Body, r.Header)
		}
	}
	if d, ok := srv.Disbursement(res.ProviderRef); !ok || d.Status != paydunyatest.DisburseSuccess || d.Amount != 4500 || d.Submissions != 1 {
		t.Errorf("disbursement %+v", d)
	}
	if got, err := p.CheckPayout(ctx, res.ProviderRef); err != nil || got.Status != cauri.PayoutSucceeded || got.ProviderRef != res.ProviderRef {
		t.Errorf("CheckPayout of a credited account = %+v, %v", got, err)
	}
	if r := srv.Requests(); r[len(r)-1].Path != "/sandbox-api/v2/disburse/check-status" ||
		string(r[len(r)-1].Body) != `{"disburse_invoice":"`+res.ProviderRef+`"}` {
		t.Errorf("check-status request %s %s", r[len(r)-1].Path, r[len(r)-1].Body)
	}

	for _, alias := range []string{"+221771111111", "awa@example.com"} {
		if res, err := p.Payout(ctx, clienttest.Payout(alias, 100)); err != nil || res.Status != cauri.PayoutSucceeded {
			t.Errorf("%s: %+v %v", alias, res, err)
		}
	}

	// A wallet: pending until the operator settles it, which CheckPayout
	// then reports.
	tests := []struct {
		settle string
		want   cauri.PayoutStatus
	}{
		{paydunyatest.DisburseSuccess, cauri.PayoutSucceeded},
		{paydunyatest.DisburseFailed, cauri.PayoutFailed},
		{"Success", cauri.PayoutSucceeded},
		{"processing", cauri.PayoutPending}, // a word the package does not know
	}
	for _, tt := range tests {
		res, err := p.Payout(ctx, wallet("orange-money-senegal", "771111111", 2000))
		if err != nil || res.Status != cauri.PayoutPending || res.ProviderRef == "" {
			t.Fatalf("wallet payout = %+v, %v", res, err)
		}
		if got, err := p.CheckPayout(ctx, res.ProviderRef); err != nil || got.Status != cauri.PayoutPending {
			t.Errorf("CheckPayout before settling = %+v, %v", got, err)
		}
		if err := srv.SettleDisbursement(res.ProviderRef, tt.settle); err != nil {
			t.Fatal(err)
		}
		if got, err := p.CheckPayout(ctx, res.ProviderRef); err != nil || got.Status != tt.want {
			t.Errorf("settled %s: CheckPayout = %+v, %v; want %s", tt.settle, got, err, tt.want)
		}
	}
	if d := srv.Disbursements(); d[len(d)-1].WithdrawMode != "orange-money-senegal" {
		t.Errorf("withdraw_mode %q", d[len(d)-1].WithdrawMode)
	}

	// Made, never submitted: pending, and CheckPayout sends nothing.
	ref, err := p.PreparePayout(ctx, wallet("wave-ci", "0505420552", 100))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := p.CheckPayout(ctx, ref); err != nil || got.Status != cauri.PayoutPending {
		t.Errorf("CheckPayout of a disbursement never submitted = %+v, %v", got, err)
	}
	if d, _ := srv.Disbursement(ref); d.Status != paydunyatest.DisburseCreated || d.Submissions != 0 {
		t.Errorf("a disbursement never submitted: %+v", d)
	}
	if _, err := p.CheckPayout(ctx, "unknown-token"); !errors.Is(err, cauri.ErrNotFound) {
		t.Errorf("CheckPayout of an unknown token: %v, want ErrNotFound", err)
	}
	if _, err := p.CheckPayout(ctx, " "); !errors.Is(err, cauri.ErrNotFound) {
		t.Errorf("CheckPayout of no token: %v, want ErrNotFound", err)
	}

	srv.RefuseAccount("770000001", "")
	res, err = p.Payout(ctx, clienttest.Payout("770000001", 100))
	if err != nil || res.Status != cauri.PayoutFailed || res.Message != "Account not found (response_code 1004)" || res.ProviderRef == "" {
		t.Errorf("refused: %+v %v", res, err)
	}

	live := srv.LiveProvider()
	res, err = live.Payout(ctx, clienttest.Payout("771111111", 100))
	if err != nil || res.Status != cauri.PayoutSucceeded {
		t.Errorf("live: %+v %v", res, err)
	}
	if d, _ := srv.Disbursement(res.ProviderRef); d.Mode != paydunya.Live {
		t.Errorf("live disbursement %+v", d)
	}
}

// TestPayoutCallbackURL: sent as callback_url when configured.
func TestPayoutCallbackURL(t *testing.T) {
	t.Parallel()
	srv := emutest.Start(t, paydunyatest.New)
	cfg := srv.Config()
	cfg.PayoutCallbackURL = "https://shop.example/payouts/paydunya"
	p := provider(t, cfg)
	ref, err := p.PreparePayout(context.Background(), wallet("mtn-benin", "97000000", 100))
	if err != nil {
		t.Fatal(err)
	}
	r := srv.Requests()
	if want := `{"account_alias":"97000000","amount":100,"withdraw_mode":"mtn-benin","callback_url":"https://shop.example/payouts/paydunya"}`; string(r[0].Body) != want {
		t.Errorf("body %s, want %s", r[0].Body, want)
	}
	if d, _ := srv.Disbursement(ref); d.CallbackURL != cfg.PayoutCallbackURL {
		t.Errorf("disbursement %+v", d)
	}
}

func TestPayoutValidation(t *testing.T) {
	t.Parallel()
	c := newCapture(t, http.StatusOK, "application/json", `{"response_code":"00"}`)
	p := provider(t, config(c.URL))
	clienttest.CheckPayoutValidation(t, map[string]func(cauri.PayoutRequest) error{
		"Payout":        func(r cauri.PayoutRequest) error { _, err := p.Payout(context.Background(), r); return err },
		"PreparePayout": func(r cauri.PayoutRequest) error { _, err := p.PreparePayout(context.Background(), r); return err },
	}, []clienttest.PayoutValidationCase{
		{Req: clienttest.Payout("", 100), Fields: "Account"},
		{Req: clienttest.Payout("77 111 11 11", 100), Fields: "Account"},
		{Req: clienttest.Payout("+221-771111111", 100), Fields: "Account"},
		{Req: clienttest.Payout("12345", 100), Fields: "Account"},
		{Req: clienttest.Payout("1234567890123456", 100), Fields: "Account"},
		{Req: clienttest.Payout("Awa <awa@example.com>", 100), Fields: "Account"},
		{Req: clienttest.Payout(" awa@example.com", 100), Fields: "Account"},
		{Req: wallet("wave-senegal", "awa@example.com", 100), Fields: "Account"},
		{Req: wallet("Orange Money", "771111111", 100), Fields: "Method"},
		{Req: wallet("orange--money", "771111111", 100), Fields: "Method"},
		{Req: wallet("wave-senegal-", "771111111", 100), Fields: "Method"},
		{Req: clienttest.Payout("771111111", 0), Fields: "Amount"},
		{Req: cauri.PayoutRequest{Account: "771111111", Amount: 1050, Currency: "USD"}, Fields: "Currency"},
		{Req: cauri.PayoutRequest{Account: "x", Amount: -1}, Fields: "Account,Amount,Currency"},
	}, c.Calls)
}

// outcome is one answer of a fake API, and what a call makes of it.
type outcome struct {
	name      string
	status    int
	ctype     string
	body      string
	want      cauri.PayoutStatus // when err is nil
	temporary bool
	notFound  bool
}

// TestSubmitPayoutOutcomes: a refusal is failed; anything whose outcome is
// unknown is a Temporary error, never a refusal the kit would record as
// failed.
func TestSubmitPayoutOutcomes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []outcome{
		{name: "200 refusal", status: 200, ctype: "application/json",
			body: `{"response_code":"4002","response_text":"Solde insuffisant"}`, want: cauri.PayoutFailed},
		{name: "success", status: 200, ctype: "application/json",
			body: `{"response_code":"00","response_text":"Transaction completed successfully","transaction_id":"T1","status":"success"}`, want: cauri.PayoutSucceeded},
		{name: "00 without a status", status: 200, ctype: "application/json",
			body: `{"response_code":"00","response_text":"ok","transaction_id":"T1"}`, want: cauri.PayoutPending},
		{name: "00 failed", status: 200, ctype: "application/json",
			body: `{"response_code":"00","status":"failed","description":"Numéro invalide"}`, want: cauri.PayoutFailed},
		{name: "400", status: 400, ctype: "application/json", body: `{"response_code":"1003","response_text":"disburse_invoice is required"}`},
		{name: "404", status: 404, ctype: "application/json", body: `{"response_code":"1002","response_text":"Disburse invoice not found"}`},
		{name: "401 HTML", status: 401, ctype: "text/html", body: `<html>401</html>`},
		{name: "500", status: 500, ctype: "text/html", body: `<html>500</html>`, temporary: true},
		{name: "429", status: 429, ctype: "application/json", body: `{}`, temporary: true},
		{name: "200 HTML", status: 200, ctype: "text/html", body: `<html>ok</html>`, temporary: true},
		{name: "200 without a code", status: 200, ctype: "application/json", body: `{"transaction_id":"T1"}`, temporary: true},
		{name: "200 empty", status: 200, ctype: "application/json", body: ``, temporary: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newCapture(t, tt.status, tt.ctype, tt.body)
			res, err := provider(t, config(c.URL)).SubmitPayout(ctx, "dt_1", clienttest.Payout("771111111", 100))
			if tt.want != "" {
				if err != nil || res.Status != tt.want || res.ProviderRef != "dt_1" {
					t.Fatalf("%+v %v", res, err)
				}
				return
			}
			providerError(t, err, tt.status, tt.temporary)
			if cauri.IsProviderRejection(err) == tt.temporary {
				t.Errorf("IsProviderRejection = %v", cauri.IsProviderRejection(err))
			}
			if strings.Contains(err.Error(), "dt_1") {
				t.Errorf("the error shows the token: %v", err)
			}
		})
	}

	t.Run("dropped", func(t *testing.T) {
		t.Parallel()
		s := emutest.Start(t, paydunyatest.New)
		p := s.Provider().(*paydunya.Provider)
		s.InjectFault(providertest.OpPayout, providertest.Fault{Kind: providertest.FaultDrop})
		_, err := p.Payout(ctx, clienttest.Payout("771111111", 100))
		providerError(t, err, 0, true)
	})
	t.Run("answer lost after sending", func(t *testing.T) {
		t.Parallel()
		s := emutest.Start(t, paydunyatest.New)
		p := s.Provider().(*paydunya.Provider)
		s.InjectFault(providertest.OpPayout, providertest.Fault{Kind: providertest.FaultLost})
		ref, err := p.PreparePayout(ctx, clienttest.Payout("771111111", 100))
		if err != nil {
			t.Fatal(err)
		}
		_, err = p.SubmitPayout(ctx, ref, clienttest.Payout("771111111", 100))
		providerError(t, err, 0, true)
		// Sent all the same: check-status says so.
		if res, err := p.CheckPayout(ctx, ref); err != nil || res.Status != cauri.PayoutSucceeded {
			t.Errorf("CheckPayout after a lost answer = %+v, %v", res, err)
		}
	})
	t.Run("caller gone after sending", func(t *testing.T) {
		t.Parallel()
		s := emutest.Start(t, paydunyatest.New)
		s.InjectFault(providertest.OpPayout, providertest.Fault{Kind: providertest.FaultSlow, Delay: time.Minute})
		ctx, cancel := context.WithCancel(ctx)
		clienttest.CancelWhenHeld(t, s, cancel) // once PayDunya holds the submission
		_, err := s.Provider().(*paydunya.Provider).Payout(ctx, clienttest.Payout("771111111", 100))
		if !errors.Is(err, context.Canceled) || cauri.IsProviderRejection(err) {
			t.Errorf("err %v: a cancelled payout is not a refusal", err)
		}
	})
	t.Run("emulator 503", func(t *testing.T) {
		t.Parallel()
		s := emutest.Start(t, paydunyatest.New)
		s.InjectFault(providertest.OpPayout, providertest.Fault{Kind: providertest.FaultStatus, Status: 503})
		_, err := s.Provider().(*paydunya.Provider).Payout(ctx, clienttest.Payout("771111111", 100))
		providerError(t, err, 503, true)
		if d := s.Disbursements(); len(d) != 1 || d[0].Submissions != 0 {
			t.Errorf("a faulted submission was sent: %+v", d)
		}
	})
	t.Run("messages carry no personal data", func(t *testing.T) {
		t.Parallel()
		s := emutest.Start(t, paydunyatest.New)
		res, err := s.Provider().(*paydunya.Provider).Payout(ctx, clienttest.Payout("771111111", 100))
		if err != nil || strings.Contains(res.Message, "Client Fictif") {
			t.Errorf("%+v %v", res, err)
		}
	})
}

// TestPreparePayoutOutcomes: every failure of get-invoice sent nothing; a
// refusal is permanent, no answer Temporary.
func TestPreparePayoutOutcomes(t *testing.T) {
	t.Parallel()
	tests := []outcome{
		{name: "token", status: 200, ctype: "application/json", body: `{"response_code":"00","response_text":"ok","disburse_token":"dt_9"}`},
		{name: "refusal", status: 200, ctype: "application/json", body: `{"response_code":"1003","response_text":"withdraw_mode invalide"}`},
		{name: "no token", status: 200, ctype: "application/json", body: `{"response_code":"00","response_text":"ok"}`},
		{name: "500", status: 500, ctype: "text/html", body: `<html>500</html>`, temporary: true},
		{name: "200 HTML", status: 200, ctype: "text/html", body: `<html>ok</html>`, temporary: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newCapture(t, tt.status, tt.ctype, tt.body)
			ref, err := provider(t, config(c.URL)).PreparePayout(context.Background(), clienttest.Payout("771111111", 100))
			if tt.name == "token" {
				if err != nil || ref != "dt_9" {
					t.Fatalf("%q %v", ref, err)
				}
				return
			}
			providerError(t, err, tt.status, tt.temporary)
			if ref != "" {
				t.Errorf("ref %q with an error", ref)
			}
		})
	}
}

// TestCheckPayoutOutcomes: check-status's answers, and the errors that
// leave a payout pending.
func TestCheckPayoutOutcomes(t *testing.T) {
	t.Parallel()
	tests := []outcome{
		{name: "success", status: 200, ctype: "application/json",
			body: `{"response_code":"00","response_text":"Transaction Found","status":"success","amount":10000,"withdraw_mode":"wave-senegal"}`, want: cauri.PayoutSucceeded},
		{name: "failed", status: 200, ctype: "application/json",
			body: `{"response_code":"00","response_text":"Compte introuvable","status":"failed"}`, want: cauri.PayoutFailed},
		{name: "pending", status: 200, ctype: "application/json", body: `{"response_code":"00","status":"pending"}`, want: cauri.PayoutPending},
		{name: "created", status: 200, ctype: "application/json", body: `{"response_code":"00","status":"created"}`, want: cauri.PayoutPending},
		{name: "upper case", status: 200, ctype: "application/json", body: `{"response_code":"00","status":"SUCCESS"}`, want: cauri.PayoutSucceeded},
		{name: "no status", status: 200, ctype: "application/json", body: `{"response_code":"00"}`},
		{name: "refusal", status: 200, ctype: "application/json", body: `{"response_code":"1001","response_text":"Invalid Masterkey Specified"}`},
		{name: "404", status: 404, ctype: "application/json", body: `{"response_code":"1002"}`, notFound: true},
		{name: "503", status: 503, ctype: "text/html", body: `<html>503</html>`, temporary: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newCapture(t, tt.status, tt.ctype, tt.body)
			res, err := provider(t, config(c.URL)).CheckPayout(context.Background(), "dt_7")
			if _, body := last(t, c); string(body) != `{"disburse_invoice":"dt_7"}` {
				t.Errorf("body %s", body)
			}
			if tt.want != "" {
				if err != nil || res.Status != tt.want || res.ProviderRef != "dt_7" {
					t.Fatalf("%+v %v", res, err)
				}
				return
			}
			providerError(t, err, tt.status, tt.temporary)
			if errors.Is(err, cauri.ErrNotFound) != tt.notFound {
				t.Errorf("ErrNotFound = %v, want %v: %v", !tt.notFound, tt.notFound, err)
			}
		})
	}
}
