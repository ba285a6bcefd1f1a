package emulator

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"mime"
	"net/http"
	"net/mail"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Kind is the JSON a request field takes.
type Kind int

// The kinds of request fields.
const (
	// String is a JSON string.
	String Kind = iota
	// Number is a JSON number.
	Number
	// Text is a JSON string or number, kept as its text (a phone number
	// some clients send as a number).
	Text
	// Amount is a JSON number or a numeric string ("5000", "5000.00"),
	// kept as its decimal text: the amount clients send either way.
	Amount
	// Object is a JSON object.
	Object
	// List is a JSON array.
	List
	// Bool is true or false.
	Bool
	// Any is any JSON value but null.
	Any
)

// The rules a [Problem] names: the kind's and [Field]'s own, then those of
// the checks this package offers. A provider's [Field.Check] may name its
// own.
const (
	RuleRequired = "required" // absent or null, and required
	RuleBlank    = "blank"    // a blank string, and required
	RuleType     = "type"     // not of the field's Kind
	RuleLength   = "length"   // longer than Max characters (Arg)
	RuleUnknown  = "unknown"  // a field the shape does not declare, in a Strict shape
	RuleURL      = "url"      // not an absolute http(s) URL
	RuleEmail    = "email"    // not an e-mail address
	RuleJSON     = "json"     // a string that is not JSON
	RuleOneOf    = "oneof"    // not one of the values (Arg, ", "-joined)
	RuleInteger  = "integer"  // a number with a fraction
	RulePositive = "positive" // zero or less
	RuleMin      = "min"      // below the least (Arg)
	RuleMax      = "max"      // above the most (Arg)
	RuleE164     = "e164"     // not a phone number in E.164 form
)

// Field declares one field of a request body, as a provider's
// documentation and official clients spell it.
type Field struct {
	// Name is the field's name in the documentation, and the key of its
	// value in [Values].
	Name string
	// Aliases are the other names official clients send the field under,
	// read when Name is absent.
	Aliases []string
	// Kind is the JSON the field takes.
	Kind Kind
	// Required refuses the field absent, null or, for a string, blank.
	Required bool
	// Max is the most characters of a String or Text field; 0 means no
	// limit.
	Max int
	// Shape, for an Object field, declares its own fields: their problems
	// are reported under this field (see [Problem.Parent]).
	Shape *Shape
	// Each, for a List or an Object field declared without a Shape,
	// declares every element (named by its index) or every value (named
	// by its key): read as [Values] through [Values.Nested].
	Each *Field
	// Check validates a value of the right kind and returns the rule it
	// breaks and that rule's argument ("" for none): [URL], [Email],
	// [OneOf], [Whole]... Nil takes any value of the kind.
	Check func(v any) (rule, arg string)
	// Say replaces, for this field, the words of the provider's
	// [Dialect] for a rule: Say[RuleMin] = "Montant minimum 100 FCFA".
	Say map[string]string
}

// Shape is a request body's declared fields, in the order the provider
// checks them.
type Shape struct {
	Fields []Field
	// Strict refuses the fields not declared, as a NestJS API with
	// forbidNonWhitelisted does, after the declared ones' problems, by
	// name.
	Strict bool
	// Trim trims the spaces around strings before they are checked and
	// kept.
	Trim bool
	// BlankIsNull reads a blank string as null, as Laravel's
	// ConvertEmptyStringsToNull does.
	BlankIsNull bool
	// EmptyListIsNull reads an empty JSON array where an Object is
	// declared as null: PHP's json_encode writes an empty array so.
	EmptyListIsNull bool
	// Dialect writes the provider's messages, for [Shape.Validate].
	Dialect Dialect
}

// Validate is [Shape.Decode] with the problems in the shape's Dialect.
func (s *Shape) Validate(in map[string]any) (Values, []string) {
	v, problems := s.Decode(in)
	return v, s.Dialect.Messages(problems)
}

// Problem is one way a request body breaks its [Shape].
type Problem struct {
	// Parent is the path of the object the field is in, with a trailing
	// dot ("customer."); empty at the body's top.
	Parent string
	// Field is the field's name (its declared Name, or the unknown key).
	Field string
	// Kind is the field's declared Kind.
	Kind Kind
	// Rule is what it breaks ([RuleRequired], [RuleType]...), and Arg the
	// rule's argument (a length, a bound, the values allowed).
	Rule, Arg string
	// Said is the field's own words for the rule ([Field.Say]), if any.
	Said string
}

// Path is the problem's dotted field path: "customer.email".
func (p Problem) Path() string { return p.Parent + p.Field }

// Dialect writes a provider's validation messages for a problem.
type Dialect func(p Problem) []string

// Messages returns the messages of problems in dialect d, a field's own
// words ([Field.Say]) first.
func (d Dialect) Messages(problems []Problem) []string {
	var out []string
	for _, p := range problems {
		if p.Said != "" {
			out = append(out, p.Said)
			continue
		}
		out = append(out, d(p)...)
	}
	return out
}

// Values are the fields of a body that fit its [Shape], by their Names.
type Values map[string]any

// String returns a String or Text field's text ("" when absent).
func (v Values) String(name string) string { s, _ := v[name].(string); return s }

// Int returns a whole Number or Amount field (0 when absent or not whole).
func (v Values) Int(name string) int64 {
	f, err := strconv.ParseFloat(v.String(name), 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return 0
	}
	return int64(f)
}

// Object returns an Object field (nil when absent).
func (v Values) Object(name string) map[string]any { m, _ := v[name].(map[string]any); return m }

// List returns a List field (nil when absent).
func (v Values) List(name string) []any { l, _ := v[name].([]any); return l }

// Bool returns a Bool field, nil when absent.
func (v Values) Bool(name string) *bool {
	b, ok := v[name].(bool)
	if !ok {
		return nil
	}
	return &b
}

// Has reports whether the body gave the field a value of its kind.
func (v Values) Has(name string) bool { _, ok := v[name]; return ok }

// Decode reads body in as the shape declares it and returns the values of
// the fields that fit it (Number and Amount fields as their decimal text,
// nested objects' values as [Values] too) and the problems, in the
// shape's order.
func (s *Shape) Decode(in map[string]any) (Values, []Problem) {
	return s.decode(in, "")
}

func (s *Shape) decode(in map[string]any, parent string) (Values, []Problem) {
	vals := Values{}
	var problems []Problem
	for _, f := range s.Fields {
		raw, present := in[f.Name]
		for _, a := range f.Aliases {
			if present && raw != nil {
				break
			}
			raw, present = in[a]
		}
		v, rule, arg := f.read(raw, s)
		if rule == "" && v != nil && f.Check != nil {
			rule, arg = f.Check(v)
		}
		if sub := f.sub(v, s); sub != nil && rule == "" {
			nested, ps := sub.decode(sub.in, parent+f.Name+".")
			problems = append(problems, ps...)
			vals[f.Name+"."] = nested
			if f.Each != nil {
				vals[f.Name+"#"] = sub.keys
			}
		}
		if v != nil && (rule == "" || rule == RuleBlank || rule == RuleLength) {
			vals[f.Name] = v
		}
		if rule != "" {
			problems = append(problems, Problem{Parent: parent, Field: f.Name, Kind: f.Kind, Rule: rule, Arg: arg, Said: f.Say[rule]})
		}
	}
	if s.Strict {
		var unknown []string
		for k := range in {
			if !slices.ContainsFunc(s.Fields, func(f Field) bool { return f.Name == k || slices.Contains(f.Aliases, k) }) {
				unknown = append(unknown, k)
			}
		}
		slices.Sort(unknown)
		for _, k := range unknown {
			problems = append(problems, Problem{Parent: parent, Field: k, Kind: Any, Rule: RuleUnknown})
		}
	}
	return vals, problems
}

// sub is the shape of an Object or List value v of f, with what it
// reads; nil when f declares none.
func (f Field) sub(v any, s *Shape) *subShape {
	switch {
	case v == nil || (f.Shape == nil && f.Each == nil):
		return nil
	case f.Shape != nil:
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		return &subShape{Shape: *f.Shape, in: m}
	}
	sub := &subShape{Shape: Shape{Trim: s.Trim, BlankIsNull: s.BlankIsNull, EmptyListIsNull: s.EmptyListIsNull}, in: map[string]any{}}
	add := func(k string, e any) {
		each := *f.Each
		each.Name = k
		sub.Fields, sub.in[k], sub.keys = append(sub.Fields, each), e, append(sub.keys, k)
	}
	if l, ok := v.([]any); ok {
		for i, e := range l {
			add(strconv.Itoa(i), e)
		}
		return sub
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	for _, k := range slices.SortedFunc(maps.Keys(m), naturalCompare) {
		add(k, m[k])
	}
	return sub
}

type subShape struct {
	Shape
	in   map[string]any
	keys []string // an Each field's element names, in order
}

// naturalCompare orders texts with their numbers by value: item_2 before
// item_10.
func naturalCompare(a, b string) int {
	for a != "" && b != "" {
		da, db := digitsPrefix(a), digitsPrefix(b)
		if da != "" && db != "" {
			na, _ := strconv.ParseUint(da, 10, 64)
			nb, _ := strconv.ParseUint(db, 10, 64)
			if c := cmp.Compare(na, nb); c != 0 {
				return c
			}
			a, b = a[len(da):], b[len(db):]
			continue
		}
		if a[0] != b[0] {
			return cmp.Compare(a[0], b[0])
		}
		a, b = a[1:], b[1:]
	}
	return cmp.Compare(len(a), len(b))
}

func digitsPrefix(s string) string {
	i := 0
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		i++
	}
	return s[:i]
}

// Keys returns the names of an Each field's elements, in order: a list's
// indexes, an object's keys in natural order (item_2 before item_10).
func (v Values) Keys(name string) []string { k, _ := v[name+"#"].([]string); return k }

// Nested returns the values of an Object field declared with a Shape, or
// of a List or Object field declared with Each.
func (v Values) Nested(name string) Values { n, _ := v[name+"."].(Values); return n }

// read reads raw as f's kind: the value kept, or the rule it breaks.
func (f Field) read(raw any, s *Shape) (v any, rule, arg string) {
	if str, ok := raw.(string); ok && s.BlankIsNull && strings.TrimSpace(str) == "" {
		raw = nil
	}
	if l, ok := raw.([]any); ok && len(l) == 0 && s.EmptyListIsNull && f.Kind == Object {
		raw = nil
	}
	if raw == nil {
		if f.Required {
			return nil, RuleRequired, ""
		}
		return nil, "", ""
	}
	switch f.Kind {
	case String, Text:
		str, ok := raw.(string)
		if n, isNum := raw.(json.Number); isNum && f.Kind == Text {
			str, ok = n.String(), true
		}
		if !ok {
			return nil, RuleType, ""
		}
		if s.Trim {
			str = strings.TrimSpace(str)
		}
		switch {
		case f.Required && strings.TrimSpace(str) == "":
			return str, RuleBlank, ""
		case f.Max > 0 && utf8.RuneCountInString(str) > f.Max:
			return str, RuleLength, strconv.Itoa(f.Max)
		}
		return str, "", ""
	case Number, Amount:
		var text string
		switch x := raw.(type) {
		case json.Number:
			text = x.String()
		case string:
			if f.Kind == Number {
				return nil, RuleType, ""
			}
			text = strings.TrimSpace(x)
		default:
			return nil, RuleType, ""
		}
		if fl, err := strconv.ParseFloat(text, 64); err != nil || math.IsInf(fl, 0) || math.IsNaN(fl) {
			return nil, RuleType, ""
		}
		return text, "", ""
	case Object:
		if m, ok := raw.(map[string]any); ok {
			return m, "", ""
		}
	case List:
		if l, ok := raw.([]any); ok {
			return l, "", ""
		}
	case Bool:
		if b, ok := raw.(bool); ok {
			return b, "", ""
		}
	case Any:
		return raw, "", ""
	}
	return nil, RuleType, ""
}

// URL is a [Field.Check]: an absolute http or https URL.
func URL(v any) (rule, arg string) {
	s, _ := v.(string)
	if s == "" {
		return "", ""
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return RuleURL, ""
	}
	return "", ""
}

// Email is a [Field.Check]: a bare e-mail address.
func Email(v any) (rule, arg string) {
	s, _ := v.(string)
	if a, err := mail.ParseAddress(s); s != "" && (err != nil || a.Address != s) {
		return RuleEmail, ""
	}
	return "", ""
}

// JSONText is a [Field.Check]: a string that holds JSON.
func JSONText(v any) (rule, arg string) {
	if s, _ := v.(string); s != "" && !json.Valid([]byte(s)) {
		return RuleJSON, ""
	}
	return "", ""
}

// E164 is a [Field.Check]: a phone number in E.164 form, "+" and 8 to 15
// digits, the first not 0 ("" passes: Required says whether it may be).
func E164(v any) (rule, arg string) {
	s, _ := v.(string)
	if s == "" {
		return "", ""
	}
	if len(s) < 9 || len(s) > 16 || s[0] != '+' || s[1] == '0' || strings.Trim(s[1:], "0123456789") != "" {
		return RuleE164, ""
	}
	return "", ""
}

// IsDecimal reports whether s is a decimal number as written in a request:
// an optional sign, digits, and an optional fraction.
func IsDecimal(s string) bool {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "-"), "+")
	whole, frac, _ := strings.Cut(s, ".")
	digits := func(d string) bool { return strings.Trim(d, "0123456789") == "" }
	return whole != "" && digits(whole) && digits(frac)
}

// IsUUID reports whether s is a UUID in its 8-4-4-4-12 hex form, any
// version.
func IsUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := range len(s) {
		switch c := s[i] | 0x20; i {
		case 8, 13, 18, 23:
			if s[i] != '-' {
				return false
			}
		default:
			if !('0' <= s[i] && s[i] <= '9' || 'a' <= c && c <= 'f') {
				return false
			}
		}
	}
	return true
}

// OneOf returns a [Field.Check]: one of values.
func OneOf(values ...string) func(v any) (rule, arg string) {
	return func(v any) (string, string) {
		if s, _ := v.(string); !slices.Contains(values, s) {
			return RuleOneOf, strings.Join(values, ", ")
		}
		return "", ""
	}
}

// Whole returns a [Field.Check] of a Number or Amount: a whole number
// from least to most (most 0: no bound), [RuleInteger] for a fraction,
// [RulePositive] below least when least is 1, else [RuleMin].
func Whole(least, most int64) func(v any) (rule, arg string) {
	return func(v any) (string, string) {
		f, _ := strconv.ParseFloat(v.(string), 64)
		switch {
		case f != math.Trunc(f):
			return RuleInteger, ""
		case f < float64(least) && least == 1:
			return RulePositive, ""
		case f < float64(least):
			return RuleMin, strconv.FormatInt(least, 10)
		case most > 0 && f > float64(most):
			return RuleMax, strconv.FormatInt(most, 10)
		}
		return "", ""
	}
}

// All returns a [Field.Check] that runs checks in order and returns the
// first rule broken.
func All(checks ...func(v any) (rule, arg string)) func(v any) (rule, arg string) {
	return func(v any) (string, string) {
		for _, c := range checks {
			if rule, arg := c(v); rule != "" {
				return rule, arg
			}
		}
		return "", ""
	}
}

// ReadBody reads a request's body, already read and put back by the core,
// with [DecodeBody], and puts it back again. It returns the raw body
// too.
func ReadBody(r *http.Request, forms bool) (in map[string]any, raw []byte, ok bool) {
	raw, _ = io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(raw))
	in, ok = DecodeBody(r.Header.Get("Content-Type"), raw, forms)
	return in, raw, ok
}

// DecodeBody reads a body of Content-Type ctype as a JSON object, its
// numbers as json.Number, or, when forms is true (an API that takes
// forms too, as NestJS's and Laravel's do by default) and ctype is
// application/x-www-form-urlencoded, as PHP and qs read a form: every
// value a string, customer[email] a field of an object, methods[] and
// items[0] elements of a list. ok is false when it is neither.
func DecodeBody(ctype string, raw []byte, forms bool) (in map[string]any, ok bool) {
	if ct, _, _ := mime.ParseMediaType(ctype); forms && ct == "application/x-www-form-urlencoded" {
		form, err := url.ParseQuery(string(raw))
		if err != nil {
			return nil, false
		}
		in = make(map[string]any, len(form))
		for _, k := range slices.Sorted(maps.Keys(form)) {
			for _, v := range form[k] {
				setPath(in, k, v)
			}
		}
		return listsOf(in).(map[string]any), true
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&in); err != nil || in == nil {
		return nil, false
	}
	return in, true
}

// setPath sets the form field key, "a[b][]", to v in m: a.b gets v
// appended ("[]" is the next index), a later value of a plain key wins.
func setPath(m map[string]any, key, v string) {
	name, rest, _ := strings.Cut(key, "[")
	path := []string{name}
	for rest != "" {
		seg, after, ok := strings.Cut(rest, "]")
		if !ok {
			break
		}
		path, rest = append(path, seg), strings.TrimPrefix(after, "[")
	}
	for i, seg := range path {
		if i == len(path)-1 {
			if seg == "" {
				seg = strconv.Itoa(len(m))
			}
			m[seg] = v
			return
		}
		if seg == "" {
			seg = strconv.Itoa(len(m))
		}
		next, ok := m[seg].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[seg] = next
		}
		m = next
	}
}

// listsOf turns the objects of v whose keys are 0 to n-1 into lists, as
// PHP's arrays are read as JSON.
func listsOf(v any) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	for k, e := range m {
		m[k] = listsOf(e)
	}
	for i := range len(m) {
		if _, ok := m[strconv.Itoa(i)]; !ok {
			return m
		}
	}
	if len(m) == 0 {
		return m
	}
	l := make([]any, len(m))
	for i := range l {
		l[i] = m[strconv.Itoa(i)]
	}
	return l
}

// NestJS is the [Dialect] of a NestJS API's class-validator: "amount
// should not be empty", "property x should not exist", a nested object's
// messages behind its path ("destination_details.operator ...").
func NestJS(p Problem) []string {
	f := p.Parent + p.Field
	switch p.Rule {
	case RuleRequired:
		if p.Kind == String || p.Kind == Text {
			return []string{f + " should not be empty", f + " must be a string"}
		}
		return []string{f + " should not be empty"}
	case RuleBlank:
		return []string{f + " should not be empty"}
	case RuleType:
		return []string{f + map[Kind]string{
			String: " must be a string", Text: " must be a string", Number: " must be a number conforming to the specified constraints",
			Amount: " must be a number conforming to the specified constraints", Object: " must be an object",
			List: " must be an array", Bool: " must be a boolean value",
		}[p.Kind]}
	case RuleUnknown:
		return []string{p.Parent + "property " + p.Field + " should not exist"}
	}
	return []string{f + map[string]string{
		RuleLength: " must be shorter than or equal to " + p.Arg + " characters", RuleURL: " must be a URL address",
		RuleEmail: " must be an email", RuleJSON: " must be a json string", RuleOneOf: " must be one of the following values: " + p.Arg,
		RuleInteger: " must be an integer number", RulePositive: " must be a positive number",
		RuleMin: " must not be less than " + p.Arg, RuleMax: " must not be greater than " + p.Arg,
	}[p.Rule]}
}

// Laravel is the [Dialect] of a Laravel API's validator: "The customer
// email field is required.", the field's path read with spaces.
func Laravel(p Problem) []string {
	label := strings.NewReplacer("_", " ", ".", " ").Replace(p.Path())
	var msg string
	switch p.Rule {
	case RuleRequired, RuleBlank:
		msg = "The %s field is required."
	case RuleType:
		msg = map[Kind]string{
			String: "The %s field must be a string.", Text: "The %s field must be a string.", Number: "The %s field must be a number.",
			Amount: "The %s field must be a number.", Object: "The %s field must be an array.", List: "The %s field must be an array.",
			Bool: "The %s field must be true or false.", Any: "The %s field is invalid.",
		}[p.Kind]
	case RuleLength:
		msg = "The %s field must not be greater than " + p.Arg + " characters."
	case RuleMax:
		msg = "The %s field must not be greater than " + p.Arg + "."
		if p.Kind == Object || p.Kind == List {
			msg = "The %s field must not have more than " + p.Arg + " items."
		}
	default:
		msg = map[string]string{
			RuleURL: "The %s field must be a valid URL.", RuleEmail: "The %s field must be a valid email address.",
			RuleOneOf: "The selected %s is invalid.", RulePositive: "The %s field must be greater than 0.",
			RuleInteger: "The %s field must be an integer.", RuleMin: "The %s field must be at least " + p.Arg + ".",
			RuleJSON: "The %s field must be a valid JSON string.", RuleUnknown: "The %s field is prohibited.",
		}[p.Rule]
	}
	return []string{fmt.Sprintf(msg, label)}
}

// LaravelErrors returns a Laravel API's 422 answer's message and errors
// for problems: the messages by dotted field path, and the first message
// (by path) and how many more there are.
func LaravelErrors(problems []Problem) (message string, errors map[string][]string) {
	errors = make(map[string][]string)
	for _, p := range problems {
		errors[p.Path()] = append(errors[p.Path()], Dialect(Laravel).Messages([]Problem{p})...)
	}
	if len(problems) == 0 {
		return "", errors
	}
	first := slices.Min(slices.Collect(maps.Keys(errors)))
	message = errors[first][0]
	switch n := len(problems); n {
	case 1:
	case 2:
		message += " (and 1 more error)"
	default:
		message += fmt.Sprintf(" (and %d more errors)", n-1)
	}
	return message, errors
}
