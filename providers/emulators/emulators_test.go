package emulators_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/cauripay/cauri/providers/emulators"
)

// TestAllListsEveryEmulator: every providers/<name>/<name>test package is
// in All, once, by name, and nothing else is.
func TestAllListsEveryEmulator(t *testing.T) {
	dirs, err := os.ReadDir("..")
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join("..", d.Name(), d.Name()+"test")); d.IsDir() && err == nil {
			want = append(want, d.Name())
		}
	}
	var got []string
	for _, p := range emulators.All() {
		got = append(got, p.Name)
	}
	if !slices.Equal(got, want) {
		t.Errorf("All() = %v, want the emulator packages under providers/, by name: %v", got, want)
	}
}

// TestStart: each entry starts its own provider's emulator, whose client
// bears the entry's name, at the URL it gives, and Named finds it.
func TestStart(t *testing.T) {
	for _, p := range emulators.All() {
		t.Run(p.Name, func(t *testing.T) {
			em := p.Start()
			defer em.Close()
			if got := em.Provider().Name(); got != p.Name {
				t.Errorf("Provider().Name() = %q, want %q", got, p.Name)
			}
			if got, _ := filepath.Match("http://127.0.0.1:*", em.URL); !got {
				t.Errorf("URL = %q, want the server's loopback root", em.URL)
			}
			if len(em.Deliveries()) != 0 {
				t.Error("a new emulator has deliveries")
			}
			if q, ok := emulators.Named(p.Name); !ok || q.Name != p.Name {
				t.Errorf("Named(%q) = %q, %v", p.Name, q.Name, ok)
			}
			if st, known := p.MapStatus(""); known || st == "paid" {
				t.Errorf("MapStatus(\"\") = %s, %v: an empty word is no status", st, known)
			}
		})
	}
	if _, ok := emulators.Named("nope"); ok {
		t.Error(`Named("nope") found a provider`)
	}
}
