package paydunya

import (
	"cmp"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/internal/clientkit"
	"github.com/cauripay/cauri/providers/providerhttp"
)

// This file keeps the parsers as they were before they were made cheaper:
// the IPN read into a tree of maps, the confirm answer decoded into
// json.RawMessage fields and each decoded again. The differential tests
// hold the new parsers to them, error messages included.

func refVerifyHash(hash string, want []byte) error {
	got := strings.ToLower(strings.TrimSpace(hash))
	if got == "" {
		return ErrNoHash
	}
	if subtle.ConstantTimeCompare([]byte(got), want) != 1 {
		return ErrBadHash
	}
	return nil
}

func refParseWebhook(p *Provider, body []byte) (cauri.Update, error) {
	form, err := refParseBracketForm(body)
	if err != nil {
		return cauri.Update{}, fmt.Errorf("%w: paydunya IPN: %w", cauri.ErrMalformed, err)
	}
	data := form.child("data")
	var hashErr error
	switch hash, ok, err := data.value("hash"); {
	case err != nil:
		hashErr = ErrBadHash
	case !ok:
		hashErr = ErrNoHash
	default:
		hashErr = refVerifyHash(hash, p.hash)
	}
	u, err := refParseFields(p, data)
	switch {
	case hashErr != nil && err != nil:
		return cauri.Update{}, hashErr
	case hashErr != nil:
		return u, hashErr
	}
	return u, err
}

// refParseFields reads an IPN's fields, its hash aside.
func refParseFields(p *Provider, data *refFormNode) (cauri.Update, error) {
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
			cauri.ErrIgnoredEvent, clientkit.Truncate(mode, 16), p.mode)
	}
	raw, err := field("status")
	if err != nil {
		return cauri.Update{}, err
	}
	if raw == "" {
		return cauri.Update{}, malformed("no data[status]")
	}
	raw = clientkit.Truncate(raw, 64)
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

// refFormNode is one level of a PHP-style form: data[invoice][token]=x is
// the value x at root → data → invoice → token.
type refFormNode struct {
	vals []string
	kids map[string]*refFormNode
}

// refParseBracketForm reads an application/x-www-form-urlencoded body whose
// keys use PHP's bracket notation (a[b][c], a[] for the next index). A key
// whose brackets do not close, or that has text after its last bracket, is
// an error, as is anything url.ParseQuery refuses.
func refParseBracketForm(body []byte) (*refFormNode, error) {
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
	root := &refFormNode{}
	for key, vals := range q {
		path, err := refSplitKey(key)
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

// refSplitKey splits "data[invoice][token]" into data, invoice, token.
func refSplitKey(key string) ([]string, error) {
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

func (n *refFormNode) add(seg string) *refFormNode {
	if n.kids == nil {
		n.kids = make(map[string]*refFormNode)
	}
	k := n.kids[seg]
	if k == nil {
		k = &refFormNode{}
		n.kids[seg] = k
	}
	return k
}

// child returns the node at path, or nil.
func (n *refFormNode) child(path ...string) *refFormNode {
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
func (n *refFormNode) value(path ...string) (string, bool, error) {
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

// refConfirmResponse is what this package reads of confirm's answer.
type refConfirmResponse struct {
	envelope
	Status     json.RawMessage `json:"status"`
	Mode       json.RawMessage `json:"mode"`
	FailReason json.RawMessage `json:"fail_reason"`
	Invoice    json.RawMessage `json:"invoice"`
	CustomData json.RawMessage `json:"custom_data"`
}

// refConfirmed is FetchStatus's reading of a confirm answer, after the
// call, as it was.
func (p *Provider) refConfirmed(q cauri.StatusQuery, ref string, status int, ctype string, body []byte) (cauri.Update, error) {
	var cr refConfirmResponse
	if err := providerhttp.DecodeJSON(ctype, body, &cr); err != nil {
		return cauri.Update{}, &cauri.ProviderError{Provider: Name, Op: "status", StatusCode: status, Err: err}
	}
	if !cr.ok() {
		return cauri.Update{}, refusal("status", status, cr.envelope)
	}
	bad := func(format string, args ...any) error { return malformed("status", status, format, args...) }

	var raw string
	if json.Unmarshal(cr.Status, &raw) != nil || strings.TrimSpace(raw) == "" {
		return cauri.Update{}, bad("answer has no status")
	}
	raw = clientkit.Truncate(strings.TrimSpace(raw), 64)
	if m := refJSONString(cr.Mode); m != "" && !p.sameMode(m) {
		p.log.Warn("paydunya answered about an invoice of the other mode", "mode", clientkit.Truncate(m, 16), "configured", string(p.mode))
		return cauri.Update{}, bad("answer is about a %s-mode invoice, the provider is in %s mode", clientkit.Truncate(m, 16), p.mode)
	}

	var inv struct {
		Token       json.RawMessage `json:"token"`
		TotalAmount json.RawMessage `json:"total_amount"`
	}
	if !clientkit.IsNull(cr.Invoice) && json.Unmarshal(cr.Invoice, &inv) != nil {
		return cauri.Update{}, bad("invoice is not an object")
	}
	paymentID, err := refCustomPaymentID(cr.CustomData)
	if err != nil {
		return cauri.Update{}, bad("%v", err)
	}
	if q.PaymentID != "" && paymentID != "" && paymentID != q.PaymentID {
		return cauri.Update{}, bad("answer is about another payment")
	}
	// The token PayDunya echoes must be the one asked for, unless our own
	// payment ID in custom_data proves the answer is about our payment.
	if tok := clientkit.Text(inv.Token); tok != "" && tok != ref && (q.PaymentID == "" || paymentID != q.PaymentID) {
		return cauri.Update{}, bad("answer is about another invoice")
	}

	u := cauri.Update{
		PaymentID:     paymentID,
		ProviderRef:   ref,
		Status:        p.mapStatus(raw, cmp.Or(q.PaymentID, paymentID)),
		RawStatus:     raw,
		FailureReason: clientkit.Truncate(clientkit.Text(cr.FailReason), 200),
		Authenticated: true,
	}
	if !clientkit.IsNull(inv.TotalAmount) {
		if u.Amount, err = providerhttp.ParseAmountJSON(inv.TotalAmount, Currency); err != nil {
			return cauri.Update{}, &cauri.ProviderError{Provider: Name, Op: "status", StatusCode: status, Err: err}
		}
		u.Currency = Currency
	}
	if u.Status == cauri.StatusPaid && u.Currency == "" {
		return cauri.Update{}, bad("a completed invoice with no total_amount")
	}
	return u, nil
}

// refCustomPaymentID reads custom_data.cauri_payment_id: custom_data may be
// missing, null, an object, or (as PHP encodes an empty one) an array.
func refCustomPaymentID(raw json.RawMessage) (string, error) {
	if clientkit.IsNull(raw) {
		return "", nil
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil {
		var list []json.RawMessage
		if json.Unmarshal(raw, &list) == nil && len(list) == 0 {
			return "", nil
		}
		return "", errors.New("custom_data is not an object")
	}
	v, ok := obj[DataPaymentID]
	if !ok || clientkit.IsNull(v) {
		return "", nil
	}
	id := clientkit.Text(v)
	if id == "" {
		return "", errors.New("custom_data." + DataPaymentID + " is not a string")
	}
	return clientkit.Truncate(id, 64), nil
}

// jsonString returns a JSON string's value, "" for anything else.
func refJSONString(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return ""
}
