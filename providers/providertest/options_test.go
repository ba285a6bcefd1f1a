package providertest_test

import (
	"testing"
	"time"

	"github.com/cauripay/cauri/providers/providertest"
)

type ownA struct{ key string }

type ownB struct{}

func TestConfigure(t *testing.T) {
	t.Parallel()
	clock := func() time.Time { return time.Unix(42, 0) }
	tests := []struct {
		name     string
		opts     []providertest.EmulatorOption
		merchant string
		retries  int
		key      string
		fixed    bool // Now is clock
	}{
		{name: "defaults", merchant: "Test Shop", key: "default"},
		{
			name: "common and own, in order",
			opts: []providertest.EmulatorOption{
				providertest.WithMerchant("Boutique Awa"), providertest.WithWebhookRetries(-1, time.Second),
				providertest.Own(func(o *ownA) { o.key = "first" }), providertest.Own(func(o *ownA) { o.key = "last" }),
				providertest.WithClock(clock), providertest.WithWebhookTimeout(time.Minute), providertest.WithPayLaterDelay(time.Hour),
			},
			merchant: "Boutique Awa", retries: -1, key: "last", fixed: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			own := ownA{key: "default"}
			s := providertest.Configure(&own, tt.opts)
			if s.Merchant != tt.merchant || s.WebhookRetries != tt.retries || own.key != tt.key || s.Now == nil {
				t.Errorf("settings %+v, own %+v", s, own)
			}
			if got := s.Now().Equal(clock()); got != tt.fixed {
				t.Errorf("clock fixed %v, want %v", got, tt.fixed)
			}
			if tt.fixed && (s.WebhookRetryDelay != time.Second || s.WebhookTimeout != time.Minute || s.PayLaterDelay != time.Hour) {
				t.Errorf("settings %+v", s)
			}
		})
	}
}

func TestConfigureRefusesAnotherEmulatorsOption(t *testing.T) {
	t.Parallel()
	defer func() {
		if recover() == nil {
			t.Error("another emulator's option accepted")
		}
	}()
	providertest.Configure(&ownA{}, []providertest.EmulatorOption{providertest.Own(func(*ownB) {})})
}
