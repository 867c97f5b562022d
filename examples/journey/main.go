// Journey walks customers of a retail bank through its touchpoints and
// shows what crmkit sees: every move on the loyalty ladder with its
// reason, the touchpoints that hurt, the moments of truth, and the journey
// map as a Mermaid diagram.
//
// Jane is transferred four times and left without an answer; a quick
// resolution earns part of it back, not the rung, and a good contact
// after it wins her back to indifferent; Omar rises to advocate; a hundred
// other customers walk the card journey with what the bank's touchpoints
// give them, and it is their contacts that the pain points, the moments
// of truth and the journey map are made of.
//
//	go run ./examples/journey [-db file.db] [-mermaid journey.mmd]
package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/examples/internal/tempdb"
	"github.com/crmkit/crm/store/sqlite"
)

func main() {
	dbPath := flag.String("db", "", "SQLite file (default: a new file in a temporary directory)")
	mermaidPath := flag.String("mermaid", "", "where to write the journey map as Mermaid (default: printed only)")
	flag.Parse()
	if err := run(context.Background(), *dbPath, *mermaidPath); err != nil {
		fmt.Fprintln(os.Stderr, "journey:", err)
		os.Exit(1)
	}
}

// day is the simulation's unit of time.
const day = 24 * time.Hour

// crowdSize is how many customers walk the card journey besides Jane and
// Omar: enough for every touchpoint to reach the contacts that moments of
// truth are judged on (crm.DefaultMomentsMinContacts); the card hotline,
// which four in ten of them call, gets about thirty.
const crowdSize = 100

type sim struct {
	ctx   context.Context
	crm   *crm.CRM
	clock *crm.ManualClock
	bank  crm.TouchpointMap
	staff crm.User
	admin crm.User
}

func run(ctx context.Context, path, mermaidPath string) error {
	path, remove, err := tempdb.Path(path, "bank.db")
	if err != nil {
		return err
	}
	defer remove()
	store, err := sqlite.Open(ctx, path)
	if err != nil {
		return err
	}
	defer store.Close()
	clock := crm.NewManualClock(time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC))
	c, err := crm.New(store, crm.WithClock(clock))
	if err != nil {
		return err
	}
	s := &sim{ctx: ctx, crm: c, clock: clock}
	if err := s.setUp(); err != nil {
		return err
	}
	fmt.Printf("A retail bank on crmkit (SQLite: %s)\n\n", path)

	jane, err := s.customer("Jane Doe")
	if err != nil {
		return err
	}
	omar, err := s.customer("Omar Haddad")
	if err != nil {
		return err
	}
	if err := s.crowd(crowdSize); err != nil {
		return err
	}
	if err := s.janesStory(jane); err != nil {
		return err
	}
	if err := s.omarsStory(omar); err != nil {
		return err
	}
	for _, cu := range []crm.Customer{jane, omar} {
		if err := s.printLadder(cu); err != nil {
			return err
		}
	}
	return s.printInsights(mermaidPath)
}

func (s *sim) setUp() error {
	var err error
	if s.admin, err = s.crm.Users.Bootstrap(s.ctx, crm.NewUser{Name: "Ada Admin"}); err != nil {
		return err
	}
	if s.staff, err = s.crm.Users.Create(s.ctx, s.admin.ID, crm.NewUser{Name: "Sam Agent", Role: crm.RoleRep, Team: "service"}); err != nil {
		return err
	}
	s.bank, err = s.crm.Experience.CreateTouchpointMap(s.ctx, s.admin.ID, crm.NewTouchpointMap{Name: "Retail bank", Touchpoints: []crm.Touchpoint{
		{Key: "web", Name: "Website", Channel: crm.ChannelWeb, Medium: crm.MediumWeb, Phase: crm.PhaseOrdering, Department: "digital"},
		{Key: "web.apply", Name: "Card application", Parent: "web"},
		{Key: "branch", Name: "Branch", Channel: crm.ChannelBranch, Medium: crm.MediumInPerson, Phase: crm.PhaseFulfillment, Department: "branches"},
		{Key: "branch.pickup", Name: "Card pickup", Parent: "branch"},
		{Key: "app", Name: "Mobile app", Channel: crm.ChannelMobileApp, Medium: crm.MediumWeb, Phase: crm.PhaseSupport, Department: "digital"},
		{Key: "app.activate", Name: "Card activation", Parent: "app"},
		{Key: "hotline", Name: "Hotline", Channel: crm.ChannelContactCenter, Medium: crm.MediumPhone, Phase: crm.PhaseSupport,
			Department: "contact center", Standards: crm.ServiceStandards{AnswerWithin: 30 * time.Second, ResolveWithin: 48 * time.Hour, MinCSAT: 4}},
		{Key: "hotline.cards", Name: "Card hotline", Parent: "hotline", Weight: 150},
		{Key: "hotline.billing", Name: "Billing line", Parent: "hotline", Phase: crm.PhaseBilling, Department: "billing"},
	}})
	if err != nil {
		return err
	}
	_, err = s.crm.Experience.CreateJourneyTemplate(s.ctx, s.admin.ID, crm.NewJourneyTemplate{
		Name: "Get a credit card", Map: s.bank.ID, Steps: []string{"web.apply", "branch.pickup", "hotline.cards", "app.activate"},
	})
	return err
}

func (s *sim) customer(name string) (crm.Customer, error) {
	return s.crm.Customers.Create(s.ctx, s.admin.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: name})
}

func (s *sim) contact(cu crm.Customer, key string, n crm.NewInteraction) ([]crm.LadderMove, error) {
	n.Customer, n.Map, n.Touchpoint, n.At = cu.ID, s.bank.ID, key, s.clock.Now()
	if n.Direction == "" {
		n.Direction = crm.Inbound
	}
	r, err := s.crm.Experience.RecordInteraction(s.ctx, s.staff.ID, n)
	return r.Moves, err
}

// crowd walks customers through the card journey; each touchpoint gives
// them what it usually gives: the card hotline is slow and passes callers
// around, the app works.
func (s *sim) crowd(n int) error {
	rng := rand.New(rand.NewPCG(2026, 1))
	var batch []crm.NewInteraction
	for i := range n {
		cu, err := s.customer(fmt.Sprintf("Customer %02d", i+1))
		if err != nil {
			return err
		}
		at := s.clock.Now()
		add := func(key string, sentiment crm.Sentiment, wait time.Duration, transfers int, resolved bool, csat int) {
			in := crm.NewInteraction{Customer: cu.ID, Map: s.bank.ID, Touchpoint: key, At: at, Direction: crm.Inbound,
				Sentiment: sentiment, Wait: wait, Resolved: resolved, Survey: crm.Survey{CSAT: &csat}}
			for t := range transfers {
				in.Transfers = append(in.Transfers, crm.Transfer{From: fmt.Sprint("desk ", t), To: fmt.Sprint("desk ", t+1)})
			}
			batch = append(batch, in)
			at = at.Add(time.Duration(1+rng.IntN(3)) * day)
		}
		add("web.apply", crm.Sentiment(rng.IntN(3)), 0, 0, true, 4+rng.IntN(2))
		if rng.IntN(10) < 8 {
			add("branch.pickup", crm.Sentiment(rng.IntN(3)-1), time.Duration(rng.IntN(600))*time.Second, 0, true, 3+rng.IntN(3))
		}
		if rng.IntN(10) < 4 {
			add("hotline.cards", crm.Sentiment(-rng.IntN(3)), time.Duration(20+rng.IntN(400))*time.Second, rng.IntN(4), rng.IntN(2) == 0, 1+rng.IntN(3))
		}
		if rng.IntN(10) < 7 {
			add("app.activate", crm.Sentiment(rng.IntN(3)), 0, 0, true, 4+rng.IntN(2))
		}
	}
	s.clock.Advance(12 * day)
	_, err := s.crm.Experience.RecordInteractions(s.ctx, s.staff.ID, batch)
	return err
}

// janesStory: a customer passed around four times and left without an
// answer is annoyed; solving the problem well earns back part of it, and
// it takes a good experience after it to win her back.
func (s *sim) janesStory(jane crm.Customer) error {
	s.clock.Advance(day)
	if _, err := s.contact(jane, "web.apply", crm.NewInteraction{Sentiment: crm.VeryPositive, Resolved: true}); err != nil {
		return err
	}
	s.clock.Advance(2 * day)
	opened, err := s.crm.Cases.Open(s.ctx, s.staff.ID, crm.NewCase{Customer: jane.ID, Kind: crm.Complaint,
		Subject: "card blocked while abroad", Map: s.bank.ID, Touchpoint: "hotline.cards", PromisedBy: s.clock.Now().Add(2 * day)})
	if err != nil {
		return err
	}
	_, err = s.contact(jane, "hotline.cards", crm.NewInteraction{Case: opened.Case.ID, Sentiment: crm.VeryNegative, Wait: 9 * time.Minute,
		Transfers: []crm.Transfer{{From: "cards", To: "fraud"}, {From: "fraud", To: "legal"}, {From: "legal", To: "cards"}, {From: "cards", To: "branch"}}})
	if err != nil {
		return err
	}
	s.clock.Advance(20 * time.Hour)
	_, err = s.crm.Cases.Resolve(s.ctx, s.staff.ID, crm.ResolveCaseRequest{Case: opened.Case.ID, Note: "card unblocked, fee refunded, called back", CSAT: ptr(5)})
	if err != nil {
		return err
	}
	s.clock.Advance(3 * day)
	_, err = s.contact(jane, "app.activate", crm.NewInteraction{Sentiment: crm.Positive, Resolved: true})
	return err
}

// omarsStory: good experiences, repeat purchases and a referral: his
// sister becomes a customer, and the referral names her.
func (s *sim) omarsStory(omar crm.Customer) error {
	sister, err := s.customer("Lina Haddad")
	if err != nil {
		return err
	}
	for _, step := range []struct {
		key string
		nps int
	}{{"web.apply", 8}, {"branch.pickup", 8}, {"app.activate", 8}} {
		s.clock.Advance(day)
		if _, err := s.contact(omar, step.key, crm.NewInteraction{Sentiment: crm.VeryPositive, Resolved: true,
			Survey: crm.Survey{NPS: ptr(step.nps), CSAT: ptr(5)}}); err != nil {
			return err
		}
	}
	for _, ev := range []crm.NewEvidence{
		{Kind: crm.EvidencePurchase, Note: "travel insurance"},
		{Kind: crm.EvidencePurchase, Note: "savings plan"},
		{Kind: crm.EvidenceReferral, Referred: sister.ID, Note: "brought his sister"},
	} {
		s.clock.Advance(3 * day)
		ev.Customer = omar.ID
		if _, err := s.crm.Ladder.RecordEvidence(s.ctx, s.staff.ID, ev); err != nil {
			return err
		}
	}
	return nil
}

func (s *sim) printLadder(cu crm.Customer) error {
	moves, err := s.crm.Ladder.History(s.ctx, s.admin.ID, cu.ID)
	if err != nil {
		return err
	}
	fmt.Printf("%s on the loyalty ladder:\n", cu.Name)
	for i, m := range moves {
		reason := m.Reason
		if i > 0 && m.Evidence.ID == moves[i-1].Evidence.ID && !m.Evidence.ID.IsZero() {
			reason = "(the same contact: one step at a time)" // one piece of evidence, one reason
		}
		fmt.Printf("  %s  %-11s -> %-11s %s\n", m.At.Format("Jan 02"), m.From, m.To, reason)
	}
	fmt.Println()
	return nil
}

func (s *sim) printInsights(mermaidPath string) error {
	pains, err := s.crm.Experience.PainPoints(s.ctx, s.admin.ID, crm.PainQuery{Map: s.bank.ID})
	if err != nil {
		return err
	}
	fmt.Println("Pain points, worst first:")
	for _, p := range pains[:min(3, len(pains))] {
		fmt.Printf("  %-15s pain %4.1f  %s\n", p.Touchpoint, p.Pain, strings.Join(p.Reasons, "; "))
	}
	moments, err := s.crm.Experience.MomentsOfTruth(s.ctx, s.admin.ID, crm.MomentsQuery{Window: 7 * day})
	if err != nil {
		return err
	}
	fmt.Printf("\nMoments of truth: ladder moves within a week after a contact, per contact, against all touchpoints\n"+
		"(Jane, Omar and the %d others: %d contacts, %d moves up, %d down; moves on evidence at no touchpoint,\n"+
		"like Omar's purchases, left out):\n", crowdSize, moments.Base.Contacts, moments.Base.Up, moments.Base.Down)
	for _, dir := range []struct {
		name  string
		ms    []crm.Moment
		moves func(crm.Moment) int64
		lift  func(crm.Moment) float64
	}{
		{"up", moments.Up, func(m crm.Moment) int64 { return m.Up }, func(m crm.Moment) float64 { return m.UpLift }},
		{"down", moments.Down, func(m crm.Moment) int64 { return m.Down }, func(m crm.Moment) float64 { return m.DownLift }},
	} {
		for _, m := range dir.ms {
			fmt.Printf("  %-4s %-15s %2d moves after %2d contacts  %.1fx the base rate\n", dir.name, m.Touchpoint, dir.moves(m), m.Contacts, dir.lift(m))
		}
	}
	for _, m := range moments.TooFew {
		fmt.Printf("  too few contacts to judge (%d of %d): %s, %d up, %d down\n", m.Contacts, moments.MinContacts, m.Touchpoint, m.Up, m.Down)
	}
	// The bank's daily job: good and bad experiences fade, and the rung
	// follows; each move is dated on the day the score crossed the line.
	faded, err := s.crm.Ladder.CheckFading(s.ctx, s.admin.ID, crm.FadingQuery{})
	if err != nil {
		return err
	}
	dist, err := s.crm.Ladder.Distribution(s.ctx, s.admin.ID, crm.DistributionQuery{At: s.clock.Now()})
	if err != nil {
		return err
	}
	who := "customers whose experiences had"
	if faded.Customers == 1 {
		who = "customer whose experiences had"
	}
	fmt.Printf("\nThe fading sweep moved %d %s faded past their rung.\n", faded.Customers, who)
	fmt.Print("Customers on the ladder today:")
	for _, d := range dist {
		fmt.Printf("  %s %d", d.Stage, d.Customers)
	}
	fmt.Println()

	for tpl, err := range s.crm.Experience.JourneyTemplates(s.ctx, s.admin.ID, s.bank.ID) {
		if err != nil {
			return err
		}
		mermaid, err := s.crm.Experience.JourneyMapMermaid(s.ctx, s.admin.ID, crm.JourneyMapQuery{Template: tpl.ID})
		if err != nil {
			return err
		}
		fmt.Printf("\nJourney map of %q:\n%s", tpl.Name, mermaid)
		if mermaidPath != "" {
			if err := os.WriteFile(mermaidPath, []byte(mermaid), 0o644); err != nil {
				return err
			}
			fmt.Printf("(written to %s)\n", mermaidPath)
		}
	}
	return nil
}

func ptr[T any](v T) *T { return &v }
