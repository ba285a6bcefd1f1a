package emulator

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestWordsIn(t *testing.T) {
	w := Words{Status: 400, En: "{field} is required", Fr: "{field} est obligatoire"}
	for lang, want := range map[string]string{
		"":                "amount is required",
		"en-US":           "amount is required",
		"fr":              "amount est obligatoire",
		" FR-fr,fr;q=0.9": "amount est obligatoire",
		"de, fr;q=0.5":    "amount is required",
	} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Accept-Language", lang)
		if got := w.In(r, "{field}", "amount"); got != want {
			t.Errorf("Accept-Language %q: %q, want %q", lang, got, want)
		}
	}
}
