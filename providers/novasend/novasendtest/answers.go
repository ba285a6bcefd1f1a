package novasendtest

import (
	"embed"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/internal/emulator"
	"github.com/cauripay/cauri/providers/novasend"
)

// files are NovaSend's documented bodies, as templates (answers/), and the
// emulator's tables (data/).
//
//go:embed answers/*.json data/*.json
var files embed.FS

// view is a payin as an answer or a webhook shows it: its amounts shifted
// by Delta smallest units ([Server.ReportAmountDelta]), its transaction
// object shown when Tx.
type view struct {
	*Payin
	Delta int64
	Tx    bool
}

// Charged is the amount with the fee, in whole units.
func (v view) Charged() int64 { return v.Amount + v.Fee }

// Main is whole units plus the view's delta, as a JSON number in the main
// unit. The currency is one of NovaSend's countries': known.
func (v view) Main(whole int64) json.Number {
	smallest, _ := cauri.ParseAmount(strconv.FormatInt(whole, 10), v.Currency)
	return json.Number(cauri.FormatAmount(smallest+v.Delta, v.Currency))
}

// TxAmount is the transaction's amount, shifted: the amount processed,
// with the fee when the customer pays it (WithFeePaidByCustomer).
func (v view) TxAmount() string { return v.decimals(v.Main(v.Amount + v.customerFee())) }

// TxFees is the transaction's fees: the fee the customer pays, if any.
func (v view) TxFees() string { return v.decimals(json.Number(strconv.FormatInt(v.customerFee(), 10))) }

// customerFee is the fee the customer pays on top of the amount.
func (v view) customerFee() int64 {
	if v.FeePaidByCustomer {
		return v.Fee
	}
	return 0
}

// decimals is n as the transaction object writes amounts: a string with
// two decimals, even for currencies without a subunit ("153.00").
func (v view) decimals(n json.Number) string {
	if cauri.CurrencyExponent(v.Currency) == 0 {
		return n.String() + ".00"
	}
	return n.String()
}

// Created is when the session was opened, as NovaSend writes times.
func (v view) Created() string { return emulator.ISOTime(v.CreatedAt) }

// Processed is when the transaction was settled.
func (v view) Processed() string { return emulator.ISOTime(v.Transaction.ProcessedAt) }

// webhookForms returns the body of a webhook about p as sent, and the
// bytes its signature is made over: the same bytes, unless the server
// signs JSON.stringify's form (WithStringifiedSignature).
func (s *Server) webhookForms(p *Payin, delta int64, withTx bool) (body, signed []byte) {
	stringified := s.answers.Render("webhook.json", view{p, delta, withTx})
	body = emulator.HTMLSafe(stringified)
	if s.escapedWebhooks {
		body = emulator.EscapeAsPHP(stringified)
	}
	if s.stringifiedSig {
		return body, stringified
	}
	return body, body
}

// notify is the webhook about p's current state to the portal's URL.
func (s *Server) notify(p *Payin, env emulator.Env) []emulator.Notification {
	body, signed := s.webhookForms(p, env.Delta, s.webhookTransaction)
	return env.To(signedBy(s.Sign(signed)), body)
}

// signedBy is the header of a webhook with signature: NovaSend signs
// every one.
func signedBy(signature string) http.Header {
	return http.Header{novasend.SignatureHeader: {signature}}
}
