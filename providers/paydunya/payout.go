package paydunya

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/mail"
	"strings"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/internal/providerhttp"
)

// creditRequest is the body of POST /direct-pay/credit-account, as
// PayDunya's example spells it.
type creditRequest struct {
	AccountAlias string `json:"account_alias"`
	Amount       int64  `json:"amount"`
}

// creditResponse is credit-account's answer.
type creditResponse struct {
	envelope
	TransactionID json.RawMessage `json:"transaction_id"`
}

// Payout sends money from the PayDunya account to another PayDunya
// account ("Paiement Et Redistribution"),
// POST {BaseURL}/direct-pay/credit-account with {"account_alias",
// "amount"}. The option must be enabled on the application in PayDunya's
// dashboard.
//
// req.Account is the recipient's account alias, sent as given: an email
// address, or a phone number of digits with an optional leading "+" (the
// national "771111111" of PayDunya's example, or E.164). Numbers are not
// rewritten: dropping a country code could name another country's
// account. req.Amount is whole FCFA (req.Currency must be XOF).
// Description and Key are not sent: PayDunya's call takes neither, and it
// has no idempotency key of its own, so the kit never repeats a payout.
// A bad request fails before any call with a *cauri.ValidationError (What
// "payout").
//
// response_code "00" is PayoutSucceeded ("Transaction completed
// successfully": the transfer between PayDunya accounts is immediate),
// with transaction_id as ProviderRef. Any other response_code is
// PayoutFailed with PayDunya's response_text, and a nil error: PayDunya
// answered and sent nothing. An HTTP 4xx is a permanent *cauri.ProviderError
// (nothing was sent). Everything whose outcome is unknown (no answer, a
// timeout or cancellation after the request left, a 5xx, 408 or 429, a 2xx
// that cannot be read) is a *cauri.ProviderError marked Temporary, which
// the kit records as pending, never as failed: the money may have gone.
func (p *Provider) Payout(ctx context.Context, req cauri.PayoutRequest) (cauri.PayoutResult, error) {
	body, err := payoutBody(req)
	if err != nil {
		return cauri.PayoutResult{}, err
	}
	resp, err := p.http.Do(ctx, providerhttp.Request{
		Op: "payout", Method: http.MethodPost, URL: p.base + "/direct-pay/credit-account",
		Header: p.headers(), JSON: body,
	})
	if err != nil {
		var pe *cauri.ProviderError
		if errors.As(err, &pe) && (pe.StatusCode == 0 || (pe.StatusCode >= 200 && pe.StatusCode < 300)) {
			// The request may have reached PayDunya: unknown, not refused.
			pe.Temporary = true
		}
		return cauri.PayoutResult{}, err
	}
	var cr creditResponse
	if err := resp.DecodeJSON(&cr); err != nil {
		return cauri.PayoutResult{}, &cauri.ProviderError{Provider: Name, Op: "payout", StatusCode: resp.StatusCode, Temporary: true, Err: err}
	}
	if cr.code() == "" {
		return cauri.PayoutResult{}, &cauri.ProviderError{Provider: Name, Op: "payout", StatusCode: resp.StatusCode, Temporary: true,
			Err: fmt.Errorf("%w: credit-account answered with no response_code", cauri.ErrMalformed)}
	}
	ref := truncate(jsonText(cr.TransactionID), 128)
	if !cr.ok() {
		return cauri.PayoutResult{ProviderRef: ref, Status: cauri.PayoutFailed, Message: describeEnvelope(cr.envelope)}, nil
	}
	if ref == "" {
		p.log.Warn("paydunya payout succeeded without a transaction_id")
	}
	return cauri.PayoutResult{ProviderRef: ref, Status: cauri.PayoutSucceeded, Message: truncate(jsonText(cr.Text), 200)}, nil
}

// payoutBody builds credit-account's body, or the *cauri.ValidationError
// naming everything wrong with req.
func payoutBody(req cauri.PayoutRequest) (*creditRequest, error) {
	ve := &cauri.ValidationError{What: "payout"}
	bad := func(field, reason string) {
		ve.Fields = append(ve.Fields, cauri.FieldError{Field: field, Reason: reason})
	}
	if !accountAlias(req.Account) {
		bad("Account", "must be a paydunya account alias: an email address or a phone number of digits")
	}
	if req.Amount <= 0 {
		bad("Amount", "must be positive")
	}
	if req.Currency != Currency {
		bad("Currency", "must be XOF: paydunya pays out whole FCFA")
	}
	if len(ve.Fields) > 0 {
		return nil, ve
	}
	return &creditRequest{AccountAlias: req.Account, Amount: req.Amount}, nil
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
