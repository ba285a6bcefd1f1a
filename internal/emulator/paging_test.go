package emulator

import (
	"math"
	"reflect"
	"testing"
)

func TestPaginate(t *testing.T) {
	all := []int{1, 2, 3, 4, 5}
	for _, tt := range []struct {
		name        string
		page, limit int
		want        Paged[int]
	}{
		{"first", 1, 2, Paged[int]{Items: []int{1, 2}, Page: 1, Limit: 2, Total: 5, More: true}},
		{"last, short", 3, 2, Paged[int]{Items: []int{5}, Page: 3, Limit: 2, Total: 5}},
		{"all on one", 1, 10, Paged[int]{Items: []int{1, 2, 3, 4, 5}, Page: 1, Limit: 10, Total: 5}},
		{"exactly full", 1, 5, Paged[int]{Items: []int{1, 2, 3, 4, 5}, Page: 1, Limit: 5, Total: 5}},
		{"past the end", 9, 2, Paged[int]{Items: []int{}, Page: 9, Limit: 2, Total: 5}},
		{"no limit", 1, 0, Paged[int]{Items: []int{}, Page: 1, Limit: 0, Total: 5, More: true}},
		{"negative limit", 2, -3, Paged[int]{Items: []int{}, Page: 2, Limit: -3, Total: 5, More: true}},
		{"page far past the end", math.MaxInt, 3, Paged[int]{Items: []int{}, Page: math.MaxInt, Limit: 3, Total: 5}},
		{"huge limit", 1, math.MaxInt, Paged[int]{Items: []int{1, 2, 3, 4, 5}, Page: 1, Limit: math.MaxInt, Total: 5}},
		{"page before the first", -1, 2, Paged[int]{Items: []int{1, 2}, Page: -1, Limit: 2, Total: 5, More: true}},
	} {
		if got := Paginate(all, tt.page, tt.limit); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: Paginate = %+v, want %+v", tt.name, got, tt.want)
		}
	}
}
