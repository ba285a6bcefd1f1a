package paydunya

import (
	"bytes"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/internal/clientkit"
)

// Errors of a notification's hash check. Both wrap cauri.ErrUnauthenticated.
var (
	// ErrNoHash: the notification has no data[hash].
	ErrNoHash = fmt.Errorf("%w: paydunya: notification has no data[hash]", cauri.ErrUnauthenticated)
	// ErrBadHash: data[hash] is not the SHA-512 of the master key (or is
	// repeated, or not a single value).
	ErrBadHash = fmt.Errorf("%w: paydunya: data[hash] does not match the master key", cauri.ErrUnauthenticated)
)

// Hash returns what PayDunya puts in every notification's data[hash]: the
// lower-case hex SHA-512 of the master key. It is exported for tests that
// post their own notifications.
func Hash(masterKey string) string {
	sum := sha512.Sum512([]byte(masterKey))
	return hex.EncodeToString(sum[:])
}

// VerifyHash checks a data[hash] value against masterKey in constant time.
// It tolerates surrounding spaces and upper-case hex, and returns nil,
// ErrNoHash or ErrBadHash.
func VerifyHash(hash, masterKey string) error {
	return verifyHash(hash, []byte(Hash(masterKey)))
}

func verifyHash(hash string, want []byte) error {
	got := strings.ToLower(strings.TrimSpace(hash))
	if got == "" {
		return ErrNoHash
	}
	if !equalConstantTime(got, want) {
		return ErrBadHash
	}
	return nil
}

// equalConstantTime reports whether a and b hold the same bytes, in a
// time that depends on their lengths only, as subtle.ConstantTimeCompare
// does (without copying a into a []byte).
func equalConstantTime(a string, b []byte) bool {
	if len(a) != len(b) {
		return false
	}
	var v byte
	for i := range len(b) {
		v |= a[i] ^ b[i]
	}
	return subtle.ConstantTimeByteEq(v, 0) == 1
}

// ParseWebhook reads one PayDunya IPN: an application/x-www-form-urlencoded
// POST of PHP bracket keys under "data",
//
//	data[hash]=...&data[status]=completed&data[invoice][token]=test_jkEdPY8SuG
//	&data[invoice][total_amount]=42300&data[custom_data][cauri_payment_id]=pay_...
//
// data[hash] must be the SHA-512 of the master key (see [Hash]), compared
// in constant time; a missing or different hash returns ErrNoHash or
// ErrBadHash, which wrap cauri.ErrUnauthenticated. That hash is the same in
// every notification and signs none of its content: anyone who saw one IPN
// can replay it with any status and amount. So even a matching hash gives
// an update that is not Authenticated, and the kit confirms it with
// FetchStatus, whose answer replaces what the IPN said. The hash only
// filters noise.
//
// data[status] and data[invoice][token] are required, and a key repeated
// with different values, or a value where an object is expected, is
// refused: those are errors wrapping cauri.ErrMalformed, as are a body that
// is not a form and an unreadable data[invoice][total_amount]. An IPN of
// the other mode (data[mode] "live" for a sandbox provider, or the reverse)
// returns cauri.ErrIgnoredEvent: its invoice cannot be confirmed here.
//
// EventID is "<invoice token>:<status>", so that copies of one
// notification share it.
func (p *Provider) ParseWebhook(_ *http.Request, body []byte) (cauri.Update, error) {
	form, err := readIPN(body)
	if err != nil {
		return cauri.Update{}, fmt.Errorf("%w: paydunya IPN: %w", cauri.ErrMalformed, err)
	}
	var hashErr error
	switch hash, ok, err := form[ipnHash].value(); {
	case err != nil:
		hashErr = ErrBadHash
	case !ok:
		hashErr = ErrNoHash
	default:
		hashErr = verifyHash(hash, p.hash)
	}
	u, err := p.parseIPN(&form)
	switch {
	case hashErr != nil && err != nil:
		return cauri.Update{}, hashErr
	case hashErr != nil:
		// What the IPN claims, for the kit to confirm like any other.
		return u, hashErr
	}
	return u, err
}

// parseIPN reads an IPN's fields into an update, never Authenticated.
func (p *Provider) parseIPN(form *[ipnKeyCount]formValue) (cauri.Update, error) {
	malformed := func(format string, args ...any) error {
		return fmt.Errorf("%w: paydunya IPN: "+format, append([]any{cauri.ErrMalformed}, args...)...)
	}
	field := func(k ipnKey) (string, error) {
		v, _, err := form[k].value()
		if err != nil {
			return "", malformed("%s: %v", ipnKeys[k], err)
		}
		return strings.TrimSpace(v), nil
	}

	mode, err := field(ipnMode)
	if err != nil {
		return cauri.Update{}, err
	}
	if mode != "" && !p.sameMode(mode) {
		return cauri.Update{}, fmt.Errorf("%w: paydunya IPN of a %s-mode invoice, the provider is in %s mode",
			cauri.ErrIgnoredEvent, clientkit.Truncate(mode, 16), p.mode)
	}
	raw, err := field(ipnStatus)
	if err != nil {
		return cauri.Update{}, err
	}
	if raw == "" {
		return cauri.Update{}, malformed("no data[status]")
	}
	raw = clientkit.Truncate(raw, 64)
	token, err := field(ipnToken)
	if err != nil {
		return cauri.Update{}, err
	}
	if token == "" {
		return cauri.Update{}, malformed("no data[invoice][token]")
	}
	if len(token) > 128 || strings.ContainsFunc(token, func(r rune) bool { return r < 0x21 || r == 0x7f }) {
		return cauri.Update{}, malformed("data[invoice][token] is not an invoice token")
	}
	paymentID, err := field(ipnPaymentID)
	if err != nil {
		return cauri.Update{}, err
	}
	failReason, err := field(ipnFailReason)
	if err != nil {
		return cauri.Update{}, err
	}
	total, err := field(ipnTotal)
	if err != nil {
		return cauri.Update{}, err
	}

	u := cauri.Update{
		PaymentID:     clientkit.Truncate(paymentID, 64),
		ProviderRef:   token,
		Status:        p.mapStatus(raw, paymentID),
		RawStatus:     raw,
		FailureReason: clientkit.Truncate(failReason, 200),
		EventID:       token + ":" + raw,
	}
	if total != "" {
		if u.Amount, err = cauri.ParseAmount(total, Currency); err != nil {
			return cauri.Update{}, fmt.Errorf("paydunya IPN: data[invoice][total_amount]: %w", err)
		}
		u.Currency = Currency
	}
	return u, nil
}

// Limits of the form parser: a real IPN has a few dozen keys, three levels
// deep.
const (
	maxFormKeys  = 1000
	maxFormDepth = 8
)

// ipnKey is a key of an IPN that ParseWebhook reads.
type ipnKey int

const (
	ipnHash ipnKey = iota
	ipnMode
	ipnStatus
	ipnToken
	ipnPaymentID
	ipnFailReason
	ipnTotal
	ipnKeyCount
)

// ipnKeys are the keys ParseWebhook reads, as PHP's bracket notation
// writes them.
var ipnKeys = [ipnKeyCount]string{
	ipnHash:       "data[hash]",
	ipnMode:       "data[mode]",
	ipnStatus:     "data[status]",
	ipnToken:      "data[invoice][token]",
	ipnPaymentID:  "data[custom_data][" + DataPaymentID + "]",
	ipnFailReason: "data[fail_reason]",
	ipnTotal:      "data[invoice][total_amount]",
}

// formValue is what a form says of one key: its values, and whether a
// longer key continues it (data[status][0] makes data[status] an object).
type formValue struct {
	first  string // the first value
	n      int    // how many values
	differ bool   // a later value is not the first
	object bool
}

// value returns the key's single value. It reports false when there is
// none, and an error when the key holds an object rather than a value, or
// was repeated with different values.
func (v *formValue) value() (string, bool, error) {
	switch {
	case v.object:
		return "", false, errors.New("is an object, not a value")
	case v.n == 0:
		return "", false, nil
	case v.differ:
		return "", false, errors.New("is repeated with different values")
	}
	return v.first, true, nil
}

// readIPN reads an application/x-www-form-urlencoded body whose keys use
// PHP's bracket notation (a[b][c], a[] for the next index), keeping the
// values of ipnKeys only. Whatever url.ParseQuery refuses is an error, as
// is a key whose brackets do not close, that has text after its last
// bracket, that has no name or is nested too deep.
//
// It reads the form as url.ParseQuery and a tree of its bracket keys
// would, without building either: with every key well formed, key k
// holds an object exactly when another key starts with k + "[", and a
// value at k comes from a key spelt k and no other.
func readIPN(body []byte) (form [ipnKeyCount]formValue, err error) {
	if !utf8.Valid(body) {
		return form, errors.New("body is not UTF-8 text")
	}
	if bytes.Count(body, []byte("&")) >= maxFormKeys {
		// Enough pairs to hold too many distinct keys, or to meet net/url's
		// own limit on their number: ParseQuery counts them.
		q, err := url.ParseQuery(string(body))
		if err != nil {
			return form, errors.New("body is not a form")
		}
		if len(q) > maxFormKeys {
			return form, errors.New("too many keys")
		}
	}
	var notForm bool
	var keyErr error
	var keyBuf, valBuf [128]byte
	for rest := body; len(rest) > 0; {
		var pair []byte
		pair, rest, _ = bytes.Cut(rest, []byte("&"))
		if bytes.IndexByte(pair, ';') >= 0 {
			notForm = true // "invalid semicolon separator in query"
			continue
		}
		if len(pair) == 0 {
			continue
		}
		k, v, _ := bytes.Cut(pair, []byte("="))
		if !validEscapes(k) || !validEscapes(v) {
			notForm = true
			continue
		}
		key := unescape(keyBuf[:0], k)
		if err := checkKey(key); err != nil {
			if keyErr == nil {
				keyErr = err
			}
			continue
		}
		if len(key) < len("data[") || string(key[:len("data[")]) != "data[" {
			continue
		}
		for i := range form {
			f, want := &form[i], ipnKeys[i]
			switch {
			case string(key) == want:
				s := string(unescape(valBuf[:0], v))
				if f.n == 0 {
					f.first = s
				} else if s != f.first {
					f.differ = true
				}
				f.n++
			case len(key) > len(want) && key[len(want)] == '[' && string(key[:len(want)]) == want:
				f.object = true
			}
		}
	}
	switch {
	case notForm:
		return form, errors.New("body is not a form")
	case keyErr != nil:
		return form, keyErr
	}
	return form, nil
}

// checkKey checks a bracket key: a name, then segments in brackets
// ("data[invoice][token]"), at most maxFormDepth levels in all.
func checkKey(key []byte) error {
	i := bytes.IndexByte(key, '[')
	switch {
	case i == 0 || len(key) == 0:
		return errors.New("a key has no name")
	case i < 0:
		return nil
	}
	depth := 1
	for rest := key[i:]; len(rest) > 0; {
		if rest[0] != '[' {
			return errors.New("a key has text after its brackets")
		}
		end := bytes.IndexByte(rest, ']')
		if end < 0 {
			return errors.New("a key's bracket does not close")
		}
		depth++
		rest = rest[end+1:]
		if depth > maxFormDepth {
			return errors.New("a key is nested too deep")
		}
	}
	return nil
}

// validEscapes reports whether url.QueryUnescape accepts s: every % is
// followed by two hex digits.
func validEscapes(s []byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '%' {
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return false
			}
			i += 2
		}
	}
	return true
}

// unescape appends to dst s as url.QueryUnescape decodes it ("+" is a
// space, %XX a byte); s has valid escapes.
func unescape(dst, s []byte) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '+':
			dst = append(dst, ' ')
		case '%':
			dst = append(dst, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}
