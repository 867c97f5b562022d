package memory

import (
	"context"

	"github.com/crmkit/crm"
)

type quotaRepo struct{ t *txState }

func (r quotaRepo) repo() repo[crm.Quota] {
	return versionedRepo(crm.KindQuota, r.t.quotas, func(q crm.Quota) crm.ID { return q.ID }, func(q crm.Quota) int64 { return q.Version })
}

func (r quotaRepo) Get(_ context.Context, id crm.ID) (crm.Quota, error) { return r.repo().get(id) }
func (r quotaRepo) Insert(_ context.Context, q crm.Quota) error         { return r.repo().insert(q) }
func (r quotaRepo) Update(_ context.Context, q crm.Quota) error         { return r.repo().update(q) }
func (r quotaRepo) List(_ context.Context, f crm.QuotaFilter, p crm.PageRequest) ([]crm.Quota, error) {
	return r.repo().list(p, f.Match), nil
}
