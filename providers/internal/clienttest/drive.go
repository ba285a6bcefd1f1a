package clienttest

import (
	"context"
	"log/slog"
	"reflect"
	"testing"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/internal/emulator/emutest"
	"github.com/cauripay/cauri/internal/secretcheck"
)

// Client is a provider's client as a test drives it: its calls fail the
// test on an error.
type Client struct {
	t testing.TB
	p cauri.Provider
}

// Drive returns p driven by t.
func Drive(t testing.TB, p cauri.Provider) Client {
	return Client{t: t, p: p}
}

// Open opens the checkout of req.
func (c Client) Open(req cauri.CheckoutRequest) cauri.Checkout {
	c.t.Helper()
	co, err := c.p.CreateCheckout(context.Background(), req)
	if err != nil {
		c.t.Fatal(err)
	}
	return co
}

// Fetch looks up the payment q names.
func (c Client) Fetch(q cauri.StatusQuery) cauri.Update {
	c.t.Helper()
	u, err := c.p.FetchStatus(context.Background(), q)
	if err != nil {
		c.t.Fatal(err)
	}
	return u
}

// Logs is what a text logger wrote. It is safe for concurrent use.
type Logs struct {
	logs secretcheck.Logs
}

// Write appends p.
func (l *Logs) Write(p []byte) (int, error) { return l.logs.Write(p) }

// String returns what was written.
func (l *Logs) String() string { return l.logs.String() }

// TextLogger returns a logger writing text into the Logs it returns, for
// the tests that read what a client logs.
func TextLogger() (*slog.Logger, *Logs) {
	logs := new(Logs)
	return slog.New(slog.NewTextHandler(logs, nil)), logs
}

// Logged returns cfg, a client's Config, with its Logger field set to a
// TextLogger, and the Logs that logger writes into.
func Logged[C any](cfg C) (C, *Logs) {
	log, logs := TextLogger()
	return withLogger(cfg, log), logs
}

// Logging returns the client build makes of cfg with its Logger set to a
// TextLogger, and the Logs that logger writes into.
func Logging[T testing.TB, C, P any](t T, build func(T, C) P, cfg C) (P, *Logs) {
	t.Helper()
	cfg, logs := Logged(cfg)
	return build(t, cfg), logs
}

// StartLogging starts an emulator with newEm, an emulator package's New,
// and opts, as emutest.Start does, and returns it with the client build
// makes of its Config, logging into the Logs it returns too.
func StartLogging[T testing.TB, S interface {
	Close()
	Config() C
}, O, C, P any](t T, newEm func(...O) S, build func(T, C) P, opts ...O) (S, P, *Logs) {
	t.Helper()
	srv := emutest.Start(t, newEm, opts...)
	p, logs := Logging(t, build, srv.Config())
	return srv, p, logs
}

// withLogger returns cfg, a client's Config, with its Logger field set to
// log.
func withLogger[C any](cfg C, log *slog.Logger) C {
	reflect.ValueOf(&cfg).Elem().FieldByName("Logger").Set(reflect.ValueOf(log))
	return cfg
}
