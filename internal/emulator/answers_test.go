package emulator

import (
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

type answerData struct {
	ID, Description, Phone, Status string
	Amount                         int64
	Meta                           map[string]string
	Paid                           bool
}

func TestAnswersRender(t *testing.T) {
	a := LoadAnswers(os.DirFS("testdata"), "answers/*.json")
	tests := []struct {
		name string
		data answerData
		want string
	}{
		{"empty values are null", answerData{ID: "p1", Description: `Café "x" <b>`, Status: "pending", Amount: 5000},
			`{"id":"p1","amount":"5000","description":"Café \"x\" <b>","phone":null,"meta":null,"status":"pending"}`},
		{"set values and a branch", answerData{ID: "p2", Phone: "+221", Status: "paid", Amount: 1, Meta: map[string]string{"k": "v"}, Paid: true},
			`{"id":"p2","amount":"1","description":"","phone":"+221","meta":{"k":"v"},"paid_at":"2026-01-02T03:04:05Z","status":"paid"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(a.Render("payment.json", tt.data)); got != tt.want {
				t.Errorf("Render =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
	rec := httptest.NewRecorder()
	Reply{Answers: a, Verbatim: true}.Write(rec, 201, "payment.json", answerData{ID: "p3"})
	if rec.Code != 201 || rec.Header().Get("Content-Type") != "application/json" || !strings.HasPrefix(rec.Body.String(), `{"id":"p3"`) {
		t.Errorf("Write: %d %q %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
}

func TestAnswersPanics(t *testing.T) {
	a := LoadAnswers(os.DirFS("testdata"), "answers/*.json")
	tests := []struct {
		name string
		f    func()
	}{
		{"not JSON", func() { a.Render("broken.json", answerData{ID: "x"}) }},
		{"missing field", func() { a.Render("payment.json", struct{ ID string }{"x"}) }},
		{"unknown answer", func() { a.Render("nothing.json", nil) }},
		{"no files", func() { LoadAnswers(os.DirFS("testdata"), "none/*.json") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("did not panic")
				}
			}()
			tt.f()
		})
	}
}

func TestAnswersTimes(t *testing.T) {
	a := LoadAnswers(fstest.MapFS{
		"rfc3339.json": {Data: []byte(`{"at": {{rfc3339 .}}}`)},
		"iso.json":     {Data: []byte(`{"at": {{iso .}}}`)},
	}, "*.json")
	paris := time.FixedZone("CET", 3600)
	for _, tt := range []struct {
		answer string
		at     time.Time
		want   string
	}{
		{"rfc3339.json", time.Time{}, `{"at":null}`},
		{"rfc3339.json", time.Date(2026, 1, 2, 4, 4, 5, 999, paris), `{"at":"2026-01-02T03:04:05Z"}`},
		{"iso.json", time.Time{}, `{"at":null}`},
		{"iso.json", time.Date(2026, 1, 2, 4, 4, 5, 285_000_999, paris), `{"at":"2026-01-02T03:04:05.285Z"}`},
	} {
		if got := string(a.Render(tt.answer, tt.at)); got != tt.want {
			t.Errorf("%s(%v) = %s, want %s", tt.answer, tt.at, got, tt.want)
		}
	}
}
