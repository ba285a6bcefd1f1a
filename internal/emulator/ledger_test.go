package emulator

import (
	"reflect"
	"testing"
)

func TestLedger(t *testing.T) {
	t.Parallel()
	type payout struct{ ID, Ref, Status string }
	var l Ledger[payout]
	if _, ok := l.Get("po_1"); ok || len(l.All()) != 0 {
		t.Fatal("an empty ledger has records")
	}
	steps := []struct {
		ref, alias string
		added      bool
	}{
		{"po_1", "PO_A", true},
		{"po_2", "PO_B", true},
		{"po_1", "PO_C", false}, // ref taken
		{"po_3", "PO_A", false}, // alias taken
		{"po_4", "", true},
	}
	for _, s := range steps {
		if got := l.Add(s.ref, &payout{ID: s.ref, Ref: s.alias, Status: "PENDING"}, s.alias); got != s.added {
			t.Errorf("Add(%s, %s) = %v", s.ref, s.alias, got)
		}
	}
	if !l.With("PO_B", func(p *payout) { p.Status = "COMPLETED" }) || l.With("nope", func(*payout) { t.Error("ran for nothing") }) {
		t.Error("With")
	}
	if p, ok := l.Get("po_2"); !ok || p.Status != "COMPLETED" {
		t.Errorf("Get %+v %v", p, ok)
	}
	var ids []string
	for _, p := range l.All() {
		ids = append(ids, p.ID)
	}
	if !reflect.DeepEqual(ids, []string{"po_1", "po_2", "po_4"}) {
		t.Errorf("All %v", ids)
	}
}

func TestReplays(t *testing.T) {
	t.Parallel()
	var r Replays
	if _, _, found, reused := r.Find("k1", []byte("a")); found || reused {
		t.Error("an empty Replays finds")
	}
	r.Keep("k1", []byte("a"), 201, []byte("answer"))
	tests := []struct {
		key, body     string
		found, reused bool
	}{{"k1", "a", true, false}, {"k1", "b", false, true}, {"k2", "a", false, false}}
	for _, tt := range tests {
		status, answer, found, reused := r.Find(tt.key, []byte(tt.body))
		if found != tt.found || reused != tt.reused || found && (status != 201 || string(answer) != "answer") {
			t.Errorf("Find(%s, %s) = %d %s %v %v", tt.key, tt.body, status, answer, found, reused)
		}
	}
}
