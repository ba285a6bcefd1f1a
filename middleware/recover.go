package middleware

import (
	"log/slog"
	"net/http"
	"runtime/debug"
)

// Recover turns a panic in next into a logged error and, when possible, a
// 500 Internal Server Error.
//
// The panic value and the goroutine's stack are logged at level Error
// through logger, with the request's method and path (not its query, which
// may carry return tokens). A nil logger discards them. The client gets only
// "internal server error" as a text/plain body: no panic value, no stack.
//
// If the handler had already sent a status before panicking, a 500 can no
// longer be sent; Recover then logs the panic and re-panics with
// [http.ErrAbortHandler], so that net/http aborts the connection (the
// client sees a broken response, not a truncated one that looks complete)
// without logging a second stack. A panic with http.ErrAbortHandler itself is
// not logged and is re-panicked as is, as net/http expects.
//
// Put Recover outside the middleware and handlers whose panics it should
// catch, and inside [Metrics.Instrument] so that the 500 it writes is
// counted.
func Recover(logger *slog.Logger) func(http.Handler) http.Handler {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ww, sw := wrapWriter(w)
			defer func() {
				v := recover()
				if v == nil {
					return
				}
				if v == http.ErrAbortHandler {
					panic(v)
				}
				logger.ErrorContext(r.Context(), "middleware: panic serving request",
					slog.Any("panic", v),
					slog.String("method", r.Method),
					slog.String("path", r.URL.Path),
					slog.Bool("headers_sent", sw.wroteHeader()),
					slog.String("stack", string(debug.Stack())),
				)
				if sw.wroteHeader() {
					panic(http.ErrAbortHandler)
				}
				http.Error(w, "internal server error", http.StatusInternalServerError)
			}()
			next.ServeHTTP(ww, r)
		})
	}
}
