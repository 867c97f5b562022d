package memory

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/crmkit/crm"
)

func indexID(n uint64) crm.ID {
	var id crm.ID
	binary.BigEndian.PutUint64(id[8:], n)
	id[0] = 1 // never the zero ID
	return id
}

// TestIDIndex inserts IDs in the orders the store sees (ascending, as one
// clock's UUIDv7; two clocks, one behind; at random; descending), enough for
// a tree three levels high, and checks the tree's shape, and the IDs a
// cursor yields from every kind of key against a sorted slice.
func TestIDIndex(t *testing.T) {
	const n = 3 * fanout * leafSize
	r := rand.New(rand.NewPCG(3, 4))
	orders := map[string]func(i int) uint64{
		"ascending":  func(i int) uint64 { return uint64(2 * i) },
		"two clocks": func(i int) uint64 { return uint64(2*(i/2) + (i%2)*10*n) },
		"random":     func(int) uint64 { return r.Uint64N(1 << 40) },
		"descending": func(i int) uint64 { return uint64(2 * (n - i)) },
	}
	for name, order := range orders {
		t.Run(name, func(t *testing.T) {
			var x idIndex
			var want []crm.ID
			seen := map[crm.ID]bool{}
			for i := range n {
				if id := indexID(order(i)); !seen[id] {
					seen[id] = true
					x.insert(id)
					want = append(want, id)
				}
			}
			slices.SortFunc(want, crm.ID.Compare)
			if x.last.next != nil || x.last.ids[len(x.last.ids)-1] != want[len(want)-1] {
				t.Fatal("the last leaf is not the last")
			}
			if h := checkNode(t, x.root, true); h < 3 {
				t.Fatalf("a tree %d levels high", h)
			}
			keys := []crm.ID{{}, want[0], want[len(want)/2], want[len(want)-1], indexID(1<<62 + 1)}
			for _, id := range want[:50] {
				keys = append(keys, id, indexID(binary.BigEndian.Uint64(id[8:])+1))
			}
			for _, key := range keys {
				i, found := slices.BinarySearchFunc(want, key, crm.ID.Compare)
				if found {
					i++
				}
				var got []crm.ID
				for k := x.after(key); ; k.next() {
					id, ok := k.peek()
					if !ok {
						break
					}
					got = append(got, id)
				}
				if !slices.Equal(got, want[i:]) {
					t.Fatalf("after %v: %d IDs, want %d", key, len(got), len(want[i:]))
				}
			}
		})
	}
	var empty idIndex
	if k := empty.after(crm.ID{}); func() bool { _, ok := k.peek(); return ok }() {
		t.Fatal("an empty index yields an ID")
	}
}

// checkNode checks that n is neither empty nor over full, that its IDs are
// sorted and that an inner node's IDs are its children's smallest, and
// returns its height.
func checkNode(t *testing.T, n *idNode, root bool) int {
	t.Helper()
	if len(n.ids) == 0 || !slices.IsSortedFunc(n.ids, crm.ID.Compare) {
		t.Fatalf("a node of %d IDs, sorted: %v", len(n.ids), slices.IsSortedFunc(n.ids, crm.ID.Compare))
	}
	if n.kids == nil {
		if len(n.ids) > leafSize {
			t.Fatalf("a leaf of %d IDs", len(n.ids))
		}
		return 1
	}
	if len(n.kids) != len(n.ids) || len(n.kids) > fanout || (!root && len(n.kids) < fanout/2) {
		t.Fatalf("an inner node of %d children, %d IDs", len(n.kids), len(n.ids))
	}
	h := 0
	for j, kid := range n.kids {
		if kid.ids[0] != n.ids[j] {
			t.Fatalf("child %d starts at %v, its parent says %v", j, kid.ids[0], n.ids[j])
		}
		h = checkNode(t, kid, false)
	}
	return h + 1
}

// BenchmarkIDOrder inserts IDs at random places among 1k, 100k and 1M,
// one per commit, into the B+tree of idIndex and, as the baseline, into one
// sorted slice re-sorted after each append, as commits did before; and,
// for the common case of one clock's UUIDv7, IDs above every other into
// the B+tree:
//
//	go test -run '^$' -bench IDOrder -benchtime 200x ./store/memory
func BenchmarkIDOrder(b *testing.B) {
	for _, rows := range []int{1_000, 100_000, 1_000_000} {
		ids := make([]crm.ID, rows)
		for i := range ids {
			ids[i] = indexID(uint64(i) << 20)
		}
		// draws returns n distinct IDs among the committed ones, the same
		// for both.
		draws := func(n int) []crm.ID {
			r := rand.New(rand.NewPCG(1, 2))
			taken := map[uint64]bool{}
			out := make([]crm.ID, 0, n)
			for len(out) < n {
				if v := r.Uint64N(uint64(rows) << 20); v%(1<<20) != 0 && !taken[v] {
					taken[v] = true
					out = append(out, indexID(v))
				}
			}
			return out
		}
		b.Run(fmt.Sprint("resort/rows=", rows), func(b *testing.B) {
			sorted, added := slices.Clone(ids), draws(b.N)
			b.ResetTimer()
			for _, id := range added {
				sorted = append(sorted, id)
				slices.SortFunc(sorted, crm.ID.Compare)
			}
		})
		b.Run(fmt.Sprint("append/rows=", rows), func(b *testing.B) {
			var x idIndex
			for _, id := range ids {
				x.insert(id)
			}
			b.ResetTimer()
			for i := range b.N {
				x.insert(indexID(uint64(rows+i) << 20))
			}
		})
		b.Run(fmt.Sprint("btree/rows=", rows), func(b *testing.B) {
			var x idIndex
			for _, id := range ids {
				x.insert(id)
			}
			added := draws(b.N)
			b.ResetTimer()
			for _, id := range added {
				x.insert(id)
			}
		})
	}
}

// TestTableListPages commits IDs out of order over several commits, adds
// more in an open transaction, and pages through them with After and Limit,
// with and without a filter: every page continues in ID order where the
// last ended, over leaf boundaries and the transaction's own rows.
func TestTableListPages(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	tbl := newTable(same[crm.ID])
	var all []crm.ID
	seen := map[crm.ID]bool{}
	draw := func() crm.ID {
		for {
			if id := indexID(r.Uint64N(1 << 30)); !seen[id] {
				seen[id] = true
				all = append(all, id)
				return id
			}
		}
	}
	for range 5 {
		o := tbl.begin()
		for range 3 * leafSize / 2 {
			id := draw()
			o.put(id, id, true)
		}
		tbl.commit(o)
	}
	o := tbl.begin()
	for range 40 {
		id := draw()
		o.put(id, id, true)
	}
	slices.SortFunc(all, crm.ID.Compare)
	even := func(id crm.ID) bool { return id[15]%2 == 0 }
	for name, match := range map[string]func(crm.ID) bool{"all": func(crm.ID) bool { return true }, "even": even} {
		t.Run(name, func(t *testing.T) {
			var want []crm.ID
			for _, id := range all {
				if match(id) {
					want = append(want, id)
				}
			}
			var got []crm.ID
			after := crm.ID{}
			for {
				page := o.list(after, 7, match)
				if len(page) == 0 {
					break
				}
				got = append(got, page...)
				after = page[len(page)-1]
			}
			if !slices.Equal(got, want) {
				t.Fatalf("paged %d IDs, want %d", len(got), len(want))
			}
		})
	}
}
