package emulator

import (
	"reflect"
	"testing"
)

func TestPairs(t *testing.T) {
	s := Shape{Fields: []Field{{Name: "to", Kind: Object, Shape: &Shape{Fields: []Field{{Name: "operator"}, {Name: "country"}}}}}}
	rule := Pairs(map[string][]string{"wave": {"SN", "CI"}, "mtn": {"CI"}}, "to.operator", "to.country", "%s does not serve %s")
	for _, tt := range []struct {
		name, body string
		want       []string
	}{
		{"served", `{"to":{"operator":"wave","country":"SN"}}`, nil},
		{"not served", `{"to":{"operator":"mtn","country":"SN"}}`, []string{"mtn does not serve SN"}},
		{"unknown operator", `{"to":{"operator":"free","country":"SN"}}`, nil},
		{"unknown country", `{"to":{"operator":"mtn","country":"FR"}}`, nil},
		{"absent", `{}`, nil},
	} {
		v, _ := s.Decode(decodeJSON(t, tt.body))
		if got := rule(v); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: Pairs = %q, want %q", tt.name, got, tt.want)
		}
	}
}
