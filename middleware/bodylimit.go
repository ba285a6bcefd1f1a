package middleware

import "net/http"

// BodyLimit caps request bodies at n bytes.
//
// A request whose Content-Length is known and larger than n is answered
// 413 Request Entity Too Large at once; next is not called and the body is
// not read. Otherwise (no Content-Length, as with chunked uploads, or one
// within the limit) next gets the request with its body wrapped in
// [http.MaxBytesReader]: reading past n bytes fails with a
// [*http.MaxBytesError], which the handler should answer with 413
// (errors.As(err, new(*http.MaxBytesError))). The incoming *http.Request is
// not modified; next receives a shallow copy.
//
// The limit also protects handlers that read the whole body before checking
// a webhook's signature: size payment notifications generously (they are
// small JSON or form posts) but boundedly, e.g. 1<<20.
//
// BodyLimit panics if n <= 0, when called, so a misconfigured limit fails at
// start-up rather than rejecting every request.
func BodyLimit(n int64) func(http.Handler) http.Handler {
	if n <= 0 {
		panic("middleware: BodyLimit: n must be > 0")
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.ContentLength > n {
				http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
				return
			}
			if r.Body != nil && r.Body != http.NoBody {
				r2 := *r
				r2.Body = http.MaxBytesReader(w, r.Body, n)
				r = &r2
			}
			next.ServeHTTP(w, r)
		})
	}
}
