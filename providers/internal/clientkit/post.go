package clientkit

import (
	"context"
	"net/http"

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
