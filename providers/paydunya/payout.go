package paydunya

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/mail"
	"regexp"
	"strings"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/internal/clientkit"
	"github.com/cauripay/cauri/providers/providerhttp"
)

// AccountMode is the withdraw_mode of a payout to a PayDunya account, the
// default when PayoutRequest.Method is empty.
const AccountMode = "paydunya"

// The statuses of a disbursement, in PayDunya's words (check-status's
// status): created by get-invoice, pending once submitted to the operator,
// then success or failed.
const (
	DisburseCreated = "created"
	DisbursePending = "pending"
	DisburseSuccess = "success"
	DisburseFailed  = "failed"
)

// getInvoiceRequest is the body of POST {disburse}/disburse/get-invoice,
// as PayDunya's API PUSH documentation spells it.
type getInvoiceRequest struct {
	AccountAlias string `json:"account_alias"`
	Amount       int64  `json:"amount"`
	WithdrawMode string `json:"withdraw_mode"`
	CallbackURL  string `json:"callback_url,omitempty"`
}

// getInvoiceResponse is get-invoice's answer.
type getInvoiceResponse struct {
	envelope
	DisburseToken json.RawMessage `json:"disburse_token"`
}

// disburseRequest is the body of submit-invoice and check-status: the
// disbursement's token.
type disburseRequest struct {
	DisburseInvoice string `json:"disburse_invoice"`
}

// disburseResponse is submit-invoice's and check-status's answer.
type disburseResponse struct {
	envelope
	Description   json.RawMessage `json:"description"`
	Status        json.RawMessage `json:"status"`
	TransactionID json.RawMessage `json:"transaction_id"`
}

// PreparePayout makes a disbursement with PayDunya's API PUSH,
// POST {DisburseBaseURL}/disburse/get-invoice with {"account_alias",
// "amount", "withdraw_mode"} (and "callback_url" when
// Config.PayoutCallbackURL is set), and returns its disburse_token.
// PayDunya sends nothing until SubmitPayout: whatever PreparePayout
// returns, no money has moved. The kit records the token before it calls
// SubmitPayout, so that a payout whose answer is lost can be looked up
// with CheckPayout.
//
// req.Method is the withdraw_mode: AccountMode ("paydunya", the default)
// for a PayDunya account, or a wallet's mode as PayDunya's documentation
// lists them ("orange-money-senegal", "wave-ci", "mtn-benin"...), sent as
// given. req.Account is the recipient's account alias, sent as given: a
// phone number of digits with an optional leading "+" (PayDunya's
// documentation asks for the national number, "771111111"; numbers are
// not rewritten, since dropping a country code could name another
// country's account), or, for a PayDunya account, an email address.
// req.Amount is whole FCFA (req.Currency must be XOF). Description and
// Key are not sent: PayDunya's call takes neither. A bad request fails
// before any call with a *cauri.ValidationError (What "payout").
//
// A response_code other than "00" is a permanent *cauri.ProviderError with
// PayDunya's response_text; an answer that never came, a 5xx or 429, is
// Temporary (nothing was sent either way, so the kit may ask again).
func (p *Provider) PreparePayout(ctx context.Context, req cauri.PayoutRequest) (string, error) {
	resp, err := clientkit.Post(ctx, p.http, providerhttp.Request{
		Op: "payout_prepare", URL: p.disburse + "/disburse/get-invoice", Header: p.headers(),
	}, p.payoutBody, req)
	if err != nil {
		return "", err
	}
	var gr getInvoiceResponse
	if err := resp.DecodeJSON(&gr); err != nil {
		return "", &cauri.ProviderError{Provider: Name, Op: "payout_prepare", StatusCode: resp.StatusCode, Temporary: true, Err: err}
	}
	if !gr.ok() {
		return "", refusal("payout_prepare", resp.StatusCode, gr.envelope)
	}
	tok := clientkit.Text(gr.DisburseToken)
	if tok == "" || len(tok) > 255 {
		return "", malformed("payout_prepare", resp.StatusCode, "get-invoice answered with no usable disburse_token")
	}
	return tok, nil
}

// SubmitPayout sends the disbursement PreparePayout named ref,
// POST {DisburseBaseURL}/disburse/submit-invoice with {"disburse_invoice"}.
// The kit never calls it twice for one payout.
//
// response_code "00" maps its status: "success" is PayoutSucceeded,
// "failed" PayoutFailed, anything else (pending, created, none, a word
// this package does not know) PayoutPending, for the kit to settle later
// with CheckPayout, PayDunya's documentation saying that check-status gives
// a submitted disbursement's final status. Any other response_code is
// PayoutFailed with PayDunya's response_text, and a nil error: PayDunya
// answered and sent nothing. An HTTP 4xx is a permanent *cauri.ProviderError
// (nothing was sent). Everything whose outcome is unknown (no answer, a
// timeout or cancellation after the request left, a 5xx, 408 or 429, a 2xx
// that cannot be read) is a *cauri.ProviderError marked Temporary, which
// the kit records as pending, never as failed: the money may have gone.
// ProviderRef is ref in every result.
func (p *Provider) SubmitPayout(ctx context.Context, ref string, req cauri.PayoutRequest) (cauri.PayoutResult, error) {
	resp, err := p.http.Do(ctx, providerhttp.Request{
		Op: "payout", Method: http.MethodPost, URL: p.disburse + "/disburse/submit-invoice",
		Header: p.headers(), JSON: disburseRequest{DisburseInvoice: ref},
	})
	if err != nil {
		var pe *cauri.ProviderError
		if errors.As(err, &pe) && (pe.StatusCode == 0 || (pe.StatusCode >= 200 && pe.StatusCode < 300)) {
			// The request may have reached PayDunya: unknown, not refused.
			pe.Temporary = true
		}
		return cauri.PayoutResult{}, providerhttp.Scrub(err, ref)
	}
	var dr disburseResponse
	if err := resp.DecodeJSON(&dr); err != nil {
		return cauri.PayoutResult{}, &cauri.ProviderError{Provider: Name, Op: "payout", StatusCode: resp.StatusCode, Temporary: true, Err: err}
	}
	if dr.code() == "" {
		return cauri.PayoutResult{}, &cauri.ProviderError{Provider: Name, Op: "payout", StatusCode: resp.StatusCode, Temporary: true,
			Err: fmt.Errorf("%w: submit-invoice answered with no response_code", cauri.ErrMalformed)}
	}
	if !dr.ok() {
		return cauri.PayoutResult{ProviderRef: ref, Status: cauri.PayoutFailed, Message: describeEnvelope(dr.envelope)}, nil
	}
	return cauri.PayoutResult{ProviderRef: ref, Status: p.disburseStatus(clientkit.Text(dr.Status)), Message: dr.message()}, nil
}

// CheckPayout looks up the disbursement PayDunya named ref (its
// disburse_token), POST {DisburseBaseURL}/disburse/check-status with
// {"disburse_invoice"}, the lookup PayDunya's documentation points to for a
// submitted disbursement's final status. It sends nothing.
//
// "success" is PayoutSucceeded, "failed" PayoutFailed, "pending" and
// "created" (made, never submitted: the kit does not submit it again on its
// own) PayoutPending, and so is a status this package does not know, which
// it logs. An unknown token (HTTP 404) is a permanent error wrapping
// cauri.ErrNotFound; another response_code than "00" a permanent
// *cauri.ProviderError with PayDunya's response_text; no answer, a 5xx or
// 429 a Temporary one.
func (p *Provider) CheckPayout(ctx context.Context, ref string) (cauri.PayoutResult, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return cauri.PayoutResult{}, clientkit.NothingToLookUp(Name, "payout_status", "no paydunya disburse token to look up")
	}
	resp, err := p.http.Do(ctx, providerhttp.Request{
		Op: "payout_status", Method: http.MethodPost, URL: p.disburse + "/disburse/check-status",
		Header: p.headers(), JSON: disburseRequest{DisburseInvoice: ref},
	})
	if err != nil {
		var pe *cauri.ProviderError
		if errors.As(err, &pe) && pe.StatusCode == http.StatusNotFound && pe.Err == nil {
			pe.Err = cauri.ErrNotFound
		}
		return cauri.PayoutResult{}, providerhttp.Scrub(err, ref)
	}
	var dr disburseResponse
	if err := resp.DecodeJSON(&dr); err != nil {
		return cauri.PayoutResult{}, &cauri.ProviderError{Provider: Name, Op: "payout_status", StatusCode: resp.StatusCode, Err: err}
	}
	if !dr.ok() {
		return cauri.PayoutResult{}, providerhttp.Scrub(refusal("payout_status", resp.StatusCode, dr.envelope), ref)
	}
	raw := clientkit.Text(dr.Status)
	if raw == "" {
		return cauri.PayoutResult{}, malformed("payout_status", resp.StatusCode, "check-status answered with no status")
	}
	return cauri.PayoutResult{ProviderRef: ref, Status: p.disburseStatus(raw), Message: dr.message()}, nil
}

// Payout sends a payout in one go, for use without the kit: PreparePayout,
// then SubmitPayout. (The kit calls the two itself, recording the token in
// between.) An error from the first step means nothing was sent, and a
// Temporary one may be retried; the second step's results and errors are
// SubmitPayout's.
func (p *Provider) Payout(ctx context.Context, req cauri.PayoutRequest) (cauri.PayoutResult, error) {
	ref, err := p.PreparePayout(ctx, req)
	if err != nil {
		return cauri.PayoutResult{}, err
	}
	return p.SubmitPayout(ctx, ref, req)
}

// disburseStatus maps a disbursement's status, in any case, to a payout's;
// a word it does not know is pending, and logged.
func (p *Provider) disburseStatus(raw string) cauri.PayoutStatus {
	switch strings.ToLower(raw) {
	case DisburseSuccess:
		return cauri.PayoutSucceeded
	case DisburseFailed:
		return cauri.PayoutFailed
	case DisbursePending, DisburseCreated, "":
		return cauri.PayoutPending
	}
	p.log.Warn("paydunya reported a disbursement status this package does not know; kept pending", "status", clientkit.Truncate(raw, 32))
	return cauri.PayoutPending
}

// message is the answer's response_text, or else its description, cut to
// a readable length.
func (r disburseResponse) message() string {
	if t := clientkit.Text(r.Text); t != "" {
		return clientkit.Truncate(t, 200)
	}
	return clientkit.Truncate(clientkit.Text(r.Description), 200)
}

// withdrawMode is the shape of PayDunya's withdraw_mode values.
var withdrawMode = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// payoutBody builds get-invoice's body, or the *cauri.ValidationError
// naming everything wrong with req.
func (p *Provider) payoutBody(req cauri.PayoutRequest) (*getInvoiceRequest, error) {
	invalid := clientkit.Invalid{What: "payout"}
	bad := invalid.Bad
	mode := req.Method
	if mode == "" {
		mode = AccountMode
	}
	if len(mode) > 64 || !withdrawMode.MatchString(mode) {
		bad("Method", "must be a paydunya withdraw_mode: lower-case words joined by hyphens (orange-money-senegal)")
	}
	switch {
	case mode == AccountMode && !accountAlias(req.Account):
		bad("Account", "must be a paydunya account alias: an email address or a phone number of digits")
	case mode != AccountMode && (strings.Contains(req.Account, "@") || !accountAlias(req.Account)):
		bad("Account", "must be the wallet's phone number, digits with an optional leading +")
	}
	invalid.OneCurrency(req.Amount, req.Currency, Currency, "must be XOF: paydunya pays out whole FCFA")
	if err := invalid.Err(); err != nil {
		return nil, err
	}
	return &getInvoiceRequest{AccountAlias: req.Account, Amount: req.Amount, WithdrawMode: mode, CallbackURL: p.payoutCallback}, nil
}

// accountAlias reports whether s is an email address or a phone number:
// 6 to 15 digits after an optional "+", with nothing else.
func accountAlias(s string) bool {
	if s == "" || len(s) > 254 || strings.TrimSpace(s) != s {
		return false
	}
	if strings.Contains(s, "@") {
		a, err := mail.ParseAddress(s)
		return err == nil && a.Address == s && a.Name == ""
	}
	digits := strings.TrimPrefix(s, "+")
	if len(digits) < 6 || len(digits) > 15 {
		return false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
