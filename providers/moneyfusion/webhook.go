package moneyfusion

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/internal/clientkit"
)

// Webhook events, as MoneyFusion names them.
const (
	EventPending   = "payin.session.pending"
	EventCompleted = "payin.session.completed"
	EventCancelled = "payin.session.cancelled"
)

// ParseWebhook reads one MoneyFusion notification, the JSON MoneyFusion
// posts to the webhook_url of the payment request:
//
//	{"event": "payin.session.completed", "personal_Info": [{"cauri_payment_id": ...}],
//	 "tokenPay": ..., "Montant": 194, "frais": 6, ...}
//
// MoneyFusion signs nothing, so the update is never Authenticated: the kit
// confirms every notification with FetchStatus, whose answer replaces what
// the notification claimed. There is no signature to check and the request
// r is not read; a forged notification costs one status call and changes
// nothing.
//
// payin.session.* events give a status (see [MapStatus]); payout.session.*
// and any other event return cauri.ErrIgnoredEvent. A body with no event
// but a statut, the shape of the status endpoint's data, is read by its
// statut. EventID is the event and tokenPay, MoneyFusion's own keys for
// telling notifications apart. Amount is Montant + frais, as [Charged]
// reads them when the order's amount is unknown. Unreadable JSON, a
// missing tokenPay and fields of the wrong type return an error wrapping
// cauri.ErrMalformed.
func (p *Provider) ParseWebhook(_ *http.Request, body []byte) (cauri.Update, error) {
	d, f, err := parsePayment(body)
	if err != nil {
		return cauri.Update{}, fmt.Errorf("moneyfusion webhook: %w", err)
	}
	raw := d.status
	if !clientkit.IsNull(f.Event) {
		event, err := clientkit.StringValue(f.Event, "moneyfusion webhook event")
		if err != nil {
			return cauri.Update{}, err
		}
		raw = truncate(strings.TrimSpace(event), 64)
		if !strings.HasPrefix(strings.ToLower(raw), "payin.") {
			return cauri.Update{}, fmt.Errorf("%w: moneyfusion event %q", cauri.ErrIgnoredEvent, raw)
		}
	}
	if raw == "" {
		return cauri.Update{}, fmt.Errorf("%w: moneyfusion webhook has neither event nor statut", cauri.ErrMalformed)
	}
	if d.token == "" {
		return cauri.Update{}, fmt.Errorf("%w: moneyfusion webhook has no tokenPay", cauri.ErrMalformed)
	}
	u := p.update(d, raw, 0)
	u.EventID = raw + ":" + d.token
	u.Authenticated = false
	return u, nil
}
