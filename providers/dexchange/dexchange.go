package dexchange

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/internal/clientkit"
	"github.com/cauripay/cauri/providers/providerhttp"
)

// Name is the provider's name, as [Provider.Name] returns it.
const Name = "dexchange"

// DefaultBaseURL is DEXCHANGE's API root as its current documentation's
// endpoint pages give it. The API reference's overview says
// https://api-m.dexchange.sn/v1 and older material
// https://api.dexchange.sn/api/v1; set Config.BaseURL to use another.
const DefaultBaseURL = "https://api-m.dexchange.sn/api/v1"

// Currency is the only currency DEXCHANGE charges in: CFA francs of the
// BCEAO (its documentation says "FCFA"), which have no subunit.
const Currency = "XOF"

// MinAmount is the smallest ItemPrice DEXCHANGE accepts, in XOF.
const MinAmount = 100

// ErrUnsuccessful is wrapped by the *cauri.ProviderError returned when
// DEXCHANGE answers with a success status code but a body that says
// "success": false.
var ErrUnsuccessful = errors.New("dexchange: the answer says success is false")

// Config configures a [Provider]. Only APIKey is required; the zero value of
// every other field means the default its comment states.
type Config struct {
	// APIKey is the API key from the DEXCHANGE dashboard
	// (https://dash-api.dexchange.sn), sent as a bearer token. A test key
	// gives a sandbox on the same host. Required.
	APIKey string

	// WebhookSecrets are webhook signing secrets, for accounts whose
	// notifications carry an X-Webhook-Signature or X-Dexchange-Signature
	// header (the hex HMAC-SHA256 of the raw body; DEXCHANGE's get-link
	// documentation describes no signature, this is community evidence
	// from its newer DexPay API). When set, a notification bearing either
	// header must verify under one of them or it is refused, and one that
	// verifies is believed as it stands. Empty means signatures are not
	// checked: every notification is parsed, marked unauthenticated, and
	// the kit confirms it with FetchStatus before it counts, which is
	// always safe.
	// Blank entries, an unset environment variable's, are left out (and
	// logged as a warning): a list of blanks is an empty list.
	WebhookSecrets []string

	// BaseURL is the API's root, up to and including "/api/v1", without a
	// trailing slash. Empty means DefaultBaseURL.
	BaseURL string

	// HTTPClient sends the API calls. Nil means a client of the package's
	// own with a 30s timeout (http.DefaultClient is never used or changed).
	HTTPClient *http.Client

	// Logger receives warnings (a status this package does not know, a
	// duplicate creation recovered). It never gets secrets or customer
	// data. Nil means no logging.
	Logger *slog.Logger
}

// Provider is DEXCHANGE's merchant payment links API as a
// [cauri.Provider]. It is safe for concurrent use.
type Provider struct {
	key     string
	secrets clientkit.Secrets
	base    string
	http    *providerhttp.Client
	log     *slog.Logger
}

var (
	_ cauri.Provider          = (*Provider)(nil)
	_ cauri.IdempotentCreator = (*Provider)(nil)
	_ cauri.RateGuidance      = (*Provider)(nil)
)

// New returns a Provider for cfg. It returns a *cauri.ValidationError
// naming every field of cfg that is wrong.
func New(cfg Config) (*Provider, error) {
	invalid := clientkit.Invalid{What: "config"}
	bad := invalid.Bad

	key := strings.TrimSpace(cfg.APIKey)
	switch {
	case key == "":
		bad("APIKey", "is required")
	case strings.ContainsAny(key, " \t\r\n"):
		bad("APIKey", "must not contain spaces or line breaks")
	}
	// Blank secrets are left out, and logged below.
	secrets := clientkit.NonBlank(cfg.WebhookSecrets)
	base := invalid.APIRoot("BaseURL", cfg.BaseURL, DefaultBaseURL)
	if err := invalid.Err(); err != nil {
		return nil, err
	}
	return &Provider{
		key:     key,
		secrets: clientkit.NewSecrets(secrets),
		base:    base,
		http:    clientkit.HTTP(Name, cfg.HTTPClient, describe),
		log:     clientkit.Logger(cfg.Logger, Name, len(cfg.WebhookSecrets), len(secrets)),
	}, nil
}

// Name returns "dexchange".
func (p *Provider) Name() string { return Name }

// IdempotentCreate reports true: the checkout is created with our payment
// ID as DEXCHANGE's externalTransactionId, which DEXCHANGE keeps unique
// (409 on reuse), and CreateCheckout turns that 409 into the link created
// the first time. The kit may therefore retry a creation whose answer was
// lost.
func (p *Provider) IdempotentCreate() bool { return true }

// RateLimit returns DEXCHANGE's documented limit: 100 requests a minute
// per API key on the standard tier, as the API reference
// (https://docs-api.dexchange.sn/api-reference) states. An account on a
// custom (enterprise) limit sets its own in cauri.Config.RateLimits.
func (p *Provider) RateLimit() cauri.RateLimit {
	return cauri.RateLimit{Requests: 100, Per: time.Minute}
}

// headers are those of every API call.
func (p *Provider) headers() http.Header {
	return http.Header{
		"Authorization": {"Bearer " + p.key},
		"Accept":        {"application/json"},
	}
}

// describe extracts DEXCHANGE's explanation from an error answer: its
// "message", a string or an array of strings.
func describe(_ int, _ http.Header, body []byte) string {
	var env struct {
		Message json.RawMessage `json:"message"`
	}
	if json.Unmarshal(body, &env) != nil {
		return ""
	}
	return clientkit.MessageText(env.Message)
}

// successFalse reports whether raw is JSON false (or the string "false").
func successFalse(raw json.RawMessage) bool {
	var b bool
	if json.Unmarshal(raw, &b) == nil {
		return !b
	}
	var s string
	return json.Unmarshal(raw, &s) == nil && strings.EqualFold(strings.TrimSpace(s), "false")
}

// envelope is the outer object of DEXCHANGE's answers: the transaction
// sits under "transaction", under "data" or at the top.
type envelope struct {
	Message     json.RawMessage `json:"message"`
	Success     json.RawMessage `json:"success"`
	Transaction json.RawMessage `json:"transaction"`
	Data        json.RawMessage `json:"data"`
}

// readEnvelope decodes resp's envelope; the answer, ans, must be a JSON
// object.
func readEnvelope(resp *providerhttp.Response, ans clientkit.Answer) (envelope, error) {
	var top envelope
	if err := resp.DecodeJSON(&top); err != nil {
		return envelope{}, ans.Error("", err)
	}
	if !clientkit.IsObject(resp.Body) {
		return envelope{}, ans.Malformed("answer is not a JSON object")
	}
	return top, nil
}

// unsuccessful is the error about ans, an answer whose envelope e says
// "success": false, with its message.
func (e envelope) unsuccessful(ans clientkit.Answer) error {
	return ans.Error(clientkit.MessageText(e.Message), ErrUnsuccessful)
}
