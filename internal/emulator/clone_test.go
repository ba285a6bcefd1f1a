package emulator

import (
	"net/http"
	"reflect"
	"testing"
	"time"
)

func TestClone(t *testing.T) {
	t.Parallel()
	type inner struct{ Tags []string }
	type record struct {
		Meta    map[string]string
		Objects []map[string]any
		Inner   *inner
		Any     any
		Header  http.Header
		At      time.Time
		Nil     map[string]int
		hidden  []int
	}
	orig := &record{
		Meta: map[string]string{"a": "1"}, Objects: []map[string]any{{"k": []any{"v"}}}, Inner: &inner{Tags: []string{"x"}},
		Any: map[string]any{"n": 1}, Header: http.Header{"X": {"1"}}, At: time.Unix(42, 0), hidden: []int{7},
	}
	c := Clone(orig)
	if !reflect.DeepEqual(c.Meta, orig.Meta) || !reflect.DeepEqual(c.Objects, orig.Objects) || c.Inner.Tags[0] != "x" ||
		!c.At.Equal(orig.At) || c.Nil != nil || c.hidden[0] != 7 {
		t.Fatalf("clone %+v", c)
	}
	c.Meta["a"], c.Objects[0]["k"].([]any)[0], c.Inner.Tags[0] = "2", "w", "y"
	c.Any.(map[string]any)["n"], c.Header["X"][0] = 2, "2"
	if orig.Meta["a"] != "1" || orig.Objects[0]["k"].([]any)[0] != "v" || orig.Inner.Tags[0] != "x" ||
		orig.Any.(map[string]any)["n"] != 1 || orig.Header.Get("X") != "1" {
		t.Errorf("the clone shares with the original: %+v", orig)
	}
	if c.hidden[0] = 8; orig.hidden[0] != 8 {
		t.Error("an unexported field was copied deep")
	}
}
