// Package emutest is the test plumbing the providers' emulators' tests
// share: a shop's webhook endpoint that records what it receives, one
// API call and its answer, a page's text, and a clock the test moves.
package emutest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// Shop is a shop's webhook endpoint on loopback: it records every request
// and answers them with the codes it was given, in order, then with the
// status [Shop.Then] set (200 by default). It is safe for concurrent use.
type Shop struct {
	// URL is the endpoint's.
	URL string

	mu     sync.Mutex
	codes  []int
	then   int
	got    []*http.Request
	bodies [][]byte
}

// NewShop starts a Shop answering codes first; the test's cleanup closes
// it.
func NewShop(t testing.TB, codes ...int) *Shop {
	t.Helper()
	sh := &Shop{codes: codes, then: http.StatusOK}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		sh.mu.Lock()
		defer sh.mu.Unlock()
		sh.got = append(sh.got, r)
		sh.bodies = append(sh.bodies, b)
		code := sh.then
		if len(sh.codes) > 0 {
			code, sh.codes = sh.codes[0], sh.codes[1:]
		}
		w.WriteHeader(code)
	}))
	t.Cleanup(srv.Close)
	sh.URL = srv.URL
	return sh
}

// Then makes the shop answer status once the codes it was given are used.
func (sh *Shop) Then(status int) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	sh.then = status
}

// At returns the i-th request received (from 0) and its body.
func (sh *Shop) At(i int) (*http.Request, []byte) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	return sh.got[i], sh.bodies[i]
}

// Received is one request a [Shop] received: its header and body.
type Received struct {
	Header http.Header
	Body   []byte
}

// All returns every request received so far, in order.
func (sh *Shop) All() []Received {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	out := make([]Received, len(sh.got))
	for i, r := range sh.got {
		out[i] = Received{Header: r.Header.Clone(), Body: sh.bodies[i]}
	}
	return out
}

// Count returns how many requests the shop received.
func (sh *Shop) Count() int {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	return len(sh.got)
}

// Start starts an emulator with newEm, an emulator package's New, and
// opts; the test's cleanup closes it.
func Start[S interface{ Close() }, O any](t testing.TB, newEm func(...O) S, opts ...O) S {
	t.Helper()
	s := newEm(opts...)
	t.Cleanup(s.Close)
	return s
}

// StartNotifying starts an emulator as [Start] does, its dashboard's
// notifications going to a new [Shop] at path (SetWebhookURL), and
// returns both.
func StartNotifying[S interface {
	Close()
	SetWebhookURL(url string)
}, O any](t testing.TB, path string, newEm func(...O) S, opts ...O) (S, *Shop) {
	t.Helper()
	s, sh := Start(t, newEm, opts...), NewShop(t)
	s.SetWebhookURL(sh.URL + path)
	return s, sh
}
