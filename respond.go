package cauri

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// wantsJSON reports whether the client asked for JSON.
func wantsJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/json")
}

// writeJSON answers v as JSON with the given status.
func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// fail answers an error: JSON {"error": msg} to clients asking for JSON,
// plain text otherwise. msg is meant for the client and never carries
// secrets or internal details.
func fail(w http.ResponseWriter, r *http.Request, code int, msg string) {
	if wantsJSON(r) {
		writeJSON(w, code, map[string]string{"error": msg})
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_, _ = w.Write([]byte(msg + "\n"))
}

// unavailable answers 503 with Retry-After: after, in whole seconds
// rounded up, at least 1.
func unavailable(w http.ResponseWriter, r *http.Request, after time.Duration, msg string) {
	secs := max(int((after+time.Second-1)/time.Second), 1)
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	fail(w, r, http.StatusServiceUnavailable, msg)
}

// redirect answers 303 See Other to u.
func redirect(w http.ResponseWriter, r *http.Request, u string) {
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, u, http.StatusSeeOther)
}
