package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
)

// Form renders the answer name with data, as [Answers.Render] does, and
// writes it under prefix as PHP's http_build_query writes the array
// json_decode reads from it ([PHPForm]): the form-encoded notification of
// a provider that documents it as JSON, or as a PHP array. It panics as
// Render does.
func (a Answers) Form(name, prefix string, data any) []byte {
	b, err := PHPForm(prefix, a.Render(name, data))
	if err != nil {
		panic(fmt.Sprintf("emulator: answer %s as a form: %v", name, err))
	}
	return b
}

// PHPForm writes the JSON value js under prefix as PHP's http_build_query
// writes it: prefix[key][sub]=value, in the order of js, a list's
// elements by index, every value as its text (a number as written, true
// as 1, false as 0); a null, an empty object or an empty list writes
// nothing.
func PHPForm(prefix string, js []byte) ([]byte, error) {
	var b bytes.Buffer
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.UseNumber()
	if err := phpForm(&b, dec, prefix); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err == nil {
		return nil, fmt.Errorf("emulator: more than one JSON value")
	}
	return b.Bytes(), nil
}

// phpForm writes the next value of dec under key.
func phpForm(b *bytes.Buffer, dec *json.Decoder, key string) error {
	t, err := dec.Token()
	if err != nil {
		return err
	}
	var text string
	switch t := t.(type) {
	case json.Delim:
		for i := 0; dec.More(); i++ {
			sub := strconv.Itoa(i)
			if t == '{' {
				k, err := dec.Token()
				if err != nil {
					return err
				}
				sub = k.(string)
			}
			if err := phpForm(b, dec, key+"["+sub+"]"); err != nil {
				return err
			}
		}
		_, err := dec.Token() // the closing delimiter
		return err
	case nil:
		return nil
	case bool:
		text = map[bool]string{false: "0", true: "1"}[t]
	case json.Number:
		text = t.String()
	case string:
		text = t
	}
	if b.Len() > 0 {
		b.WriteByte('&')
	}
	b.WriteString(url.QueryEscape(key) + "=" + url.QueryEscape(text))
	return nil
}
