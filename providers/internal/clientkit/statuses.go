package clientkit

import (
	"slices"
	"strings"

	"github.com/cauripay/cauri"
)

// Statuses is a provider's table of status words: for each of the kit's
// statuses, the words the provider says it with. It is data, never
// changed once written; Map and MapAnyCase own the rules every provider
// shares. A word stands under one status only: one under two is unknown.
type Statuses map[cauri.Status][]string

// Map maps raw, a status as the provider sent it, to the kit's status.
// Surrounding spaces are ignored, case is not. A word not in the table
// maps to StatusPending with known false: an undocumented status never
// settles a payment.
func (s Statuses) Map(raw string) (st cauri.Status, known bool) {
	return s.find(raw, func(word, raw string) bool { return word == raw })
}

// MapAnyCase is Map for a provider whose words may come in any case.
func (s Statuses) MapAnyCase(raw string) (st cauri.Status, known bool) {
	return s.find(raw, strings.EqualFold)
}

// find is Map with same deciding whether a word of the table is raw. A
// word the table puts under two statuses is read as unknown: the answer
// never depends on the map's order, and a mistaken table settles nothing
// (each provider's MapStatus conformance check then fails).
func (s Statuses) find(raw string, same func(word, raw string) bool) (cauri.Status, bool) {
	raw = strings.TrimSpace(raw)
	found, n := cauri.StatusPending, 0
	for st, words := range s {
		if slices.ContainsFunc(words, func(w string) bool { return same(w, raw) }) {
			found, n = st, n+1
		}
	}
	if n != 1 {
		return cauri.StatusPending, false
	}
	return found, true
}
