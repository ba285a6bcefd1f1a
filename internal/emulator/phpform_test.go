package emulator

import (
	"os"
	"testing"
)

func TestPHPForm(t *testing.T) {
	tests := []struct {
		name, js, want string
	}{
		{"nested in order", `{"z":"1","a":{"k":"v w","n":5000,"e":{},"l":[]},"x":null}`, `d%5Bz%5D=1&d%5Ba%5D%5Bk%5D=v+w&d%5Ba%5D%5Bn%5D=5000`},
		{"lists and booleans", `{"l":["a",true,false,1.50]}`, `d%5Bl%5D%5B0%5D=a&d%5Bl%5D%5B1%5D=1&d%5Bl%5D%5B2%5D=0&d%5Bl%5D%5B3%5D=1.50`},
		{"a scalar", `"é&"`, `d=%C3%A9%26`},
		{"an empty object and null write nothing", `{"a":"1","b":{"c":5000,"d":null},"e":{}}`, `d%5Ba%5D=1&d%5Bb%5D%5Bc%5D=5000`},
		{"keys and values escaped", `{"code":"00","invoice":{"items":{"item_0":{"name":"Pagne wax","qty":2}},"taxes":{},"total":5000},"none":null,"text":"a b&c"}`,
			"d%5Bcode%5D=00&d%5Binvoice%5D%5Bitems%5D%5Bitem_0%5D%5Bname%5D=Pagne+wax&" +
				"d%5Binvoice%5D%5Bitems%5D%5Bitem_0%5D%5Bqty%5D=2&d%5Binvoice%5D%5Btotal%5D=5000&d%5Btext%5D=a+b%26c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := PHPForm("d", []byte(tt.js))
			if err != nil || string(got) != tt.want {
				t.Errorf("PHPForm = %s, %v; want %s", got, err, tt.want)
			}
		})
	}
	for _, bad := range []string{`{"a":`, `{"a":1}{}`, `{"a" 1}`, `[1,}`, ``} {
		if _, err := PHPForm("d", []byte(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestAnswersForm(t *testing.T) {
	a := LoadAnswers(os.DirFS("testdata"), "answers/*.json")
	got := a.Form("payment.json", "data", answerData{ID: "p1", Status: "paid", Amount: 5})
	if want := `data%5Bid%5D=p1&data%5Bamount%5D=5&data%5Bdescription%5D=&data%5Bstatus%5D=paid`; string(got) != want {
		t.Errorf("Form = %s, want %s", got, want)
	}
	defer func() {
		if recover() == nil {
			t.Error("a template that fails did not panic")
		}
	}()
	a.Form("payment.json", "data", struct{ ID string }{"x"})
}
