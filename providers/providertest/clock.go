package providertest

import (
	"sync"
	"time"
)

// Clock is a kit clock for tests (Config.Now): real time, moved ahead by
// Later, so that a test brings a payment's next turn to be asked about at
// its provider (Config.PollInterval) without waiting for it. The zero
// value is real time; a Clock is safe for concurrent use.
type Clock struct {
	mu   sync.Mutex
	skew time.Duration
}

// Now returns real time moved ahead by every Later so far.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.skew)
}

// Later moves the clock ahead by d.
func (c *Clock) Later(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.skew += d
}
