package cauri

import (
	"errors"
	"net/http"
	"strings"
	"time"
)

// statusResponse is the status endpoint's JSON.
type statusResponse struct {
	PaymentID string    `json:"payment_id"`
	OrderID   string    `json:"order_id"`
	Provider  string    `json:"provider"`
	Status    Status    `json:"status"`
	Final     bool      `json:"final"`
	Amount    int64     `json:"amount"`
	Currency  string    `json:"currency"`
	UpdatedAt time.Time `json:"updated_at"`
}

// StatusHandler answers GET /payments/{id}?token=... with the payment's
// status as JSON, for the shop's pending page to poll. The token is the one
// the kit appended to the shop's pages. While the payment is pending it asks
// the provider, at most once every Config.StatusRefreshInterval per payment,
// so that a payment whose webhook never comes still settles.
//
// The payment ID is the {id} path value, or the last path segment.
func (k *Kit) StatusHandler() http.Handler {
	return http.HandlerFunc(k.serveStatus)
}

func (k *Kit) serveStatus(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if id == "" {
		id = r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:]
	}
	if !validPaymentID(id) || !k.signer.verify(purposeAccess, id, firstOf(r.URL.Query(), "token")) {
		fail(w, r, http.StatusForbidden, "invalid or missing payment token")
		return
	}
	p, err := k.store.Get(r.Context(), id)
	switch {
	case errors.Is(err, ErrNotFound):
		fail(w, r, http.StatusNotFound, "unknown payment")
		return
	case err != nil:
		k.log.Error("status: loading payment", "payment_id", id, "err", err)
		fail(w, r, http.StatusServiceUnavailable, "could not load the payment, try again")
		return
	}
	if gp := k.providers[p.Provider]; gp != nil && p.Status == StatusPending && p.ProviderRef != "" && k.dueForRefresh(id) {
		if cur, _, err := k.refresh(r.Context(), gp, p); err != nil {
			k.log.Warn("status: could not settle with the provider", "payment_id", id, "err", err)
		} else {
			p = cur
		}
	}
	writeJSON(w, http.StatusOK, statusResponse{
		PaymentID: p.ID, OrderID: p.OrderID, Provider: p.Provider, Status: p.Status, Final: p.Status.Final(),
		Amount: p.Amount, Currency: p.Currency, UpdatedAt: p.UpdatedAt,
	})
}

// dueForRefresh reports whether payment id may be checked with its
// provider now, and if so records that it is. The record is pruned so it
// stays small however many payments are polled.
func (k *Kit) dueForRefresh(id string) bool {
	now := time.Now()
	k.refreshMu.Lock()
	defer k.refreshMu.Unlock()
	if last, ok := k.refreshed[id]; ok && now.Sub(last) < k.refreshEvery {
		return false
	}
	if len(k.refreshed) >= 10000 {
		for pid, t := range k.refreshed {
			if now.Sub(t) >= k.refreshEvery {
				delete(k.refreshed, pid)
			}
		}
	}
	if len(k.refreshed) >= 10000 {
		return false // polled too hard: the webhook or reconciler will settle it
	}
	k.refreshed[id] = now
	return true
}
