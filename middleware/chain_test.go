package middleware

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

// tag returns middleware that appends name to *trace before and "/"+name
// after calling next.
func tag(trace *[]string, name string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			*trace = append(*trace, name)
			next.ServeHTTP(w, r)
			*trace = append(*trace, "/"+name)
		})
	}
}

func TestChainOrder(t *testing.T) {
	tests := []struct {
		name  string
		names []string
		want  []string
	}{
		{"none", nil, []string{"h"}},
		{"one", []string{"a"}, []string{"a", "h", "/a"}},
		{"three", []string{"a", "b", "c"}, []string{"a", "b", "c", "h", "/c", "/b", "/a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var trace []string
			var mw []func(http.Handler) http.Handler
			for _, n := range tt.names {
				mw = append(mw, tag(&trace, n))
			}
			h := Chain(mw...)(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
				trace = append(trace, "h")
			}))
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
			if !slices.Equal(trace, tt.want) {
				t.Errorf("trace = %v, want %v", trace, tt.want)
			}
		})
	}
}

func TestChainEmptyReturnsHandler(t *testing.T) {
	h := http.RedirectHandler("/elsewhere", http.StatusFound) // a comparable *redirectHandler
	got := Chain()(h)
	// Same dynamic value: the handler itself, not a wrapper.
	if got != h {
		t.Errorf("Chain()(h) = %v, want h itself", got)
	}
}

func TestChainCopiesSlice(t *testing.T) {
	var trace []string
	mw := []func(http.Handler) http.Handler{tag(&trace, "a")}
	c := Chain(mw...)
	mw[0] = tag(&trace, "changed")
	c(http.NotFoundHandler()).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	if !slices.Equal(trace, []string{"a", "/a"}) {
		t.Errorf("trace = %v, want [a /a]", trace)
	}
}

func TestChainNilPanics(t *testing.T) {
	var trace []string
	defer func() {
		v := recover()
		s, _ := v.(string)
		if !strings.Contains(s, "middleware 1 is nil") {
			t.Errorf("panic = %v, want one naming middleware 1", v)
		}
	}()
	Chain(tag(&trace, "a"), nil)
	t.Error("Chain with a nil middleware did not panic")
}
