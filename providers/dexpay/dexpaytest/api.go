package dexpaytest

import (
	"cmp"
	"context"
	"crypto/subtle"
	"net/http"
	"slices"

	"github.com/cauripay/cauri/internal/emulator"
	"github.com/cauripay/cauri/providers/dexpay"
)

// authenticated checks x-api-key and x-api-secret.
func (s *Server) authenticated(w http.ResponseWriter, r *http.Request) bool {
	k, sec := r.Header.Get(dexpay.HeaderAPIKey), r.Header.Get(dexpay.HeaderAPISecret)
	if k == "" || sec == "" {
		s.fail(w, http.StatusUnauthorized, "UNAUTHORIZED", "Missing API credentials: x-api-key and x-api-secret are required")
		return false
	}
	// Both compared, whatever the first gives.
	if subtle.ConstantTimeCompare([]byte(k), []byte(s.APIKey))&subtle.ConstantTimeCompare([]byte(sec), []byte(s.APISecret)) != 1 {
		s.fail(w, http.StatusUnauthorized, "UNAUTHORIZED", "Invalid API credentials")
		return false
	}
	return true
}

// read reads a request's JSON body against shape and rules, answering 400
// when it is not JSON or breaks them.
func (s *Server) read(w http.ResponseWriter, r *http.Request, shape *emulator.Shape, rules ...func(emulator.Values) []string) (emulator.Values, bool) {
	in, _, ok := emulator.ReadBody(r, true)
	if !ok {
		s.fail(w, http.StatusBadRequest, "INVALID_JSON", "Unexpected token in JSON body")
		return nil, false
	}
	v, errs := shape.Validate(in)
	for _, rule := range rules {
		errs = append(errs, rule(v)...)
	}
	return v, s.valid(w, errs)
}

// valid answers 400 with the validation messages, if any.
func (s *Server) valid(w http.ResponseWriter, messages []string) bool {
	if len(messages) > 0 {
		s.fail(w, http.StatusBadRequest, "VALIDATION_ERROR", messages)
	}
	return len(messages) == 0
}

// createSession is POST /api/v1/checkout-sessions.
func (s *Server) createSession(w http.ResponseWriter, r *http.Request) {
	v, ok := s.read(w, r, s.shapes["session.json"])
	if !ok {
		return
	}
	ss := newSession(v, s.c.Settings().Now.UTC(), s.Mode == dexpay.Sandbox)
	var d []byte
	s.c.Locked(func(tx emulator.Tx[Session], _ emulator.Env) {
		if tx.Taken(ss.Reference) {
			return
		}
		for ss.ID = newSessionID(); !tx.Add(ss.Reference, ss, ss.ID); ss.ID = newSessionID() {
		}
		d = s.answers.Body("session.json", s.view(ss, 0))
	})
	if d == nil {
		s.fail(w, http.StatusConflict, "DUPLICATE_REFERENCE", "A checkout session with this reference already exists")
		return
	}
	s.ok(w, http.StatusCreated, d)
}

// newSessionID returns a session ID, the path of its hosted page.
func newSessionID() string { return "cs_" + emulator.RandomHex(12) }

// getSession is GET /api/v1/checkout-sessions/reference/{reference} and
// GET /api/v1/checkout-sessions/{id}: the session ID, or the reference as
// the plugin passes it.
func (s *Server) getSession(w http.ResponseWriter, r *http.Request) {
	var d []byte
	found := s.c.With(s.c.Resolve(cmp.Or(r.PathValue("id"), r.PathValue("reference"))), func(ss *Session, env emulator.Env) {
		d = s.answers.Body("session.json", s.view(ss, env.Delta))
	})
	s.reply(w, found, "Checkout session", "", d)
}

// reply answers d, or refuses: 404 when the session or payout (what) was
// not found, 400 when refused says why it cannot be changed.
func (s *Server) reply(w http.ResponseWriter, found bool, what, refused string, d []byte) {
	switch {
	case !found:
		s.fail(w, http.StatusNotFound, "NOT_FOUND", what+" not found")
	case refused != "":
		s.fail(w, http.StatusBadRequest, "INVALID_STATUS", refused)
	default:
		s.ok(w, http.StatusOK, d)
	}
}

// listSessions is GET /api/v1/checkout-sessions?page=&limit=, newest
// first.
func (s *Server) listSessions(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	v, errs := s.shapes["list.json"].Validate(map[string]any{"page": q.Get("page"), "limit": q.Get("limit")})
	if !s.valid(w, errs) {
		return
	}
	page, limit := cmp.Or(int(v.Int("page")), 1), cmp.Or(int(v.Int("limit")), 10)
	all := s.c.All()
	slices.SortFunc(all, func(a, b Session) int {
		return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), cmp.Compare(a.Reference, b.Reference))
	})
	from := min((page-1)*limit, len(all))
	to := min(from+limit, len(all))
	data := make([]string, 0, to-from)
	delta := s.c.Settings().Delta
	for _, ss := range all[from:to] {
		data = append(data, string(s.answers.Body("session.json", s.view(&ss, delta))))
	}
	s.answers.Write(w, http.StatusOK, "list.json", map[string]any{"Data": data, "Page": page, "Limit": limit, "Total": len(all), "More": to < len(all)})
}

// cancelSession is DELETE /api/v1/checkout-sessions/{id}: a pending
// session is cancelled and CHECKOUT_CANCELLED sent.
func (s *Server) cancelSession(w http.ResponseWriter, r *http.Request) {
	var d []byte
	var refused string
	var ns []emulator.Notification
	found := s.c.With(s.c.Resolve(r.PathValue("id")), func(ss *Session, env emulator.Env) {
		if slices.Contains(finals, ss.Status) {
			refused = "Checkout session is " + ss.Status + " and cannot be cancelled"
			return
		}
		ss.Status, ss.CompletedAt = StatusCancelled, env.Now.UTC()
		d, ns = s.answers.Body("session.json", s.view(ss, env.Delta)), s.notify(ss, env)
	})
	_ = s.c.Deliver(context.WithoutCancel(r.Context()), ns)
	s.reply(w, found, "Checkout session", refused, d)
}

// createPayout is POST /api/v1/payouts.
func (s *Server) createPayout(w http.ResponseWriter, r *http.Request) {
	v, ok := s.read(w, r, s.shapes["payout.json"], s.t.payoutRules)
	if !ok {
		return
	}
	now := s.c.Settings().Now.UTC()
	p := newPayout(v, now)
	d := s.answers.Body("payout.json", s.payoutView(p))
	s.payouts.Add(p.ID, p, p.Reference)
	s.ok(w, http.StatusCreated, d)
}

// getPayout is GET /api/v1/payouts/{id}: by ID, or by reference.
func (s *Server) getPayout(w http.ResponseWriter, r *http.Request) {
	var d []byte
	found := s.payouts.With(r.PathValue("id"), func(p *Payout) { d = s.answers.Body("payout.json", s.payoutView(p)) })
	s.reply(w, found, "Payout", "", d)
}

// cancelPayout is POST /api/v1/payouts/{id}/cancel {reason}: only a
// PENDING payout can be cancelled.
func (s *Server) cancelPayout(w http.ResponseWriter, r *http.Request) {
	in, _, _ := emulator.ReadBody(r, true)
	v, errs := s.shapes["cancel.json"].Validate(in)
	if !s.valid(w, errs) {
		return
	}
	now := s.c.Settings().Now.UTC()
	var d []byte
	var refused string
	found := s.payouts.With(r.PathValue("id"), func(p *Payout) {
		if p.Status != StatusPending {
			refused = "Only PENDING payouts can be cancelled; this one is " + p.Status
			return
		}
		p.Status, p.FailureReason, p.UpdatedAt = StatusCancelled, cmp.Or(v.String("reason"), "Cancelled by merchant"), now
		d = s.answers.Body("payout.json", s.payoutView(p))
	})
	s.reply(w, found, "Payout", refused, d)
}
