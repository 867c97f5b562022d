package crm

import "testing"

// TestEvidenceKindsAreValid keeps the kinds the error names and the kinds
// valid accepts the same.
func TestEvidenceKindsAreValid(t *testing.T) {
	seen := map[EvidenceKind]bool{}
	for _, k := range evidenceKinds {
		if !k.valid() || seen[k] {
			t.Errorf("%q: valid %v, named twice %v", k, k.valid(), seen[k])
		}
		seen[k] = true
	}
	if EvidenceKind("fading").valid() || EvidenceKind("").valid() {
		t.Error("valid accepts a kind that is not evidence")
	}
}
