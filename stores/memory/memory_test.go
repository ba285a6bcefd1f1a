package memory_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/stores/memory"
	"github.com/cauripay/cauri/stores/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(*testing.T) cauri.Store { return memory.New() })
}

// BenchmarkTransition measures one successful compare-and-set. The payment
// moves from pending to pending, which the Store allows (the state machine
// is the caller's), so that every iteration succeeds.
func BenchmarkTransition(b *testing.B) {
	ctx := context.Background()
	s := memory.New()
	at := time.Now().UTC()
	if err := s.Create(ctx, storetest.Payment("pay_bench", at)); err != nil {
		b.Fatal(err)
	}
	c := cauri.Change{To: cauri.StatusPending, Method: "wave_ci", Fee: 10, At: at}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Transition(ctx, "pay_bench", cauri.StatusPending, c); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCreate measures storing new payments, each with a provider
// reference and a checkout key to index.
func BenchmarkCreate(b *testing.B) {
	ctx := context.Background()
	s := memory.New()
	at := time.Now().UTC()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		if err := s.Create(ctx, storetest.Payment("pay_"+strconv.Itoa(i), at)); err != nil {
			b.Fatal(err)
		}
	}
}
