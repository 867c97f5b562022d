package crm_test

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/crmkit/crm"
)

func ExampleTouchpointMap_Resolve() {
	m := crm.TouchpointMap{Name: "Retail bank", Touchpoints: []crm.Touchpoint{
		{Key: "phone", Name: "Call center", Channel: crm.ChannelContactCenter, Medium: crm.MediumPhone, Phase: crm.PhaseSupport,
			Department: "Service", Standards: crm.ServiceStandards{AnswerWithin: 2 * time.Minute, MinCSAT: 4}},
		// A sub-touchpoint names its parent and inherits what it leaves empty.
		{Key: "phone.card_blocked", Name: "Card blocked", Parent: "phone", Department: "Cards", Weight: 200},
		{Key: "branch", Name: "Branch visit", Channel: crm.ChannelBranch, Medium: crm.MediumInPerson, Phase: crm.PhaseOrdering,
			Department: "Retail"},
	}}
	touchpoints, err := m.Resolve()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, tp := range touchpoints {
		fmt.Printf("%s (depth %d): %s, %s, %s, %s; answer within %v, min CSAT %d, weight %d%%\n", strings.Join(tp.Path, " > "),
			tp.Depth(), tp.Channel, tp.Medium, tp.Phase, tp.Department, tp.Standards.AnswerWithin, tp.Standards.MinCSAT, tp.Weight)
	}

	// A touchpoint cannot be its own ancestor.
	m.Touchpoints[0].Parent = "phone.card_blocked"
	_, err = m.Resolve()
	var invalid *crm.ValidationError
	fmt.Println(errors.As(err, &invalid), invalid.Field, invalid.Rule)
	// Output:
	// phone (depth 0): contact_center, phone, support, Service; answer within 2m0s, min CSAT 4, weight 100%
	// phone > phone.card_blocked (depth 1): contact_center, phone, support, Cards; answer within 2m0s, min CSAT 4, weight 200%
	// branch (depth 0): branch, in_person, ordering, Retail; answer within 0s, min CSAT 0, weight 100%
	// true touchpoints[0].parent no_cycle
}

func ExampleJourneyTemplate_Compare() {
	card := crm.JourneyTemplate{Name: "Get a credit card", Steps: []string{"web.apply", "phone.verify", "branch.sign", "mail.card"}}
	anna := xpID(1)
	day := func(n int) time.Time { return time.Date(2026, 3, n, 10, 0, 0, 0, time.UTC) }
	contacts := []crm.Interaction{
		xpContact(1, anna, "web.apply", day(2)),
		xpContact(2, anna, "phone.verify", day(3)),
		xpContact(3, anna, "chat.help", day(4)), // not on the path
		xpContact(4, anna, "phone.verify", day(5)),
		xpContact(5, anna, "branch.sign", day(20)),
		xpContact(6, anna, "phone.verify", day(21)), // back to a step already passed
	}
	c := card.Compare(crm.NewJourney(anna, contacts))
	fmt.Println("reached:", c.Reached)
	fmt.Println("skipped:", c.Skipped)
	fmt.Println("loops:", c.Loops)
	fmt.Println("repeats:", c.Repeats)
	fmt.Println("off path:", c.OffPath)
	fmt.Println("completed:", c.Completed, "dropped after:", c.DroppedAfter)
	// Output:
	// reached: [web.apply phone.verify branch.sign]
	// skipped: []
	// loops: [phone.verify]
	// repeats: [{phone.verify 1}]
	// off path: [chat.help]
	// completed: false dropped after: branch.sign
}

func ExampleExperienceCounts() {
	var counts crm.ExperienceCounts
	for _, nps := range []int{9, 10, 9, 10, 9, 7, 8, 7, 0, 6} {
		counts.Add(crm.Interaction{Direction: crm.Inbound, Resolved: nps >= 7, Wait: time.Duration(nps) * time.Second,
			Survey: crm.Survey{NPS: &nps}})
	}
	for _, csat := range []int{5, 4, 2} {
		counts.Add(crm.Interaction{Direction: crm.Outbound, Transfers: []crm.Transfer{{From: "Sales", To: "Legal"}},
			Survey: crm.Survey{CSAT: &csat}})
	}
	nps, _ := counts.NPS()
	csat, _ := counts.CSAT()
	fcr, _ := counts.FCR()
	transfers, _ := counts.TransfersPerContact()
	_, answered := counts.CES()
	fmt.Printf("NPS %.0f, CSAT %.1f%%, FCR %.0f%%, %.2f transfers per contact\n", nps, csat, fcr, transfers)
	fmt.Println("average wait", counts.AverageWait(), "satisfaction", counts.Satisfaction(), "CES answered", answered)
	// Output:
	// NPS 30, CSAT 66.7%, FCR 80%, 0.23 transfers per contact
	// average wait 5.76923s satisfaction 3 CES answered false
}
