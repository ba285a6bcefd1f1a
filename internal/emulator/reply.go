package emulator

import (
	"cmp"
	"net/http"
)

// Reply is how an emulator sends its [Answers]: with its provider's
// Content-Type, and with <, > and & escaped in strings as encoding/json
// escapes them, the bytes an emulator that marshalled its answers has
// always sent.
type Reply struct {
	Answers Answers
	// ContentType is the answers' Content-Type; empty means
	// application/json.
	ContentType string
	// Verbatim sends the answers as they render, <, > and & unescaped,
	// as PHP's json_encode writes them: the bytes of a provider whose API
	// is PHP.
	Verbatim bool
}

// Body returns the answer name rendered with data, escaped unless
// Verbatim.
func (r Reply) Body(name string, data any) []byte {
	if r.Verbatim {
		return r.Answers.Render(name, data)
	}
	return HTMLSafe(r.Answers.Render(name, data))
}

// Write answers status with the answer name rendered with data.
func (r Reply) Write(w http.ResponseWriter, status int, name string, data any) {
	w.Header().Set("Content-Type", r.contentType())
	w.WriteHeader(status)
	_, _ = w.Write(r.Body(name, data))
}

// ErrorBody returns the [ErrorBody] that answers an injected status with
// the answer name rendered with data(status).
func (r Reply) ErrorBody(name string, data func(status int) any) ErrorBody {
	return func(status int) (string, []byte) { return r.contentType(), r.Body(name, data(status)) }
}

func (r Reply) contentType() string { return cmp.Or(r.ContentType, "application/json") }
