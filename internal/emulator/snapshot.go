package emulator

// Snapshot returns a copy of payment ref and the Env, both read under
// one lock: what an answer about the payment shows, rendered outside it.
func (c *Core[P]) Snapshot(ref string) (P, Env, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.recs.items[ref]
	if !ok {
		var zero P
		return zero, c.env(), false
	}
	return c.spec.Clone(p), c.env(), true
}
