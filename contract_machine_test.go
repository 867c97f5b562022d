package crm_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestContractMachine is the contract's transition table as a table:
// every move it allows and a few it refuses. Early ends are terminations
// (expiry waits for the dates, ExpireDue), only drafts are revised, and a
// signed contract is replaced only by a signed amendment.
func TestContractMachine(t *testing.T) {
	checkMoves(t, crm.ContractMachine(), []move[crm.ContractStatus, crm.ContractEvent]{
		{crm.ContractDraft, crm.ContractRevise, crm.ContractDraft},
		{crm.ContractDraft, crm.ContractSubmit, crm.ContractSubmitted},
		{crm.ContractSubmitted, crm.ContractApproveStep, crm.ContractSubmitted},
		{crm.ContractSubmitted, crm.ContractApprove, crm.ContractApproved},
		{crm.ContractSubmitted, crm.ContractReject, crm.ContractDraft},
		{crm.ContractApproved, crm.ContractSign, crm.ContractActive},
		{crm.ContractApproved, crm.ContractExpire, crm.ContractExpired},
		{crm.ContractActive, crm.ContractComplete, crm.ContractCompleted},
		{crm.ContractActive, crm.ContractTerminate, crm.ContractTerminated},
		{crm.ContractActive, crm.ContractExpire, crm.ContractExpired},
		{crm.ContractActive, crm.ContractSupersede, crm.ContractSuperseded},
		{crm.ContractSubmitted, crm.ContractRevise, ""},
		{crm.ContractApproved, crm.ContractRevise, ""},
		{crm.ContractActive, crm.ContractRevise, ""},
		{crm.ContractApproved, crm.ContractSupersede, ""},
		{crm.ContractSuperseded, crm.ContractExpire, ""},
		{crm.ContractSuperseded, crm.ContractSign, ""},
		{crm.ContractExpired, crm.ContractTerminate, ""},
	}, nil)
}

// TestContractMachineDiagrams keeps the contract machine's Mermaid and
// DOT renderings under testdata/machines: the diagrams the docs show.
// go test -run TestContractMachineDiagrams -update . rewrites them.
func TestContractMachineDiagrams(t *testing.T) {
	m := crm.ContractMachine()
	for name, got := range map[string]string{"contract.mmd": m.Mermaid(), "contract.dot": m.DOT()} {
		path := filepath.Join("testdata", "machines", name)
		if *updateGolden {
			require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
			require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
		}
		want, err := os.ReadFile(path)
		require.NoError(t, err, "run go test -run TestContractMachineDiagrams -update . to create it")
		assert.Equal(t, string(want), got, "the %s diagram changed; if that is meant, run with -update and review the diff", name)
	}
	assert.Contains(t, m.Mermaid(), "active --> superseded: supersede")
	assert.Contains(t, m.Mermaid(), "draft --> draft: revise")
}
