package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/examples/internal/demo"
)

func main() { demo.Main("demo", run) }

// run serves the shop until ctx is cancelled: see [demo.Main].
func run(ctx context.Context, getenv func(string) string, stdout io.Writer) error {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	return demo.Serve(ctx, "demo", cfg.Env, stdout, func(publicURL string, log *slog.Logger) (demo.App, error) {
		cfg.PublicURL, cfg.Logger = publicURL, log
		s, err := newShop(ctx, cfg)
		if err != nil {
			return demo.App{}, err
		}
		app := demo.App{Handler: s.handler(), Mode: s.mode(), Close: s.Close}
		if s.adminGenerated {
			app.Notes = []string{fmt.Sprintf("console at %s/admin/ (any user name, password %s; set ADMIN_PASSWORD to choose it)", cfg.PublicURL, s.adminPassword)}
		}
		return app, nil
	})
}

// config is the shop's configuration, from the environment: what every
// example reads, with the Secret empty meaning a random one when every
// provider is on its emulator, and the shop's own variables.
type config struct {
	demo.Env
	// DatabaseURL is where the kit keeps its payments and the shop its
	// orders, as parseDatabaseURL reads it; empty means the SQLite file
	// cauri-demo.db in the working directory.
	DatabaseURL string
	// Providers are the providers offered, in the order the shop shows
	// them: CAURI_PROVIDERS, or all of them. Nil means all of them.
	Providers []string
	// ProviderEnv holds the providers' variables that are set, by name:
	// a provider whose credentials are all there uses its real API, any
	// other its emulator.
	ProviderEnv map[string]string
	// AdminPassword opens the console at /admin (HTTP Basic auth, any
	// user name): ADMIN_PASSWORD. Empty with every provider on its
	// emulator means a random one, printed at start-up; empty with a
	// live provider keeps the console shut.
	AdminPassword string
	// Logger receives the shop's and the kit's logs; nil discards them.
	Logger *slog.Logger

	// tablePrefix, for tests, gives the kit's tables and the shop's a
	// prefix of their own; empty means sqlstore's default for the kit's
	// and none for the shop's.
	tablePrefix string
	// reconcileEvery is how often the reconciler runs; zero means
	// reconcileInterval.
	reconcileEvery time.Duration
	// reconcile is the reconciler's policy; the zero value means the
	// kit's defaults.
	reconcile cauri.ReconcilePolicy
	// pollInterval is the kit's Config.PollInterval; zero means the
	// kit's default.
	pollInterval time.Duration
}

// reconcileInterval is how often the shop's reconciler asks providers
// about payments whose webhook never came.
const reconcileInterval = 30 * time.Second

// offered returns the specs of the providers cfg offers, in its order.
func (c config) offered() []providerSpec {
	specs := providerSpecs()
	if c.Providers == nil {
		return specs
	}
	out := make([]providerSpec, 0, len(c.Providers))
	for _, name := range c.Providers {
		if i := slices.IndexFunc(specs, func(sp providerSpec) bool { return sp.name == name }); i >= 0 {
			out = append(out, specs[i])
		}
	}
	return out
}

// live lists the offered providers whose credentials are set.
func (c config) live() []string {
	var names []string
	for _, sp := range c.offered() {
		if ok, _ := sp.isLive(c.ProviderEnv); ok {
			names = append(names, sp.name)
		}
	}
	return names
}

// loadConfig reads the configuration from the environment and checks it.
// Its errors are one line each, and name variables, never their secret
// values.
func loadConfig(getenv func(string) string) (config, error) {
	env, err := demo.LoadEnv(getenv, "127.0.0.1:8080")
	if err != nil {
		return config{}, err
	}
	get := func(key string) string { return strings.TrimSpace(getenv(key)) }
	c := config{
		Env:         env,
		DatabaseURL: get("DATABASE_URL"),
		// Not trimmed: a password is what it is.
		AdminPassword: getenv("ADMIN_PASSWORD"),
		ProviderEnv:   map[string]string{},
	}
	specs := providerSpecs()
	offered, err := offeredProviders(get(providersVar), specs)
	if err != nil {
		return config{}, err
	}
	for _, sp := range specs {
		for _, k := range sp.vars() {
			if v := get(k); v != "" {
				c.ProviderEnv[k] = v
			}
		}
	}
	for _, sp := range offered {
		c.Providers = append(c.Providers, sp.name)
		live, err := sp.isLive(c.ProviderEnv)
		if err != nil {
			return config{}, err
		}
		if live {
			// Checked here, to fail before listening; newShop builds it
			// again with the logger.
			if _, _, err := sp.live(c.ProviderEnv, nil); err != nil {
				return config{}, sp.configError(err)
			}
		}
	}
	if err := c.checkSecret(); err != nil {
		return config{}, err
	}
	if _, err := parseDatabaseURL(c.DatabaseURL); err != nil {
		return config{}, err
	}
	return c, nil
}

// checkSecret requires CAURI_SECRET when a provider is live, and a long
// one whenever it is set.
func (c config) checkSecret() error { return demo.CheckSecret(c.Secret, c.live()...) }
