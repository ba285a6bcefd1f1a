package emulator

import (
	"testing"
	"time"
)

func TestSnapshot(t *testing.T) {
	ts := newToy(t, time.Now)
	ts.c.SetWebhookURL("https://shop.example/hooks")
	ts.c.ReportAmountDelta(-5)
	ts.c.Add("r1", &toy{Ref: "r1", Status: "open"})
	p, env, ok := ts.c.Snapshot("r1")
	if !ok || p.Ref != "r1" || p.Status != "open" || env.URL != ts.c.URL || env.WebhookURL != "https://shop.example/hooks" || env.Delta != -5 || env.Now.IsZero() {
		t.Errorf("Snapshot = %+v %+v %v", p, env, ok)
	}
	p.Status = "changed"
	if q, _, _ := ts.c.Snapshot("r1"); q.Status != "open" {
		t.Error("Snapshot shares the record")
	}
	if p, env, ok := ts.c.Snapshot("nope"); ok || p != (toy{}) || env.URL != ts.c.URL {
		t.Errorf("Snapshot of no payment = %+v %+v %v", p, env, ok)
	}
}
