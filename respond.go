package cauri

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// wantsJSON reports whether the client asked for JSON.
func wantsJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/json")
}

// answerHeaders sets the headers of every answer the kit writes: no
// caching (answers carry tokens and payment states), and no content
// sniffing, so that a browser never reads an answer as another type than
// the one it declares.
func answerHeaders(w http.ResponseWriter) {
	setAnswerHeaders(w.Header(), "")
}

// setAnswerHeaders sets answerHeaders' headers in h and, when
// contentType is not empty, Content-Type, as Header.Set would: with one
// allocation for all their values, each a slice of its own of length and
// capacity one.
func setAnswerHeaders(h http.Header, contentType string) {
	vs := [...]string{"nosniff", "no-store", contentType}
	all := vs[:]
	if contentType == "" {
		all = vs[:2]
	}
	all = slices.Clone(all)
	h["X-Content-Type-Options"] = all[0:1:1]
	h["Cache-Control"] = all[1:2:2]
	if contentType != "" {
		h["Content-Type"] = all[2:3:3]
	}
}

// writeJSON answers v as JSON with the given status.
func writeJSON(w http.ResponseWriter, code int, v any) {
	setAnswerHeaders(w.Header(), "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// writeText answers msg as plain text with the given status.
func writeText(w http.ResponseWriter, code int, msg string) {
	setAnswerHeaders(w.Header(), "text/plain; charset=utf-8")
	w.WriteHeader(code)
	_, _ = io.WriteString(w, msg+"\n")
}

// fail answers an error: JSON {"error": msg} to clients asking for JSON,
// plain text otherwise. msg is meant for the client and never carries
// secrets or internal details. The handlers a browser visits (checkout,
// return) answer through Kit.failPage instead, which shows browsers a page.
func fail(w http.ResponseWriter, r *http.Request, code int, msg string) {
	if wantsJSON(r) {
		writeJSON(w, code, map[string]string{"error": msg})
		return
	}
	writeText(w, code, msg)
}

// allowed reports whether r's method is one of methods, and otherwise
// answers 405 with an Allow header listing them, through refuse (fail, or
// the kit's failOnPage for the handlers a browser visits): the same answer
// whether the handler is mounted alone or in the kit.
func allowed(w http.ResponseWriter, r *http.Request, refuse func(http.ResponseWriter, *http.Request, int, string), what string, methods ...string) bool {
	if slices.Contains(methods, r.Method) {
		return true
	}
	w.Header().Set("Allow", strings.Join(methods, ", "))
	refuse(w, r, http.StatusMethodNotAllowed, what+" takes "+strings.Join(methods, ", "))
	return false
}

// setRetryAfter sets Retry-After to after, rounded up to whole seconds,
// at least one: a client that waits as told never comes back too early.
func setRetryAfter(w http.ResponseWriter, after time.Duration) {
	w.Header().Set("Retry-After", strconv.Itoa(max(int((after+time.Second-1)/time.Second), 1)))
}

// redirect answers 303 See Other to u.
func redirect(w http.ResponseWriter, r *http.Request, u string) {
	answerHeaders(w)
	http.Redirect(w, r, u, http.StatusSeeOther)
}
