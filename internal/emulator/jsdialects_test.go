package emulator

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestHelpers(t *testing.T) {
	t.Parallel()
	at := time.Date(2024, 2, 28, 11, 17, 15, 285e6, time.FixedZone("WAT", 3600))
	if got := ISOTime(at); got != "2024-02-28T10:17:15.285Z" {
		t.Errorf("ISOTime %s", got)
	}
	if NullTime(time.Time{}, time.RFC3339) != nil || NullTime(at, time.RFC3339) != "2024-02-28T10:17:15Z" {
		t.Error("NullTime")
	}
	if s := RandomFrom("ab", 32); len(s) != 32 || strings.Trim(s, "ab") != "" {
		t.Errorf("RandomFrom %q", s)
	}
}

func TestJSONDialects(t *testing.T) {
	t.Parallel()
	js := MarshalJS(struct {
		URL  string `json:"url"`
		Name string `json:"name"`
		Q    string `json:"q"`
	}{"https://a.example/x?a=1&b=<2>", "Aïssa 😀", `say "hi"`})
	if want := `{"url":"https://a.example/x?a=1&b=<2>","name":"Aïssa 😀","q":"say \"hi\""}`; string(js) != want {
		t.Errorf("MarshalJS %s", js)
	}
	if got, want := string(EscapeAsPHP(js)), `{"url":"https:\/\/a.example\/x?a=1&b=<2>","name":"A\u00efssa \ud83d\ude00","q":"say \"hi\""}`; got != want {
		t.Errorf("EscapeAsPHP\n got %s\nwant %s", got, want)
	}
}

func TestMust(t *testing.T) {
	t.Parallel()
	if Must(42, nil) != 42 {
		t.Error("Must changed the value")
	}
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "bad key") {
			t.Errorf("recovered %v", r)
		}
	}()
	Must(0, errors.New("bad key"))
}
