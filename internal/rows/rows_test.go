package rows

import (
	"cmp"
	"testing"
)

func TestGetAndSorted(t *testing.T) {
	acc := map[string]*int{}
	made := 0
	fresh := func() *int { made++; return new(int) }
	for _, k := range []string{"b", "a", "b", "c", "b"} {
		*Get(acc, k, fresh)++
	}
	if made != 3 {
		t.Fatalf("made %d rows, want one per key (3)", made)
	}
	got := Sorted(acc, func(a, b int) int { return cmp.Compare(b, a) })
	if len(got) != 3 || got[0] != 3 || got[1] != 1 || got[2] != 1 {
		t.Fatalf("Sorted = %v, want [3 1 1]", got)
	}
}
