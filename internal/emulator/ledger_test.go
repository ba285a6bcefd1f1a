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
