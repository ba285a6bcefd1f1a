// Package clienttest is the shared test kit of the provider clients under
// providers/: the assertions every client's tests make (how a failure is
// classified, which fields a validation error names, how a status maps),
// and the conformance checks that run for every provider from one table
// of provider facts (Facts, Providers). Each provider's own tests keep
// only what is particular to it.
//
// It is internal rather than part of providertest because it is not for
// shops nor for authors of other providers: its table knows the six
// providers of this module and their emulators, and the emulators import
// providertest, so the table could not live there without an import
// cycle; nor does this module promise its API.
package clienttest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/providertest"
)

// ProviderError fails the test unless err is a *cauri.ProviderError of
// provider with the HTTP status (0 for no answer) and temporariness given,
// and returns it.
func ProviderError(t testing.TB, provider string, err error, status int, temporary bool) *cauri.ProviderError {
	t.Helper()
	var pe *cauri.ProviderError
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v (%T), want a *cauri.ProviderError", err, err)
	}
	if pe.Provider != provider || pe.StatusCode != status || pe.Temporary != temporary {
		t.Fatalf("got %+v (%v), want %s HTTP %d temporary %v", pe, err, provider, status, temporary)
	}
	return pe
}

// CheckUnauthenticated fails t for each of errs, a client's errors of
// signature verification, that does not wrap cauri.ErrUnauthenticated.
func CheckUnauthenticated(t testing.TB, errs ...error) {
	t.Helper()
	for _, err := range errs {
		if !errors.Is(err, cauri.ErrUnauthenticated) {
			t.Errorf("%v does not wrap cauri.ErrUnauthenticated", err)
		}
	}
}

// CheckHeaders checks that h holds each header of want with its value;
// "" wants the header absent.
func CheckHeaders(t testing.TB, h http.Header, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if got := h.Get(k); got != v {
			t.Errorf("%s: %q, want %q", k, got, v)
		}
	}
}

// OnlyCall returns the one call of reqs, an emulator's, after checking
// its method and path; it fails the test at once when reqs holds another
// number of calls.
func OnlyCall(t testing.TB, reqs []providertest.Request, method, path string) providertest.Request {
	t.Helper()
	if len(reqs) != 1 {
		t.Fatalf("%d calls, want one %s %s", len(reqs), method, path)
	}
	r := reqs[0]
	if r.Method != method || r.Path != path {
		t.Errorf("call %s %s, want %s %s", r.Method, r.Path, method, path)
	}
	return r
}

// FieldNames returns the fields a validation error names, comma
// separated, in its order.
func FieldNames(ve *cauri.ValidationError) string {
	names := make([]string, 0, len(ve.Fields))
	for _, f := range ve.Fields {
		names = append(names, f.Field)
	}
	return strings.Join(names, ",")
}

// StatusCase is one raw status word and how a provider's MapStatus reads
// it.
type StatusCase struct {
	Raw   string
	Want  cauri.Status
	Known bool
}

// CheckMapStatus checks mapStatus against every case.
func CheckMapStatus(t *testing.T, mapStatus func(string) (cauri.Status, bool), cases []StatusCase) {
	t.Helper()
	for _, tt := range cases {
		got, known := mapStatus(tt.Raw)
		if got != tt.Want || known != tt.Known {
			t.Errorf("MapStatus(%q) = %s, %v; want %s, %v", tt.Raw, got, known, tt.Want, tt.Known)
		}
	}
}

// ValidationCase is a checkout request made invalid by Edit, and the
// fields, comma separated, the *cauri.ValidationError must name.
type ValidationCase struct {
	Name   string
	Edit   func(*cauri.CheckoutRequest)
	Fields string
}

// CheckValidation checks that p refuses each case's request, edited from
// a copy of base, with a permanent order validation error naming the
// case's fields. calls, when not nil, counts the calls that reached the
// provider's API: none may.
func CheckValidation(t *testing.T, p cauri.Provider, base func() cauri.CheckoutRequest, cases []ValidationCase, calls func() int) {
	t.Helper()
	for _, tt := range cases {
		req := base()
		tt.Edit(&req)
		_, err := p.CreateCheckout(context.Background(), req)
		var ve *cauri.ValidationError
		if !errors.As(err, &ve) || ve.What != "order" {
			t.Errorf("%s: err = %v", tt.Name, err)
			continue
		}
		if got := FieldNames(ve); got != tt.Fields {
			t.Errorf("%s: fields %s, want %s", tt.Name, got, tt.Fields)
		}
		if cauri.IsTemporary(err) {
			t.Errorf("%s: validation error is temporary", tt.Name)
		}
	}
	if calls != nil {
		if n := calls(); n != 0 {
			t.Errorf("%d calls made for invalid orders", n)
		}
	}
}

// PayoutValidationCase is a payout request a client must refuse, and the
// fields, comma separated, the *cauri.ValidationError must name. A case
// without a Name is named by its request.
type PayoutValidationCase struct {
	Name   string
	Req    cauri.PayoutRequest
	Fields string
}

// CheckPayoutValidation checks that each of sends, by name, refuses each
// case's request with a permanent payout validation error naming the
// case's fields. calls counts the calls that reached the provider's API:
// none may.
func CheckPayoutValidation(t *testing.T, sends map[string]func(cauri.PayoutRequest) error, cases []PayoutValidationCase, calls func() int) {
	t.Helper()
	for _, tt := range cases {
		if tt.Name == "" {
			tt.Name = fmt.Sprintf("%+v", tt.Req)
		}
		for name, send := range sends {
			err := send(tt.Req)
			var ve *cauri.ValidationError
			if !errors.As(err, &ve) || ve.What != "payout" {
				t.Errorf("%s %s: err = %v, want a payout validation error", name, tt.Name, err)
				continue
			}
			if got := FieldNames(ve); got != tt.Fields {
				t.Errorf("%s %s: fields %s, want %s", name, tt.Name, got, tt.Fields)
			}
			if cauri.IsTemporary(err) {
				t.Errorf("%s %s: validation error is temporary", name, tt.Name)
			}
		}
	}
	if n := calls(); n != 0 {
		t.Errorf("%d calls made for invalid payouts", n)
	}
}

// Expiring is a context whose deadline passes when the test calls Expire
// rather than after a duration, so that a call times out at the moment the
// test chooses (once the server holds it), however slow the machine.
type Expiring struct {
	context.Context
	done chan struct{}
	once sync.Once
}

// NewExpiring returns a context that expires on Expire.
func NewExpiring() *Expiring {
	return &Expiring{Context: context.Background(), done: make(chan struct{})}
}

// Done is closed by Expire.
func (c *Expiring) Done() <-chan struct{} { return c.done }

// Err is context.DeadlineExceeded once expired, else nil.
func (c *Expiring) Err() error {
	select {
	case <-c.done:
		return context.DeadlineExceeded
	default:
		return nil
	}
}

// Expire makes the deadline pass.
func (c *Expiring) Expire() { c.once.Do(func() { close(c.done) }) }

// SlowHolder is an emulator that reports the requests a slow fault holds.
type SlowHolder interface {
	AwaitSlowHeld(ctx context.Context, n int) error
}

// ExpireWhenHeld expires ctx once em holds a request with a slow fault.
func ExpireWhenHeld(t *testing.T, em SlowHolder, ctx *Expiring) {
	t.Helper()
	go func() {
		defer ctx.Expire()
		wait, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		if err := em.AwaitSlowHeld(wait, 1); err != nil {
			t.Error(err)
		}
	}()
}

// CancelWhenHeld calls cancel once em holds a request with a slow fault:
// the caller goes while the provider works on its request.
func CancelWhenHeld(t *testing.T, em SlowHolder, cancel context.CancelFunc) {
	t.Helper()
	go func() {
		defer cancel()
		wait, stop := context.WithTimeout(context.Background(), timeout)
		defer stop()
		if err := em.AwaitSlowHeld(wait, 1); err != nil {
			t.Error(err)
		}
	}()
}

// CheckStatusWords checks mapStatus against words: each of known's words
// must map, known, to its status, and each of unknown must map to
// cauri.StatusPending, not known.
func CheckStatusWords(t *testing.T, mapStatus func(string) (cauri.Status, bool), known map[cauri.Status][]string, unknown ...string) {
	t.Helper()
	var cases []StatusCase
	for st, words := range known {
		for _, w := range words {
			cases = append(cases, StatusCase{Raw: w, Want: st, Known: true})
		}
	}
	for _, w := range unknown {
		cases = append(cases, StatusCase{Raw: w, Want: cauri.StatusPending})
	}
	CheckMapStatus(t, mapStatus, cases)
}

// CheckUnknownStatus checks u, the update of a status lookup that got the
// status raw, which the client does not know: pending, with raw kept
// as its RawStatus, and a warning naming word in logs, what the client's
// text logger wrote.
func CheckUnknownStatus(t *testing.T, u cauri.Update, raw, word, logs string) {
	t.Helper()
	if u.Status != cauri.StatusPending || u.RawStatus != raw {
		t.Errorf("unknown: %+v", u)
	}
	if !strings.Contains(logs, "level=WARN") || !strings.Contains(logs, word) {
		t.Errorf("no warning for an unknown status: %s", logs)
	}
}

// SlowAnswerer is an emulator that holds a request with a slow fault and
// reports when it has answered it.
type SlowAnswerer interface {
	SlowHolder
	InjectFault(op providertest.Op, f providertest.Fault)
	AwaitSlowAnswered(ctx context.Context, n int) error
}

// LoseCreateAnswer makes a checkout's creation lose its answer: em holds
// the creation create sends, the caller's deadline passes (create must
// return a temporary error wrapping context.DeadlineExceeded), and em then
// answers it, to nobody, before LoseCreateAnswer returns.
func LoseCreateAnswer(t *testing.T, em SlowAnswerer, create func(context.Context) error) {
	t.Helper()
	em.InjectFault(providertest.OpCreate, providertest.Fault{Kind: providertest.FaultSlow, Delay: time.Hour})
	ctx := NewExpiring()
	ExpireWhenHeld(t, em, ctx)
	if err := create(ctx); !cauri.IsTemporary(err) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("creation whose answer is lost: %v", err)
	}
	wait, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := em.AwaitSlowAnswered(wait, 1); err != nil {
		t.Fatal(err)
	}
}
