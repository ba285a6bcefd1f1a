package emulator

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestRateLimit(t *testing.T) {
	t.Parallel()
	if RateLimit(0, time.Second, time.Now, nil) != nil || RateLimit(1, 0, time.Now, nil) != nil {
		t.Error("a limit of nothing limits")
	}
	at := time.Unix(0, 0)
	edge := RateLimit(2, 10*time.Second, func() time.Time { return at }, func(w http.ResponseWriter) { w.WriteHeader(http.StatusTooManyRequests) })
	steps := []struct {
		after      time.Duration
		pass       bool
		retryAfter string
	}{
		{0, true, ""},
		{time.Second, true, ""},
		{time.Second, false, "8"},   // 2 in the last 10s: the first leaves the window at 10s
		{8 * time.Second, true, ""}, // at 10s the first has left
		{500 * time.Millisecond, false, "1"},
		{500 * time.Millisecond, true, ""}, // at 11s the second has left
	}
	for i, s := range steps {
		at = at.Add(s.after)
		w := httptest.NewRecorder()
		if got := edge(w, httptest.NewRequest("GET", "/", nil)); got != s.pass || w.Header().Get("Retry-After") != s.retryAfter {
			t.Errorf("step %d: pass %v, Retry-After %q", i, got, w.Header().Get("Retry-After"))
		}
	}
}
