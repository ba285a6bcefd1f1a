package main

import (
	"context"
	"io"
	"log/slog"
	"strings"

	"github.com/cauripay/cauri/examples/internal/demo"
	"github.com/cauripay/cauri/providers/moneroo"
)

func main() { demo.Main("echo", run) }

// run serves the shop until ctx is cancelled: see [demo.Main].
func run(ctx context.Context, getenv func(string) string, stdout io.Writer) error {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	return demo.Serve(ctx, "echo", cfg.Env, stdout, func(publicURL string, log *slog.Logger) (demo.App, error) {
		cfg.PublicURL, cfg.Logger = publicURL, log
		s, err := newShop(cfg)
		if err != nil {
			return demo.App{}, err
		}
		return demo.App{Handler: s.router(), Mode: s.mode(), Close: s.Close}, nil
	})
}

// config is the shop's configuration, from the environment: what every
// example reads, and Moneroo's variables.
type config struct {
	demo.Env
	// MonerooSecretKey selects the real Moneroo API; empty means the
	// emulator.
	MonerooSecretKey string
	// MonerooWebhookSecret is the signing secret of the webhook set up in
	// Moneroo's dashboard; empty means webhooks are confirmed with the API.
	MonerooWebhookSecret string
	// MonerooBaseURL is Moneroo's API root; empty means the real one.
	MonerooBaseURL string
	// Logger receives the shop's, echo's and the kit's logs; nil discards
	// them.
	Logger *slog.Logger
}

// live reports whether the shop talks to the real Moneroo.
func (c config) live() bool { return c.MonerooSecretKey != "" }

// loadConfig reads the configuration from the environment and checks it.
func loadConfig(getenv func(string) string) (config, error) {
	env, err := demo.LoadEnv(getenv, "127.0.0.1:8081")
	if err != nil {
		return config{}, err
	}
	get := func(key string) string { return strings.TrimSpace(getenv(key)) }
	c := config{
		Env:                  env,
		MonerooSecretKey:     get("MONEROO_SECRET_KEY"),
		MonerooWebhookSecret: get("MONEROO_WEBHOOK_SECRET"),
		MonerooBaseURL:       get("MONEROO_BASE_URL"),
	}
	if err := c.checkSecret(); err != nil {
		return config{}, err
	}
	return c, nil
}

// checkSecret requires CAURI_SECRET in live mode, and a long one whenever
// it is set.
func (c config) checkSecret() error {
	if c.live() {
		return demo.CheckSecret(c.Secret, moneroo.Name)
	}
	return demo.CheckSecret(c.Secret)
}
