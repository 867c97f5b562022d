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

// The north team's quarter: a deal lost on price, one rotting, the
// campaign's return, the reps' work reports and the funnel chart.
func TestPipeline(t *testing.T) {
	dir := t.TempDir()
	svg := filepath.Join(dir, "funnel.svg")
	out := capture.Stdout(t, func() error { return run(context.Background(), filepath.Join(dir, "sales.db"), svg) })
	for _, want := range []string{
		"lost: [{pricing 1}]",
		"Rotting: Umbrella pilot, idle 66 days in prospecting (limit 14), owner Ben Rep",
		"cost 10400.00 USD, 3 leads (3466.67 USD each), won 79500.00 USD, ROI 6.64, CAC 10400.00 USD",
		"Work report of Ben Rep: activities [{visit 1}], overdue follow-ups 0, invalid visits 1",
	} {
		assert.Contains(t, out, want)
	}
	chart, err := os.ReadFile(svg)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(chart), "<svg"), "funnel.svg is an SVG image")
}
