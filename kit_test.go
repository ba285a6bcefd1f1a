package cauri_test

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/dexchange"
	"github.com/cauripay/cauri/providers/moneroo"
	"github.com/cauripay/cauri/stores/memory"
)

func TestNewNamesEveryBadField(t *testing.T) {
	_, err := cauri.New(cauri.Config{
		PublicURL:       "ftp://shop.example",
		Secret:          "short",
		PreviousSecrets: []string{"also-short"},
		SuccessURL:      "javascript:alert(1)",
		FailureURL:      "//evil.example/x",
		ShopURL:         "javascript:history.back()",
		ProviderTimeout: -1,
	})
	fields := invalidFields(t, err)
	for _, want := range []string{"Store", "Providers", "PublicURL", "Secret", "PreviousSecrets[0]", "Order", "SuccessURL", "FailureURL", "PendingURL", "ShopURL", "ProviderTimeout"} {
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

// invalidFields returns the fields a *cauri.ValidationError names, and
// fails t when err is not one.
func invalidFields(t *testing.T, err error) []string {
	t.Helper()
	var ve *cauri.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("New: %v, want a *ValidationError", err)
	}
	var fields []string
	for _, f := range ve.Fields {
		fields = append(fields, f.Field)
	}
	return fields
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

func TestNewChecksRateLimits(t *testing.T) {
	_, err := cauri.New(validConfig(func(c *cauri.Config) {
		c.Providers = []cauri.Provider{mustDexchange(t), mustMoneroo(t)}
		c.RateLimits = map[string]cauri.RateLimit{
			"dexchange": {Requests: 0, Per: time.Minute},
			"moneroo":   {Requests: 10, Per: -time.Second},
			"nobody":    {Requests: 10, Per: time.Second},
		}
	}))
	fields := invalidFields(t, err)
	if want := []string{"RateLimits[dexchange]", "RateLimits[moneroo]", "RateLimits[nobody]"}; !slices.Equal(fields, want) {
		t.Errorf("New named %v, want %v", fields, want)
	}
	if _, err := cauri.New(validConfig(func(c *cauri.Config) {
		c.Providers = []cauri.Provider{mustDexchange(t)}
		c.RateLimits = map[string]cauri.RateLimit{"dexchange": {Requests: 1000, Per: time.Minute}}
	})); err != nil {
		t.Errorf("New with a valid RateLimits: %v", err)
	}
}

func mustDexchange(t *testing.T) cauri.Provider {
	p, err := dexchange.New(dexchange.Config{APIKey: "sk.test.config"})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func mustMoneroo(t *testing.T) cauri.Provider {
	p, err := moneroo.New(moneroo.Config{SecretKey: "config"})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestNewRegistersMetrics: a kit registers its collectors, shares those
// of a kit already on the same registry, and fails on one that already
// holds another collector under a kit's metric name.
func TestNewRegistersMetrics(t *testing.T) {
	tests := []struct {
		name    string
		before  func(t *testing.T, reg *prometheus.Registry)
		wantErr bool
	}{
		{"an empty registry", func(*testing.T, *prometheus.Registry) {}, false},
		{"another kit's registry", func(t *testing.T, reg *prometheus.Registry) {
			if _, err := cauri.New(validConfig(func(c *cauri.Config) {
				c.Providers, c.Registerer = []cauri.Provider{mustMoneroo(t)}, reg
			})); err != nil {
				t.Fatal(err)
			}
		}, false},
		{"a registry with another cauri_checkouts_total", func(t *testing.T, reg *prometheus.Registry) {
			reg.MustRegister(prometheus.NewCounter(prometheus.CounterOpts{Name: "cauri_checkouts_total", Help: "The shop's own."}))
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := prometheus.NewRegistry()
			tt.before(t, reg)
			_, err := cauri.New(validConfig(func(c *cauri.Config) {
				c.Providers, c.Registerer = []cauri.Provider{mustMoneroo(t)}, reg
			}))
			if gotErr := err != nil; gotErr != tt.wantErr || gotErr && !strings.Contains(err.Error(), "registering metrics") {
				t.Errorf("New: %v, want an error: %t", err, tt.wantErr)
			}
		})
	}
}
