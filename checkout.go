package cauri

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// errCheckoutTimeout is the cause of a checkout's context ending at
// Config.CheckoutTimeout: the provider was too slow, unlike a customer who
// hung up.
var errCheckoutTimeout = errors.New("cauri: checkout deadline passed")

// CheckoutResponse is the checkout handler's answer to a client that
// accepts application/json, sent with HTTP 200 where a browser would be
// redirected with 303: where to send the customer next. It is the kit's
// answer to the shop's page, unlike [Checkout], which is a provider's
// answer to the kit.
//
// While the payment is to be made, Status is pending and CheckoutURL is
// the provider's hosted page; when the order's earlier payment turned out
// paid, Status is paid and SuccessURL is the shop's success page. A
// refusal or failure is {"error": "..."} instead, with the HTTP status a
// browser gets.
type CheckoutResponse struct {
	// PaymentID is the payment's ID, as the status endpoint and the
	// shop's pages take it.
	PaymentID string `json:"payment_id"`
	// Status is the payment's: pending or paid.
	Status Status `json:"status"`
	// CheckoutURL is the provider's hosted page, for a pending payment;
	// empty otherwise.
	CheckoutURL string `json:"checkout_url,omitempty"`
	// SuccessURL is Config.SuccessURL with payment_id and token added, for
	// an order paid already; empty otherwise.
	SuccessURL string `json:"success_url,omitempty"`
	// StatusURL is the payment's status endpoint, token included (see
	// [Kit.StatusURL]), which answers a [StatusResponse].
	StatusURL string `json:"status_url"`
}

// CheckoutHandler starts a payment: it gets the order from Config.Order,
// validates it, stores a pending payment, opens the provider's checkout and
// answers 303 to the provider's page. A second checkout for the same order
// and amount while the first is pending reuses it; should that one turn out
// paid, the answer is 303 to Config.SuccessURL. With the provider's breaker
// open it answers 503 with Retry-After at once, and so it does when the
// checkout takes longer than Config.CheckoutTimeout. A browser's post from
// another site is refused with 403 unless Config.AllowCrossSiteCheckout
// says otherwise. It takes POST only: other methods get 405 with Allow.
//
// A request that accepts application/json gets every answer as JSON, with
// the HTTP status a browser gets but 200 for a redirect: a
// [CheckoutResponse] {payment_id, status: "pending", checkout_url,
// status_url} for a payment to make, {payment_id, status: "paid",
// success_url, status_url} for an order paid already, and {error} for a
// failure. A browser's failed checkout gets the page of Config.ErrorPage
// (see [ErrorInfo]), by default a small HTML page.
//
// The provider is the {provider} path value, or the segment after
// "checkout".
func (k *Kit) CheckoutHandler() http.Handler {
	return k.recorded(SourceCheckout, k.serveCheckout)
}

func (k *Kit) serveCheckout(w http.ResponseWriter, r *http.Request) {
	if !allowed(w, r, k.failOnPage, "checkout", http.MethodPost) {
		return
	}
	gp, count, ok := k.pageProvider(w, r, k.metrics.checkouts)
	if !ok {
		return
	}
	if k.crossSite != nil && k.crossSite.Check(r) != nil {
		count("cross_site")
		k.log.Warn("checkout: cross-site request refused", "provider", gp.name)
		k.failOnPage(w, r, http.StatusForbidden, "cross-site checkout refused")
		return
	}
	if gp.breakerOpen() {
		count("provider_unavailable")
		setRetryAfter(w, orDefault(k.cfg.Breaker.OpenTimeout, 30*time.Second))
		k.failOnPage(w, r, http.StatusServiceUnavailable, gp.name+" is unavailable, try again shortly")
		return
	}

	order, err := k.order(r, gp.name)
	var ve *ValidationError
	switch {
	case errors.Is(err, ErrNotFound):
		count("invalid_order")
		k.failOnPage(w, r, http.StatusNotFound, "order not found")
		return
	case errors.As(err, &ve):
		count("invalid_order")
		k.failOnPage(w, r, http.StatusUnprocessableEntity, ve.Error())
		return
	case err != nil:
		count("order_error")
		k.log.Error("Config.Order failed", "provider", gp.name, "err", err)
		k.failOnPage(w, r, http.StatusInternalServerError, "could not load the order")
		return
	}
	if err := validateStruct(k.validate, "order", order); err != nil {
		count("invalid_order")
		k.failPage(w, r, ErrorInfo{Code: http.StatusUnprocessableEntity, Message: err.Error(), OrderID: order.ID})
		return
	}

	ctx, cancel := context.WithTimeoutCause(r.Context(), k.checkoutTimeout, errCheckoutTimeout)
	defer cancel()
	p, outcome, err := k.checkout(ctx, gp, order)
	failed := func(code int, msg string) {
		k.failPage(w, r, ErrorInfo{Code: code, Message: msg, OrderID: order.ID, PaymentID: p.ID, Status: p.Status})
	}
	switch {
	case err == nil:
	case errors.As(err, &ve):
		count("invalid_order")
		failed(http.StatusUnprocessableEntity, ve.Error())
		return
	case errors.Is(err, ErrProviderUnavailable) || errors.Is(err, ErrRateLimited) || transient(ctx, err) ||
		errors.Is(context.Cause(ctx), errCheckoutTimeout):
		count("provider_unavailable")
		k.log.Warn("checkout: provider unavailable", "provider", gp.name, "err", err)
		after := max(retryAfterOf(err), time.Second)
		if gp.breakerOpen() {
			after = max(after, orDefault(k.cfg.Breaker.OpenTimeout, 30*time.Second))
		}
		setRetryAfter(w, after)
		failed(http.StatusServiceUnavailable, gp.name+" is unavailable, try again shortly")
		return
	case IsProviderRejection(err):
		count("provider_rejected")
		k.log.Error("checkout: provider refused", "provider", gp.name, "err", err)
		failed(http.StatusBadGateway, gp.name+" refused the payment request")
		return
	default:
		count("error")
		k.log.Error("checkout failed", "provider", gp.name, "err", err)
		failed(http.StatusInternalServerError, "could not start the payment")
		return
	}
	count(outcome)

	resp := CheckoutResponse{PaymentID: p.ID, Status: p.Status, CheckoutURL: p.CheckoutURL, StatusURL: k.StatusURL(p.ID)}
	next := p.CheckoutURL
	if outcome == "already_paid" {
		resp.CheckoutURL, resp.SuccessURL = "", k.shopURL(k.success, p.ID)
		next = resp.SuccessURL
	}
	if wantsJSON(r) {
		writeJSON(w, http.StatusOK, resp)
		return
	}
	redirect(w, r, next)
}

// IsProviderRejection reports whether err is a provider's permanent
// refusal (a 4xx, a validation error on its side).
func IsProviderRejection(err error) bool {
	var pe *ProviderError
	return errors.As(err, &pe) && !pe.Temporary
}

// checkoutKey names an order snapshot for one provider. The amount and
// currency are part of it: a changed basket is a new payment.
func checkoutKey(provider string, o Order) string {
	return provider + "|" + o.ID + "|" + strconv.FormatInt(o.Amount, 10) + "|" + o.Currency
}

// checkout stores a pending payment and opens it at the provider, or
// reuses the pending payment of an identical earlier checkout. The outcome
// is "created", "reused" or "already_paid". An error that comes after the
// payment was stored comes with the payment (failed when its checkout
// never opened), for the error page to name; an earlier one with the zero
// Payment.
func (k *Kit) checkout(ctx context.Context, gp *guardedProvider, o Order) (Payment, string, error) {
	key := checkoutKey(gp.name, o)
	// To the microsecond, as SQL stores keep it: the payment's position
	// among its order's (see Supersede) is then the same in Go and in the
	// store.
	now := k.now().Truncate(time.Microsecond)
	p := Payment{
		ID: newPaymentID(), Provider: gp.name, OrderID: o.ID, CheckoutKey: key,
		Status: StatusPending, Amount: o.Amount, Currency: o.Currency, Metadata: o.Metadata,
		CreatedAt: now, UpdatedAt: now,
	}
	// A round costs the store two or three calls: rounds are spaced out, as
	// when waiting for a double submit, so that a key that stays taken
	// never makes the loop spin, and end with ctx.
	wait := 25 * time.Millisecond
	for attempt := 0; ; attempt++ {
		if attempt > 0 {
			if err := pause(ctx, wait); err != nil {
				return Payment{}, "", err
			}
			wait = min(wait*2, 500*time.Millisecond)
		}
		err := k.store.Create(ctx, p)
		if err == nil {
			k.record(ctx, p.ID, Event{At: now, Kind: EventCreated, Status: StatusPending,
				Detail: fmt.Sprintf("order %s: %d %s", o.ID, o.Amount, o.Currency)})
			break
		}
		if !errors.Is(err, ErrDuplicate) || attempt == 20 {
			return Payment{}, "", fmt.Errorf("cauri: storing payment: %w", err)
		}
		prev, err := k.store.GetPendingByCheckoutKey(ctx, key)
		switch {
		case errors.Is(err, ErrNotFound):
			// Settled meanwhile: the key is free.
		case err != nil:
			return Payment{}, "", fmt.Errorf("cauri: loading pending checkout: %w", err)
		case prev.CheckoutURL != "":
			if p, reused, err := k.reuse(ctx, gp, prev); err != nil || reused != "" {
				return p, reused, err
			}
		case k.now().Sub(prev.CreatedAt) > k.staleCheckout:
			// Its checkout never opened (a crash, an error while
			// recording it): the customer never saw a page to pay on.
			// A conflict means it moved meanwhile, which frees the key
			// all the same.
			_, err := k.store.Transition(ctx, prev.ID, StatusPending, Change{To: StatusFailed, FailureReason: "checkout never opened", At: k.now()})
			if err != nil && !errors.Is(err, ErrConflict) && !errors.Is(err, ErrNotFound) {
				return Payment{}, "", fmt.Errorf("cauri: closing stale checkout %s: %w", prev.ID, err)
			}
			if err == nil {
				k.recordMove(ctx, prev.ID, StatusPending, StatusFailed, "checkout never opened")
			}
		}
		// Otherwise the same checkout is being opened right now (a double
		// submit): wait for it.
	}

	// This checkout replaces the order's earlier pending payments (another
	// amount, another provider): none of them is offered again, and one
	// paid all the same reaches OnPaid marked.
	if n, err := k.store.Supersede(ctx, o.ID, CursorOf(p)); err != nil {
		return k.closeUnopened(ctx, p, "checkout could not be opened"), "", fmt.Errorf("cauri: superseding earlier payments of order %s: %w", o.ID, err)
	} else if n > 0 {
		k.recordSuperseded(ctx, o.ID, p)
		k.log.Info("checkout supersedes earlier pending payments of the order", "payment_id", p.ID, "provider", gp.name, "order_id", o.ID, "superseded", n)
	}

	req := CheckoutRequest{
		PaymentID:   p.ID,
		Order:       o,
		ReturnURL:   k.ReturnURL(gp.name, p.ID),
		CallbackURL: k.CallbackURL(gp.name, p.ID),
	}
	co, err := call(ctx, k, gp, "create", gp.idempotent, func(ctx context.Context) (Checkout, error) {
		return gp.CreateCheckout(ctx, req)
	})
	if err == nil {
		err = checkRedirect(co.RedirectURL)
	}
	if err != nil {
		return k.closeUnopened(ctx, p, "checkout could not be opened"), "", err
	}
	if err := k.store.Attach(ctx, p.ID, co.ProviderRef, co.RedirectURL, k.now()); err != nil {
		return p, "", fmt.Errorf("cauri: recording checkout of %s: %w", p.ID, err)
	}
	p.ProviderRef, p.CheckoutURL = co.ProviderRef, co.RedirectURL
	k.record(ctx, p.ID, Event{Kind: EventOpened, Status: StatusPending, Detail: "checkout opened at " + gp.name})
	k.log.Info("checkout opened", "payment_id", p.ID, "provider", gp.name, "order_id", o.ID)
	return p, "created", nil
}

// pause waits about d (between half of it and all of it, at random, so
// that checkouts waiting on each other drift apart), or until ctx ends,
// whose error it then returns at once.
func pause(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	t := time.NewTimer(d/2 + rand.N(d/2+1))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// closeUnopened fails payment p, whose checkout never opened: the customer
// never saw a page to pay on, and the order can be tried again at once. It
// returns p as it now stands: failed, or as it was when that failed.
func (k *Kit) closeUnopened(ctx context.Context, p Payment, reason string) Payment {
	ctx, cancel := detach(ctx, storeTimeout)
	defer cancel()
	closed, err := k.store.Transition(ctx, p.ID, StatusPending, Change{To: StatusFailed, FailureReason: reason, At: k.now()})
	if err != nil {
		k.log.Error("closing a payment whose checkout failed", "payment_id", p.ID, "err", err)
		return p
	}
	k.recordMove(ctx, p.ID, StatusPending, StatusFailed, reason)
	return closed
}

// reuse decides what to do with an identical pending checkout. A young one
// is reused as it is; an older one is first checked with the provider, so
// that a customer is never sent to a dead page, nor asked to pay twice. An
// empty outcome means the old payment has settled and a new one may be
// created.
func (k *Kit) reuse(ctx context.Context, gp *guardedProvider, prev Payment) (Payment, string, error) {
	if k.now().Sub(prev.UpdatedAt) < k.staleCheckout || gp.breakerOpen() {
		return prev, "reused", nil
	}
	cur, _, err := k.refresh(ctx, gp, prev)
	if err != nil {
		if !throttled(err) {
			k.log.Warn("checking an earlier checkout; reusing it", "payment_id", prev.ID, "err", err)
		}
		return prev, "reused", nil
	}
	switch cur.Status {
	case StatusPending:
		return cur, "reused", nil
	case StatusPaid:
		return cur, "already_paid", nil
	}
	return Payment{}, "", nil
}

// checkRedirect refuses a provider checkout URL that is not absolute
// http(s): the customer is sent there.
func checkRedirect(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("%w: provider returned an unusable checkout URL", ErrMalformed)
	}
	return nil
}

// order calls Config.Order, turning a panic in the shop's code into an
// error: a checkout request must never bring the process down.
func (k *Kit) order(r *http.Request, provider string) (o Order, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("cauri: Config.Order panicked: %v", v)
		}
	}()
	return k.cfg.Order(r, provider)
}
