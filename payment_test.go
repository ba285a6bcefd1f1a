package cauri_test

import (
	"testing"

	"github.com/cauripay/cauri"
)

func TestStatusMachine(t *testing.T) {
	all := []cauri.Status{cauri.StatusPending, cauri.StatusPaid, cauri.StatusFailed, cauri.StatusCancelled, cauri.StatusExpired, "bogus", ""}
	for _, from := range all {
		for _, to := range all {
			want := from == cauri.StatusPending && to != cauri.StatusPending && to.Valid()
			if got := from.CanMoveTo(to); got != want {
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
