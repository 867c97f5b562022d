package sqlstore

import (
	"context"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/storekit"
)

// interactionTable stores interactions, which are never updated. The
// derived columns hold what the experience statistics add up.
var interactionTable = &recordTable[crm.Interaction]{
	kind:  crm.KindInteraction,
	table: func(n names) string { return n.interactions },
	columns: []string{"id", "customer_id", "map_id", "touchpoint", "at", "direction", "handled_by", "department",
		"channel", "medium", "phase", "wait_us", "handle_us", "transfers", "resolved", "sentiment", "nps", "csat", "ces",
		"case_id", "note", "answer_breached", "csat_breached", "idempotency_key", "request_hash", "recorded_at",
		"recorded_by", "business_day", "survey_kind"},
	derived: append([]string{"transfers_count", "inbound", "fcr", "satisfaction", "promoter", "detractor",
		"csat_satisfied"}, periodColumns...),
	id: func(in crm.Interaction) crm.ID { return in.ID },
	values: func(s *Store, in crm.Interaction) ([]any, error) {
		transfers, err := jsonArg(in.Transfers)
		if err != nil {
			return nil, err
		}
		sv := in.Survey
		return append([]any{idArg(in.ID), idArg(in.Customer), idArg(in.Map), in.Touchpoint, s.timeArg(in.At),
			string(in.Direction), idArg(in.HandledBy), in.Department, string(in.Channel), string(in.Medium),
			string(in.Phase), micros(in.Wait), micros(in.Handle), transfers, in.Resolved, int(in.Sentiment),
			optionalIntArg(sv.NPS), optionalIntArg(sv.CSAT), optionalIntArg(sv.CES), idArg(in.Case), in.Note,
			in.AnswerBreached, in.CSATBreached, in.IdempotencyKey, in.RequestHash[:], s.timeArg(in.RecordedAt),
			idArg(in.RecordedBy), in.Day, string(in.SurveyKind),
			len(in.Transfers), flag(in.Direction == crm.Inbound), flag(in.FirstContactResolution()), in.Satisfaction(),
			flag(answered(sv.NPS, 9, 10)), flag(answered(sv.NPS, 0, 6)), flag(answered(sv.CSAT, 4, 5)),
		}, periodValues(in.At, in.BusinessDay())...), nil
	},
	dest: func(in *crm.Interaction) []any {
		sv := &in.Survey
		return []any{&in.ID, &in.Customer, &in.Map, &in.Touchpoint, timeCol{&in.At}, &in.Direction, &in.HandledBy,
			&in.Department, &in.Channel, &in.Medium, &in.Phase, durationCol{&in.Wait}, durationCol{&in.Handle},
			jsonCol{&in.Transfers}, &in.Resolved, &in.Sentiment, optionalIntCol{&sv.NPS}, optionalIntCol{&sv.CSAT},
			optionalIntCol{&sv.CES}, &in.Case, &in.Note, &in.AnswerBreached, &in.CSATBreached, &in.IdempotencyKey,
			hashCol{&in.RequestHash}, timeCol{&in.RecordedAt}, &in.RecordedBy, &in.Day, &in.SurveyKind}
	},
}

// answered reports whether a survey answer was given and is in lo..hi.
func answered(p *int, lo, hi int) bool { return p != nil && *p >= lo && *p <= hi }

// periodColumns are the derived columns of a time that interactions and
// cases are bucketed by: unix microseconds, then the day, week and month
// keys of storekit.PeriodKey of its business day.
var periodColumns = []string{"at_us", "day_key", "week_key", "month_key"}

// periodValues returns the values of periodColumns for t, counted on
// the business day day.
func periodValues(t time.Time, day crm.Date) []any {
	return []any{unixMicros(t), storekit.PeriodKey(crm.PeriodDay, day), storekit.PeriodKey(crm.PeriodWeek, day),
		storekit.PeriodKey(crm.PeriodMonth, day)}
}

// interactionRepo implements crm.InteractionRepository in one
// transaction.
type interactionRepo struct{ records[crm.Interaction] }

// Get implements crm.InteractionReader.
func (r interactionRepo) Get(ctx context.Context, id crm.ID) (crm.Interaction, error) {
	return r.get(ctx, id)
}

// ByIdempotencyKey implements crm.InteractionReader. The
// *crm.NotFoundError's ID is "idempotency key <key>", as store/memory's;
// the empty key finds nothing.
func (r interactionRepo) ByIdempotencyKey(ctx context.Context, key string) (crm.Interaction, error) {
	notFound := &crm.NotFoundError{Kind: crm.KindInteraction, ID: "idempotency key " + key}
	if key == "" {
		return crm.Interaction{}, notFound
	}
	return r.getWhere(ctx, notFound, "idempotency_key = ?", key)
}

// ForCustomer implements crm.InteractionReader.
func (r interactionRepo) ForCustomer(ctx context.Context, customer crm.ID) ([]crm.Interaction, error) {
	return r.query(ctx, " WHERE customer_id = ? ORDER BY at_us, id", idArg(customer))
}

// ForCustomerBetween implements crm.InteractionReader, by the index on
// (customer_id, at_us, id).
func (r interactionRepo) ForCustomerBetween(ctx context.Context, customer crm.ID, from, to time.Time) ([]crm.Interaction, error) {
	var w where
	w.add("customer_id = ?", idArg(customer))
	addRange(&w, "at_us", from, to)
	return r.query(ctx, w.sql()+" ORDER BY at_us, id", w.args...)
}

// Insert implements crm.InteractionRepository.
func (r interactionRepo) Insert(ctx context.Context, in crm.Interaction) error {
	inserted, err := r.insertRow(ctx, in)
	if err != nil || inserted {
		return err
	}
	// Nothing was written: either the ID or the idempotency key is taken.
	found, err := r.found(ctx, in.ID)
	switch {
	case err != nil:
		return err
	case found:
		return r.exists(in.ID)
	}
	return &crm.ConflictError{Kind: crm.KindInteraction, ID: in.ID.String(), Detail: "idempotency key already used"}
}

// Repeats implements crm.InteractionReader: a count over the window of
// the index on (customer_id, at_us, id), without reading the rows out.
func (r interactionRepo) Repeats(ctx context.Context, customer, c crm.ID, touchpoint string, from, to time.Time) (int, error) {
	var w where
	w.add("customer_id = ?", idArg(customer))
	addRange(&w, "at_us", from, to)
	w.add("inbound = 1")
	w.add("case_id = ?", idArg(c))
	w.addIf(c.IsZero(), "touchpoint = ?", touchpoint)
	var n int
	err := r.t.queryRow(ctx, "SELECT COUNT(*) FROM "+r.t.s.names.interactions+w.sql(), w.args...).Scan(&n)
	return n, r.t.s.dbErr("counting repeated contacts", err)
}
