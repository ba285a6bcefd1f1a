package middleware

import (
	"fmt"
	"net/http"
	"slices"
)

// Chain composes middleware into one. The first argument is the outermost:
// Chain(a, b, c)(h) is a(b(c(h))), so a request passes through a, then b,
// then c, then h. Chain with no arguments returns h unchanged.
//
// Chain panics if any argument is nil, at the call to Chain rather than on
// the first request. It copies mw, so the caller may reuse the slice.
func Chain(mw ...func(http.Handler) http.Handler) func(http.Handler) http.Handler {
	for i, m := range mw {
		if m == nil {
			panic(fmt.Sprintf("middleware: Chain: middleware %d is nil", i))
		}
	}
	mw = slices.Clone(mw)
	return func(h http.Handler) http.Handler {
		for i := len(mw) - 1; i >= 0; i-- {
			h = mw[i](h)
		}
		return h
	}
}
