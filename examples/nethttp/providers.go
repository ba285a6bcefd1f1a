package main

import (
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/dexchange"
	"github.com/cauripay/cauri/providers/dexchange/dexchangetest"
	"github.com/cauripay/cauri/providers/dexpay"
	"github.com/cauripay/cauri/providers/dexpay/dexpaytest"
	"github.com/cauripay/cauri/providers/emulators"
	"github.com/cauripay/cauri/providers/moneroo"
	"github.com/cauripay/cauri/providers/moneroo/monerootest"
	"github.com/cauripay/cauri/providers/moneyfusion"
	"github.com/cauripay/cauri/providers/moneyfusion/moneyfusiontest"
	"github.com/cauripay/cauri/providers/novasend"
	"github.com/cauripay/cauri/providers/novasend/novasendtest"
	"github.com/cauripay/cauri/providers/paydunya"
	"github.com/cauripay/cauri/providers/paydunya/paydunyatest"
	"github.com/cauripay/cauri/providers/providertest"
)

// merchantName is the shop's name on the emulators' pages, and on
// PayDunya's unless PAYDUNYA_STORE_NAME says otherwise.
const merchantName = "Cauri demo shop"

// payLaterDelay is how long after a customer chooses "pay later on my
// phone" on an emulator's page their emulated phone confirms the payment:
// long enough to see the shop's pending page, short enough to watch it
// turn into the thank-you page.
const payLaterDelay = 6 * time.Second

// providersVar restricts the providers the shop offers.
const providersVar = "CAURI_PROVIDERS"

// providerSpec is one provider the shop can offer: the variables that
// switch it to its real API, and how it is built either way.
type providerSpec struct {
	name  string // the kit's name for it, in URLs and metric labels
	label string // its name for people
	// creds are the variables that, all set, select the real API. Some
	// set and some not is a configuration error.
	creds []string
	// extra are variables that mean something only with creds: setting
	// one without them is a configuration error too.
	extra []string
	// anyMode are variables read in emulator mode as well.
	anyMode []string
	// webhookSecretVar is the variable of the secret that signs the
	// webhooks set up in the provider's dashboard, for a warning when it is
	// not set: the webhooks then each cost a status call.
	webhookSecretVar string
	// fields names the variable behind each field of the provider's
	// Config, to turn its validation errors into the shop's words.
	fields map[string]string
	// live builds the provider against its real API; where says which API,
	// without any secret, for the start line. log may be nil.
	live func(env map[string]string, log *slog.Logger) (p cauri.Provider, where string, err error)
	// emulatorOptions are the options of the provider's own emulator
	// package, read from env, given after the shop's merchant name and
	// pay-later delay (emulate); nil when it needs none.
	emulatorOptions func(env map[string]string) []providertest.EmulatorOption
	// emulated builds the provider configured against its started
	// emulator (see configured). log may be nil.
	emulated func(em providertest.Emulator, log *slog.Logger) (cauri.Provider, error)
}

// emulate starts the provider's emulator (providers/emulators), on
// loopback, and builds the provider configured against it. log may be
// nil.
func (sp providerSpec) emulate(env map[string]string, log *slog.Logger) (emulators.Started, cauri.Provider, error) {
	ep, ok := emulators.Named(sp.name)
	if !ok {
		return emulators.Started{}, nil, fmt.Errorf("%s has no emulator", sp.label)
	}
	opts := []providertest.EmulatorOption{providertest.WithMerchant(merchantName), providertest.WithPayLaterDelay(payLaterDelay)}
	if sp.emulatorOptions != nil {
		opts = append(opts, sp.emulatorOptions(env)...)
	}
	em := ep.Start(opts...)
	p, err := sp.emulated(em.Emulator, log)
	return em, p, err
}

// configured returns a providerSpec.emulated for emulator servers of type
// S: the provider newP makes of the server's configuration (config), with
// log as its logger (setLog).
func configured[S any, C any, P cauri.Provider](config func(S) C, setLog func(*C, *slog.Logger), newP func(C) (P, error)) func(providertest.Emulator, *slog.Logger) (cauri.Provider, error) {
	return func(em providertest.Emulator, log *slog.Logger) (cauri.Provider, error) {
		cfg := config(em.(S))
		setLog(&cfg, log)
		return newP(cfg)
	}
}

// vars returns every variable of the provider.
func (sp providerSpec) vars() []string {
	return slices.Concat(sp.creds, sp.extra, sp.anyMode)
}

// secretList is one secret as a list, or nil when it is empty.
func secretList(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// orDefault returns s, or def when s is empty.
func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// providerSpecs are the providers the shop knows, in the order its buy
// buttons show them unless CAURI_PROVIDERS says otherwise.
func providerSpecs() []providerSpec {
	return []providerSpec{
		{
			name: moneroo.Name, label: "Moneroo",
			creds:            []string{"MONEROO_SECRET_KEY"},
			extra:            []string{"MONEROO_WEBHOOK_SECRET", "MONEROO_BASE_URL"},
			webhookSecretVar: "MONEROO_WEBHOOK_SECRET",
			fields:           map[string]string{"SecretKey": "MONEROO_SECRET_KEY", "WebhookSecrets": "MONEROO_WEBHOOK_SECRET", "BaseURL": "MONEROO_BASE_URL"},
			live: func(env map[string]string, log *slog.Logger) (cauri.Provider, string, error) {
				p, err := moneroo.New(moneroo.Config{
					SecretKey:      env["MONEROO_SECRET_KEY"],
					WebhookSecrets: secretList(env["MONEROO_WEBHOOK_SECRET"]),
					BaseURL:        env["MONEROO_BASE_URL"],
					Logger:         log,
				})
				return p, orDefault(env["MONEROO_BASE_URL"], moneroo.DefaultBaseURL), err
			},
			emulated: configured((*monerootest.Server).Config, func(c *moneroo.Config, log *slog.Logger) { c.Logger = log }, moneroo.New),
		},
		{
			name: moneyfusion.Name, label: "MoneyFusion",
			// The merchant's API URL is the credential.
			creds:  []string{"MONEYFUSION_API_URL"},
			extra:  []string{"MONEYFUSION_STATUS_URL"},
			fields: map[string]string{"APIURL": "MONEYFUSION_API_URL", "StatusURL": "MONEYFUSION_STATUS_URL"},
			live: func(env map[string]string, log *slog.Logger) (cauri.Provider, string, error) {
				p, err := moneyfusion.New(moneyfusion.Config{
					APIURL:    env["MONEYFUSION_API_URL"],
					StatusURL: env["MONEYFUSION_STATUS_URL"],
					Logger:    log,
				})
				// The API URL is a credential: the start line names only
				// the status endpoint's host.
				return p, "the merchant URL of MONEYFUSION_API_URL, statuses from " +
					orDefault(env["MONEYFUSION_STATUS_URL"], moneyfusion.DefaultStatusURL), err
			},
			emulated: configured((*moneyfusiontest.Server).Config, func(c *moneyfusion.Config, log *slog.Logger) { c.Logger = log }, moneyfusion.New),
		},
		{
			name: dexchange.Name, label: "DEXCHANGE",
			creds:  []string{"DEXCHANGE_API_KEY"},
			extra:  []string{"DEXCHANGE_WEBHOOK_SECRET", "DEXCHANGE_BASE_URL"},
			fields: map[string]string{"APIKey": "DEXCHANGE_API_KEY", "WebhookSecrets": "DEXCHANGE_WEBHOOK_SECRET", "BaseURL": "DEXCHANGE_BASE_URL"},
			live: func(env map[string]string, log *slog.Logger) (cauri.Provider, string, error) {
				p, err := dexchange.New(dexchange.Config{
					APIKey:         env["DEXCHANGE_API_KEY"],
					WebhookSecrets: secretList(env["DEXCHANGE_WEBHOOK_SECRET"]),
					BaseURL:        env["DEXCHANGE_BASE_URL"],
					Logger:         log,
				})
				return p, orDefault(env["DEXCHANGE_BASE_URL"], dexchange.DefaultBaseURL), err
			},
			// The real API allows 100 requests a minute; a person
			// clicking through the demo, or its tests, may need more.
			emulatorOptions: func(map[string]string) []providertest.EmulatorOption {
				return []providertest.EmulatorOption{dexchangetest.WithRateLimit(0, 0)}
			},
			emulated: configured((*dexchangetest.Server).Config, func(c *dexchange.Config, log *slog.Logger) { c.Logger = log }, dexchange.New),
		},
		{
			name: dexpay.Name, label: "DEXPAY",
			creds:            []string{"DEXPAY_API_KEY", "DEXPAY_API_SECRET"},
			extra:            []string{"DEXPAY_WEBHOOK_SECRET", "DEXPAY_BASE_URL", dexpaySandboxVar},
			webhookSecretVar: "DEXPAY_WEBHOOK_SECRET",
			fields: map[string]string{
				"APIKey": "DEXPAY_API_KEY", "APISecret": "DEXPAY_API_SECRET",
				"WebhookSecrets": "DEXPAY_WEBHOOK_SECRET", "BaseURL": "DEXPAY_BASE_URL", "Mode": dexpaySandboxVar,
			},
			live: func(env map[string]string, log *slog.Logger) (cauri.Provider, string, error) {
				mode, err := dexpayMode(env)
				if err != nil {
					return nil, "", err
				}
				p, err := dexpay.New(dexpay.Config{
					APIKey:         env["DEXPAY_API_KEY"],
					APISecret:      env["DEXPAY_API_SECRET"],
					WebhookSecrets: secretList(env["DEXPAY_WEBHOOK_SECRET"]),
					Mode:           mode,
					BaseURL:        env["DEXPAY_BASE_URL"],
					Logger:         log,
				})
				if err != nil {
					return nil, "", err
				}
				return p, p.BaseURL(), nil
			},
			emulated: configured((*dexpaytest.Server).Config, func(c *dexpay.Config, log *slog.Logger) { c.Logger = log }, dexpay.New),
		},
		{
			name: novasend.Name, label: "NovaSend",
			// The account to credit goes with the credentials: NovaSend's
			// payin sessions name it.
			creds:            []string{"NOVASEND_API_KEY", "NOVASEND_API_CLIENT", "NOVASEND_ACCOUNT_ID"},
			extra:            []string{"NOVASEND_WEBHOOK_SECRET", "NOVASEND_BASE_URL"},
			webhookSecretVar: "NOVASEND_WEBHOOK_SECRET",
			fields: map[string]string{
				"APIKey": "NOVASEND_API_KEY", "APIClient": "NOVASEND_API_CLIENT", "AccountID": "NOVASEND_ACCOUNT_ID",
				"WebhookSecrets": "NOVASEND_WEBHOOK_SECRET", "BaseURL": "NOVASEND_BASE_URL",
			},
			live: func(env map[string]string, log *slog.Logger) (cauri.Provider, string, error) {
				p, err := novasend.New(novasend.Config{
					APIKey:         env["NOVASEND_API_KEY"],
					APIClient:      env["NOVASEND_API_CLIENT"],
					AccountID:      env["NOVASEND_ACCOUNT_ID"],
					WebhookSecrets: secretList(env["NOVASEND_WEBHOOK_SECRET"]),
					BaseURL:        env["NOVASEND_BASE_URL"],
					Logger:         log,
				})
				return p, orDefault(env["NOVASEND_BASE_URL"], novasend.DefaultBaseURL), err
			},
			emulated: configured((*novasendtest.Server).Config, func(c *novasend.Config, log *slog.Logger) { c.Logger = log }, novasend.New),
		},
		{
			name: paydunya.Name, label: "PayDunya",
			creds:   []string{"PAYDUNYA_MASTER_KEY", "PAYDUNYA_PRIVATE_KEY", "PAYDUNYA_TOKEN"},
			extra:   []string{"PAYDUNYA_MODE", "PAYDUNYA_BASE_URL"},
			anyMode: []string{"PAYDUNYA_STORE_NAME"},
			fields: map[string]string{
				"MasterKey": "PAYDUNYA_MASTER_KEY", "PrivateKey": "PAYDUNYA_PRIVATE_KEY", "Token": "PAYDUNYA_TOKEN",
				"Mode": "PAYDUNYA_MODE", "Store.Name": "PAYDUNYA_STORE_NAME", "BaseURL": "PAYDUNYA_BASE_URL",
			},
			live: func(env map[string]string, log *slog.Logger) (cauri.Provider, string, error) {
				mode := paydunya.Mode(strings.ToLower(env["PAYDUNYA_MODE"]))
				p, err := paydunya.New(paydunya.Config{
					MasterKey:  env["PAYDUNYA_MASTER_KEY"],
					PrivateKey: env["PAYDUNYA_PRIVATE_KEY"],
					Token:      env["PAYDUNYA_TOKEN"],
					Mode:       mode,
					Store:      paydunya.Store{Name: orDefault(env["PAYDUNYA_STORE_NAME"], merchantName)},
					BaseURL:    env["PAYDUNYA_BASE_URL"],
					Logger:     log,
				})
				base := paydunya.SandboxBaseURL
				if mode == paydunya.Live {
					base = paydunya.LiveBaseURL
				}
				return p, orDefault(env["PAYDUNYA_BASE_URL"], base), err
			},
			emulatorOptions: func(env map[string]string) []providertest.EmulatorOption {
				return []providertest.EmulatorOption{paydunyatest.WithStoreName(orDefault(env["PAYDUNYA_STORE_NAME"], merchantName))}
			},
			emulated: configured((*paydunyatest.Server).Config, func(c *paydunya.Config, log *slog.Logger) { c.Logger = log }, paydunya.New),
		},
	}
}

// dexpaySandboxVar chooses DEXPAY's sandbox or live API.
const dexpaySandboxVar = "DEXPAY_SANDBOX"

// dexpayMode reads DEXPAY_SANDBOX: the sandbox unless it is a boolean
// false ("false", "0", "f"), so that going live is always asked for.
// Something that is no boolean at all is an error rather than a guess, and
// so are keys of the other mode, named in the shop's variables rather
// than in dexpay.Config's fields. Its errors never quote a key.
func dexpayMode(env map[string]string) (dexpay.Mode, error) {
	mode := dexpay.Sandbox
	if raw := env[dexpaySandboxVar]; raw != "" {
		sandbox, err := strconv.ParseBool(raw)
		if err != nil {
			return "", fmt.Errorf("%s must be true or false (false for the live API)", dexpaySandboxVar)
		}
		if !sandbox {
			mode = dexpay.Live
		}
	}
	for _, k := range []struct{ name, prefix string }{{"DEXPAY_API_KEY", "pk"}, {"DEXPAY_API_SECRET", "sk"}} {
		v := env[k.name]
		switch {
		case mode == dexpay.Sandbox && strings.HasPrefix(v, k.prefix+"_live_"):
			return "", fmt.Errorf("%s is a live key (%s_live_...) but %s is not false: set %s=false for the live API",
				k.name, k.prefix, dexpaySandboxVar, dexpaySandboxVar)
		case mode == dexpay.Live && strings.HasPrefix(v, k.prefix+"_test_"):
			return "", fmt.Errorf("%s is a sandbox key (%s_test_...) but %s=false asks for the live API: unset %s for the sandbox",
				k.name, k.prefix, dexpaySandboxVar, dexpaySandboxVar)
		}
	}
	return mode, nil
}

// providerNames lists the known providers, for error messages.
func providerNames(specs []providerSpec) string {
	names := make([]string, len(specs))
	for i, sp := range specs {
		names[i] = sp.name
	}
	return strings.Join(names, ", ")
}

// offeredProviders reads CAURI_PROVIDERS: empty means every provider, in
// specs' order; otherwise a comma-separated list of names, in the order
// the shop shows them. An unknown name is an error.
func offeredProviders(raw string, specs []providerSpec) ([]providerSpec, error) {
	if raw == "" {
		return specs, nil
	}
	var out []providerSpec
	for name := range strings.SplitSeq(raw, ",") {
		name = strings.ToLower(strings.TrimSpace(name))
		if name == "" {
			continue
		}
		i := slices.IndexFunc(specs, func(sp providerSpec) bool { return sp.name == name })
		if i < 0 {
			if len(name) > 32 {
				name = name[:32] + "..."
			}
			return nil, fmt.Errorf("%s names unknown provider %q: want a comma-separated list of %s", providersVar, name, providerNames(specs))
		}
		if !slices.ContainsFunc(out, func(sp providerSpec) bool { return sp.name == name }) {
			out = append(out, specs[i])
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s names no provider: want a comma-separated list of %s, or leave it unset for all of them", providersVar, providerNames(specs))
	}
	return out, nil
}

// isLive reports whether every credential of sp is in env, and fails with
// one line naming what is missing when only some of sp's variables are
// set. Its errors name variables, never their values.
func (sp providerSpec) isLive(env map[string]string) (bool, error) {
	var set, missing []string
	for _, k := range sp.creds {
		if env[k] != "" {
			set = append(set, k)
		} else {
			missing = append(missing, k)
		}
	}
	if len(missing) == 0 {
		return true, nil
	}
	for _, k := range sp.extra {
		if env[k] != "" {
			set = append(set, k)
		}
	}
	if len(set) == 0 {
		return false, nil
	}
	return false, fmt.Errorf("%s %s not set but %s %s: the real %s needs %s (unset %s to use its emulator)",
		andList(missing), isAre(missing), andList(set), isAre(set), sp.label, andList(sp.creds), andList(set))
}

// andList joins names as "A", "A and B" or "A, B and C".
func andList(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// isAre is "is" for one name and "are" for several.
func isAre(names []string) string {
	if len(names) == 1 {
		return "is"
	}
	return "are"
}

// configError rewrites a provider's *cauri.ValidationError in terms of
// the shop's variables: "paydunya: PAYDUNYA_MODE must be ...". Provider
// validation errors name fields and never quote their values.
func (sp providerSpec) configError(err error) error {
	var ve *cauri.ValidationError
	if !errors.As(err, &ve) || len(ve.Fields) == 0 {
		return fmt.Errorf("%s: %w", sp.name, err)
	}
	parts := make([]string, len(ve.Fields))
	for i, f := range ve.Fields {
		name := f.Field
		if v, ok := sp.fields[f.Field]; ok {
			name = v
		}
		parts[i] = name + " " + f.Reason
	}
	return fmt.Errorf("%s: %s", sp.name, strings.Join(parts, "; "))
}
