-- crmkit 0005: each stage visit keeps its deal's pipeline, owner and team,
-- written with the visits whenever the deal is saved, so that stage
-- velocity adds up the visits of a pipeline without joining every visit
-- to its deal.
ALTER TABLE {{table "deal_visits"}} ADD COLUMN pipeline_id TEXT NOT NULL DEFAULT '';
ALTER TABLE {{table "deal_visits"}} ADD COLUMN owner_id TEXT NOT NULL DEFAULT '';
ALTER TABLE {{table "deal_visits"}} ADD COLUMN team TEXT NOT NULL DEFAULT '';

UPDATE {{table "deal_visits"}} SET
    pipeline_id = (SELECT d.pipeline_id FROM {{table "deals"}} d WHERE d.id = {{table "deal_visits"}}.deal_id),
    owner_id = (SELECT d.owner_id FROM {{table "deals"}} d WHERE d.id = {{table "deal_visits"}}.deal_id),
    team = (SELECT d.team FROM {{table "deals"}} d WHERE d.id = {{table "deal_visits"}}.deal_id);

CREATE INDEX {{name "deal_visits_pipeline_idx"}} ON {{table "deal_visits"}} (pipeline_id, stage, left_us, micros)
    WHERE left_us IS NOT NULL;
