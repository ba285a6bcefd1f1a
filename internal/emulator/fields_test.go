package emulator

import (
	"encoding/json"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
)

// decodeJSON reads body as DecodeBody does, or fails the test.
func decodeJSON(t *testing.T, body string) map[string]any {
	t.Helper()
	in, ok := DecodeBody("application/json", []byte(body), false)
	if !ok {
		t.Fatalf("not a JSON object: %s", body)
	}
	return in
}

func TestShapeNestJS(t *testing.T) {
	t.Parallel()
	shape := &Shape{Strict: true, Dialect: NestJS, Fields: []Field{
		{Name: "reference", Required: true, Max: 5},
		{Name: "amount", Kind: Amount, Required: true, Check: Whole(1, 1000)},
		{Name: "price", Kind: Number, Check: Whole(100, 0), Say: map[string]string{RuleMin: "Montant minimum 100 FCFA"}},
		{Name: "currency", Kind: Any, Check: OneOf("XOF", "XAF")},
		{Name: "url", Check: URL},
		{Name: "email", Check: Email},
		{Name: "data", Check: JSONText},
		{Name: "flag", Kind: Bool},
		{Name: "list", Kind: List},
		{Name: "phone", Kind: Text, Aliases: []string{"phone_number"}},
		{Name: "details", Kind: Object, Shape: &Shape{Strict: true, Fields: []Field{{Name: "operator", Required: true}}}},
	}}
	tests := []struct {
		name, body string
		want       []string
	}{
		{"valid", `{"reference":"r1","amount":"50.0","price":100,"currency":"XOF","url":"https://a.example/x","email":"a@b.example",` +
			`"data":"{}","flag":true,"list":[],"phone_number":221,"details":{"operator":"wave"}}`, nil},
		{"missing", `{}`, []string{"reference should not be empty", "reference must be a string", "amount should not be empty"}},
		{"types", `{"reference":1,"amount":true,"price":"100","flag":"yes","list":{},"phone":[],"details":[]}`, []string{
			"reference must be a string", "amount must be a number conforming to the specified constraints",
			"price must be a number conforming to the specified constraints", "flag must be a boolean value", "list must be an array",
			"phone must be a string", "details must be an object",
		}},
		{"rules", `{"reference":"toolong","amount":1.5,"price":50,"currency":"USD","url":"/x","email":"x","data":"{","details":{"x":1}}`, []string{
			"reference must be shorter than or equal to 5 characters", "amount must be an integer number", "Montant minimum 100 FCFA",
			"currency must be one of the following values: XOF, XAF", "url must be a URL address", "email must be an email",
			"data must be a json string", "details.operator should not be empty", "details.operator must be a string",
			"details.property x should not exist",
		}},
		{"bounds and unknown", `{"reference":"  ","amount":0,"zz":1,"aa":2}`, []string{
			"reference should not be empty", "amount must be a positive number", "property aa should not exist", "property zz should not exist",
		}},
		{"too much", `{"reference":"r","amount":1001}`, []string{"amount must not be greater than 1000"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v, got := shape.Validate(decodeJSON(t, tt.body))
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("messages\n got %q\nwant %q", got, tt.want)
			}
			if tt.name == "valid" && (v.Int("amount") != 50 || v.String("phone") != "221" || !*v.Bool("flag") ||
				v.Nested("details").String("operator") != "wave" || v.List("list") == nil || !v.Has("url")) {
				t.Errorf("values %v", v)
			}
		})
	}
}

func TestShapeLaravel(t *testing.T) {
	t.Parallel()
	shape := &Shape{Trim: true, BlankIsNull: true, Fields: []Field{
		{Name: "currency", Required: true, Check: OneOf("XOF")},
		{Name: "customer", Kind: Object, Required: true, Shape: &Shape{Fields: []Field{{Name: "first_name", Required: true, Max: 3}}}},
		{Name: "metadata", Kind: Object, Each: &Field{Max: 2}},
		{Name: "methods", Kind: List, Each: &Field{Required: true}},
	}}
	tests := []struct {
		name, body string
		message    string
		errors     map[string][]string
	}{
		{"one", `{"currency":"XOF","customer":{"first_name":"Awa"}}`, "", map[string][]string{}},
		{"two", `{"currency":" ","customer":{"first_name":"Awa"},"metadata":{"k":"long"}}`, "The currency field is required. (and 1 more error)",
			map[string][]string{"currency": {"The currency field is required."}, "metadata.k": {"The metadata k field must not be greater than 2 characters."}}},
		{"more", `{"currency":"USD","customer":"x","methods":["wave",""]}`, "The selected currency is invalid. (and 2 more errors)",
			map[string][]string{"currency": {"The selected currency is invalid."}, "customer": {"The customer field must be an array."},
				"methods.1": {"The methods 1 field is required."}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, problems := shape.Decode(decodeJSON(t, tt.body))
			msg, errs := LaravelErrors(problems)
			if msg != tt.message || !reflect.DeepEqual(errs, tt.errors) {
				t.Errorf("got %q %v, want %q %v", msg, errs, tt.message, tt.errors)
			}
		})
	}
}

func TestShapeEach(t *testing.T) {
	t.Parallel()
	item := &Shape{Fields: []Field{{Name: "name", Kind: Text}}}
	shape := &Shape{EmptyListIsNull: true, Fields: []Field{
		{Name: "items", Kind: Any, Each: &Field{Kind: Object, Shape: item}},
		{Name: "taxes", Kind: Object, Required: true},
	}}
	tests := []struct {
		body     string
		keys     []string
		names    []string
		problems int
	}{
		{`{"items":{"item_10":{"name":"c"},"item_2":{"name":"b"},"item_1":{"name":1}},"taxes":{}}`, []string{"item_1", "item_2", "item_10"}, []string{"1", "b", "c"}, 0},
		{`{"items":[{"name":"a"},{"name":"b"}],"taxes":{}}`, []string{"0", "1"}, []string{"a", "b"}, 0},
		{`{"items":["x"],"taxes":[]}`, []string{"0"}, []string{""}, 2},
	}
	for _, tt := range tests {
		v, problems := shape.Decode(decodeJSON(t, tt.body))
		var names []string
		for _, k := range v.Keys("items") {
			names = append(names, v.Nested("items").Nested(k).String("name"))
		}
		if !reflect.DeepEqual(v.Keys("items"), tt.keys) || !reflect.DeepEqual(names, tt.names) || len(problems) != tt.problems {
			t.Errorf("%s: keys %v, names %v, problems %+v", tt.body, v.Keys("items"), names, problems)
		}
	}
}

func TestDecodeBody(t *testing.T) {
	t.Parallel()
	tests := []struct {
		ctype, body string
		forms       bool
		want        map[string]any
		ok          bool
	}{
		{"application/json", `{"a":1,"b":"x"}`, true, map[string]any{"a": json.Number("1"), "b": "x"}, true},
		{"", `{"a":1}`, false, map[string]any{"a": json.Number("1")}, true},
		{"application/x-www-form-urlencoded; charset=utf-8", `a=1&b=x&b=y`, true, map[string]any{"a": "1", "b": "y"}, true},
		{"application/x-www-form-urlencoded", `a=1`, false, nil, false},
		{"application/x-www-form-urlencoded", `customer%5Bemail%5D=a%40b.example&methods%5B%5D=wave&methods%5B%5D=orange&items%5B0%5D%5Bname%5D=x&meta%5B1%5D=y`, true,
			map[string]any{"customer": map[string]any{"email": "a@b.example"}, "methods": []any{"wave", "orange"},
				"items": []any{map[string]any{"name": "x"}}, "meta": map[string]any{"1": "y"}}, true},
		{"application/x-www-form-urlencoded", `a=%zz`, true, nil, false},
		{"application/json", `[1]`, true, nil, false},
		{"application/json", `null`, false, nil, false},
		{"application/json", `{"a":`, false, nil, false},
	}
	for _, tt := range tests {
		got, ok := DecodeBody(tt.ctype, []byte(tt.body), tt.forms)
		if ok != tt.ok || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s %s: %v %v", tt.ctype, tt.body, got, ok)
		}
	}
	r := httptest.NewRequest("POST", "/", strings.NewReader(`{"a":"b"}`))
	if in, raw, ok := ReadBody(r, false); !ok || in["a"] != "b" || string(raw) != `{"a":"b"}` {
		t.Errorf("ReadBody: %v %s %v", in, raw, ok)
	}
	if in, _, ok := ReadBody(r, false); !ok || in["a"] != "b" {
		t.Error("ReadBody did not put the body back")
	}
}

func TestNaturalCompare(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		a, b string
		want int
	}{{"item_2", "item_10", -1}, {"item_10", "item_2", 1}, {"a", "b", -1}, {"x1", "x1", 0}, {"x", "x1", -1}, {"10", "9", 1}} {
		if got := naturalCompare(tt.a, tt.b); got != tt.want {
			t.Errorf("naturalCompare(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestE164UUIDAndDecimal(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		phone string
		ok    bool
	}{{"+221771234567", true}, {"", true}, {"+22177123456789012", false}, {"221771234567", false}, {"+0771234567", false}, {"+2217712x4567", false}, {"+1234567", false}} {
		if rule, _ := E164(tt.phone); (rule == "") != tt.ok {
			t.Errorf("E164(%q) = %q", tt.phone, rule)
		}
	}
	for _, tt := range []struct {
		s  string
		ok bool
	}{{UUID(), true}, {"123E4567-E89B-12D3-A456-426614174000", true}, {"123e4567e89b12d3a456426614174000", false}, {"123e4567-e89b-12d3-a456-42661417400g", false}} {
		if IsUUID(tt.s) != tt.ok {
			t.Errorf("IsUUID(%q) != %v", tt.s, tt.ok)
		}
	}
	for s, ok := range map[string]bool{"5000": true, "-10.50": true, "+3.": true, "": false, ".5": false, "1e3": false, "1.2.3": false} {
		if IsDecimal(s) != ok {
			t.Errorf("IsDecimal(%q) != %v", s, ok)
		}
	}
}
