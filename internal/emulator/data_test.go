package emulator

import (
	"os"
	"reflect"
	"testing"
)

func TestLoadData(t *testing.T) {
	got := LoadData[map[string][]Operator](os.DirFS("testdata"), "data/table.json")
	want := map[string][]Operator{"CI": {{Code: "wave", Name: "Wave"}}, "SN": {}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("LoadData = %+v, want %+v", got, want)
	}
	for _, tt := range []struct {
		name string
		load func()
	}{
		{"missing file", func() { LoadData[map[string]string](os.DirFS("testdata"), "data/none.json") }},
		{"not JSON", func() { LoadData[map[string]string](os.DirFS("testdata"), "data/broken.json") }},
		{"not the type", func() { LoadData[[]string](os.DirFS("testdata"), "data/table.json") }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("did not panic")
				}
			}()
			tt.load()
		})
	}
}
