package paydunya

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/internal/clientkit"
	"github.com/cauripay/cauri/providers/providerhttp"
)

// Name is the provider's name, as [Provider.Name] returns it.
const Name = "paydunya"

// PayDunya's API roots, one per mode, and those of its API PUSH
// (disbursements).
const (
	SandboxBaseURL         = "https://app.paydunya.com/sandbox-api/v1"
	LiveBaseURL            = "https://app.paydunya.com/api/v1"
	SandboxDisburseBaseURL = "https://app.paydunya.com/sandbox-api/v2"
	LiveDisburseBaseURL    = "https://app.paydunya.com/api/v2"
)

// The headers that carry the credentials on every API call.
const (
	HeaderMasterKey  = "PAYDUNYA-MASTER-KEY"
	HeaderPrivateKey = "PAYDUNYA-PRIVATE-KEY"
	HeaderToken      = "PAYDUNYA-TOKEN"
)

// Currency is the only currency PayDunya charges in: the FCFA of its
// countries (Senegal, Côte d'Ivoire, Benin, Togo, Mali, Burkina Faso), the
// West African CFA franc.
const Currency = "XOF"

// Mode is the PayDunya environment an application's keys belong to, in
// PayDunya's own words (the "mode" field of its answers).
type Mode string

// The two modes.
const (
	// Sandbox is PayDunya's test environment: fictitious customers, no real
	// money, keys whose private key starts with "test_".
	Sandbox Mode = "test"
	// Live is production: real money, keys whose private key starts with
	// "live_".
	Live Mode = "live"
)

// Config configures a [Provider]. MasterKey, PrivateKey, Token and
// Store.Name are required; the zero value of every other field means the
// default its comment states.
type Config struct {
	// MasterKey, PrivateKey and Token are the application's API keys from
	// PayDunya's dashboard ("Intégrez notre API"), sent as the
	// PAYDUNYA-MASTER-KEY, PAYDUNYA-PRIVATE-KEY and PAYDUNYA-TOKEN headers.
	// The master key is the same in both modes; the private key and token
	// differ. The master key also proves notifications: their data[hash] is
	// the SHA-512 of it. All three are required.
	MasterKey  string
	PrivateKey string
	Token      string

	// Mode chooses the environment: Sandbox or Live ("sandbox" is read as
	// Sandbox). Empty means Sandbox, as PayDunya's own SDKs default, so
	// that a forgotten setting can never charge real money; live keys are
	// refused there, which shows the mistake at once.
	Mode Mode

	// Store is the shop as PayDunya's page shows it. Store.Name is
	// required (PayDunya refuses an invoice without store.name).
	Store Store

	// BaseURL is the API's root, without a trailing slash. Empty means
	// SandboxBaseURL or LiveBaseURL, as Mode says.
	BaseURL string

	// DisburseBaseURL is the root of PayDunya's API PUSH (disbursements,
	// which payouts use), without a trailing slash. Empty means BaseURL
	// with its final /v1 replaced by /v2 (SandboxDisburseBaseURL or
	// LiveDisburseBaseURL by default), or BaseURL itself when it does not
	// end in /v1 (a proxy serving both: their paths do not overlap).
	DisburseBaseURL string

	// PayoutCallbackURL, when set, is sent as each disbursement's
	// callback_url, where PayDunya posts its outcome: an absolute http(s)
	// URL of the shop's that answers 200. The kit does not need it (it
	// looks disbursements up with check-status); set it if PayDunya
	// refuses disbursements without one, as its documentation's list of
	// fields suggests it may. Empty sends none.
	PayoutCallbackURL string

	// HTTPClient sends the API calls. Nil means a client of the package's
	// own with a 30s timeout (http.DefaultClient is never used or changed).
	HTTPClient *http.Client

	// Logger receives warnings (a status this package does not know, an
	// answer from the other mode). It never gets keys or customer data.
	// Nil means no logging.
	Logger *slog.Logger
}

// Store is the invoice's "store" object: the shop as PayDunya's checkout
// page shows it. Only Name is required; empty fields are not sent.
type Store struct {
	Name          string // store.name, required
	Tagline       string // store.tagline
	PostalAddress string // store.postal_address
	Phone         string // store.phone_number
	// LogoURL and WebsiteURL must be absolute http(s) URLs when set.
	LogoURL    string // store.logo_url
	WebsiteURL string // store.website_url
}

// Provider is PayDunya's API as a [cauri.Provider], and for payouts a
// [cauri.PayoutPreparer], a [cauri.PayoutChecker] and a [cauri.Payouter].
// It is safe for concurrent use.
type Provider struct {
	masterKey, privateKey, token string
	hash                         []byte // lower-case hex SHA-512 of the master key
	mode                         Mode
	store                        Store
	base                         string
	disburse                     string // the API PUSH's root
	payoutCallback               string
	http                         *providerhttp.Client
	log                          *slog.Logger
}

var (
	_ cauri.Provider       = (*Provider)(nil)
	_ cauri.Payouter       = (*Provider)(nil)
	_ cauri.PayoutPreparer = (*Provider)(nil)
	_ cauri.PayoutChecker  = (*Provider)(nil)
)

// New returns a Provider for cfg. It returns a *cauri.ValidationError
// (What "config") naming every field of cfg that is wrong.
func New(cfg Config) (*Provider, error) {
	invalid := clientkit.Invalid{What: "config"}
	bad := invalid.Bad

	if strings.TrimSpace(cfg.MasterKey) == "" {
		bad("MasterKey", "is required")
	} else if cfg.MasterKey != strings.TrimSpace(cfg.MasterKey) {
		bad("MasterKey", "has spaces around it")
	}
	mode := cfg.Mode
	switch mode {
	case "", "sandbox":
		mode = Sandbox
	case Sandbox, Live:
	default:
		mode = ""
	}
	if strings.TrimSpace(cfg.PrivateKey) == "" {
		bad("PrivateKey", "is required")
	} else if cfg.PrivateKey != strings.TrimSpace(cfg.PrivateKey) {
		bad("PrivateKey", "has spaces around it")
	} else if mode == Live && strings.HasPrefix(cfg.PrivateKey, "test_") {
		bad("PrivateKey", "is a sandbox key (test_...) but Mode is live")
	} else if mode == Sandbox && strings.HasPrefix(cfg.PrivateKey, "live_") {
		bad("PrivateKey", "is a live key (live_...) but Mode is the sandbox")
	}
	if strings.TrimSpace(cfg.Token) == "" {
		bad("Token", "is required")
	} else if cfg.Token != strings.TrimSpace(cfg.Token) {
		bad("Token", "has spaces around it")
	}
	if mode == "" {
		bad("Mode", `must be "test" (Sandbox) or "live"`)
	}
	if strings.TrimSpace(cfg.Store.Name) == "" {
		bad("Store.Name", "is required by paydunya")
	}
	for _, f := range []struct{ field, raw string }{{"Store.LogoURL", cfg.Store.LogoURL}, {"Store.WebsiteURL", cfg.Store.WebsiteURL}} {
		if f.raw != "" && !clientkit.AbsoluteHTTP(f.raw) {
			bad(f.field, "must be an absolute http(s) URL")
		}
	}
	root := SandboxBaseURL
	if mode == Live {
		root = LiveBaseURL
	}
	base := invalid.APIRoot("BaseURL", cfg.BaseURL, root)
	disburse := strings.TrimRight(cfg.DisburseBaseURL, "/")
	switch {
	case disburse != "":
		disburse = invalid.APIRoot("DisburseBaseURL", disburse, "")
	case strings.HasSuffix(base, "/v1"):
		disburse = strings.TrimSuffix(base, "/v1") + "/v2"
	default:
		disburse = base
	}
	if cfg.PayoutCallbackURL != "" && (!clientkit.AbsoluteHTTP(cfg.PayoutCallbackURL) || strings.TrimSpace(cfg.PayoutCallbackURL) != cfg.PayoutCallbackURL) {
		bad("PayoutCallbackURL", "must be an absolute http(s) URL")
	}
	if err := invalid.Err(); err != nil {
		return nil, err
	}

	hc := clientkit.HTTP(Name, cfg.HTTPClient, describe)
	st := cfg.Store
	st.Name = strings.TrimSpace(st.Name)
	return &Provider{
		masterKey:      cfg.MasterKey,
		privateKey:     cfg.PrivateKey,
		token:          cfg.Token,
		hash:           []byte(Hash(cfg.MasterKey)),
		mode:           mode,
		store:          st,
		base:           base,
		disburse:       disburse,
		payoutCallback: cfg.PayoutCallbackURL,
		http:           hc,
		log:            clientkit.Logger(cfg.Logger, Name, 0, 0),
	}, nil
}

// Name returns "paydunya".
func (p *Provider) Name() string { return Name }

// Mode returns the environment the provider talks to.
func (p *Provider) Mode() Mode { return p.mode }

// headers are those of every API call, as PayDunya's examples send them.
func (p *Provider) headers() http.Header {
	return http.Header{
		HeaderMasterKey:  {p.masterKey},
		HeaderPrivateKey: {p.privateKey},
		HeaderToken:      {p.token},
		"Content-Type":   {"application/json"},
	}
}

// envelope is the part every PayDunya answer has: "All the JSON objects
// returned contain at least response_code and response_text", and success
// is response_code "00".
type envelope struct {
	Code json.RawMessage `json:"response_code"`
	Text json.RawMessage `json:"response_text"`
}

// code returns the response code as text ("00", "1001"), a JSON number's
// digits included, and "" when missing.
func (e envelope) code() string { return clientkit.Text(e.Code) }

// ok reports whether the answer is a success: response_code "00", the
// string PayDunya documents (a number 0 is not "00").
func (e envelope) ok() bool { return jsonString(e.Code) == "00" }

// refusal is the *cauri.ProviderError for an answer that came with a
// response_code other than "00": PayDunya answered and said no.
func refusal(op string, status int, e envelope) error {
	msg := describeEnvelope(e)
	if msg == "" {
		msg = "no response_code in the answer"
	}
	return &cauri.ProviderError{Provider: Name, Op: op, StatusCode: status, Message: msg}
}

// describe extracts PayDunya's explanation from an error answer.
func describe(_ int, _ http.Header, body []byte) string {
	var e envelope
	if json.Unmarshal(body, &e) != nil {
		return ""
	}
	return describeEnvelope(e)
}

// describeEnvelope says "response_text (response_code N)", cut to a
// readable length.
func describeEnvelope(e envelope) string {
	text := clientkit.Truncate(strings.TrimSpace(clientkit.Text(e.Text)), 200)
	code := clientkit.Truncate(e.code(), 16)
	switch {
	case code == "" && text == "":
		return ""
	case code == "":
		return text
	case text == "":
		return "response_code " + code
	}
	return text + " (response_code " + code + ")"
}

// malformed is a *cauri.ProviderError for an answer that came but cannot be
// used, wrapping cauri.ErrMalformed.
func malformed(op string, status int, format string, args ...any) error {
	return clientkit.Answer{Provider: Name, Op: op, Status: status}.Malformed(format, args...)
}
