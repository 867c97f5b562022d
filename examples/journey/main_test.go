package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crmkit/crm/examples/internal/capture"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The bank's story: Jane annoyed by four transfers and won back by a quick
// resolution, Omar rising to advocate on a referral, the hotline the worst
// pain point, and the journey map written as Mermaid.
func TestJourney(t *testing.T) {
	dir := t.TempDir()
	mermaid := filepath.Join(dir, "journey.mmd")
	out := capture.Stdout(t, func() error { return run(context.Background(), filepath.Join(dir, "bank.db"), mermaid) })
	for _, want := range []string{
		"indifferent -> annoyed     experience at hotline.cards: sentiment -2 -16, not resolved -4, 4 transfers -18",
		"annoyed     -> indifferent resolution at hotline.cards: complaint resolved well in 20h (service recovery) +25",
		"loyal       -> advocate    referral: referral +15 - brought his sister",
		"Pain points, worst first:\n  hotline.cards ",
	} {
		assert.Contains(t, out, want)
	}
	m, err := os.ReadFile(mermaid)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(m), "journey\n    title Get a credit card\n"), string(m))
}
