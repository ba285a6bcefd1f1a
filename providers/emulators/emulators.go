// Package emulators lists the providers whose emulators ship under
// providers/<name>/<name>test, and starts them: the one list from which
// the scenario checks, the reliability suite, the benchmarks and the
// offline demo run every provider.
//
//	for _, p := range emulators.All() {
//		em := p.Start(providertest.WithMerchant("Boutique Awa"))
//		defer em.Close()
//		// ... em.Provider() is the provider's client, configured against it
//	}
//
// A provider added under providers/ is added to [All]; each user of the
// list keeps its own facts about each provider, and fails for one it has
// no facts about.
package emulators

import (
	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/dexchange"
	"github.com/cauripay/cauri/providers/dexchange/dexchangetest"
	"github.com/cauripay/cauri/providers/dexpay"
	"github.com/cauripay/cauri/providers/dexpay/dexpaytest"
	"github.com/cauripay/cauri/providers/moneroo"
	"github.com/cauripay/cauri/providers/moneroo/monerootest"
	"github.com/cauripay/cauri/providers/moneyfusion"
	"github.com/cauripay/cauri/providers/moneyfusion/moneyfusiontest"
	"github.com/cauripay/cauri/providers/novasend"
	"github.com/cauripay/cauri/providers/novasend/novasendtest"
	"github.com/cauripay/cauri/providers/paydunya"
	"github.com/cauripay/cauri/providers/paydunya/paydunyatest"
	"github.com/cauripay/cauri/providers/providertest"
)

// Emulator is a provider's emulator as every one under providers/ offers
// it: the scenario suite's [providertest.Emulator], and the record of its
// notifications.
type Emulator interface {
	providertest.Emulator
	// Deliveries returns every attempt to deliver a notification so far,
	// lost ones included, in order.
	Deliveries() []providertest.Delivery
}

// Started is an emulator started on loopback. Close it when done. Its
// Emulator is the package's *Server, for a user that needs its own
// methods.
type Started struct {
	Emulator
	// URL is the server's root, "http://127.0.0.1:port".
	URL string
}

// Provider is one emulated provider.
type Provider struct {
	// Name is the provider's name in the kit, its cauri.Provider's Name:
	// in URL paths and metric labels.
	Name string
	// MapStatus is the provider client's MapStatus, which reads the
	// status words the emulator writes.
	MapStatus func(raw string) (s cauri.Status, known bool)

	start func(opts ...providertest.EmulatorOption) Started
}

// Start starts the provider's emulator with opts: the options every
// emulator takes (providertest.WithMerchant, WithClock,
// WithWebhookRetries, WithWebhookTimeout, WithPayLaterDelay) and those of
// the provider's own package, which panic given to another's.
func (p Provider) Start(opts ...providertest.EmulatorOption) Started { return p.start(opts...) }

// All returns every emulated provider, by name.
func All() []Provider {
	return []Provider{
		provider(dexchange.Name, dexchange.MapStatus, dexchangetest.New, func(s *dexchangetest.Server) string { return s.URL }),
		provider(dexpay.Name, dexpay.MapStatus, dexpaytest.New, func(s *dexpaytest.Server) string { return s.URL }),
		provider(moneroo.Name, moneroo.MapStatus, monerootest.New, func(s *monerootest.Server) string { return s.URL }),
		provider(moneyfusion.Name, moneyfusion.MapStatus, moneyfusiontest.New, func(s *moneyfusiontest.Server) string { return s.URL }),
		provider(novasend.Name, novasend.MapStatus, novasendtest.New, func(s *novasendtest.Server) string { return s.URL }),
		provider(paydunya.Name, paydunya.MapStatus, paydunyatest.New, func(s *paydunyatest.Server) string { return s.URL }),
	}
}

// Named returns the emulated provider called name, and whether there is
// one.
func Named(name string) (Provider, bool) {
	for _, p := range All() {
		if p.Name == name {
			return p, true
		}
	}
	return Provider{}, false
}

// provider is the entry of the provider name, whose emulator package's
// New starts a server whose root root reads.
func provider[S Emulator](name string, mapStatus func(string) (cauri.Status, bool), newS func(...providertest.EmulatorOption) S, root func(S) string) Provider {
	return Provider{Name: name, MapStatus: mapStatus, start: func(opts ...providertest.EmulatorOption) Started {
		s := newS(opts...)
		return Started{Emulator: s, URL: root(s)}
	}}
}
