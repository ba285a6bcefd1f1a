package rig

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"sync"

	"github.com/cauripay/cauri/providers/moneroo"
)

// Bare is the baseline webhook receiver: what a shop writes without the
// kit. It reads the body (at most 64 KiB), checks X-Moneroo-Signature (the
// HMAC-SHA256 of the body) in constant time, decodes the JSON and marks the
// payment named in its metadata paid with Apply, a single compare-and-set.
// It answers 200 when the payment moved or had already, 401 on a bad
// signature, 400 on bad JSON and 500 when Apply failed.
type Bare struct {
	// Secret is the webhook secret.
	Secret []byte
	// Apply marks payment id paid if it is pending: one single-row UPDATE
	// in a database (of a two-column table, or of a table with the kit's
	// payments schema), or a map under a lock.
	Apply func(ctx context.Context, id string) error
}

// bareNotification is what Bare reads of a notification.
type bareNotification struct {
	Event string `json:"event"`
	Data  struct {
		ID       string            `json:"id"`
		Status   string            `json:"status"`
		Amount   json.Number       `json:"amount"`
		Currency string            `json:"currency"`
		Metadata map[string]string `json:"metadata"`
	} `json:"data"`
}

// ServeHTTP receives one notification.
func (b *Bare) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
	if err != nil {
		http.Error(w, "could not read the body", http.StatusBadRequest)
		return
	}
	got, err := hex.DecodeString(r.Header.Get(moneroo.SignatureHeader))
	mac := hmac.New(sha256.New, b.Secret)
	mac.Write(body)
	if err != nil || !hmac.Equal(got, mac.Sum(nil)) {
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	var n bareNotification
	if err := json.Unmarshal(body, &n); err != nil {
		http.Error(w, "malformed", http.StatusBadRequest)
		return
	}
	if n.Event == "payment.success" {
		if err := b.Apply(r.Context(), n.Data.Metadata[moneroo.MetaPaymentID]); err != nil {
			http.Error(w, "temporary failure", http.StatusInternalServerError)
			return
		}
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = io.WriteString(w, "ok\n")
}

// ErrUnknownPayment is what [MapPayments.Apply] returns for an ID it does
// not hold.
var ErrUnknownPayment = errors.New("rig: unknown payment")

// MapPayments is the baseline's in-memory table: payment ID → paid, under
// one lock.
type MapPayments struct {
	mu   sync.Mutex
	paid map[string]bool
}

// NewMapPayments holds ids, all pending.
func NewMapPayments(ids []string) *MapPayments {
	m := &MapPayments{paid: make(map[string]bool, len(ids))}
	for _, id := range ids {
		m.paid[id] = false
	}
	return m
}

// Apply marks id paid if it is pending.
func (m *MapPayments) Apply(_ context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	paid, ok := m.paid[id]
	if !ok {
		return ErrUnknownPayment
	}
	if !paid {
		m.paid[id] = true
	}
	return nil
}

// Paid counts the paid payments.
func (m *MapPayments) Paid() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, p := range m.paid {
		if p {
			n++
		}
	}
	return n
}
