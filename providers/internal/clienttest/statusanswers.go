package clienttest

import (
	"context"
	"errors"
	"testing"

	"github.com/cauripay/cauri"
)

// StatusAnswer is one answer of a provider's status endpoint and what its
// client must make of it: Want, or, when Err or Message is set, a
// permanent *cauri.ProviderError of the answer's HTTP status that wraps Err
// (when set) and says Message (when set).
type StatusAnswer struct {
	Name string
	// Answer is the endpoint's answer; HTTP 200 when its Status is 0.
	Answer
	// Query edits the lookup the client is asked for; nil leaves the
	// StatusAnswers' own.
	Query   func(*cauri.StatusQuery)
	Want    cauri.Update
	Err     error
	Message string
}

// StatusAnswers are answers of one provider's status endpoint, each served
// by a FakeAPI to a client of it, and checked in a parallel subtest.
type StatusAnswers struct {
	// Provider is the provider's name (cauri.Provider.Name).
	Provider string
	// At returns a client of an API served at base, a test server's root.
	At func(t *testing.T, base string) cauri.Provider
	// Query is the lookup the client is asked for.
	Query cauri.StatusQuery
	// Request checks the first request the client sent for q; nil checks
	// none.
	Request func(t *testing.T, q cauri.StatusQuery, r Got)
	// EmptyMessages makes an empty Message mean an error without one,
	// rather than any.
	EmptyMessages bool
	Answers       []StatusAnswer
}

// Check checks every answer.
func (s StatusAnswers) Check(t *testing.T) {
	t.Helper()
	for _, a := range s.Answers {
		t.Run(a.Name, func(t *testing.T) {
			t.Parallel()
			ans := a.Answer
			if ans.Status == 0 {
				ans.Status = 200
			}
			q := s.Query
			if a.Query != nil {
				a.Query(&q)
			}
			f := NewFakeAPI(t, ans)
			u, err := s.At(t, f.URL).FetchStatus(context.Background(), q)
			if s.Request != nil {
				reqs := f.Requests()
				if len(reqs) == 0 {
					t.Fatal("no request sent")
				}
				s.Request(t, q, reqs[0])
			}
			if a.Err == nil && a.Message == "" {
				CheckUpdate(t, u, err, a.Want, nil)
				return
			}
			pe := ProviderError(t, s.Provider, err, ans.Status, false)
			if a.Err != nil && !errors.Is(err, a.Err) {
				t.Errorf("err = %v, want %v", err, a.Err)
			}
			if (a.Message != "" || s.EmptyMessages) && pe.Message != a.Message {
				t.Errorf("message %q, want %q", pe.Message, a.Message)
			}
		})
	}
}
