package clientkit

import (
	"slices"
	"strings"

	"github.com/cauripay/cauri"
)

// Statuses is a provider's table of status words: for each of the kit's
// statuses, the words the provider says it with. It is data, never
// changed once written; Map and MapAnyCase own the rules every provider
// shares. A word stands under one status only.
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

// find is Map with same deciding whether a word of the table is raw.
func (s Statuses) find(raw string, same func(word, raw string) bool) (cauri.Status, bool) {
	raw = strings.TrimSpace(raw)
	for st, words := range s {
		if slices.ContainsFunc(words, func(w string) bool { return same(w, raw) }) {
			return st, true
		}
	}
	return cauri.StatusPending, false
}
