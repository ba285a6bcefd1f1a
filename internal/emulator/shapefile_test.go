package emulator

import (
	"encoding/json"
	"os"
	"slices"
	"testing"
)

func TestLoadShapes(t *testing.T) {
	even := func(v any) (string, string) {
		if s, _ := v.(string); len(s)%2 == 1 {
			return "even", ""
		}
		return "", ""
	}
	shapes := LoadShapes(os.DirFS("testdata"), "shapes/shapes.json", NestJS, map[string]func(v any) (string, string){"even": even})
	s := shapes["payment"]
	if s == nil || !s.Strict || len(s.Fields) != 7 || s.Fields[4].Check == nil || !s.Fields[5].Shape.Trim || s.Fields[6].Each.Max != 3 {
		t.Fatalf("shape %+v", s)
	}
	tests := []struct {
		name string
		in   map[string]any
		want []string
	}{
		{"valid", map[string]any{"amount": "500", "currency": "XOF", "returnUrl": "https://a.b/", "phone": "+221771234567",
			"code": "ab", "customer": map[string]any{"email": " a@b.co ", "data": `{}`}, "tags": []any{"x"}}, nil},
		{"every rule", map[string]any{"amount": json.Number("1.5"), "currency": "USD", "return_url": "ftp://a.b/", "phone": "77", "code": "abc",
			"customer": map[string]any{"email": "nope", "data": "{"}, "tags": []any{"long"}, "x": 1}, []string{
			"amount has no decimals", "currency must be one of the following values: XOF, XAF", "return_url must be a URL address",
			"phone", "code", "customer.email must be an email", "customer.data must be a json string",
			"tags.0 must be shorter than or equal to 3 characters", "property x should not exist"}},
		{"bounds and required", map[string]any{"amount": json.Number("5000"), "customer": map[string]any{}}, []string{
			"amount must not be greater than 1000", "currency should not be empty", "currency must be a string", "customer.email should not be empty", "customer.email must be a string"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, got := s.Validate(tt.in)
			if !slices.Equal(got, tt.want) {
				t.Errorf("messages\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

func TestLoadShapesPanics(t *testing.T) {
	for _, file := range []string{"shapes/badkind.json", "shapes/badcheck.json", "shapes/unknownkey.json", "shapes/none.json", "shapes/shapes.json"} {
		t.Run(file, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("did not panic")
				}
			}()
			LoadShapes(os.DirFS("testdata"), file, NestJS, nil) // shapes.json: no check "even"
		})
	}
}
