package clienttest

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cauripay/cauri"
)

// WebhookRequest is a notification posted to path with body, of the
// content type ctype, and the headers given as pairs name, value, ...;
// a pair whose value is empty is left out.
func WebhookRequest(path, ctype, body string, header ...string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	if ctype != "" {
		r.Header.Set("Content-Type", ctype)
	}
	for i := 0; i+1 < len(header); i += 2 {
		if header[i+1] != "" {
			r.Header.Set(header[i], header[i+1])
		}
	}
	return r
}

// Signature returns a signature as a webhook test table states it: "ok"
// is body's signature under old, "new" its signature under new, as sign
// makes them; any other value is itself.
func Signature(v string, sign func(secret string, body []byte) string, body, old, new string) string {
	switch v {
	case "ok":
		return sign(old, []byte(body))
	case "new":
		return sign(new, []byte(body))
	}
	return v
}

// SignatureTail is what of a signature header's value no error may quote:
// its value, trimmed and in lower case, past its first eight characters
// (where a "sha256=" prefix stands); "" for a value of eight or fewer.
func SignatureTail(sig string) string {
	s := strings.ToLower(strings.TrimSpace(sig))
	if len(s) <= 8 {
		return ""
	}
	return s[8:]
}

// CheckUpdate checks what a ParseWebhook or a FetchStatus returned, u and
// err: with wantErr, that err wraps it and quotes none of hidden, in any
// case (an empty one is no text); without, that err is nil and u is want.
// It reports whether it checked an error, for the caller to check more of
// it.
func CheckUpdate(t *testing.T, u cauri.Update, err error, want cauri.Update, wantErr error, hidden ...string) (checkedErr bool) {
	t.Helper()
	if wantErr != nil {
		if !errors.Is(err, wantErr) {
			t.Fatalf("err = %v, want %v", err, wantErr)
		}
		for _, h := range hidden {
			if h != "" && strings.Contains(strings.ToLower(err.Error()), strings.ToLower(h)) {
				t.Errorf("error repeats %q: %v", h, err)
			}
		}
		return true
	}
	if err != nil {
		t.Fatal(err)
	}
	if u != want {
		t.Errorf("update\n got %+v\nwant %+v", u, want)
	}
	return false
}

// CheckClassified fails the test unless err wraps one of kinds, the
// errors a client may return for what it was given (cauri.ErrMalformed,
// cauri.ErrUnauthenticated, cauri.ErrIgnoredEvent…).
func CheckClassified(t testing.TB, err error, kinds ...error) {
	t.Helper()
	for _, k := range kinds {
		if errors.Is(err, k) {
			return
		}
	}
	t.Fatalf("unclassified error %v", err)
}

// SignedCase is a notification a client's webhook test parses: the
// client's webhook secrets, the body, its signature as [Signature] reads
// it ("" for none, "ok" under the old secret, "new" under the new one),
// and the update or error ParseWebhook should make of it.
type SignedCase struct {
	Name    string
	Secrets []string
	Body    string
	Sig     string
	Want    cauri.Update
	Err     error
}

// CheckSigned runs each case in a parallel subtest: the client newP
// builds with the case's secrets parses the body posted with its
// signature, signed by sign under old or new, as request makes the
// notification. The signature's tail must not show in an error.
func CheckSigned(t *testing.T, cases []SignedCase, newP func(t *testing.T, secrets []string) cauri.Provider,
	sign func(secret string, body []byte) string, old, new string, request func(body, sig string) *http.Request) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.Name, func(t *testing.T) {
			t.Parallel()
			sig := Signature(tt.Sig, sign, tt.Body, old, new)
			u, err := newP(t, tt.Secrets).ParseWebhook(request(tt.Body, sig), []byte(tt.Body))
			CheckUpdate(t, u, err, tt.Want, tt.Err, SignatureTail(sig))
		})
	}
}
