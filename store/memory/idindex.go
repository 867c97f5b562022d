package memory

import (
	"slices"
	"sort"

	"github.com/crmkit/crm"
)

// chunkSize is the most IDs one chunk of an idIndex holds: an insert moves
// at most this many IDs, and a split moves one pointer per chunk.
const chunkSize = 512

// idIndex is a set of IDs kept in order for keyset listings: a list of
// sorted chunks, each holding IDs that all precede the next chunk's. An
// insert amid the IDs moves the IDs of one chunk (and, once in every
// chunkSize/2 inserts at most, the list of chunks) instead of the whole set,
// so a commit costs O(log N + chunkSize) per added row however large N is.
type idIndex struct {
	chunks [][]crm.ID // non-empty, sorted, each with capacity chunkSize
}

// chunkOf returns the chunk that holds id or would: the last one whose
// first ID is not above id, or the first chunk. The index is not empty.
func (x *idIndex) chunkOf(id crm.ID) int {
	c := sort.Search(len(x.chunks), func(c int) bool { return x.chunks[c][0].Compare(id) > 0 })
	return max(c-1, 0)
}

// insert adds id, which the index does not hold.
func (x *idIndex) insert(id crm.ID) {
	if len(x.chunks) == 0 {
		x.chunks = append(x.chunks, append(make([]crm.ID, 0, chunkSize), id))
		return
	}
	c := x.chunkOf(id)
	if ch := x.chunks[c]; len(ch) == chunkSize {
		if c == len(x.chunks)-1 && ch[len(ch)-1].Compare(id) < 0 {
			// After the largest ID, as with one clock's UUIDv7: a new chunk,
			// and the full one stays full.
			x.chunks = append(x.chunks, append(make([]crm.ID, 0, chunkSize), id))
			return
		}
		right := append(make([]crm.ID, 0, chunkSize), ch[chunkSize/2:]...)
		x.chunks[c] = ch[:chunkSize/2]
		x.chunks = slices.Insert(x.chunks, c+1, right)
		if right[0].Compare(id) < 0 {
			c++
		}
	}
	ch := x.chunks[c]
	i, _ := slices.BinarySearchFunc(ch, id, crm.ID.Compare)
	x.chunks[c] = slices.Insert(ch, i, id) // within the capacity: in place
}

// after returns a cursor at the first ID above id.
func (x *idIndex) after(id crm.ID) idCursor {
	if len(x.chunks) == 0 {
		return idCursor{x: x}
	}
	c := x.chunkOf(id)
	i, found := slices.BinarySearchFunc(x.chunks[c], id, crm.ID.Compare)
	if found {
		i++
	}
	k := idCursor{x: x, c: c, i: i}
	k.settle()
	return k
}

// idCursor walks an idIndex in order. It is valid until the next insert.
type idCursor struct {
	x    *idIndex
	c, i int // chunk, and position in it
}

// settle moves the cursor past the end of a chunk to the next one.
func (k *idCursor) settle() {
	if k.c < len(k.x.chunks) && k.i == len(k.x.chunks[k.c]) {
		k.c, k.i = k.c+1, 0
	}
}

// peek returns the ID at the cursor, or false past the last one.
func (k *idCursor) peek() (crm.ID, bool) {
	if k.c == len(k.x.chunks) {
		return crm.ID{}, false
	}
	return k.x.chunks[k.c][k.i], true
}

// next moves the cursor to the following ID.
func (k *idCursor) next() {
	k.i++
	k.settle()
}
