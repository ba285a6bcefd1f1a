package cauri

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// WebhookHandler receives a provider's notifications. For each one it:
//
//   - reads at most Config.MaxWebhookBytes of raw body (413 beyond);
//   - lets the provider parse and verify it (401 when a signature, hash or
//     callback token is wrong; 400 when unreadable; 200 for events that carry
//     no payment status);
//   - finds the payment (200 for an unknown one, so the provider stops
//     retrying, and nothing is created);
//   - believes it only when authenticated, and otherwise asks the provider's
//     status endpoint, whose answer replaces what the notification claimed
//     (503 when the provider cannot be reached, so that it redelivers); a
//     provider that is a [Confirmer] is handed the claim with the question,
//     to read the answer in its light. That question draws on the
//     payment's budget (see Config.PollInterval): a notification about a
//     payment asked about lately gets 503 with Retry-After and costs no
//     call, however many are sent;
//   - refuses a different amount or currency than the stored payment's (422);
//   - moves the payment forward with a compare-and-set, and runs OnPaid for a
//     paid one;
//   - answers 200 only once that is durable, 5xx when the store or OnPaid
//     failed so that the provider redelivers. Duplicates get 200 and change
//     nothing.
//
// Once a notification is read and authenticated, its writes go on if the
// provider hangs up, so that a slow store still settles the payment; each
// still ends (a minute at most; OnPaid within its lease, measured on the
// monotonic clock): no store call the kit makes is without a deadline.
//
// It takes POST, as every provider sends; other methods get 405 with Allow.
//
// The provider is the {provider} path value, or the segment after
// "webhooks"; a per-payment callback URL adds {id} and {token}.
func (k *Kit) WebhookHandler() http.Handler {
	return http.HandlerFunc(k.serveWebhook)
}

func (k *Kit) serveWebhook(w http.ResponseWriter, r *http.Request) {
	if !allowed(w, r, fail, "a webhook", http.MethodPost) {
		return
	}
	gp, ok := k.provider(r)
	if !ok {
		k.metrics.webhooks.WithLabelValues(unknownProviderLabel, outcomeUnknownProvider).Inc()
		fail(w, r, http.StatusNotFound, "unknown provider")
		return
	}
	k.serveWebhookOf(w, r, gp)
}

// serveWebhookOf handles a POSTed notification from provider gp.
func (k *Kit) serveWebhookOf(w http.ResponseWriter, r *http.Request, gp *guardedProvider) {
	ctx, j := k.journal(r.Context(), SourceWebhook)
	code, outcome, msg := k.receive(ctx, w, r, gp)
	j.flush(ctx) // the history, after the effect and before the answer
	k.metrics.webhook(gp.name, outcome).Inc()
	if code < 300 {
		writeText(w, code, "ok")
		return
	}
	fail(w, r, code, msg)
}

// webhookEffectTimeout bounds the work a notification sets off once it is
// read and authenticated, which goes on if the provider hangs up.
const webhookEffectTimeout = time.Minute

// receive handles one notification and says how to answer it.
func (k *Kit) receive(ctx context.Context, w http.ResponseWriter, r *http.Request, gp *guardedProvider) (code int, outcome, msg string) {
	ctx, cancel := bounded(ctx, webhookEffectTimeout)
	defer cancel()
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, k.maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return http.StatusRequestEntityTooLarge, outcomeTooLarge, "body too large"
		}
		return http.StatusBadRequest, outcomeMalformed, "could not read the body"
	}

	// A per-payment callback URL proves which payment it is about.
	bound, tok := paymentInPath(r)
	if bound != "" || tok != "" {
		if !validPaymentID(bound) || !k.signer.verify(purposeCallback, bound, tok) {
			k.log.Warn("webhook: bad callback token", "provider", gp.name)
			return http.StatusUnauthorized, outcomeUnauthenticated, "invalid callback token"
		}
	}

	u, err := gp.ParseWebhook(r, body)
	// hint: the notification's proof failed, but it names a payment, whose
	// provider is asked instead; only the provider's word can move it, and
	// a claim the provider does not bear out is answered as unproven.
	hint := false
	switch {
	case errors.Is(err, ErrIgnoredEvent):
		return http.StatusOK, outcomeIgnored, ""
	case errors.Is(err, ErrUnauthenticated) && (u.PaymentID != "" || u.ProviderRef != "" || bound != "") && !gp.noStatus.Load():
		// Its proof failed, but it names a payment: a hint, which the
		// provider's status endpoint confirms or not (a secret rotated at
		// the provider first must not lose a genuine payment). It costs
		// no more calls than any unsigned notification.
		k.log.Warn("webhook: authentication failed; confirming with the provider", "provider", gp.name, "err", err)
		u.Authenticated, hint = false, true
	case errors.Is(err, ErrUnauthenticated):
		k.log.Warn("webhook: authentication failed", "provider", gp.name, "err", err)
		return http.StatusUnauthorized, outcomeUnauthenticated, "authentication failed"
	case err != nil:
		k.log.Warn("webhook: unreadable", "provider", gp.name, "err", err)
		return http.StatusBadRequest, outcomeMalformed, "malformed notification"
	}
	u.PaymentID = ours(u.PaymentID)
	// The notification is recorded in its payment's history, first among
	// the events its handling records, when it proved something or cost a
	// question to the provider: heard names the payment, and how it was
	// authenticated. Anyone can send the others, as often as they like. A
	// proven duplicate is recorded only when it set something off (OnPaid
	// retried): a storm of them costs the store no more than before.
	var heard struct {
		id, how   string
		duplicate bool
	}
	heardAt := k.now()
	defer func() {
		if heard.id != "" && (!heard.duplicate || k.journalOf(ctx).holds(heard.id)) {
			k.recordNotification(ctx, heard.id, heardAt, u, heard.how)
		}
	}()
	if bound != "" && u.PaymentID != "" && u.PaymentID != bound {
		k.log.Warn("webhook: body names another payment than its callback URL", "provider", gp.name)
		return http.StatusUnauthorized, outcomeUnauthenticated, "notification does not match its URL"
	}

	// The writes are not the provider's to cancel: a store slower than its
	// patience would otherwise never see one through, however often it
	// redelivers. (Reads stop when it hangs up: its redelivery does them
	// again. A confirming question to the provider, once asked, is seen
	// through and settled: see ask.)
	wctx, cancel := detach(ctx, webhookEffectTimeout)
	defer cancel()

	var p Payment
	id := cmp.Or(bound, u.PaymentID)
	if u.Authenticated && u.Status.Final() && u.Status != StatusRefunded && validPaymentID(id) {
		// Believed and final: settle it in one write, and judge the
		// stored payment only when that write did not move it.
		var moved bool
		k.heard(ctx, id, heardAt, u, AuthSigned)
		p, moved, err = k.settleByID(wctx, gp.name, id, u)
		if moved {
			heard.id, heard.how = id, AuthSigned
		}
		switch {
		case moved && err != nil:
			return http.StatusInternalServerError, outcomeError, "temporary failure, retry"
		case moved:
			return http.StatusOK, outcomeAccepted, ""
		case err == nil && !matches(p, gp.name, u):
			err = fmt.Errorf("%w: notification does not match the stored payment", ErrNotFound)
		case errors.Is(err, ErrNotFound) && bound == "" && u.ProviderRef != "":
			// Perhaps an echo of the provider's own reference.
			p, err = k.locate(ctx, gp.name, bound, u)
		}
	} else {
		p, err = k.locate(ctx, gp.name, bound, u)
	}
	switch {
	case errors.Is(err, ErrNotFound) && hint:
		return http.StatusUnauthorized, outcomeUnauthenticated, "authentication failed"
	case errors.Is(err, ErrNotFound):
		// No event ID in the log: for some providers it is a bearer token.
		k.log.Warn("webhook: unknown payment", "provider", gp.name)
		return http.StatusOK, outcomeUnknownPayment, ""
	case err != nil:
		k.log.Error("webhook: loading payment", "provider", gp.name, "err", err)
		return http.StatusServiceUnavailable, outcomeError, "temporary failure, retry"
	}

	if p.Status.Final() && (p.Status != StatusPaid || u.Status != StatusRefunded) {
		// Settled before: nothing to change, but a paid payment whose
		// OnPaid has not succeeded gets another go. (A paid payment said
		// to be refunded goes on: that is its one move forward.)
		if hint {
			return http.StatusUnauthorized, outcomeUnauthenticated, "authentication failed"
		}
		if u.Authenticated {
			heard.id, heard.how, heard.duplicate = p.ID, AuthSigned, true
		}
		if err := k.fulfil(ctx, p); err != nil {
			return http.StatusInternalServerError, outcomeError, "temporary failure, retry"
		}
		return http.StatusOK, outcomeDuplicate, ""
	}

	if !u.Authenticated && !gp.noStatus.Load() {
		// Not proven: the provider's status endpoint is asked instead,
		// and its word is settled. A Confirmer reads it with the claim.
		how := AuthUnsigned
		if hint {
			how = AuthHint
		}
		// Should the answer move the payment, it bore the claim out.
		k.heard(ctx, p.ID, heardAt, u, how+"; confirmed by lookup")
		a := k.confirm(ctx, gp, p, &Claim{Update: u, Callback: bound != ""})
		switch {
		case a.answered && hint && a.err == nil && !a.moved:
			heard.id, heard.how = p.ID, how+"; not borne out by the provider"
		case a.answered:
			heard.id, heard.how = p.ID, how+"; confirmed by lookup"
		case !throttled(a.err) && !errors.Is(a.err, ErrUnsupported) && ctx.Err() == nil:
			heard.id, heard.how = p.ID, how+"; the lookup failed"
		}
		switch {
		case errors.Is(a.err, ErrUnsupported):
			gp.noStatus.Store(true) // the per-payment token is all there is
		case throttled(a.err) && hint:
			// Asked about lately: the unproven claim waits for the next
			// turn, as its redelivery will, or for a proven notification.
			return http.StatusUnauthorized, outcomeUnauthenticated, "authentication failed"
		case throttled(a.err) && a.p.Status.Final() && (a.p.Status != StatusPaid || u.Status != StatusRefunded):
			// Settled meanwhile: nothing this notification can change.
			if err := k.fulfil(ctx, a.p); err != nil {
				return http.StatusInternalServerError, outcomeError, "temporary failure, retry"
			}
			return http.StatusOK, outcomeDuplicate, ""
		case throttled(a.err):
			// Its provider was asked about it lately: an unproven claim
			// costs no other call. The payment is pending, so something
			// may still change: the provider is asked to come back.
			setRetryAfter(w, max(k.retryAfter(a.p), retryAfterOf(a.err)))
			return http.StatusServiceUnavailable, outcomeThrottled, "not confirmed yet, retry later"
		case !a.answered:
			k.log.Warn("webhook: could not confirm with the provider", "provider", gp.name, "payment_id", p.ID, "err", a.err)
			return http.StatusServiceUnavailable, outcomeError, "could not confirm, retry later"
		case hint && a.err == nil && !a.moved:
			// The provider's word moved nothing: the claim stays unproven.
			return http.StatusUnauthorized, outcomeUnauthenticated, "authentication failed"
		default:
			return k.settled2xx(gp, p.ID, a, outcomeConfirmed)
		}
	}
	if !u.Authenticated {
		if bound != p.ID {
			return http.StatusUnauthorized, outcomeUnauthenticated, "unauthenticated notification"
		}
		// No status endpoint: the per-payment token the kit gave the
		// provider is the proof.
		u.Authenticated = true
		heard.id, heard.how = p.ID, AuthCallback
	} else {
		heard.id, heard.how = p.ID, AuthSigned
	}
	k.heard(ctx, heard.id, heardAt, u, heard.how)

	np, moved, err := k.settle(wctx, p, u)
	return k.settled2xx(gp, p.ID, askResult{p: np, moved: moved, answered: true, err: err}, outcomeAccepted)
}

// settled2xx says how to answer a notification whose update was settled
// with the outcome a; fresh is the outcome of a move or a pending no-op.
func (k *Kit) settled2xx(gp *guardedProvider, id string, a askResult, fresh string) (code int, outcome, msg string) {
	switch err := a.err; {
	case errors.Is(err, ErrAmountMismatch):
		return http.StatusUnprocessableEntity, outcomeAmountMismatch, "amount or currency does not match"
	case errors.Is(err, ErrConflict):
		return http.StatusOK, outcomeUnknownPayment, ""
	case err != nil:
		k.log.Error("webhook: settling", "provider", gp.name, "payment_id", id, "err", err)
		return http.StatusInternalServerError, outcomeError, "temporary failure, retry"
	case !a.moved && a.p.Status.Final():
		return http.StatusOK, outcomeDuplicate, ""
	}
	return http.StatusOK, fresh, ""
}

// locate finds the payment a notification is about: by the callback URL's
// payment, else the payment ID the provider echoed, else the provider's
// reference (also when the echoed ID is not one of ours: some providers
// echo their own reference there). Every clue given must point at the same
// payment of this provider, or it is not ours.
func (k *Kit) locate(ctx context.Context, provider, bound string, u Update) (Payment, error) {
	p, err := k.byClue(ctx, provider, cmp.Or(bound, u.PaymentID), u.ProviderRef, bound != "")
	if err != nil {
		return Payment{}, err
	}
	if !matches(p, provider, u) {
		return Payment{}, fmt.Errorf("%w: notification does not match the stored payment", ErrNotFound)
	}
	return p, nil
}

// matches reports whether a notification from provider may be about p.
func matches(p Payment, provider string, u Update) bool {
	return p.Provider == provider && (u.ProviderRef == "" || p.ProviderRef == "" || u.ProviderRef == p.ProviderRef)
}

// byClue loads a payment by ID, falling back to the provider's reference
// unless the ID came from a callback URL, which is proof.
func (k *Kit) byClue(ctx context.Context, provider, id, ref string, proven bool) (Payment, error) {
	if validPaymentID(id) {
		p, err := k.store.Get(ctx, id)
		if err == nil || proven || ref == "" || !errors.Is(err, ErrNotFound) {
			return p, err
		}
	}
	if ref == "" {
		return Payment{}, fmt.Errorf("%w: notification names no payment of ours", ErrNotFound)
	}
	return k.store.GetByProviderRef(ctx, provider, ref)
}

// ours returns id if it has the shape of our payment IDs, else "": some
// providers echo their own reference where ours would be, and an ID that
// cannot be ours must not make the kit think an update is about another
// payment.
func ours(id string) string {
	if validPaymentID(id) {
		return id
	}
	return ""
}
