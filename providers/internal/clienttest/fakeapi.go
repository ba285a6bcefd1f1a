package clienttest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
)

// Answer is one answer of a FakeAPI: its HTTP status, Content-Type
// (application/json when empty), other headers and body.
type Answer struct {
	Status int
	Type   string
	Header map[string]string
	Body   string
}

// Got is one request a FakeAPI received.
type Got struct {
	Method string
	URL    *url.URL
	Header http.Header
	Body   []byte
}

// FakeAPI is a provider's API faked on loopback: it answers each request
// with the next of its answers, the last one repeating, and keeps the
// requests it received.
type FakeAPI struct {
	// URL is the server's root.
	URL     string
	mu      sync.Mutex
	answers []Answer
	got     []Got
}

// NewFakeAPI starts a FakeAPI giving answers, at least one; it stops when
// the test ends.
func NewFakeAPI(t testing.TB, answers ...Answer) *FakeAPI {
	t.Helper()
	if len(answers) == 0 {
		t.Fatal("clienttest: a FakeAPI needs an answer")
	}
	f := &FakeAPI{answers: answers}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		u := *r.URL
		f.mu.Lock()
		f.got = append(f.got, Got{Method: r.Method, URL: &u, Header: r.Header.Clone(), Body: b})
		a := f.answers[0]
		if len(f.answers) > 1 {
			f.answers = f.answers[1:]
		}
		f.mu.Unlock()
		for k, v := range a.Header {
			w.Header().Set(k, v)
		}
		if a.Type == "" {
			a.Type = "application/json"
		}
		w.Header().Set("Content-Type", a.Type)
		w.WriteHeader(a.Status)
		_, _ = io.WriteString(w, a.Body)
	}))
	t.Cleanup(srv.Close)
	f.URL = srv.URL
	return f
}

// Requests returns the requests received so far, in order.
func (f *FakeAPI) Requests() []Got {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Got(nil), f.got...)
}

// Calls returns how many requests were received.
func (f *FakeAPI) Calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.got)
}

// Last returns the last request received; it fails the test when there
// was none.
func (f *FakeAPI) Last(t testing.TB) Got {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.got) == 0 {
		t.Fatal("no request received")
	}
	return f.got[len(f.got)-1]
}
