package memory

import (
	"context"

	"github.com/crmkit/crm"
)

// dunningRepo implements crm.DunningRepository: records keyed and
// versioned by invoice.
type dunningRepo struct{ t *txState }

func (r dunningRepo) repo() repo[crm.DunningRecord] {
	return versionedRepo(crm.KindDunning, r.t.dunning, func(d crm.DunningRecord) crm.ID { return d.Invoice },
		func(d crm.DunningRecord) int64 { return d.Version })
}

func (r dunningRepo) Get(_ context.Context, invoice crm.ID) (crm.DunningRecord, error) {
	return r.repo().get(invoice)
}

func (r dunningRepo) List(_ context.Context, f crm.DunningFilter, p crm.PageRequest) ([]crm.DunningRecord, error) {
	return r.repo().list(p, f.Match), nil
}

func (r dunningRepo) Upsert(_ context.Context, d crm.DunningRecord) error {
	if d.Version == 1 {
		return r.repo().insert(d)
	}
	return r.repo().update(d)
}
