package memory

import (
	"context"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/storekit"
)

// erase overwrites the personal fields of the row id in the transaction's
// overlay: overwrite copies them onto the stored row, or fails and the row
// stays as it was. An unknown ID is a *crm.NotFoundError.
func erase[T any](o *overlay[T], kind crm.Kind, id crm.ID, overwrite func(stored *T) error) error {
	v, ok := o.get(id)
	if !ok {
		return &crm.NotFoundError{Kind: kind, ID: id.String()}
	}
	if err := overwrite(&v); err != nil {
		return err
	}
	o.put(id, v, false)
	return nil
}

// ErasePersonal implements crm.InteractionRepository.
func (r interactionRepo) ErasePersonal(_ context.Context, in crm.Interaction) error {
	return erase(r.t.interactions, crm.KindInteraction, in.ID, func(stored *crm.Interaction) error {
		stored.Note, stored.RequestHash = in.Note, in.RequestHash
		return nil
	})
}

// ErasePersonalEvidence implements crm.LadderRepository.
func (r ladderRepo) ErasePersonalEvidence(_ context.Context, ev crm.Evidence) error {
	return erase(r.t.evidence, crm.KindEvidence, ev.ID, func(stored *crm.Evidence) error {
		stored.Note = ev.Note
		return nil
	})
}

// ErasePersonalMove implements crm.LadderRepository.
func (r ladderRepo) ErasePersonalMove(_ context.Context, m crm.LadderMove) error {
	return erase(r.t.moves, crm.KindLadderMove, m.ID, func(stored *crm.LadderMove) error {
		stored.Reason = m.Reason
		return nil
	})
}

// ErasePersonal implements crm.LedgerRepository.
func (l ledger) ErasePersonal(_ context.Context, e crm.Entry) error {
	return erase(l.t.entries, crm.KindEntry, e.ID, func(stored *crm.Entry) error {
		stored.Description, stored.RequestHash = e.Description, e.RequestHash
		return nil
	})
}

// ErasePersonal implements crm.InvoiceRepository.
func (r invoiceRepo) ErasePersonal(_ context.Context, i crm.Invoice) error {
	return erase(r.t.invoices, crm.KindInvoice, i.ID, func(stored *crm.Invoice) error {
		lines, err := storekit.ErasedLines(stored.Lines, i.Lines)
		stored.Lines = lines
		return err
	})
}

// ErasePersonal implements crm.CreditRepository.
func (r creditRepo) ErasePersonal(_ context.Context, c crm.Credit) error {
	return erase(r.t.credits, crm.KindCredit, c.ID, func(stored *crm.Credit) error {
		stored.Reference = c.Reference
		return nil
	})
}

// ErasePersonal implements crm.ConsentRepository.
func (r consentRepo) ErasePersonal(_ context.Context, c crm.Consent) error {
	return erase(r.t.consents, crm.KindConsent, c.ID, func(stored *crm.Consent) error {
		stored.Source, stored.Proof = c.Source, c.Proof
		return nil
	})
}
