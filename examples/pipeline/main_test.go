package main

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/crmkit/crm/examples/internal/capture"
)

// The north team's quarter: a deal lost on price, one rotting, the
// campaign's return, the reps' work reports and the funnel chart.
func TestPipeline(t *testing.T) {
	dir := t.TempDir()
	svg := filepath.Join(dir, "funnel.svg")
	capture.Tells(t, func() error { return run(context.Background(), filepath.Join(dir, "sales.db"), svg) },
		"lost: 1 on pricing",
		"Rotting: Umbrella pilot, idle 66 days in prospecting (limit 14), owner Ben Rep",
		"cost 10400.00 USD, 3 leads (3466.67 USD each), won 79500.00 USD, ROI 6.64, CAC 10400.00 USD",
		"Work report of Ben Rep: activities 1 visit, overdue follow-ups 0, invalid visits 1")
	capture.File(t, svg, "<svg")
}
