package moneroo_test

import (
	"testing"

	"github.com/cauripay/cauri/providers/internal/clienttest"
)

// TestConformance runs the checks every provider's client passes (see
// clienttest.Run) against this one's facts.
func TestConformance(t *testing.T) {
	t.Parallel()
	clienttest.Run(t, clienttest.Provider("moneroo"))
}
