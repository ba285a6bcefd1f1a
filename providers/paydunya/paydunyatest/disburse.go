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
func (s *Server) credit(w http.ResponseWriter, r *http.Request) {
	v, ok := s.read(w, r, "credit.json")
	if !ok {
		return
	}
	po := Payout{Mode: modeOf(r), ResponseCode: CodeOK, At: time.Now().UTC()}
	emulator.Bind(&po, v)
	id, refusal := s.pay(po.Mode, po.AccountAlias, "TX", "TEST")
	if po.TransactionID = id; refusal != "" {
		po.ResponseCode = CodePayoutRefused
	}
	s.payouts.Add(emulator.RandomHex(8), &po)
	if refusal != "" {
		s.refuse(w, http.StatusOK, CodePayoutRefused, refusal)
		return
	}
	s.answers.Write(w, http.StatusOK, "credit.json", po)
}

// getInvoice is POST {api v2}/disburse/get-invoice: it makes a
// disbursement and names it, sending nothing.
func (s *Server) getInvoice(w http.ResponseWriter, r *http.Request) {
	v, ok := s.read(w, r, "get-invoice.json")
	if !ok {
		return
	}
	now := time.Now().UTC()
	d := &Disbursement{Token: emulator.RandomHex(10), Mode: modeOf(r), Status: DisburseCreated, CreatedAt: now, UpdatedAt: now}
	emulator.Bind(d, v)
	d.WithdrawMode = cmp.Or(d.WithdrawMode, paydunya.AccountMode)
	s.disbursements.Add(d.Token, d)
	s.answers.Write(w, http.StatusOK, "get-invoice.json", d)
}

// disbursement reads the body of submit-invoice or check-status and the
// token of the disbursement it names, or answers for it: 1003 without
// disburse_invoice, HTTP 404 and 1002 for one it does not know.
func (s *Server) disbursement(w http.ResponseWriter, r *http.Request) (emulator.Values, string, bool) {
	v, ok := s.read(w, r, "lookup.json")
	tok := v.String("disburse_invoice")
	if d, found := s.disbursements.Get(tok); ok && (!found || d.Mode != modeOf(r)) {
		s.refuse(w, http.StatusNotFound, CodeNotFound, "Disburse invoice not found")
		return nil, "", false
	}
	return v, tok, ok
}

// submitInvoice is POST {api v2}/disburse/submit-invoice: it sends a
// disbursement made by get-invoice, once. A PayDunya account is credited
// at once (success); a wallet's disbursement goes to its operator and
// stays pending until SettleDisbursement. An account RefuseAccount named is
// refused with 1004, and the disbursement fails, nothing sent.
func (s *Server) submitInvoice(w http.ResponseWriter, r *http.Request) {
	v, tok, ok := s.disbursement(w, r)
	if !ok {
		return
	}
	var sent Disbursement
	code, text := CodeOK, ""
	s.disbursements.With(tok, func(d *Disbursement) {
		if d.Status != DisburseCreated {
			code, text = CodeAlreadySubmitted, "Disburse invoice already submitted"
			return
		}
		now := time.Now().UTC()
		d.DisburseID, d.UpdatedAt = v.String("disburse_id"), now
		if d.TransactionID, d.Reason = s.pay(d.Mode, d.AccountAlias, "DTX", "TESTD"); d.Reason != "" {
			d.Status, code, text = DisburseFailed, CodePayoutRefused, d.Reason
			return
		}
		d.SentAt, d.Status = now, DisbursePending
		if d.WithdrawMode == paydunya.AccountMode {
			d.Status = DisburseSuccess
		}
		d.Submissions++
		sent = *d
	})
	if code != CodeOK {
		s.refuse(w, http.StatusOK, code, text)
		return
	}
	s.answers.Write(w, http.StatusOK, "submit-invoice.json", sent)
}

// checkStatus is POST {api v2}/disburse/check-status: the disbursement's
// status, which sends nothing.
func (s *Server) checkStatus(w http.ResponseWriter, r *http.Request) {
	if _, tok, ok := s.disbursement(w, r); ok {
		d, _ := s.disbursements.Get(tok)
		s.answers.Write(w, http.StatusOK, "check-status.json", d)
	}
}
