package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestObj(t *testing.T) {
	t.Parallel()
	var none *int
	tests := []struct {
		name string
		obj  Obj
		want string
	}{
		{"order kept", O("z", 1, "a", "x", "m", nil), `{"z":1,"a":"x","m":null}`},
		{"nested", O("data", O("b", true, "a", []int{1}), "empty", O()), `{"data":{"b":true,"a":[1]},"empty":{}}`},
		{"omitempty", O("a,omitempty", "", "b,omitempty", 0, "c,omitempty", none, "d,omitempty", Obj(nil), "e,omitempty", false,
			"f,omitempty", map[string]int{}, "g,omitempty", "x", "h,omitempty", time.Time{}), `{"g":"x","h":"0001-01-01T00:00:00Z"}`},
		{"html escaped", O("u", "<a&b>"), `{"u":"\u003ca\u0026b\u003e"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, err := json.Marshal(tt.obj)
			if err != nil || string(b) != tt.want {
				t.Errorf("got %s %v, want %s", b, err, tt.want)
			}
		})
	}

	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(O("u", "<a&b>")); err != nil || buf.String() != "{\"u\":\"<a&b>\"}\n" {
		t.Errorf("unescaped: %s %v", buf.String(), err)
	}
	if _, err := json.Marshal(O(1, "x")); err == nil {
		t.Error("a key that is not a string was written")
	}
	if _, err := json.Marshal(O("f", func() {})); err == nil {
		t.Error("a value JSON cannot write was written")
	}
}

func TestPHPQuery(t *testing.T) {
	t.Parallel()
	got := string(PHPQuery("data", O("code", "00", "invoice", O("items", O("item_0", O("name", "Pagne wax", "qty", json.Number("2"))),
		"taxes", Obj(nil), "total", int64(5000)), "none", nil, "text", "a b&c")))
	want := "data%5Bcode%5D=00&data%5Binvoice%5D%5Bitems%5D%5Bitem_0%5D%5Bname%5D=Pagne+wax&" +
		"data%5Binvoice%5D%5Bitems%5D%5Bitem_0%5D%5Bqty%5D=2&data%5Binvoice%5D%5Btotal%5D=5000&data%5Btext%5D=a+b%26c"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestHelpers(t *testing.T) {
	t.Parallel()
	at := time.Date(2024, 2, 28, 11, 17, 15, 285e6, time.FixedZone("WAT", 3600))
	if got := ISOTime(at); got != "2024-02-28T10:17:15.285Z" {
		t.Errorf("ISOTime %s", got)
	}
	if NullTime(time.Time{}, time.RFC3339) != nil || NullTime(at, time.RFC3339) != "2024-02-28T10:17:15Z" {
		t.Error("NullTime")
	}
	if NullIfEmpty("") != nil || NullIfEmpty("x") != "x" {
		t.Error("NullIfEmpty")
	}
	if s := RandomFrom("ab", 32); len(s) != 32 || strings.Trim(s, "ab") != "" {
		t.Errorf("RandomFrom %q", s)
	}
}

func TestJSONDialects(t *testing.T) {
	t.Parallel()
	js := MarshalJS(O("url", "https://a.example/x?a=1&b=<2>", "name", "Aïssa 😀", "q", `say "hi"`))
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
