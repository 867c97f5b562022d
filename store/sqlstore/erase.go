package sqlstore

import (
	"context"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/storekit"
)

// overwrite sets columns of the record id in one UPDATE: set is the SET
// list, args its parameters. An unknown ID is a *crm.NotFoundError.
func (r records[T]) overwrite(ctx context.Context, id crm.ID, set string, args ...any) error {
	res, err := r.t.exec(ctx, "UPDATE "+r.name()+" SET "+set+" WHERE "+r.key()+" = ?", append(args, idArg(id))...)
	if err != nil {
		return r.t.s.dbErr("erasing the personal data of "+string(r.kind), err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return r.t.s.dbErr("erasing the personal data of "+string(r.kind), err)
	}
	if n == 0 {
		return r.notFound(id)
	}
	return nil
}

// ErasePersonal implements crm.InteractionRepository.
func (r interactionRepo) ErasePersonal(ctx context.Context, in crm.Interaction) error {
	return r.overwrite(ctx, in.ID, "note = ?, request_hash = ?", in.Note, in.RequestHash[:])
}

// ErasePersonalEvidence implements crm.LadderRepository.
func (r ladderRepo) ErasePersonalEvidence(ctx context.Context, ev crm.Evidence) error {
	return r.evidence().overwrite(ctx, ev.ID, "note = ?", ev.Note)
}

// ErasePersonalMove implements crm.LadderRepository: the move's reason;
// the move references its evidence and keeps nothing of it to erase.
func (r ladderRepo) ErasePersonalMove(ctx context.Context, m crm.LadderMove) error {
	return r.moves().overwrite(ctx, m.ID, "reason = ?", m.Reason)
}

// ErasePersonal implements crm.LedgerRepository. The triggers that keep
// the ledger append-only let an UPDATE of the description, and of the
// request's digest to zeros, through (migration 0031).
func (l ledgerRepo) ErasePersonal(ctx context.Context, e crm.Entry) error {
	return l.entries().overwrite(ctx, e.ID, "description = ?, request_hash = ?", e.Description, e.RequestHash[:])
}

// ErasePersonal implements crm.InvoiceRepository: it reads the stored
// lines, which storekit.ErasedLines checks i's against, and writes them
// back with i's descriptions.
func (r invoiceRepo) ErasePersonal(ctx context.Context, i crm.Invoice) error {
	stored, err := r.get(ctx, i.ID)
	if err != nil {
		return err
	}
	lines, err := storekit.ErasedLines(stored.Lines, i.Lines)
	if err != nil {
		return err
	}
	doc, err := docsArg("lines", lines, toLineDoc)
	if err != nil {
		return err
	}
	return r.overwrite(ctx, i.ID, "lines = ?", doc)
}

// ErasePersonal implements crm.CreditRepository.
func (r creditRepo) ErasePersonal(ctx context.Context, c crm.Credit) error {
	return r.overwrite(ctx, c.ID, "reference = ?", c.Reference)
}

// ErasePersonal implements crm.ConsentRepository.
func (r consentRepo) ErasePersonal(ctx context.Context, c crm.Consent) error {
	return r.overwrite(ctx, c.ID, "source = ?, proof = ?", c.Source, c.Proof)
}
