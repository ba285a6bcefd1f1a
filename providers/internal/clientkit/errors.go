package clientkit

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/providerhttp"
)

// NotFound makes err, when it is a *cauri.ProviderError of a 404 answer
// that wraps nothing, wrap cauri.ErrNotFound, and returns it: a lookup's
// 404 means the provider does not know what was looked up.
func NotFound(err error) error {
	var pe *cauri.ProviderError
	if errors.As(err, &pe) && pe.StatusCode == http.StatusNotFound && pe.Err == nil {
		pe.Err = cauri.ErrNotFound
	}
	return err
}

// NothingToLookUp is the error of a lookup (op) with no reference to
// look up: a permanent *cauri.ProviderError wrapping cauri.ErrNotFound,
// saying why, made before any call.
func NothingToLookUp(provider, op, why string) error {
	return &cauri.ProviderError{Provider: provider, Op: op, Err: fmt.Errorf("%w: %s", cauri.ErrNotFound, why)}
}

// ParseSigned is a ParseWebhook whose signature check gave verified and
// sigErr: with no error, the update parse reads of body, Authenticated
// only if verified; with one, what the body claims, never Authenticated,
// for the kit to confirm with a status lookup (a secret rotated at the
// provider first must not lose a genuine payment), and sigErr; or sigErr
// alone when the body cannot be read.
func ParseSigned(body []byte, verified bool, sigErr error, parse func(body []byte, verified bool) (cauri.Update, error)) (cauri.Update, error) {
	if sigErr == nil {
		return parse(body, verified)
	}
	u, err := parse(body, false)
	if err != nil {
		return cauri.Update{}, sigErr
	}
	return u, sigErr
}

// Answer is an answer a provider's API gave to a call, for the errors
// about it.
type Answer struct {
	// Provider and Op name the provider and the call (create, status…).
	Provider, Op string
	// Status is the answer's HTTP status code.
	Status int
}

// Error is a *cauri.ProviderError about the answer, with the provider's
// message msg, wrapping err.
func (a Answer) Error(msg string, err error) error {
	return &cauri.ProviderError{Provider: a.Provider, Op: a.Op, StatusCode: a.Status, Message: msg, Err: err}
}

// Malformed is a *cauri.ProviderError about an answer that came but cannot
// be used, wrapping cauri.ErrMalformed with the text format and args give.
func (a Answer) Malformed(format string, args ...any) error {
	return a.Error("", fmt.Errorf("%w: "+format, append([]any{cauri.ErrMalformed}, args...)...))
}

// About returns the reference the answer is about: named, the one it
// names, or asked, the one looked up, when it names none. An answer that
// names another is Malformed, saying why.
func (a Answer) About(named, asked, why string) (string, error) {
	if named != "" && named != asked {
		return "", a.Malformed("%s", why)
	}
	return asked, nil
}

// Believed returns u, the update a status lookup answered, Authenticated:
// the provider's API said it. A paid one whose answer stated no money
// (hasMoney false) is Malformed instead, saying why: the kit could not
// check what was paid.
func (a Answer) Believed(u cauri.Update, hasMoney bool, why string) (cauri.Update, error) {
	if u.Status == cauri.StatusPaid && !hasMoney {
		return cauri.Update{}, a.Malformed("%s", why)
	}
	u.Authenticated = true
	return u, nil
}

// Invalid collects the fields of a configuration, an order or a payout
// that a client finds wrong.
type Invalid struct {
	// What is checked: "config", "order" or "payout".
	What   string
	fields []cauri.FieldError
}

// Bad records that field is wrong, for reason.
func (v *Invalid) Bad(field, reason string) {
	v.fields = append(v.fields, cauri.FieldError{Field: field, Reason: reason})
}

// Err returns the *cauri.ValidationError naming every field recorded, in
// order, or nil when none was.
func (v *Invalid) Err() error {
	if len(v.fields) == 0 {
		return nil
	}
	return &cauri.ValidationError{What: v.What, Fields: v.fields}
}

// WholeUnits returns amount, in currency's smallest units, as a whole
// number of its main unit, for a provider that takes no fractions, or 0
// after recording Amount as bad: when it is not positive, or not whole
// (the reason then ends with note). With no currency it records nothing
// more: the caller judges the currency.
func (v *Invalid) WholeUnits(amount int64, currency, note string) int64 {
	if amount <= 0 {
		v.Bad("Amount", "must be positive")
		return 0
	}
	if currency == "" {
		return 0
	}
	whole, err := cauri.WholeUnits(amount, currency)
	if err != nil {
		v.Bad("Amount", "must be a whole number of "+currency+note)
	}
	return whole
}

// ShopURLs records ReturnURL and CallbackURL as bad unless each is an
// absolute http(s) URL, for a provider that requires both.
func (v *Invalid) ShopURLs(provider string, req cauri.CheckoutRequest) {
	for _, u := range []struct{ field, raw string }{{"ReturnURL", req.ReturnURL}, {"CallbackURL", req.CallbackURL}} {
		if !AbsoluteHTTP(u.raw) {
			v.Bad(u.field, "is required by "+provider+" and must be an absolute http(s) URL")
		}
	}
}

// OneCurrency records Amount as bad when amount is not positive, and
// Currency, for reason, when currency is not the one the provider takes,
// only.
func (v *Invalid) OneCurrency(amount int64, currency, only, reason string) {
	if amount <= 0 {
		v.Bad("Amount", "must be positive")
	}
	if currency != only {
		v.Bad("Currency", reason)
	}
}

// HTTP returns the HTTP client of provider's API calls: a providerhttp
// client sending them with hc (nil for its own), its error answers
// explained by describe.
func HTTP(provider string, hc *http.Client, describe func(status int, header http.Header, body []byte) string) *providerhttp.Client {
	c := providerhttp.New(provider, hc)
	c.Describe = describe
	return c
}

// APIRoot returns raw, an API root's URL as configured, trimmed of spaces
// and trailing slashes, or def when it is empty; it records field as bad
// unless the URL is an absolute http(s) URL with no query, fragment or
// user info.
func (v *Invalid) APIRoot(field, raw, def string) string {
	base := strings.TrimRight(strings.TrimSpace(raw), "/")
	if base == "" {
		base = def
	}
	if !APIRoot(base) {
		v.Bad(field, "must be an absolute http(s) URL with no query, fragment or user info")
	}
	return base
}
