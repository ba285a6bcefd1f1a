package cauri

import (
	"net/http/httptest"
	"testing"
)

// TestPathFallbacks: mounted under another router, the handlers find the
// provider, payment and token in the path by the words around them.
func TestPathFallbacks(t *testing.T) {
	tests := []struct {
		path      string
		provider  string
		id, token string
	}{
		{path: "/webhooks/moneroo", provider: "moneroo"},
		{path: "/pay/webhooks/moneroo/pay_1/tok", provider: "moneroo", id: "pay_1", token: "tok"},
		{path: "/return/paydunya/pay_2/tok2", provider: "paydunya", id: "pay_2", token: "tok2"},
		{path: "/return/paydunya/pay_2/tok2/extra", provider: "paydunya", id: "pay_2", token: "tok2"},
		{path: "/return/paydunya/pay_2", provider: "paydunya"},
		{path: "/return/paydunya/pay_2/", provider: "paydunya", id: "pay_2"},
		{path: "/shop/return/webhooks/x/y", provider: "webhooks", id: "x", token: "y"},
		{path: "/checkout/novasend", provider: "novasend"},
		{path: "/checkout", provider: ""},
		{path: "/webhooks/", provider: ""},
		{path: "/elsewhere/moneroo/pay_1/tok", provider: ""},
		{path: "", provider: ""},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			r := httptest.NewRequest("POST", "http://shop.example"+tt.path, nil)
			if r.URL.Path != tt.path && tt.path != "" {
				t.Fatalf("URL.Path = %q", r.URL.Path)
			}
			if got := segmentAfter(r.URL.Path, "checkout", "return", "webhooks"); got != tt.provider {
				t.Errorf("segmentAfter = %q, want %q", got, tt.provider)
			}
			id, token := paymentInPath(r)
			if id != tt.id || token != tt.token {
				t.Errorf("paymentInPath = %q, %q; want %q, %q", id, token, tt.id, tt.token)
			}
		})
	}
}
