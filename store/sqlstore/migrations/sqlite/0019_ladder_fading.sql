-- crmkit 0019: fading that shows, and evidence applied in the order it
-- happened. A ladder state keeps when fading alone will next move the
-- customer, so the fading sweep (LadderService.CheckFading) reads only the
-- customers due; states saved before this migration have none and are
-- swept after their next evidence. A move replaced when late evidence
-- replayed the customer is kept for the record, marked replaced, and no
-- longer read as the ladder's history. A move keeps the kind of its
-- evidence apart from the evidence's JSON, so that analytics can tell the
-- moves fading caused (kind 'fading') from those a contact caused.
ALTER TABLE {{table "ladder_states"}} ADD COLUMN fades_at TEXT;
CREATE INDEX {{name "ladder_states_fading_idx"}} ON {{table "ladder_states"}} (fades_at)
    WHERE fades_at IS NOT NULL;
ALTER TABLE {{table "ladder_moves"}} ADD COLUMN replaced INTEGER NOT NULL DEFAULT 0 CHECK (replaced IN (0, 1));
ALTER TABLE {{table "ladder_moves"}} ADD COLUMN evidence_kind TEXT NOT NULL DEFAULT '';
-- A ladder state names the last evidence it weighed, so that evidence of
-- the same instant that comes after it in the ladder's order is weighed
-- at once and only evidence before it replays the customer.
ALTER TABLE {{table "ladder_states"}} ADD COLUMN last_evidence TEXT NOT NULL DEFAULT '00000000-0000-0000-0000-000000000000';
