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

// TestWebhookPath: Kit.ServeHTTP takes a webhook past its mux only for a
// POST to exactly /webhooks/{provider}, of a configured provider, in a
// path as the mux would route it unchanged; everything else goes to the
// mux.
func TestWebhookPath(t *testing.T) {
	gp := &guardedProvider{name: "moneroo"}
	k := &Kit{providers: map[string]*guardedProvider{"moneroo": gp}}
	tests := []struct {
		method, target string
		want           *guardedProvider
	}{
		{"POST", "/webhooks/moneroo", gp},
		{"POST", "/webhooks/moneroo?x=1", gp},
		{"GET", "/webhooks/moneroo", nil},
		{"HEAD", "/webhooks/moneroo", nil},
		{"POST", "/webhooks/paydunya", nil},
		{"POST", "/webhooks/moneroo/", nil},
		{"POST", "/webhooks/moneroo/pay_1/tok", nil},
		{"POST", "/webhooks/", nil},
		{"POST", "/webhooks", nil},
		{"POST", "/pay/webhooks/moneroo", nil},
		{"POST", "/webhooks/mone%72oo", nil},
		{"POST", "/webhooks//moneroo", nil},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.target, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, "http://shop.example"+tt.target, nil)
			if got := k.webhookPath(r); got != tt.want {
				t.Errorf("webhookPath = %v, want %v", got, tt.want)
			}
		})
	}
}
