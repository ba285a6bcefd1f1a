package emulator

import (
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
	} {
		if got := Paginate(all, tt.page, tt.limit); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: Paginate = %+v, want %+v", tt.name, got, tt.want)
		}
	}
}
