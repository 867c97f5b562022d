package crm_test

import (
	"encoding/json"
	"testing"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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
}
