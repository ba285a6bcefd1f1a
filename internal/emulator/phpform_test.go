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
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := PHPForm("d", []byte(tt.js))
			if err != nil || string(got) != tt.want {
				t.Errorf("PHPForm = %s, %v; want %s", got, err, tt.want)
			}
		})
	}
	// As PHPQuery writes the same object.
	o := O("a", "1", "b", O("c", int64(5000), "d", nil), "e", Obj(nil))
	js, _ := o.MarshalJSON()
	if got, _ := PHPForm("data", js); string(got) != string(PHPQuery("data", o)) {
		t.Errorf("PHPForm %s, PHPQuery %s", got, PHPQuery("data", o))
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
