package emulator

// Paged is one page of a list an API answers: the Items on it, its Page
// number (from 1) and Limit, the Total of items in the list and whether
// More follow.
type Paged[T any] struct {
	Items              []T
	Page, Limit, Total int
	More               bool
}

// Paginate returns page number page (from 1) of all, limit items to a
// page: past the end, a page with no items.
func Paginate[T any](all []T, page, limit int) Paged[T] {
	from := min(max(page-1, 0)*limit, len(all))
	to := min(from+limit, len(all))
	return Paged[T]{Items: all[from:to], Page: page, Limit: limit, Total: len(all), More: to < len(all)}
}
