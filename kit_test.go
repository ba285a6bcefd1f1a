package cauri_test

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/stores/memory"
)

func TestNewNamesEveryBadField(t *testing.T) {
	_, err := cauri.New(cauri.Config{
		PublicURL:       "ftp://shop.example",
		Secret:          "short",
		PreviousSecrets: []string{"also-short"},
		SuccessURL:      "javascript:alert(1)",
		FailureURL:      "//evil.example/x",
		ProviderTimeout: -1,
	})
	var ve *cauri.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("New: %v, want a *ValidationError", err)
	}
	var fields []string
	for _, f := range ve.Fields {
		fields = append(fields, f.Field)
	}
	for _, want := range []string{"Store", "Providers", "PublicURL", "Secret", "PreviousSecrets[0]", "Order", "SuccessURL", "FailureURL", "PendingURL", "ProviderTimeout"} {
		if !slices.Contains(fields, want) {
			t.Errorf("error does not name %s: %v", want, err)
		}
	}
	if strings.Contains(err.Error(), "short") {
		t.Errorf("error quotes the secret: %v", err)
	}
}

func TestNewRejectsPublicURLWithQuery(t *testing.T) {
	_, err := cauri.New(validConfig(func(c *cauri.Config) { c.PublicURL = "https://shop.example/pay?x=1" }))
	var ve *cauri.ValidationError
	if !errors.As(err, &ve) || !slices.ContainsFunc(ve.Fields, func(f cauri.FieldError) bool { return f.Field == "PublicURL" }) {
		t.Fatalf("New: %v, want PublicURL named", err)
	}
}

// validConfig returns a Config that New accepts, after edit.
func validConfig(edit func(*cauri.Config)) cauri.Config {
	c := cauri.Config{
		Store:      memory.New(),
		PublicURL:  "https://shop.example/pay",
		Secret:     "0123456789abcdef0123456789abcdef",
		Order:      func(*http.Request, string) (cauri.Order, error) { return cauri.Order{}, cauri.ErrNotFound },
		SuccessURL: "/thanks", FailureURL: "/sorry", PendingURL: "/waiting",
	}
	edit(&c)
	return c
}
