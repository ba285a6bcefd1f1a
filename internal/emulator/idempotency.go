package emulator

import (
	"net/http"
	"strings"
)

// Take reads the idempotency key a creation req carries in header, its
// request body being body: the key and, when the key came before with
// the same body, the first answer to replay (nil otherwise). It returns
// refuse's refusal of a call without a key ("required"), with a key valid
// rejects ("invalid"; nil takes any key) and with a key first used with
// another body ("reused"). The caller holds the lock that guards r.
func (r *Replays) Take(req *http.Request, header string, body []byte, valid func(key string) bool, refuse func(problem string) error) (key string, first []byte, err error) {
	key = strings.TrimSpace(req.Header.Get(header))
	_, answer, found, reused := r.Find(key, body)
	switch {
	case key == "":
		return "", nil, refuse("required")
	case valid != nil && !valid(key):
		return "", nil, refuse("invalid")
	case reused:
		return "", nil, refuse("reused")
	case found:
		return key, answer, nil
	}
	return key, nil, nil
}
