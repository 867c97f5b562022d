package memory

import (
	"slices"

	"github.com/crmkit/crm"
)

// table is a committed set of records: the rows in the order they were
// added, so that a scan reads memory in sequence, an index by ID, and the
// IDs in order for keyset listings.
type table[T any] struct {
	rows  []T
	pos   map[crm.ID]int // index in rows
	ids   idIndex        // in order, for keyset listings
	clone func(T) T
	added func(T) // told of each row a commit adds, to keep secondary indexes
}

func newTable[T any](clone func(T) T) *table[T] {
	return &table[T]{pos: map[crm.ID]int{}, clone: clone}
}

// overlay is a transaction's view of a table: its own writes over the
// committed rows, which it never touches until commit.
type overlay[T any] struct {
	base  *table[T]
	dirty map[crm.ID]T // made by the first write
	added []crm.ID     // sorted; IDs of rows inserted in this transaction
}

func (t *table[T]) begin() *overlay[T] { return t.beginIn(new(overlay[T])) }

// beginIn makes o an overlay of the table with no writes yet, and
// returns it.
func (t *table[T]) beginIn(o *overlay[T]) *overlay[T] {
	*o = overlay[T]{base: t}
	return o
}

func (o *overlay[T]) get(id crm.ID) (T, bool) {
	if v, ok := o.dirty[id]; ok {
		return o.base.clone(v), true
	}
	i, ok := o.base.pos[id]
	if !ok {
		var zero T
		return zero, false
	}
	return o.base.clone(o.base.rows[i]), true
}

// peek returns the row as the transaction sees it without cloning it:
// the caller must neither keep nor change the slices and maps it holds.
func (o *overlay[T]) peek(id crm.ID) (T, bool) {
	if v, ok := o.dirty[id]; ok {
		return v, true
	}
	i, ok := o.base.pos[id]
	if !ok {
		var zero T
		return zero, false
	}
	return o.base.rows[i], true
}

func (o *overlay[T]) put(id crm.ID, v T, isNew bool) {
	if o.dirty == nil {
		o.dirty = map[crm.ID]T{}
	}
	o.dirty[id] = o.base.clone(v)
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
	out := make([]T, 0, len(o.base.rows)+len(o.added))
	o.each(func(v *T) { out = append(out, *v) })
	return out
}

// each calls fn with every row the transaction sees, in no particular
// order, without copying them into a slice; fn must not keep or change
// the row.
func (o *overlay[T]) each(fn func(*T)) {
	if len(o.dirty) == 0 {
		for i := range o.base.rows {
			fn(&o.base.rows[i])
		}
		return
	}
	for id, i := range o.base.pos {
		if _, mine := o.dirty[id]; !mine {
			fn(&o.base.rows[i])
		}
	}
	for _, v := range o.dirty {
		fn(&v)
	}
}

// mine returns the rows this transaction added that match, in ID order.
func (o *overlay[T]) mine(match func(T) bool) []T {
	var out []T
	for _, id := range o.added {
		if v := o.dirty[id]; match(v) {
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
	for id, v := range o.dirty {
		if i, ok := t.pos[id]; ok {
			t.rows[i] = v
		}
	}
	for _, id := range o.added {
		t.pos[id] = len(t.rows)
		t.rows = append(t.rows, o.dirty[id])
	}
	if t.added != nil {
		for _, id := range o.added {
			t.added(o.dirty[id])
		}
	}
	for _, id := range o.added {
		t.ids.insert(id)
	}
}
