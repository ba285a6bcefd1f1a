package emulator

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestReplaysTake(t *testing.T) {
	var rs Replays
	rs.Keep("k-1", []byte(`{"a":1}`), []byte(`{"id":"p_1"}`))
	refuse := func(problem string) error { return errors.New(problem) }
	valid := func(key string) bool { return len(key) == 3 && key[0] == 'k' }
	for _, tt := range []struct {
		name, key, body string
		wantKey, first  string
		err             string
	}{
		{"first time", "k-2", `{"a":1}`, "k-2", "", ""},
		{"replay", " k-1 ", `{"a":1}`, "k-1", `{"id":"p_1"}`, ""},
		{"no key", "", `{"a":1}`, "", "", "required"},
		{"malformed", "x", `{"a":1}`, "", "", "invalid"},
		{"other body", "k-1", `{"a":2}`, "", "", "reused"},
	} {
		r := httptest.NewRequest(http.MethodPost, "/", nil)
		r.Header.Set("Idempotency-Key", tt.key)
		key, first, err := rs.Take(r, "Idempotency-Key", []byte(tt.body), valid, refuse)
		if key != tt.wantKey || string(first) != tt.first || (err == nil) != (tt.err == "") || err != nil && err.Error() != tt.err {
			t.Errorf("%s: %q %q %v; want %q %q %s", tt.name, key, first, err, tt.wantKey, tt.first, tt.err)
		}
	}
	r := httptest.NewRequest(http.MethodPost, "/", nil)
	r.Header.Set("Idempotency-Key", "anything")
	if key, _, err := rs.Take(r, "Idempotency-Key", nil, nil, refuse); key != "anything" || err != nil {
		t.Errorf("any key: %q %v", key, err)
	}
}

func TestReplays(t *testing.T) {
	t.Parallel()
	var r Replays
	if _, found, reused := r.Find("k1", []byte("a")); found || reused {
		t.Error("an empty Replays finds")
	}
	r.Keep("k1", []byte("a"), []byte("answer"))
	tests := []struct {
		key, body     string
		found, reused bool
	}{{"k1", "a", true, false}, {"k1", "b", false, true}, {"k2", "a", false, false}}
	for _, tt := range tests {
		answer, found, reused := r.Find(tt.key, []byte(tt.body))
		if found != tt.found || reused != tt.reused || found && string(answer) != "answer" {
			t.Errorf("Find(%s, %s) = %s %v %v", tt.key, tt.body, answer, found, reused)
		}
	}
}
