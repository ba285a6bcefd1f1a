package cauri_test

import (
	"testing"

	"github.com/cauripay/cauri"
)

func TestStatusMachine(t *testing.T) {
	all := []cauri.Status{cauri.StatusPending, cauri.StatusPaid, cauri.StatusFailed, cauri.StatusCancelled, cauri.StatusExpired, cauri.StatusRefunded, "bogus", ""}
	for _, from := range all {
		for _, to := range all {
			want := from == cauri.StatusPending && to != cauri.StatusPending && to != cauri.StatusRefunded && to.Valid() ||
				from == cauri.StatusPaid && to == cauri.StatusRefunded
			if got := cauri.CanMoveTo(from, to); got != want {
				t.Errorf("%q → %q allowed = %v, want %v", from, to, got, want)
			}
		}
	}
	for _, s := range all {
		wantFinal := s.Valid() && s != cauri.StatusPending
		if s.Final() != wantFinal {
			t.Errorf("%q.Final() = %v", s, s.Final())
		}
	}
}

func TestCustomerName(t *testing.T) {
	tests := []struct {
		c    cauri.Customer
		want string
	}{
		{cauri.Customer{FirstName: "Awa", LastName: "Diallo"}, "Awa Diallo"},
		{cauri.Customer{FirstName: "Awa"}, "Awa"},
		{cauri.Customer{LastName: "Diallo"}, "Diallo"},
		{cauri.Customer{}, ""},
	}
	for _, tt := range tests {
		if got := tt.c.Name(); got != tt.want {
			t.Errorf("%+v.Name() = %q, want %q", tt.c, got, tt.want)
		}
	}
}

func TestSurplus(t *testing.T) {
	tests := []struct {
		name                  string
		amount, fee, received int64
		want                  int64
	}{
		{"nothing reported", 300, 0, 0, 0},
		{"the order's amount", 300, 0, 300, 0},
		{"the order plus the stated fee", 300, 6, 306, 0},
		{"more than order and fee", 300, 6, 310, 4},
		{"more than the order, less than order and fee", 300, 6, 303, 0},
		{"more, no fee stated", 300, 0, 306, 6},
		{"less (never settles)", 300, 0, 294, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := cauri.Payment{Amount: tt.amount, Fee: tt.fee, Received: tt.received}
			if got := p.Surplus(); got != tt.want {
				t.Errorf("Surplus() = %d, want %d", got, tt.want)
			}
		})
	}
}
