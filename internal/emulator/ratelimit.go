package emulator

import (
	"net/http"
	"sync"
	"time"
)

// RateLimit returns a [Spec.Edge] that lets n API calls through in any
// sliding window of per, on the clock now, as a provider's front does,
// and answers the next ones with refuse, Retry-After set to when one will
// pass. n <= 0 or per <= 0 means no limit: nil.
func RateLimit(n int, per time.Duration, now func() time.Time, refuse func(w http.ResponseWriter)) func(w http.ResponseWriter, r *http.Request) bool {
	if n <= 0 || per <= 0 {
		return nil
	}
	var mu sync.Mutex
	var hits []time.Time // in the window, oldest first
	return func(w http.ResponseWriter, _ *http.Request) bool {
		mu.Lock()
		at := now()
		cut := 0
		for cut < len(hits) && at.Sub(hits[cut]) >= per {
			cut++
		}
		hits = hits[cut:]
		if len(hits) >= n {
			wait := per - at.Sub(hits[0])
			mu.Unlock()
			RetryAfter(w, wait)
			refuse(w)
			return false
		}
		hits = append(hits, at)
		mu.Unlock()
		return true
	}
}
