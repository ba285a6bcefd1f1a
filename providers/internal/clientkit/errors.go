package clientkit

import (
	"errors"
	"net/http"

	"github.com/cauripay/cauri"
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
