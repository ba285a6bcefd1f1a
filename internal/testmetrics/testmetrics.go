// Package testmetrics reads the kit's metrics in tests.
package testmetrics

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cauripay/cauri/providers/providertest"
)

// Sum sums the samples of g's metric family name whose labels include
// every name/value pair in labels, as [providertest.MetricSum] does, and
// fails t if it cannot gather them.
func Sum(t testing.TB, g prometheus.Gatherer, name string, labels ...string) float64 {
	t.Helper()
	v, err := providertest.MetricSum(g, name, labels...)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
