-- crmkit 0017: what the loyalty ladder needs to judge service as the
-- research does. Evidence keeps the contact's direction (outbound
-- contacts are never "unresolved"), whether a resolved case broke its
-- promise (no recovery for it) and how many contacts about the same
-- matter came before it (repeat contacts weigh down). A ladder state keeps
-- the service failures in the window (recovery diminishes with each), the
-- score before the latest one (recovery never lifts above it) and the
-- last detractor answer (it ends advocacy). A case keeps how many times
-- the overdue sweep weighed it and when it next falls due; cases opened
-- before this migration are not swept.
ALTER TABLE {{table "evidence"}} ADD COLUMN direction TEXT NOT NULL DEFAULT '';
ALTER TABLE {{table "evidence"}} ADD COLUMN promise_broken INTEGER NOT NULL DEFAULT 0 CHECK (promise_broken IN (0, 1));
ALTER TABLE {{table "evidence"}} ADD COLUMN repeats INTEGER NOT NULL DEFAULT 0;
ALTER TABLE {{table "ladder_states"}} ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE {{table "ladder_states"}} ADD COLUMN last_failure TEXT;
ALTER TABLE {{table "ladder_states"}} ADD COLUMN before_failure INTEGER NOT NULL DEFAULT 0;
ALTER TABLE {{table "ladder_states"}} ADD COLUMN last_detractor TEXT;
ALTER TABLE {{table "cases"}} ADD COLUMN overdue_steps INTEGER NOT NULL DEFAULT 0;
ALTER TABLE {{table "cases"}} ADD COLUMN next_overdue TEXT;
CREATE INDEX {{name "cases_overdue_idx"}} ON {{table "cases"}} (next_overdue)
    WHERE next_overdue IS NOT NULL AND resolved_at IS NULL;
