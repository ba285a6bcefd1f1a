package dexpay

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/internal/clientkit"
	"github.com/cauripay/cauri/providers/providerhttp"
)

// Name is the provider's name, as [Provider.Name] returns it.
const Name = "dexpay"

// DEXPAY's API roots, one per mode, as its Node SDK and WooCommerce plugin
// give them.
const (
	SandboxBaseURL = "https://api-sandbox.dexpay.africa/api/v1"
	LiveBaseURL    = "https://api.dexpay.africa/api/v1"
)

// The headers that carry the credentials on every API call.
const (
	HeaderAPIKey    = "x-api-key"
	HeaderAPISecret = "x-api-secret"
)

// Mode is the DEXPAY environment an account's keys belong to.
type Mode string

// The two modes.
const (
	// Sandbox is DEXPAY's test environment: no real money, keys
	// "pk_test_..." and "sk_test_...".
	Sandbox Mode = "sandbox"
	// Live is production: real money, keys "pk_live_..." and
	// "sk_live_...".
	Live Mode = "live"
)

// Errors wrapped by the *cauri.ProviderError values this package returns.
var (
	// ErrUnsuccessful: DEXPAY answered with a success status code but a
	// body that says "success": false.
	ErrUnsuccessful = errors.New("dexpay: the answer says success is false")
	// ErrWrongMode: an answer is about a session of the other mode (a
	// sandbox session while the Provider is live, or the reverse). A
	// sandbox session moves no money, so it may never settle a live order.
	ErrWrongMode = errors.New("dexpay: the answer is about a session of the other mode")
)

// Config configures a [Provider]. APIKey and APISecret are required; the
// zero value of every other field means the default its comment states.
type Config struct {
	// APIKey is the account's public key ("pk_test_..." or
	// "pk_live_..."), sent as x-api-key. Required.
	APIKey string
	// APISecret is the account's secret key ("sk_test_..." or
	// "sk_live_..."), sent as x-api-secret. Required.
	APISecret string

	// WebhookSecrets are the webhook signing secrets of the DEXPAY
	// dashboard. A notification whose X-Webhook-Signature (or legacy
	// X-DexPay-Signature) verifies under one of them is believed as it
	// stands; one whose signature does not verify is refused; an unsigned
	// one is parsed and marked unauthenticated, so that the kit confirms
	// it with FetchStatus. Several secrets are accepted at once so that a
	// secret can be rotated. Empty means signatures are not checked and
	// every notification is confirmed that way, which is always safe.
	// Blank entries, an unset environment variable's, are left out (and
	// logged as a warning): a list of blanks is an empty list.
	WebhookSecrets []string

	// Mode chooses the environment: Sandbox or Live ("sandbox", "test" and
	// "live" are read in any case). Empty means Sandbox, so that a
	// forgotten setting can never charge real money; live keys are refused
	// there, which shows the mistake at once. Keys whose prefix names the
	// other mode are a configuration error.
	Mode Mode

	// BaseURL is the API's root, up to and including "/api/v1", without a
	// trailing slash. Empty means SandboxBaseURL or LiveBaseURL, as Mode
	// says.
	BaseURL string

	// HTTPClient sends the API calls. Nil means a client of the package's
	// own with a 30s timeout (http.DefaultClient is never used or changed).
	HTTPClient *http.Client

	// Logger receives warnings (a status this package does not know, a
	// notification of the other mode). It never gets keys, signatures or
	// customer data. Nil means no logging.
	Logger *slog.Logger
}

// Provider is DEXPAY's checkout-sessions API as a [cauri.Provider] and a
// [cauri.Payouter]. It is safe for concurrent use.
type Provider struct {
	key, secret string
	secrets     clientkit.Secrets
	mode        Mode
	base        string
	http        *providerhttp.Client
	log         *slog.Logger
}

var (
	_ cauri.Provider = (*Provider)(nil)
	_ cauri.Payouter = (*Provider)(nil)
)

// New returns a Provider for cfg. It returns a *cauri.ValidationError
// (What "config") naming every field of cfg that is wrong.
func New(cfg Config) (*Provider, error) {
	invalid := clientkit.Invalid{What: "config"}
	bad := invalid.Bad

	mode := cfg.Mode
	switch strings.ToLower(strings.TrimSpace(string(mode))) {
	case "", "sandbox", "test":
		mode = Sandbox
	case "live":
		mode = Live
	default:
		mode = ""
		bad("Mode", `must be "sandbox" (Sandbox) or "live" (Live)`)
	}
	checkKey := func(field, value, own, other string) {
		switch {
		case strings.TrimSpace(value) == "":
			bad(field, "is required")
		case strings.ContainsAny(value, " \t\r\n"):
			bad(field, "must not contain spaces or line breaks")
		case strings.HasPrefix(value, other+"_"):
			bad(field, fmt.Sprintf("looks like the other key (%s_...): APIKey is the public key, APISecret the secret one", other))
		case mode == Live && strings.HasPrefix(value, own+"_test_"):
			bad(field, fmt.Sprintf("is a sandbox key (%s_test_...) but Mode is live", own))
		case mode == Sandbox && strings.HasPrefix(value, own+"_live_"):
			bad(field, fmt.Sprintf("is a live key (%s_live_...) but Mode is the sandbox", own))
		}
	}
	checkKey("APIKey", cfg.APIKey, "pk", "sk")
	checkKey("APISecret", cfg.APISecret, "sk", "pk")

	// Blank secrets are left out, and logged below.
	secrets := clientkit.NonBlank(cfg.WebhookSecrets)
	root := SandboxBaseURL
	if mode == Live {
		root = LiveBaseURL
	}
	base := invalid.APIRoot("BaseURL", cfg.BaseURL, root)
	if err := invalid.Err(); err != nil {
		return nil, err
	}
	return &Provider{
		key:     cfg.APIKey,
		secret:  cfg.APISecret,
		secrets: clientkit.NewSecrets(secrets),
		mode:    mode,
		base:    base,
		http:    clientkit.HTTP(Name, cfg.HTTPClient, describe),
		log:     clientkit.Logger(cfg.Logger, Name, len(cfg.WebhookSecrets), len(secrets)),
	}, nil
}

// Name returns "dexpay".
func (p *Provider) Name() string { return Name }

// Mode returns the environment the Provider works in.
func (p *Provider) Mode() Mode { return p.mode }

// BaseURL returns the API root the Provider calls: Config.BaseURL, or its
// mode's default. It holds no secret.
func (p *Provider) BaseURL() string { return p.base }

// headers are those of every API call.
func (p *Provider) headers() http.Header {
	return http.Header{
		HeaderAPIKey:    {p.key},
		HeaderAPISecret: {p.secret},
		"Accept":        {"application/json"},
	}
}

// scrub takes the API key and secret out of err's text, should an answer
// have quoted them.
func (p *Provider) scrub(err error) error {
	return providerhttp.Scrub(err, p.key, p.secret)
}

// clean takes the API key and secret out of a text taken from an answer
// (a status, a failure reason), should the answer have quoted them.
func (p *Provider) clean(s string) string {
	for _, secret := range []string{p.key, p.secret} {
		if secret != "" && strings.Contains(s, secret) {
			s = strings.ReplaceAll(s, secret, providerhttp.Redacted)
		}
	}
	return s
}

// describe extracts DEXPAY's explanation from an error answer: its
// "message" (a string, or an array of strings as NestJS validation writes
// it), else its "error", and its "code".
func describe(_ int, _ http.Header, body []byte) string {
	var env struct {
		Message json.RawMessage `json:"message"`
		Error   json.RawMessage `json:"error"`
		Code    json.RawMessage `json:"code"`
	}
	if json.Unmarshal(body, &env) != nil {
		return ""
	}
	return explanation(env.Message, env.Error, env.Code)
}

// explanation is DEXPAY's word on an error or a failure: message, else
// fallback (each a string or an array of strings), followed by code in
// parentheses, cut to 200 characters.
func explanation(message, fallback, code json.RawMessage) string {
	msg := clientkit.MessageText(message)
	if msg == "" {
		msg = clientkit.MessageText(fallback)
	}
	if code := clientkit.Truncate(clientkit.OneLine(clientkit.Text(code)), 60); code != "" {
		if msg == "" {
			msg = code
		} else {
			msg += " (" + code + ")"
		}
	}
	return clientkit.Truncate(msg, 200)
}

// jsonBool reads a JSON boolean, or the string "true" or "false". ok is
// false for anything else, null and missing included.
func jsonBool(raw json.RawMessage) (v, ok bool) {
	if json.Unmarshal(raw, &v) == nil && !clientkit.IsNull(raw) {
		return v, true
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "true":
			return true, true
		case "false":
			return false, true
		}
	}
	return false, false
}
