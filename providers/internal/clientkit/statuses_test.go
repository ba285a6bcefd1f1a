package clientkit_test

import (
	"testing"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/internal/clientkit"
)

func TestStatuses(t *testing.T) {
	t.Parallel()
	words := clientkit.Statuses{
		cauri.StatusPending: {"pending", "no paid"},
		cauri.StatusPaid:    {"paid"},
		cauri.StatusFailed:  {"FAILED"},
	}
	tests := []struct {
		raw               string
		want, wantAnyCase cauri.Status
		known             bool
		knownAnyCase      bool
	}{
		{"paid", cauri.StatusPaid, cauri.StatusPaid, true, true},
		{"  no paid\n", cauri.StatusPending, cauri.StatusPending, true, true},
		{"FAILED", cauri.StatusFailed, cauri.StatusFailed, true, true},
		{"Failed", cauri.StatusPending, cauri.StatusFailed, false, true},
		{"PAID", cauri.StatusPending, cauri.StatusPaid, false, true},
		// An unknown word, or none, is pending and never paid.
		{"paid!", cauri.StatusPending, cauri.StatusPending, false, false},
		{"nopaid", cauri.StatusPending, cauri.StatusPending, false, false},
		{"", cauri.StatusPending, cauri.StatusPending, false, false},
	}
	for _, tt := range tests {
		if st, known := words.Map(tt.raw); st != tt.want || known != tt.known {
			t.Errorf("Map(%q) = %q, %v; want %q, %v", tt.raw, st, known, tt.want, tt.known)
		}
		if st, known := words.MapAnyCase(tt.raw); st != tt.wantAnyCase || known != tt.knownAnyCase {
			t.Errorf("MapAnyCase(%q) = %q, %v; want %q, %v", tt.raw, st, known, tt.wantAnyCase, tt.knownAnyCase)
		}
	}
	// A word under two statuses, in any case, settles nothing.
	ambiguous := clientkit.Statuses{cauri.StatusPaid: {"done"}, cauri.StatusFailed: {"DONE"}}
	for _, raw := range []string{"done", "DONE"} {
		if st, known := ambiguous.MapAnyCase(raw); st != cauri.StatusPending || known {
			t.Errorf("an ambiguous table's MapAnyCase(%q) = %q, %v; want pending, unknown", raw, st, known)
		}
	}
	if st, known := ambiguous.Map("done"); st != cauri.StatusPaid || !known {
		t.Errorf("Map(done) = %q, %v; want paid: its case tells the words apart", st, known)
	}
	if st, known := clientkit.Statuses(nil).MapAnyCase("paid"); st != cauri.StatusPending || known {
		t.Errorf("an empty table maps paid to %q, %v; want pending, unknown", st, known)
	}
}
