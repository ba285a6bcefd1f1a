package emulator

import (
	"os"
	"reflect"
	"testing"
)

func TestTable(t *testing.T) {
	got := Table[map[string][]Operator](os.DirFS("testdata"), "tables/methods.json")
	want := map[string][]Operator{"XOF": {{Code: "wave_sn", Name: "Wave Sénégal"}, {Code: "orange_sn", Name: "Orange Money"}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Table = %+v, want %+v", got, want)
	}
	for _, name := range []string{"tables/broken.json", "tables/none.json"} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("did not panic")
				}
			}()
			Table[map[string][]Operator](os.DirFS("testdata"), name)
		})
	}
}
