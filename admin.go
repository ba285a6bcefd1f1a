package cauri

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// AdminPageSize is how many payments one page of the console's list
// shows.
const AdminPageSize = 50

// AdminHandler is the operator's console, for the people who answer "I
// paid but got nothing": it lists and finds payments, shows one with its
// history, and lets a person ask the provider about a payment again or
// have OnPaid retried. Mount it behind a prefix with http.StripPrefix:
//
//	mux.Handle("/admin/", http.StripPrefix("/admin", kit.AdminHandler()))
//
// It serves, relative to where it is mounted:
//
//	GET  /                                  payments, newest first; filters in the query (below)
//	GET  /payments/{id}                     one payment and its history, oldest event first
//	POST /payments/{id}/recheck             ask the provider about the payment now
//	POST /payments/{id}/retry-onpaid        run OnPaid now for a paid payment not fulfilled
//
// The list takes status, provider, since and before (a date, 2006-01-02,
// or a time, 2006-01-02T15:04 or RFC 3339, in UTC: created at or after
// since, before before), attention=1 (the payments that need a person,
// [PaymentQuery.NeedsAttention]), q (a payment ID, order ID or provider
// reference, [PaymentQuery.Search]) and after, the opaque cursor of the
// "next page" link. It shows [AdminPageSize] payments a page.
//
// People get HTML; a client whose Accept header names application/json
// (as for the kit's other handlers) gets JSON: the list as
// {"payments": [...], "next": cursor}, a payment as {"payment": {...},
// "history": [...]}, an action's outcome as {"outcome", "message",
// "payment", "next_turn_at"}, and errors as {"error"}.
//
// Nobody is served until Config.AdminAuth says so: without it every
// request gets 403, and a request it refuses gets 401 (with
// Config.AdminChallenge) or 403, before anything is looked up, so that
// no answer tells whether a payment exists. The actions take POST from
// the console's own pages only: a browser's cross-site post is refused
// with 403 (net/http's CrossOriginProtection, as for the checkout, with
// PublicURL's origin trusted).
//
// A re-check draws on the payment's budget like every question to a
// provider (see Config.PollInterval): when the payment's turn has not
// come, the console says when it comes (429, Retry-After, in JSON) and
// asks nothing. A retry of OnPaid runs the one fulfil path under its
// lease: when another worker holds the lease, the console says so (409).
// Each action is recorded in the payment's history ([EventRecheck],
// [EventRetryOnPaid], with the Actor AdminAuth named) and logged with
// who did it; what it sets off (the provider's answer, OnPaid's outcome)
// is recorded with Source [SourceAdmin].
//
// The console needs a Store that is a [HistoryStore] and a
// [PaymentFinder] (stores/memory and stores/sql are): with another, an
// authorised request gets 501 saying so.
func (k *Kit) AdminHandler() http.Handler {
	csrf := http.NewCrossOriginProtection()
	if origin := originOf(k.public); origin != "" {
		_ = csrf.AddTrustedOrigin(origin) // checked by New already
	}
	a := &admin{k: k, csrf: csrf}
	return http.HandlerFunc(a.serve)
}

type admin struct {
	k    *Kit
	csrf *http.CrossOriginProtection
}

func (a *admin) serve(w http.ResponseWriter, r *http.Request) {
	k := a.k
	auth := k.cfg.AdminAuth
	if auth == nil {
		adminFail(w, r, http.StatusForbidden, "the console is not enabled (Config.AdminAuth)")
		return
	}
	who, ok := auth(r)
	if !ok {
		if k.cfg.AdminChallenge != "" {
			w.Header().Set("WWW-Authenticate", k.cfg.AdminChallenge)
			adminFail(w, r, http.StatusUnauthorized, "authorisation required")
			return
		}
		adminFail(w, r, http.StatusForbidden, "not allowed")
		return
	}
	who = clip(strings.TrimSpace(who), MaxEventActor)
	if who == "" {
		who = "admin"
	}
	finder, finds := k.store.(PaymentFinder)
	if k.history == nil || !finds {
		adminFail(w, r, http.StatusNotImplemented, "the console needs a Store that is a HistoryStore and a PaymentFinder")
		return
	}
	path := "/" + strings.TrimPrefix(r.URL.Path, "/")
	switch {
	case path == "/":
		if allowed(w, r, adminFail, "the list", http.MethodGet, http.MethodHead) {
			a.list(w, r, finder)
		}
		return
	case strings.HasPrefix(path, "/payments/"):
		rest := strings.Split(strings.TrimPrefix(path, "/payments/"), "/")
		if !validPaymentID(rest[0]) || len(rest) > 2 {
			break
		}
		id := rest[0]
		if len(rest) == 1 {
			if allowed(w, r, adminFail, "a payment's page", http.MethodGet, http.MethodHead) {
				a.payment(w, r, id)
			}
			return
		}
		var act func(http.ResponseWriter, *http.Request, string, string)
		switch rest[1] {
		case "recheck":
			act = a.recheck
		case "retry-onpaid":
			act = a.retryOnPaid
		default:
			adminFail(w, r, http.StatusNotFound, "not found")
			return
		}
		if !allowed(w, r, adminFail, "an action", http.MethodPost) {
			return
		}
		if a.csrf.Check(r) != nil {
			k.log.Warn("admin: cross-site action refused", "who", who, "payment_id", id)
			adminFail(w, r, http.StatusForbidden, "cross-site request refused")
			return
		}
		k.recorded(SourceAdmin, func(w http.ResponseWriter, r *http.Request) { act(w, r, id, who) }).ServeHTTP(w, r)
		return
	}
	adminFail(w, r, http.StatusNotFound, "not found")
}

// adminFail answers an error, JSON to a JSON client, else a small page.
func adminFail(w http.ResponseWriter, r *http.Request, code int, msg string) {
	if wantsJSON(r) {
		writeJSON(w, code, map[string]string{"error": msg})
		return
	}
	adminHTML(w, code, "error", adminPage{Title: http.StatusText(code), Error: msg})
}

// AdminPayment is a payment as the console's JSON shows it.
type AdminPayment struct {
	ID             string     `json:"id"`
	OrderID        string     `json:"order_id"`
	Provider       string     `json:"provider"`
	ProviderRef    string     `json:"provider_ref,omitempty"`
	Status         Status     `json:"status"`
	Amount         int64      `json:"amount"`
	Currency       string     `json:"currency"`
	Fee            int64      `json:"fee,omitempty"`
	Received       int64      `json:"received,omitempty"`
	Method         string     `json:"method,omitempty"`
	FailureReason  string     `json:"failure_reason,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	OnPaidAttempts int        `json:"onpaid_attempts"`
	Fulfilled      bool       `json:"fulfilled"`
	FulfilledAt    *time.Time `json:"fulfilled_at,omitempty"`
	NextPollAt     *time.Time `json:"next_poll_at,omitempty"`
	SupersededBy   string     `json:"superseded_by,omitempty"`
}

// AdminEvent is an [Event] as the console's JSON shows it.
type AdminEvent struct {
	Seq       int64     `json:"seq"`
	At        time.Time `json:"at"`
	Kind      EventKind `json:"kind"`
	Source    string    `json:"source"`
	Status    Status    `json:"status,omitempty"`
	Detail    string    `json:"detail,omitempty"`
	Attention bool      `json:"attention,omitempty"`
	Actor     string    `json:"actor,omitempty"`
}

func adminPaymentOf(p Payment) AdminPayment {
	ap := AdminPayment{
		ID: p.ID, OrderID: p.OrderID, Provider: p.Provider, ProviderRef: p.ProviderRef, Status: p.Status,
		Amount: p.Amount, Currency: p.Currency, Fee: p.Fee, Received: p.Received, Method: p.Method,
		FailureReason: p.FailureReason, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt,
		OnPaidAttempts: p.OnPaidAttempts, Fulfilled: p.Fulfilled(), SupersededBy: p.SupersededBy,
	}
	if p.Fulfilled() {
		t := p.FulfilledAt
		ap.FulfilledAt = &t
	}
	if !p.NextPollAt.IsZero() {
		t := p.NextPollAt
		ap.NextPollAt = &t
	}
	return ap
}

// encodeCursor makes c an opaque string for a link.
func encodeCursor(c Cursor) string {
	raw := strconv.FormatInt(c.CreatedAt.UnixNano(), 36) + "." + c.ID
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

// decodeCursor reads what encodeCursor made; ok is false for anything else.
func decodeCursor(s string) (Cursor, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return Cursor{}, false
	}
	ns, id, found := strings.Cut(string(raw), ".")
	n, err := strconv.ParseInt(ns, 36, 64)
	if !found || err != nil || !validPaymentID(id) {
		return Cursor{}, false
	}
	return Cursor{CreatedAt: time.Unix(0, n).UTC(), ID: id}, true
}

// parseAdminTime reads a date or a time, in UTC.
func parseAdminTime(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// adminFilter is the list's filter as the form shows it.
type adminFilter struct {
	Status, Provider, Since, Before, Search string
	Attention                               bool
}

func (a *admin) list(w http.ResponseWriter, r *http.Request, finder PaymentFinder) {
	qs := r.URL.Query()
	f := adminFilter{
		Status: qs.Get("status"), Provider: qs.Get("provider"), Since: qs.Get("since"),
		Before: qs.Get("before"), Search: strings.TrimSpace(qs.Get("q")), Attention: qs.Get("attention") == "1",
	}
	q := PaymentQuery{Status: Status(f.Status), Provider: f.Provider, NeedsAttention: f.Attention, Search: f.Search}
	if q.Status != "" && !q.Status.Valid() {
		adminFail(w, r, http.StatusBadRequest, "unknown status")
		return
	}
	if f.Provider != "" && a.k.providers[f.Provider] == nil {
		adminFail(w, r, http.StatusBadRequest, "unknown provider")
		return
	}
	for _, t := range []struct {
		s   string
		dst *time.Time
	}{{f.Since, &q.CreatedSince}, {f.Before, &q.CreatedBefore}} {
		if t.s == "" {
			continue
		}
		v, ok := parseAdminTime(t.s)
		if !ok {
			adminFail(w, r, http.StatusBadRequest, "a date is 2006-01-02, or a time 2006-01-02T15:04, in UTC")
			return
		}
		*t.dst = v
	}
	var after Cursor
	if s := qs.Get("after"); s != "" {
		c, ok := decodeCursor(s)
		if !ok {
			adminFail(w, r, http.StatusBadRequest, "bad page cursor")
			return
		}
		after = c
	}
	ctx, cancel := bounded(r.Context(), storeTimeout)
	defer cancel()
	// One more than a page tells whether there is a next one.
	ps, err := finder.FindPayments(ctx, q, after, AdminPageSize+1)
	if err != nil {
		a.k.log.Error("admin: finding payments", "err", err)
		adminFail(w, r, http.StatusServiceUnavailable, "could not load the payments, try again")
		return
	}
	next := ""
	if len(ps) > AdminPageSize {
		ps = ps[:AdminPageSize]
		next = encodeCursor(CursorOf(ps[len(ps)-1]))
	}
	if wantsJSON(r) {
		out := struct {
			Payments []AdminPayment `json:"payments"`
			Next     string         `json:"next,omitempty"`
		}{Payments: make([]AdminPayment, 0, len(ps)), Next: next}
		for _, p := range ps {
			out.Payments = append(out.Payments, adminPaymentOf(p))
		}
		writeJSON(w, http.StatusOK, out)
		return
	}
	nextURL := ""
	if next != "" {
		v := url.Values{}
		for key, val := range map[string]string{"status": f.Status, "provider": f.Provider, "since": f.Since, "before": f.Before, "q": f.Search} {
			if val != "" {
				v.Set(key, val)
			}
		}
		if f.Attention {
			v.Set("attention", "1")
		}
		v.Set("after", next)
		nextURL = "?" + v.Encode()
	}
	adminHTML(w, http.StatusOK, "list", adminPage{
		Title: "Payments", Filter: f, Payments: ps, Next: nextURL,
		Statuses:  []Status{StatusPending, StatusPaid, StatusFailed, StatusCancelled, StatusExpired, StatusRefunded},
		Providers: a.k.names, Paged: qs.Get("after") != "",
	})
}

// load gets payment id for the console, answering the failure itself.
func (a *admin) load(w http.ResponseWriter, r *http.Request, id string) (Payment, bool) {
	ctx, cancel := bounded(r.Context(), storeTimeout)
	defer cancel()
	p, err := a.k.store.Get(ctx, id)
	switch {
	case errors.Is(err, ErrNotFound):
		adminFail(w, r, http.StatusNotFound, "unknown payment")
		return p, false
	case err != nil:
		a.k.log.Error("admin: loading payment", "payment_id", id, "err", err)
		adminFail(w, r, http.StatusServiceUnavailable, "could not load the payment, try again")
		return p, false
	}
	return p, true
}

// notices are what the payment page says after an action, by the code its
// redirect carries: fixed sentences, never text from the request.
var notices = map[string]struct {
	text string
	bad  bool
}{
	"rechecked":        {"The provider was asked; its answer is in the history.", false},
	"recheck-moved":    {"The provider was asked, and its answer moved the payment.", false},
	"recheck-not-due":  {"The provider was asked about this payment lately: its next turn is shown below. Nothing was asked.", true},
	"recheck-limited":  {"The provider's rate of requests is spent for now: try again in a moment. Nothing was asked.", true},
	"recheck-failed":   {"The provider did not answer; see the history.", true},
	"recheck-final":    {"The payment is settled: there is nothing to ask the provider.", true},
	"recheck-no-ref":   {"The provider never opened a checkout for this payment: there is nothing to ask it.", true},
	"retried":          {"OnPaid ran and succeeded.", false},
	"retry-failed":     {"OnPaid ran and failed; see the history.", true},
	"retry-held":       {"Another worker holds this payment's OnPaid lease: it is running OnPaid now, or will be retryable when the lease runs out.", true},
	"retry-done":       {"OnPaid had already succeeded: nothing to do.", false},
	"retry-not-paid":   {"The payment is not paid: there is nothing to fulfil.", true},
	"retry-deferred":   {"The lease could not be taken in time; OnPaid was not run. Try again.", true},
	"action-failed":    {"The action could not be completed; see the logs.", true},
	"action-no-answer": {"No answer came in time; see the history.", true},
}

func (a *admin) payment(w http.ResponseWriter, r *http.Request, id string) {
	p, ok := a.load(w, r, id)
	if !ok {
		return
	}
	ctx, cancel := bounded(r.Context(), storeTimeout)
	defer cancel()
	events, err := a.k.history.History(ctx, id)
	if err != nil {
		a.k.log.Error("admin: loading history", "payment_id", id, "err", err)
		adminFail(w, r, http.StatusServiceUnavailable, "could not load the history, try again")
		return
	}
	if wantsJSON(r) {
		out := struct {
			Payment AdminPayment `json:"payment"`
			History []AdminEvent `json:"history"`
		}{Payment: adminPaymentOf(p), History: make([]AdminEvent, 0, len(events))}
		for _, e := range events {
			out.History = append(out.History, AdminEvent(e))
		}
		writeJSON(w, http.StatusOK, out)
		return
	}
	page := adminPage{Title: "Payment " + p.ID, P: &p, Events: events, Now: a.k.now()}
	if n, ok := notices[r.URL.Query().Get("notice")]; ok {
		page.Notice, page.NoticeBad = n.text, n.bad
	}
	page.CanRecheck = p.ProviderRef != "" && (p.Status == StatusPending || p.Status == StatusPaid) && a.k.providers[p.Provider] != nil
	page.CanRetry = p.Status == StatusPaid && !p.Fulfilled()
	adminHTML(w, http.StatusOK, "payment", page)
}

// actionResult is an action's outcome: a notice code, the HTTP status a
// JSON client gets, and the payment as it stands.
type actionResult struct {
	code   string
	status int
	p      Payment
	retry  time.Duration // for a 429
}

// answer tells the outcome: JSON, or a 303 back to the payment's page.
func (a *admin) answer(w http.ResponseWriter, r *http.Request, res actionResult) {
	if wantsJSON(r) {
		out := struct {
			Outcome    string       `json:"outcome"`
			Message    string       `json:"message"`
			Payment    AdminPayment `json:"payment"`
			NextTurnAt *time.Time   `json:"next_turn_at,omitempty"`
		}{Outcome: res.code, Message: notices[res.code].text, Payment: adminPaymentOf(res.p)}
		if res.code == "recheck-not-due" {
			t := res.p.NextPollAt
			out.NextTurnAt = &t
		}
		if res.retry > 0 {
			setRetryAfter(w, res.retry)
		}
		writeJSON(w, res.status, out)
		return
	}
	// Relative to .../payments/{id}/{action}: the console's own prefix is
	// unknown to it behind http.StripPrefix, and is kept.
	answerHeaders(w)
	w.Header().Set("Location", "../"+url.PathEscape(res.p.ID)+"?notice="+res.code)
	w.WriteHeader(http.StatusSeeOther)
}

// act loads payment id for one of the console's actions and, unless the
// load answered already, runs do on it and records its outcome in the
// payment's history as an event of kind by who, dated when the action
// started. It reports whether it ran do.
func (a *admin) act(w http.ResponseWriter, r *http.Request, id, who string, kind EventKind, do func(p Payment) actionResult) (actionResult, bool) {
	start := a.k.now()
	p, ok := a.load(w, r, id)
	if !ok {
		return actionResult{}, false
	}
	res := do(p)
	a.k.recordFirst(r.Context(), id, true, []Event{{At: start, Kind: kind, Actor: who, Status: res.p.Status, Detail: res.code}})
	return res, true
}

func (a *admin) recheck(w http.ResponseWriter, r *http.Request, id, who string) {
	k := a.k
	res, ok := a.act(w, r, id, who, EventRecheck, func(p Payment) actionResult {
		return a.recheckPayment(r, p)
	})
	if !ok {
		return
	}
	k.log.Info("admin: re-check", "who", who, "payment_id", id, "outcome", res.code, "status", string(res.p.Status))
	a.answer(w, r, res)
}

// recheckPayment asks p's provider about it, settles the answer, and
// says how it went.
func (a *admin) recheckPayment(r *http.Request, p Payment) actionResult {
	k, id := a.k, p.ID
	res := actionResult{status: http.StatusOK, p: p}
	gp := k.providers[p.Provider]
	switch {
	case p.Status.Final() && p.Status != StatusPaid:
		res.code, res.status = "recheck-final", http.StatusConflict
	case p.ProviderRef == "" || gp == nil:
		res.code, res.status = "recheck-no-ref", http.StatusConflict
	default:
		ctx, cancel := context.WithTimeout(r.Context(), k.askTimeout()+storeTimeout)
		ar := k.ask(ctx, gp, p)
		cancel()
		res.p = ar.p
		if ar.answered {
			// As it stands now, OnPaid seen to.
			gctx, cancel := detach(r.Context(), storeTimeout)
			if cur, err := k.store.Get(gctx, id); err == nil {
				res.p = cur
			}
			cancel()
		}
		switch {
		case errors.Is(ar.err, errNotDue):
			res.code, res.status = "recheck-not-due", http.StatusTooManyRequests
			res.retry = k.retryAfter(ar.p)
		case errors.Is(ar.err, ErrRateLimited):
			res.code, res.status, res.retry = "recheck-limited", http.StatusTooManyRequests, 5*time.Second
		case errors.Is(ar.err, context.DeadlineExceeded) || errors.Is(ar.err, context.Canceled):
			res.code, res.status = "action-no-answer", http.StatusGatewayTimeout
		case ar.err != nil && !ar.answered:
			res.code, res.status = "recheck-failed", http.StatusBadGateway
		case ar.err != nil:
			k.log.Error("admin: re-check: settling the answer", "payment_id", id, "err", ar.err)
			res.code, res.status = "action-failed", http.StatusInternalServerError
		case ar.moved:
			res.code = "recheck-moved"
		default:
			res.code = "rechecked"
		}
	}
	return res
}

func (a *admin) retryOnPaid(w http.ResponseWriter, r *http.Request, id, who string) {
	k := a.k
	res, ok := a.act(w, r, id, who, EventRetryOnPaid, func(p Payment) actionResult {
		res := actionResult{status: http.StatusOK, p: p}
		switch {
		case p.Status != StatusPaid:
			res.code, res.status = "retry-not-paid", http.StatusConflict
		case p.Fulfilled():
			res.code = "retry-done"
		default:
			res = a.runFulfil(r.Context(), p)
		}
		return res
	})
	if !ok {
		return
	}
	k.log.Info("admin: retry OnPaid", "who", who, "payment_id", id, "outcome", res.code)
	a.answer(w, r, res)
}

// runFulfil takes paid payment p's OnPaid lease and runs the fulfil path
// under it, as the kit does, and says how it went.
func (a *admin) runFulfil(ctx context.Context, p Payment) actionResult {
	k := a.k
	res := actionResult{status: http.StatusOK, p: p}
	l := k.newLease()
	now := l.Until.Add(-k.lease)
	cctx, cancel := detach(ctx, storeTimeout)
	err := k.store.ClaimOnPaid(cctx, p.ID, l.Owner, now, k.lease)
	cancel()
	switch {
	case errors.Is(err, ErrFulfilled):
		res.code = "retry-done"
		return res
	case errors.Is(err, ErrLeaseHeld):
		res.code, res.status = "retry-held", http.StatusConflict
		return res
	case err != nil:
		k.log.Error("admin: retry OnPaid: claiming", "payment_id", p.ID, "err", err)
		res.code, res.status = "action-failed", http.StatusServiceUnavailable
		return res
	}
	ferr := k.fulfilClaimed(ctx, p, l, false)
	gctx, cancel := detach(ctx, storeTimeout)
	cur, gerr := k.store.Get(gctx, p.ID)
	cancel()
	if gerr == nil {
		res.p = cur
	}
	switch {
	case res.p.Fulfilled():
		res.code = "retried"
	case ferr != nil:
		res.code, res.status = "retry-failed", http.StatusBadGateway
	default:
		res.code, res.status = "retry-deferred", http.StatusServiceUnavailable
	}
	return res
}

// adminPage is what the console's templates show.
type adminPage struct {
	Title      string
	Error      string
	Filter     adminFilter
	Statuses   []Status
	Providers  []string
	Payments   []Payment
	Next       string
	Paged      bool
	P          *Payment
	Events     []Event
	Now        time.Time
	Notice     string
	NoticeBad  bool
	CanRecheck bool
	CanRetry   bool
}

const adminCSS = `body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.3em}a{color:#0645ad}table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid #ddd;padding:.3em .5em;text-align:left;vertical-align:top}
th{background:#f4f4f4}tr.attention td{background:#fff0f0}tr.attention td:first-child{border-left:4px solid #c00}
.s-paid{color:#060;font-weight:bold}.s-pending{color:#a60}.s-failed,.s-cancelled,.s-expired{color:#900}
form.filter{margin:.5em 0 1em;display:flex;flex-wrap:wrap;gap:.5em;align-items:end}
form.filter label{display:flex;flex-direction:column;font-size:.85em}
.notice{padding:.6em;border:1px solid #6a6;background:#efe}.notice.bad{border-color:#c66;background:#fee}
dl{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}dt{font-weight:bold}
.actions form{display:inline}.mono{font-family:ui-monospace,monospace}`

var adminCSP = func() string {
	sum := sha256.Sum256([]byte(adminCSS))
	return "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) +
		"'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
}()

var adminTemplates = template.Must(template.New("admin").Funcs(template.FuncMap{
	"when": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.UTC().Format("2006-01-02 15:04:05 UTC")
	},
	"amount": func(n int64, cur string) string { return FormatAmount(n, cur) + " " + cur },
}).Parse(`{{define "head"}}<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="referrer" content="no-referrer">
<title>{{.Title}} · payments console</title><style>` + adminCSS + `</style></head><body>{{end}}
{{define "error"}}{{template "head" .}}<h1>{{.Title}}</h1><p>{{.Error}}</p></body></html>{{end}}
{{define "list"}}{{template "head" .}}<h1>Payments</h1>
<form class="filter" method="get" action="">
<label>Search<input name="q" value="{{.Filter.Search}}" placeholder="payment, order or provider ref" size="30"></label>
<label>Status<select name="status"><option value="">any</option>{{range .Statuses}}<option{{if eq (print .) $.Filter.Status}} selected{{end}}>{{.}}</option>{{end}}</select></label>
<label>Provider<select name="provider"><option value="">any</option>{{range .Providers}}<option{{if eq . $.Filter.Provider}} selected{{end}}>{{.}}</option>{{end}}</select></label>
<label>Created since<input type="date" name="since" value="{{.Filter.Since}}"></label>
<label>Created before<input type="date" name="before" value="{{.Filter.Before}}"></label>
<label><span>Needs attention</span><input type="checkbox" name="attention" value="1"{{if .Filter.Attention}} checked{{end}}></label>
<button>Find</button> <a href="./">clear</a></form>
{{if .Payments}}<table><thead><tr><th>Created</th><th>Payment</th><th>Order</th><th>Provider</th><th>Status</th><th>Amount</th><th>OnPaid</th></tr></thead><tbody>
{{range .Payments}}<tr><td>{{when .CreatedAt}}</td><td class="mono"><a href="payments/{{.ID}}">{{.ID}}</a></td><td>{{.OrderID}}</td><td>{{.Provider}}</td>
<td class="s-{{.Status}}">{{.Status}}{{if .SupersededBy}} (superseded){{end}}</td><td>{{amount .Amount .Currency}}</td>
<td>{{if .Fulfilled}}done{{else if eq .Status "paid"}}<strong>not done</strong> ({{.OnPaidAttempts}} tries){{end}}</td></tr>
{{end}}</tbody></table>{{else}}<p>No payments match.</p>{{end}}
<p>{{if .Paged}}<a href="./">first page</a> {{end}}{{if .Next}}<a rel="next" href="{{.Next}}">next page</a>{{end}}</p>
</body></html>{{end}}
{{define "payment"}}{{template "head" .}}{{with .P}}<p><a href="../">← payments</a></p>
<h1>Payment <span class="mono">{{.ID}}</span></h1>
{{if $.Notice}}<p class="notice{{if $.NoticeBad}} bad{{end}}" role="status">{{$.Notice}}</p>{{end}}
<dl>
<dt>Status</dt><dd class="s-{{.Status}}">{{.Status}}</dd>
<dt>Order</dt><dd>{{.OrderID}}</dd>
<dt>Provider</dt><dd>{{.Provider}}</dd>
<dt>Provider reference</dt><dd class="mono">{{or .ProviderRef "—"}}</dd>
<dt>Amount</dt><dd>{{amount .Amount .Currency}}</dd>
{{if .Received}}<dt>Received</dt><dd>{{amount .Received .Currency}}</dd>{{end}}
{{if .Fee}}<dt>Fee</dt><dd>{{amount .Fee .Currency}}</dd>{{end}}
{{if .Method}}<dt>Method</dt><dd>{{.Method}}</dd>{{end}}
{{if .FailureReason}}<dt>Failure reason</dt><dd>{{.FailureReason}}</dd>{{end}}
<dt>Created</dt><dd>{{when .CreatedAt}}</dd>
<dt>Updated</dt><dd>{{when .UpdatedAt}}</dd>
<dt>OnPaid</dt><dd>{{if .Fulfilled}}succeeded {{when .FulfilledAt}}{{else if eq .Status "paid"}}<strong>not succeeded</strong>{{else}}—{{end}} ({{.OnPaidAttempts}} tries)</dd>
<dt>Next question to the provider</dt><dd>{{if .NextPollAt.After $.Now}}not before {{when .NextPollAt}}{{else}}any time{{end}}</dd>
{{if .SupersededBy}}<dt>Superseded by</dt><dd class="mono"><a href="{{.SupersededBy}}">{{.SupersededBy}}</a></dd>{{end}}
</dl>
<div class="actions">
{{if $.CanRecheck}}<form method="post" action="{{.ID}}/recheck"><button>Re-check with the provider now</button></form>{{end}}
{{if $.CanRetry}}<form method="post" action="{{.ID}}/retry-onpaid"><button>Retry OnPaid</button></form>{{end}}
</div>{{end}}
<h2>History</h2>
{{if .Events}}<table><thead><tr><th>#</th><th>At</th><th>What</th><th>Source</th><th>Status</th><th>Detail</th><th>Who</th></tr></thead><tbody>
{{range .Events}}<tr{{if .Attention}} class="attention"{{end}}><td>{{.Seq}}</td><td>{{when .At}}</td><td>{{.Kind}}{{if .Attention}} <strong>⚠ attention</strong>{{end}}</td><td>{{.Source}}</td><td>{{.Status}}</td><td>{{.Detail}}</td><td>{{.Actor}}</td></tr>
{{end}}</tbody></table>{{else}}<p>No events recorded.</p>{{end}}
</body></html>{{end}}`))

// adminHTML renders template name with the console's headers.
func adminHTML(w http.ResponseWriter, code int, name string, page adminPage) {
	var buf bytes.Buffer
	if err := adminTemplates.ExecuteTemplate(&buf, name, page); err != nil {
		code = http.StatusInternalServerError
		buf.Reset()
		buf.WriteString(fmt.Sprintf("<!doctype html><title>Error</title><p>%s</p>", template.HTMLEscapeString(err.Error())))
	}
	answerHeaders(w)
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", adminCSP)
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(code)
	_, _ = w.Write(buf.Bytes())
}
