package cauri

import (
	"bytes"
	"html/template"
	"net/http"
)

// ErrorInfo is a failed checkout or return visit as [Config.ErrorPage]
// shows it to the customer's browser: what to answer, what to say, and
// which payment it is about when the kit knows.
type ErrorInfo struct {
	// Code is the HTTP status to answer with: 403 (a cross-site post, a
	// forged return link), 404 (an unknown order, provider or payment),
	// 405, 422 (an order the shop's Order or the provider refused), 500,
	// 502 (the provider refused the payment request) or 503 (the provider
	// or the store is unavailable; Retry-After is set when the kit knows
	// when to come back).
	Code int
	// Message says what went wrong, in the words a JSON client gets as
	// {"error": ...}: the kit's own, or the text of the *ValidationError
	// the shop's Order function returned. It never carries an internal
	// error's text, a secret or a token.
	Message string
	// OrderID is the order's ID when the shop's Order function gave one,
	// whether or not a payment was made for it; empty otherwise.
	OrderID string
	// PaymentID and Status are the payment's when the failure came after
	// it was stored (the provider refused it or could not be reached:
	// failed, its checkout never having opened) or, on a return, when its
	// token verified; empty otherwise. Status is empty whenever the
	// payment could not be loaded.
	PaymentID string
	Status    Status
}

// errorPage is the default Config.ErrorPage: a small HTML page, every
// value escaped, with the message, the payment's reference when known, and
// a link back to the shop.
var errorPage = template.Must(template.New("error").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Payment error</title>
</head>
<body>
<main>
<h1>Payment error</h1>
<p>{{.Message}}</p>
{{- with .PaymentID}}
<p>Payment reference: <code>{{.}}</code></p>
{{- end}}
<p><a href="{{.Back}}">Back to the shop</a></p>
</main>
</body>
</html>
`))

// writeErrorPage is the default Config.ErrorPage, linking back to back.
func writeErrorPage(w http.ResponseWriter, e ErrorInfo, back string) {
	var b bytes.Buffer
	if err := errorPage.Execute(&b, struct {
		ErrorInfo
		Back string
	}{e, back}); err != nil {
		// The template takes strings only: this does not happen.
		writeText(w, e.Code, e.Message)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	w.WriteHeader(e.Code)
	_, _ = w.Write(b.Bytes())
}

// failPage answers a checkout's or a return's failure: {"error": message}
// to a client asking for JSON, as fail does, and to a browser the shop's
// Config.ErrorPage, or the default page.
func (k *Kit) failPage(w http.ResponseWriter, r *http.Request, e ErrorInfo) {
	if wantsJSON(r) {
		fail(w, r, e.Code, e.Message)
		return
	}
	answerHeaders(w)
	if k.cfg.ErrorPage != nil {
		k.cfg.ErrorPage(w, r, e)
		return
	}
	writeErrorPage(w, e, k.shopHome)
}

// failOnPage is failPage for a failure that concerns no known order or
// payment, in fail's shape.
func (k *Kit) failOnPage(w http.ResponseWriter, r *http.Request, code int, msg string) {
	k.failPage(w, r, ErrorInfo{Code: code, Message: msg})
}
