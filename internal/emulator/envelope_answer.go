package emulator

import "net/http"

// Answer answers body with status, wrapped in OK, or the refusal err, as
// [Envelope.Handle] does: for a handler that sets headers of its own
// (Retry-After, a replayed answer's mark) before answering.
func (e Envelope) Answer(w http.ResponseWriter, r *http.Request, status int, body []byte, err error) {
	e.Handle(status, func(*http.Request) ([]byte, error) { return body, err })(w, r)
}
