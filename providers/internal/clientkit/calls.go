package clientkit

import (
	"context"
	"net/http"
	"strings"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/providerhttp"
)

// Post builds the JSON body of a call from what the kit asks, req, with
// build, and sends call with it as a POST through c. build checks req
// first: its error, a *cauri.ValidationError naming what the provider
// would refuse, is returned before any call, with no answer.
func Post[R, B any](ctx context.Context, c *providerhttp.Client, call providerhttp.Request, build func(R) (B, error), req R) (*providerhttp.Response, error) {
	body, err := build(req)
	if err != nil {
		return nil, err
	}
	call.Method, call.JSON = http.MethodPost, body
	return c.Do(ctx, call)
}

// SecretLookup is a FetchStatus by q.ProviderRef where that reference is
// a secret, such as the path of the provider's hosted page, where anyone
// may pay. With no reference (blank), it returns NothingToLookUp(provider,
// "status", why) and calls nothing; else what call answers about the
// reference, trimmed, its error scrubbed of the reference.
func SecretLookup(q cauri.StatusQuery, provider, why string, call func(ref string) (cauri.Update, error)) (cauri.Update, error) {
	ref := strings.TrimSpace(q.ProviderRef)
	if ref == "" {
		return cauri.Update{}, NothingToLookUp(provider, "status", why)
	}
	u, err := call(ref)
	return u, providerhttp.Scrub(err, ref, q.ProviderRef)
}
