package paydunyatest

import (
	"cmp"
	"fmt"
	"net/http"
	"time"

	"github.com/cauripay/cauri/internal/emulator"
	"github.com/cauripay/cauri/providers/paydunya"
)

// The statuses of a disbursement, in PayDunya's words (its API PUSH
// documentation: "created" and "pending" are intermediate, "success" and
// "failed" final).
const (
	DisburseCreated = paydunya.DisburseCreated // get-invoice made it; not yet sent to the operator
	DisbursePending = paydunya.DisbursePending // submitted to the operator, still being processed
	DisburseSuccess = paydunya.DisburseSuccess
	DisburseFailed  = paydunya.DisburseFailed
)

// Payout is one credit-account call the emulator answered.
type Payout struct {
	Mode         paydunya.Mode
	AccountAlias string
	Amount       int64 // FCFA
	// ResponseCode is "00" when the account was credited.
	ResponseCode  string
	TransactionID string
	At            time.Time
}

// Disbursement is the emulator's record of one disbursement (PayDunya's
// API PUSH): made by disburse/get-invoice, sent by
// disburse/submit-invoice, looked up by disburse/check-status.
type Disbursement struct {
	// Token is the disburse_token get-invoice answered with, which
	// submit-invoice and check-status take as disburse_invoice.
	Token string
	// Mode is the environment the disbursement was made in.
	Mode paydunya.Mode
	// AccountAlias, Amount (FCFA), WithdrawMode and CallbackURL are as
	// get-invoice received them; WithdrawMode is "paydunya" when none was
	// sent (get-invoice takes the withdraw_mode values PayDunya's API
	// PUSH documentation lists, shapes/get-invoice.json: "paydunya" for
	// a PayDunya account, the others for mobile-money wallets).
	AccountAlias string
	Amount       int64
	WithdrawMode string
	CallbackURL  string
	// DisburseID is the caller's own identifier, if submit-invoice sent
	// one.
	DisburseID string
	// Status is created, then pending, success or failed (or whatever
	// SettleDisbursement set).
	Status string
	// Submissions counts the submit-invoice calls that sent it: 1 once
	// sent, never more (a second submission is refused).
	Submissions int
	// TransactionID is set once it was sent.
	TransactionID string
	// Reason explains a failure.
	Reason string
	// CreatedAt is when get-invoice made it, SentAt when submit-invoice
	// sent it, UpdatedAt its last change.
	CreatedAt, SentAt, UpdatedAt time.Time
}

// Payouts returns every credit-account call that passed authentication, in
// order, refused ones included (their ResponseCode is not "00").
func (s *Server) Payouts() []Payout { return s.payouts.All() }

// RefuseAccount makes credit-account and submit-invoice refuse payouts to
// alias with response_code 1004 and text, as PayDunya does for an alias
// that is no PayDunya account (a refused disbursement is failed, nothing
// sent). An empty text means "Account not found".
func (s *Server) RefuseAccount(alias, text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refused[alias] = cmp.Or(text, "Account not found")
}

// Disbursements returns every disbursement made so far, in order.
func (s *Server) Disbursements() []Disbursement { return s.disbursements.All() }

// Disbursement returns a copy of the disbursement with this token.
func (s *Server) Disbursement(token string) (Disbursement, bool) { return s.disbursements.Get(token) }

// SettleDisbursement sets a disbursement's status, as the operator
// settling it would: DisburseSuccess or DisburseFailed, or any word, for
// tests of what a client does with one it does not know. A disbursement
// to a mobile-money wallet stays pending after submit-invoice until then.
func (s *Server) SettleDisbursement(token, status string) error {
	if !s.disbursements.With(token, func(d *Disbursement) {
		d.Status, d.UpdatedAt = status, time.Now().UTC()
		if status == DisburseFailed {
			d.Reason = cmp.Or(d.Reason, "Transaction refused by the operator")
		}
	}) {
		return fmt.Errorf("paydunyatest: no disbursement %q", token)
	}
	return nil
}

// pay sends a payout of mode m to alias, as credit-account and
// submit-invoice do: it returns the transaction's ID (prefix, testPrefix
// in the sandbox, and six digits), or why RefuseAccount refuses alias.
func (s *Server) pay(m paydunya.Mode, alias, prefix, testPrefix string) (id, refusal string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if refusal, refused := s.refused[alias]; refused {
		return "", refusal
	}
	s.txSeq++
	if m == paydunya.Sandbox {
		prefix = testPrefix
	}
	return fmt.Sprintf("%s%06d", prefix, s.txSeq), ""
}

// credit is POST {api}/direct-pay/credit-account.
func (s *Server) credit(r *http.Request) ([]byte, error) {
	v, err := s.read(r, "credit.json")
	if err != nil {
		return nil, err
	}
	po := Payout{Mode: modeOf(r), ResponseCode: CodeOK, At: time.Now().UTC()}
	emulator.Bind(&po, v)
	id, refusal := s.pay(po.Mode, po.AccountAlias, "TX", "TEST")
	if po.TransactionID = id; refusal != "" {
		po.ResponseCode = CodePayoutRefused
	}
	s.payouts.Add(emulator.RandomHex(8), &po)
	if refusal != "" {
		return nil, s.t.Refused["refusedAccount"].With(refusal)
	}
	return s.api.Body("credit.json", po), nil
}

// getInvoice is POST {api v2}/disburse/get-invoice: it makes a
// disbursement and names it, sending nothing.
func (s *Server) getInvoice(r *http.Request) ([]byte, error) {
	v, err := s.read(r, "get-invoice.json")
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	d := &Disbursement{Token: emulator.RandomHex(10), Mode: modeOf(r), Status: DisburseCreated, CreatedAt: now, UpdatedAt: now}
	emulator.Bind(d, v)
	d.WithdrawMode = cmp.Or(d.WithdrawMode, paydunya.AccountMode)
	s.disbursements.Add(d.Token, d)
	return s.api.Body("get-invoice.json", d), nil
}

// disbursement answers submit-invoice and check-status: the disbursement
// their body names (1003 without disburse_invoice, HTTP 404 and 1002 for
// one the mode called does not know), changed by change and rendered as
// answer.
func (s *Server) disbursement(r *http.Request, answer string, change func(d *Disbursement, v emulator.Values) error) ([]byte, error) {
	v, err := s.read(r, "lookup.json")
	if err != nil {
		return nil, err
	}
	missing := s.t.Refused["noDisbursement"]
	return s.disbursements.Lookup(v.String("disburse_invoice"), missing, func(d *Disbursement) error {
		if err := elsewhere(d.Mode, r, missing); err != nil {
			return err
		}
		return change(d, v)
	}, func(d *Disbursement) []byte { return s.api.Body(answer, d) })
}

// submitInvoice is POST {api v2}/disburse/submit-invoice: it sends a
// disbursement made by get-invoice, once. A PayDunya account is credited
// at once (success); a wallet's disbursement goes to its operator and
// stays pending until SettleDisbursement. An account RefuseAccount named is
// refused with 1004, and the disbursement fails, nothing sent.
func (s *Server) submitInvoice(r *http.Request) ([]byte, error) {
	return s.disbursement(r, "submit-invoice.json", func(d *Disbursement, v emulator.Values) error {
		if d.Status != DisburseCreated {
			return s.t.Refused["submitted"]
		}
		now := time.Now().UTC()
		d.DisburseID, d.UpdatedAt = v.String("disburse_id"), now
		if d.TransactionID, d.Reason = s.pay(d.Mode, d.AccountAlias, "DTX", "TESTD"); d.Reason != "" {
			d.Status = DisburseFailed
			return s.t.Refused["refusedAccount"].With(d.Reason)
		}
		d.SentAt, d.Status = now, DisbursePending
		if d.WithdrawMode == paydunya.AccountMode {
			d.Status = DisburseSuccess
		}
		d.Submissions++
		return nil
	})
}

// checkStatus is POST {api v2}/disburse/check-status: the disbursement's
// status, which sends nothing.
func (s *Server) checkStatus(r *http.Request) ([]byte, error) {
	return s.disbursement(r, "check-status.json", func(*Disbursement, emulator.Values) error { return nil })
}
