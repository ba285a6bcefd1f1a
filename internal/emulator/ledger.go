package emulator

import (
	"sync"
)

// records are records of type T by ref and by alias, in the order added.
// A lock guards them: a [Core]'s or a [Ledger]'s.
type records[T any] struct {
	refs    []string
	items   map[string]*T
	aliases map[string]string // alias to ref
}

// add records t under ref and aliases (empty ones left out); it adds
// nothing and returns false when ref or an alias is taken.
func (r *records[T]) add(ref string, t *T, aliases ...string) bool {
	if r.items == nil {
		r.items, r.aliases = make(map[string]*T), make(map[string]string)
	}
	if _, ok := r.items[ref]; ok {
		return false
	}
	for _, a := range aliases {
		if _, ok := r.aliases[a]; ok {
			return false
		}
	}
	r.items[ref] = t
	r.refs = append(r.refs, ref)
	for _, a := range aliases {
		if a != "" {
			r.aliases[a] = ref
		}
	}
	return true
}

// resolve returns key when a record has that ref, else the ref it is an
// alias of, else key.
func (r *records[T]) resolve(key string) string {
	if _, ok := r.items[key]; ok {
		return key
	}
	if ref, ok := r.aliases[key]; ok {
		return ref
	}
	return key
}

// find returns the record key names, through aliases; nil when none.
func (r *records[T]) find(key string) *T { return r.items[r.resolve(key)] }

// taken reports whether key is a record's ref or alias.
func (r *records[T]) taken(key string) bool {
	_, ok := r.items[key]
	_, alias := r.aliases[key]
	return ok || alias
}

// all returns clones of every record, in the order added.
func (r *records[T]) all(clone func(*T) T) []T {
	out := make([]T, 0, len(r.refs))
	for _, ref := range r.refs {
		out = append(out, clone(r.items[ref]))
	}
	return out
}

// Ledger keeps what a provider's emulator records besides its payments
// (payouts, disbursements): records of type T by ref and by alias, in the
// order added, under a lock of its own. Copies are deep ([Clone]). Its
// zero value is empty and ready.
type Ledger[T any] struct {
	mu   sync.Mutex
	recs records[T]
}

// Add records t under ref and aliases; it adds nothing and returns false
// when ref or an alias is taken.
func (l *Ledger[T]) Add(ref string, t *T, aliases ...string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.recs.add(ref, t, aliases...)
}

// Get returns a copy of the record key names, by ref or alias.
func (l *Ledger[T]) Get(key string) (T, bool) {
	var t T
	ok := l.With(key, func(p *T) { t = Clone(p) })
	return t, ok
}

// All returns copies of every record, in the order added.
func (l *Ledger[T]) All() []T {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.recs.all(Clone[T])
}

// With runs f on the record key names, by ref or alias, under the lock;
// it reports whether there is one (f does not run otherwise).
func (l *Ledger[T]) With(key string, f func(t *T)) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	t := l.recs.find(key)
	if t != nil {
		f(t)
	}
	return t != nil
}
