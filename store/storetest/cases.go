package storetest

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// caseVersions describes cases for runVersionRules.
var caseVersions = versioned[crm.Case]{
	kind:  crm.KindCase,
	fresh: func(_ *testing.T, sc *scene) crm.Case { return sc.caseOf(sc.ann) },
	id:    caseID,
	at: func(c crm.Case, n int64) crm.Case {
		c.Department += fmt.Sprintf(" v%d", n)
		c.Handoffs += int(n)
		c.UpdatedAt, c.Version = c.UpdatedAt.Add(time.Duration(n)*time.Minute), n
		return c
	},
}.on(func(tx crm.Tx) writer[crm.Case] { return tx.Cases() }, func(tx crm.ReadTx) getter[crm.Case] { return tx.Cases() })

func listCases(f crm.CaseFilter) func(tx crm.ReadTx, p crm.PageRequest) ([]crm.Case, error) {
	return func(tx crm.ReadTx, p crm.PageRequest) ([]crm.Case, error) {
		return tx.Cases().List(context.Background(), f, p)
	}
}

// openCase returns an open case of customer with no resolution and no
// promise.
func (sc *scene) openCase(customer crm.ID) crm.Case {
	c := sc.caseOf(customer)
	c.Status, c.ResolvedAt, c.ClosedAt, c.PromisedBy = crm.CaseOpened, time.Time{}, time.Time{}, time.Time{}
	c.Resolution, c.ResolveBreached, c.PromiseBroken, c.Reopens = "", false, false, 0
	return c
}

func runCases(t *testing.T, newStore NewStoreFunc) {
	t.Run("Versions", func(t *testing.T) { runVersionRules(t, newStore, caseVersions) })

	t.Run("List", func(t *testing.T) {
		sc := newScene(t, newStore)
		cutoff := at(1000)
		// The edge cases of PromiseDueBefore at cutoff; the names of those
		// it selects start with "due:".
		promises := map[string]func(c *crm.Case){
			"due: a microsecond before": func(c *crm.Case) { c.PromisedBy = cutoff.Add(-time.Microsecond) },
			"due: long ago":             func(c *crm.Case) { c.PromisedBy, c.Status = cutoff.Add(-500*time.Minute), crm.CaseInProgress },
			"due: reopened":             func(c *crm.Case) { c.PromisedBy, c.Status, c.Reopens = cutoff.Add(-time.Minute), crm.CaseReopened, 1 },
			"exactly at the cutoff":     func(c *crm.Case) { c.PromisedBy = cutoff },
			"after the cutoff":          func(c *crm.Case) { c.PromisedBy = cutoff.Add(time.Microsecond) },
			"no promise":                func(*crm.Case) {},
			"resolved in time": func(c *crm.Case) {
				c.PromisedBy, c.ResolvedAt, c.Status = cutoff.Add(-time.Minute), cutoff.Add(-2*time.Minute), crm.CaseResolved
			},
			"already broken": func(c *crm.Case) { c.PromisedBy, c.PromiseBroken = cutoff.Add(-time.Minute), true },
		}
		named := map[crm.ID]string{}
		var all []crm.Case
		for _, name := range slices.Sorted(maps.Keys(promises)) {
			c := sc.openCase(sc.bob)
			c.Kind, c.Department = crm.Request, "Promises"
			promises[name](&c)
			named[c.ID] = name
			all = append(all, c)
		}
		kinds := []crm.CaseKind{crm.Complaint, crm.Request, crm.Incident, crm.Question}
		statuses := crm.CaseMachine().States()
		depts := []string{"Billing", "billing", "Legal " + hostileShort, "", "x' OR '1'='1", "Bill%"}
		customers := []crm.ID{sc.ann, sc.bob, sc.g.next()}
		moved := map[crm.ID]bool{} // updated after they are inserted
		for i := range 60 {
			c := sc.caseOf(customers[i%3])
			c.Kind, c.Status, c.Department = kinds[i%4], statuses[i%len(statuses)], depts[i%len(depts)]
			c.PromisedBy = cutoff.Add(time.Duration(i-30) * time.Hour)
			c.PromiseBroken = i%7 == 0
			c.NextOverdue = cutoff.Add(time.Duration(i-20) * time.Hour)
			if i%5 == 0 {
				c.NextOverdue = time.Time{}
			}
			if i%7 == 3 {
				moved[c.ID] = true
			}
			if c.Status == crm.CaseOpened || c.Status == crm.CaseInProgress || c.Status == crm.CaseReopened {
				c.ResolvedAt, c.ClosedAt = time.Time{}, time.Time{}
			}
			all = append(all, c)
		}
		slices.SortFunc(all, func(a, b crm.Case) int { return a.ID.Compare(b.ID) })
		// Insert out of ID order, then update a few so that the listing
		// must see the new versions.
		for i := range 3 {
			var batch []crm.Case
			for j := len(all) - 1 - i; j >= 0; j -= 3 {
				batch = append(batch, all[j])
			}
			insertAll(t, sc.s, insertCase, batch...)
		}
		for i, c := range all {
			if moved[c.ID] {
				c.Department, c.Status, c.Version = "Moved", crm.CaseResolved, 2
				c.ResolvedAt = c.OpenedAt.Add(time.Hour)
				all[i] = c
				insertAll(t, sc.s, caseVersions.update, c)
			}
		}

		var due []string
		for _, c := range allPages(t, sc.s, 2, caseID, listCases(crm.CaseFilter{PromiseDueBefore: cutoff, Department: "Promises"})) {
			due = append(due, named[c.ID])
		}
		slices.Sort(due)
		assert.Equal(t, []string{"due: a microsecond before", "due: long ago", "due: reopened"}, due)

		for _, tc := range []struct {
			name string
			f    crm.CaseFilter
			none bool // the filter selects nothing
		}{
			{"no filter", crm.CaseFilter{}, false},
			{"customer", crm.CaseFilter{Customer: sc.bob}, false},
			{"unknown customer", crm.CaseFilter{Customer: sc.g.next()}, true},
			{"status", crm.CaseFilter{Status: crm.CaseReopened}, false},
			{"status closed", crm.CaseFilter{Status: crm.CaseClosed}, false},
			{"kind", crm.CaseFilter{Kind: crm.Incident}, false},
			{"department", crm.CaseFilter{Department: "billing"}, false},
			{"department empty is every department", crm.CaseFilter{Department: ""}, false},
			{"department with a quote", crm.CaseFilter{Department: "x' OR '1'='1"}, false},
			{"department is no pattern", crm.CaseFilter{Department: "Bill%"}, false},
			{"department hostile", crm.CaseFilter{Department: "Legal " + hostileShort}, false},
			{"promise due", crm.CaseFilter{PromiseDueBefore: cutoff}, false},
			{"promise due later", crm.CaseFilter{PromiseDueBefore: cutoff.Add(10 * time.Hour)}, false},
			{"promise due before everything", crm.CaseFilter{PromiseDueBefore: cutoff.Add(-100 * time.Hour)}, true},
			{"every field", crm.CaseFilter{Customer: sc.ann, Status: crm.CaseInProgress, Kind: crm.Complaint, Department: "Billing",
				PromiseDueBefore: cutoff.Add(100 * time.Hour)}, false},
			{"customer and promise", crm.CaseFilter{Customer: sc.bob, PromiseDueBefore: cutoff}, false},
			{"overdue", crm.CaseFilter{OverdueBefore: cutoff}, false},
			{"overdue exactly at a step", crm.CaseFilter{OverdueBefore: cutoff.Add(4 * time.Hour)}, false},
			{"overdue before everything", crm.CaseFilter{OverdueBefore: cutoff.Add(-100 * time.Hour)}, true},
			{"customer and overdue", crm.CaseFilter{Customer: sc.ann, OverdueBefore: cutoff.Add(30 * time.Hour)}, false},
		} {
			t.Run(tc.name, func(t *testing.T) {
				want := slices.DeleteFunc(slices.Clone(all), func(c crm.Case) bool { return !tc.f.Match(c) })
				if tc.none {
					require.Empty(t, want)
				} else {
					require.NotEmpty(t, want, "the fixture exercises the filter")
				}
				if tc.f != (crm.CaseFilter{}) {
					require.Less(t, len(want), len(all), "the fixture exercises the filter")
				}
				assertSameList(t, want, allPages(t, sc.s, 4, caseID, listCases(tc.f)), caseID)
			})
		}
	})
}
