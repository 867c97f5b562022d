package crm_test

import (
	"context"
	"fmt"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/memory"
)

// NPS is reported per respondent (each customer's latest answer in the
// period) as well as per answer, and a main touchpoint's figures include
// its sub-touchpoints': the hotline's own callers are happy, the card
// hotline's are not, and the hotline rolled up shows it.
func ExampleExperienceService_TouchpointStats() {
	ctx := context.Background()
	clock := crm.NewManualClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	c, _ := crm.New(memory.New(), crm.WithClock(clock))
	admin, _ := c.Users.Bootstrap(ctx, crm.NewUser{Name: "Ada"})
	m, _ := c.Experience.CreateTouchpointMap(ctx, admin.ID, crm.NewTouchpointMap{Name: "Bank", Touchpoints: []crm.Touchpoint{
		{Key: "hotline", Name: "Hotline", Channel: crm.ChannelContactCenter, Medium: crm.MediumPhone},
		{Key: "hotline.cards", Name: "Card hotline", Parent: "hotline"},
	}})
	answer := func(name, touchpoint string, nps ...int) {
		cu, _ := c.Customers.Create(ctx, admin.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: name})
		for i, n := range nps {
			_, err := c.Experience.RecordInteraction(ctx, admin.ID, crm.NewInteraction{Customer: cu.ID, Map: m.ID,
				Touchpoint: touchpoint, At: clock.Now().Add(time.Duration(i-60) * time.Minute), Direction: crm.Inbound,
				Survey: crm.Survey{NPS: &n}})
			if err != nil {
				fmt.Println(err)
			}
		}
	}
	answer("Hal", "hotline", 10)
	answer("Hana", "hotline", 9)
	answer("Carl", "hotline.cards", 2, 3, 0, 1, 4, 10) // six answers, the latest a 10
	answer("Cleo", "hotline.cards", 5)

	stats, _ := c.Experience.TouchpointStats(ctx, admin.ID, crm.TouchpointStatsQuery{Map: m.ID, Period: crm.PeriodMonth})
	for _, s := range stats {
		for _, part := range []struct {
			name   string
			counts crm.ExperienceCounts
		}{{"own", s.Own}, {"rolled up", s.Rollup}} {
			fmt.Printf("%s %s %s:", s.Period, s.Touchpoint, part.name)
			for _, f := range part.counts.NPSFigures() {
				fmt.Printf(" NPS %+.0f %s of %d,", f.Score, f.Basis, f.Answers)
			}
			fmt.Println()
		}
	}
	// Output:
	// 2026-03 hotline own: NPS +100 per_answer of 2, NPS +100 per_respondent of 2,
	// 2026-03 hotline rolled up: NPS -33 per_answer of 9, NPS +50 per_respondent of 4,
	// 2026-03 hotline.cards own: NPS -71 per_answer of 7, NPS +0 per_respondent of 2,
	// 2026-03 hotline.cards rolled up: NPS -71 per_answer of 7, NPS +0 per_respondent of 2,
}
