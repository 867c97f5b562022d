package crm

import (
	"cmp"
	"context"
	"errors"
	"slices"
)

// personRecords is everything crmkit holds that is linked to one customer.
type personRecords struct {
	Customer     Customer
	Interactions []Interaction
	Cases        []Case
	Activities   []Activity
	Deals        []Deal
	Contracts    []Contract
	Invoices     []Invoice
	Credits      []Credit // payments, credit notes ... (see receivable.go)
	Entries      []Entry  // the customer's ledger entries
	Dunning      []DunningRecord
	Ladder       LadderState // zero when no evidence was applied yet
	Moves        []LadderMove
	Replaced     []LadderMove // moves late evidence replaced, kept for the record
	Consents     []Consent
	Evidence     []Evidence
	Events       []Event // every event whose subject is one of the records above, in log order
}

// gatherPersonRecords reads everything linked to a customer in tx: the
// record itself, every record of every kind whose customer it is (each
// listing read through all its pages), and the events of all of them. An
// unknown customer is a *NotFoundError. It checks no policy: the caller
// has.
func gatherPersonRecords(ctx context.Context, tx ReadTx, customer ID) (personRecords, error) {
	cu, err := tx.Customers().Get(ctx, customer)
	if err != nil {
		return personRecords{}, err
	}
	r := personRecords{Customer: cu}
	for _, read := range []func() error{
		func() (err error) { r.Interactions, err = tx.Interactions().ForCustomer(ctx, customer); return err },
		func() (err error) {
			r.Cases, err = readAll(func(p PageRequest) ([]Case, error) {
				return tx.Cases().List(ctx, CaseFilter{Customer: customer}, p)
			}, func(c Case) ID { return c.ID })
			return err
		},
		func() (err error) {
			r.Activities, err = readAll(func(p PageRequest) ([]Activity, error) {
				return tx.Activities().List(ctx, ActivityFilter{Customer: customer}, p)
			}, func(a Activity) ID { return a.ID })
			return err
		},
		func() (err error) {
			r.Deals, err = readAll(func(p PageRequest) ([]Deal, error) {
				return tx.Deals().List(ctx, DealFilter{Customer: customer}, p)
			}, func(d Deal) ID { return d.ID })
			return err
		},
		func() (err error) {
			r.Contracts, err = readAll(func(p PageRequest) ([]Contract, error) {
				return tx.Contracts().List(ctx, ContractFilter{Customer: customer}, p)
			}, func(c Contract) ID { return c.ID })
			return err
		},
		func() (err error) {
			r.Invoices, err = readAll(func(p PageRequest) ([]Invoice, error) {
				return tx.Invoices().List(ctx, InvoiceFilter{Customer: customer}, p)
			}, func(i Invoice) ID { return i.ID })
			return err
		},
		func() (err error) {
			r.Credits, err = readAll(func(p PageRequest) ([]Credit, error) {
				return tx.Credits().List(ctx, customer, p)
			}, func(c Credit) ID { return c.ID })
			return err
		},
		func() (err error) {
			r.Entries, err = allEntries(ctx, tx.Ledger(), EntryFilter{Customer: customer})
			return err
		},
		func() (err error) {
			r.Dunning, err = readAll(func(p PageRequest) ([]DunningRecord, error) {
				return tx.Dunning().List(ctx, DunningFilter{Customer: customer}, p)
			}, func(d DunningRecord) ID { return d.Invoice })
			return err
		},
		func() error {
			st, err := tx.Ladder().State(ctx, customer)
			if errors.Is(err, ErrNotFound) {
				return nil
			}
			r.Ladder = st
			return err
		},
		func() (err error) { r.Moves, err = tx.Ladder().Moves(ctx, customer); return err },
		func() (err error) { r.Replaced, err = tx.Ladder().ReplacedMoves(ctx, customer); return err },
		func() (err error) {
			r.Consents, err = readAll(func(p PageRequest) ([]Consent, error) {
				return tx.Consents().List(ctx, ConsentFilter{Customer: customer}, p)
			}, func(c Consent) ID { return c.ID })
			return err
		},
		func() (err error) { r.Evidence, err = tx.Ladder().Evidence(ctx, customer); return err },
		func() (err error) { r.Events, err = subjectEvents(ctx, tx.Events(), r.subjects()); return err },
	} {
		if err := read(); err != nil {
			return personRecords{}, err
		}
	}
	return r, nil
}

// recordRef names one record, as an event's Kind and Subject do.
type recordRef struct {
	kind Kind
	id   ID
}

// subjects names every record of r as the subject of events: the
// customer, its ladder state (keyed by the customer), and each record of
// every kind; an invoice also as its dunning record (keyed by the
// invoice).
func (r personRecords) subjects() []recordRef {
	refs := []recordRef{{KindCustomer, r.Customer.ID}, {KindLadderState, r.Customer.ID}}
	add := func(kind Kind, ids ...ID) {
		for _, id := range ids {
			refs = append(refs, recordRef{kind, id})
		}
	}
	for _, x := range r.Interactions {
		add(KindInteraction, x.ID)
	}
	for _, x := range r.Cases {
		add(KindCase, x.ID)
	}
	for _, x := range r.Activities {
		add(KindActivity, x.ID)
	}
	for _, x := range r.Deals {
		add(KindDeal, x.ID)
	}
	for _, x := range r.Contracts {
		add(KindContract, x.ID)
	}
	for _, x := range r.Invoices {
		add(KindInvoice, x.ID)
		add(KindDunning, x.ID)
	}
	for _, x := range r.Credits {
		add(KindCredit, x.ID)
	}
	for _, x := range r.Entries {
		add(KindEntry, x.ID)
	}
	for _, x := range r.Moves {
		add(KindLadderMove, x.ID)
	}
	for _, x := range r.Evidence {
		add(KindEvidence, x.ID)
	}
	return refs
}

// subjectEvents reads the events of every record named, each once, in log
// order: by Seq, and those a sealing store has not sealed yet (Seq 0)
// after them, by time and ID.
func subjectEvents(ctx context.Context, log EventReader, refs []recordRef) ([]Event, error) {
	var out []Event
	seen := map[ID]bool{}
	for _, ref := range refs {
		events, err := log.Subject(ctx, ref.kind, ref.id)
		if err != nil {
			return nil, err
		}
		for _, e := range events {
			if !seen[e.ID] {
				seen[e.ID] = true
				out = append(out, e)
			}
		}
	}
	slices.SortFunc(out, func(a, b Event) int {
		unsealed := func(e Event) int {
			if e.Seq == 0 {
				return 1
			}
			return 0
		}
		return cmp.Or(cmp.Compare(unsealed(a), unsealed(b)), cmp.Compare(a.Seq, b.Seq), a.Time.Compare(b.Time), a.ID.Compare(b.ID))
	})
	return out, nil
}
