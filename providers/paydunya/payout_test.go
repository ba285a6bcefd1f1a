package paydunya_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/paydunya"
	"github.com/cauripay/cauri/providers/paydunya/paydunyatest"
	"github.com/cauripay/cauri/providers/providertest"
)

func payout(account string, amount int64) cauri.PayoutRequest {
	return cauri.PayoutRequest{Key: "po-1", Account: account, Amount: amount, Currency: "XOF", Description: "Part du fournisseur"}
}

func TestPayout(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := paydunyatest.New()
	defer srv.Close()
	p := srv.Provider().(*paydunya.Provider)

	res, err := p.Payout(ctx, payout("771111111", 4500))
	if err != nil {
		t.Fatal(err)
	}
	want := cauri.PayoutResult{ProviderRef: "TEST000001", Status: cauri.PayoutSucceeded, Message: "Transaction completed successfully"}
	if res != want {
		t.Errorf("payout\n got %+v\nwant %+v", res, want)
	}
	reqs := srv.Requests()
	r := reqs[len(reqs)-1]
	if r.Method != http.MethodPost || r.Path != "/sandbox-api/v1/direct-pay/credit-account" ||
		string(r.Body) != `{"account_alias":"771111111","amount":4500}` ||
		r.Header.Get("PAYDUNYA-MASTER-KEY") != srv.MasterKey || r.Header.Get("PAYDUNYA-PRIVATE-KEY") != srv.Sandbox.PrivateKey ||
		r.Header.Get("PAYDUNYA-TOKEN") != srv.Sandbox.Token || r.Header.Get("Content-Type") != "application/json" {
		t.Errorf("request %s %s %s %v", r.Method, r.Path, r.Body, r.Header)
	}

	for _, alias := range []string{"+221771111111", "awa@example.com"} {
		if res, err := p.Payout(ctx, payout(alias, 100)); err != nil || res.Status != cauri.PayoutSucceeded {
			t.Errorf("%s: %+v %v", alias, res, err)
		}
	}
	if r := srv.Requests(); string(r[len(r)-1].Body) != `{"account_alias":"awa@example.com","amount":100}` {
		t.Errorf("email body %s", r[len(r)-1].Body)
	}

	srv.RefuseAccount("770000001", "")
	res, err = p.Payout(ctx, payout("770000001", 100))
	if err != nil || res.Status != cauri.PayoutFailed || res.Message != "Account not found (response_code 1004)" {
		t.Errorf("refused: %+v %v", res, err)
	}
	pos := srv.Payouts()
	if len(pos) != 4 || pos[0].AccountAlias != "771111111" || pos[0].Amount != 4500 || pos[0].ResponseCode != "00" ||
		pos[3].ResponseCode != "1004" || pos[3].TransactionID != "" {
		t.Errorf("payouts %+v", pos)
	}

	live := srv.LiveProvider()
	if res, err := live.Payout(ctx, payout("771111111", 100)); err != nil || res.ProviderRef != "TX000004" {
		t.Errorf("live: %+v %v", res, err)
	}
}

func TestPayoutValidation(t *testing.T) {
	t.Parallel()
	c := newCapture(t, http.StatusOK, "application/json", `{"response_code":"00"}`)
	p := provider(t, config(c.srv.URL))
	tests := []struct {
		req    cauri.PayoutRequest
		fields string
	}{
		{payout("", 100), "Account"},
		{payout("77 111 11 11", 100), "Account"},
		{payout("+221-771111111", 100), "Account"},
		{payout("12345", 100), "Account"},
		{payout("1234567890123456", 100), "Account"},
		{payout("Awa <awa@example.com>", 100), "Account"},
		{payout(" awa@example.com", 100), "Account"},
		{payout("771111111", 0), "Amount"},
		{cauri.PayoutRequest{Account: "771111111", Amount: 1050, Currency: "USD"}, "Currency"},
		{cauri.PayoutRequest{Account: "x", Amount: -1}, "Account,Amount,Currency"},
	}
	for _, tt := range tests {
		_, err := p.Payout(context.Background(), tt.req)
		got, verr := fieldNames(err, "payout")
		if verr != nil {
			t.Errorf("%+v: %v", tt.req, verr)
			continue
		}
		if got != tt.fields {
			t.Errorf("%+v: fields %s, want %s", tt.req, got, tt.fields)
		}
	}
	if n := c.calls.Load(); n != 0 {
		t.Errorf("%d calls made for invalid payouts", n)
	}
}

// TestPayoutOutcomes: a refusal is failed; anything whose outcome is
// unknown is a Temporary error, never a refusal the kit would record as
// failed.
func TestPayoutOutcomes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name      string
		status    int
		ctype     string
		body      string
		want      cauri.PayoutStatus // when err is nil
		temporary bool
	}{
		{name: "200 refusal", status: 200, ctype: "application/json",
			body: `{"response_code":"1004","response_text":"Solde insuffisant"}`, want: cauri.PayoutFailed},
		{name: "success without transaction_id", status: 200, ctype: "application/json",
			body: `{"response_code":"00","response_text":"Transaction completed successfully"}`, want: cauri.PayoutSucceeded},
		{name: "400", status: 400, ctype: "application/json", body: `{"response_code":"1003","response_text":"amount is required"}`},
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
			res, err := provider(t, config(c.srv.URL)).Payout(ctx, payout("771111111", 100))
			if tt.want != "" {
				if err != nil || res.Status != tt.want {
					t.Fatalf("%+v %v", res, err)
				}
				return
			}
			providerError(t, err, tt.status, tt.temporary)
			if cauri.IsProviderRejection(err) == tt.temporary {
				t.Errorf("IsProviderRejection = %v", cauri.IsProviderRejection(err))
			}
		})
	}

	t.Run("dropped", func(t *testing.T) {
		t.Parallel()
		s := paydunyatest.New()
		defer s.Close()
		s.InjectFault(providertest.OpPayout, providertest.Fault{Kind: providertest.FaultDrop})
		_, err := s.Provider().(*paydunya.Provider).Payout(ctx, payout("771111111", 100))
		providerError(t, err, 0, true)
	})
	t.Run("caller gone after sending", func(t *testing.T) {
		t.Parallel()
		s := paydunyatest.New()
		defer s.Close()
		s.InjectFault(providertest.OpPayout, providertest.Fault{Kind: providertest.FaultSlow, Delay: time.Minute})
		ctx, cancel := context.WithCancel(ctx)
		time.AfterFunc(50*time.Millisecond, cancel)
		_, err := s.Provider().(*paydunya.Provider).Payout(ctx, payout("771111111", 100))
		if !errors.Is(err, context.Canceled) || cauri.IsProviderRejection(err) {
			t.Errorf("err %v: a cancelled payout is not a refusal", err)
		}
	})
	t.Run("emulator 503", func(t *testing.T) {
		t.Parallel()
		s := paydunyatest.New()
		defer s.Close()
		s.InjectFault(providertest.OpPayout, providertest.Fault{Kind: providertest.FaultStatus, Status: 503})
		_, err := s.Provider().(*paydunya.Provider).Payout(ctx, payout("771111111", 100))
		providerError(t, err, 503, true)
		if len(s.Payouts()) != 0 {
			t.Error("a faulted payout was recorded")
		}
	})
	t.Run("messages carry no personal data", func(t *testing.T) {
		t.Parallel()
		s := paydunyatest.New()
		defer s.Close()
		res, err := s.Provider().(*paydunya.Provider).Payout(ctx, payout("771111111", 100))
		if err != nil || strings.Contains(res.Message, "Client Fictif") {
			t.Errorf("%+v %v", res, err)
		}
	})
}
