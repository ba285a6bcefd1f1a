package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
)

// LoadShapes decodes the request shapes an emulator keeps as a JSON file,
// name in fsys, beside its answers: an object of [Shape] values by name,
// each written with the keys of Shape and [Field]:
//
//	{"session": {"strict": true, "fields": [
//	  {"name": "amount", "kind": "amount", "required": true, "check": "whole 1 1000000",
//	   "say": {"integer": "amount must be an integer"}},
//	  {"name": "customer", "kind": "object", "shape": {"fields": [{"name": "email", "check": "email"}]}}]}}
//
// A field's kind is a [Kind]'s name in lower case, "string" when absent;
// its check names a check and its arguments, space-separated: "url",
// "email", "json", "e164", "oneof XOF XAF" ([OneOf]), "whole 1 1000"
// ([Whole]), or one of checks, the emulator's own. Every shape speaks
// dialect. It panics when the file does not decode or names what does
// not exist: an emulator's shapes are part of its code, and a test that
// starts it finds the mistake.
func LoadShapes(fsys fs.FS, name string, dialect Dialect, checks map[string]func(v any) (rule, arg string)) map[string]*Shape {
	l := shapeLoader{dialect: dialect, checks: checks}
	b, err := fs.ReadFile(fsys, name)
	var files map[string]shapeFile
	if err == nil {
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		err = dec.Decode(&files)
	}
	if err != nil {
		panic(fmt.Sprintf("emulator: shapes %s: %v", name, err))
	}
	shapes := make(map[string]*Shape, len(files))
	for k, f := range files {
		shapes[k] = l.shape(f, name+": "+k)
	}
	return shapes
}

// shapeFile is a [Shape] as a shapes file writes it.
type shapeFile struct {
	Strict, Trim, BlankIsNull, EmptyListIsNull bool
	Fields                                     []fieldFile
}

// fieldFile is a [Field] as a shapes file writes it.
type fieldFile struct {
	Name     string
	Aliases  []string
	Kind     string
	Required bool
	Max      int
	Check    string
	Say      map[string]string
	Shape    *shapeFile
	Each     *fieldFile
}

// kindNames are the kinds by the names a shapes file gives them.
var kindNames = map[string]Kind{
	"": String, "string": String, "number": Number, "text": Text, "amount": Amount,
	"object": Object, "list": List, "bool": Bool, "any": Any,
}

// shapeLoader builds the shapes of a file.
type shapeLoader struct {
	dialect Dialect
	checks  map[string]func(v any) (rule, arg string)
}

func (l shapeLoader) shape(f shapeFile, at string) *Shape {
	s := &Shape{Strict: f.Strict, Trim: f.Trim, BlankIsNull: f.BlankIsNull, EmptyListIsNull: f.EmptyListIsNull, Dialect: l.dialect}
	for _, ff := range f.Fields {
		s.Fields = append(s.Fields, l.field(ff, at+"."+ff.Name))
	}
	return s
}

func (l shapeLoader) field(f fieldFile, at string) Field {
	kind, ok := kindNames[f.Kind]
	if !ok {
		panic(fmt.Sprintf("emulator: shapes %s: no kind %q", at, f.Kind))
	}
	fd := Field{Name: f.Name, Aliases: f.Aliases, Kind: kind, Required: f.Required, Max: f.Max, Say: f.Say, Check: l.check(f.Check, at)}
	if f.Shape != nil {
		fd.Shape = l.shape(*f.Shape, at)
	}
	if f.Each != nil {
		each := l.field(*f.Each, at+"[]")
		fd.Each = &each
	}
	return fd
}

// check is the check spec names.
func (l shapeLoader) check(spec, at string) func(v any) (rule, arg string) {
	name, rest, _ := strings.Cut(spec, " ")
	args := strings.Fields(rest)
	switch name {
	case "":
		return nil
	case RuleURL:
		return URL
	case RuleEmail:
		return Email
	case RuleJSON:
		return JSONText
	case RuleE164:
		return E164
	case RuleOneOf:
		return OneOf(args...)
	case "whole":
		if len(args) == 2 {
			least, err1 := strconv.ParseInt(args[0], 10, 64)
			most, err2 := strconv.ParseInt(args[1], 10, 64)
			if err1 == nil && err2 == nil {
				return Whole(least, most)
			}
		}
	default:
		if c, ok := l.checks[name]; ok {
			return c
		}
	}
	panic(fmt.Sprintf("emulator: shapes %s: no check %q", at, spec))
}
