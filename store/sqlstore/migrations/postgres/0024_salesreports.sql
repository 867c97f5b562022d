-- crmkit 0024: sales reports. Each stage visit keeps its deal's amount in
-- minor units, written with the visits whenever the deal is saved, so
-- that the funnel as of a past date adds up the visits that spanned an
-- instant without joining them to their deals; an index on the pipeline
-- and the instant a visit began covers what that query reads.
ALTER TABLE {{table "deal_visits"}} ADD COLUMN amount_minor bigint NOT NULL DEFAULT 0;

UPDATE {{table "deal_visits"}} v SET amount_minor = d.amount_minor
FROM {{table "deals"}} d WHERE d.id = v.deal_id;

CREATE INDEX {{name "deal_visits_at_idx"}} ON {{table "deal_visits"}} (pipeline_id, entered_us)
    INCLUDE (left_us, stage, amount_minor);

-- Quotas: one a pipeline, holder (a rep, or a team) and fiscal period,
-- whose ID is derived from them (crm.QuotaID); owner_id is the zero UUID
-- for a team's quota and team '' for a rep's.
CREATE TABLE {{table "quotas"}} (
    id              uuid        NOT NULL PRIMARY KEY,
    pipeline_id     uuid        NOT NULL,
    owner_id        uuid        NOT NULL,
    team            text        NOT NULL,
    period          text        NOT NULL,
    amount_minor    bigint      NOT NULL,
    amount_currency text        NOT NULL,
    reason          text        NOT NULL,
    set_by          uuid        NOT NULL,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    version         bigint      NOT NULL,
    UNIQUE (pipeline_id, period, owner_id, team)
);

-- A deal's forecast category set by hand over its stage's; '' follows
-- the stage. The forecast groups by it.
ALTER TABLE {{table "deals"}} ADD COLUMN forecast_category text NOT NULL DEFAULT '';
