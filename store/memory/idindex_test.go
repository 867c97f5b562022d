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
// clock's UUIDv7; two interleaved clocks; at random; descending) and checks
// the index against a sorted slice, and a cursor from every kind of key.
func TestIDIndex(t *testing.T) {
	const n = 5 * chunkSize
	r := rand.New(rand.NewPCG(3, 4))
	orders := map[string]func(i int) uint64{
		"ascending":  func(i int) uint64 { return uint64(2 * i) },
		"two clocks": func(i int) uint64 { return uint64(2*(i/2) + (i%2)*10*chunkSize) },
		"random":     func(int) uint64 { return r.Uint64N(1 << 40) },
		"descending": func(i int) uint64 { return uint64(2 * (n - i)) },
	}
	for name, order := range orders {
		t.Run(name, func(t *testing.T) {
			var x idIndex
			var want []crm.ID
			for i := range n {
				id := indexID(order(i))
				if _, found := slices.BinarySearchFunc(want, id, crm.ID.Compare); found {
					continue
				}
				x.insert(id)
				j, _ := slices.BinarySearchFunc(want, id, crm.ID.Compare)
				want = slices.Insert(want, j, id)
			}
			for _, ch := range x.chunks {
				if len(ch) == 0 || len(ch) > chunkSize {
					t.Fatalf("a chunk of %d IDs", len(ch))
				}
			}
			keys := []crm.ID{{}, want[0], want[len(want)/2], want[len(want)-1], indexID(1<<41 + 1)}
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

// BenchmarkIDOrder inserts IDs at random places among 1k, 100k and 1M,
// one per commit, into the chunked idIndex and, as the baseline, into one
// sorted slice re-sorted after each append, as commits did before:
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
		b.Run(fmt.Sprint("chunks/rows=", rows), func(b *testing.B) {
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
