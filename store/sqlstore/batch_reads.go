package sqlstore

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/crmkit/crm"
)

// The reads of a batch: a statement for up to a few thousand IDs or keys
// (WHERE ... IN), instead of a statement for each.

// GetMany implements crm.CustomerReader.
func (r customerRepo) GetMany(ctx context.Context, ids []crm.ID) ([]crm.Customer, error) {
	return r.getMany(ctx, ids)
}

// States implements crm.LadderReader.
func (r ladderRepo) States(ctx context.Context, customers []crm.ID) ([]crm.LadderState, error) {
	return r.states().getMany(ctx, customers)
}

// EvidenceFromMany implements crm.LadderReader, by the index on
// (customer_id, source, source_id).
func (r ladderRepo) EvidenceFromMany(ctx context.Context, customer crm.ID, source crm.Kind, sourceIDs []crm.ID) ([]crm.Evidence, error) {
	var w where
	w.add("customer_id = ?", idArg(customer))
	w.add("source = ?", string(source))
	out, err := r.evidence().queryIn(ctx, "source_id", idArgs(sourceIDs), w, "")
	slices.SortFunc(out, func(a, b crm.Evidence) int { return a.ID.Compare(b.ID) })
	return out, err
}

// ByIdempotencyKeys implements crm.InteractionReader.
func (r interactionRepo) ByIdempotencyKeys(ctx context.Context, keys []string) ([]crm.Interaction, error) {
	keys = slices.DeleteFunc(slices.Clone(keys), func(k string) bool { return k == "" })
	slices.Sort(keys)
	out, err := r.queryIn(ctx, "idempotency_key", anys(slices.Compact(keys), func(k string) any { return k }), where{}, "")
	slices.SortFunc(out, func(a, b crm.Interaction) int { return a.ID.Compare(b.ID) })
	return out, err
}

// ForCustomersBetween implements crm.InteractionReader, by the index on
// (customer_id, at_us, id).
func (r interactionRepo) ForCustomersBetween(ctx context.Context, customers []crm.ID, from, to time.Time) ([]crm.Interaction, error) {
	var w where
	addRange(&w, "at_us", from, to)
	return r.queryIn(ctx, "customer_id", idArgs(customers), w, " ORDER BY customer_id, at_us, id")
}

// getMany returns the records whose key is one of ids, in key order.
func (r records[T]) getMany(ctx context.Context, ids []crm.ID) ([]T, error) {
	return r.queryIn(ctx, r.key(), idArgs(ids), where{}, " ORDER BY "+r.key())
}

// queryIn returns the records whose col is one of vals and that pass w,
// ordered by order within each statement: vals go in sorted, as many to
// a statement as maxBatchParams allows.
func (r records[T]) queryIn(ctx context.Context, col string, vals []any, w where, order string) ([]T, error) {
	return selectIn(ctx, r.t, r.selectSQL(), r.dest, "reading "+string(r.kind), col, vals, w, order)
}

// selectIn is queryIn of any SELECT (what comes before its WHERE), each
// row scanned into dest: rows whose col is one of vals and that pass w,
// as many vals to a statement as maxBatchParams allows.
func selectIn[T any](ctx context.Context, t *txn, selectSQL string, dest func(*T) []any, op, col string, vals []any, w where,
	order string) ([]T, error) {
	var out []T
	cond := ""
	if len(w.conds) > 0 {
		cond = " AND " + strings.Join(w.conds, " AND ")
	}
	per := maxBatchParams - len(w.args)
	for start := 0; start < len(vals); start += per {
		chunk := vals[start:min(start+per, len(vals))]
		rows, err := t.query(ctx, selectSQL+" WHERE "+col+" IN ("+placeholders(len(chunk))+")"+cond+order,
			append(slices.Clip(chunk), w.args...)...)
		if err != nil {
			return nil, t.s.dbErr(op, err)
		}
		got, err := collect(rows, dest, t.s.dbErr, op)
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
	}
	return out, nil
}

// idArgs returns the IDs sorted, each once, as arguments.
func idArgs(ids []crm.ID) []any {
	ids = slices.Clone(ids)
	slices.SortFunc(ids, crm.ID.Compare)
	return anys(slices.Compact(ids), func(id crm.ID) any { return idArg(id) })
}

// anys converts each of vs.
func anys[T any](vs []T, conv func(T) any) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = conv(v)
	}
	return out
}
