package crm

import (
	"context"
	"iter"
)

// Page is one page of a listing. Next is the cursor for the following
// page, "" when there is none.
type Page[T any] struct {
	Items []T    `json:"items,omitempty"`
	Next  string `json:"next,omitempty"`
}

// iterPageSize is how many records an iterator reads per transaction.
const iterPageSize = 200

// pageReader reads the page after a key; next is the key to continue
// from, zero at the end of the listing.
type pageReader[T any] func(after ID, limit int) (items []T, next ID, err error)

// iterate turns a page reader into an iterator: one short read
// transaction per page, so iterating a large listing holds no transaction
// open. An error ends the iteration after being yielded.
func iterate[T any](read pageReader[T]) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var after ID
		for {
			items, next, err := read(after, iterPageSize)
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, it := range items {
				if !yield(it, nil) {
					return
				}
			}
			if next.IsZero() {
				return
			}
			after = next
		}
	}
}

// PageQuery asks for one page of a listing: Cursor is "" for the first
// page and a previous Page's Next for the following ones; Limit is the
// most items the page holds (default 100, at most MaxPageSize).
type PageQuery struct {
	Cursor string `json:"cursor,omitempty"`
	Limit  int    `json:"limit"`
}

// page reads the page q asks for.
func page[T any](read pageReader[T], q PageQuery) (Page[T], error) {
	after, err := parseCursor(q.Cursor)
	if err != nil {
		return Page[T]{}, err
	}
	items, next, err := read(after, PageRequest{Limit: q.Limit}.Normalized().Limit)
	if err != nil {
		return Page[T]{}, err
	}
	return Page[T]{Items: items, Next: idText(next)}, nil
}

// readPages is the pageReader of a listing read as actor: list reads one
// page from the store, keep drops what the actor may not see.
func readPages[T any](c *engine, ctx context.Context, actor ID, list func(tx ReadTx, a User, p PageRequest) ([]T, error),
	key func(T) ID, keep func(a User, v T) bool) pageReader[T] {
	return func(after ID, limit int) (out []T, next ID, err error) {
		err = c.read(ctx, actor, func(tx ReadTx, a User) error {
			page := func(p PageRequest) ([]T, error) { return list(tx, a, p) }
			out, next, err = keyset(page, key, func(v T) bool { return keep(a, v) }, after, limit)
			return err
		})
		return out, next, err
	}
}

// keyset reads store pages from after until limit items pass keep or the
// listing ends. It returns the key to continue from: the last item
// scanned, or zero when nothing is left.
func keyset[T any](list func(PageRequest) ([]T, error), key func(T) ID, keep func(T) bool, after ID, limit int) ([]T, ID, error) {
	var out []T
	for {
		req := PageRequest{After: after, Limit: limit - len(out)}.Normalized()
		items, err := list(req)
		if err != nil {
			return nil, ID{}, err
		}
		for _, it := range items {
			if keep(it) {
				out = append(out, it)
			}
		}
		if len(items) < req.Limit {
			return out, ID{}, nil
		}
		after = key(items[len(items)-1])
		if len(out) >= limit {
			return out, after, nil
		}
	}
}

// parseCursor reads a Page.Next cursor; "" is the first page.
func parseCursor(cursor string) (ID, error) {
	if cursor == "" {
		return ID{}, nil
	}
	id, err := ParseID(cursor)
	if err != nil {
		return ID{}, invalid("cursor", "format", "not a cursor from a previous page")
	}
	return id, nil
}

// readAll reads every page of a store listing in ID order, MaxPageSize
// records at a time; key is a record's ID, the cursor of the next page.
func readAll[T any](list func(PageRequest) ([]T, error), key func(T) ID) ([]T, error) {
	var out []T
	page := PageRequest{Limit: MaxPageSize}
	for {
		items, err := list(page)
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
		if len(items) < page.Limit {
			return out, nil
		}
		page.After = key(items[len(items)-1])
	}
}
