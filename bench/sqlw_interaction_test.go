package bench

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/crmkit/crm/store/sqlstore"
	"github.com/google/uuid"
)

// BenchmarkSQLWRecordInteraction records an inbound call at a touchpoint
// for one customer, a day after the one before, by crmkit and by hand,
// on SQLite, in tables crmkit's migrations made. The hand-written write
// is one transaction: one read of the checks (the actor is active, the
// customer exists, the touchpoint with what the interaction copies of
// it), the interaction row, the customer's ladder state read and written
// back, the evidence row, and the event chained to the log head. It makes
// no ladder move (a positive call moves nobody from the stage crmkit
// leaves the customer in after the first few), as crmkit makes none.
func BenchmarkSQLWRecordInteraction(b *testing.B) {
	ctx := context.Background()
	for _, s := range sqlwDialects(b) {
		if s.store.Dialect() != sqlstore.SQLite {
			continue
		}
		m := s.touchpointMap(b)
		i := 0
		b.Run(s.name+"/crmkit", func(b *testing.B) {
			st0, tr0, cpu0 := s.count.stmts.Load(), s.count.trips(), cpuTime()
			for range b.N {
				i++
				if _, err := s.crm.Experience.RecordInteraction(ctx, s.actor, s.interaction(m, i)); err != nil {
					b.Fatal(err)
				}
			}
			perOp(b, s.count, st0, tr0, cpu0)
		})
		b.Run(s.name+"/handwritten", func(b *testing.B) {
			h := newHand(b, s)
			st0, tr0, cpu0 := s.count.stmts.Load(), s.count.trips(), cpuTime()
			for range b.N {
				i++
				if err := h.recordInteraction(ctx, m.String(), s.interaction(m, i).At); err != nil {
					b.Fatal(err)
				}
			}
			perOp(b, s.count, st0, tr0, cpu0)
		})
	}
}

// recordInteraction writes the rows of RecordInteraction.
func (h *hand) recordInteraction(ctx context.Context, mapID string, at time.Time) error {
	now := h.now()
	customer, actor := h.s.customer.String(), h.s.actor.String()
	return h.inTx(ctx, func(x execer) error {
		var active bool
		var owner, channel, medium, phase, department string
		var weight int
		err := x.QueryRowContext(ctx, "SELECT u.active, c.owner_id, t.channel, t.medium, t.phase, t.department, t.weight FROM "+h.t("users")+" u, "+
			h.t("customers")+" c, "+h.t("touchpoints")+" t WHERE u.id = ? AND c.id = ? AND t.map_id = ? AND t.key = ?", actor, customer, mapID, "call").
			Scan(&active, &owner, &channel, &medium, &phase, &department, &weight)
		if err == nil && !active {
			err = errors.New("inactive")
		}
		if err != nil {
			return err
		}
		id, evidence := uuid.Must(uuid.NewV7()).String(), uuid.Must(uuid.NewV7()).String()
		atText, atUS := h.time(at), at.UnixMicro()
		day := at.Format("2006-01-02")
		y, w := at.ISOWeek()
		week := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC).Format("2006") + "-W" + string(rune('0'+w/10)) + string(rune('0'+w%10))
		if _, err := x.ExecContext(ctx, "INSERT INTO "+h.t("interactions")+" (id, customer_id, map_id, touchpoint, at, direction, handled_by, department, channel, medium, phase, "+
			"wait_us, handle_us, transfers, resolved, sentiment, nps, csat, ces, case_id, note, answer_breached, csat_breached, idempotency_key, request_hash, "+
			"recorded_at, recorded_by, business_day, survey_kind, transfers_count, inbound, fcr, satisfaction, promoter, detractor, csat_satisfied, at_us, "+
			"day_key, week_key, month_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			id, customer, mapID, "call", atText, "inbound", uuid.Nil.String(), department, channel, medium, phase,
			0, 0, "[]", false, 1, nil, nil, nil, uuid.Nil.String(), "", false, false, "", make([]byte, 32),
			h.time(now), actor, day, "", 0, true, false, 1, false, false, false, atUS,
			day, week, at.Format("2006-01")); err != nil {
			return err
		}
		var stage string
		var score, version, count int64
		err = x.QueryRowContext(ctx, "SELECT stage, score, evidence, version FROM "+h.t("ladder_states")+" WHERE customer_id = ?", customer).Scan(&stage, &score, &count, &version)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if _, err := x.ExecContext(ctx, "INSERT INTO "+h.t("ladder_states")+" (customer_id, stage, score, since, updated_at, purchases, evidence, version) VALUES (?, ?, ?, ?, ?, 0, 1, 1)",
				customer, "prospect", 10, atText, atText); err != nil {
				return err
			}
		case err != nil:
			return err
		default:
			if _, err := x.ExecContext(ctx, "UPDATE "+h.t("ladder_states")+" SET score = ?, updated_at = ?, evidence = ?, last_evidence = ?, version = ? WHERE customer_id = ? AND version = ?",
				score+1, atText, count+1, evidence, version+1, customer, version); err != nil {
				return err
			}
		}
		if _, err := x.ExecContext(ctx, "INSERT INTO "+h.t("evidence")+" (id, customer_id, kind, at, source, source_id, map_id, touchpoint, weight, sentiment, nps, csat, ces, "+
			"transfers, breached, resolved, resolution_us, within_standard, handoffs, reopens, note, direction, promise_broken, repeats) "+
			"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			evidence, customer, "experience", atText, "interaction", id, mapID, "call", 100, 1, nil, nil, nil,
			0, false, false, 0, false, 0, 0, "", "inbound", false, 0); err != nil {
			return err
		}
		data, _ := json.Marshal(map[string]any{"customer": customer, "map": mapID, "touchpoint": "call", "at": at, "direction": "inbound",
			"channel": channel, "sentiment": 1, "evidence": evidence})
		return h.event(ctx, x, now, "interaction.recorded", "interaction", id, data)
	})
}
