package storetest

import (
	"context"
	"fmt"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func runQuotas(t *testing.T, newStore NewStoreFunc) {
	t.Run("Records", func(t *testing.T) { runQuotaRecords(t, newStore) })
	t.Run("SetAndAttain", func(t *testing.T) { runQuotaAttainment(t, newStore) })
	t.Run("ConcurrentSetters", func(t *testing.T) { runQuotaRaces(t, newStore) })
}

// runQuotaRecords stores quotas that between them set and empty every
// field, reads them back, updates one with the version rules, and lists
// them by every field of QuotaFilter.
func runQuotaRecords(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	s := newStore(t)
	g := &ids{n: 1 << 44}
	usd, _ := crm.ParseCurrency("USD")
	jpy, _ := crm.ParseCurrency("JPY")
	p1, p2, ann := g.next(), g.next(), g.next()
	q1 := crm.FiscalPeriod{Year: 2026, Quarter: 1}
	fy := crm.FiscalPeriod{Year: 2027}
	mk := func(pipeline, owner crm.ID, team string, p crm.FiscalPeriod, amount crm.Money, reason string) crm.Quota {
		return crm.Quota{ID: crm.QuotaID(pipeline, owner, team, p), Pipeline: pipeline, Owner: owner, Team: team, Period: p,
			Amount: amount, Reason: reason, SetBy: ann, CreatedAt: epoch, UpdatedAt: epoch, Version: 1}
	}
	quotas := []crm.Quota{
		mk(p1, ann, "", q1, crm.MoneyFromMinor(1_000_000, usd), "plan "+hostile),
		mk(p1, crm.ID{}, "north", q1, crm.MoneyFromMinor(0, usd), ""),
		mk(p1, crm.ID{}, hostileShort, fy, crm.MoneyFromMinor(math.MaxInt64, usd), "the most"),
		mk(p2, ann, "", fy, crm.MoneyFromMinor(98_765_432, jpy), ""),
	}
	update(t, s, func(tx crm.Tx) error {
		for _, q := range quotas {
			require.NoError(t, tx.Quotas().Insert(ctx, q))
		}
		err := tx.Quotas().Insert(ctx, quotas[0])
		assert.ErrorIs(t, err, crm.ErrConflict, "one quota per pipeline, holder and period")
		return nil
	})
	view(t, s, func(tx crm.ReadTx) error {
		for _, q := range quotas {
			got, err := tx.Quotas().Get(ctx, q.ID)
			require.NoError(t, err)
			assert.Equal(t, q, got)
		}
		_, err := tx.Quotas().Get(ctx, g.next())
		assert.ErrorIs(t, err, crm.ErrNotFound)
		for _, f := range []crm.QuotaFilter{{}, {Pipeline: p1}, {Period: q1}, {Period: fy}, {Owner: ann}, {Team: "north"},
			{Team: hostileShort}, {Pipeline: p1, Period: fy, Team: hostileShort}, {Pipeline: p2, Owner: ann, Period: q1}} {
			var want []crm.ID
			for _, q := range sortedByID(quotas, func(q crm.Quota) crm.ID { return q.ID }) {
				if f.Match(q) {
					want = append(want, q.ID)
				}
			}
			list, err := tx.Quotas().List(ctx, f, crm.PageRequest{Limit: 2})
			require.NoError(t, err)
			if len(list) == 2 {
				more, err := tx.Quotas().List(ctx, f, crm.PageRequest{After: list[1].ID, Limit: 10})
				require.NoError(t, err)
				list = append(list, more...)
			}
			var got []crm.ID
			for _, q := range list {
				got = append(got, q.ID)
			}
			assert.Equal(t, want, got, "%+v", f)
		}
		return nil
	})
	changed := quotas[0]
	changed.Amount, changed.Reason, changed.Version, changed.UpdatedAt = crm.MoneyFromMinor(1_200_000, usd), "raised", 2, epoch.Add(time.Hour)
	update(t, s, func(tx crm.Tx) error {
		require.NoError(t, tx.Quotas().Update(ctx, changed))
		assert.ErrorIs(t, tx.Quotas().Update(ctx, changed), crm.ErrConflict, "version 2 again")
		return nil
	})
	view(t, s, func(tx crm.ReadTx) error {
		got, err := tx.Quotas().Get(ctx, changed.ID)
		require.NoError(t, err)
		assert.Equal(t, changed, got)
		return nil
	})
}

// runQuotaAttainment sets quotas through the CRM on a calendar whose
// fiscal year starts in April, with the rules of who may set them, and
// reports their attainment from deals won in and out of the period.
func runQuotaAttainment(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	tm := NewTeam(t, newStore(t), crm.WithCalendar(crm.Calendar{FiscalYearStart: time.April}))
	usd, _ := crm.ParseCurrency("USD")
	eur, _ := crm.ParseCurrency("EUR")
	p, err := tm.Deals.CreatePipeline(ctx, tm.Admin.ID, crm.NewPipeline{Name: "New business", Currency: usd})
	require.NoError(t, err)
	q4 := crm.FiscalPeriod{Year: 2026, Quarter: 4} // January to March 2026
	dollars := func(minor int64) crm.Money { return crm.MoneyFromMinor(minor, usd) }
	set := func(actor crm.User, r crm.SetQuotaRequest) (crm.Quota, error) {
		r.Pipeline = p.ID
		if r.Period.IsZero() {
			r.Period = q4
		}
		return tm.Deals.SetQuota(ctx, actor.ID, r)
	}

	// Who may set what.
	ann, err := set(tm.Manager, crm.SetQuotaRequest{Owner: tm.Ann.ID, Amount: dollars(1_000_000), Reason: "the plan"})
	require.NoError(t, err)
	assert.Equal(t, crm.QuotaID(p.ID, tm.Ann.ID, "", q4), ann.ID)
	assert.Equal(t, int64(1), ann.Version)
	assert.Equal(t, tm.Manager.ID, ann.SetBy)
	ben, err := set(tm.Manager, crm.SetQuotaRequest{Owner: tm.Ben.ID, Amount: dollars(0)})
	require.NoError(t, err)
	north, err := set(tm.Manager, crm.SetQuotaRequest{Team: "north", Amount: dollars(4_000_000)})
	require.NoError(t, err)
	_, err = set(tm.Admin, crm.SetQuotaRequest{Team: "south", Amount: dollars(500_000)})
	require.NoError(t, err)
	for name, tc := range map[string]struct {
		actor crm.User
		r     crm.SetQuotaRequest
		want  error
	}{
		"a rep sets their own":                  {tm.Ann, crm.SetQuotaRequest{Owner: tm.Ann.ID, Amount: dollars(1)}, crm.ErrForbidden},
		"a manager sets another team's rep's":   {tm.Manager, crm.SetQuotaRequest{Owner: tm.Sue.ID, Amount: dollars(1)}, crm.ErrForbidden},
		"a manager sets another team's":         {tm.Manager, crm.SetQuotaRequest{Team: "south", Amount: dollars(1)}, crm.ErrForbidden},
		"a rep and a team":                      {tm.Admin, crm.SetQuotaRequest{Owner: tm.Ann.ID, Team: "north", Amount: dollars(1)}, crm.ErrInvalid},
		"no one":                                {tm.Admin, crm.SetQuotaRequest{Amount: dollars(1)}, crm.ErrInvalid},
		"a negative quota":                      {tm.Admin, crm.SetQuotaRequest{Team: "north", Amount: dollars(-1)}, crm.ErrInvalid},
		"euros in a dollar pipeline":            {tm.Admin, crm.SetQuotaRequest{Team: "north", Amount: crm.MoneyFromMinor(1, eur)}, crm.ErrCurrencyMismatch},
		"a quarter that does not exist":         {tm.Admin, crm.SetQuotaRequest{Team: "north", Period: crm.FiscalPeriod{Year: 2026, Quarter: 5}, Amount: dollars(1)}, crm.ErrInvalid},
		"a user who does not exist":             {tm.Admin, crm.SetQuotaRequest{Owner: crm.ID{7}, Amount: dollars(1)}, crm.ErrInvalid},
		"a stale version":                       {tm.Manager, crm.SetQuotaRequest{Owner: tm.Ann.ID, Amount: dollars(2), IfVersion: 7}, crm.ErrConflict},
		"north's manager changes south's quota": {tm.Manager, crm.SetQuotaRequest{Team: "south", Amount: dollars(9)}, crm.ErrForbidden},
	} {
		_, err := set(tc.actor, tc.r)
		assert.ErrorIs(t, err, tc.want, name)
	}

	// Raised, with a reason: the next version, and an event of each.
	raised, err := set(tm.Manager, crm.SetQuotaRequest{Owner: tm.Ann.ID, Amount: dollars(1_500_000), Reason: "a bigger territory", IfVersion: 1})
	require.NoError(t, err)
	assert.Equal(t, int64(2), raised.Version)
	again, err := set(tm.Manager, crm.SetQuotaRequest{Owner: tm.Ann.ID, Amount: dollars(1_500_000), Reason: "a bigger territory"})
	require.NoError(t, err)
	assert.Equal(t, raised, again, "setting what it has changes nothing")
	view(t, tm.Store, func(tx crm.ReadTx) error {
		events, err := tx.Events().Subject(ctx, crm.KindQuota, ann.ID)
		require.NoError(t, err)
		require.Len(t, events, 2)
		cs, err := crm.DecodeChangeSet(events[1].Data)
		require.NoError(t, err)
		assert.Equal(t, crm.QuotaSet, events[1].Type)
		assert.Equal(t, "a bigger territory", cs.Reason)
		assert.Equal(t, []crm.Change{{Field: "amount", From: "10000.00 USD", To: "15000.00 USD"}}, cs.Changes)
		return nil
	})

	// Deals: Ann wins 6,000 and 3,000 in the quarter and 7,000 in the
	// next; Ben wins 2,000 in it; Ann loses one and keeps one open.
	customer := func(owner crm.User) crm.ID {
		c, err := tm.Customers.Create(ctx, owner.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: "Customer of " + owner.Name})
		require.NoError(t, err)
		return c.ID
	}
	cAnn, cBen := customer(tm.Ann), customer(tm.Ben)
	deal := func(owner crm.User, cu crm.ID, minor int64, outcome string) {
		d, err := tm.Deals.Open(ctx, owner.ID, crm.NewDeal{Pipeline: p.ID, Customer: cu, Title: "Deal", Amount: dollars(minor)})
		require.NoError(t, err)
		switch outcome {
		case "won":
			_, err = tm.Deals.Win(ctx, owner.ID, crm.WinDealRequest{Deal: d.ID})
		case "lost":
			_, err = tm.Deals.Lose(ctx, owner.ID, crm.LoseDealRequest{Deal: d.ID, Reason: crm.LostPricing})
		}
		require.NoError(t, err)
	}
	deal(tm.Ann, cAnn, 600_000, "won")
	deal(tm.Ann, cAnn, 300_000, "won")
	deal(tm.Ann, cAnn, 900_000, "lost")
	deal(tm.Ann, cAnn, 800_000, "open")
	deal(tm.Ben, cBen, 200_000, "won")
	tm.Clock.Set(time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC)) // FY2027-Q1
	deal(tm.Ann, cAnn, 700_000, "won")

	pct := func(v float64) *float64 { return &v }
	line := func(q crm.Quota, won int64, deals int64, percent *float64) crm.Attainment {
		return crm.Attainment{Quota: q, Won: dollars(won), Deals: deals, Percent: percent}
	}
	report, err := tm.Deals.Attainment(ctx, tm.Manager.ID, crm.AttainmentQuery{Pipeline: p.ID, Period: q4, Team: "north"})
	require.NoError(t, err)
	assert.Equal(t, crm.Date{Year: 2026, Month: time.January, Day: 1}, report.From)
	assert.Equal(t, crm.Date{Year: 2026, Month: time.April, Day: 1}, report.To)
	want := append([]crm.Attainment{line(north, 1_100_000, 3, pct(27.5))},
		sortedByID([]crm.Attainment{line(raised, 900_000, 2, pct(60)), line(ben, 200_000, 1, nil)},
			func(a crm.Attainment) crm.ID { return a.Quota.ID })...)
	assert.Equal(t, want, report.Lines, "the team's quota first, then its reps'; Ben's zero quota has no percent")

	mine, err := tm.Deals.Attainment(ctx, tm.Ann.ID, crm.AttainmentQuery{Pipeline: p.ID, Period: q4, Owner: tm.Ann.ID})
	require.NoError(t, err)
	assert.Equal(t, []crm.Attainment{line(raised, 900_000, 2, pct(60))}, mine.Lines, "a rep reads their own")
	_, err = tm.Deals.Attainment(ctx, tm.Ann.ID, crm.AttainmentQuery{Pipeline: p.ID, Period: q4})
	assert.ErrorIs(t, err, crm.ErrForbidden, "a rep does not read everyone's")
	_, err = tm.Deals.Attainment(ctx, tm.Manager.ID, crm.AttainmentQuery{Pipeline: p.ID})
	assert.ErrorIs(t, err, crm.ErrInvalid, "a period is required")

	next, err := set(tm.Manager, crm.SetQuotaRequest{Owner: tm.Ann.ID, Period: crm.FiscalPeriod{Year: 2027, Quarter: 1}, Amount: dollars(500_000)})
	require.NoError(t, err)
	all, err := tm.Deals.Attainment(ctx, tm.Admin.ID, crm.AttainmentQuery{Pipeline: p.ID, Period: crm.FiscalPeriod{Year: 2027, Quarter: 1}})
	require.NoError(t, err)
	assert.Equal(t, []crm.Attainment{line(next, 700_000, 1, pct(140))}, all.Lines, "beaten: past 100")
}

// runQuotaRaces sets one quota from several writers at once, the first
// of them inserting it: every set succeeds (the losers of the insert
// retry as updates), and the versions and events count every change.
func runQuotaRaces(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	tm := NewTeam(t, newStore(t))
	usd, _ := crm.ParseCurrency("USD")
	p, err := tm.Deals.CreatePipeline(ctx, tm.Admin.ID, crm.NewPipeline{Name: "New business", Currency: usd})
	require.NoError(t, err)
	period := crm.FiscalPeriod{Year: 2026}
	const writers = 6
	var wg sync.WaitGroup
	errs := make([]error, writers)
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			actor := []crm.User{tm.Admin, tm.Manager}[i%2]
			_, errs[i] = tm.Deals.SetQuota(ctx, actor.ID, crm.SetQuotaRequest{Pipeline: p.ID, Team: "north", Period: period,
				Amount: crm.MoneyFromMinor(int64(1_000+i), usd), Reason: fmt.Sprintf("writer %d", i)})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		require.NoError(t, err, "writer %d", i)
	}
	id := crm.QuotaID(p.ID, crm.ID{}, "north", period)
	view(t, tm.Store, func(tx crm.ReadTx) error {
		q, err := tx.Quotas().Get(ctx, id)
		require.NoError(t, err)
		assert.Equal(t, int64(writers), q.Version)
		events, err := tx.Events().Subject(ctx, crm.KindQuota, id)
		require.NoError(t, err)
		assert.Len(t, events, writers)
		return nil
	})
}
