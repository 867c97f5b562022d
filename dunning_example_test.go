package crm_test

import (
	"context"
	"fmt"
	"time"

	"github.com/crmkit/crm"
)

// ExampleReceivableService_Dun follows an invoice of 1,000.00 USD due on
// March 2 through the default dunning levels: a free reminder a week
// late, a notice with a 5.00 fee at three weeks, and the final notice at
// 45 days with a 10.00 fee and interest at 8% a year for the 45 days. A
// run the same day changes nothing; a paid invoice is settled.
func ExampleReceivableService_Dun() {
	ctx := context.Background()
	d := newReceivablesDesk()
	inv := d.invoice("INV-1", "1000.00", d.today(time.March, 2))
	run := func(month time.Month, day int) {
		d.today(month, day)
		res := mustReceivables(d.c.Receivables.Dun(ctx, d.fay.ID, crm.DunningRun{}))
		if len(res.Moves) == 0 {
			fmt.Printf("%s: nothing to do\n", res.AsOf)
		}
		for _, m := range res.Moves {
			fmt.Printf("%s: %s to %s, %d days overdue\n", res.AsOf, m.Event, m.To, m.DaysOverdue)
		}
		for _, ch := range res.Charges {
			for _, l := range ch.Lines {
				fmt.Printf("  charged %s: %s\n", l.UnitPrice, l.Description)
			}
		}
	}
	run(time.March, 9)
	run(time.March, 9)
	run(time.March, 23)
	run(time.April, 16)
	rows := mustReceivables(d.c.Receivables.DunningLevels(ctx, d.fay.ID, crm.ReceivableQuery{}))
	fmt.Printf("%s is at level %d (%s) since %s\n", inv.Number, rows[0].Level, rows[0].LevelName, rows[0].Since)
	mustReceivables(d.c.Ledger.ReceivePayment(ctx, d.fay.ID, crm.NewPayment{Customer: d.cust.ID, Amount: dollars("1000.00"),
		Allocation: crm.AllocateOldestFirst}))
	run(time.April, 17)
	// Output:
	// 2026-03-09: escalate to reminder, 7 days overdue
	// 2026-03-09: nothing to do
	// 2026-03-23: escalate to first_notice, 21 days overdue
	//   charged 5.00 USD: dunning fee, first_notice, invoice INV-1
	// 2026-04-16: escalate to final_notice, 45 days overdue
	//   charged 10.00 USD: dunning fee, final_notice, invoice INV-1
	//   charged 9.86 USD: interest at 8% a year on 1000.00 USD for 45 days overdue (2026-03-03 to 2026-04-16), invoice INV-1
	// INV-1 is at level 3 (final_notice) since 2026-04-16
	// 2026-04-17: settle to settled, 46 days overdue
}
