package emulator

// Lookup answers an API call about the payment key names (a ref or an
// alias): under the lock, change (nil for none) changes it or refuses
// with its error, then render writes its answer. It returns missing when
// there is no such payment.
func (c *Core[P]) Lookup(key string, missing error, change func(p *P, env Env) error, render func(p *P, env Env) []byte) ([]byte, error) {
	var body []byte
	err := missing
	c.Locked(func(tx Tx[P], env Env) {
		if p := tx.Find(key); p != nil {
			body, err = changed(change != nil, func() error { return change(p, env) }, func() []byte { return render(p, env) })
		}
	})
	return body, err
}

// Lookup is [Core.Lookup] for a ledger's record: the record key names,
// changed by change (nil for none) under the lock and rendered by render,
// or missing.
func (l *Ledger[T]) Lookup(key string, missing error, change func(t *T) error, render func(t *T) []byte) ([]byte, error) {
	var body []byte
	err := missing
	l.With(key, func(t *T) {
		body, err = changed(change != nil, func() error { return change(t) }, func() []byte { return render(t) })
	})
	return body, err
}

// changed runs change, when there is one, then render unless change
// refused.
func changed(there bool, change func() error, render func() []byte) ([]byte, error) {
	if there {
		if err := change(); err != nil {
			return nil, err
		}
	}
	return render(), nil
}
