package paydunyatest

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
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
func (s *Server) Disbursements() []Disbursement {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Disbursement, 0, len(s.disburseOrder))
	for _, tok := range s.disburseOrder {
		out = append(out, *s.disbursements[tok])
	}
	return out
}

// Disbursement returns a copy of the disbursement with this token.
func (s *Server) Disbursement(token string) (Disbursement, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.disbursements[token]
	if !ok {
		return Disbursement{}, false
	}
	return *d, true
}

// SettleDisbursement sets a disbursement's status, as the operator
// settling it would: DisburseSuccess or DisburseFailed, or any word, for
// tests of what a client does with one it does not know. A disbursement
// to a mobile-money wallet stays pending after submit-invoice until then.
func (s *Server) SettleDisbursement(token, status string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.disbursements[token]
	if !ok {
		return fmt.Errorf("paydunyatest: no disbursement %q", token)
	}
	d.Status = status
	d.UpdatedAt = time.Now().UTC()
	if status == DisburseFailed && d.Reason == "" {
		d.Reason = "Transaction refused by the operator"
	}
	return nil
}

// readBody decodes a JSON object body, numbers kept as json.Number.
func readBody(r *http.Request) (map[string]any, bool) {
	var in map[string]any
	dec := json.NewDecoder(r.Body)
	dec.UseNumber()
	if err := dec.Decode(&in); err != nil || in == nil {
		return nil, false
	}
	return in, true
}

// wholeAmount reads a positive whole amount of FCFA sent as a JSON number
// (4500, or 4500.0 as some clients send it) or as a string of digits.
func wholeAmount(v any) (int64, bool) {
	var text string
	switch v := v.(type) {
	case json.Number:
		text = v.String()
	case string:
		text = strings.TrimSpace(v)
	default:
		return 0, false
	}
	if n, err := strconv.ParseInt(text, 10, 64); err == nil {
		return n, n > 0
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil || f <= 0 || f != math.Trunc(f) || f > 1e15 {
		return 0, false
	}
	return int64(f), true
}

// aliasOf reads account_alias, a string or a number of digits.
func aliasOf(v any) string {
	switch v := v.(type) {
	case string:
		return strings.TrimSpace(v)
	case json.Number:
		return v.String()
	}
	return ""
}

// disburseRefusal answers a refused API PUSH call: HTTP 200 and a
// response_code other than "00".
func disburseRefusal(w http.ResponseWriter, code, text string) {
	writeJSON(w, http.StatusOK, answer{Code: code, Text: text})
}

// getInvoice is POST {api v2}/disburse/get-invoice: it makes a
// disbursement and names it, sending nothing.
func (s *Server) getInvoice(w http.ResponseWriter, r *http.Request) {
	m := modeOf(r)
	in, ok := readBody(r)
	if !ok {
		disburseRefusal(w, CodeInvalid, "The request body must be a JSON object")
		return
	}
	var errs []string
	alias := aliasOf(in["account_alias"])
	if alias == "" {
		errs = append(errs, "account_alias is required")
	}
	amount, ok := wholeAmount(in["amount"])
	if !ok {
		errs = append(errs, "amount is required and must be a positive whole number of FCFA")
	}
	mode := paydunya.AccountMode
	if v, present := in["withdraw_mode"]; present {
		mode, _ = v.(string)
		if !slices.Contains(WithdrawModes, mode) {
			errs = append(errs, "withdraw_mode is not one of the documented modes")
		}
	}
	var callback string
	if v, present := in["callback_url"]; present {
		callback, _ = v.(string)
		if u, err := url.Parse(callback); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			errs = append(errs, "callback_url must be a valid URL")
		}
	}
	if len(errs) > 0 {
		disburseRefusal(w, CodeInvalid, "Invalid request: "+strings.Join(errs, "; "))
		return
	}
	now := time.Now().UTC()
	d := &Disbursement{Token: emulator.RandomHex(10), Mode: m, AccountAlias: alias, Amount: amount, WithdrawMode: mode,
		CallbackURL: callback, Status: DisburseCreated, CreatedAt: now, UpdatedAt: now}
	s.mu.Lock()
	s.disbursements[d.Token] = d
	s.disburseOrder = append(s.disburseOrder, d.Token)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, struct {
		answer
		DisburseToken string `json:"disburse_token"`
	}{answer{CodeOK, "Disburse invoice created"}, d.Token})
}

// disbursement finds the disbursement a submit-invoice or check-status body
// names in mode m, or answers for it: 1003 without disburse_invoice, HTTP
// 404 and 1002 for one it does not know. The caller holds no lock.
func (s *Server) disbursement(w http.ResponseWriter, r *http.Request, m paydunya.Mode) (map[string]any, string, bool) {
	in, ok := readBody(r)
	if !ok {
		disburseRefusal(w, CodeInvalid, "The request body must be a JSON object")
		return nil, "", false
	}
	tok, _ := in["disburse_invoice"].(string)
	if strings.TrimSpace(tok) == "" {
		disburseRefusal(w, CodeInvalid, "Invalid request: disburse_invoice is required")
		return nil, "", false
	}
	s.mu.Lock()
	d, ok := s.disbursements[tok]
	known := ok && d.Mode == m
	s.mu.Unlock()
	if !known {
		writeJSON(w, http.StatusNotFound, answer{Code: CodeNotFound, Text: "Disburse invoice not found"})
		return nil, "", false
	}
	return in, tok, true
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
	disburseID, _ := in["disburse_id"].(string)
	s.mu.Lock()
	d := s.disbursements[tok]
	if d.Status != DisburseCreated {
		s.mu.Unlock()
		disburseRefusal(w, CodeAlreadySubmitted, "Disburse invoice already submitted")
		return
	}
	now := time.Now().UTC()
	d.DisburseID, d.UpdatedAt = disburseID, now
	if text, refused := s.refused[d.AccountAlias]; refused {
		d.Status, d.Reason = DisburseFailed, text
		s.mu.Unlock()
		disburseRefusal(w, CodePayoutRefused, text)
		return
	}
	s.txSeq++
	d.TransactionID = fmt.Sprintf("DTX%06d", s.txSeq)
	if m == paydunya.Sandbox {
		d.TransactionID = fmt.Sprintf("TESTD%06d", s.txSeq)
	}
	d.Submissions++
	d.SentAt = now
	d.Status = DisbursePending
	text := "Disbursement submitted to the operator"
	if d.WithdrawMode == paydunya.AccountMode {
		d.Status, text = DisburseSuccess, "Transaction completed successfully"
	}
	snap := *d
	s.mu.Unlock()
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
	s.mu.Lock()
	d := *s.disbursements[tok]
	s.mu.Unlock()
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
