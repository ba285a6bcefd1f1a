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
// page: past the end, or with a limit below 1, a page with no items.
// Whatever page and limit a request gives, it cuts all within bounds.
func Paginate[T any](all []T, page, limit int) Paged[T] {
	n, from := max(limit, 0), len(all)
	if skip := max(page-1, 0); n == 0 || skip <= len(all)/n {
		from = min(skip*n, len(all))
	}
	to := from + min(n, len(all)-from)
	return Paged[T]{Items: all[from:to], Page: page, Limit: limit, Total: len(all), More: to < len(all)}
}
