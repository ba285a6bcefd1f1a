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
		fmt.Fprintln(os.Stderr, "cauri chi shop:", err)
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

	log.Info("listening", "addr", ln.Addr().String(), "public_url", cfg.PublicURL)
	fmt.Fprintf(stdout, "cauri chi shop: open %s/ (offline: payments on the Moneroo and DEXCHANGE emulators)\n", cfg.PublicURL)

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
	// PublicURL is the shop's root as browsers and the emulators reach
	// it, without a trailing slash. The kit is at PublicURL + "/pay".
	PublicURL string
	// Secret is the kit's token secret; empty means a random one.
	Secret string
	// Logger receives the shop's and the kit's logs; nil discards them.
	Logger *slog.Logger
}

// loadConfig reads the configuration from the environment and checks it.
func loadConfig(getenv func(string) string) (config, error) {
	get := func(key string) string { return strings.TrimSpace(getenv(key)) }
	c := config{Addr: get("ADDR"), Secret: get("CAURI_SECRET")}
	if c.Addr == "" {
		c.Addr = "127.0.0.1:8082"
	}
	if raw := get("PUBLIC_URL"); raw != "" {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
			strings.Trim(u.Path, "/") != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			return config{}, fmt.Errorf("PUBLIC_URL %q: want scheme://host[:port] with no path, such as https://shop.example", raw)
		}
		c.PublicURL = u.Scheme + "://" + u.Host
	}
	if c.Secret != "" && len(c.Secret) < 32 {
		return config{}, errors.New("CAURI_SECRET is too short: use 32 or more random characters (openssl rand -hex 32)")
	}
	return c, nil
}

// defaultPublicURL is http:// and the address listened on, with loopback
// for an unspecified host (":8082", "0.0.0.0:8082").
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
