package emulator

import (
	"reflect"
	"testing"
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
