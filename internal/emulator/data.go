package emulator

import (
	"encoding/json"
	"fmt"
	"io/fs"
)

// LoadData decodes the JSON file name of fsys, a static table an emulator
// embeds (the means of payment it offers, its error messages), into a T.
// It panics when the file is missing or does not decode into a T: an
// emulator's tables are part of its code, and a test that starts it finds
// the mistake.
func LoadData[T any](fsys fs.FS, name string) T {
	var v T
	b, err := fs.ReadFile(fsys, name)
	if err == nil {
		err = json.Unmarshal(b, &v)
	}
	if err != nil {
		panic(fmt.Sprintf("emulator: data %s: %v", name, err))
	}
	return v
}
