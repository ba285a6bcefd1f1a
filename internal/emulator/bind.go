package emulator

import (
	"reflect"
	"strings"
	"time"
	"unicode"
)

// Bind sets the fields of the struct dst points to from v, the values of
// a body that fit its [Shape], so that a record is made from its request
// as the shape declares it. Each exported field takes the value named as
// the field in snake case (TotalAmount from total_amount, LogoURL from
// logo_url) or as its `emulator:"name"` tag says ("-" leaves the field
// alone): a string the text of a String, Text, Number or Amount value; an
// int64 a whole Number or Amount ([Values.Int]); a bool a Bool; a struct
// the values of an Object declared with a Shape, bound in turn; a slice
// of strings or structs, and a map of strings or structs by key, the
// elements of a List or Object declared with Each, in order; a
// map[string]any an Object as it came; a *bool a Bool; a [time.Time] a
// String in RFC 3339, in UTC. A dotted name reaches into Object values
// declared with a Shape ("destination_details.operator"). Values the body
// did not give leave their fields as they are.
func Bind(dst any, v Values) {
	bind(reflect.ValueOf(dst).Elem(), v)
}

// bind sets the fields of struct s from v.
func bind(s reflect.Value, v Values) {
	for i := range s.NumField() {
		f := s.Type().Field(i)
		name := f.Tag.Get("emulator")
		if name == "" {
			name = snake(f.Name)
		}
		if !f.IsExported() || name == "-" {
			continue
		}
		set(s.Field(i), v, name)
	}
}

// dotted sets field from the value of v a dotted name names, through the
// Object values its first parts name.
func dotted(field reflect.Value, v Values, name string) bool {
	outer, inner, ok := strings.Cut(name, ".")
	if ok && v.Nested(outer) != nil {
		set(field, v.Nested(outer), inner)
	}
	return ok
}

// set sets field from the value of v named name, if there is one.
func set(field reflect.Value, v Values, name string) {
	if dotted(field, v, name) {
		return
	}
	switch t := field.Type(); {
	case t == reflect.TypeFor[map[string]any]():
		if m := v.Object(name); m != nil {
			field.Set(reflect.ValueOf(m))
		}
		return
	case t == reflect.TypeFor[*bool]():
		if b := v.Bool(name); b != nil {
			field.Set(reflect.ValueOf(b))
		}
		return
	case t == reflect.TypeFor[time.Time]():
		if at, err := time.Parse(time.RFC3339Nano, v.String(name)); err == nil {
			field.Set(reflect.ValueOf(at.UTC()))
		}
		return
	}
	switch field.Kind() {
	case reflect.String:
		if v.Has(name) {
			field.SetString(v.String(name))
		}
	case reflect.Int, reflect.Int64:
		if v.Has(name) {
			field.SetInt(v.Int(name))
		}
	case reflect.Bool:
		if b := v.Bool(name); b != nil {
			field.SetBool(*b)
		}
	case reflect.Struct:
		if n := v.Nested(name); n != nil {
			bind(field, n)
		}
	case reflect.Slice:
		keys := v.Keys(name)
		if keys == nil {
			return
		}
		l := reflect.MakeSlice(field.Type(), len(keys), len(keys))
		for i, k := range keys {
			set(l.Index(i), Values{"": v.Nested(name)[k], ".": v.Nested(name).Nested(k)}, "")
		}
		field.Set(l)
	case reflect.Map:
		keys := v.Keys(name)
		if keys == nil {
			return
		}
		m := reflect.MakeMapWithSize(field.Type(), len(keys))
		for _, k := range keys {
			e := reflect.New(field.Type().Elem()).Elem()
			set(e, Values{"": v.Nested(name)[k], ".": v.Nested(name).Nested(k)}, "")
			m.SetMapIndex(reflect.ValueOf(k), e)
		}
		field.Set(m)
	}
}

// snake is a Go field's name in snake case: TotalAmount total_amount,
// LogoURL logo_url.
func snake(name string) string {
	var b strings.Builder
	rs := []rune(name)
	for i, r := range rs {
		if unicode.IsUpper(r) && i > 0 && (unicode.IsLower(rs[i-1]) || i+1 < len(rs) && unicode.IsLower(rs[i+1])) {
			b.WriteByte('_')
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}
