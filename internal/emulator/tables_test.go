package emulator

import (
	"testing"
	"testing/fstest"
)

func TestLoadJSON(t *testing.T) {
	fsys := fstest.MapFS{"t.json": {Data: []byte(`{"names":{"wave":"Wave"},"default":["wave"]}`)}, "bad.json": {Data: []byte(`{`)}}
	got := LoadJSON[struct {
		Names   map[string]string
		Default []string
	}](fsys, "t.json")
	if got.Names["wave"] != "Wave" || len(got.Default) != 1 {
		t.Errorf("table %+v", got)
	}
	for _, name := range []string{"bad.json", "none.json"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: did not panic", name)
				}
			}()
			LoadJSON[map[string]string](fsys, name)
		}()
	}
}
