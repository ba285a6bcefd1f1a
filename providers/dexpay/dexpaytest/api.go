package dexpaytest

import (
	"cmp"
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/cauripay/cauri/internal/emulator"
	"github.com/cauripay/cauri/providers/dexpay"
)

// createSession is POST /api/v1/checkout-sessions: a PENDING session, or
// 409 for a reference already used.
func (s *Server) createSession(r *http.Request) ([]byte, error) {
	v, err := s.api.Read(r, s.shapes["session.json"])
	if err != nil {
		return nil, err
	}
	ss := &Session{Status: StatusPending, Sandbox: s.Mode == dexpay.Sandbox, CreatedAt: s.c.Settings().Now.UTC()}
	emulator.Bind(ss, v)
	var d []byte
	s.c.Locked(func(tx emulator.Tx[Session], _ emulator.Env) {
		if !tx.Taken(ss.Reference) {
			for ss.ID = newSessionID(); !tx.Add(ss.Reference, ss, ss.ID); ss.ID = newSessionID() {
			}
			d = s.session(ss, emulator.Env{})
		}
	})
	if d == nil {
		return nil, s.t.Refused["duplicate"]
	}
	return d, nil
}

// newSessionID returns a session ID, the path of its hosted page.
func newSessionID() string { return "cs_" + emulator.RandomHex(12) }

// getSession is GET /api/v1/checkout-sessions/reference/{reference} and
// GET /api/v1/checkout-sessions/{id}: the session ID, or the reference as
// the plugin passes it.
func (s *Server) getSession(r *http.Request) ([]byte, error) {
	return s.c.Lookup(r.PathValue("id"), s.t.Refused["noSession"], nil, s.session)
}

// listSessions is GET /api/v1/checkout-sessions?page=&limit=, newest
// first.
func (s *Server) listSessions(r *http.Request) ([]byte, error) {
	v, err := s.api.Query(r, s.shapes["list.json"], "page", "limit")
	if err != nil {
		return nil, err
	}
	all, env := s.c.All(), s.c.Settings()
	slices.SortFunc(all, func(a, b Session) int {
		return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), cmp.Compare(a.Reference, b.Reference))
	})
	page := emulator.Paginate(all, cmp.Or(int(v.Int("page")), 1), cmp.Or(int(v.Int("limit")), 10))
	data := make([]string, len(page.Items))
	for i, ss := range page.Items {
		data[i] = string(s.session(&ss, env))
	}
	return s.api.Body("list.json", map[string]any{"Data": data, "Page": page}), nil
}

// cancelSession is DELETE /api/v1/checkout-sessions/{id}: a pending
// session is cancelled and CHECKOUT_CANCELLED sent.
func (s *Server) cancelSession(r *http.Request) ([]byte, error) {
	var ns []emulator.Notification
	d, err := s.c.Lookup(r.PathValue("id"), s.t.Refused["noSession"], func(ss *Session, env emulator.Env) error {
		if slices.Contains(finals, ss.Status) {
			return s.t.Refused["notCancellable"].With(ss.Status)
		}
		ss.Status, ss.CompletedAt = StatusCancelled, env.Now.UTC()
		ns = s.notify(ss, env)
		return nil
	}, s.session)
	// Deliver fails only once the emulator is closing (its context never
	// ends): the cancellation stands and is answered all the same.
	_ = s.c.Deliver(context.WithoutCancel(r.Context()), ns)
	return d, err
}

// createPayout is POST /api/v1/payouts: a PENDING payout, its fees 1% of
// its amount.
func (s *Server) createPayout(r *http.Request) ([]byte, error) {
	v, err := s.api.Read(r, s.shapes["payout.json"], emulator.Pairs(s.t.OperatorCountries,
		"destination_details.operator", "destination_details.countryISO", "destination_details.operator %s is not available in %s"))
	if err != nil {
		return nil, err
	}
	now := s.c.Settings().Now.UTC()
	p := &Payout{ID: "po_" + emulator.RandomHex(12), Reference: "PO_" + now.Format("20060102") + "_" + strings.ToUpper(emulator.RandomHex(3)),
		Status: StatusPending, CreatedAt: now, UpdatedAt: now}
	emulator.Bind(p, v)
	p.Fees = p.Amount / 100
	s.payouts.Add(p.ID, p, p.Reference)
	return s.payout(p), nil
}

// getPayout is GET /api/v1/payouts/{id}: by ID, or by reference.
func (s *Server) getPayout(r *http.Request) ([]byte, error) {
	return s.payouts.Lookup(r.PathValue("id"), s.t.Refused["noPayout"], nil, s.payout)
}

// cancelPayout is POST /api/v1/payouts/{id}/cancel {reason}: only a
// PENDING payout can be cancelled.
func (s *Server) cancelPayout(r *http.Request) ([]byte, error) {
	in, _, _ := emulator.ReadBody(r, true)
	v, err := s.api.Check(s.shapes["cancel.json"], in)
	if err != nil {
		return nil, err
	}
	now := s.c.Settings().Now.UTC()
	return s.payouts.Lookup(r.PathValue("id"), s.t.Refused["noPayout"], func(p *Payout) error {
		if p.Status != StatusPending {
			return s.t.Refused["notPending"].With(p.Status)
		}
		p.Status, p.FailureReason, p.UpdatedAt = StatusCancelled, cmp.Or(v.String("reason"), "Cancelled by merchant"), now
		return nil
	}, s.payout)
}
