package memory

import (
	"slices"

	"github.com/crmkit/crm"
)

// table is a committed set of records: the rows in the order they were
// added, so that a scan reads memory in sequence, an index by ID, and the
// IDs in order for keyset listings.
type table[T any] struct {
	rows  chunked[T]
	pos   map[crm.ID]int // index in rows
	ids   idIndex        // in order, for keyset listings
	clone func(T) T
	added func(T) // told of each row a commit adds, to keep secondary indexes
	saved func(T) // told of each row a commit writes, added or changed, to keep columnar indexes
}

func newTable[T any](clone func(T) T) *table[T] {
	return &table[T]{pos: map[crm.ID]int{}, clone: clone}
}

// overlay is a transaction's view of a table: its own writes over the
// committed rows, which it never touches until commit.
type overlay[T any] struct {
	base  *table[T]
	dirty []dirtyRow[T]  // the rows written, each once, in the order first written
	index map[crm.ID]int // position in dirty, made once there are more than a few
	added []crm.ID       // sorted; IDs of rows inserted in this transaction
}

// dirtyRow is a row a transaction wrote.
type dirtyRow[T any] struct {
	id crm.ID
	v  T
}

// scanDirty is how many rows an overlay finds by reading them all, before
// it indexes them.
const scanDirty = 8

func (t *table[T]) begin() *overlay[T] { return t.beginIn(new(overlay[T])) }

// beginIn makes o an overlay of the table with no writes yet, and
// returns it.
func (t *table[T]) beginIn(o *overlay[T]) *overlay[T] {
	*o = overlay[T]{base: t}
	return o
}

// written returns the position in dirty of the row the transaction wrote.
func (o *overlay[T]) written(id crm.ID) (int, bool) {
	if o.index != nil {
		i, ok := o.index[id]
		return i, ok
	}
	for i := range o.dirty {
		if o.dirty[i].id == id {
			return i, true
		}
	}
	return 0, false
}

func (o *overlay[T]) get(id crm.ID) (T, bool) {
	v, ok := o.peek(id)
	if ok {
		v = o.base.clone(v)
	}
	return v, ok
}

// peek returns the row as the transaction sees it without cloning it:
// the caller must neither keep nor change the slices and maps it holds.
func (o *overlay[T]) peek(id crm.ID) (T, bool) {
	if i, ok := o.written(id); ok {
		return o.dirty[i].v, true
	}
	i, ok := o.base.pos[id]
	if !ok {
		var zero T
		return zero, false
	}
	return *o.base.rows.at(i), true
}

func (o *overlay[T]) put(id crm.ID, v T, isNew bool) {
	v = o.base.clone(v)
	if i, ok := o.written(id); ok {
		o.dirty[i].v = v
	} else {
		o.dirty = append(o.dirty, dirtyRow[T]{id, v})
		switch {
		case o.index != nil:
			o.index[id] = len(o.dirty) - 1
		case len(o.dirty) > scanDirty:
			o.index = make(map[crm.ID]int, 2*len(o.dirty))
			for i, r := range o.dirty {
				o.index[r.id] = i
			}
		}
	}
	if isNew {
		i, _ := slices.BinarySearchFunc(o.added, id, crm.ID.Compare)
		o.added = slices.Insert(o.added, i, id)
	}
}

// list returns up to limit rows after the key that match, in ID order,
// merging the committed IDs with the ones this transaction added.
func (o *overlay[T]) list(after crm.ID, limit int, match func(T) bool) []T {
	a := o.base.ids.after(after)
	i, found := slices.BinarySearchFunc(o.added, after, crm.ID.Compare)
	if found {
		i++
	}
	b := o.added[i:]
	var out []T
	for len(out) < limit {
		id, ok := a.peek()
		switch {
		case len(b) > 0 && (!ok || b[0].Compare(id) < 0):
			id, b = b[0], b[1:]
		case ok:
			a.next()
		default:
			return out
		}
		if v, _ := o.get(id); match(v) {
			out = append(out, v)
		}
	}
	return out
}

// all returns every row the transaction sees, in no particular order.
func (o *overlay[T]) all() []T {
	out := make([]T, 0, o.base.rows.len()+len(o.added))
	o.each(func(v *T) { out = append(out, *v) })
	return out
}

// each calls fn with every row the transaction sees, in no particular
// order, without copying them into a slice; fn must not keep or change
// the row.
func (o *overlay[T]) each(fn func(*T)) {
	var replaced map[int]bool // committed rows the transaction rewrote
	for _, r := range o.dirty {
		if i, ok := o.base.pos[r.id]; ok {
			if replaced == nil {
				replaced = map[int]bool{}
			}
			replaced[i] = true
		}
	}
	for c, chunk := range o.base.rows.chunks {
		for i := range chunk {
			if replaced == nil || !replaced[c*chunkSize+i] {
				fn(&chunk[i])
			}
		}
	}
	for i := range o.dirty {
		v := o.dirty[i].v
		fn(&v)
	}
}

// mine returns the rows this transaction added that match, in ID order.
func (o *overlay[T]) mine(match func(T) bool) []T {
	var out []T
	for _, id := range o.added {
		i, _ := o.written(id)
		if v := o.dirty[i].v; match(v) {
			out = append(out, o.base.clone(v))
		}
	}
	return out
}

// commit applies the overlay's writes to the table. Its cost grows with
// the rows written, and only with the logarithm of the rows committed
// before.
func (t *table[T]) commit(o *overlay[T]) {
	if len(o.dirty) == 0 {
		return
	}
	for _, r := range o.dirty {
		if i, ok := t.pos[r.id]; ok {
			*t.rows.at(i) = r.v
		}
	}
	for _, id := range o.added {
		i, _ := o.written(id)
		t.pos[id] = t.rows.len()
		t.rows.append(o.dirty[i].v)
		if t.added != nil {
			t.added(o.dirty[i].v)
		}
	}
	for _, id := range o.added {
		t.ids.insert(id)
	}
	if t.saved != nil {
		for _, v := range o.dirty {
			t.saved(v.v)
		}
	}
}
