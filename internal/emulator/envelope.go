package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// Refused is an API call's refusal: its HTTP Status and the provider's
// Code and Message (a string, or the list of a validation's messages).
// It is an error, so that a handler given to [Envelope.Handle] returns
// it. An emulator keeps its refusals with its tables ([LoadData]):
// {"status": 404, "code": "NOT_FOUND", "message": "%s not found"}.
type Refused struct {
	Status  int
	Code    string
	Message any
}

// With returns the refusal with its Message, a format, formatted with
// args: a message that names what was refused.
func (r Refused) With(args ...any) Refused {
	r.Message = fmt.Sprintf(fmt.Sprint(r.Message), args...)
	return r
}

// Error is the refusal's status, code and message.
func (r Refused) Error() string { return fmt.Sprintf("%d %s: %v", r.Status, r.Code, r.Message) }

// Envelope is how a provider's JSON API answers through its [Reply]: a
// record's body wrapped in the provider's success envelope, and the
// provider's error body for a [Refused]. Its fields but the Answers
// decode from an emulator's tables ([LoadData]).
type Envelope struct {
	Reply
	// OK is the answer that wraps a record's body, given to it as a
	// string; empty sends the body alone.
	OK string
	// Refusal is the answer of a refusal, given the [Refused] as data.
	Refusal string
	// BadJSON refuses a body that is neither a JSON object nor a form
	// ([Envelope.Read]); Invalid refuses one that breaks its shape, its
	// Message replaced by the messages.
	BadJSON, Invalid Refused
}

// Handle returns an API handler that answers what f makes of a request:
// status with f's body wrapped in OK, or the Refused f returns.
func (e Envelope) Handle(status int, f func(r *http.Request) ([]byte, error)) http.HandlerFunc {
	return e.handle(status, true, f)
}

// Bare is [Envelope.Handle] for an answer that is its own envelope (a
// list with its paging): f's body is sent as it is.
func (e Envelope) Bare(status int, f func(r *http.Request) ([]byte, error)) http.HandlerFunc {
	return e.handle(status, false, f)
}

func (e Envelope) handle(status int, wrap bool, f func(r *http.Request) ([]byte, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := f(r)
		if err != nil {
			e.Refuse(w, err)
			return
		}
		if wrap && e.OK != "" {
			body = e.Body(e.OK, string(body))
		}
		w.Header().Set("Content-Type", e.contentType())
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}
}

// Refuse answers err, a [Refused] (another error is a 500 refusal).
func (e Envelope) Refuse(w http.ResponseWriter, err error) {
	var ref Refused
	if !errors.As(err, &ref) {
		ref = Refused{Status: http.StatusInternalServerError, Message: err.Error()}
	}
	e.Write(w, ref.Status, e.Refusal, ref)
}

// Refuser returns a handler that answers ref, whatever the request.
func (e Envelope) Refuser(ref Refused) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) { e.Refuse(w, ref) }
}

// Read reads r's body, a JSON object or, as NestJS and Laravel take
// them, a form ([ReadBody]), against shape, then rules across its
// fields: the values, or BadJSON or Invalid.
func (e Envelope) Read(r *http.Request, shape *Shape, rules ...func(Values) []string) (Values, error) {
	in, _, ok := ReadBody(r, true)
	if !ok {
		return nil, e.BadJSON
	}
	return e.Check(shape, in, rules...)
}

// Query reads the query parameters names of r against shape, as strings
// (a parameter absent is ""): the values, or Invalid.
func (e Envelope) Query(r *http.Request, shape *Shape, names ...string) (Values, error) {
	in := make(map[string]any, len(names))
	for _, n := range names {
		in[n] = r.URL.Query().Get(n)
	}
	return e.Check(shape, in)
}

// Check validates in against shape, then rules across its fields: the
// values, or Invalid with the messages.
func (e Envelope) Check(shape *Shape, in map[string]any, rules ...func(Values) []string) (Values, error) {
	v, messages := shape.Validate(in)
	for _, rule := range rules {
		messages = append(messages, rule(v)...)
	}
	if len(messages) > 0 {
		ref := e.Invalid
		ref.Message = messages
		return nil, ref
	}
	return v, nil
}

// ErrorBody returns the [ErrorBody] that answers an injected status with
// the Refusal answer, in the words rs has for it.
func (e Envelope) ErrorBody(rs Refusals) ErrorBody {
	return rs.Body(e.contentType(), func(status int, r Refusal) any {
		return json.RawMessage(e.Body(e.Refusal, Refused{Status: status, Code: r.Code, Message: r.Message}))
	})
}
