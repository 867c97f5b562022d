package memory

// chunkSize is how many values a full chunk of a chunked list holds.
const chunkSize = 1024

// chunked is a list kept in chunks of chunkSize values: adding to it never
// copies what it holds, as growing one slice does each time it doubles (a
// copy of the whole table or log). The first chunk grows as a slice does,
// so that a small list takes little room; the others are made full size.
type chunked[T any] struct {
	chunks [][]T
	n      int
}

// len is how many values the list holds.
func (l *chunked[T]) len() int { return l.n }

// at returns the i-th value, from 0, in place.
func (l *chunked[T]) at(i int) *T { return &l.chunks[i/chunkSize][i%chunkSize] }

// append adds v at the end.
func (l *chunked[T]) append(v T) {
	switch {
	case l.n == 0:
		l.chunks = [][]T{nil}
	case l.n%chunkSize == 0:
		l.chunks = append(l.chunks, make([]T, 0, chunkSize))
	}
	last := &l.chunks[len(l.chunks)-1]
	*last = append(*last, v)
	l.n++
}
