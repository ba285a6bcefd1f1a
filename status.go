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
	if gp := k.providers[p.Provider]; gp != nil && p.Status == StatusPending && p.ProviderRef != "" && k.due(id, max(k.refreshEvery, guidance(gp))) {
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

// Poll records are pruned past these, so they stay small however many
// payments are polled.
const (
	pollRecordsMax = 200_000
	pollRecordsTTL = 15 * time.Minute
)

// due reports whether payment id may be asked about now, at most once every
// `every`, and if so records that it is being.
func (k *Kit) due(id string, every time.Duration) bool {
	now := time.Now()
	k.refreshMu.Lock()
	defer k.refreshMu.Unlock()
	if last, ok := k.refreshed[id]; ok && now.Sub(last) < every {
		return false
	}
	if len(k.refreshed) >= pollRecordsMax {
		for pid, t := range k.refreshed {
			if now.Sub(t) >= min(every, pollRecordsTTL) {
				delete(k.refreshed, pid)
			}
		}
		if len(k.refreshed) >= pollRecordsMax {
			return false // polled too hard: the webhook or a later pass settles it
		}
	}
	k.refreshed[id] = now
	return true
}

// polled records a status call about payment id made for another reason
// (a webhook to confirm), so that polls keep their distance from it.
func (k *Kit) polled(id string) {
	k.refreshMu.Lock()
	defer k.refreshMu.Unlock()
	if len(k.refreshed) < pollRecordsMax {
		k.refreshed[id] = time.Now()
	}
}
