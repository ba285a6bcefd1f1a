package novasend

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxStringifyDepth is how deeply arrays and objects may nest in a body
// that stringify re-serialises. NovaSend's notifications nest three
// levels; a deeper body is not re-serialised (its signature is then
// checked over the raw bytes only).
const maxStringifyDepth = 64

// stringify returns body as a Node.js receiver following NovaSend's
// documented check computes it: JSON.stringify(JSON.parse(body)), the body
// decoded as UTF-8 (a byte order mark dropped, invalid bytes replaced as
// WHATWG's decoder does) and the result encoded as UTF-8, which is what
// crypto's update hashes. That is:
//
//   - no white space outside strings;
//   - object members in JavaScript's property order: the keys that are
//     array indices ("0" to "4294967294", canonical) first, in ascending
//     numeric order, then the others in the order they first appear; a
//     repeated key keeps its first place and takes its last value;
//   - strings with only '"', '\\' and control characters escaped (\b, \t,
//     \n, \f, \r, else \u00xx), lone surrogates as \udxxx, and everything
//     else as UTF-8: "\/" becomes "/", "\u00e9" becomes "é";
//   - numbers as JavaScript prints a double: the shortest digits that read
//     back to it, in plain notation from 1e-7 to 1e21 and as "1.5e+21"
//     beyond; -0 as 0; a number too large for a double (Infinity) as null;
//   - true, false and null as they are.
//
// ok is false when JSON.parse would throw (body is not JSON) or when the
// body nests deeper than maxStringifyDepth.
func stringify(body []byte) (out []byte, ok bool) {
	src := decodeUTF8(body)
	src = strings.TrimPrefix(src, "\uFEFF")
	s := stringifier{src: src, out: make([]byte, 0, len(src))}
	s.skipSpace()
	if !s.value(0) {
		return nil, false
	}
	s.skipSpace()
	if s.pos != len(s.src) {
		return nil, false
	}
	return s.out, true
}

// stringifier parses src, JSON text, and writes its re-serialisation to
// out as it goes.
type stringifier struct {
	src string
	pos int
	out []byte
}

func (s *stringifier) skipSpace() {
	for s.pos < len(s.src) {
		switch s.src[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// value parses one value at s.pos and writes its re-serialisation.
func (s *stringifier) value(depth int) bool {
	if s.pos >= len(s.src) {
		return false
	}
	switch c := s.src[s.pos]; {
	case c == '{':
		return depth < maxStringifyDepth && s.object(depth+1)
	case c == '[':
		return depth < maxStringifyDepth && s.array(depth+1)
	case c == '"':
		str, ok := s.string()
		if ok {
			s.out = appendJSString(s.out, str)
		}
		return ok
	case c == '-' || '0' <= c && c <= '9':
		return s.number()
	}
	for _, lit := range []string{"true", "false", "null"} {
		if strings.HasPrefix(s.src[s.pos:], lit) {
			s.pos += len(lit)
			s.out = append(s.out, lit...)
			return true
		}
	}
	return false
}

func (s *stringifier) array(depth int) bool {
	s.pos++ // [
	s.out = append(s.out, '[')
	s.skipSpace()
	if s.pos < len(s.src) && s.src[s.pos] == ']' {
		s.pos++
		s.out = append(s.out, ']')
		return true
	}
	for more := true; more; {
		s.skipSpace()
		if !s.value(depth) {
			return false
		}
		var ok bool
		if more, ok = s.next(']'); !ok {
			return false
		}
		if more {
			s.out = append(s.out, ',')
		}
	}
	s.out = append(s.out, ']')
	return true
}

// next reads what follows a value in an array or an object: a comma,
// with more to come, or the closing bracket. ok is false for anything
// else.
func (s *stringifier) next(closing byte) (more, ok bool) {
	s.skipSpace()
	if s.pos >= len(s.src) {
		return false, false
	}
	switch s.src[s.pos] {
	case ',':
		s.pos++
		return true, true
	case closing:
		s.pos++
		return false, true
	}
	return false, false
}

// member is one property of an object being re-serialised: its key (as
// appendJSString reads it) and its value, re-serialised.
type member struct {
	key   string
	value []byte
}

func (s *stringifier) object(depth int) bool {
	s.pos++ // {
	var members []member
	var index map[string]int // of members, by key
	s.skipSpace()
	if s.pos < len(s.src) && s.src[s.pos] == '}' {
		s.pos++
		s.out = append(s.out, "{}"...)
		return true
	}
	for more := true; more; {
		s.skipSpace()
		if s.pos >= len(s.src) || s.src[s.pos] != '"' {
			return false
		}
		key, ok := s.string()
		if !ok {
			return false
		}
		s.skipSpace()
		if s.pos >= len(s.src) || s.src[s.pos] != ':' {
			return false
		}
		s.pos++
		s.skipSpace()
		// The value is written after out's end, then moved to its member.
		mark := len(s.out)
		if !s.value(depth) {
			return false
		}
		value := slices.Clone(s.out[mark:])
		s.out = s.out[:mark]
		if i, seen := index[key]; seen {
			members[i].value = value // JSON.parse: the last value, in the first place
		} else {
			if index == nil {
				index = make(map[string]int)
			}
			index[key] = len(members)
			members = append(members, member{key, value})
		}
		if more, ok = s.next('}'); !ok {
			return false
		}
	}
	// Array indices first, ascending; the other keys keep their order.
	slices.SortStableFunc(members, func(a, b member) int {
		ai, aIndex := arrayIndex(a.key)
		bi, bIndex := arrayIndex(b.key)
		switch {
		case aIndex && bIndex:
			return cmp.Compare(ai, bi)
		case aIndex:
			return -1
		case bIndex:
			return 1
		}
		return 0
	})
	s.out = append(s.out, '{')
	for i, m := range members {
		if i > 0 {
			s.out = append(s.out, ',')
		}
		s.out = appendJSString(s.out, m.key)
		s.out = append(s.out, ':')
		s.out = append(s.out, m.value...)
	}
	s.out = append(s.out, '}')
	return true
}

// arrayIndex reports whether key is an array index as JavaScript defines
// it (the canonical decimal form of an integer from 0 to 2^32-2), which
// objects list first, in numeric order.
func arrayIndex(key string) (uint64, bool) {
	if key == "" || len(key) > 10 || key[0] == '0' && len(key) > 1 {
		return 0, false
	}
	n, err := strconv.ParseUint(key, 10, 64)
	if err != nil || n > math.MaxUint32-1 {
		return 0, false
	}
	return n, true
}

// string parses the string at s.pos and returns its value as a sequence of
// UTF-16 code units written in WTF-8: UTF-8, with a lone surrogate (which
// only a \u escape can make) as its own three bytes and a pair of escaped
// surrogates joined into the one character they make. Two strings are
// equal in JavaScript exactly when they are equal so written.
func (s *stringifier) string() (string, bool) {
	s.pos++ // "
	var b strings.Builder
	pendingHigh := rune(-1) // an escaped high surrogate not yet written
	flush := func() {
		if pendingHigh >= 0 {
			b.WriteString(wtf8Surrogate(pendingHigh))
			pendingHigh = -1
		}
	}
	for s.pos < len(s.src) {
		c := s.src[s.pos]
		switch {
		case c == '"':
			s.pos++
			flush()
			return b.String(), true
		case c < 0x20:
			return "", false // JSON.parse refuses raw control characters
		case c != '\\':
			flush()
			r, size := utf8.DecodeRuneInString(s.src[s.pos:])
			b.WriteRune(r) // src is valid UTF-8 (decodeUTF8)
			s.pos += size
			continue
		}
		// An escape.
		if s.pos+1 >= len(s.src) {
			return "", false
		}
		e := s.src[s.pos+1]
		s.pos += 2
		var r rune
		switch e {
		case '"', '\\', '/':
			r = rune(e)
		case 'b':
			r = '\b'
		case 'f':
			r = '\f'
		case 'n':
			r = '\n'
		case 'r':
			r = '\r'
		case 't':
			r = '\t'
		case 'u':
			if s.pos+4 > len(s.src) {
				return "", false
			}
			n, err := strconv.ParseUint(s.src[s.pos:s.pos+4], 16, 16)
			if err != nil {
				return "", false
			}
			s.pos += 4
			r = rune(n)
			switch {
			case 0xD800 <= r && r < 0xDC00: // high surrogate
				flush()
				pendingHigh = r
				continue
			case 0xDC00 <= r && r < 0xE000: // low surrogate
				if pendingHigh >= 0 {
					b.WriteRune(0x10000 + (pendingHigh-0xD800)<<10 + (r - 0xDC00))
					pendingHigh = -1
				} else {
					b.WriteString(wtf8Surrogate(r))
				}
				continue
			}
		default:
			return "", false
		}
		flush()
		b.WriteRune(r)
	}
	return "", false
}

// wtf8Surrogate is a lone surrogate's three bytes in WTF-8.
func wtf8Surrogate(r rune) string {
	return string([]byte{0xED, byte(0xA0 | (r>>6)&0x1F), byte(0x80 | r&0x3F)})
}

// appendJSString appends str, a WTF-8 string (see stringifier.string), as
// JSON.stringify quotes it.
func appendJSString(out []byte, str string) []byte {
	const hex = "0123456789abcdef"
	// The characters written as a backslash and a letter, and their
	// letters.
	const short, letters = "\"\\\b\f\n\r\t", "\"\\bfnrt"
	out = append(out, '"')
	for i := 0; i < len(str); {
		c := str[i]
		switch k := strings.IndexByte(short, c); {
		case k >= 0:
			out = append(out, '\\', letters[k])
		case c < 0x20:
			out = append(out, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
		case c == 0xED && i+2 < len(str) && str[i+1] >= 0xA0:
			// A lone surrogate, escaped as JSON.stringify does since
			// ES2019.
			r := rune(0xD000) | rune(str[i+1]&0x3F)<<6 | rune(str[i+2]&0x3F)
			out = append(out, '\\', 'u', hex[r>>12], hex[r>>8&0xF], hex[r>>4&0xF], hex[r&0xF])
			i += 3
			continue
		default:
			out = append(out, c)
		}
		i++
	}
	return append(out, '"')
}

// number parses the number at s.pos, by JSON's grammar, and writes it as
// JavaScript prints the double it reads as.
func (s *stringifier) number() bool {
	start := s.pos
	digits := func() int {
		n := 0
		for s.pos < len(s.src) && '0' <= s.src[s.pos] && s.src[s.pos] <= '9' {
			s.pos++
			n++
		}
		return n
	}
	if s.src[s.pos] == '-' {
		s.pos++
	}
	switch {
	case s.pos < len(s.src) && s.src[s.pos] == '0':
		s.pos++
	case digits() == 0:
		return false
	}
	if s.pos < len(s.src) && s.src[s.pos] == '.' {
		s.pos++
		if digits() == 0 {
			return false
		}
	}
	if s.pos < len(s.src) && (s.src[s.pos] == 'e' || s.src[s.pos] == 'E') {
		s.pos++
		if s.pos < len(s.src) && (s.src[s.pos] == '+' || s.src[s.pos] == '-') {
			s.pos++
		}
		if digits() == 0 {
			return false
		}
	}
	f, _ := strconv.ParseFloat(s.src[start:s.pos], 64) // well-formed: only a range error, ±Inf
	s.out = appendJSNumber(s.out, f)
	return true
}

// appendJSNumber appends f as JavaScript's Number.prototype.toString
// writes it (ECMA-262 Number::toString, radix 10), and Infinity as null,
// as JSON.stringify does.
func appendJSNumber(out []byte, f float64) []byte {
	switch {
	case math.IsInf(f, 0) || math.IsNaN(f):
		return append(out, "null"...)
	case f == 0:
		return append(out, '0') // -0 too
	case f < 0:
		out = append(out, '-')
		f = -f
	}
	// The shortest digits that read back to f, and the exponent: f is
	// 0.d1d2...dk × 10^n.
	e := strconv.FormatFloat(f, 'e', -1, 64) // "d.ddde±xx"
	mant, exp, _ := strings.Cut(e, "e")
	digits := strings.Replace(mant, ".", "", 1)
	x, _ := strconv.Atoi(exp)
	k, n := len(digits), x+1
	switch {
	case k <= n && n <= 21:
		out = append(out, digits...)
		for range n - k {
			out = append(out, '0')
		}
	case 0 < n && n <= 21:
		out = append(out, digits[:n]...)
		out = append(out, '.')
		out = append(out, digits[n:]...)
	case -6 < n && n <= 0:
		out = append(out, '0', '.')
		for range -n {
			out = append(out, '0')
		}
		out = append(out, digits...)
	default:
		out = append(out, digits[0])
		if k > 1 {
			out = append(out, '.')
			out = append(out, digits[1:]...)
		}
		out = append(out, 'e')
		if n-1 >= 0 {
			out = append(out, '+')
		}
		out = strconv.AppendInt(out, int64(n-1), 10)
	}
	return out
}

// decodeUTF8 decodes b as WHATWG's UTF-8 decoder does (which Node.js's
// Buffer decoding follows): each maximal invalid subsequence becomes one
// U+FFFD. The result is valid UTF-8.
func decodeUTF8(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	var sb strings.Builder
	sb.Grow(len(b) + 8)
	for i := 0; i < len(b); {
		c := b[i]
		var need int
		lower, upper := byte(0x80), byte(0xBF)
		switch {
		case c < 0x80:
			sb.WriteByte(c)
			i++
			continue
		case 0xC2 <= c && c <= 0xDF:
			need = 1
		case 0xE0 <= c && c <= 0xEF:
			need = 2
			if c == 0xE0 {
				lower = 0xA0
			} else if c == 0xED {
				upper = 0x9F
			}
		case 0xF0 <= c && c <= 0xF4:
			need = 3
			if c == 0xF0 {
				lower = 0x90
			} else if c == 0xF4 {
				upper = 0x8F
			}
		default:
			sb.WriteRune(utf8.RuneError)
			i++
			continue
		}
		j := i + 1
		for seen := 0; seen < need; seen++ {
			if j >= len(b) || b[j] < lower || b[j] > upper {
				break
			}
			lower, upper = 0x80, 0xBF
			j++
		}
		if j-i == need+1 {
			sb.Write(b[i:j])
		} else {
			sb.WriteRune(utf8.RuneError) // the maximal subpart i..j; b[j] is read again
		}
		i = j
	}
	return sb.String()
}
