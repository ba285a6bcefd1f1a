package emulator

import (
	"fmt"
	"slices"
	"strings"
)

// Pairs returns a rule across a body's fields, for [Envelope.Read]: the
// value of field b must be one table lists for the value of field a (the
// countries an operator serves), when both are values the table knows.
// Otherwise the rule says message, formatted with the two values. A
// dotted name reaches into Object values declared with a Shape
// ("destination_details.operator").
func Pairs(table map[string][]string, a, b, message string) func(v Values) []string {
	return func(v Values) []string {
		x, y := valueAt(v, a), valueAt(v, b)
		known := false
		for _, ys := range table {
			known = known || slices.Contains(ys, y)
		}
		if ys, ok := table[x]; ok && known && !slices.Contains(ys, y) {
			return []string{fmt.Sprintf(message, x, y)}
		}
		return nil
	}
}

// valueAt is the String value a dotted name names in v.
func valueAt(v Values, name string) string {
	for {
		outer, inner, ok := strings.Cut(name, ".")
		if !ok {
			return v.String(name)
		}
		v, name = v.Nested(outer), inner
	}
}
