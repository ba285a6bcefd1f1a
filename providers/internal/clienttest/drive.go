package clienttest

import (
	"context"
	"testing"

	"github.com/cauripay/cauri"
)

// Client is a provider's client as a test drives it: its calls fail the
// test on an error.
type Client struct {
	t testing.TB
	p cauri.Provider
}

// Drive returns p driven by t.
func Drive(t testing.TB, p cauri.Provider) Client {
	return Client{t: t, p: p}
}

// Open opens the checkout of req.
func (c Client) Open(req cauri.CheckoutRequest) cauri.Checkout {
	c.t.Helper()
	co, err := c.p.CreateCheckout(context.Background(), req)
	if err != nil {
		c.t.Fatal(err)
	}
	return co
}

// Fetch looks up the payment q names.
func (c Client) Fetch(q cauri.StatusQuery) cauri.Update {
	c.t.Helper()
	u, err := c.p.FetchStatus(context.Background(), q)
	if err != nil {
		c.t.Fatal(err)
	}
	return u
}
