package middleware

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestMetricsInstrument(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := NewMetrics(reg, "")
	if err != nil {
		t.Fatal(err)
	}
	handlers := map[string]http.HandlerFunc{
		"/nothing": func(http.ResponseWriter, *http.Request) {},
		"/write":   func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "hi") },
		"/404":     func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) },
		"/created": func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusEarlyHints) // informational, not the final code
			w.WriteHeader(http.StatusCreated)
		},
		"/twice": func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusAccepted)
			w.WriteHeader(http.StatusTeapot) // superfluous: ignored by net/http
		},
		"/flush": func(w http.ResponseWriter, _ *http.Request) { w.(http.Flusher).Flush() },
	}
	mux := http.NewServeMux()
	for p, h := range handlers {
		mux.Handle(p, h)
	}
	checkout := m.Instrument("checkout")(mux)
	webhook := m.Instrument("webhook/cinetpay")(mux)

	requests := []struct {
		h    http.Handler
		path string
	}{
		{checkout, "/nothing"},
		{checkout, "/write"},
		{checkout, "/write?order=123"},
		{checkout, "/404"},
		{checkout, "/flush"},
		{checkout, "/created"},
		{webhook, "/twice"},
		{webhook, "/404"},
		{webhook, "/no/such/path/12345"},
	}
	for _, rq := range requests {
		rq.h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, rq.path, nil))
	}

	const want = `
# HELP cauri_http_requests_total HTTP requests handled, by route and status code.
# TYPE cauri_http_requests_total counter
cauri_http_requests_total{code="200",route="checkout"} 4
cauri_http_requests_total{code="201",route="checkout"} 1
cauri_http_requests_total{code="404",route="checkout"} 1
cauri_http_requests_total{code="202",route="webhook/cinetpay"} 1
cauri_http_requests_total{code="404",route="webhook/cinetpay"} 2
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "cauri_http_requests_total"); err != nil {
		t.Error(err)
	}

	// Histogram: one series per route, one observation per request.
	if n := testutil.CollectAndCount(m.duration); n != 2 {
		t.Errorf("duration series = %d, want 2 (one per route)", n)
	}
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]uint64{}
	for _, mf := range families {
		if mf.GetName() != "cauri_http_request_duration_seconds" {
			continue
		}
		for _, metric := range mf.GetMetric() {
			if len(metric.GetLabel()) != 1 || metric.GetLabel()[0].GetName() != "route" {
				t.Errorf("duration labels = %v, want route only", metric.GetLabel())
				continue
			}
			counts[metric.GetLabel()[0].GetValue()] = metric.GetHistogram().GetSampleCount()
		}
	}
	if counts["checkout"] != 6 || counts["webhook/cinetpay"] != 3 || len(counts) != 2 {
		t.Errorf("duration sample counts = %v, want checkout:6 webhook/cinetpay:3", counts)
	}

	problems, err := testutil.GatherAndLint(reg)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}
}

func TestNewMetricsNamespace(t *testing.T) {
	tests := []struct {
		namespace string
		wantName  string // "" for an error
	}{
		{"", "cauri_http_requests_total"},
		{"shop", "shop_http_requests_total"},
		{"_x9", "_x9_http_requests_total"},
		{"9lives", ""},
		{"my-shop", ""},
		{"a:b", ""},
		{"café", ""},
	}
	for _, tt := range tests {
		t.Run(tt.namespace, func(t *testing.T) {
			reg := prometheus.NewRegistry()
			m, err := NewMetrics(reg, tt.namespace)
			if tt.wantName == "" {
				if err == nil {
					t.Fatal("NewMetrics succeeded, want an error")
				}
				if !strings.Contains(err.Error(), "invalid namespace") {
					t.Errorf("error = %q, want invalid namespace", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			m.Instrument("r")(http.NotFoundHandler()).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
			if n, err := testutil.GatherAndCount(reg, tt.wantName); err != nil || n != 1 {
				t.Errorf("GatherAndCount(%s) = %d, %v; want 1", tt.wantName, n, err)
			}
		})
	}
}

func TestNewMetricsNilRegisterer(t *testing.T) {
	m, err := NewMetrics(nil, "")
	if err != nil {
		t.Fatal(err)
	}
	h := m.Instrument("checkout")(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusPaymentRequired)
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	if got := testutil.ToFloat64(m.requests.WithLabelValues("checkout", "402")); got != 1 {
		t.Errorf("counter = %v, want 1", got)
	}
	// Nothing may land on the default registry.
	families, err := prometheus.DefaultGatherer.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range families {
		if strings.HasPrefix(mf.GetName(), "cauri_") {
			t.Errorf("%s registered on the default registry", mf.GetName())
		}
	}
	// The caller can register the collectors itself.
	reg := prometheus.NewRegistry()
	for _, c := range m.Collectors() {
		if err := reg.Register(c); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := testutil.GatherAndCount(reg, "cauri_http_requests_total", "cauri_http_request_duration_seconds"); err != nil || n != 2 {
		t.Errorf("GatherAndCount = %d, %v; want 2", n, err)
	}
}

func TestNewMetricsRegistrationConflict(t *testing.T) {
	t.Run("same registry twice", func(t *testing.T) {
		reg := prometheus.NewRegistry()
		if _, err := NewMetrics(reg, ""); err != nil {
			t.Fatal(err)
		}
		_, err := NewMetrics(reg, "")
		var are prometheus.AlreadyRegisteredError
		if !errors.As(err, &are) {
			t.Errorf("error = %v, want a wrapped AlreadyRegisteredError", err)
		}
	})
	t.Run("second collector clashes: first unregistered", func(t *testing.T) {
		reg := prometheus.NewRegistry()
		// Same name, help and labels as ours: Unregister can then free the
		// name (a registry keeps each name's label set and help for life).
		clash := prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "cauri", Name: "http_request_duration_seconds",
			Help: "Time to handle HTTP requests, by route.",
		}, []string{"route"})
		reg.MustRegister(clash)
		if _, err := NewMetrics(reg, ""); err == nil {
			t.Fatal("NewMetrics succeeded despite a clash")
		}
		// Had the requests counter stayed registered, this would fail with
		// AlreadyRegisteredError.
		reg.Unregister(clash)
		if _, err := NewMetrics(reg, ""); err != nil {
			t.Errorf("NewMetrics after removing the clash: %v (collector left registered by the failure?)", err)
		}
	})
}

func TestInstrumentPanicsOnBadRoute(t *testing.T) {
	m, err := NewMetrics(nil, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, route := range []string{"", "bad\xffutf8"} {
		t.Run(route, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("Instrument(%q) did not panic", route)
				}
			}()
			m.Instrument(route)
		})
	}
}

// TestInstrumentOutsideRecover checks the documented order: a panic turned
// into a 500 by Recover is counted as a 500.
func TestInstrumentOutsideRecover(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := NewMetrics(reg, "")
	if err != nil {
		t.Fatal(err)
	}
	h := Chain(m.Instrument("kit"), Recover(nil))(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic("boom")
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	if got := testutil.ToFloat64(m.requests.WithLabelValues("kit", "500")); got != 1 {
		t.Errorf(`requests{route="kit",code="500"} = %v, want 1`, got)
	}
}
