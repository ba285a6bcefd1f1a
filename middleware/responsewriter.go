package middleware

import "net/http"

// statusWriter records the final status code a handler sends, so that
// Recover can tell whether headers are already out and Metrics can label
// the request by code. It is modelled on promhttp's responseWriterDelegator.
//
// It implements Unwrap, so [http.ResponseController] reaches the optional
// interfaces of the writer underneath (Hijack, SetWriteDeadline,
// EnableFullDuplex, ...). http.Flusher is kept for direct type assertions by
// [wrapWriter], which returns a [flushStatusWriter] when the underlying
// writer can flush.
type statusWriter struct {
	http.ResponseWriter

	// status is the final status sent, 0 while no header has gone out.
	status int
}

// WriteHeader records the first final status and passes every call on, so
// that net/http still reports superfluous calls. Informational 1xx codes
// (other than 101 Switching Protocols) may be sent before the final status
// and are not recorded.
func (w *statusWriter) WriteHeader(code int) {
	w.ResponseWriter.WriteHeader(code)
	if w.status != 0 {
		return
	}
	if code >= 100 && code <= 199 && code != http.StatusSwitchingProtocols {
		return
	}
	w.status = code
}

// Write sends an implicit 200 first, as net/http does, if no status was
// written.
func (w *statusWriter) Write(b []byte) (int, error) {
	n, err := w.ResponseWriter.Write(b)
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return n, err
}

// Unwrap returns the wrapped writer, for [http.ResponseController].
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// wroteHeader reports whether a final status has been sent.
func (w *statusWriter) wroteHeader() bool { return w.status != 0 }

// code is the status to report: the one written, or 200 if none was.
func (w *statusWriter) code() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}

// flushStatusWriter is a statusWriter over a writer that implements
// http.Flusher, and implements it too.
type flushStatusWriter struct {
	*statusWriter
}

// Flush sends the buffered response; like net/http, it sends an implicit
// 200 first if no status was written.
func (w flushStatusWriter) Flush() {
	w.ResponseWriter.(http.Flusher).Flush()
	if w.status == 0 {
		w.status = http.StatusOK
	}
}

// wrapWriter wraps w in a statusWriter, keeping http.Flusher if w has it.
// The first result is what to pass to the next handler, the second gives
// access to the recorded status.
func wrapWriter(w http.ResponseWriter) (http.ResponseWriter, *statusWriter) {
	sw := &statusWriter{ResponseWriter: w}
	if _, ok := w.(http.Flusher); ok {
		return flushStatusWriter{sw}, sw
	}
	return sw, sw
}
