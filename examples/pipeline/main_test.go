package main

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/crmkit/crm/examples/internal/capture"
)

// The north team's quarter: a back-dated win, a deal lost on price, one
// rotting, a rep leaving with his accounts handed over, quotas, the campaign's
// return, the reps' work reports, the funnel as of last month and the
// funnel chart.
func TestPipeline(t *testing.T) {
	dir := t.TempDir()
	svg := filepath.Join(dir, "funnel.svg")
	capture.Tells(t, func() error { return run(context.Background(), filepath.Join(dir, "sales.db"), svg) },
		"Northwind fleet telematics won on 2026-03-06, recorded 2026-03-10",
		"moved: 2 customers, 1 open deals, 0 follow-ups; stayed with Ben: 1 closed deals",
		`stayed: deal "Initech warehouse sensors" (closed_deal)`,
		"The pipeline as it stood at the end of February (2026-02-28)",
		"  Lost           1 deals    41000.00 USD",
		"  team north   quota  150000.00 USD  won   79500.00 USD  53.00%",
		"  Ann Rep      quota   90000.00 USD  won   79500.00 USD  88.33%",
		"lost: 1 on pricing",
		"Rotting: Umbrella pilot, idle 66 days in prospecting (limit 14), owner Ann Rep",
		"cost 10400.00 USD, 3 leads, won 79500.00 USD, ROI 6.64, CAC 10400.00 USD",
		"Work report of Ben Rep: activities 1 visit, overdue follow-ups 0, invalid visits 1")
	capture.File(t, svg, "<svg")
}
