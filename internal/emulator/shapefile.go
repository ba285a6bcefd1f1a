package emulator

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"strings"
)

// Shapes are a provider's request bodies declared as JSON files, one
// [Shape] a file, by file name, so that the fields read as the provider's
// reference lists them. Load them with [LoadShapes]. A file is a shape:
//
//	{"trim": true, "fields": [
//	  {"name": "amount", "kind": "amount", "required": true, "check": "whole", "least": 1,
//	   "say": {"required,type": "amount is required and must be a number"}},
//	  {"name": "callback_url", "kind": "text", "check": "url"}
//	]}
//
// A shape's keys are [Shape]'s: trim, strict, blankIsNull,
// emptyListIsNull and fields. A field's are [Field]'s: name, aliases,
// kind (string, number, text, amount, object, list, bool or any; string
// when absent), required, max, shape, each, say (a key naming several
// rules, comma-separated, gives each the same words) and check. Checks,
// run in order when comma-separated, are:
//
//   - url, email, json, e164: [URL], [Email], [JSONText], [E164];
//   - oneof: [OneOf] the field's values;
//   - whole: [Whole] from the field's least to its most;
//   - decimal: an amount written as a plain decimal ([IsDecimal]), else
//     the rule "decimal";
//   - filled: a string, not blank, for a field of kind any, else
//     [RuleBlank];
//   - container: an object or a list, for a field of kind any, else
//     [RuleType];
//   - a provider's own, by its name in the checks given to LoadShapes.
//
// Every shape words its problems in the provider's [Dialect], given to
// LoadShapes.
type Shapes map[string]*Shape

// shapeFile is a [Shape] as a file declares it.
type shapeFile struct {
	Trim, Strict, BlankIsNull, EmptyListIsNull bool
	Fields                                     []fieldFile
}

// fieldFile is a [Field] as a file declares it.
type fieldFile struct {
	Name, Kind, Check string
	Aliases, Values   []string
	Required          bool
	Max               int
	Least, Most       int64
	Shape             *shapeFile
	Each              *fieldFile
	Say               map[string]string
}

// kinds are the [Kind] values by their names in a file.
var kinds = map[string]Kind{
	"string": String, "number": Number, "text": Text, "amount": Amount, "object": Object, "list": List, "bool": Bool, "any": Any,
}

// LoadShapes reads every file of fsys matching pattern (a [fs.Glob]
// pattern such as "shapes/*.json"), each one a shape named by its file
// name whose problems are worded in d, the provider's own checks found in
// checks. It panics when a file does not read, names an unknown kind,
// check or key, or none matches: an emulator's shapes are part of its
// code, and a test that starts it finds the mistake.
func LoadShapes(fsys fs.FS, pattern string, d Dialect, checks map[string]func(v any) (rule, arg string)) Shapes {
	names, err := fs.Glob(fsys, pattern)
	if err == nil && len(names) == 0 {
		err = fmt.Errorf("no file matches %s", pattern)
	}
	if err != nil {
		panic("emulator: shapes: " + err.Error())
	}
	out := make(Shapes, len(names))
	for _, name := range names {
		s, err := readShape(fsys, name, checks)
		if err != nil {
			panic(fmt.Sprintf("emulator: shape %s: %v", name, err))
		}
		s.Dialect = d
		out[path.Base(name)] = s
	}
	return out
}

// readShape reads the shape file name of fsys.
func readShape(fsys fs.FS, name string, checks map[string]func(v any) (rule, arg string)) (*Shape, error) {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var f shapeFile
	if err := dec.Decode(&f); err != nil {
		return nil, err
	}
	return f.shape(checks)
}

// shape is the [Shape] f declares.
func (f *shapeFile) shape(checks map[string]func(v any) (rule, arg string)) (*Shape, error) {
	s := &Shape{Trim: f.Trim, Strict: f.Strict, BlankIsNull: f.BlankIsNull, EmptyListIsNull: f.EmptyListIsNull}
	for _, ff := range f.Fields {
		fd, err := ff.field(checks)
		if err != nil {
			return nil, err
		}
		s.Fields = append(s.Fields, fd)
	}
	return s, nil
}

// field is the [Field] f declares.
func (f *fieldFile) field(checks map[string]func(v any) (rule, arg string)) (Field, error) {
	kind, ok := kinds[cmp.Or(f.Kind, "string")]
	if !ok {
		return Field{}, fmt.Errorf("field %q: unknown kind %q", f.Name, f.Kind)
	}
	out := Field{Name: f.Name, Aliases: f.Aliases, Kind: kind, Required: f.Required, Max: f.Max}
	var err error
	if f.Shape != nil {
		if out.Shape, err = f.Shape.shape(checks); err != nil {
			return Field{}, err
		}
	}
	if f.Each != nil {
		each, err := f.Each.field(checks)
		if err != nil {
			return Field{}, err
		}
		out.Each = &each
	}
	if out.Check, err = f.check(checks); err != nil {
		return Field{}, err
	}
	for rules, words := range f.Say {
		if out.Say == nil {
			out.Say = map[string]string{}
		}
		for _, r := range strings.Split(rules, ",") {
			out.Say[strings.TrimSpace(r)] = words
		}
	}
	return out, nil
}

// check is the [Field.Check] f names: nil for none, [All] of several.
func (f *fieldFile) check(checks map[string]func(v any) (rule, arg string)) (func(v any) (rule, arg string), error) {
	var all []func(v any) (rule, arg string)
	for name := range strings.SplitSeq(f.Check, ",") {
		var c func(v any) (rule, arg string)
		switch name = strings.TrimSpace(name); name {
		case "":
			continue
		case "url":
			c = URL
		case "email":
			c = Email
		case "json":
			c = JSONText
		case "e164":
			c = E164
		case "oneof":
			c = OneOf(f.Values...)
		case "whole":
			c = Whole(f.Least, f.Most)
		case "decimal":
			c = decimal
		case "filled":
			c = filled
		case "container":
			c = container
		default:
			if c = checks[name]; c == nil {
				return nil, fmt.Errorf("field %q: unknown check %q", f.Name, name)
			}
		}
		all = append(all, c)
	}
	switch len(all) {
	case 0:
		return nil, nil
	case 1:
		return all[0], nil
	}
	return All(all...), nil
}

// decimal is the check "decimal": an Amount written as a plain decimal.
func decimal(v any) (rule, arg string) {
	if !IsDecimal(v.(string)) {
		return "decimal", ""
	}
	return "", ""
}

// filled is the check "filled": a string that is not blank.
func filled(v any) (rule, arg string) {
	if s, _ := v.(string); strings.TrimSpace(s) == "" {
		return RuleBlank, ""
	}
	return "", ""
}

// container is the check "container": an object or a list.
func container(v any) (rule, arg string) {
	switch v.(type) {
	case map[string]any, []any:
		return "", ""
	}
	return RuleType, ""
}
