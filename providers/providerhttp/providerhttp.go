// Package providerhttp makes the JSON and form HTTP calls provider packages
// send to their aggregators' APIs, and turns every way such a call can fail
// into a [*cauri.ProviderError] the kit knows how to treat:
//
//   - no answer (network error, dropped connection, timeout), 5xx, 408 and
//     429 are Temporary, with RetryAfter taken from a Retry-After header in
//     seconds or as an HTTP date;
//   - other 4xx (and the odd 3xx) are permanent;
//   - the caller's own context ending is wrapped so that errors.Is(err,
//     context.Canceled) and errors.Is(err, context.DeadlineExceeded) hold. A
//     cancelled call is not Temporary (nobody is waiting any more); a call
//     whose deadline passed is (the provider was too slow).
//
// Answers are read up to a size cap. Errors never contain request headers
// (where the secrets are), nor the request URL's query string; a URL whose
// path holds a secret is named by Request.Endpoint instead, and [Scrub]
// takes values the caller knows to be secret out of an error's text.
//
// Every provider under providers/ makes its calls with it, and so can a
// provider written outside this module: [cauri.Provider] asks for
// *cauri.ProviderError values, and a provider that sends its calls
// through [Client.Do] returns them without classifying anything itself.
// The package example is such a provider, in one file, run through a kit.
package providerhttp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cauripay/cauri"
)

const (
	// DefaultTimeout bounds a whole call made with the client [New] builds
	// when none is given. The kit sets tighter per-attempt deadlines through
	// the context.
	DefaultTimeout = 30 * time.Second
	// DefaultMaxBody is how much of an answer is read when
	// Client.MaxBody is zero: 1 MiB.
	DefaultMaxBody = 1 << 20
	// DefaultUserAgent is sent when Client.UserAgent is empty.
	DefaultUserAgent = "cauri (+https://github.com/cauripay/cauri)"
)

// Client sends one provider's API calls. Its exported fields are read,
// never written, by Do: set them before use. A Client is safe for
// concurrent use, and must not be copied after first use.
type Client struct {
	// Provider is the provider's name, copied to ProviderError.Provider.
	Provider string
	// HTTP sends the requests. Nil means a client of its own, built on
	// first use and kept for the Client's later calls: DefaultTimeout over
	// a new transport with its own connection pool (never
	// http.DefaultClient nor http.DefaultTransport), as [New] builds.
	HTTP *http.Client
	// UserAgent is sent with every request. Empty means DefaultUserAgent.
	UserAgent string
	// MaxBody is the most bytes of an answer read. Zero means
	// DefaultMaxBody. A 2xx answer longer than that is an error wrapping
	// cauri.ErrMalformed; an error answer is cut. Up to 64 KiB past the
	// cut are read and thrown away, so that the connection can be reused.
	MaxBody int64
	// Describe, when set, extracts the provider's explanation from an
	// error answer (its "message" field, say) for ProviderError.Message.
	// It must not return secrets or personal data. Nil, or an empty
	// result, leaves Message empty unless the answer is not JSON, which
	// Message then says.
	Describe func(status int, header http.Header, body []byte) string

	// own is the client used when HTTP is nil, built once under ownOnce.
	ownOnce sync.Once
	own     *http.Client
}

// New returns a Client for provider that sends requests with hc, or with a
// client of its own when hc is nil: a new [*http.Transport] with its own
// connection pool and timeouts, never http.DefaultClient or
// http.DefaultTransport.
func New(provider string, hc *http.Client) *Client {
	if hc == nil {
		hc = newHTTPClient()
	}
	return &Client{Provider: provider, HTTP: hc}
}

// newHTTPClient returns the client a Client uses when it is given none:
// DefaultTimeout for a whole call, over a new [*http.Transport] with its own
// connection pool and its own dial, TLS handshake, response header and idle
// timeouts. It never uses, reads or changes http.DefaultClient or
// http.DefaultTransport, so that nothing else in the process (replacing
// DefaultTransport with a wrapper, closing its idle connections, say)
// disturbs calls to the provider. Proxies are taken from the environment,
// as by http.DefaultTransport.
func newHTTPClient() *http.Client {
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Client{
		Timeout: DefaultTimeout,
		Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           dialer.DialContext,
			ForceAttemptHTTP2:     true,
			TLSHandshakeTimeout:   10 * time.Second,
			ResponseHeaderTimeout: DefaultTimeout,
			ExpectContinueTimeout: time.Second,
			IdleConnTimeout:       90 * time.Second,
			MaxIdleConns:          100,
			// Every call goes to the provider's one API host: keep more
			// than the standard 2 idle connections to it, so that a burst
			// of checkouts does not open and close connections.
			MaxIdleConnsPerHost: 16,
		},
	}
}

// Request is one API call.
type Request struct {
	// Op names the operation in errors: "create", "status".
	Op string
	// Method is the HTTP method: "GET", "POST".
	Method string
	// URL is the full URL. Only its scheme, host and path appear in errors,
	// unless Endpoint is set.
	URL string
	// Endpoint, when set, names the endpoint in errors instead of the URL:
	// for APIs whose URL path is itself a credential or a token.
	Endpoint string
	// Header is sent as is (credentials go here). It never appears in
	// errors.
	Header http.Header
	// At most one of JSON, Form and Body is set. JSON is marshalled and
	// sent as application/json; Form is sent as
	// application/x-www-form-urlencoded; Body is sent as is, with whatever
	// Content-Type Header says.
	JSON any
	Form url.Values
	Body []byte
}

// Response is a provider's answer.
type Response struct {
	// StatusCode is the HTTP status.
	StatusCode int
	// Header is the answer's header.
	Header http.Header
	// Body is the answer, read up to the size cap.
	Body []byte
}

// DecodeJSON decodes the answer's body into v; see [DecodeJSON].
func (r *Response) DecodeJSON(v any) error {
	return DecodeJSON(r.Header.Get("Content-Type"), r.Body, v)
}

// Do sends req. It returns the answer whenever one came. The error is nil
// for a 2xx answer; otherwise it is a *cauri.ProviderError (also returned
// with the answer for a non-2xx status, so the caller can read the body).
func (c *Client) Do(ctx context.Context, req Request) (*Response, error) {
	perr := func(status int, err error) *cauri.ProviderError {
		return &cauri.ProviderError{Provider: c.Provider, Op: req.Op, StatusCode: status, Err: err}
	}
	where := req.Method + " " + Redact(req.URL)
	if req.Endpoint != "" {
		where = req.Method + " " + req.Endpoint
	}

	body, ctype, err := encode(req)
	if err != nil {
		return nil, perr(0, fmt.Errorf("%s: encoding the request: %w", where, err))
	}
	hr, err := http.NewRequestWithContext(ctx, req.Method, req.URL, bytes.NewReader(body))
	if err != nil {
		// The URL is the caller's; its text stays out of the error.
		return nil, perr(0, fmt.Errorf("%s: building the request: invalid method or URL", where))
	}
	for k, vs := range req.Header {
		for _, v := range vs {
			hr.Header.Add(k, v)
		}
	}
	if ctype != "" && hr.Header.Get("Content-Type") == "" {
		hr.Header.Set("Content-Type", ctype)
	}
	if hr.Header.Get("User-Agent") == "" {
		ua := c.UserAgent
		if ua == "" {
			ua = DefaultUserAgent
		}
		hr.Header.Set("User-Agent", ua)
	}

	res, err := c.httpClient().Do(hr)
	if err != nil {
		return nil, c.transportError(ctx, req.Op, where, err)
	}
	defer drainAndClose(res.Body)

	limit := c.MaxBody
	if limit <= 0 {
		limit = DefaultMaxBody
	}
	data, err := io.ReadAll(io.LimitReader(res.Body, limit+1))
	if err != nil {
		pe := c.transportError(ctx, req.Op, where, fmt.Errorf("reading the answer: %w", err))
		pe.StatusCode = res.StatusCode
		return nil, pe
	}
	tooLong := int64(len(data)) > limit
	if tooLong {
		data = data[:limit]
	}
	resp := &Response{StatusCode: res.StatusCode, Header: res.Header, Body: data}

	if res.StatusCode >= 200 && res.StatusCode < 300 {
		if tooLong {
			return resp, perr(res.StatusCode, fmt.Errorf("%w: %s: answer longer than %d bytes", cauri.ErrMalformed, where, limit))
		}
		return resp, nil
	}
	pe := perr(res.StatusCode, nil)
	pe.Temporary = TemporaryStatus(res.StatusCode)
	if pe.Temporary {
		pe.RetryAfter = ParseRetryAfter(res.Header.Get("Retry-After"), time.Now())
	}
	if c.Describe != nil {
		pe.Message = c.Describe(res.StatusCode, res.Header, data)
	}
	if pe.Message == "" && len(bytes.TrimSpace(data)) > 0 && !json.Valid(data) {
		pe.Message = "expected JSON, got " + mediaType(res.Header.Get("Content-Type"), data)
	}
	return resp, pe
}

// httpClient returns c.HTTP, or c's own client when that is nil.
func (c *Client) httpClient() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	c.ownOnce.Do(func() { c.own = newHTTPClient() })
	return c.own
}

// maxDrain is the most bytes of an answer read past what Do keeps (an
// error answer cut at MaxBody, a 2xx answer found too long) before the body
// is closed: a rest that short is read and thrown away so that the
// connection goes back to the pool for the next call; a longer one is left
// unread and the connection closed, which costs less than reading it.
const maxDrain = 64 << 10

// drainAndClose reads up to maxDrain bytes left in body, then closes it.
func drainAndClose(body io.ReadCloser) {
	_, _ = io.CopyN(io.Discard, body, maxDrain)
	_ = body.Close()
}

// transportError classifies a failure to get an answer.
func (c *Client) transportError(ctx context.Context, op, where string, err error) *cauri.ProviderError {
	pe := &cauri.ProviderError{Provider: c.Provider, Op: op}
	if cerr := ctx.Err(); cerr != nil {
		// The caller's context ended: say so, wrapping its error.
		pe.Err = fmt.Errorf("%s: %w", where, cerr)
		pe.Temporary = errors.Is(cerr, context.DeadlineExceeded)
		return pe
	}
	// A *url.Error repeats the URL, query included: keep only its cause.
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	pe.Err = fmt.Errorf("%s: %w", where, err)
	pe.Temporary = true
	return pe
}

// encode returns the request body and the Content-Type it implies.
func encode(req Request) ([]byte, string, error) {
	n := 0
	for _, set := range []bool{req.JSON != nil, req.Form != nil, req.Body != nil} {
		if set {
			n++
		}
	}
	switch {
	case n > 1:
		return nil, "", errors.New("more than one of JSON, Form and Body set")
	case req.JSON != nil:
		b, err := json.Marshal(req.JSON)
		return b, "application/json", err
	case req.Form != nil:
		return []byte(req.Form.Encode()), "application/x-www-form-urlencoded", nil
	}
	return req.Body, "", nil
}

// TemporaryStatus reports whether an HTTP status is worth retrying: 408,
// 429 and every 5xx.
func TemporaryStatus(code int) bool {
	return code == http.StatusRequestTimeout || code == http.StatusTooManyRequests || code >= 500
}

// ParseRetryAfter reads a Retry-After header: a number of seconds or an HTTP
// date, relative to now. It returns 0 when v is empty, unreadable or in
// the past.
func ParseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		const maxSecs = int64(365 * 24 * 3600)
		return time.Duration(min(secs, maxSecs)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d.Round(time.Second)
		}
	}
	return 0
}

// Redact returns rawURL without its query, fragment and user info, for
// errors and logs.
func Redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "<invalid URL>"
	}
	u.User, u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment = nil, "", false, "", ""
	return u.String()
}

// Redacted is what [Scrub] writes in place of a secret.
const Redacted = "<redacted>"

// Scrub returns err with every one of secrets, as given or escaped for a
// URL's path or query, replaced by [Redacted] in its text: for a value a
// provider's API takes in its URL and may echo in its answers, such as a
// per-payment token that is also the path of the provider's hosted page.
// A *cauri.ProviderError keeps its type and fields, with Message scrubbed
// and Err wrapped so that its text is scrubbed while errors.Is and
// errors.As still see every error under it; any other error whose text
// holds a secret is wrapped the same way. Empty secrets are ignored, and
// nil gives nil.
func Scrub(err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	var forms []string
	for _, s := range secrets {
		if s == "" {
			continue
		}
		for _, f := range []string{s, url.PathEscape(s), url.QueryEscape(s)} {
			if !slices.Contains(forms, f) {
				forms = append(forms, f)
			}
		}
	}
	if len(forms) == 0 {
		return err
	}
	// Longest first, so that an escaped form is never half replaced by a
	// shorter one it contains.
	slices.SortFunc(forms, func(a, b string) int { return len(b) - len(a) })
	scrub := func(text string) string {
		for _, f := range forms {
			text = strings.ReplaceAll(text, f, Redacted)
		}
		return text
	}
	wrap := func(e error) error {
		if text := scrub(e.Error()); text != e.Error() {
			return &scrubbed{err: e, text: text}
		}
		return e
	}
	pe, ok := err.(*cauri.ProviderError)
	if !ok {
		return wrap(err)
	}
	cp := *pe
	cp.Message = scrub(cp.Message)
	if cp.Err != nil {
		cp.Err = wrap(cp.Err)
	}
	return &cp
}

// scrubbed is an error whose text had secrets taken out.
type scrubbed struct {
	err  error
	text string
}

func (e *scrubbed) Error() string { return e.text }
func (e *scrubbed) Unwrap() error { return e.err }

// JoinURL appends path segments to base, escaping each: JoinURL(
// "https://api.example/v1/", "payments", id, "verify").
func JoinURL(base string, segments ...string) string {
	var b strings.Builder
	b.WriteString(strings.TrimRight(base, "/"))
	for _, s := range segments {
		b.WriteByte('/')
		b.WriteString(url.PathEscape(s))
	}
	return b.String()
}

// DecodeJSON decodes body into v. When body is not JSON it returns an error
// wrapping cauri.ErrMalformed that says what came instead ("expected JSON,
// got text/html"), from contentType or, when that is missing or claims
// JSON, from a look at the body. The body itself is never quoted.
func DecodeJSON(contentType string, body []byte, v any) error {
	err := json.Unmarshal(body, v)
	if err == nil {
		return nil
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return fmt.Errorf("%w: expected JSON, got an empty body", cauri.ErrMalformed)
	}
	if !json.Valid(body) {
		return fmt.Errorf("%w: expected JSON, got %s", cauri.ErrMalformed, mediaType(contentType, body))
	}
	// Valid JSON of the wrong shape: json's message names the field and
	// type, not the value.
	return fmt.Errorf("%w: unexpected JSON: %w", cauri.ErrMalformed, err)
}

// mediaType names what a non-JSON body is, for error messages.
func mediaType(contentType string, body []byte) string {
	mt, _, err := mime.ParseMediaType(contentType)
	if err == nil && mt != "" && !strings.Contains(mt, "json") {
		return mt
	}
	sniffed, _, _ := mime.ParseMediaType(http.DetectContentType(body))
	if sniffed == "text/plain" && mt != "" && err == nil {
		return mt + " that is not JSON"
	}
	return sniffed
}

// Number is a JSON value that providers write either as a number (200,
// 10.5) or as a string ("200", "10.50"). It keeps the decimal text; null
// gives "".
type Number string

// UnmarshalJSON accepts a JSON number, a JSON string or null.
func (n *Number) UnmarshalJSON(b []byte) error {
	s, err := numberText(b)
	if err != nil {
		return err
	}
	*n = Number(s)
	return nil
}

// Amount converts n, in the currency's main unit, to smallest units with
// cauri.ParseAmount. An empty n is an error wrapping cauri.ErrMalformed.
func (n Number) Amount(currency string) (int64, error) {
	if n == "" {
		return 0, fmt.Errorf("%w: no amount", cauri.ErrMalformed)
	}
	return cauri.ParseAmount(string(n), currency)
}

// ParseAmountJSON reads a JSON number or string holding an amount in the
// currency's main unit and returns it in smallest units. null, an empty
// value and anything else is an error wrapping cauri.ErrMalformed.
func ParseAmountJSON(raw json.RawMessage, currency string) (int64, error) {
	s, err := numberText(raw)
	if err != nil {
		return 0, err
	}
	return Number(s).Amount(currency)
}

// numberText returns the text of a JSON number or string, "" for null.
func numberText(b []byte) (string, error) {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		return "", nil
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return "", fmt.Errorf("%w: amount is not a valid JSON string", cauri.ErrMalformed)
		}
		return strings.TrimSpace(s), nil
	case b[0] == '-' || (b[0] >= '0' && b[0] <= '9'):
		var num json.Number
		if err := json.Unmarshal(b, &num); err != nil {
			return "", fmt.Errorf("%w: amount is not a valid JSON number", cauri.ErrMalformed)
		}
		return num.String(), nil
	}
	return "", fmt.Errorf("%w: amount is neither a number nor a string", cauri.ErrMalformed)
}
