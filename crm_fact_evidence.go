package crm

import (
	"fmt"
	"time"
)

// weighFact weighs evidence drawn from one of the CRM's own records, once
// per record: when evidence from the same record (Source and SourceID) was
// weighed on the customer's ladder already, it does nothing.
func (w *writeTx) weighFact(ev Evidence) error {
	done, err := w.weighed(ev.Customer, ev.Source, ev.SourceID)
	if err != nil || done {
		return err
	}
	return w.weigh(ev)
}

// weighed reports whether evidence from the record was weighed on the
// customer's ladder.
func (w *writeTx) weighed(customer ID, source Kind, id ID) (bool, error) {
	evs, err := w.tx.Ladder().EvidenceFrom(w.ctx, customer, source, id)
	return len(evs) > 0, err
}

// factAt is when a fact of a business day happened: at the start of the
// day when it is a day before today, now otherwise.
func (w *writeTx) factAt(d Date) time.Time {
	if at := w.crm.calendar.Start(d); d.Before(w.today()) && at.Before(w.now) {
		return at
	}
	return w.now
}

// dealWon weighs a won deal as a purchase by its customer.
func (w *writeTx) dealWon(d Deal) error {
	if !w.crm.facts.DealWon {
		return nil
	}
	note := "deal won: " + d.Title
	if !d.Amount.Currency().IsZero() {
		note += ", " + d.Amount.String()
	}
	// A win back-dated to an earlier day (WinDealRequest.WonOn) is a
	// purchase of that day.
	return w.weighFact(Evidence{Customer: d.Customer, Kind: EvidencePurchase, At: w.factAt(d.CloseDate), Source: KindDeal, SourceID: d.ID, Note: note})
}

// allocated queues, for weighPaid at the end of the write, the fact of an
// invoice that the allocation e, of credit r.Credit, settled, when it is a
// payment's: paid on time when e is effective by the invoice's due day,
// late after it. invoice is the invoice's open item before e.
func (w *writeTx) allocated(r AllocationRequest, invoice OpenItem, e Entry) error {
	if !w.crm.facts.Payments {
		return nil
	}
	return w.settledBy(r.Credit, invoice, e.sumFor(AccountReceivable, invoice.Item, invoice.Open.Currency()), e.Effective)
}

// settledBy queues, for weighPaid, the fact of an invoice that posted,
// taken off it by an allocation of credit effective on a day, settled,
// when the credit is a payment's: paid on time when the day is by the
// invoice's due day, late after it. invoice is the invoice's open item
// before the allocation.
func (w *writeTx) settledBy(credit ID, invoice OpenItem, posted Money, effective Date) error {
	if !w.crm.facts.Payments {
		return nil
	}
	if left, err := invoice.Open.Add(posted); err != nil || !left.IsZero() {
		return err
	}
	// A credit's kind and an invoice's number do not change: those the
	// write posted or read ahead are not read again.
	cr, ok := w.credits[credit]
	if !ok {
		var err error
		if cr, err = w.tx.Credits().Get(w.ctx, credit); err != nil {
			return err
		}
	}
	if cr.Kind != CreditPayment {
		return nil
	}
	ev := Evidence{Customer: invoice.Customer, Kind: EvidencePaidOnTime, At: w.factAt(effective), Source: KindInvoice, SourceID: invoice.Item}
	name := invoice.Item.String()
	inv, err := w.invoiceHeader(invoice.Item)
	if err != nil {
		return err
	}
	if inv.Number != "" {
		name = inv.Number
	}
	ev.Note = fmt.Sprintf("invoice %s settled on %s, due %s", name, effective, invoice.Due)
	if late := effective.DaysSince(invoice.Due); !invoice.Due.IsZero() && late > 0 {
		ev.Kind, ev.Resolution = EvidencePaidLate, time.Duration(late)*24*time.Hour
		ev.Note += fmt.Sprintf(", %d days late", late)
	}
	w.paid = append(w.paid, ev)
	return nil
}

// weighPaid weighs the payment facts the write's allocations queued, in
// the ladder's order (CompareEvidence). A payment that settles many
// invoices settles them at one instant; weighed in the order of the
// invoices, about half would come before the one weighed last and arrive
// late, each replaying the customer's evidence: a cost that grew with the
// square of the invoices. In order, none is late.
//
// Many facts are weighed through a view that reads what weighing them
// reads once for all (which invoices were weighed already, the customers'
// ladder states) and writes what it writes in a few statements of many
// rows (readFactsAhead); each is weighed by the code that weighs one.
func (w *writeTx) weighPaid() error {
	if len(w.paid) == 0 {
		return nil
	}
	w.paid = inOrder(w.paid) // the content of pieces of one instant read once each
	var v *batchView
	if len(w.paid) > 1 {
		var err error
		if v, err = readFactsAhead(w.ctx, w.tx, w.paid); err != nil {
			return err
		}
		tx := w.tx
		w.tx = v
		defer func() { w.tx = tx }()
	}
	for _, ev := range w.paid {
		if err := w.weighFact(ev); err != nil {
			return err
		}
	}
	w.paid = w.paid[:0]
	if v == nil {
		return nil
	}
	if err := v.flush(); err != nil {
		return err
	}
	return v.failed
}

// contractEnded weighs churn for the customer of a contract that ended,
// terminated or expired, unless the customer holds another active
// contract or one that renews it goes on.
func (w *writeTx) contractEnded(ct Contract, at time.Time, note string) error {
	active, err := w.tx.Contracts().List(w.ctx, ContractFilter{Customer: ct.Customer, Status: ContractActive}, PageRequest{Limit: 2})
	if err != nil {
		return err
	}
	for _, o := range active {
		if o.ID != ct.ID {
			return nil
		}
	}
	renewals, err := w.tx.Contracts().List(w.ctx, ContractFilter{Renews: ct.ID}, PageRequest{Limit: 100})
	if err != nil {
		return err
	}
	for _, o := range renewals {
		switch o.Status {
		case ContractDraft, ContractSubmitted, ContractApproved, ContractActive:
			return nil
		}
	}
	return w.weighFact(Evidence{Customer: ct.Customer, Kind: EvidenceChurn, At: at, Source: KindContract, SourceID: ct.ID,
		Note: note})
}
