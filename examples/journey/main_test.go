package main

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/crmkit/crm/examples/internal/capture"
)

// The bank's story: Jane annoyed by four transfers, a quick resolution
// earning part of it back and a good contact after it winning her back, Omar rising to advocate on a referral, the hotline the worst
// pain point and the moment of truth where customers fall (by moves per
// contact, not by traffic), and the journey map written as Mermaid with
// the real mean at each step. The complaint opened at the instant of
// Jane's call is weighed before the call, as it arrived (Evidence.Arrival);
// the daily fading sweep runs before the ladder's distribution is read.
func TestJourney(t *testing.T) {
	dir := t.TempDir()
	mermaid := filepath.Join(dir, "journey.mmd")
	capture.Tells(t, func() error { return run(context.Background(), filepath.Join(dir, "bank.db"), mermaid) },
		"satisfied   -> indifferent complaint at hotline.cards: complaint -10\n",
		"indifferent -> annoyed     experience at hotline.cards: sentiment -2 -16, not resolved -4, 4 transfers -18",
		"annoyed     -> indifferent experience at app.activate: sentiment 1 +8, resolved +4",
		"loyal       -> advocate    referral: referral +15 - brought his sister",
		"Pain points, worst first:\n  hotline.cards ",
		"  up   web.apply       99 moves after 102 contacts  1.9x the base rate\n",
		"  down hotline.cards   31 moves after 30 contacts  3.3x the base rate\n",
		"  down web.apply       31 moves after 102 contacts  1.0x the base rate\n",
		"The fading sweep moved 1 customer whose experiences had faded past their rung.\n",
		"      Card pickup: 4.0: Customer\n    section support\n      Card hotline: 1.9: Customer\n")
	capture.File(t, mermaid, "journey\n    title Get a credit card\n")
}
