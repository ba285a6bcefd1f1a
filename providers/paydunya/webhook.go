package paydunya

import (
	"crypto/sha512"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/cauripay/cauri"
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
	if subtle.ConstantTimeCompare([]byte(got), want) != 1 {
		return ErrBadHash
	}
	return nil
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
	form, err := parseBracketForm(body)
	if err != nil {
		return cauri.Update{}, fmt.Errorf("%w: paydunya IPN: %w", cauri.ErrMalformed, err)
	}
	data := form.child("data")
	hash, ok, err := data.value("hash")
	switch {
	case err != nil:
		return cauri.Update{}, ErrBadHash
	case !ok:
		return cauri.Update{}, ErrNoHash
	}
	if err := verifyHash(hash, p.hash); err != nil {
		return cauri.Update{}, err
	}

	malformed := func(format string, args ...any) error {
		return fmt.Errorf("%w: paydunya IPN: "+format, append([]any{cauri.ErrMalformed}, args...)...)
	}
	field := func(path ...string) (string, error) {
		v, _, err := data.value(path...)
		if err != nil {
			return "", malformed("data[%s]: %v", strings.Join(path, "]["), err)
		}
		return strings.TrimSpace(v), nil
	}

	mode, err := field("mode")
	if err != nil {
		return cauri.Update{}, err
	}
	if mode != "" && !p.sameMode(mode) {
		return cauri.Update{}, fmt.Errorf("%w: paydunya IPN of a %s-mode invoice, the provider is in %s mode",
			cauri.ErrIgnoredEvent, truncate(mode, 16), p.mode)
	}
	raw, err := field("status")
	if err != nil {
		return cauri.Update{}, err
	}
	if raw == "" {
		return cauri.Update{}, malformed("no data[status]")
	}
	raw = truncate(raw, 64)
	token, err := field("invoice", "token")
	if err != nil {
		return cauri.Update{}, err
	}
	if token == "" {
		return cauri.Update{}, malformed("no data[invoice][token]")
	}
	if len(token) > 128 || strings.ContainsFunc(token, func(r rune) bool { return r < 0x21 || r == 0x7f }) {
		return cauri.Update{}, malformed("data[invoice][token] is not an invoice token")
	}
	paymentID, err := field("custom_data", DataPaymentID)
	if err != nil {
		return cauri.Update{}, err
	}
	failReason, err := field("fail_reason")
	if err != nil {
		return cauri.Update{}, err
	}
	total, err := field("invoice", "total_amount")
	if err != nil {
		return cauri.Update{}, err
	}

	u := cauri.Update{
		PaymentID:     truncate(paymentID, 64),
		ProviderRef:   token,
		Status:        p.mapStatus(raw, token),
		RawStatus:     raw,
		FailureReason: truncate(failReason, 200),
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

// formNode is one level of a PHP-style form: data[invoice][token]=x is
// the value x at root → data → invoice → token.
type formNode struct {
	vals []string
	kids map[string]*formNode
}

// parseBracketForm reads an application/x-www-form-urlencoded body whose
// keys use PHP's bracket notation (a[b][c], a[] for the next index). A key
// whose brackets do not close, or that has text after its last bracket, is
// an error, as is anything url.ParseQuery refuses.
func parseBracketForm(body []byte) (*formNode, error) {
	if !utf8.Valid(body) {
		return nil, errors.New("body is not UTF-8 text")
	}
	q, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, errors.New("body is not a form")
	}
	if len(q) > maxFormKeys {
		return nil, errors.New("too many keys")
	}
	root := &formNode{}
	for key, vals := range q {
		path, err := splitKey(key)
		if err != nil {
			return nil, err
		}
		for _, v := range vals {
			n := root
			for _, seg := range path {
				if seg == "" {
					seg = strconv.Itoa(len(n.kids))
				}
				n = n.add(seg)
			}
			n.vals = append(n.vals, v)
		}
	}
	return root, nil
}

// splitKey splits "data[invoice][token]" into data, invoice, token.
func splitKey(key string) ([]string, error) {
	name, rest, found := strings.Cut(key, "[")
	if name == "" {
		return nil, errors.New("a key has no name")
	}
	path := []string{name}
	if !found {
		return path, nil
	}
	rest = "[" + rest
	for rest != "" {
		if rest[0] != '[' {
			return nil, errors.New("a key has text after its brackets")
		}
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return nil, errors.New("a key's bracket does not close")
		}
		path = append(path, rest[1:end])
		rest = rest[end+1:]
		if len(path) > maxFormDepth {
			return nil, errors.New("a key is nested too deep")
		}
	}
	return path, nil
}

func (n *formNode) add(seg string) *formNode {
	if n.kids == nil {
		n.kids = make(map[string]*formNode)
	}
	k := n.kids[seg]
	if k == nil {
		k = &formNode{}
		n.kids[seg] = k
	}
	return k
}

// child returns the node at path, or nil.
func (n *formNode) child(path ...string) *formNode {
	for _, seg := range path {
		if n == nil {
			return nil
		}
		n = n.kids[seg]
	}
	return n
}

// value returns the single value at path. It reports false when there is
// none, and an error when the path holds an object rather than a value, or
// the key was repeated with different values.
func (n *formNode) value(path ...string) (string, bool, error) {
	n = n.child(path...)
	switch {
	case n == nil:
		return "", false, nil
	case len(n.kids) > 0:
		return "", false, errors.New("is an object, not a value")
	case len(n.vals) == 0:
		return "", false, nil
	}
	for _, v := range n.vals[1:] {
		if v != n.vals[0] {
			return "", false, errors.New("is repeated with different values")
		}
	}
	return n.vals[0], true, nil
}
