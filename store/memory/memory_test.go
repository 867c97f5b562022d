package memory_test

import (
	"testing"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/memory"
	"github.com/crmkit/crm/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(*testing.T) crm.Store { return memory.New() })
}

// TestErasureLeavesNothing scans every value the memory store holds after
// an erasure (storetest.RunErasureScan).
func TestErasureLeavesNothing(t *testing.T) {
	storetest.RunErasureScan(t, func(*testing.T) crm.Store { return memory.New() },
		func(_ *testing.T, s crm.Store) []storetest.HeldText { return storetest.TextsOf(s) })
}
