package main

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/crmkit/crm/examples/internal/capture"
)

// The bank's story: Jane annoyed by four transfers and won back by a quick
// resolution, Omar rising to advocate on a referral, the hotline the worst
// pain point, and the journey map written as Mermaid.
func TestJourney(t *testing.T) {
	dir := t.TempDir()
	mermaid := filepath.Join(dir, "journey.mmd")
	capture.Tells(t, func() error { return run(context.Background(), filepath.Join(dir, "bank.db"), mermaid) },
		"indifferent -> annoyed     experience at hotline.cards: sentiment -2 -16, not resolved -4, 4 transfers -18",
		"annoyed     -> indifferent resolution at hotline.cards: complaint resolved well in 20h (service recovery) +25",
		"loyal       -> advocate    referral: referral +15 - brought his sister",
		"Pain points, worst first:\n  hotline.cards ")
	capture.File(t, mermaid, "journey\n    title Get a credit card\n")
}
