package cauri

import (
	"errors"
	"net/http"
	"net/url"
)

// ReturnHandler takes the customer coming back from the provider. It checks
// the payment ID and token the kit put in the return URL, never believes a
// status in the query, asks the provider when the stored payment is still
// pending and its turn has come (see Config.PollInterval; between turns the
// customer goes to the pending page, which polls), and answers 303 to the
// shop's SuccessURL, FailureURL or PendingURL. A payment superseded by a
// newer checkout of its order goes to FailureURL without asking. It never
// redirects anywhere else. It takes GET, HEAD and POST (a provider may send
// the customer back with a form); other methods get 405 with Allow. A
// visit it cannot serve (a forged token, an unknown payment, a store
// failure) gets the page of Config.ErrorPage (see [ErrorInfo]), by
// default a small HTML page, or {"error"} for a client asking for JSON.
//
// The provider, payment ID and token are the {provider}, {id} and {token}
// path values, or the three segments after "return".
func (k *Kit) ReturnHandler() http.Handler {
	return k.recorded(SourceReturn, k.serveReturn)
}

func (k *Kit) serveReturn(w http.ResponseWriter, r *http.Request) {
	if !allowed(w, r, k.failOnPage, "a return", http.MethodGet, http.MethodHead, http.MethodPost) {
		return
	}
	gp, count, ok := k.pageProvider(w, r, k.metrics.returns)
	if !ok {
		return
	}
	// The ID and token are in the path: whatever query the provider
	// appended is ignored.
	id, tok := paymentInPath(r)
	if !validPaymentID(id) || !k.signer.verify(purposeAccess, id, tok) {
		count("bad_token")
		k.failOnPage(w, r, http.StatusForbidden, "invalid or missing payment token")
		return
	}
	ctx, cancel := bounded(r.Context(), storeTimeout)
	defer cancel()
	p, err := k.store.Get(ctx, id)
	switch {
	case errors.Is(err, ErrNotFound) || (err == nil && p.Provider != gp.name):
		count("unknown_payment")
		k.failOnPage(w, r, http.StatusNotFound, "unknown payment")
		return
	case err != nil:
		count("error")
		k.log.Error("return: loading payment", "payment_id", id, "err", err)
		// The token verified: the payment ID is the customer's own.
		k.failPage(w, r, ErrorInfo{Code: http.StatusServiceUnavailable, Message: "could not load the payment, try again", PaymentID: id})
		return
	}

	if p.Status == StatusPending && p.SupersededBy != "" {
		// A newer checkout of the order replaced it: it is not the
		// customer's current payment, whatever its page said. Should it
		// be paid all the same, its notification or the reconciler
		// records it, and OnPaid gets it marked.
		count("superseded")
		redirect(w, r, k.shopURL(k.failure, p.ID))
		return
	}
	if p.Status == StatusPending && p.ProviderRef != "" || p.Status == StatusPaid && !p.Fulfilled() {
		cur, _, err := k.refresh(ctx, gp, p)
		if err != nil && !throttled(err) {
			// The customer is not the one to tell: pending page, and the
			// webhook, status endpoint or reconciler settle it later.
			k.log.Warn("return: could not settle with the provider", "payment_id", id, "provider", gp.name, "err", err)
		}
		p = cur
	}
	page, outcome := k.pageFor(p.Status)
	count(outcome)
	redirect(w, r, k.shopURL(page, p.ID))
}

// pageFor picks the shop's page for a status.
func (k *Kit) pageFor(s Status) (*url.URL, string) {
	switch s {
	case StatusPaid:
		return k.success, "success"
	case StatusPending:
		return k.pending, "pending"
	}
	return k.failure, "failure"
}

// firstOf returns the first value of key, and "" when the key is repeated:
// a repeated payment_id or token is someone's trick.
func firstOf(q url.Values, key string) string {
	if v := q[key]; len(v) == 1 {
		return v[0]
	}
	return ""
}
