package emulator

import (
	"net/http"
	"strings"
)

// Words are a provider's message in English and in French, for an API
// that answers in the language a call's Accept-Language asks for, with
// the HTTP Status of a refusal or the Code of a validation rule. An
// emulator keeps them with its tables ([LoadData]):
// {"status": 404, "en": "Payment not found", "fr": "Paiement introuvable"}.
// A message may have holes, such as {field}, that [Words.In] fills.
type Words struct {
	Status       int
	Code, En, Fr string
}

// In is the message in r's language, French when its Accept-Language
// starts with fr and English otherwise, its holes filled: hole, value,
// hole, value...
func (w Words) In(r *http.Request, holes ...string) string {
	msg := w.En
	if strings.HasPrefix(strings.ToLower(strings.TrimSpace(r.Header.Get("Accept-Language"))), "fr") {
		msg = w.Fr
	}
	return strings.NewReplacer(holes...).Replace(msg)
}
