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
