package crm

import (
	"bytes"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestIDGenerator(t *testing.T) {
	clock := NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	g := newIDGenerator(clock, rand.NewChaCha8([32]byte{7}))
	var prev ID
	for i := range 10000 {
		if i%1000 == 0 {
			clock.Advance(time.Millisecond)
		}
		id, err := g.next()
		require.NoError(t, err)
		require.Equal(t, 1, id.Compare(prev), "IDs increase, even within one millisecond")
		assert.Equal(t, byte(7), id[6]>>4, "version 7")
		assert.Equal(t, byte(2), id[8]>>6, "RFC 9562 variant")
		prev = id
	}
	assert.Equal(t, clock.Now(), prev.Time())

	again := newIDGenerator(NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)), rand.NewChaCha8([32]byte{7}))
	first, _ := again.next()
	g2 := newIDGenerator(NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)), rand.NewChaCha8([32]byte{7}))
	same, _ := g2.next()
	assert.Equal(t, first, same, "the same clock and seed give the same IDs")

	clock.Set(clock.Now().Add(-time.Hour))
	back, err := g.next()
	require.NoError(t, err)
	assert.Equal(t, 1, back.Compare(prev), "a clock that goes back does not make IDs go back")
}

func TestIDGeneratorRunsDry(t *testing.T) {
	_, err := newIDGenerator(nil, bytes.NewReader(nil)).next()
	assert.Error(t, err, "a source that runs dry is an error, not a weak ID")
}

func TestIDBefore(t *testing.T) {
	for _, c := range []struct{ id, want ID }{
		{ID{15: 2}, ID{15: 1}},
		{ID{14: 1}, ID{15: 0xff}},
		{ID{0: 1}, ID{0: 0, 1: 0xff, 2: 0xff, 3: 0xff, 4: 0xff, 5: 0xff, 6: 0xff, 7: 0xff, 8: 0xff, 9: 0xff, 10: 0xff, 11: 0xff, 12: 0xff, 13: 0xff, 14: 0xff, 15: 0xff}},
		{ID{}, ID{}},
	} {
		if got := c.id.before(); got != c.want {
			t.Errorf("%s.before() = %s, want %s", c.id, got, c.want)
		}
		if !c.id.IsZero() && c.id.before().Compare(c.id) >= 0 {
			t.Errorf("%s.before() is not before it", c.id)
		}
	}
}
