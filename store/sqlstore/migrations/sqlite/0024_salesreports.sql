-- crmkit 0024: sales reports. Each stage visit keeps its deal's amount in
-- minor units, written with the visits whenever the deal is saved, so
-- that the funnel as of a past date adds up the visits that spanned an
-- instant without joining them to their deals; an index on the pipeline
-- and the instant a visit began covers what that query reads.
ALTER TABLE {{table "deal_visits"}} ADD COLUMN amount_minor INTEGER NOT NULL DEFAULT 0;

UPDATE {{table "deal_visits"}} SET
    amount_minor = (SELECT d.amount_minor FROM {{table "deals"}} d WHERE d.id = {{table "deal_visits"}}.deal_id);

CREATE INDEX {{name "deal_visits_at_idx"}} ON {{table "deal_visits"}} (pipeline_id, entered_us, left_us, stage, amount_minor);

-- Quotas: one a pipeline, holder (a rep, or a team) and fiscal period,
-- whose ID is derived from them (crm.QuotaID); owner_id is the zero UUID
-- for a team's quota and team '' for a rep's.
CREATE TABLE {{table "quotas"}} (
    id              TEXT    NOT NULL PRIMARY KEY,
    pipeline_id     TEXT    NOT NULL,
    owner_id        TEXT    NOT NULL,
    team            TEXT    NOT NULL,
    period          TEXT    NOT NULL,
    amount_minor    INTEGER NOT NULL,
    amount_currency TEXT    NOT NULL,
    reason          TEXT    NOT NULL,
    set_by          TEXT    NOT NULL,
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL,
    version         INTEGER NOT NULL,
    UNIQUE (pipeline_id, period, owner_id, team)
);

-- A deal's forecast category set by hand over its stage's; '' follows
-- the stage. The forecast groups by it.
ALTER TABLE {{table "deals"}} ADD COLUMN forecast_category TEXT NOT NULL DEFAULT '';
