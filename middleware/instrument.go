package middleware

import (
	"fmt"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
)

// DefaultNamespace is the metric namespace [NewMetrics] uses when given "".
const DefaultNamespace = "cauri"

// Metrics holds the Prometheus collectors that [Metrics.Instrument] feeds:
//
//   - <namespace>_http_requests_total, a counter labelled route and code;
//   - <namespace>_http_request_duration_seconds, a histogram labelled route,
//     with [prometheus.DefBuckets] (5ms to 10s).
//
// Create it with NewMetrics, once per registry, and share it between the
// handlers to instrument. A Metrics is safe for concurrent use.
type Metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// NewMetrics creates the collectors under namespace (DefaultNamespace if
// "") and registers them on reg. The caller owns reg: NewMetrics never
// touches prometheus.DefaultRegisterer, and with a nil reg the collectors
// are not registered anywhere but Instrument still works, which suits tests
// or callers that register m's collectors themselves via [Metrics.Collectors].
//
// It returns an error if namespace is not a valid metric name prefix
// ([a-zA-Z_][a-zA-Z0-9_]*) or if registration fails, for example because
// reg already holds metrics of these names; on error nothing is left
// registered on reg.
func NewMetrics(reg prometheus.Registerer, namespace string) (*Metrics, error) {
	if namespace == "" {
		namespace = DefaultNamespace
	}
	if !validNamespace(namespace) {
		return nil, fmt.Errorf("middleware: NewMetrics: invalid namespace %q", namespace)
	}
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace,
			Name:      "http_requests_total",
			Help:      "HTTP requests handled, by route and status code.",
		}, []string{"route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace,
			Name:      "http_request_duration_seconds",
			Help:      "Time to handle HTTP requests, by route.",
			Buckets:   prometheus.DefBuckets,
		}, []string{"route"}),
	}
	if reg == nil {
		return m, nil
	}
	if err := reg.Register(m.requests); err != nil {
		return nil, fmt.Errorf("middleware: NewMetrics: %w", err)
	}
	if err := reg.Register(m.duration); err != nil {
		reg.Unregister(m.requests)
		return nil, fmt.Errorf("middleware: NewMetrics: %w", err)
	}
	return m, nil
}

// Collectors returns the collectors of m, for callers that passed a nil
// Registerer to NewMetrics and register them some other way.
func (m *Metrics) Collectors() []prometheus.Collector {
	return []prometheus.Collector{m.requests, m.duration}
}

// Instrument returns middleware that counts each request and observes its
// duration under the label route=route. The code label is the status the
// handler wrote, 200 if it wrote none.
//
// route is a fixed name chosen by the caller ("checkout", "webhook/cinetpay",
// ...), never derived from the request: label values from URL paths would
// give attackers unbounded cardinality. Instrument panics if route is empty
// or not valid UTF-8, when called.
//
// The handler sees a wrapped http.ResponseWriter that implements
// http.Flusher when the original does, and Unwrap, so
// [http.ResponseController] reaches the original's other features.
// A request whose handler panics is observed only if a [Recover] inside
// Instrument turns the panic into a response; put Instrument outside
// Recover.
func (m *Metrics) Instrument(route string) func(http.Handler) http.Handler {
	if route == "" || !utf8.ValidString(route) {
		panic(fmt.Sprintf("middleware: Instrument: invalid route %q", route))
	}
	requests := m.requests.MustCurryWith(prometheus.Labels{"route": route})
	duration := m.duration.WithLabelValues(route)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			ww, sw := wrapWriter(w)
			next.ServeHTTP(ww, r)
			duration.Observe(time.Since(start).Seconds())
			requests.WithLabelValues(strconv.Itoa(sw.code())).Inc()
		})
	}
}

// validNamespace reports whether s matches [a-zA-Z_][a-zA-Z0-9_]*.
func validNamespace(s string) bool {
	for i, c := range s {
		switch {
		case c == '_', 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case '0' <= c && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return s != ""
}
