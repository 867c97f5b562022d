package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runDealRules checks through the CRM that a pipeline's history stays
// honest: a stage with open deals is not removed unless they move in the
// same command (and then they show in the funnel, the forecast and
// rotting), not even by a concurrent change; a win is back-dated and a
// closed deal corrected by a manager with a reason, so that the
// forecast, the KPIs and the funnel as of a past date count it on its
// business day; reopening and stage changes reset what was expected or
// set by hand; a closed deal refuses a probability and an update with a
// *crm.TransitionError and changes nothing; and each pipeline has its
// own lost reasons.
func runDealRules(t *testing.T, newStore NewStoreFunc) {
	t.Run("RemovingAStage", func(t *testing.T) { runStageRemoval(t, newStore) })
	t.Run("StageRemovalRace", func(t *testing.T) { runStageRemovalRace(t, newStore) })
	t.Run("BackDatedWin", func(t *testing.T) { runBackDatedWin(t, newStore) })
	t.Run("CorrectClose", func(t *testing.T) { runCorrectClose(t, newStore) })
	t.Run("BackDatedReports", func(t *testing.T) { runBackDatedReports(t, newStore) })
	t.Run("ReopenResets", func(t *testing.T) { runReopenResets(t, newStore) })
	t.Run("ClosedDealsRefuse", func(t *testing.T) { runClosedDealsRefuse(t, newStore) })
	t.Run("LostReasons", func(t *testing.T) { runLostReasons(t, newStore) })
}

// dealDesk is a Team with a customer of Ann's and a USD pipeline of the
// default stages that lets deals go back; opts are passed to NewTeam.
type dealDesk struct {
	*Team
	t        *testing.T
	customer crm.Customer
	pipeline crm.Pipeline
	usd      crm.Currency
}

func newDealDesk(t *testing.T, newStore NewStoreFunc, opts ...crm.Option) *dealDesk {
	tm := NewTeam(t, newStore(t), opts...)
	ctx := context.Background()
	cu, err := tm.Customers.Create(ctx, tm.Ann.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: "Northwind"})
	require.NoError(t, err)
	usd := currencyOf("USD")
	p, err := tm.Deals.CreatePipeline(ctx, tm.Admin.ID, crm.NewPipeline{Name: "New business", Currency: usd, AllowBack: true})
	require.NoError(t, err)
	return &dealDesk{Team: tm, t: t, customer: cu, pipeline: p, usd: usd}
}

// open opens a deal of Ann's at 10,000 USD closing on closing, in stage.
func (d *dealDesk) open(title, stage string, closing crm.Date) crm.Deal {
	d.t.Helper()
	amount, err := crm.ParseMoney("10000.00", "USD")
	require.NoError(d.t, err)
	deal, err := d.Deals.Open(context.Background(), d.Ann.ID, crm.NewDeal{Pipeline: d.pipeline.ID, Customer: d.customer.ID,
		Title: title, Amount: amount, CloseDate: closing, Stage: stage})
	require.NoError(d.t, err)
	return deal
}

// get reads a deal as the admin.
func (d *dealDesk) get(id crm.ID) crm.Deal {
	d.t.Helper()
	deal, err := d.Deals.Get(context.Background(), d.Admin.ID, id)
	require.NoError(d.t, err)
	return deal
}

// head is the event log's head.
func (d *dealDesk) head() crm.LogHead {
	d.t.Helper()
	return read(d.t, d.Store, func(tx crm.ReadTx) (crm.LogHead, error) { return tx.Events().Head(context.Background()) })
}

// dealEvents are the types of a deal's events and their notes.
func (d *dealDesk) dealEvents(id crm.ID) ([]crm.EventType, []string) {
	d.t.Helper()
	es := read(d.t, d.Store, func(tx crm.ReadTx) ([]crm.Event, error) {
		return tx.Events().Subject(context.Background(), crm.KindDeal, id)
	})
	var notes []string
	for _, e := range es {
		var data struct {
			Note string `json:"note"`
		}
		require.NoError(d.t, json.Unmarshal(e.Data, &data))
		notes = append(notes, data.Note)
	}
	return types(es), notes
}

// unchanged checks that a refused command left the deal and the log as
// they were.
func (d *dealDesk) unchanged(before crm.Deal, head crm.LogHead, msg string) {
	d.t.Helper()
	assert.Equal(d.t, before, d.get(before.ID), "%s: the deal is unchanged", msg)
	assert.Equal(d.t, head, d.head(), "%s: nothing is logged", msg)
}

// forecast returns the forecast lines of the pipeline by month and
// category: deals and amount.
func (d *dealDesk) forecast() map[string]string {
	d.t.Helper()
	lines, err := d.Deals.Forecast(context.Background(), d.Admin.ID, crm.SalesQuery{Pipeline: d.pipeline.ID})
	require.NoError(d.t, err)
	out := map[string]string{}
	for _, l := range lines {
		out[l.Month+" "+string(l.Category)] = fmt.Sprintf("%d %s", l.Deals, l.Amount)
	}
	return out
}

// funnel returns the open deals of each stage of the funnel as it
// stands, and their total.
func (d *dealDesk) funnel() (map[string]int64, int64) {
	d.t.Helper()
	f, err := d.Deals.Funnel(context.Background(), d.Admin.ID, crm.SalesQuery{Pipeline: d.pipeline.ID})
	require.NoError(d.t, err)
	out, total := map[string]int64{}, int64(0)
	for _, s := range f.Stages {
		out[s.Stage] = s.Deals
		total += s.Deals
	}
	return out, total
}

// stagesWithout returns the default stages without those named.
func stagesWithout(keys ...string) []crm.Stage {
	var out []crm.Stage
	for _, s := range crm.DefaultStages() {
		keep := true
		for _, k := range keys {
			keep = keep && s.Key != k
		}
		if keep {
			out = append(out, s)
		}
	}
	return out
}

func runStageRemoval(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	d := newDealDesk(t, newStore)
	closing := day(2026, 3, 31)
	a := d.open("Fleet renewal", "", closing)
	b := d.open("Spare parts", "", closing)
	b, err := d.Deals.Move(ctx, d.Ann.ID, crm.MoveDealRequest{Deal: b.ID, Stage: "qualification"})
	require.NoError(t, err)
	pipelineBefore := d.pipeline
	head := d.head()

	// Removing qualification, where b is, is refused and changes nothing.
	_, err = d.Deals.UpdatePipeline(ctx, d.Admin.ID, crm.PipelinePatch{Pipeline: d.pipeline.ID, Stages: stagesWithout("qualification")})
	var inUse *crm.StageInUseError
	require.ErrorAs(t, err, &inUse)
	require.ErrorIs(t, err, crm.ErrInvalid)
	assert.Equal(t, crm.StageInUseError{Pipeline: d.pipeline.ID, Stage: "qualification", OpenDeals: 1}, *inUse)
	d.unchanged(b, head, "refused removal")
	got, err := d.Deals.Pipeline(ctx, d.Admin.ID, d.pipeline.ID)
	require.NoError(t, err)
	assert.Equal(t, pipelineBefore, got, "the pipeline is unchanged")

	// Making it a lost stage takes it out of the open stages too.
	asLost := append(stagesWithout("qualification", "lost"), crm.Stage{Key: "qualification", Name: "Disqualified", Type: crm.StageLost})
	_, err = d.Deals.UpdatePipeline(ctx, d.Admin.ID, crm.PipelinePatch{Pipeline: d.pipeline.ID, Stages: asLost})
	require.ErrorAs(t, err, &inUse)
	d.unchanged(b, head, "a stage made lost")

	// MoveDeals must name a removed open stage and an open stage that stays.
	for name, moves := range map[string]map[string]string{
		"to a removed stage":      {"qualification": "qualification"},
		"to a closed stage":       {"qualification": "won"},
		"to no stage":             {"qualification": "demo"},
		"from a stage that stays": {"qualification": "proposal", "prospecting": "proposal"},
		"from no stage":           {"qualification": "proposal", "demo": "proposal"},
	} {
		_, err = d.Deals.UpdatePipeline(ctx, d.Admin.ID, crm.PipelinePatch{Pipeline: d.pipeline.ID, Stages: stagesWithout("qualification"), MoveDeals: moves})
		require.ErrorIs(t, err, crm.ErrInvalid, name)
		d.unchanged(b, head, name)
	}

	// A rep may not change the pipeline, moves or not.
	_, err = d.Deals.UpdatePipeline(ctx, d.Ann.ID, crm.PipelinePatch{Pipeline: d.pipeline.ID, Stages: stagesWithout("qualification"),
		MoveDeals: map[string]string{"qualification": "proposal"}})
	require.ErrorIs(t, err, crm.ErrForbidden)
	d.unchanged(b, head, "a rep's change")

	// Moved in the same command: b is in proposal, with a visit and an event.
	d.Clock.Advance(time.Hour)
	p, err := d.Deals.UpdatePipeline(ctx, d.Admin.ID, crm.PipelinePatch{Pipeline: d.pipeline.ID, Stages: stagesWithout("qualification"),
		MoveDeals: map[string]string{"qualification": "proposal"}})
	require.NoError(t, err)
	assert.Equal(t, pipelineBefore.Version+1, p.Version)
	_, ok := p.Stage("qualification")
	assert.False(t, ok)
	moved := d.get(b.ID)
	assert.Equal(t, "proposal", moved.Stage)
	assert.Equal(t, 50, moved.Probability, "the new stage's probability")
	assert.Equal(t, b.Version+1, moved.Version)
	require.Len(t, moved.History, 3)
	assert.Equal(t, crm.StageVisit{Stage: "qualification", Entered: b.History[1].Entered, Left: d.Clock.Now()}, moved.History[1])
	assert.Equal(t, crm.StageVisit{Stage: "proposal", Entered: d.Clock.Now()}, moved.History[2])
	evs, notes := d.dealEvents(b.ID)
	assert.Equal(t, []crm.EventType{crm.DealOpened, crm.DealStageMoved, crm.DealStageMoved}, evs)
	assert.Contains(t, notes[2], "qualification removed")
	assert.Equal(t, a, d.get(a.ID), "a deal in another stage is untouched")

	// Nothing vanished: the funnel, the forecast and rotting count b.
	stages, total := d.funnel()
	assert.Equal(t, int64(2), total)
	assert.Equal(t, int64(1), stages["proposal"])
	assert.Equal(t, "1 10000.00 USD", d.forecast()["2026-03 "+string(crm.ForecastBestCase)])
	d.Clock.Advance(15 * 24 * time.Hour)
	rotting, err := d.Deals.Rotting(ctx, d.Admin.ID, crm.DealFilter{Pipeline: d.pipeline.ID, Stage: "proposal"})
	require.NoError(t, err)
	require.Len(t, rotting, 1, "the moved deal rots in its new stage")
	assert.Equal(t, b.ID, rotting[0].Deal.ID)

	// A stage without open deals goes without moves; so does one whose
	// deals all closed.
	_, err = d.Deals.Lose(ctx, d.Ann.ID, crm.LoseDealRequest{Deal: b.ID, Reason: crm.LostPricing})
	require.NoError(t, err)
	_, err = d.Deals.UpdatePipeline(ctx, d.Admin.ID, crm.PipelinePatch{Pipeline: d.pipeline.ID, Stages: stagesWithout("qualification", "proposal")})
	require.NoError(t, err)
	_, err = d.Events.Verify(ctx)
	require.NoError(t, err)
}

// runStageRemovalRace opens and moves deals into a stage while another
// writer removes it: whichever commits first, no open deal is left in a
// stage the pipeline does not have. On PostgreSQL at READ COMMITTED this
// needs the pipeline's row lock.
func runStageRemovalRace(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	d := newDealDesk(t, newStore)
	const rounds, writers = 8, 6
	removed := 0
	for round := range rounds {
		p, err := d.Deals.CreatePipeline(ctx, d.Admin.ID, crm.NewPipeline{Name: fmt.Sprintf("Round %d", round), Currency: d.usd})
		require.NoError(t, err)
		d.pipeline = p
		waiting := make([]crm.Deal, writers/2)
		for i := range waiting {
			waiting[i] = d.open(fmt.Sprintf("waiting %d", i), "qualification", day(2026, 4, 30))
		}
		var wg sync.WaitGroup
		errs := make(chan error, writers+1)
		start := make(chan struct{})
		for i := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				time.Sleep(time.Duration(i*(round%3)) * time.Millisecond) // spread around the removal
				var err error
				if i%2 == 0 {
					_, err = d.Deals.Move(ctx, d.Ann.ID, crm.MoveDealRequest{Deal: waiting[i/2].ID, Stage: "proposal"})
				} else {
					amount, _ := crm.ParseMoney("500.00", "USD")
					_, err = d.Deals.Open(ctx, d.Ann.ID, crm.NewDeal{Pipeline: p.ID, Customer: d.customer.ID, Title: fmt.Sprintf("racing %d", i),
						Amount: amount, CloseDate: day(2026, 4, 30), Stage: "proposal"})
				}
				if err != nil && !errors.Is(err, crm.ErrInvalid) && !errors.Is(err, crm.ErrInvalidTransition) {
					errs <- fmt.Errorf("writer %d: %w", i, err) // refused once proposal is gone; nothing else
				}
			}()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			time.Sleep(time.Duration(round%4) * time.Millisecond)
			_, err := d.Deals.UpdatePipeline(ctx, d.Admin.ID, crm.PipelinePatch{Pipeline: p.ID, Stages: stagesWithout("proposal")})
			var inUse *crm.StageInUseError
			switch {
			case err == nil:
				errs <- nil
			case !errors.As(err, &inUse):
				errs <- fmt.Errorf("removing the stage: %w", err)
			}
		}()
		close(start)
		wg.Wait()
		close(errs)
		gone := false
		for err := range errs {
			if err == nil {
				gone = true
				continue
			}
			t.Error(err)
		}
		if !gone {
			continue
		}
		removed++
		left := read(t, d.Store, func(tx crm.ReadTx) ([]crm.Deal, error) {
			return tx.Deals().List(ctx, crm.DealFilter{Pipeline: p.ID, Stage: "proposal", Status: crm.DealOpen}, crm.PageRequest{Limit: crm.MaxPageSize})
		})
		assert.Empty(t, left, "round %d: the stage is gone, and so are its open deals", round)
		_, total := d.funnel()
		all := read(t, d.Store, func(tx crm.ReadTx) ([]crm.Deal, error) {
			return tx.Deals().List(ctx, crm.DealFilter{Pipeline: p.ID, Status: crm.DealOpen}, crm.PageRequest{Limit: crm.MaxPageSize})
		})
		assert.Equal(t, int64(len(all)), total, "round %d: every open deal is in the funnel", round)
	}
	t.Logf("the stage was removed in %d of %d rounds", removed, rounds)
	_, err := d.Events.Verify(ctx)
	require.NoError(t, err)
}

func runBackDatedWin(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	d := newDealDesk(t, newStore) // the clock is at 2 March 2026, 09:00 UTC
	march := d.open("March win", "", day(2026, 3, 25))
	april := d.open("April win", "", day(2026, 4, 10))
	d.Clock.Set(time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC))
	head := d.head()
	for name, on := range map[string]crm.Date{
		"tomorrow":            day(2026, 4, 2),
		"before it was made":  day(2026, 3, 1),
		"not a calendar date": {Year: 2026, Month: 2, Day: 30},
	} {
		_, err := d.Deals.Win(ctx, d.Ann.ID, crm.WinDealRequest{Deal: march.ID, WonOn: on})
		require.ErrorIs(t, err, crm.ErrInvalid, name)
		d.unchanged(march, head, name)
	}

	won, err := d.Deals.Win(ctx, d.Ann.ID, crm.WinDealRequest{Deal: march.ID, WonOn: day(2026, 3, 31)})
	require.NoError(t, err)
	assert.Equal(t, crm.DealWon, won.Status)
	assert.Equal(t, day(2026, 3, 31), won.CloseDate, "the day it was won")
	assert.Equal(t, d.Clock.Now(), won.ClosedAt, "the moment it was recorded")
	assert.Equal(t, won, d.get(march.ID))
	evidence := read(t, d.Store, func(tx crm.ReadTx) ([]crm.Evidence, error) {
		return tx.Ladder().EvidenceFrom(ctx, d.customer.ID, crm.KindDeal, march.ID)
	})
	require.Len(t, evidence, 1, "the win is a purchase on the customer's ladder")
	assert.Equal(t, time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC), evidence[0].At, "on the day it was won")
	today, err := d.Deals.Win(ctx, d.Ann.ID, crm.WinDealRequest{Deal: april.ID})
	require.NoError(t, err)
	assert.Equal(t, day(2026, 4, 1), today.CloseDate, "no WonOn: today")

	f := d.forecast()
	assert.Equal(t, "1 10000.00 USD", f["2026-03 "+string(crm.ForecastClosed)], "the March win counts in March")
	assert.Equal(t, "1 10000.00 USD", f["2026-04 "+string(crm.ForecastClosed)])
}

func runCorrectClose(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	d := newDealDesk(t, newStore)
	deal := d.open("Entered late", "", day(2026, 3, 25))
	d.Clock.Set(time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC))
	deal, err := d.Deals.Win(ctx, d.Ann.ID, crm.WinDealRequest{Deal: deal.ID})
	require.NoError(t, err)
	assert.Equal(t, day(2026, 4, 1), deal.CloseDate)
	open := d.open("Still open", "", day(2026, 5, 1))
	head := d.head()
	fixed := crm.CorrectCloseRequest{Deal: deal.ID, CloseDate: day(2026, 3, 30), Reason: "signed on 30 March, entered late"}

	// The rep whose deal it is may not; nor may a manager of another team.
	_, err = d.Deals.CorrectClose(ctx, d.Ann.ID, fixed)
	var forbidden *crm.ForbiddenError
	require.ErrorAs(t, err, &forbidden)
	assert.Equal(t, crm.ActionCorrect, forbidden.Action)
	d.unchanged(deal, head, "the rep's correction")
	south, err := d.Users.Create(ctx, d.Admin.ID, crm.NewUser{Name: "Sam South", Role: crm.RoleManager, Team: "south"})
	require.NoError(t, err)
	head = d.head()
	_, err = d.Deals.CorrectClose(ctx, south.ID, fixed)
	require.ErrorIs(t, err, crm.ErrNotFound, "another team's deal is hidden from the manager")
	d.unchanged(deal, head, "another team's manager")

	// Bad input changes nothing.
	ten := usdOf(t, "10.00")
	for name, tc := range map[string]struct {
		r  crm.CorrectCloseRequest
		is error
	}{
		"no reason":        {crm.CorrectCloseRequest{Deal: deal.ID, CloseDate: fixed.CloseDate}, crm.ErrInvalid},
		"nothing to fix":   {crm.CorrectCloseRequest{Deal: deal.ID, Reason: "x"}, crm.ErrInvalid},
		"in the future":    {crm.CorrectCloseRequest{Deal: deal.ID, CloseDate: day(2026, 4, 2), Reason: "x"}, crm.ErrInvalid},
		"before creation":  {crm.CorrectCloseRequest{Deal: deal.ID, CloseDate: day(2026, 3, 1), Reason: "x"}, crm.ErrInvalid},
		"a zero amount":    {crm.CorrectCloseRequest{Deal: deal.ID, Amount: ptr(usdOf(t, "0.00")), Reason: "x"}, crm.ErrInvalid},
		"another currency": {crm.CorrectCloseRequest{Deal: deal.ID, Amount: ptr(crm.MoneyFromMinor(1000, currencyOf("EUR"))), Reason: "x"}, crm.ErrCurrencyMismatch},
		"a stale version":  {crm.CorrectCloseRequest{Deal: deal.ID, Amount: &ten, Reason: "x", IfVersion: deal.Version - 1}, crm.ErrConflict},
		"an open deal":     {crm.CorrectCloseRequest{Deal: open.ID, CloseDate: fixed.CloseDate, Reason: "x"}, crm.ErrInvalidTransition},
	} {
		_, err := d.Deals.CorrectClose(ctx, d.Manager.ID, tc.r)
		require.ErrorIs(t, err, tc.is, name)
		d.unchanged(deal, head, name)
		d.unchanged(open, head, name)
	}
	_, err = d.Deals.CorrectClose(ctx, d.Manager.ID, crm.CorrectCloseRequest{Deal: open.ID, CloseDate: fixed.CloseDate, Reason: "x"})
	var te *crm.TransitionError
	require.ErrorAs(t, err, &te)

	// The team's manager corrects the date: the win moves to March.
	assert.Equal(t, "1 10000.00 USD", d.forecast()["2026-04 "+string(crm.ForecastClosed)])
	fixed.IfVersion = deal.Version
	got, err := d.Deals.CorrectClose(ctx, d.Manager.ID, fixed)
	require.NoError(t, err)
	assert.Equal(t, day(2026, 3, 30), got.CloseDate)
	assert.Equal(t, deal.Version+1, got.Version)
	assert.Equal(t, crm.DealWon, got.Status)
	assert.Equal(t, got, d.get(deal.ID))
	f := d.forecast()
	assert.Equal(t, "1 10000.00 USD", f["2026-03 "+string(crm.ForecastClosed)], "counted in March")
	assert.NotContains(t, f, "2026-04 "+string(crm.ForecastClosed), "and no longer in April")
	evs, notes := d.dealEvents(deal.ID)
	assert.Equal(t, crm.DealCloseCorrected, evs[len(evs)-1])
	assert.Equal(t, fixed.Reason, notes[len(notes)-1], "the event keeps the reason")

	// The admin corrects the amount signed.
	got, err = d.Deals.CorrectClose(ctx, d.Admin.ID, crm.CorrectCloseRequest{Deal: deal.ID, Amount: ptr(usdOf(t, "9500.00")), Reason: "discount"})
	require.NoError(t, err)
	assert.Equal(t, "9500.00 USD", got.Amount.String())
	assert.Equal(t, day(2026, 3, 30), got.CloseDate)
	assert.Equal(t, "1 9500.00 USD", d.forecast()["2026-03 "+string(crm.ForecastClosed)])

	// A lost deal's loss date too.
	lost := d.open("Lost late", "", day(2026, 5, 1))
	lost, err = d.Deals.Lose(ctx, d.Ann.ID, crm.LoseDealRequest{Deal: lost.ID, Reason: crm.LostBudget})
	require.NoError(t, err)
	got, err = d.Deals.CorrectClose(ctx, d.Manager.ID, crm.CorrectCloseRequest{Deal: lost.ID, CloseDate: day(2026, 4, 1), Reason: "lost on the call of 1 April"})
	require.NoError(t, err)
	assert.Equal(t, day(2026, 4, 1), got.CloseDate)
	assert.Equal(t, crm.DealLost, got.Status)
	_, err = d.Events.Verify(ctx)
	require.NoError(t, err)
}

func runReopenResets(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	d := newDealDesk(t, newStore)
	deal := d.open("Comes back", "qualification", day(2026, 3, 31))
	deal, err := d.Deals.SetProbability(ctx, d.Ann.ID, crm.SetProbabilityRequest{Deal: deal.ID, Probability: ptr(90)})
	require.NoError(t, err)
	_, err = d.Deals.Lose(ctx, d.Ann.ID, crm.LoseDealRequest{Deal: deal.ID, Reason: crm.LostBudget})
	require.NoError(t, err)
	d.Clock.Advance(90 * 24 * time.Hour) // 31 May

	// Reopened 90 days later: no stale close date, the stage's probability.
	got, err := d.Deals.Reopen(ctx, d.Manager.ID, crm.ReopenDealRequest{Deal: deal.ID, Reason: "budget found"})
	require.NoError(t, err)
	assert.Equal(t, crm.DealOpen, got.Status)
	assert.Equal(t, "qualification", got.Stage)
	assert.True(t, got.CloseDate.IsZero(), "the close date was %s", got.CloseDate)
	assert.Equal(t, 20, got.Probability)
	assert.Nil(t, got.ManualProbability)
	assert.Equal(t, got, d.get(deal.ID))

	// Or with the close date and probability the request gives.
	_, err = d.Deals.Lose(ctx, d.Ann.ID, crm.LoseDealRequest{Deal: deal.ID, Reason: crm.LostBudget})
	require.NoError(t, err)
	lost := d.get(deal.ID)
	head := d.head()
	for name, r := range map[string]crm.ReopenDealRequest{
		"a close date in the past": {Deal: deal.ID, CloseDate: day(2026, 5, 30)},
		"a probability of 120":     {Deal: deal.ID, Probability: ptr(120)},
	} {
		_, err := d.Deals.Reopen(ctx, d.Manager.ID, r)
		require.ErrorIs(t, err, crm.ErrInvalid, name)
		d.unchanged(lost, head, name)
	}
	got, err = d.Deals.Reopen(ctx, d.Manager.ID, crm.ReopenDealRequest{Deal: deal.ID, CloseDate: day(2026, 6, 30), Probability: ptr(40)})
	require.NoError(t, err)
	assert.Equal(t, day(2026, 6, 30), got.CloseDate)
	assert.Equal(t, 40, got.Probability)
	require.NotNil(t, got.ManualProbability)
	assert.Equal(t, 40, *got.ManualProbability)
	assert.Equal(t, got, d.get(deal.ID))

	// A stage change, back as well as forward, resets a hand-set probability.
	got, err = d.Deals.Move(ctx, d.Ann.ID, crm.MoveDealRequest{Deal: deal.ID, Stage: "prospecting"})
	require.NoError(t, err)
	assert.Equal(t, 10, got.Probability)
	assert.Nil(t, got.ManualProbability)
	_, err = d.Deals.SetProbability(ctx, d.Ann.ID, crm.SetProbabilityRequest{Deal: deal.ID, Probability: ptr(70)})
	require.NoError(t, err)
	got, err = d.Deals.Move(ctx, d.Ann.ID, crm.MoveDealRequest{Deal: deal.ID, Stage: "qualification"})
	require.NoError(t, err)
	assert.Equal(t, 20, got.Probability)
	assert.Nil(t, got.ManualProbability)
	assert.Equal(t, got, d.get(deal.ID))
}

func runClosedDealsRefuse(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	d := newDealDesk(t, newStore)
	lost := d.open("Lost", "", day(2026, 3, 31))
	lost, err := d.Deals.Lose(ctx, d.Ann.ID, crm.LoseDealRequest{Deal: lost.ID, Reason: crm.LostPricing})
	require.NoError(t, err)
	won := d.open("Won", "", day(2026, 3, 31))
	won, err = d.Deals.Win(ctx, d.Ann.ID, crm.WinDealRequest{Deal: won.ID})
	require.NoError(t, err)
	head := d.head()
	for _, deal := range []crm.Deal{lost, won} {
		for name, run := range map[string]func() error{
			"set a probability": func() error {
				_, err := d.Deals.SetProbability(ctx, d.Ann.ID, crm.SetProbabilityRequest{Deal: deal.ID, Probability: ptr(90)})
				return err
			},
			"clear the probability": func() error {
				_, err := d.Deals.SetProbability(ctx, d.Ann.ID, crm.SetProbabilityRequest{Deal: deal.ID})
				return err
			},
			"update": func() error {
				_, err := d.Deals.Update(ctx, d.Ann.ID, crm.DealPatch{Deal: deal.ID, CloseDate: ptr(day(2026, 3, 1)), Title: ptr("renamed")})
				return err
			},
			"move": func() error {
				_, err := d.Deals.Move(ctx, d.Ann.ID, crm.MoveDealRequest{Deal: deal.ID, Stage: "qualification"})
				return err
			},
		} {
			var te *crm.TransitionError
			require.ErrorAs(t, run(), &te, "%s: %s", deal.Status, name)
			assert.Equal(t, string(deal.Status), te.From)
			d.unchanged(deal, head, string(deal.Status)+": "+name)
		}
	}
}

func runLostReasons(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	d := newDealDesk(t, newStore)
	got, err := d.Deals.Pipeline(ctx, d.Ann.ID, d.pipeline.ID)
	require.NoError(t, err)
	assert.Nil(t, got.LostReasons, "a pipeline that names none")
	assert.Equal(t, crm.DefaultLostReasons(), got.LostReasonOptions(), "offers the defaults")

	own := []crm.LostReasonOption{{Key: "price", Label: "Price too high"}, {Key: "timing", Label: "Bad timing"}, {Key: crm.LostOther, Label: "Other"}}
	for name, reasons := range map[string][]crm.LostReasonOption{
		"a key twice":   {{Key: "price", Label: "A"}, {Key: "price", Label: "B"}},
		"no label":      {{Key: "price"}},
		"a bad key":     {{Key: "too expensive", Label: "A"}},
		"an empty key":  {{Label: "A"}},
		"a long label":  {{Key: "price", Label: string(make([]byte, 1000))}},
		"a control key": {{Key: "price\n", Label: "A"}},
	} {
		_, err := d.Deals.CreatePipeline(ctx, d.Admin.ID, crm.NewPipeline{Name: "Renewals", Currency: d.usd, LostReasons: reasons})
		require.ErrorIs(t, err, crm.ErrInvalid, name)
		_, err = d.Deals.UpdatePipeline(ctx, d.Admin.ID, crm.PipelinePatch{Pipeline: d.pipeline.ID, LostReasons: reasons})
		require.ErrorIs(t, err, crm.ErrInvalid, name)
	}
	renewals, err := d.Deals.CreatePipeline(ctx, d.Admin.ID, crm.NewPipeline{Name: "Renewals", Currency: d.usd, LostReasons: own})
	require.NoError(t, err)
	assert.Equal(t, own, renewals.LostReasons)
	got, err = d.Deals.Pipeline(ctx, d.Ann.ID, renewals.ID)
	require.NoError(t, err)
	assert.Equal(t, renewals, got, "stored as created")

	d.pipeline = renewals
	deal := d.open("Renewal", "", day(2026, 3, 31))
	_, err = d.Deals.Lose(ctx, d.Ann.ID, crm.LoseDealRequest{Deal: deal.ID, Reason: crm.LostPricing})
	require.ErrorIs(t, err, crm.ErrInvalid, "a default reason this pipeline does not offer")
	lost, err := d.Deals.Lose(ctx, d.Ann.ID, crm.LoseDealRequest{Deal: deal.ID, Reason: "timing"})
	require.NoError(t, err)
	assert.Equal(t, crm.LostReason("timing"), lost.LostReason)

	// Edited through a patch; the deals lost already keep their reason.
	edited := []crm.LostReasonOption{{Key: "price", Label: "Price"}, {Key: "no_budget", Label: "No budget"}}
	p, err := d.Deals.UpdatePipeline(ctx, d.Admin.ID, crm.PipelinePatch{Pipeline: renewals.ID, LostReasons: edited})
	require.NoError(t, err)
	assert.Equal(t, edited, p.LostReasons)
	assert.Equal(t, renewals.Version+1, p.Version)
	got, err = d.Deals.Pipeline(ctx, d.Ann.ID, renewals.ID)
	require.NoError(t, err)
	assert.Equal(t, p, got)
	assert.Equal(t, crm.LostReason("timing"), d.get(deal.ID).LostReason)
	other := d.open("Other renewal", "", day(2026, 3, 31))
	_, err = d.Deals.Lose(ctx, d.Ann.ID, crm.LoseDealRequest{Deal: other.ID, Reason: "timing"})
	require.ErrorIs(t, err, crm.ErrInvalid, "no longer offered")
	_, err = d.Deals.Lose(ctx, d.Ann.ID, crm.LoseDealRequest{Deal: other.ID, Reason: "no_budget"})
	require.NoError(t, err)

	// An empty list goes back to the defaults.
	p, err = d.Deals.UpdatePipeline(ctx, d.Admin.ID, crm.PipelinePatch{Pipeline: renewals.ID, LostReasons: []crm.LostReasonOption{}})
	require.NoError(t, err)
	assert.Nil(t, p.LostReasons)
	got, err = d.Deals.Pipeline(ctx, d.Ann.ID, renewals.ID)
	require.NoError(t, err)
	assert.Equal(t, p, got)
}
