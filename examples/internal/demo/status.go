package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/cauripay/cauri"
)

// LookupPayment checks a payment ID and token, as the kit appends them to
// the shop's payment pages, by asking the kit's status handler in
// process: only the kit can check its tokens, and for a pending payment
// it also asks the provider. It returns the kit's answer and HTTP status:
// 400 for an ID or token that cannot be one, 403 for a wrong token, 404
// for an unknown payment, and 500, with the error, for an answer it could
// not read.
func LookupPayment(ctx context.Context, kit *cauri.Kit, id, token string) (cauri.StatusResponse, int, error) {
	if id == "" || token == "" || len(id) > 64 || len(token) > 256 {
		return cauri.StatusResponse{}, http.StatusBadRequest, nil
	}
	target := "/payments/" + url.PathEscape(id) + "?" + url.Values{"token": {token}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return cauri.StatusResponse{}, http.StatusBadRequest, nil
	}
	req.Header.Set("Accept", "application/json")
	var res recorder
	kit.StatusHandler().ServeHTTP(&res, req)
	if res.code != http.StatusOK {
		return cauri.StatusResponse{}, res.code, nil
	}
	var st cauri.StatusResponse
	if err := json.Unmarshal(res.body.Bytes(), &st); err != nil {
		return cauri.StatusResponse{}, http.StatusInternalServerError, fmt.Errorf("reading the kit's status answer: %w", err)
	}
	return st, http.StatusOK, nil
}

// recorder keeps an in-process answer of the kit.
type recorder struct {
	header http.Header
	code   int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header {
	if r.header == nil {
		r.header = make(http.Header)
	}
	return r.header
}

func (r *recorder) WriteHeader(code int) {
	if r.code == 0 {
		r.code = code
	}
}

func (r *recorder) Write(p []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return r.body.Write(p)
}
