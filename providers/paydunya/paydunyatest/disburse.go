package paydunyatest

import (
	"cmp"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/cauripay/cauri"
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

// WithdrawModes are the withdraw_mode values PayDunya's API PUSH
// documentation lists, which get-invoice accepts: "paydunya" for a PayDunya
// account, the others for mobile-money wallets. A get-invoice without
// withdraw_mode credits a PayDunya account, as an earlier version of the
// documentation said.
var WithdrawModes = []string{
	"paydunya",
	"orange-money-senegal", "free-money-senegal", "expresso-senegal", "wave-senegal",
	"mtn-benin", "moov-benin",
	"mtn-ci", "orange-money-ci", "moov-ci", "wave-ci",
	"t-money-togo",
	"orange-money-mali",
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
	// sent.
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
		if status == DisburseFailed && d.Reason == "" {
			d.Reason = "Transaction refused by the operator"
		}
	}) {
		return fmt.Errorf("paydunyatest: no disbursement %q", token)
	}
	return nil
}

// pushShape declares an API PUSH body: its problems are answered, joined
// by "; ", with the fields' own words, or "x is required".
func pushShape(trim bool, fields ...emulator.Field) *emulator.Shape {
	return &emulator.Shape{Trim: trim, Fields: fields, Dialect: func(p emulator.Problem) []string { return []string{p.Field + " is required"} }}
}

// fcfaCheck is a [emulator.Field] check: a positive whole number of FCFA.
func fcfaCheck(v any) (string, string) {
	if n, err := cauri.ParseAmount(v.(string), paydunya.Currency); err != nil || n <= 0 {
		return "fcfa", ""
	}
	return "", ""
}

// creditShape is credit-account's body: amount a JSON number, decimals
// allowed (the Python and PHP SDKs send the amount as given, a float,
// 4500.0, included; no client sends text).
var creditShape = pushShape(false, emulator.Field{Name: "account_alias", Required: true},
	emulator.Field{Name: "amount", Kind: emulator.Number, Required: true, Check: fcfaCheck, Say: map[string]string{
		emulator.RuleRequired: "amount is required and must be a number", emulator.RuleType: "amount is required and must be a number",
		"fcfa": "amount must be a positive whole number of FCFA",
	}})

// disburseShape is get-invoice's body: account_alias a string or a
// number of digits; amount a positive whole amount of FCFA, a JSON number
// (4500, or 4500.0 as some clients send it) or a string of digits;
// withdraw_mode, when present, a documented mode (the default is the
// PayDunya account); callback_url, when present, an absolute URL.
var disburseShape = pushShape(true, emulator.Field{Name: "account_alias", Kind: emulator.Text, Required: true},
	emulator.Field{Name: "amount", Kind: emulator.Amount, Required: true, Check: emulator.All(emulator.Whole(1, 1e15), fcfaCheck),
		Say: sayAll("amount is required and must be a positive whole number of FCFA")},
	emulator.Field{Name: "withdraw_mode", Kind: emulator.Any, Check: emulator.OneOf(WithdrawModes...), Say: sayAll("withdraw_mode is not one of the documented modes")},
	emulator.Field{Name: "callback_url", Kind: emulator.Any, Check: func(v any) (string, string) {
		if s, _ := v.(string); s == "" {
			return emulator.RuleURL, ""
		}
		return emulator.URL(v)
	}, Say: sayAll("callback_url must be a valid URL")})

// sayAll says msg for whatever rule a field breaks.
func sayAll(msg string) map[string]string {
	m := map[string]string{}
	for _, r := range []string{emulator.RuleRequired, emulator.RuleBlank, emulator.RuleType, emulator.RuleURL, emulator.RuleOneOf,
		emulator.RuleInteger, emulator.RulePositive, emulator.RuleMax, "fcfa"} {
		m[r] = msg
	}
	return m
}

// lookupShape is submit-invoice's and check-status's body.
var lookupShape = pushShape(false, emulator.Field{Name: "disburse_invoice", Required: true}, emulator.Field{Name: "disburse_id", Kind: emulator.Any})

// disburseRefusal answers a refused API PUSH call: HTTP 200 and a
// response_code other than "00".
func disburseRefusal(w http.ResponseWriter, code, text string) {
	writeJSON(w, http.StatusOK, answer{Code: code, Text: text})
}

// getInvoice is POST {api v2}/disburse/get-invoice: it makes a
// disbursement and names it, sending nothing.
func (s *Server) getInvoice(w http.ResponseWriter, r *http.Request) {
	m := modeOf(r)
	in, _, ok := emulator.ReadBody(r, false)
	if !ok {
		disburseRefusal(w, CodeInvalid, "The request body must be a JSON object")
		return
	}
	v, errs := disburseShape.Validate(in)
	alias, amount, mode, callback := v.String("account_alias"), v.Int("amount"), cmp.Or(v.String("withdraw_mode"), paydunya.AccountMode), v.String("callback_url")
	if len(errs) > 0 {
		disburseRefusal(w, CodeInvalid, "Invalid request: "+strings.Join(errs, "; "))
		return
	}
	now := time.Now().UTC()
	d := &Disbursement{Token: emulator.RandomHex(10), Mode: m, AccountAlias: alias, Amount: amount, WithdrawMode: mode,
		CallbackURL: callback, Status: DisburseCreated, CreatedAt: now, UpdatedAt: now}
	s.disbursements.Add(d.Token, d)
	writeJSON(w, http.StatusOK, struct {
		answer
		DisburseToken string `json:"disburse_token"`
	}{answer{CodeOK, "Disburse invoice created"}, d.Token})
}

// disbursement finds the disbursement a submit-invoice or check-status body
// names in mode m, or answers for it: 1003 without disburse_invoice, HTTP
// 404 and 1002 for one it does not know. The caller holds no lock.
func (s *Server) disbursement(w http.ResponseWriter, r *http.Request, m paydunya.Mode) (emulator.Values, string, bool) {
	in, _, ok := emulator.ReadBody(r, false)
	if !ok {
		disburseRefusal(w, CodeInvalid, "The request body must be a JSON object")
		return nil, "", false
	}
	v, errs := lookupShape.Validate(in)
	tok := v.String("disburse_invoice")
	if len(errs) > 0 {
		disburseRefusal(w, CodeInvalid, "Invalid request: "+strings.Join(errs, "; "))
		return nil, "", false
	}
	if d, ok := s.disbursements.Get(tok); !ok || d.Mode != m {
		writeJSON(w, http.StatusNotFound, answer{Code: CodeNotFound, Text: "Disburse invoice not found"})
		return nil, "", false
	}
	return v, tok, true
}

// submitInvoice is POST {api v2}/disburse/submit-invoice: it sends a
// disbursement made by get-invoice, once. A PayDunya account is credited
// at once (success); a wallet's disbursement goes to its operator and
// stays pending until SettleDisbursement. An account RefuseAccount named is
// refused with 1004, and the disbursement fails, nothing sent.
func (s *Server) submitInvoice(w http.ResponseWriter, r *http.Request) {
	m := modeOf(r)
	in, tok, ok := s.disbursement(w, r, m)
	if !ok {
		return
	}
	var snap Disbursement
	var code, text string
	s.disbursements.With(tok, func(d *Disbursement) {
		s.mu.Lock() // after the ledger's: refused and txSeq
		defer s.mu.Unlock()
		refusal, refused := s.refused[d.AccountAlias]
		now := time.Now().UTC()
		switch {
		case d.Status != DisburseCreated:
			code, text = CodeAlreadySubmitted, "Disburse invoice already submitted"
			return
		case refused:
			d.DisburseID, d.UpdatedAt, d.Status, d.Reason = in.String("disburse_id"), now, DisburseFailed, refusal
			code, text = CodePayoutRefused, refusal
			return
		}
		s.txSeq++
		d.TransactionID = fmt.Sprintf("DTX%06d", s.txSeq)
		if m == paydunya.Sandbox {
			d.TransactionID = fmt.Sprintf("TESTD%06d", s.txSeq)
		}
		d.DisburseID, d.UpdatedAt, d.SentAt, d.Status = in.String("disburse_id"), now, now, DisbursePending
		d.Submissions++
		text = "Disbursement submitted to the operator"
		if d.WithdrawMode == paydunya.AccountMode {
			d.Status, text = DisburseSuccess, "Transaction completed successfully"
		}
		snap = *d
	})
	if code != "" {
		disburseRefusal(w, code, text)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		answer
		Description   string `json:"description"`
		TransactionID string `json:"transaction_id"`
		Status        string `json:"status"`
	}{answer{CodeOK, text}, fmt.Sprintf("Disbursement of %d FCFA to %s", snap.Amount, snap.WithdrawMode), snap.TransactionID, snap.Status})
}

// checkStatus is POST {api v2}/disburse/check-status: the disbursement's
// status, which sends nothing.
func (s *Server) checkStatus(w http.ResponseWriter, r *http.Request) {
	m := modeOf(r)
	_, tok, ok := s.disbursement(w, r, m)
	if !ok {
		return
	}
	d, _ := s.disbursements.Get(tok)
	text := "Transaction Found"
	if d.Status == DisburseFailed && d.Reason != "" {
		text = d.Reason
	}
	writeJSON(w, http.StatusOK, struct {
		answer
		Status        string `json:"status"`
		Amount        int64  `json:"amount"`
		WithdrawMode  string `json:"withdraw_mode"`
		TransactionID string `json:"transaction_id,omitempty"`
		DisburseID    string `json:"disburse_id,omitempty"`
		UpdatedAt     string `json:"updated_at"`
	}{answer{CodeOK, text}, d.Status, d.Amount, d.WithdrawMode, d.TransactionID, d.DisburseID, d.UpdatedAt.Format(time.DateTime)})
}
