package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"reflect"
	"text/template"
	"time"
)

// Answers are a provider's documented JSON bodies (its answers and its
// notifications) kept as templates: each file is the example of the
// provider's reference, its values replaced by template actions, so that
// an emulator's answers read as the documentation prints them. Load them
// with [LoadAnswers] from the emulator's embedded files and send them
// with a [Reply].
//
// Besides text/template's own, a template has these functions:
//
//   - json: the value as JSON ({{json .Description}} writes a quoted,
//     escaped string; a number, a map or a struct as encoding/json does);
//   - orNull: as json, but null for the type's zero value ("", 0, nil, an
//     empty map or slice);
//   - str: the value as a JSON string whatever its type (a number 5000
//     becomes "5000"), for the providers that send numbers as strings;
//   - rfc3339: a [time.Time] in UTC as a JSON string in RFC 3339, to the
//     second ("2026-01-02T03:04:05Z"), or null for the zero time;
//   - iso: a [time.Time] as JavaScript's Date.toISOString writes it
//     ([ISOTime], "2026-01-02T03:04:05.285Z"), or null for the zero time.
type Answers struct{ t *template.Template }

// LoadAnswers parses every file of fsys matching pattern (a [fs.Glob]
// pattern such as "answers/*.json"), each one a template named by its
// file name. It panics when a file does not parse or none matches: an
// emulator's answers are part of its code, and a test that starts it
// finds the mistake.
func LoadAnswers(fsys fs.FS, pattern string) Answers {
	funcs := template.FuncMap{"json": jsonValue, "orNull": orNull, "str": jsonString, "rfc3339": rfc3339, "iso": iso}
	t := template.Must(template.New("").Option("missingkey=error").Funcs(funcs).ParseFS(fsys, pattern))
	return Answers{t: t}
}

// Render executes the answer name with data and returns it as compact
// JSON. It panics if the template fails or does not write JSON.
func (a Answers) Render(name string, data any) []byte {
	var buf, out bytes.Buffer
	if err := a.t.ExecuteTemplate(&buf, name, data); err != nil {
		panic(fmt.Sprintf("emulator: answer %s: %v", name, err))
	}
	if err := json.Compact(&out, buf.Bytes()); err != nil {
		panic(fmt.Sprintf("emulator: answer %s is not JSON: %v\n%s", name, err, buf.Bytes()))
	}
	return out.Bytes()
}

// jsonValue is the template function json.
func jsonValue(v any) (string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return string(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))), nil
}

// orNull is the template function orNull.
func orNull(v any) (string, error) {
	if v == nil || reflect.ValueOf(v).IsZero() {
		return "null", nil
	}
	if rv := reflect.ValueOf(v); (rv.Kind() == reflect.Map || rv.Kind() == reflect.Slice) && rv.Len() == 0 {
		return "null", nil
	}
	return jsonValue(v)
}

// jsonString is the template function str.
func jsonString(v any) (string, error) {
	if s, ok := v.(string); ok {
		return jsonValue(s)
	}
	if s, ok := v.(fmt.Stringer); ok {
		return jsonValue(s.String())
	}
	return jsonValue(fmt.Sprint(v))
}

// rfc3339 is the template function rfc3339.
func rfc3339(t time.Time) (string, error) { return jsonValue(NullTime(t, time.RFC3339)) }

// iso is the template function iso: t as [ISOTime] writes it, or null
// for the zero time.
func iso(t time.Time) (string, error) {
	if t.IsZero() {
		return "null", nil
	}
	return jsonValue(ISOTime(t))
}
