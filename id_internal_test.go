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
