package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/cauripay/cauri/examples/internal/demo"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	context.AfterFunc(ctx, stop) // a second signal kills at once
	if err := run(ctx, os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "cauri chi shop:", err)
		os.Exit(1)
	}
}

// run serves the shop until ctx is cancelled, then shuts it down
// gracefully. It prints the address to open on stdout and logs to stderr.
func run(ctx context.Context, getenv func(string) string, stdout io.Writer) error {
	env, err := demo.LoadEnv(getenv, "127.0.0.1:8082")
	if err != nil {
		return err
	}
	return demo.Serve(ctx, "chi", env, stdout, func(publicURL string, log *slog.Logger) (demo.App, error) {
		s, err := newShop(publicURL, env.Secret, log)
		if err != nil {
			return demo.App{}, err
		}
		return demo.App{Handler: s.router(), Mode: "offline: payments on the Moneroo and DEXCHANGE emulators", Close: s.Close}, nil
	})
}
