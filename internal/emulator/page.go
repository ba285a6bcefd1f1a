package emulator

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/cauripay/cauri/providers/providertest"
)

// CheckoutPage is what a hosted checkout page shows.
type CheckoutPage struct {
	// Provider names the emulated provider, in the title.
	Provider string
	// Merchant is the shop's name as the provider shows it.
	Merchant string
	// Amount is formatted for display: "5000 XOF".
	Amount string
	// Description is the order's, as the shop sent it.
	Description string
	// ActionURL is the base the three buttons post to: ActionURL + "/pay",
	// "/fail" and "/cancel".
	ActionURL string
	// Customer is who the shop says the customer is, where it sent it: the
	// page shows it in its form, pre-filled, as the provider's page does.
	// Blank fields are left out, and the whole form when all are.
	Customer PageCustomer
}

// PageCustomer is the customer a checkout page shows pre-filled.
type PageCustomer struct {
	Name, Email, Phone string
}

const checkoutHTML = `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{{.Provider}} checkout (emulator)</title></head>
<body>
<main>
<h1>{{.Merchant}}</h1>
<p class="amount">{{.Amount}}</p>
<p class="description">{{.Description}}</p>
{{with .Customer}}{{if or .Name .Email .Phone}}<fieldset class="customer"><legend>Customer</legend>
{{if .Name}}<label>Name <input name="customer_name" value="{{.Name}}"></label>
{{end}}{{if .Email}}<label>Email <input name="customer_email" type="email" value="{{.Email}}"></label>
{{end}}{{if .Phone}}<label>Phone <input name="customer_phone" type="tel" value="{{.Phone}}"></label>
{{end}}</fieldset>
{{end}}{{end}}<form method="post" action="{{.ActionURL}}/pay"><button type="submit" name="action" value="pay">Pay</button></form>
<form method="post" action="{{.ActionURL}}/fail"><button type="submit" name="action" value="fail">Fail</button></form>
<form method="post" action="{{.ActionURL}}/cancel"><button type="submit" name="action" value="cancel">Cancel</button></form>
</main>
</body>
</html>
`

const messageHTML = `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{{.Title}}</title></head>
<body><main><h1>{{.Title}}</h1><p>{{.Message}}</p></main></body>
</html>
`

// WriteCheckoutPage answers 200 with the checkout page: the merchant, the
// amount, the description, the customer's fields when the shop sent any,
// and the pay, fail and cancel buttons. Every value is HTML-escaped.
func WriteCheckoutPage(w http.ResponseWriter, p CheckoutPage) {
	writeTemplate(w, http.StatusOK, checkoutHTML, p)
}

// WriteMessagePage answers status with a small HTML page saying title and
// message ("Payment already settled" with 409, say).
func WriteMessagePage(w http.ResponseWriter, status int, title, message string) {
	writeTemplate(w, status, messageHTML, struct{ Title, Message string }{title, message})
}

func writeTemplate(w http.ResponseWriter, status int, text string, data any) {
	var buf bytes.Buffer
	// Parsed per page: an emulator serves few, and no package state is kept.
	err := template.Must(template.New("page").Parse(text)).Execute(&buf, data)
	if err != nil {
		http.Error(w, "emulator: rendering the page failed", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// ParseAction reads a button's action from a path value.
func ParseAction(s string) (providertest.Action, bool) {
	switch a := providertest.Action(s); a {
	case providertest.Pay, providertest.Fail, providertest.Cancel:
		return a, true
	}
	return "", false
}

// Press plays the customer pressing button a on the hosted page at
// checkoutURL: it posts to checkoutURL + "/" + a over HTTP, without
// following the redirect, and returns the answer's status and Location.
// hc must not follow redirects; nil means a client that does not, with a
// 30s timeout.
func Press(ctx context.Context, hc *http.Client, checkoutURL string, a providertest.Action) (status int, location string, err error) {
	if _, ok := ParseAction(string(a)); !ok {
		return 0, "", fmt.Errorf("emulator: unknown action %q", a)
	}
	if hc == nil {
		hc = NoRedirectClient(30 * time.Second)
	}
	u := strings.TrimRight(checkoutURL, "/") + "/" + url.PathEscape(string(a))
	form := url.Values{"action": {string(a)}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		return 0, "", fmt.Errorf("emulator: %s: %w", a, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := hc.Do(req)
	if err != nil {
		return 0, "", fmt.Errorf("emulator: %s: %w", a, err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 1<<20))
	_ = res.Body.Close()
	return res.StatusCode, res.Header.Get("Location"), nil
}

// ErrRefused is returned by [Act] when the page refused the action.
var ErrRefused = errors.New("emulator: action refused")

// Act is [Press] for emulators whose buttons answer 303 to the return URL:
// it returns the Location of a 303 (or 302) and an error wrapping
// ErrRefused for any other answer.
func Act(ctx context.Context, hc *http.Client, checkoutURL string, a providertest.Action) (string, error) {
	status, loc, err := Press(ctx, hc, checkoutURL, a)
	if err != nil {
		return "", err
	}
	switch status {
	case http.StatusSeeOther, http.StatusFound:
		return loc, nil
	}
	return "", fmt.Errorf("%w: %s answered HTTP %d", ErrRefused, a, status)
}

// NoRedirectClient returns an HTTP client with timeout that hands back
// redirects instead of following them. It has a transport of its own:
// httptest servers closing in parallel tests close http.DefaultTransport's
// idle connections, and would break requests in flight on it; and a test
// may replace http.DefaultTransport with a wrapper of its own.
func NoRedirectClient(timeout time.Duration) *http.Client {
	return &http.Client{
		Transport:     &http.Transport{Proxy: http.ProxyFromEnvironment, MaxIdleConnsPerHost: 16, IdleConnTimeout: 90 * time.Second},
		Timeout:       timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
