package crm_test

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestIDGenerator(t *testing.T) {
	clock := crm.NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	g := crm.NewIDGenerator(clock, rand.NewChaCha8([32]byte{7}))
	var prev crm.ID
	for i := range 10000 {
		if i%1000 == 0 {
			clock.Advance(time.Millisecond)
		}
		id, err := g.NewID()
		require.NoError(t, err)
		require.Equal(t, 1, id.Compare(prev), "IDs increase, even within one millisecond")
		assert.Equal(t, byte(7), id[6]>>4, "version 7")
		assert.Equal(t, byte(2), id[8]>>6, "RFC 9562 variant")
		prev = id
	}
	assert.Equal(t, clock.Now(), prev.Time())

	again := crm.NewIDGenerator(crm.NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)), rand.NewChaCha8([32]byte{7}))
	first, _ := again.NewID()
	g2 := crm.NewIDGenerator(crm.NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)), rand.NewChaCha8([32]byte{7}))
	same, _ := g2.NewID()
	assert.Equal(t, first, same, "the same clock and seed give the same IDs")

	clock.Set(clock.Now().Add(-time.Hour))
	back, err := g.NewID()
	require.NoError(t, err)
	assert.Equal(t, 1, back.Compare(prev), "a clock that goes back does not make IDs go back")
}

func TestIDEncoding(t *testing.T) {
	id, err := crm.ParseID("0192f5c4-8a2b-7c3d-9e4f-5a6b7c8d9e0f")
	require.NoError(t, err)
	assert.Equal(t, "0192f5c4-8a2b-7c3d-9e4f-5a6b7c8d9e0f", id.String())
	b, err := json.Marshal(id)
	require.NoError(t, err)
	assert.Equal(t, `"0192f5c4-8a2b-7c3d-9e4f-5a6b7c8d9e0f"`, string(b))
	var back crm.ID
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, id, back)
	require.NoError(t, back.Scan(id[:]))
	assert.Equal(t, id, back)
	v, err := crm.ID{}.Value()
	require.NoError(t, err)
	assert.Nil(t, v)

	for _, bad := range []string{"", "x", "0192f5c4-8a2b-7c3d-9e4f-5a6b7c8d9e0", "'; DROP TABLE users; --", "{0192f5c4-8a2b-7c3d-9e4f-5a6b7c8d9e0f}"} {
		_, err := crm.ParseID(bad)
		assert.ErrorIs(t, err, crm.ErrInvalid, bad)
	}
	_, err = crm.NewIDGenerator(nil, bytes.NewReader(nil)).NewID()
	assert.Error(t, err, "a source that runs dry is an error, not a weak ID")
}
