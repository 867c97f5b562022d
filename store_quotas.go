package crm

import "context"

// QuotaReader reads quotas.
type QuotaReader interface {
	Get(ctx context.Context, id ID) (Quota, error)
	// List returns the quotas passing f (QuotaFilter.Match), in ID order.
	List(ctx context.Context, f QuotaFilter, page PageRequest) ([]Quota, error)
}

// QuotaRepository reads and writes quotas, with the version rules of
// CustomerRepository: inserting a quota whose ID (QuotaID of its pipeline,
// holder and period) is stored is a conflict.
type QuotaRepository interface {
	QuotaReader
	Insert(ctx context.Context, q Quota) error
	Update(ctx context.Context, q Quota) error
}
