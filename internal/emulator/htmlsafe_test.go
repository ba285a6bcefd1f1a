package emulator

import (
	"encoding/json"
	"testing"
)

func TestHTMLSafe(t *testing.T) {
	for _, v := range []any{
		struct {
			Name string `json:"name"`
			URL  string `json:"url"`
		}{"Aïssata & Koné 😀", "https://x/y?a=1&b=<2>"},
		struct {
			Line  string `json:"line"`
			Quote string `json:"quote"`
			N     int    `json:"n"`
		}{"a\u2028b\u2029c", `"\`, 5},
		struct {
			Empty string `json:"empty"`
		}{""},
	} {
		want, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if got := HTMLSafe(MarshalJS(v)); string(got) != string(want) {
			t.Errorf("HTMLSafe = %s, want %s", got, want)
		}
	}
}
