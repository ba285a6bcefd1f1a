package cauri

import (
	"errors"
	"net/http"
	"strings"
	"time"
)

// StatusResponse is the status endpoint's JSON answer (see
// [Kit.StatusHandler]): one payment as the shop's pending page needs it.
type StatusResponse struct {
	// PaymentID and OrderID are the payment's and its order's.
	PaymentID string `json:"payment_id"`
	OrderID   string `json:"order_id"`
	// Provider is the provider's name: "moneroo".
	Provider string `json:"provider"`
	// Status is where the payment stands.
	Status Status `json:"status"`
	// Final is Status.Final(): true once the payment is settled, when the
	// page may stop polling.
	Final bool `json:"final"`
	// Amount and Currency are the order's, Amount in the currency's
	// smallest unit (see [Order.Amount]).
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
	// UpdatedAt is when the payment last changed.
	UpdatedAt time.Time `json:"updated_at"`
	// Superseded is true when a newer checkout of the same order replaced
	// this payment: the page should stop waiting for it.
	Superseded bool `json:"superseded,omitempty"`
}

// StatusHandler answers GET /payments/{id}?token=... with the payment's
// status as a JSON [StatusResponse], for the shop's pending page to poll. The token is the one
// the kit appended to the shop's pages. While the payment is pending it asks
// the provider when the payment's turn has come (see Config.PollInterval),
// so that a payment whose webhook never comes still settles; between turns
// it answers from the store, however often it is asked. It takes GET and
// HEAD; other methods get 405 with Allow.
//
// The payment ID is the {id} path value, or the last path segment.
func (k *Kit) StatusHandler() http.Handler {
	return k.recorded(SourceStatus, k.serveStatus)
}

func (k *Kit) serveStatus(w http.ResponseWriter, r *http.Request) {
	if !allowed(w, r, fail, "the status", http.MethodGet, http.MethodHead) {
		return
	}
	id := r.PathValue("id")
	if id == "" {
		id = r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:]
	}
	if !validPaymentID(id) || !k.signer.verify(purposeAccess, id, firstOf(r.URL.Query(), "token")) {
		fail(w, r, http.StatusForbidden, "invalid or missing payment token")
		return
	}
	ctx, cancel := bounded(r.Context(), storeTimeout)
	defer cancel()
	p, err := k.store.Get(ctx, id)
	switch {
	case errors.Is(err, ErrNotFound):
		fail(w, r, http.StatusNotFound, "unknown payment")
		return
	case err != nil:
		k.log.Error("status: loading payment", "payment_id", id, "err", err)
		fail(w, r, http.StatusServiceUnavailable, "could not load the payment, try again")
		return
	}
	if gp := k.providers[p.Provider]; gp != nil && p.Status == StatusPending && p.ProviderRef != "" && p.SupersededBy == "" {
		switch cur, _, err := k.refresh(ctx, gp, p); {
		case err == nil:
			p = cur
		case !throttled(err):
			k.log.Warn("status: could not settle with the provider", "payment_id", id, "err", err)
		}
	}
	writeJSON(w, http.StatusOK, StatusResponse{
		PaymentID: p.ID, OrderID: p.OrderID, Provider: p.Provider, Status: p.Status, Final: p.Status.Final(),
		Amount: p.Amount, Currency: p.Currency, UpdatedAt: p.UpdatedAt, Superseded: p.SupersededBy != "",
	})
}
