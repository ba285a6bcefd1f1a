package emulator

import (
	"encoding/json"
	"fmt"
	"io/fs"
)

// LoadJSON decodes the JSON file name of fsys into a T: a provider's
// static table (its payment channels and their names, say) kept as an
// embedded data file next to its emulator. It panics when the file does
// not read or decode: the table is part of the emulator's code, and a test
// that starts it finds the mistake.
func LoadJSON[T any](fsys fs.FS, name string) T {
	var t T
	b, err := fs.ReadFile(fsys, name)
	if err == nil {
		err = json.Unmarshal(b, &t)
	}
	if err != nil {
		panic(fmt.Sprintf("emulator: table %s: %v", name, err))
	}
	return t
}
