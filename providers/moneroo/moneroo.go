package moneroo

import (
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/internal/clientkit"
	"github.com/cauripay/cauri/providers/providerhttp"
)

// Name is the provider's name, as [Provider.Name] returns it.
const Name = "moneroo"

// DefaultBaseURL is Moneroo's API, test and live alike: the secret key
// decides which.
const DefaultBaseURL = "https://api.moneroo.io/v1"

// Config configures a [Provider]. Only SecretKey is required; the zero
// value of every other field means the default its comment states.
type Config struct {
	// SecretKey is the application's secret API key from the Moneroo
	// dashboard (a test key for the sandbox, a live key otherwise).
	// Required.
	SecretKey string

	// WebhookSecrets are the signing secrets of the webhooks set up in the
	// dashboard. A notification is authenticated when its
	// X-Moneroo-Signature matches any of them, so that a secret can be
	// rotated by listing the new one next to the old one for a while.
	// Empty means notifications are not checked: they are parsed, marked
	// unauthenticated, and the kit confirms each with FetchStatus before it
	// counts.
	// Blank entries, an unset environment variable's, are left out (and
	// logged as a warning): a list of blanks is an empty list.
	WebhookSecrets []string

	// BaseURL is the API's root, without a trailing slash. Empty means
	// DefaultBaseURL.
	BaseURL string

	// HTTPClient sends the API calls. Nil means a client of the package's
	// own with a 30s timeout (http.DefaultClient is never used or changed).
	HTTPClient *http.Client

	// Methods restricts the payment methods offered on the checkout page to
	// these Moneroo short codes ("wave_ci", "orange_sn"). Empty means every
	// method the Moneroo application has enabled. Codes are sent as given:
	// Moneroo's list changes, so none are checked here.
	Methods []string

	// Logger receives warnings (a payment status this package does not
	// know, metadata that had to be dropped). It never gets secrets or
	// customer data. Nil means no logging.
	Logger *slog.Logger
}

// Provider is Moneroo's API as a [cauri.Provider]. It is safe for
// concurrent use.
type Provider struct {
	key     string
	secrets clientkit.Secrets
	base    string
	methods []string
	http    *providerhttp.Client
	log     *slog.Logger
}

var _ cauri.Provider = (*Provider)(nil)

// New returns a Provider for cfg. It returns a *cauri.ValidationError
// naming every field of cfg that is wrong.
func New(cfg Config) (*Provider, error) {
	invalid := clientkit.Invalid{What: "config"}
	bad := invalid.Bad

	if strings.TrimSpace(cfg.SecretKey) == "" {
		bad("SecretKey", "is required")
	}
	// Blank secrets are left out, and logged below.
	secrets := clientkit.NonBlank(cfg.WebhookSecrets)
	base := invalid.APIRoot("BaseURL", cfg.BaseURL, DefaultBaseURL)
	for i, m := range cfg.Methods {
		if strings.TrimSpace(m) == "" {
			bad(fmt.Sprintf("Methods[%d]", i), "is empty")
		}
	}
	if err := invalid.Err(); err != nil {
		return nil, err
	}
	return &Provider{
		key:     cfg.SecretKey,
		secrets: clientkit.NewSecrets(secrets),
		base:    base,
		methods: slices.Clone(cfg.Methods),
		http:    clientkit.HTTP(Name, cfg.HTTPClient, describe),
		log:     clientkit.Logger(cfg.Logger, Name, len(cfg.WebhookSecrets), len(secrets)),
	}, nil
}

// Name returns "moneroo".
func (p *Provider) Name() string { return Name }

// headers are those of every API call.
func (p *Provider) headers() http.Header {
	return http.Header{
		"Authorization": {"Bearer " + p.key},
		"Accept":        {"application/json"},
	}
}
