package emutest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cauripay/cauri/internal/emulator"
	"github.com/cauripay/cauri/providers/providertest"
)

// Answer is an emulator's answer to one request: its status, header and
// body as sent.
type Answer struct {
	Status int
	Header http.Header
	Raw    []byte
}

// noRedirect answers a redirect with the redirect itself, so that a test
// reads where an emulator sends the customer.
var noRedirect = &http.Client{
	Timeout: time.Minute,
	CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	},
}

// Call sends one JSON request to u with the headers given as name, value
// pairs (set after Content-Type, so they may replace it) and returns the
// answer; a redirect is returned, not followed. A request that cannot be
// sent fails the test.
func Call(t testing.TB, method, u, body string, header ...string) Answer {
	t.Helper()
	if len(header)%2 != 0 {
		t.Fatalf("emutest.Call: header %q is not name, value pairs", header)
	}
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i < len(header); i += 2 {
		if header[i+1] != "" {
			req.Header.Set(header[i], header[i+1])
		}
	}
	return send(t, noRedirect, req)
}

// Page returns the body of the page at u, following redirects as a
// browser does.
func Page(t testing.TB, u string) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	return string(send(t, http.DefaultClient, req).Raw)
}

// send sends req with hc and reads the whole answer; a request that
// cannot be sent or read fails the test.
func send(t testing.TB, hc *http.Client, req *http.Request) Answer {
	t.Helper()
	res, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return Answer{Status: res.StatusCode, Header: res.Header, Raw: raw}
}

// Shows reports, as errors of the test, each of wants that text lacks;
// what names the text in the message ("page", "lookup").
func Shows(t testing.TB, what, text string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(text, want) {
			t.Errorf("%s lacks %q", what, want)
		}
	}
}

// Keys returns the keys of the JSON object raw, in the order the answer
// writes them, joined by commas: "id,status,amount". It fails the test
// when raw is not an object.
func Keys(t testing.TB, raw []byte) string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not a JSON object: %s", raw)
	}
	var keys []string
	for dec.More() {
		k, err := dec.Token()
		var skip json.RawMessage
		if err != nil || dec.Decode(&skip) != nil {
			t.Fatalf("not a JSON object: %s", raw)
		}
		keys = append(keys, k.(string))
	}
	return strings.Join(keys, ",")
}

// Clock is an emulator clock (an emulator's WithClock) that moves only
// when the test moves it, so that a limit's window is not cut short by a
// slow machine. It is safe for concurrent use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a Clock at 2 March 2026, 09:00 UTC.
func NewClock() *Clock {
	return &Clock{now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock ahead by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Bearer is the Authorization header's value for key, or none for no
// key.
func Bearer(key string) string {
	if key == "" {
		return ""
	}
	return "Bearer " + key
}

// Held checks a page that pay later holds: it reads says, and act, the
// emulator's Act, refuses action a on it with [emulator.ErrRefused].
func Held[A any](t testing.TB, act func(context.Context, string, A) (string, error), page, says string, a A) {
	t.Helper()
	if html := Page(t, page); !strings.Contains(html, says) {
		t.Errorf("page while waiting lacks %q:\n%s", says, html)
	}
	if _, err := act(context.Background(), page, a); !errors.Is(err, emulator.ErrRefused) {
		t.Errorf("%v while waiting: %v", a, err)
	}
}

// NotWaiting checks that confirm, an emulator's ConfirmLater, refuses ref
// with [emulator.ErrNotWaiting] (no payment of that ref waits for its
// customer's phone) and that the shop has received want notifications in
// all, none of them from that call.
func NotWaiting(t testing.TB, confirm func(context.Context, string) error, ref string, sh *Shop, want int) {
	t.Helper()
	if err := confirm(context.Background(), ref); !errors.Is(err, emulator.ErrNotWaiting) || sh.Count() != want {
		t.Errorf("ConfirmLater(%q) while not waiting: %v, %d notifications, want %d", ref, err, sh.Count(), want)
	}
}

// Refuses checks that act, an emulator's Act, refuses action a on page;
// what says, in the error of the test otherwise, what was accepted.
func Refuses[A any](t testing.TB, act func(context.Context, string, A) (string, error), page string, a A, what string) {
	t.Helper()
	if _, err := act(context.Background(), page, a); err == nil {
		t.Error(what)
	}
}

// Post posts an empty form to u, as a page's button does, and returns the
// status of the answer; a redirect is returned, not followed.
func Post(t testing.TB, u string) int {
	t.Helper()
	res, err := noRedirect.Post(u, "application/x-www-form-urlencoded", nil)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// Choose submits the page's form with form's choices (an operator, a
// phone) and the customer's action a; the emulator must send the customer
// on (303 See Other).
func Choose(t testing.TB, page string, a providertest.Action, form url.Values) {
	t.Helper()
	status, _, err := emulator.Submit(context.Background(), noRedirect, page, a, form)
	if err != nil || status != http.StatusSeeOther {
		t.Fatalf("%s with %v: %d %v", a, form, status, err)
	}
}

// Act has act, an emulator's Act, take action a on page as the customer
// and returns where the customer is sent back; an action refused fails
// the test.
func Act[A any](t testing.TB, act func(context.Context, string, A) (string, error), page string, a A) string {
	t.Helper()
	back, err := act(context.Background(), page, a)
	if err != nil {
		t.Fatalf("%v on %s: %v", a, page, err)
	}
	return back
}
