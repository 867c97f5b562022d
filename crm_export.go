package crm

import (
	"context"
	"time"
)

// ExportFormat names the format of a PersonalDataExport: the records in
// the package's JSON wire format, under the keys PersonalDataExport
// gives them. It changes when a key changes its meaning.
const ExportFormat = "crmkit.personal_data.v1"

// PersonalDataExport is everything crmkit holds about one customer, as
// one JSON document in the wire format (GDPR Articles 15 and 20): the
// customer record, where they stand on the loyalty ladder with the moves
// and the evidence that took them there, their interactions, cases,
// activities, deals and contracts, their invoices, payments and credit
// notes with the ledger entries that posted them and the invoices'
// dunning records, and the history: every event of those records, in
// log order. Every list is in the order the store keeps it (ID order;
// interactions by time), so the same data gives the same document.
type PersonalDataExport struct {
	Format       string          `json:"format" privacy:"none"` // ExportFormat
	GeneratedAt  time.Time       `json:"generated_at,omitzero"`
	GeneratedBy  ID              `json:"generated_by,omitzero"` // the user who exported
	Customer     Customer        `json:"customer,omitzero" privacy:"nested"`
	Ladder       LadderState     `json:"ladder,omitzero" privacy:"nested"` // absent before any evidence was weighed
	LadderMoves  []LadderMove    `json:"ladder_moves,omitempty" privacy:"nested"`
	Evidence     []Evidence      `json:"evidence,omitempty" privacy:"nested"`
	Interactions []Interaction   `json:"interactions,omitempty" privacy:"nested"`
	Cases        []Case          `json:"cases,omitempty" privacy:"nested"`
	Activities   []Activity      `json:"activities,omitempty" privacy:"nested"`
	Deals        []Deal          `json:"deals,omitempty" privacy:"nested"`
	Contracts    []Contract      `json:"contracts,omitempty" privacy:"nested"`
	Invoices     []Invoice       `json:"invoices,omitempty" privacy:"nested"`
	Credits      []Credit        `json:"credits,omitempty" privacy:"nested"` // payments and credit notes
	Entries      []Entry         `json:"ledger_entries,omitempty" privacy:"nested"`
	Dunning      []DunningRecord `json:"dunning,omitempty" privacy:"nested"`
	Consents     []Consent       `json:"consents,omitempty" privacy:"nested"` // every decision the person made, given and withdrawn
	History      []Event         `json:"history,omitempty" privacy:"nested"`
}

// exportData is the payload of a CustomerExported event: the format and
// how many records of each kind (and events) were handed out, never the
// data itself. Who exported and when are the event's Actor and Time.
type exportData struct {
	Format  string       `json:"format" privacy:"none"`
	Records map[Kind]int `json:"records"`
}

// Export hands out everything crmkit holds about a customer as one
// document (PersonalDataExport), by default an admin's right only
// (ActionExport): it holds the customer's whole ledger and history,
// which no other role reads whole. The actor must be able to read the
// customer, or the customer is reported missing. The export is read
// from one consistent snapshot, then recorded as a CustomerExported
// event on the customer; the document is returned only once that event
// is committed, so no export goes unrecorded. A zero customer is a
// *ValidationError.
func (c *CustomerService) Export(ctx context.Context, actor, customer ID) (PersonalDataExport, error) {
	if customer.IsZero() {
		return PersonalDataExport{}, invalid("customer", "required", "")
	}
	if err := c.sealAll(ctx); err != nil {
		return PersonalDataExport{}, err
	}
	var recs personRecords
	err := c.read(ctx, actor, func(tx ReadTx, a User) error {
		cu, err := tx.Customers().Get(ctx, customer)
		if err != nil {
			return err
		}
		if err := c.mayExport(a, cu); err != nil {
			return err
		}
		recs, err = gatherPersonRecords(ctx, tx, customer)
		return err
	})
	if err != nil {
		return PersonalDataExport{}, err
	}
	var out PersonalDataExport
	err = c.write(ctx, actor, func(w *writeTx) error {
		cu, err := w.tx.Customers().Get(ctx, customer)
		if err != nil {
			return err
		}
		if err := c.mayExport(w.actor, cu); err != nil {
			return err
		}
		out = recs.export(w.now, w.actor.ID)
		return w.record(CustomerExported, KindCustomer, cu.ID, cu.Version, exportData{Format: ExportFormat, Records: recs.counts()})
	})
	if err != nil {
		return PersonalDataExport{}, err
	}
	return out, nil
}

// mayExport checks that actor may export cu: a customer they may not
// read is missing, one they read but may not export forbidden.
func (c *engine) mayExport(actor User, cu Customer) error {
	if !c.sees(actor, cu.target()) {
		return hidden(KindCustomer, cu.ID)
	}
	return c.policy.Authorize(actor, ActionExport, cu.target())
}

// export is r as an export generated at at by the user by.
func (r personRecords) export(at time.Time, by ID) PersonalDataExport {
	return PersonalDataExport{
		Format: ExportFormat, GeneratedAt: at, GeneratedBy: by,
		Customer: r.Customer, Ladder: r.Ladder, LadderMoves: r.Moves, Evidence: r.Evidence,
		Interactions: r.Interactions, Cases: r.Cases, Activities: r.Activities, Deals: r.Deals, Contracts: r.Contracts,
		Invoices: r.Invoices, Credits: r.Credits, Entries: r.Entries, Dunning: r.Dunning, History: r.Events,
		Consents: r.Consents,
	}
}

// counts says how many records of each kind r holds, and how many
// events; kinds it has none of are left out.
func (r personRecords) counts() map[Kind]int {
	n := map[Kind]int{KindCustomer: 1}
	add := func(kind Kind, count int) {
		if count > 0 {
			n[kind] = count
		}
	}
	add(KindInteraction, len(r.Interactions))
	add(KindCase, len(r.Cases))
	add(KindActivity, len(r.Activities))
	add(KindDeal, len(r.Deals))
	add(KindContract, len(r.Contracts))
	add(KindInvoice, len(r.Invoices))
	add(KindCredit, len(r.Credits))
	add(KindEntry, len(r.Entries))
	add(KindDunning, len(r.Dunning))
	add(KindConsent, len(r.Consents))
	add(KindLadderMove, len(r.Moves))
	add(KindEvidence, len(r.Evidence))
	add(KindEvent, len(r.Events))
	if !r.Ladder.Customer.IsZero() {
		add(KindLadderState, 1)
	}
	return n
}
