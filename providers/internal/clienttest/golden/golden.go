// Package golden keeps, in a test's testdata, the expected answers of a
// parser by input: what it answered when it was held, answer by answer,
// to the code it replaced. The differential tests of the provider clients
// check against it; it is apart from clienttest, whose table imports the
// clients, so that a client's own internal tests can use it.
package golden

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"maps"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
)

// UpdateEnv names the environment variable that, set to 1, makes the
// tests rewrite their golden files from what the code under test answers,
// rather than check it against them.
const UpdateEnv = "CAURI_UPDATE_GOLDEN"

// File is a file of expected outputs, a line a key ("key<tab>output"):
// what a parser answered for each of a test's inputs when it was held,
// answer by answer, to the code it replaced. A test checks every key of
// its file; a key it no longer checks is an error, so that no input goes
// unnoticed.
type File struct {
	path   string
	update bool

	mu   sync.Mutex
	want map[string]string
	got  map[string]string
}

// Open reads the golden file at path (under the package's testdata) for
// t, and checks at t's end that t checked every key of it, or, with
// CAURI_UPDATE_GOLDEN=1, writes what t checked into it.
func Open(t testing.TB, path string) *File {
	t.Helper()
	g := Read(t, path)
	g.update = os.Getenv(UpdateEnv) == "1"
	t.Cleanup(func() {
		g.mu.Lock()
		defer g.mu.Unlock()
		if g.update {
			var b strings.Builder
			for _, k := range slices.Sorted(maps.Keys(g.got)) {
				b.WriteString(k + "\t" + g.got[k] + "\n")
			}
			if err := os.WriteFile(g.path, []byte(b.String()), 0o644); err != nil {
				t.Error(err)
			}
			return
		}
		for _, k := range slices.Sorted(maps.Keys(g.want)) {
			if _, ok := g.got[k]; !ok {
				t.Errorf("%s: key %s was not checked", path, k)
			}
		}
	})
	return g
}

// Read reads the golden file at path, for checks that look up some of its
// keys only (a fuzz target's).
func Read(t testing.TB, path string) *File {
	t.Helper()
	g := &File{path: path, want: map[string]string{}, got: map[string]string{}}
	b, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	for n, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		k, v, ok := strings.Cut(line, "\t")
		if !ok && line != "" {
			t.Fatalf("%s:%d: no tab", path, n+1)
		}
		if ok {
			g.want[k] = v
		}
	}
	return g
}

// Check checks got, the answer to the input key names, against the file.
func (g *File) Check(t testing.TB, key, got string) {
	t.Helper()
	g.mu.Lock()
	g.got[key] = got
	want, ok := g.want[key]
	g.mu.Unlock()
	switch {
	case g.update:
	case !ok:
		t.Errorf("%s: no answer for key %s (got %s); run with %s=1 to record it", g.path, key, got, UpdateEnv)
	case got != want:
		t.Errorf("%s: key %s\n got %s\nwant %s", g.path, key, got, want)
	}
}

// CheckKnown checks got against the file when it holds key, and reports
// whether it does: a fuzz target's inputs are mostly new.
func (g *File) CheckKnown(t testing.TB, key, got string) bool {
	t.Helper()
	want, ok := g.want[key]
	if ok && got != want {
		t.Errorf("%s: key %s\n got %s\nwant %s", g.path, key, got, want)
	}
	return ok
}

// Key names an input in a golden file: what is checked of it (what), and
// a digest of it.
func Key(what string, input []byte) string {
	sum := sha256.Sum256(input)
	return fmt.Sprintf("%s %x", what, sum[:9])
}

// Outcome is the text of a call's answer in a golden file, on one line:
// the fields of v, a struct, that are not zero, then err's text and which
// of kinds it wraps.
func Outcome(v any, err error, kinds ...error) string {
	var b strings.Builder
	rv := reflect.ValueOf(v)
	b.WriteString("{")
	for i := range rv.NumField() {
		if f := rv.Field(i); !f.IsZero() {
			if b.Len() > 1 {
				b.WriteString(" ")
			}
			if f.Kind() == reflect.String {
				fmt.Fprintf(&b, "%s:%q", rv.Type().Field(i).Name, f)
			} else {
				fmt.Fprintf(&b, "%s:%v", rv.Type().Field(i).Name, f)
			}
		}
	}
	b.WriteString("}")
	if err != nil {
		fmt.Fprintf(&b, " error %q", err.Error())
		for _, k := range kinds {
			if errors.Is(err, k) {
				fmt.Fprintf(&b, " is %q", k.Error())
			}
		}
	}
	return b.String()
}
