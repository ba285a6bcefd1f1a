package emulator

import (
	"encoding/json"
	"fmt"
	"io/fs"
)

// Table reads the JSON file name of fsys into a T: a provider's static
// table (its means of payment, its currencies' names) kept as data beside
// its answers, in an emulator's embedded files. It panics when the file
// is missing or does not decode into T, as [LoadAnswers] does: the table
// is part of the emulator's code, and a test that starts it finds the
// mistake.
func Table[T any](fsys fs.FS, name string) T {
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
