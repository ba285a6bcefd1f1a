package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	context.AfterFunc(ctx, stop) // a second signal kills at once
	if err := run(ctx, os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "cauri echo shop:", err)
		os.Exit(1)
	}
}

// shutdownTimeout is how long requests in flight get to finish once the
// context is cancelled.
const shutdownTimeout = 10 * time.Second

// run serves the shop until ctx is cancelled, then shuts it down
// gracefully. It prints the address to open on stdout and logs to stderr.
func run(ctx context.Context, getenv func(string) string, stdout io.Writer) error {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	cfg.Logger = log

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", cfg.Addr, err)
	}
	if cfg.PublicURL == "" {
		cfg.PublicURL = defaultPublicURL(ln.Addr())
	}
	s, err := newShop(cfg)
	if err != nil {
		_ = ln.Close()
		return err
	}
	defer s.Close()

	srv := &http.Server{
		Handler:           s.router(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		// Longer than a checkout or return visit may wait for the provider.
		WriteTimeout: 60 * time.Second,
		IdleTimeout:  120 * time.Second,
		ErrorLog:     slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	log.Info("listening", "addr", ln.Addr().String(), "public_url", cfg.PublicURL, "mode", s.mode())
	fmt.Fprintf(stdout, "cauri echo shop: open %s/ (%s)\n", cfg.PublicURL, s.mode())

	select {
	case err := <-served:
		return fmt.Errorf("serving: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down", "timeout", shutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutting down: %w", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serving: %w", err)
	}
	log.Info("stopped")
	return nil
}

// config is the shop's configuration, from the environment.
type config struct {
	// Addr is where run listens.
	Addr string
	// PublicURL is the shop's root as browsers and the provider reach it,
	// without a trailing slash. The kit is at PublicURL + "/pay".
	PublicURL string
	// Secret is the kit's token secret. Empty in emulator mode means a
	// random one.
	Secret string
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
	get := func(key string) string { return strings.TrimSpace(getenv(key)) }
	c := config{
		Addr:                 get("ADDR"),
		Secret:               get("CAURI_SECRET"),
		MonerooSecretKey:     get("MONEROO_SECRET_KEY"),
		MonerooWebhookSecret: get("MONEROO_WEBHOOK_SECRET"),
		MonerooBaseURL:       get("MONEROO_BASE_URL"),
	}
	if c.Addr == "" {
		c.Addr = "127.0.0.1:8081"
	}
	if raw := get("PUBLIC_URL"); raw != "" {
		u, err := checkPublicURL(raw)
		if err != nil {
			return config{}, err
		}
		c.PublicURL = u
	}
	if err := c.checkSecret(); err != nil {
		return config{}, err
	}
	return c, nil
}

// checkSecret requires CAURI_SECRET in live mode, and a long one whenever
// it is set.
func (c config) checkSecret() error {
	switch {
	case c.Secret == "" && c.live():
		return errors.New("CAURI_SECRET is required with MONEROO_SECRET_KEY: set it to 32 or more random characters (openssl rand -hex 32)")
	case c.Secret != "" && len(c.Secret) < 32:
		return errors.New("CAURI_SECRET is too short: use 32 or more random characters (openssl rand -hex 32)")
	}
	return nil
}

// checkPublicURL accepts scheme://host[:port], with no path: the shop's
// pages and the kit are at the root of the host.
func checkPublicURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		strings.Trim(u.Path, "/") != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", fmt.Errorf("PUBLIC_URL %q: want scheme://host[:port] with no path, such as https://shop.example", raw)
	}
	return u.Scheme + "://" + u.Host, nil
}

// defaultPublicURL is http:// and the address listened on, with loopback
// for an unspecified host (":8081", "0.0.0.0:8081").
func defaultPublicURL(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "http://" + addr.String()
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}
