package crm

import "fmt"

// maxAllocationLines bounds the invoices one allocation entry settles: an
// entry has at most maxPostings postings, one of them to the credit.
const maxAllocationLines = maxPostings - 1

// allocateAll posts the allocations rs, of one credit to invoices of its
// customer in its currency on one day, as one entry: a posting to the
// credit of what they take together, and one to each invoice. Each is
// checked as Allocate checks one, against what is open on the credit
// after those before it; one alone is posted as Allocate posts it.
func (w *writeTx) allocateAll(rs []AllocationRequest, request any) (Entry, error) {
	if len(rs) == 1 {
		return w.allocate(rs[0], "", request)
	}
	first := rs[0]
	items := make([]ID, 0, len(rs)+1)
	items = append(items, first.Credit)
	for _, r := range rs {
		items = append(items, r.Invoice)
	}
	open, err := w.readOpen(first.Customer, items)
	if err != nil {
		return Entry{}, err
	}
	credit, ok := findItem(open, AccountCredit, first.Credit)
	if !ok {
		return Entry{}, invalid("credit", "open", "no open credit of the customer with that ID")
	}
	invoices := make(map[ID]OpenItem, len(rs))
	for _, it := range open {
		if it.Account == AccountReceivable {
			invoices[it.Item] = it
		}
	}
	before := make([]OpenItem, len(rs)) // each invoice's open item before the entry
	ps := make([]Posting, 1, len(rs)+1)
	taken := Zero(credit.Open.Currency())
	for i, r := range rs {
		inv, ok := invoices[r.Invoice]
		if !ok {
			return Entry{}, invalid("invoice", "open", "no open invoice of the customer with that ID")
		}
		if r.Credit != first.Credit || r.Customer != first.Customer || r.Effective != first.Effective {
			return Entry{}, invalid("allocations", "one_credit", "allocations in one entry share their credit, customer and day")
		}
		lines, err := allocationPostings(r, credit, inv, w.crm.documents.fx)
		if err != nil {
			return Entry{}, err
		}
		if len(lines) != 2 { // across currencies: an entry of its own
			return Entry{}, invalid("allocations", "one_currency", "allocations in one entry are in the credit's currency")
		}
		if taken, err = taken.Add(lines[0].Amount); err != nil {
			return Entry{}, err
		}
		credit.Open, _ = credit.Open.Add(lines[0].Amount) // what is left of it for the next
		before[i] = inv
		ps = append(ps, lines[1])
	}
	ps[0] = Posting{Account: AccountCredit, Customer: first.Customer, Amount: taken, Item: first.Credit}
	id, err := w.newID()
	if err != nil {
		return Entry{}, err
	}
	e := Entry{ID: id, Kind: EntryAllocation, Customer: first.Customer, Document: first.Credit, Effective: cmpOr(first.Effective, w.today()),
		RecordedAt: w.now, RecordedBy: w.actor.ID, Description: fmt.Sprintf("allocation to %d invoices", len(rs)), Postings: ps}
	if e, err = w.post(e, "", request); err != nil {
		return Entry{}, err
	}
	for i, r := range rs {
		if err := w.settledBy(r.Credit, before[i], ps[i+1].Amount, e.Effective); err != nil {
			return Entry{}, err
		}
	}
	return e, nil
}

// Invoices returns the invoices the entry posts to, in the order posted,
// each once: the one an invoice's entry posts, or those an allocation,
// an unallocation or a write-off settles.
func (e Entry) Invoices() []ID {
	var out []ID
	var seen map[ID]bool
	for _, p := range e.Postings {
		if p.Account != AccountReceivable || seen[p.Item] {
			continue
		}
		if seen == nil {
			seen = map[ID]bool{}
		}
		seen[p.Item] = true
		out = append(out, p.Item)
	}
	return out
}
