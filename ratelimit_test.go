package cauri

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// busiestWindow returns the most calls at times in any span of length per,
// both ends included.
func busiestWindow(times []time.Time, per time.Duration) int {
	times = slices.SortedFunc(slices.Values(times), time.Time.Compare)
	most := 0
	for i, start := range times {
		n := 0
		for _, t := range times[i:] {
			d := t.Sub(start)
			if d > per {
				break
			}
			n++
		}
		most = max(most, n)
	}
	return most
}

// TestGateWindow drives gates with more demand than their limit, polls and
// checkouts mixed at random over hours of simulated time, and checks that
// no span of Per ever holds more than Requests calls.
func TestGateWindow(t *testing.T) {
	for _, l := range []RateLimit{
		{100, time.Minute}, {300, time.Minute}, {7, time.Second}, {2, time.Second}, {1, time.Second},
	} {
		g := newGate(l)
		rng := rand.New(rand.NewPCG(1, uint64(l.Requests)))
		start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		now := start
		var calls []time.Time
		polls, takes := 0, 0
		for now.Sub(start) < 3*time.Hour && len(calls) < 20_000 {
			// Mostly a steady stream, sometimes bursts at one instant.
			if rng.IntN(10) > 0 {
				now = now.Add(time.Duration(rng.Int64N(int64(l.Per) / int64(l.Requests) / 2)))
			}
			if rng.IntN(4) == 0 {
				if wait, ok := g.take(now, l.Per/10); ok {
					calls = append(calls, now.Add(wait))
					takes++
				}
				continue
			}
			if ok, _ := g.poll(now); ok {
				calls = append(calls, now)
				polls++
			}
		}
		// A limit of one keeps calls Per apart (to the rounding of the
		// limiter's float arithmetic): "one a minute" is a minute apart.
		span := l.Per
		if l.Requests == 1 {
			span -= time.Microsecond
		}
		if got := busiestWindow(calls, span); got > l.Requests {
			t.Errorf("%+v: %d calls in one span of %v", l, got, l.Per)
		}
		if polls == 0 || takes == 0 {
			t.Errorf("%+v: %d polls and %d checkouts went through, want some of each", l, polls, takes)
		}
		// The demand exceeded the limit: the gate let a good part of the
		// rate through (all but the burst's share, which is a half at worst).
		if elapsed := now.Sub(start); len(calls) < int(0.4*float64(l.Requests)*elapsed.Seconds()/l.Per.Seconds()) {
			t.Errorf("%+v: only %d calls in %v", l, len(calls), elapsed)
		}
	}
}

// TestGateReserve: polls leave the reserve to checkouts, which take it at
// once and then wait; a 429's pause stops polls only.
func TestGateReserve(t *testing.T) {
	g := newGate(RateLimit{Requests: 100, Per: time.Minute}) // burst 20, reserve 4
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	polls := 0
	for {
		ok, after := g.poll(now)
		if !ok {
			if after <= 0 {
				t.Errorf("a refused poll says to retry after %v", after)
			}
			break
		}
		polls++
	}
	if polls != 16 {
		t.Errorf("%d polls went through at once, want 16 (the burst of 20 less the reserve of 4)", polls)
	}
	for i := range 4 {
		if wait, ok := g.take(now, 0); !ok || wait != 0 {
			t.Fatalf("checkout %d: wait %v ok %v, want the reserve at once", i, wait, ok)
		}
	}
	wait, ok := g.take(now, 0)
	if ok || wait <= 0 {
		t.Errorf("checkout past the bucket: wait %v ok %v, want refused with a wait", wait, ok)
	}
	if wait, ok := g.take(now, time.Second); !ok || wait <= 0 || wait > time.Second {
		t.Errorf("checkout willing to wait 1s: wait %v ok %v, want a wait under 1s", wait, ok)
	}

	// Refilled, polls go again, until a 429 pauses them.
	now = now.Add(time.Minute)
	if ok, _ := g.poll(now); !ok {
		t.Fatal("poll refused a minute later")
	}
	g.pause(now.Add(30 * time.Second))
	if ok, after := g.poll(now.Add(time.Second)); ok || after != 29*time.Second {
		t.Errorf("paused poll: ok %v after %v, want refused for 29s", ok, after)
	}
	if wait, ok := g.take(now.Add(time.Second), 0); !ok || wait != 0 {
		t.Errorf("checkout during the pause: wait %v ok %v, want it at once", wait, ok)
	}
	if ok, _ := g.poll(now.Add(30 * time.Second)); !ok {
		t.Error("poll refused once the pause ended")
	}
}
