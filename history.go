package cauri

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// Event is one thing that happened to a payment, as the kit recorded it in
// the payment's history (see [HistoryStore] and [Kit.History]). Events are
// written for a person looking into a payment, in an operator's console:
// they are short, and safe to show. No signature, token, callback or
// provider page URL, provider reference or key ever goes in one, and no
// customer data beyond what the provider sent about the payment and the
// shop could already see (the kit records none).
type Event struct {
	// Seq is the event's place in its payment's history: 1 for the first
	// ever recorded, then one more for each. The Store numbers events as
	// it appends them; numbers missing between two events are those the
	// history's bound dropped (see [HistoryLimit]).
	Seq int64
	// At is when it happened, by Config.Now, in UTC.
	At time.Time
	// Kind says what happened.
	Kind EventKind
	// Source says what recorded it: [SourceCheckout], [SourceWebhook],
	// [SourceReturn], [SourceStatus], [SourceReconciler], [SourceAdmin], or
	// [SourceKit] for the kit's own methods called by the shop's code.
	Source string
	// Status is the payment status the event is about, when one is: the
	// status a notification claimed, the status the provider answered
	// (mapped to ours), the status a payment moved to.
	Status Status
	// Detail says more, in a few words: how a notification was
	// authenticated, the provider's own status word, why an update was
	// refused, how OnPaid failed. It is at most [MaxEventDetail] bytes of
	// printable text.
	Detail string
	// Attention marks an event that needs a person: an amount refused,
	// an OnPaid or OnRefunded failure, an anomaly. A payment with one is
	// found by [PaymentQuery.NeedsAttention].
	Attention bool
	// Actor is who did it, for the actions a person takes in a console
	// ([EventRecheck], [EventRetryOnPaid]); empty for the kit's own
	// events.
	Actor string
}

// EventKind says what an [Event] records.
type EventKind string

// The kinds of events the kit records.
const (
	// EventCreated: the kit stored the payment, pending, for a checkout.
	// Detail names the order and its amount.
	EventCreated EventKind = "created"
	// EventOpened: the provider opened its checkout page for the payment.
	EventOpened EventKind = "opened"
	// EventNotification: a notification about the payment came to the
	// webhook. Status is what it claimed; Detail says how it was
	// authenticated, one of the Auth phrases ([AuthSigned] …), then the
	// provider's word. Notifications that prove nothing and cost nothing
	// (an unsigned one while the provider was asked lately, or about a
	// payment settled before) are not recorded: anyone can send them.
	EventNotification EventKind = "notification"
	// EventStatus: the kit asked the provider about the payment. Status is
	// the answer, mapped to ours, and Detail the provider's own word; or,
	// when no answer came, Status is empty and Detail says why.
	EventStatus EventKind = "status"
	// EventMoved: the payment's status moved. Status is the new one;
	// Detail reads "pending → paid", with the kit's reason when the kit
	// moved it on its own (an expiry, a checkout that never opened).
	EventMoved EventKind = "moved"
	// EventRefused: an authenticated update was refused: paid for another
	// amount or currency (with Attention), or about another payment.
	EventRefused EventKind = "refused"
	// EventOnPaid: a call to Config.OnPaid ended. Detail is "succeeded",
	// or "failed: " and the error's text, shortened and with the
	// payment's references and tokens taken out; a failure has Attention.
	EventOnPaid EventKind = "onpaid"
	// EventOnRefunded: a call to Config.OnRefunded ended, as EventOnPaid.
	EventOnRefunded EventKind = "onrefunded"
	// EventAnomaly: the payment was paid but must not be fulfilled as an
	// ordinary one. Detail starts with the [Anomaly] (superseded,
	// paid_twice, overpaid); it has Attention.
	EventAnomaly EventKind = "anomaly"
	// EventSuperseded: a newer checkout of the same order replaced the
	// payment while it was pending. Detail names the newer payment.
	EventSuperseded EventKind = "superseded"
	// EventRecheck: a person asked the provider about the payment again.
	// Actor says who.
	EventRecheck EventKind = "recheck"
	// EventRetryOnPaid: a person had OnPaid retried for the payment.
	// Actor says who.
	EventRetryOnPaid EventKind = "retry_onpaid"
)

// What records an [Event]: its Source.
const (
	SourceCheckout   = "checkout"   // the checkout handler
	SourceWebhook    = "webhook"    // the webhook handler
	SourceReturn     = "return"     // the customer coming back (the return handler)
	SourceStatus     = "status"     // the status endpoint the shop's pending page polls
	SourceReconciler = "reconciler" // a reconcile pass
	SourceAdmin      = "admin"      // a person, through an operator's console
	SourceKit        = "kit"        // the kit's methods, called by the shop's code
)

// How a notification was authenticated: the start of an
// [EventNotification]'s Detail.
const (
	// AuthSigned: its signature (or hash) verified.
	AuthSigned = "signature verified"
	// AuthUnsigned: it carried no proof; the provider was asked.
	AuthUnsigned = "unsigned"
	// AuthHint: it carried a proof that failed, but named a payment of
	// ours; the provider was asked.
	AuthHint = "proof failed"
	// AuthCallback: it came to the payment's own callback URL with a
	// valid token, the only proof a provider without a status endpoint
	// gives.
	AuthCallback = "callback token"
)

// History bounds: what a [HistoryStore] keeps of each payment's events.
const (
	// HistoryLimit is the most events a payment's history keeps. Past
	// it, the events after the first HistoryHead are dropped, oldest
	// first, as new ones come: the history keeps how the payment began
	// and what happened to it last.
	HistoryLimit = 200
	// HistoryHead is how many of a payment's first events its history
	// always keeps.
	HistoryHead = 20
	// MaxEventDetail is the longest Detail, in bytes, the kit records.
	MaxEventDetail = 500
	// MaxEventActor is the longest Actor, in bytes, the kit records.
	MaxEventActor = 128
)

// HistoryStore is implemented by a Store that keeps each payment's
// history: the [Event]s the kit records as it handles it. The kit records
// events when its Store is one, and [Kit.History] reads them;
// stores/memory and stores/sql are.
//
// A history is bounded: it keeps at most [HistoryLimit] events of a
// payment, the first [HistoryHead] ever appended and the latest others.
// An append that takes it past the limit drops the oldest events after
// the head, so that keeping the bound costs a store little whatever
// happens to a payment (a storm of redelivered notifications).
//
// The kit appends a request's events for a payment in one call, once the
// request's work is done, but for those a [HistoryWriter] appends with the
// write they record. AppendEvents's numbering, counted per payment by the
// store, is what lets a store number events inside another write.
type HistoryStore interface {
	// AppendEvents adds events to the end of payment paymentID's
	// history, in the order given, numbering them (their Seq, which the
	// caller leaves zero) after every event appended before, and drops
	// what the bound says. An event with Attention set marks the payment
	// for [PaymentQuery.NeedsAttention], for good. Concurrent appends to
	// one payment each get numbers of their own. It returns an error
	// wrapping [ErrNotFound] when there is no such payment; with no
	// events it does nothing.
	//
	// The kit gives Kind and Source of at most 32 and 64 bytes, a Status
	// that is empty or valid, a Detail of at most [MaxEventDetail] bytes
	// and an Actor of at most [MaxEventActor], and At in UTC; a Store
	// keeps At to the microsecond at least.
	AppendEvents(ctx context.Context, paymentID string, events ...Event) error

	// History returns payment paymentID's history, by Seq: the order in
	// which events were appended. (At may step back now and then: events
	// of two requests handling a payment at once are appended as each
	// request ends.) An unknown payment, or one with no events, has an
	// empty history: no error.
	History(ctx context.Context, paymentID string) ([]Event, error)
}

// HistoryWriter is implemented by a [HistoryStore] that appends events in
// the write they record: the events of a move, in the move, and OnPaid's
// outcome, in the record of its success, so that on the path every paid
// payment takes the history costs no write of its own. The kit then hands
// them to those writes (in [Change.Events] and [Completion.Events])
// instead of appending them after. stores/memory and stores/sql are.
//
// A HistoryWriter's [Store.Transition] appends Change.Events when, and only
// when, the payment moves, numbered as AppendEvents numbers them.
type HistoryWriter interface {
	HistoryStore
	// CompleteOnPaidEvents does what CompleteOnPaid does for each of
	// done, at now, and appends the Events of each one it records to that
	// payment's history in the same write; it may write them all in one.
	// recorded[i] reports whether it recorded done[i]; those it did not
	// (already recorded, or no longer leased by their owner) are left as
	// they are, their events unwritten. An error means none was recorded.
	CompleteOnPaidEvents(ctx context.Context, done []Completion, now time.Time) (recorded []bool, err error)
}

// PaymentQuery says which payments [PaymentFinder.FindPayments] returns:
// those that meet every condition set; the zero PaymentQuery finds every
// payment, newest first.
type PaymentQuery struct {
	// Status, when not empty, keeps the payments in that status.
	Status Status
	// Provider, when not empty, keeps the payments of that provider.
	Provider string
	// CreatedSince and CreatedBefore, when not zero, keep the payments
	// created at or after CreatedSince, and before CreatedBefore.
	CreatedSince  time.Time
	CreatedBefore time.Time
	// NeedsAttention keeps the payments that had an [Event] with
	// Attention appended to their history.
	NeedsAttention bool
	// Search, when not empty, keeps the payments whose ID, OrderID or
	// ProviderRef is exactly Search: what an operator pastes from a
	// customer's message, the shop's order page or the provider's
	// dashboard.
	Search string
	// OldestFirst lists the payments oldest first; by default they come
	// newest first.
	OldestFirst bool
}

// PaymentFinder is implemented by a Store that finds payments for a
// person, in an operator's console; stores/memory and stores/sql are.
type PaymentFinder interface {
	// FindPayments returns up to limit payments that meet q, ordered by
	// CreatedAt then ID, newest first unless q.OldestFirst, starting
	// after the cursor in that order: the zero Cursor starts from the
	// first (the newest, or the oldest), and the Cursor of the last
	// payment returned gets the next page. A limit of zero or less
	// returns none. stores/sql serves each page from an index, whichever
	// condition leads.
	FindPayments(ctx context.Context, q PaymentQuery, after Cursor, limit int) ([]Payment, error)
}

// History returns payment id's history, by Seq, as [HistoryStore.History]
// does: what the kit recorded as it handled the payment. An unknown
// payment has an empty history. It returns an error wrapping
// [ErrUnsupported] when the Store keeps no history.
func (k *Kit) History(ctx context.Context, id string) ([]Event, error) {
	if k.history == nil {
		return nil, fmt.Errorf("%w: the Store keeps no history (it is not a HistoryStore)", ErrUnsupported)
	}
	ctx, cancel := bounded(ctx, storeTimeout)
	defer cancel()
	return k.history.History(ctx, id)
}

// FindPayments returns up to limit payments that meet q, after the
// cursor, as [PaymentFinder.FindPayments] does. It returns an error
// wrapping [ErrUnsupported] when the Store cannot find payments.
func (k *Kit) FindPayments(ctx context.Context, q PaymentQuery, after Cursor, limit int) ([]Payment, error) {
	f, ok := k.store.(PaymentFinder)
	if !ok {
		return nil, fmt.Errorf("%w: the Store cannot find payments (it is not a PaymentFinder)", ErrUnsupported)
	}
	ctx, cancel := bounded(ctx, storeTimeout)
	defer cancel()
	return f.FindPayments(ctx, q, after, limit)
}

// historyTimeout bounds the write of a request's events: a history
// is not worth holding an answer long for.
const historyTimeout = 10 * time.Second

type journalKey struct{}

// journal gathers the events a request or task records, by payment, to
// append each payment's in one call once its work is done (flush). After
// the flush, what is recorded still (by a question to a provider that
// outlives the request that asked it) is appended at once.
//
// A journal is the context it is carried in: the request's context, with
// the journal as its value for journalKey (one allocation, not two).
type journal struct {
	context.Context // the request's or task's, which the journal is carried over
	k               *Kit
	source          string

	mu      sync.Mutex // never held across a store call
	entries []journalEntry
	done    bool

	// lead is the notification the request handles, about payment
	// leadID, to go first in the first write that takes the payment's
	// events (see Kit.heard); leadTaken once one did.
	leadID    string
	lead      Event
	leadTaken bool
}

// journalEntry is what a journal keeps of one payment, in the order the
// payments were first recorded.
type journalEntry struct {
	id     string
	events []Event
}

// Value returns the journal for journalKey, else ctx's value for key.
func (j *journal) Value(key any) any {
	if _, ok := key.(journalKey); ok {
		return j
	}
	return j.Context.Value(key)
}

// journal returns a context carrying a new journal for events recorded
// by source, over ctx, and the journal; ctx and nil when the Store keeps
// no history (a nil journal's flush does nothing).
func (k *Kit) journal(ctx context.Context, source string) (context.Context, *journal) {
	if k.history == nil {
		return ctx, nil
	}
	j := &journal{Context: ctx, k: k, source: source}
	return j, j
}

// journalOf returns the journal of k that ctx carries, or nil.
func (k *Kit) journalOf(ctx context.Context) *journal {
	if j, ok := ctx.Value(journalKey{}).(*journal); ok && j.k == k {
		return j
	}
	return nil
}

// entry returns j's entry for payment id, or nil. The caller holds j.mu.
func (j *journal) entry(id string) *journalEntry {
	for i := range j.entries {
		if j.entries[i].id == id {
			return &j.entries[i]
		}
	}
	return nil
}

// add keeps events for payment id, first among those kept when first is
// set, and reports whether it did: false once flushed.
func (j *journal) add(id string, first bool, events []Event) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.done {
		return false
	}
	e := j.entry(id)
	if e == nil {
		j.entries = append(j.entries, journalEntry{id: id})
		e = &j.entries[len(j.entries)-1]
	}
	if first {
		e.events = append(slices.Clip(events), e.events...)
	} else {
		e.events = append(e.events, events...)
	}
	return true
}

// take removes the events j keeps for payment id, not flushed yet, and
// returns them, after the notification the request handles when it is
// about id and no write took it yet (hasLead reports it), followed by
// events, all in one new slice; kept is what was kept, without the lead.
// A nil journal keeps none.
func (j *journal) take(id string, events []Event) (all, kept []Event, hasLead bool) {
	if j == nil {
		if len(events) == 0 {
			return nil, nil, false
		}
		return slices.Clone(events), nil, false
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if e := j.entry(id); e != nil {
		kept, e.events = e.events, nil
	}
	hasLead = !j.leadTaken && j.leadID == id
	n := len(kept) + len(events)
	if hasLead {
		n++
	}
	if n == 0 {
		return nil, nil, false
	}
	all = make([]Event, 0, n)
	if hasLead {
		j.leadTaken = true
		all = append(all, j.lead)
	}
	all = append(append(all, kept...), events...)
	return all, kept, hasLead
}

// recorder returns what records j's events; "" for a nil journal.
func (j *journal) recorder() string {
	if j == nil {
		return ""
	}
	return j.source
}

// told reports whether a write took the notification about payment id
// that the request handles (see Kit.heard). A nil journal took none.
func (j *journal) told(id string) bool {
	if j == nil {
		return false
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.leadTaken && j.leadID == id
}

// holds reports whether j keeps events of payment id, not flushed yet. A
// nil journal keeps none.
func (j *journal) holds(id string) bool {
	if j == nil {
		return false
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	e := j.entry(id)
	return e != nil && len(e.events) > 0
}

// flush appends the events kept, one call per payment, in a context of
// its own, and makes later events go straight to the store. A nil
// journal does nothing.
func (j *journal) flush(ctx context.Context) {
	if j == nil {
		return
	}
	j.mu.Lock()
	entries := j.entries
	j.entries, j.done = nil, true
	j.mu.Unlock()
	for _, e := range entries {
		if len(e.events) > 0 { // none when a write took them
			j.k.appendNow(ctx, e.id, e.events)
		}
	}
}

// record adds events to payment id's history: to the journal ctx
// carries, or else at once. It fills in At (now) and Source (the
// journal's, else SourceKit) where they are empty, and keeps Detail and
// Actor within bounds. It never fails: a history that cannot be written
// is logged.
//
// An operator's console wraps its handlers in recorded(SourceAdmin, …),
// so that what its actions set off (a question to the provider, OnPaid
// run again) is recorded as the admin's, and records each action itself:
// record(ctx, id, Event{Kind: EventRecheck, Actor: who}).
func (k *Kit) record(ctx context.Context, id string, events ...Event) {
	k.recordFirst(ctx, id, false, events)
}

// recordFirst is record, placing events before those the journal kept for
// id when first is set.
func (k *Kit) recordFirst(ctx context.Context, id string, first bool, events []Event) {
	if k.history == nil || len(events) == 0 || id == "" {
		return
	}
	j := k.stamp(ctx, events)
	if j != nil && j.add(id, first, events) {
		return
	}
	k.appendNow(ctx, id, events)
}

// stamp readies events for a history as record does (At, Source, Seq,
// bounds), and returns the journal ctx carries, or nil.
func (k *Kit) stamp(ctx context.Context, events []Event) *journal {
	j := k.journalOf(ctx)
	k.stampFor(j, events)
	return j
}

// stampFor is stamp, for events recorded under journal j (nil for none).
func (k *Kit) stampFor(j *journal, events []Event) {
	source := SourceKit
	if j != nil {
		source = j.source
	}
	now := k.now()
	for i := range events {
		e := &events[i]
		if e.At.IsZero() {
			e.At = now
		}
		e.At = e.At.UTC()
		if e.Source == "" {
			e.Source = source
		}
		e.Seq = 0
		e.Detail = clip(e.Detail, MaxEventDetail)
		e.Actor = clip(e.Actor, MaxEventActor)
	}
}

// withKept returns the events the journal ctx carries kept for payment
// id, taken out of it, followed by events (stamped): what a write about
// the payment appends to its history with it (a Change's or a
// Completion's Events). When that write does not take them, putBack gives
// back what was kept, first among what the journal keeps since. It
// returns nil, and a putBack that does nothing, when the Store is not a
// HistoryWriter, and for an operator's action, whose own event leads what
// it set off once the outcome is known (see recorded).
func (k *Kit) withKept(ctx context.Context, id string, events ...Event) (all []Event, putBack func()) {
	all, b := k.kept(ctx, id, events)
	if b.j == nil || !b.lead && len(b.kept) == 0 {
		return all, func() {}
	}
	return all, b.undo
}

// keptBack is what kept took out of a journal, for undo to give back.
type keptBack struct {
	k    *Kit
	ctx  context.Context
	j    *journal
	id   string
	kept []Event // the events kept, without the lead
	lead bool    // the request's notification was taken first
}

// kept is withKept, its putBack a keptBack, which costs no allocation.
func (k *Kit) kept(ctx context.Context, id string, events []Event) ([]Event, keptBack) {
	if !k.inWrites {
		return nil, keptBack{}
	}
	j := k.journalOf(ctx)
	if j.recorder() == SourceAdmin {
		return nil, keptBack{}
	}
	k.stampFor(j, events)
	all, kept, lead := j.take(id, events)
	return all, keptBack{k: k, ctx: ctx, j: j, id: id, kept: kept, lead: lead}
}

// undo gives back what b took out of its journal: the write did not take
// it.
func (b keptBack) undo() {
	if b.j == nil {
		return
	}
	if b.lead {
		// The notification is the request's to record or not.
		b.j.mu.Lock()
		b.j.leadTaken = false
		b.j.mu.Unlock()
	}
	if len(b.kept) > 0 {
		b.k.recordFirst(b.ctx, b.id, true, b.kept)
	}
}

// appendNow appends events to payment id's history in a context of its
// own, bounded by historyTimeout, and logs a failure.
func (k *Kit) appendNow(ctx context.Context, id string, events []Event) {
	ctx, cancel := detach(ctx, historyTimeout)
	defer cancel()
	if err := k.history.AppendEvents(ctx, id, events...); err != nil {
		k.log.Warn("history: recording events failed", "payment_id", id, "events", len(events), "err", err)
	}
}

// recorded wraps a handler whose requests record events as source: they
// are appended, one call per payment, before the handler's answer is
// written, or when it returns without one.
func (k *Kit) recorded(source string, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, j := k.journal(r.Context(), source)
		if j == nil {
			h(w, r)
			return
		}
		h(&journalWriter{ResponseWriter: w, ctx: ctx, j: j}, r.WithContext(ctx))
		j.flush(ctx)
	})
}

// journalWriter flushes a journal before the first byte of the answer.
type journalWriter struct {
	http.ResponseWriter
	ctx context.Context
	j   *journal
}

func (w *journalWriter) WriteHeader(code int) {
	w.j.flush(w.ctx)
	w.ResponseWriter.WriteHeader(code)
}

func (w *journalWriter) Write(b []byte) (int, error) {
	w.j.flush(w.ctx)
	return w.ResponseWriter.Write(b)
}

// Unwrap gives http.ResponseController the writer underneath.
func (w *journalWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// recordMove records that payment p moved from from to its status, for
// reason when the kit moved it on its own.
func (k *Kit) recordMove(ctx context.Context, id string, from, to Status, reason string) {
	k.record(ctx, id, moveEvent(from, to, reason))
}

// moveEvent is the event of a move from from to to, for reason when the
// kit moved the payment on its own.
func moveEvent(from, to Status, reason string) Event {
	detail := moveDetail(from, to)
	if reason != "" {
		detail += ": " + reason
	}
	return Event{Kind: EventMoved, Status: to, Detail: detail}
}

// moveDetail reads "pending → paid": for the moves made on a provider's
// word, a constant.
func moveDetail(from, to Status) string {
	switch {
	case from == StatusPending && to == StatusPaid:
		return "pending → paid"
	case from == StatusPending && to == StatusFailed:
		return "pending → failed"
	case from == StatusPending && to == StatusCancelled:
		return "pending → cancelled"
	case from == StatusPending && to == StatusExpired:
		return "pending → expired"
	case from == StatusPaid && to == StatusRefunded:
		return "paid → refunded"
	}
	return string(from) + " → " + string(to)
}

// recordNotification records, first among the payment's events of this
// request, the notification u about payment id, received at at and
// authenticated as how says, unless a write about the payment took it
// already (see heard).
func (k *Kit) recordNotification(ctx context.Context, id string, at time.Time, u Update, how string) {
	if k.journalOf(ctx).told(id) {
		return
	}
	k.recordFirst(ctx, id, true, []Event{notificationEvent(at, u, how)})
}

// notificationEvent is the event of notification u, received at at and
// authenticated as how says.
func notificationEvent(at time.Time, u Update, how string) Event {
	detail := how
	if u.RawStatus != "" {
		var buf [96]byte
		detail = string(appendWord(append(append(buf[:0], how...), "; "...), u.RawStatus))
	}
	st := u.Status
	if !st.Valid() {
		st = ""
	}
	return Event{At: at, Kind: EventNotification, Status: st, Detail: detail}
}

// heard tells the journal ctx carries of notification u about payment id,
// received at at and authenticated as how says, before the write it may
// lead to: the first write about the payment that takes the journal's
// events (a move, OnPaid's success) takes it first among them, and
// recordNotification then records it no more. A later call replaces it.
func (k *Kit) heard(ctx context.Context, id string, at time.Time, u Update, how string) {
	j := k.journalOf(ctx)
	if j == nil || !k.inWrites {
		return
	}
	e := []Event{notificationEvent(at, u, how)}
	k.stampFor(j, e)
	j.mu.Lock()
	defer j.mu.Unlock()
	if !j.leadTaken {
		j.leadID, j.lead = id, e[0]
	}
}

// recordAnswer records the provider's answer u about payment id, or the
// error that came instead. A question not asked (the provider has no
// status endpoint, its rate was spent) is not recorded.
func (k *Kit) recordAnswer(ctx context.Context, id string, u Update, err error) {
	if err != nil {
		if errors.Is(err, ErrUnsupported) || throttled(err) {
			return
		}
		k.record(ctx, id, Event{Kind: EventStatus, Detail: "no answer: " + failureClass(err)})
		return
	}
	detail := "the provider answered"
	if u.RawStatus != "" {
		var buf [64]byte
		detail = string(appendWord(buf[:0], u.RawStatus))
	}
	st := u.Status
	if !st.Valid() {
		st = ""
	}
	k.record(ctx, id, Event{Kind: EventStatus, Status: st, Detail: detail})
}

// hookEvent is the event of how a call to the shop's hook (OnPaid,
// OnRefunded) about p ended.
func (k *Kit) hookEvent(p Payment, kind EventKind, name string, err error) Event {
	e := Event{Kind: kind, Status: p.Status, Detail: "succeeded"}
	if err != nil {
		msg := err.Error()
		for _, prefix := range []string{"cauri: " + name + ": ", "cauri: " + name + " "} {
			msg = strings.TrimPrefix(msg, prefix)
		}
		e.Detail, e.Attention = "failed: "+k.scrub(p, msg), true
	}
	return e
}

// recordAnomaly records the anomaly of paid payment p.
func (k *Kit) recordAnomaly(ctx context.Context, p Payment) {
	var why string
	switch p.Anomaly {
	case AnomalySuperseded:
		why = "superseded by " + p.SupersededBy + " and paid all the same: refund it, or settle by hand"
	case AnomalyPaidTwice:
		why = "its order was paid by another payment first: refund it"
	case AnomalyOverpaid:
		why = fmt.Sprintf("charged %d %s for %d (fee %d): give back %d", p.Received, p.Currency, p.Amount, p.Fee, p.Surplus())
	default:
		return
	}
	k.record(ctx, p.ID, Event{Kind: EventAnomaly, Status: p.Status, Detail: string(p.Anomaly) + ": " + why, Attention: true})
}

// recordSuperseded records, on each payment of order that payment by
// replaced, that it was superseded: the Store's Supersede says how many,
// a PaymentFinder which.
func (k *Kit) recordSuperseded(ctx context.Context, order string, by Payment) {
	f, ok := k.store.(PaymentFinder)
	if k.history == nil || !ok {
		return
	}
	// Within the checkout's own deadline: the customer is waiting.
	fctx, cancel := bounded(ctx, historyTimeout)
	defer cancel()
	ps, err := f.FindPayments(fctx, PaymentQuery{Search: order}, Cursor{}, 100)
	if err != nil {
		k.log.Warn("history: finding superseded payments failed", "payment_id", by.ID, "err", err)
		return
	}
	for _, p := range ps {
		if p.OrderID == order && p.SupersededBy == by.ID {
			k.record(ctx, p.ID, Event{Kind: EventSuperseded, Status: p.Status,
				Detail: "replaced by " + by.ID + ", a newer checkout of the order"})
		}
	}
}

// scrub takes out of text, the text of an error about p, what must not be
// shown: p's provider reference and checkout URL (a bearer secret at some
// providers), the tokens of its URLs, and the kit's secrets, each as it
// is and URL-escaped; then it shortens the text.
func (k *Kit) scrub(p Payment, text string) string {
	secrets := []string{p.ProviderRef, p.CheckoutURL, k.cfg.Secret,
		k.signer.sign(purposeAccess, p.ID), k.signer.sign(purposeCallback, p.ID)}
	secrets = append(secrets, k.cfg.PreviousSecrets...)
	var forms []string
	for _, s := range secrets {
		if len(s) < 4 { // too short to be a secret, and to replace safely
			continue
		}
		forms = append(forms, s, url.PathEscape(s), url.QueryEscape(s))
	}
	// Longest first, so that no form is half replaced by one it contains.
	slices.SortFunc(forms, func(a, b string) int { return len(b) - len(a) })
	for _, f := range forms {
		text = strings.ReplaceAll(text, f, "<redacted>")
	}
	return clip(text, 200)
}

// failureClass names, in a few safe words, why a provider call failed:
// never the error's text, which may quote a provider's answer.
func failureClass(err error) string {
	var pe *ProviderError
	switch {
	case errors.Is(err, ErrProviderUnavailable):
		return "the provider is unavailable (breaker open)"
	case errors.Is(err, context.DeadlineExceeded):
		return "timed out"
	case errors.Is(err, context.Canceled):
		return "cancelled"
	case errors.Is(err, ErrNotFound):
		return "unknown to the provider"
	case errors.As(err, &pe) && pe.StatusCode != 0:
		return fmt.Sprintf("the provider answered HTTP %d", pe.StatusCode)
	case errors.As(err, &pe) && pe.Temporary:
		return "the provider could not be reached"
	case errors.Is(err, ErrMalformed):
		return "the provider's answer could not be read"
	}
	return "failed"
}

// appendWord appends to b "provider's word " and a provider's status
// word, shortened and quoted as Go quotes strings (%q).
func appendWord(b []byte, word string) []byte {
	return strconv.AppendQuote(append(b, "provider's word "...), clip(word, 40))
}

// clip returns s as printable text of at most n bytes: control and
// invalid characters become spaces, and a longer text is cut at a
// character's start and ends with "…".
func clip(s string, n int) string {
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || !unicode.IsPrint(r) && r != ' ' {
			clean = false
			break
		}
	}
	if !clean {
		s = strings.Map(func(r rune) rune {
			if r == utf8.RuneError || !unicode.IsPrint(r) {
				return ' '
			}
			return r
		}, s)
	}
	if len(s) <= n {
		return s
	}
	const ellipsis = "…"
	cut := n - len(ellipsis)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + ellipsis
}
