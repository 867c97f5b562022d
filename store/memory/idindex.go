package memory

import (
	"slices"
	"sort"

	"github.com/crmkit/crm"
)

const (
	leafSize = 256 // the most IDs a leaf of an idIndex holds
	fanout   = 64  // the most children an inner node holds
)

// idIndex is a set of IDs kept in order for keyset listings: a B+tree whose
// leaves hold sorted IDs and link to the next leaf. An insert moves at most
// one leaf's IDs and one node's children on each level, so a commit costs
// O(log N) per added row, however many rows the table holds.
type idIndex struct {
	root *idNode // nil while empty
	last *idNode // the last leaf, where IDs of one clock's UUIDv7 append
}

// idNode is a leaf (no kids: ids are the IDs) or an inner node (ids[j] is
// the smallest ID under kids[j]). Either way ids[0] is the smallest ID under
// the node, and no node is empty.
type idNode struct {
	ids  []crm.ID
	kids []*idNode
	next *idNode // of a leaf: the leaf after it
}

// child returns the child that holds id or would: the last one whose
// smallest ID is not above id, or the first.
func (n *idNode) child(id crm.ID) int {
	j := sort.Search(len(n.ids), func(j int) bool { return n.ids[j].Compare(id) > 0 })
	return max(j-1, 0)
}

// insert adds id, which the index does not hold.
func (x *idIndex) insert(id crm.ID) {
	if x.root == nil {
		x.root = newLeaf(id)
		x.last = x.root
		return
	}
	if l := x.last; len(l.ids) < leafSize && l.ids[len(l.ids)-1].Compare(id) < 0 {
		l.ids = append(l.ids, id) // after the largest: no node above changes
		return
	}
	if right := x.root.insert(id); right != nil {
		x.root = &idNode{ids: []crm.ID{x.root.ids[0], right.ids[0]}, kids: []*idNode{x.root, right}}
	}
	if x.last.next != nil {
		x.last = x.last.next // an insert adds one leaf at most
	}
}

func newLeaf(ids ...crm.ID) *idNode {
	return &idNode{ids: append(make([]crm.ID, 0, leafSize), ids...)}
}

// insert adds id under n and returns the node split off to its right, if
// n was full.
func (n *idNode) insert(id crm.ID) *idNode {
	if n.kids == nil {
		return n.insertLeaf(id)
	}
	j := n.child(id)
	if id.Compare(n.ids[j]) < 0 {
		n.ids[j] = id // below every ID: the first child's smallest
	}
	right := n.kids[j].insert(id)
	if right == nil {
		return nil
	}
	n.ids = slices.Insert(n.ids, j+1, right.ids[0])
	n.kids = slices.Insert(n.kids, j+1, right)
	if len(n.kids) <= fanout {
		return nil
	}
	h := len(n.kids) / 2
	right = &idNode{ids: slices.Clone(n.ids[h:]), kids: slices.Clone(n.kids[h:])}
	clear(n.kids[h:])
	n.ids, n.kids = n.ids[:h], n.kids[:h]
	return right
}

func (n *idNode) insertLeaf(id crm.ID) *idNode {
	var right *idNode
	if len(n.ids) == leafSize {
		if n.next == nil && n.ids[len(n.ids)-1].Compare(id) < 0 {
			// After the largest ID, as with one clock's UUIDv7: a new
			// leaf, and the full one stays full.
			n.next = newLeaf(id)
			return n.next
		}
		right = newLeaf(n.ids[leafSize/2:]...)
		right.next, n.next = n.next, right
		n.ids = n.ids[:leafSize/2]
		if right.ids[0].Compare(id) < 0 {
			right.insertLeaf(id)
			return right
		}
	}
	i, _ := slices.BinarySearchFunc(n.ids, id, crm.ID.Compare)
	n.ids = slices.Insert(n.ids, i, id) // within the capacity: in place
	return right
}

// after returns a cursor at the first ID above id.
func (x *idIndex) after(id crm.ID) idCursor {
	n := x.root
	if n == nil {
		return idCursor{}
	}
	for n.kids != nil {
		n = n.kids[n.child(id)]
	}
	i, found := slices.BinarySearchFunc(n.ids, id, crm.ID.Compare)
	if found {
		i++
	}
	k := idCursor{n: n, i: i}
	k.settle()
	return k
}

// idCursor walks an idIndex in order. It is valid until the next insert.
type idCursor struct {
	n *idNode // the leaf, nil past the last ID
	i int     // position in the leaf
}

// settle moves the cursor past the end of a leaf to the next one.
func (k *idCursor) settle() {
	if k.n != nil && k.i == len(k.n.ids) {
		k.n, k.i = k.n.next, 0
	}
}

// peek returns the ID at the cursor, or false past the last one.
func (k *idCursor) peek() (crm.ID, bool) {
	if k.n == nil {
		return crm.ID{}, false
	}
	return k.n.ids[k.i], true
}

// next moves the cursor to the following ID.
func (k *idCursor) next() {
	k.i++
	k.settle()
}
