package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runBackDatedReports checks through the CRM, on a business calendar in
// Tokyo, that the sales KPIs (wins, losses, the sales cycle), the funnel
// as of a past date and a rep's work report count a close on the
// business day it happened, not when it was recorded: a March win
// entered on 1 April is a March win whose cycle ends on its day, open in
// its stage until then and won from then on; a close corrected from
// April to March moves to March likewise; and a win dated before the
// deal entered its stage is refused, as is such a correction, changing
// nothing.
func runBackDatedReports(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	cal := crm.Calendar{Location: time.FixedZone("JST", 9*3600)}
	d := newDealDesk(t, newStore, crm.WithCalendar(cal)) // the clock is at 2 March 2026, 18:00 in Tokyo
	march := d.open("March win", "", day(2026, 3, 25))
	late := d.open("Won in April, corrected to March", "", day(2026, 4, 10))
	lost := d.open("Lost in April, corrected to March", "", day(2026, 4, 10))
	d.Clock.Set(time.Date(2026, 3, 12, 1, 0, 0, 0, time.UTC)) // 12 March, 10:00 in Tokyo
	march, err := d.Deals.Move(ctx, d.Ann.ID, crm.MoveDealRequest{Deal: march.ID, Stage: "qualification"})
	require.NoError(t, err)

	// 1 April, 01:00 in Tokyo: still 31 March in UTC, but April in the
	// business calendar.
	d.Clock.Set(time.Date(2026, 3, 31, 16, 0, 0, 0, time.UTC))
	head := d.head()
	_, err = d.Deals.Win(ctx, d.Ann.ID, crm.WinDealRequest{Deal: march.ID, WonOn: day(2026, 3, 11)})
	var ve *crm.ValidationError
	require.ErrorAs(t, err, &ve, "won before it entered its stage on 12 March")
	assert.Equal(t, "won_on", ve.Field)
	d.unchanged(march, head, "a win before the last stage move")

	march, err = d.Deals.Win(ctx, d.Ann.ID, crm.WinDealRequest{Deal: march.ID, WonOn: day(2026, 3, 20)})
	require.NoError(t, err)
	assert.Equal(t, day(2026, 3, 20), march.CloseDate)
	assert.Equal(t, d.Clock.Now(), march.ClosedAt, "the moment it was recorded")
	assert.Equal(t, day(2026, 3, 20), cal.DateOf(march.ClosingAt()), "it closed on the day it was won")
	late, err = d.Deals.Win(ctx, d.Ann.ID, crm.WinDealRequest{Deal: late.ID})
	require.NoError(t, err)
	assert.Equal(t, day(2026, 4, 1), late.CloseDate, "today in Tokyo")
	lost, err = d.Deals.Lose(ctx, d.Ann.ID, crm.LoseDealRequest{Deal: lost.ID, Reason: crm.LostBudget})
	require.NoError(t, err)

	kpis := func(month crm.Date) crm.SalesKPIs {
		t.Helper()
		k, err := d.Deals.KPIs(ctx, d.Admin.ID, crm.SalesQuery{Pipeline: d.pipeline.ID,
			From: cal.Start(month), To: cal.Start(month.AddMonths(1))})
		require.NoError(t, err)
		return k
	}
	asOf := func(on crm.Date) map[string]int64 {
		t.Helper()
		f, err := d.Deals.FunnelAsOf(ctx, d.Admin.ID, crm.SalesQuery{Pipeline: d.pipeline.ID}, on)
		require.NoError(t, err)
		out := map[string]int64{}
		for _, s := range append(f.Stages, f.Closed...) {
			if s.Deals != 0 {
				out[s.Stage] = s.Deals
			}
		}
		return out
	}
	work := func(month crm.Date) (won, lost int64) {
		t.Helper()
		r, err := d.Activities.WorkReport(ctx, d.Manager.ID, crm.WorkQuery{Owner: d.Ann.ID,
			From: cal.Start(month), To: cal.Start(month.AddMonths(1))})
		require.NoError(t, err)
		return r.Won, r.Lost
	}
	marchFirst, aprilFirst := day(2026, 3, 1), day(2026, 4, 1)

	k := kpis(marchFirst)
	assert.Equal(t, int64(1), k.Won, "the March win counts in March")
	assert.Equal(t, int64(0), k.Lost)
	assert.Equal(t, day(2026, 3, 20), cal.DateOf(march.CreatedAt.Add(k.SalesCycle)), "its sales cycle ends on the day it was won")
	assert.Less(t, k.SalesCycle, cal.Start(day(2026, 3, 21)).Sub(march.CreatedAt))
	k = kpis(aprilFirst)
	assert.Equal(t, int64(1), k.Won, "only the win of 1 April counts in April")
	assert.Equal(t, int64(1), k.Lost)
	assert.Equal(t, 1.0, kpis(marchFirst).WinRate)
	won, lostN := work(marchFirst)
	assert.Equal(t, [2]int64{1, 0}, [2]int64{won, lostN}, "Ann's work report of March has the March win")
	won, lostN = work(aprilFirst)
	assert.Equal(t, [2]int64{1, 1}, [2]int64{won, lostN})

	assert.Equal(t, map[string]int64{"prospecting": 2, "qualification": 1}, asOf(day(2026, 3, 15)), "still open in its stage")
	assert.Equal(t, map[string]int64{"prospecting": 2, "qualification": 1}, asOf(day(2026, 3, 19)))
	assert.Equal(t, map[string]int64{"prospecting": 2, "won": 1}, asOf(day(2026, 3, 20)), "won by the end of its day")
	assert.Equal(t, map[string]int64{"prospecting": 2, "won": 1}, asOf(day(2026, 3, 31)))
	assert.Equal(t, map[string]int64{"won": 2, "lost": 1}, asOf(aprilFirst))

	// A correction may not date the win before the deal entered its stage.
	head = d.head()
	_, err = d.Deals.CorrectClose(ctx, d.Manager.ID, crm.CorrectCloseRequest{Deal: march.ID, CloseDate: day(2026, 3, 11), Reason: "x"})
	require.ErrorAs(t, err, &ve, "closed before it entered its stage on 12 March")
	assert.Equal(t, "close_date", ve.Field)
	d.unchanged(march, head, "a correction before the last stage move")

	// Corrected from April to March, the win and the loss move to March.
	late, err = d.Deals.CorrectClose(ctx, d.Manager.ID, crm.CorrectCloseRequest{Deal: late.ID, CloseDate: day(2026, 3, 25), Reason: "signed on 25 March"})
	require.NoError(t, err)
	assert.Equal(t, day(2026, 3, 25), cal.DateOf(late.ClosingAt()))
	_, err = d.Deals.CorrectClose(ctx, d.Manager.ID, crm.CorrectCloseRequest{Deal: lost.ID, CloseDate: day(2026, 3, 28), Reason: "they said no on 28 March"})
	require.NoError(t, err)
	k = kpis(marchFirst)
	assert.Equal(t, int64(2), k.Won, "the corrected win counts in March")
	assert.Equal(t, int64(1), k.Lost, "and so does the corrected loss")
	assert.InDelta(t, 2.0/3, k.WinRate, 1e-9)
	sum := march.ClosingAt().Sub(march.CreatedAt) + late.ClosingAt().Sub(late.CreatedAt)
	assert.Equal(t, (sum / 2).Truncate(time.Microsecond), k.SalesCycle)
	assert.Equal(t, crm.SalesKPIs{AverageDealSize: crm.Zero(d.usd)}, kpis(aprilFirst), "and nothing is left in April")
	won, lostN = work(marchFirst)
	assert.Equal(t, [2]int64{2, 1}, [2]int64{won, lostN}, "Ann's work report of March has them too")
	won, lostN = work(aprilFirst)
	assert.Equal(t, [2]int64{0, 0}, [2]int64{won, lostN}, "and hers of April not")

	assert.Equal(t, map[string]int64{"prospecting": 2, "won": 1}, asOf(day(2026, 3, 24)))
	assert.Equal(t, map[string]int64{"prospecting": 1, "won": 2}, asOf(day(2026, 3, 25)), "won on its corrected day")
	assert.Equal(t, map[string]int64{"won": 2, "lost": 1}, asOf(day(2026, 3, 28)), "lost on its corrected day")
	assert.Equal(t, map[string]int64{"won": 2, "lost": 1}, asOf(day(2026, 3, 31)))

	// Corrected back to today, the win counts in April again.
	late, err = d.Deals.CorrectClose(ctx, d.Manager.ID, crm.CorrectCloseRequest{Deal: late.ID, CloseDate: aprilFirst, Reason: "it was April after all"})
	require.NoError(t, err)
	assert.Equal(t, int64(1), kpis(aprilFirst).Won)
	assert.Equal(t, map[string]int64{"prospecting": 1, "won": 1, "lost": 1}, asOf(day(2026, 3, 31)))
	_, err = d.Events.Verify(ctx)
	require.NoError(t, err)
}
