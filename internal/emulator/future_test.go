package emulator

import (
	"testing"
	"time"
)

func TestFuture(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	check := Future(func() time.Time { return now })
	for _, tt := range []struct{ in, rule string }{
		{"", ""},
		{"2026-01-02T03:04:06Z", ""},
		{"2026-01-02T04:04:05.5+01:00", ""},
		{"2026-01-02T03:04:05Z", "future"},
		{"2025-12-31T00:00:00Z", "future"},
		{"tomorrow", "date"},
		{"2026-01-03", "date"},
	} {
		if rule, _ := check(tt.in); rule != tt.rule {
			t.Errorf("Future(%q) = %q, want %q", tt.in, rule, tt.rule)
		}
	}
}
