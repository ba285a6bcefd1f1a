package novasendtest

import (
	"cmp"
	"crypto/subtle"
	"io"
	"net/http"
	"strings"

	"github.com/cauripay/cauri/internal/emulator"
	"github.com/cauripay/cauri/providers/novasend"
)

// createSession is POST /v1/payin/sessions. One creation at a time, under
// the ledger's lock: a replay racing its original sees it.
func (s *Server) createSession(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body) // the core read it already
	var out []byte
	var err error
	s.c.Locked(func(tx emulator.Tx[Payin], env emulator.Env) { out, err = s.open(tx, env, w, r, body) })
	s.api.Answer(w, r, http.StatusCreated, out, err)
}

// open validates a session and opens it, or replays the first answer to
// its X-Idempotency-Key (only an answered creation, 201, is kept).
func (s *Server) open(tx emulator.Tx[Payin], env emulator.Env, w http.ResponseWriter, r *http.Request, body []byte) ([]byte, error) {
	key, first, err := s.idem.Take(r, novasend.IdempotencyHeader, body, emulator.IsUUID, func(problem string) error {
		return s.refused(r, "idempotency_key_"+problem)
	})
	if first != nil {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	if err != nil || first != nil {
		return first, err
	}
	p, err := s.validate(r, body)
	if err != nil {
		return nil, err
	}
	cur, known := novasend.CurrencyOf(p.Country)
	switch {
	case !known:
		return nil, s.refused(r, "country_not_found")
	case subtle.ConstantTimeCompare([]byte(p.AccountID), []byte(s.AccountID)) != 1: // missing or another
		return nil, s.refused(r, "wallet_not_found")
	case tx.Taken(p.CustomerReference):
		return nil, s.refused(r, "reference_already_used")
	}
	code := emulator.RandomFrom(upperAlnum, 6)
	for ; tx.Taken(code); code = emulator.RandomFrom(upperAlnum, 6) {
	}
	p.Reference, p.PaymentURL, p.Currency = "tr_"+emulator.RandomFrom(lowerAlnum, 26), s.URL+"/link/"+code, cur
	p.Fee, p.FeePaidByCustomer = (p.Amount*2+50)/100, s.feePaidByCustomer // 2%, as the documentation's 300 → 6
	p.IdempotencyKey, p.AcceptLanguage, p.CreatedAt = key, r.Header.Get("Accept-Language"), env.Now.UTC()
	p.Status, p.ConfirmationStatus = "processing", "none"
	tx.Add(p.Reference, p, p.CustomerReference, code)
	out := s.api.Body("session.json", view{Payin: p})
	s.idem.Keep(key, body, out)
	return out, nil
}

// getPayin is GET /v1/payin/{reference}: by NovaSend's reference or the
// merchant's, each call timed, those faster than WithPollLimit refused.
func (s *Server) getPayin(w http.ResponseWriter, r *http.Request) {
	body, err := s.c.Lookup(r.PathValue("reference"), s.refused(r, "transaction_does_not_exist"), func(p *Payin, env emulator.Env) error {
		p.StatusCalls = append(p.StatusCalls, env.Now)
		if wait := s.pollLimit - env.Now.Sub(p.lastServed); s.pollLimit > 0 && !p.lastServed.IsZero() && wait > 0 {
			emulator.RetryAfter(w, wait)
			return s.refused(r, "too_many_requests")
		}
		p.lastServed = env.Now
		return nil
	}, func(p *Payin, env emulator.Env) []byte {
		return s.api.Body("status.json", view{p, env.Delta, !s.noStatusTx})
	})
	s.api.Answer(w, r, http.StatusOK, body, err)
}

// validate reads a session body against shapes/session.json and returns
// the payin it describes, or the refusal listing its problems, worded by
// rule (data/tables.json) in r's language. A field's "say" in the shape
// names the rule whose words it takes instead: "type number" for an
// amount that is not a number, "url" for an action URL missing or not a
// string.
func (s *Server) validate(r *http.Request, body []byte) (*Payin, error) {
	in, ok := emulator.DecodeBody(r.Header.Get("Content-Type"), body, false)
	if !ok {
		return nil, s.refused(r, "invalid_json")
	}
	v, problems := s.session.Decode(in)
	var errs []fieldError
	for _, pr := range problems {
		w := s.t.Rules[cmp.Or(pr.Said, pr.Rule)]
		errs = append(errs, fieldError{Field: pr.Path(), Code: w.Code, Message: w.In(r, "{field}", pr.Path(), "{arg}", pr.Arg)})
	}
	if len(errs) > 0 {
		return nil, emulator.Refused{Status: http.StatusBadRequest, Code: errs[0].Code, Message: said{errs[0].Message, errs}}
	}
	p := &Payin{}
	emulator.Bind(p, v)
	return p, nil
}

// isoCountry is the check "iso" of shapes/session.json: an upper-case ISO
// 3166-1 alpha-2 code.
func isoCountry(v any) (rule, arg string) {
	if c := v.(string); len(c) != 2 || strings.ToUpper(c) != c {
		return "iso", ""
	}
	return "", ""
}

// said is a refusal's message as answers/error.json writes it: its Text
// and, for an invalid session, its fields' Errors. NovaSend documents its
// error codes and messages, not the envelope; this one is NestJS's with a
// code.
type said struct {
	Text   string
	Errors []fieldError
}

// fieldError is one invalid field of a session.
type fieldError struct{ Field, Code, Message string }

// refused is the refusal code (data/tables.json) in r's language, its
// holes filled.
func (s *Server) refused(r *http.Request, code string, holes ...string) emulator.Refused {
	w := s.t.Errors[code]
	return emulator.Refused{Status: w.Status, Code: code, Message: said{Text: w.In(r, holes...)}}
}

// refuser answers the refusal code, whatever the request.
func (s *Server) refuser(code string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { s.api.Refuse(w, s.refused(r, code)) }
}
