package novasendtest

import (
	"crypto/subtle"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/cauripay/cauri/internal/emulator"
	"github.com/cauripay/cauri/providers/novasend"
)

// authenticated checks HTTP Basic base64(api_key:api_client): 401 when the
// header is missing or unreadable, 403 api_token_invalid when the
// credentials are wrong.
func (s *Server) authenticated(w http.ResponseWriter, r *http.Request) bool {
	key, client, ok := r.BasicAuth()
	switch {
	case !ok:
		s.refuse(w, r, "unauthorized")
	case subtle.ConstantTimeCompare([]byte(key), []byte(s.APIKey))&subtle.ConstantTimeCompare([]byte(client), []byte(s.APIClient)) != 1:
		s.refuse(w, r, "api_token_invalid")
	default:
		return true
	}
	return false
}

// createSession is POST /v1/payin/sessions. One creation at a time, under
// the ledger's lock: a replay racing its original sees it. The answers
// are written as json.Marshal writes them (see [emulator.WriteJSON]).
func (s *Server) createSession(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body) // the core read it already
	var status int
	var answer any
	s.c.Locked(func(tx emulator.Tx[Payin], env emulator.Env) { status, answer = s.open(tx, env, w, r, body) })
	emulator.WriteJSON(w, status, "", answer)
}

// open validates a session and opens it, or replays the first answer to
// its X-Idempotency-Key. It returns the answer's status and body.
func (s *Server) open(tx emulator.Tx[Payin], env emulator.Env, w http.ResponseWriter, r *http.Request, body []byte) (int, any) {
	key := strings.TrimSpace(r.Header.Get(novasend.IdempotencyHeader))
	switch status, out, found, reused := s.idem.Find(key, body); {
	case key == "":
		return s.refusal(r, "idempotency_key_required")
	case !emulator.IsUUID(key):
		return s.refusal(r, "idempotency_key_invalid")
	case reused:
		return s.refusal(r, "idempotency_key_reused")
	case found:
		w.Header().Set("Idempotent-Replayed", "true")
		return status, json.RawMessage(out)
	}
	in, ok := emulator.DecodeBody(r.Header.Get("Content-Type"), body, false)
	if !ok {
		return s.refusal(r, "invalid_json")
	}
	p, errs := s.validate(in, r)
	cur, known := novasend.CurrencyOf(p.Country)
	switch {
	case len(errs) > 0:
		return http.StatusBadRequest, s.errorBody(apiError{http.StatusBadRequest, errs[0].Code, errs[0].Message, errs})
	case !known:
		return s.refusal(r, "country_not_found")
	case subtle.ConstantTimeCompare([]byte(p.AccountID), []byte(s.AccountID)) != 1: // missing or another
		return s.refusal(r, "wallet_not_found")
	case tx.Taken(p.CustomerReference):
		return s.refusal(r, "reference_already_used")
	}
	code := emulator.RandomFrom(upperAlnum, 6)
	for tx.Taken(code) {
		code = emulator.RandomFrom(upperAlnum, 6)
	}
	p.Reference, p.PaymentURL, p.Currency = "tr_"+emulator.RandomFrom(lowerAlnum, 26), s.URL+"/link/"+code, cur
	p.Fee, p.FeePaidByCustomer = (p.Amount*2+50)/100, s.feePaidByCustomer // 2%, as the documentation's 300 → 6
	p.IdempotencyKey, p.AcceptLanguage, p.CreatedAt = key, r.Header.Get("Accept-Language"), env.Now.UTC()
	p.Status, p.ConfirmationStatus = "processing", "none"
	tx.Add(p.Reference, p, p.CustomerReference, code)
	out := s.answers.Render("session.json", view{Payin: p})
	s.idem.Keep(key, body, http.StatusCreated, out)
	return http.StatusCreated, json.RawMessage(out)
}

// getPayin is GET /v1/payin/{reference}: by NovaSend's reference or the
// merchant's.
func (s *Server) getPayin(w http.ResponseWriter, r *http.Request) {
	var out json.RawMessage
	var wait time.Duration
	ok := s.c.With(s.c.Resolve(r.PathValue("reference")), func(p *Payin, env emulator.Env) {
		p.StatusCalls = append(p.StatusCalls, env.Now)
		if wait = s.pollLimit - env.Now.Sub(p.lastServed); s.pollLimit > 0 && !p.lastServed.IsZero() && wait > 0 {
			return
		}
		p.lastServed = env.Now
		out = s.answers.Render("status.json", view{p, env.Delta, !s.noStatusTransaction})
	})
	switch {
	case !ok:
		s.refuse(w, r, "transaction_does_not_exist")
	case out == nil:
		emulator.RetryAfter(w, wait)
		s.refuse(w, r, "too_many_requests")
	default:
		emulator.WriteJSON(w, http.StatusOK, "", out)
	}
}

// sessionShape is a session body as the emulated API checks it; the
// country and the account are checked after it.
var sessionShape = emulator.Shape{Trim: true, Fields: []emulator.Field{
	{Name: "reference", Required: true, Max: 100},
	{Name: "accountId", Max: 100},
	{Name: "amount", Kind: emulator.Number, Required: true, Check: emulator.Whole(1, MaxAmount)},
	{Name: "msisdn", Required: true, Max: 16, Check: emulator.E164},
	{Name: "customerName", Required: true, Max: 100},
	{Name: "country", Required: true, Max: 2, Check: func(v any) (string, string) {
		if c := v.(string); len(c) != 2 || strings.ToUpper(c) != c {
			return "iso", ""
		}
		return "", ""
	}},
	{Name: "action", Kind: emulator.Object, Shape: &emulator.Shape{Fields: []emulator.Field{
		{Name: "successUrl", Required: true, Check: emulator.URL},
		{Name: "failureUrl", Required: true, Check: emulator.URL},
	}}},
}}

// validate checks a session body and returns the payin it describes, or
// the errors, worded by rule (data/messages.json) in r's language. An
// action URL missing or not a string is "not a URL".
func (s *Server) validate(in map[string]any, r *http.Request) (*Payin, []fieldError) {
	v, problems := sessionShape.Decode(in)
	a := v.Nested("action")
	p := &Payin{
		CustomerReference: v.String("reference"), AccountID: v.String("accountId"), Amount: v.Int("amount"), Msisdn: v.String("msisdn"),
		CustomerName: v.String("customerName"), Country: v.String("country"), SuccessURL: a.String("successUrl"), FailureURL: a.String("failureUrl"),
	}
	var errs []fieldError
	for _, pr := range problems {
		rule := pr.Rule
		switch {
		case pr.Parent == "action.":
			rule = emulator.RuleURL
		case rule == emulator.RuleType:
			rule += map[emulator.Kind]string{emulator.Number: " number", emulator.Object: " object"}[pr.Kind]
		}
		w := s.words.Rules[rule]
		errs = append(errs, fieldError{Field: pr.Path(), Code: w.Code, Message: w.in(r, "{field}", pr.Path(), "{arg}", pr.Arg)})
	}
	return p, errs
}

// apiError is the emulator's error answer (answers/error.json). NovaSend
// documents its error codes and messages, not the envelope; this one is
// NestJS's with a code.
type apiError struct {
	StatusCode    int
	Code, Message string
	Errors        []fieldError
}

// fieldError is one invalid field of a session.
type fieldError struct{ Field, Code, Message string }

// errorBody is e as an answer.
func (s *Server) errorBody(e apiError) json.RawMessage { return s.answers.Render("error.json", e) }

// messages are NovaSend's words (data/messages.json): its errors by code,
// its validation errors by rule, and its bodies for injected statuses.
type messages struct {
	Errors, Rules map[string]words
	Faults        emulator.Refusals
}

// words are one message: an error's status or a validation rule's code,
// and the message in English and in French, with holes such as {field}.
type words struct {
	Status       int
	Code, En, Fr string
}

// in is the message in r's language (French when Accept-Language asks for
// it), its holes filled: hole, value, hole, value...
func (w words) in(r *http.Request, holes ...string) string {
	msg := w.En
	if strings.HasPrefix(strings.ToLower(strings.TrimSpace(r.Header.Get("Accept-Language"))), "fr") {
		msg = w.Fr
	}
	return strings.NewReplacer(holes...).Replace(msg)
}

// refusal is the error answer of code: its status and body.
func (s *Server) refusal(r *http.Request, code string, holes ...string) (int, any) {
	w := s.words.Errors[code]
	return w.Status, s.errorBody(apiError{StatusCode: w.Status, Code: code, Message: w.in(r, holes...)})
}

// refuse answers with the error code.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, code string, holes ...string) {
	status, body := s.refusal(r, code, holes...)
	emulator.WriteJSON(w, status, "", body)
}
