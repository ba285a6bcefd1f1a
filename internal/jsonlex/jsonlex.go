// Package jsonlex reads the simplest JSON values (plain strings, numbers,
// null) straight from their bytes, with encoding/json's own rules, so that
// the providers' one-pass decoders can skip encoding/json for them and
// fall back to it for anything else. Nothing here keeps its input.
package jsonlex

import (
	"bytes"
	"strings"
	"unicode/utf8"
)

// PlainText returns a JSON string's value, trimmed, or a JSON number's
// text, when raw is one that needs no decoding (a string without
// escapes); ok is false for anything else.
func PlainText(raw []byte) (string, bool) {
	b := TrimSpace(raw)
	if len(b) == 0 {
		return "", false
	}
	if b[0] == '"' {
		s, ok := PlainString(b)
		return strings.TrimSpace(s), ok
	}
	if IsNumber(b) {
		return string(b), true
	}
	return "", false
}

// PlainString returns the value of b, a JSON string, when it is valid
// UTF-8 with no escape and no control character: its bytes between the
// quotes. ok is false otherwise.
func PlainString(b []byte) (string, bool) {
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return "", false
	}
	in := b[1 : len(b)-1]
	ascii := true
	for _, c := range in {
		switch {
		case c < 0x20 || c == '"' || c == '\\':
			return "", false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	if !ascii && !utf8.Valid(in) {
		return "", false // encoding/json replaces invalid UTF-8
	}
	return string(in), true
}

// IsNumber reports whether b is a JSON number, by JSON's grammar (as
// encoding/json's own check).
func IsNumber(b []byte) bool {
	if len(b) > 0 && b[0] == '-' {
		b = b[1:]
	}
	if len(b) == 0 {
		return false
	}
	switch {
	case b[0] == '0':
		b = b[1:]
	case '1' <= b[0] && b[0] <= '9':
		b = skipDigits(b[1:])
	default:
		return false
	}
	if len(b) >= 2 && b[0] == '.' && isDigit(b[1]) {
		b = skipDigits(b[2:])
	}
	if len(b) >= 2 && (b[0] == 'e' || b[0] == 'E') {
		b = b[1:]
		if b[0] == '+' || b[0] == '-' {
			b = b[1:]
			if len(b) == 0 {
				return false
			}
		}
		if !isDigit(b[0]) {
			return false
		}
		b = skipDigits(b)
	}
	return len(b) == 0
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func skipDigits(b []byte) []byte {
	for len(b) > 0 && isDigit(b[0]) {
		b = b[1:]
	}
	return b
}

// IsNull reports whether raw is empty or null, spaces aside.
func IsNull(raw []byte) bool {
	s := bytes.TrimSpace(raw)
	return len(s) == 0 || string(s) == "null"
}

// TrimSpace trims JSON's white space (space, tab, CR, LF) from b.
func TrimSpace(b []byte) []byte {
	for len(b) > 0 && IsSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && IsSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

// IsSpace reports whether c is JSON white space.
func IsSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }
