package emulator

import (
	"crypto/sha256"
	"net/http"
	"strings"
)

// Replays keeps the first answer to each idempotency key, with the hash
// of the request body it answered, as a provider that takes an
// idempotency key header does. A lock guards it: the Core's, through
// [Core.Locked], so that a replay racing its original sees it. Its zero
// value is empty and ready.
type Replays struct{ m map[string]replay }

type replay struct {
	hash   [sha256.Size]byte
	answer []byte
}

// Find returns the first answer to key; reused reports that key was first
// used with another body (there is no answer to replay then).
func (r *Replays) Find(key string, body []byte) (answer []byte, found, reused bool) {
	e, ok := r.m[key]
	switch {
	case !ok:
		return nil, false, false
	case e.hash != sha256.Sum256(body):
		return nil, false, true
	}
	return e.answer, true, false
}

// Keep remembers answer as the first answer to key, for body.
func (r *Replays) Keep(key string, body, answer []byte) {
	if r.m == nil {
		r.m = make(map[string]replay)
	}
	r.m[key] = replay{hash: sha256.Sum256(body), answer: answer}
}

// Take reads the idempotency key a creation req carries in header, its
// request body being body: the key and, when the key came before with
// the same body, the first answer to replay (nil otherwise). It returns
// refuse's refusal of a call without a key ("required"), with a key valid
// rejects ("invalid"; nil takes any key) and with a key first used with
// another body ("reused"). The caller holds the lock that guards r.
func (r *Replays) Take(req *http.Request, header string, body []byte, valid func(key string) bool, refuse func(problem string) error) (key string, first []byte, err error) {
	key = strings.TrimSpace(req.Header.Get(header))
	answer, found, reused := r.Find(key, body)
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
