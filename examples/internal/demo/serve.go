package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// Main runs run until SIGINT or SIGTERM, with the environment and stdout;
// a second signal kills the process at once. When run fails, Main prints
// its error on stderr after "cauri <name> shop:" and exits with status 1.
// run serves the shop until its context is cancelled, then shuts it down
// gracefully; it prints the address to open on stdout and logs to stderr.
func Main(name string, run func(ctx context.Context, getenv func(string) string, stdout io.Writer) error) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	context.AfterFunc(ctx, stop) // a second signal kills at once
	if err := run(ctx, os.Getenv, os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "cauri %s shop: %v\n", name, err)
		os.Exit(1)
	}
}

// ShutdownTimeout is how long requests in flight get to finish once
// Serve's context is cancelled.
const ShutdownTimeout = 10 * time.Second

// App is a shop as [Serve] runs it.
type App struct {
	// Handler serves the shop.
	Handler http.Handler
	// Mode says where payments go, for the start line: "offline:
	// payments on the Moneroo emulator at http://127.0.0.1:41234".
	Mode string
	// Notes are further lines for stdout, after the start line.
	Notes []string
	// Close, when set, runs once the server has stopped.
	Close func()
}

// Serve listens on env.Addr, builds the app with build for the shop's
// public URL (env.PublicURL, or the address listened on) and serves it
// until ctx is cancelled, then shuts it down gracefully. It prints
// "cauri <name> shop: open URL/ (mode)" and the app's notes on stdout,
// and logs to stderr through the logger it gives build.
func Serve(ctx context.Context, name string, env Env, stdout io.Writer, build func(publicURL string, log *slog.Logger) (App, error)) error {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ln, err := net.Listen("tcp", env.Addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", env.Addr, err)
	}
	publicURL := env.PublicURL
	if publicURL == "" {
		publicURL = DefaultPublicURL(ln.Addr())
	}
	app, err := build(publicURL, log)
	if err != nil {
		_ = ln.Close()
		return err
	}
	if app.Close != nil {
		defer app.Close()
	}

	srv := &http.Server{
		Handler:           app.Handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		// Longer than a checkout or return visit may wait for the provider.
		WriteTimeout: 60 * time.Second,
		IdleTimeout:  120 * time.Second,
		ErrorLog:     slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	log.Info("listening", "addr", ln.Addr().String(), "public_url", publicURL, "mode", app.Mode)
	fmt.Fprintf(stdout, "cauri %s shop: open %s/ (%s)\n", name, publicURL, app.Mode)
	for _, note := range app.Notes {
		fmt.Fprintf(stdout, "cauri %s shop: %s\n", name, note)
	}

	select {
	case err := <-served:
		return fmt.Errorf("serving: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down", "timeout", ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
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
