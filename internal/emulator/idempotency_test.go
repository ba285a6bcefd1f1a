package emulator

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestReplaysTake(t *testing.T) {
	var rs Replays
	rs.Keep("k-1", []byte(`{"a":1}`), http.StatusCreated, []byte(`{"id":"p_1"}`))
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
