// Package rows keeps the rows of a report being added up, one per key,
// and hands them back in order: the bookkeeping every aggregation in
// crmkit shares.
package rows

import "slices"

// Get returns the row of k in acc, making it with fresh when it is not
// there yet.
func Get[K comparable, T any](acc map[K]*T, k K, fresh func() *T) *T {
	r := acc[k]
	if r == nil {
		r = fresh()
		acc[k] = r
	}
	return r
}

// Sorted returns the rows of acc sorted by order.
func Sorted[K comparable, T any](acc map[K]*T, order func(a, b T) int) []T {
	out := make([]T, 0, len(acc))
	for _, r := range acc {
		out = append(out, *r)
	}
	slices.SortFunc(out, order)
	return out
}
