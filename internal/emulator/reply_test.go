package emulator

import (
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
)

func TestReply(t *testing.T) {
	a := LoadAnswers(os.DirFS("testdata"), "answers/*.json")
	data := answerData{ID: "p<1>", Description: "a & b", Status: "pending"}
	const escaped = `{"id":"p\u003c1\u003e","amount":"0","description":"a \u0026 b","phone":null,"meta":null,"status":"pending"}`
	tests := []struct {
		name, ctype, wantType string
		verbatim              bool
		want                  string
	}{
		{"default type", "", "application/json", false, escaped},
		{"provider's type", "application/json; charset=utf-8", "application/json; charset=utf-8", false, escaped},
		{"verbatim", "", "application/json", true,
			`{"id":"p<1>","amount":"0","description":"a & b","phone":null,"meta":null,"status":"pending"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Reply{Answers: a, ContentType: tt.ctype, Verbatim: tt.verbatim}
			if got := string(r.Body("payment.json", data)); got != tt.want {
				t.Errorf("Body =\n%s\nwant\n%s", got, tt.want)
			}
			rec := httptest.NewRecorder()
			r.Write(rec, 402, "payment.json", data)
			if rec.Code != 402 || rec.Header().Get("Content-Type") != tt.wantType || rec.Body.String() != tt.want {
				t.Errorf("Write: %d %q %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
			}
			ctype, body := r.ErrorBody("payment.json", func(status int) any {
				return answerData{ID: "e", Status: http.StatusText(status)}
			})(503)
			if ctype != tt.wantType || string(body) != `{"id":"e","amount":"0","description":"","phone":null,"meta":null,"status":"Service Unavailable"}` {
				t.Errorf("ErrorBody: %q %s", ctype, body)
			}
		})
	}
}
