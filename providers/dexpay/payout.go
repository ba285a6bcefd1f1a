package dexpay

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/internal/clientkit"
	"github.com/cauripay/cauri/providers/providerhttp"
)

// MetaPayoutKey is the metadata key holding the kit's idempotency key of a
// payout, so that it can be found in DEXPAY's dashboard.
const MetaPayoutKey = "cauri_payout_key"

// dialCodes are the countries DEXPAY's WooCommerce plugin lists, by their
// international dialling code: countryISO is read from the payout's phone
// number. DEXPAY's SDK documents payouts to SN, CI, ML, BF and GN; it
// refuses the others itself.
var dialCodes = map[string]string{
	"221": "SN", "223": "ML", "224": "GN", "225": "CI", "226": "BF", "227": "NE", "228": "TG", "229": "BJ",
	"235": "TD", "236": "CF", "237": "CM", "240": "GQ", "241": "GA", "242": "CG", "245": "GW",
}

// PayoutAccount returns the cauri.PayoutRequest.Account naming a mobile
// money wallet for DEXPAY: the operator's code as DEXPAY writes it
// ("wave", "orange_money", "mtn", "moov") and the wallet's phone number in
// E.164 form, joined by a colon: "wave:+221771234567".
func PayoutAccount(operator, phone string) string { return operator + ":" + phone }

// payoutRequest is the body of POST /payouts, as DEXPAY's SDK types it.
type payoutRequest struct {
	Amount             int64             `json:"amount"`
	Currency           string            `json:"currency"`
	DestinationPhone   string            `json:"destination_phone"`
	DestinationDetails payoutDestination `json:"destination_details"`
	Metadata           map[string]string `json:"metadata"`
}

type payoutDestination struct {
	Operator   string `json:"operator"`
	CountryISO string `json:"countryISO"`
}

// MapPayoutStatus maps a DEXPAY payout status, in any case, to the kit's:
// PENDING and PROCESSING (and INITIATED) are PayoutPending, COMPLETED is
// PayoutSucceeded, FAILED and CANCELLED (a payout cancelled while pending)
// are PayoutFailed. Any other value is PayoutPending with known false: the
// money may have gone.
func MapPayoutStatus(raw string) (s cauri.PayoutStatus, known bool) {
	switch strings.ToUpper(strings.TrimSpace(raw)) {
	case "INITIATED", "PENDING", "PROCESSING":
		return cauri.PayoutPending, true
	case "COMPLETED":
		return cauri.PayoutSucceeded, true
	case "FAILED", "CANCELLED":
		return cauri.PayoutFailed, true
	}
	return cauri.PayoutPending, false
}

// Payout sends money from the DEXPAY account to a mobile money wallet,
// POST {BaseURL}/payouts with {"amount", "currency", "destination_phone",
// "destination_details": {"operator", "countryISO"}, "metadata"}.
//
// req.Account names the wallet as [PayoutAccount] writes it,
// "wave:+221771234567"; countryISO is read from the number's country code.
// req.Amount is whole francs of req.Currency (XOF, XAF or GNF). Key and
// Description go in metadata ([MetaPayoutKey], "description"); DEXPAY
// takes no idempotency key, so the kit never repeats a payout. A bad
// request fails before any call with a *cauri.ValidationError (What
// "payout").
//
// The answer's status gives the result (see [MapPayoutStatus]): a payout
// is usually PENDING at first, and its ProviderRef is DEXPAY's payout id
// (else its reference, "PO_..."), which GET {BaseURL}/payouts/{id} looks
// up. An HTTP 4xx, or a 2xx saying "success": false, is a permanent
// *cauri.ProviderError: nothing was sent. Everything whose outcome is
// unknown (no answer, a timeout or cancellation after the request left, a
// 5xx, 408 or 429, a 2xx that cannot be read) is a *cauri.ProviderError
// marked Temporary, which the kit records as pending, never as failed:
// the money may have gone.
func (p *Provider) Payout(ctx context.Context, req cauri.PayoutRequest) (cauri.PayoutResult, error) {
	body, err := payoutBody(req)
	if err != nil {
		return cauri.PayoutResult{}, err
	}
	res, err := p.payout(ctx, body)
	return res, p.scrub(err)
}

func (p *Provider) payout(ctx context.Context, body *payoutRequest) (cauri.PayoutResult, error) {
	resp, err := p.http.Do(ctx, providerhttp.Request{
		Op: "payout", Method: http.MethodPost, URL: p.base + "/payouts",
		Header: p.headers(), JSON: body,
	})
	if err != nil {
		var pe *cauri.ProviderError
		if errors.As(err, &pe) && (pe.StatusCode == 0 || (pe.StatusCode >= 200 && pe.StatusCode < 300)) {
			// The request may have reached DEXPAY: unknown, not refused.
			pe.Temporary = true
		}
		return cauri.PayoutResult{}, err
	}
	unknown := func(err error) error {
		return &cauri.ProviderError{Provider: Name, Op: "payout", StatusCode: resp.StatusCode, Temporary: true, Err: err}
	}
	data, err := answerData(resp, "payout")
	if err != nil {
		if errors.Is(err, ErrUnsuccessful) {
			return cauri.PayoutResult{}, err // refused: nothing sent
		}
		var pe *cauri.ProviderError
		if errors.As(err, &pe) {
			pe.Temporary = true
		}
		return cauri.PayoutResult{}, err
	}
	var f struct {
		ID            json.RawMessage `json:"id"`
		Reference     json.RawMessage `json:"reference"`
		Status        json.RawMessage `json:"status"`
		FailureReason json.RawMessage `json:"failure_reason"`
	}
	if err := json.Unmarshal(data, &f); err != nil {
		return cauri.PayoutResult{}, unknown(fmt.Errorf("%w: payout: unexpected JSON: %w", cauri.ErrMalformed, err))
	}
	raw := p.clean(clientkit.Truncate(clientkit.Text(f.Status), 64))
	if raw == "" {
		return cauri.PayoutResult{}, unknown(fmt.Errorf("%w: payout answer has no status", cauri.ErrMalformed))
	}
	st, known := MapPayoutStatus(raw)
	if !known {
		p.log.Warn("unknown dexpay payout status, treated as pending", "status", raw)
	}
	ref := p.clean(clientkit.Truncate(cmp.Or(clientkit.Text(f.ID), clientkit.Text(f.Reference)), 128))
	if ref == "" {
		p.log.Warn("dexpay payout answer without an id or reference", "status", raw)
	}
	return cauri.PayoutResult{ProviderRef: ref, Status: st, Message: p.clean(clientkit.MessageText(f.FailureReason))}, nil
}

// payoutBody builds the payout's body, or the *cauri.ValidationError
// naming everything wrong with req.
func payoutBody(req cauri.PayoutRequest) (*payoutRequest, error) {
	invalid := clientkit.Invalid{What: "payout"}
	bad := invalid.Bad
	operator, phone, country, ok := parseAccount(req.Account)
	if !ok {
		bad("Account", `must name a dexpay wallet as "operator:+E164 phone" ("wave:+221771234567"), in a country dexpay serves`)
	}
	var amount int64
	if supportedCurrency(req.Currency) {
		amount = invalid.WholeUnits(req.Amount, req.Currency, "")
	} else {
		bad("Currency", "must be XOF, XAF or GNF: the currencies dexpay pays out in")
	}
	if err := invalid.Err(); err != nil {
		return nil, err
	}
	meta := map[string]string{MetaPayoutKey: req.Key}
	if d := clientkit.OneLine(req.Description); d != "" {
		meta["description"] = d
	}
	return &payoutRequest{
		Amount:             amount,
		Currency:           req.Currency,
		DestinationPhone:   phone,
		DestinationDetails: payoutDestination{Operator: operator, CountryISO: country},
		Metadata:           meta,
	}, nil
}

// parseAccount reads "operator:+E164": an operator code of 2 to 32 lower
// case letters, digits and underscores, and a phone number of "+" and 8 to
// 15 digits whose country code is in dialCodes.
func parseAccount(account string) (operator, phone, country string, ok bool) {
	operator, phone, found := strings.Cut(account, ":")
	if !found || len(operator) < 2 || len(operator) > 32 {
		return "", "", "", false
	}
	for _, c := range operator {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return "", "", "", false
		}
	}
	digits, plus := strings.CutPrefix(phone, "+")
	if !plus || len(digits) < 8 || len(digits) > 15 {
		return "", "", "", false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return "", "", "", false
		}
	}
	country, ok = dialCodes[digits[:3]]
	return operator, phone, country, ok
}

// CheckPayout asks DEXPAY about the payout it knows by ref (its id, or
// its "PO_..." reference, as Payout recorded it): GET
// {BaseURL}/payouts/{ref}, whose status gives the result (see
// [MapPayoutStatus]). It sends nothing, so the kit may ask again. An
// unknown ref (404) is an error wrapping cauri.ErrNotFound.
func (p *Provider) CheckPayout(ctx context.Context, ref string) (cauri.PayoutResult, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return cauri.PayoutResult{}, clientkit.NothingToLookUp(Name, "payout_status", "no dexpay payout to look up")
	}
	res, err := p.checkPayout(ctx, ref)
	return res, p.scrub(err)
}

func (p *Provider) checkPayout(ctx context.Context, ref string) (cauri.PayoutResult, error) {
	data, code, err := p.get(ctx, "payout_status", providerhttp.JoinURL(p.base, "payouts", ref))
	if err != nil {
		return cauri.PayoutResult{}, err
	}
	var f struct {
		Status        json.RawMessage `json:"status"`
		FailureReason json.RawMessage `json:"failure_reason"`
	}
	if err := json.Unmarshal(data, &f); err != nil {
		return cauri.PayoutResult{}, &cauri.ProviderError{Provider: Name, Op: "payout_status", StatusCode: code,
			Err: fmt.Errorf("%w: payout: unexpected JSON: %w", cauri.ErrMalformed, err)}
	}
	raw := p.clean(clientkit.Truncate(clientkit.Text(f.Status), 64))
	st, known := MapPayoutStatus(raw)
	if !known {
		p.log.Warn("unknown dexpay payout status, treated as pending", "status", raw)
	}
	return cauri.PayoutResult{ProviderRef: ref, Status: st, Message: p.clean(clientkit.MessageText(f.FailureReason))}, nil
}
