package novasend_test

import (
	"strings"
	"testing"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/novasend"
)

// splitMapStatus is MapStatus as it was written with strings.Split: the
// reference its allocation-free version must agree with.
func splitMapStatus(raw string) (cauri.Status, bool) {
	parts := strings.Split(raw, "/")
	switch len(parts) {
	case 1:
		return novasend.MapStatus(raw)
	case 3:
		return novasend.State{Status: parts[0], ConfirmationStatus: parts[1], TransactionStatus: parts[2]}.Map()
	}
	return cauri.StatusPending, false
}

// TestMapStatusSlashes checks how MapStatus splits its three words: exactly
// two slashes make three words, any other number of slashes is unknown.
func TestMapStatusSlashes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw   string
		want  cauri.Status
		known bool
	}{
		{"/", cauri.StatusPending, false},
		{"//", cauri.StatusPending, false},
		{"///", cauri.StatusPending, false},
		{"completed/", cauri.StatusPending, false},
		{"/completed", cauri.StatusPending, false},
		{"//completed", cauri.StatusPaid, true},
		{"//failed", cauri.StatusFailed, true},
		{"/declined/", cauri.StatusFailed, true},
		{"expired//", cauri.StatusExpired, true},
		{"processing/none/completed/", cauri.StatusPending, false},
		{"processing/none/completed/x", cauri.StatusPending, false},
		{"a/b/completed/completed", cauri.StatusPending, false},
		{" processed / accepted / completed ", cauri.StatusPaid, true},
		{"processed/accepted/completed", cauri.StatusPaid, true},
		{"completed", cauri.StatusPaid, true},
	}
	for _, tt := range tests {
		got, known := novasend.MapStatus(tt.raw)
		if got != tt.want || known != tt.known {
			t.Errorf("MapStatus(%q) = %s, %v; want %s, %v", tt.raw, got, known, tt.want, tt.known)
		}
		if ref, refKnown := splitMapStatus(tt.raw); got != ref || known != refKnown {
			t.Errorf("MapStatus(%q) = %s, %v; strings.Split gives %s, %v", tt.raw, got, known, ref, refKnown)
		}
	}
}

// FuzzMapStatus checks that MapStatus agrees with the strings.Split
// version on any input.
func FuzzMapStatus(f *testing.F) {
	for _, s := range []string{"completed", "processed/accepted/completed", "//", "a/b/c/d", "/x/", " Failed ", "processing/declined/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got, known := novasend.MapStatus(raw)
		ref, refKnown := splitMapStatus(raw)
		if got != ref || known != refKnown {
			t.Fatalf("MapStatus(%q) = %s, %v; strings.Split gives %s, %v", raw, got, known, ref, refKnown)
		}
	})
}
