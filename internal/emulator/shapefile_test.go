package emulator

import (
	"os"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// even is a provider's own check, named in a shape file.
func even(v any) (string, string) {
	if strings.HasSuffix(v.(string), "1") || strings.HasSuffix(v.(string), "3") {
		return "even", ""
	}
	return "", ""
}

func TestLoadShapes(t *testing.T) {
	shapes := LoadShapes(os.DirFS("testdata"), "shapes/*.json", NestJS, map[string]func(any) (string, string){"even": even})
	s := shapes["order.json"]
	if s == nil || !s.Trim || !s.Strict || len(s.Fields) != 12 {
		t.Fatalf("shapes %v", shapes)
	}
	tests := []struct {
		name, body string
		want       []string
	}{
		{"valid", `{"amount":"12","phone_number":"+221771234567","email":"a@b.sn","meta":"{}","mode":"a","back":"https://x.sn",` +
			`"customer":{"name":"Awa"},"items":[{"sku":1}],"on":true,"extra":[1],"total":"5000.00","ref":"r1"}`, nil},
		{"builtin checks", `{"amount":2,"extra":"x","total":"1e3","ref":" "}`, []string{"extra", "total", "ref should not be empty"}},
		{"said for both rules", `{"amount":null}`, []string{"amount is required and must be a number"}},
		{"said for the other", `{"amount":"x"}`, []string{"amount is required and must be a number"}},
		{"whole", `{"amount":1.5}`, []string{"amount must be an integer number"}},
		{"bounds", `{"amount":0}`, []string{"amount must be a positive number"}},
		{"most", `{"amount":2000}`, []string{"amount must not be greater than 1000"}},
		{"own check", `{"amount":3}`, []string{"amount"}},
		{"checks", `{"amount":2,"phone":"77","email":"x","meta":"{","mode":"c","back":"/x","customer":{"name":" "},"items":[{"sku":"1"}],"on":1,"z":1}`,
			[]string{"phone", "email must be an email", "meta must be a json string", "mode must be one of the following values: a, b",
				"back must be a URL address", "customer.name should not be empty", "customer.name must be a string", "items.0.sku must be a number conforming to the specified constraints",
				"on must be a boolean value", "property z should not exist"}},
		{"length", `{"amount":2,"back":"https://example.com/a/very/long/path"}`, []string{"back must be shorter than or equal to 30 characters"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errs := s.Validate(decodeJSON(t, tt.body))
			if len(errs) != len(tt.want) {
				t.Fatalf("errors %q, want %q", errs, tt.want)
			}
			for i, w := range tt.want {
				if !strings.HasPrefix(errs[i], w) {
					t.Errorf("error %d %q, want %q", i, errs[i], w)
				}
			}
		})
	}
	v, _ := s.Validate(decodeJSON(t, `{"amount":" 12 ","phone":" +221771234567 ","items":[{"sku":1},{"sku":2}]}`))
	if v.Int("amount") != 12 || v.String("phone") != "+221771234567" || !slices.Equal(v.Keys("items"), []string{"0", "1"}) {
		t.Errorf("values %v", v)
	}
}

func TestLoadShapesPanics(t *testing.T) {
	tests := []struct{ name, file string }{
		{"not JSON", `{`},
		{"unknown key", `{"fields":[{"name":"a","requird":true}]}`},
		{"unknown kind", `{"fields":[{"name":"a","kind":"date"}]}`},
		{"unknown check", `{"fields":[{"name":"a","check":"iban"}]}`},
		{"unknown check in a shape", `{"fields":[{"name":"a","kind":"object","shape":{"fields":[{"name":"b","check":"iban"}]}}]}`},
		{"unknown kind in each", `{"fields":[{"name":"a","kind":"list","each":{"kind":"date"}}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("did not panic")
				}
			}()
			LoadShapes(fstest.MapFS{"s/a.json": {Data: []byte(tt.file)}}, "s/*.json", NestJS, nil)
		})
	}
	for _, pattern := range []string{"none/*.json", "["} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: did not panic", pattern)
				}
			}()
			LoadShapes(os.DirFS("testdata"), pattern, NestJS, nil)
		}()
	}
}
