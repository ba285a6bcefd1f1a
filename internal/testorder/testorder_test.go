package testorder_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/internal/testorder"
)

func TestFromForm(t *testing.T) {
	for name, tt := range map[string]struct {
		form    url.Values
		wantErr error
	}{
		"the form's reference at the server's price": {url.Values{"order": {"o-1"}, "amount": {"1"}}, nil},
		"no reference": {url.Values{"amount": {"1"}}, cauri.ErrNotFound},
	} {
		t.Run(name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/checkout/moneroo", strings.NewReader(tt.form.Encode()))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			o, err := testorder.FromForm(5000)(r, "moneroo")
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if o.ID != tt.form.Get("order") || o.Amount != 5000 || o.Currency != "XOF" || len(o.Items) != 1 || o.Items[0].UnitPrice != 5000 {
				t.Errorf("order = %+v", o)
			}
			if c := o.Customer; c.Email == "" || c.Phone == "" || c.Country == "" || c.Name() == "" {
				t.Errorf("customer %+v lacks what a provider asks", c)
			}
		})
	}
}
