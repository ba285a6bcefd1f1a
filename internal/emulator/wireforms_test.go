package emulator

import "testing"

func TestWireForms(t *testing.T) {
	js := []byte(`{"name":"Awa <é>","url":"https://x/y"}`)
	marshalled := `{"name":"Awa \u003cé\u003e","url":"https://x/y"}`
	php := `{"name":"Awa <\u00e9>","url":"https:\/\/x\/y"}`
	for _, tt := range []struct {
		php, signJS  bool
		body, signed string
	}{
		{false, false, marshalled, marshalled},
		{true, false, php, php},
		{false, true, marshalled, string(js)},
		{true, true, php, string(js)},
	} {
		body, signed := WireForms(js, tt.php, tt.signJS)
		if string(body) != tt.body || string(signed) != tt.signed {
			t.Errorf("php %v, signJS %v: %s signed over %s; want %s over %s", tt.php, tt.signJS, body, signed, tt.body, tt.signed)
		}
	}
}
