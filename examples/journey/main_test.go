package main

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/crmkit/crm/examples/internal/capture"
)

// The bank's story: Jane annoyed by four transfers, a quick resolution
// earning part of it back and a good contact after it winning her back, Omar rising to advocate on a referral, the hotline the worst
// pain point, and the journey map written as Mermaid.
func TestJourney(t *testing.T) {
	dir := t.TempDir()
	mermaid := filepath.Join(dir, "journey.mmd")
	capture.Tells(t, func() error { return run(context.Background(), filepath.Join(dir, "bank.db"), mermaid) },
		"indifferent -> annoyed     experience at hotline.cards: sentiment -2 -16, not resolved -4, 4 transfers -18",
		"annoyed     -> indifferent experience at app.activate: sentiment 1 +8, resolved +4",
		"loyal       -> advocate    referral: referral +15 - brought his sister",
		"Pain points, worst first:\n  hotline.cards ")
	capture.File(t, mermaid, "journey\n    title Get a credit card\n")
}
