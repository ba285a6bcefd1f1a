package emulator

import "time"

// Future returns a [Field.Check] of a String holding an ISO 8601 time
// (RFC 3339) after now(): an expiry date. It breaks rule "date" when the
// string is not such a time and "future" when the time is not after now;
// an empty string passes.
func Future(now func() time.Time) func(v any) (rule, arg string) {
	return func(v any) (rule, arg string) {
		t, err := time.Parse(time.RFC3339Nano, v.(string))
		switch {
		case v == "":
		case err != nil:
			return "date", ""
		case !t.After(now()):
			return "future", ""
		}
		return "", ""
	}
}
