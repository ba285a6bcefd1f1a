package emulator

import (
	"cmp"
	"errors"
	"fmt"
	"testing"
	"time"
)

// lookupRec is a record Lookup answers about.
type lookupRec struct{ Ref, Status string }

func TestLedgerLookup(t *testing.T) {
	var l Ledger[lookupRec]
	l.Add("r1", &lookupRec{Ref: "r1", Status: "pending"}, "alias1")
	missing, refused := errors.New("missing"), errors.New("refused")
	render := func(r *lookupRec) []byte { return []byte(r.Ref + ":" + r.Status) }
	cancel := func(r *lookupRec) error {
		if r.Status != "pending" {
			return refused
		}
		r.Status = "cancelled"
		return nil
	}
	for _, tt := range []struct {
		name, key string
		change    func(r *lookupRec) error
		want      string
		err       error
	}{
		{"found", "r1", nil, "r1:pending", nil},
		{"by alias", "alias1", nil, "r1:pending", nil},
		{"missing", "r2", nil, "", missing},
		{"changed", "r1", cancel, "r1:cancelled", nil},
		{"refused", "alias1", cancel, "", refused},
		{"missing, unchanged", "r2", cancel, "", missing},
	} {
		got, err := l.Lookup(tt.key, missing, tt.change, render)
		if string(got) != tt.want || err != tt.err {
			t.Errorf("%s: Lookup = %q, %v; want %q, %v", tt.name, got, err, tt.want, tt.err)
		}
	}
}

func TestCoreLookup(t *testing.T) {
	ts := newToy(t, time.Now)
	defer ts.c.Close()
	ts.c.Add("p1", &toy{Ref: "p1", Status: "open"}, "alias-p1")
	missing := errors.New("missing")
	render := func(p *toy, env Env) []byte { return fmt.Appendf(nil, "%s:%s:%d", p.Ref, p.Status, env.Delta) }
	cancel := func(p *toy, _ Env) error {
		if p.Status != "open" {
			return errors.New("closed")
		}
		p.Status = "cancelled"
		return nil
	}
	ts.c.ReportAmountDelta(-1)
	for _, tt := range []struct {
		name, key string
		change    func(p *toy, env Env) error
		want, err string
	}{
		{"by alias", "alias-p1", nil, "p1:open:-1", ""},
		{"missing", "p2", nil, "", "missing"},
		{"changed", "p1", cancel, "p1:cancelled:-1", ""},
		{"refused", "p1", cancel, "", "closed"},
	} {
		got, err := ts.c.Lookup(tt.key, missing, tt.change, render)
		if string(got) != tt.want || fmt.Sprint(err) != cmp.Or(tt.err, "<nil>") {
			t.Errorf("%s: Lookup = %q, %v; want %q, %s", tt.name, got, err, tt.want, tt.err)
		}
	}
}
