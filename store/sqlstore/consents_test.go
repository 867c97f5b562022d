package sqlstore_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestConsentLatestUsesTheIndex: the decision in force is found by one
// descent of consents_latest_idx, with no sort of the subject's history,
// however long it is.
func TestConsentLatestUsesTheIndex(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s, _ := b.newStore(t)
		plan, err := s.LatestConsentPlan(context.Background())
		require.NoError(t, err)
		assert.Contains(t, plan, "consents_latest_idx", plan)
		assert.NotContains(t, plan, "Sort", plan)
		assert.NotContains(t, plan, "TEMP B-TREE", plan)
	})
}
