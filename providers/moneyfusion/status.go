package moneyfusion

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/internal/clientkit"
	"github.com/cauripay/cauri/providers/providerhttp"
)

// MapStatus maps a MoneyFusion status to the kit's. It reads both the
// statut of the status endpoint and the event of a webhook:
//
//	pending                  StatusPending    the payment is being processed
//	no paid                  StatusPending    "paiement non effectué": not paid, yet or ever
//	paid                     StatusPaid
//	failure                  StatusFailed     the documentation's word
//	failed                   StatusFailed     the Node.js SDK's word
//	cancelled                StatusCancelled  seen by integrations, not documented
//	payin.session.pending    StatusPending
//	payin.session.completed  StatusPaid
//	payin.session.cancelled  StatusCancelled  "annulé ou échoué"
//
// Case and surrounding spaces are ignored. Any other value maps to
// StatusPending with known false: an undocumented status never settles a
// payment.
//
// "no paid" alone cannot tell a page nobody has paid yet from one the
// customer cancelled or left: [Provider.FetchStatus] reads it with the
// payment's age, and [Provider.Confirm] with the notification it
// confirms.
func MapStatus(raw string) (s cauri.Status, known bool) { return statuses.MapAnyCase(raw) }

// statuses are the words of MapStatus's table.
var statuses = clientkit.Statuses{
	cauri.StatusPending:   {"pending", "no paid", "payin.session.pending"},
	cauri.StatusPaid:      {"paid", "payin.session.completed"},
	cauri.StatusFailed:    {"failure", "failed"},
	cauri.StatusCancelled: {"cancelled", "payin.session.cancelled"},
}

// noPaid reports whether raw is "no paid", as MapStatus reads it.
func noPaid(raw string) bool { return strings.EqualFold(strings.TrimSpace(raw), "no paid") }

// payment is what this package reads of MoneyFusion's payment object, from
// the status endpoint's data or a webhook.
type payment struct {
	token  string // tokenPay
	status string // statut, or a webhook's event
	// montant and frais are set when hasMontant: Montant and frais (0 when
	// absent) in francs.
	montant, frais int64
	hasMontant     bool
	// paymentID is ours, from personal_Info.
	paymentID string
	method    string
	// showsHook is true when the object shows a webhook_url: read from
	// the status endpoint, which anyone holding the token may ask, it
	// makes the kit's callback URL no secret.
	showsHook bool
}

// fields are the payment object's fields, as MoneyFusion spells them.
type fields struct {
	TokenPay     json.RawMessage `json:"tokenPay"`
	Statut       json.RawMessage `json:"statut"`
	Event        json.RawMessage `json:"event"`
	Montant      json.RawMessage `json:"Montant"`
	Frais        json.RawMessage `json:"frais"`
	PersonalInfo json.RawMessage `json:"personal_Info"`
	Moyen        json.RawMessage `json:"moyen"`
	WebhookURL   json.RawMessage `json:"webhook_url"`
}

// parsePayment reads a payment object. Cosmetic fields (moyen) are read
// leniently; what decides a payment must make sense when present: the
// token, the statut (a string), Montant and frais (numbers or numeric
// strings of whole francs), and the kit's payment ID in personal_Info. A
// problem gives an error wrapping cauri.ErrMalformed.
func parsePayment(raw json.RawMessage) (payment, fields, error) {
	var f fields
	if err := clientkit.DecodeObject(raw, "the payment", &f); err != nil {
		return payment{}, f, err
	}
	var d payment
	var err error
	if d.token, err = tokenOf(f.TokenPay); err != nil {
		return payment{}, f, fmt.Errorf("tokenPay: %w", err)
	}
	status, err := clientkit.StringValue(f.Statut, "statut")
	if err != nil {
		return payment{}, f, err
	}
	d.status = truncate(strings.TrimSpace(status), 64)
	if !clientkit.IsNull(f.Montant) {
		if d.montant, err = providerhttp.ParseAmountJSON(f.Montant, Currency); err != nil {
			return payment{}, f, fmt.Errorf("amount (Montant): %w", err)
		}
		d.hasMontant = true
	}
	if !clientkit.IsNull(f.Frais) {
		if d.frais, err = providerhttp.ParseAmountJSON(f.Frais, Currency); err != nil {
			return payment{}, f, fmt.Errorf("frais: %w", err)
		}
	}
	if d.paymentID, err = paymentIDIn(f.PersonalInfo); err != nil {
		return payment{}, f, err
	}
	d.method = truncate(clientkit.Text(f.Moyen), 64)
	d.showsHook = !clientkit.IsNull(f.WebhookURL) && strings.TrimSpace(string(f.WebhookURL)) != `""`
	return d, f, nil
}

// paymentIDIn finds the kit's payment ID in personal_Info: an array of
// objects (as sent) or a single object. Other shapes, and objects without
// the key, give "". Two different IDs are an error wrapping
// cauri.ErrMalformed.
func paymentIDIn(raw json.RawMessage) (string, error) {
	var objs []map[string]json.RawMessage
	if json.Unmarshal(raw, &objs) != nil {
		var one map[string]json.RawMessage
		if json.Unmarshal(raw, &one) != nil {
			return "", nil
		}
		objs = []map[string]json.RawMessage{one}
	}
	id := ""
	for _, o := range objs {
		var s string
		if json.Unmarshal(o[MetaPaymentID], &s) != nil {
			continue
		}
		s = strings.TrimSpace(s)
		switch {
		case s == "" || s == id:
		case id != "":
			return "", fmt.Errorf("%w: personal_Info names two payments", cauri.ErrMalformed)
		default:
			id = s
		}
	}
	return truncate(id, 64), nil
}

// Charged returns the amount, in francs, that MoneyFusion's Montant and
// frais say the customer was charged for an order of expected francs.
// MoneyFusion's examples disagree on whether Montant is the order's total
// (the status example: Montant 200, frais 5 for 200) or the total net of
// the fee (the webhook example: Montant 194, frais 6 for 200; the Python
// example: 475 and 25 for 500). Both are accepted: Montant when it is the
// order's total, Montant + frais otherwise. With expected unknown (0) it
// is Montant + frais.
func Charged(montant, frais, expected int64) int64 {
	if expected > 0 && montant == expected {
		return montant
	}
	return montant + frais
}

// update turns a payment into the kit's Update, its status mapped from
// rawStatus and its amount read for an order of expected francs (0 if
// unknown).
func (p *Provider) update(d payment, rawStatus string, expected int64) cauri.Update {
	st, known := MapStatus(rawStatus)
	if !known {
		p.log.Warn("unknown moneyfusion payment status, treated as pending", "status", rawStatus)
	}
	u := cauri.Update{
		PaymentID:   d.paymentID,
		ProviderRef: d.token,
		Status:      st,
		RawStatus:   rawStatus,
		Fee:         d.frais,
		Method:      d.method,
	}
	if d.hasMontant {
		u.Amount, u.Currency = Charged(d.montant, d.frais, expected), Currency
	}
	return u
}

// FetchStatus asks MoneyFusion's status endpoint,
// GET {StatusURL}/paiementNotif/{ProviderRef}, which takes no credential.
// The answer is MoneyFusion's word: Authenticated, with the amount charged
// read from Montant and frais as [Charged] says for q.Amount, in XOF.
//
// A paid answer must state Montant. A payment that did not succeed is
// reported without an amount when its Montant does not match q.Amount, so
// that a failure is never held up by an amount nobody paid.
//
// An empty ProviderRef, or a payment MoneyFusion does not know (404), gives
// a permanent error wrapping cauri.ErrNotFound; an answer with "statut":
// false one wrapping ErrRefused; an answer that is not the documented JSON
// one wrapping cauri.ErrMalformed. None of them changes a payment.
//
// "no paid" is pending while the payment page may still be paid, and
// expired once q.CreatedAt is more than Config.SessionLife + SessionMargin
// ago: MoneyFusion says the same word before the customer pays and after
// the customer gave up, and only the page's end tells them apart. With no
// CreatedAt it stays pending. "pending", MoneyFusion processing a
// payment, is never expired here.
//
// The token is the path of the payment page and reads the customer's name
// and phone: errors name the call "paiementNotif/<token>" and never hold
// it, even when MoneyFusion's answer quotes it.
func (p *Provider) FetchStatus(ctx context.Context, q cauri.StatusQuery) (cauri.Update, error) {
	u, _, err := p.lookup(ctx, q)
	return u, err
}

// Confirm is [cauri.Confirmer]: the kit's question about an unsigned
// notification. It asks the status endpoint as FetchStatus does, and
// answers as FetchStatus would, but for one case: a cancellation
// (payin.session.cancelled) that the status endpoint bears out with "no
// paid" is cancelled, when the notification came to the payment's own
// callback URL (claim.Callback) and the status answer does not show that
// URL to whoever asks (no webhook_url in it). The kit gives that URL to
// MoneyFusion alone, so the claim is MoneyFusion's. Anything else the
// notification claims changes nothing: it is never paid unless the
// status endpoint says paid.
func (p *Provider) Confirm(ctx context.Context, claim cauri.Claim, q cauri.StatusQuery) (cauri.Update, error) {
	u, d, err := p.lookup(ctx, q)
	if err != nil || claim.Update.Status != cauri.StatusCancelled || !noPaid(d.status) {
		return u, err
	}
	switch {
	case !claim.Callback:
		p.log.Info("moneyfusion cancellation not sent to the payment's callback URL: not believed; the payment ends with its page's life")
	case d.showsHook:
		p.log.Warn("moneyfusion's status answer shows webhook_url, so the callback URL proves nothing: cancellation not believed; the payment ends with its page's life")
	default:
		u.Status, u.FailureReason = cauri.StatusCancelled, "cancelled on the payment page (payin.session.cancelled, status no paid)"
	}
	return u, nil
}

// lookup is FetchStatus, with the payment as the answer read it.
func (p *Provider) lookup(ctx context.Context, q cauri.StatusQuery) (cauri.Update, payment, error) {
	var d payment
	u, err := clientkit.SecretLookup(q, Name, "no moneyfusion payment token to look up", func(ref string) (u cauri.Update, err error) {
		u, d, err = p.fetchStatus(ctx, q, ref)
		return u, err
	})
	if err != nil {
		return cauri.Update{}, payment{}, err
	}
	if u.Status == cauri.StatusPending && noPaid(d.status) && p.pageEnded(q.CreatedAt) {
		u.Status, u.FailureReason = cauri.StatusExpired, "not paid within the payment page's life (status no paid)"
	}
	return u, d, nil
}

// pageEnded reports whether a payment page opened at created can no
// longer be paid: SessionLife and SessionMargin have passed. A zero
// created is never ended.
func (p *Provider) pageEnded(created time.Time) bool {
	return !created.IsZero() && p.now().Sub(created) > p.life+SessionMargin
}

// fetchStatus is FetchStatus's call about the payment token ref, whose
// errors may hold ref.
func (p *Provider) fetchStatus(ctx context.Context, q cauri.StatusQuery, ref string) (cauri.Update, payment, error) {
	resp, err := p.http.Do(ctx, providerhttp.Request{
		Op: "status", Method: http.MethodGet,
		URL: providerhttp.JoinURL(p.status, "paiementNotif", ref),
		// The token reads the customer's name and phone: never in an error.
		Endpoint: "paiementNotif/<token>",
		Header:   http.Header{"Accept": {"application/json"}},
	})
	if err != nil {
		return cauri.Update{}, payment{}, markRefused(clientkit.NotFound(err), resp)
	}
	ans := clientkit.Answer{Provider: Name, Op: "status", Status: resp.StatusCode}
	perr := ans.Error
	var env struct {
		Statut  json.RawMessage `json:"statut"`
		Data    json.RawMessage `json:"data"`
		Message json.RawMessage `json:"message"`
	}
	if err := resp.DecodeJSON(&env); err != nil {
		return cauri.Update{}, payment{}, perr("", err)
	}
	switch ok, known := statut(env.Statut); {
	case known && !ok:
		return cauri.Update{}, payment{}, perr(truncate(clientkit.Text(env.Message), 200), ErrRefused)
	case !known:
		return cauri.Update{}, payment{}, perr("", fmt.Errorf("%w: answer has no boolean statut", cauri.ErrMalformed))
	}
	d, _, err := parsePayment(env.Data)
	if err != nil {
		return cauri.Update{}, payment{}, perr("", fmt.Errorf("payment data: %w", err))
	}
	if d.token, err = ans.About(d.token, ref, "the answer is about another payment"); err != nil {
		return cauri.Update{}, payment{}, err
	}
	if d.status == "" {
		return cauri.Update{}, payment{}, perr("", fmt.Errorf("%w: the payment has no statut", cauri.ErrMalformed))
	}

	var expected int64
	if strings.EqualFold(q.Currency, Currency) {
		expected = q.Amount
	}
	u := p.update(d, d.status, expected)
	switch {
	case u.Status == cauri.StatusPaid && !d.hasMontant:
		return cauri.Update{}, payment{}, perr("", fmt.Errorf("%w: a paid payment with no Montant", cauri.ErrMalformed))
	case u.Status != cauri.StatusPaid && expected > 0 && d.hasMontant && u.Amount != expected:
		if u.Status.Final() {
			p.log.Warn("moneyfusion reports another amount for a payment that did not succeed; amount left out",
				"status", d.status, "expected", expected, "montant", d.montant, "frais", d.frais)
		}
		u.Amount, u.Currency = 0, ""
	}
	u.Authenticated = true
	return u, d, nil
}
