package emulator

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

type bindLine struct{ Name, UnitPrice string }

type bindOrder struct {
	TotalAmount int64
	Count       int
	LogoURL     string
	Paid        bool
	Buyer       struct{ Name, Phone string } `emulator:"customer"`
	Lines       []bindLine                   `emulator:"items"`
	Tags        []string
	Meta        map[string]string
	ByKey       map[string]bindLine `emulator:"by_key"`
	Status      string              `emulator:"-"`
	Note        string
	hidden      string
}

func TestBind(t *testing.T) {
	line := Shape{Fields: []Field{{Name: "name"}, {Name: "unit_price", Kind: Text}}}
	s := Shape{Fields: []Field{
		{Name: "total_amount", Kind: Amount}, {Name: "count", Kind: Number}, {Name: "logo_url"}, {Name: "paid", Kind: Bool},
		{Name: "customer", Kind: Object, Shape: &Shape{Fields: []Field{{Name: "name"}, {Name: "phone", Kind: Text}}}},
		{Name: "items", Kind: Any, Each: &Field{Kind: Object, Shape: &line}},
		{Name: "tags", Kind: List, Each: &Field{}},
		{Name: "meta", Kind: Object, Each: &Field{Kind: Text}},
		{Name: "by_key", Kind: Object, Each: &Field{Kind: Object, Shape: &line}},
		{Name: "status"}, {Name: "note"}, {Name: "hidden"},
	}}
	v, problems := s.Decode(decodeJSON(t, `{"total_amount":"5000.00","count":2,"logo_url":"https://x.sn/l.png","paid":true,`+
		`"customer":{"name":"Awa","phone":771234567},"items":{"item_10":{"name":"b","unit_price":2},"item_2":{"name":"a"}},`+
		`"tags":["x","y"],"meta":{"k":"v","n":1},"by_key":{"a":{"name":"A"}},"status":"paid","hidden":"h"}`))
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	got := bindOrder{Note: "kept"}
	Bind(&got, v)
	want := bindOrder{TotalAmount: 5000, Count: 2, LogoURL: "https://x.sn/l.png", Paid: true,
		Lines: []bindLine{{Name: "a"}, {Name: "b", UnitPrice: "2"}}, Tags: []string{"x", "y"},
		Meta: map[string]string{"k": "v", "n": "1"}, ByKey: map[string]bindLine{"a": {Name: "A"}}, Note: "kept"}
	want.Buyer.Name, want.Buyer.Phone = "Awa", "771234567"
	if got.hidden != "" {
		t.Errorf("Bind set an unexported field: %q", got.hidden)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Bind\n got %+v\nwant %+v", got, want)
	}
}

func TestSnake(t *testing.T) {
	for in, want := range map[string]string{"TotalAmount": "total_amount", "LogoURL": "logo_url", "ID": "id", "DisburseID": "disburse_id",
		"URLPath": "url_path", "Name": "name", "Tax2Amount": "tax2_amount"} {
		if got := snake(in); got != want {
			t.Errorf("snake(%s) = %s, want %s", in, got, want)
		}
	}
}

// bindPayout has the kinds Bind takes as they came: an object, an
// optional bool, a time and values inside an object, by a dotted name.
type bindPayout struct {
	Metadata map[string]any
	Fee      *bool
	At       time.Time
	Operator string `emulator:"details.operator"`
	Country  string `emulator:"details.country"`
}

func TestBindKinds(t *testing.T) {
	s := Shape{Fields: []Field{{Name: "metadata", Kind: Object}, {Name: "fee", Kind: Bool}, {Name: "at"},
		{Name: "details", Kind: Object, Shape: &Shape{Fields: []Field{{Name: "operator"}, {Name: "country"}}}}}}
	yes := true
	for _, tt := range []struct {
		name, body string
		want       bindPayout
	}{
		{"all", `{"metadata":{"a":1},"fee":true,"at":"2027-01-01T01:00:00+01:00","details":{"operator":"wave","country":"SN"}}`,
			bindPayout{Metadata: map[string]any{"a": json.Number("1")}, Fee: &yes, At: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), Operator: "wave", Country: "SN"}},
		{"none", `{}`, bindPayout{}},
		{"not a time", `{"at":"tomorrow","details":{"operator":"wave"}}`, bindPayout{Operator: "wave"}},
	} {
		v, problems := s.Decode(decodeJSON(t, tt.body))
		if len(problems) > 0 {
			t.Fatal(tt.name, problems)
		}
		var got bindPayout
		Bind(&got, v)
		if !got.At.Equal(tt.want.At) || got.At.Location() != time.UTC {
			t.Errorf("%s: At = %v, want %v", tt.name, got.At, tt.want.At)
		}
		got.At, tt.want.At = time.Time{}, time.Time{}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: Bind\n got %+v\nwant %+v", tt.name, got, tt.want)
		}
	}
}
