package rig

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/emulators"
	"github.com/cauripay/cauri/providers/providertest"
)

// Captured is one provider's notification of a paid payment, as its
// emulator posts it, with the provider client that reads it.
type Captured struct {
	Name      string
	Provider  cauri.Provider
	MapStatus func(raw string) (cauri.Status, bool)
	// Body and Header are the notification's, as the emulator sent them.
	Body   []byte
	Header http.Header
	// CallbackURL is the per-payment URL the kit would have given: the
	// notification's target.
	CallbackURL string
}

// Request returns the notification as an in-process request.
func (c Captured) Request() *http.Request {
	return Notification{Body: c.Body, Header: c.Header}.Request(c.CallbackURL)
}

// CaptureAll opens a checkout at each provider's emulator
// (emulators.All), pays it on the hosted page and returns the notification
// each sent, in the list's order. Call close when done with the
// providers.
func CaptureAll(ctx context.Context) (out []Captured, close func(), err error) {
	var started []emulators.Started
	close = func() {
		for _, em := range started {
			em.Close()
		}
	}
	defer func() {
		if err != nil {
			close()
		}
	}()
	for i, p := range emulators.All() {
		em := p.Start()
		started = append(started, em)
		c, err := capture(ctx, p.Name, em, i)
		if err != nil {
			return nil, nil, err
		}
		c.MapStatus = p.MapStatus
		out = append(out, c)
	}
	return out, close, nil
}

func capture(ctx context.Context, name string, em emulators.Emulator, i int) (Captured, error) {
	// Recorded, never sent.
	em.SetWebhookPolicy(providertest.WebhookPolicy{Lost: true})
	em.SetWebhookURL("http://127.0.0.1:1" + Prefix + "/webhooks/" + name)
	prov := em.Provider()
	id := PaymentID("cap", i)
	o := Order("o-capture")
	co, err := prov.CreateCheckout(ctx, cauri.CheckoutRequest{
		PaymentID:   id,
		Order:       o,
		ReturnURL:   "http://127.0.0.1:1" + Prefix + "/return/" + name + "/" + id + "/tok",
		CallbackURL: "http://127.0.0.1:1" + Prefix + "/webhooks/" + name + "/" + id + "/tok",
	})
	if err != nil {
		return Captured{}, fmt.Errorf("rig: %s checkout: %w", name, err)
	}
	if _, err := em.Act(ctx, co.RedirectURL, providertest.Pay); err != nil {
		return Captured{}, fmt.Errorf("rig: %s pay: %w", name, err)
	}
	ds := em.Deliveries()
	for j := len(ds) - 1; j >= 0; j-- {
		if len(ds[j].Body) > 0 {
			return Captured{Name: name, Provider: prov, Body: ds[j].Body, Header: ds[j].Header, CallbackURL: ds[j].URL}, nil
		}
	}
	return Captured{}, fmt.Errorf("rig: %s: %w", name, errNoNotification)
}

var errNoNotification = errors.New("the emulator sent no notification")
