package cauri

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
)

// apply moves a stored payment as an authenticated update says, if the
// state machine allows it and the money matches. A move to paid also takes
// the OnPaid lease l, in the same write. It reports whether this
// call moved the payment. It is the only place, with settleByID, that
// writes a status from a provider's word.
func (k *Kit) apply(ctx context.Context, p Payment, u Update, l *heldLease) (Payment, bool, error) {
	if !u.Status.Valid() {
		u.Status = StatusPending
	}
	if u.PaymentID != "" && u.PaymentID != p.ID ||
		u.ProviderRef != "" && p.ProviderRef != "" && u.ProviderRef != p.ProviderRef {
		k.record(ctx, p.ID, Event{Kind: EventRefused, Status: u.Status, Detail: "the update is about another payment"})
		return p, false, fmt.Errorf("%w: the update is about another payment", ErrConflict)
	}
	if !p.Status.canMoveTo(u.Status) {
		switch {
		case p.Status.Final() && u.Status.Final() && u.Status != p.Status:
			k.log.Warn("provider reports another final status for a settled payment; the stored one stands",
				"payment_id", p.ID, "provider", p.Provider, "stored", p.Status, "reported", u.RawStatus)
		case u.Status == StatusRefunded && !p.Status.Final():
			// Only a paid payment can be refunded: the claim changes nothing.
			k.log.Warn("provider reports a refund of a payment not paid here; it stays as it is",
				"payment_id", p.ID, "provider", p.Provider, "status", p.Status)
		}
		return p, false, nil
	}
	if u.Status == StatusRefunded { // from paid
		return k.refund(ctx, p, u)
	}
	if err := checkMoney(p, u); err != nil {
		k.log.Error("update refused: amount or currency differs from the order",
			"payment_id", p.ID, "provider", p.Provider, "status", u.Status,
			"stored_amount", p.Amount, "stored_currency", p.Currency,
			"reported_amount", u.Amount, "reported_currency", u.Currency)
		k.record(ctx, p.ID, Event{Kind: EventRefused, Status: u.Status, Attention: true,
			Detail: fmt.Sprintf("reported %d %s; the order is %d %s", u.Amount, clip(u.Currency, 8), p.Amount, p.Currency)})
		return p, false, err
	}
	c := k.change(u, l.Lease)
	if p.ProviderRef == "" {
		c.ProviderRef = u.ProviderRef
	}
	var back keptBack
	c.Events, back = k.kept(ctx, p.ID, []Event{moveEvent(StatusPending, u.Status, "")})
	np, err := k.move(ctx, p.ID, c, l)
	if err != nil {
		back.undo()
	}
	if errors.Is(err, ErrConflict) {
		// Another webhook, return visit or replica settled it first.
		if np.ID != p.ID {
			if np, err = k.store.Get(ctx, p.ID); err != nil {
				return p, false, fmt.Errorf("cauri: reloading %s: %w", p.ID, err)
			}
		}
		return np, false, nil
	}
	if err != nil {
		return p, false, fmt.Errorf("cauri: moving %s to %s: %w", p.ID, u.Status, err)
	}
	k.settled(ctx, np, c.Events != nil)
	return np, true, nil
}

// move moves payment id from pending as c says, and, on a move to paid
// with a Store that is an OrderMover, claims its order in the same write:
// l learns the order's holder then.
func (k *Kit) move(ctx context.Context, id string, c Change, l *heldLease) (Payment, error) {
	if k.mover == nil || c.To != StatusPaid {
		return k.store.Transition(ctx, id, StatusPending, c)
	}
	p, holder, err := k.mover.TransitionClaimingOrder(ctx, id, StatusPending, c)
	if err == nil {
		l.holder = holder
	}
	return p, err
}

// change is the Change an authenticated update makes. A move to paid
// records what the provider reported charged, and takes the OnPaid lease
// l, or, with no OnPaid to run, records it done: one write either way.
func (k *Kit) change(u Update, l Lease) Change {
	now := k.now()
	c := Change{To: u.Status, Fee: u.Fee, Method: u.Method, FailureReason: u.FailureReason, At: now}
	switch {
	case u.Status != StatusPaid:
	case k.cfg.OnPaid == nil:
		c.Received, c.FulfilledAt = u.Amount, now
	default:
		c.Received, c.Lease = u.Amount, l
	}
	return c
}

// settled counts, logs and records a move this kit made on the provider's
// word: from pending, or from paid to refunded. logged says the move's
// write appended its event to the history already.
func (k *Kit) settled(ctx context.Context, p Payment, logged bool) {
	k.metrics.transition(p.Provider, p.Status).Inc()
	from := StatusPending
	if p.Status == StatusRefunded {
		from = StatusPaid
	}
	if !logged {
		k.recordMove(ctx, p.ID, from, p.Status, "")
	}
	if k.log.Enabled(ctx, slog.LevelInfo) { // spares boxing the arguments
		k.log.InfoContext(ctx, "payment settled", "payment_id", p.ID, "provider", p.Provider, "status", p.Status)
	}
}

// settleByID applies an authenticated final update about payment id
// without reading the payment first: one conditional write that moves it
// only if it is pending, of this provider, of no other provider reference
// and, for paid, of the reported amount and currency, and that takes the
// OnPaid lease. When that write does not move it, the payment as stored
// comes back (moved false) for the caller to judge as if it had read it:
// a duplicate, another amount (which checkMoney may still accept: the
// write expects the exact amount), another payment. An unknown ID returns an
// error wrapping ErrNotFound.
func (k *Kit) settleByID(ctx context.Context, provider, id string, u Update) (Payment, bool, error) {
	l := k.newLease()
	c := k.change(u, l.Lease)
	c.ProviderRef = u.ProviderRef
	c.Expect = Expect{Provider: provider, ProviderRef: u.ProviderRef}
	if u.Status == StatusPaid {
		c.Expect.Currency, c.Expect.Amount = strings.ToUpper(u.Currency), u.Amount
	}
	var back keptBack
	c.Events, back = k.kept(ctx, id, []Event{moveEvent(StatusPending, u.Status, "")})
	np, err := k.move(ctx, id, c, &l)
	if err != nil {
		back.undo()
	}
	switch {
	case err == nil:
		k.settled(ctx, np, c.Events != nil)
		return np, true, k.fulfilClaimed(ctx, np, l, true)
	case errors.Is(err, ErrConflict) && np.ID == id:
		return np, false, nil
	case errors.Is(err, ErrConflict):
		np, err = k.store.Get(ctx, id)
		return np, false, err
	}
	return Payment{}, false, err
}

// checkMoney refuses a move to paid in another currency than the stored
// payment's, or for less than its amount: that never settles. A report of
// the amount, of the amount plus the fee the provider states the customer
// paid, or of more (the order is paid, and must not stay pending; the
// surplus reaches OnPaid as AnomalyOverpaid) settles. Other moves are not
// checked: no money moves with them, and refusing a provider's failed or
// expired on a detail of its report would only leave a dead checkout
// pending.
func checkMoney(p Payment, u Update) error {
	if u.Status != StatusPaid {
		return nil
	}
	if !strings.EqualFold(u.Currency, p.Currency) {
		return fmt.Errorf("%w: %s reports currency %q, order is %s", ErrAmountMismatch, p.ID, u.Currency, p.Currency)
	}
	if u.Amount < p.Amount {
		return fmt.Errorf("%w: %s reports %d, less than the order's %d", ErrAmountMismatch, p.ID, u.Amount, p.Amount)
	}
	return nil
}

// settle applies an authenticated update and, when the payment is paid,
// makes sure OnPaid ran or is running.
func (k *Kit) settle(ctx context.Context, p Payment, u Update) (Payment, bool, error) {
	np, moved, then, err := k.settleThen(ctx, p, u)
	if err != nil {
		return np, moved, err
	}
	return np, moved, then(ctx)
}

// settleThen is settle in two steps: it applies the update, and returns
// what must follow, OnPaid (or OnRefunded) seen to, for the caller to run.
// A question shared by several callers (see confirm) answers them all on
// the move, and only its own caller waits for what follows.
func (k *Kit) settleThen(ctx context.Context, p Payment, u Update) (Payment, bool, func(context.Context) error, error) {
	l := k.newLease()
	np, moved, err := k.apply(ctx, p, u, &l)
	switch {
	case err != nil:
		return np, moved, nil, err
	case moved && np.Status == StatusPaid:
		return np, moved, func(ctx context.Context) error { return k.fulfilClaimed(ctx, np, l, true) }, nil
	}
	return np, moved, func(ctx context.Context) error { return k.fulfil(ctx, np) }, nil
}

// refresh asks the provider about a pending payment, when its turn has
// come (see ask), and settles what it says; a settled payment gets its
// OnPaid seen to. It returns an error wrapping errNotDue when the payment
// was asked about too recently.
func (k *Kit) refresh(ctx context.Context, gp *guardedProvider, p Payment) (Payment, bool, error) {
	if p.Status.Final() {
		return p, false, k.fulfil(ctx, p)
	}
	a := k.ask(ctx, gp, p)
	if throttled(a.err) && a.p.Status.Final() {
		// Settled meanwhile by whoever asked, or by a notification.
		return a.p, false, k.fulfil(ctx, a.p)
	}
	return a.p, a.moved, a.err
}

// fetch is FetchStatus through the breaker, with retries, or, with a
// claim to confirm and a provider that is a Confirmer, Confirm. Only ask
// calls it: every question draws on the payment's budget.
func (k *Kit) fetch(ctx context.Context, gp *guardedProvider, p Payment, claim *Claim) (Update, error) {
	q := StatusQuery{PaymentID: p.ID, ProviderRef: p.ProviderRef, Amount: p.Amount, Currency: p.Currency, CreatedAt: p.CreatedAt}
	cf, confirms := gp.Provider.(Confirmer)
	u, err := call(ctx, k, gp, "status", true, func(ctx context.Context) (Update, error) {
		if claim != nil && confirms {
			return cf.Confirm(ctx, *claim, q)
		}
		return gp.FetchStatus(ctx, q)
	})
	if err != nil {
		return Update{}, err
	}
	u.PaymentID = ours(u.PaymentID)
	u.Authenticated = true
	return u, nil
}
