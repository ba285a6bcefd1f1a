package moneroo

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/internal/clientkit"
	"github.com/cauripay/cauri/providers/providerhttp"
)

// This file keeps the parsers as they were before they decoded in one
// pass: several json.Unmarshal calls over json.RawMessage fields. The
// differential tests hold the one-pass parsers to them, error messages
// included.

// refVerify is the signature check before its MACs were pooled.
func refVerify(body []byte, header string, secrets [][]byte) error {
	return clientkit.SignatureErrors{NotSigned: ErrNotSigned, Bad: ErrBadSignature}.Verify(body, header, secrets)
}

func refParseWebhook(p *Provider, secrets [][]byte, r *http.Request, body []byte) (cauri.Update, error) {
	if len(secrets) > 0 {
		var header string
		if r != nil {
			header = r.Header.Get(SignatureHeader)
		}
		if err := refVerify(body, header, secrets); err != nil {
			// The body's claim, a hint for the kit to confirm.
			u, perr := refParseWebhook(p, nil, r, body)
			if perr != nil {
				return cauri.Update{}, err
			}
			return u, err
		}
	}

	var n struct {
		Event json.RawMessage `json:"event"`
		Data  json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &n); err != nil || clientkit.IsNull(body) {
		return cauri.Update{}, fmt.Errorf("%w: moneroo webhook is not a JSON object", cauri.ErrMalformed)
	}
	var event string
	if json.Unmarshal(n.Event, &event) != nil || strings.TrimSpace(event) == "" {
		return cauri.Update{}, fmt.Errorf("%w: moneroo webhook has no event", cauri.ErrMalformed)
	}
	event = clientkit.Truncate(strings.TrimSpace(event), 64)
	kind, suffix, _ := strings.Cut(event, ".")
	if kind != "payment" {
		return cauri.Update{}, fmt.Errorf("%w: moneroo event %q", cauri.ErrIgnoredEvent, event)
	}

	d, err := refParsePayment(n.Data)
	if err != nil {
		return cauri.Update{}, fmt.Errorf("moneroo webhook: %w", err)
	}
	if d.id == "" {
		return cauri.Update{}, fmt.Errorf("%w: moneroo webhook has no data.id", cauri.ErrMalformed)
	}
	raw := d.status
	if raw == "" {
		raw = suffix
	}
	u := p.update(d, raw)
	u.EventID = event + ":" + d.id
	u.Authenticated = len(secrets) > 0 && (u.Status != cauri.StatusPaid || d.hasMoney)
	return u, nil
}

func refParsePayment(raw json.RawMessage) (payment, error) {
	var d struct {
		ID       json.RawMessage `json:"id"`
		Status   json.RawMessage `json:"status"`
		Amount   json.RawMessage `json:"amount"`
		Currency json.RawMessage `json:"currency"`
		Metadata json.RawMessage `json:"metadata"`
		Capture  json.RawMessage `json:"capture"`
	}
	if err := json.Unmarshal(raw, &d); err != nil || clientkit.IsNull(raw) {
		return payment{}, fmt.Errorf("%w: payment data is not an object", cauri.ErrMalformed)
	}
	p := payment{id: clientkit.Text(d.ID), status: clientkit.Truncate(clientkit.Text(d.Status), 64)}

	cur, err := refCurrencyCode(d.Currency)
	if err != nil {
		return payment{}, err
	}
	if cur != "" && !clientkit.IsNull(d.Amount) {
		if p.amount, err = providerhttp.ParseAmountJSON(d.Amount, cur); err != nil {
			return payment{}, fmt.Errorf("payment amount: %w", err)
		}
		p.currency, p.hasMoney = cur, true
	}

	var meta map[string]json.RawMessage
	if json.Unmarshal(d.Metadata, &meta) == nil {
		var s string
		if json.Unmarshal(meta[MetaPaymentID], &s) == nil {
			p.paymentID = strings.TrimSpace(s)
		}
	}

	var capture struct {
		FailureMessage *string `json:"failure_message"`
		Method         *struct {
			ShortCode *string `json:"short_code"`
		} `json:"method"`
	}
	if json.Unmarshal(d.Capture, &capture) == nil {
		if capture.FailureMessage != nil {
			p.failure = clientkit.Truncate(strings.TrimSpace(*capture.FailureMessage), 200)
		}
		if capture.Method != nil && capture.Method.ShortCode != nil {
			p.method = clientkit.Truncate(strings.TrimSpace(*capture.Method.ShortCode), 64)
		}
	}
	return p, nil
}

func refCurrencyCode(raw json.RawMessage) (string, error) {
	if clientkit.IsNull(raw) {
		return "", nil
	}
	var code string
	if json.Unmarshal(raw, &code) != nil {
		var obj struct {
			Code string `json:"code"`
		}
		if json.Unmarshal(raw, &obj) != nil {
			return "", fmt.Errorf("%w: currency is neither a code nor an object with one", cauri.ErrMalformed)
		}
		code = obj.Code
	}
	code = strings.ToUpper(strings.TrimSpace(code))
	if code == "" {
		return "", nil
	}
	if !clientkit.ISOCode(code) {
		return "", fmt.Errorf("%w: currency is not an ISO 4217 code", cauri.ErrMalformed)
	}
	return code, nil
}
