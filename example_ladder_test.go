package crm_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/memory"
)

// A customer's walk up and down the loyalty ladder, one piece of evidence
// at a time: every move says which evidence caused it and why.
func ExampleLadderRules_Apply() {
	rules := crm.DefaultLadderRules()
	day := func(n int) time.Time { return time.Date(2026, 3, n, 10, 0, 0, 0, time.UTC) }
	nps := func(v int) *int { return &v }
	evidence := []crm.Evidence{
		// A good first contact at the web application.
		{Kind: crm.EvidenceExperience, At: day(2), Touchpoint: "web.apply", Sentiment: crm.VeryPositive, Resolved: true},
		// Four transfers and no answer at the hotline, a touchpoint that weighs 150%.
		{Kind: crm.EvidenceComplaint, At: day(3), Touchpoint: "hotline"},
		{Kind: crm.EvidenceExperience, At: day(3), Touchpoint: "hotline", Weight: 150, Sentiment: crm.VeryNegative,
			Transfers: 4, Breached: true},
		// The complaint resolved well within the standard: service recovery
		// earns 25 points back, not the rung; a purchase later does.
		{Kind: crm.EvidenceResolution, At: day(4), Touchpoint: "hotline", Resolution: 20 * time.Hour, WithinStandard: true,
			Survey: crm.Survey{CSAT: nps(5)}},
		// Purchases and a referral earn points; loyal needs 40 points and two
		// purchases, advocate 60 and a referral or a promoter answer lately.
		{Kind: crm.EvidencePurchase, At: day(10), Note: "savings plan"},
		{Kind: crm.EvidencePurchase, At: day(20), Note: "travel insurance"},
		{Kind: crm.EvidenceReferral, At: day(25), Note: "brought a friend"},
	}
	var st crm.LadderState
	for _, ev := range evidence {
		var moves []crm.LadderMove
		var err error
		if st, moves, err = rules.Apply(st, ev); err != nil {
			fmt.Println(err)
			return
		}
		for _, m := range moves {
			fmt.Printf("Mar %02d  %-11s -> %-11s %s\n", m.At.Day(), m.From, m.To, m.Reason)
		}
	}
	fmt.Println("now:", st.Stage, "with", st.Points(), "points")

	// Scores have their scales: an NPS of 11 is refused, and nothing moves.
	_, _, err := rules.Apply(st, crm.Evidence{Kind: crm.EvidenceExperience, At: day(26), Survey: crm.Survey{NPS: nps(11)}})
	fmt.Println(errors.Is(err, crm.ErrInvalid))
	// Output:
	// Mar 02  indifferent -> satisfied   experience at web.apply: sentiment 2 +16, resolved +4
	// Mar 03  satisfied   -> indifferent complaint at hotline: complaint -10
	// Mar 03  indifferent -> annoyed     experience at hotline: sentiment -2 -16, 4 transfers -18, service standard missed -5 (weight 150%)
	// Mar 10  annoyed     -> indifferent purchase: purchase +8 - savings plan
	// now: indifferent with 10 points
	// true
}

// The same evidence in the same order always gives the same ladder: a
// customer's ladder can be rebuilt from their evidence, under today's
// rules or under new ones.
func ExampleLadderRules_Replay() {
	day := func(n int) time.Time { return time.Date(2026, 3, n, 10, 0, 0, 0, time.UTC) }
	evidence := []crm.Evidence{
		{Kind: crm.EvidenceExperience, At: day(1), Sentiment: crm.Positive, Resolved: true},
		{Kind: crm.EvidencePurchase, At: day(2), Note: "order 1041"},
		{Kind: crm.EvidenceExperience, At: day(3), Sentiment: crm.VeryPositive, Resolved: true},
	}
	first, moves, _ := crm.DefaultLadderRules().Replay(day(1), evidence)
	again, _, _ := crm.DefaultLadderRules().Replay(day(1), evidence)
	fmt.Println(first == again, first.Stage, len(moves), "move")

	// Under stricter rules (satisfied only from 40 points) the same
	// customer is still indifferent.
	strict := crm.DefaultLadderRules()
	strict.SatisfiedAt, strict.LoyalAt, strict.AdvocateAt = 40, 60, 80
	st, _, _ := strict.Replay(day(1), evidence)
	fmt.Println(st.Stage)

	// A broken promise drops a customer to annoyed at once.
	st, moves, _ = crm.DefaultLadderRules().Replay(day(1), append(evidence,
		crm.Evidence{Kind: crm.EvidenceBrokenPromise, At: day(4), Note: "the delivery promised for Monday came on Friday"}))
	fmt.Println(st.Stage, "-", moves[len(moves)-1].Reason)
	// Output:
	// true satisfied 1 move
	// indifferent
	// annoyed - broken_promise: broken promise -30 - the delivery promised for Monday came on Friday
}

// The ladder itself is an explicit transition table, with who moves a
// customer, when and why, exportable as Mermaid and DOT.
func ExampleLoyaltyLadder() {
	m := crm.LoyaltyLadder()
	fmt.Println(m.Initial())
	for _, tr := range m.Table()[:3] {
		fmt.Printf("%s --%s--> %s: %s\n", tr.From, tr.Event, tr.To, tr.When)
	}
	fmt.Println(m.Can(crm.Lost, crm.Rise))
	// Output:
	// indifferent
	// annoyed --rise--> indifferent: the score reaches the indifferent threshold and its requirements hold
	// indifferent --slide--> annoyed: the score drops below the indifferent threshold by more than the hysteresis, or a requirement stops holding
	// indifferent --rise--> satisfied: the score reaches the satisfied threshold and its requirements hold
	// false
}

// Through the CRM, evidence from outside systems (an order, a referral
// naming the customer it brought) moves customers with an event per move; the distribution on the ladder
// can be read at any date, and the movers of a period with their reasons.
func ExampleLadderService_Movers() {
	ctx := context.Background()
	clock := crm.NewManualClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	c, _ := crm.New(memory.New(), crm.WithClock(clock))
	admin, _ := c.Users.Bootstrap(ctx, crm.NewUser{Name: "Ada"})
	rep, _ := c.Users.Create(ctx, admin.ID, crm.NewUser{Name: "Ann", Role: crm.RoleRep, Team: "north"})
	omar, _ := c.Customers.Create(ctx, rep.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: "Omar"})
	jane, _ := c.Customers.Create(ctx, rep.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: "Jane"})
	names := map[crm.ID]string{omar.ID: "Omar", jane.ID: "Jane"}

	before := clock.Now()
	clock.Advance(24 * time.Hour)
	lina, _ := c.Customers.Create(ctx, rep.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: "Lina"})
	for _, ev := range []crm.NewEvidence{
		{Customer: omar.ID, Kind: crm.EvidenceReferral, Referred: lina.ID, Note: "brought his sister"},
		{Customer: jane.ID, Kind: crm.EvidenceBrokenPromise, Note: "the call-back never came"},
	} {
		if _, err := c.Ladder.RecordEvidence(ctx, rep.ID, ev); err != nil {
			fmt.Println(err)
			return
		}
	}
	for m, err := range c.Ladder.Movers(ctx, admin.ID, crm.MoversQuery{From: before, To: clock.Now().Add(time.Second)}) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%s: %s -> %s (%s)\n", names[m.Customer], m.From, m.To, m.Reason)
	}
	for _, at := range []time.Time{before, clock.Now()} {
		dist, _ := c.Ladder.Distribution(ctx, admin.ID, crm.DistributionQuery{At: at})
		fmt.Println(at.Format("Jan 2"), dist)
	}
	// Output:
	// Omar: indifferent -> satisfied (referral: referral +15 - brought his sister)
	// Jane: indifferent -> annoyed (broken_promise: broken promise -30 - the call-back never came)
	// Mar 2 [{annoyed 0} {indifferent 2} {satisfied 0} {loyal 0} {advocate 0} {lost 0}]
	// Mar 3 [{annoyed 1} {indifferent 1} {satisfied 1} {loyal 0} {advocate 0} {lost 0}]
}

// A move references the evidence that caused it by its ID; the
// customer's evidence, with everything it says, is read apart.
func ExampleLadderService_Evidence() {
	ctx := context.Background()
	clock := crm.NewManualClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	c, _ := crm.New(memory.New(), crm.WithClock(clock))
	admin, _ := c.Users.Bootstrap(ctx, crm.NewUser{Name: "Ada"})
	omar, _ := c.Customers.Create(ctx, admin.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: "Omar"})
	for _, note := range []string{"savings plan", "travel insurance"} {
		clock.Advance(time.Hour)
		if _, err := c.Ladder.RecordEvidence(ctx, admin.ID, crm.NewEvidence{Customer: omar.ID, Kind: crm.EvidencePurchase, Note: note}); err != nil {
			fmt.Println(err)
			return
		}
	}
	moves, _ := c.Ladder.History(ctx, admin.ID, omar.ID)
	evidence, _ := c.Ladder.Evidence(ctx, admin.ID, omar.ID)
	byID := map[crm.ID]crm.Evidence{}
	for _, ev := range evidence {
		byID[ev.ID] = ev
	}
	for _, m := range moves {
		ev := byID[m.Evidence.ID]
		fmt.Println(m.From, "->", m.To, "on", m.Evidence.Kind, "at", ev.At.Format("15:04"), "noted", ev.Note)
	}
	// Output:
	// indifferent -> satisfied on purchase at 11:00 noted travel insurance
}
