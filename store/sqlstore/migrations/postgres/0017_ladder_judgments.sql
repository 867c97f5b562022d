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
ALTER TABLE {{table "evidence"}} ADD COLUMN direction text NOT NULL DEFAULT '';
ALTER TABLE {{table "evidence"}} ADD COLUMN promise_broken boolean NOT NULL DEFAULT false;
ALTER TABLE {{table "evidence"}} ADD COLUMN repeats integer NOT NULL DEFAULT 0;
ALTER TABLE {{table "ladder_states"}} ADD COLUMN failures integer NOT NULL DEFAULT 0;
ALTER TABLE {{table "ladder_states"}} ADD COLUMN last_failure timestamptz;
ALTER TABLE {{table "ladder_states"}} ADD COLUMN before_failure bigint NOT NULL DEFAULT 0;
ALTER TABLE {{table "ladder_states"}} ADD COLUMN last_detractor timestamptz;
ALTER TABLE {{table "cases"}} ADD COLUMN overdue_steps integer NOT NULL DEFAULT 0;
ALTER TABLE {{table "cases"}} ADD COLUMN next_overdue timestamptz;
CREATE INDEX {{name "cases_overdue_idx"}} ON {{table "cases"}} (next_overdue)
    WHERE next_overdue IS NOT NULL AND resolved_at IS NULL;
