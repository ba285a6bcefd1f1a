package moneyfusion

import (
	"cmp"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/internal/clientkit"
	"github.com/cauripay/cauri/providers/providerhttp"
)

// Name is the provider's name, as [Provider.Name] returns it.
const Name = "moneyfusion"

// DefaultStatusURL is the root of MoneyFusion's status endpoint,
// GET {DefaultStatusURL}/paiementNotif/{token}.
const DefaultStatusURL = "https://www.pay.moneyfusion.net"

// Currency is the only currency MoneyFusion takes: the CFA franc of the
// West African states (FCFA), which has no subunit.
const Currency = "XOF"

// DefaultSessionLife is how long a payment page is taken to stay payable
// when Config.SessionLife is zero. MoneyFusion documents no lifetime for
// its payment pages. A day is chosen long on purpose: a page taken for
// ended while its customer can still pay it would leave that payment
// stuck expired once paid, while a page taken for open too long only
// keeps an abandoned payment pending longer. It is half the kit's
// default ReconcilePolicy MaxAge.
const DefaultSessionLife = 24 * time.Hour

// SessionMargin is added to the session's life before a payment still
// "no paid" is reported expired: room for clocks that disagree, and for a
// payment confirmed in the page's last moments.
const SessionMargin = 15 * time.Minute

// ErrRefused is wrapped by the error of a call MoneyFusion answered with
// "statut": false, whatever the HTTP status: the API said no, and its
// "message" is in the *cauri.ProviderError's Message.
var ErrRefused = errors.New("moneyfusion: the API answered statut false")

// Config configures a [Provider]. Only APIURL is required; the zero value
// of every other field means the default its comment states.
type Config struct {
	// APIURL is the merchant's payment URL from the MoneyFusion dashboard,
	// as given there: "https://www.pay.moneyfusion.net/<App>/<id>/pay/".
	// MoneyFusion has no API key for payments: this URL is the credential,
	// so keep it as secret as one. It never appears in errors or logs.
	// Required.
	APIURL string

	// StatusURL is the root of the status endpoint, without a trailing
	// slash: a payment's status is GET {StatusURL}/paiementNotif/{token}.
	// Empty means DefaultStatusURL. Point it at an emulator, or at
	// "https://pay.moneyfusion.net" (the same service without www.).
	StatusURL string

	// HTTPClient sends the API calls. Nil means a client of the package's
	// own with a 30s timeout (http.DefaultClient is never used or changed).
	HTTPClient *http.Client

	// SessionLife is how long a payment page stays payable once opened.
	// A payment the status endpoint still calls "no paid" (not paid) more
	// than SessionLife + SessionMargin after the kit created it is
	// reported expired. MoneyFusion documents no lifetime: zero means
	// DefaultSessionLife, a day. Set it from what MoneyFusion tells you;
	// too short a life would expire a payment its customer may still pay.
	SessionLife time.Duration

	// Now returns the current time, to measure a payment's age against
	// SessionLife. Nil means time.Now. Give it the kit's Config.Now.
	Now func() time.Time

	// Logger receives warnings (a payment status this package does not
	// know, a failed payment whose amount does not match) and notes of
	// cancellations not believed (see Provider.Confirm). It never gets
	// the API URL or customer data. Nil means no logging.
	Logger *slog.Logger
}

// Provider is MoneyFusion's API as a [cauri.Provider]. It is safe for
// concurrent use.
type Provider struct {
	apiURL string
	status string
	life   time.Duration // SessionLife, defaulted
	now    func() time.Time
	http   *providerhttp.Client
	log    *slog.Logger
}

var (
	_ cauri.Provider  = (*Provider)(nil)
	_ cauri.Confirmer = (*Provider)(nil)
)

// New returns a Provider for cfg. It returns a *cauri.ValidationError
// naming every field of cfg that is wrong (never quoting APIURL).
func New(cfg Config) (*Provider, error) {
	invalid := clientkit.Invalid{What: "config"}
	bad := invalid.Bad

	api := strings.TrimSpace(cfg.APIURL)
	if api == "" {
		bad("APIURL", "is required: the merchant's payment URL from the MoneyFusion dashboard")
	} else if u, err := url.Parse(api); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Fragment != "" || u.User != nil {
		bad("APIURL", "must be an absolute http(s) URL with no fragment")
	}
	status := invalid.APIRoot("StatusURL", cfg.StatusURL, DefaultStatusURL)
	if cfg.SessionLife < 0 {
		bad("SessionLife", "must not be negative")
	}
	if err := invalid.Err(); err != nil {
		return nil, err
	}

	hc := clientkit.HTTP(Name, cfg.HTTPClient, describe)
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return &Provider{
		apiURL: api,
		status: status,
		life:   cmp.Or(cfg.SessionLife, DefaultSessionLife),
		now:    now,
		http:   hc,
		log:    clientkit.Logger(cfg.Logger, Name, 0, 0),
	}, nil
}

// Name returns "moneyfusion".
func (p *Provider) Name() string { return Name }

// markRefused makes err, a providerhttp error for a non-2xx answer, wrap
// ErrRefused when the answer is MoneyFusion's {"statut": false} and the
// error is permanent and has no cause of its own.
func markRefused(err error, resp *providerhttp.Response) error {
	var pe *cauri.ProviderError
	if resp == nil || !errors.As(err, &pe) || pe.Temporary || pe.Err != nil {
		return err
	}
	var env struct {
		Statut json.RawMessage `json:"statut"`
	}
	if json.Unmarshal(resp.Body, &env) == nil {
		if ok, known := statut(env.Statut); known && !ok {
			pe.Err = ErrRefused
		}
	}
	return err
}

// describe extracts MoneyFusion's explanation from an error answer: the
// "message" of its {"statut": false, "message": ...} body.
func describe(_ int, _ http.Header, body []byte) string {
	var env struct {
		Message json.RawMessage `json:"message"`
	}
	if json.Unmarshal(body, &env) != nil {
		return ""
	}
	return truncate(clientkit.Text(env.Message), 200)
}

// truncate cuts s to at most n characters, and makes it valid UTF-8.
func truncate(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}
