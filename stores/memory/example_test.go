package memory_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/stores/memory"
)

// Example stores a payment, records the provider's confirmation with a
// compare-and-set, and takes the OnPaid lease so that only one worker
// fulfils the order.
func Example() {
	ctx := context.Background()
	s := memory.New()
	now := time.Date(2025, time.March, 14, 9, 30, 0, 0, time.UTC)

	err := s.Create(ctx, cauri.Payment{
		ID:          "pay_01JPEXAMPLE0000000000000000",
		Provider:    "wave",
		OrderID:     "order-42",
		CheckoutKey: "wave/order-42/5000/XOF",
		Status:      cauri.StatusPending,
		Amount:      5000,
		Currency:    "XOF",
		CreatedAt:   now,
		UpdatedAt:   now,
	})
	if err != nil {
		fmt.Println("create:", err)
		return
	}
	if err := s.Attach(ctx, "pay_01JPEXAMPLE0000000000000000", "cos-18x7", "https://pay.wave.com/c/cos-18x7", now); err != nil {
		fmt.Println("attach:", err)
		return
	}

	// The provider's webhook says the customer paid.
	p, err := s.Transition(ctx, "pay_01JPEXAMPLE0000000000000000", cauri.StatusPending, cauri.Change{
		To:     cauri.StatusPaid,
		Fee:    50,
		Method: "wave_sn",
		At:     now.Add(2 * time.Minute),
	})
	if err != nil {
		fmt.Println("transition:", err)
		return
	}
	fmt.Println(p.Status, p.ProviderRef, p.Fee, p.Method)

	// The same webhook, delivered twice, loses the compare-and-set.
	_, err = s.Transition(ctx, p.ID, cauri.StatusPending, cauri.Change{To: cauri.StatusPaid})
	fmt.Println("duplicate webhook conflicts:", errors.Is(err, cauri.ErrConflict))

	// One worker takes the OnPaid lease; another has to wait.
	at := now.Add(2 * time.Minute)
	if err := s.ClaimOnPaid(ctx, p.ID, "worker-1", at, time.Minute); err != nil {
		fmt.Println("claim:", err)
		return
	}
	err = s.ClaimOnPaid(ctx, p.ID, "worker-2", at, time.Minute)
	fmt.Println("second worker:", errors.Is(err, cauri.ErrLeaseHeld))

	// worker-1 fulfils the order and records it.
	if err := s.CompleteOnPaid(ctx, p.ID, "worker-1", at.Add(time.Second)); err != nil {
		fmt.Println("complete:", err)
		return
	}
	p, _ = s.Get(ctx, p.ID)
	fmt.Println("fulfilled:", p.Fulfilled(), "after", p.OnPaidAttempts, "attempt")

	// Output:
	// paid cos-18x7 50 wave_sn
	// duplicate webhook conflicts: true
	// second worker: true
	// fulfilled: true after 1 attempt
}
