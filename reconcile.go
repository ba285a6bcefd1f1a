package cauri

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"
)

// ReconcilePolicy configures the reconciler, [Kit.Reconcile]. The zero
// value means the defaults below.
type ReconcilePolicy struct {
	// Grace is how long a pending payment is left to its webhook and the
	// customer's return before the reconciler asks its provider. Zero means
	// 2 minutes.
	Grace time.Duration
	// MaxAge is how long a payment may stay pending. Past it, once its
	// provider has been asked and has said nothing final, the reconciler
	// expires it. A provider that cannot be reached is never overruled.
	// Zero means 48 hours.
	MaxAge time.Duration
	// Concurrency bounds the provider calls a pass makes at once. Zero
	// means 4.
	Concurrency int
	// Batch is how many payments (and payouts) a pass loads from the
	// store at a time. Zero means 200.
	Batch int
	// PayoutGrace is how long a payout may stay pending before the
	// reconciler asks its provider about it: time for Kit.Payout's own
	// calls to end and for the provider to settle it. Each pass then asks
	// about every payout still pending past it, as status polls within the
	// provider's rate (those the rate holds back wait for the next pass).
	// Zero means 5 minutes.
	PayoutGrace time.Duration
}

// ReconcileReport says what one reconcile pass did.
type ReconcileReport struct {
	Checked   int // pending payments whose provider was asked
	Settled   int // of those, moved to a final status by the provider's word
	Expired   int // of those, expired by the kit: forgotten by the provider, or past MaxAge
	Skipped   int // pending payments not asked: their turn has not come, provider's rate or breaker, provider not configured
	Errors    int // provider calls or store writes that failed (for payments or payouts), or a paid report for another amount; retried next pass
	Fulfilled int // paid payments whose unfinished OnPaid this pass completed
	Refunded  int // refunded payments whose unfinished OnRefunded this pass completed

	PayoutsChecked      int // payouts pending past PayoutGrace whose provider was asked
	PayoutsResolved     int // of those, recorded succeeded or failed by the provider's word
	PayoutsSkipped      int // pending payouts not asked: the provider's rate or breaker
	PayoutsUnresolvable int // pending payouts the provider cannot be asked about (ErrPayoutNotCheckable): a person must settle them
}

// Reconcile makes one pass over the store: it asks providers about the
// payments still pending after the grace period whose turn has come (the
// budget of questions every path shares, see Config.PollInterval: old
// payments are asked about less and less often, fleet-wide), within each
// provider's rate and breaker, a bounded number at a time; it
// settles what they say, expires the payments they forgot or that passed
// the maximum age, and completes OnPaid for paid payments whose lease
// expired (a crashed process). Several replicas may run it at once: every
// change is a compare-and-set and OnPaid is leased. Then it asks about the
// payouts still pending past PayoutGrace, as [Kit.ResolvePayout] does, when
// the Store lists them ([PayoutLister]). It returns the first store error
// that stopped the pass, with the report so far.
func (k *Kit) Reconcile(ctx context.Context) (ReconcileReport, error) {
	pol := k.cfg.Reconcile
	grace := orDefault(pol.Grace, 2*time.Minute)
	maxAge := orDefault(pol.MaxAge, 48*time.Hour)
	batch := pol.Batch
	if batch <= 0 {
		batch = 200
	}
	conc := pol.Concurrency
	if conc <= 0 {
		conc = 4
	}

	var (
		mu  sync.Mutex
		rep ReconcileReport
		wg  sync.WaitGroup
		sem = make(chan struct{}, conc)
	)
	count := func(provider, outcome string, field *int) {
		k.metrics.reconciled.WithLabelValues(provider, outcome).Inc()
		mu.Lock()
		*field++
		mu.Unlock()
	}
	// run starts fn when a slot is free; false when ctx ended first.
	run := func(fn func()) bool {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			return false
		}
		wg.Go(func() {
			defer func() { <-sem }()
			fn()
		})
		return true
	}

	// rerun hands the payments list returns, page by page, to hook under
	// the pass's concurrency, and counts as outcome, in *field, those
	// that handled, on the payment read back after the hook, says are
	// handled.
	rerun := func(list func(ctx context.Context, now time.Time, after Cursor, limit int) ([]Payment, error),
		hook func(context.Context, Payment) error, handled func(Payment) bool, outcome string, field *int) error {
		err := k.eachPage(ctx, batch, func(after Cursor) ([]Payment, error) {
			ctx, cancel := bounded(ctx, storeTimeout)
			defer cancel()
			return list(ctx, k.now(), after, batch)
		}, func(p Payment) bool {
			return run(func() {
				ctx, j := k.journal(ctx, SourceReconciler)
				defer j.flush(ctx)
				if err := hook(ctx, p); err != nil {
					count(p.Provider, "error", &rep.Errors)
					return
				}
				ctx, cancel := bounded(ctx, storeTimeout)
				defer cancel()
				if cur, err := k.store.Get(ctx, p.ID); err == nil && handled(cur) {
					count(p.Provider, outcome, field)
				}
			})
		})
		wg.Wait()
		return err
	}

	backlog := make(map[string]int, len(k.providers))
	err := k.eachPage(ctx, batch, func(after Cursor) ([]Payment, error) {
		ctx, cancel := bounded(ctx, storeTimeout)
		defer cancel()
		return k.store.ListPending(ctx, k.now().Add(-grace), after, batch)
	}, func(p Payment) bool {
		backlog[p.Provider]++
		gp := k.providers[p.Provider]
		if p.ProviderRef == "" {
			// Its checkout is being opened right now, or never opened: the
			// provider cannot be asked about it. Only once it is stale can
			// nobody be paying it.
			if k.now().Sub(p.CreatedAt) <= k.staleCheckout {
				k.metrics.reconciled.WithLabelValues(p.Provider, "pending").Inc()
				return true
			}
			return run(func() {
				ctx, j := k.journal(ctx, SourceReconciler)
				defer j.flush(ctx)
				if k.expire(ctx, p, "checkout never opened") == "expired" {
					count(p.Provider, "expired", &rep.Expired)
				}
			})
		}
		if gp == nil || gp.breakerOpen() || p.NextPollAt.After(k.now()) {
			count(p.Provider, "skipped", &rep.Skipped)
			return true
		}
		return run(func() {
			outcome := k.reconcileOne(ctx, gp, p, maxAge)
			if outcome == "skipped" {
				count(p.Provider, outcome, &rep.Skipped)
				return
			}
			mu.Lock()
			rep.Checked++
			mu.Unlock()
			switch outcome {
			case "settled":
				count(p.Provider, outcome, &rep.Settled)
			case "expired":
				count(p.Provider, outcome, &rep.Expired)
			case "error", "amount_mismatch":
				count(p.Provider, outcome, &rep.Errors)
			default:
				k.metrics.reconciled.WithLabelValues(p.Provider, outcome).Inc()
			}
		})
	})
	wg.Wait()
	if err == nil {
		for name := range k.providers {
			k.metrics.pendingBacklog.WithLabelValues(name).Set(float64(backlog[name]))
		}
		err = rerun(k.store.ListUnfulfilled, k.fulfil, Payment.Fulfilled, "fulfilled", &rep.Fulfilled)
	}
	if rs, ok := k.store.(RefundStore); ok && k.cfg.OnRefunded != nil && err == nil {
		err = rerun(rs.ListUnrefunded, k.fulfilRefund, func(p Payment) bool { return !p.RefundHandledAt.IsZero() },
			"refunded", &rep.Refunded)
	}
	if err == nil {
		err = k.reconcilePayouts(ctx, pol, batch, run, &mu, &rep)
		wg.Wait()
	}
	outcome := "ok"
	if err != nil {
		outcome = "error"
		k.log.Error("reconcile pass stopped", "err", err)
	}
	k.metrics.reconcilePasses.WithLabelValues(outcome).Inc()
	return rep, err
}

// eachPage lists payments page by page and hands each to fn until fn
// returns false, a page comes back short, or ctx ends.
func (k *Kit) eachPage(ctx context.Context, batch int, list func(Cursor) ([]Payment, error), fn func(Payment) bool) error {
	var after Cursor
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		page, err := list(after)
		if err != nil {
			return fmt.Errorf("cauri: reconcile: listing payments: %w", err)
		}
		for _, p := range page {
			if !fn(p) {
				return ctx.Err()
			}
		}
		if len(page) < batch {
			return nil
		}
		after = CursorOf(page[len(page)-1])
	}
}

// reconcileOne asks the provider about one pending payment and acts on its
// word. It returns the metrics outcome: settled, expired, pending,
// amount_mismatch, error, or skipped when the payment's turn was taken
// meanwhile or the provider's rate is spent.
func (k *Kit) reconcileOne(ctx context.Context, gp *guardedProvider, p Payment, maxAge time.Duration) string {
	ctx, j := k.journal(ctx, SourceReconciler)
	defer j.flush(ctx)
	a := k.ask(ctx, gp, p)
	np, moved, err := a.p, a.moved, a.err
	switch {
	case throttled(err) && np.Status.Final():
		return "settled" // meanwhile, by whoever asked or a notification
	case throttled(err):
		return "skipped"
	case errors.Is(err, ErrAmountMismatch):
		// The provider says paid, for another amount: a person must look.
		// It stays pending, never expired, and is counted apart.
		return "amount_mismatch"
	case !a.answered && errors.Is(err, ErrNotFound) && !transient(ctx, err):
		// The provider does not know it (or its checkout never opened):
		// nobody can pay it any more.
		return k.expire(ctx, p, "unknown to the provider")
	case err != nil:
		k.log.Warn("reconcile: asking the provider or settling", "payment_id", p.ID, "provider", p.Provider, "err", err)
		return "error"
	case moved || np.Status.Final():
		return "settled"
	case k.now().Sub(p.CreatedAt) > maxAge:
		return k.expire(ctx, p, "pending past the maximum age")
	}
	return "pending"
}

// expire moves a pending payment to expired.
func (k *Kit) expire(ctx context.Context, p Payment, reason string) string {
	ctx, cancel := bounded(ctx, storeTimeout)
	defer cancel()
	_, err := k.store.Transition(ctx, p.ID, StatusPending, Change{To: StatusExpired, FailureReason: reason, At: k.now()})
	switch {
	case errors.Is(err, ErrConflict):
		return "settled" // settled meanwhile by a webhook, a return or a replica
	case err != nil:
		k.log.Error("reconcile: expiring", "payment_id", p.ID, "err", err)
		return "error"
	}
	k.metrics.transitions.WithLabelValues(p.Provider, string(StatusExpired)).Inc()
	k.recordMove(ctx, p.ID, StatusPending, StatusExpired, reason)
	k.log.Info("payment expired", "payment_id", p.ID, "provider", p.Provider, "reason", reason)
	return "expired"
}

// RunReconciler runs a reconcile pass every interval (with a little
// jitter, so replicas drift apart) until ctx ends, and returns ctx's error.
// Errors of a pass are logged and counted; the next pass retries.
func (k *Kit) RunReconciler(ctx context.Context, every time.Duration) error {
	if every <= 0 {
		return fmt.Errorf("cauri: RunReconciler: interval must be positive")
	}
	for {
		jitter := time.Duration(rand.Int64N(int64(every)/10 + 1))
		t := time.NewTimer(every + jitter)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		if rep, err := k.Reconcile(ctx); err == nil && rep != (ReconcileReport{}) {
			k.log.Info("reconcile pass", "checked", rep.Checked, "settled", rep.Settled, "expired", rep.Expired,
				"skipped", rep.Skipped, "errors", rep.Errors, "fulfilled", rep.Fulfilled, "refunded", rep.Refunded,
				"payouts_checked", rep.PayoutsChecked, "payouts_resolved", rep.PayoutsResolved,
				"payouts_skipped", rep.PayoutsSkipped, "payouts_unresolvable", rep.PayoutsUnresolvable)
		}
	}
}

// reconcilePayouts asks, through run, about every payout pending past the
// policy's PayoutGrace, and sets each provider's payout backlog once they
// were all asked. It does nothing when the Store does not list payouts.
func (k *Kit) reconcilePayouts(ctx context.Context, pol ReconcilePolicy, batch int, run func(func()) bool,
	mu *sync.Mutex, rep *ReconcileReport) error {
	ps, ok := k.store.(PayoutStore)
	lister, listable := k.store.(PayoutLister)
	if !ok || !listable {
		return nil
	}
	olderThan := k.now().Add(-orDefault(pol.PayoutGrace, 5*time.Minute))
	backlog := make(map[string]int, len(k.providers))
	var wg sync.WaitGroup
	var after Cursor
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		lctx, cancel := bounded(ctx, storeTimeout)
		page, err := lister.ListPendingPayouts(lctx, olderThan, after, batch)
		cancel()
		if err != nil {
			return fmt.Errorf("cauri: reconcile: listing payouts: %w", err)
		}
		for _, p := range page {
			wg.Add(1)
			started := run(func() {
				defer wg.Done()
				r := k.resolve(ctx, ps, p)
				mu.Lock()
				defer mu.Unlock()
				switch r.outcome {
				case resolvedSucceeded, resolvedFailed:
					rep.PayoutsChecked++
					rep.PayoutsResolved++
				case resolvedSettled:
				case resolvedPending:
					rep.PayoutsChecked++
					backlog[p.Provider]++
				case resolveError:
					rep.PayoutsChecked++
					rep.Errors++
					backlog[p.Provider]++
				case resolveSkipped:
					rep.PayoutsSkipped++
					backlog[p.Provider]++
				case unresolvable:
					rep.PayoutsUnresolvable++
					backlog[p.Provider]++
					k.log.Warn("payout pending and unresolvable: settle it with the provider", "payout_key", p.Key,
						"provider", p.Provider, "created_at", p.CreatedAt, "err", r.err)
				}
			})
			if !started {
				wg.Done()
				return ctx.Err()
			}
		}
		if len(page) < batch {
			break
		}
		after = PayoutCursor(page[len(page)-1])
	}
	wg.Wait()
	for name := range k.providers {
		k.metrics.payoutBacklog.WithLabelValues(name).Set(float64(backlog[name]))
	}
	return nil
}
