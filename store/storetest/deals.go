package storetest

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/require"
)

// dealVariants are deals that between them set and empty every field: open
// with everything, won, lost with notes and a hand-set probability (a
// store keeps whatever it is given), reopened, a hand-set zero (which is not "none"), no amount at
// all, zero euros, yen, and the largest amount in minor units.
func (sc *scene) dealVariants(t *testing.T) []named[crm.Deal] {
	r := sc.salesRefs(t)
	full := sc.deal(t, sc.ann)
	closeAt := func(d crm.Deal, stage string, status crm.DealStatus, when time.Time) crm.Deal {
		d.History[len(d.History)-1].Left = when
		d.History = append(d.History, crm.StageVisit{Stage: stage, Entered: when})
		d.Stage, d.Status, d.ClosedAt, d.UpdatedAt = stage, status, when, when
		return d
	}
	won := closeAt(sc.deal(t, sc.bob), "signed", crm.DealWon, at(50))
	won.Probability, won.ManualProbability, won.CloseDate = 100, nil, crm.DateOf(at(50))
	lost := closeAt(sc.deal(t, sc.bob), "lost", crm.DealLost, at(55))
	lost.Probability, lost.ManualProbability = 0, ptr(70)
	lost.LostReason, lost.LostNotes = crm.LostNoDecisionMaker, "The champion left.\n"+hostile
	reopened := closeAt(sc.deal(t, sc.ann), "lost", crm.DealLost, at(50))
	reopened = closeAt(reopened, "contract", crm.DealOpen, at(60))
	reopened.ClosedAt, reopened.ManualProbability, reopened.Probability = time.Time{}, nil, 90
	zero := sc.deal(t, sc.ann)
	zero.ManualProbability, zero.Probability = ptr(0), 0
	plain := crm.Deal{ID: sc.g.next(), Pipeline: r.eur.ID, Customer: sc.bob, Owner: r.north.ID, Title: "Plain", Stage: "lead",
		Status: crm.DealOpen, Probability: 5, History: []crm.StageVisit{{Stage: "lead", Entered: at(70)}}, Furthest: 1,
		CreatedAt: at(70), UpdatedAt: at(70), Version: 1}
	euros := plain
	euros.ID, euros.Amount, euros.History = sc.g.next(), crm.Zero(eur), []crm.StageVisit{{Stage: "lead", Entered: at(71)}}
	yen := crm.Deal{ID: sc.g.next(), Pipeline: r.yen.ID, Customer: sc.ann, Owner: r.north.ID, Team: r.north.Team, Title: "Yen",
		Amount: crm.MoneyFromMinor(98_765_432_100, jpy), CloseDate: day(2026, 12, 31), Stage: "proposal", Status: crm.DealOpen, Probability: 50,
		History: []crm.StageVisit{
			{Stage: "prospecting", Entered: at(80), Left: at(81)},
			{Stage: "qualification", Entered: at(81), Left: at(82)},
			{Stage: "proposal", Entered: at(82)},
		},
		Furthest: 3, CreatedAt: at(80), UpdatedAt: at(82), Version: 1}
	largest := sc.deal(t, sc.bob)
	largest.Amount = crm.MoneyFromMinor(math.MaxInt64, eur)
	return []named[crm.Deal]{{"open, every field", full}, {"won", won}, {"lost", lost}, {"reopened", reopened},
		{"hand-set zero probability", zero}, {"no amount, no currency", plain}, {"zero euros", euros}, {"yen", yen},
		{"largest amount", largest}}
}

func runDeals(t *testing.T, newStore NewStoreFunc) {
	runSalesRecord(t, newStore, salesRecord[crm.Deal]{
		versioned: dealVersions,
		variants:  func(t *testing.T, sc *scene) []named[crm.Deal] { return sc.dealVariants(t) },
		as: func(d crm.Deal, id crm.ID, n int64) crm.Deal {
			d.ID, d.Version = id, n
			return d
		},
		spoil: func(d *crm.Deal) { d.History[0].Stage, *d.ManualProbability = "spoilt", 99 },
		list:  listDeals(crm.DealFilter{}),
	})
	t.Run("Filter", func(t *testing.T) { runDealFilter(t, newStore) })
}

// runDealFilter lists deals of two pipelines, three customers, two owners,
// four teams (one of them a quote), every status and many stages, some
// updated after they were stored, with every field of DealFilter.
func runDealFilter(t *testing.T, newStore NewStoreFunc) {
	sc := newScene(t, newStore)
	r := sc.salesRefs(t)
	customers := []crm.ID{sc.ann, sc.bob, sc.customer(t)}
	owners := []crm.User{r.north, r.south}
	teams := []string{"north", "North", hostileShort, "x' OR '1'='1"}
	flows := []*crm.DealFlow{mustFlow(r.eur), mustFlow(r.yen)}
	reasons := crm.LostReasons()
	var all []crm.Deal
	for i := range 40 {
		f := flows[i%2]
		n := crm.NewDeal{Customer: customers[i%3], Title: fmt.Sprintf("Deal %02d", i), CloseDate: day(2026, 4, 1+i%28)}
		if i%7 != 0 {
			n.Amount = crm.MoneyFromMinor(int64(1000*i), f.Pipeline().Currency)
		}
		if i%5 != 0 {
			n.Campaign = r.campaign.ID
		}
		d, err := f.Open(sc.g.next(), n, owners[(i/2)%2], at(i))
		require.NoError(t, err)
		open := f.Pipeline().OpenStages()
		when := walk(f, &d, open[(i/3)%len(open)].Key, at(i))
		switch (i / 7) % 3 {
		case 1:
			meet(f, &d, when)
			require.NoError(t, f.Win(&d, crm.MoneyFromMinor(int64(700*i), f.Pipeline().Currency), when.Add(time.Hour)))
		case 2:
			require.NoError(t, f.Lose(&d, reasons[i%len(reasons)], "", when.Add(time.Hour)))
		}
		d.Team = teams[(i/5)%len(teams)] // owners change teams; a deal keeps the one it was opened in
		all = append(all, d)
	}
	for _, d := range all {
		insertAll(t, sc.s, insertDeal, d)
	}
	// Update some so that the listing must see the new version.
	for i, d := range all {
		if i%6 != 1 {
			continue
		}
		f := flows[i%2]
		if d.Status == crm.DealOpen {
			require.NoError(t, f.Lose(&d, crm.LostOther, "updated", at(100)))
		} else {
			require.NoError(t, f.Reopen(&d, at(100)))
		}
		d.Version++
		insertAll(t, sc.s, updateDeal, d)
		all[i] = d
	}

	every := all[7]
	require.False(t, every.Campaign.IsZero())
	assertFilters(t, sc.s, all, dealID, crm.DealFilter.Match, listDeals, []filterCase[crm.DealFilter]{
		{name: "no filter"},
		{name: "pipeline", f: crm.DealFilter{Pipeline: r.yen.ID}},
		{name: "unknown pipeline", f: crm.DealFilter{Pipeline: sc.g.next()}, none: true},
		{name: "customer", f: crm.DealFilter{Customer: sc.bob}},
		{name: "unknown customer", f: crm.DealFilter{Customer: sc.g.next()}, none: true},
		{name: "owner", f: crm.DealFilter{Owner: r.north.ID}},
		{name: "team", f: crm.DealFilter{Team: "north"}},
		{name: "team differs in case", f: crm.DealFilter{Team: "North"}},
		{name: "team hostile", f: crm.DealFilter{Team: hostileShort}},
		{name: "team with a quote", f: crm.DealFilter{Team: "x' OR '1'='1"}},
		{name: "team is no pattern", f: crm.DealFilter{Team: "nor%"}, none: true},
		{name: "status open", f: crm.DealFilter{Status: crm.DealOpen}},
		{name: "status won", f: crm.DealFilter{Status: crm.DealWon}},
		{name: "status lost", f: crm.DealFilter{Status: crm.DealLost}},
		{name: "stage of both pipelines", f: crm.DealFilter{Stage: "lost"}},
		{name: "stage of one pipeline", f: crm.DealFilter{Stage: "qualification"}},
		{name: "stage differs in case", f: crm.DealFilter{Stage: "Lead"}},
		{name: "stage is no pattern", f: crm.DealFilter{Stage: "demo.1-a%"}, none: true},
		{name: "campaign", f: crm.DealFilter{Campaign: r.campaign.ID}},
		{name: "unknown campaign", f: crm.DealFilter{Campaign: sc.g.next()}, none: true},
		{name: "pipeline and status", f: crm.DealFilter{Pipeline: r.eur.ID, Status: crm.DealWon}},
		{name: "owner and team", f: crm.DealFilter{Owner: r.south.ID, Team: "north"}},
		{name: "every field", f: crm.DealFilter{Pipeline: every.Pipeline, Customer: every.Customer, Owner: every.Owner,
			Team: every.Team, Status: every.Status, Stage: every.Stage, Campaign: every.Campaign}},
	})
}
