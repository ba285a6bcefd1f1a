package novasend

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/internal/clientkit"
	"github.com/cauripay/cauri/providers/providerhttp"
)

// Name is the provider's name, as [Provider.Name] returns it.
const Name = "novasend"

// DefaultBaseURL is NovaSend's merchant API, with its version prefix.
const DefaultBaseURL = "https://business.novasend.app/v1"

// IdempotencyHeader carries the idempotency key NovaSend requires on POST
// /v1/payin/sessions: a UUID, the same for every retry of one creation.
const IdempotencyHeader = "X-Idempotency-Key"

// MinPollInterval is the shortest wait NovaSend allows between two status
// calls about one payment: it asks for at most one GET /v1/payin/{reference}
// every 5 to 10 seconds when polling. The kit's default
// StatusRefreshInterval (10s) respects it; a reconciler polling NovaSend
// must wait at least this long between two calls for the same payment.
const MinPollInterval = 5 * time.Second

// Config configures a [Provider]. APIKey, APIClient and AccountID are
// required; the zero value of every other field means the default its
// comment states.
type Config struct {
	// APIKey and APIClient are the API credentials from NovaSend's Business
	// portal, sent on every call as HTTP Basic
	// base64(api_key:api_client). NovaSend's error table calls the second
	// one the API secret. Required; APIKey may not contain a colon.
	APIKey    string
	APIClient string

	// WebhookSecrets are the secret keys of the webhooks set up in the
	// Business portal (Settings > Webhooks), distinct from the API
	// credentials. A notification is authenticated when its
	// X-Signature-Value matches any of them, so that a secret can be
	// rotated by listing the new one next to the old one for a while.
	// Empty means notifications are not checked: they are parsed, marked
	// unauthenticated, and the kit confirms each with FetchStatus before it
	// counts.
	// Blank entries, an unset environment variable's, are left out (and
	// logged as a warning): a list of blanks is an empty list.
	WebhookSecrets []string

	// AccountID is the merchant account or sub-account to credit, sent as
	// accountId on every payin session: NovaSend's payin documentation
	// lists it among the session's parameters (see the package doc for the
	// reading). Required.
	AccountID string

	// Language is sent as Accept-Language, the language of NovaSend's error
	// messages: "en" or "fr". Empty sends no Accept-Language.
	Language string

	// BaseURL is the API's root, with its /v1 and without a trailing
	// slash. Empty means DefaultBaseURL.
	BaseURL string

	// HTTPClient sends the API calls. Nil means a client of the package's
	// own with a 30s timeout, NovaSend's recommended maximum
	// (http.DefaultClient is never used or changed).
	HTTPClient *http.Client

	// Logger receives warnings (a status this package does not know). It
	// never gets secrets or customer data. Nil means no logging.
	Logger *slog.Logger
}

// Provider is NovaSend's API as a [cauri.Provider]. Creating a payin
// session is idempotent (see [IdempotencyKey]), so it also implements
// [cauri.IdempotentCreator]. It is safe for concurrent use.
type Provider struct {
	auth      string
	secrets   clientkit.Secrets
	accountID string
	language  string
	base      string
	http      *providerhttp.Client
	log       *slog.Logger
}

var (
	_ cauri.Provider          = (*Provider)(nil)
	_ cauri.IdempotentCreator = (*Provider)(nil)
)

// New returns a Provider for cfg. It returns a *cauri.ValidationError
// naming every field of cfg that is wrong.
func New(cfg Config) (*Provider, error) {
	invalid := clientkit.Invalid{What: "config"}
	bad := invalid.Bad

	switch {
	case strings.TrimSpace(cfg.APIKey) == "":
		bad("APIKey", "is required")
	case strings.Contains(cfg.APIKey, ":"):
		bad("APIKey", "may not contain a colon (HTTP Basic user ID)")
	}
	if strings.TrimSpace(cfg.APIClient) == "" {
		bad("APIClient", "is required")
	}
	// Blank secrets are left out, and logged below.
	secrets := clientkit.NonBlank(cfg.WebhookSecrets)
	switch {
	case cfg.AccountID == "":
		bad("AccountID", "is required: novasend's payin sessions name the merchant account to credit (accountId)")
	case strings.TrimSpace(cfg.AccountID) == "":
		bad("AccountID", "is blank")
	}
	switch cfg.Language {
	case "", "en", "fr":
	default:
		bad("Language", `must be "en", "fr" or empty`)
	}
	base := invalid.APIRoot("BaseURL", cfg.BaseURL, DefaultBaseURL)
	if err := invalid.Err(); err != nil {
		return nil, err
	}
	return &Provider{
		auth:      BasicAuth(cfg.APIKey, cfg.APIClient),
		secrets:   clientkit.NewSecrets(secrets),
		accountID: strings.TrimSpace(cfg.AccountID),
		language:  cfg.Language,
		base:      base,
		http:      clientkit.HTTP(Name, cfg.HTTPClient, describe),
		log:       clientkit.Logger(cfg.Logger, Name, len(cfg.WebhookSecrets), len(secrets)),
	}, nil
}

// Name returns "novasend".
func (p *Provider) Name() string { return Name }

// IdempotentCreate returns true: CreateCheckout sends an
// X-Idempotency-Key derived from the payment ID, and NovaSend answers a
// repeated key with the first answer instead of opening a second session,
// so the kit may retry a creation that failed transiently.
func (p *Provider) IdempotentCreate() bool { return true }

// BasicAuth returns the Authorization header NovaSend expects: "Basic "
// and base64(apiKey:apiClient).
func BasicAuth(apiKey, apiClient string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(apiKey+":"+apiClient))
}

// IdempotencyKey returns the X-Idempotency-Key sent when opening the
// checkout of paymentID: a UUID derived from the SHA-256 of the payment ID,
// so that every retry of one creation sends the same key and two payments
// never share one. It has the version 4 layout (NovaSend asks for "a UUID"
// without a version, and version 4 is the one every validator accepts);
// its 122 bits come from the hash instead of a random source.
func IdempotencyKey(paymentID string) string {
	sum := sha256.Sum256([]byte("cauri/novasend/payin-session\x00" + paymentID))
	b := sum[:16]
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 9562 variant
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// headers are those of every API call.
func (p *Provider) headers() http.Header {
	h := http.Header{
		"Authorization": {p.auth},
		"Accept":        {"application/json"},
	}
	if p.language != "" {
		h.Set("Accept-Language", p.language)
	}
	return h
}

// countries are the countries whose currency is known: NovaSend's request
// names a country, not a currency, and charges in the country's.
var countries = map[string]struct {
	currency    string
	callingCode string
}{
	// UEMOA: CFA franc BCEAO.
	"BJ": {"XOF", "229"}, "BF": {"XOF", "226"}, "CI": {"XOF", "225"}, "GW": {"XOF", "245"},
	"ML": {"XOF", "223"}, "NE": {"XOF", "227"}, "SN": {"XOF", "221"}, "TG": {"XOF", "228"},
	// CEMAC: CFA franc BEAC.
	"CM": {"XAF", "237"}, "CF": {"XAF", "236"}, "TD": {"XAF", "235"}, "CG": {"XAF", "242"},
	"GQ": {"XAF", "240"}, "GA": {"XAF", "241"},
}

// CurrencyOf returns the currency NovaSend charges in for a payer in
// country (an ISO 3166-1 alpha-2 code): XOF for the UEMOA countries (CI,
// SN, TG, BJ, BF, ML, NE, GW), XAF for the CEMAC ones (CM, GA, CG, TD, CF,
// GQ). ok is false for any other country, which this package refuses.
func CurrencyOf(country string) (currency string, ok bool) {
	c, ok := countries[strings.ToUpper(strings.TrimSpace(country))]
	return c.currency, ok
}

// countryOfPhone returns the country of an E.164 number among those
// CurrencyOf knows, or "".
func countryOfPhone(msisdn string) string {
	if len(msisdn) < 4 {
		return ""
	}
	for cc, c := range countries {
		if msisdn[1:4] == c.callingCode {
			return cc
		}
	}
	return ""
}

// MinPollInterval returns [MinPollInterval]: the kit's reconciler and
// status endpoint never ask about one payment more often (cauri.PollGuidance).
func (p *Provider) MinPollInterval() time.Duration { return MinPollInterval }

var _ cauri.PollGuidance = (*Provider)(nil)
