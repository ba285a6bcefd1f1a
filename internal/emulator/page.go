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
	// Brand is the provider's name and look: the tab's title, the header's
	// logo and the page's colours.
	Brand Brand
	// Merchant is the shop's name as the provider shows it.
	Merchant string
	// Amount is formatted for display: "5000 XOF".
	Amount string
	// Description is the order's, as the shop sent it.
	Description string
	// ActionURL is the base the buttons post to: ActionURL + "/pay",
	// "/fail", "/cancel" and "/pay_later".
	ActionURL string
	// Operators are the means of payment the page offers, the first one
	// chosen until the customer picks another; the chosen one's Code is
	// posted as "operator" (see [ReadChoice]). None: no choice is shown.
	Operators []Operator
	// Customer is who the shop says the customer is, where it sent it: the
	// page shows it in its form, pre-filled, as the provider's page does.
	// The phone number the mobile money is taken from is always asked for,
	// pre-filled when the shop sent one, and posted as "customer_phone";
	// the name and email are shown only when the shop sent them.
	Customer PageCustomer
	// Actions are the page's buttons, in order. Nil means every action:
	// Pay, PayLater, Fail and Cancel.
	Actions []providertest.Action
}

// Brand is how a provider's hosted page looks.
type Brand struct {
	// Name is the provider's name, in the tab's title: "<Name> checkout
	// (emulator)".
	Name string
	// Logo is the text the header shows in place of the provider's logo.
	Logo string
	// Color is the header's and the amount's colour, Accent the Pay
	// button's and the chosen operator's: CSS colours, "#0b3d91". Empty
	// means a neutral grey.
	Color, Accent string
	// Lang is the page's language, "fr" or "en" (the default).
	Lang string
}

// Operator is one means of payment a hosted page offers.
type Operator struct {
	// Code is the provider's word for it, as its API reports the means
	// the customer paid with: "wave_ci", "OM_SN_CASHOUT", "orange".
	Code string
	// Name is what the page shows: "Orange Money Sénégal".
	Name string
}

// PageCustomer is the customer a checkout page shows pre-filled.
type PageCustomer struct {
	Name, Email, Phone string
}

// labels are a page's words in one language.
type labels struct {
	PayWith, Customer, Name, Email, Phone, Note string
	Buttons                                     map[providertest.Action]string
}

var pageLabels = map[string]labels{
	"en": {
		PayWith: "Pay with", Customer: "Your details", Name: "Name", Email: "Email",
		Phone: "Mobile money number", Note: "Emulated page: no money moves.",
		Buttons: map[providertest.Action]string{
			providertest.Pay: "Pay", providertest.PayLater: "Pay later on my phone",
			providertest.Fail: "Fail (simulate a refusal)", providertest.Cancel: "Cancel the payment",
		},
	},
	"fr": {
		PayWith: "Payer avec", Customer: "Vos informations", Name: "Nom", Email: "E-mail",
		Phone: "Numéro mobile money", Note: "Page émulée : aucun argent ne circule.",
		Buttons: map[providertest.Action]string{
			providertest.Pay: "Payer", providertest.PayLater: "Payer plus tard sur mon téléphone",
			providertest.Fail: "Échec (simuler un refus)", providertest.Cancel: "Annuler le paiement",
		},
	},
}

// allActions are a page's buttons unless CheckoutPage.Actions says
// otherwise, in the order the page shows them.
var allActions = []providertest.Action{providertest.Pay, providertest.PayLater, providertest.Fail, providertest.Cancel}

// pageButton is one button of the page.
type pageButton struct {
	Action providertest.Action
	Label  string
}

// checkoutView is what the checkout template renders.
type checkoutView struct {
	CheckoutPage
	Lang    string
	L       labels
	Buttons []pageButton
}

const checkoutHTML = `<!DOCTYPE html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Brand.Name}} checkout (emulator)</title>
<style>
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: #eef0f3; color: #1f2937; }
.bar { background: var(--brand); color: #fff; padding: .85rem 1.25rem; display: flex; align-items: center; justify-content: space-between; }
.logo { font-weight: 800; font-size: 1.4rem; letter-spacing: .01em; }
.emu { font-size: .7rem; text-transform: uppercase; letter-spacing: .05em; border: 1px solid rgba(255,255,255,.7); border-radius: 1rem; padding: .1rem .6rem; }
main { max-width: 30rem; margin: 1.5rem auto; background: #fff; border-radius: .8rem; box-shadow: 0 2px 8px rgba(0,0,0,.08); padding: 1.25rem 1.5rem 1rem; }
h1 { margin: 0; font-size: 1rem; font-weight: 600; color: #4b5563; }
.amount { margin: .1rem 0 .2rem; font-size: 2.1rem; font-weight: 800; color: var(--brand); }
.description { margin: 0 0 1.1rem; color: #374151; }
fieldset { border: 0; padding: 0; margin: 0 0 1.1rem; }
legend { font-weight: 600; margin-bottom: .45rem; padding: 0; }
.operators { display: grid; grid-template-columns: repeat(auto-fill, minmax(9rem, 1fr)); gap: .45rem; }
.operators label { display: flex; align-items: center; gap: .45rem; border: 1px solid #d1d5db; border-radius: .55rem; padding: .5rem .6rem; cursor: pointer; font-size: .9rem; }
.operators label:has(input:checked) { border-color: var(--accent); box-shadow: inset 0 0 0 1px var(--accent); background: #fafafa; }
.operators input { accent-color: var(--accent); }
.customer label { display: block; font-size: .85rem; color: #4b5563; margin-bottom: .55rem; }
.customer input { display: block; width: 100%; font: inherit; color: #111827; padding: .5rem .65rem; border: 1px solid #d1d5db; border-radius: .45rem; margin-top: .15rem; }
.actions { display: grid; gap: .5rem; }
.actions button { font: inherit; font-weight: 600; border-radius: .55rem; padding: .7rem 1rem; cursor: pointer; border: 1px solid transparent; }
.actions .pay { background: var(--accent); color: #fff; font-size: 1.05rem; }
.actions .pay_later { background: #fff; color: var(--brand); border-color: var(--brand); }
.actions .fail { background: #fff; color: #b91c1c; border-color: #f5b5b5; }
.actions .cancel { background: transparent; color: #4b5563; text-decoration: underline; font-weight: 500; }
.note { font-size: .75rem; color: #9ca3af; text-align: center; margin: 1rem 0 0; }
</style>
</head>
<body style="--brand: {{.Brand.Color}}; --accent: {{.Brand.Accent}}">
<header class="bar"><span class="logo">{{.Brand.Logo}}</span><span class="emu">emulator</span></header>
<main>
<h1>{{.Merchant}}</h1>
<p class="amount">{{.Amount}}</p>
<p class="description">{{.Description}}</p>
<form method="post" action="{{.ActionURL}}/{{(index .Buttons 0).Action}}">
{{with .Operators}}<fieldset class="operators"><legend>{{$.L.PayWith}}</legend>
{{range $i, $o := .}}<label><input type="radio" name="operator" value="{{$o.Code}}"{{if eq $i 0}} checked{{end}}> {{$o.Name}}</label>
{{end}}</fieldset>
{{end}}<fieldset class="customer"><legend>{{.L.Customer}}</legend>
{{with .Customer}}{{if .Name}}<label>{{$.L.Name}} <input name="customer_name" value="{{.Name}}"></label>
{{end}}{{if .Email}}<label>{{$.L.Email}} <input name="customer_email" type="email" value="{{.Email}}"></label>
{{end}}<label>{{$.L.Phone}} <input name="customer_phone" type="tel" autocomplete="tel" value="{{.Phone}}"></label>
{{end}}</fieldset>
<div class="actions">
{{range .Buttons}}<button type="submit" class="{{.Action}}" name="action" value="{{.Action}}" formaction="{{$.ActionURL}}/{{.Action}}">{{.Label}}</button>
{{end}}</div>
</form>
<p class="note">{{.L.Note}}</p>
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

// WriteCheckoutPage answers 200 with the checkout page: the provider's
// header, the merchant, the amount, the description, the means of payment
// to choose from, the customer's fields, and one button per action, each
// posting the form to ActionURL + "/" + action. Every value is
// HTML-escaped.
func WriteCheckoutPage(w http.ResponseWriter, p CheckoutPage) {
	v := checkoutView{CheckoutPage: p, Lang: "en"}
	if p.Brand.Lang == "fr" {
		v.Lang = "fr"
	}
	v.L = pageLabels[v.Lang]
	if v.Brand.Color == "" {
		v.Brand.Color = "#374151"
	}
	if v.Brand.Accent == "" {
		v.Brand.Accent = v.Brand.Color
	}
	if v.Brand.Logo == "" {
		v.Brand.Logo = v.Brand.Name
	}
	actions := p.Actions
	if actions == nil {
		actions = allActions
	}
	for _, a := range actions {
		label := v.L.Buttons[a]
		if a == providertest.Pay && p.Amount != "" {
			label += " " + p.Amount
		}
		v.Buttons = append(v.Buttons, pageButton{Action: a, Label: label})
	}
	if len(v.Buttons) == 0 {
		http.Error(w, "emulator: a checkout page needs a button", http.StatusInternalServerError)
		return
	}
	writeTemplate(w, http.StatusOK, checkoutHTML, v)
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
	case providertest.Pay, providertest.Fail, providertest.Cancel, providertest.PayLater:
		return a, true
	}
	return "", false
}

// Choice is what the customer chose and typed on a checkout page.
type Choice struct {
	// Operator is the code of the means of payment chosen, as posted
	// ("operator"); see [Choice.From].
	Operator string
	// Phone is the number typed ("customer_phone"): digits, spaces and a
	// leading + only; "" when none was typed or it was no phone number.
	Phone string
}

// From returns the operator of operators the customer chose: the one
// whose Code was posted, or the first (the page's default) when none or
// another was. Zero when operators is empty.
func (c Choice) From(operators []Operator) Operator {
	for _, o := range operators {
		if o.Code == c.Operator {
			return o
		}
	}
	if len(operators) == 0 {
		return Operator{}
	}
	return operators[0]
}

// ReadChoice reads the choice posted with a button of a checkout page. It
// reads at most 64 KiB of form; a form it cannot read chooses nothing.
func ReadChoice(r *http.Request) Choice {
	if r.Body != nil {
		r.Body = http.MaxBytesReader(nil, r.Body, 64<<10)
	}
	_ = r.ParseForm()
	c := Choice{Operator: r.PostForm.Get("operator"), Phone: cleanPhone(r.PostForm.Get("customer_phone"))}
	if len(c.Operator) > 64 {
		c.Operator = ""
	}
	return c
}

// cleanPhone returns s trimmed if it looks like a phone number: 6 to 15
// digits, spaces between them and a leading + allowed; "" otherwise.
func cleanPhone(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 24 {
		return ""
	}
	digits := 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == ' ':
		case r == '+' && i == 0:
		default:
			return ""
		}
	}
	if digits < 6 || digits > 15 {
		return ""
	}
	return s
}

// Press plays the customer pressing button a on the hosted page at
// checkoutURL: it posts to checkoutURL + "/" + a over HTTP, without
// following the redirect, and returns the answer's status and Location.
// hc must not follow redirects; nil means a client that does not, with a
// 30s timeout. The page's defaults stand: its first operator, the phone
// it was pre-filled with (none is posted).
func Press(ctx context.Context, hc *http.Client, checkoutURL string, a providertest.Action) (status int, location string, err error) {
	return Submit(ctx, hc, checkoutURL, a, nil)
}

// Submit is [Press] with the page's form filled in: form's fields
// ("operator", "customer_phone") are posted with the button.
func Submit(ctx context.Context, hc *http.Client, checkoutURL string, a providertest.Action, form url.Values) (status int, location string, err error) {
	if _, ok := ParseAction(string(a)); !ok {
		return 0, "", fmt.Errorf("emulator: unknown action %q", a)
	}
	if hc == nil {
		hc = NoRedirectClient(30 * time.Second)
	}
	u := strings.TrimRight(checkoutURL, "/") + "/" + url.PathEscape(string(a))
	body := url.Values{"action": {string(a)}}
	for k, vs := range form {
		if k != "action" {
			body[k] = vs
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(body.Encode()))
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
