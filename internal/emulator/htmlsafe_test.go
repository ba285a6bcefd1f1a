package emulator

import (
	"encoding/json"
	"testing"
)

func TestHTMLSafe(t *testing.T) {
	for _, v := range []any{
		O("name", "Aïssata & Koné 😀", "url", "https://x/y?a=1&b=<2>"),
		O("line", "a\u2028b\u2029c", "quote", `"\`, "n", 5),
		O("empty", ""),
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
