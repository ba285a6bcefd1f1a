package providertest

import (
	"fmt"
	"time"
)

// EmulatorOption configures a provider's emulator, the New of
// providers/<name>/<name>test: every emulator takes [WithMerchant],
// [WithClock], [WithWebhookRetries], [WithWebhookTimeout] and
// [WithPayLaterDelay], and a provider's emulator takes its package's own
// options besides ([Own]).
type EmulatorOption func(*EmulatorSettings)

// EmulatorSettings are the settings [EmulatorOption] values set, as
// [Configure] returns them to an emulator's New.
type EmulatorSettings struct {
	// Merchant is the shop's name on the hosted page: "Test Shop" unless
	// set.
	Merchant string
	// Now is the emulator's clock. Nil means time.Now.
	Now func() time.Time
	// WebhookRetries is how many times a notification the receiver did
	// not acknowledge with a 2xx is sent again: zero means 3, a negative
	// value none. WebhookRetryDelay is the wait in between: zero means
	// 20ms. WebhookTimeout is how long the receiver has to answer: zero
	// means 3 seconds.
	WebhookRetries                    int
	WebhookRetryDelay, WebhookTimeout time.Duration
	// PayLaterDelay, when above zero, makes the phone of a customer who
	// chose "pay later on my phone" confirm by itself that long after the
	// choice, on real time (not the emulator's clock): for demos. Zero
	// waits for the emulator's ConfirmLater, as tests should.
	PayLaterDelay time.Duration

	own []func(own any) bool // the provider-specific options, in order
}

// WithMerchant sets the shop's name shown on the hosted page (and, where
// the provider's configuration names the shop, given to it). The default
// is "Test Shop".
func WithMerchant(name string) EmulatorOption {
	return func(s *EmulatorSettings) { s.Merchant = name }
}

// WithClock sets the emulator's clock, which dates payments and ends
// their pages: a test's fake clock, also given to the kit
// (cauri.Config.Now). The default is time.Now.
func WithClock(now func() time.Time) EmulatorOption {
	return func(s *EmulatorSettings) { s.Now = now }
}

// WithWebhookRetries sets how many times a notification the receiver did
// not answer with a 2xx is sent again, and the wait in between. The
// default is 3 times, 20ms apart (real providers wait minutes); n < 0
// means no retry.
func WithWebhookRetries(n int, delay time.Duration) EmulatorOption {
	return func(s *EmulatorSettings) { s.WebhookRetries, s.WebhookRetryDelay = n, delay }
}

// WithWebhookTimeout sets how long the receiver has to answer a
// notification. The default is 3 seconds.
func WithWebhookTimeout(d time.Duration) EmulatorOption {
	return func(s *EmulatorSettings) { s.WebhookTimeout = d }
}

// WithPayLaterDelay makes the phone of a customer who chose "pay later on
// my phone" confirm by itself d after the choice, on real time (not the
// emulator's clock): for demos. The default, zero, waits for the
// emulator's ConfirmLater, as tests should.
func WithPayLaterDelay(d time.Duration) EmulatorOption {
	return func(s *EmulatorSettings) { s.PayLaterDelay = d }
}

// Own returns an option of one provider's emulator: set changes that
// emulator's own settings, O, a type of its package. Given to another
// provider's emulator, it makes [Configure] panic.
func Own[O any](set func(*O)) EmulatorOption {
	return func(s *EmulatorSettings) {
		s.own = append(s.own, func(own any) bool {
			o, ok := own.(*O)
			if ok {
				set(o)
			}
			return ok
		})
	}
}

// Configure applies opts, in order: the provider's own options to own
// (which holds their defaults), the others to the settings it returns,
// whose Merchant is never empty and Now never nil. It panics when an option belongs to another
// provider's emulator: a test's mistake.
func Configure[O any](own *O, opts []EmulatorOption) EmulatorSettings {
	var s EmulatorSettings
	for _, opt := range opts {
		opt(&s)
	}
	for _, set := range s.own {
		if !set(own) {
			panic(fmt.Sprintf("providertest: an option of another emulator given to one with %T settings", *own))
		}
	}
	s.own = nil
	if s.Now == nil {
		s.Now = time.Now
	}
	if s.Merchant == "" {
		s.Merchant = "Test Shop"
	}
	return s
}
