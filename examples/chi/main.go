package main

import (
	"context"
	"io"
	"log/slog"

	"github.com/cauripay/cauri/examples/internal/demo"
)

func main() { demo.Main("chi", run) }

// run serves the shop until ctx is cancelled: see [demo.Main].
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
