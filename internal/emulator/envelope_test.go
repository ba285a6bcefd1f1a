package emulator

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

// testEnvelope is a NestJS-like API's: {success, data} and
// {success: false, statusCode, message, code}.
func testEnvelope(ok string) Envelope {
	fsys := fstest.MapFS{
		"answers/ok.json":    {Data: []byte(`{"success": true, "data": {{.}}}`)},
		"answers/error.json": {Data: []byte(`{"success": false, "statusCode": {{.Status}}, "message": {{json .Message}}, "code": {{json .Code}}}`)},
		"answers/item.json":  {Data: []byte(`{"name": {{json .}}}`)},
	}
	return Envelope{Reply: Reply{Answers: LoadAnswers(fsys, "answers/*.json"), ContentType: "application/json; charset=utf-8"},
		OK: ok, Refusal: "error.json",
		BadJSON: Refused{Status: 400, Code: "INVALID_JSON", Message: "Unexpected token"},
		Invalid: Refused{Status: 400, Code: "VALIDATION_ERROR"}}
}

func TestEnvelopeHandle(t *testing.T) {
	shape := &Shape{Strict: true, Dialect: NestJS, Fields: []Field{{Name: "name", Required: true}}}
	for _, tt := range []struct {
		name, ok, body, ctype string
		bare                  bool
		status                int
		want                  string
	}{
		{"wrapped", "ok.json", `{"name":"a<b"}`, "application/json", false, 201, `{"success":true,"data":{"name":"a\u003cb"}}`},
		{"flat", "", `{"name":"a"}`, "application/json", false, 201, `{"name":"a"}`},
		{"bare", "ok.json", `{"name":"a"}`, "application/json", true, 201, `{"name":"a"}`},
		{"not JSON", "ok.json", `nope`, "application/json", false, 400,
			`{"success":false,"statusCode":400,"message":"Unexpected token","code":"INVALID_JSON"}`},
		{"invalid", "ok.json", `{"other":1}`, "application/json", false, 400,
			`{"success":false,"statusCode":400,"message":["name should not be empty","name must be a string","property other should not exist","too short"],"code":"VALIDATION_ERROR"}`},
	} {
		e := testEnvelope(tt.ok)
		f := func(r *http.Request) ([]byte, error) {
			v, err := e.Read(r, shape, func(v Values) []string {
				if len(v.String("name")) < 1 {
					return []string{"too short"}
				}
				return nil
			})
			if err != nil {
				return nil, err
			}
			return e.Body("item.json", v.String("name")), nil
		}
		h := e.Handle(201, f)
		if tt.bare {
			h = e.Bare(201, f)
		}
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(tt.body))
		r.Header.Set("Content-Type", tt.ctype)
		w := httptest.NewRecorder()
		h(w, r)
		if w.Code != tt.status || w.Body.String() != tt.want || w.Header().Get("Content-Type") != "application/json; charset=utf-8" {
			t.Errorf("%s: %d %s %s\nwant %d %s", tt.name, w.Code, w.Header().Get("Content-Type"), w.Body, tt.status, tt.want)
		}
	}
}

func TestEnvelopeRefusals(t *testing.T) {
	e := testEnvelope("ok.json")
	w := httptest.NewRecorder()
	e.Refuse(w, errors.New("boom"))
	if w.Code != 500 || w.Body.String() != `{"success":false,"statusCode":500,"message":"boom","code":""}` {
		t.Errorf("Refuse(an error): %d %s", w.Code, w.Body)
	}
	w = httptest.NewRecorder()
	e.Refuser(Refused{Status: 401, Code: "UNAUTHORIZED", Message: "no"})(w, nil)
	if w.Code != 401 || w.Body.String() != `{"success":false,"statusCode":401,"message":"no","code":"UNAUTHORIZED"}` {
		t.Errorf("Refuser: %d %s", w.Code, w.Body)
	}
	if got := (Refused{Status: 404, Code: "NOT_FOUND", Message: "gone"}).Error(); got != "404 NOT_FOUND: gone" {
		t.Errorf("Error = %q", got)
	}
	if got := (Refused{Status: 404, Code: "NOT_FOUND", Message: "%s %s not found"}).With("Payout", "po_1"); got.Message != "Payout po_1 not found" || got.Code != "NOT_FOUND" {
		t.Errorf("With = %+v", got)
	}
	var fromTables Envelope
	if err := json.Unmarshal([]byte(`{"contentType": "text/json", "ok": "ok.json", "refusal": "error.json",
		"badJSON": {"status": 400, "code": "INVALID_JSON", "message": "Unexpected token"}, "invalid": {"status": 422}}`), &fromTables); err != nil ||
		fromTables.ContentType != "text/json" || fromTables.OK != "ok.json" || fromTables.Refusal != "error.json" ||
		fromTables.BadJSON != (Refused{Status: 400, Code: "INVALID_JSON", Message: "Unexpected token"}) || fromTables.Invalid.Status != 422 {
		t.Errorf("an Envelope from tables = %+v, %v", fromTables, err)
	}
	ctype, body := e.ErrorBody(Refusals{0: {Code: "ERROR", Message: "Error"}, 503: {Code: "DOWN", Message: "Down"}})(503)
	if ctype != "application/json; charset=utf-8" || string(body) != `{"success":false,"statusCode":503,"message":"Down","code":"DOWN"}` {
		t.Errorf("ErrorBody(503) = %s %s", ctype, body)
	}
	shape := &Shape{Dialect: NestJS, Fields: []Field{{Name: "page", Kind: Amount, Check: Whole(1, 9)}}}
	r := httptest.NewRequest(http.MethodGet, "/?page=3", nil)
	if v, err := e.Query(r, shape, "page"); err != nil || v.Int("page") != 3 {
		t.Errorf("Query(page=3) = %v, %v", v, err)
	}
	r = httptest.NewRequest(http.MethodGet, "/?page=x", nil)
	if _, err := e.Query(r, shape, "page"); err == nil {
		t.Error("Query(page=x) took it")
	}
}
